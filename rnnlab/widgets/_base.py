"""What every panel is made of: a canvas, a background runner, safe handlers.

* :class:`Canvas` (in ``_canvas.py``) -- a matplotlib ``Figure`` (object-oriented
  API, Agg, never pyplot) rendered to PNG bytes for the pixels the page gives
  it, with a text alternative. nbval never sees it (a comm message, not an
  output). Panels update artists in place and call :meth:`Canvas.draw`, or
  :meth:`Canvas.draw_dynamic` to re-render only the artists that move.
* :class:`Runner` -- one daemon thread at a time, with stop and pause events,
  for training that must not freeze the notebook. Only widget traits are set
  from the thread; nothing prints.
* :class:`Panel` -- state + controls + view. Handlers are wrapped so an
  exception is shown in the panel's message line instead of killing it, and
  every panel can be driven from code (set a control's ``value``, call a
  method, ``wait()``, read the result).
"""
from __future__ import annotations

import contextlib
import functools
import html
import math
import threading
import time
import traceback
import weakref

import ipywidgets as W
from matplotlib.ticker import FuncFormatter

from ._canvas import STYLE, Canvas  # noqa: F401  (panels import them from here)

COLORS = {"train": "#1f77b4", "valid": "#ff7f0e", "target": "#444444", "pred": "#d62728",
          "rnn": "#1f77b4", "gru": "#2ca02c", "lstm": "#9467bd"}


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


def message_html(text, kind="info"):
    colors = {"info": "#333", "ok": "#1a7f37", "warn": "#9a6700", "error": "#cf222e"}
    return (f'<span style="color:{colors.get(kind, "#333")};font-family:monospace;'
            f'white-space:pre-wrap">{html.escape(str(text))}</span>')


class Panel:
    """Base of every panel: a root widget, a message line, safe handlers.

    Subclasses build ``self.widget`` (the root box) and may use
    :meth:`safe` to wrap any callback. Displaying the panel displays its root
    widget; nothing is printed.
    """

    css = "rnnlab-panel"

    def __init__(self):
        self.message = W.HTML(value="")
        self.message.add_class("rnnlab-message")
        self.errors = []  # (when, text) of every exception a handler caught
        self._quiet = False  # observers that check it ignore changes made by the panel itself

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def show_message(self, text, kind="info"):
        self.message.value = message_html(text, kind)

    def report_error(self, err, where=""):
        """Show an exception in the panel and keep working."""
        text = f"{where + ': ' if where else ''}{type(err).__name__}: {err}"
        self.errors.append((time.time(), text))
        self.show_message(text, "error")

    def safe(self, fn):
        """Wrap a callback so an exception is shown in the panel instead of escaping."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as err:
                self.report_error(err, getattr(fn, "__name__", "callback").strip("_"))
                return None

        return wrapper

    def observe(self, widget, fn, names="value"):
        widget.observe(self.safe(fn), names=names)

    def on_click(self, button, fn):
        button.on_click(self.safe(lambda _b: fn()))

    @contextlib.contextmanager
    def _quietly(self):
        """Set controls from code without their observers reacting (those that check ``_quiet``)."""
        was, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = was

    def close(self):
        """Close every widget of the panel."""
        self.widget.close()


def button(description, css, icon="", style="", tooltip=""):
    b = W.Button(description=description, icon=icon, button_style=style, tooltip=tooltip,
                 layout=W.Layout(width="auto"))
    b.add_class(css)
    return b


def labelled(widget, css):
    """Give a control its CSS class and room for its whole description."""
    widget.add_class(css)
    widget.style.description_width = "initial"
    return widget


def style_controls(controls, widths=None, css=None):
    """Give every control of ``{name: widget}`` its CSS class and room for its description.

    The class is ``css(name)``, by default ``rnnlab-`` + the name with dashes
    for underscores; ``widths`` maps names to a layout width.
    """
    for name, w in controls.items():
        cls = css(name) if css is not None else f"rnnlab-{name.replace('_', '-')}"
        if hasattr(w.style, "description_width"):
            labelled(w, cls)
        else:
            w.add_class(cls)
        if widths and name in widths:
            w.layout.width = widths[name]


def wrapping_row(children):
    """An ``HBox`` that wraps onto more lines when narrow, its children centred in height."""
    # one Layout per box: a shared one would hide them all together
    return W.HBox(children, layout=W.Layout(flex_flow="row wrap", align_items="center"))
