"""Widget panels (ipywidgets + matplotlib) built on the NumPy core.

Import explicitly: ``from rnnlab.widgets import Playground``. Every panel
needs no frontend extension (figures are PNG images; the controls and the
figure view are anywidget components shipped in the package), can be driven
from code, and prints nothing. ``presentation(True)`` makes the text and
lines of every figure larger, for a projector (``presentation(True, panel=pg)``
one panel's). Controls are accessible components (named by their labels,
keyboard-operable) and every plot has a text alternative that follows it.

=====================  ==========================================================
panel                  what a learner does with it
=====================  ==========================================================
``Playground``         train RNN/GRU/LSTM on a task, live loss curves, compare runs
``UnfoldingView``      unroll k steps, step forward with the numbers plugged in
``ActivationView``     sigmoid, tanh, relu: their derivatives, states and gradients
``BPTTView``           step the backward pass; where truncation stops it; fidelity vs k
``GradientFlowView``   ``||dL/dh_t||`` per step for RNN vs GRU vs LSTM, live
``StateInspector``     hidden states and gate activations over time, as heatmaps
``PatternsView``       one-to-one ... many-to-many on concrete tasks, and train them
``GradCheckView``      analytic vs numerical gradients, also for your own code
=====================  ==========================================================
"""
from ._canvas import presentation
from ._query import link_for, query_from_settings, settings_from_query
from .activations_view import ActivationView
from .bptt_view import BPTTView
from .gradcheck_view import GradCheckView
from .gradient_flow import GradientFlowView
from .inspector import StateInspector
from .patterns import PatternsView
from .playground import Playground
from .tasks import TASKS, make_task_data
from .unfolding import UnfoldingView

__all__ = ["Playground", "UnfoldingView", "ActivationView", "BPTTView", "GradientFlowView",
           "StateInspector", "PatternsView", "GradCheckView", "TASKS", "make_task_data", "presentation",
           "settings_from_query", "query_from_settings", "link_for"]
