"""The state inspector: hidden states and gates of every step, under the inputs.

::

    from rnnlab.widgets import StateInspector
    insp = StateInspector(task="adding", cell="gru")   # display it: last expression of a cell
    insp.train(20); insp.wait()                         # or press "Train a little"
    insp.sample = 3                                     # or move the slider
    insp.trace[insp.layer]["z"][:, insp.sample]         # (T, H): the update gate shown

One column of pictures sharing the time axis: the input sequence on top, then
one heatmap per internal quantity, units down and steps across. Hidden states
and candidates use a diverging colour map centred at 0; gates (which are
sigmoid outputs) use a sequential one on [0, 1], so "open" and "closed" look
the same in every row. Steps where a binary input channel is 1 (the adding
problem's markers) get a thin line through every row, so a gate that opens or
shuts at a marker is easy to see.
"""
from __future__ import annotations

import warnings

import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validate import as_sequence, check_int
from ..model import SequenceModel
from ..patterns import get_pattern
from ..train import Trainer
from . import tasks
from ._base import COLORS, PALETTE, Canvas, setting_property
from ._factory import make_button, make_control
from ._layout import column, controls_grid, row as button_row
from ._settings import Choice, Int
from ._training import TrainingPanel

# rows drawn for each cell, top to bottom (after the input row)
ROWS = {"rnn": ("h",), "gru": ("h", "r", "z", "n"), "lstm": ("h", "c", "i", "f", "o", "g")}
GATES = frozenset("rzifo")  # sigmoid outputs, always in [0, 1]
ROW_LABELS = {"h": "h  hidden state", "c": "c  cell state", "r": "r  reset gate",
              "z": "z  update gate", "n": "n  candidate", "i": "i  input gate",
              "f": "f  forget gate", "o": "o  output gate", "g": "g  candidate"}
DIVERGING, SEQUENTIAL = "RdBu_r", "viridis"
MAX_LINE_CHANNELS = 4  # more input channels than this are drawn as a heatmap too

# figure geometry, in inches, so every cell gets rows of the same size
WIDTH, INPUT_ROW, MAP_ROW, GAP, TOP, BOTTOM = 7.6, 1.05, 0.8, 0.16, 0.62, 0.42
LEFT_PX, RIGHT_PX = 118, 56  # CSS px: row labels on the left, colour bars on the right


