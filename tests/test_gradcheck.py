"""Tests for rnnlab.gradcheck: numerical gradients, checks and learner-facing reports."""
import numpy as np
import pytest

from rnnlab.gradcheck import (GradCheckResult, check_function, check_gradients,
                              numerical_gradient, relative_error)


# --------------------------------------------------------------------------
# two functions with known gradients
# --------------------------------------------------------------------------

def quadratic_problem(seed=0, dtype=np.float64):
    """L = 0.5 x^T A x + b.x + sum(c^2);  dL/dx = 0.5 (A + A^T) x + b, dL/dc = 2c."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((5, 5))
    b = rng.standard_normal(5)
    params = {"x": rng.standard_normal(5).astype(dtype),
              "c": rng.standard_normal((2, 3)).astype(dtype)}

    def loss(p):
        x, c = p["x"], p["c"]
        return 0.5 * x @ a @ x + b @ x + np.sum(c ** 2)

    def loss_and_grads(p):
        return loss(p), {"x": 0.5 * (a + a.T) @ p["x"] + b, "c": 2 * p["c"]}

    return params, loss, loss_and_grads


def tanh_problem(seed=0, mistake=None):
    """L = sum(u * tanh(x @ w.T + b)), x (N, D), w (H, D), b (H,), u (N, H).

    ``mistake``: None, "no_tanh_derivative" or "transposed_w" (w square).
    """
    rng = np.random.default_rng(seed)
    n, d, h = 3, 4, 4
    x = rng.standard_normal((n, d))
    u = rng.standard_normal((n, h))
    params = {"w": rng.standard_normal((h, d)) * 0.5, "b": rng.standard_normal(h) * 0.1}

    def loss_and_grads(p):
        y = np.tanh(x @ p["w"].T + p["b"])  # (N, H)
        dz = u if mistake == "no_tanh_derivative" else u * (1 - y ** 2)  # (N, H)
        dw = dz.T @ x  # (H, D)
        if mistake == "transposed_w":
            dw = dw.T
        return float(np.sum(u * y)), {"w": dw, "b": dz.sum(axis=0)}

    return params, loss_and_grads


# --------------------------------------------------------------------------
# numerical_gradient and relative_error
# --------------------------------------------------------------------------

def test_numerical_gradient_of_quadratic():
    params, loss, loss_and_grads = quadratic_problem()
    num = numerical_gradient(loss, params)
    _, exact = loss_and_grads(params)
    for k in params:
        assert num[k].shape == params[k].shape and num[k].dtype == np.float64
        assert relative_error(num[k], exact[k]) < 1e-9


def test_numerical_gradient_keys_and_errors():
    params, loss, _ = quadratic_problem()
    assert list(numerical_gradient(loss, params, keys=["c"])) == ["c"]
    with pytest.raises(ValueError, match="'w_q'"):
        numerical_gradient(loss, params, keys=["w_q"])
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(loss, params, eps=0)
    with pytest.raises(TypeError, match="loss_fn"):
        numerical_gradient(None, params)
    with pytest.raises(TypeError, match="'x'"):
        numerical_gradient(loss, {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="scalar"):
        numerical_gradient(lambda p: p["x"] * 1.0, {"x": np.ones(2)})


def test_numerical_gradient_passes_the_same_dict():
    params, loss, _ = quadratic_problem()
    seen = set()

    def spy(p):
        seen.add(id(p))
        return loss(p)

    numerical_gradient(spy, params)
    assert seen == {id(params)}


def test_params_restored_bit_exactly():
    rng = np.random.default_rng(5)
    # values chosen so that (x + eps) - eps != x in floating point
    params = {"x": np.array([0.1, 1e-7, 3.3, -2.7e5, 1 / 3]),
              "m": rng.standard_normal((3, 2))}
    before = {k: v.copy() for k, v in params.items()}
    ids = {k: id(v) for k, v in params.items()}
    assert np.any((params["x"] + 1e-6) - 1e-6 != params["x"])
    numerical_gradient(lambda p: float(np.sum(np.sin(p["x"])) + np.sum(p["m"] ** 3)), params)
    check_gradients(lambda p: (float(np.sum(p["x"] ** 2) + np.sum(p["m"])),
                               {"x": 2 * p["x"], "m": np.ones_like(p["m"])}), params)
    for k in params:
        assert id(params[k]) == ids[k]
        assert params[k].tobytes() == before[k].tobytes()


def test_params_restored_when_loss_raises():
    params = {"x": np.array([0.1, 0.2, 0.3])}
    before = params["x"].copy()
    calls = []

    def flaky(p):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("boom")
        return float(np.sum(p["x"]))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(flaky, params)
    assert params["x"].tobytes() == before.tobytes()


def test_float32_params_checked_on_float64_copy():
    params, loss, loss_and_grads = quadratic_problem(dtype=np.float32)
    before = {k: v.copy() for k, v in params.items()}
    dtypes = set()

    def spy(p):
        dtypes.update(v.dtype for v in p.values())
        return loss_and_grads(p)

    result = check_gradients(spy, params)
    assert result.passed and result.max_error < 1e-9
    assert dtypes == {np.dtype(np.float64)}
    for k in params:
        assert params[k].dtype == np.float32
        assert params[k].tobytes() == before[k].tobytes()
    num = numerical_gradient(loss, params)
    assert num["x"].dtype == np.float64


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == 1.0
    # tiny entries that are pure rounding noise do not fail a correct gradient
    assert relative_error([1.0, 1e-12], [1.0, 3e-12]) < 1e-11
    assert np.isnan(relative_error([np.nan], [1.0]))
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        relative_error(np.zeros(2), np.zeros(3))


# --------------------------------------------------------------------------
# check_gradients
# --------------------------------------------------------------------------

@pytest.mark.parametrize("problem", ["quadratic", "tanh"])
def test_correct_gradients_pass(problem):
    if problem == "quadratic":
        params, _, loss_and_grads = quadratic_problem()
    else:
        params, loss_and_grads = tanh_problem()
    result = check_gradients(loss_and_grads, params)
    assert isinstance(result, GradCheckResult)
    assert result.passed and result.max_error < 1e-9
    assert set(result.errors) == set(params)
    assert result.tolerance == 1e-7 and result.message == ""


@pytest.mark.parametrize("mistake,worst", [("no_tanh_derivative", None), ("transposed_w", "w")])
def test_wrong_gradients_fail_and_name_the_parameter(mistake, worst):
    params, loss_and_grads = tanh_problem(mistake=mistake)
    result = check_gradients(loss_and_grads, params)
    assert not result.passed
    assert result.max_error > 1e-3
    assert result.worst == max(result.errors, key=result.errors.get)
    if worst:
        assert result.worst == worst
        assert result.errors["b"] < 1e-9  # the bias gradient is still right
    else:  # both gradients miss the derivative
        assert all(e > 1e-3 for e in result.errors.values())


def test_check_gradients_missing_and_misshaped_grads():
    params, _, loss_and_grads = quadratic_problem()

    def missing(p):
        loss, g = loss_and_grads(p)
        del g["c"]
        return loss, g

    def misshaped(p):
        loss, g = loss_and_grads(p)
        g["c"] = g["c"].T
        return loss, g

    with pytest.raises(ValueError, match="'c'"):
        check_gradients(missing, params)
    with pytest.raises(ValueError, match=r"'c'.*\(3, 2\).*\(2, 3\)"):
        check_gradients(misshaped, params)
    with pytest.raises(TypeError, match="tuple"):
        check_gradients(lambda p: 1.0, params)
    # keys restricts the check, so a missing gradient elsewhere is fine
    assert list(check_gradients(missing, params, keys=["x"]).errors) == ["x"]


def test_check_gradients_copies_reused_gradient_buffers():
    buf = np.zeros(3)

    def reuse(p):
        buf[:] = 2 * p["x"]  # the same array every call, like a preallocated workspace
        return float(np.sum(p["x"] ** 2)), {"x": buf}

    assert check_gradients(reuse, {"x": np.array([0.3, -1.0, 2.0])}).passed


def test_max_entries_samples_with_a_seed():
    rng = np.random.default_rng(0)
    params = {"w": rng.standard_normal((20, 30)), "b": rng.standard_normal(4)}
    calls = []

    def loss_and_grads(p):
        calls.append(1)
        return float(np.sum(p["w"] ** 3) + np.sum(p["b"])), {"w": 3 * p["w"] ** 2,
                                                              "b": np.ones(4)}

    r1 = check_gradients(loss_and_grads, params, max_entries=10, seed=7)
    assert len(calls) == 1 + 2 * (10 + 4)  # b has fewer than 10 entries
    r2 = check_gradients(loss_and_grads, params, max_entries=10, seed=7)
    assert r1.passed and r1.errors == r2.errors
    with pytest.raises(ValueError, match="max_entries"):
        check_gradients(loss_and_grads, params, max_entries=0)


def test_summary_table():
    params, loss_and_grads = tanh_problem(mistake="transposed_w")
    result = check_gradients(loss_and_grads, params)
    text = str(result)
    assert text == result.summary()
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["parameter", "shape", "relative"]
    row_w = next(line for line in lines if line.startswith("w "))
    row_b = next(line for line in lines if line.startswith("b "))
    assert "(4, 4)" in row_w and row_w.endswith("FAIL")
    assert "(4,)" in row_b and row_b.endswith("ok")
    assert row_w.index("FAIL") == row_b.index("ok")  # aligned columns
    assert "'w'" in lines[-1] and "FAILED" in lines[-1]


def test_nan_error_counts_as_worst():
    res = GradCheckResult.from_errors({"a": 1e-12, "b": float("nan")}, 1e-7, {})
    assert res.worst == "b" and not res.passed


# --------------------------------------------------------------------------
# check_function: a learner's own step functions
# --------------------------------------------------------------------------

def rnn_step_forward(x, h_prev, w_x, w_h, b_h):
    """h = tanh(x @ w_x.T + h_prev @ w_h.T + b_h); x (N, D), h_prev (N, H)."""
    h = np.tanh(x @ w_x.T + h_prev @ w_h.T + b_h)
    return h, (x, h_prev, w_x, w_h, h)


def rnn_step_backward(dh, cache, forget_tanh=False):
    x, h_prev, w_x, w_h, h = cache
    dz = dh if forget_tanh else dh * (1 - h ** 2)  # (N, H)
    return {"x": dz @ w_x, "h_prev": dz @ w_h, "w_x": dz.T @ x, "w_h": dz.T @ h_prev,
            "b_h": dz.sum(axis=0)}


def rnn_inputs(seed=0):
    rng = np.random.default_rng(seed)
    n, d, h = 2, 3, 4
    return {"x": rng.standard_normal((n, d)), "h_prev": rng.standard_normal((n, h)),
            "w_x": rng.standard_normal((h, d)) * 0.5, "w_h": rng.standard_normal((h, h)) * 0.5,
            "b_h": rng.standard_normal(h) * 0.1}


def test_check_function_passes_correct_step():
    inputs = rnn_inputs()
    before = {k: v.copy() for k, v in inputs.items()}
    result = check_function(rnn_step_forward, rnn_step_backward, inputs)
    assert result.passed and result.max_error < 1e-9, str(result)
    assert list(result.errors) == list(inputs)
    assert result.shapes["w_h"] == (4, 4)
    for k in inputs:  # the learner's arrays are untouched
        assert inputs[k].tobytes() == before[k].tobytes()
    again = check_function(rnn_step_forward, rnn_step_backward, inputs)
    assert again.errors == result.errors  # seeded upstream


def test_check_function_fails_wrong_backward():
    wrong = lambda dh, cache: rnn_step_backward(dh, cache, forget_tanh=True)  # noqa: E731
    result = check_function(rnn_step_forward, wrong, rnn_inputs())
    assert not result.passed and result.message == ""
    assert result.max_error > 1e-3 and result.worst in result.errors
    assert "FAIL" in result.summary()


def test_check_function_reports_user_exceptions():
    def broken_forward(x, w):
        return x @ w  # shapes do not fit

    res = check_function(broken_forward, lambda d, c: {}, {"x": np.ones((2, 3)),
                                                           "w": np.ones((2, 3))})
    assert not res.passed and res.max_error == np.inf
    assert "fn raised ValueError" in res.message and "matmul" in res.message
    assert res.message in str(res)

    def broken_backward(dout, cache):
        raise NotImplementedError("write me")

    res = check_function(rnn_step_forward, broken_backward, rnn_inputs())
    assert not res.passed
    assert res.message == "backward raised NotImplementedError: write me"


def test_check_function_reports_shape_problems():
    inputs = rnn_inputs()
    res = check_function(rnn_step_forward, rnn_step_backward, inputs,
                         upstream=np.ones((2, 5)))
    assert not res.passed and "(2, 4)" in res.message and "(2, 5)" in res.message

    def bad_shapes(dh, cache):
        g = rnn_step_backward(dh, cache)
        g["w_h"] = g["w_h"][:, :2]
        del g["b_h"]
        return g

    res = check_function(rnn_step_forward, bad_shapes, inputs)
    assert not res.passed
    assert "'b_h'" in res.message and "'w_h'" in res.message
    assert res.errors["b_h"] == np.inf and res.errors["w_x"] < 1e-9

    res = check_function(lambda x: "text", lambda d, c: {}, {"x": np.ones(2)})
    assert not res.passed and "array" in res.message


def test_check_function_bare_output_tuple_grads_and_extra_inputs():
    def sigmoid(x, name="sigmoid"):
        assert name == "sigmoid"  # non-array inputs pass through unchanged
        return 1 / (1 + np.exp(-x))

    def sigmoid_backward(dout, out):  # gets the output when fn returns no cache
        return dout * out * (1 - out)

    inputs = {"x": np.linspace(-2, 2, 7), "name": "sigmoid"}
    assert check_function(sigmoid, sigmoid_backward, inputs).passed

    def mul(a, b):
        return a * b, (a, b)

    def mul_backward(dout, cache):
        a, b = cache
        return dout * b, dout * a  # tuple in the order of inputs

    res = check_function(mul, mul_backward, {"a": np.arange(1.0, 4.0), "b": np.ones(3) / 3})
    assert res.passed and list(res.errors) == ["a", "b"]
    res = check_function(mul, mul_backward, {"a": np.arange(1.0, 4.0), "b": np.ones(3)},
                         keys=["b"])
    assert list(res.errors) == ["b"]


def test_check_function_float32_inputs():
    inputs = {k: v.astype(np.float32) for k, v in rnn_inputs().items()}
    res = check_function(rnn_step_forward, rnn_step_backward, inputs)
    assert res.passed and res.max_error < 1e-9
    assert all(v.dtype == np.float32 for v in inputs.values())


def test_check_function_bad_arguments_raise():
    with pytest.raises(TypeError, match="fn"):
        check_function(None, rnn_step_backward, rnn_inputs())
    with pytest.raises(TypeError, match="backward"):
        check_function(rnn_step_forward, 3, rnn_inputs())
    with pytest.raises(TypeError, match="inputs"):
        check_function(rnn_step_forward, rnn_step_backward, [1, 2])
    with pytest.raises(ValueError, match="floating"):
        check_function(rnn_step_forward, rnn_step_backward, {"n": 3})
    with pytest.raises(ValueError, match="'w_z'"):
        check_function(rnn_step_forward, rnn_step_backward, rnn_inputs(), keys=["w_z"])
    with pytest.raises(ValueError, match="tol"):
        check_function(rnn_step_forward, rnn_step_backward, rnn_inputs(), tol=-1)
    with pytest.raises(ValueError, match="upstream"):
        check_function(rnn_step_forward, rnn_step_backward, rnn_inputs(),
                       upstream=np.full((2, 4), np.nan))


def test_nothing_prints(capsys):
    params, loss_and_grads = tanh_problem(mistake="transposed_w")
    check_gradients(loss_and_grads, params)
    check_function(rnn_step_forward, lambda d, c: 1 / 0, rnn_inputs())
    assert capsys.readouterr() == ("", "")
