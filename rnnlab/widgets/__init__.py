"""Widget panels (ipywidgets + matplotlib) built on the NumPy core.

Import explicitly: ``from rnnlab.widgets import Playground``. Every panel
works with core ipywidgets only (figures are drawn to PNG images), can be
driven from code, and prints nothing.
"""
from .playground import Playground
from .tasks import TASKS, make_task_data

__all__ = ["Playground", "TASKS", "make_task_data"]
