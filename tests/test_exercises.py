"""The exercises: every reference solution passes its own check, the stubs are
"not done yet", each typical mistake gets its own diagnosis (and only that
mistake gets it), and nothing a learner's function does makes check() raise.

A mistake is made by editing the exercise's own solution text, so each buggy
version differs from the right one by exactly the bug named in the test.
"""
import itertools
import linecache
import warnings

import numpy as np
import pytest

import rnnlab
from rnnlab import exercises as ex
from rnnlab.exercises import (Code, Feedback, Note, gru_step, lstm_step, rnn_step,
                              rnn_step_backward, scalar_bptt, truncated_bptt)
from rnnlab.exercises._gates import _gru, _lstm
from rnnlab.exercises._training import _tbptt, _tbptt_rnnlab

ALL = list(ex.EXERCISES.values())
_CELLS = itertools.count(1)
IDS = [e.name for e in ALL]


def define(source, name):
    """Exec learner source as a notebook cell would and return the function ``name``.

    IPython puts each cell's source in ``linecache`` under a made-up file name,
    which is how a traceback shows the learner's line; so does this.
    """
    source = str(source)
    filename = f"<learner cell {next(_CELLS)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    ns = {"__name__": "__main__"}
    exec(compile(source, filename, "exec"), ns)
    return ns[name]


def mutant(exercise, *edits):
    """The exercise's solution with ``(old, new)`` text edits applied (each must match)."""
    src = str(exercise.solution())
    for old, new in edits:
        assert src.count(old) == 1, f"{old!r} does not occur exactly once in the solution"
        src = src.replace(old, new)
    return define(src, exercise.function)


def failed(fb, *phrases):
    """Assert a failed Feedback whose text holds every phrase; return its message."""
    assert isinstance(fb, Feedback)
    assert fb.status == "fail" and not fb and not fb.passed, str(fb)
    for phrase in phrases:
        assert phrase in fb.message, f"{phrase!r} not in:\n{fb}"
    return fb.message


