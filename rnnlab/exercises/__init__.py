"""Exercises with automatic feedback, for the lessons.

In the manner of Kaggle's learntools, each exercise is an object with four
methods::

    from rnnlab.exercises import rnn_step
    rnn_step.template()                 # starter code: signature, docstring, stub
    rnn_step.check(rnn_step_forward)    # a Feedback: ✓, or ✗ with the reason
    rnn_step.hint()                     # hint 1; rnn_step.hint(2) is the next one
    rnn_step.solution()                 # the reference code

``check`` calls the learner's function on seeded inputs (through
:func:`rnnlab.learner.call`, which never lets the learner's code raise) and
compares every output with rnnlab's reference. When an output is off, it
recomputes the reference with each known mistake put in (a transposed weight, a
missing ``tanh'``, an off-by-one in time, a state not carried over, ``=`` where
``+=`` belongs...) and names a mistake only when its numbers are the learner's
numbers. ``bool(feedback)`` is True on success and ``feedback.summary`` is the
message (the contract the graded assignments rely on).

Results show themselves in a notebook: :class:`Feedback`, :class:`Note` (hints)
and :class:`Code` (templates, solutions) have ``_repr_html_`` and a plain
``__str__``. Nothing prints.

Exercises, grouped per notebook (``notebooks/exercises/``)::

    rnn_cell        q1 rnn_step, q2 rnn_step_backward                      (ex1)
    training        q1 scalar_bptt, q2 truncated_bptt                      (ex2)
    gates           q1 gru_step, q2 lstm_step                              (ex3)
    gated_backward  q1 gru_step_backward, q2 lstm_step_backward,
                    q3 lstm_backward                                       (ex4)
    capstone        q1 rnn_step, q2 rnn_step_backward, q3 softmax_cross_entropy,
                    q4 char_window, q5 softmax_temperature, q6 decoder_inputs  (ex5)

    from rnnlab.exercises import rnn_cell as ex
    ex.q2.check(rnn_step_backward)
    ex.still_to_write(q1=rnn_step_forward, q2=rnn_step_backward)   # [] when both pass

Prefer the lesson namespaces in notebooks: the exercise ``rnn_step_backward``
shares its name with the function the learner writes, so a cell with
``def rnn_step_backward(...)`` replaces an exercise imported under that name.
"""
from __future__ import annotations

# the package's modules, one concept each:
#   _feedback        Feedback, Note, Code; comparing outputs, naming mistakes
#   _base            the Exercise class: check, hint, solution, template
#   _rnn_cell        rnn_step, rnn_step_backward
#   _training        scalar_bptt, truncated_bptt
#   _gates           gru_step, lstm_step
#   _gated_backward  gru_step_backward, lstm_step_backward, lstm_backward
#   _capstone        softmax_cross_entropy, char_window, softmax_temperature, decoder_inputs
from ._base import Exercise
from ._capstone import _CharWindow, _DecoderInputs, _SoftmaxCrossEntropy, _SoftmaxTemperature
from ._feedback import ATOL, RTOL, Code, Feedback, Note
from ._gated_backward import _GruStepBackward, _LstmBackward, _LstmStepBackward
from ._gates import _GruStep, _LstmStep
from ._rnn_cell import _RnnStep, _RnnStepBackward
from ._training import _ScalarBPTT, _TruncatedBPTT

__all__ = ["Feedback", "Note", "Code", "Exercise", "ExerciseSet", "template", "EXERCISES", "NOTEBOOKS",
           "rnn_step", "rnn_step_backward", "scalar_bptt", "gru_step", "lstm_step", "truncated_bptt",
           "gru_step_backward", "lstm_step_backward", "lstm_backward", "softmax_cross_entropy",
           "char_window", "softmax_temperature", "decoder_inputs",
           "rnn_cell", "training", "gates", "gated_backward", "capstone"]

# ---------------------------------------------------------------------------
# the exercises, and one namespace per notebook
# ---------------------------------------------------------------------------

rnn_step = _RnnStep()
rnn_step_backward = _RnnStepBackward()
scalar_bptt = _ScalarBPTT()
gru_step = _GruStep()
lstm_step = _LstmStep()
truncated_bptt = _TruncatedBPTT()
gru_step_backward = _GruStepBackward()
lstm_step_backward = _LstmStepBackward()
lstm_backward = _LstmBackward()
softmax_cross_entropy = _SoftmaxCrossEntropy()
char_window = _CharWindow()
softmax_temperature = _SoftmaxTemperature()
decoder_inputs = _DecoderInputs()


class ExerciseSet:
    """One notebook's exercises as ``q1``, ``q2``, ...; ``still_to_write`` says which are not done.

    >>> from rnnlab.exercises import capstone as ex
    >>> ex.q3.check(softmax_cross_entropy)
    >>> ex.still_to_write(q1=rnn_step_forward, q3=softmax_cross_entropy)   # [] once both pass
    """

    def __init__(self, *exercises):
        self._exercises = {f"q{i}": ex for i, ex in enumerate(exercises, 1)}
        for key, ex in self._exercises.items():
            setattr(self, key, ex)

    def __iter__(self):
        return iter(self._exercises.values())

    def __repr__(self):
        return "ExerciseSet(" + ", ".join(f"{k}={ex.name}" for k, ex in self._exercises.items()) + ")"

    def still_to_write(self, **functions):
        """The functions that do not pass their checks yet, as readable lines.

        ``functions`` maps an exercise (``q1``, ``q2``, ...) to the learner's
        function. Returns a list of strings such as ``"char_window (q4): not done
        yet"``, empty when every function passes; the notebook can then print
        what is left, or go on.
        """
        left = []
        for key, fn in functions.items():
            if key not in self._exercises:
                raise ValueError(f"unknown exercise {key!r}; this set has {', '.join(self._exercises)}")
            ex = self._exercises[key]
            feedback = ex.check(fn)
            if not feedback:
                state = "not done yet" if feedback.status == "todo" else "its check does not pass yet"
                left.append(f"{ex.function} ({key}): {state}")
        return left


#: per notebook: ``from rnnlab.exercises import rnn_cell as ex; ex.q1.check(...)``
rnn_cell = ExerciseSet(rnn_step, rnn_step_backward)
training = ExerciseSet(scalar_bptt, truncated_bptt)
gates = ExerciseSet(gru_step, lstm_step)
gated_backward = ExerciseSet(gru_step_backward, lstm_step_backward, lstm_backward)
capstone = ExerciseSet(rnn_step, rnn_step_backward, softmax_cross_entropy, char_window, softmax_temperature,
                       decoder_inputs)
NOTEBOOKS = {"rnn_cell": rnn_cell, "training": training, "gates": gates, "gated_backward": gated_backward,
             "capstone": capstone}
#: every exercise by name, in the order of the notebooks (the capstone reuses ex1's two)
EXERCISES = {ex.name: ex for group in NOTEBOOKS.values() for ex in group}


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
