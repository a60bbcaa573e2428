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

import html
import itertools
import os
import re
import sys
import sysconfig
import traceback
import types

import numpy as np

from . import cells
from .activations import relu, sigmoid
from .gradcheck import relative_error

__all__ = ["Feedback", "Note", "Code", "Exercise", "template", "EXERCISES", "NOTEBOOKS",
           "rnn_step", "rnn_step_backward", "scalar_bptt", "gru_step", "lstm_step",
           "truncated_bptt", "rnn_cell", "training", "gates"]

# outputs agree when np.allclose(got, expected, RTOL, ATOL); the inputs are
# float64 of order one, so a right answer is off by ~1e-15
RTOL, ATOL = 1e-5, 1e-8

_COLORS = {"pass": ("#1b5e20", "#e8f5e9"), "fail": ("#b71c1c", "#fdecea"),
           "todo": ("#8a5a00", "#fff4e0"), "note": ("#0d47a1", "#e8f0fe")}
_VERDICT = {"pass": "✓ Correct", "fail": "✗ Incorrect", "todo": "✗ Not done yet"}
_BOX = ("margin:4px 0;padding:6px 10px;border-left:4px solid {fg};background:{bg};"
        "color:#222;font-family:var(--jp-ui-font-family, sans-serif);font-size:13px")


# ---------------------------------------------------------------------------
# what check, hint and solution return
# ---------------------------------------------------------------------------

class Feedback:
    """The verdict of ``exercise.check(...)``.

    Attributes
    ----------
    status : ``"pass"``, ``"fail"`` or ``"todo"`` (the function is still a stub)
    exercise : name of the exercise
    summary : one line: what is right and what is wrong
    notes : list of str, the specific diagnoses ("looks like w_x is used transposed...")
    rows : list of ``(name, shape, relative error, status)`` strings, one per output
    details : the learner's failing source line or other context ("" if none)
    mistakes : tuple of str, ids of the recognised mistakes (for tests and teachers)

    ``bool(feedback)`` is True when the check passed.
    """

    def __init__(self, status, exercise, summary, notes=(), rows=(), details="", mistakes=()):
        self.status = status
        self.exercise = exercise
        self.summary = summary
        self.notes = list(notes)
        self.rows = [tuple(r) for r in rows]
        self.details = details
        self.mistakes = tuple(mistakes)

    @property
    def passed(self):
        return self.status == "pass"

    def __bool__(self):
        return self.passed

    @property
    def message(self):
        """The summary and the diagnoses, one per line."""
        return "\n".join([self.summary] + self.notes)

    def _table_text(self):
        if not self.rows:
            return []
        head = ("output", "shape", "relative error", "")
        table = [head] + self.rows
        widths = [max(len(r[i]) for r in table) for i in range(3)]
        return [f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}  {d}".rstrip()
                for a, b, c, d in table]

    def __str__(self):
        lines = [f"{_VERDICT[self.status]}: {self.exercise}", self.summary]
        lines += [f"- {n}" for n in self.notes]
        lines += self._table_text()
        if self.details:
            lines.append(self.details)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        fg, bg = _COLORS[self.status]
        e = html.escape
        parts = [f'<div class="rnnlab-feedback rnnlab-feedback-{self.status}" '
                 f'style="{_BOX.format(fg=fg, bg=bg)}">',
                 f'<b style="color:{fg}">{e(_VERDICT[self.status])}</b>'
                 f' <span style="color:#555">{e(self.exercise)}</span>',
                 f'<div style="margin-top:3px;white-space:pre-wrap">{e(self.summary)}</div>']
        if self.notes:
            parts.append('<ul style="margin:3px 0 3px 18px;padding:0">'
                         + "".join(f'<li style="white-space:pre-wrap">{e(n)}</li>' for n in self.notes)
                         + "</ul>")
        if self.rows:
            cell = 'style="padding:1px 10px 1px 0;text-align:left"'
            head = "".join(f"<th {cell}>{h}</th>" for h in ("output", "shape", "relative error", ""))
            body = "".join(
                "<tr>" + "".join(f"<td {cell}><code>{e(v)}</code></td>" for v in r[:3])
                + f'<td {cell} style="color:{_COLORS["pass" if r[3] == "ok" else "fail"][0]}">'
                f"{e(r[3])}</td></tr>" for r in self.rows)
            parts.append(f'<table style="border-collapse:collapse;margin-top:4px;font-size:12px">'
                         f"<tr>{head}</tr>{body}</table>")
        if self.details:
            parts.append(f'<pre style="margin:4px 0 0;background:none">{e(self.details)}</pre>')
        parts.append("</div>")
        return "".join(parts)


class Note:
    """A hint: a title and some text, shown as a blue box."""

    def __init__(self, title, text):
        self.title = title
        self.text = text

    def __str__(self):
        return f"{self.title}\n{self.text}"

    __repr__ = __str__

    def _repr_html_(self):
        fg, bg = _COLORS["note"]
        return (f'<div class="rnnlab-hint" style="{_BOX.format(fg=fg, bg=bg)}">'
                f'<b style="color:{fg}">{html.escape(self.title)}</b>'
                f'<div style="margin-top:3px;white-space:pre-wrap">{html.escape(self.text)}</div></div>')


class Code(str):
    """Source code that is a ``str`` (``exec`` it, copy it) and shows as a code block."""

    def __new__(cls, text, title=""):
        obj = super().__new__(cls, text)
        obj.title = title
        return obj

    def __repr__(self):
        return (f"# {self.title}\n" if self.title else "") + str(self)

    def _repr_html_(self):
        title = f"<b>{html.escape(self.title)}</b>" if self.title else ""
        return (f'<div class="rnnlab-code">{title}<pre style="margin:4px 0;padding:6px 10px;'
                f'background:#f6f8fa;border:1px solid #ddd"><code>{html.escape(str(self))}'
                "</code></pre></div>")


# ---------------------------------------------------------------------------
# running the learner's code safely
# ---------------------------------------------------------------------------

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(os.path.dirname(os.path.abspath(p)) + os.sep for p in (np.__file__,)) + (
    _HERE + os.sep, os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep)


class _Unusable(Exception):
    """What the learner's function returned cannot be compared (wrong type or count)."""


class _Raised:
    """An exception from the learner's code, with the learner's line."""

    def __init__(self, exc):
        self.exc = exc
        frames = traceback.extract_tb(exc.__traceback__)
        while frames and os.path.abspath(frames[0].filename) == os.path.abspath(__file__):
            frames = frames[1:]  # check's own frames
        own = [f for f in frames if not os.path.abspath(f.filename).startswith(_LIBRARY_DIRS)]
        self.frame = own[-1] if own else (frames[0] if frames else None)
        self.inside = frames[-1] if frames and frames[-1] is not self.frame else None

    @property
    def text(self):
        where = f" (line {self.frame.lineno})" if self.frame else ""
        return f"your function raised {type(self.exc).__name__}: {self.exc}{where}"

    @property
    def details(self):
        lines = []
        if self.frame and self.frame.line:
            lines.append(f"line {self.frame.lineno}: {self.frame.line.strip()}")
        if self.inside is not None and self.frame is not None:
            lines.append(f"(the error came from {self.inside.name} in "
                         f"{os.path.basename(self.inside.filename)}, called from that line)")
        return "\n".join(lines)


_STUB, _NONE = object(), object()  # raised NotImplementedError / returned None


def _call(fn, args):
    """``fn(*args)`` on copies; returns the result, ``_STUB``, ``_NONE`` or a :class:`_Raised`."""
    copies = [a.copy() if isinstance(a, np.ndarray) else
              ({k: v.copy() for k, v in a.items()} if isinstance(a, dict) else a) for a in args]
    try:
        with np.errstate(all="ignore"):
            out = fn(*copies)
    except NotImplementedError:
        return _STUB
    except Exception as exc:  # the learner's code: report it, never crash the notebook
        return _Raised(exc)
    return _NONE if out is None else out


