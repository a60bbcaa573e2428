"""The activation view driven from code: numbers from the core, plots that follow the controls."""
import numpy as np
import pytest

from rnnlab.activations import derivative
from rnnlab.widgets import activations_view as av
from rnnlab.widgets.activations_view import ActivationView, run_small_rnn


@pytest.fixture(scope="module")
def view():
    return ActivationView()


def jacobian_norms(h, w_h, activation):
    """Oracle: ``||dh_T/dh_t||_F`` as the product of per-step Jacobians ``diag(f'(a_s)) w_h``."""
    T, H = h.shape
    f_grad = {"tanh": lambda h: 1 - h * h, "sigmoid": lambda s: s * (1 - s),
              "relu": lambda h: (h > 0).astype(float)}[activation]
    J = np.eye(H)
    norms = np.empty(T)
    norms[-1] = np.linalg.norm(J)
    for s in range(T - 1, 0, -1):  # dh_T/dh_{s} = dh_T/dh_{s+1} diag(f'(a_{s+1})) w_h
        J = J @ (f_grad(h[s])[:, None] * w_h)
        norms[s - 1] = np.linalg.norm(J)
    return norms


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("hidden_size", [1, 3])
def test_gradient_norms_are_the_product_of_step_jacobians(activation, hidden_size):
    scale, T, seed = 1.3, 25, 2
    _, h, g = run_small_rnn(activation, scale, T, seed, hidden_size)
    w_h = scale * av.scaled_recurrent_weights(hidden_size, seed)
    np.testing.assert_allclose(g, jacobian_norms(h, w_h, activation), rtol=1e-10, atol=1e-300)
    assert np.isclose(np.linalg.norm(w_h, 2), scale)  # the slider is ||w_h||


def test_scalar_rnn_reads_h_t_equals_f_of_x_t_plus_w_h_h_prev():
    x, h, _ = run_small_rnn("tanh", 0.7, 12, seed=3)
    prev = np.concatenate([[0.0], h[:-1, 0]])
    np.testing.assert_allclose(h[:, 0], np.tanh(x + 0.7 * prev), rtol=0, atol=1e-15)


def test_the_lessons_hold(view):
    view.set(activation="sigmoid", scale=3.0, T=40)
    # sigmoid: at most x(0.25 * 3) per step, so it must vanish whatever the state does
    assert view.grad_norms[0] <= 0.75 ** 39 * view.grad_norms[-1]
    view.set(activation="relu", scale=2.0, T=20, seed=0)
    g = view.grad_norms
    assert g[0] > 1e3 * g[-1]  # relu with ||w_h|| > 1: exploding
    view.set(activation="tanh", scale=0.5, T=30)
    assert view.grad_norms[0] < 1e-6 * view.grad_norms[-1]  # tanh, small w_h: vanishing
    assert "vanishing" in view.readout.value


def test_controls_recompute_and_redraw(view):
    view.set(activation="tanh", scale=1.0, T=30, seed=0)
    png, fpng = view.canvas.png(), view.func_canvas.png()
    g = view.grad_norms.copy()
    view.controls["scale"].value = 2.0
    assert not np.allclose(view.grad_norms, g)
    assert view.canvas.png() != png
    assert view.func_canvas.png() == fpng  # the function plot only follows the activation
    view.controls["activation"].value = "sigmoid"
    assert view.func_canvas.png() != fpng
    view.controls["T"].value = 17
    assert view.trajectory.shape == (17, 1) and view.grad_norms.shape == (17,)
    assert view.inputs.shape == (17,)
    before = view.inputs.copy()
    view.controls["seed"].value = 5
    assert not np.allclose(view.inputs, before)
    assert view.errors == []


def test_changing_T_keeps_the_same_inputs(view):
    view.set(T=10, seed=1)
    short = view.inputs.copy()
    view.set(T=20)
    np.testing.assert_array_equal(view.inputs[:10], short)


def test_relu_zeros_are_reported():
    v = ActivationView(activation="relu", scale=0.8, T=30, seed=0)
    assert np.any(v.grad_norms == 0)
    assert "switched off" in v.readout.value


def test_bad_settings_raise_from_code_and_are_caught_in_handlers(view, monkeypatch):
    with pytest.raises(ValueError, match="scale"):
        view.set(scale=10.0)
    with pytest.raises(ValueError, match="unknown setting"):
        view.set(speed=1)
    with pytest.raises(ValueError, match="activation"):
        ActivationView(activation="softplus")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(av, "run_small_rnn", broken)
    n = len(view.errors)
    view.controls["scale"].value = 1.55  # must not raise
    assert len(view.errors) == n + 1 and "boom" in view.message.value


def test_larger_hidden_size_and_redraw_time():
    v = ActivationView(hidden_size=4, scale=1.5)
    assert v.trajectory.shape == (30, 4)
    assert np.isclose(v.grad_norms[-1], 2.0)  # ||I_4||_F
    v.draw()
    assert v.canvas.last_draw_seconds < 2.0  # generous: shared CI machines vary
    assert len(v.canvas.png()) > 5000 and len(v.func_canvas.png()) > 5000
