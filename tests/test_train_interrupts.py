"""A Trainer survives anything raised inside run()/step(): a callback's error,
KeyboardInterrupt at any point, a real SIGINT. The next run() continues from the
last completed update, and the end result is the one an uninterrupted run gives,
bit for bit (wall times aside)."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import rnnlab

SETTINGS = {
    "full": dict(batch_size=4),
    "truncated": dict(batch_size=4, bptt="truncated", k=4),
    "windowed": dict(batch_size=8, bptt="windowed", k=6),
}


def trainer(mode="full", callback=None, **kw):
    data = rnnlab.data.sine(n_samples=12, length=12, seed=2)
    model = rnnlab.SequenceModel(1, 5, 1, cell="lstm", seed=1)
    options = dict(optimizer="adam", lr=0.02, epochs=3, validation_split=0.25, seed=4,
                   patience=50, callback=callback)
    return rnnlab.Trainer(model, data, **{**options, **SETTINGS[mode], **kw})


def fingerprint(tr):
    """Everything an uninterrupted run determines: weights, optimizer state, history."""
    h = tr.history
    slots = {(key, slot): (v.copy() if isinstance(v, np.ndarray) else v)
             for key, st in tr.optimizer.state.items() for slot, v in st.items()}
    lists = {name: list(getattr(h, name)) for name in
             ("epoch", "train_loss", "valid_loss", "update_loss", "grad_norm")}
    hidden = [np.asarray(v).tolist() for v in h.hidden_grad_norms]
    return tr.model.get_params(), slots, lists, dict(h.param_grad_norms), hidden, h.best_epoch


def assert_same(a, b):
    params_a, slots_a, lists_a, per_a, hidden_a, best_a = a
    params_b, slots_b, lists_b, per_b, hidden_b, best_b = b
    assert lists_a == lists_b and per_a == per_b and hidden_a == hidden_b and best_a == best_b
    assert params_a.keys() == params_b.keys()
    assert all(np.array_equal(params_a[k], params_b[k]) for k in params_a)
    assert slots_a.keys() == slots_b.keys()
    assert all(np.array_equal(slots_a[k], slots_b[k]) for k in slots_a)


def reference(mode, epochs=3):
    tr = trainer(mode, epochs=epochs)
    tr.run()
    return fingerprint(tr)


def finish(tr, limit=50):
    """run() until it ends by itself; returns how many times it was interrupted.

    After an interruption ``history.stopped`` says whether training was cut in the
    middle ("interrupted by ...": run again) or had ended (early stopping, say) and
    only its last callback was cut.
    """
    for interruptions in range(limit):
        try:
            tr.run(epochs=tr.epochs - tr.epoch)
            return interruptions
        except (KeyboardInterrupt, ValueError):
            if not tr.history.stopped.startswith("interrupted by "):
                return interruptions + 1
    raise AssertionError(f"still interrupted after {limit} tries")


def check_consistent(tr):
    """What run() leaves behind after an interruption: a history that adds up, finite weights."""
    h = tr.history
    assert h.stopped.startswith("interrupted by ")
    assert "run() or step() continues from there" in h.stopped
    assert len(h.grad_norm) == h.updates
    assert all(len(v) == h.updates for v in h.param_grad_norms.values())
    assert len(h.train_loss) == len(h.valid_loss) == len(h.wall_time) == len(h.epoch) == tr.epoch
    assert all(np.isfinite(v).all() for v in tr.model.params.values())


# ---------------------------------------------------------------------------
# a callback that raises
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("event", ["update", "epoch", "end"])
def test_a_raising_callback_leaves_the_trainer_usable(event):
    calls = {"n": 0}
    raise_at = 1 if event == "end" else 2  # "end" comes once per run

    def callback(trainer, what):
        if what == event:
            calls["n"] += 1
            if calls["n"] == raise_at:
                raise ValueError("a bug in the learner's callback")

    tr = trainer(callback=callback)
    with pytest.raises(ValueError, match="a bug in the learner's callback"):
        tr.run()
    if event == "end":  # the run was over: it stays "completed"
        assert tr.history.stopped == "completed"
        return
    check_consistent(tr)
    assert "ValueError: a bug in the learner's callback" in tr.history.stopped
    updates = tr.history.updates
    assert updates == (2 if event == "update" else 6)  # that update/epoch was completed
    finish(tr)
    assert tr.history.stopped == "completed"
    assert_same(fingerprint(tr), reference("full"))


def test_step_after_an_error_continues_with_the_next_update():
    def callback(trainer, what):
        if what == "update" and trainer.history.updates == 1:
            raise RuntimeError("once")

    tr = trainer(callback=callback)
    with pytest.raises(RuntimeError):
        tr.step()
    assert tr.history.updates == 1
    tr.callback = None
    tr.step()
    assert tr.history.updates == 2  # never a bare StopIteration


# ---------------------------------------------------------------------------
# KeyboardInterrupt at chosen points
# ---------------------------------------------------------------------------

class Once:
    """Wraps a function: its ``at``-th call raises KeyboardInterrupt, before it runs, after
    it ran (``after``), or from ``instead`` (a function that does part of the work)."""

    def __init__(self, fn, at, after=False, instead=None):
        self.fn, self.at, self.after, self.instead, self.calls = fn, at, after, instead, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.at and self.instead is not None:
            self.instead(*args, **kwargs)
        if self.calls == self.at and not self.after:
            raise KeyboardInterrupt
        out = self.fn(*args, **kwargs)
        if self.calls == self.at:
            raise KeyboardInterrupt
        return out


class InterruptingList(list):
    """A history list whose ``at``-th append is interrupted."""

    def __init__(self, values, at):
        super().__init__(values)
        self.at, self.calls = at, 0

    def append(self, value):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        super().append(value)


def _partial_step(optimizer):
    """An optimizer step interrupted after it changed one weight and its state."""
    original = optimizer.step

    def step(params, grads):
        first = next(iter(params))
        original({first: params[first]}, {first: grads[first]})  # half an update
        raise KeyboardInterrupt
    return step


POINTS = {
    "computing the gradient": lambda tr: setattr(
        tr.model, "loss_and_grads", Once(tr.model.loss_and_grads, 3)),
    "in the truncated window": lambda tr: setattr(
        tr.model, "forward_steps", Once(tr.model.forward_steps, 5)),
    "half-way through the optimizer step": lambda tr: setattr(
        tr.optimizer, "step", Once(tr.optimizer.step, 4, instead=_partial_step(tr.optimizer))),
    "after the optimizer step": lambda tr: setattr(
        tr.optimizer, "step", Once(tr.optimizer.step, 4, after=True)),
    "recording the update": lambda tr: setattr(
        tr.history, "grad_norm", InterruptingList(tr.history.grad_norm, 5)),
    "validating at the end of an epoch": lambda tr: setattr(
        tr, "evaluate", Once(tr.evaluate, 2)),
    "recording the epoch": lambda tr: setattr(
        tr.history, "wall_time", InterruptingList(tr.history.wall_time, 2)),
    "restoring the best weights": lambda tr: setattr(
        tr.model, "set_params", Once(tr.model.set_params, 1)),
}


@pytest.mark.parametrize("point, mode", [
    (point, mode) for point in POINTS for mode in ("full", "truncated", "windowed")
    if mode == "truncated" or point != "in the truncated window"])  # only TBPTT has those windows
def test_keyboard_interrupt_anywhere_continues_from_the_last_completed_update(point, mode):
    if point == "restoring the best weights":
        tr = trainer(mode, patience=1, min_delta=1e9)  # stops after epoch 2, restoring epoch 1
    else:
        tr = trainer(mode)
    POINTS[point](tr)
    with pytest.raises(KeyboardInterrupt):
        tr.run()
    if point == "restoring the best weights":  # the restore is finished before the interrupt
        assert tr.history.best_epoch == 1
        assert all(np.array_equal(tr.model.params[k], v) for k, v in tr._best[1].items())
        return
    check_consistent(tr)
    finish(tr)
    assert tr.history.stopped == "completed"
    assert_same(fingerprint(tr), reference(mode))


def test_an_interrupt_after_early_stopping_was_decided_keeps_the_decision():
    def callback(trainer, what):
        if what == "epoch" and trainer.epoch == 2:
            raise KeyboardInterrupt

    tr = trainer(patience=1, min_delta=1e9, callback=callback)  # stops after epoch 2
    with pytest.raises(KeyboardInterrupt):
        tr.run()
    ref = trainer(patience=1, min_delta=1e9)
    ref.run()
    assert tr.history.stopped == ref.history.stopped
    assert tr.history.stopped.startswith("early stopping at epoch 2")
    assert_same(fingerprint(tr), fingerprint(ref))  # the best weights are back, as in ref


# ---------------------------------------------------------------------------
# a real SIGINT, sent at random moments by another thread
# ---------------------------------------------------------------------------

EPOCHS = 60  # long enough (about a second) for a few dozen interruptions


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
@pytest.mark.parametrize("mode, patience", [("full", 50), ("truncated", 3)])
def test_real_sigint_during_training_changes_nothing_but_the_wall_time(mode, patience):
    armed = threading.Event()  # only while run() is training, never in this test's own code

    def handler(signum, frame):
        if armed.is_set():
            armed.clear()
            raise KeyboardInterrupt

    def callback(trainer, event):
        if event == "update":
            armed.set()
        elif event == "end":
            armed.clear()

    done = threading.Event()

    def sender():
        rng = np.random.default_rng(0)
        while not done.is_set():
            time.sleep(rng.uniform(0.001, 0.01))
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, handler)
    thread = threading.Thread(target=sender, daemon=True)
    try:
        tr = trainer(mode, callback=callback, epochs=EPOCHS, patience=patience)
        thread.start()
        interruptions = finish(tr, limit=10_000)
    finally:
        done.set()
        thread.join(timeout=5)
        time.sleep(0.05)  # a signal still on its way is handled (and ignored) by `handler`
        signal.signal(signal.SIGINT, previous)
    ref = trainer(mode, epochs=EPOCHS, patience=patience)
    ref.run()
    assert tr.history.stopped == ref.history.stopped
    assert_same(fingerprint(tr), fingerprint(ref))
    assert interruptions >= 3, f"only {interruptions} SIGINTs arrived while training"
