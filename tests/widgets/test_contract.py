"""The panel contract, checked on all eight panels (as scikit-learn's
``parametrize_with_checks`` checks every estimator).

Every panel: is made by the base lifecycle from its settings table; takes its
settings from the constructor, ``set()`` and ``load_settings()`` with the same
checks; round-trips through ``to_json()``; refuses bad values from code with a
TypeError or ValueError that names the setting (never clamps); never changes a
value typed in the browser silently; keeps working after an error in a handler;
and, if it trains, has Stop and Pause enabled only while a run goes on.
"""
import html
import inspect
import json
import time

import numpy as np
import pytest

from bad_arguments import BAD_ARGUMENTS, CASE_INSENSITIVE, clear_error
from rnnlab.widgets import (ActivationView, BPTTView, GradCheckView, GradientFlowView,
                            PatternsView, Playground, StateInspector, UnfoldingView)
from rnnlab.widgets import _factory
from rnnlab.widgets._base import Panel, Runner
from rnnlab.widgets._settings import Choice, Flag, Float, Int, Multi, Text
from rnnlab.widgets._training import TrainingPanel

PANELS = [Playground, UnfoldingView, ActivationView, BPTTView, GradientFlowView, StateInspector,
          PatternsView, GradCheckView]
BY_NAME = {cls.__name__: cls for cls in PANELS}
#: arguments that keep a panel quick to make and train in a test
QUICK = {Playground: dict(epochs=2), GradientFlowView: dict(T=20, epochs=1),
         StateInspector: dict(epochs=1), PatternsView: dict(epochs=1)}
_made = {}


def panel_of(cls):
    """One panel per class for the module (making one costs a full drawing)."""
    if cls not in _made:
        _made[cls] = cls(**QUICK.get(cls, {}))
    panel = _made[cls]
    if isinstance(panel, TrainingPanel):
        panel.stop()
    panel.errors.clear()
    panel.clear_notice()
    return panel


@pytest.fixture(autouse=True)
def _no_run_left_behind():
    yield
    for runner in Runner.running_jobs():
        runner.stop(wait=True, timeout=5)


def _controlled(panel):
    return [s for s in panel.SETTINGS if s.control]


def _bad_values(setting, values):
    """``(wrong type, out of range or unknown)`` values for a setting."""
    if isinstance(setting, Flag):
        return [1, "yes"]
    if isinstance(setting, (Int, Float)):
        low, high = setting.bounds(values)
        return ["8", low - 1, high + 1] + ([2.5] if isinstance(setting, Int) else [float("nan")])
    if isinstance(setting, Choice):
        return [3.5j, "no such thing"]
    if isinstance(setting, Multi):
        return [5, ["nope"]]
    if isinstance(setting, Text):
        return [object(), ""]
    return []


# -- the table and the lifecycle ----------------------------------------------------------------

