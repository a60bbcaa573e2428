"""The capstone notebook (notebooks/exercises/ex5_capstone.ipynb).

Untouched, it runs without error and says what is still to write. With the reference
solutions in the learner's cells it trains the character model and the encoder-
decoder, writes text at every temperature, passes every one of its checks, and all of
it takes under 60 s of CPU time in the kernel (one core: BLAS runs on one thread).
CPU time rather than wall time, so that a busy machine does not fail the test.
"""
import re

import nbformat
import pytest

from test_exercise_notebooks import EXERCISE_DIR, outputs_text, run, with_solutions

PATH = EXERCISE_DIR / "ex5_capstone.ipynb"
CPU_BUDGET = 60.0


def timed(nb):
    """The notebook with a first and a last cell that measure the kernel's CPU time."""
    nb.cells.insert(0, nbformat.v4.new_code_cell("import time as _timer\n_cpu0 = _timer.process_time()"))
    nb.cells.append(nbformat.v4.new_code_cell("print(f'CPU {_timer.process_time() - _cpu0:.2f} s')"))
    return nb


@pytest.fixture(scope="module")
def untouched():
    return outputs_text(run(timed(nbformat.read(PATH, as_version=4)), PATH))


@pytest.fixture(scope="module")
def solved():
    return outputs_text(run(timed(with_solutions(nbformat.read(PATH, as_version=4))), PATH, timeout=600))


def cpu_seconds(text):
    return float(re.search(r"CPU ([0-9.]+) s", text).group(1))


@pytest.mark.slow
def test_untouched_it_runs_and_says_what_is_still_to_write(untouched):
    assert "ERROR" not in untouched, untouched[-3000:]
    assert "Still to write before this cell can run:" in untouched
    for function in ("rnn_step_forward", "rnn_step_backward", "softmax_cross_entropy", "char_window",
                     "softmax_temperature", "decoder_inputs"):
        assert f"{function} (q" in untouched, f"the untouched capstone should name {function} as still to write"
    assert "check passed" not in untouched and "✓ Correct" not in untouched and "updates in" not in untouched
    assert cpu_seconds(untouched) < 15


@pytest.mark.slow
def test_with_the_reference_solutions_it_trains_samples_and_passes_every_check(solved):
    assert "ERROR" not in solved, solved[-3000:]
    assert solved.count("✓ Correct") >= 2 * 6          # six checks, plain text and HTML
    assert solved.count("check passed") == 4, solved
    assert "320 updates in" in solved
    for tau in ("0.3", "0.7", "1.0", "1.5"):
        assert f"===== temperature {tau}:" in solved, f"no sample at temperature {tau}"
    assert "your model is rnnlab's simple RNN to" in solved
    assert "trained with teacher forcing" in solved and "trained with free running" in solved


@pytest.mark.slow
def test_with_the_reference_solutions_it_takes_under_a_minute_of_cpu(solved):
    seconds = cpu_seconds(solved)
    print(f"capstone with the reference solutions: {seconds:.1f} s of CPU in the kernel")
    assert seconds < CPU_BUDGET, f"the capstone took {seconds:.1f} s of CPU; the budget is {CPU_BUDGET:.0f} s"