# ---------------------------------------------------------------------------
# every exercise
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_reference_solution_passes_its_own_check(exercise):
    fb = exercise.check(define(exercise.solution(), exercise.function))
    assert fb.passed and bool(fb) and fb.status == "pass", str(fb)
    assert "✓ Correct" in fb._repr_html_() and "✓ Correct" in str(fb)
    assert fb.rows and all(r[3] == "ok" for r in fb.rows)


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_template_stub_is_not_done_yet(exercise):
    code = ex.template(exercise.name)
    assert isinstance(code, Code) and code == exercise.template()
    assert ex.template(exercise.function) == code  # by the function's name too
    assert f"def {exercise.function}(" in code and "raise NotImplementedError" in code
    assert '"""' in code  # the docstring the notebook shows
    fb = exercise.check(define(code, exercise.function))
    assert fb.status == "todo" and not fb
    assert "not done yet: write the function body" in fb.message
    assert "Not done yet" in fb._repr_html_()


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_function_returning_none_is_not_done_yet(exercise):
    fb = exercise.check(lambda *args: None)
    assert fb.status == "todo" and "not done yet" in fb.message and "return" in fb.message


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_an_exception_becomes_a_failed_feedback_naming_it_and_the_line(exercise):
    fn = define("def f(*args):\n    n = len(args)\n    return [0, 1][n]\n", "f")
    fb = exercise.check(fn)  # must not raise
    failed(fb, "your function raised IndexError", "list index out of range", "(line 3)")
    assert fb.details == "line 3: return [0, 1][n]"
    assert "IndexError" in fb._repr_html_()


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_html_escapes_the_learner_text(exercise):
    def evil(*args):
        raise ValueError("<script>alert(1)</script> & co")

    page = exercise.check(evil)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "✗ Incorrect" in page and "rnnlab-feedback-fail" in page


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_junk_return_values_fail_without_raising_or_warning(exercise):
    junk = ["text", 3.5, {"a": 1}, [object()], (np.zeros(2), "x"), [[1, 2], [3]], [], (None, None),
            np.full((3, 4), 1j), np.full((3, 4), np.nan), np.full((3, 4), 1e300), [{}] * 4,
            (1e300, {"w_x": np.full(3, np.inf)}), [{"w_x": np.full((3, 2), 1e300)}] * 4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning or overflow noise in the notebook
        for value in junk:
            fb = exercise.check(lambda *args, value=value: value)
            assert fb.status == "fail", (value, str(fb))
            assert fb._repr_html_() and str(fb)


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_hints_are_successive(exercise):
    n = len(exercise.hints)
    assert n >= 2
    notes = [exercise.hint(i) for i in range(1, n + 1)]
    assert all(isinstance(h, Note) for h in notes)
    assert len({h.text for h in notes}) == n
    assert exercise.hint().text == notes[0].text
    assert notes[0].title.startswith(f"Hint 1 of {n}") and f".hint(2)" in notes[0].title
    assert exercise.hint(n + 5).text == notes[-1].text  # past the end: the last one
    assert "rnnlab-hint" in notes[0]._repr_html_() and notes[0].text[:20] in str(notes[0])


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_solution_is_code_that_shows_as_a_code_block(exercise):
    sol = exercise.solution()
    assert isinstance(sol, Code) and isinstance(sol, str)
    page = sol._repr_html_()
    assert "<pre" in page and "<code>" in page and "Solution" in page
    assert f"def {exercise.function}(" in repr(sol)


def test_check_finds_the_function_by_name_where_it_is_called():
    ns = {"exercise": rnn_step}
    exec(str(rnn_step.solution()) + "\nfb = exercise.check()\n", ns)
    assert ns["fb"].passed
    ns = {"exercise": rnn_step}
    exec("fb = exercise.check()", ns)
    failed(ns["fb"], "define rnn_step_forward first")


def test_check_refuses_rnnlabs_own_function_and_non_functions():
    failed(rnn_step.check(rnnlab.rnn_step_forward), "rnnlab's own")
    failed(rnn_step.check(np.zeros(3)), "check() takes your function")


def test_template_of_an_unknown_exercise_lists_the_valid_ones():
    with pytest.raises(ValueError, match="rnn_step"):
        ex.template("nope")


def test_namespaces_per_lesson():
    assert ex.rnn_cell.q1 is rnn_step and ex.rnn_cell.q2 is rnn_step_backward
    assert ex.training.q1 is scalar_bptt and ex.training.q2 is truncated_bptt
    assert ex.gates.q1 is gru_step and ex.gates.q2 is lstm_step
    assert set(ex.NOTEBOOKS) == {"rnn_cell", "training", "gates"}
    assert "rnn_step.check(rnn_step_forward)" in repr(rnn_step)
    assert "rnnlab-exercise" in rnn_step._repr_html_()


def line_of(source, text):
    """1-based number of the line of ``source`` that contains ``text``."""
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def test_feedback_bool_str_and_table():
    fb = rnn_step_backward.check(
        mutant(rnn_step_backward, ("dw_h = da.T @ h_prev", "dw_h = h_prev.T @ da")))
    assert not fb and fb.status == "fail"
    text = str(fb)
    assert text.startswith("✗ Incorrect: rnn_step_backward")
    page = fb._repr_html_()
    assert "<table" in page and page.count("<tr>") == 6  # header + one row per gradient
    assert "dw_h" in page and "wrong" in page


# ---------------------------------------------------------------------------
# 1. rnn_step
# ---------------------------------------------------------------------------

def test_rnn_step_wrong_shape_names_expected_and_got():
    fn = define("import numpy as np\n"
                "def f(x_t, h_prev, w_x, w_h, b_h):\n"
                "    return np.tanh(w_x @ x_t.T + w_h @ h_prev.T + b_h[:, None])\n", "f")
    msg = failed(rnn_step.check(fn), "h_t should have shape (N, H) = (3, 4), got (4, 3)")
    assert "right numbers but transposed" in msg


def test_rnn_step_transposed_w_x():
    fb = rnn_step.check(mutant(rnn_step, ("= x_t @ w_x.T", "= x_t @ w_x")))
    failed(fb, "looks like w_x is used transposed: write x_t @ w_x.T, since w_x has shape (H, D)")
    assert fb.mistakes == ("w_x_transposed",)


def test_rnn_step_transposed_w_h():
    fb = rnn_step.check(mutant(rnn_step, ("h_prev @ w_h.T", "h_prev @ w_h")))
    failed(fb, "looks like w_h is used transposed")
    assert fb.mistakes == ("w_h_transposed",)


def test_rnn_step_missing_activation():
    fb = rnn_step.check(mutant(rnn_step, ("return np.tanh(a)", "return a")))
    failed(fb, "the activation is missing", "apply np.tanh")
    assert fb.mistakes == ("no_activation",)


def test_rnn_step_sigmoid_instead_of_tanh():
    fb = rnn_step.check(mutant(rnn_step, ("return np.tanh(a)", "return 1 / (1 + np.exp(-a))")))
    failed(fb, "wrong activation", "sigmoid", "uses tanh")
    assert fb.mistakes == ("sigmoid",)


def test_rnn_step_missing_bias_and_missing_recurrence():
    failed(rnn_step.check(mutant(rnn_step, (" + b_h ", " "))), "b_h is missing")
    failed(rnn_step.check(mutant(rnn_step, (" + h_prev @ w_h.T", ""))),
           "the recurrent term h_prev @ w_h.T is missing")


def test_rnn_step_random_wrong_answer_gets_no_false_diagnosis():
    fb = rnn_step.check(mutant(rnn_step, ("return np.tanh(a)", "return np.tanh(1.1 * a + 0.05)")))
    msg = failed(fb, "h_t is wrong (relative error")
    assert fb.notes == [] and fb.mistakes == ()
    assert "transposed" not in msg and "activation" not in msg


def test_rnn_step_hard_coded_size_fails_on_a_later_test():
    fb = rnn_step.check(mutant(rnn_step, ("+ b_h ", "+ b_h[:4] ")))
    failed(fb, "right on the first test, but not on test 2", "raised ValueError",
           "w_x (H, D) = (5, 3)")


def test_rnn_step_tuple_return_is_explained():
    failed(rnn_step.check(lambda *a: (np.zeros((3, 4)), None)), "return h_t alone")


# ---------------------------------------------------------------------------
# 2. rnn_step_backward
# ---------------------------------------------------------------------------

def test_backward_missing_activation_derivative():
    fb = rnn_step_backward.check(
        mutant(rnn_step_backward, ("da = dh_t * (1 - h_t ** 2)", "da = dh_t")))
    failed(fb, "dh_t must be multiplied by tanh'(a) = 1 - h_t**2 before the matrix products")
    assert fb.mistakes == ("no_tanh_derivative",)
    assert fb.notes[0].startswith("dh_t must")  # it explains every gradient: no list of names


def test_backward_transposed_gradient():
    fb = rnn_step_backward.check(
        mutant(rnn_step_backward, ("dw_h = da.T @ h_prev", "dw_h = h_prev.T @ da")))
    failed(fb, "dw_h has the right numbers but transposed",
           "dw_h is wrong (relative error", "dx_t, dh_prev, dw_x and db_h are right")
    assert fb.mistakes == ("transposed_dw_h",)


def test_backward_per_gradient_message_for_a_random_wrong_answer():
    fb = rnn_step_backward.check(
        mutant(rnn_step_backward, ("dw_h = da.T @ h_prev", "dw_h = da.T @ h_prev + 0.1")))
    msg = failed(fb)
    assert msg.startswith("dw_h is wrong (relative error 0.")
    assert msg.endswith("; dx_t, dh_prev, dw_x and db_h are right.")
    assert fb.notes == [] and fb.mistakes == ()
    assert [r[3] for r in fb.rows] == ["ok", "ok", "ok", "wrong", "ok"]


@pytest.mark.parametrize("edit, phrase, mistake", [
    (("(1 - h_t ** 2)", "(1 - np.tanh(h_t) ** 2)"), "applies tanh twice", "tanh_twice"),
    (("(1 - h_t ** 2)", "h_t * (1 - h_t)"), "the sigmoid's derivative", "sigmoid_derivative"),
    (("dw_h = da.T @ h_prev", "dw_h = da.T @ h_t"), "dw_h uses h_t", "dw_h_uses_h_t"),
    (("dh_prev = da @ w_h ", "dh_prev = da @ w_h.T "), "dh_prev uses w_h transposed",
     "dh_prev_w_h_transposed"),
    (("db_h = da.sum(axis=0)", "db_h = da.mean(axis=0)"), "averaged over the batch", "db_h_mean"),
])
def test_backward_specific_mistakes(edit, phrase, mistake):
    fb = rnn_step_backward.check(mutant(rnn_step_backward, edit))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)


