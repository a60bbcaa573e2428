"""Running a learner's own code: safely, and against rnnlab's reference.

The exercises (:mod:`rnnlab.exercises`) and the gradient-check panel
(:class:`rnnlab.widgets.GradCheckView`) both run functions a learner wrote.
Whatever that code does (raise, return nothing, return junk, or still be the
template's ``raise NotImplementedError``) the caller gets an answer, never an
exception. Two entry points::

    from rnnlab import learner

    # 1. call it, on copies of the arguments, with NumPy's warnings silenced
    run = learner.call(my_step_forward, x_t, h_prev, w_x, w_h, b_h)
    run.status    # "returned"; "todo" (raised NotImplementedError: not done yet);
                  # "none" (returned None: a missing return?); or "raised"
    run.value     # what it returned
    run.message   # "your function raised ValueError: ... (line 4)"
    run.details   # the learner's line, and the library function it called there

    # 2. check a forward/backward pair by central differences, beside a reference
    check = learner.check_pair(my_step_forward, my_step_backward,
                               dict(x_t=x_t, h_prev=h_prev, w_x=w_x, w_h=w_h, b_h=b_h),
                               reference=(rnnlab.rnn_step_forward, rnnlab.rnn_step_backward))
    check.status            # "pass", "fail" or "todo"
    check.result            # GradCheckResult of the learner's pair, one error per input
    check.reference_result  # the reference's GradCheckResult (None without a reference)
    check.comparison        # Comparison: forward output and gradients against the reference's
    print(check)            # all of it as text

A pair may follow the conventions of rnnlab's own step functions, which
:func:`rnnlab.check_function` does not know by itself; :func:`check_pair`
adapts them:

* an input that is a dict of arrays (the ``p`` of ``gru_step_forward``) is
  checked entry by entry, under the entry's name (``"p.w_x"`` if the name is
  taken);
* a backward pass that returns ``(dx, dh_prev, ..., grads_dict)`` is matched
  with the array inputs in order, the dict by name;
* a forward pass that returns ``(out_1, ..., out_k, cache)`` with k >= 2 (the
  LSTM's ``h_t, c_t, cache``) gets ``backward(dout_1, ..., dout_k, cache)``.
"""
from __future__ import annotations

import os
import sysconfig
import traceback
from dataclasses import dataclass, field

import numpy as np

from .gradcheck import GradCheckResult, check_function, relative_error

__all__ = ["LearnerCall", "call", "PairCheck", "Comparison", "check_pair", "TOLERANCE",
           "MATCH_TOLERANCE"]

#: a correct backward pass agrees with central differences to ~1e-9 in float64
TOLERANCE = 1e-7
#: the learner's numbers "are the reference's" when their relative difference is below this
MATCH_TOLERANCE = 1e-9

# a traceback frame in these folders is not the learner's code: numpy, rnnlab
# and the standard library
_LIBRARY_DIRS = tuple(os.path.dirname(os.path.abspath(p)) + os.sep
                      for p in (np.__file__, __file__)) + (
    os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep,)


# ---------------------------------------------------------------------------
# calling the learner's function
# ---------------------------------------------------------------------------

@dataclass
class LearnerCall:
    """What happened when the learner's function was called (see :func:`call`).

    Attributes
    ----------
    status : ``"returned"``, ``"todo"`` (it raised ``NotImplementedError``, the
        template's stub), ``"none"`` (it returned None) or ``"raised"``
    value : what it returned (None unless ``status == "returned"``)
    error : the exception it raised (``"raised"`` and ``"todo"``), else None
    """

    status: str
    value: object = None
    error: BaseException | None = None

    @property
    def line(self):
        """The learner's own frame where the error happened, a ``FrameSummary`` or None."""
        return _frames(self.error)[0] if self.error is not None else None

    @property
    def message(self):
        """One line: what went wrong and on which of the learner's lines ("" if it returned)."""
        if self.status == "todo":
            return "not done yet: the function still raises NotImplementedError"
        if self.status == "none":
            return "your function returned None: is the return statement missing?"
        if self.status != "raised":
            return ""
        frame = self.line
        where = f" (line {frame.lineno})" if frame else ""
        return f"your function raised {type(self.error).__name__}: {self.error}{where}"

    @property
    def details(self):
        """The learner's failing source line, and the library call it failed in ("" if none)."""
        if self.status != "raised":
            return ""
        frame, inside = _frames(self.error)
        lines = []
        if frame is not None and frame.line:
            lines.append(f"line {frame.lineno}: {frame.line.strip()}")
        if inside is not None and frame is not None:
            lines.append(f"(the error came from {inside.name} in "
                         f"{os.path.basename(inside.filename)}, called from that line)")
        return "\n".join(lines)


