"""The playground: pick a task and settings, press Train, watch it learn.

::

    from rnnlab.widgets import Playground
    pg = Playground(cell="gru")  # display it: last expression of a cell
    pg.set(lr=0.01, epochs=50)   # or use the controls
    pg.train(); pg.wait()        # or press the buttons
    pg.history.train_loss[-1]

Training runs in a background thread, so sliders and buttons stay live. The
learning rate and clipping may change while it runs (the run's legend entry
says when: "lr 0.03→0.3 at epoch 12"); controls that change the model are
disabled until it stops. Reset goes back to the *same* initial weights so two
settings can be compared fairly; Reseed draws new ones.

Each run stays on its task's loss plot as a faint line (up to six per task),
labelled with the settings that differ between the runs shown. Runs of other
tasks are kept apart and come back with their task. A run that diverged keeps
its place on the plot, clipped to the frame and marked where it blew up; Train
or Step then start a new run from the same initial weights.
"""
from __future__ import annotations

import functools
import textwrap
import time
import warnings

import numpy as np
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator, ScalarFormatter

from ..model import SequenceModel
from ..optim import OPTIMIZERS
from ..patterns import get_pattern
from ..train import Trainer
from . import tasks
from ._base import COLORS, DECADES, RUN_STYLES, Canvas, settings_dict
from ._factory import make_button, make_disclosure, make_text_area
from ._layout import column, controls_grid, row, split
from ._lossplot import loss_limits, nice, plotted
from ._predictions import PredictionPlot
from ._settings import Choice, Flag, Float, Int
from ._training import TrainingPanel, loss_text

CLIP_CHOICES = [("off", 0.0), ("0.1", 0.1), ("0.5", 0.5), ("1", 1.0), ("5", 5.0)]
MAX_OVERLAYS = 6  # finished runs kept per task
#: settings that can differ between runs, in the order a legend names them
LABEL_KEYS = ("pattern", "cell", "activation", "num_layers", "bidirectional", "hidden_size", "bptt",
              "k", "optimizer", "lr", "clip", "batch_size", "seed", "fast")
#: settings that may change during a run; the run's label says when they did
LIVE_TRAINING = ("lr", "clip", "fast")
#: a task's suggested settings, applied when the task changes (unless hidden or given)
TASK_DEFAULTS = ("cell", "hidden_size", "lr", "epochs", "batch_size")


@functools.lru_cache(maxsize=None)
def task_steps(task, pattern):
    """Steps the network unrolls for ``task`` posed as ``pattern`` (the largest useful k)."""
    train, _ = tasks.make_task_data(task, pattern, seed=0)
    return tasks.unrolled_length(train, pattern)


def _default(key):
    return lambda v: tasks.get_task(v["task"]).defaults[key]


