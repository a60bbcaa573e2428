"""Training: reproducibility, learning, optimisers, clipping, divergence, the
stop signal, callbacks, live learning-rate changes, validation, early stopping,
single steps, the three BPTT modes' update counts and continued runs."""
import math
import threading
import time

import numpy as np
import pytest

import rnnlab


def sine(n=16, length=20, seed=0):
    return rnnlab.data.sine(n_samples=n, length=length, seed=seed)


def model(cell="gru", hidden=8, seed=0, **kw):
    return rnnlab.SequenceModel(1, hidden, 1, cell=cell, seed=seed, **kw)


def param_snapshots(trainer_kwargs, m, data):
    """Run a Trainer, recording the parameters before training and after every update."""
    snaps = [m.get_params()]

    def cb(trainer, event):
        if event == "update":
            snaps.append(trainer.model.get_params())

    hist = rnnlab.Trainer(m, data, callback=cb, **trainer_kwargs).run()
    return hist, snaps


def change_norm(a, b):
    return math.sqrt(sum(float(np.sum((a[k] - b[k]) ** 2)) for k in a))


# ---------------------------------------------------------------------------
# reproducibility
# ---------------------------------------------------------------------------

def _run(seed, cell="lstm"):
    m = model(cell, seed=3)
    data = sine(n=12, length=15, seed=1)
    hist = rnnlab.fit(m, data, optimizer="adam", lr=0.02, epochs=4, batch_size=4,
                      validation_split=0.25, seed=seed)
    return hist, m


def test_same_seed_gives_bit_identical_runs():
    h1, m1 = _run(seed=5)
    np.random.seed(1234)  # numpy's global state must play no part
    np.random.standard_normal(100)
    h2, m2 = _run(seed=5)
    assert h1.updates == h2.updates == 4 * 3  # 9 training sequences, batches of 4
    for field in ("update_loss", "grad_norm", "train_loss", "valid_loss", "epoch"):
        assert getattr(h1, field) == getattr(h2, field), field
    assert h1.param_grad_norms == h2.param_grad_norms
    assert len(h1.hidden_grad_norms) == 4
    for a, b in zip(h1.hidden_grad_norms, h2.hidden_grad_norms):
        np.testing.assert_array_equal(a, b)
    for k in m1.params:
        np.testing.assert_array_equal(m1.params[k], m2.params[k])


def test_different_seed_gives_a_different_run():
    h1, m1 = _run(seed=5)
    h2, m2 = _run(seed=6)
    assert h1.update_loss != h2.update_loss
    assert any(not np.array_equal(m1.params[k], m2.params[k]) for k in m1.params)


def test_hidden_grad_norms_are_recorded_per_epoch():
    h, m = _run(seed=0)
    T = 15
    assert all(np.asarray(v).shape == (T,) for v in h.hidden_grad_norms)
    assert all(np.isfinite(v).all() and (np.asarray(v) >= 0).all() for v in h.hidden_grad_norms)


# ---------------------------------------------------------------------------
# it learns
# ---------------------------------------------------------------------------

def test_gru_learns_sine_quickly():
    data = rnnlab.data.sine(n_samples=32, length=30, seed=0)
    m = model("gru", hidden=8)
    start = time.process_time()  # CPU seconds: the budget should not depend on the machine's load
    h = rnnlab.fit(m, data, optimizer="adam", lr=0.03, epochs=30, batch_size=8, seed=0)
    elapsed = time.process_time() - start
    assert h.stopped == "completed" and not h.diverged
    assert h.train_loss[-1] < 0.02, h.train_loss[-5:]
    assert h.train_loss[-1] < 0.1 * h.train_loss[0]
    assert m.loss(data.x, data.y) < 0.02
    assert elapsed < 3.0, f"took {elapsed:.2f} CPU seconds"


@pytest.mark.parametrize("name,lr", [("sgd", 0.5), ("momentum", 0.2), ("adagrad", 0.1),
                                     ("rmsprop", 0.01), ("adam", 0.02)])
def test_every_optimizer_trains(name, lr):
    assert name in rnnlab.OPTIMIZERS
    data = sine()
    m = model("lstm")
    before = m.loss(data.x, data.y)
    h = rnnlab.fit(m, data, optimizer=name, lr=lr, epochs=15, batch_size=8, seed=0)
    assert not h.diverged
    assert m.loss(data.x, data.y) < 0.8 * before
    assert h.train_loss[-1] < h.train_loss[0]


