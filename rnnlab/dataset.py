"""The :class:`Dataset`: inputs, targets and what a learner needs to know about them.

The generators of :mod:`rnnlab.data` and the text data of :mod:`rnnlab.text`
both return one; imports run one way: this module <- ``text`` <- ``data``.
Arrays are time first; the layout of ``y`` depends on the pattern (see
:mod:`rnnlab.data`).
"""
from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ._validate import as_array, check_choice, check_float, check_seed
from .losses import LOSSES
from .patterns import get_pattern


@dataclass(repr=False, eq=False)
class Dataset:
    """Inputs, targets and what a learner needs to know about them.

    Parameters
    ----------
    name : str
    x : ndarray, float64, (T, N, D)
    y : ndarray
        float64 ``(..., O)`` for ``loss='mse'``, int64 class ids for
        ``loss='cross-entropy'``; shape by ``pattern`` (module docstring).
    pattern : str
        One of ``PATTERNS`` (see :mod:`rnnlab.patterns`).
    loss : str
        ``'mse'`` or ``'cross-entropy'``.
    description : str
        One or two plain sentences for a learner.
    meta : dict
        Extras (source, vocabulary, scaler, baselines...). ``meta['n_classes']``
        is required for cross-entropy. ``meta['per_sample']`` maps meta keys
        to the axis along which they index samples, so that :meth:`batch`
        and :meth:`split` cut them together with x and y.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    pattern: str
    loss: str
    description: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.pattern = get_pattern(self.pattern).name
        self.loss = check_choice(self.loss, "loss", LOSSES)
        self.x = as_array(self.x, "x")
        if self.x.ndim != 3:
            raise ValueError(f"x must have shape (T, N, D), got {self.x.shape}")
        if get_pattern(self.pattern).one_input_step and self.x.shape[0] != 1:
            raise ValueError(
                f"a {self.pattern} data set has one input step, x shape (1, N, D); got {self.x.shape}")
        self.y = self._checked_y(self.y)

    def _checked_y(self, y):
        t, n = self.x.shape[:2]
        classes = self.loss == "cross-entropy"
        if classes:
            y = np.asarray(y)
            if y.dtype.kind not in "iu":
                raise TypeError(f"y for cross-entropy must hold integer class ids, got dtype {y.dtype}")
            y = y.astype(np.int64, copy=False)
        else:
            y = as_array(y, "y")
        y_has_time = not get_pattern(self.pattern).per_sequence  # (T_out, N, ...) not (N, ...)
        ndim = (2 if y_has_time else 1) + (0 if classes else 1)
        if self.pattern == "many-to-many":
            want = (t, n) + (() if classes else (None,))
        elif y_has_time:
            want = (None, n) + (() if classes else (None,))
        else:
            want = (n,) + (() if classes else (None,))
        if y.ndim != ndim or any(w is not None and w != s for w, s in zip(want, y.shape)):
            shown = "(" + ", ".join("?" if w is None else str(w) for w in want) + ")"
            raise ValueError(
                f"y for a {self.pattern} {self.loss} data set with x {self.x.shape} "
                f"must have shape {shown}, got {y.shape}")
        if classes:
            k = self.meta.get("n_classes")
            if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 2:
                raise ValueError(f"a cross-entropy data set needs meta['n_classes'] >= 2, got {k!r}")
            if y.size and (y.min() < 0 or y.max() >= k):
                raise ValueError(f"class ids in y must lie in [0, {k - 1}], got {y.min()}..{y.max()}")
        return y

    @property
    def input_size(self):
        """D, the number of input features per step."""
        return self.x.shape[-1]

    @property
    def output_size(self):
        """O: target features (mse) or number of classes (cross-entropy)."""
        if self.loss == "cross-entropy":
            return int(self.meta["n_classes"])
        return self.y.shape[-1]

    @property
    def n_samples(self):
        """N, the number of sequences (axis 1 of x)."""
        return self.x.shape[1]

    def batch(self, idx):
        """A new Dataset with the samples ``idx`` (ints or a slice) along N."""
        if isinstance(idx, slice):
            idx = np.arange(self.n_samples)[idx]
        idx = np.asarray(idx)
        if idx.ndim == 0:
            idx = idx[None]
        if idx.dtype.kind not in "iu" or idx.ndim != 1:
            raise TypeError(f"idx must be a slice or a 1-D array of integers, got {idx.dtype} {idx.shape}")
        if idx.size and (idx.min() < -self.n_samples or idx.max() >= self.n_samples):
            raise ValueError(f"idx must lie in [0, {self.n_samples - 1}], got {idx.min()}..{idx.max()}")
        meta = dict(self.meta)
        for key, axis in self.meta.get("per_sample", {}).items():
            meta[key] = np.take(self.meta[key], idx, axis=axis)
        y_axis = 0 if get_pattern(self.pattern).per_sequence else 1
        return dataclasses.replace(
            self, x=self.x[:, idx], y=np.take(self.y, idx, axis=y_axis), meta=meta)

    def split(self, fraction=0.2, seed=0):
        """Split along N into ``(train, valid)``; ``valid`` gets ``fraction``.

        Samples are shuffled with ``seed`` (each part keeps the original
        order). Time-series windows (``meta['time_ordered']``) are not
        shuffled: the last samples form ``valid``, and the
        ``meta['split_gap']`` windows just before them are left out, so every
        training target comes before every validation target.
        """
        fraction = check_float(fraction, "fraction", low=0.0, high=1.0, low_open=True)
        n_valid = held_out_count(self.n_samples, fraction)
        if not self.meta.get("time_ordered"):
            order = check_seed(seed).permutation(self.n_samples)
            n_train = self.n_samples - n_valid
            return self.batch(np.sort(order[:n_train])), self.batch(np.sort(order[n_train:]))
        n_train = self.n_samples - n_valid - self.meta.get("split_gap", 0)
        if n_train < 1:
            raise ValueError(f"fraction={fraction} leaves no training window out of {self.n_samples}")
        return self.batch(np.arange(n_train)), self.batch(np.arange(self.n_samples - n_valid, self.n_samples))

    def __repr__(self):
        return (f"Dataset({self.name!r}, {self.pattern}, {self.loss}, "
                f"x {self.x.shape}, y {self.y.shape} {self.y.dtype})")


def held_out_count(n, fraction):
    """How many of ``n`` samples :meth:`Dataset.split` holds out for ``fraction`` (at least 1, and 1 is left)."""
    if n < 2:
        raise ValueError(f"splitting needs at least 2 samples, got n_samples={n}")
    return min(max(int(round(fraction * n)), 1), n - 1)


def read_packaged(filename):
    """Text of ``rnnlab/datasets/<filename>``, read as package data."""
    try:
        root = resources.files(__package__)
    except (TypeError, NotADirectoryError):
        # rnnlab imported as a namespace package (no __init__.py): use the folder
        root = Path(__file__).resolve().parent
    return (root / "datasets" / filename).read_text(encoding="utf-8")