def _frames(exc):
    """``(learner's last frame, the library function it called there)`` of an exception."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.abspath(f.filename) != os.path.abspath(__file__)]  # call's own frame
    own = [i for i, f in enumerate(frames)
           if not os.path.abspath(f.filename).startswith(_LIBRARY_DIRS)]
    at = own[-1] if own else 0
    frame = frames[at] if frames else None
    inside = frames[at + 1] if at + 1 < len(frames) else None  # what that line called
    return frame, inside


def _copy(value):
    """Arrays (also inside dicts, lists and tuples) copied; anything else as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):  # not namedtuples
        return type(value)(_copy(v) for v in value)
    return value


def call(fn, *args, **kwargs):
    """Call the learner's ``fn(*args, **kwargs)`` and say what happened; never raises for it.

    The arguments are copied first (arrays, also inside dicts, lists and
    tuples), so code that writes into its inputs cannot change the caller's
    arrays, and NumPy's floating-point warnings are silenced (NaN and
    overflow are the caller's to judge). Any ``Exception`` from ``fn`` is
    caught; ``KeyboardInterrupt`` is not.

    Returns
    -------
    LearnerCall
        ``status`` ``"returned"`` (``value`` holds the result), ``"todo"``,
        ``"none"`` or ``"raised"`` (``error``, ``message``, ``details``).
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    args, kwargs = _copy(args), _copy(kwargs)
    try:
        with np.errstate(all="ignore"):
            out = fn(*args, **kwargs)
    except NotImplementedError as exc:
        return LearnerCall("todo", error=exc)
    except Exception as exc:  # the learner's code: report it, never crash the notebook
        return LearnerCall("raised", error=exc)
    if out is None:
        return LearnerCall("none")
    return LearnerCall("returned", out)


# ---------------------------------------------------------------------------
# checking a forward/backward pair
# ---------------------------------------------------------------------------

@dataclass
class Comparison:
    """The learner's forward output and analytic gradients against the reference's.

    Attributes
    ----------
    forward : relative difference of the forward outputs (None if not compared)
    grads : ``{input name: relative difference of the gradients}`` (inf when
        the shapes differ)
    message : why the comparison stopped ("" if it ran)
    """

    forward: float | None = None
    grads: dict = field(default_factory=dict)
    message: str = ""

    @property
    def differing(self):
        """Names of the gradients that differ from the reference's."""
        return [k for k, d in self.grads.items() if not d <= MATCH_TOLERANCE]

    @property
    def agrees(self):
        """Same forward output and every gradient the same as the reference's."""
        return (not self.message and self.forward is not None
                and self.forward <= MATCH_TOLERANCE and not self.differing)

    def summary(self):
        if self.message:
            return "compared with the reference: " + self.message
        same = self.forward is not None and self.forward <= MATCH_TOLERANCE
        parts = [f"forward output vs reference: relative difference {self.forward:.1e}"
                 + (" (the same)" if same else " (DIFFERENT: check the forward pass first)")]
        if self.differing:
            parts.append("gradients that differ from the reference's: " + ", ".join(self.differing))
        elif self.grads:
            parts.append("every gradient matches the reference's")
        return "; ".join(parts)


@dataclass
class PairCheck:
    """The outcome of :func:`check_pair`.

    Attributes
    ----------
    status : ``"pass"`` (central differences agree and, with a reference, so
        do the outputs and gradients), ``"fail"``, or ``"todo"`` (the
        learner's forward or backward still raises ``NotImplementedError``)
    result : :class:`rnnlab.GradCheckResult` of the learner's pair
    reference_result : the reference pair's result, or None
    comparison : :class:`Comparison`, or None without a reference
    details : the learner's failing line when their code raised ("" if not)
    stub : with ``"todo"``, the name of the learner's function that still
        raises ``NotImplementedError`` (``"rnn_step_backward"``, also when an
        adapter around it was checked), else ""
    """

    status: str
    result: GradCheckResult
    reference_result: GradCheckResult | None = None
    comparison: Comparison | None = None
    details: str = ""
    stub: str = ""

    @property
    def passed(self):
        return self.status == "pass"

    def __bool__(self):
        return self.passed

    def summary(self):
        lines = [f"not done yet: {self.stub or 'your function'} still raises NotImplementedError"
                 if self.status == "todo" else self.result.summary()]
        if self.details:
            lines.append(self.details)
        if self.reference_result is not None:
            lines += ["reference:", self.reference_result.summary()]
        if self.comparison is not None:
            lines.append(self.comparison.summary())
        return "\n".join(lines)

    __str__ = summary


