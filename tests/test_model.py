"""SequenceModel: the five patterns' shapes, gradients by central differences for
every pattern x cell x direction x loss, single-sequence inputs, probabilities,
traces of the gates, the vanishing/exploding picture and float32."""
import numpy as np
import pytest

import rnnlab
from rnnlab import cells, fast_cells

D, H, O, N = 2, 3, 3, 2
T_IN, T_OUT = 3, 2
CELLS = ["rnn", "gru", "lstm"]
PER_SEQUENCE = ("one-to-one", "many-to-one")


def steps_in(pattern):
    return 1 if pattern in ("one-to-one", "one-to-many") else T_IN


def steps_out(pattern):
    """Number of outputs per sequence (None: one output, no time axis)."""
    return {"one-to-one": None, "many-to-one": None, "one-to-many": T_OUT,
            "many-to-many": T_IN, "encoder-decoder": T_OUT}[pattern]


def unrolled(pattern):
    return {"one-to-one": 1, "many-to-one": T_IN, "one-to-many": T_OUT,
            "many-to-many": T_IN, "encoder-decoder": T_IN + T_OUT}[pattern]


def make_model(pattern, cell="rnn", bidirectional=False, loss="mse", seed=0, **kw):
    kw.setdefault("output_length", T_OUT if pattern in ("one-to-many", "encoder-decoder") else None)
    return rnnlab.SequenceModel(D, H, O, cell=cell, pattern=pattern, bidirectional=bidirectional,
                                loss=loss, seed=seed, **kw)


def make_xy(pattern, loss, seed=0, n=N, d=D):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps_in(pattern), n, d))
    S = steps_out(pattern)
    lead = () if S is None else (S,)
    if loss == "mse":
        y = rng.standard_normal(lead + (n, O))
    else:
        y = rng.integers(0, O, size=lead + (n,))
    return x, y


# ---------------------------------------------------------------------------
# shapes, as the model module's docstring says
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["mse", "cross-entropy"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("pattern", rnnlab.PATTERNS)
def test_predict_shapes(pattern, cell, bidirectional, loss):
    m = make_model(pattern, cell, bidirectional, loss)
    x, _ = make_xy(pattern, loss)
    y = m.predict(x)
    S = steps_out(pattern)
    assert y.shape == ((N, O) if S is None else (S, N, O))
    assert y.dtype == np.float64
    # without the N axis for one sequence; same numbers up to rounding (a batch of 2
    # and a batch of 1 may sum in a different order; bit-exactness vs (T, 1, D) is below)
    single = m.predict(x[:, 1])
    assert single.shape == ((O,) if S is None else (S, O))
    np.testing.assert_allclose(single, y[1] if S is None else y[:, 1], rtol=1e-12, atol=1e-14)
    # output_length at call time overrides the model's for the generating patterns
    if pattern in ("one-to-many", "encoder-decoder"):
        assert m.predict(x, output_length=5).shape == (5, N, O)


@pytest.mark.parametrize("loss", ["mse", "cross-entropy"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("pattern", rnnlab.PATTERNS)
def test_model_gradients_pass_central_differences(pattern, cell, bidirectional, loss):
    m = make_model(pattern, cell, bidirectional, loss, seed=1)
    x, y = make_xy(pattern, loss, seed=2)
    res = rnnlab.check_model_gradients(m, x, y)
    assert set(res.errors) == set(m.params)
    assert res.passed and res.max_error < 1e-7, str(res)


@pytest.mark.parametrize("pattern", ["many-to-one", "many-to-many", "encoder-decoder"])
@pytest.mark.parametrize("kw", [
    {"cell": "rnn", "activation": "relu"}, {"cell": "rnn", "activation": "sigmoid"},
    {"cell": "gru", "gru_variant": "original"}, {"cell": "lstm", "num_layers": 2},
    {"cell": "gru", "num_layers": 2, "bidirectional": True},
    {"cell": "rnn", "output_activation": "tanh"},
], ids=["relu", "sigmoid", "gru-original", "lstm-2layers", "gru-2layers-bi", "out-tanh"])
def test_model_gradients_other_settings(pattern, kw):
    m = rnnlab.SequenceModel(D, H, O, pattern=pattern, output_length=T_OUT, seed=3, **kw)
    x, y = make_xy(pattern, "mse", seed=4)
    res = rnnlab.check_model_gradients(m, x, y)
    assert res.passed and res.max_error < 1e-7, str(res)


def test_gradient_check_with_initial_state():
    m = make_model("many-to-many", "lstm", seed=5)
    x, y = make_xy("many-to-many", "mse", seed=6)
    rng = np.random.default_rng(7)
    h0 = (rng.standard_normal((1, N, H)), rng.standard_normal((1, N, H)))
    res = rnnlab.check_model_gradients(m, x, y, h0=h0)
    assert res.passed, str(res)
    assert m.loss(x, y, h0=h0) != m.loss(x, y)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "textbook"])
def test_gradient_check_can_fail(monkeypatch, fast):
    """The check is not vacuous: a 1% error in one backward gradient is caught (either path)."""
    cells_module = fast_cells if fast else cells
    real = cells_module.gru_backward

    def off_by_one_percent(dhs, dstate, cache):
        dx, ds, grads, dh = real(dhs, dstate, cache)
        grads["w_h"] = grads["w_h"] * 1.01
        return dx, ds, grads, dh

    monkeypatch.setattr(cells_module, "gru_backward", off_by_one_percent)
    m = make_model("many-to-many", "gru", seed=8, fast=fast)
    x, y = make_xy("many-to-many", "mse", seed=9)
    res = rnnlab.check_model_gradients(m, x, y)
    assert not res.passed and res.worst == "w_h" and res.max_error > 1e-3


def test_check_model_gradients_leaves_the_model_alone():
    m = make_model("many-to-one", "gru", dtype="float32")
    before = m.get_params()
    x, y = make_xy("many-to-one", "mse")
    res = rnnlab.check_model_gradients(m, x, y)  # float32 model, checked on a float64 copy
    assert res.passed, str(res)
    for k, v in m.params.items():
        assert v.dtype == np.float32
        np.testing.assert_array_equal(v, before[k])


# ---------------------------------------------------------------------------
# single sequence (T, D) and scalar series (T,)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", rnnlab.PATTERNS)
def test_single_sequence_input_matches_batch_of_one(pattern):
    m = make_model(pattern, "lstm", seed=10)
    x, y = make_xy(pattern, "mse", seed=11, n=1)
    batched = m.predict(x)  # x (T, 1, D)
    single = m.predict(x[:, 0])  # (T, D)
    assert single.shape == batched.shape[:-2] + batched.shape[-1:]
    np.testing.assert_array_equal(single, batched[0] if pattern in PER_SEQUENCE else batched[:, 0])
    # the loss takes single-sequence targets too
    y_single = y[0] if pattern in PER_SEQUENCE else y[:, 0]
    assert m.loss(x[:, 0], y_single) == m.loss(x, y)
    l1, g1 = m.loss_and_grads(x[:, 0], y_single)
    l2, g2 = m.loss_and_grads(x, y)
    assert l1 == l2
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])


