"""Input/output patterns: one switch, five ways to pose a sequence problem.

::

    from rnnlab.widgets import PatternsView
    view = PatternsView()                   # display it: last expression of a cell
    view.select("many-to-one"); view.loss_steps     # array([4]): only the last output counts
    view.train(); view.wait(); view.history.train_loss[-1]

Every pattern is the same unrolled network. What changes is which steps read
an input (the others read zeros) and which steps' outputs carry loss. The
diagram takes both from :meth:`rnnlab.SequenceModel.unrolled_inputs`, the
function the model itself trains with, so the picture cannot drift from the
maths. Each pattern comes with a concrete task to train on:

===================  ==============================================================
pattern              task
===================  ==============================================================
one-to-one           fit ``y = sin(pi x)``: one input, one output, one step
one-to-many          a number sets a frequency; generate 20 steps of that wave
many-to-one          read 30 steps of a noisy wave, name its shape
many-to-many         predict a sine wave's next value at each of 40 steps
encoder-decoder      read ``x1, x2``; answer ``x2, x1, x1 + x2`` (2 in, 3 out)
===================  ==============================================================

Training runs in a background thread. Switching the pattern (or the cell)
while a run goes on stops that run first, so two runs never overlap. Each
pattern keeps its own trained model and loss curve while the cell stays the
same, so switching back shows what was learnt.
"""
from __future__ import annotations

import warnings

import ipywidgets
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from ..model import SequenceModel
from ..patterns import PATTERNS, get_pattern
from ..train import Trainer
from . import tasks
from ._base import COLORS, Canvas, setting_property
from ._diagram import draw_unrolled, legend_html
from ._factory import make_button
from ._layout import column, row
from ._lossplot import loss_limits, nice, plotted
from ._predictions import PredictionPlot
from ._settings import Choice, Int
from ._training import TrainingPanel, loss_text

#: for each pattern: its task, the lengths drawn in the diagram, and a line about it
SETUPS = {
    "one-to-one": dict(
        task="one-to-one", t_in=1, t_out=None, label="one → one",
        text="One input, one output, one step: an ordinary feed-forward network.",
        task_text="Fit the curve y = sin(πx) from a single number x."),
    "one-to-many": dict(
        task="generation", t_in=1, t_out=5, label="one → many",
        text="One input, then the network keeps stepping on zero inputs; every output "
             "counts (like generating music from a seed).",
        task_text="A single number sets a frequency; generate 20 steps of that sine wave."),
    "many-to-one": dict(
        task="classification", t_in=5, t_out=None, label="many → one",
        text="Read the whole sequence, answer once at the end; the other outputs are "
             "ignored (like classifying the sentiment of a sentence).",
        task_text="Read 30 steps of a noisy wave and name its shape: sine, square or sawtooth."),
    "many-to-many": dict(
        task="sine", t_in=5, t_out=None, label="many → many",
        text="An output at every step, and every output carries loss.",
        task_text="At each of 40 steps, predict the next value of a sine wave."),
    "encoder-decoder": dict(
        task="two-to-three", t_in=2, t_out=3, label="2 in → 3 out",
        text="Many-to-many with different lengths (like translation): read the inputs, "
             "then write the outputs on zero inputs; only those outputs carry loss.",
        task_text="Read two numbers x1, x2; answer x2, x1 and x1 + x2."),
}
CELL_OPTIONS = [("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm")]


def unrolled_steps(pattern, t_in, t_out=None):
    """``(n_steps, input_steps, loss_steps)`` of a pattern, as the model unrolls it.

    Asks :meth:`SequenceModel.unrolled_inputs` with an input of ones: steps
    whose unrolled input is still nonzero read input, the rest read zeros.
    """
    model = SequenceModel(1, 1, 1, pattern=pattern, output_length=t_out, seed=0)
    x_full, loss_steps = model.unrolled_inputs(np.ones((t_in, 1, 1)), t_out)
    input_steps = np.flatnonzero(np.any(x_full != 0, axis=(1, 2)))
    return x_full.shape[0], input_steps, np.asarray(loss_steps)


