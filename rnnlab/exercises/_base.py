"""The exercise machinery: :class:`Exercise` and what its subclasses share.

An exercise is an object with ``check``, ``hint``, ``solution`` and
``template``. A subclass gives the seeded test cases, the reference outputs,
how to read the learner's return value and the known mistakes; ``check`` runs
the learner's function on every case and turns the comparison into a
:class:`Feedback`.
"""
from __future__ import annotations

import configparser
import html
import os
import sys

import numpy as np

from .. import learner
from ._feedback import (_BOX, _COLORS, Code, Feedback, Note, _array, _diagnose, _join, _shape_text,
                        _summary, _Unusable)


class Exercise:
    """One exercise: ``check``, ``hint``, ``solution``, ``template``.

    Subclasses give the seeded test cases, the reference outputs, how to read
    the learner's return value and the known mistakes.
    """

    name = ""            # the exercise, e.g. "rnn_step"
    function = ""        # the function the learner writes, e.g. "rnn_step_forward"
    task = ""            # one line: what to write
    outputs = ()         # list of _Output
    arg_shapes = ()      # ((argument, shape symbols), ...) for shape-error hints
    transposed_advice = {}
    hints = ()
    _template = ""
    _solution = ""

    # -- the public methods ---------------------------------------------------------
    def check(self, fn=None):
        """Run your function on seeded test inputs and compare with the reference.

        Parameters
        ----------
        fn : callable, optional
            Your function. Without it, ``check`` looks for a function named
            like the exercise's (e.g. ``rnn_step_forward``) where it is called.

        Returns
        -------
        Feedback
            Shows ✓ or ✗ with what is wrong; ``bool(feedback)`` is True on success.
        """
        if fn is None:
            fn = sys._getframe(1).f_globals.get(self.function)
            if fn is None:
                return self._fail(f"define {self.function} first, or pass your function: "
                                  f"{self.name}.check(my_function)")
        if not callable(fn):
            return self._fail(f"check() takes your function, e.g. {self.name}.check({self.function}); "
                              f"got {type(fn).__name__}")
        module = getattr(fn, "__module__", None) or ""
        if module in ("rnnlab.cells", "rnnlab.exercises") or module.startswith("rnnlab.exercises."):
            return self._fail(f"that is rnnlab's own {fn.__name__}: write your own {self.function} "
                              "and check that one")
        cases = self._cases()
        first_rows = None
        for n, case in enumerate(cases):
            with np.errstate(all="ignore"):  # huge or NaN answers are reported, not warned about
                fb, rows = self._check_case(fn, case)
            if fb is not None:
                if n:
                    fb.summary = (f"right on the first test, but not on test {n + 1} "
                                  f"({self._describe(case)}): " + fb.summary)
                return fb
            first_rows = rows if first_rows is None else first_rows
        return Feedback("pass", self.name, f"{self.function} gives the reference results on "
                        f"{len(cases)} seeded tests.", rows=first_rows, function=self.function)

    def hint(self, n=1):
        """Hint number ``n`` (1, 2, ...); each says a little more than the one before.

        A course can turn hints off (``RNNLAB_HINTS=off``; see :func:`_course_allows`).
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an integer hint number, got {n!r}")
        if not _course_allows("hints"):
            return Note("Hints are not available in this course",
                        "Your instructor has turned hints off for this course. check() still tells "
                        "you what is right and what is wrong.")
        n = min(max(n, 1), len(self.hints))
        more = f"   (.hint({n + 1}) for the next one)" if n < len(self.hints) else ""
        return Note(f"Hint {n} of {len(self.hints)}{more}", self.hints[n - 1])

    def solution(self):
        """The reference code, as a :class:`Code` string.

        A course can turn solutions off (``RNNLAB_SOLUTIONS=off``; see :func:`_course_allows`):
        then this returns a polite :class:`Note` instead, and ``check`` keeps working.
        """
        if not _course_allows("solutions"):
            return Note("Solutions are not available in this course",
                        "Your instructor has turned solutions off for this course. check() still "
                        "tells you what is right and what is wrong" + (
                            ", and hint() gives a hint." if _course_allows("hints") else "."))
        return Code(self._solution, f"Solution: {self.name}")

    def template(self):
        """Starter code: the signature, a docstring with every shape, and a stub body."""
        return Code(self._template, f"Starter code: {self.name}")

    def __repr__(self):
        n = self.name
        return (f"Exercise {n}: {self.task}\n  {n}.template(), {n}.check({self.function}), "
                f"{n}.hint(), {n}.solution()")

    def _repr_html_(self):
        fg, bg = _COLORS["note"]
        n, f = html.escape(self.name), html.escape(self.function)
        return (f'<div class="rnnlab-exercise" style="{_BOX.format(fg=fg, bg=bg)}">'
                f'<b style="color:{fg}">Exercise {n}</b>: {html.escape(self.task)}'
                f'<div style="margin-top:3px"><code>{n}.template()</code>, <code>{n}.check({f})</code>, '
                f'<code>{n}.hint()</code>, <code>{n}.solution()</code></div></div>')

    # -- hooks for subclasses -----------------------------------------------------------
    def _cases(self):
        """Seeded test cases: dicts with ``args`` (a tuple) and ``dims`` (shape symbols)."""
        raise NotImplementedError

    def _reference(self, case):
        """The right outputs, a dict keyed like ``outputs``."""
        raise NotImplementedError

    def _parse(self, result, case):
        """The learner's return value as a dict of arrays; raise _Unusable if it cannot be read."""
        raise NotImplementedError

    def _variants(self, case, ref):
        """Known mistakes: a list of ``(id, message, outputs with that mistake)``."""
        return []

    def _scale_note(self, c):
        """The diagnosis when every wrong output is ``c`` times the right one."""
        return f"every wrong output is {c:.4g} times the expected one"

    def _exception_note(self, run, case):
        """Extra words for an exception from the learner's code (``run``: a :class:`rnnlab.learner.LearnerCall`)."""
        msg = str(run.error)
        if isinstance(run.error, ValueError) and ("matmul" in msg or "align" in msg
                                                  or "broadcast" in msg):
            return ("a product or a sum got arrays whose shapes do not fit. In this test: "
                    + ", ".join(f"{a} {_shape_text(s, case['dims'])}" for a, s in self.arg_shapes))
        return ""

    # -- the checking itself --------------------------------------------------------------
    def _describe(self, case):
        return ", ".join(f"{k} = {v}" for k, v in case["dims"].items())

    def _fail(self, summary, notes=(), rows=(), details="", mistakes=()):
        return Feedback("fail", self.name, summary, notes, rows, details, mistakes, function=self.function)

    def _check_case(self, fn, case):
        """``(None, rows)`` if the learner's function is right on ``case``, else ``(Feedback, rows)``."""
        run = learner.call(fn, *case["args"])  # never raises; copies the arguments
        if run.status in ("todo", "none"):
            return Feedback("todo", self.name, "not done yet: write the function body" + (
                " (your function returned None: is the return statement missing?)"
                if run.status == "none" else ""), function=self.function), None
        if run.status == "raised":
            note = self._exception_note(run, case)
            return self._fail(run.message, [note] if note else [], details=run.details,
                              mistakes=("raised",)), None
        result = run.value
        ref = self._reference(case)
        try:
            got = self._parse(result, case)
        except _Unusable as err:
            return self._fail(str(err), mistakes=("unusable",)), None
        return self._judge(got, ref, case)

    def _judge(self, got, ref, case):
        d = _diagnose(self.outputs, got, ref, self._variants(case, ref), case["dims"],
                      self.transposed_advice, self._scale_note)
        if not d.wrong:
            return None, d.rows
        missing = [o.label for o in d.wrong if got.get(o.key) is None]
        lines = [f"{_join(missing)} {'is' if len(missing) == 1 else 'are'} missing"] if missing else []
        text = _summary(self.outputs, d.wrong, d.rel)
        summary = "; ".join(lines + d.problems + ([text] if text else [])) + "."
        return self._fail(summary, d.notes, d.rows, mistakes=d.ids), d.rows


