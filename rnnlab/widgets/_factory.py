"""The one place where panel controls are made (the control factory).

:func:`make_control` turns a :class:`~rnnlab.widgets._settings.Setting` into a
core ipywidgets control; :func:`make_button`, :func:`make_text_area` and
:func:`make_disclosure` make the rest of what a learner operates. Every panel
makes its controls through them, so a different kind of control (an accessible
component, say) is swapped in here, once, for every panel.

The controls are thin subclasses of the core widgets (same browser views, no
frontend code) that never change a value silently:

* From code, a value out of range or of the wrong type raises the setting's
  ``TypeError``/``ValueError`` (core sliders would clamp ``200`` to ``64``,
  ``IntSlider`` would cut ``10.5`` to ``10``, a ``Dropdown`` would say
  "Invalid selection"). Names match case-insensitively (``"LSTM"``).
* Numbers typed in a box are parsed here, in Python, from the text the
  learner typed: ``IntText`` would turn ``2.5`` into ``25`` and ``1e3`` into
  ``13`` in the browser before Python sees it. A typed value that is not a
  number or is out of range is refused: the box shows the value in force again
  and the panel says why (``notify``).
* A slider's readout clamps a typed number to its end in the browser, before
  Python sees it; such a change is flagged (``from_browser``) so the panel can
  say that the value sits at the end of its range.
"""
from __future__ import annotations

import numbers

import ipywidgets
import numpy as np
from traitlets import Any, Bool, observe, validate

from ._settings import Choice, Flag, Float, Int, Multi, Text


class _FromBrowser:
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


def _check_number(control, value, low, high):
    """The control's setting's type check, against the control's current bounds."""
    setting = control.setting
    if isinstance(setting, Int):
        ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
        kind, value = "an integer", (int(value) if ok else value)
    else:
        ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
        kind, value = "a number", (float(value) if ok else value)
    allowed = getattr(control, "allowed_text", None) or f"{kind} from {low:g} to {high:g}"
    if not ok:
        raise TypeError(f"{setting.name} must be {allowed}, got {type(value).__name__} {value!r}")
    if not (low <= value <= high) or not np.isfinite(value):
        raise ValueError(f"{setting.name} must be {allowed}, got {value!r}")
    return value


class IntSlider(_FromBrowser, ipywidgets.IntSlider):
    value = Any(0).tag(sync=True)  # no casting: 10.5 is refused, not cut to 10
    setting = None

    @validate("value")
    def _validate_value(self, proposal):
        return _check_number(self, proposal["value"], self.min, self.max)


class FloatSlider(_FromBrowser, ipywidgets.FloatSlider):
    value = Any(0.0).tag(sync=True)
    setting = None

    @validate("value")
    def _validate_value(self, proposal):
        return _check_number(self, proposal["value"], self.min, self.max)


class FloatLogSlider(_FromBrowser, ipywidgets.FloatLogSlider):
    value = Any(1.0).tag(sync=True)
    setting = None

    @validate("value")
    def _validate_value(self, proposal):
        low, high = self.setting.bounds()  # exact, not 10.0 ** -4
        value = proposal["value"]
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            # the browser's end of the slider is base ** min, a hair off the bound
            value = min(max(float(value), low), high) if np.isclose(value, low) or np.isclose(
                value, high) else value
        return _check_number(self, value, low, high)