class Playground(TrainingPanel):
    """An RNN playground with live loss curves and predictions.

    Parameters
    ----------
    task : name of a task in :data:`rnnlab.widgets.tasks.TASKS` (default ``"sine"``)
    hide : names of controls to hide (teacher mode), e.g. ``("optimizer", "seed")``;
        hidden controls keep their values, also when the task changes
    settings : dict (or JSON from :meth:`to_json`) of initial settings,
        applied after the task's suggested ones
    draw_interval : least seconds between live redraws while training
    **settings : any setting by name (``cell="gru"``, ``hidden_size=32``,
        ``lr=0.01`` ...; the table is ``Playground.SETTINGS``). Names are
        case-insensitive where the core's are: ``cell="LSTM"``.

    Examples
    --------
    ::

        pg = Playground(task="echo", hide=("optimizer", "seed"))
        pg                                   # shows the panel
        pg.controls["cell"].value = "gru"     # any control, from code
        pg.train(); pg.wait()
        pg.history.valid_loss[-1], pg.to_json()
    """

    css = "rnnlab-playground"
    panel_name = "playground"
    SETTINGS = (
        Choice("task", [(t.title, t.name) for t in tasks.TASKS.values()], "sine", label="Task"),
        Choice("pattern", lambda v: tasks.get_task(v["task"]).patterns,
               lambda v: tasks.get_task(v["task"]).patterns[0], label="Pattern",
               normalize=lambda name: name.replace("_", "-")),
        Choice("cell", [("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm")], _default("cell"),
               label="Cell", widget="toggle", width="auto", style={"button_width": "60px"}),
        Choice("activation", ("tanh", "sigmoid", "relu"), _default("activation"),
               label="Activation"),
        Int("hidden_size", 1, 64, _default("hidden_size"), label="Hidden size"),
        Int("num_layers", 1, 3, _default("num_layers"), label="Layers"),
        Flag("bidirectional", _default("bidirectional"), label="Bidirectional", width="auto"),
        Choice("bptt", [("full BPTT", "full"), ("truncated, k steps", "truncated"),
                        ("tutorial windows of k", "windowed")], _default("bptt"), label="BPTT"),
        Int("k", 1, lambda v: task_steps(v["task"], v["pattern"]),
            lambda v: min(_default("k")(v), task_steps(v["task"], v["pattern"])), label="Window k",
            why=lambda v: f"the {v['task']} task unrolls {task_steps(v['task'], v['pattern'])} "
                          "steps"),
        Float("lr", 1e-4, 1.0, _default("lr"), label="Learning rate", widget="log", live=True),
        Choice("optimizer", OPTIMIZERS, _default("optimizer"), label="Optimiser"),
        Choice("clip", CLIP_CHOICES, _default("clip"), label="Clip norm", live=True),
        Int("epochs", 1, 10_000, _default("epochs"), label="Epochs", widget="box", live=True),
        Int("batch_size", 1, 4096, _default("batch_size"), label="Batch", widget="box"),
        Int("seed", 0, 2**31 - 1, 0, label="Seed", widget="box"),
        Flag("fast", True, label="Fast code path", live=True, width="auto",
             tooltip="off: the model runs the textbook step loops of rnnlab.cells (the same "
                     "numbers, slower)"),
        Flag("log_scale", True, label="Log scale", live=True, width="auto"),
    )
    IDLE_BUTTONS = ("step", "reset", "reseed", "load", "clear")

    def __init__(self, task="sine", hide=(), settings=None, draw_interval=0.1, **kwargs):
        given = {"task": task}
        hidden = ()
        if settings is not None:
            settings = settings_dict(settings)
            settings.pop("rnnlab", None)
            if settings.pop("panel", "playground") != "playground":
                raise ValueError("settings are for another panel, not the playground")
            hidden = settings.pop("hidden", ())
            given.update(settings)
        given.update(kwargs)
        self.hidden = ()
        self._hide = _check_hide(hide or hidden, [s.name for s in self.SETTINGS if s.control])
        self.model = self.trainer = self.data = self.valid = None
        self.target_loss = None
        self._runs = {}  # task -> finished runs kept for its overlay
        self.run = None  # the current run: {"id", "task", "start", "changes", "curve", ...}
        self._next_id = 1
        self._restart = None  # why the next Train or Step must start a fresh run
        self._loss_key = self._loss_frame = self._pred = None
        self._frames, self._pred_every, self._pace = 0, 1, 0.0
        self._frame_costs = {"loss": None, "pred": None}
        super().__init__("rnnlab-playground", draw_interval, **given)

    # -- the lifecycle ---------------------------------------------------------------------
    def _build_controls(self):
        super()._build_controls()
        self._make_training_buttons()
        for name, text, icon, tip in (
                ("step", "Step", "step-forward", "one update"),
                ("reset", "Reset", "undo", "same initial weights, new settings"),
                ("reseed", "Reseed", "random", "new initial weights"),
                ("clear", "Clear runs", "eraser", "forget the overlaid runs of this task"),
                ("export", "Export settings", "download", "write the settings as JSON below"),
                ("load", "Load settings", "upload", "apply the JSON below")):
            self.buttons[name] = make_button(name, text, icon, "", tip)
        self.share = make_text_area(
            "share", "Export settings fills this; or paste settings here and press Load settings",
            description="Settings as JSON")

    def _build_views(self):
        # margins set by hand for each size (_place_loss_legend): tight_layout on every live
        # frame would double the cost of a redraw
        self._legend_px = (0.0, 0.0)  # the loss legend's size, CSS px
        self.loss_canvas = Canvas(7.2, 3.0, css="rnnlab-loss-plot", height_for=self._loss_height)
        self.loss_ax = self.loss_canvas.subplots()
        self.loss_canvas.on_resize(self._loss_resized)
        self.pred_canvas = Canvas(7.2, 2.6, css="rnnlab-pred-plot", min_height=230)
        self.pred_ax = self.pred_canvas.subplots()
        self.pred_canvas.on_resize(self._pred_resized)

    def _build_layout(self):
        # beside the plots when the panel is wide; above them, in two or three columns, below
        # about 1000 px (a laptop with the file browser open gets whole-width plots)
        c, b = self.controls, self.buttons
        left = controls_grid([c[s.name] for s in self.SETTINGS], min_width=280)
        bar = row([b[name] for name in ("train", "pause", "stop", "step", "reset", "reseed",
                                        "clear")])
        right = column([bar, self.status, self.loss_canvas.image, self.pred_canvas.image,
                        self.message])
        # a disclosure, not an Accordion: its header is a button the keyboard reaches
        self.share_box = make_disclosure("Share these settings",
                                         [row([b["export"], b["load"]]), self.share],
                                         name="share_box")
        return column([split(left, right), self.share_box])

    def _wire(self):
        super()._wire()
        b = self.buttons
        self.on_click(b["step"], self.step)
        self.on_click(b["reset"], self.reset)
        self.on_click(b["reseed"], self.reseed)
        self.on_click(b["clear"], self.clear_runs)
        self.on_click(b["export"], lambda: setattr(self.share, "value", self.to_json()))
        self.on_click(b["load"], lambda: self.load_settings(self.share.value))

    def _first_draw(self):
        self.set_hidden(self._hide)
        self.reset()

    # -- settings --------------------------------------------------------------------------
    def _json_extras(self):
        return {"hidden": list(self.hidden)}

    def _load_extras(self, settings):
        if "hidden" not in settings:
            return None
        hidden = _check_hide(settings.pop("hidden"), list(self.controls))
        return lambda: self.set_hidden(hidden)

    def _expand(self, given):
        """A new task brings its suggested settings, except those hidden or given."""
        if "task" not in given:
            return given
        task = self._setting("task").check(given["task"])
        if task == self._values["task"]:
            return given
        t = tasks.get_task(task)
        out = dict(given)
        out.setdefault("pattern", t.patterns[0])
        for key in TASK_DEFAULTS:
            if key not in given and key not in self.hidden:
                out[key] = t.defaults[key]
        if "k" not in given:  # the window may not be longer than the new task's sequences
            out["k"] = min(self._values["k"], task_steps(task, out["pattern"]))
        return out

    def set_hidden(self, names):
        """Teacher mode: hide these controls (they keep their values, also when the task
        changes)."""
        names = _check_hide(names, list(self.controls))
        self.hidden = names
        for name, w in self.controls.items():
            w.layout.display = "none" if name in names else None

    def _inactive(self, name):
        v = self._values
        return ((name == "pattern" and len(tasks.get_task(v["task"]).patterns) == 1)
                or (name == "activation" and v["cell"] != "rnn")
                or (name == "k" and v["bptt"] == "full"))

    def _apply(self, changed, old):
        tr = self.trainer
        if self.runner.running:  # in force at the next update: the legend will say when
            self._take_live_changes()
        if tr is not None:  # each takes effect at the next update
            tr.optimizer.lr = self._values["lr"]
            tr.clip_norm = self._values["clip"] or None
            self.model.fast = self._values["fast"]
        if changed - {"lr", "clip", "fast", "epochs", "log_scale"}:
            self.reset()
        else:
            self.draw_loss()

    # -- model and data ------------------------------------------------------------------------
    def make_trainer(self, callback=None):
        """A fresh ``(model, trainer)`` from the current settings: what Train runs.

        Same seed, same initial weights. The panel's own trainer reports to
        the panel; ``callback=None`` gives one that trains headless, e.g. to
        time training without the panel (benchmarks/bench_panels.py).
        """
        s = self._values
        train, valid = tasks.make_task_data(s["task"], s["pattern"], seed=0)
        out_len = train.y.shape[0] if get_pattern(s["pattern"]).needs_output_length else None
        model = SequenceModel(
            train.input_size, s["hidden_size"], train.output_size, cell=s["cell"],
            pattern=s["pattern"], num_layers=s["num_layers"], bidirectional=s["bidirectional"],
            activation=s["activation"], loss=train.loss, output_length=out_len, seed=s["seed"],
            fast=s["fast"])
        trainer = Trainer(
            model, train, optimizer=s["optimizer"], lr=s["lr"], epochs=s["epochs"],
            batch_size=min(s["batch_size"], train.n_samples), bptt=s["bptt"],
            k=s["k"] if s["bptt"] != "full" else None, clip_norm=s["clip"] or None,
            valid=valid, seed=s["seed"], callback=callback, record_hidden_grads=False)
        return model, trainer

    def _build(self):
        """Data, model and trainer from the current settings (same seed, same weights)."""
        s = self._values
        self.data, self.valid = tasks.make_task_data(s["task"], s["pattern"], seed=0)
        self.model, self.trainer = self.make_trainer(callback=self._progress)
        self.target_loss = tasks.get_task(s["task"]).target_loss

    def reset(self):
        """Rebuild from the current settings with the seed's initial weights.

        The current run, if it made progress, stays on its task's plot as a
        faint line. Refused while training runs (stop first).
        """
        if self.runner.running:
            self.notify("Stop training before Reset.")
            return
        self._archive_run()
        self._restart = None
        try:
            self._build()
        except (ValueError, TypeError) as err:
            self.model = self.trainer = None
            self.run = None
            self._set_status(f"cannot build this model: {err}", "error")
            self.draw_loss()
            self.draw_predictions()
            return
        first = self.trainer.evaluate(self.trainer.data)
        first_valid = self.trainer.evaluate(self.trainer.valid)
        # a run gets its number, its settings and its label when it starts training
        self.run = {"id": None, "task": self._values["task"], "start": None, "live": None,
                    "changes": [], "diverged": None, "reached": None, "loss": self.data.loss,
                    "curve": {"epoch": [0], "train": [first], "valid": [first_valid]}}
        self._pred = None  # new model or data: the prediction plot is made again
        self.show_message("")
        self._set_status(f"ready: {self.model.num_params()} parameters, loss {first:.4g} before "
                         "training. Press Train.")
        self.draw_loss()
        self.draw_predictions()

    def reseed(self):
        """New initial weights: the next seed, then Reset."""
        if self.runner.running:
            self.notify("Stop training before Reseed.")
            return
        self.set(seed=(self._values["seed"] + 1) % (2**31 - 1))

    def clear_runs(self):
        """Forget the overlaid runs of the current task."""
        self._runs.pop(self._values["task"], None)
        self.draw_loss()

    def _archive_run(self):
        run = self.run
        if run is None or (len(run["curve"]["epoch"]) < 2 and run["diverged"] is None):
            return
        self._start_run()
        kept = self._runs.setdefault(run["task"], [])
        kept.append(run)
        del kept[:-MAX_OVERLAYS]
        self.run = None

    @property
    def runs(self):
        """The finished runs overlaid on this task's plot, oldest first."""
        return list(self._runs.get(self._values["task"], []))

    @property
    def labels(self):
        """The legend's names of the kept runs and the current one (as on the plot, unwrapped)."""
        return [" ".join(label.split()) for label in self._labels()]

    @property
    def curve(self):
        """The current run's ``{"epoch", "train", "valid"}`` lists (epoch 0: before training)."""
        return {k: list(v) for k, v in self.run["curve"].items()} if self.run else {}

    @property
    def history(self):
        return None if self.trainer is None else self.trainer.history

    # -- training ----------------------------------------------------------------------------
    def _ready_to_train(self, what):
        """A trainer that can train now: a fresh run after a divergence or an error."""
        if self.trainer is not None and (self.trainer.history.diverged or self._restart):
            why = self._restart or "the last run diverged"
            self.reset()
            if self.trainer is not None:
                self.notify(f"{why}: {what} starts a new run from the same initial weights "
                            "(the old run stays on the plot).")
        if self.trainer is None:
            self.reset()
        if self.trainer is None:  # these settings cannot build a model; the status says why
            return False
        self._start_run()
        self._take_live_changes()  # lr or clip changed since the last Train: from now on
        return True

    def _start_run(self):
        """The run starts: its number and the settings its label is made from."""
        run = self.run
        if run is not None and run["start"] is None:
            run["id"], self._next_id = self._next_id, self._next_id + 1
            run["start"] = self.settings()
            run["live"] = {name: run["start"][name] for name in LIVE_TRAINING}

    def _take_live_changes(self):
        """Note lr, clip and code-path changes that take effect now, at the current epoch."""
        run = self.run
        if run is None or run["live"] is None:
            return
        epoch = self.trainer.epoch if self.trainer is not None else 0
        for name, before in run["live"].items():
            now = self._values[name]
            if now != before:
                run["changes"].append((epoch, name, before, now))
                run["live"][name] = now

    def train(self):
        """Start (or continue) training in the background; resumes if paused."""
        if self.runner.running and self.runner.paused:
            self.toggle_pause()
            return False
        if not self._can_start():
            return False
        if not self._ready_to_train("Train"):
            return False
        self._updates_at_start = self.trainer.history.updates
        self._frames, self._pred_every, self._pace = 0, 1, 0.0
        self._frame_costs = {"loss": None, "pred": None}
        self._planned = self.trainer.epoch + self._values["epochs"]
        self._set_status("training...")
        return self._start_training([(self.trainer, self._values["epochs"])],
                                    on_done=self._train_done)

    def _train_done(self, runner):
        if runner.error is not None:
            self._restart = "the last run stopped on an error"
        self._note_divergence(self.trainer)
        self._end_run(runner, self._redraw_all, lambda: self._status_line(final=True))

    def _redraw_all(self):
        self.draw_loss()
        self.draw_predictions()

    def _on_progress(self, trainer, event):
        """Record each epoch (training thread)."""
        if event != "epoch" or self.run is None:
            return
        h, curve = trainer.history, self.run["curve"]
        curve["epoch"].append(trainer.epoch)
        curve["train"].append(h.train_loss[-1])
        curve["valid"].append(h.valid_loss[-1])
        watched = h.valid_loss[-1] if h.valid_loss[-1] is not None else h.train_loss[-1]
        if (self.run["reached"] is None and self.target_loss is not None
                and watched <= self.target_loss):
            self.run["reached"] = (trainer.epoch, h.wall_time[-1])

    def _frame_due(self, trainer, event, now):
        # live frames belong to a background run; Step draws once, itself
        return self.runner.running and self._redraw_due(now)

    def _live_frame(self, trainer):
        """Status, loss and (every frame, or every other one on a slow machine) predictions.

        Drawing takes at most DRAW_SHARE of the time (the costs are running
        averages, so the rare whole redraws are paid for too); within that,
        the loss plot keeps at least MIN_FPS frames a second if it can, and
        the predictions are drawn on every frame if that leaves the loss plot
        that rate, else on every other frame.
        """
        self._status_line()
        costs = self._frame_costs
        t0 = time.perf_counter()
        self.draw_loss()
        t1 = time.perf_counter()
        costs["loss"] = _average(costs["loss"], t1 - t0)
        self._frames += 1
        if self._pred_every == 1 or self._frames % 2 == 0:
            self.draw_predictions()
            costs["pred"] = _average(costs["pred"], time.perf_counter() - t1)
        both = (costs["loss"] + (costs["pred"] or 0.0)) / self.DRAW_SHARE
        if both <= 1 / self.MIN_FPS:
            self._pred_every, self._pace = 1, both
        else:
            self._pred_every = 2
            self._pace = (costs["loss"] + (costs["pred"] or 0.0) / 2) / self.DRAW_SHARE

    #: the live frame rate the loss plot keeps if drawing within DRAW_SHARE allows it
    MIN_FPS = 8
    DRAW_SHARE = 0.3

    def _redraw_interval(self):
        return max(self.draw_interval, self._pace)

    def _note_divergence(self, trainer):
        """Keep where a diverged run blew up, to mark it on the plot."""
        run = self.run
        if trainer is None or run is None or not trainer.history.diverged or run["diverged"]:
            return
        run["diverged"] = {"epoch": trainer.epoch + 1, "text": trainer.history.stopped}

    def _status_line(self, final=False):
        tr, run = self.trainer, self.run
        if tr is None or run is None:
            return
        h, curve = tr.history, run["curve"]
        rate = (h.updates - self._updates_at_start) / max(self._elapsed(), 1e-9)
        text = (f"{loss_text(tr.epoch, curve['train'][-1], curve['valid'][-1])}"
                f"  ·  {rate:.0f} updates/s")
        reached = ""
        if run["reached"] is not None:
            epoch, seconds = run["reached"]
            reached = (f"  ·  reached the target {self.target_loss:g} at epoch {epoch} "
                       f"({seconds:.1f} s of training)")
        self._show_run_status(h, text, final, extra=reached)

    def step(self):
        """Make exactly one update (in this thread) and redraw; returns its loss."""
        if self.runner.running:
            self.notify("Step works when training is stopped.")
            return None
        if not self._ready_to_train("Step"):
            return None
        self._t_start = time.perf_counter()
        self._updates_at_start = self.trainer.history.updates
        h, curve = self.trainer.history, self.run["curve"]
        try:
            loss = self.trainer.step()
        except Exception:
            self._note_divergence(self.trainer)
            if self.trainer.history.diverged:
                self._status_line(final=True)
                self._redraw_all()
                return None
            self._restart = "the last update stopped on an error"
            raise
        if len(h.epoch) + 1 > len(curve["epoch"]):  # the update completed an epoch
            self._on_progress(self.trainer, "epoch")
        self._set_status(f"one update: loss {loss:.4g} (update {h.updates}, "
                         f"epoch {self.trainer.epoch})")
        self.draw_loss(extra_update=loss)
        self.draw_predictions()
        return loss

    # -- the loss plot -------------------------------------------------------------------------
    def _labels(self):
        """Legend labels of the kept runs and the current one: only what differs between them."""
        runs = self.runs + ([self.run] if self.run is not None else [])
        starts = [r["start"] or self._values for r in runs]
        # a setting differs if two runs where it applies (activation: RNNs) disagree on it
        differ = [k for k in LABEL_KEYS if len({_label_part(k, s) for s in starts} - {""}) > 1]
        labels = []
        for r, s in zip(runs, starts):
            parts = [p for p in (_label_part(k, s) for k in differ) if p]
            parts += [_change_text(*change) for change in r["changes"]]
            number = r["id"] if r["id"] is not None else self._next_id
            text = f"run {number}" + (": " + ", ".join(parts) if parts else "")
            labels.append(textwrap.fill(text, 30, subsequent_indent="  "))
        return labels

    def _loss_values(self):
        runs = self.runs + ([self.run] if self.run is not None else [])
        values, firsts = [], []
        for r in runs:
            c = r["curve"]
            values += [v for v in c["train"] + c["valid"] if v is not None]
            firsts += [v for v in (c["train"][0], c["valid"][0]) if v is not None]
        return np.asarray(values, dtype=np.float64), np.asarray(firsts, dtype=np.float64)

    def _x_right(self):
        """The right end of the epoch axis: 10, 20, 50, 100...

        A growing curve fills the frame from early on, and the frame changes (a
        full redraw) only a few times a run: a run starts in a frame a tenth of
        its planned length.
        """
        runs = self.runs + ([self.run] if self.run is not None else [])
        last = max([r["curve"]["epoch"][-1] for r in runs] + [10])
        if self.runner.running:
            last = max(last, getattr(self, "_planned", 0) / 10)
        return nice(last)

    def draw_loss(self, extra_update=None):
        """Redraw the loss plot: this run (train, valid) over the kept runs of its task.

        Three levels of work: the artists are made again only when the runs or
        their labels change; the frame (limits, scale) is set again when the
        curves outgrow it; otherwise a live frame re-renders the current run's
        lines alone over the rest, kept from before (blitting). Returns True if
        the whole figure was rendered.
        """
        cv = self.loss_canvas
        with cv.lock:
            values, firsts = self._loss_values()
            log = bool(self._values["log_scale"])
            ylim = loss_limits(values, firsts, log, self.target_loss)
            artists = (self._values["task"], tuple(id(r) for r in self.runs), id(self.run),
                       tuple(self._labels()), self.target_loss,
                       self.run is not None and self.run["diverged"] is not None)
            frame = (log, ylim, self._x_right())
            full = artists != self._loss_key
            if full:
                self._setup_loss_axes()
                self._loss_key = artists
            if full or frame != self._loss_frame:
                self._set_loss_frame(*frame)
                self._loss_frame = frame
                full = True
            cur = self.run["curve"] if self.run is not None else {"epoch": [], "train": [],
                                                                   "valid": []}
            epochs, train, valid = list(cur["epoch"]), list(cur["train"]), list(cur["valid"])
            n = min(len(epochs), len(train), len(valid))  # lists grow in the training thread
            self._train_line.set_data(epochs[:n], plotted(train[:n], ylim, log))
            ev = [(e, v) for e, v in zip(epochs[:n], valid[:n]) if v is not None]
            self._valid_line.set_data([e for e, _ in ev], plotted([v for _, v in ev], ylim, log))
            if extra_update is not None and self.trainer is not None:
                self._step_dot.set_data([self.trainer.epoch + 0.5],
                                        plotted([extra_update], ylim, log))
            else:
                self._step_dot.set_data([], [])
            cv.draw_dynamic([self._train_line, self._valid_line, self._step_dot], full=full)
            cv.alt = self._loss_alt()
            return full

    def _setup_loss_axes(self):
        """(Re)create the loss plot's artists: kept runs, this run, marks, legend."""
        ax = self.loss_ax
        ax.clear()
        labels = self._labels()
        self._overlays = []
        for i, run in enumerate(self.runs):
            look = RUN_STYLES[i % len(RUN_STYLES)]  # colour, line style and marker all differ
            (line,) = ax.plot([], [], lw=1.3, alpha=0.8, color=look["color"], ls=look["ls"],
                              marker=look["marker"], ms=4, markevery=0.2, label=labels[i])
            self._overlays.append((line, run))
            self._mark_divergence(ax, run, look["color"])
        label = labels[-1] + " (now)" if self.run is not None else "no model"
        # a dot marks the loss before training: a fresh run is visible before its first epoch
        (self._train_line,) = ax.plot([], [], color=COLORS["train"], lw=2, label=label,
                                      marker="o", ms=4, markevery=[0])
        (self._valid_line,) = ax.plot([], [], color=COLORS["valid"], lw=1.5, ls="--",
                                      label="validation")
        (self._step_dot,) = ax.plot([], [], "o", color=COLORS["train"], ms=4)
        if self.run is not None:
            self._mark_divergence(ax, self.run, COLORS["train"])
        self._target_line = None
        if self.target_loss:
            self._target_line = ax.axhline(self.target_loss, color="#888", lw=0.8, ls=":",
                                           label="target")
        loss = self.run["loss"] if self.run is not None else "mse"
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"loss ({loss})")
        # placed by hand: matplotlib's automatic title placement costs a third of a redraw
        ax.set_title(tasks.get_task(self._values["task"]).title, fontsize=9, y=1.02)
        self._place_loss_legend()
        self._loss_frame = None

    def _set_loss_frame(self, log, ylim, right):
        """Scale and limits; the kept runs are clipped to the new frame."""
        ax = self.loss_ax
        if ax.get_yscale() != ("log" if log else "linear"):
            with warnings.catch_warnings():  # equal limits of a lone first point
                warnings.simplefilter("ignore", UserWarning)
                ax.set_yscale("log" if log else "linear")
        if log:
            ax.yaxis.set_major_locator(LogLocator(numticks=6))
            ax.yaxis.set_major_formatter(DECADES)  # plain text: never overflows, draws fast
        else:
            ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
            ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost more than they show
        ax.set_ylim(*ylim)
        ax.set_xlim(-0.02 * right, right)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for line, run in self._overlays:
            line.set_data(run["curve"]["epoch"], plotted(run["curve"]["train"], ylim, log))
        if self._target_line is not None:
            self._target_line.set_visible(ylim[0] <= self.target_loss <= ylim[1])

    def _mark_divergence(self, ax, run, color):
        """An X at the top of the frame where the run diverged."""
        if run["diverged"] is None:
            return
        x = run["diverged"]["epoch"]
        ax.plot([x], [1.0], "X", color=color, ms=8, mec="#cf222e", mew=1.5,
                transform=ax.get_xaxis_transform(), clip_on=False, zorder=5)
        ax.annotate(f"run {run['id']} diverged", (x, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(6, -4), textcoords="offset points", ha="left", va="top",
                    fontsize=9, color="#cf222e", annotation_clip=False)

    # -- sizes and text alternatives --------------------------------------------------------
    def _loss_height(self, width):
        """CSS px of height for a loss plot ``width`` px wide: the design's proportions (at
        least 260 px); taller when the legend sits below the axes or would not fit beside."""
        legend_w, legend_h = self._legend_px
        if width < LEGEND_BESIDE_WIDTH:
            return 230 + LOSS_MARGINS["top"] + LOSS_MARGINS["bottom"] + legend_h + 8
        return max(width * 3.0 / 7.2, 260, legend_h + LOSS_MARGINS["top"] + 12)

    def _place_loss_legend(self):
        """The legend at 9 pt whatever the width: beside the axes on a wide figure, below them
        on a narrow one (the figure then grows to hold it); margins in CSS px."""
        cv, ax = self.loss_canvas, self.loss_ax
        handles, labels = ax.get_legend_handles_labels()
        if not handles:
            return
        width = cv.css_size()[0]
        narrow = width < LEGEND_BESIDE_WIDTH
        legend = ax.legend(handles, labels, fontsize=9, borderaxespad=0, handlelength=2.6,
                           loc="upper left", ncol=1)
        box = legend.get_window_extent(cv.figure.canvas.get_renderer())
        to_css = 72.0 * cv.px_per_pt() / cv.figure.dpi
        self._legend_px = (box.width * to_css, box.height * to_css)
        height = self._loss_height(width)
        m = LOSS_MARGINS
        if narrow:  # below the x-axis label, the figure taller by the legend's height
            bottom = m["bottom"] + self._legend_px[1] + 8
            legend.set_bbox_to_anchor((m["left"] / width, (self._legend_px[1] + 4) / height),
                                      transform=cv.figure.transFigure)
            cv.set_margins(left=m["left"], right=14, bottom=bottom, top=m["top"],
                           size=(width, height))
        else:
            legend.set_bbox_to_anchor((1.0 - (self._legend_px[0] + 8) / width,
                                       1.0 - m["top"] / height), transform=cv.figure.transFigure)
            cv.set_margins(left=m["left"], right=self._legend_px[0] + 22, bottom=m["bottom"],
                           top=m["top"], size=(width, height))

    def _loss_resized(self):
        self._loss_key = None  # artists and legend are made again for the new size
        self.draw_loss()

    def _pred_resized(self):
        self._pred = None  # the legend moves above the plot when narrow
        self.draw_predictions()

    def _loss_alt(self):
        """What a sighted learner reads from the loss plot, in words."""
        task = tasks.get_task(self._values["task"]).title
        scale = "log" if self._values["log_scale"] else "linear"
        run = self.run
        if run is None:
            return f"Loss plot, {task}: no model with these settings (the status line says why)."
        labels = self.labels
        c = run["curve"]
        n = min(len(c["epoch"]), len(c["train"]), len(c["valid"]))
        first, last, epochs = c["train"][0], c["train"][n - 1], c["epoch"][n - 1]
        text = [f"Loss plot, {task} ({scale} scale). {labels[-1]}:"]
        if epochs == 0 and n == 1:
            text.append(f"training loss {_num(first)} before training")
        else:
            trend = "fell" if last < first else ("rose" if last > first else "stayed")
            text.append(f"training loss {trend} from {_num(first)} to {_num(last)} in {epochs} "
                        f"epoch{'s' if epochs != 1 else ''}")
        valid = [v for v in c["valid"][:n] if v is not None]
        if valid:
            text[-1] += f"; validation {_num(valid[-1])}"
        if self.target_loss:
            if run["reached"] is not None:
                text[-1] += f"; target {self.target_loss:g} reached at epoch {run['reached'][0]}"
            else:
                text[-1] += f"; target {self.target_loss:g} not reached"
        if run["diverged"] is not None:
            text[-1] += f"; diverged at epoch {run['diverged']['epoch']}"
        text[-1] += "."
        if self.runs:
            kept = []
            for label, r in zip(labels, self.runs):
                rc = r["curve"]
                end = "diverged" if r["diverged"] is not None else (
                    f"ended at {_num(rc['train'][-1])} after {rc['epoch'][-1]} epochs")
                kept.append(f"{label} {end}")
            text.append(f"Earlier run{'s' if len(kept) > 1 else ''} shown: " + "; ".join(kept) + ".")
        return " ".join(text)

    # -- the prediction plot -------------------------------------------------------------------
    def draw_predictions(self):
        """Redraw predictions against targets on the validation data, titled with the epoch."""
        cv = self.pred_canvas
        with cv.lock:
            if self.model is None:
                self.pred_ax.clear()
                self.pred_ax.set_title("no model: see the status line")
                self._pred = None
                cv.draw()
                cv.alt = "Predictions: no model with these settings (the status line says why)."
                return True
            full = self._pred is None
            if full:
                # legend beside the plot when there is room, above it when narrow
                narrow = cv.css_size()[0] < LEGEND_BESIDE_WIDTH
                self._pred = PredictionPlot(self.pred_ax, self.model, self.valid,
                                            legend="above" if narrow else "right")
                cv.set_margins(left=58, right=12 if narrow else 0.4, bottom=40,
                               top=58 if narrow else 30)
            epoch = self.trainer.epoch if self.trainer is not None else 0
            full = self._pred.update(self.model, epoch) or full
            cv.draw_dynamic(self._pred.dynamic, full=full)
            cv.alt = self._pred.describe()
            return full


# -- helpers -----------------------------------------------------------------------------------

#: below this width (CSS px) a plot's legend moves from beside it to below or above it
LEGEND_BESIDE_WIDTH = 560
#: the loss plot's margins in CSS px: tick labels, axis labels, title
LOSS_MARGINS = {"left": 58, "bottom": 40, "top": 28}


def _num(v):
    """A loss for a sentence: 3 significant digits; inf and nan in words."""
    if v is None:
        return "none"
    if not np.isfinite(v):
        return "not a number" if np.isnan(v) else "infinite"
    return f"{v:.3g}"


def _average(mean, new, weight=0.3):
    """A running average of a frame's cost (None: no frame yet)."""
    return new if mean is None else (1 - weight) * mean + weight * new


def _check_hide(names, valid):
    """Names of controls to hide: a list of names (one name alone is fine)."""
    if isinstance(names, str):
        names = (names,)
    try:
        names = tuple(names)
    except TypeError:
        raise TypeError(f"hide must be a list of control names, got {type(names).__name__} "
                        f"{names!r}") from None
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"hide must be a list of control names, got {names!r}")
    unknown = sorted(set(names) - set(valid))
    if unknown:
        raise ValueError(f"cannot hide unknown control(s) {unknown}; valid: {', '.join(valid)}")
    return names