class _Trap:
    """Wraps the learner's functions and keeps the first exception they raise."""

    def __init__(self):
        self.error = None

    def wrap(self, f):
        def wrapped(*args, **kwargs):
            try:
                return f(*args, **kwargs)
            except Exception as exc:
                if self.error is None:
                    self.error = exc
                raise
        wrapped.__name__ = getattr(f, "__name__", "fn")
        return wrapped


def check_pair(fn, backward, inputs, upstream=None, reference=None, tol=TOLERANCE, keys=None,
               seed=0, eps=1e-6, max_entries=None):
    """Check a learner's forward/backward pair by central differences, beside a reference.

    Never raises: an error in the learner's code, a wrong shape or bad
    arguments give a failed result whose message says what happened.

    Parameters
    ----------
    fn, backward : the pair: ``fn(**inputs)`` returns ``out`` or ``(out,
        cache)``; ``backward(dout, cache)`` returns the gradients (conventions
        in the module docstring)
    inputs : dict of keyword arguments for ``fn``; floating arrays (and dicts
        of them) are checked, on float64 copies
    upstream : ``dL/dout`` (default: seeded standard normal); one array per
        output for a forward pass with several outputs
    reference : optional ``(fn, backward)`` known to be right: checked too and
        compared with the learner's outputs and gradients
    tol, keys, seed, eps, max_entries : as in :func:`rnnlab.check_function`

    Returns
    -------
    PairCheck
    """
    trap = _Trap()
    with np.errstate(all="ignore"):  # NaN and overflow are reported by the check
        result = _checked(trap.wrap(fn) if callable(fn) else fn,
                          trap.wrap(backward) if callable(backward) else backward,
                          inputs, upstream, tol, keys, seed, eps, max_entries)
        reference_result = comparison = None
        if reference is not None:
            if not (isinstance(reference, (tuple, list)) and len(reference) == 2
                    and all(map(callable, reference))):
                reference_result = GradCheckResult.failure(
                    "reference must be a pair (fn, backward) of functions", tol)
            else:
                reference_result = _checked(*reference, inputs, upstream, tol, keys, seed, eps,
                                            max_entries)
                comparison = _compare((fn, backward), reference, inputs, upstream, seed)
    stub = ""
    if isinstance(trap.error, NotImplementedError):
        status = "todo"
        frame = LearnerCall("todo", error=trap.error).line  # where the stub's raise stands
        stub = frame.name if frame is not None else getattr(fn, "__name__", "")
    elif result.passed and (comparison is None or comparison.agrees):
        status = "pass"
    else:
        status = "fail"
    details = LearnerCall("raised", error=trap.error).details if trap.error is not None else ""
    return PairCheck(status, result, reference_result, comparison, details, stub)


def _checked(fn, backward, inputs, upstream, tol, keys, seed, eps, max_entries):
    """:func:`check_function` with the adapters; any exception becomes a failed result."""
    try:
        if not isinstance(inputs, dict):
            raise TypeError("inputs must be a dict of keyword arguments, got "
                            f"{type(inputs).__name__}")
        fn2, backward2, flat = _adapt(fn, backward, inputs)
        return check_function(fn2, backward2, flat, upstream=_flat_upstream(upstream), seed=seed,
                              eps=eps, tol=tol, keys=keys, max_entries=max_entries)
    except Exception as err:  # bad arguments to the check itself: report, never raise
        try:
            tol = float(tol)
        except (TypeError, ValueError):
            tol = TOLERANCE
        return GradCheckResult.failure(f"the check could not run: {type(err).__name__}: {err}",
                                       tol)


# -- adapting rnnlab's step-function conventions ----------------------------------------

class _Multi:
    """Cache of a forward pass that returned several outputs (``h_t, c_t, cache``)."""

    def __init__(self, shapes, cache):
        self.shapes, self.cache = shapes, cache


def _is_float_array(v):
    return isinstance(v, np.ndarray) and v.dtype.kind == "f"


