"""How long each lesson takes, measured: the numbers behind docs/teaching.md's time estimates.

    .venv/bin/python kit/lesson_times.py            # runs every notebook once (a few minutes)

For every lesson and exercise notebook it prints

- words of prose (markdown cells; a formula counts as the words it is written with) and
  lines of code, read at READ_WPM words and CODE_LPM lines a minute;
- the wall time of running every cell once (the whole notebook), measured here with nbclient;
- the Try-this prompts (numbered or bulleted items under a "Try this" heading), at
  TRY_MINUTES each, and for exercise notebooks the functions to write, at WRITE_MINUTES each;

and the estimate, their sum rounded up to 5 minutes. The rates are stated assumptions;
the word counts, prompt counts and run times are measured.
"""
from __future__ import annotations

import json
import math
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READ_WPM = 150        # technical prose with formulas, read with care
CODE_LPM = 20         # lines of code read (not written) a minute
TRY_MINUTES = 3       # one Try-this prompt: change a setting, run, look, think
WRITE_MINUTES = 15    # one function of an exercise, with the check's feedback


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")) + sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))


def text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def try_prompts(markdown: str) -> int:
    """Items under each "Try this" heading (bold or #), up to the next blank-line-separated paragraph."""
    count = 0
    for match in re.finditer(r"^(?:\*\*|#+ *)Try this\b.*?\n((?:\s*\n)*(?:(?:[-*]|\d+\.) .*\n?(?:(?:   *|\t).*\n?)*)+)",
                             markdown, re.M | re.I):
        count += len(re.findall(r"^(?:[-*]|\d+\.) ", match.group(1), re.M))
    return count


def learner_cells(cells: list) -> list:
    """The cells a learner works through: an exercise's "For the automated test run" section is skipped."""
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and re.search(r"^#+ .*automated test run", text(cell), re.M | re.I):
            return cells[:i]
    return cells


def measure(path: Path, run: bool = True) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"] = learner_cells(nb["cells"])
    prose = "\n".join(text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    words = len(re.findall(r"[\w$\\^{}()+=-]+", re.sub(r"\]\([^)]*\)", "]", prose)))
    code = sum(len([ln for ln in text(c).splitlines() if ln.strip()]) for c in nb["cells"] if c["cell_type"] == "code")
    prompts = sum(try_prompts(text(c) + "\n") for c in nb["cells"] if c["cell_type"] == "markdown")
    to_write = len(re.findall(r"^\s*\w[\w.]*\.check\(\w+\)\s*$",
                              "\n".join(text(c) for c in nb["cells"] if c["cell_type"] == "code"), re.M))
    seconds = run_seconds(path) if run else 0.0
    minutes = words / READ_WPM + code / CODE_LPM + seconds / 60 + prompts * TRY_MINUTES + to_write * WRITE_MINUTES
    return {"notebook": path.relative_to(ROOT / "notebooks").as_posix(), "words": words, "code_lines": code,
            "run_seconds": round(seconds), "try_prompts": prompts, "functions_to_write": to_write,
            "minutes": 5 * math.ceil(minutes / 5)}


def run_seconds(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # allow_errors: a failing check cell is the lessons' test run's business; the time still counts
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    client.execute()
    return time.monotonic() - started


def main() -> int:
    rows = [measure(p, run="--no-run" not in sys.argv) for p in notebooks()]
    print("| notebook | words | code lines | run (s) | Try-this | to write | estimate (min) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        name = r["notebook"].rsplit("/", 1)[-1].removesuffix(".ipynb")
        print(f"| [{name}](../notebooks/{r['notebook']}) | {r['words']} | {r['code_lines']} | {r['run_seconds']} | {r['try_prompts']} "
              f"| {r['functions_to_write']} | {r['minutes']} |")
    lessons = sum(r["minutes"] for r in rows if not r["notebook"].startswith("exercises/"))
    print(f"\nLessons together: {lessons} minutes (about {lessons / 60:.1f} hours); the exercises: "
          f"{sum(r['minutes'] for r in rows) - lessons} minutes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
