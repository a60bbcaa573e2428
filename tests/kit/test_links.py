"""One place for the repository's address: [project.urls] Repository in pyproject.toml.
The README's badges, the site's launch links and the nbgitpuller links all agree with it."""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("rnnlab_kit_links", REPO / "kit" / "links.py")
links = importlib.util.module_from_spec(spec)
spec.loader.exec_module(links)

OTHER = "https://github.com/someone-else/rnn-course"


def test_generated_blocks_are_up_to_date():
    done = subprocess.run([sys.executable, str(REPO / "kit" / "links.py"), "check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("doc", ["README.md", "docs/teaching.md"])
def test_every_repository_address_in_the_docs_comes_from_pyproject(doc):
    text = (REPO / doc).read_text()
    repo = links.repository_url()
    owner, name = links.owner_and_name()
    binder = re.findall(r"https://mybinder\.org/v2/gh/([^/]+)/([^/]+)/", text)
    assert binder and set(binder) == {(owner, name)}
    for url in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", text):
        assert url == repo, f"{doc} names {url}, pyproject.toml says {repo}"
    if doc == "README.md":
        assert links.pages() in text


def test_site_and_hub_links_follow_the_repository_address():
    """Point pyproject.toml elsewhere: every kind of link moves with it."""
    binder = links.binder("notebooks/02_unfolding.ipynb", "lab", repo=OTHER)
    assert binder == ("https://mybinder.org/v2/gh/someone-else/rnn-course/HEAD"
                      "?urlpath=lab/tree/notebooks/02_unfolding.ipynb")
    assert links.binder(links.APP, "voila", repo=OTHER).endswith(
        "/someone-else/rnn-course/HEAD?urlpath=voila/render/notebooks/playground_app.ipynb")
    assert links.pages(OTHER) == "https://someone-else.github.io/rnn-course/"
    assert links.badges(OTHER).count("someone-else/rnn-course") == 2 and "rnnlab/rnnlab" not in links.badges(OTHER)

    hub = links.nbgitpuller("notebooks/02_unfolding.ipynb", "https://hub.example.edu/", repo=OTHER)
    parts = urlsplit(hub)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.netloc, parts.path) == ("hub.example.edu", "/hub/user-redirect/git-pull")
    assert query == {"repo": OTHER, "branch": "main",
                     "urlpath": "lab/tree/rnn-course/notebooks/02_unfolding.ipynb"}
    table = links.teaching_links(repo=OTHER)
    assert "rnnlab/rnnlab" not in table and table.count("someone-else") >= 2 * len(links.lesson_notebooks())


def test_the_site_configuration_takes_its_repository_from_links(monkeypatch):
    monkeypatch.setattr(sys, "path", [str(REPO / "kit"), str(REPO / "kit" / "site")] + sys.path)
    spec = importlib.util.spec_from_file_location("rnnlab_kit_site_conf", REPO / "kit" / "site" / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.html_theme_options["repository_url"] == links.repository_url()


@pytest.mark.parametrize("url", ["https://gitlab.com/a/b", "github.com/a/b", ""])
def test_a_repository_address_that_is_not_a_github_repository_is_refused(tmp_path, url):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "x"\n\n[project.urls]\nRepository = "{url}"\n')
    with pytest.raises(ValueError, match="Repository"):
        links.repository_url(pyproject)


def test_the_repository_address_is_read_without_tomllib(tmp_path, monkeypatch):
    """Python 3.10 has no tomllib: the fallback reads the same key."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[project.urls]\nHomepage = "https://x.org"\n'
                         'Repository = "https://github.com/a/b.git"\n\n[tool.x]\ny = 1\n')
    monkeypatch.setattr(links, "tomllib", None)
    assert links.repository_url(pyproject) == "https://github.com/a/b"
