"""dev.py and .ci/run: install only when needed, pass arguments through, and let
pytest's exit code (5 too: no test ran) decide."""
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FAKE = """#!/bin/sh
# stands in for a program: logs its arguments, exits with $FAKE_EXIT (default 0)
echo "$*" >> "{log}"
exit "${{FAKE_EXIT:-0}}"
"""


def fake_program(path: Path, log: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE.format(log=log))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def checkout_with_fake_venv(tmp_path):
    """A copy of dev.py and pyproject.toml whose .venv 'python' only logs its calls."""
    shutil.copy(REPO / "dev.py", tmp_path / "dev.py")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    log = tmp_path / "calls.log"
    fake_program(tmp_path / ".venv" / "bin" / "python", log)
    return log


def dev(tmp_path, *args, fake_exit=0):
    env = dict(os.environ, FAKE_EXIT=str(fake_exit))
    return subprocess.run([sys.executable, str(tmp_path / "dev.py"), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


def calls(log):
    return log.read_text().splitlines() if log.exists() else []


def test_installs_once_and_again_only_when_pyproject_changes(tmp_path):
    log = checkout_with_fake_venv(tmp_path)
    assert dev(tmp_path, "test").returncode == 0
    assert dev(tmp_path, "test").returncode == 0
    installs = [c for c in calls(log) if "pip install" in c]
    assert installs == ['-m pip install --disable-pip-version-check -e .[test]']

    with open(tmp_path / "pyproject.toml", "a") as f:
        f.write("\n# a change\n")
    assert dev(tmp_path, "test").returncode == 0
    assert len([c for c in calls(log) if "pip install" in c]) == 2


def test_a_new_extra_installs_with_the_earlier_ones(tmp_path):
    log = checkout_with_fake_venv(tmp_path)
    dev(tmp_path, "test")
    dev(tmp_path, "lab", "--no-browser")
    (tmp_path / "benchmarks").mkdir()
    dev(tmp_path, "bench")  # needs no extra: nothing new to install
    installs = [c for c in calls(log) if "pip install" in c]
    assert installs == ['-m pip install --disable-pip-version-check -e .[test]',
                        '-m pip install --disable-pip-version-check -e .[lab,test,timeseries]']
    lab = [c for c in calls(log) if c.startswith("-m jupyter lab")]
    assert len(lab) == 1 and lab[0].endswith("--no-browser")


def test_runs_tests_and_notebooks_in_one_pytest_unless_paths_are_given(tmp_path):
    log = checkout_with_fake_venv(tmp_path)
    dev(tmp_path, "test", "-k", "gru")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("")
    dev(tmp_path, "test", "tests/test_x.py::test_a", "-x")
    pytest_calls = [c for c in calls(log) if c.startswith("-m pytest")]
    assert pytest_calls[0].endswith("-k gru tests notebooks")
    assert "--nbval-lax" in pytest_calls[0]
    assert pytest_calls[1].endswith("tests/test_x.py::test_a -x")


def test_an_extra_that_test_includes_installs_nothing_new(tmp_path):
    """[test] pulls in rnnlab[site,grade]: `dev.py site` and `assignments` after `dev.py test` reinstall nothing."""
    pytest.importorskip("tomllib")
    log = checkout_with_fake_venv(tmp_path)
    dev(tmp_path, "test")
    dev(tmp_path, "site")
    dev(tmp_path, "assignments")
    assert [c for c in calls(log) if "pip install" in c] == ['-m pip install --disable-pip-version-check -e .[test]']


def test_bench_runs_every_benchmark_or_the_ones_named(tmp_path):
    log = checkout_with_fake_venv(tmp_path)
    (tmp_path / "benchmarks").mkdir()
    for name in ("bench_a.py", "bench_b.py", "_helper.py"):
        (tmp_path / "benchmarks" / name).write_text("")
    assert dev(tmp_path, "bench", "--quick").returncode == 0
    assert dev(tmp_path, "bench", "benchmarks/bench_b.py", "--quick").returncode == 0
    runs = [c for c in calls(log) if "benchmarks" in c]
    assert [r.rsplit("benchmarks/", 1)[1] for r in runs] == [
        "bench_a.py --quick", "bench_b.py --quick", "bench_b.py --quick"]


def test_every_benchmark_takes_quick():
    """`python3 dev.py bench --quick` hands --quick to every benchmark: each must accept it."""
    for script in sorted((REPO / "benchmarks").glob("[!_]*.py")):
        assert "--quick" in script.read_text(), f"{script.name} does not accept --quick"


def test_pytest_exit_code_is_the_verdict(tmp_path):
    checkout_with_fake_venv(tmp_path)
    for code in (0, 1, 5):
        assert dev(tmp_path, "test", fake_exit=code).returncode == code


def test_no_test_collected_fails_for_real():
    """Exit code 5 from the real pytest: arguments that select nothing are a failure."""
    done = subprocess.run([sys.executable, str(REPO / "dev.py"), "test", "tests/test_dev.py",
                           "-k", "no_test_has_this_name"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 5, done.stdout[-2000:] + done.stderr[-2000:]


def test_ci_runs_the_readme_command_and_fails_when_it_fails(tmp_path):
    ci = tmp_path / "repo" / ".ci" / "run"
    ci.parent.mkdir(parents=True)
    shutil.copy(REPO / ".ci" / "run", ci)
    log = tmp_path / "python3.log"
    fake_program(tmp_path / "bin" / "python3", log)
    env = dict(os.environ, PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
               RNNLAB_CHROMIUM="/bin/sh")  # any executable: skip the Chromium install
    for code, expected in ((0, 0), (5, 5), (1, 1)):
        env["FAKE_EXIT"] = str(code)
        done = subprocess.run(["bash", str(ci)], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == expected, done.stdout + done.stderr
    assert calls(log) == ["dev.py test --with-torch"] * 3
    readme = (REPO / "README.md").read_text()
    assert "python3 dev.py test" in readme


def test_the_voila_template_is_linked_into_the_venv(tmp_path):
    """An editable install places no data files; dev.py links rnnlab's Voila template into
    .venv so that voila started from the venv (not only from dev.py) finds it."""
    checkout_with_fake_venv(tmp_path)
    shutil.copytree(REPO / "share", tmp_path / "share")
    assert dev(tmp_path, "test").returncode == 0
    assert dev(tmp_path, "test").returncode == 0  # a second run keeps the link
    linked = tmp_path / ".venv" / "share" / "jupyter" / "voila" / "templates" / "rnnlab"
    assert (linked / "index.html.j2").is_file()


def test_the_lab_settings_that_wrap_code_are_linked_into_the_venv(tmp_path):
    """JupyterLab started from .venv wraps long code lines (binder/postBuild does the same on Binder)."""
    checkout_with_fake_venv(tmp_path)
    shutil.copytree(REPO / "share", tmp_path / "share")
    assert dev(tmp_path, "test").returncode == 0
    overrides = tmp_path / ".venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(overrides.read_text())
    assert settings["@jupyterlab/notebook-extension:tracker"]["codeCellConfig"]["lineWrap"] is True
    postbuild = (REPO / "binder" / "postBuild").read_text()
    assert "share/jupyter/lab/settings/overrides.json" in postbuild
