"""rnnlab.learner: running a learner's code safely and checking their step pairs."""
import re
import warnings

import numpy as np
import pytest

import rnnlab
from rnnlab import learner

RNN_REFERENCE = (rnnlab.rnn_step_forward, rnnlab.rnn_step_backward)


@pytest.fixture
def rnn_inputs():
    rng = np.random.default_rng(0)
    N, D, H = 3, 4, 5
    return dict(x_t=rng.standard_normal((N, D)), h_prev=rng.standard_normal((N, H)),
                w_x=rng.standard_normal((H, D)) * 0.5, w_h=rng.standard_normal((H, H)) * 0.5,
                b_h=rng.standard_normal(H), activation="tanh")


# ---------------------------------------------------------------------------
# call
# ---------------------------------------------------------------------------

def test_call_returns_the_value():
    run = learner.call(lambda a, b=1: a + b, 2, b=3)
    assert run.status == "returned" and run.value == 5
    assert run.message == "" and run.details == "" and run.error is None


def test_a_stub_is_not_done_yet_and_a_missing_return_is_named():
    def stub(x):
        raise NotImplementedError

    def no_return(x):
        x + 1

    todo = learner.call(stub, 1)
    assert todo.status == "todo" and isinstance(todo.error, NotImplementedError)
    assert "not done yet" in todo.message
    none = learner.call(no_return, 1)
    assert none.status == "none" and "return" in none.message


def test_an_error_names_the_learners_line_and_the_library_call():
    def mine(a):
        b = a * 2
        return np.linalg.inv(b)  # singular: numpy raises from inside linalg

    run = learner.call(mine, np.zeros((2, 2)))
    assert run.status == "raised" and type(run.error).__name__ == "LinAlgError"
    line = mine.__code__.co_firstlineno + 2
    assert run.message.startswith("your function raised LinAlgError: ")
    assert run.message.endswith(f"(line {line})")
    assert f"line {line}: return np.linalg.inv(b)" in run.details
    # the function the learner called, not numpy's innermost helper (linalg.py before numpy 2)
    assert re.search(r"the error came from inv in _?linalg\.py, called from that line", run.details)


def test_arguments_are_copies_and_interrupts_pass_through():
    a = np.ones(3)
    p = {"w": np.ones(2), "name": "kept"}

    def scribble(a, p, pair):
        a[:] = 7
        p["w"][:] = 7
        pair[0][:] = 7
        return a.sum()

    pair = (np.ones(2), "x")
    run = learner.call(scribble, a, p, pair)
    assert run.value == 21
    assert (a == 1).all() and (p["w"] == 1).all() and (pair[0] == 1).all()

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        learner.call(interrupted)
    with pytest.raises(TypeError, match="fn must be a function"):
        learner.call(42)


def test_numpy_warnings_are_silenced_and_nan_is_returned():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = learner.call(lambda x: np.log(x), np.array([-1.0, 0.0]))
    assert run.status == "returned"
    assert np.isnan(run.value[0]) and np.isneginf(run.value[1])


# ---------------------------------------------------------------------------
# check_pair
# ---------------------------------------------------------------------------

def transposed_w_h(dh, cache):
    dx, dh_prev, grads = rnnlab.rnn_step_backward(dh, cache)
    return dx, dh_prev, {**grads, "w_h": grads["w_h"].T}  # a classic slip


def test_the_reference_pair_passes_and_agrees_with_itself(rnn_inputs):
    check = learner.check_pair(*RNN_REFERENCE, rnn_inputs, reference=RNN_REFERENCE)
    assert check.status == "pass" and check and check.passed
    assert set(check.result.errors) == {"x_t", "h_prev", "w_x", "w_h", "b_h"}
    assert check.result.max_error < 1e-8 and check.reference_result.passed
    assert check.comparison.forward == 0.0 and check.comparison.agrees
    assert "every gradient matches" in str(check)


def test_a_wrong_gradient_fails_on_that_input_and_differs_from_the_reference(rnn_inputs):
    check = learner.check_pair(rnnlab.rnn_step_forward, transposed_w_h, rnn_inputs,
                               reference=RNN_REFERENCE)
    assert check.status == "fail" and not check
    assert check.result.worst == "w_h" and check.result.errors["w_h"] > 1e-3
    assert all(check.result.errors[k] < 1e-8 for k in ("x_t", "h_prev", "w_x", "b_h"))
    assert check.comparison.differing == ["w_h"] and check.comparison.forward == 0.0
    assert "gradients that differ from the reference's: w_h" in check.summary()


def test_a_self_consistent_pair_with_the_wrong_forward_is_not_a_pass(rnn_inputs):
    # sigmoid instead of tanh: the backward pass matches the forward pass, the reference does not
    sigmoid_step = lambda **kw: rnnlab.rnn_step_forward(**{**kw, "activation": "sigmoid"})  # noqa: E731
    check = learner.check_pair(sigmoid_step, rnnlab.rnn_step_backward, rnn_inputs,
                               reference=RNN_REFERENCE)
    assert check.result.passed  # central differences agree with its own forward pass
    assert check.status == "fail" and check.comparison.forward > 1e-3
    assert "DIFFERENT: check the forward pass first" in check.comparison.summary()


def test_stubs_are_todo_in_either_function(rnn_inputs):
    def forward_stub(**kwargs):
        raise NotImplementedError

    def backward_stub(dh, cache):
        raise NotImplementedError

    assert learner.check_pair(forward_stub, rnnlab.rnn_step_backward, rnn_inputs).status == "todo"
    check = learner.check_pair(rnnlab.rnn_step_forward, backward_stub, rnn_inputs,
                               reference=RNN_REFERENCE)
    assert check.status == "todo" and "not done yet" in str(check)
    assert check.reference_result.passed
    assert check.stub == "backward_stub"