def _array(value):
    """A float64 array, or None if the value is not an array of real numbers."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # e.g. ragged nested lists
        return None
    if arr.dtype.kind not in "biuf":  # complex, strings, objects...
        return None
    return arr.astype(np.float64)


def _same(a, b):
    """Same shape and equal within tolerance; NaN never matches."""
    a, b = _array(a), _array(b)
    if a is None or b is None or a.shape != b.shape:
        return False
    return bool(np.isfinite(a).all() and np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _join(words):
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _few(labels, at_most=3):
    """``a, b and c``, or ``a, b, c and 4 more``."""
    if len(labels) <= at_most:
        return _join(labels)
    return ", ".join(labels[:at_most]) + f" and {len(labels) - at_most} more"


def _shape_text(symbols, dims):
    """``("N", "H")`` with ``{N: 3, H: 4}`` -> ``"(N, H) = (3, 4)"``."""
    if not symbols:
        return "() (a scalar)"
    sym = "(" + ", ".join(symbols) + ("," if len(symbols) == 1 else "") + ")"
    return f"{sym} = {tuple(_size(s, dims) for s in symbols)}"


def _size(symbol, dims):
    """``"H"``, ``"3*H"`` or ``"1"`` -> a number, with ``dims`` giving the letters."""
    factor, _, letter = symbol.rpartition("*")
    value = int(letter) if letter.isdigit() else dims[letter]
    return int(factor or 1) * value


# ---------------------------------------------------------------------------
# comparing outputs and recognising mistakes
# ---------------------------------------------------------------------------

class _Output:
    """One thing the learner returns: ``key`` in the result dict, the name shown, the shape."""

    def __init__(self, key, label, shape):
        self.key, self.label, self.shape = key, label, tuple(shape)


def _diagnose(outputs, got, ref, variants, dims, transposed_advice, scale_note):
    """Compare ``got`` with ``ref`` output by output and explain what is wrong.

    ``variants`` is a list of ``(id, message, values)``: the outputs computed
    with one known mistake. A wrong output is attributed to the first variant
    whose value it equals (and which differs from the right value), else to a
    transposition or a constant factor when its numbers show one. When no
    variant applies and all wrong outputs are off by one common factor ``c``,
    that is the diagnosis: ``scale_note(c)``.

    Returns a namespace: ``rows`` (for the table), ``wrong`` (outputs),
    ``problems`` (shape/NaN lines), ``notes``, ``ids`` (mistake ids), ``rel``
    (relative error per wrongly valued output).
    """
    rows, wrong, problems, rel = [], [], [], {}
    for out in outputs:
        g, r = got.get(out.key), ref[out.key]
        shape = str(r.shape)
        if g is None:
            rows.append((out.label, shape, "—", "missing"))
            wrong.append(out)
        elif g.shape != r.shape:
            rows.append((out.label, shape, "—", f"shape {g.shape}"))
            problems.append(f"{out.label} should have shape {_shape_text(out.shape, dims)}, "
                            f"got {g.shape}")
            wrong.append(out)
        elif not np.isfinite(g).all():
            rows.append((out.label, shape, "—", "NaN/inf"))
            problems.append(f"{out.label} contains NaN or infinite values")
            wrong.append(out)
        elif _same(g, r):
            rows.append((out.label, shape, f"{relative_error(g, r):.1e}", "ok"))
        else:
            rel[out.key] = relative_error(g, r)
            rows.append((out.label, shape, f"{rel[out.key]:.1e}", "wrong"))
            wrong.append(out)

    found = {}  # (id, message) -> labels it explains
    matched_variant = False
    for out in wrong:
        g, r = got.get(out.key), ref[out.key]
        if g is None:
            continue
        hit = next(((vid, msg) for vid, msg, vals in variants
                    if out.key in vals and _same(g, vals[out.key]) and not _same(vals[out.key], r)),
                   None)
        matched_variant = matched_variant or hit is not None
        if hit is None and r.ndim == 2 and g.shape == r.T.shape and _same(g.T, r):
            hit = (f"transposed_{out.key}", f"{out.label} has the right numbers but transposed"
                   + transposed_advice.get(out.key, ""))
        if hit is None and g.shape == r.shape and r.size >= 2 and np.isfinite(g).all():
            c = float(np.vdot(g, r) / max(np.vdot(r, r), 1e-300))
            if abs(c - 1) > 1e-6 and _same(g, c * r):
                hit = (f"scaled_{c:.4g}", f"{c:.4g} times the expected values")
        if hit is not None:
            found.setdefault(hit, []).append(out.label)

    wrong_labels = [o.label for o in wrong]
    ids = list(dict.fromkeys("scaled" if vid.startswith("scaled_") else vid for vid, _ in found))
    # a note names the outputs it explains, unless it explains all of them or names its output
    notes = [msg if vid.startswith("transposed_") or (labels == wrong_labels and not
                                                      vid.startswith("scaled_"))
             else f"{_few(labels)}: {msg}" for (vid, msg), labels in found.items()]

    # one factor for everything that is wrong: a sign, a missing 0.5, a sum for a mean
    pairs = [(got[o.key], ref[o.key]) for o in wrong
             if got.get(o.key) is not None and got[o.key].shape == ref[o.key].shape]
    if not matched_variant and len(pairs) == len(wrong) >= 2:
        g = np.concatenate([a.ravel() for a, _ in pairs])
        r = np.concatenate([b.ravel() for _, b in pairs])
        c = float(np.vdot(g, r) / max(np.vdot(r, r), 1e-300)) if np.isfinite(g).all() else 1.0
        if abs(c - 1) > 1e-6 and _same(g, c * r):
            notes, ids = [scale_note(c)], ["scaled"]
    return types.SimpleNamespace(rows=rows, wrong=wrong, problems=problems, notes=notes, ids=ids,
                                 rel=rel)


def _summary(outputs, wrong, rel):
    """The summary line, e.g. ``dw_h is wrong (relative error 0.42); dx_t and db_h are right``."""
    valued = [o for o in wrong if o.key in rel]
    right = [o.label for o in outputs if o not in wrong]
    if not valued:
        text = ""
    elif len(valued) == 1:
        text = f"{valued[0].label} is wrong (relative error {rel[valued[0].key]:.2g})"
    else:
        text = (_join(o.label for o in valued) + " are wrong (relative errors "
                + _join(f"{rel[o.key]:.2g}" for o in valued) + ")")
    if right and wrong:
        text += ("; " if text else "") + _join(right) + (" is right" if len(right) == 1 else " are right")
    return text


# ---------------------------------------------------------------------------
# the exercise machinery
# ---------------------------------------------------------------------------

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
        if getattr(fn, "__module__", None) in ("rnnlab.cells", "rnnlab.exercises"):
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
                        f"{len(cases)} seeded tests.", rows=first_rows)

    def hint(self, n=1):
        """Hint number ``n`` (1, 2, ...); each says a little more than the one before."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an integer hint number, got {n!r}")
        n = min(max(n, 1), len(self.hints))
        more = f"   (.hint({n + 1}) for the next one)" if n < len(self.hints) else ""
        return Note(f"Hint {n} of {len(self.hints)}{more}", self.hints[n - 1])

    def solution(self):
        """The reference code, as a :class:`Code` string."""
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

    def _exception_note(self, raised, case):
        """Extra words for an exception from the learner's code."""
        msg = str(raised.exc)
        if isinstance(raised.exc, ValueError) and ("matmul" in msg or "align" in msg
                                                  or "broadcast" in msg):
            return ("a product or a sum got arrays whose shapes do not fit. In this test: "
                    + ", ".join(f"{a} {_shape_text(s, case['dims'])}" for a, s in self.arg_shapes))
        return ""

    # -- the checking itself --------------------------------------------------------------
    def _describe(self, case):
        return ", ".join(f"{k} = {v}" for k, v in case["dims"].items())

    def _fail(self, summary, notes=(), rows=(), details="", mistakes=()):
        return Feedback("fail", self.name, summary, notes, rows, details, mistakes)

    def _check_case(self, fn, case):
        """``(None, rows)`` if the learner's function is right on ``case``, else ``(Feedback, rows)``."""
        result = _call(fn, case["args"])
        if result is _STUB or result is _NONE:
            return Feedback("todo", self.name, "not done yet: write the function body" + (
                " (your function returned None: is the return statement missing?)"
                if result is _NONE else "")), None
        if isinstance(result, _Raised):
            note = self._exception_note(result, case)
            return self._fail(result.text, [note] if note else [], details=result.details,
                              mistakes=("raised",)), None
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


