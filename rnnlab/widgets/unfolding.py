"""Unfolding: step a small RNN through time and see every number it uses.

::

    from rnnlab.widgets import UnfoldingView
    view = UnfoldingView(k=6, m=3)      # display it: last expression of a cell
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

Each hidden state is drawn as a row of its m units, blue for negative values,
red for positive (the scale ends at -1 and +1).
"""
from __future__ import annotations

import html
import re

import ipywidgets as W
import numpy as np

from ..cells import rnn_step_forward
from ..model import SequenceModel
from ._base import Canvas, Panel, button, style_controls
from ._diagram import WEIGHT_COLORS, draw_fast, draw_unrolled

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


class UnfoldingView(Panel):
    """Step a simple RNN through k unfolded time steps, numbers and all.

    Parameters
    ----------
    k : int, 1..12, the number of unfolded steps
    m : int, 2..4, hidden units
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

    def __init__(self, k=6, m=3, activation="tanh", seed=0, inputs=None):
        super().__init__()
        self._hs, self._ys, self._as = [], [], []
        self._build_controls(k, m, activation, seed, inputs)
        self.canvas = Canvas(7.2, 3.3, dpi=100, css="rnnlab-unfolding-diagram")
        self.ax = self.canvas.subplots()
        self.canvas.figure.subplots_adjust(left=0.01, right=0.99, top=0.97, bottom=0.17)
        self.equation = W.HTML()
        self.equation.add_class("rnnlab-equation")
        self._build_layout()
        self._wire()
        self.diagram = None
        text = self.controls["inputs"].value
        self._x = parse_sequence(text)
        if len(self._x) < self.k:
            raise ValueError(f"inputs has {len(self._x)} numbers; k = {self.k} steps need {self.k}")
        self._build_model()
        self._redraw(full=True)

    # -- controls ---------------------------------------------------------------------
    def _build_controls(self, k, m, activation, seed, inputs):
        if inputs is None:
            inputs = DEFAULT_INPUT
        elif not isinstance(inputs, str):
            inputs = ", ".join(f"{float(v):g}" for v in np.ravel(inputs))
        c = {
            "k": W.IntSlider(value=k, min=1, max=MAX_K, description="Unfolded steps k",
                             continuous_update=False),
            "m": W.IntSlider(value=m, min=2, max=4, description="Hidden units m",
                             continuous_update=False),
            "activation": W.Dropdown(options=["tanh", "sigmoid", "relu"], value=activation,
                                     description="Activation f"),
            "seed": W.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="Seed"),
            "inputs": W.Text(value=inputs, description="Inputs x_1, x_2, ...",
                             continuous_update=False,
                             placeholder="numbers separated by commas, e.g. 0, 0.5, 1"),
        }
        style_controls(c, {**dict.fromkeys(c, "300px"), "inputs": "520px"})
        self.controls = c
        self.buttons = {
            "step": button("Step forward", "rnnlab-step", "step-forward", "success",
                           "compute the next hidden state"),
            "back": button("Back", "rnnlab-back", "step-backward", "", "undo the last step"),
            "run_all": button("Run all", "rnnlab-run-all", "fast-forward", "",
                              "compute every remaining step"),
            "reset": button("Reset", "rnnlab-reset", "undo", "", "back to h_0 = 0"),
        }

    def _build_layout(self):
        c, b = self.controls, self.buttons
        row1 = W.HBox([c["k"], c["m"], c["activation"], c["seed"]],
                      layout=W.Layout(flex_flow="row wrap"))
        bar = W.HBox([b["step"], b["back"], b["run_all"], b["reset"]],
                     layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([row1, c["inputs"], bar, self.canvas.image, self.equation,
                              self.message])
        self.widget.add_class(self.css)

    def _wire(self):
        c, b = self.controls, self.buttons
        self.on_click(b["step"], self.step)
        self.on_click(b["back"], self.back)
        self.on_click(b["run_all"], self.run_all)
        self.on_click(b["reset"], self.reset)
        self.observe(c["k"], self._k_changed)
        for name in ("m", "activation", "seed"):
            self.observe(c[name], self._weights_changed)
        self.observe(c["inputs"], self._inputs_changed)

    # -- state --------------------------------------------------------------------------
    @property
    def k(self):
        """Number of unfolded steps (the k slider)."""
        return self.controls["k"].value

    @property
    def m(self):
        """Hidden units."""
        return self.controls["m"].value

    @property
    def activation(self):
        return self.controls["activation"].value

    @property
    def t(self):
        """Steps computed so far: 0 (only ``h_0``) up to k."""
        return len(self._hs)

    @property
    def h(self):
        """Hidden states computed so far, ``(t, m)``: ``h_1 ... h_t`` (``h_0`` is zero)."""
        return np.array(self._hs).reshape(self.t, self.m)

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
        self.model = SequenceModel(1, self.m, 1, cell="rnn", pattern="many-to-many",
                                   activation=self.activation, seed=self.controls["seed"].value)
        self._hs, self._ys, self._as = [], [], []

    # -- reacting to controls -------------------------------------------------------------
    def _k_changed(self, change):
        if len(self._x) < change.new:
            self.controls["k"].value = change.old
            raise ValueError(f"the input has {len(self._x)} numbers but k = {change.new} steps "
                             f"need {change.new}: add numbers or keep k <= {len(self._x)}")
        del self._hs[change.new:], self._ys[change.new:], self._as[change.new:]
        self.show_message("")
        self._redraw(full=True)

    def _weights_changed(self, change):
        self._build_model()
        self.show_message("")
        self._redraw(full=True)

    def _inputs_changed(self, change):
        try:
            x = parse_sequence(change.new)
        except ValueError as err:  # shown in the panel; the view keeps the last good inputs
            raise ValueError(f"{err} (still using the previous inputs)") from None
        if len(x) < self.k:
            raise ValueError(f"need at least k = {self.k} numbers, got {len(x)}: add numbers "
                             "or lower k (still using the previous inputs)")
        self._x = x
        self._hs, self._ys, self._as = [], [], []
        self.show_message("")
        self._redraw(full=False)

    def set_inputs(self, values):
        """Use these inputs (text or numbers); resets to ``h_0``."""
        if not isinstance(values, str):
            values = ", ".join(f"{float(v):g}" for v in np.ravel(values))
        self.controls["inputs"].value = values

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
        h_prev = self._hs[-1][None] if self._hs else np.zeros((1, self.m))  # (1, m)
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
                "h_prev": self._hs[t - 2].copy() if t > 1 else np.zeros(self.m),
                "w_x": p["w_x"][:, 0].copy(), "w_h": p["w_h"].copy(), "b_h": p["b_h"].copy(),
                "a": self._as[-1].copy(), "h_t": self._hs[-1].copy(),
                "w_y": p["w_y"][0].copy(), "b_y": float(p["b_y"][0]), "y_t": self._ys[-1]}

    @property
    def equation_text(self):
        """The current step's equations with the numbers plugged in, as plain text."""
        t, f = self.t, self.activation
        if t == 0:
            return (f"t = 0 of {self.k}: h_0 = {_vec(np.zeros(self.m))} (no context yet)\n"
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
        t, f, m = self.t, self.activation, self.m
        wx, wh, wy = (f'<b style="color:{WEIGHT_COLORS[n]}">w<sub>{n[2]}</sub></b>'
                      for n in ("w_x", "w_h", "w_y"))
        bh, by = "b<sub>h</sub>", "b<sub>y</sub>"

        def sym(name, i):
            return f"{name}<sub>{i}</sub>"

        style = ('font-family:monospace;font-size:13px;line-height:1.4;padding:4px 8px;'
                 'background:#fafafa;border:1px solid #e5e5e5;border-radius:4px;max-width:760px')
        note = ('<div style="color:#777;font-size:11px;margin-top:4px">The tutorial writes the '
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
    def _unit_values(self):
        vals = np.full((self.k, self.m), np.nan)
        if self._hs:
            vals[: self.t] = self.h
        return vals

    def _redraw(self, full=False):
        """Update the diagram (in place unless k or m changed) and the equation."""
        k, t = self.k, self.t
        yv = [*self._ys, *([None] * (k - t))]
        with self.canvas.lock:
            full = (full or self.diagram is None or self.diagram.n_copies != k
                    or len(self.diagram.unit_cells[0]) != self.m)
            if full:
                # a forward pass only: outputs are not marked as carrying loss
                self.diagram = draw_unrolled(self.ax, k, x_values=list(self.x), y_values=yv,
                                             h_units=self.m, h_unit_values=self._unit_values(),
                                             mark_loss=False, highlight=t - 1)
            else:
                self.diagram.set_values(x=list(self.x), y=yv)
                self.diagram.set_unit_values(self._unit_values())
                self.diagram.set_highlight(t - 1)
            draw_fast(self.canvas, self.diagram, full=full)  # a step redraws only what changed
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
