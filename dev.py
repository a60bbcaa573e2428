#!/usr/bin/env python3
"""rnnlab's developer commands. They need only Python >= 3.10 and pip.

    python3 dev.py lab [ARGS]                  open the lessons in JupyterLab (ARGS go to `jupyter lab`)
    python3 dev.py test [--with-torch] [ARGS]  pytest: tests/, then the notebooks with nbval
                                               (ARGS go to pytest; paths among them run only those)
    python3 dev.py bench [--with-torch] [ARGS] run every benchmarks/*.py (--quick: a short run of each;
                                               benchmarks/x.py among ARGS: only those)
    python3 dev.py site [ARGS]                 build the lesson site into build/site (ARGS: kit/site/build.py -h)
    python3 dev.py assignments [ARGS]          graded assignments in build/assignments (kit/assignments/build.py -h)

Every command first makes sure .venv (next to this file) holds rnnlab and the
extra it needs: the venv is created once, and `pip install -e .[extras]` runs
again only when pyproject.toml changes or a new extra is asked for.
--with-torch also installs torch==2.13.0, the optional second gradient oracle.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

if sys.version_info < (3, 10):
    sys.exit("rnnlab needs Python >= 3.10; this is %s (%s)." % (sys.version.split()[0], sys.executable))

# rnnlab's matrices are small: one BLAS thread is as fast as several, and on a busy
# machine several spin against each other and run ten times slower. Everything
# started from here (pytest, nbval, JupyterLab's kernels) inherits this.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / "rnnlab-installed.json"
TORCH = "torch==2.13.0"  # a CPU build; an unpinned torch may pull a multi-GB CUDA build
NBVAL = ["--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=120"]


def run(*cmd):
    """Run a command from the repository root; return its exit code."""
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def with_included(extras):
    """``extras`` and the extras they pull in themselves (``test`` includes ``rnnlab[site,grade]``)."""
    try:
        import tomllib  # Python >= 3.11; on 3.10 an extra counts as installed only by its name
        optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    except (ImportError, OSError, ValueError, KeyError):
        return set(extras)
    found, todo = set(extras), list(extras)
    while todo:
        for req in optional.get(todo.pop(), []):
            name, _, rest = req.replace(" ", "").partition("[")
            if name == "rnnlab" and rest:
                new = set(rest.split("]")[0].split(",")) - found
                found |= new
                todo.extend(new)
    return found


def setup(*extras, torch=False):
    """Create .venv if needed and install rnnlab with ``extras`` unless already done."""
    if not PY.exists():
        print("dev.py: creating .venv (the first install takes a few minutes)", flush=True)
        try:  # upgrade_deps: editable installs from pyproject need pip >= 21.3
            venv.EnvBuilder(with_pip=True, upgrade_deps=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            sys.exit(f"dev.py: could not create {VENV}: {exc}\n"
                     "On Debian or Ubuntu install the venv module first: apt-get install python3-venv")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        stamp = {}
    done = set(stamp.get("extras", []))
    if stamp.get("pyproject") != digest or not set(extras) <= with_included(done):
        wanted = sorted(done | set(extras))  # keep earlier extras up to date too
        spec = ".[" + ",".join(wanted) + "]" if wanted else "."
        print(f'dev.py: pip install -e "{spec}"', flush=True)
        if run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-e", spec):
            sys.exit(f'dev.py: pip install -e "{spec}" failed; see above. '
                     f"If {VENV} itself is broken, delete it and run again.")
        STAMP.write_text(json.dumps({"pyproject": digest, "extras": wanted}))
    # an editable install places no data files: link rnnlab's Voila template into the venv, so
    # that any voila or jupyter started from .venv (not only from dev.py) finds it; and the lab
    # settings that wrap long code lines (a laptop with the file browser open shows ~58 columns)
    for part in (("voila", "templates", "rnnlab"), ("lab", "settings", "overrides.json")):
        source, target = ROOT.joinpath("share", "jupyter", *part), VENV.joinpath("share", "jupyter", *part)
        if source.exists() and not (target.exists() or target.is_symlink()):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.symlink_to(source, target_is_directory=source.is_dir())
            except OSError:  # no symlinks (Windows without developer mode): a copy will do
                (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    if torch and subprocess.call([PY, "-c", "import torch"], stderr=subprocess.DEVNULL):
        if run(PY, "-m", "pip", "install", "--disable-pip-version-check", TORCH):
            sys.exit(f"dev.py: pip install {TORCH} failed; see above.")


def test(args):
    setup("test", torch="--with-torch" in args)
    args = [a for a in args if a != "--with-torch"]
    # paths among the arguments (tests/test_x.py, notebooks/02_unfolding.ipynb::Cell 3) run alone
    paths = [a for a in args if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    # one pytest run, so pytest's own summary is the report; exit code 5 (nothing ran) fails
    return run(PY, "-m", "pytest", *NBVAL, *args, *([] if paths else ["tests", "notebooks"]))


def lab(args):
    setup("lab", "timeseries")
    cmd = [str(PY), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}",
           "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb"]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        cmd.append("--allow-root")
    if os.name == "nt":
        return run(*cmd, *args)
    os.chdir(ROOT)
    os.execv(cmd[0], cmd + args)  # JupyterLab takes over this process, and Ctrl-C with it


def bench(args):
    setup(torch="--with-torch" in args)
    args = [a for a in args if a != "--with-torch"]
    # benchmark files among the arguments (benchmarks/bench_core.py) run alone; the rest go to each
    chosen = [ROOT / a for a in args if a.endswith(".py") and (ROOT / a).is_file()]
    args = [a for a in args if ROOT / a not in chosen]
    scripts = chosen or sorted((ROOT / "benchmarks").glob("[!_]*.py"))
    failed = [s.name for s in scripts if run(PY, s, *args)]
    if failed:
        print("dev.py: benchmarks that failed: " + ", ".join(failed))
    return 1 if failed else 0


def site(args):
    setup("site")
    return run(PY, ROOT / "kit" / "site" / "build.py", *args)


def assignments(args):
    setup("grade")
    return run(PY, ROOT / "kit" / "assignments" / "build.py", *args)


COMMANDS = {"lab": lab, "test": test, "bench": bench, "site": site, "assignments": assignments}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(0 if sys.argv[1:2] in (["-h"], ["--help"]) else 2)
    try:
        sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
    except KeyboardInterrupt:
        sys.exit(130)