def _rng(seed):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------
# 1. one forward step of the simple RNN
# ---------------------------------------------------------------------------

class _RnnStep(Exercise):
    name = "rnn_step"
    function = "rnn_step_forward"
    task = "write one forward step of the simple RNN, h_t = tanh(w_x x_t + w_h h_prev + b_h)."
    outputs = [_Output("h_t", "h_t", ("N", "H"))]
    arg_shapes = (("x_t", ("N", "D")), ("h_prev", ("N", "H")), ("w_x", ("H", "D")),
                  ("w_h", ("H", "H")), ("b_h", ("H",)))
    transposed_advice = {"h_t": ": with one sequence per row, write x_t @ w_x.T + h_prev @ w_h.T "
                                "(not w_x @ x_t.T, the column form)"}
    hints = (
        "The batch holds one sequence per row: x_t is (N, D), h_prev is (N, H). The tutorial's "
        "w_x x_t acts on a column vector; for rows, the same product is x_t @ w_x.T.",
        "Build the pre-activation a = x_t @ w_x.T + h_prev @ w_h.T + b_h, shape (N, H): b_h (H,) "
        "broadcasts over the rows. Then squash it with np.tanh.",
        "Two lines: a = x_t @ w_x.T + h_prev @ w_h.T + b_h, then return np.tanh(a).",
    )
    _template = '''import numpy as np


def rnn_step_forward(x_t, h_prev, w_x, w_h, b_h):
    """One step of a simple RNN with the tanh activation.

    For one sequence, with column vectors as in the tutorial:
        h_t = tanh(w_x x_t + w_h h_prev + b_h)
    Here a batch of N sequences is given at once, one sequence per row.

    Parameters
    ----------
    x_t : array (N, D)      inputs at step t
    h_prev : array (N, H)   hidden state of the step before
    w_x : array (H, D)      input-to-hidden weights
    w_h : array (H, H)      hidden-to-hidden weights
    b_h : array (H,)        recurrent bias

    Returns
    -------
    h_t : array (N, H)      the new hidden state
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def rnn_step_forward(x_t, h_prev, w_x, w_h, b_h):
    # one sequence per row, so the tutorial's w_x x_t becomes x_t @ w_x.T
    a = x_t @ w_x.T + h_prev @ w_h.T + b_h   # (N, H) pre-activation
    return np.tanh(a)
'''

    def _cases(self):
        out = []
        # the first test has D = H so that a transposed w_x gives numbers, not an error
        for seed, (N, D, H) in enumerate([(3, 4, 4), (2, 3, 5), (1, 1, 2)]):
            r = _rng(100 + seed)
            args = (r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H))),
                    r.normal(0, 0.6, (H, D)), r.normal(0, 0.6, (H, H)), r.normal(0, 0.5, H))
            out.append({"args": args, "dims": {"N": N, "D": D, "H": H}})
        return out

    def _reference(self, case):
        return {"h_t": cells.rnn_step_forward(*case["args"])[0]}

    def _parse(self, result, case):
        if isinstance(result, tuple):
            raise _Unusable(f"return h_t alone (one array), not a tuple of {len(result)}")
        return _as_arrays({"h_t": result})

    def _variants(self, case, ref):
        x, h, w_x, w_h, b = case["args"]
        a = x @ w_x.T + h @ w_h.T + b
        trial = [
            ("w_x_transposed", "looks like w_x is used transposed: write x_t @ w_x.T, since w_x has "
             "shape (H, D) (here D = H, so x_t @ w_x runs but computes something else)",
             lambda: np.tanh(x @ w_x + h @ w_h.T + b)),
            ("w_h_transposed", "looks like w_h is used transposed: write h_prev @ w_h.T (w_h is "
             "square, so h_prev @ w_h runs but computes something else)",
             lambda: np.tanh(x @ w_x.T + h @ w_h + b)),
            ("both_transposed", "looks like w_x and w_h are both used transposed: with one sequence "
             "per row write x_t @ w_x.T + h_prev @ w_h.T", lambda: np.tanh(x @ w_x + h @ w_h + b)),
            ("no_activation", "the activation is missing: h_t equals the pre-activation "
             "x_t @ w_x.T + h_prev @ w_h.T + b_h; apply np.tanh to it", lambda: a),
            ("sigmoid", "wrong activation: h_t looks like sigmoid(a); this RNN uses tanh",
             lambda: sigmoid(a)),
            ("relu", "wrong activation: h_t looks like relu(a); this RNN uses tanh", lambda: relu(a)),
            ("no_bias", "b_h is missing: add it to the pre-activation, inside tanh",
             lambda: np.tanh(a - b)),
            ("bias_outside", "b_h is added after tanh; it belongs inside: tanh(... + b_h)",
             lambda: np.tanh(a - b) + b),
            ("no_recurrence", "the recurrent term h_prev @ w_h.T is missing: h_t must depend on "
             "h_prev", lambda: np.tanh(x @ w_x.T + b)),
        ]
        return _evaluate(trial, "h_t")


def _evaluate(trial, key):
    """``(id, message, thunk)`` -> ``(id, message, {key: value})``; skip what cannot be computed."""
    out = []
    for vid, msg, thunk in trial:
        try:
            with np.errstate(all="ignore"):
                out.append((vid, msg, {key: thunk()}))
        except ValueError:  # e.g. a transposed product whose shapes do not fit
            pass
    return out


# ---------------------------------------------------------------------------
# 2. one backward step of the simple RNN
# ---------------------------------------------------------------------------

def _rnn_step_grads(da, x, h_prev, w_x, w_h):
    """The five gradients of one step from the gradient ``da`` at the pre-activation."""
    return {"dx_t": da @ w_x, "dh_prev": da @ w_h, "dw_x": da.T @ x, "dw_h": da.T @ h_prev,
            "db_h": da.sum(axis=0)}


