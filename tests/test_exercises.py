"""The exercises: every reference solution passes its own check, the stubs are
"not done yet", each typical mistake gets its own diagnosis (and only that
mistake gets it), and nothing a learner's function does makes check() raise.

A mistake is made by editing the exercise's own solution text, so each buggy
version differs from the right one by exactly the bug named in the test.
"""
import itertools
import linecache
import re
import warnings

import numpy as np
import pytest

import rnnlab
from rnnlab import exercises as ex
from rnnlab.exercises import (Code, Feedback, Note, char_window, decoder_inputs, gru_step, gru_step_backward,
                              lstm_backward, lstm_step, lstm_step_backward, rnn_step, rnn_step_backward,
                              scalar_bptt, softmax_cross_entropy, softmax_temperature, truncated_bptt)
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


def test_namespaces_per_notebook():
    assert ex.rnn_cell.q1 is rnn_step and ex.rnn_cell.q2 is rnn_step_backward
    assert ex.training.q1 is scalar_bptt and ex.training.q2 is truncated_bptt
    assert ex.gates.q1 is gru_step and ex.gates.q2 is lstm_step
    assert [e.name for e in ex.gated_backward] == ["gru_step_backward", "lstm_step_backward", "lstm_backward"]
    assert [e.name for e in ex.capstone] == ["rnn_step", "rnn_step_backward", "softmax_cross_entropy",
                                             "char_window", "softmax_temperature", "decoder_inputs"]
    assert ex.capstone.q1 is rnn_step   # the capstone reuses exercise 1's checks
    assert set(ex.NOTEBOOKS) == {"rnn_cell", "training", "gates", "gated_backward", "capstone"}
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
    # lesson 04's loss e^2 is the library's many-to-one MSE for one number: the same values
    m = len(b_h)
    model = rnnlab.SequenceModel(1, m, 1, cell="rnn", pattern="many-to-one")
    model.set_params({"w_x": w_x[:, None], "w_h": w_h, "b_h": b_h, "w_y": w_y[None], "b_y": [b_y]})
    lib_loss, lib = model.loss_and_grads(xs.reshape(-1, 1, 1), np.array([[p]]))
    assert np.isclose(lib_loss, loss0)
    np.testing.assert_allclose(lib["w_h"], grads["w_h"], rtol=1e-10)
    np.testing.assert_allclose(lib["w_x"][:, 0], grads["w_x"], rtol=1e-10)


@pytest.mark.parametrize("edit, phrases, mistake", [
    (("np.outer(da, hs[t - 1])", "np.outer(da, hs[t])"),
     ["dw_h is off by one in time", "not hs[t], the state h_t it made"], "dw_h_off_by_one"),
    (("(1 - hs[t] ** 2)", "(1 - hs[t - 1] ** 2)"), ["tanh' is off by one in time"], "derivative_off_by_one"),
    (("range(k, 0, -1)", "range(k - 1, 0, -1)"), ["leaves out step k", "off-by-one in time"], "skip_last_step"),
    (("range(k, 0, -1)", "range(k, 1, -1)"), ["stops before step 1", "off-by-one in time"], "skip_first_step"),
    (("grads[\"w_x\"] += da * xs[t - 1]", "grads[\"w_x\"] += da * xs[t - 2]"),
     ["dw_x is off by one in time"], "dw_x_off_by_one"),
    (("        dh = w_h.T @ da", "        pass"), ["not carried back through time"], "no_carry"),
    (("        dh = w_h.T @ da", "        dh = 0 * da"), ["coming back from step t + 1 is dropped"],
     "carry_dropped"),
    (("dh = w_h.T @ da", "dh = w_h @ da"), ["w_h @ da uses w_h untransposed"], "w_h_not_transposed"),
    (("da = dh * (1 - hs[t] ** 2)", "da = dh"), ["multiplied by tanh'(a_t) = 1 - h_t**2"], "no_tanh_derivative"),
    # the slips issue 11 found unnamed
    (("range(k, 0, -1)", "range(1, k + 1)"), ["runs forwards in time", "range(k, 0, -1)"], "forwards_in_time"),
    (("\"w_y\": dy * hs[k]", "\"w_y\": dy * hs[k - 1]"), ["dw_y uses the wrong state", "hs[k]"],
     "dw_y_wrong_state"),
])
def test_scalar_bptt_specific_mistakes(edit, phrases, mistake):
    fb = scalar_bptt.check(mutant(scalar_bptt, edit))
    failed(fb, *phrases)
    assert fb.mistakes == (mistake,)


