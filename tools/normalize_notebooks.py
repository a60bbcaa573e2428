#!/usr/bin/env python3
"""Put notebooks in the form JupyterLab leaves untouched, so opening and closing
an untouched lesson does not mark it modified.

When a kernel starts, JupyterLab writes the kernel's own description into the
notebook's metadata: ``kernelspec.display_name`` ("Python 3 (ipykernel)") and
the full ``language_info`` (mimetype, lexers, file extension, Python version).
Any difference from what the file holds marks the notebook modified, and
closing it asks to save. This script writes exactly those values, gives every
cell an id (nbformat 4.5) and drops metadata JupyterLab keeps only in memory.

The Python version is kept when the file has one (``x.y.z``), else taken from
this interpreter: JupyterLab still marks a notebook modified when the kernel's
Python differs from the stored version (jupyter/notebook#2123); the project's
machines run the stored one.

    python3 tools/normalize_notebooks.py            # rewrite notebooks/**/*.ipynb
    python3 tools/normalize_notebooks.py --check    # list the files not in that form
"""
from __future__ import annotations

import argparse
import copy
import json
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {  # what ipykernel reports, less the version
    "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
    "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MEMORY_ONLY_CELL_METADATA = ("trusted",)


def notebooks(root=ROOT):
    return sorted(p for p in (root / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def normalized(nb):
    """A normalised copy of a notebook (a dict as json.load gives it)."""
    nb = copy.deepcopy(nb)
    if nb.get("nbformat") != 4:
        raise ValueError(f"nbformat {nb.get('nbformat')} is not 4")
    nb["nbformat_minor"] = max(5, nb.get("nbformat_minor", 0))
    meta = nb.setdefault("metadata", {})
    meta["kernelspec"] = dict(KERNELSPEC)
    old_version = meta.get("language_info", {}).get("version", "")
    version = old_version if VERSION.match(str(old_version)) else platform.python_version()
    meta["language_info"] = {**LANGUAGE_INFO, "version": version}
    meta.pop("widgets", None)  # saved widget state: stale as soon as a kernel runs
    seen = set()
    for index, cell in enumerate(nb.get("cells", [])):
        cid = cell.get("id")
        if not isinstance(cid, str) or not ID.match(cid) or cid in seen:
            cid = f"cell-{index}"
            while cid in seen:
                cid += "x"
        cell["id"] = cid
        seen.add(cid)
        for key in MEMORY_ONLY_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
    return nb


def dumps(nb):
    """JSON as Jupyter writes notebooks (nbformat.writes: sorted keys, indent 1), newline-ended."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only list files that are not normalised")
    ap.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/**/*.ipynb)")
    args = ap.parse_args(argv)
    paths = args.paths or notebooks()
    off = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        want = dumps(normalized(json.loads(text)))
        if text != want:
            off.append(path)
            if not args.check:
                path.write_text(want, encoding="utf-8")
    verb = "not normalised" if args.check else "normalised"
    for path in off:
        print(f"{verb}: {path}")
    return 1 if args.check and off else 0


if __name__ == "__main__":
    sys.exit(main())