class _RnnStepBackward(Exercise):
    name = "rnn_step_backward"
    function = "rnn_step_backward"
    task = "write the backward pass of one tanh RNN step: dx_t, dh_prev, dw_x, dw_h, db_h."
    _order = ("dx_t", "dh_prev", "dw_x", "dw_h", "db_h")
    outputs = [_Output("dx_t", "dx_t", ("N", "D")), _Output("dh_prev", "dh_prev", ("N", "H")),
               _Output("dw_x", "dw_x", ("H", "D")), _Output("dw_h", "dw_h", ("H", "H")),
               _Output("db_h", "db_h", ("H",))]
    arg_shapes = (("dh_t", ("N", "H")), ("x_t", ("N", "D")), ("h_prev", ("N", "H")),
                  ("h_t", ("N", "H")), ("w_x", ("H", "D")), ("w_h", ("H", "H")))
    transposed_advice = {
        "dw_x": ": a gradient has the shape of its weight, (H, D), so dw_x = da.T @ x_t",
        "dw_h": ": a gradient has the shape of its weight, and dw_h = da.T @ h_prev",
        "dx_t": ": dx_t has the shape of x_t, (N, D): dx_t = da @ w_x",
        "dh_prev": ": dh_prev has the shape of h_prev, (N, H): dh_prev = da @ w_h",
    }
    hints = (
        "Go back through tanh first: with a = x_t @ w_x.T + h_prev @ w_h.T + b_h and h_t = tanh(a), "
        "the gradient at a is da = dh_t * (1 - h_t**2). Every other gradient starts from da.",
        "Each gradient has the shape of what it is the gradient of. a = x_t @ w_x.T + ... gives "
        "dx_t = da @ w_x (N, D) and dw_x = da.T @ x_t (H, D); h_prev and w_h work the same way.",
        "The bias is added to every row of the batch, so its gradient sums over the rows: "
        "db_h = da.sum(axis=0). Return the five arrays in the order dx_t, dh_prev, dw_x, dw_h, db_h.",
    )
    _template = '''import numpy as np


def rnn_step_backward(dh_t, x_t, h_prev, h_t, w_x, w_h):
    """Backward pass of one tanh RNN step.

    The forward step was
        a = x_t @ w_x.T + h_prev @ w_h.T + b_h      (N, H)
        h_t = tanh(a)
    and dh_t is the gradient of the loss with respect to h_t.

    Parameters
    ----------
    dh_t : array (N, H)     dL/dh_t
    x_t : array (N, D)      the step's input
    h_prev : array (N, H)   the state the step read
    h_t : array (N, H)      the state the step produced (tanh(a))
    w_x : array (H, D)      input-to-hidden weights
    w_h : array (H, H)      hidden-to-hidden weights

    Returns
    -------
    dx_t : array (N, D)
    dh_prev : array (N, H)
    dw_x : array (H, D)     summed over the batch
    dw_h : array (H, H)     summed over the batch
    db_h : array (H,)       summed over the batch
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def rnn_step_backward(dh_t, x_t, h_prev, h_t, w_x, w_h):
    da = dh_t * (1 - h_t ** 2)   # back through tanh: tanh'(a) = 1 - tanh(a)**2
    dx_t = da @ w_x              # (N, D)
    dh_prev = da @ w_h           # (N, H)
    dw_x = da.T @ x_t            # (H, D), summed over the batch by the product
    dw_h = da.T @ h_prev         # (H, H)
    db_h = da.sum(axis=0)        # (H,)
    return dx_t, dh_prev, dw_x, dw_h, db_h
'''

    def _cases(self):
        out = []
        for seed, (N, D, H) in enumerate([(3, 4, 4), (2, 3, 5), (1, 2, 1)]):
            r = _rng(200 + seed)
            x, h_prev = r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H)))
            w_x, w_h, b = r.normal(0, 0.6, (H, D)), r.normal(0, 0.6, (H, H)), r.normal(0, 0.5, H)
            h_t = np.tanh(x @ w_x.T + h_prev @ w_h.T + b)
            args = (r.standard_normal((N, H)), x, h_prev, h_t, w_x, w_h)
            out.append({"args": args, "dims": {"N": N, "D": D, "H": H}})
        return out

    def _reference(self, case):
        dh, x, h_prev, h_t, w_x, w_h = case["args"]
        dx, dhp, g = cells.rnn_step_backward(dh, (x, h_prev, h_t, w_x, w_h, "tanh"))
        return {"dx_t": dx, "dh_prev": dhp, "dw_x": g["w_x"], "dw_h": g["w_h"], "db_h": g["b_h"]}

    def _parse(self, result, case):
        if isinstance(result, dict):  # accepted too, keyed dw_x or w_x
            return _as_arrays({k: result.get(k, result.get(k[1:])) for k in self._order})
        if not isinstance(result, (tuple, list)) or len(result) != 5:
            n = len(result) if isinstance(result, (tuple, list)) else 1
            raise _Unusable(f"return 5 arrays in the order dx_t, dh_prev, dw_x, dw_h, db_h; got {n}")
        return _as_arrays(dict(zip(self._order, result)))

    def _variants(self, case, ref):
        dh, x, h_prev, h_t, w_x, w_h = case["args"]
        da = dh * (1 - h_t ** 2)
        grads = lambda d: _rnn_step_grads(d, x, h_prev, w_x, w_h)  # noqa: E731
        out = [
            ("no_tanh_derivative", "dh_t must be multiplied by tanh'(a) = 1 - h_t**2 before the matrix "
             "products", grads(dh)),
            ("tanh_twice", "1 - np.tanh(h_t)**2 applies tanh twice: h_t is already tanh(a), so "
             "tanh'(a) = 1 - h_t**2", grads(dh * (1 - np.tanh(h_t) ** 2))),
            ("sigmoid_derivative", "h_t * (1 - h_t) is the sigmoid's derivative; tanh's is 1 - h_t**2",
             grads(dh * h_t * (1 - h_t))),
            ("derivative_at_h_prev", "tanh' must use the output of this step: 1 - h_t**2, not "
             "1 - h_prev**2", grads(dh * (1 - h_prev ** 2))),
            ("dw_h_uses_h_t", "dw_h uses h_t; in the forward pass w_h multiplies h_prev, so "
             "dw_h = da.T @ h_prev", {"dw_h": da.T @ h_t}),
            ("dh_prev_w_h_transposed", "dh_prev uses w_h transposed: the forward pass computed "
             "h_prev @ w_h.T, so dh_prev = da @ w_h", {"dh_prev": da @ w_h.T}),
            ("db_h_not_summed", "db_h must be summed over the batch: da.sum(axis=0)", {"db_h": da}),
            ("db_h_mean", "db_h is averaged over the batch; sum it instead: da.sum(axis=0)",
             {"db_h": da.mean(axis=0)}),
        ]
        if w_x.shape[0] == w_x.shape[1]:
            out.append(("dx_t_w_x_transposed", "dx_t uses w_x transposed: the forward pass computed "
                        "x_t @ w_x.T, so dx_t = da @ w_x", {"dx_t": da @ w_x.T}))
        return out


# ---------------------------------------------------------------------------
# 3. BPTT by hand for the tutorial's scalar RNN
# ---------------------------------------------------------------------------

_SCALAR_BUGS = {
    "dw_h_off_by_one": "dw_h is off by one in time: each step's term must use the state the step "
                       "read, h_{t-1}, not the state it produced, h_t (outer(da, hs[t]) for the "
                       "step that makes hs[t + 1])",
    "derivative_off_by_one": "tanh' is off by one in time: the step that produced h_t needs "
                             "1 - h_t**2 (its own output), not 1 - h_{t-1}**2",
    "dw_x_off_by_one": "dw_x is off by one in time: the step that reads x_t must add da * x_t; "
                       "your terms are paired with the input of the step before (an index -1 "
                       "wraps round to the last input in Python)",
    "skip_last_step": "the backward loop leaves out the last step (the one that produced h_k): an "
                      "off-by-one in time; it must start at t = k-1: range(k - 1, -1, -1)",
    "skip_first_step": "the backward loop stops before the first step: an off-by-one in time; it "
                       "must run down to t = 0 inclusive: range(k - 1, -1, -1)",
    "extra_step": "the backward loop runs one step too many (an off-by-one in time): with an index "
                  "of -1, Python wraps round to the last element; cover exactly the steps "
                  "t = k-1 .. 0",
    "no_carry": "the gradient is not carried back through time: after each step dh must become "
                "w_h.T @ da, the gradient reaching the state that step read",
    "carry_dropped": "the gradient coming from step t+1 is not added: only the last step gets a "
                     "gradient; the state h_{t-1} receives w_h.T @ da from the step after it",
    "w_h_not_transposed": "the gradient flowing back to h_{t-1} is w_h.T @ da; w_h @ da uses w_h "
                          "untransposed",
    "no_tanh_derivative": "dh must be multiplied by tanh'(a) = 1 - h_t**2 at every step before it "
                          "reaches the weights",
}


def _scalar_rnn(xs, p, w_x, w_h, b_h, w_y, b_y, bug=None):
    """Loss and gradients of the tutorial's scalar RNN over one window, with an optional bug.

    ``h_{t+1} = tanh(w_x x_t + w_h h_t + b_h)`` from ``h_0 = 0``; ``y = w_y . h_k + b_y``;
    loss ``0.5 (y - p)^2``. ``bug`` is a key of ``_SCALAR_BUGS`` or None.
    """
    k = len(xs)
    hs = [np.zeros_like(b_h)]
    for x in xs:
        hs.append(np.tanh(w_x * x + w_h @ hs[-1] + b_h))
    y = w_y @ hs[k] + b_y
    dy = y - p
    g = {"w_x": np.zeros_like(w_x), "w_h": np.zeros_like(w_h), "b_h": np.zeros_like(b_h),
         "w_y": dy * hs[k], "b_y": np.asarray(dy)}
    dh = dy * w_y
    steps = {"skip_last_step": range(k - 2, -1, -1), "skip_first_step": range(k - 1, 0, -1),
             "extra_step": range(k - 1, -2, -1)}.get(bug, range(k - 1, -1, -1))
    for t in steps:  # step t reads xs[t] and hs[t] and makes hs[t + 1]
        h_out = hs[t + 1] if t >= 0 else hs[0]  # the wrapped extra step "makes" h_0
        if bug == "derivative_off_by_one":
            h_out = hs[t]
        da = dh if bug == "no_tanh_derivative" else dh * (1 - h_out ** 2)
        g["w_x"] += da * xs[t - 1 if bug == "dw_x_off_by_one" else t]
        g["w_h"] += np.outer(da, hs[t + 1] if bug == "dw_h_off_by_one" else hs[t])
        g["b_h"] += da
        if bug == "carry_dropped":
            dh = np.zeros_like(dh)
        elif bug == "w_h_not_transposed":
            dh = w_h @ da
        elif bug != "no_carry":
            dh = w_h.T @ da
    return 0.5 * dy ** 2, g


