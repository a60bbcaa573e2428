"""The playground in a real JupyterLab and Chromium: a learner's clicks."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CELL = """\
from rnnlab.widgets import Playground
pg = Playground()
pg
"""


def loss_src(page):
    return page.locator("img.rnnlab-loss-plot").get_attribute("src")


def test_slider_train_and_stop_in_jupyterlab(page, jupyter_lab, harness):
    harness.write_notebook(jupyter_lab.root_dir / "browser" / "playground.ipynb", [CELL])
    harness.open_notebook_in_lab(page, jupyter_lab, "browser/playground.ipynb")
    harness.run_all_cells(page)
    status = page.locator(".rnnlab-status")
    expect(status).to_contain_text("ready", timeout=60_000)
    first = loss_src(page)

    # move the hidden-size slider with the keyboard, as a learner could
    handle = page.locator(".rnnlab-hidden-size input[type=range]")
    handle.focus()
    for _ in range(4):
        handle.press("ArrowLeft")
    readout = page.locator(".rnnlab-hidden-size input.rnnlab-ctl-field")
    expect(readout).to_have_value("20", timeout=10_000)
    harness.wait_kernel_idle(page)
    expect(status).to_contain_text("ready", timeout=10_000)
    page.wait_for_function("s => document.querySelector('img.rnnlab-loss-plot').src !== s",
                           arg=first, timeout=10_000)

    # train: the loss image changes while it runs and the status reports completion
    before = loss_src(page)
    page.locator("button.rnnlab-train").click()
    page.wait_for_function("s => document.querySelector('img.rnnlab-loss-plot').src !== s",
                           arg=before, timeout=30_000)
    expect(status).to_contain_text("completed", timeout=90_000)
    expect(status).to_contain_text("epoch 500")  # the sine task's default run

    # a long run, stopped from the page
    epochs = page.locator(".rnnlab-epochs input")
    epochs.fill("5000")
    epochs.press("Enter")
    harness.wait_kernel_idle(page)  # the new value has reached the kernel
    page.locator("button.rnnlab-train").click()
    expect(page.locator("button.rnnlab-train")).to_be_disabled(timeout=30_000)
    expect(status).to_contain_text("updates/s", timeout=30_000)
    expect(status).not_to_contain_text("completed")
    expect(page.locator(".rnnlab-epochs input")).to_be_enabled()
    page.locator("button.rnnlab-stop").click()
    expect(status).to_contain_text("stopped by user", timeout=10_000)
    assert harness.cell_errors(page) == []


def test_typed_values_are_taken_as_typed_or_refused_with_a_note(page, jupyter_lab, harness):
    """What IntText and a slider's readout did in the page: "2.5" became 25, "1e3" 13,
    "500" in the hidden size 64, all silently. Now: refused with a note, or taken as written."""
    harness.write_notebook(jupyter_lab.root_dir / "browser" / "typed.ipynb", [CELL])
    harness.open_notebook_in_lab(page, jupyter_lab, "browser/typed.ipynb")
    harness.run_all_cells(page)
    status = page.locator(".rnnlab-status")
    expect(status).to_contain_text("ready", timeout=60_000)
    epochs = page.locator(".rnnlab-epochs input")
    epochs.fill("2.5")
    epochs.press("Enter")
    expect(status).to_contain_text("'2.5' was not taken", timeout=10_000)
    expect(epochs).to_have_value("500")  # the box shows the value in force again
    harness.wait_kernel_idle(page)
    assert harness.kernel_eval(page, "pg.settings()['epochs']") == "500"
    seed = page.locator(".rnnlab-seed input")
    seed.fill("1e3")
    seed.press("Enter")
    expect(seed).to_have_value("1000", timeout=10_000)
    harness.wait_kernel_idle(page)
    assert harness.kernel_eval(page, "pg.settings()['seed']") == "1000"
    # a number typed beside a slider beyond its range is refused, never clamped
    readout = page.locator(".rnnlab-hidden-size input.rnnlab-ctl-field")
    readout.fill("500")
    readout.press("Enter")
    expect(status).to_contain_text("'500' was not taken", timeout=10_000)
    expect(page.locator(".rnnlab-hidden-size .rnnlab-ctl-error")).to_contain_text("out of range")
    expect(readout).to_have_value("24")
    harness.wait_kernel_idle(page)
    assert harness.kernel_eval(page, "pg.model.hidden_size") == "24"
    assert harness.cell_errors(page) == []