@pytest.mark.parametrize("pattern", rnnlab.PATTERNS)
def test_scalar_series_matches_three_axis_form(pattern):
    m = rnnlab.SequenceModel(1, H, 1, cell="gru", pattern=pattern, output_length=T_OUT, seed=12)
    series = np.sin(np.arange(steps_in(pattern)) + 0.3)
    out = m.predict(series)
    full = m.predict(series[:, None, None])
    S = steps_out(pattern)
    assert out.shape == ((1,) if S is None else (S, 1))
    np.testing.assert_array_equal(out, full[0] if S is None else full[:, 0])
    # a scalar target series for many-to-many, one number for many-to-one
    if pattern == "many-to-many":
        target = np.cos(np.arange(T_IN))
        assert m.loss(series, target) == m.loss(series[:, None, None], target[:, None, None])
    if pattern == "many-to-one":
        assert m.loss(series, 0.5) == m.loss(series[:, None, None], np.full((1, 1), 0.5))


def test_list_input_is_accepted():
    m = make_model("many-to-many", seed=13)
    x = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]
    np.testing.assert_array_equal(m.predict(x), m.predict(np.array(x)))


# ---------------------------------------------------------------------------
# cross-entropy predictions are probabilities
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", rnnlab.PATTERNS)
def test_cross_entropy_predictions_are_probabilities(pattern):
    m = make_model(pattern, "gru", loss="cross-entropy", seed=14)
    x, y = make_xy(pattern, "cross-entropy", seed=15)
    x = 5 * x  # confident outputs too
    p = m.predict(x)
    assert (p > 0).all() and (p < 1).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    logits = m.predict(x, logits=True)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(p, e / e.sum(axis=-1, keepdims=True), rtol=1e-12)
    # the loss is the mean negative log probability of the target class
    flat_p = p.reshape(-1, O)
    expected = -np.mean(np.log(flat_p[np.arange(flat_p.shape[0]), np.asarray(y).ravel()]))
    assert m.loss(x, y) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------
