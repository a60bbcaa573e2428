"""The exercise notebooks as a learner meets them, and what their former "automated
test run" sections proved, now proved here, out of the learner's sight.

* Run All on an untouched notebook shows no answer: no hint, no solution, no
  ✓ Correct; hints and solutions are behind commented-out calls; the gradient
  check panel says "not done yet" for a stub.
* Every starter cell is the library's current template, followed by its check.
* With the reference solutions filled in, the gradient checks of exercises 1 and
  4 pass and a typical slip is caught where it is.
"""
import ast
import json
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import rnnlab
from rnnlab import exercises as X

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_DIR = ROOT / "notebooks" / "exercises"
NOTEBOOKS = sorted(EXERCISE_DIR.glob("*.ipynb"))
CHECK_CALL = re.compile(r"^ex\.(q\d+)\.check\((\w+)\)$")
BY_FUNCTION = {ex.function: ex for ex in X.EXERCISES.values()}


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def live_code(source):
    """The lines of a cell that run (comments and blank lines dropped)."""
    return "\n".join(line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def starter_function(source):
    names = [n for n in re.findall(r"^def (\w+)\(", source, re.M) if n in BY_FUNCTION]
    return names[0] if names and "raise NotImplementedError" in source else None


def namespace_of(path):
    """The ExerciseSet the notebook imports as ``ex``."""
    for cell in code_cells(path):
        match = re.search(r"^from rnnlab\.exercises import (\w+) as ex", cell.source, re.M)
        if match:
            return getattr(X, match.group(1))
    raise AssertionError(f"{path.name} does not import its exercises as ex")


def with_solutions(nb):
    """The notebook with every starter cell replaced by the reference solution."""
    for cell in nb.cells:
        name = starter_function(cell.source) if cell.cell_type == "code" else None
        if name:
            cell.source = str(BY_FUNCTION[name].solution())
    return nb


def run(nb, path, timeout=300):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("NBGRADER_EXECUTION", None)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    old = dict(os.environ)
    os.environ.update(env)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return nb


def outputs_text(nb):
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type == "error":
                parts.append(f"ERROR {out.ename}: {out.evalue}")
            else:
                data = out.get("data", {})
                parts += [data.get("text/plain", ""), data.get("text/html", "")]
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# the notebooks as files
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_answer_is_shown_unless_asked_for(path):
    for cell in code_cells(path):
        code = live_code(cell.source)
        assert ".hint(" not in code and ".solution(" not in code, (
            f"{path.name}: a cell shows a hint or the solution without being asked:\n{cell.source}")
        assert "exec(" not in code and ".template(" not in code, f"{path.name}: {cell.source}"
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    assert "automated test run" not in text.lower()
    assert "# ex.q1.hint()" in text and "# ex.q1.solution()" in text or "capstone" in path.stem


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_its_current_template_and_a_check_right_after(path):
    ns = namespace_of(path)
    cells = code_cells(path)
    checked = {}
    for i, cell in enumerate(cells):
        name = starter_function(cell.source)
        if name is None:
            continue
        ex = BY_FUNCTION[name]
        assert cell.source.strip() == str(ex.template()).strip(), (
            f"{path.name}: the starter cell of {name} is not the library's template (decision 5 keeps them equal)")
        check = CHECK_CALL.match(live_code(cells[i + 1].source))
        assert check and check.group(2) == name, f"{path.name}: no ex.qN.check({name}) right after its starter cell"
        assert getattr(ns, check.group(1)) is ex, f"{path.name}: ex.{check.group(1)} is not the exercise for {name}"
        checked[check.group(1)] = name
    assert sorted(checked) == sorted(f"q{i}" for i in range(1, len(list(ns)) + 1)), (
        f"{path.name}: every exercise of its set needs a starter cell and a check: {checked}")


def test_the_exercise_readme_lists_the_notebooks_in_order():
    text = (EXERCISE_DIR / "README.md").read_text(encoding="utf-8")
    positions = [text.index(f"({p.name})") for p in NOTEBOOKS]
    assert positions == sorted(positions)


# ---------------------------------------------------------------------------
# what the notebooks' self-test sections used to prove
# ---------------------------------------------------------------------------

def _ex1_pair(step_backward):
    def forward(x_t, h_prev, w_x, w_h, b_h):
        h_t, _ = rnnlab.rnn_step_forward(x_t, h_prev, w_x, w_h, b_h)
        return h_t, (x_t, h_prev, h_t, w_x, w_h)

    def backward(dh_t, cache):
        return step_backward(dh_t, *cache)

    return forward, backward


def _define(source, name):
    ns = {}
    exec(compile(str(source), f"<{name}>", "exec"), ns)
    return ns[name]


EX1_INPUTS = (lambda rng: {"x_t": rng.standard_normal((3, 2)), "h_prev": np.tanh(rng.standard_normal((3, 4))),
                           "w_x": rng.normal(0, 0.6, (4, 2)), "w_h": rng.normal(0, 0.6, (4, 4)),
                           "b_h": rng.normal(0, 0.5, 4)})(np.random.default_rng(0))


def test_ex1_gradient_check_passes_the_reference_and_points_at_an_averaged_bias():
    from rnnlab import learner
    reference = _define(X.rnn_step_backward.solution(), "rnn_step_backward")
    result = learner.check_pair(*_ex1_pair(reference), EX1_INPUTS)
    assert result.status == "pass" and result.result.max_error < 1e-7, str(result)
    slip = _define(str(X.rnn_step_backward.solution()).replace("da.sum(axis=0)", "da.mean(axis=0)"),
                   "rnn_step_backward")
    caught = learner.check_pair(*_ex1_pair(slip), EX1_INPUTS).result
    assert not caught.passed and caught.worst == "b_h", str(caught)
    assert all(e < 1e-7 for name, e in caught.errors.items() if name != "b_h"), caught


@pytest.mark.parametrize("exercise", [X.rnn_step_backward], ids=lambda e: e.name)
def test_the_gradient_check_panel_says_not_done_yet_for_a_stub(exercise):
    from rnnlab.widgets import GradCheckView
    stub = _define(exercise.template(), exercise.function)
    view = GradCheckView.for_function(*_ex1_pair(stub), EX1_INPUTS)
    view.wait()
    assert "not done yet" in view.description, view.description
    assert view.pair_check.status == "todo"
    assert view._cols[0]["title"].get_text() == "your code: not done yet"   # the chart agrees (no FAILED)
    right = GradCheckView.for_function(*_ex1_pair(_define(exercise.solution(), exercise.function)), EX1_INPUTS)
    right.wait()
    assert right.result.passed, right.description


# ---------------------------------------------------------------------------
# Run All, as a learner would
# ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", ["ex1_rnn_step", "ex4_gated_backward"])
def test_run_all_untouched_shows_no_answer(name):
    path = EXERCISE_DIR / f"{name}.ipynb"
    text = outputs_text(run(nbformat.read(path, as_version=4), path))
    assert "ERROR" not in text, text[-2000:]
    assert "Not done yet" in text and "not done yet" in text
    for answer in ("✓ Correct", "Hint 1 of", "Solution:", "def rnn_step_forward", "np.tanh(a)"):
        assert answer not in text, f"{name}: an untouched Run All shows {answer!r}"


@pytest.mark.slow
def test_run_all_with_the_reference_solutions_passes_every_check_of_exercise_4():
    path = EXERCISE_DIR / "ex4_gated_backward.ipynb"
    text = outputs_text(run(with_solutions(nbformat.read(path, as_version=4)), path))
    assert "ERROR" not in text, text[-2000:]
    assert text.count("✓ Correct") >= 3 * 2       # three checks, in plain text and HTML
    diffs = [float(m) for m in re.findall(r"largest difference ([0-9.e+-]+)", text)]
    assert len(diffs) == 6 and max(diffs) < 1e-10, diffs
