"""Every plot's text alternative says, in words, what a sighted learner reads from it, and
changes when the plot does. Checked per panel against the panel's own numbers."""
import re

import numpy as np
import pytest

import rnnlab
from rnnlab.widgets import (ActivationView, BPTTView, GradCheckView, GradientFlowView,
                            PatternsView, Playground, StateInspector, UnfoldingView)
from rnnlab.widgets._canvas import Canvas
from rnnlab.widgets._training import TrainingPanel

PANELS = [Playground, UnfoldingView, ActivationView, BPTTView, GradientFlowView, StateInspector,
          PatternsView, GradCheckView]
QUICK = {Playground: dict(epochs=2), GradientFlowView: dict(T=20, epochs=1),
         StateInspector: dict(epochs=1), PatternsView: dict(epochs=2)}


def canvases(panel):
    return [v for v in vars(panel).values() if isinstance(v, Canvas)]


def g3(v):
    return f"{v:.3g}"


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_every_plot_has_a_text_alternative_from_the_start(cls):
    panel = cls(**QUICK.get(cls, {}))
    try:
        found = canvases(panel)
        assert found
        for canvas in found:
            assert len(canvas.alt) > 40 and canvas.alt.endswith("."), (canvas, canvas.alt)
            assert canvas.image.alt == canvas.alt  # what the <img> carries
    finally:
        if isinstance(panel, TrainingPanel):
            panel.stop()
        panel.close()


def test_playground_says_how_the_loss_moved_and_what_the_predictions_are():
    pg = Playground(epochs=2)
    c = pg.curve
    assert f"training loss {g3(c['train'][0])} before training" in pg.loss_canvas.alt
    assert "before training" in pg.pred_canvas.alt
    pg.train()
    pg.wait()
    c = pg.curve
    alt = pg.loss_canvas.alt
    trend = "fell" if c["train"][-1] < c["train"][0] else "rose"
    assert (f"training loss {trend} from {g3(c['train'][0])} to {g3(c['train'][-1])} in 2 epochs"
            in alt), alt
    assert f"validation {g3(c['valid'][-1])}" in alt and "run 1" in alt
    assert "target 0.015" in alt  # reached or not, the target is named
    assert "at epoch 2" in pg.pred_canvas.alt
    assert re.search(r"mean absolute error [0-9.e-]+", pg.pred_canvas.alt)
    pg.set(cell="gru")  # a second run: the first stays on the plot, and in the words
    pg.train()
    pg.wait()
    assert "Earlier run shown: run 1" in pg.loss_canvas.alt and "run 2" in pg.loss_canvas.alt
    pg.set(task="classification")
    pg.train()
    pg.wait()
    assert "accuracy per class" in pg.pred_canvas.alt and "overall" in pg.pred_canvas.alt
    pg.close()


def test_unfolding_lists_the_states_computed_so_far():
    view = UnfoldingView(k=6)
    assert "No step computed yet" in view.canvas.alt
    view.step()
    view.step()
    alt = view.canvas.alt
    for t, h in enumerate(view.h, 1):
        assert f"h_{t} = [" + ", ".join(f"{x:.3f}" for x in h) + "]" in alt.replace("-0.000", "0.000")
    assert "Computed 2 of 6 steps" in alt and "Steps 3 to 6 not computed yet" in alt
    view.set(k=4)
    assert "k = 4" in view.canvas.alt
    view.close()


def test_activation_view_gives_the_gradient_at_both_ends_and_the_verdict():
    view = ActivationView(activation="tanh", scale=0.5, T=30)
    g = view.grad_norms
    alt = view.canvas.alt
    assert f"{g[-1]:.3g} at t = 30" in alt and f"{g[0]:.3g} at t = 1" in alt
    assert "Vanishing" in alt and "tanh" in view.func_canvas.alt
    view.set(activation="relu", scale=2.0)
    assert "Exploding" in view.canvas.alt and "relu highlighted" in view.func_canvas.alt
    view.close()


