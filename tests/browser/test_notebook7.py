"""The playground in Jupyter Notebook 7 (the classic-style front end), not just
JupyterLab: core widgets only, so it must render and train there too."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
pytest.importorskip("notebook", minversion="7")

CELL = "from rnnlab.widgets import Playground\npg = Playground()\npg\n"


@pytest.fixture
def notebook7(tmp_path, harness):
    harness.write_notebook(tmp_path / "root" / "pg.ipynb", [CELL])
    server = harness.launch_lab(tmp_path / "root", tmp_path / "home", app="notebook")
    yield f"{server.url}notebooks/pg.ipynb?token={server.token}"
    harness.stop_server(server.process)


def test_playground_renders_and_trains_in_notebook7(page, notebook7, harness):
    page.goto(notebook7, timeout=120_000)
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=120_000)
    harness.wait_kernel_idle(page)
    harness.run_all_cells(page)
    status = page.locator(".rnnlab-status")
    expect(status).to_contain_text("ready", timeout=60_000)
    before = page.locator("img.rnnlab-loss-plot").get_attribute("src")
    page.locator("button.rnnlab-train").click()
    page.wait_for_function("s => document.querySelector('img.rnnlab-loss-plot').src !== s",
                           arg=before, timeout=60_000)
    expect(status).to_contain_text("completed", timeout=120_000)