def test_scalar_bptt_shared_weights_overwritten_instead_of_added_is_named():
    # issue 11: '=' instead of '+=' got only "dw_h: 0 times the expected values"
    fb = scalar_bptt.check(mutant(scalar_bptt, ('grads["w_x"] += da', 'grads["w_x"] = da'),
                                  ('grads["w_h"] += np.outer', 'grads["w_h"] = np.outer'),
                                  ('grads["b_h"] += da', 'grads["b_h"] = da')))
    msg = failed(fb, "overwritten at every step (=) instead of added up (+=)", "step 1 reads h_0 = 0")
    assert fb.mistakes == ("overwrite",)
    assert "0 times the expected" not in msg


def test_scalar_bptt_loop_starting_past_the_end_raises_and_is_called_off_by_one():
    fn = define("import numpy as np\n"
                "def bptt(xs, p, w_x, w_h, b_h, w_y, b_y):\n"
                "    for t in range(len(xs), 0, -1):\n"
                "        x = xs[t]\n", "bptt")
    fb = scalar_bptt.check(fn)
    failed(fb, "your function raised IndexError", "(line 4)", "off-by-one in time", "reads xs[t - 1]")
    # with the solution's list of states it is a list IndexError: still pointed at the loop
    fb = scalar_bptt.check(mutant(scalar_bptt, ("range(k, 0, -1)", "range(k + 1, 0, -1)")))
    failed(fb, "IndexError", "off-by-one in time")


def test_scalar_bptt_sign_and_the_tutorials_half_loss():
    fb = scalar_bptt.check(mutant(scalar_bptt, ("e = y - p", "e = p - y")))
    failed(fb, "-1 times the expected one", "the sign is flipped")   # the loss e**2 is unchanged
    assert fb.mistakes == ("scaled",)
    fb = scalar_bptt.check(mutant(scalar_bptt, ("loss = e ** 2", "loss = 0.5 * e ** 2"),
                                  ("dy = 2 * e ", "dy = e ")))
    failed(fb, "0.5 times the expected one", "lesson 04's e**2, not 0.5 * e**2")


def test_scalar_bptt_random_wrong_answer_gets_the_generic_message():
    fb = scalar_bptt.check(mutant(scalar_bptt, ('grads["b_h"] += da', 'grads["b_h"] += da + 0.01')))
    msg = failed(fb, "db_h is wrong (relative error", "loss, dw_x, dw_h, dw_y and db_y are right")
    assert fb.notes == [] and fb.mistakes == () and "off by one" not in msg


def test_scalar_bptt_result_layout_errors():
    failed(scalar_bptt.check(lambda *a: {"w_x": 0}), "return a tuple (loss, grads)")
    fn = mutant(scalar_bptt, ('"w_y": dy * hs[k], ', ""))
    failed(scalar_bptt.check(fn), "dw_y is missing")


def test_scalar_bptt_speaks_rnnlabs_numbering_only():
    # one index convention (decision 1): no h_{t+1} = f(.. h_t ..), no h_{-1}
    text = " ".join([str(scalar_bptt.template()), str(scalar_bptt.solution()), *scalar_bptt.hints,
                     *[msg for _, msg, _ in scalar_bptt._variants(scalar_bptt._cases()[0], None)]])
    assert "h_{t+1} = " not in text and "h_{-1}" not in text and "hs[t + 1]" not in text
    assert "h_t = tanh(w_x x_t + w_h h_{t-1} + b_h)" in str(scalar_bptt.template())


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


# ---------------------------------------------------------------------------
# 6. the slips issue 11 found without a name, each named now
# ---------------------------------------------------------------------------

