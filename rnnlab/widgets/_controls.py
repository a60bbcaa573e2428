"""Accessible controls with the ipywidgets API the panels use.

Core ipywidgets sliders render ``role=slider`` with no accessible name (the
description label is not tied to the handle) and offer no way to set
``aria-*``; core ``ToggleButtons`` expose no pressed state; core number boxes
change typed text silently ("2.5" becomes 25). These controls are small
`anywidget <https://anywidget.dev>`_ components: their JavaScript
(``_controls.js``, one ES module for every kind) is shipped inside the Python
package, so they need no frontend build and render wherever anywidget does
(JupyterLab, Notebook 7, Voila, VS Code, Colab). They draw native HTML
elements (``<input type=range>``, ``<select>``, radio buttons, ``<textarea>``)
named by ``<label>``s, so keyboard use and screen-reader names come from the
browser.

Python side, each keeps the ipywidgets names: ``value``, ``observe``,
``disabled``, ``description``, ``min``/``max``/``step``, ``options``,
``layout``, ``add_class``, ``focus()``, ``style.description_width``.
Two things differ, on purpose:

* a value set from code that is out of range or not among the options raises
  ``ValueError`` naming the control (ipywidgets clamps or raises a bare
  ``TraitError``); only a change of ``min``/``max`` moves the value into the
  new range, as ipywidgets does;
* text typed into a number field goes to Python as typed. A value that is not
  a number, not whole where a whole number is needed, or out of range is
  refused, not changed: the control keeps its value, ``error`` says why (shown
  under the control and announced), and every ``on_invalid`` callback gets the
  message, so a panel can repeat it in its status line. :meth:`enter_text`
  does from code what typing and Enter do in the page.

========================  =====================================================
class                     what it draws
========================  =====================================================
``IntSlider``             range + number field, one name for both
``FloatSlider``           the same for floats
``FloatLogSlider``        the same on a log scale (``min``/``max`` are exponents)
``IntText``, ``FloatText``, ``BoundedIntText``, ``BoundedFloatText``
                          a number field (ArrowUp/ArrowDown step it)
``Dropdown``              a labelled ``<select>``
``ToggleButtons``         a radio group drawn as segmented buttons: arrow keys
                          choose, the choice is announced "checked" and marked by
                          a tick, not by colour alone
``Checkbox``              a labelled checkbox
``Text``                  a labelled one-line text field, checked in Python
``Textarea``              a labelled text area (the Share/Load box)
``Button``                a button; ``pressed`` (True/False) makes it a toggle
                          that says so (``aria-pressed``); focus that a disabled
                          button loses goes to ``focus_successor``
``Disclosure``            a button with ``aria-expanded`` that shows or hides
                          its children (instead of ``Accordion``, whose header
                          the keyboard cannot reach)
``StatusLine``            HTML in a polite live region (``role=status``);
                          ``lines`` reserves a fixed height, so what follows
                          does not jump when the text changes
========================  =====================================================
"""
from __future__ import annotations

import math
from pathlib import Path

import anywidget
import ipywidgets
import traitlets as t

_HERE = Path(__file__).resolve().parent
_ESM = (_HERE / "_controls.js").read_text(encoding="utf-8")
_CSS = (_HERE / "_controls.css").read_text(encoding="utf-8")
_UNSET = object()

__all__ = ["IntSlider", "FloatSlider", "FloatLogSlider", "IntText", "FloatText", "BoundedIntText",
           "BoundedFloatText", "Dropdown", "ToggleButtons", "Checkbox", "Text", "Textarea", "Button",
           "Disclosure", "StatusLine", "parse_number"]


class ControlStyle(t.HasTraits):
    """The part of ipywidgets' ``style`` that panels set.

    ``description_width`` sets the label's width (``"initial"`` or ``""``: as
    wide as its text, never cut). ``button_width`` is accepted for
    compatibility and ignored: toggle buttons are as wide as their labels.
    """

    description_width = t.Unicode("")
    button_width = t.Unicode("")


