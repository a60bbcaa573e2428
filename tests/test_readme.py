"""The README's examples run, its links point at files that exist, and its
Binder badges open notebooks that are there."""
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def test_the_two_commands_are_near_the_top():
    top = README[:2500]
    assert "python3 dev.py lab" in top and "python3 dev.py test" in top
    assert "python3 dev.py test" in (REPO / ".ci" / "run").read_text()


def test_library_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    library = next(b for b in blocks if "rnnlab.fit" in b)
    monkeypatch.chdir(tmp_path)
    ns = {}
    exec(compile(library, "README example", "exec"), ns)
    assert ns["history"].stopped == "completed"
    assert ns["history"].train_loss[-1] < 0.05
    assert (tmp_path / "sine_gru.npz").exists()


def test_panel_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    panel = next(b for b in blocks if "Playground" in b)
    ns = {}
    exec(compile(panel, "README panel example", "exec"), ns)
    assert ns["pg"].history.stopped == "completed"


def test_local_links_and_images_exist():
    targets = re.findall(r"\]\(((?!https?://)[^)#]+)\)", README)
    assert targets
    missing = [t for t in targets if not (REPO / t).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_binder_badges_open_existing_notebooks():
    urls = re.findall(r"\((https://mybinder\.org/v2/gh/[^)]+)\)", README)
    assert len(urls) == 2
    kinds = set()
    for url in urls:
        path = parse_qs(urlparse(url).query)["urlpath"][0]
        kind, _, rest = path.partition("/")
        if kind == "lab":
            assert rest.startswith("tree/")
            nb = rest[len("tree/"):]
        else:
            assert kind == "voila" and rest.startswith("render/")
            nb = rest[len("render/"):]
        assert (REPO / nb).exists(), f"badge {url} opens {nb}, which is not in the repository"
        kinds.add(kind)
    assert kinds == {"lab", "voila"}
    req = (REPO / "binder" / "requirements.txt").read_text().split()
    assert any(r.startswith(".") for r in req), "binder must install rnnlab itself"
