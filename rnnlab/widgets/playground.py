"""The playground: pick a task and settings, press Train, watch it learn.

::

    from rnnlab.widgets import Playground
    pg = Playground()            # display it: last expression of a cell
    pg.train(); pg.wait()        # or press the buttons
    pg.history.train_loss[-1]

Training runs in a background thread, so sliders and buttons stay live. The
learning rate may change while it runs; controls that change the model are
disabled until it stops. Reset goes back to the *same* initial weights so two
settings can be compared fairly; Reseed draws new ones. Each finished run
stays on the loss plot as a faint line (up to six), labelled with its
settings.
"""
from __future__ import annotations

import json
import math
import time
import warnings

import ipywidgets as W
import numpy as np
from matplotlib.ticker import NullLocator

from .. import __version__
from ..model import SequenceModel
from ..optim import OPTIMIZERS
from ..patterns import get_pattern
from ..train import Trainer
from . import tasks as T
from ._base import COLORS, Canvas, button, style_controls
from ._training import TrainingPanel, loss_text

# settings that rebuild the model (disabled while training) and the rest
STRUCTURAL = ("task", "pattern", "cell", "activation", "hidden_size", "num_layers", "bidirectional",
              "bptt", "k", "optimizer", "batch_size", "seed")
LIVE = ("lr", "clip", "epochs", "log_scale")
SETTINGS = STRUCTURAL + LIVE
CLIP_CHOICES = [("off", 0.0), ("0.1", 0.1), ("0.5", 0.5), ("1", 1.0), ("5", 5.0)]
MAX_OVERLAYS = 6