class Control(anywidget.AnyWidget):
    """Base of the controls: label, disabled state, refusal messages, focus."""

    _esm = _ESM
    _css = _CSS
    _kind = t.Unicode("").tag(sync=True)
    description = t.Unicode("").tag(sync=True)
    disabled = t.Bool(False).tag(sync=True)
    error = t.Unicode("", help="why the last typed text was refused; '' once a value is accepted").tag(sync=True)
    _label_width = t.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        style = kwargs.pop("style", None)
        super().__init__(**kwargs)
        self._invalid_callbacks = []
        self.style = ControlStyle()
        self.style.observe(self._style_changed, names="description_width")
        if style is not None:
            for key, value in (style.items() if isinstance(style, dict) else vars(style).items()):
                if self.style.has_trait(key):
                    setattr(self.style, key, value)
        self.on_msg(self._on_front_end_message)

    def _style_changed(self, change):
        self._label_width = "" if change.new in ("", "initial", "auto") else change.new

    def on_invalid(self, callback, remove=False):
        """Call ``callback(control, message)`` each time typed text is refused."""
        if remove:
            self._invalid_callbacks.remove(callback)
        else:
            self._invalid_callbacks.append(callback)

    def _refuse(self, message):
        self.error = message
        for callback in list(self._invalid_callbacks):
            callback(self, message)

    def _name(self):
        return self.description or type(self).__name__

    def _on_front_end_message(self, _widget, content, _buffers):
        if not isinstance(content, dict):
            return
        if content.get("event") == "typed":
            self.enter_text(str(content.get("text", "")))
            self.send({"event": "typed"})  # the page then shows the value kept
        elif content.get("event") == "step":
            self.step_by(1 if content.get("direction", 1) > 0 else -1)

    def enter_text(self, text):  # pragma: no cover - only number controls take text
        raise TypeError(f"{type(self).__name__} takes no typed text")

    def step_by(self, direction):  # pragma: no cover - only number controls step
        raise TypeError(f"{type(self).__name__} cannot step")


def parse_number(text, integer=False):
    """The number in ``text``, or raise ValueError saying why it is not one.

    Accepts what a learner may type for a number: ``"12"``, ``" 12 "``,
    ``"0.01"``, ``"1e-3"``, ``"1e3"`` (1000, a whole number). Refuses text
    that is not a number, infinities and NaN, and, with ``integer=True``,
    numbers with a fractional part (``"2.5"``).
    """
    s = text.strip()
    if not s:
        raise ValueError("the field is empty")
    try:
        number = int(s) if integer and s.lstrip("+-").isdigit() else float(s)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if isinstance(number, float):
        if not math.isfinite(number):
            raise ValueError(f"{text.strip()!r} is not a finite number")
        if integer:
            if not number.is_integer():
                raise ValueError(f"{text.strip()!r} is not a whole number")
            number = int(number)
    return number


class _Typed(Control):
    """A control that takes typed text: refused text keeps the value and says why in
    ``error`` (:meth:`Control._refuse`); an accepted value clears ``error``."""

    def _take(self, value):
        """Accept ``value`` (already checked); True."""
        self.error = ""  # also when the value is unchanged and no change is observed
        self.value = value
        return True

    @t.observe("value")
    def _accepted(self, _change):
        self.error = ""


