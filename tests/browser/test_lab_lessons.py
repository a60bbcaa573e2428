"""Opening and closing an untouched lesson in JupyterLab does not mark it modified."""
import json
import platform

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_an_untouched_lesson_is_not_marked_modified(page, jupyter_lab, harness):
    # one lesson: tests/test_notebook_form.py checks that every notebook has the same form
    lesson = "notebooks/00_start_here.ipynb"
    stored = json.loads((jupyter_lab.root_dir / lesson).read_text())["metadata"]["language_info"]["version"]
    harness.open_notebook_in_lab(page, jupyter_lab, lesson)
    page.wait_for_timeout(1500)  # the kernel's description has reached the notebook's metadata
    dirty = page.evaluate("window.jupyterapp.shell.currentWidget.context.model.dirty")
    if stored != platform.python_version():
        pytest.skip(f"the kernel runs Python {platform.python_version()}, the lesson stores {stored}: "
                    "JupyterLab marks it modified (jupyter/notebook#2123)")
    assert dirty is False
    page.evaluate("window.jupyterapp.commands.execute('application:close')")
    page.wait_for_timeout(500)
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    assert page.evaluate("window.jupyterapp.shell.currentWidget?.context?.path") != lesson