# trace: the state inspector's data
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", ["many-to-many", "encoder-decoder", "one-to-many"])
@pytest.mark.parametrize("cell", CELLS)
def test_trace_shapes_and_ranges(cell, pattern):
    m = make_model(pattern, cell, bidirectional=True, seed=16)
    x, _ = make_xy(pattern, "mse", seed=17)
    tr = m.trace(3 * x)
    assert set(tr) == {"layer0", "layer0_reverse"}
    want = {"rnn": {"h"}, "gru": {"h", "r", "z", "n"}, "lstm": {"h", "c", "i", "f", "g", "o"}}[cell]
    T = unrolled(pattern)
    for unit in tr.values():
        assert set(unit) == want
        for name, v in unit.items():
            assert v.shape == (T, N, H), name
            if name in ("r", "z", "i", "f", "o"):  # gates
                assert (v > 0).all() and (v < 1).all(), name
            elif name != "c":  # h, candidate n and g: tanh range
                assert (v > -1).all() and (v < 1).all(), name
    # the trace's h is the layer output that predict uses
    if cell == "lstm":
        out = tr["layer0"]
        np.testing.assert_allclose(out["h"], out["o"] * np.tanh(out["c"]), rtol=0, atol=1e-15)
        c_prev = np.concatenate([np.zeros((1, N, H)), out["c"][:-1]])
        np.testing.assert_allclose(out["c"], out["f"] * c_prev + out["i"] * out["g"],
                                   rtol=0, atol=1e-15)
    if cell == "gru":
        u = tr["layer0"]
        h_prev = np.concatenate([np.zeros((1, N, H)), u["h"][:-1]])
        np.testing.assert_allclose(u["h"], (1 - u["z"]) * u["n"] + u["z"] * h_prev,
                                   rtol=0, atol=1e-15)


def test_trace_of_reverse_direction_is_in_time_order():
    m = make_model("many-to-many", "rnn", bidirectional=True, seed=18)
    x, _ = make_xy("many-to-many", "mse", seed=19)
    tr = m.trace(x)
    out, _, _ = m.rnn.forward(x)
    np.testing.assert_array_equal(tr["layer0"]["h"], out[:, :, :H])
    np.testing.assert_array_equal(tr["layer0_reverse"]["h"], out[:, :, H:])


# ---------------------------------------------------------------------------
# hidden_grad_norms: vanishing and exploding
# ---------------------------------------------------------------------------

def test_hidden_grad_norms_vanish_with_small_recurrent_weights():
    T = 12
    m = rnnlab.SequenceModel(1, 4, 1, cell="rnn", pattern="many-to-one", seed=20)
    params = m.get_params()
    params["w_h"] *= 0.2 / np.abs(np.linalg.eigvals(params["w_h"])).max()  # spectral radius 0.2
    m.set_params(params)
    rng = np.random.default_rng(21)
    x, y = rng.standard_normal((T, 3, 1)), rng.standard_normal((3, 1))
    norms = m.hidden_grad_norms(x, y)
    assert norms.shape == (T,) and norms.dtype == np.float64
    assert (np.diff(norms) > 0).all()  # larger closer to the loss at the last step
    assert norms[0] < 1e-6 * norms[-1]
    # the same numbers as the full gradient dict
    _, _, dh = m.loss_and_grads(x, y, return_dh=True)
    np.testing.assert_allclose(norms, np.linalg.norm(dh["layer0"].reshape(T, -1), axis=1), rtol=1e-12)


def test_hidden_grad_norms_explode_with_large_relu_weights():
    T = 12
    m = rnnlab.SequenceModel(1, 4, 1, cell="rnn", activation="relu", pattern="many-to-one", seed=22)
    m.set_params({**m.get_params(), "w_h": 1.5 * np.eye(4), "w_x": np.full((4, 1), 0.5),
                  "b_h": np.full(4, 0.1)})
    x = np.abs(np.random.default_rng(23).standard_normal((T, 3, 1))) + 0.1  # every unit active
    y = np.zeros((3, 1))
    norms = m.hidden_grad_norms(x, y)
    assert norms.shape == (T,)
    assert (np.diff(norms) < 0).all()  # grows going back in time
    np.testing.assert_allclose(norms[:-1] / norms[1:], 1.5, rtol=1e-12)  # by exactly w_h's gain


# ---------------------------------------------------------------------------
# float32
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
def test_float32_model_stays_float32(cell):
    m = make_model("many-to-many", cell, dtype="float32", seed=26)
    assert m.dtype == np.float32
    assert all(v.dtype == np.float32 for v in m.params.values())
    x, y = make_xy("many-to-many", "mse", seed=27)
    assert m.predict(x).dtype == np.float32
    loss, grads = m.loss_and_grads(x, y)
    assert np.isfinite(loss)
    assert all(g.dtype == np.float32 for g in grads.values())
    tr = m.trace(x)
    assert all(v.dtype == np.float32 for v in tr["layer0"].values())
    # close to the same model in float64
    m64 = make_model("many-to-many", cell, dtype="float64", seed=26)
    m64.set_params({k: v.astype(np.float64) for k, v in m.params.items()})
    np.testing.assert_allclose(m.predict(x), m64.predict(x), rtol=1e-5, atol=1e-6)
    rnnlab.fit(m, x, y, epochs=3, lr=0.01)
    assert all(v.dtype == np.float32 for v in m.params.values())
    assert m.predict(x).dtype == np.float32


