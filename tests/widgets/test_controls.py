"""The accessible controls from Python, without a browser: the ipywidgets API the
panels use, refusals of typed text, and values from code checked, not clamped."""
import json

import ipywidgets as W
import pytest

from rnnlab.widgets import _controls as C


def refusals(control):
    got = []
    control.on_invalid(lambda c, message: got.append(message))
    return got


@pytest.mark.parametrize("typed, why", [
    ("2.5", "not a whole number"), ("abc", "not a number"), ("500", "out of range"),
    ("0", "out of range"), ("", "empty"), ("nan", "not a finite number"), ("inf", "not a finite number"),
    ("0,5", "not a number"),
])
def test_typed_text_that_is_not_a_valid_value_is_refused_and_the_value_kept(typed, why):
    size = C.IntSlider(value=24, min=1, max=64, description="Hidden size")
    seen = []
    size.observe(lambda ch: seen.append(ch.new), names="value")
    got = refusals(size)
    assert size.enter_text(typed) is False
    assert size.value == 24 and seen == []
    assert why in size.error and "Hidden size" in size.error and "kept 24" in size.error
    assert got == [size.error]


@pytest.mark.parametrize("typed, value", [("30", 30), (" 7 ", 7), ("1e1", 10), ("64", 64), ("+3", 3), ("12.0", 12)])
def test_typed_whole_numbers_are_taken_as_typed(typed, value):
    size = C.IntSlider(value=24, min=1, max=64, description="Hidden size")
    size.enter_text("abc")
    assert size.error
    assert size.enter_text(typed) is True
    assert size.value == value and isinstance(size.value, int)
    assert size.error == ""  # an accepted value clears the message


def test_the_issue_8_examples_are_refused_or_read_right():
    epochs = C.BoundedIntText(value=80, min=1, max=10000, description="Epochs")
    seed = C.BoundedIntText(value=0, min=0, max=2**31 - 1, description="Seed")
    size = C.IntSlider(value=24, min=1, max=64, description="Hidden size")
    assert not epochs.enter_text("2.5") and epochs.value == 80           # was 25
    assert seed.enter_text("1e3") and seed.value == 1000                # was 13
    assert not size.enter_text("500") and size.value == 24              # was 64


def test_values_from_code_are_checked_not_clamped():
    size = C.IntSlider(value=24, min=1, max=64, description="Hidden size")
    with pytest.raises(ValueError, match="Hidden size must be a whole number from 1 to 64, got 500"):
        size.value = 500
    with pytest.raises(TypeError, match="Hidden size"):
        size.value = True
    with pytest.raises(ValueError):
        C.IntSlider(value=0, min=1, max=64)
    assert size.value == 24
    with pytest.raises(ValueError, match="min"):
        size.min = 100


def test_a_new_range_moves_the_value_into_it_as_ipywidgets_does():
    k = C.IntSlider(value=30, min=1, max=40, description="Window k")
    k.max = 20
    assert k.value == 20 and k.bounds() == (1, 20)
    k.max = 40
    assert k.value == 20


def test_float_and_log_sliders():
    clip = C.FloatSlider(value=1.0, min=0.0, max=5.0, step=0.5, description="Clip")
    assert clip.enter_text("0.25") and clip.value == 0.25  # kept as typed, not rounded to the step
    assert not clip.enter_text("-1")

    lr = C.FloatLogSlider(value=0.02, base=10, min=-4, max=0, step=0.1, description="Learning rate",
                          readout_format=".4f")
    assert lr.bounds() == (1e-4, 1.0)
    assert lr._readout == "0.0200"
    assert lr.enter_text("3e-4") and lr.value == pytest.approx(3e-4)
    assert not lr.enter_text("2") and "from 0.0001 to 1" in lr.error
    lr.value = 10 ** -4.0000000001  # float rounding of a bound is the bound
    assert lr.value == 1e-4
    lr.value = 1.0
    lr.step_by(1)
    assert lr.value == 1.0  # stays at the top
    lr.step_by(-1)
    assert lr.value == pytest.approx(10 ** -0.1)
    with pytest.raises(ValueError):
        lr.value = 5.0


