"""The three cells: sequence loops agree with the public step functions, every
step pair passes a central-difference check, and whole layers (stacked,
bidirectional) pass a finite-difference check of every gradient they return.

Everything runs in float64 with fixed seeds. The relu cases assert that no
pre-activation sits near the kink, so the finite differences are meaningful.
"""
import numpy as np
import pytest

import rnnlab
from rnnlab import cells
from rnnlab.gradcheck import relative_error

T, N, D, H = 5, 3, 4, 3
EXACT = 1e-12   # loop vs vectorised: the same maths, only summation order differs
FD_TOL = 1e-7   # central differences in float64

RNN_ACTS = ["sigmoid", "tanh", "relu"]
GRU_VARIANTS = ["pytorch", "original"]


def rnn_params(rng, d=D, h=H, scale=0.6):
    return {"w_x": scale * rng.standard_normal((h, d)), "w_h": scale * rng.standard_normal((h, h)),
            "b_h": scale * rng.standard_normal(h)}


def gru_params(rng, variant, d=D, h=H, scale=0.6):
    p = {"w_x": scale * rng.standard_normal((3 * h, d)),
         "w_h": scale * rng.standard_normal((3 * h, h)),
         "b_h": scale * rng.standard_normal(3 * h)}
    if variant == "pytorch":
        p["b_hn"] = scale * rng.standard_normal(h)
    return p


def lstm_params(rng, d=D, h=H, scale=0.6):
    return {"w_x": scale * rng.standard_normal((4 * h, d)),
            "w_h": scale * rng.standard_normal((4 * h, h)),
            "b_h": scale * rng.standard_normal(4 * h)}


def assert_close(a, b, tol=EXACT, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} vs {b.shape}"
    scale = max(np.abs(b).max(), 1.0)
    err = np.abs(a - b).max() / scale
    assert err <= tol, f"{what}: max abs difference {err:.3g} (scaled) > {tol}"


def assert_grads_close(g1, g2, tol=EXACT):
    assert set(g1) == set(g2), f"gradient keys differ: {sorted(g1)} vs {sorted(g2)}"
    for k in g1:
        assert_close(g1[k], g2[k], tol, what=f"grad {k}")


# ---------------------------------------------------------------------------
# sequence functions == a loop over the public step functions
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("activation", RNN_ACTS)
def test_rnn_sequence_matches_step_loop(activation):
    rng = np.random.default_rng(1)
    p = rnn_params(rng)
    x = rng.standard_normal((T, N, D))
    h0 = rng.standard_normal((N, H))
    dhs = rng.standard_normal((T, N, H))
    dh_T = rng.standard_normal((N, H))

    hs, (h_T,), cache = cells.rnn_forward(x, (h0,), p, activation)
    dx, (dh0,), grads, dh_total = cells.rnn_backward(dhs, (dh_T,), cache)

    h, step_caches = h0, []
    for t in range(T):
        h, c = rnnlab.rnn_step_forward(x[t], h, p["w_x"], p["w_h"], p["b_h"], activation)
        assert_close(hs[t], h, what=f"h_{t}")
        step_caches.append(c)
    assert_close(h_T, h, what="h_T")

    dh = dh_T
    ref = {k: np.zeros_like(v) for k, v in p.items()}
    for t in reversed(range(T)):
        dh = dh + dhs[t]
        assert_close(dh_total[t], dh, what=f"dh_total[{t}]")
        dx_t, dh, g = rnnlab.rnn_step_backward(dh, step_caches[t])
        assert_close(dx[t], dx_t, what=f"dx[{t}]")
        for k in ref:
            ref[k] += g[k]
    assert_close(dh0, dh, what="dh0")
    assert_grads_close(grads, ref)
    if activation == "relu":  # the test must exercise both sides of the kink
        assert 0 < np.count_nonzero(hs) < hs.size


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_gru_sequence_matches_step_loop(variant):
    rng = np.random.default_rng(2)
    p = gru_params(rng, variant)
    x = rng.standard_normal((T, N, D))
    h0 = rng.standard_normal((N, H))
    dhs = rng.standard_normal((T, N, H))
    dh_T = rng.standard_normal((N, H))

    hs, (h_T,), cache = cells.gru_forward(x, (h0,), p, variant)
    dx, (dh0,), grads, dh_total = cells.gru_backward(dhs, (dh_T,), cache)

    h, step_caches = h0, []
    for t in range(T):
        h, c = rnnlab.gru_step_forward(x[t], h, p, variant)
        assert_close(hs[t], h, what=f"h_{t}")
        step_caches.append(c)
    assert_close(h_T, h, what="h_T")

    dh = dh_T
    ref = {k: np.zeros_like(v) for k, v in p.items()}
    for t in reversed(range(T)):
        dh = dh + dhs[t]
        assert_close(dh_total[t], dh, what=f"dh_total[{t}]")
        dx_t, dh, g = rnnlab.gru_step_backward(dh, step_caches[t])
        assert_close(dx[t], dx_t, what=f"dx[{t}]")
        for k in ref:
            ref[k] += g[k]
    assert_close(dh0, dh, what="dh0")
    assert_grads_close(grads, ref)