def _number_text(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


class NumberBox(_FromBrowser, ipywidgets.Text):
    """A text box for one number, parsed in Python from exactly what was typed.

    ``value`` is the number (an int or a float); the page shows it as text.
    """

    value = Any(0).tag(sync=True, to_json=lambda v, _w: _number_text(v))
    setting = None
    low = high = None
    notify = None  # notify(text): tell the learner a typed value was refused

    @validate("value")
    def _validate_value(self, proposal):
        return _check_number(self, proposal["value"], self.low, self.high)

    def set_state(self, sync_data):
        if "value" not in sync_data:
            return super().set_state(sync_data)
        typed = sync_data["value"]
        data = dict(sync_data)
        try:
            data["value"] = _check_number(self, self.setting.parse(typed), self.low,
                                          self.high)
        except (TypeError, ValueError) as err:
            data.pop("value")
            if data:
                super().set_state(data)
            self.send_state("value")  # the box shows the value in force again
            if self.notify is not None:
                reason = str(err).replace(f"{self.setting.name} must", "it must")
                self.notify(f"{self.description}: {typed!r} was not taken ({reason}); "
                            f"it stays {_number_text(self.value)}.")
            return None
        super().set_state(data)
        if _number_text(data["value"]) != str(typed).strip():
            self.send_state("value")  # "1e3" reads 1000: show the number as taken
        return None


class TextBox(_FromBrowser, ipywidgets.Text):
    """Free text checked by its setting; refused text leaves the value in force."""

    value = Any("").tag(sync=True)
    setting = None
    notify = None

    @validate("value")
    def _validate_value(self, proposal):
        return self.setting.check(proposal["value"])

    def set_state(self, sync_data):
        if "value" not in sync_data:
            return super().set_state(sync_data)
        typed = sync_data["value"]
        try:
            self.setting.check(typed)
        except (TypeError, ValueError) as err:
            data = {k: v for k, v in sync_data.items() if k != "value"}
            if data:
                super().set_state(data)
            self.send_state("value")
            if self.notify is not None:
                self.notify(f"{err}: not taken; the previous {self.description or 'text'} "
                            "stays in use.")
            return None
        return super().set_state(sync_data)


class _ChoiceMixin(_FromBrowser):
    setting = None

    @validate("value")
    def _validate_value(self, proposal):
        value = proposal["value"]
        if value is None or self.setting is None:
            return super()._validate_value(proposal)
        options = [o if isinstance(o, tuple) else (str(o), o) for o in self.options]
        return self.setting.match(value, options)


class Dropdown(_ChoiceMixin, ipywidgets.Dropdown):
    pass


class ToggleButtons(_ChoiceMixin, ipywidgets.ToggleButtons):
    pass


class Checkbox(_FromBrowser, ipywidgets.Checkbox):
    value = Any(False).tag(sync=True)
    setting = None

    @validate("value")
    def _validate_value(self, proposal):
        return self.setting.check(proposal["value"])


class CheckboxGroup(ipywidgets.HBox):
    """Several checkboxes with one ``value``: the tuple of the ticked names, in order."""

    value = Any(()).tag(sync=False)
    disabled = Bool(False).tag(sync=False)
    setting = None
    from_browser = False

    def __init__(self, setting, value, boxes):
        self.boxes = boxes  # name -> Checkbox
        self._syncing = False
        super().__init__(list(boxes.values()))
        self.setting = setting
        self.value = value
        for box in boxes.values():
            box.observe(self._box_changed, names="value")

    @validate("value")
    def _validate_value(self, proposal):
        return self.setting.check(proposal["value"])

    @observe("value")
    def _value_changed(self, change):
        self._syncing = True
        try:
            for name, box in self.boxes.items():
                box.value = name in change.new
        finally:
            self._syncing = False

    @observe("disabled")
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


def css_class(name):
    """``hidden_size`` -> ``rnnlab-hidden-size``: the class browser tests find a control by."""
    return "rnnlab-" + name.lower().replace("_", "-")


def make_control(setting, value, values=None, notify=None):
    """The control for ``setting``, showing ``value``.

    ``values`` are the panel's settings (for bounds and choices that depend on
    them); ``notify(text)`` is how a control tells the learner that a typed
    value was refused.
    """
    values = values or {}
    common = dict(description=setting.label, tooltip=setting.tooltip or None)
    kind = setting.widget
    if isinstance(setting, (Int, Float)) and kind == "box":
        w = NumberBox(continuous_update=False, setting=setting, **common)
        w.notify = notify
        w.low, w.high = setting.bounds(values)
        w.value = value
    elif isinstance(setting, Float) and kind == "log":
        low, high = setting.bounds(values)
        w = FloatLogSlider(base=10, min=float(np.log10(low)), max=float(np.log10(high)),
                           step=setting.step or 0.1, continuous_update=False,
                           readout_format=setting.readout_format or ".4f", setting=setting,
                           **common)
        w.value = value
    elif isinstance(setting, Int):
        low, high = setting.bounds(values)
        w = IntSlider(min=low, max=high, continuous_update=False, setting=setting, **common)
        w.value = value
    elif isinstance(setting, Float):
        low, high = setting.bounds(values)
        w = FloatSlider(min=low, max=high, step=setting.step or 0.05, continuous_update=False,
                        readout_format=setting.readout_format or ".2f", setting=setting, **common)
        w.value = value
    elif isinstance(setting, Choice):
        cls = ToggleButtons if kind == "toggle" else Dropdown
        w = cls(options=setting.options(values), value=value, setting=setting, **common)
    elif isinstance(setting, Flag):
        w = Checkbox(value=bool(value), indent=False, setting=setting, **common)
    elif isinstance(setting, Text):
        w = TextBox(continuous_update=False, placeholder=setting.tooltip or "", setting=setting,
                    **common)
        w.notify = notify
        w.value = value
    elif isinstance(setting, Multi):
        boxes = {}
        for name in setting.choices:
            box = Checkbox(value=name in value, indent=False, setting=Flag(name),
                           description=setting.labels.get(name, name))
            box.add_class(css_class(f"show_{name}"))
            boxes[name] = box
        w = CheckboxGroup(setting, value, boxes)
    else:  # pragma: no cover - a table entry without a control kind
        raise TypeError(f"no control for setting {setting.name!r} ({type(setting).__name__})")
    if isinstance(setting, (Int, Float)):
        w.allowed_text = setting.allowed(values)
    w.add_class(css_class(setting.name))
    if hasattr(w, "style") and hasattr(w.style, "description_width"):
        w.style.description_width = "initial"  # room for the whole label
    if setting.width:
        w.layout.width = setting.width
    for key, value in setting.style.items():
        setattr(w.style, key, value)
    for key, value in setting.attrs.items():
        setattr(w, key, value)
    return w


def set_bounds(control, setting, values, keep=None):
    """Move a control's range or options to what ``setting`` allows for ``values``.

    With ``keep``, the range is only widened so that it holds both the current
    value and ``keep`` (so a value can move into a range that moves with it);
    without, it is set exactly (the value already fits: it was checked).
    """
    if isinstance(setting, (Int, Float)):
        control.allowed_text = setting.allowed(values)
    if isinstance(control, NumberBox):
        control.low, control.high = setting.bounds(values)
    elif isinstance(control, (IntSlider, FloatSlider)):
        low, high = setting.bounds(values)
        if keep is not None:
            low = min(low, control.min, control.value, keep)
            high = max(high, control.max, control.value, keep)
        if (low, high) != (control.min, control.max):
            if low > control.max:  # move the side that keeps min <= max at every moment
                control.max, control.min = high, low
            else:
                control.min, control.max = low, high
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
    """A button with the CSS class ``rnnlab-<name>``."""
    b = ipywidgets.Button(description=description, icon=icon, button_style=style,
                          tooltip=tooltip, layout=ipywidgets.Layout(width="auto"))
    b.add_class(css_class(name))
    return b


def make_text_area(name, placeholder="", description=""):
    """A box for several lines of text (the Share box), class ``rnnlab-<name>``."""
    area = ipywidgets.Textarea(placeholder=placeholder, description=description,
                               layout=ipywidgets.Layout(width="98%", height="80px"))
    area.add_class(css_class(name))
    return area


def make_disclosure(title, children):
    """A section the learner opens and closes (closed at first)."""
    box = ipywidgets.Accordion(children=[ipywidgets.VBox(list(children))], selected_index=None)
    box.set_title(0, title)
    return box