def test_number_fields_step_and_stop_at_their_bounds():
    epochs = C.BoundedIntText(value=9999, min=1, max=10000, description="Epochs")
    epochs.step_by(1)
    epochs.step_by(1)
    assert epochs.value == 10000
    free = C.IntText(value=5, description="Free")
    assert free.enter_text("-1000000") and free.value == -1000000
    assert C.FloatText(value=0.5).enter_text("1e-9")


def test_front_end_messages_do_what_typing_and_arrows_do():
    size = C.IntSlider(value=24, min=1, max=64, description="Hidden size")
    sent = []
    size.send = lambda content, buffers=None: sent.append(content)
    size._on_front_end_message(size, {"event": "typed", "text": "2.5"}, [])
    assert size.value == 24 and "whole number" in size.error
    assert sent == [{"event": "typed"}]  # the page is told to show the value kept
    size._on_front_end_message(size, {"event": "typed", "text": "25"}, [])
    size._on_front_end_message(size, {"event": "step", "direction": -1}, [])
    assert size.value == 24


def test_a_value_changed_in_the_page_reaches_python_observers():
    size = C.IntSlider(value=24, min=1, max=64, description="Hidden size")
    seen = []
    size.observe(lambda ch: seen.append((ch.old, ch.new)), names="value")
    size.set_state({"value": 30})  # what a drag of the range sends
    assert seen == [(24, 30)]


@pytest.mark.parametrize("cls", [C.Dropdown, C.ToggleButtons])
def test_selections_take_values_or_label_value_pairs(cls):
    cell = cls(options=[("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm")], value="gru", description="Cell")
    assert (cell.value, cell.index, cell.label) == ("gru", 1, "GRU")
    assert cell._labels == ["RNN", "GRU", "LSTM"]
    assert cell.options == (("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm"))
    seen = []
    cell.observe(lambda ch: seen.append(ch.new), names="value")
    cell.set_state({"index": 2})  # a click in the page
    assert cell.value == "lstm" and seen == ["lstm"]
    cell.value = "rnn"
    assert cell.index == 0
    with pytest.raises(ValueError, match="Cell must be one of 'rnn', 'gru', 'lstm'; got 'xyz'"):
        cell.value = "xyz"
    cell.options = ["a", "rnn"]  # the value stays when it is still offered
    assert cell.value == "rnn" and cell.index == 1
    cell.options = ["x", "y"]
    assert cell.value == "x" and cell.index == 0
    with pytest.raises(TypeError, match="options"):
        cell.options = "xyz"


def test_selections_keep_python_values_that_json_cannot_carry():
    clip = C.Dropdown(options=[("off", 0.0), ("0.5", 0.5), ("1", 1.0)], value=1.0, description="Clip norm")
    assert clip.index == 2
    state = clip.get_state()
    json.dumps({k: v for k, v in state.items() if k not in ("layout",)}, default=str)
    assert "value" not in state  # only the labels and the index travel


def test_checkbox_textarea_disclosure_status():
    log = C.Checkbox(value=True, description="Log scale", indent=False)
    log.set_state({"value": False})
    assert log.value is False
    share = C.Textarea(description="Settings (JSON)", placeholder="paste")
    box = C.Disclosure([share], description="Share these settings")
    assert isinstance(box, W.VBox) and box.body.layout.display == "none" and not box.expanded
    box.button.set_state({"expanded": True})  # Enter or Space on the header
    assert box.expanded and box.body.layout.display is None
    box.expanded = False
    assert box.body.layout.display == "none"
    status = C.StatusLine(value="ready")
    status.value = "<b>epoch 3</b>"
    assert status.get_state()["value"] == "<b>epoch 3</b>"


