"""Central-difference gradient checks.

The numerical gradient of a scalar loss ``L`` with respect to one entry ``x``
of a parameter is

    dL/dx ~ (L(x + eps) - L(x - eps)) / (2 eps),

with an error of order ``eps^2``. Comparing it with a backward pass tells you
whether the backward pass is right. Checks run in float64: in float32 the
rounding error of ``L`` divided by ``2 eps`` swamps the comparison.

Three entry points:

- ``numerical_gradient(loss_fn, params)``: the finite-difference gradient.
- ``check_gradients(loss_and_grads, params)``: compare a model's gradients.
- ``check_function(fn, backward, inputs)``: compare a forward/backward pair,
  for example a learner's own step function from an exercise. Errors raised
  by the learner's code come back as a failed result with a message.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnnlab._validate import check_float, check_int, check_seed

__all__ = ["GradCheckResult", "numerical_gradient", "relative_error",
           "check_gradients", "check_function"]

_TINY = np.finfo(np.float64).tiny


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------

@dataclass
class GradCheckResult:
    """Outcome of a gradient check.

    Attributes
    ----------
    errors : dict[str, float]
        Relative error per checked parameter (``inf`` when a gradient could
        not be compared, e.g. it was missing).
    max_error : float
        The largest error (``inf`` if nothing could be compared).
    tolerance : float
        A parameter passes when its error is ``<= tolerance``.
    passed : bool
        Every parameter passed and no message was raised.
    worst : str
        The parameter with the largest error ("" if none was compared).
    shapes : dict[str, tuple]
        Shape of each checked parameter.
    message : str
        Why the check could not run or what went wrong ("" if all is well).
    """

    errors: dict
    max_error: float
    tolerance: float
    passed: bool
    worst: str
    shapes: dict = field(default_factory=dict)
    message: str = ""

    @classmethod
    def from_errors(cls, errors, tolerance, shapes, message=""):
        """A result from relative errors per parameter; the worst, the verdict follow."""
        # NaN compares False with everything; rank it as the worst error
        rank = {k: (np.inf if np.isnan(e) else e) for k, e in errors.items()}
        worst = max(rank, key=rank.get) if rank else ""
        max_error = float(errors[worst]) if worst else float("inf")
        passed = bool(errors) and not message and all(e <= tolerance for e in errors.values())
        return cls(dict(errors), max_error, float(tolerance), passed, worst, dict(shapes), message)

    @classmethod
    def failure(cls, message, tolerance):
        """A failed result that compared nothing, for a check that could not run."""
        return cls({}, float("inf"), float(tolerance), False, "", {}, message)

    def summary(self):
        """A small aligned table: parameter, shape, relative error, ok/FAIL."""
        rows = [("parameter", "shape", "relative error", "")]
        for key, err in self.errors.items():
            rows.append((key, str(tuple(self.shapes.get(key, ()))), f"{err:.2e}",
                         "ok" if err <= self.tolerance else "FAIL"))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}  {d}".rstrip()
                 for a, b, c, d in rows] if self.errors else []
        verdict = "passed" if self.passed else "FAILED"
        if self.worst:
            lines.append(f"max relative error {self.max_error:.2e} at {self.worst!r} "
                         f"(tolerance {self.tolerance:.0e}): {verdict}")
        else:
            lines.append(f"gradient check {verdict}")
        if self.message:
            lines.append(self.message)
        return "\n".join(lines)

    def __str__(self):
        return self.summary()


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def relative_error(a, b):
    """Norm-based relative error ``||a - b|| / max(||a|| + ||b||, tiny)``.

    Parameters
    ----------
    a, b : array_like
        Same shape, e.g. an analytic and a numerical gradient.

    Returns
    -------
    float
        0 for identical arrays (including both zero), at most 1 otherwise;
        NaN if either holds NaN.

    Notes
    -----
    The element-wise form ``max |a_i - b_i| / max(|a_i|, |b_i|)`` fails correct
    gradients whenever some entries are nearly zero: two entries of 1e-12 and
    3e-12, both rounding noise, give an error of 0.7. Measuring the difference
    against the size of the whole gradient weighs each entry by how much it
    matters.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of one shape, got {a.shape} and {b.shape}")
    diff = np.linalg.norm((a - b).ravel())
    scale = np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel())
    return float(diff / max(scale, _TINY))


