"""Graded assignments from the exercise notebooks, with nbgrader; no Docker needed.

    python3 dev.py assignments                      make the course and grade the samples
    python3 dev.py assignments --submissions DIR    ... then grade a folder of students' notebooks
                                                    (DIR/<student>/<notebook>.ipynb) and export grades.csv
    python3 dev.py assignments --release-only       only make the student versions, to hand out

The course folder (default build/assignments) is an ordinary nbgrader course:

  source/<assignment>/     instructor versions: the exercise notebook with the reference
                           solutions and the graded tests, made here from notebooks/exercises/
  release/<assignment>/    student versions (nbgrader generate_assignment): no solutions,
                           no hidden tests, no self-test section; hand these out
  submitted/<student>/<assignment>/   what students handed in; autograded/, gradebook.db, grades.csv

Every exercise notebook in notebooks/exercises/ becomes one assignment, and every
``<exercise>.check(<function>)`` cell in it one graded exercise worth one point: its
hidden test asserts that rnnlab's own check passes (decision 5: ``bool(feedback)``,
``feedback.summary``), so the grader and the learner's self-check agree by construction.
Three sample submissions ship with the project and are graded on every run: the
reference solutions (full marks), kit/assignments/samples/partly_wrong.py (partial)
and the untouched student version (zero).
"""
from __future__ import annotations

import argparse
import ast
import copy
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXERCISES = ROOT / "notebooks" / "exercises"
SAMPLES = {"sample-correct": "the reference solutions", "sample-partial": "samples/partly_wrong.py",
           "sample-untouched": "the student version as handed out"}
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
CHECK_CALL = re.compile(r"^\s*([A-Za-z_][\w.]*)\.check\(\s*([A-Za-z_]\w*)\s*\)\s*$", re.M)
SELF_TEST = re.compile(r"^(#+)\s.*automated test run", re.M | re.I)
HEADING = re.compile(r"^(#+)\s", re.M)

os.environ["RNNLAB_SOLUTIONS"] = "on"  # the instructor's side needs them, whatever the course says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class AssignmentError(Exception):
    pass