def test_optimizer_object_is_used_as_given():
    data = sine()
    opt = rnnlab.optim.Momentum(0.05, momentum=0.5)
    tr = rnnlab.Trainer(model(), data, optimizer=opt, epochs=2)
    assert tr.optimizer is opt
    tr.run()
    assert opt.state  # it has velocities now


# ---------------------------------------------------------------------------
# clipping
# ---------------------------------------------------------------------------

def test_clip_norm_caps_the_applied_update():
    lr, clip = 0.1, 0.05
    m = model("rnn", activation="relu", seed=1)
    h, snaps = param_snapshots(dict(optimizer="sgd", lr=lr, epochs=6, batch_size=8,
                                    clip_norm=clip, seed=0), m, sine())
    steps = [change_norm(a, b) for a, b in zip(snaps[:-1], snaps[1:])]
    assert len(steps) == h.updates == 12
    clipped = 0
    for step, g in zip(steps, h.grad_norm):
        assert step <= lr * clip + 1e-12
        if g > clip:  # the recorded norm is before clipping
            assert step == pytest.approx(lr * clip, rel=1e-9)
            clipped += 1
        else:
            assert step == pytest.approx(lr * g, rel=1e-9)
    assert clipped >= 6  # the cap was actually in play


def test_clip_value_caps_each_entry():
    lr, clip = 0.1, 1e-3
    h, snaps = param_snapshots(dict(optimizer="sgd", lr=lr, epochs=2, clip_value=clip, seed=0),
                               model("gru"), sine())
    for a, b in zip(snaps[:-1], snaps[1:]):
        assert max(float(np.abs(a[k] - b[k]).max()) for k in a) <= lr * clip * (1 + 1e-12)


# ---------------------------------------------------------------------------
# divergence
# ---------------------------------------------------------------------------

def test_divergence_stops_and_keeps_the_last_finite_weights():
    data = sine()
    m = model("rnn", activation="relu")
    tr = rnnlab.Trainer(m, data, optimizer="sgd", lr=5.0, epochs=50, seed=0)
    h = tr.run()
    assert h.diverged
    assert "diverged at epoch" in h.stopped
    assert len(h.epoch) < 50
    assert all(np.isfinite(v).all() for v in m.params.values())
    # the kept weights are those that gave the last recorded (finite) loss
    assert math.isfinite(h.update_loss[-1])
    recomputed = m.loss(data.x, data.y)
    assert math.isfinite(recomputed)
    assert recomputed == pytest.approx(h.update_loss[-1], rel=1e-12)
    with pytest.raises(rnnlab.TrainingDiverged, match="diverged at epoch"):
        tr.step()
    updates, message = h.updates, h.stopped
    with pytest.raises(rnnlab.TrainingDiverged, match="diverged at epoch"):
        tr.run()  # a diverged trainer does not train on, and says why
    assert tr.history.updates == updates and tr.history.stopped == message


def test_an_exploding_loss_stops_as_diverged_and_keeps_the_last_good_weights():
    # full-batch SGD at lr=1 blows a GRU up to losses near 1e77 without ever reaching inf
    data = sine()
    unlimited = rnnlab.fit(model("gru"), data, optimizer="sgd", lr=1.0, epochs=50,
                           explode_factor=None)
    assert unlimited.stopped == "completed" and max(unlimited.update_loss) > 1e70
    m = model("gru")
    scale = rnnlab.train.measure_loss_scale(m, m.prepare(data.x, data.y))
    tr = rnnlab.Trainer(m, data, optimizer="sgd", lr=1.0, epochs=50)
    h = tr.run()
    assert h.diverged and h.stopped.startswith("diverged at epoch")
    assert "the loss exploded to" in h.stopped and "more than explode_factor=1000 times" in h.stopped
    assert f"{scale:.3g}, the scale of the loss when training started" in h.stopped
    assert "keeps the last good weights" in h.stopped
    assert max(h.update_loss) <= 1000 * scale
    # the kept weights are those that gave the last recorded loss
    assert m.loss(data.x, data.y) == pytest.approx(h.update_loss[-1], rel=1e-12)
    with pytest.raises(rnnlab.TrainingDiverged, match="the loss exploded"):
        tr.run()


