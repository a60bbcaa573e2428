"""Unfolding: step a small RNN through time and see every number it uses.

::

    from rnnlab.widgets import UnfoldingView
    view = UnfoldingView(k=6, hidden_size=3)   # display it: last expression of a cell
    view.step(); view.step()            # or press "Step forward"
    view.h[-1], view.equation_text      # h_2 and the numbers that made it

The diagram shows the network unrolled for k steps: k copies of one cell with
the same ``w_x``, ``w_h``, ``w_y``. Each press of *Step forward* computes one
more hidden state with the library's own :func:`rnnlab.rnn_step_forward` and
writes the update out with the actual numbers,
``h_t = f(w_x x_t + w_h h_{t-1} + b_h)`` and ``y_t = w_y . h_t + b_y``.
The weights are those of a seeded :class:`rnnlab.SequenceModel` (simple RNN,
one input, one output), so :attr:`UnfoldingView.h` equals what
``model.rnn.forward`` computes on the same inputs.

Each hidden state is drawn as a row of its units (the lessons' m), blue for
negative values, red for positive (the scale ends at -1 and +1).
"""
from __future__ import annotations

import html
import re
import warnings

import ipywidgets
import numpy as np

from ..cells import rnn_step_forward
from ..model import SequenceModel
from ._base import Canvas, Panel, setting_property
from ._factory import make_button
from ._diagram import WEIGHT_COLORS, draw_fast, draw_unrolled, legend_html
from ._layout import column, controls_grid, row
from ._settings import Choice, Int, Text

MAX_K = 12
#: the default input: one period of a sine every 8 steps, to two decimals
DEFAULT_INPUT = ", ".join(f"{v:.2f}".replace("-0.00", "0.00")
                          for v in np.sin(2 * np.pi * np.arange(1, MAX_K + 1) / 8))
_NUMBER_SPLIT = re.compile(r"[,;\s]+")


def parse_sequence(text):
    """Numbers from text separated by commas, semicolons or spaces.

    Raises ValueError naming the first entry that is not a number.
    """
    if not isinstance(text, str):
        raise TypeError(f"the input must be text, got {type(text).__name__}")
    parts = [p for p in _NUMBER_SPLIT.split(text.strip()) if p]
    if not parts:
        raise ValueError("the input is empty: write numbers separated by commas, e.g. 0, 0.5, 1")
    values = []
    for i, p in enumerate(parts, 1):
        try:
            v = float(p)
        except ValueError:
            raise ValueError(f"entry {i}, {p!r}, is not a number: write numbers separated by "
                             "commas, e.g. 0, 0.5, 1") from None
        if not np.isfinite(v):
            raise ValueError(f"entry {i}, {p!r}, is not a finite number")
        values.append(v)
    return np.array(values)


def _inputs_text(values):
    """Numbers as the inputs box shows them: ``"0.5, 1, -2"``."""
    return ", ".join(f"{float(v):g}" for v in np.ravel(values))


def _count(text):
    return len(parse_sequence(text))