def _check_params(params, name="params"):
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}")
    for key, p in params.items():
        if not isinstance(p, np.ndarray):
            raise TypeError(f"{name}[{key!r}] must be a NumPy array, got {type(p).__name__}")
        if p.dtype.kind != "f":
            raise TypeError(f"{name}[{key!r}] must be a floating array, got dtype {p.dtype}")


def _check_keys(keys, available, name="params"):
    """``keys=None`` means all; otherwise a list of names that must exist."""
    if keys is None:
        return list(available)
    if isinstance(keys, str):
        keys = [keys]
    keys = list(keys)
    unknown = [k for k in keys if k not in available]
    if unknown:
        raise ValueError(f"keys {unknown} are not in {name}; available: {list(available)}")
    if not keys:
        raise ValueError("keys is empty; give at least one parameter name or None for all")
    return keys


def _as_float64(params):
    """The dict itself if all arrays are float64, else a new dict of float64 copies."""
    if all(p.dtype == np.float64 for p in params.values()):
        return params
    return {k: (p if p.dtype == np.float64 else p.astype(np.float64)) for k, p in params.items()}


def _scalar(value, what):
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"{what} must return a scalar loss, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def _indices(shape, max_entries, rng):
    """All multi-indices of ``shape``, or a seeded sample of ``max_entries`` of them."""
    size = int(np.prod(shape, dtype=np.int64))
    if max_entries is None or max_entries >= size:
        flat = np.arange(size)
    else:
        flat = np.sort(rng.choice(size, size=max_entries, replace=False))
    return [np.unravel_index(i, shape) for i in flat]


def _central_differences(loss_fn, arr, indices, eps):
    """Finite-difference derivative of ``loss_fn()`` at ``indices`` of ``arr`` (in place)."""
    out = np.empty(len(indices))
    for j, idx in enumerate(indices):
        x = arr[idx]  # a float64 scalar: restoring it is bit-exact
        try:
            arr[idx] = x + eps
            x_plus, loss_plus = arr[idx], loss_fn()
            arr[idx] = x - eps
            x_minus, loss_minus = arr[idx], loss_fn()
        finally:
            arr[idx] = x
        # divide by the step actually taken, which rounding may make != 2 eps
        out[j] = (loss_plus - loss_minus) / (x_plus - x_minus)
    return out


# --------------------------------------------------------------------------
# public checks
# --------------------------------------------------------------------------