# ---------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------

def test_params_are_read_only_mapping_and_set_params_validates():
    m = make_model("many-to-many", "gru", seed=28)
    with pytest.raises(TypeError):
        m.params["w_y"] = np.zeros((O, H))
    p = m.get_params()
    p["w_y"][...] = 0  # a deep copy: the model is untouched
    assert np.abs(m.params["w_y"]).sum() > 0
    m.set_params(p)
    np.testing.assert_array_equal(m.params["w_y"], 0)
    with pytest.raises(ValueError, match=r"missing \['b_y'\]"):
        m.set_params({k: v for k, v in p.items() if k != "b_y"})
    with pytest.raises(ValueError, match=r"params\['w_y'\] must have shape \(3, 3\), got \(3, 4\)"):
        m.set_params({**p, "w_y": np.zeros((3, 4))})


def test_same_seed_same_weights_different_seed_different():
    a, b, c = (make_model("many-to-one", "lstm", seed=s) for s in (7, 7, 8))
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert any(not np.array_equal(a.params[k], c.params[k]) for k in a.params)


# ---------------------------------------------------------------------------
# per-layer keys: "layer0", "layer0_reverse", "layer1"...; the 0.1 keys deprecated
# ---------------------------------------------------------------------------

def _two_layer_bidirectional():
    m = rnnlab.SequenceModel(2, 3, 1, cell="gru", pattern="many-to-one", num_layers=2,
                             bidirectional=True, seed=3)
    x = np.random.default_rng(4).standard_normal((6, 5, 2))
    y = np.random.default_rng(5).standard_normal((5, 1))
    return m, x, y


def test_trace_keys_name_the_layer_and_the_old_keys_warn():
    m, x, _ = _two_layer_bidirectional()
    tr = m.trace(x)
    assert list(tr) == ["layer0", "layer0_reverse", "layer1", "layer1_reverse"]
    for old, new in (("", "layer0"), ("_reverse", "layer0_reverse"), ("_l1", "layer1"),
                     ("_l1_reverse", "layer1_reverse")):
        assert old in tr
        with pytest.warns(DeprecationWarning, match=f"the key {old!r} is deprecated, use {new!r}"):
            assert tr[old] is tr[new]
    with pytest.raises(KeyError):
        tr["_l2"]
    assert tr.get("nope") is None


def test_hidden_grad_norms_by_layer_and_direction():
    m, x, y = _two_layer_bidirectional()
    _, _, dh = m.loss_and_grads(x, y, return_dh=True)
    assert list(dh) == ["layer0", "layer0_reverse", "layer1", "layer1_reverse"]
    for layer in (0, 1):
        for direction, key in (("forward", f"layer{layer}"), ("reverse", f"layer{layer}_reverse")):
            norms = m.hidden_grad_norms(x, y, layer=layer, direction=direction)
            np.testing.assert_allclose(norms, np.linalg.norm(dh[key].reshape(6, -1), axis=1),
                                       rtol=1e-12)
    np.testing.assert_array_equal(m.hidden_grad_norms(x, y, layer=1, direction="backward"),
                                  m.hidden_grad_norms(x, y, layer=1, direction="reverse"))
    with pytest.warns(DeprecationWarning, match=r"unit=\.\.\.\) is deprecated"):
        old = m.hidden_grad_norms(x, y, unit="_l1_reverse")
    np.testing.assert_array_equal(old, m.hidden_grad_norms(x, y, layer=1, direction="reverse"))
    with pytest.raises(ValueError, match="layer must be <= 1, got 2"):
        m.hidden_grad_norms(x, y, layer=2)
    with pytest.raises(ValueError, match="unknown direction 'up'"):
        m.hidden_grad_norms(x, y, direction="up")
    with pytest.raises(ValueError, match="this model has no 'layer2'"), pytest.warns(DeprecationWarning):
        m.hidden_grad_norms(x, y, unit="_l2")


def test_unit_params_is_the_old_name_of_direction_params_and_warns():
    m, _, _ = _two_layer_bidirectional()
    with pytest.warns(DeprecationWarning, match=r"unit_params\(\) is deprecated: use direction_params"):
        old = m.rnn.unit_params("_l1_reverse")
    new = m.rnn.direction_params("_l1_reverse")
    assert list(old) == list(new) == ["w_x", "w_h", "b_h", "b_hn"]  # a GRU
    assert all(old[k] is new[k] for k in new)