def _course_allows(what):
    """Whether this course shows ``what`` (``"solutions"`` or ``"hints"``); True unless turned off.

    The environment variable ``RNNLAB_SOLUTIONS`` / ``RNNLAB_HINTS`` decides if it is set;
    otherwise the ``[rnnlab]`` section of the course file, ``$RNNLAB_COURSE_CONFIG`` or else
    ``<sys.prefix>/etc/rnnlab/course.ini`` (``solutions = off``). Values: on/off, yes/no,
    true/false, 1/0. A deployment sets one of them; it is a courtesy, not a lock: the
    reference code ships inside rnnlab.
    """
    variable = f"RNNLAB_{what.upper()}"
    value, source = os.environ.get(variable), variable
    if value is None:
        source = os.environ.get("RNNLAB_COURSE_CONFIG") or os.path.join(sys.prefix, "etc", "rnnlab",
                                                                        "course.ini")
        parser = configparser.ConfigParser()
        parser.read(source, encoding="utf-8")  # a missing file reads as empty
        value = parser.get("rnnlab", what, fallback=None)
        source = f"{what} in [rnnlab] of {source}"
    if value is None:
        return True
    known = configparser.ConfigParser.BOOLEAN_STATES
    if value.strip().lower() not in known:
        raise ValueError(f"{source} must be on or off (or yes/no, true/false, 1/0), got {value!r}")
    return known[value.strip().lower()]