def _playground_run(task_name, seed):
    """A Playground task at its default settings, as the panel trains it."""
    from rnnlab.widgets import tasks  # pure NumPy, the Playground's table of tasks

    task = tasks.get_task(task_name)
    train, valid = tasks.make_task_data(task_name, seed=seed)
    d = task.defaults
    out_len = train.y.shape[0] if rnnlab.get_pattern(train.pattern).needs_output_length else None
    m = rnnlab.SequenceModel(train.input_size, d["hidden_size"], train.output_size, cell=d["cell"],
                             pattern=train.pattern, loss=train.loss, output_length=out_len,
                             seed=seed)
    tr = rnnlab.Trainer(m, train, valid=valid, optimizer=d["optimizer"], lr=d["lr"],
                        epochs=d["epochs"], batch_size=min(d["batch_size"], train.n_samples),
                        clip_norm=d["clip"] or None, seed=seed, record_hidden_grads=False)
    return tr, tr.run()


# one task per pattern and loss (all eleven take twice as long, and the survey covers them)
@pytest.mark.parametrize("task", ["sine", "echo", "adding", "copy", "generation", "two-to-three"])
def test_ordinary_training_stays_far_below_the_explosion_limit(task):
    # a survey of 2,496 runs of these tasks (3 cells, 4 optimisers, clip on/off, seeds 0-1)
    # found the largest update loss at 19 times the scale at the tasks' learning rates and
    # 140 at lr=0.1: the default factor 1000 is left to runs that blow up (lr 0.3-1, no clip)
    tr, h = _playground_run(task, seed=1)
    assert not h.diverged and h.stopped == "completed", h.stopped
    assert max(h.update_loss) < 10 * tr.loss_scale


def test_a_character_model_on_text_stays_far_below_the_explosion_limit():
    text = rnnlab.text.char_dataset(seq_len=25, n_samples=64, seed=0)
    m = rnnlab.SequenceModel(text.input_size, 32, text.output_size, loss="cross-entropy", seed=0)
    tr = rnnlab.Trainer(m, text, optimizer="adam", lr=0.01, epochs=3, batch_size=8,
                        bptt="truncated", k=10, record_hidden_grads=False)
    h = tr.run()
    assert not h.diverged and max(h.update_loss) < 2 * tr.loss_scale  # it starts at ln(65)


def test_loss_scale_is_the_start_or_a_constant_guess_whichever_is_larger():
    data = sine()
    m = model("rnn")
    batch = m.prepare(data.x, data.y)
    guess = float(np.mean(data.y ** 2))
    assert rnnlab.train.measure_loss_scale(m, batch) == max(m.loss(data.x, data.y), guess)
    m.set_params({k: np.zeros_like(v) for k, v in m.params.items()})  # predicts 0 exactly
    assert rnnlab.train.measure_loss_scale(m, batch) == pytest.approx(guess, rel=1e-12)
    text = rnnlab.text.char_dataset(seq_len=10, n_samples=8, seed=0)
    ce = rnnlab.SequenceModel(text.input_size, 4, text.output_size, loss="cross-entropy", seed=0)
    scale = rnnlab.train.measure_loss_scale(ce, ce.prepare(text.x, text.y))
    assert scale >= math.log(text.output_size)


def test_explode_factor_is_checked():
    for bad, error in ((0.5, ValueError), ("big", TypeError), (float("inf"), ValueError)):
        with pytest.raises(error, match="explode_factor"):
            rnnlab.Trainer(model(), sine(), explode_factor=bad)


def test_weights_that_are_already_nan_are_refused_by_name_before_training():
    m = model("gru")
    m.params["w_h"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['w_h'\] \(1 of 192\) hold\(s\) NaN or infinite "
                                         "values, so training cannot go on"):
        rnnlab.fit(m, sine(), epochs=1)
    with pytest.warns(RuntimeWarning, match="params 'w_h' hold NaN or infinite values"):
        assert np.isnan(m.predict(sine().x)).all()


def test_an_infinite_first_loss_does_not_claim_earlier_weights():
    m = model("rnn")
    m.set_params({**m.get_params(), "w_y": np.full((1, 8), 1e200)})  # finite, but the loss is not
    h = rnnlab.fit(m, sine(), epochs=1)
    assert h.diverged and h.updates == 0
    assert "The initial weights already gave this loss, so there are none to go back to" in h.stopped


