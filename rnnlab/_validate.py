"""Input checks shared by every public entry point.

Each helper raises ``TypeError`` or ``ValueError`` with a message that names
the argument, what was expected and what was given, so a learner never meets
a bare NumPy broadcasting error.
"""
from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = {"float64": np.float64, "float32": np.float32}


def check_dtype(dtype, name="dtype"):
    """Return ``np.float64`` or ``np.float32`` for any spelling of them."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be float64 or float32, got {dtype!r}") from None
    if dt not in (np.float64, np.float32):
        raise ValueError(f"{name} must be float64 or float32, got {dt.name}")
    return dt.type


def check_int(value, name, low=None, high=None):
    """An integer (not bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_float(value, name, low=None, high=None, low_open=False):
    """A finite real number, optionally bounded (``low_open``: strictly above low)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_choice(value, name, choices):
    """One of ``choices`` (strings, compared case-insensitively)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {sorted(choices)}; got {type(value).__name__} {value!r}")
    key = value.lower()
    if key not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(sorted(choices))}")
    return key


def check_seed(seed, name="seed"):
    """A non-negative int or a ``numpy.random.Generator``; returns a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int(seed, name, low=0))


def as_array(value, name, dtype=np.float64, allow_nonfinite=False):
    """Convert to a floating array, rejecting objects, strings and NaN/inf."""
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError) as err:  # ragged nested lists
            raise ValueError(f"{name} could not be turned into an array: {err}") from None
    if arr.dtype == object or arr.dtype.kind in "USVMm":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    arr = np.asarray(arr, dtype=dtype)
    if not allow_nonfinite and arr.size and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); clean the data first")
    return arr


def as_sequence(x, name, input_size=None, dtype=np.float64):
    """Accept ``(T, N, D)``, a single sequence ``(T, D)`` or a scalar series ``(T,)``.

    Returns the array as ``(T, N, D)`` and the number of dimensions it had, so
    callers can give outputs back in the shape they were given.
    """
    arr = as_array(x, name, dtype)
    ndim = arr.ndim
    if ndim == 1:
        arr = arr[:, None, None]  # (T,) -> (T, 1, 1)
    elif ndim == 2:
        if input_size is not None and arr.shape[1] != input_size:
            raise ValueError(
                f"{name} as a single sequence must have shape (T, {input_size}), got {arr.shape}")
        arr = arr[:, None, :]  # (T, D) -> (T, 1, D)
    elif ndim != 3:
        raise ValueError(
            f"{name} must have shape (T, N, D), (T, D) or (T,), got {ndim} dimensions {arr.shape}")
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must have at least one time step, got shape {arr.shape}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} must hold at least one sequence (N >= 1), got shape {arr.shape}")
    if input_size is not None and arr.shape[2] != input_size:
        raise ValueError(
            f"{name} must have {input_size} feature(s) in its last axis (T, N, {input_size}), "
            f"got shape {arr.shape}")
    return arr, ndim
