"""Sphinx extension for the lesson site: launch links on every page, a note under every
panel snapshot, and each lesson's notebook beside its page for download.

Every URL comes from kit/links.py, that is from ``[project.urls]`` in pyproject.toml.
"""
from __future__ import annotations

import html
import shutil
from pathlib import Path, PurePosixPath

from docutils import nodes

import links

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _is_notebook(app, docname: str) -> bool:
    return str(app.env.doc2path(docname)).endswith(".ipynb")


def _launch_bar(app, docname: str) -> nodes.raw:
    if _is_notebook(app, docname):
        path = f"{docname}.ipynb"  # the site mirrors the repository's layout
        items = [(links.binder(path, "lab"), "open this notebook in JupyterLab on Binder"),
                 (links.binder(links.APP, "voila"), "the playground app (Voila on Binder)"),
                 (PurePosixPath(path).name, "download the notebook")]
    else:
        items = [(links.binder(links.START, "lab"), "the lessons in JupyterLab on Binder"),
                 (links.binder(links.APP, "voila"), "the playground app (Voila on Binder)")]
    anchors = " · ".join(
        f'<a class="rnnlab-launch-link" href="{html.escape(url)}"'
        + (" download" if not url.startswith("http") else "") + f">{html.escape(text)}</a>"
        for url, text in items)
    return nodes.raw("", f'<nav class="rnnlab-launch" aria-label="Run it live">'
                         f'<span class="rnnlab-launch-label">Run it live:</span> {anchors}</nav>',
                     format="html")


def _panel_note(docname: str) -> nodes.raw:
    live = links.binder(f"{docname}.ipynb", "lab")
    return nodes.raw("", (
        '<p class="rnnlab-panel-note" role="note">Above is a snapshot of the panel, as it stood '
        "when this page was built: its controls move, but nothing recomputes, because a live "
        f'panel needs a running Python kernel. <a href="{html.escape(live)}">Open this lesson '
        "live on Binder</a>, or run it on your machine with <code>python3 dev.py lab</code>.</p>"),
        format="html")


def _cell_of(node):
    """The notebook cell container around ``node`` (or the node itself)."""
    cell = node
    while cell.parent is not None and "cell" not in cell.get("classes", []):
        cell = cell.parent
    return cell if cell.parent is not None else node


def add_launch_links_and_panel_notes(app, doctree, docname):
    sections = list(doctree.findall(nodes.section))
    if sections:
        title = next(iter(sections[0].findall(nodes.title)), None)
        sections[0].insert(sections[0].index(title) + 1 if title is not None else 0,
                           _launch_bar(app, docname))
    else:
        doctree.insert(0, _launch_bar(app, docname))

    cells = []
    for raw in doctree.findall(nodes.raw):
        if WIDGET_VIEW in raw.astext():
            cell = _cell_of(raw)
            if all(cell is not c for c in cells):
                cells.append(cell)
    for cell in cells:
        cell.parent.insert(cell.parent.index(cell) + 1, _panel_note(docname))


def copy_notebooks_for_download(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for docname in app.env.found_docs:
        if _is_notebook(app, docname):
            target = Path(app.outdir) / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(app.env.doc2path(docname), target)


def setup(app):
    app.connect("doctree-resolved", add_launch_links_and_panel_notes)
    app.connect("build-finished", copy_notebooks_for_download)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
