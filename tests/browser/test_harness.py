"""The browser harness itself works: a widget made by a kernel shows up in
JupyterLab and in Voila, and a click in the page reaches the kernel and back."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PING_CELL = """\
import ipywidgets as widgets

button = widgets.Button(description="Ping")
button.add_class("rnnlab-ping")
label = widgets.Label("waiting")
label.add_class("rnnlab-ping-label")

def on_click(_):
    label.value = "pong"

button.on_click(on_click)
widgets.VBox([button, label])
"""


def ping_notebook(path, harness):
    return harness.write_notebook(path, ["#md\n# Harness check", PING_CELL])


def test_widget_round_trip_in_jupyterlab(page, jupyter_lab, harness):
    ping_notebook(jupyter_lab.root_dir / "harness" / "ping.ipynb", harness)
    harness.open_notebook_in_lab(page, jupyter_lab, "harness/ping.ipynb")
    assert harness.run_all_cells(page) is not False

    button = page.locator("button.rnnlab-ping")
    expect(button).to_be_visible(timeout=30_000)
    expect(button).to_have_text("Ping")
    label = page.locator(".rnnlab-ping-label")
    expect(label).to_have_text("waiting")
    button.click()
    expect(label).to_have_text("pong", timeout=15_000)


def test_widget_renders_and_answers_in_voila(page, voila_server, tmp_path, harness):
    server = voila_server(ping_notebook(tmp_path / "ping.ipynb", harness))
    page.goto(server.url, timeout=120_000)
    button = page.locator("button.rnnlab-ping")
    expect(button).to_be_visible(timeout=120_000)
    expect(button).to_have_text("Ping")
    button.click()
    expect(page.locator(".rnnlab-ping-label")).to_have_text("pong", timeout=15_000)
