"""Vanishing and exploding gradients, live: RNN, GRU and LSTM side by side.

::

    from rnnlab.widgets import GradientFlowView
    view = GradientFlowView(T=50)        # display it: last expression of a cell
    view.controls["scale"].value = 0.5   # or drag the slider
    view.ratios                          # {"rnn": 8e-25, "gru": ..., "lstm": ...}

Three models (simple RNN, GRU, LSTM) read the same batch of the adding
problem, a many-to-one task whose loss sits at the last step ``T``. For every
step the plot shows ``||dL/dh_t||`` (from
:meth:`rnnlab.SequenceModel.hidden_grad_norms`): how much of the loss's
gradient still reaches the hidden state ``t`` steps back.

Two knobs move the picture:

* **w_h scale** multiplies every model's recurrent weights (for the gated
  cells all gate blocks of ``w_h``). Going back one step multiplies the
  gradient by a matrix built from ``w_h``, so below some scale it shrinks
  geometrically (vanishing) and, for relu, above it grows (exploding).
* **gate bias** is added to the bias of the gate that decides how much of the
  old state to keep: the LSTM's forget gate ``f`` and the GRU's update gate
  ``z``. The gradient along the kept path is multiplied by that gate, about
  ``sigmoid(bias)`` per step: 0.5 at bias 0 (the gates then vanish as fast as
  a small RNN), 0.73 at 1 (the usual "forget bias 1"), 0.95 at 3. That is how
  gates help: they can hold a path open that does not pass through ``w_h``.

"Train" trains each shown model for a few epochs in the background and redraws
with the trained weights; moving a slider afterwards goes back to the initial
weights.
"""
from __future__ import annotations

import html
import time

import ipywidgets
import matplotlib
import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from .. import data
from .._validate import check_int
from ..model import SequenceModel
from ..train import Trainer
from ._base import CELL_STYLES, DECADES, STYLE, Canvas, message_html, setting_property
from ._layout import column, row, split
from ._factory import make_button
from ._settings import Choice, Float, Int, Multi
from ._training import TrainingPanel

CELL_NAMES = ("rnn", "gru", "lstm")
LABELS = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}
KEEP_GATE = {"gru": "z", "lstm": "f"}  # the gate multiplying the path that keeps the old state
T_RANGE = (10, 100)
SCALE_RANGE = (0.1, 4.0)
GATE_BIAS_RANGE = (0.0, 4.0)


#: below this width (CSS px) the legend moves from beside the plot to above it
LEGEND_BESIDE_WIDTH = 560
_DASHES = {"-": "", "--": "6,3", "-.": "7,2,2,2"}
_LINE_WORDS = {"-": "solid", "--": "dashed", "-.": "dash-dot"}


def _swatch(cell):
    """A short sample of the model's line (colour and dashes) before its name in the table."""
    look = CELL_STYLES[cell]
    dash = _DASHES.get(look["ls"], "")
    return (f'<svg width="26" height="10" aria-hidden="true" style="vertical-align:middle;'
            f'margin-right:5px"><line x1="1" y1="5" x2="25" y2="5" stroke="{look["color"]}" '
            f'stroke-width="2.5"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>'
            f"</svg>")


def verdict(ratio):
    """A word for how much of the gradient reaches the first step."""
    if not np.isfinite(ratio):
        return "overflow"
    if ratio == 0:
        return "vanishes (to exactly 0)"
    if ratio < 1e-3:
        return "vanishes"
    if ratio < 1:
        return "fades"
    if ratio <= 1e3:
        return "grows"
    return "explodes"


