"""What the activation function does to the hidden state and to the gradient.

::

    from rnnlab.widgets import ActivationView
    view = ActivationView()                       # display it: last expression of a cell
    view.set(activation="sigmoid", scale=2.0, T=40)
    view.grad_norms[0]                            # ||dh_T/dh_1||: tiny for the sigmoid

Left, the three activations and their derivatives. Middle, the hidden state
of a small RNN driven by a fixed input sequence. Right, how much a change of
``h_t`` still moves the last state ``h_T``: ``||dh_T/dh_t||`` on a log scale.
Going back one step multiplies the gradient by ``diag(f'(a_t)) w_h``, so its
size shrinks or grows by at most ``||w_h|| * max f'`` per step; the dashed
line on the right is that bound.

The numbers come from the core: an :class:`rnnlab.RNN` layer's ``forward`` and
``backward(..., return_dh=True)``.
"""
from __future__ import annotations

import ipywidgets
import matplotlib
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator
from matplotlib.transforms import offset_copy

from ..activations import derivative, get_activation
from ..layers import RNN
from ._base import DECADES, PALETTE, STYLE, Canvas, Panel, message_html, setting_property
from ._layout import column, controls_grid, row
from ._settings import Choice, Float, Int

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu")
MAX_DERIVATIVE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
# colour-blind safe, and each activation has its own marker as well as its colour
ACT_COLORS = {"sigmoid": PALETTE["blue"], "tanh": PALETTE["vermillion"], "relu": PALETTE["green"]}
ACT_MARKERS = {"sigmoid": "o", "tanh": "s", "relu": "^"}
#: below this width (CSS px) the two time plots stand one above the other
STACK_BELOW = 560
#: what each activation's curve shows, for the plot's text alternative
FUNCTION_WORDS = {
    "sigmoid": "sigmoid rises from 0 to 1 and its derivative peaks at 0.25 at a = 0.",
    "tanh": "tanh rises from -1 to 1 and its derivative peaks at 1 at a = 0, falling towards 0 "
            "on both sides.",
    "relu": "relu is 0 for negative a and a above; its derivative is 0 for a < 0 and 1 above.",
}
T_RANGE = (5, 60)
SCALE_RANGE = (0.1, 3.0)


def scaled_recurrent_weights(hidden_size, seed):
    """The view's ``w_h`` direction: spectral norm 1, so ``scale`` is ``||w_h||_2``.

    A scalar RNN gets ``[[1.0]]``; a larger one the layer's seeded initial
    ``w_h`` divided by its largest singular value.
    """
    if hidden_size == 1:
        return np.ones((1, 1))
    w_h = RNN(1, hidden_size, seed=seed).params["w_h"]
    return w_h / np.linalg.norm(w_h, 2)


def input_sequence(seed, length=T_RANGE[1]):
    """The fixed input ``x_t`` of every step, ``(length, 1, 1)`` values in [-1, 1].

    Drawn once for the longest sequence, so changing T only shortens or
    lengthens it; the seed picks another sequence.
    """
    rng = np.random.default_rng([int(seed), 7])  # a stream of its own, apart from the weights
    return rng.uniform(-1.0, 1.0, (length, 1, 1))


def run_small_rnn(activation, scale, T, seed=0, hidden_size=1):
    """Forward and backward through a small RNN; the numbers the view shows.

    The layer is ``rnnlab.RNN(1, H, activation)`` with ``w_h`` replaced by
    ``scale`` times a spectral-norm-1 matrix; for ``H = 1`` also ``w_x = 1``
    and ``b_h = 0``, so the state reads ``h_t = f(x_t + scale * h_{t-1})``.
    The batch holds ``H`` copies of the sequence and the loss gradient at the
    last step is the identity, so the per-step hidden gradients are the rows
    of the Jacobian ``dh_T/dh_t``.

    Returns
    -------
    x : ``(T,)`` inputs
    h : ``(T, H)`` hidden states ``h_1 .. h_T``
    grad_norms : ``(T,)`` Frobenius norms ``||dh_T/dh_t||``, ``t = 1 .. T``
    """
    H = hidden_size
    layer = RNN(1, H, activation=activation, seed=seed)
    layer.params["w_h"][...] = scale * scaled_recurrent_weights(H, seed)
    if H == 1:
        layer.params["w_x"][...] = 1.0
        layer.params["b_h"][...] = 0.0
    x = np.repeat(input_sequence(seed)[:T], H, axis=1)  # (T, H, 1): one copy per row of the Jacobian
    out, _, cache = layer.forward(x)
    dout = np.zeros_like(out)  # (T, H, H)
    dout[-1] = np.eye(H)  # d(h_T)/d(h_T): one unit vector per copy
    _, _, _, dh = layer.backward(dout, None, cache, return_dh=True)
    grad_norms = np.sqrt((dh["layer0"] ** 2).sum(axis=(1, 2)))
    return x[:, 0, 0], out[:, 0, :], grad_norms