def test_backward_bias_not_summed_reports_shape_and_cause():
    fb = rnn_step_backward.check(mutant(rnn_step_backward, ("db_h = da.sum(axis=0)", "db_h = da")))
    failed(fb, "db_h should have shape (H,) = (4,), got (3, 4)", "summed over the batch")


def test_backward_wrong_number_of_outputs():
    fb = rnn_step_backward.check(mutant(
        rnn_step_backward, ("return dx_t, dh_prev, dw_x, dw_h, db_h", "return dw_x, dw_h, db_h")))
    failed(fb, "return 5 arrays in the order dx_t, dh_prev, dw_x, dw_h, db_h; got 3")


# ---------------------------------------------------------------------------
# 3. scalar_bptt
# ---------------------------------------------------------------------------

def test_scalar_reference_matches_central_differences_and_the_library_model():
    xs, p, w_x, w_h, b_h, w_y, b_y = scalar_bptt._cases()[0]["args"]
    bptt = define(scalar_bptt.solution(), "bptt")
    params = {"w_x": w_x, "w_h": w_h, "b_h": b_h, "w_y": w_y, "b_y": np.array(b_y)}

    def loss(q):
        return bptt(xs, p, q["w_x"], q["w_h"], q["b_h"], q["w_y"], float(q["b_y"]))[0]

    numeric = rnnlab.numerical_gradient(loss, {k: v.copy() for k, v in params.items()})
    loss0, grads = bptt(xs, p, w_x, w_h, b_h, w_y, b_y)
    for key in params:
        np.testing.assert_allclose(grads[key], numeric[key], rtol=1e-6, atol=1e-9)
    # the library's many-to-one model has loss (y - p)^2: twice ours, gradients twice ours
    m = len(b_h)
    model = rnnlab.SequenceModel(1, m, 1, cell="rnn", pattern="many-to-one")
    model.set_params({"w_x": w_x[:, None], "w_h": w_h, "b_h": b_h, "w_y": w_y[None], "b_y": [b_y]})
    lib_loss, lib = model.loss_and_grads(xs.reshape(-1, 1, 1), np.array([[p]]))
    assert np.isclose(lib_loss, 2 * loss0)
    np.testing.assert_allclose(lib["w_h"], 2 * grads["w_h"], rtol=1e-10)
    np.testing.assert_allclose(lib["w_x"][:, 0], 2 * grads["w_x"], rtol=1e-10)