class StateInspector(TrainingPanel):
    """Hidden states and gate activations over time, for one sample at a time.

    Parameters
    ----------
    model : SequenceModel, optional
        The model to inspect. Without one the panel builds a small model of
        its own on ``task`` (and offers task, cell and size controls).
    data : Dataset or array, optional
        What to feed ``model``: a Dataset (its targets make "Train a little"
        possible) or inputs ``x (T, N, D)``. Required with ``model``.
    task : name of a task in :data:`rnnlab.widgets.tasks.TASKS` for the
        built-in model (default ``"adding"``)
    cell : ``"rnn"``, ``"gru"`` or ``"lstm"`` for the built-in model
    hidden_size : units of the built-in model
    seed : initial weights of the built-in model
    epochs : epochs one press of "Train a little" trains for
    max_samples : at most this many sequences are traced and offered
    draw_interval : seconds between redraws while training

    Attributes
    ----------
    model : the SequenceModel shown
    images : dict name -> matplotlib ``AxesImage`` of the heatmaps shown
        (``"h"``, and ``"r", "z", "n"`` or ``"c", "i", "f", "o", "g"``); each
        holds an ``(H, T)`` array, units by steps
    axes : dict name -> ``Axes``, ``"x"`` being the input row
    controls, buttons : the widgets, for driving the panel from code

    Examples
    --------
    >>> insp = StateInspector(task="adding", cell="lstm")  # doctest: +SKIP
    """

    css = "rnnlab-inspector"
    panel_name = "inspector"
    SETTINGS = (
        Choice("task", [(t.title, t.name) for t in tasks.TASKS.values()], "adding", label="Task",
               width="360px"),
        Choice("cell", [("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm")], "gru", label="Cell",
               widget="toggle", style={"button_width": "60px"}),
        Int("hidden_size", 1, 32, 8, label="Hidden size", width="300px"),
        Int("epochs", 1, 1000, 10, label="Epochs", widget="box", width="150px"),
        Int("seed", 0, 2**31 - 1, 0, control=False),
        Int("max_samples", 1, 4096, 64, control=False),
    )
    IDLE_BUTTONS = ("reset",)

    def __init__(self, model=None, data=None, task="adding", cell="gru", hidden_size=8, seed=0,
                 epochs=10, max_samples=64, draw_interval=0.3):
        if model is not None and data is None:
            raise ValueError("pass the data to feed the model: StateInspector(model, data)")
        if model is not None and not isinstance(model, SequenceModel):
            raise TypeError(f"model must be an rnnlab.SequenceModel, got {type(model).__name__}")
        self.model = self.trainer = None
        self._train_data = None
        self.external = False
        self.images, self.axes = {}, {}
        self._trace = {}
        self._layout_key = self._ax_x = None
        self._static_changed = True  # the next render redraws the whole figure
        self._rows, self._input_artists = [], []
        self._data_version = 0
        self._given = (model, data)
        super().__init__("rnnlab-inspector", draw_interval, task=task, cell=cell,
                         hidden_size=hidden_size, epochs=epochs, seed=seed,
                         max_samples=max_samples)

    # -- the lifecycle ---------------------------------------------------------------
    def _build_controls(self):
        super()._build_controls()
        # what is looked at (not settings of the experiment): ranges follow the data
        self.controls["sample"] = make_control(Int("sample", 0, 0, 0, label="Sample",
                                                   width="360px"), 0)
        self.controls["layer"] = make_control(
            Choice("layer", [("layer 0", "layer0")], "layer0", label="Layer", width="300px"),
            "layer0")
        self._make_training_buttons("Train a little", "train for the epochs set, in the background")
        self.buttons["reset"] = make_button(
            "reset", "New model", "undo", "",
            "a fresh model for the task, cell and size above (same seed)")

    def _build_views(self):
        # as tall as its rows need (set per cell in _setup_figure), at any width
        self._height_in = 4.0
        self.canvas = Canvas(WIDTH, 4.0, css="rnnlab-state-plot", height_for=self._css_height)
        self.canvas.on_resize(self._resized)

    def _build_layout(self):
        c, b = self.controls, self.buttons
        self._model_bar = controls_grid([c["task"], c["cell"], c["hidden_size"]], min_width=300)
        view_bar = controls_grid([c["sample"], c["layer"]], min_width=300)
        train_bar = button_row([c["epochs"], b["train"], b["pause"], b["stop"], b["reset"]])
        return column([self._model_bar, view_bar, train_bar, self.status, self.canvas.image,
                       self.message])

    def _wire(self):
        super()._wire()
        for name in ("sample", "layer"):  # they only choose what is drawn
            self.observe(self.controls[name], self._view_changed)
        self.on_click(self.buttons["reset"], self.reset)

    def _first_draw(self):
        model, data = self._given
        del self._given
        if model is not None:
            self.set_model(model, data)
        else:
            self.reset()

    def _apply(self, changed, old):
        if changed & {"task", "cell", "hidden_size"}:
            self.reset()

    def _inactive(self, name):
        return name in ("task", "cell", "hidden_size") and self.external  # the built-in model's

    def _refresh_enabled(self, busy=None):
        super()._refresh_enabled(busy)
        self.controls["layer"].disabled = len(self.controls["layer"].options) == 1

    def _button_inactive(self, name):
        return name == "train" and self._train_data is None

    def _view_changed(self, change):
        if not self._quiet:
            self.clear_notice()
            self.draw()

    seed = setting_property("seed")
    max_samples = setting_property("max_samples")

    # -- public state ----------------------------------------------------------------
    @property
    def sample(self):
        """Index of the sequence shown (setting it moves the slider and redraws)."""
        return self.controls["sample"].value

    @sample.setter
    def sample(self, index):
        self.controls["sample"].value = index  # checked by the slider: 0 .. samples - 1

    @property
    def layer(self):
        """The key of the layer and direction shown, as in ``model.trace()``."""
        return self.controls["layer"].value

    @layer.setter
    def layer(self, key):
        self.controls["layer"].value = key

    @property
    def unit(self):
        """Deprecated name of :attr:`layer`."""
        warnings.warn("StateInspector.unit is deprecated; use layer", DeprecationWarning,
                      stacklevel=2)
        return self.layer

    @property
    def trace(self):
        """``model.trace(x)`` for the shown data: ``{"layer0": {"h": (T, N, H), ...}, ...}``."""
        return self._trace

    # -- model and data ----------------------------------------------------------------
    def reset(self):
        """Build the built-in model from the task, cell and size controls (the seed's weights)."""
        if self.runner.running:
            self.show_message("stop training before building a new model", "warn")
            return
        v = self._values
        task = tasks.get_task(v["task"])
        train, valid = tasks.make_task_data(task.name, seed=0)
        out_len = _output_length(train.pattern, train.y)
        model = SequenceModel(train.input_size, v["hidden_size"], train.output_size,
                              cell=v["cell"], pattern=train.pattern, loss=train.loss,
                              output_length=out_len, seed=self.seed)
        self.external = False
        self._train_opts = dict(lr=task.defaults["lr"], batch_size=task.defaults["batch_size"])
        self._install(model, valid.x, valid.y, train, out_len, hint=task.hint)

    def set_model(self, model, x, y=None):
        """Inspect ``model`` on ``x`` (a Dataset, or inputs ``(T, N, D)`` with optional ``y``).

        With targets (a Dataset or ``y``) "Train a little" trains this model on
        that data; with inputs only, the panel just shows the model.
        """
        if self.runner.running:
            raise RuntimeError("stop training before changing the model")
        if not isinstance(model, SequenceModel):
            raise TypeError(f"model must be an rnnlab.SequenceModel, got {type(model).__name__}")
        if hasattr(x, "x") and hasattr(x, "y"):  # a Dataset
            x, y = x.x, x.y if y is None else y
        x, _ = as_sequence(x, "x", model.input_size, model.dtype)
        out_len = _output_length(model.pattern, y) or model.output_length
        if get_pattern(model.pattern).needs_output_length and out_len is None:
            raise ValueError(f"pattern {model.pattern} needs an output length: give the model "
                             "output_length or pass targets y")
        train = None
        if y is not None:
            train = (x, np.asarray(y))
            model.loss(x, y)  # validates y against the model; raises a clear error
        self.external = True
        self._train_opts = dict(lr=0.01, batch_size=32)
        self._install(model, x, y, train, out_len)

    def _install(self, model, x, y, train, out_len, hint=""):
        self.model, self.trainer = model, None
        n = min(x.shape[1], self.max_samples)
        self.x = x[:, :n]
        self.y = None if y is None else _take_samples(np.asarray(y), model, n)
        self._train_data = train
        self._out_len = out_len
        self._x_full, self._loss_steps = model.unrolled_inputs(self.x, out_len)
        self._data_version += 1  # the input row is laid out for this data
        self._binary = [bool(np.all((v == 0) | (v == 1)))
                        for v in np.moveaxis(self._x_full, 2, 0)]  # per input channel
        # the task, cell and size controls describe the built-in model only
        self._model_bar.layout.display = "none" if self.external else None
        with self._quietly():
            s = self.controls["sample"]
            if s.value > n - 1:
                s.value = n - 1  # the new data has fewer sequences: show the last one
            s.max = n - 1
            self._refresh_trace()
            keys = list(self._trace)
            u = self.controls["layer"]
            old = u.value
            u.options = [(_layer_label(k), k) for k in keys]
            u.value = old if old in keys else keys[0]
        self._refresh_enabled()
        who = "your model" if self.external else "a fresh model"
        text = (f"{who}: {model.cell.upper()}, {model.hidden_size} units, "
                f"{model.num_params()} parameters; {n} sequences of {self._x_full.shape[0]} steps")
        text += ". " + (hint or ("Press Train a little and watch the pictures change."
                                 if train is not None else "No targets given: nothing to train."))
        self._set_status(text)
        self.draw()

    def _refresh_trace(self):
        """Recompute the trace and predictions for the shown data (any thread)."""
        with np.errstate(all="ignore"):
            self._trace = self.model.trace(self.x, output_length=self._out_len)
            self._pred = self.model.predict(self.x, output_length=self._out_len)

    # -- training ------------------------------------------------------------------------
    def train(self, epochs=None):
        """Train ``epochs`` more epochs (default: the Epochs box) in the background.

        Returns True if a run started; False while one runs or without targets.
        Call :meth:`wait` to block until it ends, :meth:`stop` to end it early.
        """
        if not self._can_start():
            return False
        if self._train_data is None:
            self.show_message("this panel was given inputs only (no targets): nothing to train on",
                              "warn")
            return False
        epochs = self._values["epochs"] if epochs is None else check_int(epochs, "epochs", low=1)
        if self.trainer is None:
            x, y = ((self._train_data.x, self._train_data.y) if hasattr(self._train_data, "x")
                    else self._train_data)
            self.trainer = Trainer(self.model, x, y, optimizer="adam", lr=self._train_opts["lr"],
                                   batch_size=min(self._train_opts["batch_size"], x.shape[1]),
                                   clip_norm=1.0, seed=self.seed, callback=self._progress,
                                   record_hidden_grads=False)
        if self.trainer.history.diverged:
            self.show_message("this model diverged: press New model", "warn")
            return False
        self._epochs_goal = self.trainer.epoch + epochs
        return self._start_training([(self.trainer, epochs)], on_done=self._train_done)

    def _live_frame(self, trainer):
        """Redraw now and then while training (training thread), not once stopping."""
        if self.runner.stop_event.is_set():
            return
        self._refresh_trace()
        self._progress_status()
        self.draw(retrace=False)

    def _train_done(self, runner):
        self._end_run(runner, self._redraw_trained, lambda: self._progress_status(final=True))

    def _redraw_trained(self):
        self._refresh_trace()
        self.draw(retrace=False)

    def _progress_status(self, final=False):
        h = self.trainer.history
        loss = h.train_loss[-1] if h.train_loss else float("nan")
        self._show_run_status(h, f"epoch {self.trainer.epoch} of {self._epochs_goal}  ·  "
                                 f"training loss {loss:.4g}", final)

    # -- drawing --------------------------------------------------------------------------
    def draw(self, retrace=False):
        """Show the chosen sample and layer.

        The figure is rebuilt only when its layout changes (another cell, size
        or data). Otherwise the images and lines get new data and only they are
        re-rendered over a saved background (blitting), which is several times
        faster than drawing the whole grid again.
        """
        if self.model is None:
            return
        cv = self.canvas
        with cv.lock:
            if retrace:
                self._refresh_trace()
            layer = self.layer if self.layer in self._trace else next(iter(self._trace))
            tr = self._trace[layer]
            names = [n for n in ROWS[self.model.cell] if n in tr]
            key = (tuple(names), tr["h"].shape[2], self._data_version)
            if key != self._layout_key:
                self._setup_figure(names, tr["h"].shape[2])
                self._layout_key = key
                self._static_changed = True
            s = self.sample
            for name in names:
                arr = tr[name]
                im = self.images[name]
                im.set_data(arr[:, s, :].T)  # (H, T): units down, steps across
                if name == "c" or name == "h" and self._h_unbounded():  # no fixed bound
                    lim = _nice_limit(np.nanmax(np.abs(arr)) if arr.size else 1.0)
                    if im.get_clim() != (-lim, lim):
                        im.set_clim(-lim, lim)
                        self._colorbars[name].set_ticks([-lim, 0.0, lim])
                        self._static_changed = True  # the colour bar changed: full render
            self._draw_inputs(s)
            self._title(s, layer)
            # the whole figure if needed, else only the moving artists
            cv.draw_dynamic(self._dynamic, full=self._static_changed)
            self._static_changed = False
            cv.alt = self._alt_text(tr, names, s, layer)

    def _css_height(self, _width):
        """The figure's height in CSS px: its rows' inches at the canvas's points per pixel."""
        canvas = getattr(self, "canvas", None)  # None while the canvas is being made
        return self._height_in * 72 * (canvas.px_per_pt() if canvas is not None else 1.25)

    def _resized(self):
        self._layout_key = None  # margins in px: placed again for the new width
        self.draw()

    def _alt_text(self, tr, names, s, layer):
        """The heatmaps in words: for each row, its range and, for gates, how open they are."""
        m = self.model
        steps = tr["h"].shape[0]
        H = tr["h"].shape[2]
        text = [f"Heatmaps of the {m.cell.upper()}'s values over steps t = 1 to {steps} for "
                f"sample {s} ({_layer_label(layer)}), {H} unit{'s' if H > 1 else ''} per row, "
                f"units down and steps across."]
        x = self._x_full[:, s, :]
        marks = sorted({int(i) + 1 for d in range(x.shape[1]) if self._binary[d]
                        for i in np.flatnonzero(x[:, d] == 1)})  # steps t = 1 .. T
        if marks:
            text.append(f"Input markers at step{'s' if len(marks) > 1 else ''} "
                        f"{', '.join(map(str, marks[:8]))}{', ...' if len(marks) > 8 else ''}.")
        for name in names:
            v = tr[name][:, s, :]
            with np.errstate(all="ignore"):
                lo, hi, mean = np.nanmin(v), np.nanmax(v), np.nanmean(v)
            label = ROW_LABELS[name].split("  ", 1)[1]
            if name in GATES:
                how = ("mostly open" if mean > 0.66 else "mostly closed" if mean < 0.33
                       else "about half open")
                text.append(f"{name}, {label}: from {lo:.2f} to {hi:.2f}, mean {mean:.2f}, "
                            f"{how}.")
            else:
                text.append(f"{name}, {label}: from {lo:.2g} to {hi:.2g}, mean {mean:.2g}.")
        extra = _target_text(m, self.y, self._pred, s)
        if extra:
            text.append(extra.replace("  ·  ", ", ") + ".")
        return " ".join(text)

    def _h_unbounded(self):
        return self.model.cell == "rnn" and getattr(self.model.rnn, "activation", "tanh") == "relu"

    def _setup_figure(self, names, H):
        """Place the input row and one heatmap row per quantity, with colour bars.

        Axes, images and colour bars are made once and kept (hidden when a
        cell needs fewer rows): creating matplotlib axes costs far more than
        moving them, and switching cell or task should feel immediate.
        """
        fig = self.canvas.figure
        n = len(names)
        width_px = self.canvas.css_size()[0]
        LEFT, RIGHT = LEFT_PX / width_px, 1 - RIGHT_PX / width_px
        top0 = TOP + (0.22 if width_px < 600 else 0.0)  # a narrow legend takes two lines
        height = top0 + BOTTOM + INPUT_ROW + n * (MAP_ROW + GAP)
        self._height_in = height  # the canvas takes it at its next draw (height_for)
        steps = self._x_full.shape[0]
        if self._ax_x is None:
            with self.canvas.style():
                self._ax_x = fig.add_subplot()
                self._title_artist = fig.text(0.02, 1.0, "", ha="left", va="top", fontsize=9)
            self._ax_x.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
            self._ax_x.yaxis.set_major_locator(MaxNLocator(nbins=3))
            self._ax_x.tick_params(axis="x", labelbottom=False)
            self._ax_x.tick_params(axis="y", labelsize=9)
        while len(self._rows) < n:
            self._rows.append(self._new_row())

        def place(ax, top, size, left=LEFT, width=RIGHT - LEFT):  # inches from the top
            ax.set_position([left, 1 - (top + size) / height, width, size / height])

        ax_x = self._ax_x
        place(ax_x, top0, INPUT_ROW)
        self._title_artist.set_y(1 - 0.08 / height)
        self.axes, self.images, self._colorbars = {"x": ax_x}, {}, {}
        self._dynamic, self._events = [], []
        top = top0 + INPUT_ROW + GAP
        for i, row in enumerate(self._rows):
            ax, cax, im, cb = row["ax"], row["cax"], row["im"], row["cb"]
            ax.set_visible(i < n)
            cax.set_visible(i < n)
            if i >= n:
                continue
            name, last = names[i], i == n - 1
            place(ax, top, MAP_ROW)
            place(cax, top, MAP_ROW, left=RIGHT + 0.012, width=0.014)
            top += MAP_ROW + GAP
            gate = name in GATES
            im.set_data(np.zeros((H, steps)))
            im.set_extent(_step_span(steps) + (-0.5, H - 0.5))
            im.set_cmap(SEQUENTIAL if gate else DIVERGING)
            im.set_clim(0.0 if gate else -1.0, 1.0)
            cb.set_ticks([0.0, 0.5, 1.0] if gate else [-1.0, 0.0, 1.0])
            ax.set_ylim(-0.5, H - 0.5)
            ax.set_ylabel(ROW_LABELS[name], rotation=0, ha="right", va="center", labelpad=8)
            ax.tick_params(axis="x", labelbottom=last)
            ax.set_xlabel("step t" if last else "")
            self.images[name], self.axes[name], self._colorbars[name] = im, ax, cb
            self._events.append(row["events"])
            self._dynamic += [im, row["events"]]
        ax_x.set_xlim(*_step_span(steps))
        self._setup_inputs(ax_x, steps)
        self._dynamic.append(self._title_artist)  # all drawn by draw_dynamic over the static layer

    def _new_row(self):
        """One heatmap row: axes sharing the input's time axis, an image, a colour bar."""
        fig = self.canvas.figure
        with self.canvas.style():
            ax = fig.add_subplot(sharex=self._ax_x)
            cax = fig.add_axes([0.0, 0.0, 0.01, 0.1])
        im = ax.imshow(np.zeros((1, 1)), aspect="auto", origin="lower", interpolation="nearest")
        ax.grid(False)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.tick_params(axis="y", labelsize=9)
        cb = fig.colorbar(im, cax=cax)
        cb.ax.tick_params(labelsize=9)
        cb.ax.minorticks_off()
        events = ax.vlines([], 0, 1, transform=ax.get_xaxis_transform(), color="k", lw=0.8,
                           ls=(0, (3, 2)), alpha=0.55)
        return {"ax": ax, "cax": cax, "im": im, "cb": cb, "events": events}

    def _setup_inputs(self, ax, steps):
        """The input row: lines for continuous channels, markers for 0/1 channels."""
        for artist in self._input_artists:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        x = self._x_full  # (T_total, N, D)
        D = x.shape[2]
        t = np.arange(1, steps + 1)  # h_t follows x_t, t = 1 .. T (h_0 is the initial state)
        self._input_lines, self._input_image, self._marker_lines = [], None, []
        made = self._input_artists = []
        read = [int(i) + 1 for i in self._loss_steps]  # indices -> steps t
        if self.model.per_sequence and self.model.rnn.bidirectional:
            read = sorted({1, *read})  # the backward direction is read at t = 1
        if len(read) < steps:  # show where the output layer reads, unless everywhere
            for k in read:
                made.append(ax.axvspan(k - 0.5, k + 0.5, color=COLORS["pred"], alpha=0.12, lw=0,
                                       label="output read" if k == read[0] else None))
        if D > MAX_LINE_CHANNELS:
            lo, hi = float(x.min()), float(x.max())
            self._input_image = ax.imshow(np.zeros((D, steps)), aspect="auto", origin="lower",
                                          interpolation="nearest", cmap="Greys",
                                          extent=_step_span(steps) + (-0.5, D - 0.5),
                                          vmin=lo, vmax=hi if hi > lo else lo + 1)
            ax.set_ylim(-0.5, D - 0.5)
            ax.grid(False)
            ax.set_ylabel("x  input\n(channels)", rotation=0, ha="right", va="center",
                          labelpad=8)
            made.append(self._input_image)
            self._dynamic.append(self._input_image)
        else:
            ax.grid(True)
            ax.set_ylabel("x  input", rotation=0, ha="right", va="center", labelpad=8)
            cont = [d for d in range(D) if not self._binary[d]]
            looks = [(PALETTE["blue"], "o", "-"), (PALETTE["green"], "s", "--"),
                     (PALETTE["purple"], "^", "-."), (PALETTE["black"], "D", ":")]
            for j, d in enumerate(cont):
                color, marker, ls = looks[j % len(looks)]
                (line,) = ax.plot(t, np.zeros(steps), marker=marker, ls=ls, ms=2.5, lw=1.2,
                                  color=color, label=f"input {d}" if D > 1 else "input")
                self._input_lines.append((d, line))
            lo, hi = (float(x[..., cont].min()), float(x[..., cont].max())) if cont else (0, 1)
            pad = 0.08 * (hi - lo) if hi > lo else 1.0
            ax.set_ylim(lo - pad, hi + pad * 2.2)  # head room for the markers
            for j, d in enumerate(d for d in range(D) if self._binary[d]):
                (mk,) = ax.plot([], [], ("v", "D", "P", "X")[j % 4], ms=6,
                                color=(PALETTE["vermillion"], PALETTE["green"], PALETTE["purple"],
                                       PALETTE["orange"])[j % 4],
                                transform=ax.get_xaxis_transform(),
                                label=f"input {d} = 1 (marker)")
                self._marker_lines.append((d, mk))
            moving = [line for _, line in self._input_lines] + [mk for _, mk in self._marker_lines]
            made += moving
            self._dynamic += moving
        ax.set_xlim(*_step_span(steps))
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            narrow = self.canvas.css_size()[0] < 600
            ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                      ncol=min(len(handles), 2 if narrow else 4), fontsize=9, handlelength=1.5,
                      borderaxespad=0.2, columnspacing=1.0)

    def _draw_inputs(self, s):
        x = self._x_full[:, s, :]  # (T_total, D)
        if self._input_image is not None:
            self._input_image.set_data(x.T)
            for lc in self._events:
                lc.set_segments([])
            return
        for d, line in self._input_lines:
            line.set_ydata(x[:, d])
        events = []
        for d, mk in self._marker_lines:
            on = np.flatnonzero(x[:, d] == 1) + 1  # steps t, from 1
            mk.set_data(on, np.full(on.shape, 0.93))
            events.extend(on.tolist())
        segments = [[(e, 0.0), (e, 1.0)] for e in sorted(set(events))]
        for lc in self._events:
            lc.set_segments(segments)

    def _title(self, s, layer):
        m = self.model
        parts = [f"{m.cell.upper()}", _layer_label(layer), f"sample {s}"]
        extra = _target_text(m, self.y, self._pred, s)
        self._title_artist.set_text("  ·  ".join(parts + ([extra] if extra else [])))


