"""Helpers for browser tests that *look*: accessibility (axe-core), layout, keyboard.

* :func:`ensure_axe` installs ``axe-core@4`` from npm into a cache folder the
  first time (``$RNNLAB_TEST_CACHE``, default ``~/.cache/rnnlab-tests``), so a
  fresh clone needs nothing but npm; :func:`run_axe` injects it into a page and
  returns the violations.
* :func:`layout_report` lists, inside a root element, what overflows (content
  wider than its box), what is cut with an ellipsis, what sticks out past the
  root's right edge, and every plot's width.
* :func:`tab_walk` presses Tab from a starting element and records where focus
  goes and whether it is visible; :func:`focused` describes the focused element.
* :func:`open_sidebar` opens JupyterLab's file browser, as learners usually have it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

AXE_VERSION = "4"

# Page errors that are not rnnlab's, with where they come from. Notebook 7's own
# keyboard-shortcut settings plugin reads registry.plugins[shortcuts.id].schema before
# that plugin's settings are loaded: it happens with an empty notebook and no widget
# at all (jupyter/notebook#7862, open; notebook 7.6.5 here).
KNOWN_PAGE_ERRORS = {
    "Cannot read properties of undefined (reading 'schema')": "jupyter/notebook#7862",
}


def unexpected_page_errors(errors):
    """``errors`` (page error messages) less the known ones that are not rnnlab's."""
    return [e for e in errors if not any(known in e for known in KNOWN_PAGE_ERRORS)]
SERIOUS = ("critical", "serious")


def cache_dir() -> Path:
    return Path(os.environ.get("RNNLAB_TEST_CACHE") or Path.home() / ".cache" / "rnnlab-tests")


