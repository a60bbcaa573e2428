"""The playground in Jupyter Notebook 7 (the classic-style front end), not just
JupyterLab: it must render and train there too, with no page error of rnnlab's."""
import pytest
from playwright.sync_api import expect

import looking

pytestmark = pytest.mark.browser

CELL = "from rnnlab.widgets import Playground\npg = Playground()\npg\n"


def test_playground_renders_and_trains_in_notebook7(page, notebook7, harness):
    harness.write_notebook(notebook7.root_dir / "pg.ipynb", [CELL])
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{notebook7.url}notebooks/pg.ipynb?token={notebook7.token}", timeout=120_000)
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
    # Notebook's own "reading 'schema'" error (jupyter/notebook#7862) is allowed, nothing else
    assert looking.unexpected_page_errors(errors) == [], errors


def test_the_schema_page_error_is_notebook7s_own(page, notebook7, harness):
    """The error comes with a notebook holding no widget and no rnnlab import at all."""
    harness.write_notebook(notebook7.root_dir / "plain.ipynb", ["1 + 1"])
    errors = []
    page.on("pageerror", lambda e: errors.append(f"{e}\n{e.stack or ''}"))
    page.goto(f"{notebook7.url}notebooks/plain.ipynb?token={notebook7.token}", timeout=120_000)
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=120_000)
    harness.wait_kernel_idle(page)
    page.wait_for_timeout(1500)
    schema = [e for e in errors if "reading 'schema'" in e]
    if not schema:
        pytest.skip("Notebook 7 no longer shows the 'schema' error (jupyter/notebook#7862 fixed?): "
                    "drop it from looking.KNOWN_PAGE_ERRORS")
    assert all("notebook_core" in e for e in schema), schema  # thrown by Notebook's own bundle
