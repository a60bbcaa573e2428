"""fast=False trains what the Playground can build, the same as fast=True.

The Playground (rnnlab/widgets/playground.py, tasks.py) offers cells and
activations, 1-3 layers, bidirectional, three BPTT modes, five patterns, two
losses, five optimisers and clipping. The cases below cover every choice of
every setting at least once, on small versions of the Playground's tasks.
For each: train with the textbook step loops (``fast=False``) twice, and with
the fast path once, from the same seed. The two textbook runs must agree bit
for bit, and the paths to 1e-12 (float64) in weights and history.

The flag also travels in ``config()``, save/load and the gradient check.
"""
import json

import numpy as np
import pytest

import rnnlab
from rnnlab import data

EXACT = 1e-12

# name -> small data set in the Playground's task shapes
DATA = {
    "sine": lambda: data.sine(n_samples=8, length=10, seed=1),
    "noisy-sine": lambda: data.noisy_sine(n_samples=8, length=10, seed=2),
    "echo": lambda: data.echo(n_samples=8, length=10, delay=2, seed=3),
    "adding": lambda: data.adding(n_samples=8, length=10, seed=4),
    "copy": lambda: data.copy_task(n_samples=8, n_symbols=3, seq_len=2, delay=3, seed=5),
    "classification": lambda: data.classification(n_samples=9, length=10, seed=6),
    "generation": lambda: data.generation(n_samples=8, length=8, seed=7),
    "two-to-three": lambda: data.two_to_three(n_samples=8, seed=8),
    "fill-in-middle": lambda: data.fill_in_middle(n_samples=8, length=9, gap=3, seed=9),
    "one-to-one": lambda: data.one_to_one(n_samples=8, seed=10),
}

# (task, model settings, trainer settings)
CASES = [
    ("sine", dict(cell="rnn", activation="tanh"), dict(optimizer="adam", clip_norm=1.0)),
    ("noisy-sine", dict(cell="lstm", num_layers=2), dict(bptt="windowed", k=4, optimizer="rmsprop")),
    ("echo", dict(cell="rnn", activation="relu"), dict(bptt="truncated", k=3, optimizer="momentum")),
    ("echo", dict(cell="gru", num_layers=2), dict(bptt="windowed", k=3, optimizer="sgd", lr=0.1)),
    ("adding", dict(cell="gru", num_layers=2, bidirectional=True), dict(optimizer="adam")),
    ("adding", dict(cell="rnn", activation="sigmoid", num_layers=3), dict(bptt="truncated", k=4)),
    ("copy", dict(cell="lstm", bidirectional=True), dict(optimizer="adagrad", clip_norm=0.5)),
    ("classification", dict(cell="lstm", num_layers=3), dict(bptt="truncated", k=5)),
    ("generation", dict(cell="gru"), dict(bptt="truncated", k=3, clip_norm=5.0)),
    ("two-to-three", dict(cell="lstm", num_layers=2, bidirectional=True), dict(optimizer="rmsprop")),
    ("fill-in-middle", dict(cell="rnn", activation="tanh", bidirectional=True), dict(optimizer="sgd")),
    ("one-to-one", dict(cell="rnn", activation="relu", num_layers=3, bidirectional=True), dict()),
    ("sine", dict(cell="gru", gru_variant="original", bidirectional=True), dict(optimizer="momentum")),
]
IDS = [f"{task}-{m['cell']}{m.get('num_layers', 1)}{'bi' if m.get('bidirectional') else ''}-"
       f"{t.get('bptt', 'full')}" for task, m, t in CASES]


def train(task, model_kw, trainer_kw, fast):
    """Build and train a model the way the Playground does; returns (model, history, initial weights)."""
    train_set, valid_set = DATA[task]().split(0.25, seed=0)
    out_len = train_set.y.shape[0] if train_set.pattern in ("one-to-many", "encoder-decoder") else None
    model = rnnlab.SequenceModel(train_set.input_size, 6, train_set.output_size,
                                 pattern=train_set.pattern, loss=train_set.loss,
                                 output_length=out_len, seed=3, fast=fast, **model_kw)
    initial = model.get_params()
    kw = dict(optimizer="adam", lr=0.02, epochs=5, batch_size=3, valid=valid_set, seed=3)
    history = rnnlab.fit(model, train_set, **{**kw, **trainer_kw})
    assert history.stopped == "completed", history.stopped
    return model, history, initial


def _record(model, history, initial):
    """Weights and every per-update / per-epoch number of the history, as arrays."""
    moved = max(np.abs(v - initial[k]).max() for k, v in model.params.items())
    assert moved > 1e-4, "training left the weights where they started"
    rec = {f"param {k}": v for k, v in model.params.items()}
    for k in ("update_loss", "grad_norm", "train_loss", "valid_loss", "hidden_grad_norms"):
        rec[k] = np.array(getattr(history, k), dtype=np.float64)
    rec.update({f"grad norm {k}": np.array(v) for k, v in history.param_grad_norms.items()})
    return rec