def test_a_stub_behind_an_adapter_is_named_by_its_own_name(rnn_inputs):
    # exercise 1 checks the learner's rnn_step_backward through an adapter called
    # "backward": "not done yet" must name the learner's function, not the adapter
    def rnn_step_backward(dh_t, x_t, h_prev, h_t, w_x, w_h):
        raise NotImplementedError

    def forward(x_t, h_prev, w_x, w_h, b_h):
        h_t, _ = rnnlab.rnn_step_forward(x_t, h_prev, w_x, w_h, b_h)
        return h_t, (x_t, h_prev, h_t, w_x, w_h)

    def backward(dh_t, cache):
        return rnn_step_backward(dh_t, *cache)

    inputs = {k: v for k, v in rnn_inputs.items() if k != "activation"}
    check = learner.check_pair(forward, backward, inputs, reference=RNN_REFERENCE)
    assert check.status == "todo" and check.stub == "rnn_step_backward"
    assert str(check).startswith("not done yet: rnn_step_backward still raises NotImplementedError")


def test_an_error_in_the_learners_backward_is_reported_with_its_line(rnn_inputs):
    def broken(dh, cache):
        return cache[99]

    check = learner.check_pair(rnnlab.rnn_step_forward, broken, rnn_inputs,
                               reference=RNN_REFERENCE)
    assert check.status == "fail"
    assert "backward raised IndexError" in check.result.message
    assert f"line {broken.__code__.co_firstlineno + 1}: return cache[99]" in check.details
    assert "your backward raised IndexError" in check.comparison.message


@pytest.mark.parametrize("inputs, expected", [
    ("not a dict", "inputs must be a dict"),
    ({"x": np.arange(3)}, "no floating"),
])
def test_bad_arguments_give_a_failed_result_not_an_exception(inputs, expected):
    check = learner.check_pair(lambda x: x, lambda d, c: d, inputs)
    assert check.status == "fail" and expected in check.result.message
    check = learner.check_pair(None, None, {"x": np.ones(2)})
    assert check.status == "fail" and "callable" in check.result.message
    check = learner.check_pair(lambda x: x * 1.0, lambda d, c: d, {"x": np.ones(2)}, tol="big")
    assert check.status == "fail" and "tol" in check.result.message


def test_a_bad_reference_is_named(rnn_inputs):
    check = learner.check_pair(*RNN_REFERENCE, rnn_inputs, reference=rnnlab.rnn_step_forward)
    assert check.result.passed and not check.reference_result.passed
    assert "reference must be a pair" in check.reference_result.message


def test_wrong_gradient_shape_is_named(rnn_inputs):
    def wrong_shape(dh, cache):
        dx, dh_prev, grads = rnnlab.rnn_step_backward(dh, cache)
        return dx, dh_prev, {**grads, "b_h": grads["b_h"][None]}  # (1, H) instead of (H,)

    check = learner.check_pair(rnnlab.rnn_step_forward, wrong_shape, rnn_inputs)
    assert "gradient for 'b_h' has shape (1, 5)" in check.result.message
    assert check.result.errors["b_h"] == float("inf")


def test_rnnlab_step_conventions_need_no_wrappers():
    rng = np.random.default_rng(1)
    N, D, H = 2, 3, 4
    x_t, h_prev, c_prev = (rng.standard_normal((N, D)), rng.standard_normal((N, H)),
                           rng.standard_normal((N, H)))

    def params(G, bias_n=False):
        p = {"w_x": rng.standard_normal((G * H, D)) * 0.5,
             "w_h": rng.standard_normal((G * H, H)) * 0.5, "b_h": rng.standard_normal(G * H)}
        return {**p, "b_hn": rng.standard_normal(H)} if bias_n else p

    gru = (rnnlab.gru_step_forward, rnnlab.gru_step_backward)
    for variant in ("pytorch", "original"):
        inputs = dict(x_t=x_t, h_prev=h_prev, p=params(3, variant == "pytorch"), variant=variant)
        check = learner.check_pair(*gru, inputs, reference=gru)
        assert check.passed, check.summary()  # p's entries are checked one by one
        assert {"w_x", "w_h", "b_h", "x_t", "h_prev"} <= set(check.result.errors)
    lstm = (rnnlab.lstm_step_forward, rnnlab.lstm_step_backward)
    check = learner.check_pair(*lstm, dict(x_t=x_t, h_prev=h_prev, c_prev=c_prev, p=params(4)),
                               reference=lstm)
    assert check.passed and "c_prev" in check.result.errors, check.summary()  # h_t and c_t
    assert check.comparison.forward == 0.0


def test_the_learners_arrays_are_never_modified(rnn_inputs):
    before = {k: v.copy() for k, v in rnn_inputs.items() if isinstance(v, np.ndarray)}

    def scribbling_forward(x_t, h_prev, w_x, w_h, b_h, activation):
        out = rnnlab.rnn_step_forward(x_t, h_prev, w_x, w_h, b_h, activation)
        w_x *= 0  # writes into its input
        return out

    learner.check_pair(scribbling_forward, rnnlab.rnn_step_backward, rnn_inputs,
                       reference=RNN_REFERENCE)
    assert all(np.array_equal(rnn_inputs[k], v) for k, v in before.items())