def test_bptt_view_says_where_the_backward_pass_is_and_where_truncation_cuts():
    view = BPTTView(T=10, k=4)
    assert "has not started" in view.canvas.alt
    view.step_back()
    view.step_back()
    alt = view.canvas.alt
    n = view.dh_norms
    assert f"reached h_9: ||dL/dh_t|| for t = 10 down to 9 is {n[9]:.2g}, {n[8]:.2g}" in alt
    assert "windows start at steps 1, 5, 9" in alt
    view.set(k=3)
    assert "windows start at steps 1, 4, 7, 10" in view.canvas.alt
    k = view.k
    assert f"cosine {view.fidelity['cosine'][k - 1]:.3f}" in view.plot_canvas.alt
    view.close()


def test_gradient_flow_names_each_model_its_line_and_its_ratio():
    view = GradientFlowView(T=30)
    alt = view.canvas.alt
    for cell, name, line in (("rnn", "RNN (tanh)", "solid"), ("gru", "GRU", "dashed"),
                             ("lstm", "LSTM", "dash-dot")):
        assert f"{name} ({line} line)" in alt and f"{view.ratios[cell]:.1e}" in alt
    view.set(cells=("lstm",))
    assert "GRU" not in view.canvas.alt and "LSTM" in view.canvas.alt
    view.set(cells=())
    assert "No model is ticked" in view.canvas.alt
    view.close()


def test_state_inspector_describes_each_row_and_follows_the_sample():
    insp = StateInspector(task="adding", cell="gru")
    alt = insp.canvas.alt
    for name in ("h, hidden state", "r, reset gate", "z, update gate", "n, candidate"):
        assert name in alt
    z = insp.trace[insp.layer]["z"][:, 0, :]
    assert f"mean {np.mean(z):.2f}" in alt and "Input markers at steps" in alt
    insp.sample = 3
    assert "sample 3" in insp.canvas.alt and insp.canvas.alt != alt
    insp.set(cell="lstm")
    assert "f, forget gate" in insp.canvas.alt and "LSTM" in insp.canvas.alt
    insp.close()


def test_patterns_view_says_which_steps_read_input_and_carry_loss():
    view = PatternsView("encoder-decoder", epochs=2)
    alt = view.diagram_canvas.alt
    assert "Reads an input at steps 1, 2 (zeros at steps 3 to 5)" in alt
    assert "carries loss at steps 3 to 5" in alt
    view.train()
    view.wait()
    assert "in 2 epochs" in view.loss_canvas.alt
    view.select("many-to-one")
    assert "carries loss at step 5 (ignored at steps 1 to 4)" in view.diagram_canvas.alt
    assert "accuracy per class" in view.pred_canvas.alt
    view.close()


def test_gradcheck_lists_each_parameter_against_the_tolerance():
    view = GradCheckView()
    alt = view.canvas.alt
    assert "backward pass, passed" in alt
    for key, err in view.result.errors.items():
        assert f"{key} {err:.1e}" in alt

    def wrong_backward(dnext_h, cache):
        dx, dprev_h, grads = rnnlab.rnn_step_backward(dnext_h, cache)
        grads = dict(grads)
        grads["w_h"] = grads["w_h"] * 1.5
        return dx, dprev_h, grads

    rng = np.random.default_rng(0)
    inputs = dict(x_t=rng.standard_normal((2, 3)), h_prev=rng.standard_normal((2, 4)),
                  w_x=rng.standard_normal((4, 3)) * 0.5, w_h=rng.standard_normal((4, 4)) * 0.5,
                  b_h=rng.standard_normal(4), activation="tanh")
    view.check_user(rnnlab.rnn_step_forward, wrong_backward, inputs)
    alt = view.canvas.alt
    assert "your code, FAILED" in alt and "w_h" in alt and "(over)" in alt
    view.close()