class UnfoldingView(Panel):
    """Step a simple RNN through k unfolded time steps, numbers and all.

    Parameters
    ----------
    k : int, 1..12, the number of unfolded steps (at most the number of inputs)
    hidden_size : int, 2..4, hidden units (the lessons' m; ``m=`` still works
        but is deprecated)
    activation : ``"tanh"``, ``"sigmoid"`` or ``"relu"``
    seed : int, for the initial weights
    inputs : the input sequence: text (comma-separated numbers) or numbers;
        at least k of them

    Examples
    --------
    >>> view = UnfoldingView(k=4)   # display `view` in a notebook to see it
    >>> view.run_all()
    4
    >>> view.h.shape
    (4, 3)
    """

    css = "rnnlab-unfolding"
    panel_name = "unfolding"
    SETTINGS = (
        # the inputs come first in the table: k is bounded by how many there are
        Text("inputs", DEFAULT_INPUT, parser=parse_sequence, to_text=_inputs_text,
             label="Inputs x_1, x_2, ...", width="520px",
             describe="text of numbers separated by commas, e.g. 0, 0.5, 1",
             tooltip="numbers separated by commas, e.g. 0, 0.5, 1"),
        Int("k", 1, lambda v: min(MAX_K, _count(v["inputs"])), 6, label="Unfolded steps k",
            width="300px", why=lambda v: f"at most {MAX_K}, and at most the "
                                         f"{_count(v['inputs'])} inputs"),
        Int("hidden_size", 2, 4, 3, label="Hidden units m", width="300px", aliases=("m",)),
        Choice("activation", ("tanh", "sigmoid", "relu"), "tanh", label="Activation f",
               width="300px"),
        Int("seed", 0, 2**31 - 1, 0, label="Seed", widget="box", width="300px"),
    )

    def __init__(self, k=6, hidden_size=3, activation="tanh", seed=0, inputs=None, *, m=None):
        self._hs, self._ys, self._as = [], [], []
        self.diagram = None
        settings = dict(k=k, hidden_size=hidden_size, activation=activation, seed=seed,
                        inputs=DEFAULT_INPUT if inputs is None else inputs)
        if m is not None:  # the lessons' name for the hidden size, kept for old notebooks
            warnings.warn("UnfoldingView(m=...) is deprecated; use hidden_size=...",
                          DeprecationWarning, stacklevel=2)
            settings["hidden_size"] = m
        super().__init__(**settings)

    # -- the lifecycle ---------------------------------------------------------------------
    def _build_controls(self):
        super()._build_controls()
        self.buttons = {
            "step": make_button("step", "Step forward", "step-forward", "success",
                                "compute the next hidden state"),
            "back": make_button("back", "Back", "step-backward", "", "undo the last step"),
            "run_all": make_button("run_all", "Run all", "fast-forward", "",
                                   "compute every remaining step"),
            "reset": make_button("reset", "Reset", "undo", "", "back to h_0 = 0"),
        }

    def _build_views(self):
        # the legend is HTML under the figure (it wraps at any width), so the figure is all
        # diagram; redrawn for each width, its text never below 9 pt
        self.canvas = Canvas(7.2, 2.8, dpi=100, css="rnnlab-unfolding-diagram", min_height=250)
        self.ax = self.canvas.subplots()
        self.canvas.figure.subplots_adjust(left=0.01, right=0.99, top=0.98, bottom=0.02)
        self.canvas.on_resize(lambda: self._redraw(full=True))
        self.legend = ipywidgets.HTML()
        self.legend.add_class("rnnlab-legend")
        self.equation = ipywidgets.HTML()
        self.equation.add_class("rnnlab-equation")

    def _build_layout(self):
        c, b = self.controls, self.buttons
        settings = controls_grid([c["k"], c["hidden_size"], c["activation"], c["seed"]],
                                 min_width=280)
        bar = row([b["step"], b["back"], b["run_all"], b["reset"]])
        return column([settings, c["inputs"], bar, self.status, self.canvas.image, self.legend,
                       self.equation, self.message])

    def _wire(self):
        super()._wire()
        b = self.buttons
        self.on_click(b["step"], self.step)
        self.on_click(b["back"], self.back)
        self.on_click(b["run_all"], self.run_all)
        self.on_click(b["reset"], self.reset)

    def _first_draw(self):
        self._x = parse_sequence(self._values["inputs"])
        self._build_model()
        self._redraw(full=True)

    def _apply(self, changed, old):
        if "inputs" in changed:
            self._x = parse_sequence(self._values["inputs"])
            self._hs, self._ys, self._as = [], [], []  # new inputs: start again from h_0
        if changed & {"hidden_size", "activation", "seed"}:
            self._build_model()
        if "k" in changed:
            del self._hs[self.k:], self._ys[self.k:], self._as[self.k:]
        self.show_message("")
        self._redraw(full=bool(changed - {"inputs"}))

    # -- state --------------------------------------------------------------------------
    k = setting_property("k", "Number of unfolded steps (the k slider).")
    hidden_size = setting_property("hidden_size", "Hidden units (the lessons' m).")

    @property
    def m(self):
        """Deprecated name of :attr:`hidden_size`."""
        warnings.warn("UnfoldingView.m is deprecated; use hidden_size", DeprecationWarning,
                      stacklevel=2)
        return self.hidden_size

    activation = setting_property("activation")

    @property
    def t(self):
        """Steps computed so far: 0 (only ``h_0``) up to k."""
        return len(self._hs)

    @property
    def h(self):
        """Hidden states computed so far, ``(t, m)``: ``h_1 ... h_t`` (``h_0`` is zero)."""
        return np.array(self._hs).reshape(self.t, self.hidden_size)

    @property
    def y(self):
        """Outputs computed so far, ``(t,)``."""
        return np.array(self._ys, dtype=float)

    @property
    def x(self):
        """The k inputs the network reads, ``(k,)``."""
        return self._x[: self.k].copy()

    @property
    def n_copies(self):
        """Copies of the cell in the diagram (equals k)."""
        return self.diagram.n_copies

    @property
    def params(self):
        """The weights in use: ``w_x (m, 1), w_h (m, m), b_h (m,), w_y (1, m), b_y (1,)``."""
        return {name: self.model.params[name] for name in ("w_x", "w_h", "b_h", "w_y", "b_y")}

    def _build_model(self):
        # a SequenceModel, so the output layer and seeding are exactly the library's
        self.model = SequenceModel(1, self.hidden_size, 1, cell="rnn", pattern="many-to-many",
                                   activation=self.activation, seed=self._values["seed"])
        self._hs, self._ys, self._as = [], [], []

    def set_inputs(self, values):
        """Use these inputs (text or numbers); resets to ``h_0``."""
        self.set(inputs=values)

    # -- stepping -------------------------------------------------------------------------
    def step(self):
        """Compute the next hidden state and output; returns the new ``t``."""
        if self.t >= self.k:
            self.show_message(f"all k = {self.k} steps are computed: Back, Reset or raise k",
                              "warn")
            return self.t
        self._advance()
        self.show_message("")
        self._redraw()
        return self.t

    def _advance(self):
        p = self.model.params
        t = self.t
        x_t = np.array([[self._x[t]]])  # (N=1, D=1)
        h_prev = self._hs[-1][None] if self._hs else np.zeros((1, self.hidden_size))  # (1, m)
        h_t, _ = rnn_step_forward(x_t, h_prev, p["w_x"], p["w_h"], p["b_h"], self.activation)
        a_t = x_t @ p["w_x"].T + h_prev @ p["w_h"].T + p["b_h"]  # shown in the equation
        y_t = h_t @ p["w_y"].T + p["b_y"]  # identity output, as the model's
        self._hs.append(h_t[0])
        self._as.append(a_t[0])
        self._ys.append(float(y_t[0, 0]))

    def back(self):
        """Undo the last step; returns the new ``t``."""
        if self._hs:
            self._hs.pop(), self._ys.pop(), self._as.pop()
        self.show_message("")
        self._redraw()
        return self.t

    def run_all(self):
        """Compute every remaining step up to k; returns ``t`` (= k)."""
        while self.t < self.k:
            self._advance()
        self.show_message("")
        self._redraw()
        return self.t

    def reset(self):
        """Back to the start, ``h_0 = 0`` (same weights)."""
        self._hs, self._ys, self._as = [], [], []
        self.show_message("")
        self._redraw()
        return self.t

    # -- the numbers --------------------------------------------------------------------------
    @property
    def equation_values(self):
        """The numbers of the current step (full precision), or {} at ``t = 0``.

        Keys: ``t, x_t, h_prev, w_x, w_h, b_h, a`` (the pre-activation), ``h_t``,
        ``w_y, b_y, y_t``.
        """
        t = self.t
        if t == 0:
            return {}
        p = self.model.params
        return {"t": t, "x_t": float(self._x[t - 1]),
                "h_prev": self._hs[t - 2].copy() if t > 1 else np.zeros(self.hidden_size),
                "w_x": p["w_x"][:, 0].copy(), "w_h": p["w_h"].copy(), "b_h": p["b_h"].copy(),
                "a": self._as[-1].copy(), "h_t": self._hs[-1].copy(),
                "w_y": p["w_y"][0].copy(), "b_y": float(p["b_y"][0]), "y_t": self._ys[-1]}

    @property
    def equation_text(self):
        """The current step's equations with the numbers plugged in, as plain text."""
        t, f = self.t, self.activation
        if t == 0:
            h_0 = _vec(np.zeros(self.hidden_size))
            return (f"t = 0 of {self.k}: h_0 = {h_0} (no context yet)\n"
                    f"next: h_1 = {f}(w_x x_1 + w_h h_0 + b_h)")
        v = self.equation_values
        lines = [
            f"step t = {t} of {self.k}: h_{t} = {f}(w_x x_{t} + w_h h_{t - 1} + b_h)",
            f"  w_x = {_vec(v['w_x'])}",
            f"  x_{t} = {_num(v['x_t'])}",
            f"  w_h = {_mat(v['w_h'])}",
            f"  h_{t - 1} = {_vec(v['h_prev'])}",
            f"  b_h = {_vec(v['b_h'])}",
            f"  a = w_x x_{t} + w_h h_{t - 1} + b_h = {_vec(v['a'])}",
            f"  h_{t} = {f}({_vec(v['a'])}) = {_vec(v['h_t'])}",
            f"y_{t} = w_y . h_{t} + b_y = {_vec(v['w_y'])} . {_vec(v['h_t'])} + {_sc(v['b_y'])}"
            f" = {_num(v['y_t'])}",
        ]
        return "\n".join(lines)

    def _equation_html(self):
        t, f, m = self.t, self.activation, self.hidden_size
        wx, wh, wy = (f'<b style="color:{WEIGHT_COLORS[n]}">w<sub>{n[2]}</sub></b>'
                      for n in ("w_x", "w_h", "w_y"))
        bh, by = "b<sub>h</sub>", "b<sub>y</sub>"

        def sym(name, i):
            return f"{name}<sub>{i}</sub>"

        style = ('font-family:monospace;font-size:13px;line-height:1.4;padding:4px 8px;'
                 'background:#fafafa;border:1px solid #e5e5e5;border-radius:4px;max-width:760px;'
                 'color:#1f1f1f')
        note = ('<div style="color:#595959;font-size:12px;margin-top:4px">The tutorial writes the '
                'same update as h<sub>t+1</sub> = f(w<sub>x</sub> x<sub>t</sub> + w<sub>h</sub> '
                'h<sub>t</sub> + b<sub>h</sub>), numbering the input after the state it meets; '
                'here x<sub>t</sub> is numbered with the state it produces.</div>')
        if t == 0:
            body = (f"<div><b>t = 0</b> of {self.k}: {sym('h', 0)} = {_col(np.zeros(m))} "
                    f"no context yet. <i>Step forward</i> computes "
                    f"{sym('h', 1)} = {f}({wx} {sym('x', 1)} + {wh} {sym('h', 0)} + {bh}).</div>")
            return f'<div style="{style}">{body}{note}</div>'
        v = self.equation_values
        xt, hp, ht, yt = sym("x", t), sym("h", t - 1), sym("h", t), sym("y", t)
        head = (f"<div><b>step t = {t}</b> of {self.k}: {ht} = {f}(a), "
                f"a = {wx} {xt} + {wh} {hp} + {bh}</div>")
        # three short rows rather than one: with m = 4 a single row is wider than a notebook
        row1 = _row(["a =", _col(v["w_x"], WEIGHT_COLORS["w_x"]), "&middot;", _sc(v["x_t"]), "+",
                     _matrix(v["w_h"], WEIGHT_COLORS["w_h"]), _col(v["h_prev"]), "+",
                     _col(v["b_h"]), "=", _col(v["a"])])
        row2 = _row([f"{ht} = {f}(a) = {f}(", _col(v["a"]), ")", "=", _col(v["h_t"], bold=True)])
        row3 = _row([f"{yt} = {wy} &middot; {ht} + {by} =",
                     _row_vec(v["w_y"], WEIGHT_COLORS["w_y"]), "&middot;", _col(v["h_t"]), "+",
                     _sc(v["b_y"]), "=", f"<b>{_num(v['y_t'])}</b>"])
        return f'<div style="{style}">{head}{row1}{row2}{row3}{note}</div>'

    # -- drawing ----------------------------------------------------------------------------------
    def _alt_text(self):
        """What the diagram shows, in words: the chain, the inputs, what is computed so far."""
        k, t, m = self.k, self.t, self.hidden_size
        text = (f"The RNN unrolled for k = {k} steps: {k} copies of one {self.activation} cell "
                f"with {m} hidden units, sharing the weights w_x, w_h and w_y; h_0 = 0 at the left. "
                f"Inputs x_1 to x_{k}: {_inputs_text(self.x)}.")
        if t == 0:
            return text + " No step computed yet."
        states = "; ".join(f"h_{i + 1} = {_vec(h)}" for i, h in enumerate(self._hs))
        outs = ", ".join(_num(y) for y in self._ys)
        rest = f" Steps {t + 1} to {k} not computed yet." if t < k else ""
        return (text + f" Computed {t} of {k} steps (step {t} highlighted): {states}. "
                f"Outputs y_1 to y_{t}: {outs}.{rest}")

    def _unit_values(self):
        vals = np.full((self.k, self.hidden_size), np.nan)
        if self._hs:
            vals[: self.t] = self.h
        return vals

    def _redraw(self, full=False):
        """Update the diagram (in place unless k or m changed) and the equation."""
        k, t = self.k, self.t
        yv = [*self._ys, *([None] * (k - t))]
        with self.canvas.lock:
            full = (full or self.diagram is None or self.diagram.n_copies != k
                    or len(self.diagram.unit_cells[0]) != self.hidden_size)
            if full:
                # a forward pass only: outputs are not marked as carrying loss
                self.diagram = draw_unrolled(self.ax, k, x_values=list(self.x), y_values=yv,
                                             h_units=self.hidden_size,
                                             h_unit_values=self._unit_values(),
                                             mark_loss=False, highlight=t - 1, legend=False)
            else:
                self.diagram.set_values(x=list(self.x), y=yv)
                self.diagram.set_unit_values(self._unit_values())
                self.diagram.set_highlight(t - 1)
            draw_fast(self.canvas, self.diagram, full=full)  # a step redraws only what changed
            self.canvas.alt = self._alt_text()
            if full:
                self.legend.value = legend_html(self.diagram, h_units=self.hidden_size)
        self.equation.value = self._equation_html()
        b = self.buttons
        b["step"].disabled = b["run_all"].disabled = t >= k
        b["back"].disabled = b["reset"].disabled = t == 0