# -- helpers ---------------------------------------------------------------------------------

def _step_span(steps):
    """The x range of steps ``t = 1 .. steps``, each a cell of width 1 centred on t."""
    return (0.5, steps + 0.5)


def _output_length(pattern, y):
    if y is None or not get_pattern(pattern).needs_output_length:
        return None
    return int(np.asarray(y).shape[0])


def _take_samples(y, model, n):
    """The first ``n`` sequences' targets; N is axis 0 for one output per sequence, else 1."""
    if y.ndim == 0:
        return y
    return y[:n] if model.per_sequence else y[:, :n]


def _layer_label(key):
    """``"layer 1, backward direction"`` for a trace key (``"layer1_reverse"``)."""
    layer, _, reverse = key.removeprefix("layer").partition("_")  # "layer1_reverse"
    return f"layer {layer}" + (", backward direction" if reverse else "")


def _nice_limit(v):
    """A round colour-scale limit >= v (1, 2, 5 x 10^k), at least 0.05."""
    v = float(v) if np.isfinite(v) else 1.0
    v = max(v, 0.05)
    exp = np.floor(np.log10(v))
    for m in (1, 2, 5, 10):
        if m * 10**exp >= v:
            return float(m * 10**exp)
    return float(10 ** (exp + 1))


def _target_text(model, y, pred, s):
    """'target 1.03 · prediction 0.87' for one output per sequence, else ''."""
    if y is None or not model.per_sequence:
        return ""
    try:
        if model.loss_name == "cross-entropy":
            return f"class {int(y[s])}  ·  predicted {int(np.argmax(pred[s]))}"
        if model.output_size == 1:
            return f"target {float(np.ravel(y[s])[0]):.3g}  ·  prediction {float(pred[s, 0]):.3g}"
    except (IndexError, TypeError, ValueError):
        return ""
    return ""
