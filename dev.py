#!/usr/bin/env python3
"""rnnlab developer entry point: needs only Python >= 3.10 and pip.

    python3 dev.py lab [JUPYTER-LAB-ARGS...]    set up .venv, open the lessons in JupyterLab
    python3 dev.py test [--with-torch] [PYTEST-ARGS...]
                                               set up .venv, run tests/ and the notebooks
    python3 dev.py bench [--with-torch] [ARGS...]
                                               set up .venv, run benchmarks/*.py

The virtual environment lives in .venv next to this file. It is reinstalled
only when pyproject.toml changes or a new extra is asked for (a stamp file in
.venv remembers what was installed).

test:
  * browser tests need Chromium at /usr/bin/chromium (or $RNNLAB_CHROMIUM);
    as root with apt-get, dev.py installs Debian's `chromium`; otherwise the
    browser tests are deselected with -m "not browser" and a notice says so.
  * runs `pytest tests` and, when notebooks/ holds .ipynb files,
    `pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=120 notebooks`;
    fails if either fails or collects nothing.
  * extra arguments go to pytest (e.g. `python3 dev.py test -k gru -x`); if
    they name paths (tests/test_x.py, notebooks/01.ipynb), only those run.
  * --with-torch installs torch==2.13.0 into .venv (the optional parity oracle).
"""
# Keep this file parseable by old Pythons (no f-strings) so that the version
# check below can print a clear message instead of a SyntaxError.
from __future__ import print_function

import sys

MIN_PYTHON = (3, 10)

if sys.version_info < MIN_PYTHON:
    sys.stderr.write(
        "rnnlab needs Python {0}.{1} or newer; this is Python {2}.{3} ({4}).\n"
        "Run dev.py with a newer interpreter, e.g. `python3.12 dev.py ...`.\n".format(
            MIN_PYTHON[0], MIN_PYTHON[1], sys.version_info[0], sys.version_info[1], sys.executable))
    sys.exit(2)

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

# rnnlab's matrices are small: one BLAS thread is as fast as several, and on a
# busy machine several spin against each other and run 10x slower. Every
# process started from here (JupyterLab's kernels, pytest, nbval) inherits this.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent
# rnnlab's Voila template (share/jupyter/voila/templates/rnnlab): an editable install does
# not place data files, so servers started from a checkout find it here
os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(ROOT / "share" / "jupyter"), os.environ.get("JUPYTER_PATH")) if p)
VENV = ROOT / ".venv"
STAMP = VENV / ".rnnlab-install-stamp.json"
IS_WINDOWS = os.name == "nt"
VENV_BIN = VENV / ("Scripts" if IS_WINDOWS else "bin")
VENV_PY = VENV_BIN / ("python.exe" if IS_WINDOWS else "python")
TORCH_PIN = "torch==2.13.0"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
NBVAL_ARGS = ["--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=120"]


class DevError(Exception):
    """An expected failure: printed as a message, no traceback."""

    def __init__(self, message, code=1):
        Exception.__init__(self, message)
        self.code = code


def say(message):
    print("[dev.py] " + message, flush=True)


def banner(lines):
    width = max(len(line) for line in lines) + 4
    print("\n" + "!" * width, flush=True)
    for line in lines:
        print("! " + line.ljust(width - 4) + " !")
    print("!" * width + "\n", flush=True)


def run(cmd, what, **kwargs):
    """Run a command; raise DevError with a readable message if it fails."""
    try:
        code = subprocess.call([str(c) for c in cmd], **kwargs)
    except OSError as exc:
        raise DevError("{0} failed: cannot run {1}: {2}".format(what, cmd[0], exc))
    if code != 0:
        raise DevError("{0} failed (exit code {1}); see the output above.".format(what, code), code)


# --------------------------------------------------------------------- venv

