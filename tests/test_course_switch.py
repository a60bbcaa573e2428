"""Solutions (and hints) off for a class: RNNLAB_SOLUTIONS / RNNLAB_HINTS or a course file
turn them into a polite note, and check() keeps working."""
import subprocess
import sys

import pytest

import rnnlab.exercises as exercises
from rnnlab.exercises import Code, Note

ALL = list(exercises.EXERCISES.values())


@pytest.fixture(autouse=True)
def no_course_settings(monkeypatch, tmp_path):
    for var in ("RNNLAB_SOLUTIONS", "RNNLAB_HINTS", "RNNLAB_COURSE_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))  # no course.ini there


def reference(ex):
    ns = {}
    exec(ex.solution(), ns)
    return ns[ex.function]


@pytest.mark.parametrize("ex", ALL, ids=lambda ex: ex.name)
def test_solutions_are_on_unless_a_course_turns_them_off(ex, monkeypatch):
    assert isinstance(ex.solution(), Code) and f"def {ex.function}" in ex.solution()
    fn = reference(ex)
    monkeypatch.setenv("RNNLAB_SOLUTIONS", "off")
    off = ex.solution()
    assert isinstance(off, Note) and not isinstance(off, str)
    assert "not available in this course" in str(off)
    assert f"def {ex.function}" not in str(off) + off._repr_html_()
    assert ex.check(fn), "check must keep working with solutions off"
    assert isinstance(ex.hint(), Note) and "not available" not in str(ex.hint())


@pytest.mark.parametrize("ex", ALL[:2], ids=lambda ex: ex.name)
def test_hints_can_be_turned_off_separately(ex, monkeypatch):
    first = str(ex.hint())
    monkeypatch.setenv("RNNLAB_HINTS", "off")
    assert "not available in this course" in str(ex.hint()) and first not in str(ex.hint(2))
    assert isinstance(ex.solution(), Code)
    monkeypatch.setenv("RNNLAB_SOLUTIONS", "no")
    assert "hint()" not in str(ex.solution())  # it does not point at hints that are off


def test_a_course_file_turns_them_off_and_the_environment_wins(monkeypatch, tmp_path):
    ex = ALL[0]
    course = tmp_path / "course.ini"
    course.write_text("[rnnlab]\nsolutions = off\nhints = on\n")
    monkeypatch.setenv("RNNLAB_COURSE_CONFIG", str(course))
    assert isinstance(ex.solution(), Note)
    assert "Hint 1" in str(ex.hint())
    monkeypatch.setenv("RNNLAB_SOLUTIONS", "on")  # e.g. the instructor's own environment
    assert isinstance(ex.solution(), Code)


def test_the_course_file_of_the_environment_is_read(monkeypatch, tmp_path):
    """A JupyterHub image puts the file in its Python environment: <sys.prefix>/etc/rnnlab/course.ini."""
    ini = tmp_path / "prefix" / "etc" / "rnnlab" / "course.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[rnnlab]\nsolutions = false\n")
    assert isinstance(ALL[0].solution(), Note)
    ini.write_text("[rnnlab]\nsolutions = true\n")
    assert isinstance(ALL[0].solution(), Code)


@pytest.mark.parametrize("setting", ["env", "file"])
def test_a_value_that_is_neither_on_nor_off_is_a_clear_error(setting, monkeypatch, tmp_path):
    if setting == "env":
        monkeypatch.setenv("RNNLAB_SOLUTIONS", "of")
        where = "RNNLAB_SOLUTIONS"
    else:
        course = tmp_path / "course.ini"
        course.write_text("[rnnlab]\nsolutions = hidden\n")
        monkeypatch.setenv("RNNLAB_COURSE_CONFIG", str(course))
        where = str(course)
    with pytest.raises(ValueError, match="must be on or off") as err:
        ALL[0].solution()
    assert where in str(err.value)


def test_a_kernel_started_with_the_variable_shows_the_note():
    code = ("from rnnlab.exercises import rnn_cell as ex; s = ex.q1.solution(); "
            "print(type(s).__name__); print(s)")
    env = {"RNNLAB_SOLUTIONS": "off", "PATH": ""}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Note\nSolutions are not available in this course")
