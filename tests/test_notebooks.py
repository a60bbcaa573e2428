"""The notebooks as files: the lesson list, the conventions of docs/notebooks.md,
and every link between notebooks and documents.

Running the notebooks is nbval's job (``pytest --nbval-lax notebooks``); these
tests read them without a kernel, so they are fast.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

#: the lessons, in order (TEAM_GUIDE decision 6)
LESSONS = ["00_start_here", "01_what_is_an_rnn", "02_unfolding", "03_activations", "04_bptt",
           "05_truncated_bptt", "06_types_of_rnn", "07_strengths_and_limits", "08_bidirectional",
           "09_gru_lstm", "10_time_series", "11_text"]

ALL = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "exercises").glob("*.ipynb"))
LESSON_PATHS = [NOTEBOOKS / f"{name}.ipynb" for name in LESSONS]
EXERCISES = sorted((NOTEBOOKS / "exercises").glob("*.ipynb"))
DOCUMENTS = [ROOT / "README.md", NOTEBOOKS / "exercises" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)   # links inside code are examples, not links


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def markdown(path):
    return "\n".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown")


def rel(path):
    return str(path.relative_to(ROOT))


def test_the_lessons_are_the_twelve_of_the_plan():
    found = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert found == LESSONS


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_committed_without_outputs_with_the_python3_kernelspec(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3", "save the python3 kernelspec"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"strip the outputs: {''.join(cell['source'])[:60]!r}")


@pytest.mark.parametrize("path", ALL + DOCUMENTS, ids=rel)
def test_every_relative_link_resolves(path):
    text = markdown(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
    for target in LINK.findall(CODE.sub("", text)):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        file = target.split("#")[0]
        assert (path.parent / file).exists(), f"{rel(path)} links to {target}, which does not exist"


@pytest.mark.parametrize("i", range(len(LESSONS)), ids=LESSONS)
def test_lessons_link_to_their_neighbours_at_top_and_bottom(i):
    cells = [c for c in load(LESSON_PATHS[i])["cells"] if c["cell_type"] == "markdown"]
    first, last = "".join(cells[0]["source"]), "".join(cells[-1]["source"])
    expected = []
    if i > 0:
        expected.append(f"[← previous]({LESSONS[i - 1]}.ipynb)")
    if i + 1 < len(LESSONS):
        expected.append(f"({LESSONS[i + 1]}.ipynb)")
    for text in (first, last):
        for link in expected:
            assert link in text, f"{LESSONS[i]}: {link} missing at the top or the bottom"


@pytest.mark.parametrize("path", LESSON_PATHS, ids=LESSONS)
def test_lessons_open_with_a_numbered_title_and_learning_objectives(path):
    text = markdown(path)
    number = path.stem[:2]
    assert re.search(rf"^# {number} · ", text, re.M), f"{path.stem}: title '# {number} · ...' missing"
    objectives = re.search(r"\*\*You will learn\*\*\n\n((?:- .+\n(?:  .+\n)*)+)", text + "\n")
    assert objectives and objectives.group(1).count("\n- ") >= 1, (
        f"{path.stem}: a 'You will learn' list of objectives near the top is missing")


def test_readme_and_the_map_list_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = markdown(NOTEBOOKS / "00_start_here.ipynb")
    for name in LESSONS:
        assert f"(notebooks/{name}.ipynb)" in readme, f"README's lesson table lacks {name}"
        assert f"({name}.ipynb)" in start, f"the map in 00_start_here lacks {name}"


def test_exercise_readme_lists_every_exercise_notebook():
    text = (NOTEBOOKS / "exercises" / "README.md").read_text(encoding="utf-8")
    for path in EXERCISES:
        assert f"({path.name})" in text, f"notebooks/exercises/README.md lacks {path.name}"


HEADING = re.compile(r"^(#{1,6}) ", re.M)


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_headings_go_down_one_level_at_a_time(path):
    # the lesson site (Sphinx, warnings as errors) refuses a jump such as '#' then '###'
    levels = [len(m) for m in HEADING.findall(CODE.sub("", markdown(path)))]
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"{rel(path)}: a heading of level {after} follows one of level {before}"


#: the longest line a code cell may have, in characters
CODE_LINE_LIMIT = 79


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_code_cells_fit_a_laptop_window(path):
    """No code-cell line is longer than 79 characters, in every cell alike
    (starter, solution and hidden cells too, and the Voila app's).

    A line wider than the cell does not wrap: JupyterLab scrolls the whole
    cell sideways and hides its right end. 79 is PEP 8's limit, and what a
    code cell shows without scrolling in a 900-px window with the file
    browser closed (about 90 columns at JupyterLab's default 13-px font), or
    in a window of about 1060 px with the file browser open; at 900 px with
    it open a cell shows about 58 columns, too few to write NumPy readably.
    """
    for cell in load(path)["cells"]:
        if cell["cell_type"] != "code":
            continue
        for number, line in enumerate("".join(cell["source"]).splitlines(), 1):
            assert len(line) <= CODE_LINE_LIMIT, (
                f"{rel(path)}, cell {cell.get('id')}, line {number} has {len(line)} characters "
                f"(at most {CODE_LINE_LIMIT}): {line.strip()[:60]!r}")


FIGSIZE = re.compile(r"figsize=\(\s*([0-9.]+)\s*,")


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_figures_fit_a_laptop_window(path):
    """Matplotlib figures are at most 6.4 inches wide (640 px at the inline backend's 100 dpi).

    At 900 px with the file browser open an output area is about 460 px wide and JupyterLab
    shrinks a wider picture to fit: an 11-inch figure came out at 40% and its text could not be
    read. Stack side-by-side panels instead, and put long legends under the plot."""
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            for width in FIGSIZE.findall("".join(cell["source"])):
                assert float(width) <= 6.4, (
                    f"{rel(path)}, cell {cell.get('id')}: a figure {width} inches wide is shrunk to a "
                    "third in a laptop's JupyterLab; at most 6.4")
