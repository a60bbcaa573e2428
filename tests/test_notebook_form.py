"""Every notebook stays in the form JupyterLab leaves untouched (tools/normalize_notebooks.py):
opening and closing an untouched lesson must not mark it modified."""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("normalize_notebooks", ROOT / "tools" / "normalize_notebooks.py")
normalize = importlib.util.module_from_spec(spec)
spec.loader.exec_module(normalize)

NOTEBOOKS = normalize.notebooks(ROOT)


def test_there_are_notebooks_to_check():
    assert any(p.name == "playground_app.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_in_normal_form(path):
    text = path.read_text(encoding="utf-8")
    assert text == normalize.dumps(normalize.normalized(json.loads(text))), (
        f"{path.relative_to(ROOT)} is not in the form JupyterLab leaves untouched; "
        "run: python3 tools/normalize_notebooks.py")


def test_normalizing_fixes_what_jupyterlab_would_rewrite():
    nb = {"nbformat": 4, "nbformat_minor": 2, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, "title": "kept", "widgets": {"state": {}}},
        "cells": [{"cell_type": "markdown", "metadata": {"trusted": True}, "source": "# a"},
                  {"cell_type": "code", "id": "same", "metadata": {}, "source": "1", "outputs": [],
                   "execution_count": None},
                  {"cell_type": "code", "id": "same", "metadata": {}, "source": "2", "outputs": [],
                   "execution_count": None}]}
    out = normalize.normalized(nb)
    assert out["nbformat_minor"] == 5
    assert out["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert out["metadata"]["language_info"]["mimetype"] == "text/x-python"
    assert normalize.VERSION.match(out["metadata"]["language_info"]["version"])
    assert out["metadata"]["title"] == "kept" and "widgets" not in out["metadata"]
    ids = [c["id"] for c in out["cells"]]
    assert len(set(ids)) == 3 and ids[1] == "same"
    assert out["cells"][0]["metadata"] == {}
    assert normalize.normalized(out) == out  # a fixed point
    assert nb["nbformat_minor"] == 2  # the input is not changed
