"""The gradient-flow view driven from code: the vanishing/exploding claims, live controls,
training in the background."""
import time

import numpy as np
import pytest

import rnnlab
from rnnlab.widgets import gradient_flow as gf
from rnnlab.widgets._base import Runner
from rnnlab.widgets.gradient_flow import GradientFlowView


@pytest.fixture(scope="module")
def view():
    v = GradientFlowView(T=50)
    yield v
    v.stop()


def test_norms_are_the_models_hidden_grad_norms(view):
    view.set(T=30, scale=1.7, gate_bias=2.0, activation="tanh", seed=3, cells=("rnn", "gru", "lstm"))
    data = rnnlab.data.adding(n_samples=8, length=30, seed=3)
    H = 16
    for cell in ("rnn", "gru", "lstm"):
        model = rnnlab.SequenceModel(2, H, 1, cell=cell, pattern="many-to-one", seed=3)
        p = model.get_params()
        p["w_h"] = p["w_h"] * 1.7
        if cell != "rnn":
            p["b_h"][H : 2 * H] += 2.0
        model.set_params(p)
        want = model.hidden_grad_norms(data.x, data.y)
        np.testing.assert_allclose(view.norms[cell], want, rtol=1e-12)
        assert view.ratios[cell] == pytest.approx(want[0] / want[-1], rel=1e-12)


def test_tanh_with_a_small_scale_vanishes(view):
    view.set(T=50, scale=0.5, activation="tanh", gate_bias=1.0, seed=0)
    assert view.ratios["rnn"] < 1e-3
    assert "vanishes" in view.table.value


def test_relu_with_a_large_scale_explodes(view):
    view.set(T=50, scale=3.0, activation="relu", gate_bias=1.0, seed=0)
    assert view.ratios["rnn"] > 1
    assert view.norms["rnn"][0] > view.norms["rnn"][-1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_lstm_keeps_more_gradient_than_the_rnn(view, seed):
    # moderate scale, forget bias 1 (the usual initialisation): by orders of magnitude
    view.set(T=50, scale=1.0, activation="tanh", gate_bias=1.0, seed=seed)
    assert view.ratios["lstm"] > 100 * view.ratios["rnn"]
    assert view.keep_gate["lstm"] > 0.6  # about sigmoid(1) = 0.73


def test_a_slider_recomputes_and_redraws_at_once(view):
    view.set(T=50, scale=1.0, activation="tanh", gate_bias=1.0, seed=0, cells=("rnn", "gru", "lstm"))
    png, ratios = view.canvas.png(), dict(view.ratios)
    start = time.perf_counter()
    view.controls["scale"].value = 1.5
    latency = time.perf_counter() - start
    assert view.ratios["rnn"] != ratios["rnn"]
    assert view.canvas.png() != png
    assert latency < 1.5  # target < 0.3 s on an idle machine; generous for shared CI
    assert view.last_update_seconds <= latency
    view.controls["gate_bias"].value = 3.0
    assert view.ratios["lstm"] > ratios["lstm"]
    view.controls["T"].value = 20
    assert all(n.shape == (20,) for n in view.norms.values())
    view.controls["activation"].value = "relu"
    assert "RNN (relu)" in [t.get_text() for t in view.ax.get_legend().get_texts()]
    assert view.errors == []


def test_checkboxes_choose_the_models(view):
    view.set(T=20, scale=1.0, cells=("rnn", "gru", "lstm"))
    view.show["gru"].value = False
    assert set(view.norms) == {"rnn", "lstm"}
    assert not view._lines["gru"].get_visible()
    assert "GRU" not in view.table.value
    view.show["gru"].value = True
    assert set(view.norms) == {"rnn", "gru", "lstm"} and "GRU" in view.table.value


def test_bad_settings_raise_from_code_and_are_caught_in_handlers(view, monkeypatch):
    with pytest.raises(ValueError, match="scale"):
        view.set(scale=100.0)
    with pytest.raises(ValueError, match="cell"):
        view.set(cells=("transformer",))
    monkeypatch.setattr(gf.data, "adding", lambda **kw: (_ for _ in ()).throw(RuntimeError("no data")))
    n = len(view.errors)
    view.controls["seed"].value = 9  # must not raise
    assert len(view.errors) == n + 1 and "no data" in view.message.value


def test_training_runs_in_the_background_and_redraws():
    v = GradientFlowView(T=20, cells=("rnn", "lstm"))
    before = {c: m.get_params()["w_h"].copy() for c, m in v.models.items()}
    png = v.canvas.png()
    assert v.train(epochs=2) is True
    assert v.controls["scale"].disabled  # settings wait while it trains
    assert v.train() is False  # never two runs at once
    assert v.wait(60)
    assert v.errors == [] and v.trained_epochs == 2
    assert set(v.train_losses) == {"rnn", "lstm"}
    for cell in ("rnn", "lstm"):
        assert not np.allclose(v.models[cell].params["w_h"], before[cell])
        loss_before, loss_after = v.train_losses[cell]
        assert loss_after < loss_before
    assert "after 2 epochs" in v.ax.get_title() and "→" in v.table.value
    assert v.canvas.png() != png
    assert not v.controls["scale"].disabled
    v.buttons["initial"].click()  # back to the untrained weights
    assert v.trained_epochs == 0
    np.testing.assert_array_equal(v.models["rnn"].params["w_h"], before["rnn"])


def test_stop_ends_training_quickly():
    v = GradientFlowView(T=30)
    v.controls["epochs"].value = 500
    v.buttons["train"].click()
    assert v.running
    start = time.perf_counter()
    v.buttons["stop"].click()
    assert v.wait(5) and time.perf_counter() - start < 5
    assert not v.running and "stopped" in v.status.value
    assert not [r for r in Runner.running_jobs() if r.name == "rnnlab-gradient-flow"]


def test_a_model_that_diverges_is_reported_and_the_plot_still_draws():
    v = GradientFlowView(T=20, cells=("rnn", "gru"))
    v.models["rnn"].params["w_y"][...] = 1e300  # the first update's loss is inf
    assert v.train(epochs=1) and v.wait(30)
    assert "RNN diverged" in v.status.value and "color:#cf222e" in v.status.value
    assert "GRU" not in v.status.value and v.errors == []
    assert v.canvas.png()[:4] == b"\x89PNG"
    v.buttons["initial"].click()  # back to the untrained weights: everything works again
    assert v.diverged == {} and "initial weights" in v.status.value
    assert np.isfinite(v.ratios["rnn"]) and v.errors == []
    v.close()


def test_stop_waits_for_no_render():
    """Every model that finished training was drawn then; a stopped one changed nothing shown."""
    v = GradientFlowView(T=20)
    v.controls["epochs"].value = 500
    assert v.train()
    time.sleep(0.2)
    draws = v.canvas.draw_count
    assert v.stop() and not v.running and "stopped" in v.status.value
    assert v.canvas.draw_count == draws