def venv_python_ok():
    if not VENV_PY.exists():
        return False
    try:
        out = subprocess.run([str(VENV_PY), "-c", "import sys; print(sys.version_info[:2] >= (3, 10))"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def ensure_venv():
    if venv_python_ok():
        return
    if VENV.exists():
        say("{0} exists but has no working Python >= 3.10; recreating it.".format(VENV))
        shutil.rmtree(VENV)
    say("creating virtual environment {0} with {1}".format(VENV, sys.executable))
    try:
        code = subprocess.call([sys.executable, "-m", "venv", str(VENV)])
    except OSError as exc:
        code = str(exc)
    if code != 0 or not VENV_PY.exists():
        shutil.rmtree(VENV, ignore_errors=True)
        raise DevError(
            "could not create the virtual environment (python -m venv: {0}).\n"
            "On Debian/Ubuntu install the venv module first: apt-get install python3-venv".format(code))
    # PEP 660 editable installs need pip >= 21.3 (Python 3.10.0 shipped 21.2).
    out = subprocess.run([str(VENV_PY), "-m", "pip", "--version"], capture_output=True, text=True)
    m = re.match(r"pip (\d+)\.(\d+)", out.stdout)
    if not m or (int(m.group(1)), int(m.group(2))) < (21, 3):
        say("upgrading pip inside .venv (editable installs need pip >= 21.3)")
        run([VENV_PY, "-m", "pip", "install", "--upgrade", "pip"], "upgrading pip")


def project_hash():
    h = hashlib.sha256()
    h.update((ROOT / "pyproject.toml").read_bytes())
    h.update(str(VENV_PY.resolve() if VENV_PY.exists() else VENV_PY).encode())
    return h.hexdigest()


def read_stamp():
    try:
        data = json.loads(STAMP.read_text())
        return data.get("hash"), set(data.get("extras", []))
    except (OSError, ValueError, AttributeError):
        return None, set()


def ensure_installed(extras):
    """pip install -e ".[extras]" unless the stamp says it is already done."""
    if not (ROOT / "pyproject.toml").exists():
        raise DevError("pyproject.toml not found next to dev.py ({0}).".format(ROOT))
    ensure_venv()
    extras = set(extras)
    current = project_hash()
    stamped_hash, stamped_extras = read_stamp()
    if stamped_hash == current and extras <= stamped_extras:
        say(".venv is up to date (extras: {0})".format(", ".join(sorted(stamped_extras)) or "none"))
        return
    spec = "." + ("[" + ",".join(sorted(extras)) + "]" if extras else "")
    say('installing -e "{0}" into .venv (first time takes a few minutes)'.format(spec))
    run([VENV_PY, "-m", "pip", "install", "--disable-pip-version-check", "-e", spec],
        'pip install -e "{0}"'.format(spec), cwd=str(ROOT))
    keep = stamped_extras if stamped_hash == current else set()
    STAMP.write_text(json.dumps({"hash": current, "extras": sorted(keep | extras)}, indent=1))


def ensure_torch():
    code = "import importlib.metadata as m; print(m.version('torch'))"
    out = subprocess.run([str(VENV_PY), "-c", code], capture_output=True, text=True)
    if out.returncode == 0:
        say("torch {0} already in .venv".format(out.stdout.strip()))
        return
    say("installing {0} into .venv (the optional parity oracle)".format(TORCH_PIN))
    run([VENV_PY, "-m", "pip", "install", "--disable-pip-version-check", TORCH_PIN],
        "pip install " + TORCH_PIN, cwd=str(ROOT))


# ----------------------------------------------------------------- chromium

def chromium_path():
    return os.environ.get("RNNLAB_CHROMIUM") or DEFAULT_CHROMIUM


def ensure_chromium():
    """Return None if Chromium is available, else the reason it is not."""
    path = chromium_path()
    if os.path.exists(path):
        return None
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    apt = shutil.which("apt-get")
    if path != DEFAULT_CHROMIUM:
        return "RNNLAB_CHROMIUM={0} does not exist".format(path)
    if not is_root:
        return "{0} is missing and we are not root (install it with: sudo apt-get install chromium)".format(path)
    if not apt:
        return "{0} is missing and apt-get is not available to install it".format(path)
    say("Chromium missing: running apt-get update && apt-get install -y chromium")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        ok = (subprocess.call([apt, "update"], env=env, stdin=subprocess.DEVNULL) == 0
              and subprocess.call([apt, "install", "-y", "chromium"], env=env, stdin=subprocess.DEVNULL) == 0)
    except OSError as exc:
        return "apt-get failed to run: {0}".format(exc)
    if os.path.exists(path):
        return None
    return "apt-get install chromium {0}".format("did not provide " + path if ok else "failed")


# ------------------------------------------------------------------- pytest

SUMMARY_RE = re.compile(r"^=+ .*\b(passed|failed|error|errors|skipped|deselected|no tests ran)\b.* in [\d.]+s.*=+$")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def run_pytest(label, args):
    """Run pytest in .venv, echo its output live, return (exit code, summary line)."""
    cmd = [str(VENV_PY), "-m", "pytest"] + args
    say("{0}: {1}".format(label, " ".join(_quote(a) for a in cmd[1:])))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    tail = b""
    try:
        proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as exc:
        raise DevError("cannot run pytest: {0}".format(exc))
    out = getattr(sys.stdout, "buffer", None)
    try:
        while True:
            chunk = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else proc.stdout.read(4096)
            if not chunk:
                break
            if out is not None:
                out.write(chunk)
                out.flush()
            else:
                sys.stdout.write(chunk.decode("utf-8", "replace"))
                sys.stdout.flush()
            tail = (tail + chunk)[-65536:]
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        raise
    summary = ""
    for line in tail.decode("utf-8", "replace").splitlines():
        line = ANSI_RE.sub("", line).strip()
        if SUMMARY_RE.match(line):
            summary = line
    return code, summary.strip("= ")


def _quote(arg):
    return arg if re.match(r"^[\w@%+=:,./-]+$", arg) else "'" + arg.replace("'", "'\"'\"'") + "'"


def split_mark(args):
    """Pull a user's -m EXPR out of args; return (expr or None, remaining args)."""
    rest, expr, i = [], None, 0
    while i < len(args):
        a = args[i]
        if a == "-m" and i + 1 < len(args):
            expr, i = args[i + 1], i + 2
            continue
        if a.startswith("-m") and not a.startswith("--") and len(a) > 2:
            expr = a[2:].lstrip("=")
        else:
            rest.append(a)
        i += 1
    return expr, rest


def notebook_files():
    folder = ROOT / "notebooks"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def cmd_test(args):
    with_torch = "--with-torch" in args
    args = [a for a in args if a != "--with-torch"]
    started = time.monotonic()
    ensure_installed({"test"})
    if with_torch:
        ensure_torch()

    user_mark, args = split_mark(args)
    no_browser = ensure_chromium()
    mark = user_mark
    if no_browser:
        mark = "({0}) and not browser".format(user_mark) if user_mark else "not browser"
        banner(["BROWSER TESTS SKIPPED: " + no_browser,
                "Running with -m \"{0}\".".format(mark)])
    say("setup took {0:.0f} s".format(time.monotonic() - started))
    mark_args = ["-m", mark] if mark else []
    color = ["--color=yes"] if sys.stdout.isatty() else []

    # Paths among the extra arguments (tests/x.py, notebooks/y.ipynb::Cell 0) mean "run only these".
    paths = [a for a in args if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    narrowed = bool(args) or user_mark is not None
    runs = []
    if paths:
        nb = any(".ipynb" in p or p.rstrip("/").endswith("notebooks") for p in paths)
        runs.append(("pytest (selected)", color + (NBVAL_ARGS if nb else []) + mark_args + args))
    else:
        runs.append(("unit tests", color + ["tests"] + mark_args + args))
        if notebook_files():
            runs.append(("notebooks", color + NBVAL_ARGS + mark_args + args + ["notebooks"]))
        else:
            say("no notebooks/*.ipynb yet: skipping the notebook run")

    results = []
    for label, pyargs in runs:
        code, summary = run_pytest(label, pyargs)
        results.append((label, code, summary))

    any_collected = any(code != 5 for _, code, _ in results)
    failed = False
    print("\n" + "=" * 30 + " dev.py test summary " + "=" * 30)
    for label, code, summary in results:
        if code == 0:
            verdict = "ok"
        elif code == 5 and narrowed and any_collected:
            verdict = "nothing selected by your arguments (fine)"
        elif code == 5:
            verdict = "FAILED: no tests " + ("matched your arguments" if narrowed else "collected")
            failed = True
        else:
            verdict = "FAILED (pytest exit code {0})".format(code)
            failed = True
        print("{0:<18} {1}  {2}".format(label + ":", verdict, summary))
    if no_browser:
        print("{0:<18} SKIPPED: {1}".format("browser tests:", no_browser))
    if any(code == 1 for _, code, _ in results):
        print("Failure screenshots and server logs of browser tests, if any: {0}".format(ROOT / "test-artifacts"))
    print("=" * 81, flush=True)
    return 1 if failed else 0


# --------------------------------------------------------------------- lab

def cmd_lab(args):
    ensure_installed({"lab", "timeseries"})
    # serve the whole repository (README, docs and data sources stay reachable)
    # and land on the start notebook, also at the URL printed with --no-browser
    jupyter_args = ["lab", "--ServerApp.root_dir=" + str(ROOT)]
    if (ROOT / START_NOTEBOOK).exists():
        jupyter_args.append("--LabApp.default_url=/lab/tree/" + START_NOTEBOOK)
    else:
        say("{0} does not exist yet; opening JupyterLab at the repo root instead".format(START_NOTEBOOK))
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and "--allow-root" not in args:
        say("running as root: adding --allow-root")
        jupyter_args.append("--allow-root")
    jupyter_args += args
    os.chdir(str(ROOT))
    cmd = [str(VENV_PY), "-m", "jupyter"] + jupyter_args
    say("starting: jupyter " + " ".join(_quote(a) for a in jupyter_args))
    sys.stdout.flush()
    if IS_WINDOWS:
        return subprocess.call(cmd)
    os.execv(cmd[0], cmd)


# ------------------------------------------------------------------- bench

def cmd_bench(args):
    with_torch = "--with-torch" in args
    args = [a for a in args if a != "--with-torch"]
    ensure_installed(set())
    if with_torch:
        ensure_torch()
    scripts = sorted((ROOT / "benchmarks").glob("*.py"))
    scripts = [s for s in scripts if not s.name.startswith("_")]
    if not scripts:
        say("no benchmarks/*.py scripts found; nothing to run")
        return 0
    failures = []
    for script in scripts:
        say("benchmark: " + str(script.relative_to(ROOT)))
        code = subprocess.call([str(VENV_PY), str(script)] + args, cwd=str(ROOT))
        if code != 0:
            failures.append("{0} (exit code {1})".format(script.name, code))
    if failures:
        say("benchmarks FAILED: " + ", ".join(failures))
        return 1
    say("all {0} benchmark scripts finished".format(len(scripts)))
    return 0


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "bench": cmd_bench}


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        sys.stderr.write("unknown command {0!r}; use one of: {1}\n\n{2}\n".format(
            command, ", ".join(COMMANDS), __doc__.strip()))
        return 2
    try:
        return COMMANDS[command](rest)
    except DevError as exc:
        sys.stderr.write("[dev.py] ERROR: {0}\n".format(exc))
        return exc.code if isinstance(exc.code, int) and exc.code > 0 else 1
    except KeyboardInterrupt:
        sys.stderr.write("\n[dev.py] interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