@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_the_base_class_runs_the_lifecycle_and_owns_the_settings_api(cls):
    for name in ("set", "load_settings", "settings", "to_json", "_change", "_control_changed",
                 "safe", "notify"):
        assert getattr(cls, name) is getattr(Panel, name), f"{cls.__name__} overrides {name}"
    assert cls.__init__ is not Panel.__init__  # its own signature, then Panel's lifecycle
    assert "_build_layout" in cls.__dict__ and cls.panel_name != Panel.panel_name
    names = [s.name for s in cls.SETTINGS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_every_setting_is_a_keyword_with_the_tables_default(cls):
    params = inspect.signature(cls).parameters
    defaults = panel_of(cls).settings() if cls is not Playground else None
    for s in cls.SETTINGS:
        if cls is Playground:  # settings by keyword; defaults follow the task
            assert any(p.kind is p.VAR_KEYWORD for p in params.values())
            continue
        assert s.name in params, f"{cls.__name__}({s.name}=...) is not a keyword"
        if s.name not in QUICK.get(cls, {}):
            default = params[s.name].default
            assert default == s.default == defaults[s.name] or (
                default is None and s.default == defaults[s.name]), s.name  # None: the table's


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_every_control_comes_from_the_one_factory(cls):
    panel = panel_of(cls)
    kinds = tuple(getattr(_factory, name) for name in (
        "IntSlider", "FloatSlider", "FloatLogSlider", "NumberBox", "TextBox", "Dropdown",
        "ToggleButtons", "Checkbox", "CheckboxGroup"))
    for name, control in panel.controls.items():
        assert isinstance(control, kinds), (name, type(control))
        assert _factory.css_class(name) in control._dom_classes
    for name, button in panel.buttons.items():
        assert any(c.startswith("rnnlab-") for c in button._dom_classes), name
    shown = _descendants(panel.widget)
    assert panel.status in shown and panel.message in shown


def _descendants(widget):
    out = [widget]
    for child in getattr(widget, "children", ()):
        out += _descendants(child)
    return out


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_settings_round_trip_through_json(cls):
    panel = panel_of(cls)
    text = panel.to_json()
    data = json.loads(text)
    assert data["panel"] == cls.panel_name and "rnnlab" in data
    panel.load_settings(text)  # the same settings: nothing changes, nothing breaks
    assert json.loads(panel.to_json()) == data
    with pytest.raises(ValueError, match="not valid JSON"):
        panel.load_settings("{oops")
    with pytest.raises(ValueError, match="for the 'other' panel"):
        panel.load_settings({"panel": "other"})
    with pytest.raises(ValueError, match="unknown setting 'nope'"):
        panel.load_settings({"nope": 1})


# -- bad values from code -----------------------------------------------------------------------

@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_set_and_controls_refuse_bad_values_naming_the_setting_and_change_nothing(cls):
    panel = panel_of(cls)
    for s in _controlled(panel):
        for bad in _bad_values(s, panel.settings()):
            before = panel.settings()
            with pytest.raises((TypeError, ValueError), match=s.name) as info:
                panel.set(**{s.name: bad})
            assert "got" in str(info.value) or "unknown" in str(info.value), info.value
            assert panel.settings() == before
            control = panel.controls[s.name]
            with pytest.raises((TypeError, ValueError), match=s.name):
                control.value = bad  # never clamped, never cut
            assert panel.settings() == before and control.value == before[s.name]
    assert panel.errors == []


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_fixed_settings_are_refused_by_set_and_say_how_to_change_them(cls):
    panel = panel_of(cls)
    for s in cls.SETTINGS:
        if s.control:
            continue
        value = panel.settings()[s.name]
        panel.set(**{s.name: value})  # the same value is fine (load_settings of to_json)
        other = value + 1 if isinstance(value, int) else value * 2
        with pytest.raises(ValueError, match=f"{s.name} is fixed when the panel is made"):
            panel.set(**{s.name: other})


@pytest.mark.filterwarnings("ignore:UnfoldingView\\(m=:DeprecationWarning")  # m=-1 is in the table
def test_bad_panel_arguments_get_clear_errors():
    """The issue's table and its neighbours: every one gets a clear error."""
    results = [(name, kwargs, clear_error(BY_NAME[name], kwargs, arg))
               for name, kwargs, arg in BAD_ARGUMENTS]
    unclear = [(name, kwargs, what) for name, kwargs, (ok, what) in results if not ok]
    assert len(results) >= 46
    assert unclear == [], (f"{len(unclear)} of {len(results)} unclear:\n"
                           + "\n".join(map(str, unclear)))


@pytest.mark.parametrize("name,kwargs,setting,expected", CASE_INSENSITIVE)
def test_names_are_case_insensitive_where_the_core_accepts_them(name, kwargs, setting, expected):
    panel = BY_NAME[name](**kwargs)
    assert panel.settings()[setting] == expected
    if isinstance(panel, TrainingPanel):
        panel.stop()
    panel.close()


# -- values from the browser ---------------------------------------------------------------------

@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_typed_numbers_are_parsed_exactly_or_refused_with_a_note(cls):
    """What IntText did: "2.5" -> 25 and "1e3" -> 13. Here: refused, or taken as written."""
    panel = panel_of(cls)
    boxes = [s for s in _controlled(panel) if isinstance(s, (Int, Float)) and s.widget == "box"]
    for s in boxes:
        box = panel.controls[s.name]
        low, high = s.bounds(panel.settings())
        for typed in ("2.5" if isinstance(s, Int) else "x", "abc", str(high + 1), str(low - 1)):
            before = panel.settings()
            box.set_state({"value": typed})  # what the browser sends
            assert panel.settings() == before, (s.name, typed)
            note = html.unescape(panel.status.value)
            assert repr(typed) in note and "was not taken" in note, (s.name, typed, note)
            panel.clear_notice()
        if isinstance(s, Int) and low <= 1000 <= high and not panel._busy():
            box.set_state({"value": "1e3"})
            assert panel.settings()[s.name] == 1000 and box._readout == "1000"
            panel.set(**{s.name: before[s.name]})
    assert panel.errors == []


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_a_number_typed_beside_a_slider_beyond_its_range_is_refused_and_said(cls):
    """ipywidgets' slider readout clamped a typed 500 to 64 before Python saw it; the
    accessible slider's number field sends the text: refused under the control and in the
    status line, the value kept."""
    panel = panel_of(cls)
    sliders = [s for s in _controlled(panel) if isinstance(s, (Int, Float)) and s.widget != "box"]
    for s in sliders[:2]:
        control = panel.controls[s.name]
        before = panel.settings()
        low, high = s.bounds(before)
        control._on_front_end_message(control, {"event": "typed", "text": f"{high * 10 + 1:g}"},
                                      [])
        assert panel.settings() == before and control.value == before[s.name]
        note = html.unescape(panel.notice)
        assert "was not taken" in note and "out of range" in note and s.label in note, note
        assert control.error and "kept" in control.error
        panel.clear_notice()
    assert panel.errors == []


# -- errors and training ------------------------------------------------------------------------

@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_an_error_in_a_handler_is_shown_and_the_panel_keeps_working(cls, monkeypatch):
    panel = panel_of(cls)
    calls = []

    def broken(changed, old):
        calls.append(changed)
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(panel, "_apply", broken)
    s = next(s for s in _controlled(panel) if isinstance(s, Int) and not s.fixed)
    control = panel.controls[s.name]
    old = control.value
    new = old + 1 if old + 1 <= s.bounds(panel.settings())[1] else old - 1
    control.value = new  # must not raise here
    assert calls and "drawing failed" in panel.message.value
    assert panel.errors and "RuntimeError: drawing failed" in panel.errors[-1][1]
    monkeypatch.undo()
    panel.set(**{s.name: old})
    assert panel.settings()[s.name] == old


TRAINING = [cls for cls in PANELS if issubclass(cls, TrainingPanel)]


@pytest.mark.parametrize("cls", TRAINING, ids=lambda c: c.__name__)
def test_stop_and_pause_are_enabled_only_while_a_run_goes_on(cls):
    panel = panel_of(cls)
    b = panel.buttons
    assert b["stop"].disabled and b["pause"].disabled and not b["train"].disabled
    panel.set(epochs=500) if "epochs" in panel.controls else None
    assert panel.train() is True
    assert not b["stop"].disabled and not b["pause"].disabled and b["train"].disabled
    assert panel.train() is False  # never two runs at once
    panel.toggle_pause()
    assert b["pause"].description == "Resume"
    start = time.perf_counter()
    assert panel.stop() and time.perf_counter() - start < 1.0  # even while paused
    assert b["stop"].disabled and b["pause"].disabled and not b["train"].disabled
    assert b["pause"].description == "Pause"
    assert not [r for r in Runner.running_jobs() if r is panel.runner]
    panel.set(epochs=QUICK[cls]["epochs"]) if "epochs" in panel.controls else None
    assert panel.errors == []


@pytest.mark.parametrize("cls", TRAINING, ids=lambda c: c.__name__)
def test_settings_that_are_not_live_wait_while_training(cls):
    panel = panel_of(cls)
    panel.set(epochs=500)
    assert panel.train()
    try:
        frozen = [s for s in _controlled(panel) if not s.live]
        for s in frozen:
            assert panel.controls[s.name].disabled, s.name
        if frozen:
            s = frozen[0]
            with pytest.raises(RuntimeError, match=f"stop training before changing {s.name}"):
                value = panel.settings()[s.name]
                other = [v for v in s.values(panel.settings()) if v != value][0] if isinstance(
                    s, Choice) else (value + 1 if value + 1 <= s.bounds(panel.settings())[1]
                                     else value - 1)
                panel.set(**{s.name: other})
    finally:
        panel.stop()
        panel.set(epochs=QUICK[cls]["epochs"])
    assert all(not panel.controls[s.name].disabled or panel._inactive(s.name)
               for s in _controlled(panel))


def test_every_panel_is_in_the_bad_argument_table_and_numpy_integers_are_integers():
    assert {cls.__name__ for cls in PANELS} == {name for name, _, _ in BAD_ARGUMENTS}
    panel = Playground(hidden_size=np.int64(8), epochs=np.int32(2))
    assert panel.settings()["hidden_size"] == 8 and type(panel.settings()["hidden_size"]) is int