class _ScalarBPTT(Exercise):
    name = "scalar_bptt"
    function = "bptt"
    task = ("backpropagate through time by hand: the loss and all five gradients of the tutorial's "
            "scalar RNN unfolded for k steps.")
    _keys = ("w_x", "w_h", "b_h", "w_y", "b_y")
    outputs = [_Output("loss", "loss", ())] + [
        _Output(k, "d" + k, s) for k, s in zip(_keys, [("m",), ("m", "m"), ("m",), ("m",), ()])]
    arg_shapes = (("xs", ("k",)), ("w_x", ("m",)), ("w_h", ("m", "m")), ("b_h", ("m",)),
                  ("w_y", ("m",)))
    transposed_advice = {"w_h": ": its term for one step is np.outer(da, h_read), with da the "
                                "gradient at the step's pre-activation"}
    hints = (
        "Forward first, keeping every state: hs = [h_0, h_1, ..., h_k] with h_0 = 0. Then "
        "y = w_y @ hs[k] + b_y and dL/dy = y - p, which gives dw_y = (y - p) * hs[k], db_y = y - p "
        "and the gradient reaching the last state, dh = (y - p) * w_y.",
        "Then walk the steps backwards, t = k-1 down to 0. Step t read x_t and hs[t] and made "
        "hs[t + 1] = tanh(a). Its pre-activation gradient is da = dh * (1 - hs[t + 1]**2); it adds "
        "da * x_t to dw_x, np.outer(da, hs[t]) to dw_h and da to db_h.",
        "Before the next (earlier) step, pass the gradient on to the state this step read: "
        "dh = w_h.T @ da. The weights are shared, so their gradients add up over the steps (+=).",
    )
    _template = '''import numpy as np


def bptt(xs, p, w_x, w_h, b_h, w_y, b_y):
    """Loss and gradients of the tutorial's scalar RNN unfolded for k = len(xs) steps.

    The network (the tutorial's notation; h_0 is the zero vector):
        h_{t+1} = tanh(w_x x_t + w_h h_t + b_h)     for t = 0 .. k-1
        y = w_y . h_k + b_y                         (a dot product)
        loss = 0.5 * (y - p)**2

    Parameters
    ----------
    xs : array (k,)       the scalar inputs x_0 .. x_{k-1}
    p : float             the target for y
    w_x : array (m,)      input-to-hidden weights
    w_h : array (m, m)    hidden-to-hidden weights
    b_h : array (m,)      recurrent bias
    w_y : array (m,)      hidden-to-output weights
    b_y : float           output bias

    Returns
    -------
    loss : float
    grads : dict with keys "w_x", "w_h", "b_h", "w_y", "b_y": dloss/d(each), shaped like it
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def bptt(xs, p, w_x, w_h, b_h, w_y, b_y):
    # forward: unfold k = len(xs) steps from h_0 = 0, keeping every state
    hs = [np.zeros_like(b_h)]
    for x_t in xs:
        hs.append(np.tanh(w_x * x_t + w_h @ hs[-1] + b_h))
    y = w_y @ hs[-1] + b_y
    loss = 0.5 * (y - p) ** 2

    # backward: from the output down to the first step
    dy = y - p
    grads = {"w_x": np.zeros_like(w_x), "w_h": np.zeros_like(w_h), "b_h": np.zeros_like(b_h),
             "w_y": dy * hs[-1], "b_y": dy}
    dh = dy * w_y                            # dloss/dh_k
    for t in range(len(xs) - 1, -1, -1):     # step t reads x_t and hs[t], makes hs[t + 1]
        da = dh * (1 - hs[t + 1] ** 2)       # through tanh
        grads["w_x"] += da * xs[t]
        grads["w_h"] += np.outer(da, hs[t])  # the state the step read
        grads["b_h"] += da
        dh = w_h.T @ da                      # on to the state the step read
    return loss, grads
'''

    def _cases(self):
        out = []
        for seed, (k, m) in enumerate([(5, 3), (1, 2), (7, 4)]):
            r = _rng(300 + seed)
            args = (r.standard_normal(k), float(r.standard_normal()), r.normal(0, 0.8, m),
                    r.normal(0, 0.6, (m, m)), r.normal(0, 0.4, m), r.normal(0, 1.0, m),
                    float(r.normal(0, 0.5)))
            out.append({"args": args, "dims": {"k": k, "m": m}})
        return out

    def _reference(self, case):
        loss, g = _scalar_rnn(*case["args"])
        return {"loss": np.asarray(loss), **{k: np.asarray(v) for k, v in g.items()}}

    def _parse(self, result, case):
        if isinstance(result, dict):
            raise _Unusable("return a tuple (loss, grads): the loss first, then the dict of gradients")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Unusable(f"return a tuple (loss, grads); got {type(result).__name__}")
        loss, grads = result
        if not isinstance(grads, dict):
            raise _Unusable(f"grads should be a dict with keys {', '.join(self._keys)}; got "
                            f"{type(grads).__name__}")
        got = _as_arrays({"loss": loss, **{k: grads.get(k, grads.get("d" + k)) for k in self._keys}},
                         lambda k: k if k == "loss" else "d" + k)
        for k in ("loss", "b_y"):  # a scalar may come back as an array of one number
            if got[k] is not None and got[k].size == 1:
                got[k] = got[k].reshape(())
        return got

    def _variants(self, case, ref):
        out = []
        for bug, msg in _SCALAR_BUGS.items():
            loss, g = _scalar_rnn(*case["args"], bug=bug)
            out.append((bug, msg, {k: np.asarray(v) for k, v in g.items()}))
        return out

    def _scale_note(self, c):
        text = f"every wrong output is {c:.4g} times the expected one"
        if np.isclose(c, -1):
            return text + ": the sign is flipped; dloss/dy = y - p"
        if np.isclose(c, 2):
            return text + ": the loss is 0.5 * (y - p)**2, so dloss/dy = y - p (no factor 2)"
        return text

    def _exception_note(self, raised, case):
        k = case["dims"]["k"]
        if isinstance(raised.exc, IndexError):
            hit = re.search(r"index (-?\d+) is out of bounds", str(raised.exc))
            if hit and int(hit.group(1)) in (k, k + 1):
                return (f"index {hit.group(1)} is past the end: an off-by-one in time. The inputs "
                        f"are xs[0] .. xs[k-1] and the states hs[0] .. hs[k] (k = {k}), so the "
                        "backward loop starts at t = k-1")
            return ("an index past the end of a list or array is often an off-by-one in time: "
                    "the backward loop runs t = k-1 down to 0")
        return super()._exception_note(raised, case)


# ---------------------------------------------------------------------------
# 4. GRU and LSTM forward steps
# ---------------------------------------------------------------------------

def _block(a, j, H):
    return a[:, j * H:(j + 1) * H]


def _order_note(order, names):
    """Describe reading gate blocks in ``order`` (learner's gate j = block order[j])."""
    moved = [j for j in range(len(order)) if order[j] != j]
    if len(moved) == 2:
        i, j = moved
        return (f"swap_{names[i]}{names[j]}", f"your gates look swapped: {names[j]} and {names[i]} "
                f"(the rows of w_x, w_h and b_h are stacked {', '.join(names)}, PyTorch's order)")
    stacked = [names[order.index(b)] for b in range(len(order))]
    return ("gate_order", f"the gate blocks are read in the wrong order: your numbers match rows "
            f"stacked ({', '.join(stacked)}); rnnlab and PyTorch stack them ({', '.join(names)})")