@pytest.mark.parametrize("edit, phrases, mistake", [
    (("np.outer(da, hs[t])", "np.outer(da, hs[t + 1])"),
     ["dw_h is off by one in time", "h_{t-1}, not the state it produced, h_t"], "dw_h_off_by_one"),
    (("(1 - hs[t + 1] ** 2)", "(1 - hs[t] ** 2)"), ["tanh' is off by one in time"],
     "derivative_off_by_one"),
    (("range(len(xs) - 1, -1, -1)", "range(len(xs) - 2, -1, -1)"),
     ["leaves out the last step", "off-by-one in time"], "skip_last_step"),
    (("range(len(xs) - 1, -1, -1)", "range(len(xs) - 1, 0, -1)"),
     ["stops before the first step", "off-by-one in time"], "skip_first_step"),
    (("grads[\"w_x\"] += da * xs[t]", "grads[\"w_x\"] += da * xs[t - 1]"),
     ["dw_x is off by one in time"], "dw_x_off_by_one"),
    (("        dh = w_h.T @ da", "        pass"), ["not carried back through time"], "no_carry"),
    (("        dh = w_h.T @ da", "        dh = 0 * da"), ["gradient coming from step t+1 is not added"],
     "carry_dropped"),
    (("dh = w_h.T @ da", "dh = w_h @ da"), ["w_h @ da uses w_h untransposed"], "w_h_not_transposed"),
    (("da = dh * (1 - hs[t + 1] ** 2)", "da = dh"), ["multiplied by tanh'(a) = 1 - h_t**2"],
     "no_tanh_derivative"),
])
def test_scalar_bptt_specific_mistakes(edit, phrases, mistake):
    fb = scalar_bptt.check(mutant(scalar_bptt, edit))
    failed(fb, *phrases)
    assert fb.mistakes == (mistake,)


