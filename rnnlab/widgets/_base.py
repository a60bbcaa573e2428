"""What every panel is made of: a canvas, a background runner, safe handlers.

* :class:`Canvas` (in ``_canvas.py``) -- a matplotlib ``Figure`` (object-oriented
  API, Agg, never pyplot) rendered to PNG bytes for the pixels the page gives
  it, with a text alternative. nbval never sees it (a comm message, not an
  output). Panels update artists in place and call :meth:`Canvas.draw`, or
  :meth:`Canvas.draw_dynamic` to re-render only the artists that move.
* :class:`Runner` -- one daemon thread at a time, with stop and pause events,
  for training that must not freeze the notebook. Only widget traits are set
  from the thread; nothing prints.
* :class:`Panel` -- state + controls + view, made by one lifecycle from a
  declarative settings table (:mod:`rnnlab.widgets._settings`). Handlers are
  wrapped so an exception is shown in the panel's message line instead of
  killing it, and every panel can be driven from code (``set(...)``, a
  control's ``value``, a method, ``wait()``, then read the result).
"""
from __future__ import annotations

import contextlib
import functools
import html
import json
import math
import threading
import time
import traceback
import weakref

from matplotlib.ticker import FuncFormatter

from .. import __version__
from ._canvas import CELL_STYLES, INK, PALETTE, RUN_STYLES, STYLE, Canvas  # noqa: F401
from ._controls import StatusLine
from ._factory import make_control, set_bounds
from ._settings import Float, Int, _same, check_settings, translate_aliases

# colour-blind safe (Okabe-Ito, see _canvas.PALETTE); lines that share a plot also differ in style
COLORS = {"train": PALETTE["blue"], "valid": PALETTE["vermillion"], "target": "#333333",
          "pred": PALETTE["vermillion"], "rnn": CELL_STYLES["rnn"]["color"],
          "gru": CELL_STYLES["gru"]["color"], "lstm": CELL_STYLES["lstm"]["color"]}


def _decade(v, _pos=None):
    """``1e-06`` for a power of ten: plain text, where matplotlib's default log labels are
    mathtext, several times slower to draw."""
    return f"1e{int(round(math.log10(v)))}" if v > 0 else ""


DECADES = FuncFormatter(_decade)  # plain-text log tick labels


class Runner:
    """Runs one job at a time in a daemon thread, with stop and pause.

    ``start(fn)`` refuses (returns False) while a job runs, so pressing Train
    twice can never start overlapping runs. ``fn`` receives the runner and
    should call :meth:`checkpoint` often: it blocks while paused and returns
    False once a stop was asked for.
    """

    _all = weakref.WeakSet()

    def __init__(self, name="rnnlab-runner"):
        self.name = name
        self._thread = None
        self._finishing = False
        self.stop_event = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self.error = None
        self.error_traceback = None
        Runner._all.add(self)

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    @property
    def paused(self):
        return not self._resume.is_set()

    @property
    def finishing(self):
        """True while a job that has returned runs its ``on_done`` (a final redraw, say)."""
        return self.running and self._finishing

    def start(self, fn, on_done=None):
        if self.running:
            return False
        self.stop_event.clear()
        self._resume.set()
        self.error = None
        self._finishing = False

        def body():
            try:
                fn(self)
            except Exception as err:  # shown by the panel; never lost
                self.error = err
                self.error_traceback = traceback.format_exc()
            finally:
                self._finishing = True
                if on_done is not None:
                    try:
                        on_done(self)
                    except Exception as err:
                        self.error = self.error or err

        self._thread = threading.Thread(target=body, name=self.name, daemon=True)
        self._thread.start()
        return True

    def checkpoint(self):
        """Block while paused; return False if the job should stop."""
        while not self._resume.wait(0.05):
            if self.stop_event.is_set():
                return False
        return not self.stop_event.is_set()

    def pause(self):
        self._resume.clear()

    def resume(self):
        self._resume.set()

    def stop(self, wait=True, timeout=2.0):
        """Ask the job to stop and (by default) wait for it; True if it has ended."""
        self.stop_event.set()
        self._resume.set()
        if wait:
            return self.join(timeout)
        return not self.running

    def join(self, timeout=None):
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @classmethod
    def running_jobs(cls):
        """Every runner with a live thread (so none is ever left running unseen)."""
        return [r for r in list(cls._all) if r.running]