def numerical_gradient(loss_fn, params, eps=1e-6, keys=None):
    """Finite-difference gradient of a scalar loss with respect to ``params``.

    Each entry is perturbed in place in turn and put back exactly, so
    ``loss_fn`` must read the parameters from the dict it is given.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> float``.
    params : dict[str, np.ndarray]
        Floating arrays. If all are float64, ``loss_fn`` receives this very
        dict and its arrays are restored bit for bit afterwards. Otherwise
        (float32 parameters) the check runs on a float64 copy, which is what
        ``loss_fn`` receives; the caller's arrays are never touched.
    eps : float
        Half the finite-difference step, > 0.
    keys : list of str, optional
        Only these parameters (default: all).

    Returns
    -------
    dict[str, np.ndarray]
        float64 gradients, one per checked key, shaped like the parameter.
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    _check_params(params)
    eps = check_float(eps, "eps", low=0.0, low_open=True)
    keys = _check_keys(keys, params)
    work = _as_float64(params)

    def loss():
        return _scalar(loss_fn(work), "loss_fn")

    grads = {}
    for key in keys:
        arr = work[key]
        idx = _indices(arr.shape, None, None)
        grads[key] = _central_differences(loss, arr, idx, eps).reshape(arr.shape)
    return grads


def check_gradients(loss_and_grads, params, eps=1e-6, tol=1e-7, keys=None,
                    max_entries=None, seed=0):
    """Compare analytic gradients with central differences, parameter by parameter.

    Parameters
    ----------
    loss_and_grads : callable
        ``loss_and_grads(params) -> (loss, grads)`` with ``grads`` a dict
        keyed like ``params``. It is called once for the analytic gradients
        and twice per checked entry for the numerical ones.
    params : dict[str, np.ndarray]
        As in ``numerical_gradient`` (float32 parameters are checked on a
        float64 copy; float64 ones are perturbed in place and restored
        exactly).
    eps : float
        Finite-difference half-step, > 0.
    tol : float
        Largest relative error that passes, > 0. Typical float64 errors of a
        correct backward pass are 1e-10 or smaller.
    keys : list of str, optional
        Only check these parameters.
    max_entries : int, optional
        Check at most this many entries per parameter, chosen at random with
        ``seed``; the error is then over those entries only.
    seed : int or numpy.random.Generator
        For the sampling of entries.

    Returns
    -------
    GradCheckResult
    """
    if not callable(loss_and_grads):
        raise TypeError(f"loss_and_grads must be callable, got {type(loss_and_grads).__name__}")
    _check_params(params)
    eps = check_float(eps, "eps", low=0.0, low_open=True)
    tol = check_float(tol, "tol", low=0.0, low_open=True)
    keys = _check_keys(keys, params)
    if max_entries is not None:
        max_entries = check_int(max_entries, "max_entries", low=1)
    rng = check_seed(seed)
    work = _as_float64(params)

    def call(p):
        out = loss_and_grads(p)
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError("loss_and_grads must return a tuple (loss, grads), "
                            f"got {type(out).__name__}")
        return out

    loss, grads = call(work)
    _scalar(loss, "loss_and_grads")
    if not isinstance(grads, dict):
        raise TypeError(f"loss_and_grads must return grads as a dict, got {type(grads).__name__}")
    analytic = {}
    for key in keys:
        if key not in grads:
            raise ValueError(f"loss_and_grads returned no gradient for {key!r}; "
                             f"it returned keys {list(grads)}")
        g = np.asarray(grads[key], dtype=np.float64)
        if g.shape != work[key].shape:
            raise ValueError(f"gradient for {key!r} has shape {g.shape} but the parameter "
                             f"has shape {work[key].shape}")
        analytic[key] = g.copy()  # the function may reuse its buffers on the next call

    def loss_only():
        return _scalar(call(work)[0], "loss_and_grads")

    errors, shapes = {}, {}
    for key in keys:
        arr = work[key]
        idx = _indices(arr.shape, max_entries, rng)
        numeric = _central_differences(loss_only, arr, idx, eps)
        picked = np.array([analytic[key][i] for i in idx])
        errors[key] = relative_error(picked, numeric)
        shapes[key] = arr.shape
    return GradCheckResult.from_errors(errors, tol, shapes)


def check_function(fn, backward, inputs, upstream=None, seed=0, eps=1e-6, tol=1e-7,
                   keys=None, max_entries=None):
    """Check a forward/backward pair, e.g. a learner's own step function.

    The scalar loss is ``L = sum(upstream * out)`` where ``out`` is the
    forward output, so ``dL/dout = upstream``, a seeded random array unless
    given. ``backward(upstream, cache)`` should then return ``dL/d input``
    for every floating-array input.

    Parameters
    ----------
    fn : callable
        ``fn(**inputs)`` returns ``out`` or a tuple ``(out, cache, ...)``.
    backward : callable
        ``backward(dout, cache)``; when ``fn`` returns a bare array it gets
        ``backward(dout, out)`` instead. Returns a dict keyed like ``inputs``,
        a tuple in the order of the array inputs, or a single array when one
        input is checked.
    inputs : dict[str, object]
        Keyword arguments of ``fn``. Floating arrays are checked (on float64
        copies; the caller's arrays are never modified); anything else
        (ints, strings, integer index arrays) is passed through unchanged.
    upstream : array_like, optional
        ``dL/dout``; default standard-normal with ``seed``, shaped like ``out``.
    seed : int or numpy.random.Generator
        For ``upstream`` and for sampling entries.
    eps, tol, keys, max_entries
        As in ``check_gradients``.

    Returns
    -------
    GradCheckResult
        Exceptions raised by ``fn`` or ``backward``, a wrong output shape or
        missing gradients give a failed result whose ``message`` says what
        happened; this function does not raise for them. Bad arguments to
        ``check_function`` itself still raise.
    """
    for name, f in (("fn", fn), ("backward", backward)):
        if not callable(f):
            raise TypeError(f"{name} must be callable, got {type(f).__name__}")
    if not isinstance(inputs, dict):
        raise TypeError(f"inputs must be a dict of keyword arguments, got {type(inputs).__name__}")
    eps = check_float(eps, "eps", low=0.0, low_open=True)
    tol = check_float(tol, "tol", low=0.0, low_open=True)
    if max_entries is not None:
        max_entries = check_int(max_entries, "max_entries", low=1)
    rng = check_seed(seed)
    array_keys = [k for k, v in inputs.items()
                  if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    if not array_keys:
        raise ValueError("inputs has no floating NumPy arrays to check; "
                         f"got {[f'{k}: {type(v).__name__}' for k, v in inputs.items()]}")
    keys = _check_keys(keys, array_keys, name="the floating-array inputs")
    if upstream is not None:
        upstream = np.array(upstream, dtype=np.float64)
        if not np.isfinite(upstream).all():
            raise ValueError("upstream contains NaN or infinite values")
    # float64 copies: perturbing them never touches the learner's arrays
    work = {k: (v.astype(np.float64) if k in array_keys else v) for k, v in inputs.items()}
    fail = lambda msg: GradCheckResult.failure(msg, tol)  # noqa: E731

    def forward():
        res = fn(**work)
        if isinstance(res, tuple):
            if not res:
                raise _UserError("fn returned an empty tuple; expected out or (out, cache)")
            out, cache = res[0], (res[1] if len(res) > 1 else None)
        else:
            out, cache = res, None
        try:
            out_arr = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            raise _UserError(f"fn's output must be an array, got {type(out).__name__}") from None
        return out_arr, (out_arr if cache is None and not isinstance(res, tuple) else cache)

    # ---- forward and backward once, reporting the learner's errors ----
    try:
        out, cache = forward()
    except _UserError as err:
        return fail(str(err))
    except Exception as err:  # the learner's code: report, don't crash the notebook
        return fail(f"fn raised {type(err).__name__}: {err}")
    if not np.isfinite(out).all():
        return fail(f"fn's output contains NaN or infinite values (shape {out.shape})")
    if upstream is None:
        upstream = rng.standard_normal(out.shape)
    elif upstream.shape != out.shape:
        return fail(f"fn returned an output of shape {out.shape} but upstream has shape "
                    f"{upstream.shape}")
    try:
        grads = backward(upstream.copy(), cache)
    except Exception as err:
        return fail(f"backward raised {type(err).__name__}: {err}")
    try:
        grads = _grads_as_dict(grads, list(inputs), array_keys, keys)
    except _UserError as err:
        return fail(str(err))

    analytic, errors, shapes, problems = {}, {}, {}, []
    for key in keys:
        shapes[key] = work[key].shape
        g = grads.get(key)
        if g is None:
            errors[key] = float("inf")
            problems.append(f"backward returned no gradient for {key!r}")
            continue
        try:
            g = np.asarray(g, dtype=np.float64)
        except (TypeError, ValueError):
            errors[key] = float("inf")
            problems.append(f"gradient for {key!r} is not numeric ({type(g).__name__})")
            continue
        if g.shape != work[key].shape:
            errors[key] = float("inf")
            problems.append(f"gradient for {key!r} has shape {g.shape} but {key!r} has shape "
                            f"{work[key].shape}")
            continue
        analytic[key] = g.copy()

    # ---- numerical gradients of L = sum(upstream * out) ----
    def loss():
        out_now, _ = forward()
        if out_now.shape != upstream.shape:
            raise _UserError(f"fn's output shape changed from {upstream.shape} to "
                             f"{out_now.shape} when an input was perturbed")
        return float(np.sum(upstream * out_now))

    for key in analytic:
        idx = _indices(work[key].shape, max_entries, rng)
        try:
            numeric = _central_differences(loss, work[key], idx, eps)
        except _UserError as err:
            return fail(str(err))
        except Exception as err:
            return fail(f"fn raised {type(err).__name__} during the numerical check: {err}")
        picked = np.array([analytic[key][i] for i in idx])
        errors[key] = relative_error(picked, numeric)
    errors = {k: errors[k] for k in keys}  # keep the order of inputs
    return GradCheckResult.from_errors(errors, tol, shapes, "; ".join(problems))


class _UserError(Exception):
    """Something wrong with what the learner's function returned."""


def _grads_as_dict(grads, all_keys, array_keys, keys):
    """Accept a dict, a tuple (in the order of all or of the array inputs) or one array."""
    if isinstance(grads, dict):
        return grads
    if isinstance(grads, (tuple, list)):
        for order in (array_keys, all_keys):
            if len(grads) == len(order):
                return dict(zip(order, grads))
        raise _UserError(f"backward returned {len(grads)} gradients; expected "
                         f"{len(array_keys)}, one for each of {array_keys}")
    if isinstance(grads, np.ndarray) and len(keys) == 1:
        return {keys[0]: grads}
    raise _UserError("backward must return a dict of gradients keyed like inputs, "
                     f"got {type(grads).__name__}")
