"""The Voila app (notebooks/playground_app.ipynb) as a class would open it: a real
title, nothing loaded from outside hosts (offline rooms), no critical or serious axe
violation, nothing cut or past the edge at 900, 1400 and 1920 px, presentation mode
for the whole page and for one panel, settings from the link and the link for the
current settings. Every page load starts a kernel: three loads in all."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import looking

pytestmark = pytest.mark.browser

APP = Path(__file__).resolve().parents[2] / "notebooks" / "playground_app.ipynb"
LOCAL = re.compile(r"^(https?://(127\.0\.0\.1|localhost)(:\d+)?/|blob:|data:|about:)")
PANELS = (".rnnlab-playground", ".rnnlab-gradient-flow")
WIDTHS = (900, 1400, 1920)
MIN_PLOT_WIDTH = 300


@pytest.fixture(scope="module")
def app(tmp_path_factory, harness):
    voila = harness.VoilaFactory(tmp_path_factory.mktemp("voila-app"), "voila-app")
    try:
        yield voila(APP)
    finally:
        voila.close()


def open_app(page, app, query=""):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(app.url + query, timeout=180_000)
    expect(page.locator(".rnnlab-playground button.rnnlab-ctl-btn").first).to_be_visible(
        timeout=180_000)
    expect(page.locator("img.rnnlab-gradient-flow-plot")).to_be_visible(timeout=60_000)
    page.wait_for_load_state("networkidle")
    return requests


@pytest.fixture(scope="module")
def looked(browser, app, axe_path, harness):
    """One page load, looked at: requests, title, axe, the layout at three widths."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        result = {"page": page, "requests": open_app(page, app), "title": page.title()}
        result["axe"] = looking.run_axe(page, axe_path)
        result["layout"] = {}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 1000})
            for css in PANELS:
                page.locator(css).first.scroll_into_view_if_needed()
                looking.wait_for_figures(page, css)
                result["layout"][(width, css)] = looking.layout_report(page, css)[0]
        page.set_viewport_size({"width": 1400, "height": 1000})
        yield result
    except Exception:
        harness.save_failure_artifacts(page, "voila-app-looked")
        raise
    finally:
        context.close()


def test_title_and_nothing_from_outside_hosts(looked):
    page = looked["page"]
    assert looked["title"] == "rnnlab playground"
    outside = [u for u in looked["requests"] if not LOCAL.match(u)]
    assert outside == [], outside
    # the icons Voila's bundle carries still draw (Font Awesome from Voila's own files)
    family = page.evaluate(
        "getComputedStyle(document.querySelector('.rnnlab-train i.fa'), '::before').fontFamily")
    assert "Font Awesome" in family, family
    assert page.locator("main").count() == 1


def test_no_serious_axe_violation_on_the_app_page(looked):
    violations = looked["axe"]
    print("Voila app, critical/serious:", looking.serious(violations))
    assert looking.serious(violations) == {}, looking.describe(violations)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("css", PANELS)
def test_nothing_is_cut_or_past_the_edge_and_plots_are_wide_enough(looked, css, width):
    report = looked["layout"][(width, css)]
    problems = {k: report[k] for k in ("overflowing", "truncated", "outside") if report[k]}
    assert problems == {}, problems
    plots = report["plots"]
    assert plots and all(p["width"] >= MIN_PLOT_WIDTH and p["alt"] for p in plots), plots
    assert all(p["textPx"] and p["textPx"] >= 11 for p in plots), plots


def test_presentation_mode_for_the_page_and_for_one_panel(looked, harness):
    page = looked["page"]
    flow = page.locator("img.rnnlab-gradient-flow-plot")
    loss = page.locator("img.rnnlab-loss-plot")
    base = {name: float(img.get_attribute("data-text-px")) for name, img in
            (("flow", flow), ("loss", loss))}
    # the checkbox of the gradient-flow panel: its plot only
    page.locator(".rnnlab-presentation-flow input[type=checkbox]").check()
    page.wait_for_function("b => Number(document.querySelector('img.rnnlab-gradient-flow-plot')"
                           ".dataset.textPx) > b * 1.3", arg=base["flow"], timeout=20_000)
    assert float(loss.get_attribute("data-text-px")) == pytest.approx(base["loss"], abs=0.2)
    # the page's checkbox: every plot
    page.locator(".rnnlab-presentation input[type=checkbox]").check()
    page.wait_for_function("b => Number(document.querySelector('img.rnnlab-loss-plot')"
                           ".dataset.textPx) > b * 1.3", arg=base["loss"], timeout=20_000)
    page.locator(".rnnlab-presentation input[type=checkbox]").uncheck()
    page.locator(".rnnlab-presentation-flow input[type=checkbox]").uncheck()
    page.wait_for_function("b => Number(document.querySelector('img.rnnlab-loss-plot')"
                           ".dataset.textPx) < b * 1.1", arg=base["loss"], timeout=20_000)


def test_a_link_opens_that_experiment_and_the_app_shows_the_link(page, app):
    open_app(page, app, "?cell=lstm&hidden_size=32&seed=3&presentation=true")
    pg = page.locator(".rnnlab-playground")
    expect(pg.locator(".rnnlab-status")).to_contain_text("ready", timeout=60_000)
    # the settings arrived: the LSTM toggle is the chosen one and hidden size reads 32
    expect(pg.locator(".rnnlab-cell input:checked + span")).to_have_text("LSTM")
    expect(pg.locator(".rnnlab-hidden-size input.rnnlab-ctl-field")).to_have_value("32")
    expect(page.locator(".rnnlab-presentation input[type=checkbox]")).to_be_checked()
    page.locator("button.rnnlab-show-link").click()
    link = page.locator(".rnnlab-link a")
    expect(link).to_have_text(re.compile(r"^http://127\.0\.0\.1:\d+/\?cell=lstm&hidden_size=32"
                                         r"&seed=3&presentation=true$"), timeout=15_000)
    assert link.get_attribute("href") == link.inner_text()


def test_a_bad_link_value_gets_the_message_of_a_bad_setting(page, app):
    # every page load starts a kernel: one bad value here, the others in tests/widgets/test_query.py
    open_app(page, app, "?hidden_size=500")
    expect(page.locator(".rnnlab-playground .rnnlab-message")).to_contain_text(
        "hidden_size must be an integer from 1 to 64, got 500", timeout=60_000)
    expect(page.locator(".rnnlab-playground .rnnlab-status")).to_contain_text("ready")
