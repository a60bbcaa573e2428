"""The three cells: both paths (``fast=True``, the rearranged sequence
functions of rnnlab.fast_cells; ``fast=False``, the textbook step loops of
rnnlab.cells) give the same numbers, every step pair passes a
central-difference check, and whole layers (stacked, bidirectional) pass a
finite-difference check of every gradient they return.

Everything runs in float64 with fixed seeds. The relu cases assert that no
pre-activation sits near the kink, so the finite differences are meaningful.
"""
import numpy as np
import pytest

import rnnlab
from rnnlab import cells, fast_cells
from rnnlab.gradcheck import relative_error

T, N, D, H = 5, 3, 4, 3
EXACT = 1e-12   # textbook vs fast path: the same maths, only rounding differs
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
# both paths: the textbook step loops and the fast sequence functions agree
# ---------------------------------------------------------------------------

LAYER_CASES = [("rnn", {"activation": a}) for a in RNN_ACTS] \
    + [("gru", {"variant": v}) for v in GRU_VARIANTS] + [("lstm", {})]
LAYER_IDS = [f"{c}-{next(iter(k.values()), '')}".rstrip("-") for c, k in LAYER_CASES]


def _leaves(obj, name=""):
    """``(name, array)`` for every array in nested dicts, tuples and lists."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, f"{name}[{k!r}]")
    elif isinstance(obj, (tuple, list)):
        for i, v in enumerate(obj):
            yield from _leaves(v, f"{name}[{i}]")
    else:
        yield name, np.asarray(obj)


def _both_paths(cell, kw, num_layers, bidirectional, seed):
    """Everything a model computes, from one set of weights and inputs, per path."""
    rng = np.random.default_rng(seed)
    models = {fast: rnnlab.SequenceModel(
        D, H, 2, cell=cell, num_layers=num_layers, bidirectional=bidirectional,
        activation=kw.get("activation", "tanh"), gru_variant=kw.get("variant", "pytorch"), fast=fast)
        for fast in (True, False)}
    # larger than init weights, so every gate and relu works away from its flat regions
    weights = {k: 0.8 * rng.standard_normal(v.shape) for k, v in models[True].params.items()}
    x, y = rng.standard_normal((T, N, D)), rng.standard_normal((T, N, 2))
    LD = num_layers * (2 if bidirectional else 1)
    h0, dh_n = ([rng.standard_normal((LD, N, H)) for _ in range(2 if cell == "lstm" else 1)]
                for _ in range(2))
    h0, dh_n = (tuple(s) if cell == "lstm" else s[0] for s in (h0, dh_n))
    dout = rng.standard_normal((T, N, models[True].rnn.output_size))
    results = {}
    for fast, model in models.items():
        model.set_params(weights)
        out, h_n, cache = model.rnn.forward(x, h0)
        dx, dh0, grads, dh_all = model.rnn.backward(dout, dh_n, cache, return_dh=True)
        loss, model_grads, model_dh = model.loss_and_grads(x, y, h0=h0, return_dh=True)
        results[fast] = dict(_leaves({
            "out": out, "h_n": h_n, "dx": dx, "dh0": dh0, "grads": grads, "dh": dh_all,
            "trace": model.rnn.trace(cache), "loss": loss, "model_grads": model_grads,
            "model_dh": model_dh, "predict": model.predict(x, h0=h0)}))
    return results[True], results[False]


def _worst_difference(fast, textbook):
    """The largest difference between the two paths, scaled as :func:`assert_close` does."""
    assert list(fast) == list(textbook), "the two paths return different structures"
    errors = {}
    for k in fast:
        assert fast[k].shape == textbook[k].shape, f"{k}: shapes {fast[k].shape} vs {textbook[k].shape}"
        errors[k] = np.abs(fast[k] - textbook[k]).max() / max(np.abs(textbook[k]).max(), 1.0)
    return max(errors.items(), key=lambda kv: kv[1])


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell,kw", LAYER_CASES, ids=LAYER_IDS)
def test_both_paths_agree(cell, kw, num_layers, bidirectional):
    """fast=True and fast=False give the same outputs, final states, hidden-state
    trace, loss and every gradient (weights, inputs, initial state, hidden states)."""
    fast, textbook = _both_paths(cell, kw, num_layers, bidirectional, seed=200 + num_layers)
    where, err = _worst_difference(fast, textbook)
    assert err <= EXACT, f"{where}: the two paths differ by {err:.3g} (scaled) > {EXACT}"
    if kw.get("activation") == "relu":  # both sides of the kink are exercised
        h = fast["['out']"]
        assert 0 < np.count_nonzero(h) < h.size


def test_the_paths_really_differ_in_code():
    """The agreement above is not one path compared with itself: the caches differ."""
    layers = {fast: rnnlab.LSTM(D, H, fast=fast) for fast in (True, False)}
    x = np.random.default_rng(0).standard_normal((T, N, D))
    caches = {fast: layer.forward(x)[2][0] for fast, layer in layers.items()}
    assert isinstance(caches[True], fast_cells.LSTMCache)
    assert isinstance(caches[False], cells.SequenceCache)
    assert len(caches[False].steps) == T and isinstance(caches[False].steps[0], cells.LSTMStepCache)
    np.testing.assert_allclose(caches[False].gates, caches[True].gates, rtol=0, atol=1e-15)


def test_a_cache_goes_back_through_the_path_that_made_it():
    layer = rnnlab.GRU(D, H, fast=False)
    x = np.random.default_rng(1).standard_normal((T, N, D))
    out, _, cache = layer.forward(x)
    layer.fast = True  # changed between forward and backward
    dx, _, grads = layer.backward(np.ones_like(out), None, cache)
    _, _, cache_fast = layer.forward(x)
    dx_fast, _, grads_fast = layer.backward(np.ones_like(out), None, cache_fast)
    assert_close(dx, dx_fast)
    assert_grads_close(grads, grads_fast)


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
        return {"x_t": dh @ cache.w_x, "h_prev": dh @ cache.w_h, "w_x": dh.T @ cache.x_t,
                "w_h": dh.T @ cache.h_prev, "b_h": dh.sum(0)}

    res = rnnlab.check_function(rnnlab.rnn_step_forward, wrong, inputs)
    assert not res.passed and res.max_error > 1e-3


@pytest.mark.parametrize("backward,forward", [
    (lambda c: rnnlab.rnn_step_backward(np.ones((N, H)), c), "rnn_step_forward"),
    (lambda c: rnnlab.gru_step_backward(np.ones((N, H)), c), "gru_step_forward"),
    (lambda c: rnnlab.lstm_step_backward(np.ones((N, H)), np.ones((N, H)), c), "lstm_step_forward"),
], ids=["rnn", "gru", "lstm"])
def test_a_step_backward_names_the_cache_it_expects(backward, forward):
    """A learner who passes something else (None, a tuple of their own) is told what was meant."""
    for wrong, name in ((None, "NoneType"), ((1, 2, 3), "tuple")):
        with pytest.raises(TypeError, match=f"cache must be the .*StepCache that {forward} "
                                            f"returned, got {name}"):
            backward(wrong)


# ---------------------------------------------------------------------------
# layers: every gradient backward returns, against finite differences
# ---------------------------------------------------------------------------

def _layer(cell, kw, num_layers, bidirectional, seed):
    return rnnlab.make_layer(cell, D, H, num_layers=num_layers, bidirectional=bidirectional,
                             seed=seed, **kw)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell,kw", LAYER_CASES, ids=LAYER_IDS)
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
        for unit in cache:  # one rnn_forward cache per layer and direction
            h_prev = np.concatenate([unit.h0[None], unit.hs[:-1]])
            a = unit.x @ unit.p["w_x"].T + h_prev @ unit.p["w_h"].T + unit.p["b_h"]
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
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a cache
        return type(obj)(*(_copies(v) for v in obj))
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


@pytest.mark.parametrize("module", [fast_cells, cells], ids=["fast", "textbook"])
@pytest.mark.parametrize("cell,option", SEQ_CASES, ids=[f"{c}-{o}" if o else c for c, o in SEQ_CASES])
def test_sequence_functions_leave_their_inputs_alone_and_repeat_exactly(cell, option, module):
    rng = np.random.default_rng(20)
    x = rng.standard_normal((T, N, D))
    if cell == "rnn":
        p, state0 = rnn_params(rng), (rng.standard_normal((N, H)),)
        fwd, bwd = (lambda: module.rnn_forward(x, state0, p, option)), module.rnn_backward
    elif cell == "gru":
        p, state0 = gru_params(rng, option), (rng.standard_normal((N, H)),)
        fwd, bwd = (lambda: module.gru_forward(x, state0, p, option)), module.gru_backward
    else:
        p, state0 = lstm_params(rng), tuple(rng.standard_normal((2, N, H)))
        fwd, bwd = (lambda: module.lstm_forward(x, state0, p)), module.lstm_backward
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
