"""Truncated and windowed BPTT: TBPTT(T) is full BPTT, truncation changes the
gradient but never the loss, windows are the tutorial's, and bad windows or
bidirectional models are refused clearly."""
import numpy as np
import pytest

import rnnlab
from rnnlab import bptt

T, N, D, H = 7, 3, 2, 4
CELLS = ["rnn", "gru", "lstm"]


def make(cell, pattern="many-to-many", seed=0, **kw):
    m = rnnlab.SequenceModel(D, H, 1, cell=cell, pattern=pattern, seed=seed, **kw)
    rng = np.random.default_rng(seed + 100)
    x = rng.standard_normal((T, N, D))
    y = rng.standard_normal((N, 1) if m.per_sequence else (T, N, 1))
    return m, x, y


def assert_grads_equal(g1, g2, rtol=1e-12):
    assert list(g1) == list(g2)
    for k in g1:
        np.testing.assert_allclose(g1[k], g2[k], rtol=rtol, atol=0, err_msg=k)


@pytest.mark.parametrize("pattern", ["many-to-many", "many-to-one"])
@pytest.mark.parametrize("cell", CELLS)
def test_k_equal_T_is_full_bptt(cell, pattern):
    m, x, y = make(cell, pattern)
    loss_t, grads_t = rnnlab.truncated_grads(m, x, y, k=T)
    loss_f, grads_f = m.loss_and_grads(x, y)
    assert loss_t == pytest.approx(loss_f, rel=1e-12, abs=0)
    assert_grads_equal(grads_t, grads_f)


@pytest.mark.parametrize("cell", CELLS)
def test_truncation_keeps_the_loss_for_every_k(cell):
    m, x, y = make(cell, seed=1)
    full = m.loss(x, y)
    for k in range(1, T + 1):
        loss, grads = rnnlab.truncated_grads(m, x, y, k=k)
        assert loss == pytest.approx(full, rel=1e-12), k
        assert list(grads) == list(m.params)


@pytest.mark.parametrize("cell", CELLS)
def test_truncated_gradient_is_the_sum_of_detached_windows(cell):
    """An independent TBPTT(k): each window is its own loss, from the carried
    state taken as a constant; weighted by its share of the steps."""
    k = 3  # windows [0,3), [3,6), [6,7): the last one is short
    m, x, y = make(cell, seed=2)
    _, got = rnnlab.truncated_grads(m, x, y, k=k)
    want = {name: np.zeros_like(v) for name, v in m.params.items()}
    for a in range(0, T, k):
        b = min(a + k, T)
        h_a = None if a == 0 else m.predict(x[:a], return_state=True)[1]
        _, g = m.loss_and_grads(x[a:b], y[a:b], h0=h_a)
        for name in want:
            want[name] += (b - a) / T * g[name]
    assert_grads_equal(got, want, rtol=1e-10)


def test_many_to_one_truncated_gradient_only_sees_the_last_window():
    k = 3
    m, x, y = make("gru", "many-to-one", seed=3)
    _, got = rnnlab.truncated_grads(m, x, y, k=k)
    a = (T - 1) // k * k  # start of the last window
    _, h_a = m.predict(x[:a], return_state=True)
    _, want = m.loss_and_grads(x[a:], y, h0=h_a)
    assert_grads_equal(got, want, rtol=1e-10)


@pytest.mark.parametrize("cell", CELLS)
def test_truncation_fidelity(cell):
    m, x, y = make(cell, seed=4)
    fid = rnnlab.truncation_fidelity(m, x, y)
    np.testing.assert_array_equal(fid["k"], np.arange(1, T + 1))
    assert fid["cosine"].shape == fid["relative_error"].shape == (T,)
    assert fid["cosine"][-1] == pytest.approx(1.0, abs=1e-12)
    assert fid["relative_error"][-1] == 0.0
    assert fid["relative_error"][0] > 1e-3  # k = 1 cuts every recurrent path
    assert fid["cosine"][0] < 1 - 1e-6
    assert set(fid["per_param"]) == set(m.params)
    for name, errs in fid["per_param"].items():
        assert errs.shape == (T,) and errs[-1] == 0.0, name
    # the output layer sees no recurrence: its gradient is exact for every k
    np.testing.assert_allclose(fid["per_param"]["w_y"], 0.0, atol=1e-12)
    assert fid["per_param"]["w_h"][0] > 1e-3
    # a subset of ks gives the same numbers
    sub = rnnlab.truncation_fidelity(m, x, y, ks=[2, T])
    np.testing.assert_array_equal(sub["relative_error"], fid["relative_error"][[1, T - 1]])


