"""Training: epochs, mini-batches, three BPTT modes, clipping, validation,
early stopping, callbacks, a stop signal and a history.

::

    trainer = rnnlab.Trainer(model, data, optimizer="adam", lr=0.01, epochs=50)
    history = trainer.run()           # or trainer.step() for one update

A panel runs ``trainer.run()`` in a background thread, draws from the
``callback`` and stops it with ``trainer.stop()`` (or a shared
``threading.Event``); ``trainer.optimizer.lr`` may change while it runs.

Divergence: before every update the loss, the gradient norm and the new
weights are checked. If any is NaN or infinite, training stops, the model gets
back the last weights that gave a finite loss and gradient, and
``history.stopped`` says what happened.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_float, check_int, check_seed
from .bptt import check_mode, truncated_windows, windowed_examples, windowed_step
from .model import Batch, check_model
from .optim import Optimizer, clip_by_global_norm, clip_by_value, global_norm, grad_norms, make_optimizer
from .patterns import get_pattern


class TrainingDiverged(RuntimeError):
    """Raised by :meth:`Trainer.step` (and a later :meth:`Trainer.run`) once an
    update produced a non-finite loss, gradient or weight."""


@dataclass
class History:
    """What happened during training; lists grow as training goes.

    Per update: ``update_loss``, ``grad_norm`` (global) and
    ``param_grad_norms`` ``{name: [...]}``, both before clipping. Per epoch: ``epoch``,
    ``train_loss`` (mean of the epoch's update losses), ``valid_loss`` (None
    without validation data), ``hidden_grad_norms`` (``||dL/dh_t||`` of layer
    0 for every step, on a fixed probe batch; the vanishing-gradient picture),
    ``wall_time`` (seconds since training began). ``stopped`` is None while
    running, then the reason it ended. Everything but ``wall_time`` is
    bit-identical for the same seed.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    valid_loss: list = field(default_factory=list)
    wall_time: list = field(default_factory=list)
    hidden_grad_norms: list = field(default_factory=list)
    update_loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    param_grad_norms: dict = field(default_factory=dict)
    stopped: str | None = None
    diverged: bool = False
    best_epoch: int | None = None

    @property
    def updates(self):
        return len(self.update_loss)

    def to_dict(self):
        """Plain lists and floats, e.g. for JSON."""
        d = {k: getattr(self, k) for k in ("epoch", "train_loss", "valid_loss", "wall_time",
                                            "update_loss", "grad_norm", "stopped", "diverged",
                                            "best_epoch")}
        d["param_grad_norms"] = {k: list(v) for k, v in self.param_grad_norms.items()}
        d["hidden_grad_norms"] = [np.asarray(v).tolist() for v in self.hidden_grad_norms]
        return d


def _xy(data, y):
    """``(x, y)`` from a Dataset-like object (``.x``, ``.y``) or two arrays."""
    if y is None:
        if hasattr(data, "x") and hasattr(data, "y"):
            return data.x, data.y
        if isinstance(data, tuple) and len(data) == 2:  # fit(model, (x, y)) reads naturally too
            return data
        raise TypeError("pass training data as fit(model, x, y), fit(model, (x, y)) or a Dataset "
                        f"with .x and .y; got {type(data).__name__} and no y")
    return data, y