class Playground(TrainingPanel):
    """An RNN playground with live loss curves.

    Parameters
    ----------
    task : name of a task in :data:`rnnlab.widgets.tasks.TASKS` (default ``"sine"``)
    hide : names of controls to hide (teacher mode), e.g. ``("optimizer", "seed")``
    settings : dict of initial settings (as :meth:`settings` returns); applied
        after the task's defaults
    draw_interval : seconds between live redraws while training

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

    def __init__(self, task="sine", hide=(), settings=None, draw_interval=0.2):
        super().__init__("rnnlab-playground", draw_interval)
        self.runs = []  # finished runs kept for the overlay
        self.model = self.trainer = None
        self._curve = {"epoch": [], "train": [], "valid": []}
        self._last_pred_draw = 0.0
        self._updates_at_start = 0
        self._build_controls(task)
        self._build_views()
        self._build_layout()
        self._wire()
        self.hidden = ()
        if settings:
            self.load_settings(settings)
        self.set_hidden(hide)
        self._set_running(False)
        self.reset()

    # -- controls ------------------------------------------------------------------
    def _build_controls(self, task):
        t = T.get_task(task)
        d = t.defaults
        c = {}
        c["task"] = W.Dropdown(options=[(tk.title, tk.name) for tk in T.TASKS.values()],
                               value=t.name, description="Task")
        c["pattern"] = W.Dropdown(options=list(t.patterns), value=t.patterns[0], description="Pattern")
        c["cell"] = W.ToggleButtons(options=[("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm")],
                                    value=d["cell"], description="Cell")
        c["cell"].style.button_width = "60px"
        c["activation"] = W.Dropdown(options=["tanh", "sigmoid", "relu"], value=d["activation"],
                                     description="Activation")
        c["hidden_size"] = W.IntSlider(value=d["hidden_size"], min=1, max=64, description="Hidden size",
                                       continuous_update=False)
        c["num_layers"] = W.IntSlider(value=1, min=1, max=3, description="Layers", continuous_update=False)
        c["bidirectional"] = W.Checkbox(value=False, description="Bidirectional", indent=False)
        c["bptt"] = W.Dropdown(options=[("full BPTT", "full"), ("truncated, k steps", "truncated"),
                                        ("tutorial windows of k", "windowed")],
                               value="full", description="BPTT")
        c["k"] = W.IntSlider(value=d["k"], min=1, max=40, description="Window k", continuous_update=False)
        c["lr"] = W.FloatLogSlider(value=d["lr"], base=10, min=-4, max=0, step=0.1,
                                   description="Learning rate", readout_format=".4f",
                                   continuous_update=False)
        c["optimizer"] = W.Dropdown(options=list(OPTIMIZERS), value=d["optimizer"], description="Optimiser")
        c["epochs"] = W.BoundedIntText(value=d["epochs"], min=1, max=10000, description="Epochs")
        c["batch_size"] = W.BoundedIntText(value=d["batch_size"], min=1, max=4096, description="Batch")
        c["clip"] = W.Dropdown(options=CLIP_CHOICES, value=d["clip"], description="Clip norm")
        c["seed"] = W.BoundedIntText(value=0, min=0, max=2**31 - 1, description="Seed")
        c["log_scale"] = W.Checkbox(value=True, description="Log scale", indent=False)
        style_controls(c, {name: "auto" if name in ("cell", "bidirectional", "log_scale") else "95%"
                           for name in c})
        self.controls = c
        self.buttons = {
            "train": button("Train", "rnnlab-train", "play", "success", "train for the set epochs"),
            "pause": button("Pause", "rnnlab-pause", "pause", "", "pause or resume training"),
            "step": button("Step", "rnnlab-step", "step-forward", "", "one update"),
            "stop": button("Stop", "rnnlab-stop", "stop", "danger", "stop training"),
            "reset": button("Reset", "rnnlab-reset", "undo", "", "same initial weights, new settings"),
            "reseed": button("Reseed", "rnnlab-reseed", "random", "", "new initial weights"),
            "clear": button("Clear runs", "rnnlab-clear", "eraser", "", "forget the overlaid runs"),
        }
        self.share = W.Textarea(placeholder="settings as JSON: Export fills this; paste and Load",
                                layout=W.Layout(width="98%", height="80px"))
        self.share.add_class("rnnlab-share")
        self.buttons["export"] = button("Export settings", "rnnlab-export", "download")
        self.buttons["load"] = button("Load settings", "rnnlab-load", "upload")

    def _build_views(self):
        # fixed margins: tight_layout on every live frame would double the cost of a redraw
        self.loss_canvas = Canvas(7.2, 3.0, css="rnnlab-loss-plot")
        self.loss_ax = self.loss_canvas.subplots()
        self.loss_canvas.figure.subplots_adjust(left=0.1, right=0.6, bottom=0.16, top=0.9)
        self.pred_canvas = Canvas(7.2, 2.6, css="rnnlab-pred-plot")
        self.pred_ax = self.pred_canvas.subplots()
        self.pred_canvas.figure.subplots_adjust(left=0.1, right=0.6, bottom=0.18, top=0.88)

    def _build_layout(self):
        c, b = self.controls, self.buttons
        left = W.VBox([c["task"], c["pattern"], c["cell"], c["activation"], c["hidden_size"],
                       c["num_layers"], c["bidirectional"], c["bptt"], c["k"], c["lr"], c["optimizer"],
                       c["clip"], c["epochs"], c["batch_size"], c["seed"], c["log_scale"]],
                      layout=W.Layout(width="330px", min_width="330px"))
        bar = W.HBox([b["train"], b["pause"], b["step"], b["stop"], b["reset"], b["reseed"], b["clear"]],
                     layout=W.Layout(flex_flow="row wrap"))
        right = W.VBox([bar, self.status, self.loss_canvas.image, self.pred_canvas.image, self.message])
        share = W.Accordion(children=[W.VBox([W.HBox([b["export"], b["load"]]), self.share])],
                            selected_index=None)
        share.set_title(0, "Share these settings")
        self.widget = W.VBox([W.HBox([left, right]), share])
        self.widget.add_class(self.css)

    def _wire(self):
        c, b = self.controls, self.buttons
        self.on_click(b["train"], self.train)
        self.on_click(b["pause"], self.toggle_pause)
        self.on_click(b["step"], self.step)
        self.on_click(b["stop"], lambda: self.stop(wait=False))  # the page must not block
        self.on_click(b["reset"], self.reset)
        self.on_click(b["reseed"], self.reseed)
        self.on_click(b["clear"], self.clear_runs)
        self.on_click(b["export"], lambda: setattr(self.share, "value", self.to_json()))
        self.on_click(b["load"], lambda: self.load_settings(self.share.value))
        self.observe(c["task"], self._task_changed)
        for name in STRUCTURAL:
            if name != "task":
                self.observe(c[name], self._structure_changed)
        self.observe(c["lr"], self._lr_changed)
        self.observe(c["clip"], self._clip_changed)
        self.observe(c["log_scale"], lambda _ch: self.draw_loss())

    # -- settings --------------------------------------------------------------------
    def settings(self):
        """All settings as a plain dict (what :meth:`to_json` writes)."""
        return {name: self.controls[name].value for name in SETTINGS}

    def to_json(self):
        """Settings, seed and teacher-mode hidden controls as a JSON string to share."""
        return json.dumps({"rnnlab": __version__, "panel": "playground", **self.settings(),
                           "hidden": list(self.hidden)}, indent=1)

    def load_settings(self, settings):
        """Apply settings from a dict or a JSON string (as :meth:`to_json` wrote).

        Unknown names or values a control cannot take raise ValueError naming
        them; nothing is changed in that case.
        """
        if self.runner.running:
            raise RuntimeError("stop training before loading settings")
        if isinstance(settings, str):
            try:
                settings = json.loads(settings)
            except json.JSONDecodeError as err:
                raise ValueError(f"settings are not valid JSON: {err}") from None
        if not isinstance(settings, dict):
            raise TypeError(f"settings must be a dict or a JSON object, got {type(settings).__name__}")
        settings = dict(settings)
        settings.pop("rnnlab", None)
        settings.pop("panel", None)
        hidden = settings.pop("hidden", None)
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown}; valid: {', '.join(SETTINGS)}")
        self._validate_values(settings)
        if hidden is not None:
            self._check_hideable(hidden)  # all checks before anything changes
        with self._quietly():  # applied in bulk: one reset at the end
            if "task" in settings:
                self.controls["task"].value = settings["task"]
                self._apply_task(settings["task"], apply_defaults=False)
            if "k" in settings:  # the window may exceed the previous task's length
                self.controls["k"].max = max(self.controls["k"].max, settings["k"])
            for name, value in settings.items():
                if name != "task":
                    self.controls[name].value = value
        if hidden is not None:
            self.set_hidden(hidden)
        self.reset()

    def _validate_values(self, settings):
        c = self.controls
        task = settings.get("task", c["task"].value)
        T.get_task(task)  # raises with the valid names
        allowed_patterns = T.get_task(task).patterns
        for name, value in settings.items():
            w = c[name]
            if name == "pattern":
                ok = value in allowed_patterns
                choices = allowed_patterns
            elif hasattr(w, "options") and name != "task":
                choices = [o[1] if isinstance(o, tuple) else o for o in w.options]
                ok = value in choices
            elif isinstance(w, W.Checkbox):
                ok, choices = isinstance(value, bool), "true or false"
            elif name == "lr":  # a log slider: its bounds are exponents of 10
                lo, hi = 10.0 ** w.min, 10.0 ** w.max
                num = isinstance(value, (int, float)) and not isinstance(value, bool)
                ok, choices = num and lo <= value <= hi, f"a number from {lo:g} to {hi:g}"
            elif hasattr(w, "min") and hasattr(w, "max") and name != "task":
                top = w.max if name != "k" else 10_000  # k's bound depends on the task
                ok = isinstance(value, int) and not isinstance(value, bool) and w.min <= value <= top
                choices = f"a whole number from {w.min} to {top}"
            else:
                ok, choices = True, None
            if not ok:
                raise ValueError(f"setting {name!r} cannot be {value!r}; expected {choices}")

    def _check_hideable(self, names):
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise TypeError(f"hidden controls must be a list of names, got {names!r}")
        unknown = sorted(set(names) - set(self.controls))
        if unknown:
            raise ValueError(f"cannot hide unknown control(s) {unknown}; valid: {', '.join(self.controls)}")

    def set_hidden(self, names):
        """Teacher mode: hide these controls (and keep them at their values,
        also when the task changes)."""
        self._check_hideable(names)
        names = tuple(names)
        self.hidden = names
        for name, w in self.controls.items():
            w.layout.display = "none" if name in names else None

    # -- reacting to controls -------------------------------------------------------------
    def _apply_task(self, name, apply_defaults=True):
        """Offer the task's patterns and, unless told not to, its suggested
        settings (never for controls a teacher has hidden)."""
        t = T.get_task(name)
        c = self.controls
        c["pattern"].options = list(t.patterns)
        c["pattern"].value = t.patterns[0]
        c["pattern"].disabled = len(t.patterns) == 1
        if not apply_defaults:
            return
        for key in ("cell", "hidden_size", "lr", "epochs", "batch_size"):
            if key not in self.hidden:
                c[key].value = t.defaults[key]

    def _task_changed(self, change):
        if self._quiet:
            return
        if self.runner.running:  # as for the other settings: put it back, say why
            with self._quietly():
                change.owner.value = change.old
            self.show_message("Task cannot change while training: press Stop first", "warn")
            return
        with self._quietly():
            self._apply_task(change.new)
        self.reset()

    def _structure_changed(self, change):
        if self._quiet:
            return
        if self.runner.running:
            # a change that raced the Train press: put the control back so it
            # always shows what the running model really uses
            with self._quietly():
                change.owner.value = change.old
            self.show_message(f"{change.owner.description} cannot change while training: "
                              "press Stop first", "warn")
            return
        self.reset()

    def _lr_changed(self, change):
        if self.trainer is not None:
            self.trainer.optimizer.lr = change.new  # takes effect at the next update

    def _clip_changed(self, change):
        if self.trainer is not None:
            self.trainer.clip_norm = change.new or None

    # -- model and data ------------------------------------------------------------------------
    def _build(self):
        """Data, model and trainer from the current settings (same seed, same weights)."""
        s = self.settings()
        train, valid = T.make_task_data(s["task"], s["pattern"], seed=0)
        self.data, self.valid = train, valid
        steps = T.unrolled_length(train, s["pattern"])
        c = self.controls
        c["k"].max = max(1, steps)
        c["activation"].disabled = s["cell"] != "rnn"
        c["k"].disabled = s["bptt"] == "full"
        out_len = train.y.shape[0] if get_pattern(s["pattern"]).needs_output_length else None
        self.model = SequenceModel(
            train.input_size, s["hidden_size"], train.output_size, cell=s["cell"], pattern=s["pattern"],
            num_layers=s["num_layers"], bidirectional=s["bidirectional"], activation=s["activation"],
            loss=train.loss, output_length=out_len, seed=s["seed"])
        self.trainer = Trainer(
            self.model, train, optimizer=s["optimizer"], lr=s["lr"], epochs=s["epochs"],
            batch_size=min(s["batch_size"], train.n_samples), bptt=s["bptt"],
            k=min(s["k"], steps) if s["bptt"] != "full" else None, clip_norm=s["clip"] or None,
            valid=valid, seed=s["seed"], callback=self._on_progress)
        self.target_loss = T.get_task(s["task"]).target_loss
        self._run_label = _label(s)

    def reset(self):
        """Rebuild from the current settings with the seed's initial weights.

        The current run, if it made progress, is kept on the plot as a faint
        line. Refused while training runs (stop first).
        """
        if self.runner.running:
            self.show_message("stop training before Reset", "warn")
            return
        self._archive_run()
        try:
            self._build()
        except (ValueError, TypeError) as err:
            self.model = self.trainer = None
            self._curve = {"epoch": [], "train": [], "valid": []}
            self._set_status(f"cannot build this model: {err}", "error")
            self.draw_loss()
            return
        tr = self.trainer
        first_train = tr.evaluate(tr.data)
        first_valid = tr.evaluate(tr.valid) if tr.valid is not None else None
        self._curve = {"epoch": [0], "train": [first_train], "valid": [first_valid]}
        self.show_message("")
        self._set_status(f"ready: {self.model.num_params()} parameters, loss {first_train:.4g} "
                         "before training. Press Train.")
        self.draw_loss()
        self.draw_predictions()

    def reseed(self):
        """New initial weights: the next seed, then Reset."""
        if self.runner.running:
            self.show_message("stop training before Reseed", "warn")
            return
        self.controls["seed"].value = (self.controls["seed"].value + 1) % (2**31 - 1)
        # the seed observer already reset; nothing else to do

    def clear_runs(self):
        """Forget the overlaid runs."""
        self.runs = []
        self.draw_loss()

    def _archive_run(self):
        if self.model is None or len(self._curve["epoch"]) < 2:
            return
        self.runs.append({"label": self._run_label, **{k: list(v) for k, v in self._curve.items()}})
        self.runs = self.runs[-MAX_OVERLAYS:]

    # -- training ----------------------------------------------------------------------------
    @property
    def history(self):
        return None if self.trainer is None else self.trainer.history

    def train(self):
        """Start (or continue) training in the background; resumes if paused."""
        if self.runner.running and self.runner.paused:
            self.toggle_pause()
            return False
        if not self._can_start():
            return False
        if self.trainer is None:
            self.reset()
            if self.trainer is None:
                return False
        if self.trainer.history.diverged:
            self.show_message("this run diverged: press Reset (or change a setting) first", "warn")
            return False
        self.trainer.epochs = self.controls["epochs"].value
        self._updates_at_start = self.trainer.history.updates
        self._reached = None
        return self._start_training(self.trainer, on_done=self._train_done)

    def _train_done(self, runner):
        self._end_run(runner, self._redraw_all, lambda: self._status_line(final=True))

    def _redraw_all(self):
        self.draw_loss()
        self.draw_predictions()

    def _on_progress(self, trainer, event):
        """Trainer callback (training thread): record, throttle redraws, honour pause."""
        h = trainer.history
        if event == "epoch":
            self._curve["epoch"].append(trainer.epoch)
            self._curve["train"].append(h.train_loss[-1])
            self._curve["valid"].append(h.valid_loss[-1])
            if (self._reached is None and self.target_loss is not None
                    and (h.valid_loss[-1] if h.valid_loss[-1] is not None else h.train_loss[-1])
                    <= self.target_loss):
                self._reached = (trainer.epoch, time.perf_counter() - self._t_start)
        now = time.perf_counter()
        if event in ("epoch", "update") and (self._redraw_due(now)
                                             or len(self._curve["epoch"]) == 2 and event == "epoch"):
            self._status_line()
            self.draw_loss()
            if event == "epoch" and now - self._last_pred_draw >= 2 * self._redraw_interval():
                self._last_pred_draw = now
                self.draw_predictions()
            self._drew(since=now)
        if event == "update" and self.runner.paused:
            self._set_status("paused: press Pause again (or Train) to resume, Stop to end")
        if not self.runner.checkpoint():
            trainer.stop()

    def _status_line(self, final=False):
        tr = self.trainer
        h = tr.history
        rate = (h.updates - self._updates_at_start) / max(self._elapsed(), 1e-9)
        text = (f"{loss_text(tr.epoch, self._curve['train'][-1], self._curve['valid'][-1])}"
                f"  ·  {rate:.0f} updates/s")
        reached = ""
        if self._reached is not None:
            reached = (f"  ·  reached the target {self.target_loss:g} at epoch {self._reached[0]} "
                       f"({self._reached[1]:.1f} s)")
        self._show_run_status(h, text, final, extra=reached)

    def _set_running(self, running):
        for name in STRUCTURAL:
            self.controls[name].disabled = running or (
                name == "pattern" and len(self.controls["pattern"].options) == 1) or (
                name == "activation" and self.controls["cell"].value != "rnn") or (
                name == "k" and self.controls["bptt"].value == "full")
        for name in ("step", "reset", "reseed", "load", "clear"):
            self.buttons[name].disabled = running
        self.buttons["train"].disabled = running
        self.buttons["pause"].description = "Pause"
        # nothing to pause or stop while idle: say so by disabling them
        self.buttons["pause"].disabled = self.buttons["stop"].disabled = not running

    def toggle_pause(self):
        """Pause a running run, or resume a paused one."""
        if not self.runner.running:
            return
        if self.runner.paused:
            self.runner.resume()
            self.buttons["pause"].description = "Pause"
            self._set_status("resumed")
        else:
            self.runner.pause()
            self.buttons["pause"].description = "Resume"
            self._set_status("pausing...")

    def step(self):
        """Make exactly one update (in this thread) and redraw."""
        if self.runner.running:
            self.show_message("Step works when training is stopped", "warn")
            return None
        if self.trainer is None:
            self.reset()
            if self.trainer is None:  # these settings cannot build a model; status says why
                return None
        if self.trainer.history.diverged:
            self.show_message("this run diverged: press Reset first", "warn")
            return None
        self._t_start = time.perf_counter()
        self._updates_at_start = self.trainer.history.updates
        self._reached = None
        loss = self.trainer.step()
        h = self.trainer.history
        if len(h.epoch) + 1 > len(self._curve["epoch"]):
            self._curve["epoch"].append(self.trainer.epoch)
            self._curve["train"].append(h.train_loss[-1])
            self._curve["valid"].append(h.valid_loss[-1])
        self._set_status(f"one update: loss {loss:.4g} (update {h.updates}, epoch {self.trainer.epoch})")
        self.draw_loss(extra_update=loss)
        self.draw_predictions()
        return loss

    # -- drawing -------------------------------------------------------------------------------
    def _axes_key(self):
        """What the loss plot's fixed artists depend on; a change rebuilds them."""
        return (len(self.runs), id(self.runs[-1]) if self.runs else None,
                getattr(self, "target_loss", None), getattr(self, "_run_label", None))

    def _setup_loss_axes(self):
        """(Re)create the loss plot's artists; live frames then only move their data."""
        ax = self.loss_ax
        ax.clear()
        for i, run in enumerate(self.runs):
            ax.plot(run["epoch"], run["train"], lw=1, alpha=0.45, color=f"C{(i + 2) % 10}",
                    label=run["label"])
        (self._train_line,) = ax.plot([], [], color=COLORS["train"], lw=2,
                                      label=f"{getattr(self, '_run_label', 'this run')} (now)")
        (self._valid_line,) = ax.plot([], [], color=COLORS["valid"], lw=1.5, ls="--", label="validation")
        (self._step_dot,) = ax.plot([], [], "o", color=COLORS["train"], ms=4)
        if getattr(self, "target_loss", None):
            ax.axhline(self.target_loss, color="#888", lw=0.8, ls=":", label="target")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_title("loss")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        self._loss_axes_key = self._axes_key()

    def draw_loss(self, extra_update=None):
        """Redraw the loss plot: this run (train, valid) over the kept runs."""
        cv = self.loss_canvas
        with cv.lock:
            if getattr(self, "_loss_axes_key", None) != self._axes_key():
                self._setup_loss_axes()
            ax = self.loss_ax
            cur = self._curve
            self._train_line.set_data(cur["epoch"], cur["train"])
            ep = [e for e, v in zip(cur["epoch"], cur["valid"]) if v is not None]
            self._valid_line.set_data(ep, [v for v in cur["valid"] if v is not None])
            if extra_update is not None and self.history is not None:
                self._step_dot.set_data([self.trainer.epoch + 0.5], [extra_update])
            else:
                self._step_dot.set_data([], [])
            values = [v for r in self.runs for v in r["train"]] + [v for v in cur["train"] if v is not None]
            use_log = bool(self.controls["log_scale"].value and values and min(values) > 0
                           and all(math.isfinite(v) for v in values))
            ax.relim()
            ax.autoscale_view()
            # the x axis spans the planned epochs, so the curve grows into a fixed frame
            last = max([e for r in self.runs for e in r["epoch"]] + cur["epoch"] + [1])
            right = last
            if self.trainer is not None and self.trainer.history.stopped is None:  # not finished
                right = max(last, self.trainer.epoch + self.controls["epochs"].value)
            ax.set_xlim(-0.02 * right, right)
            if ax.get_yscale() != ("log" if use_log else "linear"):
                with warnings.catch_warnings():  # a lone first point has equal y limits
                    warnings.simplefilter("ignore", UserWarning)
                    ax.set_yscale("log" if use_log else "linear")
                ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost more than they show
            cv.draw()

    def draw_predictions(self):
        """Redraw predictions against targets on the validation data."""
        cv = self.pred_canvas
        with cv.lock:
            ax = self.pred_ax
            ax.clear()
            if self.model is not None:
                _draw_predictions(ax, self.model, self.valid)
            cv.draw()


