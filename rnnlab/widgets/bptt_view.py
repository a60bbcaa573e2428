"""Backpropagation through time, one step at a time, and what truncation costs.

::

    from rnnlab.widgets import BPTTView
    view = BPTTView(T=10, k=4)     # display it: last expression of a cell
    view.step_back()               # dL/dh_10 is known; press again for h_9 ...
    view.run_to_end()
    view.dh_norms                  # ||dL/dh_t|| for t = 1 .. T
    view.fidelity["cosine"]        # truncated against full gradient, per k

Top: the unrolled network. Each press of "Step back" moves the backward pass
one step from the loss towards ``t = 1``, using the core's
:func:`rnnlab.rnn_step_backward` on the cache of that step's
:func:`rnnlab.rnn_step_forward`, and colours the state it reached by
``||dL/dh_t||`` (norm over the batch and the hidden units). Truncated BPTT
with window ``k``, TBPTT(k), cuts the sequence into windows of ``k`` steps
from the start (as :mod:`rnnlab.bptt` does) and lets no gradient cross a
window's start: the states before the start of the last window are greyed,
because the gradient from the last step never reaches them there.

Bottom left: how far the truncated gradient is from the full one on the same
weights, for every ``k`` (:func:`rnnlab.truncation_fidelity`). Bottom right:
the measured time of one update, a forward and backward pass over one window
of ``k`` steps.
"""
from __future__ import annotations

import math
import time

import ipywidgets
import matplotlib
import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm, to_rgba
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .. import data
from ..bptt import truncation_fidelity
from ..cells import rnn_step_backward, rnn_step_forward
from ..model import SequenceModel
from ..patterns import select as select_patterns
from ._base import PALETTE, STYLE, Canvas, Panel, message_html, setting_property
from ._factory import make_button
from ._layout import column, controls_grid, row
from ._settings import Choice, Int

T_RANGE = (6, 20)
PATTERNS = select_patterns(one_input_step=False, needs_output_length=False)  # one sequence in
CMAP = colormaps["viridis"]
GREY_FACE, GREY_EDGE, GREY_TEXT = "#e4e4e4", "#b0b0b0", "#767676"  # text 4.5:1 on white
CUT_COLOR = "#cf222e"
#: below this width (CSS px) the fidelity and cost plots stand one above the other
STACK_BELOW = 620
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(n):
    """``12 -> '₁₂'``: plain-text subscripts draw much faster than mathtext."""
    return str(n).translate(SUBSCRIPTS)


def window_starts(T, k):
    """1-based first steps of the TBPTT(k) windows: ``1, k+1, 2k+1, ...`` (as :mod:`rnnlab.bptt`)."""
    return list(range(1, T + 1, k))


def update_cost(model, x, y, per_sequence, repeat=5, number=2):
    """Seconds of one update, a forward + backward pass over a window of k steps, for k = 1..T.

    Rounds go over every k in turn and each k keeps its best round, so a burst
    of load on the machine spoils one round of every k rather than all rounds
    of a few. Returns a ``(T,)`` array.
    """
    T = x.shape[0]
    best = np.full(T, math.inf)
    for _ in range(repeat):
        for k in range(1, T + 1):
            x_k, y_k = x[:k], (y if per_sequence else y[:k])
            start = time.perf_counter()
            for _ in range(number):
                model.loss_and_grads(x_k, y_k)
            best[k - 1] = min(best[k - 1], (time.perf_counter() - start) / number)
    return best


#: update cost by (pattern, T, H, N): it depends on the sizes, not on the weights
_COST_CACHE = {}