def test_scalar_bptt_loop_starting_at_T_raises_and_is_called_off_by_one():
    fn = define("import numpy as np\n"
                "def bptt(xs, p, w_x, w_h, b_h, w_y, b_y):\n"
                "    for t in range(len(xs), -1, -1):\n"
                "        x = xs[t]\n", "bptt")
    fb = scalar_bptt.check(fn)
    failed(fb, "your function raised IndexError", "(line 4)", "off-by-one in time",
           "starts at t = k-1")
    # with the solution's list of states it is a list IndexError: still pointed at the loop
    fb = scalar_bptt.check(mutant(scalar_bptt, ("range(len(xs) - 1, -1, -1)", "range(len(xs), -1, -1)")))
    failed(fb, "IndexError", "off-by-one in time")


def test_scalar_bptt_sign_and_factor_two():
    fb = scalar_bptt.check(mutant(scalar_bptt, ("dy = y - p", "dy = p - y")))
    failed(fb, "-1 times the expected one", "the sign is flipped")
    assert fb.mistakes == ("scaled",)
    fb = scalar_bptt.check(mutant(scalar_bptt, ("loss = 0.5 * (y - p) ** 2", "loss = (y - p) ** 2"),
                                  ("dy = y - p", "dy = 2 * (y - p)")))
    failed(fb, "2 times the expected one", "no factor 2")


def test_scalar_bptt_random_wrong_answer_gets_the_generic_message():
    fb = scalar_bptt.check(mutant(scalar_bptt, ('grads["b_h"] += da', 'grads["b_h"] += da + 0.01')))
    msg = failed(fb, "db_h is wrong (relative error", "loss, dw_x, dw_h, dw_y and db_y are right")
    assert fb.notes == [] and fb.mistakes == () and "off by one" not in msg


def test_scalar_bptt_result_layout_errors():
    failed(scalar_bptt.check(lambda *a: {"w_x": 0}), "return a tuple (loss, grads)")
    fn = mutant(scalar_bptt, ('"w_y": dy * hs[-1], ', ""))
    failed(scalar_bptt.check(fn), "dw_y is missing")


# ---------------------------------------------------------------------------
# 4. gru_step and lstm_step
# ---------------------------------------------------------------------------

_GRU_R = "r = sigmoid(a_x[:, :H] + a_h[:, :H])"
_GRU_Z = "z = sigmoid(a_x[:, H:2*H] + a_h[:, H:2*H])"


def test_gru_helpers_match_the_library_cell():
    case = gru_step._cases()[1]
    np.testing.assert_allclose(_gru(*case["args"]), gru_step._reference(case)["h_t"], rtol=1e-12)
    case = lstm_step._cases()[1]
    ref = lstm_step._reference(case)
    h, c = _lstm(*case["args"])
    np.testing.assert_allclose(h, ref["h_t"], rtol=1e-12)
    np.testing.assert_allclose(c, ref["c_t"], rtol=1e-12)


def test_gru_swapped_gates():
    fb = gru_step.check(mutant(gru_step, (_GRU_R, _GRU_R.replace("r =", "z =")),
                               (_GRU_Z, _GRU_Z.replace("z =", "r ="))))
    failed(fb, "your gates look swapped: z and r")
    assert fb.mistakes == ("swap_rz",)


def test_gru_blend_mix_up():
    fb = gru_step.check(mutant(gru_step, ("(1 - z) * n + z * h_prev", "z * n + (1 - z) * h_prev")))
    failed(fb, "the blend is the wrong way round: h_t = (1 - z) * n + z * h_prev")
    assert fb.mistakes == ("blend_swapped",)