def test_lstm_sequence_matches_step_loop():
    rng = np.random.default_rng(3)
    p = lstm_params(rng)
    x = rng.standard_normal((T, N, D))
    h0, c0 = rng.standard_normal((2, N, H))
    dhs = rng.standard_normal((T, N, H))
    dh_T, dc_T = rng.standard_normal((2, N, H))

    hs, (h_T, c_T), cache = cells.lstm_forward(x, (h0, c0), p)
    dx, (dh0, dc0), grads, dh_total = cells.lstm_backward(dhs, (dh_T, dc_T), cache)

    h, c, step_caches = h0, c0, []
    for t in range(T):
        h, c, sc = rnnlab.lstm_step_forward(x[t], h, c, p)
        assert_close(hs[t], h, what=f"h_{t}")
        step_caches.append(sc)
    assert_close(h_T, h, what="h_T")
    assert_close(c_T, c, what="c_T")

    dh, dc = dh_T, dc_T
    ref = {k: np.zeros_like(v) for k, v in p.items()}
    for t in reversed(range(T)):
        dh = dh + dhs[t]
        assert_close(dh_total[t], dh, what=f"dh_total[{t}]")
        dx_t, dh, dc, g = rnnlab.lstm_step_backward(dh, dc, step_caches[t])
        assert_close(dx[t], dx_t, what=f"dx[{t}]")
        for k in ref:
            ref[k] += g[k]
    assert_close(dh0, dh, what="dh0")
    assert_close(dc0, dc, what="dc0")
    assert_grads_close(grads, ref)


# ---------------------------------------------------------------------------
# step pairs pass rnnlab.check_function (central differences)
# ---------------------------------------------------------------------------

def _assert_passed(res):
    assert res.passed, str(res)
    assert res.max_error < FD_TOL, str(res)


@pytest.mark.parametrize("activation", RNN_ACTS)
def test_rnn_step_passes_check_function(activation):
    rng = np.random.default_rng(10)
    inputs = {"x_t": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)),
              **rnn_params(rng), "activation": activation}
    if activation == "relu":  # seeded away from the kink at 0
        a = inputs["x_t"] @ inputs["w_x"].T + inputs["h_prev"] @ inputs["w_h"].T + inputs["b_h"]
        assert np.abs(a).min() > 1e-3 and (a > 0).any() and (a < 0).any()

    def backward(dh, cache):
        dx, dh_prev, g = rnnlab.rnn_step_backward(dh, cache)
        return {"x_t": dx, "h_prev": dh_prev, **g}

    res = rnnlab.check_function(rnnlab.rnn_step_forward, backward, inputs, seed=0)
    assert set(res.errors) == {"x_t", "h_prev", "w_x", "w_h", "b_h"}
    _assert_passed(res)


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_gru_step_passes_check_function(variant):
    rng = np.random.default_rng(11)
    p = gru_params(rng, variant)
    inputs = {"x_t": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)), **p}

    def fn(x_t, h_prev, **p):
        return rnnlab.gru_step_forward(x_t, h_prev, p, variant)

    def backward(dh, cache):
        dx, dh_prev, g = rnnlab.gru_step_backward(dh, cache)
        return {"x_t": dx, "h_prev": dh_prev, **g}

    res = rnnlab.check_function(fn, backward, inputs, seed=0)
    assert set(res.errors) == set(inputs)
    _assert_passed(res)


def test_lstm_step_passes_check_function():
    rng = np.random.default_rng(12)
    inputs = {"x_t": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)),
              "c_prev": rng.standard_normal((N, H)), **lstm_params(rng)}

    def fn(x_t, h_prev, c_prev, **p):  # both outputs, side by side: (N, 2H)
        h, c, cache = rnnlab.lstm_step_forward(x_t, h_prev, c_prev, p)
        return np.concatenate([h, c], axis=1), cache

    def backward(dout, cache):
        dx, dh_prev, dc_prev, g = rnnlab.lstm_step_backward(dout[:, :H], dout[:, H:], cache)
        return {"x_t": dx, "h_prev": dh_prev, "c_prev": dc_prev, **g}

    res = rnnlab.check_function(fn, backward, inputs, seed=0)
    assert set(res.errors) == set(inputs)
    _assert_passed(res)