class BPTTView(Panel):
    """Step the backward pass through an unrolled RNN; compare full and truncated BPTT.

    Parameters
    ----------
    T : sequence length, 6 to 20
    k : TBPTT window length, 1 to T
    pattern : ``"many-to-one"`` (loss at the last step only, default) or
        ``"many-to-many"`` (loss at every step)
    seed : initial weights and data (sine waves: predict the next value)
    hidden_size, batch_size : the simple RNN's ``H`` and the ``N`` sequences (32 and 16:
        big enough that the work of each step shows over the fixed cost of a call)

    Attributes
    ----------
    position : int, the step whose hidden state the backward pass reached
        last; ``T + 1`` before the first step (the gradient is still at the
        loss), 1 when the pass is complete
    dh_norms : ``(T,)`` ``||dL/dh_t||`` for ``t = 1 .. T``, NaN where not
        reached yet
    dh : ``(T, N, H)`` the accumulated gradients themselves (NaN where not reached)
    grads : the weight gradients ``w_x, w_h, b_h`` summed over the steps reached
    fidelity : the dict of :func:`rnnlab.truncation_fidelity` for ``k = 1 .. T``
    cost : ``(T,)`` seconds of one update (forward + backward over ``k`` steps)
        for ``k = 1 .. T``
    model, x, y : the model and data

    Examples
    --------
    >>> view = BPTTView(T=8, k=3)
    >>> view.step_back()                  # reaches h_8, the last state
    True
    >>> view.position
    8
    >>> view.run_to_end(); view.position
    1
    >>> import numpy as np
    >>> bool(np.allclose(view.dh_norms, view.model.hidden_grad_norms(view.x, view.y)))
    True
    """

    css = "rnnlab-bptt-view"
    panel_name = "bptt"
    SETTINGS = (
        Int("T", *T_RANGE, 10, label="Steps T"),
        Int("k", 1, lambda v: v["T"], 4, label="Window k"),  # a window is at most T long
        Choice("pattern", PATTERNS, "many-to-one", label="Loss", widget="toggle",
               normalize=lambda name: name.replace("_", "-"), style={"button_width": "115px"}),
        Int("seed", 0, 2**31 - 1, 0, label="Seed", widget="box", width="150px"),
        Int("hidden_size", 1, 64, 32, control=False),
        Int("batch_size", 1, 256, 16, control=False),
    )

    def __init__(self, T=10, k=4, pattern="many-to-one", seed=0, hidden_size=32, batch_size=16):
        super().__init__(T=T, k=k, pattern=pattern, seed=seed, hidden_size=hidden_size,
                         batch_size=batch_size)

    # -- the lifecycle ---------------------------------------------------------------------------
    def _build_controls(self):
        super()._build_controls()
        self.buttons = {
            "step": make_button("step_back", "Step back", "step-backward", "primary",
                                "move the backward pass one step towards t = 1"),
            "run": make_button("run_to_end", "Run to end", "fast-backward", "",
                               "finish the backward pass"),
            "reset": make_button("reset", "Reset", "undo", "", "start again at the loss"),
        }

    def _build_views(self):
        self.caption = ipywidgets.HTML(message_html(
            "Fill: ||dL/dh_t|| on a log scale, dark small, yellow large (numbers under the nodes). "
            "Grey: states before the last TBPTT(k) window. Red ring: where the backward pass is.",
            "info"))
        self.plot_readout = ipywidgets.HTML()
        self.plot_readout.add_class("rnnlab-bptt-readout")
        # both figures are arranged again for each width (text never below 9 pt): the
        # diagram's values stand upright in narrow columns, the two plots stack when narrow
        self.canvas = Canvas(9.6, 2.9, css="rnnlab-bptt-diagram", min_height=280)
        self.ax = self.canvas.subplots()
        self.canvas.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.98)
        self.canvas.on_resize(self._diagram_resized)
        self.plot_canvas = Canvas(9.6, 2.7, css="rnnlab-bptt-fidelity",
                                  height_for=self._plots_height)
        self.ax_fid, self.ax_cost = self.plot_canvas.subplots(1, 2)
        self.plot_canvas.on_resize(self._plots_resized)
        self._arrange_plots()

    def _build_layout(self):
        c, b = self.controls, self.buttons
        settings = controls_grid([c["T"], c["k"], c["pattern"], c["seed"]], min_width=300)
        bar = row([b["step"], b["run"], b["reset"]])
        return column([settings, bar, self.status, self.canvas.image, self.caption,
                       self.plot_canvas.image, self.plot_readout, self.message])

    def _wire(self):
        super()._wire()
        self.on_click(self.buttons["step"], self.step_back)
        self.on_click(self.buttons["run"], self.run_to_end)
        self.on_click(self.buttons["reset"], self.reset)

    def _first_draw(self):
        self.rebuild()

    def _apply(self, changed, old):
        if changed & {"T", "pattern", "seed"}:
            self.rebuild()
        else:  # only k: move the truncation marks
            self._draw_windows()
            self.draw_diagram()
            self._update_status()
            self.draw_plots()

    hidden_size = setting_property("hidden_size")
    batch_size = setting_property("batch_size")
    k = setting_property("k")
    T = setting_property("T")

    @property
    def per_sequence(self):
        return self._values["pattern"] == "many-to-one"

    # -- the model, its forward pass, and the numbers of the plots -----------------------------
    def rebuild(self):
        """New model and data from the settings, a fresh forward pass; back to the loss."""
        s = self.settings()
        T, N, H = s["T"], self.batch_size, self.hidden_size
        ds = data.sine(n_samples=N, length=T, seed=s["seed"])
        self.x = ds.x  # (T, N, 1)
        self.y = ds.y[-1] if self.per_sequence else ds.y  # (N, 1) or (T, N, 1)
        self.model = SequenceModel(1, H, 1, cell="rnn", pattern=s["pattern"], seed=s["seed"])
        self._forward()
        self.fidelity = truncation_fidelity(self.model, self.x, self.y)
        key = (s["pattern"], T, H, N)
        if key not in _COST_CACHE:  # measured once per size, then reused
            _COST_CACHE[key] = update_cost(self.model, self.x, self.y, self.per_sequence)
        self.cost = _COST_CACHE[key]
        # full norms, for a colour scale that stays put while stepping
        self._full_norms = self.model.hidden_grad_norms(self.x, self.y)
        with matplotlib.rc_context(STYLE):  # the house style, also for artists made after ax.clear()
            self._setup_diagram()
            self._setup_plots()
        self.reset()

    def _forward(self):
        """Run the RNN step by step with :func:`rnnlab.rnn_step_forward`, keeping each cache,
        then the output layer and the loss; ``self._dout[t]`` is the gradient reaching
        ``h_t`` from the output at step t (zero where no output carries loss)."""
        m, p = self.model, self.model.params
        T, N = self.x.shape[:2]
        h = np.zeros((N, self.hidden_size))
        self._caches = []
        hs = np.empty((T, N, self.hidden_size))
        for t in range(T):
            h, cache = rnn_step_forward(self.x[t], h, p["w_x"], p["w_h"], p["b_h"],
                                        m.rnn.activation)
            self._caches.append(cache)
            hs[t] = h
        loss_steps = np.array([T - 1]) if self.per_sequence else np.arange(T)
        z = hs[loss_steps] @ p["w_y"].T + p["b_y"]  # (S, N, O) output layer
        y = self.y[None] if self.per_sequence else self.y  # (S, N, O)
        # the model's own loss and its gradient at z (mean squared error, identity output)
        self.loss, dz = m.loss_and_dz(z, y)
        self._dout = np.zeros_like(hs)  # (T, N, H)
        self._dout[loss_steps] = dz @ p["w_y"]
        self.loss_steps = loss_steps + 1  # 1-based

    def reset(self):
        """Put the backward pass back at the loss (nothing reached)."""
        T = self.T
        self.position = T + 1
        self.dh = np.full((T, self.batch_size, self.hidden_size), np.nan)
        self._dh_next = np.zeros((self.batch_size, self.hidden_size))  # from step t+1, via w_h
        self.grads = {name: np.zeros_like(self.model.params[name]) for name in ("w_x", "w_h", "b_h")}
        self.draw_diagram()
        self._update_status()

    @property
    def done(self):
        return self.position == 1

    @property
    def dh_norms(self):
        """``||dL/dh_t||`` for ``t = 1 .. T`` (norm over batch and units); NaN if not reached."""
        return np.sqrt((self.dh ** 2).sum(axis=(1, 2)))

    def _step(self):
        """One step of the backward pass, without drawing."""
        t = self.position - 1  # the state reached now, 1-based
        i = t - 1
        # everything that reaches h_t: from h_{t+1} through w_h and f', plus the output at t
        dh = self._dh_next + self._dout[i]
        self.dh[i] = dh
        _, self._dh_next, g = rnn_step_backward(dh, self._caches[i])
        for name in self.grads:
            self.grads[name] += g[name]  # the weights are shared: their gradients add up
        self.position = t

    def step_back(self):
        """Move the backward pass one step towards ``t = 1`` and redraw.

        Returns False (and says so) when the pass is already complete.
        """
        if self.done:
            self.show_message("the backward pass is complete: press Reset to start again", "warn")
            return False
        self._step()
        self.show_message("")
        self.draw_diagram()
        self._update_status()
        return True

    def run_to_end(self):
        """Finish the backward pass down to ``t = 1``, then redraw once."""
        while not self.done:
            self._step()
        self.show_message("")
        self.draw_diagram()
        self._update_status()

    # -- the diagram ---------------------------------------------------------------------------
    def _setup_diagram(self):
        """Create every artist of the unrolled network for the current T; steps then only
        recolour them."""
        ax, T = self.ax, self.T
        ax.clear()
        ax.set_axis_off()
        ax.set_xlim(-1.5, T + 0.7)
        ax.set_ylim(-2.05, 1.75)
        width_pt = self.canvas.figure.get_figwidth() * 0.98 * 72
        spacing = width_pt / (T + 2.2)
        d = min(0.72 * spacing, 28.0)  # node diameter in points
        self._node_size = d * d
        steps = np.arange(1, T + 1)
        fs = 9.0  # never smaller: 11 CSS px on screen
        self._fs = fs
        # a column narrower than a written value: values stand upright, in short form
        self._upright = spacing < 44
        # row names at the left
        outputs = "outputs\n(loss at T)" if self.per_sequence else "outputs\n(all with loss)"
        for y, name in ((1.0, outputs), (0.0, "states"), (-1.1, "inputs")):
            ax.text(-1.45, y, name, ha="left", va="center", fontsize=9, color="#555555")
        # recurrent edges h_{t-1} -> h_t, with an arrowhead at each midpoint
        segs = [[(t - 1 + 0.3, 0.0), (t - 0.3, 0.0)] for t in steps]
        self._edges = LineCollection(segs, colors="#888888", linewidths=1.2, zorder=1)
        ax.add_collection(self._edges)
        self._heads = ax.scatter(steps - 0.5, np.zeros(T), marker=">", s=18, c="#888888", zorder=2)
        # inputs and outputs, linked to the states by faint lines
        ax.add_collection(LineCollection([[(t, -1.1), (t, 0.0)] for t in steps], colors="#cccccc",
                                         linewidths=0.8, zorder=0))
        ax.scatter(steps, np.full(T, -1.1), marker="s", s=self._node_size * 0.3, c="#e3eefa",
                   edgecolors="#1f77b4", zorder=2)
        ls = self.loss_steps
        ax.add_collection(LineCollection([[(t, 0.0), (t, 1.0)] for t in ls], colors="#cccccc",
                                         linewidths=0.8, zorder=0))
        ax.scatter(ls, np.ones(len(ls)), marker="s", s=self._node_size * 0.3, c="#f6c9c4",
                   edgecolors="#c0392b", zorder=2)
        # h_0 and the states
        ax.scatter([0], [0], marker="s", s=self._node_size * 0.8, c="white", edgecolors=GREY_EDGE,
                   linestyles="--", zorder=2)
        ax.text(0, 0, "0", ha="center", va="center", fontsize=fs, color=GREY_TEXT, zorder=4)
        ax.text(0, -0.5, "h" + sub(0), ha="center", va="center", fontsize=fs, color=GREY_TEXT)
        self._nodes = ax.scatter(steps, np.zeros(T), s=self._node_size, c=["white"] * T,
                                 edgecolors=["#333333"] * T, linewidths=1.2, zorder=3)
        self._ring = ax.scatter([], [], s=self._node_size * 2.0, facecolors="none",
                                edgecolors=CUT_COLOR, linewidths=2.0, zorder=4)
        self._labels = [ax.text(t, 0, "h" + sub(t), ha="center", va="center", fontsize=fs, zorder=5)
                        for t in steps]
        self._value_texts = [ax.text(t, -0.55, "", ha="center", va="center", fontsize=fs, zorder=5,
                                     rotation=90 if self._upright else 0) for t in steps]
        # the colour scale of ||dL/dh_t||, fixed by the full backward pass (no colour bar:
        # the numbers are written under the nodes, and a colour bar's ticks would cost
        # more to draw than the whole chain)
        full = self._full_norms[self._full_norms > 0]
        lo, hi = (full.min(), full.max()) if full.size else (1e-3, 1.0)
        self._norm = LogNorm(lo, max(hi, lo * 1.01))
        self._window_artists = []
        self._draw_windows()

    def _draw_windows(self):
        """Brackets under the inputs for each TBPTT(k) window, a dashed cut at each window start."""
        with matplotlib.rc_context(STYLE):
            self._make_window_artists()

    def _make_window_artists(self):
        for a in self._window_artists:
            a.remove()
        ax, T, k = self.ax, self.T, self.k
        arts = []
        starts = window_starts(T, k)
        for j, a in enumerate(starts):
            b = min(a + k - 1, T)
            last = j == len(starts) - 1
            color = CUT_COLOR if last else "#777777"
            arts.append(ax.add_line(Line2D([a - 0.3, a - 0.3, b + 0.3, b + 0.3],
                                           [-1.55, -1.65, -1.65, -1.55], color=color, lw=1.0)))
            if a > 1:  # no gradient crosses this line
                arts.append(ax.add_line(Line2D([a - 0.5, a - 0.5], [-1.7, 1.3], color=color,
                                               lw=1.8 if last else 0.9, ls="--", zorder=1)))
        a = starts[-1]
        label = (f"last window: step {a}" if a == T else f"last window: steps {a}-{T}")
        arts.append(ax.text(T + 0.35, -1.72, label, ha="right", va="top", fontsize=9,
                            color=CUT_COLOR))
        if a > 1:
            arts.append(ax.text(a - 0.55, 1.3, f"TBPTT({k}) cut", ha="right", va="center",
                                fontsize=9, color=CUT_COLOR))
        self._window_artists = arts

    @property
    def window_start(self):
        """1-based first step of the last TBPTT(k) window (the one holding the last loss)."""
        return window_starts(self.T, self.k)[-1]

    def draw_diagram(self):
        """Recolour the states, edges and values for the current position and window."""
        T, start = self.T, self.window_start
        norms = self.dh_norms
        faces, edges, ink = [], [], []
        for t in range(1, T + 1):
            v = norms[t - 1]
            beyond = t < start
            reached = np.isfinite(v)
            if beyond:
                face = "#c8c8c8" if reached else GREY_FACE
                edges.append(GREY_EDGE)
                ink.append(GREY_TEXT if not reached else "#555555")
            else:
                face = CMAP(self._norm(max(v, self._norm.vmin))) if reached else "white"
                edges.append("#333333")
                r, g, b, _ = to_rgba(face)
                ink.append("black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white")
            faces.append(face)
            text = "" if not reached else (f"{v:.0e}" if self._upright or T > 12 else f"{v:.1e}")
            self._value_texts[t - 1].set_text(text)
            self._value_texts[t - 1].set_color(GREY_TEXT if beyond else "black")
            self._labels[t - 1].set_color(ink[-1])
        self._nodes.set_facecolors(faces)
        self._nodes.set_edgecolors(edges)
        # edges the backward pass has crossed: from h_t back to h_{t-1}, for t > position
        crossed = ["#cf222e" if t > self.position and t >= start else
                   ("#b0b0b0" if t > self.position else "#888888") for t in range(1, T + 1)]
        self._edges.set_colors(crossed)
        self._heads.set_facecolors(crossed)
        self._heads.set_edgecolors(crossed)
        pos = self.position
        self._ring.set_offsets(np.array([[pos, 0.0]]) if pos <= T else np.empty((0, 2)))
        self.canvas.draw()
        self.canvas.alt = self._diagram_alt()

    def _update_status(self):
        T, k, t, start = self.T, self.k, self.position, self.window_start
        if t == T + 1:
            text = (f"The loss is {self.loss:.4g}. Press Step back: the backward pass starts at "
                    f"h{sub(T)} and moves one step towards h{sub(1)} per press.")
            self._set_status(text, "info")
            return
        v = self.dh_norms[t - 1]
        text = f"Reached h{sub(t)}: ||dL/dh{sub(t)}|| = {v:.3g}"
        if t < T:
            prev = self.dh_norms[t]
            text += f" (x{v / prev:.2f} of step {t + 1})" if prev > 0 else ""
        text += "."
        kind = "info"
        if t == start and start > 1:
            text += (f" Truncated BPTT({k}) stops here: the gradient from step {T} does not flow "
                     "further back.")
            kind = "warn"
        elif t < start:
            text += (f" Full BPTT goes on; truncated BPTT({k}) never computes this: the gradient "
                     f"from step {T} stopped at step {start}.")
            if not self.per_sequence:
                text += " (Earlier windows' own outputs send gradient inside their window.)"
            kind = "warn"
        if t == 1:
            text += (f" Done. The weight gradient is a sum over all steps: ||dw_h|| = "
                     f"{np.linalg.norm(self.grads['w_h']):.3g}.")
        self._set_status(text, kind)

    # -- fidelity and cost ------------------------------------------------------------------------
    def _setup_plots(self):
        T = self.T
        ks = self.fidelity["k"]
        ax = self.ax_fid
        ax.clear()
        ax.plot(ks, self.fidelity["cosine"], marker="o", ms=4, color=PALETTE["blue"],
                label="cosine similarity")
        ax.plot(ks, self.fidelity["relative_error"], marker="s", ms=4, ls="--",
                color=PALETTE["vermillion"], label="relative error")
        self._fid_k = ax.axvline(self.k, color="#555555", lw=1)
        ax.set_xlim(0.5, T + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("window k")
        ax.set_title("truncated against full gradient")
        ax.legend(loc="center right")
        ax = self.ax_cost
        ax.clear()
        ms = self.cost * 1e3
        ax.plot(ks, ms, marker="o", ms=4, color=PALETTE["green"], label="measured")
        # cost = fixed cost of a call + cost per unrolled step
        slope, fixed = np.polyfit(ks, ms, 1)
        self.cost_fit = {"fixed_ms": float(fixed), "per_step_ms": float(slope)}
        ax.plot(ks, fixed + slope * ks, color="#777777", lw=1, ls=":",
                label=f"{fixed:.3f} ms + {slope * 1e3:.1f} µs per step")
        self._cost_k = ax.axvline(self.k, color="#555555", lw=1)
        ax.set_xlim(0.5, T + 0.5)
        ax.set_ylim(0, ms.max() * 1.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("window k")
        ax.set_ylabel("ms per update")
        ax.set_title("time of one update (k steps forward + back)")
        ax.legend(loc="lower right")
        self.draw_plots()

    def draw_plots(self):
        """Move the current-k marks, write the numbers for this k, and render."""
        k, T = self.k, self.T
        i = k - 1
        cos, rel = self.fidelity["cosine"][i], self.fidelity["relative_error"][i]
        self._fid_k.set_xdata([k, k])
        self._cost_k.set_xdata([k, k])
        last = T - self.window_start + 1
        text = (f"k = {k}: truncated gradient vs full: cosine {cos:.3f}, relative error {rel:.3f}")
        if self.per_sequence:
            text += (f" (the loss sits in the last window, which has {last} step"
                     f"{'s' if last > 1 else ''}: windows start at step 1, k+1, 2k+1...)")
        updates = math.ceil(T / k)
        text += (f".\nOne update costs {self.cost[i] * 1e3:.2f} ms; a sequence of {T} steps takes "
                 f"{updates} update{'s' if updates > 1 else ''}.")
        self.plot_readout.value = message_html(text, "info")
        self.plot_canvas.draw()
        self.plot_canvas.alt = self._plots_alt()

    # -- sizes and words ----------------------------------------------------------------------
    def _plots_height(self, width):
        return 2 * 250 if width < STACK_BELOW else max(width * 2.7 / 9.6, 270)

    def _arrange_plots(self):
        """The two plots side by side, or one above the other when narrow (margins in px)."""
        stacked = self.plot_canvas.css_size()[0] < STACK_BELOW
        self.plot_canvas.place_pair((self.ax_fid, self.ax_cost), stacked, left=60, right=12,
                                    top=30, bottom=46, gap=40)

    def _plots_resized(self):
        self._arrange_plots()
        self.draw_plots()

    def _diagram_resized(self):
        with matplotlib.rc_context(STYLE):
            self._setup_diagram()
        self.draw_diagram()

    def _diagram_alt(self):
        T, k, pos, start = self.T, self.k, self.position, self.window_start
        loss = (f"the loss at step {T} only" if self.per_sequence
                else "a loss at every step")
        text = [f"The RNN unrolled for T = {T} steps, with {loss}."]
        if pos == T + 1:
            text.append(f"The backward pass has not started: it begins at h_{T}.")
        else:
            norms = self.dh_norms
            reached = ", ".join(f"{norms[t - 1]:.2g}" for t in range(T, pos - 1, -1))
            text.append(f"The backward pass has reached h_{pos}: ||dL/dh_t|| for t = {T} down to "
                        f"{pos} is {reached}" + (f"; h_1 to h_{pos - 1} not reached yet." if pos > 1
                                                else "; complete."))
        starts = window_starts(T, k)
        text.append(f"Truncated BPTT with k = {k}: windows start at step{'s' if len(starts) > 1 else ''} "
                    f"{', '.join(map(str, starts))}; the gradient from the last loss stops at step "
                    f"{start}" + (f", so h_1 to h_{start - 1} are greyed." if start > 1 else "."))
        return " ".join(text)

    def _plots_alt(self):
        k, T = self.k, self.T
        cos, rel = self.fidelity["cosine"], self.fidelity["relative_error"]
        fit = self.cost_fit
        return (f"Two plots against the window k = 1 to {T}. Truncated against full gradient: "
                f"cosine similarity goes from {cos[0]:.2f} at k = 1 to {cos[-1]:.2f} at k = {T}, "
                f"relative error from {rel[0]:.2f} to {rel[-1]:.2f}; at the marked k = {k}, cosine "
                f"{cos[k - 1]:.3f} and relative error {rel[k - 1]:.3f}. Time of one update: "
                f"{self.cost[0] * 1e3:.3f} ms at k = 1 to {self.cost[-1] * 1e3:.3f} ms at k = {T}, "
                f"about {fit['fixed_ms']:.3f} ms plus {fit['per_step_ms'] * 1e3:.1f} µs per step.")
