"""GradCheckView, driven from code (no browser): model checks and a learner's own functions."""
import numpy as np
import pytest
from matplotlib.colors import to_hex

import rnnlab
from rnnlab.widgets import gradcheck_view as gv
from rnnlab.widgets.gradcheck_view import GradCheckView

CELLS = ("rnn", "gru-pytorch", "gru-original", "lstm")


def color(bar):
    return to_hex(bar.get_facecolor())


@pytest.mark.parametrize("cell", CELLS)
def test_every_cell_and_pattern_passes(cell):
    view = GradCheckView(cell=cell, pattern=rnnlab.PATTERNS[0])
    for pattern in rnnlab.PATTERNS:
        view.controls["pattern"].value = pattern  # starts a check in the background
        view.wait(timeout=30)
        r = view.result
        assert pattern in view.description
        assert r.passed and r.max_error < 1e-7, (cell, pattern, r.summary())
        assert all(color(b) == gv.OK_COLOR for b in view.bars.values())
        assert "PASS" in view.verdict.value
    view.close()


@pytest.mark.parametrize("settings", [
    dict(cell="rnn", activation="sigmoid", pattern="many-to-one"),
    dict(cell="rnn", activation="relu", pattern="many-to-many", num_layers=2, bidirectional=True),
    dict(cell="lstm", pattern="encoder-decoder", bidirectional=True),
])
def test_activations_layers_and_directions_pass(settings):
    view = GradCheckView(**settings)
    assert view.result.passed, view.result.summary()
    assert set(view.bars) == set(view.result.errors)
    view.close()


def test_check_button_and_png_change_between_checks():
    view = GradCheckView(cell="gru-original", pattern="many-to-one")
    assert view._model_box.layout.display != "none"  # model settings shown, function's not
    assert all(box.layout.display != "none" for box in view._model_box.children)
    assert view._function_box.layout.display == "none"
    before = view.canvas.png()
    view.controls["pattern"].value = "one-to-many"
    view.wait(timeout=30)
    assert view.canvas.png() != before
    n = view.canvas.draw_count
    view.buttons["check"].click()
    view.wait(timeout=30)
    assert view.canvas.draw_count == n + 1 and view.result.passed
    view.close()


# -- a learner's own step function ------------------------------------------------------------

@pytest.fixture
def rnn_inputs():
    rng = np.random.default_rng(0)
    N, D, H = 3, 4, 5
    return dict(x_t=rng.standard_normal((N, D)), h_prev=rng.standard_normal((N, H)),
                w_x=rng.standard_normal((H, D)) * 0.5, w_h=rng.standard_normal((H, H)) * 0.5,
                b_h=rng.standard_normal(H), activation="tanh")


def transposed_w_h(dh, cache):
    dx, dh_prev, grads = rnnlab.rnn_step_backward(dh, cache)
    return dx, dh_prev, {**grads, "w_h": grads["w_h"].T}  # a classic slip


def no_activation_derivative(dh, cache):
    da = dh  # forgot to multiply by f'(a) = 1 - h_t**2
    return {"x_t": da @ cache.w_x, "h_prev": da @ cache.w_h, "w_x": da.T @ cache.x_t,
            "w_h": da.T @ cache.h_prev, "b_h": da.sum(axis=0)}


def test_transposed_w_h_gradient_fails_on_w_h(rnn_inputs):
    view = GradCheckView.for_function(rnnlab.rnn_step_forward, transposed_w_h, rnn_inputs)
    r = view.result
    assert not r.passed and r.worst == "w_h" and r.errors["w_h"] > 1e-3
    assert color(view.bars["w_h"]) == gv.FAIL_COLOR
    assert all(color(view.bars[k]) == gv.OK_COLOR for k in ("x_t", "h_prev", "w_x", "b_h"))
    assert "FAIL" in view.verdict.value and "w_h" in view.verdict.value
    assert view.mode == "function"
    assert view._model_box.layout.display == "none"
    assert view._function_box.layout.display != "none"
    view.close()


def test_missing_activation_derivative_fails(rnn_inputs):
    view = GradCheckView(check=False)
    r = view.check_user(rnnlab.rnn_step_forward, no_activation_derivative, rnn_inputs)
    assert not r.passed
    assert all(r.errors[k] > 1e-3 for k in ("w_x", "w_h", "b_h"))
    assert color(view.bars[r.worst]) == gv.FAIL_COLOR
    assert "FAIL" in view.verdict.value
    view.close()


def test_a_backward_that_raises_is_reported_not_raised(rnn_inputs):
    def broken(dh, cache):
        return cache[99]

    view = GradCheckView.for_function(rnnlab.rnn_step_forward, broken, rnn_inputs)
    assert not view.result.passed
    assert "backward raised IndexError" in view.result.message
    assert "backward raised IndexError" in view.verdict.value
    assert view._cols[0]["empty"].get_visible()  # the chart says nothing could be compared
    view.buttons["check"].click()  # checking again re-runs the learner's code: still no raise
    assert "backward raised IndexError" in view.verdict.value
    view.close()