class PatternsView(TrainingPanel):
    """The five input/output patterns, each drawn unrolled and trained on a task.

    Parameters
    ----------
    pattern : one of :data:`rnnlab.PATTERNS` (default ``"many-to-many"``)
    cell : ``"rnn"``, ``"gru"`` or ``"lstm"`` (default ``"gru"``: learns every task here)
    epochs : epochs one press of Train runs
    seed : initial weights and shuffling
    draw_interval : seconds between live redraws of the loss curve

    Examples
    --------
    >>> view = PatternsView("encoder-decoder")   # display `view` in a notebook to see it
    >>> view.loss_steps.tolist(), view.input_steps.tolist()
    ([2, 3, 4], [0, 1])
    """

    css = "rnnlab-patterns"
    panel_name = "patterns"
    SETTINGS = (
        # switching the pattern or the cell stops a run first, so both stay live
        Choice("pattern", [(SETUPS[p]["label"], p) for p in PATTERNS], "many-to-many", live=True,
               label="Pattern", widget="toggle", normalize=lambda name: name.replace("_", "-"),
               style={"button_width": "118px"}, attrs={"tooltips": list(PATTERNS)}),
        Choice("cell", CELL_OPTIONS, "gru", live=True, label="Cell", width="150px"),
        Int("epochs", 1, 10_000, 40, label="Epochs", widget="box", width="160px"),
        Int("seed", 0, 2**31 - 1, 0, control=False),
    )
    IDLE_BUTTONS = ("reset",)

    def __init__(self, pattern="many-to-many", cell="gru", epochs=40, seed=0, draw_interval=0.25):
        self._runs = {}  # pattern -> {"cell", "model", "trainer", "train", "valid", "curve"}
        self._pred_shown = None
        self._loss_lines = self._loss_frame = None
        super().__init__("rnnlab-patterns", draw_interval, pattern=pattern, cell=cell,
                         epochs=epochs, seed=seed)

    # -- the lifecycle -------------------------------------------------------------------
    def _build_controls(self):
        super()._build_controls()
        self._make_training_buttons()
        self.buttons["reset"] = make_button("reset", "Reset", "undo", "",
                                            "fresh weights for this pattern")

    def _build_views(self):
        self.description = ipywidgets.HTML()
        self.description.add_class("rnnlab-pattern-description")
        # the diagram's legend is HTML under it (it wraps at any width); the diagram is drawn
        # again for each width, its text never below 9 pt
        self.diagram_canvas = Canvas(7.2, 2.7, dpi=100, css="rnnlab-patterns-diagram",
                                     min_height=240)
        self.diagram_ax = self.diagram_canvas.subplots()
        self.diagram_canvas.figure.subplots_adjust(left=0.01, right=0.99, top=0.98, bottom=0.04)
        self.diagram_canvas.on_resize(self._draw_diagram)
        self.legend = ipywidgets.HTML()
        self.legend.add_class("rnnlab-legend")
        self.diagram = None
        # margins in CSS px (Canvas.set_margins), set again for each size: tight_layout on every
        # live frame would double a redraw's cost
        self.loss_canvas = Canvas(4.0, 2.7, css="rnnlab-loss-plot", min_height=250)
        self.loss_ax = self.loss_canvas.subplots()
        self.loss_canvas.on_resize(self._loss_resized)
        self.pred_canvas = Canvas(4.0, 2.7, css="rnnlab-pred-plot", min_height=250)
        self.pred_ax = self.pred_canvas.subplots()
        self.pred_canvas.on_resize(self._pred_resized)

    def _build_layout(self):
        c, b = self.controls, self.buttons
        bar = row([c["cell"], c["epochs"], b["train"], b["pause"], b["stop"], b["reset"]])
        # the two plots side by side when there is room, one above the other when narrow
        for canvas in (self.loss_canvas, self.pred_canvas):
            canvas.image.layout.flex = "1 1 320px"
        plots = row([self.loss_canvas.image, self.pred_canvas.image], align_items="flex-start")
        return column([c["pattern"], self.description, self.diagram_canvas.image, self.legend,
                       bar, self.status, plots, self.message])

    def _wire(self):
        super()._wire()
        self.on_click(self.buttons["reset"], self.reset)

    def _first_draw(self):
        self._show_pattern()

    def _apply(self, changed, old):
        if changed & {"pattern", "cell"}:
            if self.runner.running:  # two runs never overlap: the old one ends first
                self.stop()
            if "pattern" in changed:
                self._show_pattern()
            else:
                self._ensure_run()
                self._set_status(self._ready_text())
                self.draw_loss()
                self.draw_predictions()

    seed = setting_property("seed")
    _pattern = setting_property("pattern")

    # -- what the pattern is -----------------------------------------------------------------
    @property
    def pattern(self):
        """The pattern shown."""
        return self._pattern

    @property
    def setup(self):
        """This pattern's task name, diagram lengths and descriptions."""
        return SETUPS[self._pattern]

    @property
    def n_steps(self):
        """Unrolled steps in the diagram."""
        return unrolled_steps(self._pattern, self.setup["t_in"], self.setup["t_out"])[0]

    @property
    def input_steps(self):
        """Diagram steps (0-based) that read an input; the others read zeros."""
        return unrolled_steps(self._pattern, self.setup["t_in"], self.setup["t_out"])[1]

    @property
    def loss_steps(self):
        """Diagram steps (0-based) whose output carries loss."""
        return unrolled_steps(self._pattern, self.setup["t_in"], self.setup["t_out"])[2]

    def select(self, pattern):
        """Show ``pattern``; stops a running run first."""
        self.set(pattern=pattern)

    def _show_pattern(self):
        s = self.setup
        n, inputs, loss = unrolled_steps(self._pattern, s["t_in"], s["t_out"])
        self._draw_diagram()
        self._ensure_run()
        task = tasks.get_task(s["task"])
        self.description.value = (
            f'<div style="line-height:1.45"><b>{self._pattern}</b>: {s["text"]}<br>'
            f'<span style="color:#555">Task <i>{task.title}</i>: {s["task_text"]} '
            f"{self._task_length_text(n)}</span></div>")
        self.show_message("")
        self._set_status(self._ready_text())
        self.draw_loss()
        self.draw_predictions()

    def _draw_diagram(self):
        """The pattern's unrolled network, for the canvas's current size."""
        s = self.setup
        n, inputs, loss = unrolled_steps(self._pattern, s["t_in"], s["t_out"])
        groups = None
        if self._pattern == "encoder-decoder":
            groups = [(0, s["t_in"], "encoder: read"), (s["t_in"], n, "decoder: write")]
        elif self._pattern == "one-to-many":
            groups = [(0, 1, "read"), (1, n, "keep writing")]
        elif self._pattern == "one-to-one":
            groups = [(0, 1, "w_h only meets h_0 = 0: an ordinary network")]
        with self.diagram_canvas.lock:
            self.diagram = draw_unrolled(self.diagram_ax, n, input_steps=inputs, loss_steps=loss,
                                         groups=groups, legend=False)
            self.diagram_canvas.draw()
            self.diagram_canvas.alt = self._diagram_alt(n, inputs, loss, groups)
        self.legend.value = legend_html(self.diagram)

    def _diagram_alt(self, n, inputs, loss, groups):
        def steps(idx):
            idx = [int(i) + 1 for i in idx]  # numbered from 1, as in the picture
            if not idx:
                return "none"
            if idx == list(range(idx[0], idx[-1] + 1)) and len(idx) > 2:
                return f"steps {idx[0]} to {idx[-1]}"
            return ("step " if len(idx) == 1 else "steps ") + ", ".join(map(str, idx))

        text = (f"The {self._pattern} pattern: one RNN cell unrolled over {n} "
                f"step{'s' if n > 1 else ''}, the same weights w_x, w_h, w_y at every step. Reads "
                f"an input at {steps(inputs)}")
        zeros = [i for i in range(n) if i not in set(inputs)]
        if zeros:
            text += f" (zeros at {steps(zeros)})"
        text += f"; the output carries loss at {steps(loss)}"
        ignored = [i for i in range(n) if i not in set(loss)]
        if ignored:
            text += f" (ignored at {steps(ignored)})"
        text += "."
        if groups:
            text += " " + "; ".join(f"{label}: {steps(range(a, b))}" for a, b, label in groups) + "."
        return text

    def _loss_resized(self):
        self._loss_frame = None  # margins and legend set again for the new size
        self.draw_loss()

    def _pred_resized(self):
        self._pred_shown = None
        self.draw_predictions()

    def _loss_alt(self, run, n, epochs, train, valid, loss_name, log):
        cell = run["cell"].upper() if run else ""
        head = (f"Loss plot of the {cell} on the {self._pattern} task ({loss_name}, "
                f"{'log' if log else 'linear'} scale): ")
        if n == 0:
            return head + "no model."
        first, last = train[0], train[n - 1]
        if epochs[n - 1] == 0:
            text = f"training loss {first:.3g} before training"
        else:
            trend = "fell" if last < first else ("rose" if last > first else "stayed")
            text = (f"training loss {trend} from {first:.3g} to {last:.3g} in {epochs[n - 1]} "
                    f"epoch{'s' if epochs[n - 1] != 1 else ''}")
        shown = [v for v in valid[:n] if v is not None]
        if shown:
            text += f"; validation {shown[-1]:.3g}"
        return head + text + "."

    def _task_length_text(self, drawn):
        n = tasks.unrolled_length(self._runs[self._pattern]["train"], self._pattern)
        if n == drawn:
            return "The diagram shows every step the task unrolls."
        return f"The diagram is shortened: the task unrolls {n} steps."

    # -- model, data, training ----------------------------------------------------------------
    def _ensure_run(self):
        """This pattern's model and trainer, rebuilt if missing or made with another cell."""
        run = self._runs.get(self._pattern)
        if run is None or run["cell"] != self._values["cell"]:
            self._runs[self._pattern] = self._new_run()

    def _new_run(self):
        s = self.setup
        task = tasks.get_task(s["task"])
        d = task.defaults
        train, valid = tasks.make_task_data(s["task"], self._pattern, seed=0)
        out_len = train.y.shape[0] if get_pattern(self._pattern).needs_output_length else None
        cell = self._values["cell"]
        model = SequenceModel(train.input_size, d["hidden_size"], train.output_size, cell=cell,
                              pattern=self._pattern, loss=train.loss, output_length=out_len,
                              seed=self.seed)
        trainer = Trainer(model, train, optimizer=d["optimizer"], lr=d["lr"],
                          epochs=self._values["epochs"],
                          batch_size=min(d["batch_size"], train.n_samples),
                          clip_norm=d["clip"] or None, valid=valid, seed=self.seed,
                          callback=self._progress, record_hidden_grads=False)
        first = trainer.evaluate(trainer.data)
        first_valid = trainer.evaluate(trainer.valid)
        return {"cell": cell, "model": model, "trainer": trainer, "train": train, "valid": valid,
                "curve": {"epoch": [0], "train": [first], "valid": [first_valid]},
                "pattern": self._pattern}

    @property
    def model(self):
        """The model of the pattern shown."""
        return self._runs[self._pattern]["model"]

    @property
    def trainer(self):
        return self._runs[self._pattern]["trainer"]

    @property
    def history(self):
        """The :class:`rnnlab.History` of the pattern shown."""
        return self.trainer.history

    @property
    def loss_curve(self):
        """``{"epoch", "train", "valid"}`` lists; epoch 0 is the loss before training."""
        return {k: list(v) for k, v in self._runs[self._pattern]["curve"].items()}

    def reset(self):
        """Fresh initial weights (the seed's) for the pattern shown."""
        if self.runner.running:
            self.stop()
        self._runs.pop(self._pattern, None)
        self._ensure_run()
        self.show_message("")
        self._set_status(self._ready_text())
        self.draw_loss()
        self.draw_predictions()

    def train(self):
        """Train the pattern shown for ``epochs`` more epochs in the background.

        Returns False (and does nothing) while a run goes on; resumes a paused run.
        """
        if self.runner.running and self.runner.paused:
            self.toggle_pause()
            return False
        if not self._can_start():
            return False
        self._ensure_run()
        run = self._runs[self._pattern]
        if run["trainer"].history.diverged:
            self.show_message("this run diverged: press Reset first", "warn")
            return False
        self.show_message("")
        self._set_status(f"training {run['cell'].upper()} on {self._pattern}...")
        self._live_run = run
        return self._start_training([(run["trainer"], self._values["epochs"])],
                                    on_done=lambda r: self._train_done(r, run))

    def _shown(self, run):
        return self._runs.get(run["pattern"]) is run and self._pattern == run["pattern"]

    def _on_progress(self, trainer, event):
        """Record each epoch of the run (training thread); a run no longer shown stops."""
        run = self._live_run
        if run["trainer"] is not trainer or not self._shown(run):
            trainer.stop()  # a run of a pattern no longer shown (select stops first)
            return
        if event == "epoch":
            h = trainer.history
            run["curve"]["epoch"].append(trainer.epoch)
            run["curve"]["train"].append(h.train_loss[-1])
            run["curve"]["valid"].append(h.valid_loss[-1])

    def _frame_due(self, trainer, event, now):
        # a paused run shows where it stands (and Stop after Pause has nothing left to draw)
        run = self._live_run
        if self.runner.paused and run.get("drawn") != _progress_mark(run):
            return True
        return super()._frame_due(trainer, event, now)

    def _live_frame(self, trainer):
        run = self._live_run
        if self._shown(run):
            self._status_line(run)
            self.draw_loss()
            self.draw_predictions()
            run["drawn"] = _progress_mark(run)

    def _train_done(self, runner, run):
        # controls and status first: the learner sees the run has ended before the
        # redraws (unlike TrainingPanel._end_run); a Train press meanwhile waits for
        # them in _can_start rather than being dropped
        shown = self._shown(run)
        if shown:
            self._status_line(run, final=True)
        self._set_running(False)
        if runner.error is not None:
            self.report_error(runner.error, "training")
        # the plots only if they lag behind the run: Stop waits for no render the last
        # live frame (or the frame drawn at Pause) has already made
        if shown and run.get("drawn") != _progress_mark(run):
            self.draw_loss()
            self.draw_predictions()

    # -- status ------------------------------------------------------------------------------------
    def _ready_text(self):
        run = self._runs[self._pattern]
        ep = run["trainer"].epoch
        loss = run["curve"]["train"][-1]
        what = "before training" if ep == 0 else f"after {ep} epochs"
        return (f"{run['cell'].upper()}, {run['model'].num_params()} parameters: loss {loss:.4g} "
                f"{what}. Press Train.")

    def _status_line(self, run, final=False):
        tr, cur = run["trainer"], run["curve"]
        self._show_run_status(tr.history, loss_text(tr.epoch, cur["train"][-1], cur["valid"][-1]),
                              final)

    # -- drawing -----------------------------------------------------------------------------------
    def draw_loss(self):
        """Redraw the loss curve of the pattern shown.

        The lines are made once; a new pattern or a curve that outgrows the
        frame renders the whole figure, a live frame only the lines (blitting).
        Extreme losses (inf, NaN, 1e300) are pinned to the frame, never passed
        raw to matplotlib.
        """
        cv = self.loss_canvas
        run = self._runs.get(self._pattern)
        with cv.lock:
            ax = self.loss_ax
            if self._loss_lines is None:
                (train_line,) = ax.plot([], [], color=COLORS["train"], lw=2, label="train",
                                        marker="o", ms=3, markevery=[0])
                (valid_line,) = ax.plot([], [], color=COLORS["valid"], lw=1.5, ls="--",
                                        label="validation")
                ax.set_xlabel("epoch")
                ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=9,
                          borderaxespad=0.1, handlelength=2.4)
                self._loss_lines = (train_line, valid_line)
            train_line, valid_line = self._loss_lines
            cur = run["curve"] if run is not None else {"epoch": [], "train": [], "valid": []}
            epochs, train, valid = list(cur["epoch"]), list(cur["train"]), list(cur["valid"])
            n = min(len(epochs), len(train), len(valid))  # lists grow in the training thread
            values = np.array([v for v in train[:n] + valid[:n] if v is not None], dtype=float)
            finite = values[np.isfinite(values) & (values > 0)]
            log = bool(finite.size) and finite.max() / finite.min() > 4  # else linear reads better
            firsts = values[:1]
            ylim = loss_limits(values, firsts, log)
            loss_name = run["train"].loss if run else "mse"
            frame = (self._pattern, id(run), loss_name, log, ylim, nice(max([10] + epochs[:n])))
            full = frame != self._loss_frame
            if full:
                _set_yscale(ax, log)
                ax.set_ylim(*ylim)
                ax.set_xlim(0, frame[-1])
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_ylabel(f"loss ({loss_name})")
                # placed by hand: automatic title placement costs a third of a redraw
                ax.set_title(f"training loss: {self._pattern}", fontsize=9, y=1.12)
                cv.set_margins(left=62, right=14, bottom=42, top=54)
                self._loss_frame = frame
            train_line.set_data(epochs[:n], plotted(train[:n], ylim, log))
            ev = [(e, v) for e, v in zip(epochs[:n], valid[:n]) if v is not None]
            valid_line.set_data([e for e, _ in ev], plotted([v for _, v in ev], ylim, log))
            cv.draw_dynamic([train_line, valid_line], full=full)
            cv.alt = self._loss_alt(run, n, epochs, train, valid, loss_name, log)

    def draw_predictions(self):
        """Draw what the model of the pattern shown predicts on validation data."""
        cv = self.pred_canvas
        run = self._runs.get(self._pattern)
        with cv.lock:
            if run is None:
                self.pred_ax.clear()
                cv.draw()
                cv.alt = "Predictions: no model for this pattern yet."
                return
            plot = run.get("plot")
            full = plot is None or plot.ax is not self.pred_ax or self._pred_shown is not run
            if full:  # another pattern or model: make the picture again
                plot = run["plot"] = PredictionPlot(self.pred_ax, run["model"], run["valid"],
                                                    legend="above", short=True)
                self._pred_shown = run
            full = plot.update(run["model"], run["trainer"].epoch) or full
            plot.title.set_fontsize(9)
            plot.stamp.set_fontsize(9)
            cv.set_margins(left=62, right=14, bottom=42, top=58)
            cv.draw_dynamic(plot.dynamic, full=full)
            cv.alt = plot.describe()


def _progress_mark(run):
    """Where a run stands, ``(epochs recorded, updates made)``: a picture drawn at the same
    mark is current (the weights change only by updates, the loss curve only by epochs)."""
    return len(run["curve"]["epoch"]), run["trainer"].history.updates


def _set_yscale(ax, log):
    with warnings.catch_warnings():  # equal limits of a lone first point
        warnings.simplefilter("ignore", UserWarning)
        ax.set_yscale("log" if log else "linear")
    if log:
        # labels at 1, 2, 5 x 10^n, so a curve spanning one decade still gets a few
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost more than they show
