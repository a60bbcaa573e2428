"""What Binder would build, built here: a fresh virtual environment installed
from the ``binder/`` files alone, JupyterLab and Voila started from it, and a
learner's clicks in Chromium.

Docker (and so repo2docker) cannot run on these machines; this is the
closest check. It is slow (a full install), so it carries the ``slow`` marker
too.
"""
import json
import os
import shutil
import urllib.request
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

# the first test also pays for the fixture's full install (minutes on a busy machine), which
# pytest-timeout counts as the test's own time: the suite's 300 s is too short for it
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1500)]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def binder_python(tmp_path_factory):
    """A new venv with only what binder/requirements.txt asks for."""
    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    assert runtime.startswith("python-3."), runtime
    venv = tmp_path_factory.mktemp("binder") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    log = REPO / "test-artifacts" / "binder-pip.log"
    log.parent.mkdir(exist_ok=True)
    with open(log, "w") as fh:
        # repo2docker runs this from the repository root, where "." is rnnlab
        done = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                               "-r", "binder/requirements.txt"], cwd=REPO, stdout=fh,
                              stderr=subprocess.STDOUT, timeout=1200)
    assert done.returncode == 0, f"installing binder/requirements.txt failed; see {log}"
    # then repo2docker runs binder/postBuild from the root, with the environment's bin on PATH
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run(["bash", "binder/postBuild"], cwd=REPO, env=env, check=True, timeout=120)
    # it is a separate environment: rnnlab is installed there, not linked to this one
    where = subprocess.run([str(python), "-c", "import rnnlab, sys; print(rnnlab.__file__)"],
                           cwd="/", capture_output=True, text=True, check=True).stdout
    assert str(venv) in where, where
    return str(python)


@pytest.fixture(scope="module")
def binder_lab(binder_python, tmp_path_factory, harness):
    root = tmp_path_factory.mktemp("binder-root")
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    lab = harness.launch_lab(root, tmp_path_factory.mktemp("binder-home"), python=binder_python)
    yield lab
    harness.stop_server(lab.process)


def _src(page, css):
    return page.locator(f"img.{css}").first.get_attribute("src")


def test_start_notebook_runs_and_its_playground_trains_and_stops(page, binder_lab, harness):
    harness.open_notebook_in_lab(page, binder_lab, "notebooks/00_start_here.ipynb")
    harness.run_all_cells(page, timeout=240)
    assert harness.cell_errors(page) == []
    status = page.locator(".rnnlab-playground .rnnlab-status").first
    expect(status).to_contain_text("ready", timeout=60_000)

    handle = page.locator(".rnnlab-hidden-size input[type=range]").first
    handle.focus()
    handle.press("ArrowRight")
    harness.wait_kernel_idle(page)
    before = _src(page, "rnnlab-loss-plot")
    page.locator("button.rnnlab-train").first.click()
    page.wait_for_function(
        "s => document.querySelector('img.rnnlab-loss-plot').src !== s", arg=before, timeout=60_000)
    expect(status).to_contain_text("completed", timeout=120_000)

    epochs = page.locator(".rnnlab-epochs input").first
    epochs.fill("5000")
    epochs.press("Enter")
    harness.wait_kernel_idle(page)
    page.locator("button.rnnlab-train").first.click()
    expect(page.locator("button.rnnlab-train").first).to_be_disabled(timeout=30_000)
    page.locator("button.rnnlab-stop").first.click()
    expect(status).to_contain_text("stopped by user", timeout=30_000)


def test_code_cells_wrap_long_lines(binder_lab):
    """binder/postBuild's settings reach JupyterLab: a laptop with the file browser open shows
    about 58 columns of code, and a wrapped line beats one that scrolls out of sight."""
    url = f"{binder_lab.url}lab/api/settings/@jupyterlab/notebook-extension:tracker?token={binder_lab.token}"
    with urllib.request.urlopen(url, timeout=30) as reply:
        answer = json.load(reply)
    # the server folds overrides.json into the schema's defaults; a learner's own setting
    # (none here) would still win over them
    assert answer["schema"]["properties"]["codeCellConfig"]["default"]["lineWrap"] is True
    assert "codeCellConfig" not in answer["settings"]


def test_a_lesson_runs_top_to_bottom_without_errors(page, binder_lab, harness):
    harness.open_notebook_in_lab(page, binder_lab, "notebooks/01_what_is_an_rnn.ipynb")
    harness.run_all_cells(page, timeout=300)
    assert harness.cell_errors(page) == []


def test_the_voila_app_renders_trains_and_reports(page, binder_python, tmp_path_factory, harness):
    voila = harness.VoilaFactory(tmp_path_factory.mktemp("binder-voila"), "binder-voila",
                                 python=binder_python)
    try:
        server = voila(REPO / "notebooks" / "playground_app.ipynb")
        page.goto(server.url, timeout=180_000)
        train = page.locator(".rnnlab-playground button.rnnlab-train")
        expect(train).to_be_visible(timeout=180_000)
        expect(page.get_by_text("rnnlab playground")).to_be_visible()
        expect(page.locator("img.rnnlab-gradient-flow-plot")).to_be_visible()
        # Voila shows outputs only: no code cell inputs on the page
        assert page.get_by_text("from rnnlab.widgets import").count() == 0
        assert page.locator(".jp-CodeMirrorEditor").count() == 0
        before = _src(page, "rnnlab-loss-plot")
        train.click()
        page.wait_for_function(
            "s => document.querySelector('img.rnnlab-loss-plot').src !== s", arg=before, timeout=60_000)
        expect(page.locator(".rnnlab-playground .rnnlab-status")).to_contain_text("completed", timeout=120_000)
    finally:
        voila.close()