def test_backward_dx_and_dh_prev_swapped_is_named():
    fb = rnn_step_backward.check(mutant(rnn_step_backward, (
        "return dx_t, dh_prev, dw_x, dw_h, db_h", "return dh_prev, dx_t, dw_x, dw_h, db_h")))
    failed(fb, "dx_t and dh_prev are swapped")
    assert fb.mistakes == ("dx_dh_prev_swapped",)


def test_gru_blend_with_the_reset_gate_is_named():
    fb = gru_step.check(mutant(gru_step, ("(1 - z) * n + z * h_prev", "(1 - r) * n + r * h_prev")))
    failed(fb, "the blend uses the reset gate r", "h_t = (1 - z) * n + z * h_prev")
    assert fb.mistakes == ("blend_with_reset",)


@pytest.mark.parametrize("divisor, phrase, mistake", [
    ("N", "averaged over the sequences but summed over the steps", "loss_mean_over_sequences"),
    ("(stop - start)", "averaged over the steps but summed over the sequences", "loss_mean_over_steps"),
])
def test_truncated_loss_averaged_over_the_wrong_axis_is_named(divisor, phrase, mistake):
    fb = truncated_bptt.check(mutant(truncated_bptt, (" / y.size", f" / {divisor}")))
    failed(fb, phrase, "a mean over the wrong axis")
    assert fb.mistakes == (mistake,)


def test_truncated_gradients_overwritten_instead_of_added_is_named():
    fb = truncated_bptt.check(mutant(truncated_bptt, ("grads[name] += v", "grads[name] = v")))
    failed(fb, "overwritten at every step (=) instead of added up (+=)")
    assert fb.mistakes == ("overwrite",)


def test_truncated_speaks_rnnlabs_numbering():
    text = str(truncated_bptt.template()) + " ".join(truncated_bptt.hints)
    assert "h_{-1}" not in text and "h_0 = 0" in text and "t = 1..k" in text


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_feedback_header_names_the_function_the_learner_writes(exercise):
    stub = exercise.check(define(exercise.template(), exercise.function))
    assert str(stub).startswith(f"✗ Not done yet: {exercise.function}\n")
    assert f">{exercise.function}</span>" in stub._repr_html_()
    right = exercise.check(define(exercise.solution(), exercise.function))
    assert str(right).startswith(f"✓ Correct: {exercise.function}\n") and right.function == exercise.function
    assert right.exercise == exercise.name   # the exercise's own name stays available


# ---------------------------------------------------------------------------
# 7. the gated backward passes (exercise 4)
# ---------------------------------------------------------------------------

def _fd_check_pair(step_backward, forward, inputs):
    """Central differences of a forward step against a backward pass with the exercise's signature."""
    from rnnlab import learner
    return learner.check_pair(forward, step_backward, inputs)


@pytest.mark.parametrize("exercise", [gru_step_backward, lstm_step_backward], ids=lambda e: e.name)
def test_gated_step_references_match_central_differences(exercise):
    backward = define(exercise.solution(), exercise.function)
    args = exercise._cases()[0]["args"]
    if exercise is gru_step_backward:
        _, x, h, w_x, w_h, b_h, b_hn = args
        inputs = dict(x_t=x, h_prev=h, w_x=w_x, w_h=w_h, b_h=b_h, b_hn=b_hn)

        def forward(x_t, h_prev, w_x, w_h, b_h, b_hn):
            return rnnlab.gru_step_forward(x_t, h_prev, dict(w_x=w_x, w_h=w_h, b_h=b_h, b_hn=b_hn))[0], \
                (x_t, h_prev, w_x, w_h, b_h, b_hn)

        def back(dh, cache):
            return backward(dh, *cache)
    else:
        _, _, x, h, c, w_x, w_h, b_h = args
        inputs = dict(x_t=x, h_prev=h, c_prev=c, w_x=w_x, w_h=w_h, b_h=b_h)

        def forward(x_t, h_prev, c_prev, w_x, w_h, b_h):
            h_t, c_t, _ = rnnlab.lstm_step_forward(x_t, h_prev, c_prev, dict(w_x=w_x, w_h=w_h, b_h=b_h))
            return h_t, c_t, (x_t, h_prev, c_prev, w_x, w_h, b_h)

        def back(dh, dc, cache):
            return backward(dh, dc, *cache)
    check = _fd_check_pair(back, forward, inputs)
    assert check.status == "pass" and check.result.max_error < 1e-7, str(check)