def _gru(x, h, w_x, w_h, b_h, b_hn, order=(0, 1, 2), blend="pytorch", candidate="pytorch",
         gate=sigmoid, cand=np.tanh):
    """A GRU step with optional mistakes (gate order, blend, reset placement, activations)."""
    H = h.shape[1]
    ax, ah = x @ w_x.T + b_h, h @ w_h.T
    r = gate(_block(ax, order[0], H) + _block(ah, order[0], H))
    z = gate(_block(ax, order[1], H) + _block(ah, order[1], H))
    xn, hn = _block(ax, order[2], H), _block(ah, order[2], H)
    w_hn = w_h[order[2] * H:(order[2] + 1) * H]
    pre = {"pytorch": lambda: xn + r * (hn + b_hn),
           "original": lambda: xn + (r * h) @ w_hn.T + b_hn,
           "b_hn_outside": lambda: xn + r * hn + b_hn,
           "no_b_hn": lambda: xn + r * hn,
           "no_reset": lambda: xn + hn + b_hn}[candidate]()
    n = cand(pre)
    return (1 - z) * n + z * h if blend == "pytorch" else z * n + (1 - z) * h


class _GruStep(Exercise):
    name = "gru_step"
    function = "gru_step_forward"
    task = "write one forward step of a GRU (PyTorch's form and gate order r, z, n)."
    outputs = [_Output("h_t", "h_t", ("N", "H"))]
    arg_shapes = (("x_t", ("N", "D")), ("h_prev", ("N", "H")), ("w_x", ("3*H", "D")),
                  ("w_h", ("3*H", "H")), ("b_h", ("3*H",)), ("b_hn", ("H",)))
    transposed_advice = _RnnStep.transposed_advice
    hints = (
        "Compute both projections once: a_x = x_t @ w_x.T + b_h and a_h = h_prev @ w_h.T, each "
        "(N, 3H). Columns 0:H belong to r, H:2H to z, 2H:3H to n.",
        "r = sigmoid(a_x[:, :H] + a_h[:, :H]) and z likewise with the middle block. The candidate "
        "puts the reset gate on the hidden part only, bias included: "
        "n = tanh(a_x[:, 2H:] + r * (a_h[:, 2H:] + b_hn)).",
        "z is the share of the old state that is kept: h_t = (1 - z) * n + z * h_prev.",
    )
    _template = '''import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def gru_step_forward(x_t, h_prev, w_x, w_h, b_h, b_hn):
    """One GRU step, in PyTorch's form.

    For one sequence (column vectors), with gates r (reset), z (update), n (candidate):
        r = sigmoid(W_xr x_t + b_r + W_hr h_prev)
        z = sigmoid(W_xz x_t + b_z + W_hz h_prev)
        n = tanh(W_xn x_t + b_n + r * (W_hn h_prev + b_hn))
        h_t = (1 - z) * n + z * h_prev
    The blocks are stacked along the first axis in the order r, z, n:
    w_x = [W_xr; W_xz; W_xn], w_h = [W_hr; W_hz; W_hn], b_h = [b_r; b_z; b_n].

    Parameters
    ----------
    x_t : array (N, D)       inputs, one sequence per row
    h_prev : array (N, H)    previous hidden state
    w_x : array (3H, D)
    w_h : array (3H, H)
    b_h : array (3H,)
    b_hn : array (H,)        bias of the hidden part of the candidate

    Returns
    -------
    h_t : array (N, H)
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def gru_step_forward(x_t, h_prev, w_x, w_h, b_h, b_hn):
    H = h_prev.shape[1]
    a_x = x_t @ w_x.T + b_h                 # (N, 3H): input part of r, z, n
    a_h = h_prev @ w_h.T                    # (N, 3H): hidden part
    r = sigmoid(a_x[:, :H] + a_h[:, :H])            # reset gate
    z = sigmoid(a_x[:, H:2*H] + a_h[:, H:2*H])      # update gate
    n = np.tanh(a_x[:, 2*H:] + r * (a_h[:, 2*H:] + b_hn))   # candidate
    return (1 - z) * n + z * h_prev         # keep z of the old state
'''

    def _cases(self):
        out = []
        for seed, (N, D, H) in enumerate([(3, 2, 4), (2, 5, 3), (1, 1, 1)]):
            r = _rng(400 + seed)
            args = (r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H))),
                    r.normal(0, 0.8, (3 * H, D)), r.normal(0, 0.8, (3 * H, H)),
                    r.normal(0, 0.5, 3 * H), r.normal(0, 0.5, H))
            out.append({"args": args, "dims": {"N": N, "D": D, "H": H}})
        return out

    def _reference(self, case):
        x, h, w_x, w_h, b_h, b_hn = case["args"]
        p = {"w_x": w_x, "w_h": w_h, "b_h": b_h, "b_hn": b_hn}
        return {"h_t": cells.gru_step_forward(x, h, p, "pytorch")[0]}

    _parse = _RnnStep._parse

    def _variants(self, case, ref):
        args = case["args"]
        trial = [(*_order_note(o, "rzn"), (lambda o=o: _gru(*args, order=o)))
                 for o in itertools.permutations(range(3)) if o != (0, 1, 2)]
        trial += [
            ("blend_swapped", "the blend is the wrong way round: h_t = (1 - z) * n + z * h_prev, "
             "so z is the share of the old state kept (some texts swap the roles of z and 1 - z; "
             "rnnlab and PyTorch use this one)", lambda: _gru(*args, blend="swapped")),
            ("reset_before_product", "the reset gate is applied before the product (the original "
             "paper's GRU); this exercise uses PyTorch's form r * (h_prev @ W_hn.T + b_hn)",
             lambda: _gru(*args, candidate="original")),
            ("b_hn_outside_reset", "b_hn must sit inside the reset: r * (h_prev @ W_hn.T + b_hn)",
             lambda: _gru(*args, candidate="b_hn_outside")),
            ("no_b_hn", "b_hn is missing from the candidate: r * (h_prev @ W_hn.T + b_hn)",
             lambda: _gru(*args, candidate="no_b_hn")),
            ("no_reset", "the reset gate r is not used: the candidate is "
             "tanh(W_xn x_t + b_n + r * (W_hn h_prev + b_hn))", lambda: _gru(*args, candidate="no_reset")),
            ("candidate_sigmoid", "the candidate n uses tanh, not sigmoid", lambda: _gru(*args, cand=sigmoid)),
            ("gates_tanh", "the gates r and z use sigmoid (values between 0 and 1), not tanh",
             lambda: _gru(*args, gate=np.tanh)),
        ]
        return _evaluate(trial, "h_t")


def _lstm(x, h, c, w_x, w_h, b_h, order=(0, 1, 2, 3), g_act=np.tanh, squash_cell=True,
          use_i=True, use_f=True, h_from_new_cell=True):
    """An LSTM step with optional mistakes; returns ``(h_t, c_t)``."""
    H = h.shape[1]
    a = x @ w_x.T + h @ w_h.T + b_h
    i, f, o = (sigmoid(_block(a, order[j], H)) for j in (0, 1, 3))
    g = g_act(_block(a, order[2], H))
    c_t = (f if use_f else 1) * c + (i if use_i else 1) * g
    cell = c_t if h_from_new_cell else c
    return o * (np.tanh(cell) if squash_cell else cell), c_t


