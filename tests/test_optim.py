"""Tests for rnnlab.optim: update rules, PyTorch parity, state, clipping."""
import io

import numpy as np
import pytest

from rnnlab import optim
from rnnlab.optim import (OPTIMIZERS, SGD, Adagrad, Adam, Momentum, RMSProp, clip_by_global_norm,
                          clip_by_value, global_norm, grad_norms, make_optimizer)

SHAPES = {"w_x": (4, 3), "w_h": (4, 4), "b_h": (4,), "w_y": (2, 4), "b_y": (2,),
          "w_x_l1_reverse": (4, 4)}

ALL = [
    ("sgd", {}),
    ("momentum", {}),
    ("momentum", {"nesterov": True, "momentum": 0.8}),
    ("adagrad", {}),
    ("rmsprop", {}),
    ("rmsprop", {"decay": 0.99, "eps": 1e-6}),
    ("adam", {}),
    ("adam", {"beta1": 0.5, "beta2": 0.9, "eps": 1e-6}),
]


def make_params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()}


def grad_stream(n, seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [{k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()}
            for _ in range(n)]


# --------------------------------------------------------------------------
# update rules, checked against a direct transcription of the formulas
# --------------------------------------------------------------------------

def reference_run(name, kw, lr, p0, grads):
    """Independent per-array implementation of the documented rules."""
    p = {k: v.copy() for k, v in p0.items()}
    s = {k: np.zeros_like(v) for k, v in p0.items()}
    m = {k: np.zeros_like(v) for k, v in p0.items()}
    for t, g in enumerate(grads, start=1):
        for k in p:
            gk = g[k]
            if name == "sgd":
                p[k] = p[k] - lr * gk
            elif name == "momentum":
                mu = kw.get("momentum", 0.9)
                m[k] = mu * m[k] + gk
                step = gk + mu * m[k] if kw.get("nesterov") else m[k]
                p[k] = p[k] - lr * step
            elif name == "adagrad":
                s[k] = s[k] + gk ** 2
                p[k] = p[k] - lr * gk / (np.sqrt(s[k]) + kw.get("eps", 1e-8))
            elif name == "rmsprop":
                a = kw.get("decay", 0.9)
                s[k] = a * s[k] + (1 - a) * gk ** 2
                p[k] = p[k] - lr * gk / (np.sqrt(s[k]) + kw.get("eps", 1e-8))
            elif name == "adam":
                b1, b2 = kw.get("beta1", 0.9), kw.get("beta2", 0.999)
                m[k] = b1 * m[k] + (1 - b1) * gk
                s[k] = b2 * s[k] + (1 - b2) * gk ** 2
                m_hat, v_hat = m[k] / (1 - b1 ** t), s[k] / (1 - b2 ** t)
                p[k] = p[k] - lr * m_hat / (np.sqrt(v_hat) + kw.get("eps", 1e-8))
    return p


@pytest.mark.parametrize("name,kw", ALL)
def test_update_rule_matches_formula(name, kw):
    params, grads = make_params(), grad_stream(5)
    expected = reference_run(name, kw, 0.05, params, grads)
    opt = make_optimizer(name, lr=0.05, **kw)
    for g in grads:
        opt.step(params, g)
    for k in params:
        np.testing.assert_allclose(params[k], expected[k], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name,kw", ALL)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_step_is_in_place_and_keeps_dtype(name, kw, dtype):
    params = make_params(dtype=dtype)
    ids = {k: id(v) for k, v in params.items()}
    before = {k: v.copy() for k, v in params.items()}
    opt = make_optimizer(name, lr=0.1, **kw)
    for g in grad_stream(3, dtype=np.float64):  # float64 grads for float32 params
        opt.step(params, g)
    for k, v in params.items():
        assert id(v) == ids[k]
        assert v.dtype == dtype
        assert not np.array_equal(v, before[k])
    for st in opt.state.values():
        for value in st.values():
            if isinstance(value, np.ndarray):
                assert value.dtype == dtype


def test_momentum_first_step_is_plain_sgd():
    params = {"w": np.array([1.0, 2.0])}
    opt = Momentum(0.1, momentum=0.9)
    opt.step(params, {"w": np.array([1.0, -1.0])})
    np.testing.assert_array_equal(params["w"], [0.9, 2.1])
    opt.step(params, {"w": np.array([1.0, -1.0])})  # v = 0.9*g + g = 1.9 g
    np.testing.assert_allclose(params["w"], [0.9 - 0.19, 2.1 + 0.19])


def test_adam_first_step_has_size_lr():
    # with bias correction the first step is lr * g / (|g| + eps) ~ lr * sign(g)
    params = {"w": np.zeros(3)}
    Adam(0.01).step(params, {"w": np.array([3.0, -0.002, 50.0])})
    np.testing.assert_allclose(params["w"], [-0.01, 0.01, -0.01], rtol=1e-5)


# --------------------------------------------------------------------------
# PyTorch as a second oracle
# --------------------------------------------------------------------------

def torch_optimizer(torch, name, kw, tensors, lr):
    if name == "sgd":
        return torch.optim.SGD(tensors, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(tensors, lr=lr, momentum=kw.get("momentum", 0.9),
                               nesterov=kw.get("nesterov", False))
    if name == "adagrad":
        return torch.optim.Adagrad(tensors, lr=lr, eps=kw.get("eps", 1e-8))
    if name == "rmsprop":
        return torch.optim.RMSprop(tensors, lr=lr, alpha=kw.get("decay", 0.9),
                                   eps=kw.get("eps", 1e-8))
    if name == "adam":
        return torch.optim.Adam(tensors, lr=lr, betas=(kw.get("beta1", 0.9),
                                                       kw.get("beta2", 0.999)),
                                eps=kw.get("eps", 1e-8))
    raise AssertionError(name)


@pytest.mark.parametrize("name,kw", ALL)
def test_matches_torch_optim(name, kw):
    torch = pytest.importorskip("torch")
    params, grads = make_params(seed=3), grad_stream(20, seed=4)
    tensors = {k: torch.tensor(v.copy(), dtype=torch.float64, requires_grad=True)
               for k, v in params.items()}
    topt = torch_optimizer(torch, name, kw, list(tensors.values()), lr=0.02)
    opt = make_optimizer(name, lr=0.02, **kw)
    for i, g in enumerate(grads):
        if i == 10:  # change the learning rate mid-run, as a slider would
            opt.lr = 0.005
            for group in topt.param_groups:
                group["lr"] = 0.005
        opt.step(params, g)
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=torch.float64)
        topt.step()
    for k in params:
        np.testing.assert_allclose(params[k], tensors[k].detach().numpy(), rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------
# hyper-parameters
# --------------------------------------------------------------------------

@pytest.mark.parametrize("bad,err", [(0, ValueError), (-0.1, ValueError),
                                     (float("nan"), ValueError), (float("inf"), ValueError),
                                     ("0.1", TypeError), (True, TypeError), (None, TypeError)])
def test_lr_is_validated_on_set(bad, err):
    with pytest.raises(err, match="lr"):
        SGD(bad)
    opt = Adam(0.01)
    with pytest.raises(err, match="lr"):
        opt.lr = bad
    assert opt.lr == 0.01


def test_lr_change_takes_effect_without_reset():
    params = {"w": np.zeros(2)}
    opt = Momentum(0.1)
    opt.step(params, {"w": np.ones(2)})
    opt.lr = np.float32(0.5)  # numpy scalars are fine
    assert isinstance(opt.lr, float) and opt.lr == 0.5
    opt.step(params, {"w": np.ones(2)})
    np.testing.assert_allclose(params["w"], -(0.1 + 0.5 * 1.9) * np.ones(2))
    assert "v" in opt.state["w"]


@pytest.mark.parametrize("factory,match", [
    (lambda: Momentum(0.1, momentum=1.0), "momentum"),
    (lambda: Momentum(0.1, momentum=-0.1), "momentum"),
    (lambda: Momentum(0.1, nesterov="yes"), "nesterov"),
    (lambda: Adagrad(0.1, eps=0), "eps"),
    (lambda: RMSProp(0.1, decay=1.0), "decay"),
    (lambda: Adam(0.1, beta1=1.0), "beta1"),
    (lambda: Adam(0.1, beta2=-1), "beta2"),
    (lambda: Adam(0.1, eps=float("nan")), "eps"),
])
def test_hyper_parameters_are_validated(factory, match):
    with pytest.raises((ValueError, TypeError), match=match):
        factory()


def test_hyper_parameter_assignment_is_validated():
    opt = Adam(0.1)
    with pytest.raises(ValueError, match="beta2"):
        opt.beta2 = 1.5
    assert opt.beta2 == 0.999


def test_repr():
    assert repr(Adam(0.001)) == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)"
    assert "nesterov=True" in repr(Momentum(0.1, nesterov=True))


# --------------------------------------------------------------------------
# validation at step
# --------------------------------------------------------------------------

def test_step_names_missing_and_extra_keys():
    params, g = make_params(), grad_stream(1)[0]
    opt = SGD(0.1)
    del g["w_h"]
    with pytest.raises(ValueError, match="missing.*'w_h'"):
        opt.step(params, g)
    g = grad_stream(1)[0]
    g["w_z"] = np.zeros(3)
    with pytest.raises(ValueError, match="'w_z'"):
        opt.step(params, g)


def test_step_names_key_and_both_shapes():
    params, g = make_params(), grad_stream(1)[0]
    g["w_h"] = np.zeros((4, 3))
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match=r"'w_h'.*\(4, 3\).*\(4, 4\)"):
        Adam(0.1).step(params, g)
    for k in params:  # nothing was updated
        np.testing.assert_array_equal(params[k], before[k])


def test_step_rejects_non_array_params_and_read_only():
    with pytest.raises(TypeError, match="'w'"):
        SGD(0.1).step({"w": [1.0, 2.0]}, {"w": [1.0, 1.0]})
    with pytest.raises(TypeError, match="'w'"):
        SGD(0.1).step({"w": np.arange(2)}, {"w": np.ones(2)})
    w = np.zeros(2)
    w.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        SGD(0.1).step({"w": w}, {"w": np.ones(2)})
    with pytest.raises(TypeError, match="grads"):
        SGD(0.1).step({"w": np.zeros(2)}, [np.ones(2)])


def test_state_shape_change_asks_for_reset():
    opt = Adam(0.1)
    opt.step({"w": np.zeros(3)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="reset"):
        opt.step({"w": np.zeros(4)}, {"w": np.ones(4)})
    opt.reset()
    opt.step({"w": np.zeros(4)}, {"w": np.ones(4)})


@pytest.mark.parametrize("name,kw", ALL)
def test_reset_gives_a_fresh_optimizer(name, kw):
    grads = grad_stream(4)
    a, b = make_params(), make_params()
    opt = make_optimizer(name, lr=0.05, **kw)
    for g in grads:
        opt.step(a, g)
    opt.reset()
    assert opt.state == {}
    a = make_params()
    fresh = make_optimizer(name, lr=0.05, **kw)
    for g in grads:
        opt.step(a, g)
        fresh.step(b, g)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


# --------------------------------------------------------------------------
# state_dict
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name,kw", ALL)
def test_state_dict_round_trip_through_npz(name, kw):
    grads = grad_stream(6)
    a = make_params()
    opt = make_optimizer(name, lr=0.03, **kw)
    for g in grads[:3]:
        opt.step(a, g)
    b = {k: v.copy() for k, v in a.items()}
    buf = io.BytesIO()
    np.savez(buf, **opt.state_dict())
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as saved:
        other = make_optimizer(name, lr=1.0)  # hyper-parameters come from the state
        other.load_state_dict(saved)
    assert repr(other) == repr(opt)
    for g in grads[3:]:
        opt.step(a, g)
        other.step(b, g)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_state_dict_is_flat_and_copies():
    opt = Adam(0.01)
    params = make_params()
    opt.step(params, grad_stream(1)[0])
    d = opt.state_dict()
    assert d["optimizer"] == "adam" and d["lr"] == 0.01 and d["t/w_x"] == 1
    assert all(isinstance(v, (str, int, float, bool, np.ndarray)) for v in d.values())
    d["m/w_x"][:] = 99.0
    assert not np.any(opt.state["w_x"]["m"] == 99.0)


def test_load_state_dict_rejects_wrong_optimizer_and_bad_entries():
    d = Adam(0.01).state_dict()
    with pytest.raises(ValueError, match="adam"):
        SGD(0.1).load_state_dict(d)
    opt = Momentum(0.1)
    with pytest.raises(ValueError, match="'x/w'"):
        opt.load_state_dict({"optimizer": "momentum", "x/w": np.zeros(2)})
    with pytest.raises(ValueError, match="lr"):
        opt.load_state_dict({"optimizer": "momentum", "lr": -1.0})
    adam = Adam(0.1)
    with pytest.raises(ValueError, match="'w'"):
        adam.load_state_dict({"optimizer": "adam", "m/w": np.zeros(2)})


# --------------------------------------------------------------------------
# make_optimizer
# --------------------------------------------------------------------------

def test_make_optimizer_names():
    assert OPTIMIZERS == ("sgd", "momentum", "adagrad", "rmsprop", "adam")
    for name, cls in zip(OPTIMIZERS, (SGD, Momentum, Adagrad, RMSProp, Adam)):
        assert type(make_optimizer(name.upper(), lr=0.1)) is cls
    opt = make_optimizer("Adam", lr=0.002, beta2=0.99)
    assert (opt.lr, opt.beta2) == (0.002, 0.99)


def test_make_optimizer_errors():
    with pytest.raises(ValueError, match="adagrad, adam, momentum, rmsprop, sgd"):
        make_optimizer("adamw")
    with pytest.raises(TypeError, match="momentum"):
        make_optimizer("adam", momentum=0.9)
    with pytest.raises(ValueError, match="lr"):
        make_optimizer("sgd", lr=0)


# --------------------------------------------------------------------------
# norms and clipping
# --------------------------------------------------------------------------

def test_global_and_per_parameter_norms():
    g = {"a": np.array([3.0, 4.0]), "b": np.array([[12.0]], dtype=np.float32)}
    assert global_norm(g) == 13.0
    assert grad_norms(g) == {"a": 5.0, "b": 12.0}
    assert global_norm({}) == 0.0
    assert all(isinstance(v, float) for v in grad_norms(g).values())


def test_global_norm_is_computed_in_float64():
    g = {"a": np.full(4, 1e20, dtype=np.float32)}  # squares overflow float32
    assert global_norm(g) == pytest.approx(2e20, rel=1e-6)


def test_global_norm_reports_non_finite():
    assert np.isnan(global_norm({"a": np.array([1.0, np.nan]), "b": np.ones(2)}))
    assert global_norm({"a": np.array([1.0, np.inf])}) == np.inf
    assert global_norm({"a": np.array([1e200])}) == np.inf  # overflow shows as divergence


def test_clip_by_global_norm_scales_all_together():
    g = {"a": np.array([3.0, 4.0]), "b": np.array([12.0])}
    orig = {k: v.copy() for k, v in g.items()}
    clipped, norm = clip_by_global_norm(g, 6.5)
    assert norm == 13.0
    np.testing.assert_allclose(clipped["a"], [1.5, 2.0])
    np.testing.assert_allclose(clipped["b"], [6.0])
    assert global_norm(clipped) == pytest.approx(6.5, rel=1e-15)
    for k in g:  # input untouched
        np.testing.assert_array_equal(g[k], orig[k])


def test_clip_by_global_norm_below_threshold_is_unchanged_copy():
    g = {"a": np.array([3.0, 4.0], dtype=np.float32)}
    clipped, norm = clip_by_global_norm(g, 10)
    assert norm == 5.0
    assert clipped is not g and clipped["a"] is not g["a"]
    np.testing.assert_array_equal(clipped["a"], g["a"])
    clipped, _ = clip_by_global_norm(g, 1.0)
    assert clipped["a"].dtype == np.float32


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clip_by_global_norm_leaves_non_finite_visible(bad):
    g = {"a": np.array([1.0, bad]), "b": np.array([2.0, 3.0])}
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert not np.isfinite(norm)
    # no silent 0 * inf = NaN or finite-to-zero rescaling
    np.testing.assert_array_equal(clipped["b"], [2.0, 3.0])
    np.testing.assert_array_equal(clipped["a"], g["a"])


def test_clip_by_value():
    g = {"a": np.array([-5.0, 0.5, 5.0, np.inf, np.nan])}
    out = clip_by_value(g, 1.0)
    np.testing.assert_array_equal(out["a"], [-1.0, 0.5, 1.0, 1.0, np.nan])
    assert g["a"][0] == -5.0


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, "1"])
def test_clipping_thresholds_are_validated(bad):
    g = {"a": np.ones(2)}
    with pytest.raises((ValueError, TypeError), match="max_norm"):
        clip_by_global_norm(g, bad)
    with pytest.raises((ValueError, TypeError), match="max_value"):
        clip_by_value(g, bad)


def test_nothing_prints(capsys):
    params = make_params()
    for name in OPTIMIZERS:
        opt = make_optimizer(name)
        opt.step(params, grad_stream(1)[0])
        opt.load_state_dict(opt.state_dict())
    clip_by_global_norm(grad_stream(1)[0], 0.1)
    assert capsys.readouterr() == ("", "")
    assert optim.__all__


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # property test only; the rest of the file runs without it
    hnp = None

if hnp is not None:
    _finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    _arrays = hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=5), elements=_finite)

    @settings(max_examples=60, deadline=None)
    @given(a=_arrays, b=_arrays, max_norm=st.floats(1e-3, 1e3))
    def test_clipped_norm_never_exceeds_max(a, b, max_norm):
        g = {"a": a, "b": b}
        clipped, norm = clip_by_global_norm(g, max_norm)
        assert global_norm(clipped) <= max_norm * (1 + 1e-12)
        if norm <= max_norm:
            np.testing.assert_array_equal(clipped["a"], a)
        else:  # same direction
            np.testing.assert_allclose(clipped["a"] * norm / max_norm, a, rtol=1e-12, atol=1e-300)