def test_gru_other_gate_order_and_reset_placement():
    # the learner takes the blocks as (z, n, r): a rotation, not a swap
    src = str(gru_step.solution())
    src = (src.replace("a_x[:, :H] + a_h[:, :H]", "A").replace("a_x[:, H:2*H] + a_h[:, H:2*H]", "B")
              .replace("a_x[:, 2*H:] + r * (a_h[:, 2*H:] + b_hn)", "C")
              .replace("sigmoid(A)", "sigmoid(a_x[:, 2*H:] + a_h[:, 2*H:])")
              .replace("sigmoid(B)", "sigmoid(a_x[:, :H] + a_h[:, :H])")
              .replace("np.tanh(C)", "np.tanh(a_x[:, H:2*H] + r * (a_h[:, H:2*H] + b_hn))"))
    fb = gru_step.check(define(src, "gru_step_forward"))
    failed(fb, "the gate blocks are read in the wrong order")
    fb = gru_step.check(mutant(gru_step, ("r * (a_h[:, 2*H:] + b_hn)", "(r * h_prev) @ w_h[2*H:].T + b_hn")))
    failed(fb, "the reset gate is applied before the product")


def test_gru_transposed_weight_raises_and_is_explained_with_the_shapes():
    fb = gru_step.check(mutant(gru_step, ("x_t @ w_x.T", "x_t @ w_x")))
    line = line_of(gru_step.solution(), "a_x = x_t @ w_x.T")
    failed(fb, "your function raised ValueError", f"(line {line})", "matmul",
           "w_x (3*H, D) = (12, 2)")
    assert fb.details.startswith(f"line {line}: a_x = x_t @ w_x + b_h")


def test_gru_random_wrong_answer():
    fb = gru_step.check(mutant(gru_step, ("+ z * h_prev", "+ 0.9 * z * h_prev")))
    failed(fb, "h_t is wrong (relative error")
    assert fb.notes == [] and fb.mistakes == ()


def test_lstm_swapped_gates():
    src = str(lstm_step.solution())
    src = src.replace("i = sigmoid(a[:, :H])", "i = sigmoid(a[:, H:2*H])", 1).replace(
        "f = sigmoid(a[:, H:2*H])", "f = sigmoid(a[:, :H])", 1)
    fb = lstm_step.check(define(src, "lstm_step_forward"))
    failed(fb, "your gates look swapped: f and i")
    assert fb.mistakes == ("swap_if",)


@pytest.mark.parametrize("edit, phrase, mistake", [
    (("h_t = o * np.tanh(c_t)", "h_t = o * c_t"), "the cell state goes through tanh", "cell_not_squashed"),
    (("g = np.tanh(a[:, 2*H:3*H])", "g = sigmoid(a[:, 2*H:3*H])"), "the candidate g uses tanh",
     "candidate_sigmoid"),
    (("c_t = f * c_prev + i * g", "c_t = f * c_prev + g"), "the input gate must scale", "no_input_gate"),
    (("return h_t, c_t", "return c_t, h_t"), "you returned (c_t, h_t)", "returned_c_h"),
])
def test_lstm_specific_mistakes(edit, phrase, mistake):
    fb = lstm_step.check(mutant(lstm_step, edit))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)


def test_lstm_partly_right_says_which_output_is_right():
    fb = lstm_step.check(mutant(lstm_step, ("h_t = o * np.tanh(c_t)", "h_t = o * c_t")))
    failed(fb, "h_t is wrong", "c_t is right")


def test_lstm_random_wrong_answer():
    fb = lstm_step.check(mutant(lstm_step, ("c_t = f * c_prev + i * g", "c_t = 0.9 * f * c_prev + i * g")))
    failed(fb, "h_t and c_t are wrong (relative errors 0.")
    assert fb.notes == [] and fb.mistakes == ()


# ---------------------------------------------------------------------------
# 5. truncated_bptt
# ---------------------------------------------------------------------------