class _LstmStep(Exercise):
    name = "lstm_step"
    function = "lstm_step_forward"
    task = "write one forward step of an LSTM (gate order i, f, g, o)."
    outputs = [_Output("h_t", "h_t", ("N", "H")), _Output("c_t", "c_t", ("N", "H"))]
    arg_shapes = (("x_t", ("N", "D")), ("h_prev", ("N", "H")), ("c_prev", ("N", "H")),
                  ("w_x", ("4*H", "D")), ("w_h", ("4*H", "H")), ("b_h", ("4*H",)))
    transposed_advice = _RnnStep.transposed_advice
    hints = (
        "One product gives all four gates: a = x_t @ w_x.T + h_prev @ w_h.T + b_h, shape (N, 4H). "
        "Columns 0:H are i, H:2H f, 2H:3H g, 3H:4H o.",
        "i, f and o are gates: sigmoid. g is the candidate: tanh. The cell forgets some and writes "
        "some: c_t = f * c_prev + i * g.",
        "The output gate exposes the squashed cell: h_t = o * np.tanh(c_t). Return (h_t, c_t).",
    )
    _template = '''import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def lstm_step_forward(x_t, h_prev, c_prev, w_x, w_h, b_h):
    """One LSTM step.

    For one sequence (column vectors), the four blocks of a = w_x x_t + w_h h_prev + b_h,
    stacked in the order i, f, g, o, give
        i = sigmoid(a_i)    input gate
        f = sigmoid(a_f)    forget gate
        g = tanh(a_g)       candidate
        o = sigmoid(a_o)    output gate
        c_t = f * c_prev + i * g
        h_t = o * tanh(c_t)

    Parameters
    ----------
    x_t : array (N, D)       inputs, one sequence per row
    h_prev : array (N, H)    previous hidden state
    c_prev : array (N, H)    previous cell state
    w_x : array (4H, D)
    w_h : array (4H, H)
    b_h : array (4H,)

    Returns
    -------
    h_t : array (N, H)
    c_t : array (N, H)
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def lstm_step_forward(x_t, h_prev, c_prev, w_x, w_h, b_h):
    H = h_prev.shape[1]
    a = x_t @ w_x.T + h_prev @ w_h.T + b_h   # (N, 4H): blocks i, f, g, o
    i = sigmoid(a[:, :H])            # input gate
    f = sigmoid(a[:, H:2*H])         # forget gate
    g = np.tanh(a[:, 2*H:3*H])       # candidate
    o = sigmoid(a[:, 3*H:])          # output gate
    c_t = f * c_prev + i * g         # forget some, write some
    h_t = o * np.tanh(c_t)           # expose some of the cell
    return h_t, c_t
'''

    def _cases(self):
        out = []
        for seed, (N, D, H) in enumerate([(3, 2, 4), (2, 5, 3), (1, 1, 1)]):
            r = _rng(500 + seed)
            args = (r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H))),
                    r.standard_normal((N, H)), r.normal(0, 0.8, (4 * H, D)),
                    r.normal(0, 0.8, (4 * H, H)), r.normal(0, 0.5, 4 * H))
            out.append({"args": args, "dims": {"N": N, "D": D, "H": H}})
        return out

    def _reference(self, case):
        x, h, c, w_x, w_h, b_h = case["args"]
        h_t, c_t, _ = cells.lstm_step_forward(x, h, c, {"w_x": w_x, "w_h": w_h, "b_h": b_h})
        return {"h_t": h_t, "c_t": c_t}

    def _parse(self, result, case):
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            n = len(result) if isinstance(result, (tuple, list)) else 1
            raise _Unusable(f"return two arrays, (h_t, c_t); got {n}")
        return _as_arrays(dict(zip(("h_t", "c_t"), result)))

    def _variants(self, case, ref):
        args = case["args"]
        trial = [(*_order_note(o, "ifgo"), (lambda o=o: _lstm(*args, order=o)))
                 for o in itertools.permutations(range(4)) if o != (0, 1, 2, 3)]
        trial += [
            ("cell_not_squashed", "h_t = o * tanh(c_t): the cell state goes through tanh before "
             "the output gate", lambda: _lstm(*args, squash_cell=False)),
            ("candidate_sigmoid", "the candidate g uses tanh, not sigmoid",
             lambda: _lstm(*args, g_act=sigmoid)),
            ("no_input_gate", "the input gate must scale the candidate: c_t = f * c_prev + i * g",
             lambda: _lstm(*args, use_i=False)),
            ("no_forget_gate", "the forget gate must scale the old cell: c_t = f * c_prev + i * g",
             lambda: _lstm(*args, use_f=False)),
            ("h_from_old_cell", "h_t must use the new cell state: o * tanh(c_t), not tanh(c_prev)",
             lambda: _lstm(*args, h_from_new_cell=False)),
        ]
        out = []
        for vid, msg, thunk in trial:
            h_t, c_t = thunk()
            out.append((vid, msg, {"h_t": h_t, "c_t": c_t}))
        out.append(("returned_c_h", "you returned (c_t, h_t); return h_t first: (h_t, c_t)",
                    {"h_t": ref["c_t"], "c_t": ref["h_t"]}))
        return out


# ---------------------------------------------------------------------------
# 5. truncated BPTT with the state carried over
# ---------------------------------------------------------------------------

_TBPTT_BUGS = {
    "state_reset": "each window starts from a zero state: carry the last hidden state of one window "
                   "into the next (only its gradient is cut, not its value)",
    "not_detached": "the gradient flows back across the window boundary into earlier windows: the "
                    "carried state must be detached, so each window's backward pass stops at its "
                    "first step",
    "dh_leaks": "the gradient dh leaks across the window boundary from one window into the next: "
                "start each window's backward pass with dh = 0 (the carried state is detached)",
    "last_output_only": "only each window's last output carries loss; here every step has a "
                        "target, and the window loss is the mean over all its steps",
    "no_carry_in_window": "inside a window the gradient from step t+1 is not added: at step t, "
                          "dh = (gradient from the output at t) + (dh_prev returned by step t+1)",
    "loss_summed": "the window loss is summed over its outputs; it is their mean, so "
                   "dy = 2 * (y - p) / (number of outputs in the window)",
}


def _tbptt(xs, ys, k, p, bug=None):
    """Per-window gradients of TBPTT(k) on a tanh RNN with a linear output, with an optional bug.

    ``xs (T, N, D)``, ``ys (T, N, 1)``; window loss ``mean((y_t - p_t)^2)`` over its
    steps and sequences. ``bug`` is a key of ``_TBPTT_BUGS`` or None.
    """
    T, N, _ = xs.shape
    h = np.zeros((N, p["w_h"].shape[0]))
    history, windows, leak = [], [], np.zeros_like(h)
    for a in range(0, T, k):
        b = min(a + k, T)
        if bug == "state_reset":
            h = np.zeros_like(h)
        caches, hs = [], []
        for t in range(a, b):
            h, cache = cells.rnn_step_forward(xs[t], h, p["w_x"], p["w_h"], p["b_h"])
            caches.append(cache)
            hs.append(h)
        hs = np.stack(hs)  # (S, N, H)
        y = hs @ p["w_y"].T + p["b_y"]  # (S, N, 1)
        dy = 2 * (y - ys[a:b]) / (1 if bug == "loss_summed" else y.size)
        if bug == "last_output_only":
            dy[:-1] = 0
            dy *= y.shape[0]  # the mean is then over the last step only
        g = {key: np.zeros_like(v) for key, v in p.items()}
        g["w_y"] = dy.reshape(-1, 1).T @ hs.reshape(-1, hs.shape[2])
        g["b_y"] = dy.reshape(-1, 1).sum(axis=0)
        dhs = dy @ p["w_y"]  # (S, N, H)
        dh = leak if bug == "dh_leaks" else np.zeros_like(h)
        for s in range(b - a - 1, -1, -1):
            dh = dhs[s] + (0 if bug == "no_carry_in_window" else dh)
            _, dh, gs = cells.rnn_step_backward(dh, caches[s])
            for key, v in gs.items():
                g[key] += v
        if bug == "not_detached":
            for cache in reversed(history):
                _, dh, gs = cells.rnn_step_backward(dh, cache)
                for key, v in gs.items():
                    g[key] += v
        leak = dh
        history += caches
        windows.append(g)
    return windows


def _tbptt_rnnlab(xs, ys, k, params):
    """The same per-window gradients from :mod:`rnnlab.bptt`, the library's TBPTT."""
    from .bptt import truncated_windows
    from .model import SequenceModel

    model = SequenceModel(xs.shape[2], params["w_h"].shape[0], 1, cell="rnn", pattern="many-to-many")
    model.set_params(params)
    x, y, state, steps = model._prepare(xs, ys)
    return [g for _, g, _ in truncated_windows(model, x, y, k, state, steps)]