def _adapt(fn, backward, inputs):
    """Wrap a pair written in rnnlab's step-function style for :func:`check_function`.

    Returns ``(fn2, backward2, flat_inputs)``; see the module docstring.
    """
    flat, where = {}, {}  # where: flat name -> (input name, key in its dict)
    for k, v in inputs.items():
        if isinstance(v, dict) and v and all(_is_float_array(a) for a in v.values()):
            for sub, a in v.items():
                name = sub if sub not in inputs and sub not in flat else f"{k}.{sub}"
                flat[name], where[name] = a, (k, sub)
        else:
            flat[k] = v
    by_sub = {}
    for name, (k, sub) in where.items():
        by_sub.setdefault(sub, []).append(name)
    array_keys = [k for k, v in flat.items() if _is_float_array(v)]

    def fn2(**kw):
        args = {}
        for name, v in kw.items():
            if name in where:
                k, sub = where[name]
                args.setdefault(k, {})[sub] = v
            else:
                args[name] = v
        res = fn(**args)
        if (isinstance(res, tuple) and len(res) >= 3
                and all(isinstance(r, np.ndarray) for r in res[:-1])):
            outs = [np.asarray(r, dtype=np.float64) for r in res[:-1]]
            return (np.concatenate([o.ravel() for o in outs]),
                    _Multi([o.shape for o in outs], res[-1]))
        return res

    def flatten_dict(d):
        out = {}
        for k, v in d.items():
            if isinstance(v, dict) and any(g == k for g, _ in where.values()):
                for sub, a in v.items():
                    name = next((n for n, (g, s) in where.items() if g == k and s == sub), sub)
                    out[name] = a
            elif k not in flat and len(by_sub.get(k, ())) == 1:
                out[by_sub[k][0]] = v
            else:
                out[k] = v
        return out

    def backward2(dout, cache):
        if isinstance(cache, _Multi):
            parts, start = [], 0
            for shape in cache.shapes:
                size = int(np.prod(shape, dtype=np.int64))
                parts.append(dout[start:start + size].reshape(shape))
                start += size
            grads = backward(*parts, cache.cache)
        else:
            grads = backward(dout, cache)
        if isinstance(grads, dict):
            return flatten_dict(grads)
        if isinstance(grads, (tuple, list)) and grads and isinstance(grads[-1], dict):
            named = flatten_dict(grads[-1])
            rest = [k for k in array_keys if k not in named]
            if len(grads) - 1 <= len(rest):
                named.update(zip(rest, grads[:-1]))
                return named
        return grads

    return fn2, backward2, flat


def _flat_upstream(upstream):
    """Several upstream arrays (one per output) become one flat array, as the outputs do."""
    if isinstance(upstream, (tuple, list)) and upstream and all(
            isinstance(u, np.ndarray) for u in upstream):
        return np.concatenate([np.ravel(u) for u in upstream])
    return upstream


def _compare(user, reference, inputs, upstream, seed):
    """The learner's forward output and analytic gradients against the reference's."""
    out = Comparison()
    try:
        fu, bu, flat = _adapt(user[0], user[1], inputs)
        fr, br, _ = _adapt(reference[0], reference[1], inputs)

        def forward(f):  # each function gets its own float64 copies
            res = f(**{k: (v.astype(np.float64) if _is_float_array(v) else v)
                       for k, v in flat.items()})
            if isinstance(res, tuple):
                return np.asarray(res[0], dtype=np.float64), (res[1] if len(res) > 1 else None)
            arr = np.asarray(res, dtype=np.float64)
            return arr, arr

        ref_out, ref_cache = forward(fr)
        try:
            your_out, your_cache = forward(fu)
        except Exception as err:
            out.message = f"your function raised {type(err).__name__}: {err}"
            return out
        if your_out.shape != ref_out.shape:
            out.message = f"your output has shape {your_out.shape}, the reference's {ref_out.shape}"
            return out
        out.forward = relative_error(your_out, ref_out)
        up = _flat_upstream(upstream)
        up = (np.random.default_rng(seed).standard_normal(ref_out.shape) if up is None
              else np.asarray(up, dtype=np.float64).reshape(ref_out.shape))
        ref_grads = _as_grad_dict(br(up.copy(), ref_cache), flat)
        try:
            your_grads = _as_grad_dict(bu(up.copy(), your_cache), flat)
        except Exception as err:
            out.message = f"your backward raised {type(err).__name__}: {err}"
            return out
        for k, g in ref_grads.items():
            mine = your_grads.get(k)
            if mine is None:
                continue
            mine = np.asarray(mine, dtype=np.float64)
            out.grads[k] = relative_error(mine, g) if mine.shape == np.shape(g) else float("inf")
    except Exception as err:
        out.message = f"could not compare with the reference: {type(err).__name__}: {err}"
    return out


def _as_grad_dict(grads, flat):
    if isinstance(grads, dict):
        return grads
    array_keys = [k for k, v in flat.items() if _is_float_array(v)]
    if isinstance(grads, (tuple, list)) and len(grads) in (len(array_keys), len(flat)):
        order = array_keys if len(grads) == len(array_keys) else list(flat)
        return dict(zip(order, grads))
    if isinstance(grads, np.ndarray) and len(array_keys) == 1:
        return {array_keys[0]: grads}
    raise TypeError(f"backward returned {type(grads).__name__}, not gradients keyed like inputs")