class _Number(_Typed):
    """What sliders and number fields share: bounds, typed text, the readout."""

    _integer = t.Bool(False).tag(sync=True)
    _readout = t.Unicode("").tag(sync=True)
    _min_value = t.Float(None, allow_none=True).tag(sync=True)  # bounds in value units, for aria
    _max_value = t.Float(None, allow_none=True).tag(sync=True)
    readout_format = t.Unicode("")
    continuous_update = t.Bool(False).tag(sync=True)
    allowed_text = t.Unicode("", help="what the control takes, in words, for messages ('' = from "
                                      "the bounds)")

    def __init__(self, value=_UNSET, **kwargs):
        super().__init__(**kwargs)
        self.observe(self._bounds_changed, names=["min", "max"] + (["base"] if self.has_trait("base") else []))
        self.observe(self._show_value, names=["value", "readout_format"])
        self._bounds_changed(None)
        if value is not _UNSET:
            self.value = value
        self._show_value(None)

    # -- bounds, in value units
    def bounds(self):
        """``(lowest, highest)`` value allowed; None for an open side."""
        return self.min, self.max

    def _expected(self):
        if self.allowed_text:
            return self.allowed_text
        kind = "a whole number" if self._integer else "a number"
        lo, hi = self.bounds()
        if lo is None and hi is None:
            return kind
        if hi is None:
            return f"{kind} from {lo:g}"
        if lo is None:
            return f"{kind} up to {hi:g}"
        return f"{kind} from {lo:g} to {hi:g}"

    def _in_bounds(self, v):
        lo, hi = self.bounds()
        slack = 1e-9 * max(abs(lo or 0.0), abs(hi or 0.0), 1e-300) if not self._integer else 0
        return (lo is None or v >= lo - slack) and (hi is None or v <= hi + slack)

    def _snap(self, v):
        """A value within float rounding of a bound is that bound (log scales)."""
        lo, hi = self.bounds()
        if lo is not None and v < lo:
            return lo
        if hi is not None and v > hi:
            return hi
        return v

    @t.validate("value")
    def _check_value(self, proposal):
        v = proposal.value
        if isinstance(v, bool):
            raise TypeError(f"{self._name()} must be {self._expected()}, got {v!r}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{self._name()} must be {self._expected()}, got {v!r}")
        if not self._in_bounds(v):
            raise ValueError(f"{self._name()} must be {self._expected()}, got {v!r}")
        return type(v)(self._snap(v))

    def _bounds_changed(self, _change):
        lo, hi = self.bounds()
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"{self._name()}: min ({lo:g}) is above max ({hi:g})")
        self._min_value, self._max_value = lo, hi
        if self.has_trait("value"):
            # a new range moves the value into it, as ipywidgets does
            v = clamped = self.value
            if lo is not None:
                clamped = max(clamped, lo)
            if hi is not None:
                clamped = min(clamped, hi)
            if clamped != v:
                self.value = int(clamped) if self._integer else clamped

    def _show_value(self, _change):
        fmt = self.readout_format or ("d" if self._integer else ".6g")
        self._readout = format(self.value, fmt)

    # -- typed text and steps
    def enter_text(self, text):
        """Take ``text`` as if typed into the number field and confirmed with Enter.

        Returns True when the value was taken. Otherwise the value stays as it
        was, :attr:`error` says why, and the ``on_invalid`` callbacks are called.
        """
        shown = text.strip()
        try:
            number = parse_number(text, integer=self._integer)
        except ValueError as err:
            why = str(err).removeprefix(f"{shown!r} ")  # "is not a whole number"
            self._refuse(f"{self._name()}: {shown!r} was not taken, it {why}; expected "
                         f"{self._expected()} (kept {self._readout})" if shown else
                         f"{self._name()}: the field is empty, nothing was taken; expected "
                         f"{self._expected()} (kept {self._readout})")
            return False
        if not self._in_bounds(number):
            self._refuse(f"{self._name()}: {shown!r} was not taken, it is out of range; expected "
                         f"{self._expected()} (kept {self._readout})")
            return False
        return self._take(number)

    def step_by(self, direction):
        """Move one ``step`` up (+1) or down (-1), stopping at the bounds."""
        v = self.value + direction * (self.step or 1)
        lo, hi = self.bounds()
        if lo is not None:
            v = max(v, lo)
        if hi is not None:
            v = min(v, hi)
        self._take(int(v) if self._integer else v)


class _Slider(_Number):
    _kind = t.Unicode("slider").tag(sync=True)
    _scale = t.Unicode("linear").tag(sync=True)


class IntSlider(_Slider):
    """A whole-number slider with a number field beside it, both named by ``description``."""

    _integer = t.Bool(True).tag(sync=True)
    value = t.Int(0).tag(sync=True)
    min = t.Int(0).tag(sync=True)
    max = t.Int(100).tag(sync=True)
    step = t.Int(1).tag(sync=True)
    readout_format = t.Unicode("d")


class FloatSlider(_Slider):
    """A slider for floats; typed values are kept as typed (not rounded to ``step``)."""

    value = t.Float(0.0).tag(sync=True)
    min = t.Float(0.0).tag(sync=True)
    max = t.Float(10.0).tag(sync=True)
    step = t.Float(0.1).tag(sync=True)
    readout_format = t.Unicode(".2f")


class FloatLogSlider(_Slider):
    """A slider on a log scale: ``min``/``max``/``step`` are exponents of ``base``,
    as in ipywidgets; ``value`` and typed text are plain values."""

    _scale = t.Unicode("log").tag(sync=True)
    value = t.Float(1.0).tag(sync=True)
    base = t.Float(10.0).tag(sync=True)
    min = t.Float(0.0).tag(sync=True)
    max = t.Float(4.0).tag(sync=True)
    step = t.Float(0.1).tag(sync=True)
    readout_format = t.Unicode(".3g")

    def bounds(self):
        return self.base ** self.min, self.base ** self.max

    def step_by(self, direction):
        exponent = math.log(self.value, self.base) + direction * self.step
        self._take(self._snap(self.base ** min(max(exponent, self.min), self.max)))


class _Field(_Number):
    _kind = t.Unicode("number").tag(sync=True)


class IntText(_Field):
    """A field for a whole number; ``min``/``max`` None means unbounded."""

    _integer = t.Bool(True).tag(sync=True)
    value = t.Int(0).tag(sync=True)
    min = t.Int(None, allow_none=True).tag(sync=True)
    max = t.Int(None, allow_none=True).tag(sync=True)
    step = t.Int(1).tag(sync=True)
    readout_format = t.Unicode("d")