def test_the_core_runner_says_not_done_yet_and_points_at_the_learners_line(rnn_inputs):
    def template(dh, cache):
        raise NotImplementedError  # the exercise's stub

    view = GradCheckView.for_function(rnnlab.rnn_step_forward, template, rnn_inputs)
    assert view.pair_check.status == "todo" and not view.result.passed
    assert "NOT DONE YET" in view.verdict.value and "FAIL" not in view.verdict.value

    def slip(dh, cache):
        x_t, h_prev, h_t, w_x, w_h, activation = cache
        return {"x_t": dh @ w_x, "w_x": dh.T @ x_t[:, :2] @ np.ones((3, 3))}  # shapes misfit

    view.check_user(rnnlab.rnn_step_forward, slip, rnn_inputs)
    assert view.pair_check.status == "fail"
    assert "np.ones((3, 3))" in view.pair_check.details  # the learner's own line...
    assert "np.ones((3, 3))" in view.verdict.value  # ... shown in the panel
    view.close()


def test_wrong_shapes_and_bad_arguments_are_reported(rnn_inputs):
    def wrong_shape(dh, cache):
        dx, dh_prev, grads = rnnlab.rnn_step_backward(dh, cache)
        return dx, dh_prev, {**grads, "b_h": grads["b_h"][None]}  # (1, H) instead of (H,)

    view = GradCheckView(check=False)
    r = view.check_user(rnnlab.rnn_step_forward, wrong_shape, rnn_inputs)
    assert not r.passed and "gradient for 'b_h' has shape (1, 5)" in r.message
    assert "has shape (1, 5)" in view.verdict.value
    assert view.bars["b_h"].get_hatch() == "///"  # no number: drawn as missing
    r = view.check_user(None, None, "not a dict")
    assert not r.passed and "inputs must be a dict" in view.verdict.value
    r = view.check_user(lambda x: x, lambda d, c: d, {"x": np.arange(3)})  # no float inputs
    assert not r.passed and "no floating" in r.message
    view.close()


def test_png_changes_between_user_checks(rnn_inputs):
    view = GradCheckView.for_function(rnnlab.rnn_step_forward, rnnlab.rnn_step_backward,
                                      rnn_inputs)
    assert view.result.passed
    good = view.canvas.png()
    view.check_user(rnnlab.rnn_step_forward, transposed_w_h, rnn_inputs)
    assert view.canvas.png() != good
    view.close()


def test_compare_with_reference_side_by_side(rnn_inputs):
    view = GradCheckView.for_function(
        rnnlab.rnn_step_forward, transposed_w_h, rnn_inputs,
        reference=(rnnlab.rnn_step_forward, rnnlab.rnn_step_backward))
    assert view.reference_result.passed and not view.result.passed
    assert len(view._cols) == 2  # two charts side by side
    assert view.comparison.forward == 0.0
    assert view.comparison.grads["w_h"] > 1e-3 and view.comparison.grads["w_x"] == 0.0
    assert "yours vs reference" in view.table.value and "reference" in view.verdict.value
    view.controls["compare"].value = False
    assert len(view._cols) == 1
    assert "yours vs reference" not in view.table.value
    view.close()


def test_rnnlab_step_functions_fit_without_wrappers():
    rng = np.random.default_rng(1)
    N, D, H = 2, 3, 4
    x_t, h_prev, c_prev = (rng.standard_normal((N, D)), rng.standard_normal((N, H)),
                           rng.standard_normal((N, H)))

    def params(G, bias_n=False):
        p = {"w_x": rng.standard_normal((G * H, D)) * 0.5,
             "w_h": rng.standard_normal((G * H, H)) * 0.5, "b_h": rng.standard_normal(G * H)}
        return {**p, "b_hn": rng.standard_normal(H)} if bias_n else p

    view = GradCheckView(check=False)
    for variant in ("pytorch", "original"):
        r = view.check_user(rnnlab.gru_step_forward, rnnlab.gru_step_backward,
                            dict(x_t=x_t, h_prev=h_prev, p=params(3, variant == "pytorch"),
                                 variant=variant))
        assert r.passed, r.summary()  # p's entries are checked one by one
        assert {"w_x", "w_h", "b_h", "x_t", "h_prev"} <= set(r.errors)
    r = view.check_user(rnnlab.lstm_step_forward, rnnlab.lstm_step_backward,
                        dict(x_t=x_t, h_prev=h_prev, c_prev=c_prev, p=params(4)),
                        reference=(rnnlab.lstm_step_forward, rnnlab.lstm_step_backward))
    assert r.passed and "c_prev" in r.errors, r.summary()  # two outputs: h_t and c_t
    assert view.comparison.forward == 0.0
    view.close()


def test_a_failing_model_check_is_shown_in_the_panel(monkeypatch):
    view = GradCheckView(check=False)

    def broken(*args, **kwargs):
        raise RuntimeError("no check today")

    monkeypatch.setattr(gv, "check_model_gradients", broken)
    view.buttons["check"].click()
    view.wait(timeout=30)
    assert "no check today" in view.message.value
    assert not view.buttons["check"].disabled
    view.close()