def test_the_cases_cover_the_playgrounds_choices():
    """Every cell, activation, depth, direction, BPTT mode, pattern, loss and optimiser."""
    seen = {"cell": set(), "activation": set(), "num_layers": set(), "bidirectional": set(),
            "bptt": set(), "pattern": set(), "loss": set(), "optimizer": set(), "clip": set()}
    for task, m, t in CASES:
        ds = DATA[task]()
        seen["cell"].add(m["cell"])
        if m["cell"] == "rnn":
            seen["activation"].add(m["activation"])
        seen["num_layers"].add(m.get("num_layers", 1))
        seen["bidirectional"].add(m.get("bidirectional", False))
        seen["bptt"].add(t.get("bptt", "full"))
        seen["pattern"].add(ds.pattern)
        seen["loss"].add(ds.loss)
        seen["optimizer"].add(t.get("optimizer", "adam"))
        seen["clip"].add("clip_norm" in t)
    assert seen == {"cell": set(rnnlab.CELLS), "activation": {"tanh", "sigmoid", "relu"},
                    "num_layers": {1, 2, 3}, "bidirectional": {False, True},
                    "bptt": set(rnnlab.bptt.MODES), "pattern": set(rnnlab.PATTERNS),
                    "loss": {"mse", "cross-entropy"}, "optimizer": set(rnnlab.OPTIMIZERS),
                    "clip": {False, True}}


@pytest.mark.parametrize("task,model_kw,trainer_kw", CASES, ids=IDS)
def test_textbook_path_trains_like_the_fast_path(task, model_kw, trainer_kw):
    textbook = _record(*train(task, model_kw, trainer_kw, fast=False))
    again = _record(*train(task, model_kw, trainer_kw, fast=False))
    fast = _record(*train(task, model_kw, trainer_kw, fast=True))
    assert textbook["update_loss"].size >= 4  # some training happened
    assert list(textbook) == list(again) == list(fast)
    for k in textbook:  # same seed, same numbers, bit for bit
        np.testing.assert_array_equal(textbook[k], again[k], err_msg=f"{k} differs between reruns")
    for k in textbook:
        scale = max(np.abs(fast[k]).max(), 1.0)
        err = np.abs(textbook[k] - fast[k]).max() / scale
        assert err <= EXACT, f"{k}: fast and textbook paths differ by {err:.3g} (scaled)"


def test_fast_travels_in_config_save_and_load(tmp_path):
    model = rnnlab.SequenceModel(2, 4, 1, cell="lstm", fast=False, seed=1)
    assert model.config()["fast"] is False and model.rnn.config()["fast"] is False
    assert "fast=False" in repr(model)
    loaded = rnnlab.load(rnnlab.save(model, tmp_path / "m"))
    assert loaded.fast is False and loaded.config() == model.config()
    assert rnnlab.SequenceModel(**model.config()).fast is False


def test_files_saved_before_the_flag_load_as_fast(tmp_path):
    model = rnnlab.SequenceModel(2, 4, 1, cell="gru", seed=1)
    config = model.config()
    del config["fast"]  # what rnnlab wrote before fast= existed
    path = tmp_path / "old.npz"
    np.savez(path, __format__=np.array("rnnlab-model/1"), __config__=np.array(json.dumps(config)),
             **{f"param/{k}": v for k, v in model.params.items()})
    loaded = rnnlab.load(path)
    assert loaded.fast is True
    for k, v in model.params.items():
        np.testing.assert_array_equal(loaded.params[k], v)


def test_the_gradient_check_checks_the_path_the_model_runs(monkeypatch):
    """check_model_gradients clones the model from its config, so fast=False is checked as such."""
    model = rnnlab.SequenceModel(2, 3, 1, cell="lstm", fast=False, seed=2)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 3, 2)), rng.standard_normal((5, 3, 1))
    calls = []
    real = rnnlab.cells.lstm_step_backward
    monkeypatch.setattr(rnnlab.cells, "lstm_step_backward",
                        lambda *a: calls.append(1) or real(*a))
    res = rnnlab.check_model_gradients(model, x, y)
    assert res.passed and res.max_error < 1e-7, str(res)
    assert calls, "the textbook LSTM step never ran"


def test_fast_can_change_between_calls_and_is_checked():
    model = rnnlab.SequenceModel(1, 3, 1, cell="gru", seed=0)
    x = np.linspace(-1, 1, 12).reshape(6, 2, 1)
    before = model.predict(x)
    model.fast = False
    assert model.rnn.fast is False and model.config()["fast"] is False
    np.testing.assert_allclose(model.predict(x), before, rtol=0, atol=1e-14)
    with pytest.raises(TypeError, match="fast must be True or False, got 'no'"):
        model.fast = "no"
    with pytest.raises(TypeError, match="fast must be True or False, got 0"):
        rnnlab.make_layer("rnn", 1, 3, fast=0)


def test_a_panel_trains_and_shows_a_textbook_model(monkeypatch):
    """A panel given a fast=False model trains it with the textbook steps and shows its gates."""
    from rnnlab.widgets.inspector import StateInspector

    calls = []
    real = rnnlab.cells.lstm_step_backward
    monkeypatch.setattr(rnnlab.cells, "lstm_step_backward", lambda *a: calls.append(1) or real(*a))
    model = rnnlab.SequenceModel(2, 3, 1, cell="lstm", pattern="many-to-one", fast=False, seed=1)
    data = rnnlab.data.adding(n_samples=12, length=8, seed=0)
    panel = StateInspector(model, data)
    try:
        before = model.get_params()
        assert panel.train(1) and panel.wait(timeout=60)
        assert calls, "training from the panel never ran the textbook LSTM step"
        assert any(not np.array_equal(before[k], v) for k, v in model.params.items())
        model.fast = True  # the fast path's trace of the trained weights, for comparison
        first_layer = next(iter(model.trace(data.x).values()))
        np.testing.assert_allclose(np.asarray(panel.images["f"].get_array()),
                                   first_layer["f"][:, panel.sample].T, rtol=0, atol=1e-12)
    finally:
        panel.close()
