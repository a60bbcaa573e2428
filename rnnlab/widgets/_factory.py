"""The one place where panel controls are made (the control factory).

:func:`make_control` turns a :class:`~rnnlab.widgets._settings.Setting` into a
control, :func:`make_button` a button, :func:`make_text_area` and
:func:`make_disclosure` the rest of what a learner operates; every panel makes its
controls through them. The controls are rnnlab's accessible components
(:mod:`rnnlab.widgets._controls`: every control named by a label, sliders
included, toggle groups that say which choice is checked, buttons that keep
the keyboard focus, a disclosure whose header the keyboard reaches), bound here
to the setting they show, so that a value is never changed silently:

* From code, a value out of range or of the wrong type raises the setting's
  ``TypeError``/``ValueError``, naming the setting (core sliders would clamp
  ``200`` to ``64``, ``IntSlider`` would cut ``10.5`` to ``10``). Names match
  case-insensitively (``"LSTM"``).
* Text typed in a number field (a box, or the field beside a slider) goes to
  Python as typed: ``2.5`` for a whole number, ``500`` out of range or
  ``abc`` is refused, the control keeps its value and shows why under
  itself, and its ``on_invalid`` message goes to the panel's status line
  (``notify``). ``1e3`` reads 1000.
* ``set_state({"value": "2.5"})`` on a number box does what typing does (tests
  use it to imitate the page).
"""
from __future__ import annotations

import numbers

import ipywidgets
import numpy as np
import traitlets as t

from . import _controls as C
from ._settings import Choice, Flag, Float, Int, Multi, Text


class _Bound:
    """Mixin: the control's ``setting``; ``from_browser`` is True while a change sent by the
    page is applied."""

    from_browser = False

    def __init__(self, *args, setting=None, **kwargs):
        self.setting = setting  # before the traits: their validators read it
        super().__init__(*args, **kwargs)

    def set_state(self, sync_data):
        self.from_browser = True
        try:
            super().set_state(sync_data)
        finally:
            self.from_browser = False

    def _set_typed_state(self, sync_data):
        """Apply a state from the page whose ``value`` is typed text: the other traits as
        sent, then the text as if typed (:meth:`enter_text`: checked, refused with a message)."""
        data = dict(sync_data)
        typed = data.pop("value")
        if data:
            _Bound.set_state(self, data)
        self.from_browser = True
        try:
            self.enter_text(typed)
        finally:
            self.from_browser = False


def _check_number(control, value, low, high):
    """The control's setting's type check, against the control's current bounds."""
    setting = control.setting
    if isinstance(setting, Int):
        ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
        kind, value = "an integer", (int(value) if ok else value)
    else:
        ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
        kind, value = "a number", (float(value) if ok else value)
    allowed = _allowed(control, low, high) or f"{kind} from {low:g} to {high:g}"
    if not ok:
        raise TypeError(f"{setting.name} must be {allowed}, got {type(value).__name__} {value!r}")
    if not (low <= value <= high) or not np.isfinite(value):
        raise ValueError(f"{setting.name} must be {allowed}, got {value!r}")
    return value


def _allowed(control, low, high):
    """The setting's words for the range (with its reason), if they are about these bounds."""
    text, bounds = getattr(control, "_allowed", ("", None))
    return text if bounds == (low, high) else ""


class _NumberControl(_Bound):
    """A number control bound to an Int or Float setting: values from code are the
    setting's type and within the control's bounds; messages use the setting's words."""

    value = t.Any(0).tag(sync=True)  # no casting: 10.5 is refused, not cut to 10

    @t.validate("value")
    def _check_value(self, proposal):
        low, high = self.bounds()
        return _check_number(self, proposal["value"], low, high)

    def _expected(self):
        return _allowed(self, *self.bounds()) or super()._expected()

    def _show_value(self, _change):
        fmt = self.readout_format or ("d" if self._integer else ".6g")
        value = self.value
        self._readout = format(value, fmt) if isinstance(value, numbers.Real) else str(value)


class IntSlider(_NumberControl, C.IntSlider):
    value = t.Any(0).tag(sync=True)


class FloatSlider(_NumberControl, C.FloatSlider):
    value = t.Any(0.0).tag(sync=True)


class FloatLogSlider(_NumberControl, C.FloatLogSlider):
    value = t.Any(1.0).tag(sync=True)

    @t.validate("value")
    def _check_value(self, proposal):
        low, high = self.setting.bounds()  # exact, not 10.0 ** -4
        value = proposal["value"]
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and (
                np.isclose(value, low) or np.isclose(value, high)):
            value = min(max(float(value), low), high)  # the page's end is base ** min, a hair off
        return _check_number(self, value, low, high)

    def bounds(self):
        if self.setting is not None:
            return self.setting.bounds()
        return super().bounds()