def test_lstm_sequence_reference_is_the_lstm_layers_backward():
    from rnnlab.exercises._gated_backward import lstm_step_backward_reference
    backward = define(lstm_backward.solution(), "lstm_backward")
    layer = rnnlab.LSTM(3, 4, seed=1)
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((7, 2, 3))
    out, _, cache = layer.forward(xs)
    tr = layer.trace(cache)["layer0"]
    zeros = np.zeros((1, 2, 4))
    hs, cs = np.concatenate([zeros, tr["h"]]), np.concatenate([zeros, tr["c"]])
    dhs = rng.standard_normal(out.shape)
    p = layer.params
    mine = backward(dhs, xs, hs, cs, p["w_x"], p["w_h"], p["b_h"], lstm_step_backward_reference)
    dx, (dh0, dc0), g = layer.backward(dhs, None, cache)
    for a, b in zip(mine, (dx, dh0[0], dc0[0], g["w_x"], g["w_h"], g["b_h"])):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


_GRU_BACK = {"dn": "dn = dh_t * (1 - z)", "dz": "dz = dh_t * (h_prev - n)",
             "direct": "dh_prev = dh_t * z ", "tanh": "da_n = dn * (1 - n ** 2)",
             "reset": "da_r = da_n * hn * r * (1 - r)", "hidden": "da_n * r], axis=1)"}


@pytest.mark.parametrize("edit, phrase, mistake", [
    ((_GRU_BACK["dz"], "dz = dh_t * (n - h_prev)"), "the update gate's gradient has the wrong sign", "dz_sign"),
    ((_GRU_BACK["direct"], "dh_prev = 0 * dh_t "), "misses the direct route through the blend", "no_direct_path"),
    ((_GRU_BACK["tanh"], "da_n = dn"), "the candidate's tanh derivative is missing", "no_tanh_derivative"),
    ((_GRU_BACK["reset"], "da_r = da_n * a_h[:, 2*H:] * r * (1 - r)"), "b_hn is missing from it",
     "reset_gradient_without_b_hn"),
    ((_GRU_BACK["hidden"], "da_n], axis=1)"), "goes through the reset gate", "n_hidden_without_reset"),
])
def test_gru_step_backward_slips_are_named(edit, phrase, mistake):
    src = str(gru_step_backward.solution())
    if mistake == "n_hidden_without_reset":   # the slip reaches db_hn too
        src = src.replace("(da_n * r).sum(axis=0)", "da_n.sum(axis=0)")
    src = src.replace(*edit)
    assert src != str(gru_step_backward.solution())
    fb = gru_step_backward.check(define(src, "gru_step_backward"))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)


@pytest.mark.parametrize("edit, phrase, mistake", [
    (("dc = dc_t + dh_t * o * (1 - tc ** 2)", "dc = dc_t"), "misses the route through h_t", "h_path_missing"),
    (("dc = dc_t + dh_t * o * (1 - tc ** 2)", "dc = dh_t * o * (1 - tc ** 2)"), "dc_t, the gradient coming back along",
     "upstream_dc_ignored"),
    (("dc = dc_t + dh_t * o * (1 - tc ** 2)", "dc = dc_t + dh_t * o * (1 - c_t ** 2)"),
     "not 1 - c_t**2", "tanh_derivative_of_c"),
    (("dh_t * tc * o * (1 - o)", "dh_t * np.tanh(c_prev) * o * (1 - o)"), "uses the new cell",
     "output_gate_old_cell"),
    (("dc * i * (1 - g ** 2)", "dc * i * g * (1 - g)"), "the candidate g is a tanh", "candidate_sigmoid_derivative"),
    (("(da @ w_x, da @ w_h, dc * f,", "(da @ w_x, da @ w_h, dc,"), "the forget gate is missing from dc_prev",
     "dc_prev_no_forget"),
    (("(da @ w_x, da @ w_h, dc * f,", "(da @ w_x, dc * f, da @ w_h,"), "dh_prev and dc_prev are swapped",
     "dh_prev_dc_prev_swapped"),
])
def test_lstm_step_backward_slips_are_named(edit, phrase, mistake):
    fb = lstm_step_backward.check(mutant(lstm_step_backward, edit))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)


