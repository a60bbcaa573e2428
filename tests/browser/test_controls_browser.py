"""rnnlab's accessible controls (rnnlab.widgets._controls) in real front ends.

In JupyterLab: axe-core finds no critical or serious violation, every stop of a
Tab walk has a name and a visible focus ring, sliders move with the arrow keys,
typed text that is not a valid value is refused with a message and the value
kept, toggle groups announce the chosen button, Enter and Space press buttons
and open the Share box. In Notebook 7 and Voila: the same controls render and
answer, and axe finds nothing serious there either. The same notebook holds core
ipywidgets equivalents, whose axe results are printed as evidence of what the
components fix (and not asserted: they are ipywidgets' to change).
"""
import pytest
from playwright.sync_api import expect

import looking

pytestmark = pytest.mark.browser

CONTROLS = """\
import ipywidgets as W
from rnnlab.widgets import _controls as C

size = C.IntSlider(value=24, min=1, max=64, description="Hidden size")
lr = C.FloatLogSlider(value=0.02, base=10, min=-4, max=0, step=0.1, description="Learning rate",
                      readout_format=".4f")
epochs = C.BoundedIntText(value=80, min=1, max=10000, description="Epochs")
cell = C.ToggleButtons(options=[("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm")], value="rnn",
                       description="Cell", tooltips=["simple RNN", "gated recurrent unit", "long short-term memory"])
task = C.Dropdown(options=[("noisy sine, one step ahead", "sine"), ("echo", "echo")], description="Task")
log = C.Checkbox(value=True, description="Log scale")
share_text = C.Textarea(description="Settings (JSON)", placeholder="paste settings here")
share = C.Disclosure([share_text], description="Share these settings")
status = C.StatusLine(value="ready")
train = W.Button(description="Train")
refused, clicks = [], []
for name, c in dict(size=size, lr=lr, epochs=epochs, cell=cell, task=task, log=log).items():
    c.add_class(f"t-{name}")
    c.observe(lambda ch, name=name: setattr(status, "value", f"{name} = {ch.new}"), names="value")
    c.on_invalid(lambda c, message: refused.append(message))
share.add_class("t-share")
status.add_class("t-status")
train.add_class("t-train")
train.on_click(lambda b: clicks.append(1) or setattr(status, "value", f"clicked {len(clicks)}"))
styled = W.HBox([C.Button(description=style or "plain", button_style=style)
                 for style in ("", "primary", "success", "danger", "warning")])
styled.add_class("t-styled")
box = W.VBox([size, lr, epochs, cell, task, log, train, styled, share, status])
box.add_class("t-controls")
box
"""

FIGURE = """\
from rnnlab.widgets._canvas import Canvas
figure = Canvas(6.0, 2.5, css="t-figure", alt="a sine wave over two periods")
ax = figure.subplots()
ax.plot(range(100), [__import__("math").sin(i / 8) for i in range(100)], label="sin")
ax.legend()
figure.draw()
figure.image
"""

CORE = """\
core = W.VBox([
    W.IntSlider(value=24, min=1, max=64, description="Hidden size"),
    W.FloatLogSlider(value=0.02, base=10, min=-4, max=0, description="Learning rate"),
    W.BoundedIntText(value=80, min=1, max=10000, description="Epochs"),
    W.ToggleButtons(options=["RNN", "GRU", "LSTM"], description="Cell"),
    W.Dropdown(options=["sine", "echo"], description="Task"),
    W.Checkbox(value=True, description="Log scale"),
    W.Accordion([W.Textarea(description="Settings")], titles=("Share these settings",)),
])
core.add_class("t-core")
core
"""


def notebook(path, harness):
    return harness.write_notebook(path, ["#md\n# Controls", CONTROLS, CORE, FIGURE])


@pytest.fixture(scope="module")
def lab_controls(browser, jupyter_lab, harness):
    """One JupyterLab page with the controls, shared by this module's Lab tests."""
    notebook(jupyter_lab.root_dir / "controls" / "controls.ipynb", harness)
    # a screen with 2 device pixels per CSS pixel, as most laptops have
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
    context.set_default_timeout(60_000)
    page = context.new_page()
    harness.open_notebook_in_lab(page, jupyter_lab, "controls/controls.ipynb")
    harness.run_all_cells(page)
    expect(page.locator(".t-controls .t-size input[type=range]")).to_be_visible(timeout=60_000)
    expect(page.locator(".t-core")).to_be_visible(timeout=60_000)
    yield page
    context.close()


def py(page, harness, expr):
    return harness.kernel_eval(page, expr)


def test_no_serious_axe_violation_in_jupyterlab(lab_controls, axe_path):
    page = lab_controls
    ours = looking.run_axe(page, axe_path, ".t-controls")
    core = looking.run_axe(page, axe_path, ".t-core")
    print("core ipywidgets, critical/serious:", looking.serious(core))
    assert looking.serious(ours) == {}, looking.describe(ours)


