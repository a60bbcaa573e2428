"""Every panel in JupyterLab, looked at: axe-core's critical and serious violations,
and the layout at 900 px (file browser open), 1400 px and 1920 px: what overflows,
what is cut with an ellipsis, what sticks out past the panel, how wide the plots are
and how large their text is, whether each has a text alternative; then a Tab walk
through the Playground.

One page holds the eight panels, so this costs one kernel and one run. The numbers
are written to test-artifacts/panels-look.json (docs/accessibility.md quotes them).
"""
import json
import os

import pytest
from playwright.sync_api import expect

import looking

pytestmark = pytest.mark.browser

PANELS = {  # class of the panel's root -> how the notebook makes it
    "rnnlab-playground": "Playground()",
    "rnnlab-unfolding": "UnfoldingView()",
    "rnnlab-activation-view": "ActivationView()",
    "rnnlab-bptt-view": "BPTTView()",
    "rnnlab-gradient-flow": "GradientFlowView()",
    "rnnlab-inspector": "StateInspector()",
    "rnnlab-patterns": "PatternsView()",
    "rnnlab-gradcheck": "GradCheckView()",
}
WIDTHS = [(900, True), (1400, False), (1920, False)]  # window width, file browser open
MIN_PLOT_WIDTH = 300  # CSS px a plot needs to be read
MIN_TEXT_PX = 11


@pytest.fixture(scope="module")
def looked(browser, jupyter_lab, harness, axe_path):
    cells = ["from rnnlab.widgets import *"] + [f"{make}" for make in PANELS.values()]
    harness.write_notebook(jupyter_lab.root_dir / "look" / "panels.ipynb", cells)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        harness.open_notebook_in_lab(page, jupyter_lab, "look/panels.ipynb")
        harness.run_all_cells(page, timeout=240)
        for css in PANELS:
            expect(page.locator(f".{css}").first).to_be_attached(timeout=60_000)
        page.wait_for_function("[...document.querySelectorAll('.jp-OutputArea-output img')]"
                               ".every(i => i.complete && i.naturalWidth > 0)", timeout=60_000)
        result = {"axe": {}, "layout": {}}
        for css in PANELS:
            page.locator(f".{css}").first.scroll_into_view_if_needed()
            result["axe"][css] = looking.run_axe(page, axe_path, f".{css}")
        for width, sidebar in WIDTHS:
            page.set_viewport_size({"width": width, "height": 1000})
            (looking.open_sidebar if sidebar else looking.close_sidebar)(page)
            key = f"{width}{'+sidebar' if sidebar else ''}"
            result["layout"][key] = {}
            for css in PANELS:
                # Lab skips the layout of cells out of view: look at each panel in turn
                page.locator(f".{css}").first.scroll_into_view_if_needed()
                looking.wait_for_figures(page, f".{css}")
                result["layout"][key][css] = looking.layout_report(page, f".{css}")[0]
        page.set_viewport_size({"width": 1400, "height": 1000})
        first = page.locator(".rnnlab-playground select, .rnnlab-playground input").first
        first.scroll_into_view_if_needed()
        result["tab_walk"] = looking.tab_walk(page, first, steps=60, stop_outside=".rnnlab-playground")
        result["page"] = page
        summary = {"axe": {css: looking.serious(v) for css, v in result["axe"].items()},
                   "axe_all_impacts": {css: {x["id"]: [x["impact"], len(x["nodes"])] for x in v}
                                       for css, v in result["axe"].items()},
                   "layout": result["layout"], "tab_walk_playground": result["tab_walk"],
                   "rnnlab": os.environ.get("PYTHONPATH", "this checkout")}
        harness.artifacts_dir.mkdir(exist_ok=True)
        (harness.artifacts_dir / "panels-look.json").write_text(json.dumps(summary, indent=1))
        yield result
    except Exception:
        harness.save_failure_artifacts(page, "panels-look")
        raise
    finally:
        context.close()


@pytest.mark.parametrize("css", PANELS)
def test_no_serious_axe_violation(looked, css):
    assert looking.serious(looked["axe"][css]) == {}, looking.describe(looked["axe"][css])


@pytest.mark.parametrize("width", [f"{w}{'+sidebar' if s else ''}" for w, s in WIDTHS])
@pytest.mark.parametrize("css", PANELS)
def test_nothing_overflows_or_is_cut(looked, css, width):
    report = looked["layout"][width][css]
    problems = {k: report[k] for k in ("overflowing", "truncated", "outside") if report[k]}
    assert problems == {}, problems


@pytest.mark.parametrize("css", PANELS)
def test_plots_are_wide_enough_with_the_sidebar_open_and_say_what_they_show(looked, css):
    plots = looked["layout"]["900+sidebar"][css]["plots"]
    assert plots and all(p["width"] >= MIN_PLOT_WIDTH for p in plots), plots
    assert all(len(p["alt"]) > 40 for p in plots), [p["alt"] for p in plots]


@pytest.mark.parametrize("width", [f"{w}{'+sidebar' if s else ''}" for w, s in WIDTHS])
@pytest.mark.parametrize("css", PANELS)
def test_plots_are_never_stretched_past_the_pixels_they_were_drawn_for(looked, css, width):
    plots = looked["layout"][width][css]["plots"]
    assert all(p["width"] <= p["natural"] + 2 for p in plots), plots  # natural: at 1 device px


@pytest.mark.parametrize("css", PANELS)
def test_plot_text_is_at_least_11_css_px_at_900(looked, css):
    """The canvas keeps the house style's text at 11.25 CSS px whatever width it draws
    for, and no panel sets text below 9 pt."""
    plots = looked["layout"]["900+sidebar"][css]["plots"]
    assert plots
    small = [p for p in plots if p["textPx"] is None or p["textPx"] < MIN_TEXT_PX]
    assert small == [], small


def test_playground_keyboard_walk_names_every_stop_and_reaches_share(looked):
    """Tab from the first control to the end of the Playground: every stop has a name and a
    visible focus ring, and Share (export, load) is among them."""
    stops = looked["tab_walk"]
    described = [f"{s['tag']}[{s['role'] or s['type']}] {s['name']!r} visible={s['visible']}" for s in stops]
    assert all(s["name"] and s["visible"] for s in stops), described
    assert any("Share" in s["name"] for s in stops), described
