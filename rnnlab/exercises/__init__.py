"""Exercises with automatic feedback, for the lessons.

In the manner of Kaggle's learntools, each exercise is an object with four
methods::

    from rnnlab.exercises import rnn_step
    rnn_step.template()                 # starter code: signature, docstring, stub
    rnn_step.check(rnn_step_forward)    # a Feedback: ✓, or ✗ with the reason
    rnn_step.hint()                     # hint 1; rnn_step.hint(2) is the next one
    rnn_step.solution()                 # the reference code

``check`` calls the learner's function on seeded inputs and compares every
output with rnnlab's reference. When an output is off, it recomputes the
reference with each known mistake put in (a transposed weight, a missing
``tanh'``, an off-by-one in time, a state not carried over...) and names a
mistake only when its numbers are the learner's numbers. Whatever the
learner's code does (raise, return junk, loop off the end of an array),
``check`` answers with a failed ``Feedback`` rather than an exception.

Results show themselves in a notebook: :class:`Feedback`, :class:`Note` (hints)
and :class:`Code` (templates, solutions) have ``_repr_html_`` and a plain
``__str__``. Nothing prints.

Exercises: ``rnn_step``, ``rnn_step_backward``, ``scalar_bptt``, ``gru_step``,
``lstm_step``, ``truncated_bptt``; grouped per lesson in the namespaces
``rnn_cell``, ``training`` and ``gates``::

    from rnnlab.exercises import rnn_cell as ex
    ex.q2.check(rnn_step_backward)

Prefer the lesson namespaces in notebooks: the exercise ``rnn_step_backward``
shares its name with the function the learner writes, so a cell with
``def rnn_step_backward(...)`` replaces an exercise imported under that name.
"""
from __future__ import annotations

import types

# the package's modules, one concept each:
#   _feedback  Feedback, Note, Code; running the learner's code; comparing outputs
#   _base      the Exercise class: check, hint, solution, template
#   _rnn_cell  rnn_step, rnn_step_backward
#   _training  scalar_bptt, truncated_bptt
#   _gates     gru_step, lstm_step
from ._base import Exercise
from ._feedback import ATOL, RTOL, Code, Feedback, Note
from ._gates import _GruStep, _LstmStep
from ._rnn_cell import _RnnStep, _RnnStepBackward
from ._training import _ScalarBPTT, _TruncatedBPTT

__all__ = ["Feedback", "Note", "Code", "Exercise", "template", "EXERCISES", "NOTEBOOKS",
           "rnn_step", "rnn_step_backward", "scalar_bptt", "gru_step", "lstm_step",
           "truncated_bptt", "rnn_cell", "training", "gates"]

# ---------------------------------------------------------------------------
# the exercises, and one namespace per lesson
# ---------------------------------------------------------------------------

rnn_step = _RnnStep()
rnn_step_backward = _RnnStepBackward()
scalar_bptt = _ScalarBPTT()
gru_step = _GruStep()
lstm_step = _LstmStep()
truncated_bptt = _TruncatedBPTT()

EXERCISES = {ex.name: ex for ex in (rnn_step, rnn_step_backward, scalar_bptt, gru_step, lstm_step,
                                    truncated_bptt)}

#: per lesson: ``from rnnlab.exercises import rnn_cell as ex; ex.q1.check(...)``
rnn_cell = types.SimpleNamespace(q1=rnn_step, q2=rnn_step_backward)
training = types.SimpleNamespace(q1=scalar_bptt, q2=truncated_bptt)
gates = types.SimpleNamespace(q1=gru_step, q2=lstm_step)
NOTEBOOKS = {"rnn_cell": rnn_cell, "training": training, "gates": gates}


def template(name):
    """Starter code for an exercise, by exercise name or by the function's name.

    ``template("rnn_step")`` and ``template("rnn_step_forward")`` give the same
    :class:`Code`: imports, the signature, a docstring with every shape, and
    ``raise NotImplementedError``.
    """
    for ex in EXERCISES.values():
        if name in (ex.name, ex.function):
            return ex.template()
    valid = sorted(set(EXERCISES) | {ex.function for ex in EXERCISES.values()})
    raise ValueError(f"unknown exercise {name!r}; valid: {', '.join(valid)}")
