"""Panel settings as a table: what each setting takes, its default, and its checks.

Every panel declares its settings once, as a tuple of :class:`Setting` objects
(in the spirit of scikit-learn's ``@validate_params``)::

    SETTINGS = (
        Choice("cell", ("rnn", "gru", "lstm"), "rnn", label="Cell", widget="toggle"),
        Int("hidden_size", 1, 64, 16, label="Hidden size"),
        Int("k", 1, lambda v: v["T"], 4, label="Window k"),   # k <= T
    )

and :class:`rnnlab.widgets._base.Panel` derives from it the constructor's
checks, ``set()``, ``load_settings()``, ``settings()``/``to_json()``, the
controls (through one factory) and the parsing of values typed in the browser.

A bound, a list of choices or a default may be a function of the other
settings (``lambda v: v["T"]``), evaluated in table order, so "k is at most T"
is written where k is declared.

Errors read like the core's: a ``TypeError`` or ``ValueError`` that names the
setting, says what it takes and what was given::

    hidden_size must be an integer from 1 to 64, got 100
    unknown cell 'xyz'; valid: rnn, gru, lstm

This module knows nothing of widgets: it is plain Python, tested on its own.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np


def _resolve(spec, values):
    """A bound, choice list or default: a constant, or a function of the other settings."""
    return spec(values) if callable(spec) else spec


class Setting:
    """One setting of a panel.

    Parameters
    ----------
    name : the keyword argument, the key of ``settings()`` and of ``controls``
    default : a value, or a function of the settings before it in the table
    label : the control's description (default: the name)
    control : False for a setting fixed when the panel is made (no control)
    live : may change while the panel trains (the others are disabled then)
    aliases : deprecated keyword names that still work, with a DeprecationWarning
    widget : which kind of control shows it (see each subclass)
    width : CSS width of the control
    tooltip : a line of help shown on hover
    style : extra style attributes of the control (``{"button_width": "70px"}``)
    attrs : extra attributes of the control (``{"tooltips": [...]}``)
    """

    widget = None

    def __init__(self, name, default=None, *, label=None, control=True, live=False, aliases=(),
                 widget=None, width=None, tooltip="", style=None, attrs=None):
        self.name = name
        self.default = default
        self.label = label or name
        self.control = control
        self.live = live
        self.aliases = tuple(aliases)
        if widget is not None:
            self.widget = widget
        self.width = width
        self.tooltip = tooltip
        self.style = dict(style or {})
        self.attrs = dict(attrs or {})

    @property
    def fixed(self):
        """A setting without a control is fixed when the panel is made."""
        return not self.control

    def resolve_default(self, values):
        return _resolve(self.default, values)

    def check(self, value, values=None):
        """Return ``value`` normalised (``"LSTM"`` -> ``"lstm"``) or raise naming the setting."""
        return value

    def allowed(self, values=None):
        """What the setting takes, in words (``"an integer from 1 to 64"``)."""
        return "any value"

    def parse(self, text, values=None):
        """A value from text typed in the browser (then :meth:`check` it)."""
        return text

    def to_json(self, value):
        return value

    def _type_error(self, value, values):
        return TypeError(f"{self.name} must be {self.allowed(values)}, got "
                         f"{type(value).__name__} {value!r}")

    def _value_error(self, value, values):
        return ValueError(f"{self.name} must be {self.allowed(values)}, got {value!r}")


class _Number(Setting):
    """A number in ``[low, high]``; either bound may be a function of the other settings."""

    widget = "slider"
    kind = "number"

    def __init__(self, name, low, high, default, *, step=None, readout_format=None, why=None,
                 **kw):
        super().__init__(name, default, **kw)
        self.low, self.high = low, high
        self.step = step
        self.readout_format = readout_format
        self.why = why  # why the range is what it is (text, or a function of the settings)

    def bounds(self, values=None):
        values = values or {}
        return _resolve(self.low, values), _resolve(self.high, values)

    def allowed(self, values=None):
        low, high = self.bounds(values)
        if low is not None and high is not None:
            text = f"{self.kind} from {_fmt(low)} to {_fmt(high)}"
        elif low is not None:
            text = f"{self.kind} >= {_fmt(low)}"
        else:
            text = self.kind
        why = _resolve(self.why, values or {})
        return f"{text} ({why})" if why else text

    def _check_range(self, value, values):
        low, high = self.bounds(values)
        if (low is not None and value < low) or (high is not None and value > high):
            raise self._value_error(value, values)
        return value


class Int(_Number):
    """A whole number. ``widget``: ``"slider"`` (default) or ``"box"`` (a text box)."""

    kind = "an integer"

    def check(self, value, values=None):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise self._type_error(value, values)
        return self._check_range(int(value), values)

    def parse(self, text, values=None):
        text = str(text).strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"{text!r} is not a whole number")
        return int(number)  # "1e3" is 1000, as written


class Float(_Number):
    """A finite real number. ``widget``: ``"slider"`` (default), ``"log"`` (a log-scale
    slider between powers of ten) or ``"box"``."""

    kind = "a number"

    def check(self, value, values=None):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise self._type_error(value, values)
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{self.name} must be {self.allowed(values)}, got {value}")
        return self._check_range(value, values)

    def parse(self, text, values=None):
        text = str(text).strip()
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None


class Choice(Setting):
    """One of a list of values; strings compare case-insensitively.

    ``choices`` holds values or ``(label, value)`` pairs (a label is accepted
    for its value too: ``clip="off"``), or is a function of the other
    settings. ``aliases`` maps other accepted spellings to values
    (``{"gru": "gru-pytorch"}``); ``normalize`` rewrites a string before
    matching (the core's ``"many_to_one"`` -> ``"many-to-one"``).
    ``widget``: ``"dropdown"`` (default) or ``"toggle"``.
    """

    widget = "dropdown"

    def __init__(self, name, choices, default, *, value_aliases=None, normalize=None, **kw):
        super().__init__(name, default, **kw)
        self.choices = choices
        self.value_aliases = dict(value_aliases or {})
        self.normalize = normalize

    def options(self, values=None):
        """``[(label, value)]`` for the control."""
        out = []
        for c in _resolve(self.choices, values or {}):
            out.append(c if isinstance(c, tuple) else (str(c), c))
        return out

    def values(self, values=None):
        return [v for _, v in self.options(values)]

    def allowed(self, values=None):
        return "one of " + ", ".join(_show(v, label) for label, v in self.options(values))

    def check(self, value, values=None):
        return self.match(value, self.options(values))

    def match(self, value, options):
        """The value in ``options`` (``[(label, value)]``) that ``value`` names, or raise."""
        for _, v in options:  # exact match first (also for numbers: clip=0.5)
            if _same(value, v):
                return v
        if isinstance(value, str):
            key = value.strip().lower()
            if self.normalize is not None:
                key = self.normalize(key)
            key = self.value_aliases.get(key, key)
            for label, v in options:
                if (isinstance(v, str) and v.lower() == key) or str(label).lower() == key:
                    return v
        valid = ", ".join(_show(v, label) for label, v in options)
        if not isinstance(value, (str, numbers.Number, np.generic)) or isinstance(value, bool):
            raise TypeError(f"{self.name} must be one of {valid}; got {type(value).__name__} "
                            f"{value!r}")
        raise ValueError(f"unknown {self.name} {value!r}; valid: {valid}")


class Flag(Setting):
    """True or False (a checkbox)."""

    widget = "checkbox"

    def allowed(self, values=None):
        return "True or False"

    def check(self, value, values=None):
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise self._type_error(value, values)


class Text(Setting):
    """Free text, checked by ``parser(text)`` (which raises ValueError naming the problem).

    ``value`` accepts text, or anything ``to_text`` turns into text (a list of numbers).
    """

    widget = "text"

    def __init__(self, name, default, *, parser=None, to_text=None, describe="text", **kw):
        super().__init__(name, default, **kw)
        self.parser = parser
        self.to_text = to_text
        self.describe = describe

    def allowed(self, values=None):
        return self.describe

    def check(self, value, values=None):
        if not isinstance(value, str):
            if self.to_text is None:
                raise self._type_error(value, values)
            try:
                value = self.to_text(value)
            except (TypeError, ValueError):
                raise self._type_error(value, values) from None
        if self.parser is not None:
            try:
                self.parser(value)
            except ValueError as err:
                raise ValueError(f"{self.name}: {err} (got {value!r})") from None
        return value


class Multi(Setting):
    """A subset of ``choices``, in their order; a single name counts as one item.

    ``cells="gru"`` is ``("gru",)``: a string is never read letter by letter.
    """

    widget = "checkboxes"

    def __init__(self, name, choices, default, *, labels=None, **kw):
        super().__init__(name, default, **kw)
        self.choices = tuple(choices)
        self.labels = dict(labels or {})

    def allowed(self, values=None):
        return "a list of names from " + ", ".join(self.choices)

    def check(self, value, values=None):
        if isinstance(value, str):
            value = (value,)
        try:
            items = list(value)
        except TypeError:
            raise self._type_error(value, values) from None
        chosen = set()
        for item in items:
            if not isinstance(item, str):
                raise TypeError(f"{self.name} must be {self.allowed(values)}; got "
                                f"{type(item).__name__} {item!r} in it")
            key = item.strip().lower()
            if key not in self.choices:
                raise ValueError(f"unknown {self.name[:-1] if self.name.endswith('s') else self.name}"
                                 f" {item!r} in {self.name}; valid: {', '.join(self.choices)}")
            chosen.add(key)
        return tuple(c for c in self.choices if c in chosen)

    def to_json(self, value):
        return list(value)


# -- the table -----------------------------------------------------------------------------

def table_names(table):
    return [s.name for s in table]


def check_settings(table, given, current=None, *, panel="panel", fixed_ok=True):
    """Check ``given`` settings against ``table``; return the complete, normalised dict.

    ``current`` holds the values now in force (None when the panel is being
    made: every missing setting takes its default). Unknown names raise
    ValueError listing the valid ones; deprecated aliases are translated with
    a DeprecationWarning. Every setting is checked in table order against the
    values before it, so ``k`` is checked against the ``T`` being set.
    """
    by_name = {s.name: s for s in table}
    given = translate_aliases(table, given, panel)
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        raise ValueError(f"unknown setting{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))} for {panel}; valid: "
                         f"{', '.join(by_name)}")
    values = {}
    for s in table:
        if s.name in given:
            value = s.check(given[s.name], values)
            if (not fixed_ok and s.fixed and current is not None
                    and not _same(value, current[s.name])):
                raise ValueError(f"{s.name} is fixed when the panel is made (it is "
                                 f"{current[s.name]!r}); make a new panel with {s.name}={value!r}")
        elif current is not None:
            value = s.check(current[s.name], values)  # a bound may have moved under it
        else:
            value = s.check(s.resolve_default(values), values)
        values[s.name] = value
    return values


def translate_aliases(table, given, panel="panel"):
    """Rename deprecated keywords (``m`` -> ``hidden_size``) with a DeprecationWarning."""
    out = dict(given)
    for s in table:
        for alias in s.aliases:
            if alias in out:
                if s.name in out:
                    raise TypeError(f"give {s.name} or its old name {alias}, not both")
                warnings.warn(f"{panel}: {alias}= is deprecated; use {s.name}=", DeprecationWarning,
                              stacklevel=4)
                out[s.name] = out.pop(alias)
    return out


def _same(a, b):
    if isinstance(a, (bool, np.bool_)) != isinstance(b, (bool, np.bool_)):
        return False
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _fmt(x):
    return f"{x:g}" if isinstance(x, float) else str(x)


def _show(value, label):
    shown = value if isinstance(value, str) else _fmt(value)
    return shown if str(label).lower() == str(shown).lower() else f"{shown} ({label})"