def setting_property(name, doc=None):
    """A read-only panel attribute that is the current value of setting ``name``.

    ``hidden_size = setting_property("hidden_size")`` in a panel's class body;
    the value changes through :meth:`Panel.set` or the control, never here.
    """

    def get(panel):
        return panel._values[name]

    return property(get, doc=doc or f"The {name!r} setting (change it with ``set``).")


def settings_dict(settings):
    """A copy of ``settings`` given as a dict or as a JSON object (what ``to_json`` writes).

    Text that is not JSON raises ValueError, anything but a dict or a JSON
    object TypeError; the entries themselves are not checked here.
    """
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except json.JSONDecodeError as err:
            raise ValueError(f"settings are not valid JSON: {err} (got {settings[:60]!r})"
                             ) from None
    if not isinstance(settings, dict):
        raise TypeError("settings must be a dict or a JSON object, got "
                        f"{type(settings).__name__} {settings!r}")
    return dict(settings)


def message_html(text, kind="info"):
    # every colour at least 4.5:1 on white; the words say the kind too ("error", "stopped")
    colors = {"info": "#333", "ok": "#1a7f37", "warn": "#9a6700", "error": "#cf222e"}
    return (f'<span style="color:{colors.get(kind, "#333")};font-family:monospace;'
            f'white-space:pre-wrap">{html.escape(str(text))}</span>')