def test_check_function_catches_a_wrong_step_backward():
    """The oracle itself can fail: a backward that forgets the activation's derivative."""
    rng = np.random.default_rng(13)
    inputs = {"x_t": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)),
              **rnn_params(rng)}

    def wrong(dh, cache):
        x_t, h_prev, _, w_x, w_h, _ = cache
        return {"x_t": dh @ w_x, "h_prev": dh @ w_h, "w_x": dh.T @ x_t, "w_h": dh.T @ h_prev,
                "b_h": dh.sum(0)}

    res = rnnlab.check_function(rnnlab.rnn_step_forward, wrong, inputs)
    assert not res.passed and res.max_error > 1e-3


# ---------------------------------------------------------------------------
# layers: every gradient backward returns, against finite differences
# ---------------------------------------------------------------------------

LAYER_CASES = [("rnn", {"activation": a}) for a in RNN_ACTS] \
    + [("gru", {"variant": v}) for v in GRU_VARIANTS] + [("lstm", {})]


def _layer(cell, kw, num_layers, bidirectional, seed):
    return rnnlab.make_layer(cell, D, H, num_layers=num_layers, bidirectional=bidirectional,
                             seed=seed, **kw)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell,kw", LAYER_CASES,
                         ids=[f"{c}-{next(iter(k.values()), '')}".rstrip("-") for c, k in LAYER_CASES])
def test_layer_backward_matches_finite_differences(cell, kw, num_layers, bidirectional):
    seed = 100 + num_layers + 2 * bidirectional
    layer = _layer(cell, kw, num_layers, bidirectional, seed)
    rng = np.random.default_rng(seed)
    # larger than init weights, so gates and relu are away from their flat regions
    for v in layer.params.values():
        v[...] = 0.8 * rng.standard_normal(v.shape)
    LD = num_layers * layer.num_directions
    x = rng.standard_normal((T, N, D))
    names = ["h0", "c0"] if cell == "lstm" else ["h0"]
    states = {n: rng.standard_normal((LD, N, H)) for n in names}
    dout = rng.standard_normal((T, N, layer.output_size))
    w_state = [rng.standard_normal((LD, N, H)) for _ in names]  # weights of the final states
    w_state_arg = tuple(w_state) if cell == "lstm" else w_state[0]

    def run(p):
        h0 = (p["h0"], p["c0"]) if cell == "lstm" else p["h0"]
        out, h_n, cache = layer.forward(p["x"], h0)
        parts = h_n if cell == "lstm" else (h_n,)
        loss = np.sum(dout * out) + sum(np.sum(w * s) for w, s in zip(w_state, parts))
        return loss, cache

    # one dict holding the layer's own parameter arrays (perturbed in place) and the inputs
    work = {**layer.params, "x": x, **states}
    if kw.get("activation") == "relu":  # seeded away from the kink: |pre-activation| >> eps
        _, cache = run(work)
        for x_in, h_first, hs, p, _ in cache:  # one rnn_forward cache per layer and direction
            h_prev = np.concatenate([h_first[None], hs[:-1]])
            a = x_in @ p["w_x"].T + h_prev @ p["w_h"].T + p["b_h"]
            assert np.abs(a).min() > 1e-4 and (a > 0).any() and (a < 0).any()
    numeric = rnnlab.numerical_gradient(lambda p: run(p)[0], work)

    _, cache = run(work)
    dx, dh0, grads = layer.backward(dout, w_state_arg, cache)
    analytic = {**grads, "x": dx}
    if cell == "lstm":
        analytic["h0"], analytic["c0"] = dh0
    else:
        analytic["h0"] = dh0
    assert set(analytic) == set(numeric)
    errors = {k: relative_error(analytic[k], numeric[k]) for k in numeric}
    worst = max(errors, key=errors.get)
    assert errors[worst] < FD_TOL, f"{worst}: relative error {errors[worst]:.3g}; all: {errors}"


def test_layer_backward_gradient_keys_follow_params():
    layer = rnnlab.GRU(D, H, num_layers=2, bidirectional=True)
    x = np.random.default_rng(0).standard_normal((T, N, D))
    out, _, cache = layer.forward(x)
    _, _, grads = layer.backward(np.ones_like(out), None, cache)
    assert list(grads) == list(layer.params)
    assert {"w_x", "w_h", "b_h", "b_hn", "w_x_l1_reverse", "b_hn_l1_reverse"} <= set(grads)
    for k, g in grads.items():
        assert g.shape == layer.params[k].shape


