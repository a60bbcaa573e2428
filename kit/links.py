"""Every public link to rnnlab, made from one place: ``[project.urls] Repository`` in pyproject.toml.

The README's badges, the lesson site's launch links and the JupyterHub
(nbgitpuller) links for a class are all built here, so moving the repository
means editing one line of pyproject.toml and running::

    python kit/links.py write               # rewrite the generated blocks of README.md and docs/teaching.md
    python kit/links.py check               # exit 1 if a block disagrees (tests/kit/test_links.py runs this)
    python kit/links.py nbgitpuller --hub https://hub.example.edu [--branch main]
                                            # one JupyterHub link per lesson, for your hub

Only the standard library is used, so this runs with any Python >= 3.10.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
BINDER = "https://mybinder.org"
START = "notebooks/00_start_here.ipynb"
APP = "notebooks/playground_app.ipynb"
START_MARK, END_MARK = "<!-- links: start (made by kit/links.py) -->", "<!-- links: end -->"
HUB = "https://YOUR-HUB"  # placeholder: nbgitpuller links need your JupyterHub's address


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``[project.urls] Repository`` from pyproject.toml, without a trailing slash or .git."""
    text = pyproject.read_text(encoding="utf-8")
    if tomllib is not None:
        url = tomllib.loads(text).get("project", {}).get("urls", {}).get("Repository")
    else:  # a one-line key is all we need from the file
        section = re.search(r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
        found = section and re.search(r'^Repository\s*=\s*"([^"]+)"', section.group(1), re.M)
        url = found.group(1) if found else None
    if not url:
        raise ValueError(f"{pyproject} has no [project.urls] Repository entry")
    url = url.rstrip("/").removesuffix(".git")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"[project.urls] Repository should be https://github.com/OWNER/NAME, got {url!r}")
    return url


def owner_and_name(repo: str | None = None) -> tuple[str, str]:
    owner, name = (repo or repository_url()).split("/")[-2:]
    return owner, name


def binder(path: str = START, ui: str = "lab", repo: str | None = None) -> str:
    """A Binder link that opens ``path`` in JupyterLab (``ui="lab"``) or as a Voila app (``"voila"``)."""
    if ui not in ("lab", "voila"):
        raise ValueError(f"ui must be 'lab' or 'voila', got {ui!r}")
    owner, name = owner_and_name(repo)
    urlpath = f"lab/tree/{path}" if ui == "lab" else f"voila/render/{path}"
    return f"{BINDER}/v2/gh/{owner}/{name}/HEAD?urlpath={urlpath}"


def pages(repo: str | None = None) -> str:
    """Where GitHub Pages publishes the lesson site (see the README's "Publishing the site")."""
    owner, name = owner_and_name(repo)
    return f"https://{owner.lower()}.github.io/{name}/"


def blob(path: str, repo: str | None = None, branch: str = "main") -> str:
    """The repository's web page for one file."""
    return f"{repo or repository_url()}/blob/{branch}/{quote(path)}"


def nbgitpuller(path: str = START, hub: str = HUB, branch: str = "main", repo: str | None = None,
                ui: str = "lab") -> str:
    """A JupyterHub link that clones (or updates) the repository and opens ``path``.

    ``ui="lab"`` opens it in JupyterLab, ``"voila"`` as an app (the hub needs Voila).
    nbgitpuller clones into a folder named like the repository, so the path starts with it.
    """
    repo = repo or repository_url()
    name = owner_and_name(repo)[1]
    urlpath = f"lab/tree/{name}/{path}" if ui == "lab" else f"voila/render/{name}/{path}"
    query = urlencode({"repo": repo, "branch": branch, "urlpath": urlpath})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def badges(repo: str | None = None) -> str:
    """The README's badge block (Markdown, between the two marker comments)."""
    lines = [
        START_MARK,
        f"[![Open the lessons in JupyterLab on Binder]({BINDER}/badge_logo.svg)]({binder(START, 'lab', repo)})",
        "[![Open the playground as an app (Voila)](https://img.shields.io/badge/launch-playground%20app-579ACA)]"
        f"({binder(APP, 'voila', repo)})",
        f"[![Read the lessons online](https://img.shields.io/badge/read-lesson%20site-2e7d32)]({pages(repo)})",
        END_MARK,
    ]
    return "\n".join(lines)


def teaching_links(hub: str = HUB, repo: str | None = None) -> str:
    """docs/teaching.md's table: every lesson's Binder and JupyterHub (nbgitpuller) link."""
    rows = [START_MARK, "", "| notebook | Binder (JupyterLab) | your JupyterHub (nbgitpuller) |", "|---|---|---|"]
    for path in lesson_notebooks():
        rows.append(f"| `{path.removeprefix('notebooks/')}` | [open]({binder(path, 'lab', repo)}) "
                    f"| [open]({nbgitpuller(path, hub, repo=repo)}) |")
    rows.append(f"| the playground app | [open (Voila)]({binder(APP, 'voila', repo)}) "
                f"| [open (Voila)]({nbgitpuller(APP, hub, repo=repo, ui='voila')}) |")
    rows += ["", END_MARK]
    return "\n".join(rows)


def block(text: str) -> str | None:
    """The generated block in ``text`` (between the marks), or None."""
    start, end = text.find(START_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        return None
    return text[start:end + len(END_MARK)]


GENERATED = {"README.md": badges, "docs/teaching.md": teaching_links}


def lesson_notebooks() -> list[str]:
    """Every lesson and exercise notebook, repository-relative, in reading order."""
    found = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")) + sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
    return [p.relative_to(ROOT).as_posix() for p in found]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("write", help="rewrite the generated blocks of " + " and ".join(GENERATED))
    sub.add_parser("check", help="exit 1 unless every generated block is up to date")
    puller = sub.add_parser("nbgitpuller", help="print a JupyterHub link for every lesson")
    puller.add_argument("--hub", default=HUB, help="your JupyterHub's address")
    puller.add_argument("--branch", default="main")
    args = parser.parse_args(argv)

    if args.command == "nbgitpuller":
        for path in lesson_notebooks():
            print(f"{path}\t{nbgitpuller(path, args.hub, args.branch)}")
        return 0
    stale = []
    for name, make in GENERATED.items():
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        current = block(text)
        if current is None:
            print(f"{name} has no block between {START_MARK!r} and {END_MARK!r}", file=sys.stderr)
            return 1
        if current != make():
            stale.append(name)
            if args.command == "write":
                path.write_text(text.replace(current, make()), encoding="utf-8")
    if args.command == "write":
        print(f"links from [project.urls] Repository = {repository_url()}; rewritten: {', '.join(stale) or 'none'}")
        return 0
    if stale:
        print(f"out of date with pyproject.toml or the notebooks: {', '.join(stale)}; "
              "run: python kit/links.py write", file=sys.stderr)
        return 1
    print(f"{' and '.join(GENERATED)} agree with [project.urls] Repository = {repository_url()}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