class GradientFlowView(TrainingPanel):
    """``||dL/dh_t||`` for every step, simple RNN against GRU against LSTM.

    Parameters
    ----------
    T : sequence length, 10 to 100
    scale : factor on every model's recurrent weights ``w_h``, 0.1 to 4
    activation : the simple RNN's activation, ``"tanh"``, ``"sigmoid"`` or ``"relu"``
    gate_bias : added to the bias of the LSTM's forget gate and the GRU's
        update gate, 0 to 4 (default 1)
    cells : which models to show
    seed : initial weights and data
    hidden_size, batch_size : ``H`` of every model and ``N`` sequences of the
        adding problem on which the gradients are measured

    Attributes
    ----------
    norms : dict cell -> ``(T,)`` array, ``||dL/dh_t||`` for ``t = 1 .. T``
        (shown cells only)
    ratios : dict cell -> ``||dL/dh_1|| / ||dL/dh_T||``, the share of the
        gradient that reaches the first step
    models : dict cell -> :class:`rnnlab.SequenceModel` (current weights)
    last_update_seconds : time of the last recompute + redraw

    Examples
    --------
    >>> view = GradientFlowView(T=50, scale=0.5)
    >>> bool(view.ratios["rnn"] < 1e-3)            # tanh, small w_h: vanishing
    True
    >>> view.set(activation="relu", scale=3.0)
    >>> bool(view.ratios["rnn"] > 1)               # relu, large w_h: exploding
    True
    """

    css = "rnnlab-gradient-flow"
    panel_name = "gradient-flow"
    SETTINGS = (
        Int("T", *T_RANGE, 50, label="Steps T", width="330px"),
        Float("scale", *SCALE_RANGE, 1.0, step=0.05, label="w_h scale", width="330px"),
        Float("gate_bias", *GATE_BIAS_RANGE, 1.0, step=0.25, label="Gate bias (f, z)",
              width="330px"),
        Choice("activation", ("tanh", "sigmoid", "relu"), "tanh", label="RNN activation",
               widget="toggle", style={"button_width": "72px"}),
        Multi("cells", CELL_NAMES, CELL_NAMES, label="Show", labels=LABELS),
        Int("seed", 0, 2**31 - 1, 0, label="Seed", widget="box", width="150px"),
        Int("epochs", 1, 500, 10, label="Epochs", widget="box", width="150px"),
        Int("hidden_size", 1, 128, 16, control=False),
        Int("batch_size", 1, 1024, 8, control=False),
    )
    IDLE_BUTTONS = ("initial",)

    def __init__(self, T=50, scale=1.0, activation="tanh", gate_bias=1.0, cells=CELL_NAMES, seed=0,
                 hidden_size=16, batch_size=8, epochs=10):
        self.norms, self.ratios, self.keep_gate = {}, {}, {}
        self.models, self._initial = {}, {}
        self._model_key = None
        self.trained_epochs = 0
        self.train_losses, self.diverged = {}, {}
        self.last_update_seconds = None
        super().__init__("rnnlab-gradient-flow", T=T, scale=scale, activation=activation,
                         gate_bias=gate_bias, cells=cells, seed=seed, hidden_size=hidden_size,
                         batch_size=batch_size, epochs=epochs)

    # -- the lifecycle ---------------------------------------------------------------------
    def _build_controls(self):
        super()._build_controls()
        self._make_training_buttons(
            tooltip="train each shown model for the set epochs, then redraw")
        self.buttons["initial"] = make_button("initial", "Initial weights", "undo", "",
                                              "back to the untrained weights")

    def _build_views(self):
        self.table = ipywidgets.HTML()
        self.table.add_class("rnnlab-ratio-table")
        with matplotlib.rc_context(STYLE):
            self.canvas = Canvas(7.6, 3.4, css="rnnlab-gradient-flow-plot", min_height=300)
            self.ax = self.canvas.subplots()
            self.canvas.on_resize(self._resized)
            ax = self.ax
            ax.set_yscale("log")
            # colour, line style and marker: the three models never rest on colour alone
            self._lines = {cell: ax.plot([], [], lw=2, ms=5, label=LABELS[cell],
                                         **CELL_STYLES[cell])[0] for cell in CELL_NAMES}
            ax.set_xlabel("step t (the loss is at the last step, t = T)")
            ax.set_ylabel("||dL/dh_t||")
        self._legend_key = None

    def _build_layout(self):
        # controls beside the plot when the panel is wide, above it below about 1000 px
        c, b = self.controls, self.buttons
        left = column([c["T"], c["scale"], c["gate_bias"], c["activation"], c["cells"], c["seed"],
                       c["epochs"], row([b["train"], b["pause"], b["stop"], b["initial"]])])
        right = column([self.status, self.canvas.image, self.table, self.message])
        return split(left, right, side_width=330)

    def _wire(self):
        super()._wire()
        self.on_click(self.buttons["initial"], self.update)

    def _first_draw(self):
        self.update()

    def _apply(self, changed, old):
        if changed != {"epochs"}:  # the number of epochs only matters at the next Train
            self.update()

    hidden_size = setting_property("hidden_size")
    batch_size = setting_property("batch_size")
    shown_cells = setting_property("cells", "The models shown: a tuple of cell names.")

    @property
    def show(self):
        """The checkboxes choosing the models shown: cell -> Checkbox."""
        return self.controls["cells"].boxes

    # -- computing ---------------------------------------------------------------------------
    def _models(self, s):
        """The three models at their initial weights, rebuilt only when H, activation or seed change."""
        key = (self.hidden_size, s["activation"], s["seed"])
        if key != self._model_key:
            self.models = {cell: SequenceModel(2, self.hidden_size, 1, cell=cell, pattern="many-to-one",
                                               activation=s["activation"], seed=s["seed"])
                           for cell in CELL_NAMES}
            self._initial = {cell: m.get_params() for cell, m in self.models.items()}
            self._model_key = key
        H = self.hidden_size
        for cell, model in self.models.items():
            p = {k: v.copy() for k, v in self._initial[cell].items()}
            p["w_h"] *= s["scale"]  # every gate block of w_h, for the gated cells too
            if cell in KEEP_GATE:
                p["b_h"][H : 2 * H] += s["gate_bias"]  # forget gate f (LSTM), update gate z (GRU)
            model.set_params(p)
        return self.models

    def _measure(self, cell, x, y):
        """Gradient norms, ratio and mean keep-gate value of one model."""
        model = self.models[cell]
        with np.errstate(all="ignore"):  # exploding relu runs are part of the lesson
            norms = model.hidden_grad_norms(x, y)
            if cell in KEEP_GATE:
                self.keep_gate[cell] = float(np.mean(model.trace(x)["layer0"][KEEP_GATE[cell]]))
            ratio = norms[0] / norms[-1] if norms[-1] > 0 else np.nan
        self.norms[cell] = norms
        self.ratios[cell] = float(ratio)

    def update(self):
        """Recompute every shown model's gradient norms at the initial weights and redraw."""
        if self.runner.running:
            self.show_message("training runs: press Stop first", "warn")
            return
        start = time.perf_counter()
        s = self.settings()
        ds = data.adding(n_samples=self.batch_size, length=s["T"], seed=s["seed"])
        self.x, self.y = ds.x, ds.y
        self._models(s)
        self.norms, self.ratios, self.keep_gate = {}, {}, {}
        for cell in s["cells"]:
            self._measure(cell, self.x, self.y)
        self.trained_epochs = 0
        self.train_losses, self.diverged = {}, {}
        self._set_status(f"initial weights x {s['scale']:.2f}; measured on {self.batch_size} "
                         f"sequences of the adding problem, T = {s['T']}")
        self.show_message("")
        self.draw()
        self.last_update_seconds = time.perf_counter() - start

    # -- drawing -----------------------------------------------------------------------------
    def draw(self):
        """Update the lines, the axes and the ratio table, and render."""
        s = self.settings()
        T = s["T"]
        steps = np.arange(1, T + 1)
        # the training thread draws too: set fonts explicitly rather than through
        # matplotlib.rc_context, which would change global state under other panels
        with self.canvas.lock:
            ax = self.ax
            finite = []
            for cell, line in self._lines.items():
                n = self.norms.get(cell)
                line.set_visible(n is not None)
                if n is None:
                    line.set_data([], [])
                    continue
                shown = np.where((n > 0) & np.isfinite(n), n, np.nan)
                line.set_data(steps, shown)
                finite.append(shown[np.isfinite(shown)])
            for line in self._lines.values():  # about ten markers per line
                line.set_markevery(max(1, T // 10))
            narrow = self.canvas.css_size()[0] < LEGEND_BESIDE_WIDTH
            key = (tuple(self.norms), s["activation"], narrow)
            if key != self._legend_key:
                self._lines["rnn"].set_label(f"RNN ({s['activation']})")
                handles = [self._lines[c] for c in CELL_NAMES if c in self.norms]
                # beside the plot when there is room, above it when narrow
                where = (dict(loc="lower left", bbox_to_anchor=(0.0, 1.08), ncol=3) if narrow
                         else dict(loc="upper left", bbox_to_anchor=(1.01, 1.0)))
                if handles:
                    ax.legend(handles=handles, borderaxespad=0, frameon=False, handlelength=2.6,
                              fontsize=STYLE["legend.fontsize"], **where)
                elif ax.get_legend() is not None:
                    ax.get_legend().remove()
                self._arrange(narrow)
                self._legend_key = key
            ax.set_xlim(0.5, T + 0.5)
            values = np.concatenate(finite) if finite else np.array([])
            if values.size:
                lo, hi = values.min(), values.max()
                ax.set_ylim(lo / 3, max(hi, lo * 10) * 3)
            ax.yaxis.set_major_locator(LogLocator(numticks=7))
            ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost more than they show
            ax.yaxis.set_major_formatter(DECADES)
            when = (f"after {self.trained_epochs} epochs of training" if self.trained_epochs
                    else "initial weights")
            ax.set_title(f"w_h x {s['scale']:.2f}, gate bias {s['gate_bias']:g}, {when}",
                         fontsize=STYLE["axes.titlesize"])
            self.canvas.draw()
            self.canvas.alt = self._alt_text(s, when)
        self.table.value = self._table_html()
        bad = [LABELS[c] for c, n in self.norms.items() if not np.all(np.isfinite(n))]
        if bad:
            self.show_message(f"{', '.join(bad)}: the gradient overflowed (inf/nan); those steps "
                              "are left out of the plot", "warn")

    def _arrange(self, narrow):
        """Margins in CSS px for the canvas's size (room for the legend above when narrow)."""
        self.canvas.set_margins(left=64, right=14 if narrow else 118, bottom=44,
                                top=56 if narrow else 28)

    def _resized(self):
        self._legend_key = None  # the legend's place depends on the width
        self.draw()

    def _alt_text(self, s, when):
        """What the plot says, in words: each model's gradient from the last step to the first."""
        T = s["T"]
        head = (f"Line plot, log scale: the gradient norm ||dL/dh_t|| at each step t = 1 to {T} "
                f"of the adding problem (the loss is at t = {T}), {when}, w_h x {s['scale']:.2f}, "
                f"gate bias {s['gate_bias']:g}.")
        if not self.norms:
            return head + " No model is ticked: nothing is drawn."
        parts = []
        for cell in CELL_NAMES:
            n = self.norms.get(cell)
            if n is None:
                continue
            name = f"RNN ({s['activation']})" if cell == "rnn" else LABELS[cell]
            finite = np.isfinite(n)
            if not finite.all():
                parts.append(f"{name}: the gradient overflowed at {int((~finite).sum())} steps")
                continue
            parts.append(f"{name} ({_LINE_WORDS[CELL_STYLES[cell]['ls']]} line) goes from {n[-1]:.2g} at "
                         f"t = {T} to {n[0]:.2g} at t = 1, a ratio of {self.ratios[cell]:.1e}: "
                         f"the gradient {verdict(self.ratios[cell])}")
        return head + " " + "; ".join(parts) + "."

    def _table_html(self):
        if not self.norms:
            return message_html("tick a model to show", "info")
        head = ("<tr><th style='text-align:left;padding-right:12px'>model</th>"
                "<th style='padding-right:12px'>||dL/dh_1|| / ||dL/dh_T||</th>"
                "<th style='padding-right:12px'>the gradient</th><th>mean keep gate</th>")
        if self.train_losses:
            head += "<th style='padding-left:12px'>loss before → after</th>"
        rows = []
        for cell in CELL_NAMES:
            if cell not in self.norms:
                continue
            gate = (f"{KEEP_GATE[cell]} = {self.keep_gate[cell]:.2f}" if cell in self.keep_gate
                    else "(no gate)")
            row = (f"<tr><td style='font-weight:bold;white-space:nowrap'>{_swatch(cell)}"
                   f"{LABELS[cell]}</td>"
                   f"<td style='text-align:right;padding-right:12px'>{self.ratios[cell]:.2e}</td>"
                   f"<td>{html.escape(verdict(self.ratios[cell]))}</td><td>{gate}</td>")
            if self.train_losses:
                before, after = self.train_losses.get(cell, (np.nan, np.nan))
                row += f"<td style='padding-left:12px'>{before:.3g} → {after:.3g}</td>"
            rows.append(row + "</tr>")
        return ("<table class='rnnlab-ratios' style='font-family:monospace;font-size:12px;"
                "color:#1f1f1f'>" + head + "</tr>" + "".join(rows) + "</table>")

    # -- training ----------------------------------------------------------------------------
    def train(self, epochs=None):
        """Train each shown model for ``epochs`` (default: the Epochs setting) in the background.

        Starts from the current weights (initial x scale). Each model is
        redrawn when its training ends; :meth:`wait` blocks until all are done.
        Returns False if training already runs.
        """
        if self.runner.running and self.runner.paused:
            self.toggle_pause()
            return False
        if not self._can_start():
            return False
        epochs = self._values["epochs"] if epochs is None else check_int(epochs, "epochs", low=1)
        s = self.settings()
        if not s["cells"]:
            self.show_message("tick a model to train", "warn")
            return False
        train_data = data.adding(n_samples=256, length=s["T"], seed=s["seed"] + 1)
        self._set_status(f"training {', '.join(LABELS[c] for c in s['cells'])} "
                         f"for {epochs} epochs each...")
        self._training, self.diverged = {}, {}
        trainers = []
        for cell in s["cells"]:
            model = self.models[cell]
            trainer = Trainer(model, train_data, optimizer="adam", lr=0.01, epochs=epochs,
                              batch_size=32, clip_norm=1.0, seed=s["seed"], callback=self._progress,
                              record_hidden_grads=False)
            with np.errstate(all="ignore"):  # a blown-up model's loss is reported, not warned
                before = model.loss(self.x, self.y)
            self._training[id(trainer)] = (cell, before, epochs)
            trainers.append((trainer, epochs))
        return self._start_training(trainers, on_done=self._train_done)

    def _trainer_done(self, trainer):
        """One model has trained: measure it again and redraw (training thread)."""
        cell, before, epochs = self._training[id(trainer)]
        model = self.models[cell]
        with np.errstate(all="ignore"):
            self.train_losses[cell] = (before, model.loss(self.x, self.y))
        if trainer.history.diverged:  # the weights are the last finite ones: say so
            self.diverged[cell] = trainer.history.stopped
        self._measure(cell, self.x, self.y)
        self.trained_epochs = epochs
        self.draw()

    def _train_done(self, runner):
        def status():
            if runner.error is not None:
                return  # shown in the message line
            if self.diverged:
                self._set_status("; ".join(f"{LABELS[c]} {text}" for c, text in
                                           self.diverged.items()), "error")
            elif runner.stop_event.is_set():
                self._set_status("stopped: the plot shows the models trained so far", "warn")
            else:
                self._set_status(f"trained {self.trained_epochs} epochs (adam, lr 0.01, clip 1) "
                                 "on 256 adding sequences; moving a slider goes back to the "
                                 "initial weights", "ok")

        # no redraw here: each model that finished training was measured and drawn then, and a
        # stopped one changed nothing shown, so Stop never waits for a render
        self._end_run(runner, lambda: None, status)