def _label(s):
    """A short name for a run's settings, for the overlay legend."""
    label = f"{s['cell'].upper()} h={s['hidden_size']} lr={s['lr']:.3g}"
    if s["cell"] == "rnn":
        label += f" {s['activation']}"
    if s["bptt"] != "full":
        label += f" {s['bptt']} k={s['k']}"
    return label + (f" seed {s['seed']}" if s["seed"] else "")


def _draw_predictions(ax, model, ds):
    """What the model says on held-out data, in the form that fits its pattern."""
    with np.errstate(all="ignore"):
        pred = model.predict(ds.x)
    if ds.loss == "cross-entropy":
        if model.per_sequence:  # (N, C) probabilities -> accuracy per class
            guess = pred.argmax(-1)
            n_cls = pred.shape[-1]
            names = ds.meta.get("class_names", [str(i) for i in range(n_cls)])
            acc = [float(np.mean(guess[ds.y == c] == c)) if np.any(ds.y == c) else 0.0 for c in range(n_cls)]
            ax.bar(range(n_cls), acc, color=COLORS["pred"], alpha=0.7)
            ax.set_xticks(range(n_cls), names)
            ax.set_ylim(0, 1)
            ax.set_title(f"validation accuracy per class (overall {np.mean(guess == ds.y):.0%})")
        else:  # (T, N, C) -> the first sequence's classes per step
            guess = pred[:, 0].argmax(-1)
            steps = np.arange(len(guess))
            ax.step(steps, ds.y[:, 0], where="mid", color=COLORS["target"], label="target class")
            ax.plot(steps, guess, "o", color=COLORS["pred"], ms=4, label="predicted")
            ax.set_xlabel("step")
            ax.set_title(f"one validation sequence (step accuracy {np.mean(pred.argmax(-1) == ds.y):.0%})")
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        return
    if model.per_sequence:  # (N, O): predicted vs target
        t, p = ds.y[:, 0], pred[:, 0]
        ax.plot(t, p, "o", ms=3, color=COLORS["pred"], alpha=0.7)
        lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
        ax.plot([lo, hi], [lo, hi], color=COLORS["target"], lw=1)
        ax.set_xlabel("target")
        ax.set_ylabel("prediction")
        ax.set_title("validation: prediction against target")
        return
    steps = np.arange(pred.shape[0])
    mask = ds.meta.get("mask")
    if mask is not None:  # e.g. fill-in-the-middle: shade the steps the model must fill
        hidden = np.flatnonzero(np.asarray(mask)[:, 0])
        if hidden.size:
            ax.axvspan(hidden[0] - 0.5, hidden[-1] + 0.5, color="#f2c14e", alpha=0.25, lw=0,
                       label="hidden gap")
    ax.plot(steps, ds.y[:, 0, 0], color=COLORS["target"], lw=2, label="target")
    ax.plot(steps, pred[:, 0, 0], color=COLORS["pred"], lw=1.5, ls="--", label="prediction")
    ax.set_xlabel("output step")
    ax.set_title("one validation sequence")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
