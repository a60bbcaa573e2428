"""Training: epochs, mini-batches, three BPTT modes, clipping, validation,
early stopping, callbacks, a stop signal and a history.

::

    trainer = rnnlab.Trainer(model, data, optimizer="adam", lr=0.01, epochs=50)
    history = trainer.run()           # or trainer.step() for one update

A panel runs ``trainer.run()`` in a background thread, draws from the
``callback`` and stops it with ``trainer.stop()`` (or a shared
``threading.Event``); ``trainer.optimizer.lr`` may change while it runs.

Divergence: before every update the loss, the gradient norm and the new
weights are checked. Training stops as diverged when any of them is NaN or
infinite, or when the loss *explodes*: an update's loss is more than
``explode_factor`` (default 1000) times the scale of the loss when training
started, the larger of the initial loss on the training data and the loss of a
constant guess (``mean(y**2)`` for mse, ``ln(classes)`` for cross-entropy).
The model then gets back the weights from before the update that led there,
``history.diverged`` is True and ``history.stopped`` says when and what.

Interruptions: an exception raised inside :meth:`Trainer.run` or
:meth:`Trainer.step` (a callback's error, ``KeyboardInterrupt``, the kernel's
Interrupt button) leaves the weights, the optimizer, the history and the
position in the epoch as they were after the last completed update;
``history.stopped`` says what interrupted it, and the next ``run()`` or
``step()`` continues from there.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ._validate import check_float, check_int, check_seed
from .bptt import check_mode, truncated_window, windowed_step
from .model import Batch, check_model
from .optim import Optimizer, clip_by_global_norm, clip_by_value, global_norm, grad_norms, make_optimizer
from .patterns import get_pattern


class TrainingDiverged(RuntimeError):
    """Raised by :meth:`Trainer.step` (and a later :meth:`Trainer.run`) once an
    update produced a non-finite loss, gradient or weight, or a loss that exploded
    (see ``explode_factor``)."""


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


class _Cursor(NamedTuple):
    """Where the next update starts inside the current epoch.

    Replaced as a whole after each completed update (one assignment), so an
    interruption leaves it at the last completed update.
    """

    order: object = None   # this epoch's order of the sequences; None: the epoch has not begun
    batch: int = 0         # the batch of the next update
    data: object = None    # that batch, as a Batch
    window: int = 0        # its next window: first step (truncated) or start t (windowed)
    state: tuple = None    # the state carried into that window (truncated BPTT)


def _copy_state(state):
    """A copy of an optimizer's per-parameter state (arrays copied, counts as they are)."""
    return {key: {slot: (v.copy() if isinstance(v, np.ndarray) else v) for slot, v in st.items()}
            for key, st in state.items()}


def measure_loss_scale(model, batch):
    """The scale a loss is compared with to tell an explosion: the larger of the
    model's loss on ``batch`` and the loss of a constant guess (``mean(y**2)``,
    the guess 0, for mse; ``ln(classes)``, the uniform guess, for cross-entropy)."""
    if model.loss_name == "cross-entropy":
        guess = math.log(model.output_size)
    else:
        guess = float(np.mean(np.square(batch.y, dtype=np.float64)))
    with np.errstate(over="ignore", invalid="ignore"):
        start = float(model.loss(batch))
    start = start if math.isfinite(start) else 0.0  # an infinite start is caught as divergence
    return max(start, guess, np.finfo(np.float64).tiny)


def _pair(data):
    """``(x, y)`` from a Dataset-like object (``.x``, ``.y``) or an ``(x, y)`` tuple; else None."""
    if hasattr(data, "x") and hasattr(data, "y"):
        return data.x, data.y
    if isinstance(data, tuple) and len(data) == 2:  # fit(model, (x, y)) reads naturally too
        return data
    return None


