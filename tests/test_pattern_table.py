"""rnnlab.patterns is the one home of the five patterns; every module asks it."""
import ast
from pathlib import Path

import numpy as np
import pytest

import rnnlab
from rnnlab.patterns import PATTERNS, get_pattern, select

PACKAGE = Path(rnnlab.__file__).resolve().parent


def test_the_table_says_what_differs():
    per_sequence = {p for p in PATTERNS if get_pattern(p).per_sequence}
    one_step = {p for p in PATTERNS if get_pattern(p).one_input_step}
    told = {p for p in PATTERNS if get_pattern(p).needs_output_length}
    assert per_sequence == {"one-to-one", "many-to-one"}
    assert one_step == {"one-to-one", "one-to-many"}
    assert told == {"one-to-many", "encoder-decoder"}
    assert select(one_input_step=False, needs_output_length=False) == ("many-to-one", "many-to-many")
    assert [get_pattern(p).steps_out(7, 3) for p in PATTERNS] == [1, 3, 1, 7, 3]
    with pytest.raises(TypeError, match="unknown properties"):
        select(loss_at_end=True)


@pytest.mark.parametrize("pattern, steps_in, total, loss_steps", [
    ("one-to-one", 1, 1, [0]),
    ("one-to-many", 1, 3, [0, 1, 2]),
    ("many-to-one", 5, 5, [4]),
    ("many-to-many", 5, 5, [0, 1, 2, 3, 4]),
    ("encoder-decoder", 5, 8, [5, 6, 7]),
])
def test_unrolled_inputs(pattern, steps_in, total, loss_steps):
    x = np.arange(steps_in * 2 * 1, dtype=float).reshape(steps_in, 2, 1) + 1
    x_full, steps = get_pattern(pattern).unrolled_inputs(x, output_length=3)
    assert x_full.shape == (total, 2, 1) and steps.tolist() == loss_steps
    assert np.array_equal(x_full[:steps_in], x) and not x_full[steps_in:].any()  # then zeros


def test_names_aliases_and_errors():
    assert get_pattern("Many_To_One").name == "many-to-one"
    assert get_pattern("seq2seq").name == "encoder-decoder"
    assert rnnlab.SequenceModel(1, 2, 1, pattern="seq2seq", output_length=2).pattern == "encoder-decoder"
    with pytest.raises(ValueError, match="unknown pattern 'many-to-few'; valid: encoder-decoder, "):
        get_pattern("many-to-few")
    with pytest.raises(TypeError, match="pattern must be a string"):
        get_pattern(3)
    assert rnnlab.data.PATTERNS is PATTERNS and rnnlab.PATTERNS is PATTERNS


def _pattern_literals(node):
    """A literal tuple/list/set of two or more strings, all of them pattern names."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) >= 2:
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        return len(values) == len(node.elts) and all(v in PATTERNS for v in values)
    return False


def spelled_out(path):
    """``(line, text)`` where a module lists pattern names instead of asking rnnlab.patterns.

    A comparison with a literal collection of names (``pattern in ("one-to-many",
    "encoder-decoder")``) or a collection of names stored in a variable restates
    what the pattern table says. Arguments of a call, such as the tasks table's
    "this task can be posed as many-to-many or many-to-one", are facts about
    the task, not about the patterns, and are allowed.
    """
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(_pattern_literals(c) for c in node.comparators):
            found.append((node.lineno, ast.get_source_segment(source, node)))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _pattern_literals(node.value):
            found.append((node.lineno, ast.get_source_segment(source, node)))
    return sorted(found)


def test_no_module_spells_out_the_pattern_names():
    offenders = [f"{p.relative_to(PACKAGE.parent)}:{line}: {text}"
                 for p in sorted(PACKAGE.rglob("*.py")) if p.name != "patterns.py"
                 or p.parent != PACKAGE for line, text in spelled_out(p)]
    assert not offenders, "ask rnnlab.patterns (get_pattern, select) instead:\n" + "\n".join(offenders)


def test_the_check_catches_a_restatement(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('if model.pattern in ("one-to-many", "encoder-decoder"):\n    pass\n'
                     'NAMES = ["many-to-one", "many-to-many"]\n'
                     'Task("sine", ("many-to-many", "many-to-one"))\n')
    assert [line for line, _ in spelled_out(probe)] == [1, 3]