def test_windowed_examples_are_the_tutorials_windows():
    x = np.arange(T * N * D, dtype=float).reshape(T, N, D)
    y = -np.arange(T * N, dtype=float).reshape(T, N, 1)
    for k in (1, 3, T):
        wins = list(bptt.windowed_examples(x, y, k))
        assert len(wins) == T - k + 1
        for i, (t, xw, yw) in enumerate(wins):
            assert t == i
            np.testing.assert_array_equal(xw, x[t : t + k])
            np.testing.assert_array_equal(yw, y[t + k - 1][None])


def test_windowed_step_is_a_many_to_one_loss_from_zero_state():
    m, x, y = make("lstm", seed=5)
    m1 = rnnlab.SequenceModel(D, H, 1, cell="lstm", pattern="many-to-one", seed=99)
    m1.set_params(m.get_params())
    k = 4
    for t, xw, yw in bptt.windowed_examples(x, y, k):
        loss, grads = bptt.windowed_step(m, xw, yw)
        loss1, grads1 = m1.loss_and_grads(x[t : t + k], y[t + k - 1])
        assert loss == pytest.approx(loss1, rel=1e-12)
        assert_grads_equal(grads, grads1, rtol=1e-10)


def test_bidirectional_models_refuse_truncation():
    m, x, y = make("gru", bidirectional=True, seed=6)
    with pytest.raises(ValueError, match="needs a one-directional model"):
        rnnlab.truncated_grads(m, x, y, k=2)
    with pytest.raises(ValueError, match="needs a one-directional model"):
        rnnlab.truncation_fidelity(m, x, y)
    for mode in ("truncated", "windowed"):
        with pytest.raises(ValueError, match=f"bptt='{mode}' needs a one-directional model"):
            rnnlab.Trainer(m, x, y, bptt=mode, k=2)


@pytest.mark.parametrize("k", [0, -1, T + 1, 100])
def test_bad_k_names_k_and_T(k):
    m, x, y = make("rnn", seed=7)
    pattern = rf"k must be between 1 and the sequence length T={T}, got k={k}"
    with pytest.raises(ValueError, match=pattern):
        rnnlab.truncated_grads(m, x, y, k=k)
    with pytest.raises(ValueError, match=pattern):
        rnnlab.truncation_fidelity(m, x, y, ks=[1, k])
    for mode in ("truncated", "windowed"):
        with pytest.raises(ValueError, match=pattern):
            rnnlab.Trainer(m, x, y, bptt=mode, k=k)


def test_k_must_be_an_integer_and_given():
    m, x, y = make("rnn", seed=8)
    with pytest.raises(TypeError, match="k must be an integer, got float 2.0"):
        rnnlab.truncated_grads(m, x, y, k=2.0)
    with pytest.raises(ValueError, match=rf"bptt='truncated' needs a window length k \(1 <= k <= {T}\)"):
        rnnlab.Trainer(m, x, y, bptt="truncated")
    with pytest.raises(TypeError, match="ks must be a list of window lengths"):
        rnnlab.truncation_fidelity(m, x, y, ks=3)


def test_windowed_needs_a_many_to_many_series():
    m, x, y = make("rnn", "many-to-one", seed=9)
    with pytest.raises(ValueError, match="needs a many-to-many series task.*many-to-one"):
        rnnlab.Trainer(m, x, y, bptt="windowed", k=2)


def test_unknown_bptt_mode_lists_valid_ones():
    m, x, y = make("rnn", seed=10)
    with pytest.raises(ValueError, match="unknown bptt 'tbptt'; valid: full, truncated, windowed"):
        rnnlab.Trainer(m, x, y, bptt="tbptt", k=2)