# ------------------------------------------------------------ instructor version
def nbgrader_meta(grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def source_of(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def code_lines(text: str) -> str:
    """The code of a cell without its comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")).strip()


def exercise_namespace(cells) -> dict:
    """Run the notebook's imports from rnnlab.exercises, to find out what ``ex.q1`` is."""
    ns = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            for line in source_of(cell).splitlines():
                if re.match(r"\s*(from rnnlab\.exercises\b|import rnnlab\.exercises\b)", line):
                    exec(line.strip(), ns)
    return ns


def function_body(code: str, name: str) -> str:
    """The body of ``def name`` in ``code``, without its docstring, dedented."""
    tree = ast.parse(code)
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if not found:
        raise AssignmentError(f"no function {name} in:\n{code}")
    body = found[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    lines = code.splitlines()
    return textwrap.dedent("\n".join(lines[body[0].lineno - 1:body[-1].end_lineno]))


def with_solution(starter: str, exercise) -> str:
    """The starter cell with its ``raise NotImplementedError`` replaced by the reference body,
    between nbgrader's solution markers."""
    solution = str(exercise.solution())
    template_defs = {ast.dump(n) for n in ast.parse(exercise.template()).body}
    extra = [n for n in ast.parse(solution).body
             if ast.dump(n) not in template_defs and not (isinstance(n, ast.FunctionDef) and n.name == exercise.function)]
    if extra:
        raise AssignmentError(f"{exercise.name}: the solution has code outside {exercise.function} that the "
                              "starter code lacks; it cannot be cleared into a student version")
    match = re.search(r"^([ \t]+)raise NotImplementedError(\(\))?[ \t]*$", starter, re.M)
    if not match:
        raise AssignmentError(f"{exercise.name}: the starter cell has no 'raise NotImplementedError' line")
    indent = match.group(1)
    body = textwrap.indent(function_body(solution, exercise.function), indent)
    region = f"{indent}### BEGIN SOLUTION\n{body}\n{indent}### END SOLUTION"
    return starter[:match.start()] + region + starter[match.end():]


def graded_test(expr: str, function: str, points: int) -> str:
    return f'''# Graded ({points} point{"s" if points != 1 else ""}): the grader runs {expr}.check({function}), the check
# above, and gives the point{"s" if points != 1 else ""} when it reports ✓ Correct for code of your own.
### BEGIN HIDDEN TESTS
import ast as _ast, inspect as _inspect
_feedback = {expr}.check({function})
assert _feedback, f"{expr}.check({function}): {{_feedback.summary}}"
_used = {{n.id for n in _ast.walk(_ast.parse(_inspect.getsource({function}))) if isinstance(n, _ast.Name)}}
assert "rnnlab" not in _used, "{function} calls rnnlab's own code instead of computing the answer"
### END HIDDEN TESTS'''


def instructor_version(path: Path, points: int = 1):
    """The exercise notebook as nbgrader's source: solutions and graded tests in, self-test section out.

    Returns the notebook and the graded exercises, ``[(function, exercise)]``.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    ns = exercise_namespace(cells)
    out, graded, skip_level = [], [], None
    for index, cell in enumerate(cells):
        text = source_of(cell)
        if cell["cell_type"] == "markdown":
            heading = HEADING.match(text)
            if skip_level is not None and heading and len(heading.group(1)) <= skip_level:
                skip_level = None
            self_test = SELF_TEST.search(text)
            if self_test:
                skip_level = len(self_test.group(1))  # the notebook's own test of its checks
        if skip_level is not None:
            continue
        cell = copy.deepcopy(cell)
        cell.setdefault("metadata", {})
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if ".solution(" in text:  # the reference stays out of the student version
                if out and out[-1]["cell_type"] == "markdown" and "solution" in source_of(out[-1]).lower() \
                        and not HEADING.match(source_of(out[-1])):
                    out.pop()
                continue
            check = CHECK_CALL.search(text)
            if check and code_lines(text) == check.group(0).strip():
                expr, function = check.groups()
                exercise = eval(expr, dict(ns))
                if not callable(getattr(exercise, "check", None)) or not hasattr(exercise, "solution"):
                    raise AssignmentError(f"{path.name}: {expr} is not an rnnlab exercise")
                starter = next((i for i in range(len(out) - 1, -1, -1) if out[i]["cell_type"] == "code"
                                and re.search(rf"^def {function}\(", source_of(out[i]), re.M)), None)
                if starter is None:
                    raise AssignmentError(f"{path.name}: no starter cell defines {function} before {expr}.check")
                out[starter]["source"] = with_solution(source_of(out[starter]), exercise)
                out[starter]["metadata"]["nbgrader"] = nbgrader_meta(f"answer_{function}", solution=True)
                out.append(cell)
                out.append({"cell_type": "code", "execution_count": None, "outputs": [],
                            "metadata": {"nbgrader": nbgrader_meta(f"test_{function}", grade=True, locked=True,
                                                                   points=points)},
                            "source": graded_test(expr, function, points)})
                graded.append((function, exercise))
                continue
        out.append(cell)
    if not graded:
        raise AssignmentError(f"{path.name}: no '<exercise>.check(<function>)' cell to grade")
    nb["cells"] = out
    return nb, graded


# ------------------------------------------------------------------ submissions
def fill(student_nb: dict, bodies: dict[str, str]) -> dict:
    """A copy of the student version with ``bodies[function]`` in the answer cell of each function."""
    nb = copy.deepcopy(student_nb)
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        function = grade_id.removeprefix("answer_")
        if grade_id.startswith("answer_") and function in bodies:
            text = source_of(cell)
            match = re.search(r"^([ \t]+)# YOUR CODE HERE\n[ \t]+raise NotImplementedError\(\)", text, re.M)
            if not match:
                raise AssignmentError(f"the student version's answer cell for {function} has no stub")
            body = textwrap.indent(bodies[function], match.group(1))
            cell["source"] = text[:match.start()] + body + text[match.end():]
    return nb


def sample_bodies(graded) -> dict[str, dict[str, str]]:
    partly = (HERE / "samples" / "partly_wrong.py").read_text(encoding="utf-8")
    defined = {n.name for n in ast.parse(partly).body if isinstance(n, ast.FunctionDef)}
    correct = {function: function_body(str(ex.solution()), function) for function, ex in graded}
    partial = {function: function_body(partly, function) for function, _ in graded if function in defined}
    return {"sample-correct": correct, "sample-partial": partial, "sample-untouched": {}}


# --------------------------------------------------------------------- nbgrader
def nbgrader(course: Path, *args: str, quiet=True) -> None:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=quiet, text=True)
    if done.returncode:
        raise AssignmentError(f"nbgrader {' '.join(args)} failed:\n{(done.stdout or '')[-3000:]}{(done.stderr or '')[-3000:]}")


CONFIG = '''# nbgrader configuration of the rnnlab course, written by kit/assignments/build.py
c = get_config()
c.CourseDirectory.course_id = "rnnlab"
# a cell that runs longer (a panel that never finishes, an endless loop) is stopped and
# counted as an error, and grading goes on with the next cell
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
'''


def make_course(course: Path, timeout: int) -> dict[str, list]:
    """source/ and release/ for every exercise notebook; returns {assignment: graded exercises}."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(timeout=timeout, stub=STUB))
    shutil.rmtree(course / "source", ignore_errors=True)
    assignments = {}
    for path in sorted(EXERCISES.glob("*.ipynb")):
        nb, graded = instructor_version(path)
        target = course / "source" / path.stem / path.name
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        assignments[path.stem] = graded
    nbgrader(course, "generate_assignment", "*", "--force")
    return assignments


def student_version(course: Path, assignment: str) -> Path:
    return next((course / "release" / assignment).glob("*.ipynb"))


def add_submissions(course: Path, submissions: Path, assignments) -> list[str]:
    """Copy DIR/<student>/**/<notebook>.ipynb into submitted/<student>/<assignment>/."""
    by_name = {student_version(course, a).name: a for a in assignments}
    students = []
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for nb in folder.rglob("*.ipynb"):
            if nb.name in by_name and ".ipynb_checkpoints" not in nb.parts:
                target = course / "submitted" / folder.name / by_name[nb.name] / nb.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(nb, target)
                students.append(folder.name)
    return sorted(set(students))


def grade(course: Path, assignments) -> dict[tuple[str, str], tuple[float, float]]:
    """nbgrader autograde for every submission; returns {(student, assignment): (score, max)}."""
    nbgrader(course, "autograde", "*", "--force")
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    scores = {}
    with open(course / "grades.csv", newline="") as f:
        for row in csv.DictReader(f):
            if (course / "submitted" / row["student_id"] / row["assignment"]).is_dir():
                scores[row["student_id"], row["assignment"]] = (float(row["score"]), float(row["max_score"]))
    return scores


def report(scores, students, assignments) -> dict[str, tuple[float, float]]:
    """Print each student's points / total; an assignment not handed in counts 0 of its points."""
    totals = {}
    width = max(len(a) for a in assignments)
    for student in students:
        got = [scores.get((student, a), (0.0, None)) for a in assignments]
        per = "   ".join(f"{a:<{width}} {s:g} / {m:g}" if m is not None else f"{a:<{width}} not handed in"
                         for a, (s, m) in zip(assignments, got))
        total = (sum(s for s, _ in got), float(sum(len(g) for g in assignments.values())))
        totals[student] = total
        print(f"  {student:<18} {total[0]:g} / {total[1]:g}    ({per})")
    return totals


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=ROOT / "build" / "assignments",
                        help="the nbgrader course folder (default build/assignments)")
    parser.add_argument("--submissions", type=Path,
                        help="grade DIR/<student>/<notebook>.ipynb as well, after the samples")
    parser.add_argument("--timeout", type=int, default=120, help="seconds a cell may run when graded")
    parser.add_argument("--release-only", action="store_true",
                        help="make the student versions (release/) and stop; grade nothing")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    started = time.monotonic()
    try:
        # the course is made anew on every run: the submissions come from the samples and DIR
        for old in ("submitted", "autograded", "feedback", "release"):
            shutil.rmtree(course / old, ignore_errors=True)
        (course / "gradebook.db").unlink(missing_ok=True)
        assignments = make_course(course, args.timeout)
        total_points = sum(len(g) for g in assignments.values())
        print(f"assignments: {len(assignments)} from notebooks/exercises ({total_points} graded exercises); "
              f"student versions in {course / 'release'}")
        if args.release_only:
            return 0

        # the samples: the student version filled in three ways
        for assignment, graded in assignments.items():
            released = json.loads(student_version(course, assignment).read_text(encoding="utf-8"))
            for student, bodies in sample_bodies(graded).items():
                target = course / "submitted" / student / assignment / student_version(course, assignment).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(fill(released, bodies), indent=1, ensure_ascii=False))
        students = list(SAMPLES)
        if args.submissions:
            students += add_submissions(course, args.submissions.resolve(), assignments)
        scores = grade(course, assignments)
    except AssignmentError as err:
        print(f"assignments: {err}", file=sys.stderr)
        return 1

    print("graded with nbgrader autograde (no Docker), points / total:")
    totals = report(scores, students, assignments)
    print(f"grades: {course / 'grades.csv'}  ({time.monotonic() - started:.0f} s)")
    correct, partial, untouched = (totals[s] for s in SAMPLES)
    expected = (correct[0] == correct[1] > 0 and untouched[0] == 0 and 0 < partial[0] < partial[1])
    if not expected:
        print("assignments: the samples should score full, partial and zero marks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