class Panel:
    """Base of every panel: one lifecycle, a settings table, a status and a message line.

    A panel declares its settings in ``SETTINGS`` (a tuple of
    :class:`~rnnlab.widgets._settings.Setting`) and this class does the rest
    the same way for every panel:

    1. the constructor checks every setting against the table (TypeError or
       ValueError naming the setting, what it takes and what was given)
       before any widget exists;
    2. the lifecycle runs in one order: :meth:`_build_controls` (one control
       per setting, from :func:`~rnnlab.widgets._factory.make_control`),
       :meth:`_build_views` (canvases), :meth:`_build_layout` (returns the root
       box, the one place a panel's layout is written), :meth:`_wire`,
       :meth:`_first_draw`;
    3. a control's change, :meth:`set` and :meth:`load_settings` all go
       through :meth:`_change`: checked against the table, shown on the
       controls, then handed to the panel's :meth:`_apply` once;
    4. :meth:`settings` and :meth:`to_json` read the same table.

    Handlers are wrapped (:meth:`safe`) so an exception is shown in the
    message line instead of escaping; a refused or adjusted value is said in
    the status line (:meth:`notify`). Displaying the panel displays
    ``widget``; nothing is printed.
    """

    SETTINGS = ()
    css = "rnnlab-panel"
    panel_name = "panel"  # the "panel" entry of to_json()

    #: lines of text the status line keeps room for (a fixed height: plots below never jump)
    STATUS_LINES = 3

    def __init__(self, **settings):
        # both are polite live regions: a screen reader reads each new text when the user is idle
        self.message = StatusLine(value="")
        self.message.add_class("rnnlab-message")
        self.status = StatusLine(value="", lines=self.STATUS_LINES)
        self.status.add_class("rnnlab-status")
        self.errors = []  # (when, text) of every exception a handler caught
        self._quiet = False  # the dispatcher ignores changes the panel makes itself
        self._status = ("", "info")
        self._notice = ""
        self._values = check_settings(self.SETTINGS, settings, panel=type(self).__name__)
        self.controls, self.buttons = {}, {}
        # the lifecycle, the same for every panel
        self._build_controls()
        self._build_views()
        self.widget = self._build_layout()
        self.widget.add_class(self.css)
        self._wire()
        self._refresh_enabled()
        self._first_draw()

    # -- the lifecycle's steps (subclasses extend them) -------------------------------------
    def _build_controls(self):
        """One control per setting that has one, all from the one factory."""
        for s in self.SETTINGS:
            if s.control:
                self.controls[s.name] = make_control(s, self._values[s.name], self._values,
                                                     notify=self.notify)

    def _build_views(self):
        """Make the canvases (and other output widgets)."""

    def _build_layout(self):
        """Return the root widget: the one place where the panel's layout is written."""
        raise NotImplementedError

    def _wire(self):
        """Every settings control reports to :meth:`_control_changed`; subclasses add buttons."""
        for s in self._with_controls():
            handler = functools.partial(self._control_changed, s.name)
            self.controls[s.name].observe(self.safe(handler, where=s.label), names="value")

    def _first_draw(self):
        """Compute and draw what the settings say, once everything exists."""

    def _apply(self, changed, old):
        """React to settings that changed (``changed``: their names; ``old``: the values before).

        Called once per :meth:`set`, load or control change, after the
        controls show the new values.
        """

    # -- settings -------------------------------------------------------------------------
    def settings(self):
        """The current settings, as a dict (the table's names, in its order)."""
        return dict(self._values)

    def set(self, **settings):
        """Change several settings at once; the panel recomputes and redraws once.

        Every value is checked first (TypeError/ValueError naming the setting,
        what it takes and what was given); nothing changes if any is refused.
        """
        self._change(settings)

    def to_json(self):
        """The settings as a JSON string to share (:meth:`load_settings` reads it back)."""
        out = {"rnnlab": __version__, "panel": self.panel_name}
        out.update({s.name: s.to_json(self._values[s.name]) for s in self.SETTINGS})
        out.update(self._json_extras())
        return json.dumps(out, indent=1)

    def load_settings(self, settings):
        """Apply settings from a dict or a JSON string (as :meth:`to_json` wrote).

        Unknown names or values a setting cannot take raise ValueError or
        TypeError naming them; nothing is changed in that case.
        """
        settings = settings_dict(settings)
        settings.pop("rnnlab", None)
        panel = settings.pop("panel", self.panel_name)
        if panel != self.panel_name:
            raise ValueError(f"these settings are for the {panel!r} panel, not the "
                             f"{self.panel_name!r} panel")
        apply_extras = self._load_extras(settings)  # checks; applied after the settings
        self._change(settings)
        if apply_extras is not None:
            apply_extras()

    def _json_extras(self):
        """More entries for :meth:`to_json` (teacher mode's hidden controls, say)."""
        return {}

    def _load_extras(self, settings):
        """Take this panel's extra entries out of ``settings`` and check them.

        Returns None or a function that applies them (called after the settings).
        """
        return None

    def _with_controls(self):
        """The settings that have a control (others are fixed when the panel is made)."""
        return [s for s in self.SETTINGS if s.control]

    def _setting(self, name):
        for s in self.SETTINGS:
            if s.name == name:
                return s
        raise KeyError(name)

    def _expand(self, given):
        """Settings that follow others (a task's suggested values, say): add them to ``given``."""
        return given

    def _change(self, given, adjust=False):
        """Check ``given`` against the table, show it on the controls, then :meth:`_apply`.

        From code (``adjust=False``) any refused value raises and nothing
        changes. From a control (``adjust=True``) a setting whose allowed range
        moved under it (``k`` when ``T`` shrinks) is brought into range and the
        note about it returned; the changed setting itself must still fit.
        """
        self._settle()
        given = translate_aliases(self.SETTINGS, given, type(self).__name__)
        given = self._expand(given)
        old = self._values
        notes = []
        if adjust:
            values = self._fit(given, notes)
        else:
            values = check_settings(self.SETTINGS, given, old, panel=type(self).__name__,
                                    fixed_ok=False)
        changed = [name for name in values if not _same(values[name], old[name])]
        if self._busy():
            frozen = [n for n in changed if not self._setting(n).live]
            if frozen:
                raise RuntimeError(f"stop training before changing {', '.join(frozen)}")
        self._values = values
        self._show_values(values)
        if changed:
            self._apply(set(changed), old)
        return notes

    def _fit(self, given, notes):
        """Like :func:`check_settings`, but settings not given are moved into range, with a note."""
        values = {}
        for s in self.SETTINGS:
            if s.name in given:
                values[s.name] = s.check(given[s.name], values)
                continue
            current = self._values[s.name]
            try:
                values[s.name] = s.check(current, values)
            except (TypeError, ValueError):
                values[s.name] = fitted = _nearest(s, current, values)
                notes.append(f"{s.label} is now {_show(fitted)} (was {_show(current)}): it must "
                             f"be {s.allowed(values)}.")
        return values

    def _show_values(self, values):
        """Put ``values`` (already checked) on the controls, with their current ranges."""
        with self._quietly():
            for s in self._with_controls():
                control = self.controls[s.name]
                set_bounds(control, s, values, keep=values[s.name])
                if not _same(control.value, values[s.name]):
                    control.value = values[s.name]
                set_bounds(control, s, values)
        self._refresh_enabled()

    def _control_changed(self, name, change):
        """The one handler of every settings control."""
        if self._quiet:
            return
        setting = self._setting(name)
        control = change.owner
        if self._busy() and not setting.live:
            # a change that raced the Train press: put the control back so that it
            # always shows what the running model really uses
            with self._quietly():
                control.value = change.old
            self.notify(f"{setting.label} cannot change while training: press Stop first.")
            return
        try:
            notes = self._change({name: change.new}, adjust=True)
        except (TypeError, ValueError) as err:
            with self._quietly():
                control.value = self._values[name]
            self.notify(f"{setting.label} stays {_show(self._values[name])}: {err}.")
            return
        # (a number typed beyond a slider's range never gets here: the control refuses it,
        # says why under itself and in the status line, and keeps its value)
        if notes:
            self.notify(" ".join(notes))
        else:
            self.clear_notice()

    # -- enabled and disabled ---------------------------------------------------------------
    def _settle(self):
        """Let background work that is only finishing end first."""

    def _busy(self):
        """True while the panel works in the background (settings that are not live wait)."""
        return False

    def _inactive(self, name):
        """True for a control that does not apply now (activation for a gated cell, say)."""
        return False

    def _refresh_enabled(self, busy=None):
        busy = self._busy() if busy is None else busy
        for s in self._with_controls():
            self.controls[s.name].disabled = bool((busy and not s.live) or self._inactive(s.name))

    # -- status and messages --------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _set_status(self, text, kind="info"):
        """What the panel is doing or has done, in the status line."""
        self._status = (text, kind)
        self._render_status()

    def notify(self, text):
        """Say in the status line that an input was refused or adjusted (until the next action)."""
        self._notice = str(text)
        self._render_status()

    def clear_notice(self):
        if self._notice:
            self._notice = ""
            self._render_status()

    @property
    def notice(self):
        """The note about the last refused or adjusted input ("" if none)."""
        return self._notice

    def _render_status(self):
        text, kind = self._status
        parts = [message_html(text, kind)] if text else []
        if self._notice:
            parts.append(message_html(self._notice, "warn"))
        self.status.value = "<br>".join(parts)

    def show_message(self, text, kind="info"):
        self.message.value = message_html(text, kind) if text else ""

    def report_error(self, err, where=""):
        """Show an exception in the panel and keep working.

        A ``ValueError`` or ``TypeError`` (a refused input) reads as its
        message; anything else also names its type.
        """
        what = str(err) if isinstance(err, (ValueError, TypeError)) and str(err) else (
            f"{type(err).__name__}: {err}")
        text = f"{where}: {what}" if where else what
        self.errors.append((time.time(), text))
        self.show_message(text, "error")

    def safe(self, fn, where=None):
        """Wrap a callback so an exception is shown in the panel instead of escaping."""
        where = where or getattr(fn, "__name__", "callback").strip("_")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as err:
                self.report_error(err, where)
                return None

        return wrapper

    def observe(self, widget, fn, names="value"):
        widget.observe(self.safe(fn), names=names)

    def on_click(self, button, fn):
        """Run ``fn()`` when ``button`` is pressed; an error shows under the button's name."""

        def pressed(_button):
            self.clear_notice()
            fn()

        button.on_click(self.safe(pressed, where=button.description or "button"))

    @contextlib.contextmanager
    def _quietly(self):
        """Set controls from code without the dispatcher reacting."""
        was, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = was

    def close(self):
        """Close every widget of the panel."""
        self.widget.close()


def _nearest(setting, value, values):
    """The allowed value nearest to ``value`` (a number clamped, else the default)."""
    if isinstance(setting, (Int, Float)):
        low, high = setting.bounds(values)
        return setting.check(min(max(value, low), high), values)
    try:
        return setting.check(setting.resolve_default(values), values)
    except (TypeError, ValueError):
        return setting.check(setting.options(values)[0][1], values)


def _show(value):
    return f"{value:g}" if isinstance(value, float) else str(value)