def test_every_tab_stop_is_named_and_shows_focus(lab_controls):
    page = lab_controls
    stops = looking.tab_walk(page, page.locator(".t-size input[type=range]"), steps=20,
                             stop_outside=".t-controls")
    described = [f"{s['tag']}[{s['role'] or s['type']}] {s['name']!r} visible={s['visible']}" for s in stops]
    assert all(s["name"] for s in stops), described
    assert all(s["visible"] for s in stops), described
    names = [s["name"] for s in stops]
    # range and field of each slider, one stop for the whole toggle group, then on in order
    for expected in ("Hidden size", "Learning rate", "Epochs", "Task", "Log scale", "Train",
                     "Share these settings"):
        assert any(expected in n for n in names), (expected, described)
    assert sum("RNN" in n or "GRU" in n or "LSTM" in n for n in names) == 1, described


def test_slider_keys_and_typed_values(lab_controls, harness):
    page = lab_controls
    rng = page.locator(".t-size input[type=range]")
    rng.focus()
    rng.press("ArrowRight")
    rng.press("ArrowRight")
    expect(page.locator(".t-status")).to_contain_text("size = 26", timeout=10_000)
    assert py(page, harness, "size.value") == "26"
    field = page.locator(".t-size input.rnnlab-ctl-field")
    expect(field).to_have_value("26")
    # the visible label names the range; the field carries the same words
    assert page.locator(".t-size label").get_attribute("for") == rng.get_attribute("id")
    assert field.get_attribute("aria-label") == "Hidden size"

    for typed, why in [("2.5", "not a whole number"), ("500", "out of range"), ("abc", "not a number")]:
        field.fill(typed)
        field.press("Enter")
        expect(page.locator(".t-size .rnnlab-ctl-error")).to_contain_text(why, timeout=10_000)
        expect(field).to_have_value("26")  # the field shows the value kept, not the refused text
        expect(field).to_have_attribute("aria-invalid", "true")
        assert py(page, harness, "size.value") == "26"
    assert "kept 26" in py(page, harness, "refused[-1]")

    field.fill("40")
    field.press("Enter")
    expect(page.locator(".t-status")).to_contain_text("size = 40", timeout=10_000)
    expect(page.locator(".t-size .rnnlab-ctl-error")).to_be_hidden()
    field.press("ArrowUp")
    expect(page.locator(".t-status")).to_contain_text("size = 41", timeout=10_000)

    lr_field = page.locator(".t-lr input.rnnlab-ctl-field")
    lr_field.fill("0.5")
    lr_field.press("Enter")
    expect(page.locator(".t-status")).to_contain_text("lr = 0.5", timeout=10_000)
    expect(page.locator(".t-lr input[type=range]")).to_have_attribute("aria-valuetext", "0.5000")

    epochs = page.locator(".t-epochs input")
    epochs.fill("1e3")
    epochs.press("Enter")
    expect(page.locator(".t-status")).to_contain_text("epochs = 1000", timeout=10_000)


def test_toggle_group_is_a_radio_group_with_arrow_keys(lab_controls, harness):
    page = lab_controls
    group = page.locator(".t-cell [role=radiogroup]")
    assert group.get_attribute("aria-labelledby")
    radios = page.locator(".t-cell input[type=radio]")
    assert radios.count() == 3
    expect(radios.nth(0)).to_be_checked()
    radios.nth(0).focus()
    page.keyboard.press("ArrowRight")
    expect(radios.nth(1)).to_be_checked()
    expect(page.locator(".t-status")).to_contain_text("cell = gru", timeout=10_000)
    assert py(page, harness, "cell.value") == "'gru'"
    # from code: the page follows
    py(page, harness, "setattr(cell, 'value', 'lstm')")
    expect(radios.nth(2)).to_be_checked(timeout=10_000)


def test_buttons_and_disclosure_answer_enter_and_space(lab_controls, harness):
    page = lab_controls
    train = page.locator(".t-train")
    train.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    expect(page.locator(".t-status")).to_contain_text("clicked 2", timeout=10_000)

    header = page.locator(".t-share button")
    expect(header).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".t-share textarea")).to_be_hidden()
    header.focus()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-expanded", "true", timeout=10_000)
    area = page.locator(".t-share textarea")
    expect(area).to_be_visible()
    area.fill('{"cell": "gru"}')
    page.wait_for_timeout(300)
    assert py(page, harness, "share_text.value") == "'{\"cell\": \"gru\"}'"
    header.focus()
    page.keyboard.press("Space")
    expect(header).to_have_attribute("aria-expanded", "false", timeout=10_000)