# ---------------------------------------------------------------------------
# what the exercises share: seeded cases, reading the learner's result, variants
# ---------------------------------------------------------------------------

def _seeded_cases(first_seed, symbols, sizes, draw):
    """One test case per entry of ``sizes``, the i-th drawn from seed ``first_seed + i``.

    ``symbols`` names the sizes (``"NDH"``: one letter a size); ``draw(rng, *size)``
    returns the case's arguments. A case is ``{"args": tuple, "dims": {symbol: size}}``.
    """
    return [{"args": draw(np.random.default_rng(first_seed + i), *size),
             "dims": dict(zip(symbols, size))} for i, size in enumerate(sizes)]


def _as_arrays(values, label=lambda key: key):
    """``{key: learner's value}`` -> ``{key: float64 array or None if absent}``.

    Raises ``_Unusable`` naming the first value that is not numeric.
    """
    out = {}
    for key, v in values.items():
        arr = None if v is None else _array(v)
        if v is not None and arr is None:
            what = (f"an array of dtype {v.dtype}" if isinstance(v, np.ndarray)
                    else type(v).__name__)
            raise _Unusable(f"{label(key)} should be a NumPy array of real numbers, got {what}")
        out[key] = arr
    return out


def _one_array(result, key):
    """A learner's function that returns one array: ``{key: array}``."""
    if isinstance(result, tuple):
        raise _Unusable(f"return {key} alone (one array), not a tuple of {len(result)}")
    return _as_arrays({key: result})


def _arrays(result, keys, expected):
    """A learner's function that returns ``len(keys)`` arrays in order: ``{key: array}``.

    ``expected`` says what to return, e.g. ``"two arrays, (h_t, c_t)"``.
    """
    if not isinstance(result, (tuple, list)) or len(result) != len(keys):
        n = len(result) if isinstance(result, (tuple, list)) else 1
        raise _Unusable(f"return {expected}; got {n}")
    return _as_arrays(dict(zip(keys, result)))


def _gradients(result, order):
    """A backward pass's result: a tuple of arrays in ``order`` (``("dx_t", "dh_prev", ...)``),
    or a dict keyed like ``order`` or without the ``d`` (``w_x`` for ``dw_x``)."""
    if isinstance(result, dict):
        return _as_arrays({k: result.get(k, result.get(k[1:])) for k in order})
    return _arrays(result, order, f"{len(order)} arrays in the order {', '.join(order)}")


def _loss_and_grads(loss, grads, keys, **more):
    """A returned ``loss`` and dict of gradients (keyed ``w_x`` or ``dw_x``) as
    ``{"loss": scalar, key: array, ...}``; ``more`` adds other returned values by name."""
    if not isinstance(grads, dict):
        raise _Unusable(f"grads should be a dict with keys {', '.join(keys)}; got "
                        f"{type(grads).__name__}")
    got = _as_arrays({"loss": loss, **{k: grads.get(k, grads.get("d" + k)) for k in keys}, **more},
                     lambda k: k if k == "loss" or k in more else "d" + k)
    return _scalars(got, "loss")


def _scalars(got, *keys):
    """``got`` with the values of ``keys`` as 0-d arrays when they hold one number
    (a learner may return a scalar as ``array([0.3])``)."""
    for k in keys:
        if got[k] is not None and got[k].size == 1:
            got[k] = got[k].reshape(())
    return got


def _evaluate(trial, *keys):
    """``(id, message, thunk)`` -> ``(id, message, {key: value})``; skip what cannot be computed.

    A thunk returns the value of the one key, or a tuple with one value per key.
    """
    out = []
    for vid, msg, thunk in trial:
        try:
            with np.errstate(all="ignore"):
                value = thunk()
        except ValueError:  # e.g. a transposed product whose shapes do not fit
            continue
        out.append((vid, msg, dict(zip(keys, value)) if len(keys) > 1 else {keys[0]: value}))
    return out


# ``transposed_advice`` for a step's h_t when the learner wrote the column form
_ROWS_ADVICE = {"h_t": ": with one sequence per row, write x_t @ w_x.T + h_prev @ w_h.T "
                       "(not w_x @ x_t.T, the column form)"}