def _xy(data, y):
    """``(x, y)`` from a Dataset-like object, an ``(x, y)`` tuple, or two arrays."""
    if y is not None:
        return data, y
    pair = _pair(data)
    if pair is None:
        raise TypeError("pass training data as fit(model, x, y), fit(model, (x, y)) or a Dataset "
                        f"with .x and .y; got {type(data).__name__} and no y")
    return pair


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
    explode_factor : the loss explodes, and training stops as diverged, when
        an update's loss is more than this many times the scale of the loss
        when training started (see the module docstring; the scale is
        measured on the training data at the first update). Default 1000:
        ordinary noisy training stays far below it (at most 19x in a survey
        of the Playground's tasks at their learning rates, 140x at lr=0.1),
        a run that blows up passes it long before its numbers overflow. None: only NaN or
        infinite numbers count. ``trainer.loss_scale`` and
        ``trainer.explosion_limit`` give the numbers (e.g. to draw the limit).

    Anything raised inside :meth:`run` or :meth:`step` (a callback's error,
    ``KeyboardInterrupt``) leaves the trainer as it was after the last
    completed update; call :meth:`run` again to continue.
    """

    def __init__(self, model, data, y=None, *, optimizer="adam", lr=0.01, epochs=100,
                 batch_size=None, bptt="full", k=None, clip_norm=None, clip_value=None,
                 validation_split=0.0, valid=None, patience=None, min_delta=0.0, shuffle=True,
                 seed=0, callback=None, stop_event=None, record_hidden_grads=True,
                 explode_factor=1000.0):
        self.model = check_model(model)
        model.check_finite("training")
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
            pair = _pair(valid)
            if pair is None:
                raise TypeError("valid must be an (x, y) pair or a Dataset with .x and .y; "
                                f"got {type(valid).__name__}")
            self.valid = model.prepare(*pair)
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
        self.explode_factor = (None if explode_factor is None else
                               check_float(explode_factor, "explode_factor", 1.0, low_open=True))
        self.history = History()
        self._probe = data.subset(slice(0, 16))
        self._best = (math.inf, None)
        self._since_best = 0
        self._epoch = 0
        self._elapsed = 0.0
        self._run_start = time.perf_counter()
        self._cursor = _Cursor()
        self._epoch_losses = []
        self._epoch_start_update = 0  # history.updates when this epoch began
        self._last_good = None  # the weights before the last completed update
        self.loss_scale = None  # what an exploding loss is measured against; see explosion_limit
        self._was_interrupted = False  # then the next run() goes on counting patience

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
        if self.history.diverged:  # the weights went back; training on would diverge again
            raise TrainingDiverged(self.history.stopped)
        target = self._epoch + (self.epochs if epochs is None else check_int(epochs, "epochs", low=0))
        if not self._was_interrupted:  # patience counts within a run: run() again continues
            self._since_best = 0
        self.history.stopped = None
        start = self._run_start = time.perf_counter()
        try:
            while self._epoch < target and not self.finished:
                if self.stop_event.is_set():
                    self.history.stopped = "stopped by user"
                    break
                self._advance()
            if self.history.stopped is None:
                self.history.stopped = "completed"
            self._was_interrupted = False
            self._notify("end")
        except BaseException as err:
            self._interrupted(err)
            raise
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
        update was refused because numbers became NaN or infinite or the loss
        exploded.
        """
        if self.history.diverged:
            raise TrainingDiverged(self.history.stopped)
        self.history.stopped = None
        start = self._run_start = time.perf_counter()
        try:
            while True:
                if self._advance() != "epoch" or self.finished:
                    break
        except BaseException as err:
            self._interrupted(err)
            raise
        finally:
            self._elapsed += time.perf_counter() - start
        if self.history.diverged:
            raise TrainingDiverged(self.history.stopped)
        return self.history.update_loss[-1]

    def _advance(self):
        """Make the next update, or end the epoch once its batches are done.

        Returns ``"update"``, ``"epoch"`` or ``"diverged"``. Whatever is raised
        on the way (a callback's error, ``KeyboardInterrupt``), the weights,
        the optimizer's state, the history and the position in the epoch are
        those after the last completed update, so the next call continues
        from there.
        """
        # overflow on the way to divergence is expected; it is reported in history.stopped
        with np.errstate(over="ignore", invalid="ignore"):
            while True:
                cursor = self._cursor
                if cursor.order is None:
                    cursor = self._start_epoch()
                if cursor.batch * self.batch_size >= self.data.size:
                    return self._end_epoch()
                work = self._next_work(cursor)
                if work is None:  # this batch has no window left: on to the next batch
                    self._cursor = _Cursor(cursor.order, cursor.batch + 1)
                    continue
                return self._update(*work)

    # -- the loop ----------------------------------------------------------------------
    def _start_epoch(self):
        """Set and return the cursor of a new epoch, with its order of sequences."""
        N = self.data.size
        drawn_from = self.rng.bit_generator.state
        try:
            self._cursor = _Cursor(self.rng.permutation(N) if self.shuffle else np.arange(N))
        except BaseException:  # interrupted: draw the same order next time
            self.rng.bit_generator.state = drawn_from
            raise
        return self._cursor

    def _next_work(self, cursor):
        """``(loss, grads, cursor after this update)`` of the update at ``cursor``, or None.

        Computes without changing anything, so an interruption here costs
        only the computation.
        """
        data = cursor.data
        if data is None:
            start = cursor.batch * self.batch_size
            data = self.data.subset(np.sort(cursor.order[start : start + self.batch_size]))
            cursor = cursor._replace(data=data)
        if self.bptt == "full":
            if cursor.window:
                return None
            loss, grads = self.model.loss_and_grads(data)
            return loss, grads, cursor._replace(window=1)
        k, t = self.k, cursor.window
        if self.bptt == "windowed":  # the tutorial's window t: x[t : t+k], error at its end
            if t > data.x.shape[0] - k:
                return None
            loss, grads = windowed_step(self.model, data.x[t : t + k], data.y[t + k - 1 : t + k])
            return loss, grads, cursor._replace(window=t + 1)
        state = data.state if cursor.state is None else cursor.state
        window = truncated_window(self.model, data.x, data.y, k, state, data.steps_out, t)
        if window is None:
            return None
        return window.loss, window.grads, cursor._replace(window=window.next_start,
                                                            state=window.state)

    def _update(self, loss, grads, after):
        """Check the loss and gradients, then update the weights; all or nothing."""
        h = self.history
        params = self.model.params
        norm = global_norm(grads)
        if not (math.isfinite(loss) and math.isfinite(norm)):
            return self._diverge(f"the loss became {loss:.3g} and the gradient norm {norm:.3g}")
        if loss > self.explosion_limit:
            return self._diverge(
                f"the loss exploded to {loss:.3g}, more than explode_factor={self.explode_factor:g} "
                f"times {self.loss_scale:.3g}, the scale of the loss when training started")
        before = {key: v.copy() for key, v in params.items()}
        per_param = grad_norms(grads)  # before clipping, like `norm`
        if self.clip_norm is not None:
            grads, _ = clip_by_global_norm(grads, self.clip_norm)
        if self.clip_value is not None:
            grads = clip_by_value(grads, self.clip_value)
        slots = _copy_state(self.optimizer.state)
        n = h.updates
        try:
            self.optimizer.step(params, grads)
            if not all(np.isfinite(v).all() for v in params.values()):
                self._rollback_update(before, slots, n)
                return self._diverge("the update produced NaN or infinite weights", restore=False)
            h.update_loss.append(loss)
            h.grad_norm.append(norm)
            for key, v in per_param.items():
                h.param_grad_norms.setdefault(key, []).append(v)
            self._epoch_losses.append(loss)
            self._cursor = after
        except BaseException:
            self._rollback_update(before, slots, n)
            raise
        self._last_good = before
        self._notify("update")
        return "update"

    def _rollback_update(self, before, slots, n):
        """Undo a partly made update: weights, optimizer state, the per-update history."""
        for key, v in before.items():
            self.model.params[key][...] = v
        self.optimizer.state = slots
        h = self.history
        for values in (h.update_loss, h.grad_norm, *h.param_grad_norms.values()):
            del values[n:]
        del self._epoch_losses[n - self._epoch_start_update:]

    @property
    def explosion_limit(self):
        """The loss above which training stops as exploded (inf without the rule).

        ``explode_factor * loss_scale``; ``loss_scale`` (see
        :func:`measure_loss_scale`) is measured once, at the first update.
        """
        if self.explode_factor is None:
            return math.inf
        if self.loss_scale is None:
            self.loss_scale = measure_loss_scale(self.model, self.data)
        return self.explode_factor * self.loss_scale

    def _end_epoch(self):
        """Close the epoch: its losses, validation, early stopping; all or nothing."""
        h = self.history
        # compute first: an interruption here changes nothing
        train_loss = float(np.mean(self._epoch_losses)) if self._epoch_losses else float("nan")
        vloss = self.evaluate(self.valid) if self.valid is not None else None
        hidden = (self.model.hidden_grad_norms(self._probe, None) if self.record_hidden_grads
                  else None)
        wall = self._elapsed_now()
        monitored = vloss if vloss is not None else train_loss
        improved = monitored < self._best[0] - self.min_delta
        best = (monitored, self.model.get_params()) if improved else self._best
        since_best = 0 if improved else self._since_best + 1
        best_epoch = self._epoch + 1 if improved else h.best_epoch
        early_stop = self.patience is not None and since_best >= self.patience
        if early_stop and best[1] is None:  # the monitored loss was never a finite number
            stopped = (f"early stopping at epoch {self._epoch + 1}: the monitored loss was never "
                       "finite, so there are no better weights to go back to")
        elif early_stop:
            stopped = (f"early stopping at epoch {self._epoch + 1}: no improvement for "
                       f"{self.patience} epochs; restored the weights of epoch {best_epoch}")
        saved = (self._epoch, self._best, self._since_best, h.best_epoch, h.stopped,
                 self._epoch_losses, self._epoch_start_update, self._cursor, len(h.epoch),
                 len(h.hidden_grad_norms))
        try:
            self._epoch += 1
            for values, v in ((h.epoch, self._epoch), (h.train_loss, train_loss),
                              (h.valid_loss, vloss), (h.wall_time, wall)):
                values.append(v)
            if hidden is not None:
                h.hidden_grad_norms.append(hidden)
            self._best, self._since_best, h.best_epoch = best, since_best, best_epoch
            self._epoch_losses, self._epoch_start_update = [], h.updates
            self._cursor = _Cursor()
            if early_stop:
                h.stopped = stopped
        except BaseException:
            (self._epoch, self._best, self._since_best, h.best_epoch, h.stopped,
             self._epoch_losses, self._epoch_start_update, self._cursor, n_epochs,
             n_hidden) = saved
            for values in (h.epoch, h.train_loss, h.valid_loss, h.wall_time):
                del values[n_epochs:]
            del h.hidden_grad_norms[n_hidden:]
            raise
        if early_stop and best[1] is not None:
            try:
                self.model.set_params(best[1])
            finally:  # interrupted half-way: finish it, the weights must not be a mixture
                for key, v in best[1].items():
                    self.model.params[key][...] = v
        self._notify("epoch")
        return "epoch"

    def _elapsed_now(self):
        """Seconds spent in run()/step() so far, the current call included."""
        return self._elapsed + (time.perf_counter() - self._run_start)

    def _diverge(self, what, restore=True):
        """Stop as diverged. With ``restore`` the weights go back to those before the
        previous update: the current ones gave the bad loss, the earlier ones a good one."""
        h = self.history
        if restore and self._last_good is not None:
            self.model.set_params(self._last_good)
        if not restore or self._last_good is not None:
            kept = "The model keeps the last good weights (from before the update that led here)."
        else:
            kept = "The initial weights already gave this loss, so there are none to go back to."
        h.diverged = True
        where = f"epoch {self._epoch + 1}, update {h.updates + 1}"
        h.stopped = f"diverged at {where}: {what}. {kept} Try a smaller learning rate or gradient clipping."
        self._notify("diverged")
        return "diverged"

    def _interrupted(self, err):
        """Say in the history what interrupted run()/step() (unless it had ended already)."""
        h = self.history
        # in the middle of training, the next run() carries on with this one; a run that
        # had ended (stopped says why) and was cut in its last callback has ended
        self._was_interrupted = h.stopped is None
        if h.stopped is None:
            what = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            h.stopped = (f"interrupted by {what}, in epoch {self._epoch + 1} after update "
                         f"{h.updates}; run() or step() continues from there")

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