class ActivationView(Panel):
    """Activation functions, and what they do to a small RNN over time.

    Parameters
    ----------
    activation : ``"sigmoid"``, ``"tanh"`` (default) or ``"relu"``
    scale : ``||w_h||`` (largest singular value of the recurrent weights),
        0.1 to 3
    T : steps to unroll, 5 to 60
    seed : picks the input sequence (and, for ``hidden_size > 1``, the weights)
    hidden_size : units of the RNN; 1 (default) makes every number a scalar:
        ``h_t = f(x_t + w_h h_{t-1})`` and ``dh_T/dh_t`` is a plain product
        of ``w_h f'(a_s)`` terms

    Attributes
    ----------
    trajectory : ``(T, H)`` hidden states ``h_1 .. h_T``
    grad_norms : ``(T,)`` ``||dh_T/dh_t||`` for ``t = 1 .. T``
    inputs : ``(T,)`` the input sequence

    Examples
    --------
    >>> view = ActivationView(activation="tanh", scale=0.5, T=30)
    >>> bool(view.grad_norms[0] < 1e-6)       # 30 steps of at most x0.5
    True
    >>> view.set(activation="relu", scale=2.0)
    >>> bool(view.grad_norms[0] > view.grad_norms[-1])
    True
    """

    css = "rnnlab-activation-view"
    panel_name = "activations"
    SETTINGS = (
        Choice("activation", ACTIVATION_NAMES, "tanh", label="Activation", widget="toggle",
               style={"button_width": "70px"}),
        Float("scale", *SCALE_RANGE, 1.0, step=0.05, label="||w_h||", width="300px"),
        Int("T", *T_RANGE, 30, label="Steps T", width="300px"),
        Int("seed", 0, 2**31 - 1, 0, label="Seed", widget="box", width="150px"),
        Int("hidden_size", 1, 16, 1, control=False),
    )

    def __init__(self, activation="tanh", scale=1.0, T=30, seed=0, hidden_size=1):
        self.trajectory = self.grad_norms = self.inputs = None
        super().__init__(activation=activation, scale=scale, T=T, seed=seed,
                         hidden_size=hidden_size)

    hidden_size = setting_property("hidden_size")

    # -- the lifecycle ------------------------------------------------------------------------
    def _build_views(self):
        self.readout = ipywidgets.HTML()
        self.readout.add_class("rnnlab-activation-readout")
        with matplotlib.rc_context(STYLE):
            self._build_view()

    def _build_layout(self):
        c = self.controls
        settings = controls_grid([c["activation"], c["scale"], c["T"], c["seed"]], min_width=280)
        # side by side when there is room, one above the other when narrow
        self.func_canvas.image.layout.flex = "1 1 300px"
        self.canvas.image.layout.flex = "2 1 440px"
        plots = row([self.func_canvas.image, self.canvas.image], align_items="flex-start")
        return column([settings, self.status, plots, self.readout, self.message])

    def _first_draw(self):
        self.update()

    def _apply(self, changed, old):
        self.update()

    # -- computing and drawing -------------------------------------------------------------
    def update(self):
        """Recompute from the settings and redraw."""
        s = self.settings()
        self.inputs, self.trajectory, self.grad_norms = run_small_rnn(
            s["activation"], s["scale"], s["T"], s["seed"], self.hidden_size)
        self._readout(s)
        self.draw()

    def _build_view(self):
        # two canvases: a slider other than the activation redraws only the time plots
        self.func_canvas = Canvas(3.4, 3.4, css="rnnlab-activation-functions", min_height=280)
        self.ax_f = self.func_canvas.subplots()
        self.func_canvas.figure.subplots_adjust(left=0.15, right=0.97, bottom=0.15, top=0.9)
        self.func_canvas.on_resize(lambda: self.draw(functions=True))
        self.canvas = Canvas(6.6, 3.4, css="rnnlab-activation-plot", height_for=self._time_height)
        self.ax_h, self.ax_g = self.canvas.subplots(1, 2)
        self.canvas.on_resize(self._time_resized)
        self._arrange_time_plots()
        self._function_plot_activation = self._legend_key = None  # what is drawn now
        # left: the functions (solid) and their derivatives (dashed), over a fixed range
        a = np.linspace(-5, 5, 401)
        ax = self.ax_f
        self._f_lines, self._d_lines = {}, {}
        for name in ACTIVATION_NAMES:
            f, _ = get_activation(name)
            look = dict(color=ACT_COLORS[name], marker=ACT_MARKERS[name], ms=5, markevery=50)
            (self._f_lines[name],) = ax.plot(a, f(a), label=name, **look)
            (self._d_lines[name],) = ax.plot(a, derivative(name, a), ls="--", **look)
        (self._peak,) = ax.plot([], [], "o", ms=5, color="k")
        self._peak_text = ax.text(0, 0, "", fontsize=9, ha="left", va="bottom")
        ax.set_xlim(-5, 5)
        ax.set_ylim(-1.15, 1.6)
        ax.set_xlabel("pre-activation a")
        ax.set_title("f(a) solid, f'(a) dashed")
        ax.legend(loc="lower right", handlelength=1.5)
        # middle: the inputs and the hidden state over time
        ax = self.ax_h
        (self._x_line,) = ax.plot([], [], "o", ms=2.5, color="#999999", label="input x_t")
        self._h_lines = [ax.plot([], [], lw=1.8 if self.hidden_size == 1 else 1.0,
                                 marker="." if self.hidden_size == 1 else None)[0]
                         for _ in range(self.hidden_size)]
        ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
        # no offset text ("1e6" above the axes) when relu explodes: it would push the title away
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.3g}"))
        ax.set_xlabel("step t")
        # right: the gradient reaching each step from h_T
        ax = self.ax_g
        ax.set_yscale("log")
        (self._g_line,) = ax.plot([], [], marker=".", ms=4, lw=1.8)
        (self._bound_line,) = ax.plot([], [], ls="--", color="#777777", lw=1)
        (self._zero_marks,) = ax.plot([], [], "x", color="#cf222e", ms=5,
                                      transform=ax.get_xaxis_transform(), clip_on=False)
        ax.set_xlabel("step t")
        ax.set_title("gradient reaching h_t from h_T")

    def _legends(self, act, has_zeros):
        """Legends whose handles show the current activation's colour."""
        color = ACT_COLORS[act]
        for line in (self._h_lines if self.hidden_size == 1 else ()):
            line.set_color(color)
        self._g_line.set_color(color)
        self._g_line.set_marker(ACT_MARKERS[act])
        kw = dict(loc="upper center", bbox_to_anchor=(0.5, 0.0), borderaxespad=0,
                  handlelength=1.6, columnspacing=1.0)
        h_label = "h_t" if self.hidden_size == 1 else f"h_t ({self.hidden_size} units)"
        handles = [self._g_line, self._bound_line] + ([self._zero_marks] if has_zeros else [])
        labels = ["||dh_T/dh_t||", "upper bound", "exactly 0"]
        # under the x-axis label, whatever the plot's height: 30 points below the axes
        for ax, hs, ls in ((self.ax_h, [self._x_line, self._h_lines[0]], ["input x_t", h_label]),
                           (self.ax_g, handles, labels[: len(handles)])):
            ax.legend(hs, ls, ncol=2, bbox_transform=offset_copy(
                ax.transAxes, fig=self.canvas.figure, y=-30, units="points"), **kw)

    def draw(self, functions=None):
        """Update the artists from the current results and render.

        The function plot is redrawn only when the activation changed (or
        ``functions=True``); the time plots always.
        """
        with matplotlib.rc_context(STYLE):  # titles and legends made here get the house style
            self._draw(functions)

    def _draw(self, functions):
        s = self.settings()
        act, T = s["activation"], s["T"]
        if functions or (functions is None and act != self._function_plot_activation):
            self._draw_functions(act)
        with self.canvas.lock:
            has_zeros = bool(np.any(self.grad_norms <= 0))
            if (act, has_zeros) != self._legend_key:
                self._legends(act, has_zeros)
                self._legend_key = (act, has_zeros)
            steps = np.arange(1, T + 1)
            ax = self.ax_h
            self._x_line.set_data(steps, self.inputs)
            for j, line in enumerate(self._h_lines):
                line.set_data(steps, self.trajectory[:, j])
            ax.set_xlim(0.5, T + 0.5)
            ax.relim()
            ax.autoscale_view(scalex=False)
            ax.set_title(f"hidden state, {act}, ||w_h|| = {s['scale']:.2f}")

            ax = self.ax_g
            g = self.grad_norms
            zero = g <= 0
            self._g_line.set_data(steps, np.where(zero, np.nan, g))
            per_step = s["scale"] * MAX_DERIVATIVE[act]
            with np.errstate(over="ignore", under="ignore"):
                bound = g[-1] * per_step ** (T - steps).astype(float)
            self._bound_line.set_data(steps, bound)
            self._zero_marks.set_data(steps[zero], np.full(zero.sum(), 0.03))  # at the axis bottom
            ax.set_xlim(0.5, T + 0.5)
            values = np.concatenate([g[~zero], bound[np.isfinite(bound) & (bound > 0)]])
            lo, hi = max(values.min(), 1e-300), values.max()
            hi = max(hi, lo * 10)
            ax.set_ylim(lo / 3, hi * 3)
            ax.yaxis.set_major_locator(LogLocator(numticks=6))
            ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost more than they show
            ax.yaxis.set_major_formatter(DECADES)
            self.canvas.draw()
            self.canvas.alt = self._time_alt(s)

    # -- sizes and words ---------------------------------------------------------------------
    def _time_height(self, width):
        """Both time plots side by side (the design's height), or stacked when narrow."""
        return 2 * 270 if width < STACK_BELOW else max(width * 3.4 / 6.6, 280)

    def _arrange_time_plots(self):
        """Place the two time plots for the canvas's size: margins in CSS px, legends below."""
        stacked = self.canvas.css_size()[0] < STACK_BELOW  # one above the other
        self.canvas.place_pair((self.ax_h, self.ax_g), stacked, left=56, right=12, top=30,
                               bottom=78, gap=28)

    def _time_resized(self):
        self._arrange_time_plots()
        self.draw()

    def _time_alt(self, s):
        act, T, g, h = s["activation"], s["T"], self.grad_norms, self.trajectory
        lo, hi = float(np.nanmin(h)), float(np.nanmax(h))
        unit = "1 unit" if self.hidden_size == 1 else f"{self.hidden_size} units"
        zero = np.flatnonzero(g <= 0)
        text = (f"Two plots over steps t = 1 to {T}. Left: the hidden state of a {act} RNN with "
                f"{unit} and ||w_h|| = {s['scale']:.2f}, driven by inputs between -1 and 1: h_t "
                f"stays between {lo:.3g} and {hi:.3g} and ends at {float(h[-1, 0]):.3g}. Right, on "
                f"a log scale: the gradient reaching h_t from h_T, ||dh_T/dh_t||, is "
                f"{g[-1]:.3g} at t = {T}")
        if zero.size:
            text += (f" and exactly 0 at {zero.size} step{'s' if zero.size > 1 else ''} (marked "
                     f"x, the first at t = {zero[-1] + 1} going back)")
        else:
            text += f" and {g[0]:.3g} at t = 1"
        per_step = s["scale"] * MAX_DERIVATIVE[act]
        return (text + f"; dashed, the bound ||w_h|| max f' = {per_step:.2f} per step back. "
                + self._verdict(s).capitalize() + ".")

    def _verdict(self, s):
        g = self.grad_norms
        first = g[0] / g[-1]
        if np.count_nonzero(g == 0):
            return ("a relu unit switched off on the way back, so f' = 0 there and no "
                    "gradient passes to earlier steps")
        if first < 1e-3:
            return "vanishing: almost nothing reaches the first step"
        if first > 1e3:
            return "exploding: the first step gets a huge gradient"
        return "the gradient survives the trip back"

    def _draw_functions(self, act):
        self._function_plot_activation = act
        with self.func_canvas.lock:
            for name in ACTIVATION_NAMES:
                sel = name == act
                for line in (self._f_lines[name], self._d_lines[name]):
                    line.set_linewidth(2.4 if sel else 1.0)
                    line.set_alpha(1.0 if sel else 0.3)
            peak_a = 0.0 if act != "relu" else 2.5
            peak = MAX_DERIVATIVE[act]
            self._peak.set_data([peak_a], [peak])
            self._peak_text.set_position((peak_a + 0.3, peak + 0.06))
            self._peak_text.set_text(f"max f' = {peak:g}" + ("\n(0 for a < 0)" if act == "relu" else ""))
            self.func_canvas.draw()
            self.func_canvas.alt = (
                f"The three activations for a pre-activation a from -5 to 5, each solid with its "
                f"derivative dashed; {act} highlighted. {FUNCTION_WORDS[act]} The largest "
                f"derivative is marked: max f' = {peak:g}.")

    def _readout(self, s):
        act, T = s["activation"], s["T"]
        per_step = s["scale"] * MAX_DERIVATIVE[act]
        g = self.grad_norms
        first = g[0] / g[-1]
        verdict = self._verdict(s)
        must = ", so it can only shrink" if per_step < 1 else ""
        text = (f"f = {act}: f' is at most {MAX_DERIVATIVE[act]:g}. One step back multiplies the "
                f"gradient by w_h f'(a_t), so by at most ||w_h|| max f' = {per_step:.2f}{must} "
                f"(dashed: that bound, step after step).\n"
                f"||dh_T/dh_1|| / ||dh_T/dh_T|| = {first:.2e} after {T - 1} steps back: {verdict}.")
        self.readout.value = message_html(text, "info")