# -- formatting numbers ----------------------------------------------------------------------
def _num(v):
    s = f"{v:.3f}"
    return "0.000" if s == "-0.000" else s


def _sc(v):
    """A scalar inside a sum or product: negative numbers in parentheses."""
    s = _num(v)
    return f"({s})" if s.startswith("-") else s


def _vec(v):
    return "[" + ", ".join(_num(x) for x in np.ravel(v)) + "]"


def _mat(a):
    return "[" + ", ".join(_vec(r) for r in a) + "]"


_BRACKET = ("display:inline-table;border-collapse:separate;border-spacing:7px 0;"
            "border-left:1.5px solid #444;border-right:1.5px solid #444;border-radius:5px;"
            "vertical-align:middle;margin:0 2px")


def _matrix(a, color=None, bold=False):
    a = np.atleast_2d(a)
    style = _BRACKET + (f";color:{color}" if color else "") + (";font-weight:bold" if bold else "")
    rows = "".join("<tr>" + "".join(f'<td style="text-align:right;padding:0">{html.escape(_num(x))}'
                                    "</td>" for x in r) + "</tr>" for r in a)
    return f'<table style="{style}">{rows}</table>'


def _col(v, color=None, bold=False):
    return _matrix(np.reshape(v, (-1, 1)), color, bold)


def _row_vec(v, color=None):
    return _matrix(np.reshape(v, (1, -1)), color)


def _row(parts):
    cells = "".join(f'<span style="display:inline-block;vertical-align:middle;margin:0 2px">{p}'
                    "</span>" for p in parts)
    return f'<div style="margin:6px 0;white-space:nowrap;overflow-x:auto">{cells}</div>'