def test_status_line_is_a_polite_live_region_and_focus_can_be_moved_from_python(lab_controls, harness):
    page = lab_controls
    region = page.locator(".t-status [role=status]")
    expect(region).to_have_attribute("aria-live", "polite")
    py(page, harness, "setattr(status, 'value', 'training: epoch 3')")
    expect(region).to_have_text("training: epoch 3", timeout=10_000)
    py(page, harness, "epochs.focus()")
    page.wait_for_function("document.activeElement && document.activeElement.closest('.t-epochs')", timeout=10_000)
    py(page, harness, "setattr(size, 'disabled', True)")
    expect(page.locator(".t-size input[type=range]")).to_be_disabled(timeout=10_000)
    py(page, harness, "setattr(size, 'disabled', False)")


def test_controls_render_and_answer_in_notebook7(page, notebook7, harness, axe_path):
    notebook(notebook7.root_dir / "controls.ipynb", harness)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{notebook7.url}notebooks/controls.ipynb?token={notebook7.token}", timeout=120_000)
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=120_000)
    harness.wait_kernel_idle(page)
    harness.run_all_cells(page)
    field = page.locator(".t-size input.rnnlab-ctl-field")
    expect(field).to_be_visible(timeout=60_000)
    field.fill("2.5")
    field.press("Enter")
    expect(page.locator(".t-size .rnnlab-ctl-error")).to_contain_text("not a whole number", timeout=10_000)
    field.fill("12")
    field.press("Enter")
    expect(page.locator(".t-status")).to_contain_text("size = 12", timeout=10_000)
    violations = looking.run_axe(page, axe_path, ".t-controls")
    assert looking.serious(violations) == {}, looking.describe(violations)
    assert looking.unexpected_page_errors(errors) == [], errors


def test_controls_render_and_answer_in_voila(page, voila_server, tmp_path, harness, axe_path):
    server = voila_server(notebook(tmp_path / "controls.ipynb", harness))
    page.goto(server.url, timeout=120_000)
    rng = page.locator(".t-size input[type=range]")
    expect(rng).to_be_visible(timeout=120_000)
    rng.focus()
    rng.press("ArrowLeft")
    expect(page.locator(".t-status")).to_contain_text("size = 23", timeout=15_000)
    radios = page.locator(".t-cell input[type=radio]")
    radios.nth(0).focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(".t-status")).to_contain_text("cell = gru", timeout=15_000)
    violations = looking.run_axe(page, axe_path, ".t-controls")
    assert looking.serious(violations) == {}, looking.describe(violations)


def test_a_figure_is_drawn_for_its_width_at_two_device_pixels_with_its_alt_text(lab_controls, harness):
    page = lab_controls
    img = page.locator("img.t-figure")
    img.scroll_into_view_if_needed()
    expect(img).to_have_attribute("alt", "a sine wave over two periods")
    settled = ("i => i.complete && Math.abs(i.naturalWidth - 2 * i.getBoundingClientRect().width) <= 2")
    page.wait_for_function(f"({settled})(document.querySelector('img.t-figure'))", timeout=20_000)
    shown = img.evaluate("i => i.getBoundingClientRect().width")
    room = img.evaluate("i => i.closest('.jp-OutputArea-output').getBoundingClientRect().width")
    assert shown == pytest.approx(min(810, room), abs=2)  # up to 1.5 x its 540-px design width
    assert float(img.get_attribute("data-text-px")) >= 11
    py(page, harness, "setattr(figure, 'alt', 'a sine wave, redrawn')")
    expect(img).to_have_attribute("alt", "a sine wave, redrawn", timeout=10_000)
    assert py(page, harness, "figure.pixel_ratio()") == "2.0"


CONTRAST = """(el) => {
    const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const s = getComputedStyle(el);
    // the hover filter darkens what is drawn: apply it to both colours
    const k = s.filter.startsWith("brightness(") ? parseFloat(s.filter.slice(11)) : 1;
    const dim = (c) => rgb(c).map((v) => v * k);
    const [a, b] = [lum(dim(s.color)), lum(dim(s.backgroundColor))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_every_button_style_keeps_its_contrast_under_the_pointer(lab_controls):
    """A hovered Train button once turned light grey under its white text (1.4:1), which
    also made it look disabled; every style keeps at least 4.5:1, hovered or not."""
    page = lab_controls
    buttons = page.locator(".t-styled button")
    expect(buttons).to_have_count(5)
    for i in range(5):
        button = buttons.nth(i)
        page.mouse.move(0, 0)
        page.wait_for_timeout(100)
        resting = button.evaluate(CONTRAST)
        button.hover()
        page.wait_for_timeout(100)
        hovered = button.evaluate(CONTRAST)
        name = button.inner_text()
        assert resting >= 4.5, f"{name}: {resting:.2f}:1 at rest"
        assert hovered >= 4.5, f"{name}: {hovered:.2f}:1 under the pointer"