class _TruncatedBPTT(Exercise):
    name = "truncated_bptt"
    function = "truncated_gradients"
    task = ("write truncated BPTT: windows of k steps, the state carried from window to window "
            "but detached; return each window's gradients.")
    _keys = ("w_x", "w_h", "b_h", "w_y", "b_y")
    _shapes = {"w_x": ("H", "D"), "w_h": ("H", "H"), "b_h": ("H",), "w_y": ("1", "H"), "b_y": ("1",)}
    arg_shapes = (("xs", ("T", "N", "D")), ("ys", ("T", "N", "1")), ("w_x", ("H", "D")),
                  ("w_h", ("H", "H")), ("b_h", ("H",)), ("w_y", ("1", "H")), ("b_y", ("1",)))
    hints = (
        "Windows start at t = 0, k, 2k, ... (range(0, T, k)); the last may be shorter. Keep h "
        "outside the window loop: it starts as zeros((N, H)) once, and each window's forward pass "
        "starts from the h the previous window ended with.",
        "Inside a window: run step_forward over its steps, keeping the caches. The outputs are "
        "y = h @ w_y.T + b_y; the window loss is the mean of (y - p)**2 over its steps and "
        "sequences, so dy = 2 * (y - p) / (number of outputs in the window).",
        "Backward inside the window only: dh starts at zero at the window's last step; at each step "
        "add the output's gradient dy @ w_y to dh, call step_backward(dh, cache), keep its dh_prev "
        "for the step before and add up its gradients. Stop at the window's first step: that is "
        "the detaching.",
    )
    _template = '''import numpy as np


def truncated_gradients(xs, ys, k, params, step_forward, step_backward):
    """Truncated BPTT(k): the gradient of every window, in time order.

    The network: a tanh RNN with a linear output at every step,
        h_t = tanh(x_t @ w_x.T + h_{t-1} @ w_h.T + b_h),  h_{-1} = 0
        y_t = h_t @ w_y.T + b_y
    The sequence is cut into windows of k steps (t = 0..k-1, k..2k-1, ...; the last
    one may be shorter). The hidden state is carried from one window into the next,
    but the gradient is not: each window is backpropagated on its own.
    Window loss: the mean of (y_t - ys[t])**2 over the window's steps and sequences.

    Parameters
    ----------
    xs : array (T, N, D)     inputs
    ys : array (T, N, 1)     targets, one per step
    k : int                  window length
    params : dict            "w_x" (H, D), "w_h" (H, H), "b_h" (H,), "w_y" (1, H), "b_y" (1,)
    step_forward : rnnlab.rnn_step_forward,
        step_forward(x_t, h_prev, w_x, w_h, b_h) -> (h_t, cache)
    step_backward : rnnlab.rnn_step_backward,
        step_backward(dh_t, cache) -> (dx_t, dh_prev, {"w_x", "w_h", "b_h"})

    Returns
    -------
    list of dicts, one per window, each with keys "w_x", "w_h", "b_h", "w_y", "b_y":
    the gradient of that window's loss, shaped like params
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def truncated_gradients(xs, ys, k, params, step_forward, step_backward):
    T, N, _ = xs.shape
    w_x, w_h, b_h, w_y, b_y = (params[n] for n in ("w_x", "w_h", "b_h", "w_y", "b_y"))
    h = np.zeros((N, w_h.shape[0]))        # h_{-1} = 0, once, before the first window
    windows = []
    for start in range(0, T, k):
        stop = min(start + k, T)
        # forward over the window from the carried state
        caches, hs = [], []
        for t in range(start, stop):
            h, cache = step_forward(xs[t], h, w_x, w_h, b_h)
            caches.append(cache)
            hs.append(h)
        hs = np.stack(hs)                   # (S, N, H)
        y = hs @ w_y.T + b_y                # (S, N, 1)
        dy = 2 * (y - ys[start:stop]) / y.size      # gradient of the window's mean loss
        grads = {name: np.zeros_like(v) for name, v in params.items()}
        grads["w_y"] = dy.reshape(-1, 1).T @ hs.reshape(-1, hs.shape[2])
        grads["b_y"] = dy.reshape(-1, 1).sum(axis=0)
        dhs = dy @ w_y                      # (S, N, H): gradient from each step's output
        # backward within the window only: nothing comes in after its last step,
        # and nothing goes out before its first (the carried state is detached)
        dh = np.zeros_like(h)
        for s in range(stop - start - 1, -1, -1):
            _, dh, g = step_backward(dh + dhs[s], caches[s])
            for name, v in g.items():
                grads[name] += v
        windows.append(grads)
    return windows
'''

    def _cases(self):
        out = []
        for seed, (T, k, N, D, H) in enumerate([(10, 3, 2, 2, 3), (8, 4, 1, 1, 2), (5, 5, 2, 1, 2)]):
            r = _rng(600 + seed)
            params = {"w_x": r.normal(0, 0.8, (H, D)), "w_h": r.normal(0, 0.7, (H, H)),
                      "b_h": r.normal(0, 0.3, H), "w_y": r.normal(0, 1.0, (1, H)),
                      "b_y": r.normal(0, 0.3, 1)}
            args = (r.standard_normal((T, N, D)), r.standard_normal((T, N, 1)), k, params,
                    cells.rnn_step_forward, cells.rnn_step_backward)
            out.append({"args": args, "dims": {"T": T, "k": k, "N": N, "D": D, "H": H}})
        return out

    def _reference(self, case):
        xs, ys, k, params = case["args"][:4]
        return {(w, key): v for w, g in enumerate(_tbptt_rnnlab(xs, ys, k, params))
                for key, v in g.items()}

    def _parse(self, result, case):
        if isinstance(result, dict):
            raise _Unusable("return a list with one gradient dict per window; got a single dict")
        if not isinstance(result, (list, tuple)):
            raise _Unusable(f"return a list of gradient dicts, one per window; got {type(result).__name__}")
        got = {}
        for w, g in enumerate(result):
            if not isinstance(g, dict):
                raise _Unusable(f"window {w + 1}: expected a dict of gradients, got {type(g).__name__}")
            for key in self._keys:
                got[w, key] = g.get(key, g.get("d" + key))
        return _as_arrays(got, lambda wk: f"d{wk[1]} in window {wk[0] + 1}")

    def _scale_note(self, c):
        return (f"every wrong gradient is {c:.4g} times the expected one: each window's loss is the "
                "mean of (y - p)**2 over its steps and sequences")

    def _judge(self, got, ref, case):
        xs, ys, k, params = case["args"][:4]
        T = xs.shape[0]
        n_ref = len({w for w, _ in ref})
        n_got = len({w for w, _ in got})
        if n_got != n_ref:
            starts = ", ".join(str(a) for a in range(0, T, k))
            summary = (f"expected {n_ref} window gradients (T = {T}, k = {k}: windows start at "
                       f"t = {starts}), got {n_got}.")
            notes = []
            if n_got == T - k + 1:
                notes.append("that is one per sliding window (the tutorial's t = 0 .. n-k); truncated "
                             "BPTT cuts the sequence into consecutive windows that do not overlap: "
                             "range(0, T, k)")
            elif 0 < n_got < n_ref and all(_same(got[key], ref[key]) for key in got):
                notes.append(f"your first {n_got} windows are right; the last, shorter window is "
                             "missing: range(0, T, k) covers it")
            return self._fail(summary, notes, mistakes=("window_count",)), None
        outputs = [_Output((w, key), f"d{key} (window {w + 1})", self._shapes[key])
                   for w in range(n_ref) for key in self._keys]
        variants = []
        for bug, msg in _TBPTT_BUGS.items():
            vals = _tbptt(xs, ys, k, params, bug)
            variants.append((bug, msg, {(w, key): v for w, g in enumerate(vals) for key, v in g.items()}))
        d = _diagnose(outputs, got, ref, variants, case["dims"], {}, self._scale_note)
        rows = []  # one row per parameter, over all windows
        for key in self._keys:
            bad = [w + 1 for w in range(n_ref) if any(o.key == (w, key) for o in d.wrong)]
            errs = [relative_error(got[w, key], ref[w, key]) for w in range(n_ref)
                    if got[w, key] is not None and got[w, key].shape == ref[w, key].shape]
            rows.append(("d" + key, str(ref[0, key].shape), f"{max(errs):.1e}" if errs else "—",
                         f"wrong in window {', '.join(map(str, bad))}" if bad else "ok"))
        if not d.wrong:
            return None, rows
        bad = sorted({o.key[0] + 1 for o in d.wrong})
        good = [w + 1 for w in range(n_ref) if w + 1 not in bad]
        def windows(ws, verdict):
            return f"window{'s' if len(ws) > 1 else ''} {_join(map(str, ws))} " \
                   f"{'are' if len(ws) > 1 else 'is'} {verdict}"

        summary = windows(bad, "wrong")
        if d.rel:
            summary += f" (relative errors up to {max(d.rel.values()):.2g})"
        if good:
            summary += "; " + windows(good, "right")
        summary = "; ".join(d.problems[:3] + [summary]) + "."
        return self._fail(summary, d.notes, rows, mistakes=d.ids), rows


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
