"""Graded assignments (kit/assignments, nbgrader): student versions keep nothing of the
solutions, the shipped samples score full, partial and zero, and a folder of
submissions is graded even when a notebook's panels, threads or loops never finish."""
import ast
import csv
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "kit" / "assignments" / "build.py"
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]

spec = importlib.util.spec_from_file_location("rnnlab_kit_assignments", BUILD)
assignments = importlib.util.module_from_spec(spec)
spec.loader.exec_module(assignments)

EXERCISE_NOTEBOOKS = sorted((REPO / "notebooks" / "exercises").glob("*.ipynb"))


def run(*args, timeout=900):
    return subprocess.run([sys.executable, str(BUILD), *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def text_of(nb_path):
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    return nb, "\n".join("".join(c["source"]) for c in nb["cells"])


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    done = run("--course", course, "--release-only")
    assert done.returncode == 0, done.stdout + done.stderr
    return course


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory):
    """The samples, plus one student whose notebook has a training panel left running in a
    thread, an interact slider and an endless loop before the answers."""
    submissions = tmp_path_factory.mktemp("submissions")
    student = assignments.student_version(released, "ex1_rnn_step")
    nb = json.loads(student.read_text(encoding="utf-8"))
    graded_here = assignments.instructor_version(REPO / "notebooks" / "exercises" / "ex1_rnn_step.ipynb")[1]
    nb = assignments.fill(nb, assignments.sample_bodies(graded_here)["sample-correct"])
    restless = [
        "from rnnlab.widgets import Playground\npg = Playground(task='sine')\npg.train()   # never waited for\npg",
        "import ipywidgets\nipywidgets.interact(lambda k: k * 2, k=(1, 10))",
        "while True:   # a student's loop that never ends\n    pass",
    ]
    nb["cells"][2:2] = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                         "source": source} for source in restless]
    (submissions / "restless").mkdir()
    (submissions / "restless" / student.name).write_text(json.dumps(nb))
    course = tmp_path_factory.mktemp("graded")
    done = run("--course", course, "--submissions", submissions, "--timeout", 20)
    return course, done


def test_every_exercise_notebook_becomes_an_assignment(released):
    names = sorted(p.name for p in (released / "release").iterdir())
    assert names == [p.stem for p in EXERCISE_NOTEBOOKS]


@pytest.mark.parametrize("notebook", EXERCISE_NOTEBOOKS, ids=lambda p: p.stem)
def test_student_versions_hold_no_solution_and_no_hidden_test(released, notebook):
    nb, text = text_of(released / "release" / notebook.stem / notebook.name)
    source_nb, source_text = text_of(released / "source" / notebook.stem / notebook.name)
    assert "BEGIN SOLUTION" in source_text and "BEGIN HIDDEN TESTS" in source_text
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "_feedback", "automated test run"):
        assert marker not in text, f"{notebook.name}: student version contains {marker!r}"
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert ".solution(" not in code and "exec(" not in code
    graded = assignments.instructor_version(notebook)[1]
    assert graded
    for function, exercise in graded:
        body = assignments.function_body(str(exercise.solution()), function)
        distinctive = [ln.strip() for ln in body.splitlines() if len(ln.strip()) > 25 and not ln.strip().startswith("#")]
        assert distinctive
        leaked = [ln for ln in distinctive if ln in text]
        assert not leaked, f"{notebook.name}: the reference for {function} leaked: {leaked}"
        assert f"{function})" in text and f"def {function}(" in text  # check cell and starter kept
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in nb["cells"]]
    assert sorted(i for i in ids if i and i.startswith("test_")) == sorted(f"test_{f}" for f, _ in graded)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            assert cell["metadata"]["nbgrader"]["locked"] and cell["metadata"]["nbgrader"]["points"] == 1


def test_the_graded_tests_are_rnnlabs_own_checks(released):
    _, text = text_of(released / "source" / "ex1_rnn_step" / "ex1_rnn_step.ipynb")
    tests = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", text, re.S)
    assert len(tests) == 2
    for test in tests:
        ast.parse(test)
        assert re.search(r"_feedback = ex\.q\d\.check\(\w+\)\nassert _feedback, .*_feedback\.summary", test)


def test_samples_score_full_partial_and_zero(graded):
    course, done = graded
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    total = sum(len(assignments.instructor_version(p)[1]) for p in EXERCISE_NOTEBOOKS)
    scores = dict(re.findall(r"^  (sample-\w+)\s+(\d+ / \d+)", done.stdout, re.M))
    assert scores["sample-correct"] == f"{total} / {total}"
    assert scores["sample-untouched"] == f"0 / {total}"
    got = int(scores["sample-partial"].split(" / ")[0])
    assert 0 < got < total
    with open(course / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    partial = {r["assignment"]: float(r["score"]) for r in rows if r["student_id"] == "sample-partial"}
    assert sum(partial.values()) == got


def test_a_folder_of_submissions_is_graded_whatever_its_widgets_do(graded):
    course, done = graded
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    total = sum(len(assignments.instructor_version(p)[1]) for p in EXERCISE_NOTEBOOKS)
    assert re.search(rf"^  restless\s+2 / {total} .*ex1_rnn_step\s+2 / 2", done.stdout, re.M), done.stdout
    with open(course / "grades.csv", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["student_id"] == "restless" and r["assignment"] == "ex1_rnn_step")
    assert float(row["score"]) == float(row["max_score"]) == 2
    graded_nb = json.loads((course / "autograded" / "restless" / "ex1_rnn_step" / "ex1_rnn_step.ipynb").read_text())
    failed = {"".join(c["source"]) for c in graded_nb["cells"] if c["cell_type"] == "code"
              and any(o["output_type"] == "error" for o in c.get("outputs", []))}
    assert len(failed) == 1 and "while True" in failed.pop()  # only the endless loop, stopped