class FloatText(_Field):
    """A field for a number; ``min``/``max`` None means unbounded."""

    value = t.Float(0.0).tag(sync=True)
    min = t.Float(None, allow_none=True).tag(sync=True)
    max = t.Float(None, allow_none=True).tag(sync=True)
    step = t.Float(0.1).tag(sync=True)
    readout_format = t.Unicode("")


class BoundedIntText(IntText):
    """``IntText`` with ipywidgets' default bounds (0 to 100)."""

    min = t.Int(0, allow_none=True).tag(sync=True)
    max = t.Int(100, allow_none=True).tag(sync=True)


class BoundedFloatText(FloatText):
    """``FloatText`` with ipywidgets' default bounds (0 to 100)."""

    min = t.Float(0.0, allow_none=True).tag(sync=True)
    max = t.Float(100.0, allow_none=True).tag(sync=True)


class _Selection(Control):
    """One value out of ``options``: values or ``(label, value)`` pairs, as in ipywidgets.

    Only the labels and the chosen index travel to the page, so values may be
    any Python objects.
    """

    options = t.Any(())
    value = t.Any(None)
    index = t.Int(None, allow_none=True).tag(sync=True)
    _labels = t.List(t.Unicode()).tag(sync=True)

    def __init__(self, options=(), value=_UNSET, **kwargs):
        self._pairs = []
        self._syncing = False
        super().__init__(**kwargs)
        self.options = options
        if value is not _UNSET:
            self.value = value

    @property
    def label(self):
        """The label of the chosen option."""
        return None if self.index is None else self._pairs[self.index][0]

    def _values(self):
        return [v for _, v in self._pairs]

    @t.validate("options")
    def _check_options(self, proposal):
        opts = proposal.value
        if isinstance(opts, (str, bytes, dict)) or not hasattr(opts, "__iter__"):
            raise TypeError(f"{self._name()}: options must be a list of values or (label, value) pairs, "
                            f"got {opts!r}")
        return tuple(tuple(o) if isinstance(o, list) and len(o) == 2 else o for o in opts)

    @t.observe("options")
    def _options_changed(self, change):
        self._pairs = [(str(o[0]), o[1]) if isinstance(o, tuple) and len(o) == 2 else (str(o), o)
                       for o in change.new]
        values = self._values()
        keep = self.value if self.value in values else (values[0] if values else None)
        with self._hold():
            self._labels = [label for label, _ in self._pairs]
            self.index = values.index(keep) if values else None
            self.value = keep

    @t.validate("value")
    def _check_value(self, proposal):
        v = proposal.value
        values = self._values()
        if v not in values and not (v is None and not values):
            choices = ", ".join(repr(x) for x in values)
            raise ValueError(f"{self._name()} must be one of {choices}; got {v!r}")
        return v

    def _hold(self):
        control = self

        class _Guard:
            def __enter__(self):
                control._syncing = True

            def __exit__(self, *exc):
                control._syncing = False

        return _Guard()

    @t.observe("value")
    def _value_changed(self, change):
        if not self._syncing:
            with self._hold():
                self.index = self._values().index(change.new) if self._pairs else None

    @t.observe("index")
    def _index_changed(self, change):
        if self._syncing or change.new is None:
            return
        if not 0 <= change.new < len(self._pairs):
            raise ValueError(f"{self._name()}: index {change.new} is not among 0..{len(self._pairs) - 1}")
        with self._hold():
            self.value = self._pairs[change.new][1]


class Dropdown(_Selection):
    """A labelled ``<select>``."""

    _kind = t.Unicode("dropdown").tag(sync=True)


class ToggleButtons(_Selection):
    """One choice of a few, as segmented buttons that are a radio group underneath.

    ``tooltips`` (one per option) become the buttons' titles.
    """

    _kind = t.Unicode("toggles").tag(sync=True)
    tooltips = t.List(t.Unicode()).tag(sync=True)


class Checkbox(Control):
    """A checkbox named by its description (``indent`` is accepted and ignored)."""

    _kind = t.Unicode("checkbox").tag(sync=True)
    value = t.Bool(False).tag(sync=True)

    def __init__(self, value=False, indent=None, **kwargs):
        super().__init__(value=value, **kwargs)