class NumberBox(_NumberControl, C.FloatText):
    """A field for one number, parsed in Python from exactly what was typed."""

    value = t.Any(0).tag(sync=True)
    min = t.Float(None, allow_none=True).tag(sync=True)
    max = t.Float(None, allow_none=True).tag(sync=True)

    def __init__(self, *args, setting=None, **kwargs):
        if isinstance(setting, Int):
            kwargs.setdefault("step", 1)
            kwargs.setdefault("readout_format", "d")
        super().__init__(*args, setting=setting, **kwargs)

    @t.default("_integer")
    def _integer_default(self):
        return isinstance(self.setting, Int)

    def set_state(self, sync_data):
        """A ``value`` sent as text is what was typed (the page sends a "typed" message;
        tests send the text here)."""
        if isinstance(sync_data.get("value"), str):
            self._set_typed_state(sync_data)
        else:
            super().set_state(sync_data)

    def step_by(self, direction):
        step = self.step or 1
        value = self.value + direction * step
        low, high = self.bounds()
        value = min(max(value, low), high)
        self._take(int(value) if isinstance(self.setting, Int) else float(value))


class TextBox(_Bound, C.Text):
    """Free text checked by its setting; refused text leaves the value in force."""

    value = t.Any("").tag(sync=True)  # the setting says what it takes (and what is wrong)

    @t.validate("value")
    def _check_value(self, proposal):
        return self.setting.check(proposal["value"])

    def set_state(self, sync_data):
        """A ``value`` from the page is typed text: checked, and refused with a message."""
        if "value" in sync_data:
            self._set_typed_state(sync_data)
        else:
            super().set_state(sync_data)


class _ChoiceControl(_Bound):
    @t.validate("value")
    def _check_value(self, proposal):
        value = proposal["value"]
        if self.setting is None or (value is None and not self._pairs):
            return super()._check_value(proposal)
        return self.setting.match(value, self._pairs)


class Dropdown(_ChoiceControl, C.Dropdown):
    pass


class ToggleButtons(_ChoiceControl, C.ToggleButtons):
    pass


class Checkbox(_Bound, C.Checkbox):
    value = t.Any(False).tag(sync=True)

    @t.validate("value")
    def _check_value(self, proposal):
        return self.setting.check(proposal["value"])


class CheckboxGroup(ipywidgets.HBox):
    """Several checkboxes with one ``value``: the tuple of the ticked names, in order.

    The group's label comes first, as text; each box is named by its own label.
    """

    value = t.Any(()).tag(sync=False)
    disabled = t.Bool(False).tag(sync=False)
    description = t.Unicode("").tag(sync=False)
    setting = None
    from_browser = False

    def __init__(self, setting, value, boxes, description=""):
        self.boxes = boxes  # name -> Checkbox
        self._syncing = False
        self.caption = ipywidgets.Label(description)
        children = ([self.caption] if description else []) + list(boxes.values())
        super().__init__(children, layout=ipywidgets.Layout(flex_flow="row wrap",
                                                            align_items="center",
                                                            grid_gap="2px 16px"))
        self.setting = setting
        self.description = description
        self.value = value
        for box in boxes.values():
            box.observe(self._box_changed, names="value")

    @t.validate("value")
    def _validate_value(self, proposal):
        return self.setting.check(proposal["value"])

    @t.observe("value")
    def _value_changed(self, change):
        self._syncing = True
        try:
            for name, box in self.boxes.items():
                box.value = name in change.new
        finally:
            self._syncing = False

    @t.observe("disabled")
    def _disabled_changed(self, change):
        for box in self.boxes.values():
            box.disabled = change.new

    def _box_changed(self, change):
        if self._syncing:
            return
        self.from_browser = change.owner.from_browser
        try:
            self.value = tuple(name for name, box in self.boxes.items() if box.value)
        finally:
            self.from_browser = False

    def on_invalid(self, callback, remove=False):
        """Nothing is typed into checkboxes: accepted for the factory's sake."""


def css_class(name):
    """``hidden_size`` -> ``rnnlab-hidden-size``: the class browser tests find a control by."""
    return "rnnlab-" + name.lower().replace("_", "-")


