"""The lesson site (kit/site): every notebook becomes a page with launch links and its
panels' snapshots, internal links hold, and a page load asks no other host.

The site is built once per session into build/site (as ``python3 dev.py site`` does),
so a second run takes the executed notebooks from the cache.
"""
import functools
import http.server
import importlib.util
import json
import re
import socketserver
import subprocess
import sys
import threading
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.timeout(1500), pytest.mark.slow]  # a first build runs every notebook


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, REPO / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site_build = _load("kit/site/build.py", "rnnlab_kit_site_build")
links = _load("kit/links.py", "rnnlab_kit_links")
HTML = site_build.HTML
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


_built = {}


@pytest.fixture(scope="module")
def site():
    """Build once per session; a failed build fails every test that needs it, with its reason."""
    if "done" not in _built:
        _built["done"] = subprocess.run([sys.executable, str(REPO / "kit" / "site" / "build.py")], cwd=REPO,
                                        capture_output=True, text=True, timeout=1500)
    done = _built["done"]
    if done.returncode or "internal links checked" not in done.stdout:
        log = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
        reasons = [ln for ln in log.splitlines() if re.match(r"(\S*Error: |.*WARNING|site: |  \S+\.html: )", ln)]
        pytest.fail("the site did not build:\n" + "\n".join(reasons[-40:] or [done.stdout[-3000:]]), pytrace=False)
    return HTML


def notebooks():
    return [p.relative_to(REPO).as_posix() for p in sorted((REPO / "notebooks").rglob("*.ipynb"))
            if ".ipynb_checkpoints" not in p.parts]


def hrefs(page: Path) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8"))]


def test_every_notebook_is_a_page_with_its_launch_links(site):
    paths = notebooks()
    assert len(paths) >= 12  # the lessons, the exercises and the app
    app = links.binder(links.APP, "voila")
    for path in paths:
        page = site / path.replace(".ipynb", ".html")
        assert page.exists(), f"{path} has no page"
        found = hrefs(page)
        assert links.binder(path, "lab") in found, f"{page.name}: no Binder link to {path}"
        assert app in found, f"{page.name}: no link to the Voila app"
        assert Path(path).name in found and (site / path).exists(), f"{page.name}: no notebook to download"
        # the download is the notebook as committed: no outputs
        nb = json.loads((site / path).read_text(encoding="utf-8"))
        assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_pages_that_are_not_notebooks_have_launch_links_too(site):
    for page in (site / "index.html", site / "docs" / "teaching.html"):
        found = hrefs(page)
        assert links.binder(links.START, "lab") in found and links.binder(links.APP, "voila") in found


def test_landing_page_maps_every_lesson_and_exercise(site):
    found = hrefs(site / "index.html")
    for path in notebooks():
        if "playground_app" not in path:
            assert path.replace(".ipynb", ".html") in found, f"the lesson map misses {path}"


def test_every_panel_snapshot_has_its_state_and_a_note(site):
    with_panels = 0
    for path in notebooks():
        text = (site / path.replace(".ipynb", ".html")).read_text(encoding="utf-8")
        views = text.count(f'type="{WIDGET_VIEW}"')
        if views:
            with_panels += 1
            assert "application/vnd.jupyter.widget-state+json" in text, f"{path}: views without state"
            notes = text.count('class="rnnlab-panel-note"')
            assert 1 <= notes <= views, f"{path}: {views} panel views, {notes} notes"
            assert links.binder(path, "lab") in text
    assert with_panels >= 8


def test_internal_links_and_anchors_resolve(site):
    assert site_build.check_links(site) == []


def test_the_link_check_catches_a_broken_link(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#there">b</a> <a href="missing.html">m</a>'
                                     '<a id="here"></a><a href="#here">self</a>')
    (tmp_path / "b.html").write_text('<h1 id="elsewhere">B</h1>')
    assert site_build.check_links(tmp_path) == ["a.html: b.html#there (no such anchor)",
                                                "a.html: missing.html (no such file)"]


def test_links_to_repository_files_outside_the_site_open_on_the_repository():
    on_site = {Path("notebooks/00_start_here.ipynb"), Path("notebooks/01_what_is_an_rnn.ipynb"),
               Path("notebooks/exercises/README.md")}
    text = "[a](exercises/) [b](../rnnlab/cells.py#L3) [c](01_what_is_an_rnn.ipynb) [d](https://x.org/)"
    out = site_build.rewrite_links(text, Path("notebooks/00_start_here.ipynb"), on_site)
    assert out == ("[a](exercises/README.md) [b](" + links.blob("rnnlab/cells.py") + "#L3) "
                   "[c](01_what_is_an_rnn.ipynb) [d](https://x.org/)")


# -------------------------------------------------------------------- in a browser
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(site):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_a_page_load_requests_nothing_from_another_host(served, browser):
    lesson_with_panel = next(p for p in notebooks() if "gru_lstm" in p).replace(".ipynb", ".html")
    lesson_with_maths = next(p for p in notebooks() if "_bptt" in p and "exercises" not in p).replace(".ipynb", ".html")
    pages = ["index.html", "notebooks/02_unfolding.html", lesson_with_maths, lesson_with_panel,
             "notebooks/exercises/ex1_rnn_step.html", "notebooks/playground_app.html", "docs/teaching.html",
             "search.html?q=gradient"]
    requests, bad_status, failed, errors = [], [], [], []
    rendered = {}
    figures = "[...document.querySelectorAll('.cell_output .jupyter-widgets img')].filter(i => i.naturalWidth > 0).length"
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        context.on("request", lambda r: requests.append(r.url))
        context.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        context.on("response", lambda r: r.status >= 400 and bad_status.append(f"{r.url} {r.status}"))
        for name in pages:
            page = context.new_page()
            page.on("pageerror", lambda e, name=name: errors.append(f"{name}: {e}"))
            page.goto(served + name, wait_until="networkidle")
            page.evaluate("() => window.MathJax?.startup?.promise")
            if "widget-view+json" in page.content():  # wait for the panels' snapshots to be drawn
                page.wait_for_function(f"() => {figures} > 0", timeout=90_000)
            page.wait_for_load_state("networkidle")
            rendered[name] = page.evaluate(f"""() => ({{
                math: document.querySelectorAll('mjx-container').length,
                panels: {figures},
                results: document.querySelectorAll('#search-results li').length}})""")
            page.close()
    finally:
        context.close()

    host = urlsplit(served).netloc
    elsewhere = sorted({u for u in requests
                        if urlsplit(u.removeprefix("blob:")).netloc != host and not u.startswith("data:")})
    assert elsewhere == [], f"pages asked other hosts: {elsewhere}"
    assert failed == [] and bad_status == [] and errors == [], (failed, bad_status, errors)
    # the checks above mean something only if the pages did load math, fonts and panels
    assert rendered[lesson_with_maths]["math"] > 20
    assert rendered[lesson_with_panel]["panels"] >= 1
    assert rendered["notebooks/playground_app.html"]["panels"] >= 1
    assert rendered["search.html?q=gradient"]["results"] >= 3
    fonts = [u for u in requests if "/_static/mathjax/fonts/" in u and u.endswith(".woff2")]
    assert fonts, "MathJax loaded no font file from the site"
    assert any("/_static/html-manager/" in u for u in requests)
