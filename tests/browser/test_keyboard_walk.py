"""The Playground with the keyboard alone, in JupyterLab: Tab, arrow keys, Enter, Space and
typing, as a learner who cannot use a mouse would. From the first control: pick LSTM, change
the hidden size, set the epochs, Train (focus moves to Stop, since Train is disabled), Stop
(focus comes back to Train), Reset, open Share, export the settings, change a setting and
load the exported settings back. Every stop on the way has a name and a visible focus ring."""
import json
import re

import pytest
from playwright.sync_api import expect

import looking

pytestmark = pytest.mark.browser

CELL = """\
from rnnlab.widgets import Playground
pg = Playground()
pg
"""


def tab_to(page, name, reverse=False, limit=40, role=None):
    """Press Tab (Shift+Tab) until the focused element is named ``name``; its description."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if reverse else "Tab")
        now = looking.focused(page)
        seen.append(now)
        if name in now["name"] and (role is None or now["role"] == role or now["type"] == role):
            assert now["visible"], f"no visible focus ring on {now}"
            return now
    raise AssertionError(f"Tab never reached {name!r}; went through "
                         f"{[(s['tag'], s['name']) for s in seen]}")


def test_the_playground_works_from_the_keyboard_alone(page, jupyter_lab, harness):
    harness.write_notebook(jupyter_lab.root_dir / "browser" / "keyboard.ipynb", [CELL])
    harness.open_notebook_in_lab(page, jupyter_lab, "browser/keyboard.ipynb")
    harness.run_all_cells(page)
    pg = page.locator(".rnnlab-playground")
    status = pg.locator(".rnnlab-status")
    expect(status).to_contain_text("ready", timeout=60_000)

    def kernel(expr, expected=None):
        """The kernel's answer; with ``expected``, waits up to 10 s for it (a change from
        the page may still be on its way)."""
        for _ in range(50):
            harness.wait_kernel_idle(page)
            got = harness.kernel_eval(page, expr)
            if expected is None or got == expected:
                return got
            page.wait_for_timeout(200)
        return got

    # the walk starts on the panel's first control (the notebook's own shortcuts are Lab's)
    pg.locator(".rnnlab-task select").focus()
    assert looking.focused(page)["name"] == "Task"

    # pick LSTM: one Tab stop for the whole group, arrow keys choose
    tab_to(page, "RNN", role="radio")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(pg.locator(".rnnlab-cell input:checked + span")).to_have_text("LSTM", timeout=10_000)
    assert kernel("pg.settings()['cell']", "'lstm'") == "'lstm'"

    # hidden size: the slider answers arrow keys, 24 -> 20
    tab_to(page, "Hidden size", role="range")
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    expect(pg.locator(".rnnlab-hidden-size input.rnnlab-ctl-field")).to_have_value("20",
                                                                                   timeout=10_000)
    assert kernel("pg.settings()['hidden_size']", "20") == "20"

    # a long run, typed into the Epochs field
    tab_to(page, "Epochs")
    page.keyboard.press("Control+A")
    page.keyboard.type("5000")
    page.keyboard.press("Enter")
    assert kernel("pg.settings()['epochs']", "5000") == "5000"

    # Train: the button is disabled while the run goes on, and the focus goes on to Stop
    train = tab_to(page, "Train")
    assert train["tag"] == "button"
    page.keyboard.press("Enter")
    expect(pg.locator("button.rnnlab-ctl-btn").filter(has_text="Train")).to_be_disabled(
        timeout=30_000)
    expect(status).to_contain_text("updates/s", timeout=30_000)
    page.wait_for_function("document.activeElement && document.activeElement.closest('.rnnlab-stop')",
                           timeout=10_000)
    assert looking.focused(page)["visible"]

    # Stop, with Space: the run ends and the focus comes back to Train
    page.keyboard.press("Space")
    expect(status).to_contain_text("stopped by user", timeout=15_000)
    page.wait_for_function("document.activeElement && document.activeElement.closest('.rnnlab-train')",
                           timeout=10_000)

    # Reset: a fresh model, the same initial weights
    tab_to(page, "Reset")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("ready", timeout=30_000)


    # Share: a disclosure button the keyboard reaches, then Export fills the text area
    share = tab_to(page, "Share these settings")
    assert share["tag"] == "button"
    page.keyboard.press("Enter")
    expect(pg.locator(".rnnlab-share-box button[aria-expanded]").first).to_have_attribute(
        "aria-expanded", "true", timeout=10_000)

    tab_to(page, "Export settings")
    page.keyboard.press("Enter")
    area = pg.locator(".rnnlab-share textarea")
    expect(area).to_have_value(re.compile('"cell": "lstm"'), timeout=10_000)
    exported = json.loads(area.input_value())
    assert exported["hidden_size"] == 20 and exported["epochs"] == 5000

    # change the cell back to GRU by keyboard, then load the exported settings back
    tab_to(page, "LSTM", reverse=True, limit=60, role="radio")
    page.keyboard.press("ArrowLeft")
    assert kernel("pg.settings()['cell']", "'gru'") == "'gru'"
    tab_to(page, "Load settings", limit=60)
    page.keyboard.press("Enter")
    expect(pg.locator(".rnnlab-cell input:checked + span")).to_have_text("LSTM", timeout=15_000)
    assert kernel("(pg.settings()['cell'], pg.settings()['hidden_size'])", "('lstm', 20)") == "('lstm', 20)"
    assert pg.locator(".rnnlab-message").inner_text().strip() == ""
    assert harness.cell_errors(page) == []