_SHORT = {"hidden_size": "h", "num_layers": "layers", "batch_size": "batch", "lr": "lr",
          "clip": "clip", "seed": "seed", "k": "k"}


def _short(name):
    return _SHORT.get(name, name)


def _fmt(v):
    if isinstance(v, float):
        return "off" if v == 0 else f"{v:.3g}"
    return str(v)


def _change_text(epoch, name, before, after):
    """``"lr 0.03→0.3 at epoch 12"``: a live change of a run."""
    if name == "fast":
        code = {True: "fast", False: "textbook"}
        return f"{code[before]} code→{code[after]} at epoch {epoch}"
    return f"{_short(name)} {_fmt(before)}→{_fmt(after)} at epoch {epoch}"


def _label_part(key, s):
    """How a legend names one setting of a run ("" where it does not apply)."""
    v = s[key]
    if key == "cell":
        return v.upper()
    if key == "activation":
        return v if s["cell"] == "rnn" else ""
    if key == "bidirectional":
        return "bidirectional" if v else "one direction"
    if key == "bptt":
        return {"full": "full BPTT", "truncated": "truncated BPTT", "windowed": "windowed"}[v]
    if key == "k":
        return f"k {v}" if s["bptt"] != "full" else ""
    if key == "clip":
        return "no clip" if not v else f"clip {v:g}"
    if key == "fast":
        return "fast code" if v else "textbook code"
    if key in ("pattern", "optimizer"):
        return v
    return f"{_short(key)} {_fmt(v)}"