class Text(_Typed):
    """A labelled one-line text field. Typed text reaches Python on Enter or when the
    field loses focus; ``check(text)`` (if given) returns the text to keep or raises
    ValueError saying why it is refused, and a refused text leaves the value as it was."""

    _kind = t.Unicode("text").tag(sync=True)
    value = t.Unicode("").tag(sync=True)
    placeholder = t.Unicode("").tag(sync=True)
    continuous_update = t.Bool(False).tag(sync=True)

    def __init__(self, value="", check=None, **kwargs):
        self.check = check
        super().__init__(**kwargs)
        if value != "":  # "" is the default; a check may refuse it (it is never checked)
            self.value = value

    def enter_text(self, text):
        """Take ``text`` as if typed and confirmed; True when it was taken."""
        try:
            kept = self.check(text) if self.check is not None else text
        except (TypeError, ValueError) as err:
            self._refuse(f"{self._name()}: {err}; not taken, the previous text stays")
            return False
        return self._take(kept)


class Textarea(Control):
    """A labelled, resizable text area."""

    _kind = t.Unicode("textarea").tag(sync=True)
    value = t.Unicode("").tag(sync=True)
    placeholder = t.Unicode("").tag(sync=True)
    rows = t.Int(4).tag(sync=True)


class _DisclosureButton(Control):
    _kind = t.Unicode("disclosure").tag(sync=True)
    expanded = t.Bool(False).tag(sync=True)


class Disclosure(ipywidgets.VBox):
    """A button that shows or hides ``children`` (its ``aria-expanded`` says which).

    ``expanded`` opens or closes it from code; ``button`` is the header control.
    """

    def __init__(self, children=(), description="", expanded=False, **kwargs):
        self.button = _DisclosureButton(description=description, expanded=expanded)
        self.body = ipywidgets.VBox(list(children))
        super().__init__([self.button, self.body], **kwargs)
        self.button.observe(self._toggled, names="expanded")
        self._toggled(None)

    @property
    def expanded(self):
        return self.button.expanded

    @expanded.setter
    def expanded(self, value):
        self.button.expanded = bool(value)

    def _toggled(self, _change):
        self.body.layout.display = None if self.button.expanded else "none"


class StatusLine(Control):
    """HTML (``value``, as ``ipywidgets.HTML``) announced through a polite live region: a
    screen reader reads the status when the user is idle, without interrupting. A text
    that changes several times a second (a run's progress) is announced at most every
    four seconds, and its last value always.

    ``lines`` > 0 gives the line a fixed height of that many lines of text (a
    longer text scrolls inside it, and the box can then be reached with Tab),
    so plots below it do not jump as the text changes; 0 lets it take the
    height of its text.
    """

    _kind = t.Unicode("status").tag(sync=True)
    value = t.Unicode("").tag(sync=True)
    lines = t.Int(0, help="fixed height in lines of text; 0: as tall as the text").tag(sync=True)


class Button(Control):
    """A button with the ipywidgets ``Button`` API the panels use (``description``,
    ``icon``, ``button_style``, ``tooltip``, ``disabled``, ``on_click``, ``click()``).

    The differences are for keyboard and screen-reader users:

    * ``pressed`` (None, True or False): a button that toggles something (Pause)
      says whether it is pressed (``aria-pressed``) instead of only changing its
      label;
    * a button that is disabled while it has keyboard focus (Train, when a run
      starts) would drop the focus to the page: it asks Python where the focus
      should go, and ``focus_successor`` (a control, or a function returning one)
      gets it. Without a successor the button takes the focus back when it is
      enabled again, if the focus has not moved meanwhile;
    * the colours of ``button_style`` have a contrast of at least 4.5:1.
    """

    _kind = t.Unicode("button").tag(sync=True)
    icon = t.Unicode("").tag(sync=True)
    button_style = t.Unicode("").tag(sync=True)
    pressed = t.Bool(None, allow_none=True).tag(sync=True)

    def __init__(self, description="", focus_successor=None, **kwargs):
        self._click_callbacks = []
        self.focus_successor = focus_successor
        super().__init__(description=description, **kwargs)

    def on_click(self, callback, remove=False):
        """Call ``callback(button)`` when the button is pressed."""
        if remove:
            self._click_callbacks.remove(callback)
        else:
            self._click_callbacks.append(callback)

    def click(self):
        """Press the button (from code, or for the page)."""
        for callback in list(self._click_callbacks):
            callback(self)

    def _on_front_end_message(self, widget, content, buffers):
        if isinstance(content, dict) and content.get("event") == "click":
            if not self.disabled:  # a click queued before the button was disabled
                self.click()
        elif isinstance(content, dict) and content.get("event") == "focus_lost":
            self._hand_focus_on()
        else:
            super()._on_front_end_message(widget, content, buffers)

    def _hand_focus_on(self):
        """The page says: this button was disabled while it had the focus."""
        target = self.focus_successor
        if callable(target) and not isinstance(target, ipywidgets.Widget):
            target = target()
        if target is not None and not getattr(target, "disabled", False):
            target.focus()