@pytest.mark.parametrize("edits, phrase, mistake", [
    ([("dh_next, dc_next, gx", "dh_next, _dc, gx")], "dc is not carried back", "dc_not_carried"),
    ([("dh = dhs[t - 1] + dh_next", "dh = dhs[t - 1]")], "dh is not carried back", "dh_not_carried"),
    ([("dh = dhs[t - 1] + dh_next", "dh = dhs[t - 1] if t == T else dh_next")],
     "the gradient from outside, dhs[t - 1], is not added at every step", "upstream_not_added"),
    ([("for t in range(T, 0, -1):", "for t in range(1, T + 1):")], "the loop runs forwards in time",
     "forwards_in_time"),
    ([("dw_x += gx ", "dw_x = gx "), ("dw_h += gh", "dw_h = gh"), ("db_h += gb", "db_h = gb")],
     "overwritten at every step (=) instead of added up (+=)", "overwrite"),
    ([("hs[t - 1], cs[t - 1]", "hs[t], cs[t]")], "step t read h_{t-1} and c_{t-1}", "state_off_by_one"),
])
def test_lstm_sequence_backward_slips_are_named(edits, phrase, mistake):
    fb = lstm_backward.check(mutant(lstm_backward, *edits))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)


def test_lstm_sequence_backward_reversed_dxs_is_named():
    src = str(lstm_backward.solution()).replace("dxs[t - 1] = dx", "dxs[T - t] = dx")
    fb = lstm_backward.check(define(src, "lstm_backward"))
    failed(fb, "dxs is in reverse time order")
    assert fb.mistakes == ("dxs_reversed",)


# ---------------------------------------------------------------------------
# 8. the capstone's exercises (exercise 5)
# ---------------------------------------------------------------------------


def test_char_window_reference_is_rnnlabs_model_on_one_window():
    from rnnlab.exercises._capstone import _char_window
    ids_in, ids_out, h, params = char_window._cases()[0]["args"][:4]
    V = params["w_x"].shape[1]
    loss, grads, h_last = _char_window(ids_in, ids_out, h, params)
    model = rnnlab.SequenceModel(V, h.shape[1], V, cell="rnn", loss="cross-entropy")
    model.set_params(params)
    x = np.eye(V)[ids_in]                                    # (S, N, V) one-hot
    lib_loss, lib = model.loss_and_grads(x, ids_out, h0=h[None])
    assert np.isclose(loss, lib_loss, rtol=1e-12)
    for key in params:
        np.testing.assert_allclose(grads[key], lib[key], rtol=1e-9, atol=1e-12)
    _, state = model.predict(x, h0=h[None], return_state=True)
    np.testing.assert_allclose(h_last, np.asarray(state).reshape(h_last.shape), rtol=1e-12)


def test_softmax_cross_entropy_without_the_max_shift_overflows_and_is_told_why():
    fb = softmax_cross_entropy.check(mutant(softmax_cross_entropy, (
        "z = logits - logits.max(axis=1, keepdims=True)", "z = logits")))
    failed(fb, "right on the first test, but not on test 3", "np.exp overflows for large scores")
    assert "overflow" in fb.mistakes