# ---------------------------------------------------------------------------
# stopping from another thread
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["stop()", "stop_event"])
def test_stop_from_another_thread(how):
    event = threading.Event()
    data = sine(n=8, length=10)
    tr = rnnlab.Trainer(model("gru", hidden=4), data, epochs=10**7, lr=0.001,
                        stop_event=event if how == "stop_event" else None)
    thread = threading.Thread(target=tr.run, daemon=True)
    thread.start()
    deadline = time.perf_counter() + 10
    while tr.history.updates < 3 and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert tr.history.updates >= 3, "training did not start"
    t0 = time.perf_counter()
    if how == "stop()":
        tr.stop()
    else:
        event.set()
    thread.join(timeout=0.3)
    assert not thread.is_alive(), "still running 0.3 s after the stop signal"
    assert time.perf_counter() - t0 < 0.3
    assert tr.history.stopped == "stopped by user"
    # a later run() continues (finishing the interrupted epoch counts as one)
    done, epochs = tr.history.updates, tr.epoch
    tr.run(epochs=2)
    assert tr.epoch == epochs + 2 and tr.history.stopped == "completed"
    assert done + 1 <= tr.history.updates <= done + 2


# ---------------------------------------------------------------------------
# callback and live learning rate
# ---------------------------------------------------------------------------

def test_callback_events_in_order():
    events = []
    data = sine(n=8)
    rnnlab.fit(model(), data, epochs=3, batch_size=4, callback=lambda tr, ev: events.append(ev))
    assert events == (["update", "update", "epoch"] * 3) + ["end"]


def test_callback_sees_the_trainer_and_growing_history():
    seen = []

    def cb(tr, ev):
        seen.append((ev, tr.history.updates, len(tr.history.epoch), tr.epoch))

    rnnlab.fit(model(), sine(n=8), epochs=2, batch_size=8, callback=cb)
    assert seen == [("update", 1, 0, 0), ("epoch", 1, 1, 1), ("update", 2, 1, 1),
                    ("epoch", 2, 2, 2), ("end", 2, 2, 2)]


def test_changing_lr_mid_run_takes_effect():
    lr, new_lr = 0.05, 0.0005
    snaps = []
    m = model("gru")

    def cb(tr, ev):
        if ev == "update":
            snaps.append(tr.model.get_params())
        if ev == "epoch" and tr.epoch == 1:
            tr.optimizer.lr = new_lr

    snaps.append(m.get_params())
    h = rnnlab.fit(m, sine(), optimizer="sgd", lr=lr, epochs=4, batch_size=8, callback=cb)
    ratios = [change_norm(a, b) / g for a, b, g in zip(snaps[:-1], snaps[1:], h.grad_norm)]
    assert len(ratios) == 8  # 2 updates per epoch
    np.testing.assert_allclose(ratios[:2], lr, rtol=1e-9)
    np.testing.assert_allclose(ratios[2:], new_lr, rtol=1e-9)


