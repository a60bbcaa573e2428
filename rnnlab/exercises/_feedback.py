"""What ``check``, ``hint`` and ``solution`` return, and how ``check`` judges.

:class:`Feedback` (a verdict), :class:`Note` (a hint) and :class:`Code` (a
template or a solution) show themselves in a notebook (``_repr_html_``) and as
plain text (``__str__``). Below them: comparing the learner's outputs with the
reference, naming a known mistake when the numbers show one (:func:`_diagnose`).
Calling the learner's code safely is :func:`rnnlab.learner.call`'s job.
"""
from __future__ import annotations

import html
import types

import numpy as np

from ..gradcheck import relative_error

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
    function : the function the learner writes, named in the header (``rnn_step_forward``)
    summary : one line: what is right and what is wrong
    notes : list of str, the specific diagnoses ("looks like w_x is used transposed...")
    rows : list of ``(name, shape, relative error, status)`` strings, one per output
    details : the learner's failing source line or other context ("" if none)
    mistakes : tuple of str, ids of the recognised mistakes (for tests and teachers)

    ``bool(feedback)`` is True when the check passed.
    """

    def __init__(self, status, exercise, summary, notes=(), rows=(), details="", mistakes=(),
                 function=None):
        self.status = status
        self.exercise = exercise
        self.function = function or exercise
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
        lines = [f"{_VERDICT[self.status]}: {self.function}", self.summary]
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
                 f' <span style="color:#555">{e(self.function)}</span>',
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
# reading the learner's values
# ---------------------------------------------------------------------------

class _Unusable(Exception):
    """What the learner's function returned cannot be compared (wrong type or count)."""


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

    # a variant that explains more of the wrong outputs is preferred: two slips can give
    # the same numbers on some outputs (a window of one step averages and sums alike)
    # (and one that would also have spoilt an output the learner got right is less likely)
    def explains(vals):
        hits = sum(1 for o in wrong if got.get(o.key) is not None and o.key in vals
                   and _same(got[o.key], vals[o.key]) and not _same(vals[o.key], ref[o.key]))
        misses = sum(1 for o in outputs if o not in wrong and o.key in vals and not _same(vals[o.key], ref[o.key]))
        return hits - misses
    variants = sorted(variants, key=lambda v: -explains(v[2]))
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
