"""Browser-test harness: real Chromium (Debian's, through playwright) against a
real JupyterLab or Voila server started from the test environment.

Fixtures
    chromium_path, browser   from tests/conftest.py (one playwright per session)
    page            a fresh page (own context) per test; console messages and
                    page errors are kept for the failure report
    jupyter_lab     session-wide JupyterLab server (JupyterLab object: url,
                    token, root_dir, log_path). root_dir is a temporary folder
                    holding a copy of the repo's notebooks/ as notebooks/;
                    tests may write throwaway notebooks into it
    notebook7       session-wide Notebook 7 server (JupyterLab object); open
                    f"{notebook7.url}notebooks/NAME.ipynb?token={notebook7.token}"
    voila_server    factory: voila_server(notebook_path) -> VoilaServer(url, log_path)
    harness         the helper functions below as attributes, for tests:
                    harness.open_notebook_in_lab(page, jupyter_lab, "notebooks/x.ipynb")
    axe_path        session-wide path of axe.min.js (axe-core 4), installed from npm into a
                    cache folder on first use (looking.ensure_axe); skips when npm is missing

Tests that look (accessibility, layout, keyboard) import the helpers of
looking.py next to this file: run_axe, serious, describe, layout_report,
tab_walk, focused, open_sidebar, close_sidebar.

Helpers
    write_notebook(path, sources)             nbformat-4 notebook, kernelspec python3
    open_notebook_in_lab(page, lab, relpath)  opens it in a fresh workspace, waits for an idle kernel
    wait_kernel_idle(page, timeout)
    run_all_cells(page, timeout, check=True)  runs all cells, waits until done, fails on error outputs
    kernel_eval(page, expression)             repr of a Python expression in the notebook's kernel
    cell_errors(page)                         texts of error outputs in the current notebook
    save_failure_artifacts(page, name, log_paths)

When a test in this folder fails, a screenshot, the browser console and a copy
of the server log(s) are written to test-artifacts/ at the repo root and their
paths are appended to the failure report. Live server logs are in
test-artifacts/ too. Everything here carries the `browser` marker.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

import looking

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "test-artifacts"
SERVER_START_TIMEOUT = 120  # seconds
KERNEL_JS = "window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# error outputs of the current notebook, read from its model (the DOM shows them as plain stderr)
ERRORS_JS = """() => {
  const nb = window.jupyterapp?.shell?.currentWidget?.content?.model;
  const found = [];
  if (!nb) return found;
  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells.get(i);
    if (cell.type !== 'code') continue;
    for (const o of cell.outputs.toJSON())
      if (o.output_type === 'error') found.push({cell: i, ename: o.ename, evalue: o.evalue, traceback: o.traceback});
  }
  return found;
}"""

_console_key = pytest.StashKey[list]()


# ------------------------------------------------------------------ marking

def _in_this_folder(item) -> bool:
    try:
        return HERE in Path(str(item.path)).resolve().parents
    except (AttributeError, OSError):
        return False


@pytest.hookimpl(tryfirst=True)  # before -m deselection runs
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _in_this_folder(item):
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jupyter_env(home: Path, python: str = sys.executable) -> dict:
    """Environment for a server: its venv first on PATH, isolated Jupyter dirs."""
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.path.dirname(python) + os.pathsep + env.get("PATH", "")
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")]:
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_PATH", None)
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        # the editable install of this checkout does not place data files (rnnlab's Voila
        # template): use the repo's; another environment (Binder's) must have its own
        env["JUPYTER_PATH"] = str(REPO / "share" / "jupyter")
    return env


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _start(cmd, log_path: Path, env: dict, cwd: Path) -> subprocess.Popen:
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(log_path, "w")
    try:
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=str(cwd), start_new_session=True)
    finally:
        log.close()  # the child keeps its own descriptor


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server's whole process group (server + kernels)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # kernels may linger in the group after the server exits
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_until(ready, proc: subprocess.Popen, what: str, log_path: Path, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with code {proc.returncode} before answering; "
                        f"log {log_path}:\n{_tail(log_path)}", pytrace=False)
        if ready():
            return
        time.sleep(0.3)
    pytest.fail(f"{what} did not answer within {timeout:.0f} s; log {log_path}:\n{_tail(log_path)}",
                pytrace=False)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")[:150] or "test"


# ------------------------------------------------------------------ servers

@dataclasses.dataclass
class JupyterLab:
    url: str          # base URL, ends with "/"
    token: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen

    def notebook_url(self, relpath: str, workspace: str | None = None) -> str:
        ws = workspace or "t" + uuid.uuid4().hex[:12]
        return f"{self.url}lab/workspaces/{ws}/tree/{quote(relpath)}?reset&token={self.token}"


@dataclasses.dataclass
class VoilaServer:
    url: str
    log_path: Path
    notebook: Path
    process: subprocess.Popen


class VoilaFactory:
    """``factory(notebook)`` starts Voila on it with ``python`` (default: this venv's)."""

    def __init__(self, home: Path, name: str, python: str = sys.executable):
        self.home, self.name, self.servers, self.python = home, name, [], python

    def __call__(self, notebook, timeout: float = SERVER_START_TIMEOUT) -> VoilaServer:
        nb = Path(notebook).resolve()
        if not nb.exists():
            raise FileNotFoundError(nb)
        port = free_port()
        log_path = ARTIFACTS / f"voila-{_safe_name(self.name)}-{len(self.servers)}-{port}.log"
        cmd = [self.python, "-m", "voila", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", str(nb)]
        proc = _start(cmd, log_path, _jupyter_env(self.home, self.python), cwd=nb.parent)
        server = VoilaServer(f"http://127.0.0.1:{port}/", log_path, nb, proc)
        self.servers.append(server)
        _wait_until(lambda: _port_open(port), proc, "voila", log_path, timeout)
        return server

    def close(self):
        for server in self.servers:
            _stop(server.process)


# ----------------------------------------------------------------- fixtures

@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    pg = context.new_page()
    console = []
    request.node.stash[_console_key] = console
    pg.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    pg.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    yield pg
    context.close()


def launch_lab(root: Path, home: Path, python: str = sys.executable, app: str = "lab") -> JupyterLab:
    """Start JupyterLab (or, with ``app="notebook"``, Notebook 7) with ``python``
    serving ``root``; the caller stops it with ``stop_server``."""
    # no "Would you like to get notified about Jupyter news?" toast over the page
    notification = home / "lab-settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), uuid.uuid4().hex
    log_path = ARTIFACTS / f"jupyter{app}-{port}.log"
    cmd = [python, "-m", "jupyter", app, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    cmd += (["--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"] if app == "lab"
            else ["--JupyterNotebookApp.expose_app_in_browser=True"])
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = _start(cmd, log_path, _jupyter_env(home, python), cwd=root)
    lab = JupyterLab(f"http://127.0.0.1:{port}/", token, root, log_path, proc)
    try:
        _wait_until(lambda: _http_ok(f"{lab.url}api/status?token={token}"), proc, f"jupyter {app}", log_path,
                    SERVER_START_TIMEOUT)
    except BaseException:
        _stop(proc)
        raise
    return lab


stop_server = _stop


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-root")
    if (REPO / "notebooks").is_dir():
        shutil.copytree(REPO / "notebooks", root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    lab = launch_lab(root, tmp_path_factory.mktemp("jupyter-home"))
    try:
        yield lab
    finally:
        _stop(lab.process)


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory):
    """Session-wide Notebook 7 server (a JupyterLab object); tests write notebooks into its root_dir."""
    pytest.importorskip("notebook", minversion="7")
    server = launch_lab(tmp_path_factory.mktemp("nb7-root"), tmp_path_factory.mktemp("nb7-home"), app="notebook")
    try:
        yield server
    finally:
        _stop(server.process)


@pytest.fixture
def voila_server(tmp_path_factory, request):
    factory = VoilaFactory(tmp_path_factory.mktemp("voila-home"), request.node.name)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def axe_path():
    try:
        return looking.ensure_axe()
    except RuntimeError as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(err))


@pytest.fixture(scope="session")
def harness():
    return types.SimpleNamespace(
        write_notebook=write_notebook, open_notebook_in_lab=open_notebook_in_lab,
        wait_kernel_idle=wait_kernel_idle, run_all_cells=run_all_cells, cell_errors=cell_errors,
        save_failure_artifacts=save_failure_artifacts, artifacts_dir=ARTIFACTS, launch_lab=launch_lab,
        kernel_eval=kernel_eval,
        stop_server=stop_server, VoilaFactory=VoilaFactory, repo=REPO)


# ------------------------------------------------------------------ helpers

def write_notebook(path, sources) -> Path:
    """Write code cells (strings; a string starting with '#md' becomes markdown) as a notebook."""
    cells = []
    for src in sources:
        if src.startswith("#md\n"):
            cells.append({"cell_type": "markdown", "metadata": {}, "source": src[4:]})
        else:
            cells.append({"cell_type": "code", "metadata": {}, "source": src,
                          "outputs": [], "execution_count": None})
    nb = {
        "nbformat": 4, "nbformat_minor": 5, "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    }
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))
    return path


def wait_kernel_idle(page, timeout: float = 120) -> None:
    """Wait until the current notebook's kernel reports 'idle'."""
    page.wait_for_function(f"{KERNEL_JS}?.status === 'idle'", timeout=timeout * 1000)


def open_notebook_in_lab(page, lab: JupyterLab, relpath: str, timeout: float = 120) -> None:
    """Open ROOT/relpath in a fresh JupyterLab workspace and wait for an idle kernel."""
    if not (lab.root_dir / relpath).exists():
        raise FileNotFoundError(f"{relpath} is not under the lab root {lab.root_dir}")
    page.goto(lab.notebook_url(relpath), timeout=timeout * 1000)
    page.wait_for_function(
        "p => window.jupyterapp && document.querySelector('.jp-Notebook')"
        " && window.jupyterapp.shell.currentWidget?.context?.path === p",
        arg=relpath, timeout=timeout * 1000)
    # A kernel-selection dialog appears only when the notebook lacks a kernelspec.
    page.wait_for_timeout(500)
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if accept.count():
        accept.first.click()
    wait_kernel_idle(page, timeout)


def kernel_eval(page, expression: str, timeout: float = 30) -> str:
    """``repr`` of a Python expression evaluated in the current notebook's kernel
    (JupyterLab or Notebook 7), without adding a cell or an output."""
    result = page.evaluate(
        """async ([expr, ms]) => {
          const kernel = %s;
          const future = kernel.requestExecute({code: '', silent: true, store_history: false,
                                                user_expressions: {r: expr}});
          const reply = await Promise.race([future.done,
            new Promise((_, no) => setTimeout(() => no(new Error('kernel did not answer')), ms))]);
          const r = reply.content.user_expressions.r;
          return r.status === 'ok' ? {ok: r.data['text/plain']} : {error: r.ename + ': ' + r.evalue};
        }""" % KERNEL_JS, [expression, timeout * 1000])
    if "error" in result:
        raise AssertionError(f"{expression!r} raised in the kernel: {result['error']}")
    return result["ok"]


def cell_errors(page) -> list[str]:
    """Tracebacks of the error outputs in the current notebook ("cell N: ..."), ANSI colours removed."""
    return [f"cell {e['cell']}: {e['ename']}: {e['evalue']}\n" + ANSI.sub("", "\n".join(e["traceback"] or []))
            for e in page.evaluate(ERRORS_JS)]


def run_all_cells(page, timeout: float = 300, check: bool = True):
    """Run all cells of the current notebook and wait until they finished.

    Returns what JupyterLab's run-all reports (True when every cell succeeded).
    With check=True a cell that raised fails the test with its traceback.
    """
    page.evaluate(
        "() => { window.__rnnlabRunAll = undefined;"
        " window.jupyterapp.commands.execute('notebook:run-all-cells').then("
        "  r => { window.__rnnlabRunAll = r === undefined ? null : r; },"
        "  e => { window.__rnnlabRunAll = 'error: ' + e; }); }")
    page.wait_for_function("window.__rnnlabRunAll !== undefined", timeout=timeout * 1000)
    result = page.evaluate("window.__rnnlabRunAll")
    page.wait_for_function(
        f"{KERNEL_JS}?.status === 'idle' && ![...document.querySelectorAll('.jp-InputPrompt')]"
        ".some(e => e.textContent.includes('*'))", timeout=timeout * 1000)
    if check:
        errors = cell_errors(page)
        if errors or result is False or isinstance(result, str):
            raise AssertionError(f"run-all-cells reported {result!r}; error outputs:\n" + "\n---\n".join(errors))
    return result


def save_failure_artifacts(page, name: str, log_paths=(), console=None) -> list[Path]:
    """Screenshot, console log and server log copies under test-artifacts/; returns their paths."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = _safe_name(name)
    written = []
    if page is not None:
        shot = ARTIFACTS / f"{stem}.png"
        try:
            page.screenshot(path=str(shot), full_page=True, timeout=15_000)
            written.append(shot)
        except Exception as exc:  # a crashed page must not hide the real failure
            note = ARTIFACTS / f"{stem}.screenshot-failed.txt"
            note.write_text(f"screenshot failed: {exc!r}\n")
            written.append(note)
    if console:
        con = ARTIFACTS / f"{stem}.console.txt"
        con.write_text("\n".join(console) + "\n")
        written.append(con)
    for log in log_paths:
        log = Path(log)
        if log.exists():
            copy = ARTIFACTS / f"{stem}.{log.stem}.log"
            shutil.copyfile(log, copy)
            written.append(copy)
    return written


# --------------------------------------------------------- failure reports

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown" or not report.failed or not _in_this_folder(item):
        return
    funcargs = getattr(item, "funcargs", {})
    page = funcargs.get("page")
    if page is None:  # a page shared by a module's tests, directly or in a fixture's dict
        candidates = list(funcargs.values()) + [v for f in funcargs.values() if isinstance(f, dict)
                                                for v in f.values()]
        page = next((c for c in candidates if hasattr(c, "screenshot") and hasattr(c, "evaluate")), None)
    logs = []
    for name in ("jupyter_lab", "notebook7"):
        lab = funcargs.get(name)
        if isinstance(lab, JupyterLab):
            logs.append(lab.log_path)
    voila = funcargs.get("voila_server")
    if isinstance(voila, VoilaFactory):
        logs += [s.log_path for s in voila.servers]
    try:
        paths = save_failure_artifacts(page, item.nodeid, logs,
                                       console=item.stash.get(_console_key, None))
    except Exception as exc:
        report.sections.append(("browser failure artifacts", f"could not save artifacts: {exc!r}"))
        return
    if paths:
        report.sections.append(("browser failure artifacts", "\n".join(str(p) for p in paths)))