def make_control(setting, value, values=None, notify=None):
    """The control for ``setting``, showing ``value``.

    ``values`` are the panel's settings (for bounds and choices that depend on
    them); ``notify(text)`` is how a control tells the learner that a typed
    value was refused (its ``on_invalid`` message).
    """
    values = values or {}
    common = dict(description=setting.label, tooltip=setting.tooltip or None, setting=setting)
    kind = setting.widget
    if isinstance(setting, (Int, Float)) and kind == "box":
        low, high = setting.bounds(values)
        w = NumberBox(min=low, max=high, **common)
        _set_allowed(w, setting, values)
        w.value = value
    elif isinstance(setting, Float) and kind == "log":
        low, high = setting.bounds(values)
        w = FloatLogSlider(base=10, min=float(np.log10(low)), max=float(np.log10(high)),
                           step=setting.step or 0.1,
                           readout_format=setting.readout_format or ".4f", **common)
        _set_allowed(w, setting, values)
        w.value = value
    elif isinstance(setting, Int):
        low, high = setting.bounds(values)
        w = IntSlider(min=low, max=high, **common)
        _set_allowed(w, setting, values)
        w.value = value
    elif isinstance(setting, Float):
        low, high = setting.bounds(values)
        w = FloatSlider(min=low, max=high, step=setting.step or 0.05,
                        readout_format=setting.readout_format or ".2f", **common)
        _set_allowed(w, setting, values)
        w.value = value
    elif isinstance(setting, Choice):
        cls = ToggleButtons if kind == "toggle" else Dropdown
        w = cls(options=setting.options(values), value=value, **common)
    elif isinstance(setting, Flag):
        w = Checkbox(value=bool(value), **common)
    elif isinstance(setting, Text):
        w = TextBox(placeholder=setting.tooltip or "", check=setting.check, **common)
        w.value = value
    elif isinstance(setting, Multi):
        boxes = {}
        for name in setting.choices:
            box = Checkbox(value=name in value, setting=Flag(name),
                           description=setting.labels.get(name, name))
            box.add_class(css_class(f"show_{name}"))
            boxes[name] = box
        w = CheckboxGroup(setting, value, boxes, description=setting.label)
    else:  # pragma: no cover - a table entry without a control kind
        raise TypeError(f"no control for setting {setting.name!r} ({type(setting).__name__})")
    if notify is not None:
        w.on_invalid(lambda _control, message: notify(message))
    w.add_class(css_class(setting.name))
    if hasattr(w, "style") and hasattr(w.style, "description_width"):
        w.style.description_width = "initial"  # room for the whole label
    if setting.width:
        # a width is a most, never a least: at 900 px a control never runs past its panel
        w.layout.width = setting.width
        w.layout.max_width = "100%"
    for key, value in setting.style.items():
        setattr(w.style, key, value)
    for key, value in setting.attrs.items():
        setattr(w, key, value)
    return w


def _set_allowed(control, setting, values):
    """Messages about ``control`` use the setting's words for its range (and the reason)."""
    control._allowed = (setting.allowed(values), setting.bounds(values))
    control.allowed_text = ""


def set_bounds(control, setting, values, keep=None):
    """Move a control's range or options to what ``setting`` allows for ``values``.

    With ``keep``, the range is only widened so that it holds both the current
    value and ``keep`` (so a value can move into a range that moves with it);
    without, it is set exactly (the value already fits: it was checked).
    """
    if isinstance(control, (NumberBox, IntSlider, FloatSlider)):
        low, high = setting.bounds(values)
        if keep is not None:
            low = min(low, control.min, control.value, keep)
            high = max(high, control.max, control.value, keep)
        if (low, high) != (control.min, control.max):
            if low > control.max:  # move the side that keeps min <= max at every moment
                control.max, control.min = high, low
            else:
                control.min, control.max = low, high
        if keep is None:
            _set_allowed(control, setting, values)
    elif isinstance(control, FloatLogSlider):
        if keep is None:
            _set_allowed(control, setting, values)
    elif isinstance(control, (Dropdown, ToggleButtons)):
        options = setting.options(values)
        if keep is not None:
            options = options + [o for o in control.options
                                 if o not in options and o[1] == control.value]
        if list(control.options) != options:
            value = control.value
            control.options = options
            if value in [v for _, v in options] and control.value != value:
                control.value = value


def make_button(name, description, icon="", style="", tooltip=""):
    """A button with the CSS class ``rnnlab-<name>`` (an accessible component: see
    :class:`rnnlab.widgets._controls.Button`)."""
    b = C.Button(description=description, icon=icon, button_style=style, tooltip=tooltip or None)
    b.add_class(css_class(name))
    return b


def make_text_area(name, placeholder="", description=""):
    """A box for several lines of text (the Share box), class ``rnnlab-<name>``, named by
    its ``description`` (a visible label)."""
    area = C.Textarea(placeholder=placeholder, description=description or "Text", rows=4)
    area.add_class(css_class(name))
    return area


def make_disclosure(title, children, name="disclosure"):
    """A section the learner opens and closes (closed at first): a button with
    ``aria-expanded`` that Tab reaches (an ``Accordion``'s header is not), class
    ``rnnlab-<name>``."""
    box = C.Disclosure(list(children), description=title)
    box.add_class(css_class(name))
    return box