def test_lr_must_stay_positive():
    tr = rnnlab.Trainer(model(), sine(), optimizer="sgd", lr=0.1, epochs=1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        tr.optimizer.lr = 0.0


# ---------------------------------------------------------------------------
# validation and early stopping
# ---------------------------------------------------------------------------

def test_validation_split_holds_out_sequences():
    data = sine(n=16)
    tr = rnnlab.Trainer(model(), data, epochs=3, validation_split=0.25, seed=0)
    assert tr.x.shape[1] == 12 and tr.valid[0].shape[1] == 4
    # the held-out sequences are the ones missing from training
    train_cols = {tuple(tr.x[:, j, 0]) for j in range(12)}
    valid_cols = {tuple(tr.valid[0][:, j, 0]) for j in range(4)}
    assert not train_cols & valid_cols
    assert train_cols | valid_cols == {tuple(data.x[:, j, 0]) for j in range(16)}
    h = tr.run()
    assert len(h.valid_loss) == 3
    assert all(isinstance(v, float) and math.isfinite(v) for v in h.valid_loss)
    assert h.valid_loss[-1] == pytest.approx(tr.model.loss(tr.valid.x, tr.valid.y), rel=1e-12)


def test_explicit_valid_data():
    train, valid = sine(n=8, seed=1), sine(n=6, seed=2)
    m = model()
    h = rnnlab.fit(m, train, valid=valid, epochs=3)
    assert len(h.valid_loss) == 3 and all(math.isfinite(v) for v in h.valid_loss)
    assert h.valid_loss[-1] == pytest.approx(m.loss(valid.x, valid.y), rel=1e-12)
    h2 = rnnlab.fit(model(), train, valid=(valid.x, valid.y), epochs=3)
    assert h2.valid_loss == h.valid_loss
    h3 = rnnlab.fit(model(), train, epochs=2)
    assert h3.valid_loss == [None, None]


def test_early_stopping_restores_the_best_weights():
    data = rnnlab.data.sine(n_samples=24, length=15, noise=0.3, seed=1)
    train, valid = data.split(0.5, seed=0)
    m = rnnlab.SequenceModel(1, 16, 1, cell="rnn", seed=0)
    h = rnnlab.fit(m, train, valid=valid, epochs=60, lr=0.1, patience=3, batch_size=4, seed=0)
    assert h.stopped.startswith("early stopping at epoch")
    assert len(h.epoch) < 60
    best = min(h.valid_loss)
    assert h.best_epoch == h.valid_loss.index(best) + 1
    assert len(h.epoch) == h.best_epoch + 3  # patience epochs without improvement
    assert m.loss(valid.x, valid.y) == pytest.approx(best, rel=1e-12)
    assert m.loss(valid.x, valid.y) < h.valid_loss[-1]  # the last epoch was worse: it was undone


# ---------------------------------------------------------------------------
# step, BPTT modes, continued runs
# ---------------------------------------------------------------------------

def test_step_makes_exactly_one_update():
    data = sine(n=8)
    tr = rnnlab.Trainer(model(), data, batch_size=4, epochs=100)
    before = tr.model.get_params()
    loss = tr.step()
    assert tr.history.updates == 1 and tr.history.update_loss == [loss]
    assert change_norm(before, tr.model.get_params()) > 0
    tr.step()
    assert tr.history.updates == 2 and tr.epoch == 0  # epoch ends with the next step
    tr.step()
    assert tr.history.updates == 3 and tr.epoch == 1 and len(tr.history.train_loss) == 1


def test_step_with_truncated_bptt_is_one_window():
    data = sine(n=4, length=10)
    tr = rnnlab.Trainer(model(), data, bptt="truncated", k=3, epochs=5)
    tr.step()
    assert tr.history.updates == 1


@pytest.mark.parametrize("T,k,per_batch", [(10, 3, 4), (10, 5, 2), (10, 10, 1), (10, 1, 10)])
def test_truncated_updates_per_epoch(T, k, per_batch):
    assert per_batch == math.ceil(T / k)
    tr = rnnlab.Trainer(model(), sine(n=8, length=T), bptt="truncated", k=k, batch_size=4,
                        epochs=2, record_hidden_grads=False)
    h = tr.run()
    assert h.updates == 2 * 2 * per_batch  # 2 epochs x 2 batches


@pytest.mark.parametrize("T,k", [(10, 3), (10, 1), (10, 10)])
def test_windowed_updates_per_epoch(T, k):
    tr = rnnlab.Trainer(model(), sine(n=8, length=T), bptt="windowed", k=k, batch_size=4,
                        epochs=2, record_hidden_grads=False)
    h = tr.run()
    assert h.updates == 2 * 2 * (T - k + 1)


def test_truncated_many_to_one_updates_once_per_batch():
    data = rnnlab.data.adding(n_samples=8, length=10)
    m = rnnlab.SequenceModel(data.input_size, 4, 1, cell="lstm", pattern="many-to-one")
    h = rnnlab.fit(m, data, bptt="truncated", k=3, batch_size=4, epochs=1)
    assert h.updates == 2  # only the last window of each batch carries loss


def test_truncated_with_k_T_trains_like_full():
    data = sine(n=8, length=10)
    h_full = rnnlab.fit(model(), data, epochs=3, batch_size=4)
    h_trunc = rnnlab.fit(model(), data, epochs=3, batch_size=4, bptt="truncated", k=10)
    np.testing.assert_allclose(h_trunc.update_loss, h_full.update_loss, rtol=1e-12)


def test_run_twice_continues():
    data = sine(n=8)
    tr = rnnlab.Trainer(model(), data, epochs=2, batch_size=4, seed=0)
    tr.run()
    tr.run(epochs=3)
    h = tr.history
    assert h.epoch == [1, 2, 3, 4, 5] and h.updates == 10 and len(h.train_loss) == 5
    # seamless: the same as one run of five epochs
    one = rnnlab.Trainer(model(), data, epochs=5, batch_size=4, seed=0)
    h1 = one.run()
    assert h1.update_loss == h.update_loss
    for k in one.model.params:
        np.testing.assert_array_equal(one.model.params[k], tr.model.params[k])


def test_fit_accepts_arrays_and_returns_history():
    data = sine(n=4)
    h = rnnlab.fit(model(), data.x, data.y, epochs=2)
    assert isinstance(h, rnnlab.History)
    d = h.to_dict()
    assert d["epoch"] == [1, 2] and d["stopped"] == "completed"


def test_a_stop_asked_for_before_run_begins_is_not_lost():
    data = rnnlab.data.sine(n_samples=16, length=10)
    model = rnnlab.SequenceModel(1, 4, 1, seed=0)
    trainer = rnnlab.Trainer(model, data, epochs=50)
    trainer.stop()  # e.g. Stop pressed before the background thread got going
    history = trainer.run()
    assert history.stopped == "stopped by user" and history.updates == 0
    assert trainer.run(epochs=2).stopped == "completed"  # the stop was used up


def test_a_stop_from_the_end_callback_does_not_stop_the_next_run():
    data = rnnlab.data.sine(n_samples=16, length=10)
    model = rnnlab.SequenceModel(1, 4, 1, seed=0)

    def on_event(trainer, event):
        if event == "end":
            trainer.stop()

    trainer = rnnlab.Trainer(model, data, epochs=2, callback=on_event)
    assert trainer.run().stopped == "completed"
    assert trainer.run().stopped == "completed"
    assert len(trainer.history.epoch) == 4


def _sine(n=16, length=10):
    return rnnlab.data.sine(n_samples=n, length=length)


def test_wall_time_grows_during_a_run():
    history = rnnlab.fit(rnnlab.SequenceModel(1, 8, 1, seed=0), _sine(), epochs=4, lr=0.01)
    wall = history.wall_time
    assert wall[0] > 0 and all(b > a for a, b in zip(wall, wall[1:])), wall


def test_patience_with_a_loss_that_is_never_finite_stops_cleanly():
    model = rnnlab.SequenceModel(1, 4, 1, cell="rnn", activation="relu", seed=0)
    vx, vy = np.full((10, 3, 1), 1e300), np.zeros((10, 3, 1))
    history = rnnlab.Trainer(model, _sine(20), valid=(vx, vy), patience=2, epochs=5).run()
    assert history.stopped.startswith("early stopping") and "never finite" in history.stopped


def test_run_again_after_early_stopping_trains_the_epochs_asked_for():
    data = _sine(32, 12)
    trainer = rnnlab.Trainer(rnnlab.SequenceModel(1, 4, 1, seed=0), data, validation_split=0.25,
                             patience=1, min_delta=10.0, epochs=50, lr=0.01)
    first = trainer.run()
    assert first.stopped.startswith("early stopping")
    done = trainer.epoch
    trainer.run(epochs=3)
    assert trainer.epoch - done >= 1  # it trains again, and stops by the same rule
    assert trainer.history.stopped.startswith("early stopping at epoch")


def test_evaluate_checks_its_arguments_like_training_data():
    data = _sine()
    trainer = rnnlab.Trainer(rnnlab.SequenceModel(1, 4, 1, seed=0), data, epochs=1)
    assert np.isfinite(trainer.evaluate(data.x, data.y))
    with pytest.raises(ValueError, match="batch sizes differ|shape"):
        trainer.evaluate(data.x, data.y[:, :5])
    with pytest.raises(ValueError, match="x must have"):
        trainer.evaluate(np.zeros((2, 2, 2, 2)), data.y)


def test_per_parameter_gradient_norms_are_recorded_before_clipping_like_the_global_norm():
    history = rnnlab.fit(rnnlab.SequenceModel(1, 8, 1, seed=0), _sine(), epochs=1, lr=0.01,
                         clip_norm=1e-3)
    total = np.sqrt(sum(v[0] ** 2 for v in history.param_grad_norms.values()))
    assert history.grad_norm[0] > 1e-2
    assert total == pytest.approx(history.grad_norm[0], rel=1e-9)


def test_fit_takes_a_tuple_of_x_and_y():
    data = _sine()
    history = rnnlab.fit(rnnlab.SequenceModel(1, 4, 1, seed=0), (data.x, data.y), epochs=1)
    assert history.stopped == "completed"