def test_gru_variants_are_different_functions():
    """Same weights (b_hn set to zero, so it cannot explain the gap), different outputs."""
    rng = np.random.default_rng(5)
    torch_gru = rnnlab.GRU(D, H, variant="pytorch", seed=0)
    cho_gru = rnnlab.GRU(D, H, variant="original", seed=0)
    for k, v in cho_gru.params.items():
        v[...] = rng.standard_normal(v.shape)
        torch_gru.params[k][...] = v
    torch_gru.params["b_hn"][...] = 0.0
    x = rng.standard_normal((T, N, D))
    h0 = rng.standard_normal((1, N, H))
    out_t, _, _ = torch_gru.forward(x, h0)
    out_o, _, _ = cho_gru.forward(x, h0)
    assert np.abs(out_t - out_o).max() > 1e-3
    # ...but they agree wherever the reset gate cannot matter: h0 = 0 at the first step
    out_t0, _, _ = torch_gru.forward(x[:1])
    out_o0, _, _ = cho_gru.forward(x[:1])
    np.testing.assert_allclose(out_t0, out_o0, rtol=0, atol=1e-15)


def test_reverse_direction_reads_time_backwards():
    """A bidirectional layer's reverse half is the forward cell run on the reversed sequence."""
    rng = np.random.default_rng(6)
    bi = rnnlab.LSTM(D, H, bidirectional=True, seed=3)
    fwd = rnnlab.LSTM(D, H, seed=0)
    for k in fwd.params:
        fwd.params[k][...] = bi.params[k + "_reverse"]
    x = rng.standard_normal((T, N, D))
    out, (h_n, c_n), _ = bi.forward(x)
    out_r, (h_r, c_r), _ = fwd.forward(x[::-1])
    np.testing.assert_allclose(out[:, :, H:], out_r[::-1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(h_n[1], h_r[0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(c_n[1], c_r[0], rtol=0, atol=1e-15)


# ---------------------------------------------------------------------------
# the sequence functions work in place internally; callers must not notice
# ---------------------------------------------------------------------------

def _copies(obj):
    if isinstance(obj, np.ndarray):
        return obj.copy()
    if isinstance(obj, dict):
        return {k: _copies(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return type(obj)(_copies(v) for v in obj)
    return obj


def _assert_same(a, b, what):
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=what)
    elif isinstance(a, dict):
        assert list(a) == list(b), what
        for k in a:
            _assert_same(a[k], b[k], f"{what}[{k!r}]")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), what
        for i, (u, v) in enumerate(zip(a, b)):
            _assert_same(u, v, f"{what}[{i}]")


SEQ_CASES = [("rnn", a) for a in RNN_ACTS] + [("gru", v) for v in GRU_VARIANTS] + [("lstm", None)]


@pytest.mark.parametrize("cell,option", SEQ_CASES, ids=[f"{c}-{o}" if o else c for c, o in SEQ_CASES])
def test_sequence_functions_leave_their_inputs_alone_and_repeat_exactly(cell, option):
    rng = np.random.default_rng(20)
    x = rng.standard_normal((T, N, D))
    if cell == "rnn":
        p, state0 = rnn_params(rng), (rng.standard_normal((N, H)),)
        fwd, bwd = (lambda: cells.rnn_forward(x, state0, p, option)), cells.rnn_backward
    elif cell == "gru":
        p, state0 = gru_params(rng, option), (rng.standard_normal((N, H)),)
        fwd, bwd = (lambda: cells.gru_forward(x, state0, p, option)), cells.gru_backward
    else:
        p, state0 = lstm_params(rng), tuple(rng.standard_normal((2, N, H)))
        fwd, bwd = (lambda: cells.lstm_forward(x, state0, p)), cells.lstm_backward
    dhs = rng.standard_normal((T, N, H))
    dstate = tuple(rng.standard_normal((N, H)) for _ in state0)
    inputs = _copies((x, state0, p, dhs, dstate))

    hs, s_T, cache = fwd()
    first_fwd = _copies((hs, s_T))
    cache_before = _copies(cache)
    first_raw = bwd(dhs, dstate, cache)
    first = _copies(first_raw)
    _assert_same(cache, cache_before, "cache after backward")
    second = bwd(dhs, dstate, cache)  # the same cache twice (e.g. two losses on one forward)
    _assert_same(second, first, "second backward")
    _assert_same(fwd()[:2], first_fwd, "second forward")
    _assert_same((x, state0, p, dhs, dstate), inputs, "inputs")
    # returned arrays are not buffers a later call writes into
    bwd(2 * dhs, tuple(2 * d for d in dstate), cache)
    fwd()
    _assert_same(first_raw, first, "first result after more calls")
    _assert_same((hs, s_T), first_fwd, "first forward result after more calls")