def test_the_ipywidgets_things_panels_use_work():
    size = C.IntSlider(value=4, min=1, max=8, description="Hidden size", continuous_update=False,
                       layout=W.Layout(width="95%"), style={"description_width": "initial"})
    size.add_class("rnnlab-hidden-size")
    assert "rnnlab-hidden-size" in size._dom_classes
    size.style.description_width = "120px"
    assert size._label_width == "120px"
    size.style.description_width = "initial"
    assert size._label_width == ""
    cell = C.ToggleButtons(options=["rnn", "gru"])
    cell.style.button_width = "60px"  # accepted; labels are never cut
    size.disabled = True
    assert size.get_state()["disabled"] is True
    size.layout.display = "none"
    box = W.VBox([size, cell, C.Dropdown(options=["a"])])
    box.close()


def test_the_javascript_names_every_control():
    js = C._ESM
    # each renderer the Python classes ask for exists
    for kind in ("slider", "number", "dropdown", "toggles", "checkbox", "textarea", "disclosure", "status"):
        assert f"{kind}: render" in js
    assert 'role: "radiogroup"' in js and '"aria-expanded"' in js and '"aria-live": "polite"' in js


def test_a_button_clicks_from_code_and_from_the_page_but_not_when_disabled():
    train = C.Button(description="Train", icon="play", button_style="success")
    clicks = []
    train.on_click(lambda b: clicks.append(b.description))
    train.click()
    train._on_front_end_message(train, {"event": "click"}, [])
    assert clicks == ["Train", "Train"]
    train.disabled = True
    train._on_front_end_message(train, {"event": "click"}, [])  # queued before it was disabled
    assert clicks == ["Train", "Train"]
    assert train.get_state()["button_style"] == "success" and train.pressed is None


def test_a_toggle_button_says_whether_it_is_pressed():
    pause = C.Button(description="Pause")
    pause.pressed = False
    assert pause.get_state()["pressed"] is False
    pause.pressed = True
    assert pause.get_state()["pressed"] is True


def test_focus_lost_by_a_disabled_button_goes_to_its_successor():
    train, stop = C.Button(description="Train"), C.Button(description="Stop")
    train.focus_successor = stop
    sent = []
    stop.send = lambda content, buffers=None: sent.append(content)
    train._on_front_end_message(train, {"event": "focus_lost"}, [])
    assert sent == [{"do": "focus"}]
    # a successor that is itself disabled is not given the focus; a function may choose
    stop.disabled = True
    train._on_front_end_message(train, {"event": "focus_lost"}, [])
    assert sent == [{"do": "focus"}]
    other = C.Button(description="Reset")
    other.send = lambda content, buffers=None: sent.append(("reset", content))
    train.focus_successor = lambda: other
    train._on_front_end_message(train, {"event": "focus_lost"}, [])
    assert sent[-1] == ("reset", {"do": "focus"})


def test_a_text_field_refuses_what_its_check_refuses_and_keeps_its_value():
    def numbers(text):
        parts = [p for p in text.replace(",", " ").split()]
        if not parts or not all(p.lstrip("-").replace(".", "", 1).isdigit() for p in parts):
            raise ValueError(f"{text!r} is not a list of numbers")
        return text

    got = refusals(field := C.Text(value="1, 2", check=numbers, description="Inputs"))
    assert not field.enter_text("1, x") and field.value == "1, 2"
    assert "not a list of numbers" in field.error and "previous text stays" in got[-1]
    assert field.enter_text("3, 4") and field.value == "3, 4" and field.error == ""
    field._on_front_end_message(field, {"event": "typed", "text": "5"}, [])
    assert field.value == "5"


def test_a_status_line_keeps_a_fixed_height_when_asked():
    status = C.StatusLine(value="ready", lines=3)
    assert status.get_state()["lines"] == 3
    assert C.StatusLine().lines == 0


def test_the_javascript_draws_buttons_and_text_fields():
    js = C._ESM
    assert "button: renderButton" in js and "text: renderText" in js
    assert '"aria-pressed"' in js and "focus_lost" in js and "aria-controls" in js