@pytest.mark.parametrize("edits, phrase, mistake", [
    ([("loss = -np.log(p[rows, targets]).mean()", "loss = -np.log(p[rows, targets]).sum()"),
      ("return loss, dlogits / N", "return loss, dlogits")], "summed over the batch", "summed_over_batch"),
    ([("return loss, dlogits / N", "return loss, dlogits")], "dlogits is not divided by N", "gradient_not_averaged"),
    ([("dlogits[rows, targets] -= 1", "pass")], "the target's entry must also lose 1", "no_one_hot"),
])
def test_softmax_cross_entropy_slips_are_named(edits, phrase, mistake):
    fb = softmax_cross_entropy.check(mutant(softmax_cross_entropy, *edits))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)


@pytest.mark.parametrize("edits, phrase, mistake", [
    ([("loss += l / S", "loss += l"), ("dzs.append(dz / S)", "dzs.append(dz)")],
     "summed over its steps", "loss_summed_over_steps"),
    ([("dh = dzs[t - 1] @ w_y + dh_next", "dh = dzs[t - 1] @ w_y")], "the gradient from step t + 1 is not added",
     "no_carry_in_window"),
    ([("xs, hs, dzs, loss = [], [h], [], 0.0", "xs, hs, dzs, loss = [], [np.zeros_like(h)], [], 0.0")],
     "starts from a zero state", "state_reset"),
    ([("grads[\"w_y\"] += dzs[t - 1].T @ hs[t]", "grads[\"w_y\"] += dzs[t - 1].T @ hs[t - 1]")],
     "dw_y uses the wrong state", "dw_y_wrong_state"),
    ([("return loss, grads, hs[S]", "return loss, grads, hs[S - 1]")], "the state returned is not the window's last",
     "wrong_last_state"),
])
def test_char_window_slips_are_named(edits, phrase, mistake):
    fb = char_window.check(mutant(char_window, *edits))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)
    # the summary's "... are right" names only what the table marks ok (it once named every output)
    wrong = {row[0] for row in fb.rows if row[3] != "ok"}
    assert wrong and not wrong & said_right(fb), fb.summary


def said_right(fb):
    """The outputs a summary calls right: its clause "a, b and c are right" (or "a is right")."""
    found = re.search(r"(?:^|; )([^;]*) (?:is|are) right\.?$", fb.summary)
    return set(re.split(r", | and ", found.group(1))) if found else set()


def test_softmax_temperature_slips_are_named():
    fb = softmax_temperature.check(mutant(softmax_temperature, ("z = logits / temperature", "z = logits * temperature")))
    failed(fb, "multiplied by the temperature")
    assert fb.mistakes == ("multiplied",)
    fb = softmax_temperature.check(mutant(softmax_temperature, ("z = z - z.max(axis=1, keepdims=True)", "pass")))
    failed(fb, "np.exp overflows")
    assert "overflow" in fb.mistakes


@pytest.mark.parametrize("edit, phrase, mistake", [
    (("return np.concatenate([first, targets[:-1]])", "return targets"), "the very token it must produce",
     "not_shifted"),
    (("return np.concatenate([first, targets[:-1]])", "return np.concatenate([targets[1:], first])"),
     "shifted the wrong way", "shifted_the_wrong_way"),
    (("return np.concatenate([first, targets[:-1]])", "return np.concatenate([first, targets[1:]])"),
     "the first target is never read", "first_target_skipped"),
])
def test_decoder_inputs_slips_are_named(edit, phrase, mistake):
    fb = decoder_inputs.check(mutant(decoder_inputs, edit))
    failed(fb, phrase)
    assert fb.mistakes == (mistake,)


def test_still_to_write_names_what_does_not_pass_and_nothing_else():
    right = define(rnn_step.solution(), "rnn_step_forward")
    stub = define(softmax_cross_entropy.template(), "softmax_cross_entropy")
    wrong = mutant(rnn_step_backward, ("da = dh_t * (1 - h_t ** 2)", "da = dh_t"))
    left = ex.capstone.still_to_write(q1=right, q2=wrong, q3=stub)
    assert left == ["rnn_step_backward (q2): its check does not pass yet",
                    "softmax_cross_entropy (q3): not done yet"]
    assert ex.capstone.still_to_write(q1=right) == []
    with pytest.raises(ValueError, match="unknown exercise 'q9'"):
        ex.capstone.still_to_write(q9=right)