def test_truncated_reference_is_the_library_tbptt_and_the_helper_agrees():
    for case in truncated_bptt._cases():
        xs, ys, k, params = case["args"][:4]
        lib = _tbptt_rnnlab(xs, ys, k, params)
        own = _tbptt(xs, ys, k, params)
        assert len(lib) == len(own) == -(-xs.shape[0] // k)
        for a, b in zip(lib, own):
            for key in a:
                np.testing.assert_allclose(a[key], b[key], rtol=1e-10, atol=1e-14)
    # the windows add up to rnnlab.truncated_grads (shares = window sizes / T)
    xs, ys, k, params = truncated_bptt._cases()[0]["args"][:4]
    model = rnnlab.SequenceModel(xs.shape[2], params["w_h"].shape[0], 1)
    model.set_params(params)
    _, total = rnnlab.truncated_grads(model, xs, ys, k)
    T = xs.shape[0]
    sizes = [min(k, T - a) for a in range(0, T, k)]
    summed = sum(s / T * g["w_h"] for s, g in zip(sizes, _tbptt(xs, ys, k, params)))
    np.testing.assert_allclose(total["w_h"], summed, rtol=1e-10)


def test_truncated_state_not_carried():
    fb = truncated_bptt.check(mutant(truncated_bptt, (
        "        stop = min(start + k, T)\n",
        "        stop = min(start + k, T)\n        h = np.zeros((N, w_h.shape[0]))\n")))
    failed(fb, "each window starts from a zero state", "windows 2, 3 and 4 are wrong", "window 1 is right")
    assert fb.mistakes == ("state_reset",)


def test_truncated_not_detached():
    fb = truncated_bptt.check(mutant(
        truncated_bptt,
        ("    windows = []\n", "    windows = []\n    history = []\n"),
        ("        windows.append(grads)\n",
         "        for cache in reversed(history):\n"
         "            _, dh, g = step_backward(dh, cache)\n"
         "            for name, v in g.items():\n"
         "                grads[name] += v\n"
         "        history += caches\n"
         "        windows.append(grads)\n")))
    failed(fb, "the gradient flows back across the window boundary", "detached")
    assert fb.mistakes == ("not_detached",)


def test_truncated_gradient_leaking_into_the_next_window():
    fb = truncated_bptt.check(mutant(
        truncated_bptt,
        ("    windows = []\n", "    windows = []\n    dh = np.zeros((N, w_h.shape[0]))\n"),
        ("        dh = np.zeros_like(h)\n", "")))
    failed(fb, "leaks across the window boundary")
    assert fb.mistakes == ("dh_leaks",)


def test_truncated_window_count():
    fb = truncated_bptt.check(mutant(truncated_bptt, ("range(0, T, k)", "range(0, T - k + 1, k)")))
    failed(fb, "expected 4 window gradients (T = 10, k = 3", "got 3", "the last, shorter window is missing")
    fb = truncated_bptt.check(mutant(truncated_bptt, ("range(0, T, k)", "range(0, T - k + 1)")))
    failed(fb, "got 8", "sliding window")


def test_truncated_sum_instead_of_mean():
    fb = truncated_bptt.check(mutant(truncated_bptt, (" / y.size", "")))
    failed(fb, "the window loss is summed over its outputs")
    assert fb.mistakes == ("loss_summed",)


def test_truncated_random_wrong_answer():
    fb = truncated_bptt.check(mutant(truncated_bptt, ("step_backward(dh + dhs[s]", "step_backward(0.9 * dh + dhs[s]")))
    msg = failed(fb, "windows 1, 2 and 3 are wrong (relative errors up to", "window 4 is right")
    assert fb.notes == [] and fb.mistakes == ()
    assert "boundary" not in msg and "zero state" not in msg
    assert [r[0] for r in fb.rows] == ["dw_x", "dw_h", "db_h", "dw_y", "db_y"]
    assert fb.rows[0][3].startswith("wrong in window") and fb.rows[3][3] == "ok"


def test_truncated_learner_misusing_the_step_function_gets_their_own_line():
    src = str(truncated_bptt.solution()).replace(
        "step_forward(xs[t], h, w_x, w_h, b_h)", "step_forward(xs[t], h, params)")
    fb = truncated_bptt.check(define(src, "truncated_gradients"))
    line = line_of(src, "step_forward(xs[t], h, params)")
    failed(fb, "your function raised TypeError", "missing 2 required positional arguments",
           f"(line {line})")
    assert fb.details.startswith(f"line {line}: h, cache = step_forward(xs[t], h, params)")


def test_an_error_inside_a_library_call_points_at_the_learners_line():
    src = str(truncated_bptt.solution()).replace("caches[s])", "None)")
    fb = truncated_bptt.check(define(src, "truncated_gradients"))
    line = line_of(src, "step_backward(dh + dhs[s], None)")
    failed(fb, "your function raised TypeError", f"(line {line})")
    assert "the error came from rnn_step_backward in cells.py, called from that line" in fb.details