class Trainer:
    """Train a :class:`rnnlab.SequenceModel`.

    Parameters
    ----------
    model : SequenceModel
    data : a Dataset (``.x``, ``.y``) or the input array ``x``; then pass ``y``
    optimizer : name (``sgd``, ``momentum``, ``adagrad``, ``rmsprop``, ``adam``)
        or an :class:`rnnlab.optim.Optimizer`
    lr : learning rate (ignored when ``optimizer`` is an object)
    epochs : epochs for :meth:`run`
    batch_size : sequences per update; None = all (full batch)
    bptt : ``"full"``, ``"truncated"`` (TBPTT(k), state carried) or
        ``"windowed"`` (the tutorial's procedure); see :mod:`rnnlab.bptt`
    k : window length for truncated/windowed BPTT
    clip_norm, clip_value : gradient clipping by global norm / by value
    validation_split : fraction of the sequences held out (seeded shuffle)
    valid : explicit validation data (Dataset or ``(x, y)`` tuple)
    patience : stop when the validation loss (training loss without
        validation) has not improved by ``min_delta`` for this many epochs,
        and restore the best weights
    shuffle : reshuffle sequences every epoch (seeded)
    seed : int or Generator for shuffling and splitting
    callback : ``callback(trainer, event)`` after every ``"update"`` and
        ``"epoch"`` and once at ``"end"``
    stop_event : a ``threading.Event``; setting it stops training after the
        current update (``trainer.stop()`` does that). It is cleared when
        :meth:`run` returns, so a stop asked for before a run starts is kept
        and one asked for by an ``"end"`` callback does not stop the next run.
    record_hidden_grads : compute ``history.hidden_grad_norms`` at the end of
        every epoch (one extra forward and backward pass on up to 16
        sequences); switch off when timing training
    """

    def __init__(self, model, data, y=None, *, optimizer="adam", lr=0.01, epochs=100,
                 batch_size=None, bptt="full", k=None, clip_norm=None, clip_value=None,
                 validation_split=0.0, valid=None, patience=None, min_delta=0.0, shuffle=True,
                 seed=0, callback=None, stop_event=None, record_hidden_grads=True):
        self.model = check_model(model)
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be a function callback(trainer, event), "
                            f"got {type(callback).__name__}")
        if stop_event is not None and not all(hasattr(stop_event, a) for a in ("set", "is_set", "clear")):
            raise TypeError(f"stop_event must be a threading.Event, got {type(stop_event).__name__}")
        x, y = _xy(data, y)
        self.epochs = check_int(epochs, "epochs", low=0)
        self.rng = check_seed(seed)
        data = model.prepare(x, y)
        N = data.size
        self.validation_split = check_float(validation_split, "validation_split", 0.0, 0.9)
        if valid is not None and self.validation_split:
            raise ValueError("give either valid data or validation_split, not both")
        if valid is not None:
            if isinstance(valid, tuple) and len(valid) == 2:
                vx, vy = valid
            elif hasattr(valid, "x") and hasattr(valid, "y"):
                vx, vy = valid.x, valid.y
            else:
                raise TypeError("valid must be an (x, y) pair or a Dataset with .x and .y; "
                                f"got {type(valid).__name__}")
            self.valid = model.prepare(vx, vy)
            self._check_steps(self.valid, data.steps_out, "valid targets have")
        elif self.validation_split:
            n_val = int(round(N * self.validation_split))
            if not 1 <= n_val < N:
                raise ValueError(f"validation_split={validation_split} leaves {n_val} of {N} sequences "
                                 "for validation; need at least 1 and at least 1 left to train on")
            perm = self.rng.permutation(N)
            vi, ti = np.sort(perm[:n_val]), np.sort(perm[n_val:])
            self.valid = data.subset(vi)
            data = data.subset(ti)
            N = data.size
        else:
            self.valid = None
        self.data = data
        self.batch_size = N if batch_size is None else check_int(batch_size, "batch_size", low=1)
        if self.batch_size > N:
            raise ValueError(f"batch_size must be at most the number of training sequences {N}, "
                             f"got {batch_size}")
        T = model.unrolled_inputs(data.x, data.steps_out)[0].shape[0]
        self.bptt, self.k = check_mode(bptt, k, model, T)
        self.clip_norm = None if clip_norm is None else check_float(clip_norm, "clip_norm", 0, low_open=True)
        self.clip_value = None if clip_value is None else check_float(clip_value, "clip_value", 0, low_open=True)
        if isinstance(optimizer, Optimizer):
            self.optimizer = optimizer
        else:
            self.optimizer = make_optimizer(optimizer, lr=lr)
        self.patience = None if patience is None else check_int(patience, "patience", low=1)
        self.min_delta = check_float(min_delta, "min_delta", 0.0)
        self.shuffle = bool(shuffle)
        self.callback = callback
        self.stop_event = stop_event if stop_event is not None else threading.Event()
        self.record_hidden_grads = record_hidden_grads
        self.history = History()
        self._probe = data.subset(slice(0, 16))
        self._best = (math.inf, None)
        self._since_best = 0
        self._epoch = 0
        self._t0 = None
        self._elapsed = 0.0
        self._run_start = time.perf_counter()
        self._updates = None
        self._epoch_losses = []

    @property
    def x(self):
        """Training inputs ``(T, N, D)`` as checked (after any validation split)."""
        return self.data.x

    @property
    def y(self):
        """Training targets in the model's layout, ``(S, N, O)`` or ``(S, N)`` class ids."""
        return self.data.y

    # -- control -------------------------------------------------------------------
    def stop(self):
        """Ask a running :meth:`run` to stop after the current update (thread-safe)."""
        self.stop_event.set()

    @property
    def finished(self):
        return self.history.stopped is not None and self.history.stopped != "paused"

    @property
    def epoch(self):
        """Epochs completed so far."""
        return self._epoch

    def run(self, epochs=None):
        """Train for ``epochs`` more epochs (default: the constructor's); returns the history.

        Stops early on a stop signal, early stopping or divergence; calling
        ``run`` again continues where it stopped. After a divergence it raises
        :class:`TrainingDiverged`, as :meth:`step` does.
        """
        if self.history.diverged:  # the update generator has ended; nothing to continue
            raise TrainingDiverged(self.history.stopped)
        target = self._epoch + (self.epochs if epochs is None else check_int(epochs, "epochs", low=0))
        self.history.stopped = None
        self._since_best = 0  # patience counts within a run: run() again continues
        start = self._run_start = time.perf_counter()
        try:
            while self._epoch < target and not self.finished:
                if self.stop_event.is_set():
                    self.history.stopped = "stopped by user"
                    break
                self._advance()
            if self.history.stopped is None:
                self.history.stopped = "completed"
            self._notify("end")
        finally:
            self._elapsed += time.perf_counter() - start
            # cleared on the way out, not on the way in: a stop asked for just
            # before a background run begins must not be lost, and one asked for
            # by an "end" callback must not stop the next run
            self.stop_event.clear()
        return self.history

    def step(self):
        """Make one update (one batch, or one window with truncated/windowed BPTT).

        Returns the update's loss. Raises :class:`TrainingDiverged` if the
        update was refused because numbers became NaN or infinite.
        """
        if self.history.diverged:
            raise TrainingDiverged(self.history.stopped)
        self.history.stopped = None
        start = self._run_start = time.perf_counter()
        try:
            while True:
                if self._advance() != "epoch" or self.finished:
                    break
        finally:
            self._elapsed += time.perf_counter() - start
        if self.history.diverged:
            raise TrainingDiverged(self.history.stopped)
        return self.history.update_loss[-1]

    def _advance(self):
        """Run the generator of updates one item further; returns "update" or "epoch"."""
        if self._updates is None:
            self._updates = self._generate()
        # overflow on the way to divergence is expected; it is reported in history.stopped
        with np.errstate(over="ignore", invalid="ignore"):
            return next(self._updates)

    # -- the loop ----------------------------------------------------------------------
    def _batches(self):
        N = self.data.size
        order = self.rng.permutation(N) if self.shuffle else np.arange(N)
        for a in range(0, N, self.batch_size):
            yield self.data.subset(np.sort(order[a : a + self.batch_size]))

    def _batch_updates(self, batch):
        """Yield ``(loss, grads)`` for each update this batch makes."""
        model = self.model
        if self.bptt == "full":
            yield model.loss_and_grads(batch)
        elif self.bptt == "truncated":
            for loss, grads, _ in truncated_windows(model, batch.x, batch.y, self.k, batch.state,
                                                    batch.steps_out):
                yield loss, grads
        else:
            for _, xw, yw in windowed_examples(batch.x, batch.y, self.k):
                yield windowed_step(model, xw, yw)

    def _generate(self):
        h = self.history
        params = self.model.params
        last_good = None
        while True:
            for batch in self._batches():
                for loss, grads in self._batch_updates(batch):
                    norm = global_norm(grads)
                    if not (math.isfinite(loss) and math.isfinite(norm)):
                        # the previous update led here: undo it, back to weights whose
                        # loss and gradient were finite
                        if last_good is not None:
                            self.model.set_params(last_good)
                        self._diverge(f"the loss became {loss:.3g} and the gradient norm {norm:.3g}")
                        yield "diverged"
                        return
                    before = {k: v.copy() for k, v in params.items()}
                    last_good = before
                    per_param = grad_norms(grads)  # before clipping, like `norm`
                    if self.clip_norm is not None:
                        grads, _ = clip_by_global_norm(grads, self.clip_norm)
                    if self.clip_value is not None:
                        grads = clip_by_value(grads, self.clip_value)
                    self.optimizer.step(params, grads)
                    if not all(np.isfinite(v).all() for v in params.values()):
                        for k, v in before.items():
                            params[k][...] = v
                        self._diverge("the update produced NaN or infinite weights")
                        yield "diverged"
                        return
                    h.update_loss.append(loss)
                    h.grad_norm.append(norm)
                    for k, v in per_param.items():
                        h.param_grad_norms.setdefault(k, []).append(v)
                    self._epoch_losses.append(loss)
                    self._notify("update")
                    yield "update"
            self._end_epoch()
            yield "epoch"

    def _end_epoch(self):
        h = self.history
        self._epoch += 1
        h.epoch.append(self._epoch)
        h.train_loss.append(float(np.mean(self._epoch_losses)) if self._epoch_losses else float("nan"))
        self._epoch_losses = []
        vloss = self.evaluate(self.valid) if self.valid is not None else None
        h.valid_loss.append(vloss)
        h.wall_time.append(self._elapsed_now())
        if self.record_hidden_grads:
            h.hidden_grad_norms.append(self._hidden_norms())
        monitored = vloss if vloss is not None else h.train_loss[-1]
        if monitored < self._best[0] - self.min_delta:
            self._best = (monitored, self.model.get_params())
            h.best_epoch = self._epoch
            self._since_best = 0
        else:
            self._since_best += 1
        self._notify("epoch")
        if self.patience is not None and self._since_best >= self.patience:
            if self._best[1] is None:  # the monitored loss was never a finite number
                h.stopped = (f"early stopping at epoch {self._epoch}: the monitored loss was never "
                             "finite, so there are no better weights to go back to")
                return
            self.model.set_params(self._best[1])
            h.stopped = (f"early stopping at epoch {self._epoch}: no improvement for "
                         f"{self.patience} epochs; restored the weights of epoch {h.best_epoch}")

    def _elapsed_now(self):
        """Seconds spent in run()/step() so far, the current call included."""
        return self._elapsed + (time.perf_counter() - self._run_start)

    def _hidden_norms(self):
        _, _, dh = self.model.loss_and_grads(self._probe, return_dh=True)
        return np.sqrt((dh["layer0"].astype(np.float64) ** 2).sum(axis=(1, 2)))

    def _diverge(self, what):
        h = self.history
        h.diverged = True
        where = f"epoch {self._epoch + 1}, update {h.updates + 1}"
        h.stopped = (f"diverged at {where}: {what}. The model keeps the last weights that gave a finite loss. "
                     "Try a smaller learning rate or gradient clipping.")
        self._notify("diverged")

    def _notify(self, event):
        if self.callback is not None:
            self.callback(self, event)

    def evaluate(self, x, y=None):
        """Mean loss of the model on ``(x, y)``, full unroll from a zero state.

        ``x, y`` are checked like training data; or ``x`` is a
        :class:`~rnnlab.model.Batch` such as ``trainer.data`` or
        ``trainer.valid`` (already checked).
        """
        batch = x if isinstance(x, Batch) else self.model.prepare(x, y)
        self._check_steps(batch, self.data.steps_out, "y has")
        return self.model.loss(batch)

    def _check_steps(self, batch, steps_out, what):
        if get_pattern(self.model.pattern).needs_output_length and batch.steps_out != steps_out:
            raise ValueError(f"{what} {batch.steps_out} output steps; this trainer's training "
                             f"targets have {steps_out}")


def fit(model, data, y=None, **kwargs):
    """Train ``model`` and return the :class:`History` (see :class:`Trainer` for options)."""
    return Trainer(model, data, y, **kwargs).run()