def ensure_axe() -> Path:
    """Path of ``axe.min.js``; runs ``npm install axe-core@4`` into the cache when missing.

    Raises RuntimeError (with npm's output) when it cannot be installed.
    """
    folder = cache_dir() / f"axe-core-{AXE_VERSION}"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if not npm:
        raise RuntimeError("npm is not on PATH: it is needed once to install axe-core@4 "
                           f"into {folder} (apt-get install npm)")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(folder),
                           f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not script.exists():
        raise RuntimeError(f"npm install axe-core@{AXE_VERSION} failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return script


AXE_RUN_JS = """async ([selector, tags]) => {
  const targets = selector ? [...document.querySelectorAll(selector)] : [document];
  if (!targets.length) return {error: 'nothing matches ' + selector};
  const options = {resultTypes: ['violations']};
  if (tags) options.runOnly = {type: 'tag', values: tags};
  const out = [];
  for (const target of targets) {
    const r = await axe.run(target === document ? document : target, options);
    for (const v of r.violations)
      out.push({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                                          html: n.html.slice(0, 200)}))});
  }
  return {violations: out};
}"""


def run_axe(page, axe_path, selector=None, tags=None):
    """axe-core's violations for the elements matching ``selector`` (or the whole page).

    Each violation is a dict: id, impact, help, nodes (target, summary, html).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path))
    result = page.evaluate(AXE_RUN_JS, [selector, tags])
    if "error" in result:
        raise AssertionError(result["error"])
    return result["violations"]


def serious(violations):
    """Only the critical and serious ones, as ``{rule: number of elements}``."""
    counts = {}
    for v in violations:
        if v["impact"] in SERIOUS:
            counts[v["id"]] = counts.get(v["id"], 0) + len(v["nodes"])
    return counts


def describe(violations, impacts=SERIOUS):
    lines = []
    for v in violations:
        if v["impact"] in impacts:
            lines.append(f"{v['impact']} {v['id']} x{len(v['nodes'])}: {v['help']}")
            lines += [f"    {n['target']}: {n['html']}" for n in v["nodes"][:4]]
    return "\n".join(lines)


LAYOUT_JS = """(selector) => {
  const roots = [...document.querySelectorAll(selector)];
  const label = (e) => {
    const cls = [...e.classList].filter(c => c.startsWith('rnnlab-') || c.startsWith('widget-'))
      .slice(0, 3).join('.');
    const text = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40);
    return `${e.tagName.toLowerCase()}${cls ? '.' + cls : ''}${text ? ' "' + text + '"' : ''}`;
  };
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    const s = getComputedStyle(e);
    // visually hidden text for screen readers (clipped to nothing) is not laid out for eyes
    if (s.clip === 'rect(0px, 0px, 0px, 0px)' || e.closest('.rnnlab-ctl-sr-only')) return false;
    return s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0.05;
  };
  return roots.map(root => {
    const box = root.getBoundingClientRect();
    const overflowing = [], truncated = [], outside = [], scrolling = [];
    for (const e of root.querySelectorAll('*')) {
      if (!visible(e)) continue;
      const s = getComputedStyle(e);
      const r = e.getBoundingClientRect();
      const wider = e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0;
      if (wider && s.textOverflow === 'ellipsis') truncated.push(label(e));
      else if (wider && (s.overflowX === 'auto' || s.overflowX === 'scroll') && e.tagName !== 'TEXTAREA')
        scrolling.push(label(e));
      else if (wider && (s.overflowX === 'hidden' || s.overflowX === 'clip') && e.tagName !== 'INPUT'
               && e.tagName !== 'TEXTAREA' && e.tagName !== 'SELECT')
        overflowing.push(label(e));
      if (r.right > box.right + 1 && r.left < box.right) outside.push(`${label(e)} (${Math.round(r.right - box.right)} px past)`);
    }
    const plots = [...root.querySelectorAll('img')].filter(visible).map(img => ({
      css: [...img.classList, ...img.parentElement.classList].find(c => c.startsWith('rnnlab-')) || '',
      width: Math.round(img.getBoundingClientRect().width),
      natural: img.naturalWidth,
      alt: img.getAttribute('alt') || img.getAttribute('title') || img.closest('[title]')?.getAttribute('title') || '',
      textPx: img.dataset.textPx ? Number(img.dataset.textPx) : null,
    }));
    return {root: label(root), width: Math.round(box.width), overflowing, truncated, outside, scrolling, plots};
  });
}"""


FIGURES_SETTLED_JS = """(selector) => [...document.querySelectorAll(selector + ' .rnnlab-figure img')]
  .every(img => {
    const shown = img.getBoundingClientRect().width;
    return img.complete && img.naturalWidth > 0
      && Math.abs(img.naturalWidth / (window.devicePixelRatio || 1) - Math.max(shown, 240)) <= 3;
  })"""


def wait_for_figures(page, selector, timeout=6.0):
    """Wait until every canvas under ``selector`` shows a PNG drawn for the width it is shown
    at (or give up after ``timeout`` seconds and let the layout report say how it stands)."""
    try:
        page.wait_for_function(FIGURES_SETTLED_JS, arg=selector, timeout=timeout * 1000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError; the report shows the sizes
        pass


def layout_report(page, selector):
    """For every element matching ``selector``: width, overflowing, truncated, outside, scrolling, plots."""
    return page.evaluate(LAYOUT_JS, selector)


FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: 'body', name: '', visible: false, panel: ''};
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
  const sibling = e.nextElementSibling && getComputedStyle(e.nextElementSibling);
  const ringNext = sibling && sibling.outlineStyle !== 'none' && parseFloat(sibling.outlineWidth) > 0;
  let name = e.getAttribute('aria-label') || '';
  const by = e.getAttribute('aria-labelledby');
  if (!name && by) name = by.split(' ').map(id => document.getElementById(id)?.textContent || '').join(' ');
  if (!name && e.labels && e.labels.length) name = e.labels[0].textContent;
  if (!name) name = (e.innerText || e.title || '').trim();
  const panel = e.closest('[class*="rnnlab-"]');
  return {tag: e.tagName.toLowerCase(), type: e.type || '', role: e.getAttribute('role') || '',
          name: name.trim().slice(0, 60), visible: Boolean(ring || ringNext),
          classes: panel ? [...panel.classList].filter(c => c.startsWith('rnnlab-')).join(' ') : ''};
}"""


def focused(page):
    """The focused element: tag, type, role, name, visible (a focus ring shows), classes."""
    return page.evaluate(FOCUSED_JS)


def tab_walk(page, start, steps=40, stop_outside=None):
    """Focus ``start`` (a locator), press Tab up to ``steps`` times; the focused elements in order.

    Stops early when focus leaves the elements matching ``stop_outside`` (a CSS selector).
    """
    start.focus()
    seen = [focused(page)]
    for _ in range(steps):
        page.keyboard.press("Tab")
        now = focused(page)
        if stop_outside and not page.evaluate(
                "(sel) => Boolean(document.activeElement && document.activeElement.closest(sel))", stop_outside):
            break
        seen.append(now)
    return seen


def open_sidebar(page):
    """Open JupyterLab's file browser (the left sidebar)."""
    page.evaluate("window.jupyterapp.commands.execute('filebrowser:activate')")
    page.wait_for_timeout(400)


def close_sidebar(page):
    page.evaluate("() => { const s = window.jupyterapp.shell; if (!s.leftCollapsed) s.collapseLeft(); }")
    page.wait_for_timeout(300)
