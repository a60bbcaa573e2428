"""Seeded teaching data sets, pure NumPy, nothing downloaded.

Every generator returns a :class:`Dataset` whose arrays follow one layout,
time first (N = number of sequences):

=================  ===================  ======================================
pattern            x                    y (mse: float, cross-entropy: int64)
=================  ===================  ======================================
many-to-many       (T, N, D)            (T, N, O)   or (T, N)
many-to-one        (T, N, D)            (N, O)      or (N,)
one-to-one         (1, N, D)            (N, O)      or (N,)
one-to-many        (1, N, D)            (T_out, N, O) or (T_out, N)
encoder-decoder    (T_in, N, D)         (T_out, N, O) or (T_out, N)
=================  ===================  ======================================

For one-to-many and encoder-decoder the model reads the given inputs, then
keeps stepping on zero inputs while it emits ``T_out`` outputs.

Generators take keyword arguments with teaching defaults and ``seed`` (an
int >= 0 or a ``numpy.random.Generator``): the same seed gives bit-identical
arrays. ``make_dataset(name, **kwargs)`` builds any of them by name.

The one real series, yearly sunspot numbers 1700-2008, ships as
``rnnlab/datasets/sunspots.csv``: copied from statsmodels 0.15.0
(``statsmodels/datasets/sunspots/sunspots.csv``), which takes it from NOAA's
National Geophysical Data Center and marks it public domain. See
``rnnlab/datasets/SOURCES.md``.
"""
from __future__ import annotations

import csv
import io
import numbers

import numpy as np

from ._validate import as_array, check_choice, check_float, check_int, check_seed
from .dataset import LOSSES, Dataset, held_out_count, read_packaged  # noqa: F401 (LOSSES: rnnlab.data.LOSSES)
from .patterns import PATTERNS  # noqa: F401 (rnnlab.data.PATTERNS, as before)
from .text import char_dataset

TWO_PI = 2.0 * np.pi


# ------------------------------------------------------------------ helpers

def _check_range(value, name, low=None, high=None, low_open=False):
    """A number (fixed value) or a ``(low, high)`` pair within bounds."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a number or a (low, high) pair, got {value!r}")
    lo = check_float(value[0], f"{name}[0]", low=low, high=high, low_open=low_open)
    hi = check_float(value[1], f"{name}[1]", low=low, high=high, low_open=low_open)
    if lo > hi:
        raise ValueError(f"{name} must be (low, high) with low <= high, got {tuple(value)}")
    return lo, hi


def _next_values(series, length, horizon):
    """Targets ``y[t] = series[t+1 .. t+horizon]`` for t < length.

    series (length + horizon, N, V) -> (length, N, horizon * V), step-major:
    ``y[t, :, k * V + v]`` is variable v, k + 1 steps after t.
    """
    return np.concatenate([series[1 + k:length + 1 + k] for k in range(horizon)], axis=-1)


# --------------------------------------------------------- regression tasks

def sine(n_samples=64, length=40, horizon=1, noise=0.0, freq=(0.05, 0.15),
         amplitude=(0.5, 1.0), seed=0):
    """Next-step (or next ``horizon`` steps) prediction of sine waves.

    Each sequence is ``a * sin(2 pi f t + phase)`` with ``f`` (cycles per
    step) and ``a`` drawn from the given ranges and a random phase. With
    ``noise > 0`` Gaussian noise of that standard deviation is added to the
    inputs only; targets stay clean, so the loss measures how well the model
    recovers the underlying wave.

    Returns
    -------
    Dataset, many-to-many, mse
        x (length, N, 1); y (length, N, horizon) with ``y[t, :, k]`` the clean
        value ``k + 1`` steps after t. ``meta['clean']`` (length, N, 1) holds
        the noise-free inputs.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=1)
    horizon = check_int(horizon, "horizon", low=1)
    noise = check_float(noise, "noise", low=0.0)
    f_lo, f_hi = _check_range(freq, "freq", low=0.0, high=0.5, low_open=True)
    a_lo, a_hi = _check_range(amplitude, "amplitude", low=0.0, low_open=True)
    rng = check_seed(seed)
    f = rng.uniform(f_lo, f_hi, n_samples)
    phase = rng.uniform(0.0, TWO_PI, n_samples)
    amp = rng.uniform(a_lo, a_hi, n_samples)
    t = np.arange(length + horizon, dtype=np.float64)[:, None]     # (T+h, 1)
    wave = (amp * np.sin(TWO_PI * f * t + phase))[..., None]         # (T+h, N, 1)
    clean = wave[:length]
    # noise is drawn after the waves, so a seed gives the same waves at any noise level
    x = clean + noise * rng.standard_normal(clean.shape) if noise > 0 else clean.copy()
    what = "noisy sine waves" if noise > 0 else "sine waves"
    ahead = "the next value" if horizon == 1 else f"the next {horizon} values"
    return Dataset(
        name="noisy-sine" if noise > 0 else "sine", x=x, y=_next_values(wave, length, horizon),
        pattern="many-to-many", loss="mse",
        description=f"Random {what}: at every step, predict {ahead} of the wave."
                    + (" Targets are the clean wave." if noise > 0 else ""),
        meta={"freq": f, "phase": phase, "amplitude": amp, "noise": noise, "horizon": horizon,
              "clean": clean, "per_sample": {"freq": 0, "phase": 0, "amplitude": 0, "clean": 1}})


def noisy_sine(n_samples=64, length=40, horizon=1, noise=0.2, freq=(0.05, 0.15),
               amplitude=(0.5, 1.0), seed=0):
    """:func:`sine` with ``noise=0.2`` by default (noisy inputs, clean targets)."""
    return sine(n_samples=n_samples, length=length, horizon=horizon, noise=noise,
                freq=freq, amplitude=amplitude, seed=seed)


def echo(n_samples=128, length=20, delay=3, seed=0):
    """Repeat the input ``delay`` steps later: ``y_t = x_{t-delay}``.

    Inputs are independent U(-1, 1) values, so a model that sees only the
    current input ``x_t`` cannot do better than predicting 0 (R^2 about 0);
    a recurrent model has to remember the last ``delay`` inputs.

    Returns
    -------
    Dataset, many-to-many, mse
        x (length, N, 1); y (length, N, 1), zero for ``t < delay``.
        ``meta['baseline_mse']``: MSE of always predicting the mean target.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=2)
    delay = check_int(delay, "delay", low=1)
    if delay >= length:
        raise ValueError(f"delay must be shorter than length={length}, got delay={delay}")
    rng = check_seed(seed)
    x = rng.uniform(-1.0, 1.0, (length, n_samples, 1))
    y = np.zeros_like(x)
    y[delay:] = x[:-delay]
    return Dataset(
        name="echo", x=x, y=y, pattern="many-to-many", loss="mse",
        description=f"Output the input seen {delay} steps earlier. "
                    "Without memory of past inputs this cannot be done.",
        meta={"delay": delay, "baseline_mse": float(np.mean((y - y.mean()) ** 2))})


def adding(n_samples=256, length=30, seed=0):
    """The adding problem, in the form of Le et al. (2015) and Arjovsky et al. (2016).

    Channel 0 holds U(0, 1) values; channel 1 marks exactly two steps, one in
    the first half ``[0, length // 2)`` and one in the second half. The target
    is the sum of the two marked values. Always answering 1.0 scores an MSE
    of 1/6 in expectation (``meta['baseline_mse']`` is its value on this data).
    Hochreiter & Schmidhuber (1997), where the problem comes from, used values
    in [-1, 1] and the target 0.5 + (X1 + X2) / 4.

    Returns
    -------
    Dataset, many-to-one, mse
        x (length, N, 2); y (N, 1).
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=2)
    rng = check_seed(seed)
    values = rng.uniform(0.0, 1.0, (length, n_samples))
    half = length // 2
    first = rng.integers(0, half, n_samples)
    second = rng.integers(half, length, n_samples)
    cols = np.arange(n_samples)
    marker = np.zeros((length, n_samples))
    marker[first, cols] = 1.0
    marker[second, cols] = 1.0
    y = (values[first, cols] + values[second, cols])[:, None]       # (N, 1)
    return Dataset(
        name="adding", x=np.stack([values, marker], axis=-1), y=y,
        pattern="many-to-one", loss="mse",
        description="Add the two numbers whose marker is 1 and answer at the end. "
                    "Guessing 1.0 every time gives an MSE of 1/6 on average.",
        meta={"baseline_mse": float(np.mean((y - 1.0) ** 2)), "marked": np.stack([first, second], 1),
              "per_sample": {"marked": 0}})


def fill_in_middle(n_samples=256, length=21, gap=5, seed=0):
    """Recover a hidden stretch in the middle of smooth curves.

    Each curve is ``offset + a * sin(2 pi f t + phase)`` with a low frequency
    f in (0.02, 0.08) cycles per step. The middle ``gap`` steps are hidden:
    their value is set to 0 and a mask channel is 1 there. A forward-only
    model must extrapolate the gap from the left; a bidirectional one sees
    both sides and can interpolate.

    Returns
    -------
    Dataset, many-to-many, mse
        x (length, N, 2) = (value or 0, hidden mask); y (length, N, 1) the
        true values. ``meta['mask']`` (length, N) bool marks the hidden steps,
        to score only the gap.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=3)
    gap = check_int(gap, "gap", low=1)
    if gap > length - 2:
        raise ValueError(f"gap must leave a visible step on each side: gap <= length - 2 = {length - 2}, "
                         f"got gap={gap}")
    rng = check_seed(seed)
    f = rng.uniform(0.02, 0.08, n_samples)
    phase = rng.uniform(0.0, TWO_PI, n_samples)
    amp = rng.uniform(0.5, 1.0, n_samples)
    offset = rng.uniform(-0.5, 0.5, n_samples)
    t = np.arange(length, dtype=np.float64)[:, None]
    values = offset + amp * np.sin(TWO_PI * f * t + phase)           # (T, N)
    start = (length - gap) // 2
    hidden = np.zeros((length, n_samples), dtype=bool)
    hidden[start:start + gap] = True
    x = np.stack([np.where(hidden, 0.0, values), hidden.astype(np.float64)], axis=-1)
    return Dataset(
        name="fill-in-middle", x=x, y=values[..., None], pattern="many-to-many", loss="mse",
        description=f"Smooth curves with {gap} steps hidden in the middle: output the whole curve, "
                    "gap included. Seeing both ends of the gap helps.",
        meta={"mask": hidden, "gap": (start, start + gap), "per_sample": {"mask": 1}})


def generation(n_samples=128, length=20, freq=(0.04, 0.12), seed=0):
    """One number in, a whole wave out.

    The single input is a code ``c`` in [-1, 1] that sets the frequency
    ``f = lo + (c + 1) / 2 * (hi - lo)`` (``freq = (lo, hi)``, cycles per
    step); the target is ``sin(2 pi f t)`` for t = 1..length, a wave starting
    at phase 0.

    Returns
    -------
    Dataset, one-to-many, mse
        x (1, N, 1); y (length, N, 1).
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=1)
    f_lo, f_hi = _check_range(freq, "freq", low=0.0, high=0.5, low_open=True)
    rng = check_seed(seed)
    code = rng.uniform(-1.0, 1.0, n_samples)
    f = f_lo + (code + 1.0) / 2.0 * (f_hi - f_lo)
    t = np.arange(1, length + 1, dtype=np.float64)[:, None]
    return Dataset(
        name="generation", x=code[None, :, None], y=np.sin(TWO_PI * f * t)[..., None],
        pattern="one-to-many", loss="mse",
        description="From a single number (a frequency code), generate the whole sine wave it stands for.",
        meta={"freq": f, "per_sample": {"freq": 0}})


def two_to_three(n_samples=256, seed=0):
    """Two inputs produce three outputs: ``(x1, x2) -> (x2, x1, x1 + x2)``.

    The outputs are the inputs reversed, then their sum. Both inputs must be
    remembered, because the first output already needs the last input.

    Returns
    -------
    Dataset, encoder-decoder, mse
        x (2, N, 1) with U(-1, 1) values; y (3, N, 1).
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    rng = check_seed(seed)
    x = rng.uniform(-1.0, 1.0, (2, n_samples, 1))
    y = np.stack([x[1], x[0], x[0] + x[1]])                         # (3, N, 1)
    return Dataset(
        name="two-to-three", x=x, y=y, pattern="encoder-decoder", loss="mse",
        description="Read two numbers, then say them in reverse order followed by their sum.",
        meta={})


def one_to_one(n_samples=128, noise=0.0, seed=0):
    """A plain curve fit, the RNN with a single step: ``y = sin(pi x)``.

    Returns
    -------
    Dataset, one-to-one, mse
        x (1, N, 1) with U(-1, 1) values; y (N, 1), plus Gaussian noise of
        standard deviation ``noise``.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    noise = check_float(noise, "noise", low=0.0)
    rng = check_seed(seed)
    x = rng.uniform(-1.0, 1.0, (1, n_samples, 1))
    y = np.sin(np.pi * x[0])
    if noise > 0:
        y = y + noise * rng.standard_normal(y.shape)
    return Dataset(
        name="one-to-one", x=x, y=y, pattern="one-to-one", loss="mse",
        description="One input, one output: an ordinary network fitting the curve y = sin(pi x).",
        meta={})


def multivariate_sine(n_samples=64, length=60, horizon=3, noise=0.05, freq=(0.02, 0.06), seed=0):
    """Three coupled, nonlinear series for multivariate multi-step forecasting.

    With a driver ``s1_t = sin(2 pi f t + phase)``:

    - ``s2_t = tanh(3 s1_{t-4})``: a squashed copy of the driver, 4 steps late
    - ``s3_t = s1_{t-2} * s2_{t-1}``: a product of lagged values

    A linear (ARIMA-style) forecaster cannot represent the tanh and the
    product. Inputs carry Gaussian noise of std ``noise``; targets are clean.

    Returns
    -------
    Dataset, many-to-many, mse
        x (length, N, 3); y (length, N, 3 * horizon), step-major:
        ``y[t, :, 3 * k + v]`` is variable v, ``k + 1`` steps after t.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=1)
    horizon = check_int(horizon, "horizon", low=1)
    noise = check_float(noise, "noise", low=0.0)
    f_lo, f_hi = _check_range(freq, "freq", low=0.0, high=0.5, low_open=True)
    rng = check_seed(seed)
    f = rng.uniform(f_lo, f_hi, n_samples)
    phase = rng.uniform(0.0, TWO_PI, n_samples)
    t = np.arange(length + horizon, dtype=np.float64)[:, None]     # (T+h, 1)

    def driver(lag):  # s1 at t - lag; the closed form needs no burn-in
        return np.sin(TWO_PI * f * (t - lag) + phase)

    s1 = driver(0)
    s2 = np.tanh(3.0 * driver(4))
    s3 = driver(2) * np.tanh(3.0 * driver(5))
    series = np.stack([s1, s2, s3], axis=-1)                         # (T+h, N, 3)
    clean = series[:length]
    x = clean + noise * rng.standard_normal(clean.shape) if noise > 0 else clean.copy()
    return Dataset(
        name="multivariate-sine", x=x, y=_next_values(series, length, horizon),
        pattern="many-to-many", loss="mse",
        description=f"Three linked series (a wave, a lagged squashed copy, and a product of lags): "
                    f"forecast all three, {horizon} step(s) ahead.",
        meta={"variables": ["s1 driver", "s2 = tanh(3 s1[t-4])", "s3 = s1[t-2] * s2[t-1]"],
              "horizon": horizon, "noise": noise, "clean": clean, "per_sample": {"clean": 1}})


# ----------------------------------------------------- classification tasks

def copy_task(n_samples=256, n_symbols=4, seq_len=5, delay=10, seed=0):
    """The copy (memory) task: read symbols, wait, then write them back.

    Classes ``0..n_symbols-1`` are symbols, ``n_symbols`` is *blank* and
    ``n_symbols + 1`` the *delimiter* (input only). Layout over
    ``T = seq_len + delay + seq_len`` steps:

    - input: ``seq_len`` random symbols, ``delay - 1`` blanks, the delimiter
      ("now answer"), ``seq_len`` blanks
    - target: blank everywhere except the last ``seq_len`` steps, which
      repeat the symbols in order

    ``meta['baseline_loss'] = seq_len * log(n_symbols) / T`` is the mean
    cross-entropy of a model with no memory of the symbols that still answers
    blank at the right times and guesses uniformly in the answer window.

    Returns
    -------
    Dataset, many-to-many, cross-entropy
        x (T, N, n_symbols + 2) one-hot; y (T, N) int64 in
        ``[0, n_symbols]``; ``meta['n_classes'] = n_symbols + 1``.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    n_symbols = check_int(n_symbols, "n_symbols", low=2)
    seq_len = check_int(seq_len, "seq_len", low=1)
    delay = check_int(delay, "delay", low=1)
    rng = check_seed(seed)
    total = 2 * seq_len + delay
    blank, delimiter = n_symbols, n_symbols + 1
    symbols = rng.integers(0, n_symbols, (n_samples, seq_len))
    ids = np.full((total, n_samples), blank, dtype=np.int64)
    ids[:seq_len] = symbols.T
    ids[seq_len + delay - 1] = delimiter
    y = np.full((total, n_samples), blank, dtype=np.int64)
    y[-seq_len:] = symbols.T
    x = np.eye(n_symbols + 2)[ids]                                   # (T, N, n_symbols + 2)
    return Dataset(
        name="copy", x=x, y=y, pattern="many-to-many", loss="cross-entropy",
        description=f"Remember {seq_len} symbols, wait {delay} steps, and write them back "
                    "after the delimiter. Output blank at all other steps.",
        meta={"n_classes": n_symbols + 1, "blank": blank, "delimiter": delimiter,
              "symbols": symbols, "input_ids": ids,
              "baseline_loss": seq_len * float(np.log(n_symbols)) / total,
              "per_sample": {"symbols": 0, "input_ids": 1}})


WAVE_SHAPES = ("sine", "square", "sawtooth", "triangle")


def classification(n_samples=300, length=30, n_classes=3, noise=0.1, seed=0):
    """Name the waveform: sine, square, sawtooth (and triangle for 4 classes).

    Each sequence has a random frequency in (0.05, 0.2) cycles per step, a
    random phase, amplitude in (0.5, 1) and Gaussian noise of std ``noise``.
    Classes are balanced and shuffled.

    Returns
    -------
    Dataset, many-to-one, cross-entropy
        x (length, N, 1); y (N,) int64; ``meta['class_names']``.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=1)
    n_classes = check_int(n_classes, "n_classes", low=2, high=len(WAVE_SHAPES))
    noise = check_float(noise, "noise", low=0.0)
    rng = check_seed(seed)
    labels = rng.permutation(np.arange(n_samples) % n_classes).astype(np.int64)
    f = rng.uniform(0.05, 0.2, n_samples)
    phase = rng.uniform(0.0, 1.0, n_samples)                         # in cycles
    amp = rng.uniform(0.5, 1.0, n_samples)
    t = np.arange(length, dtype=np.float64)[:, None]
    cycles = f * t + phase                                           # (T, N)
    saw = 2.0 * (cycles % 1.0) - 1.0
    shapes = np.stack([
        np.sin(TWO_PI * cycles),
        np.where(np.sin(TWO_PI * cycles) >= 0.0, 1.0, -1.0),
        saw,
        2.0 * np.abs(saw) - 1.0,
    ])                                                               # (4, T, N)
    waves = amp * shapes[labels, :, np.arange(n_samples)].T          # (T, N)
    x = (waves + noise * rng.standard_normal(waves.shape))[..., None]
    names = list(WAVE_SHAPES[:n_classes])
    return Dataset(
        name="classification", x=x, y=labels, pattern="many-to-one", loss="cross-entropy",
        description=f"Read a noisy wave and say which shape it is: {', '.join(names)}.",
        meta={"n_classes": n_classes, "class_names": names,
              "baseline_loss": float(np.log(n_classes))})


# ----------------------------------------------------------------- sunspots

def load_sunspots():
    """Yearly mean sunspot numbers, 1700-2008 (NOAA NGDC, public domain).

    Returns
    -------
    years : ndarray, int64, (309,)
    values : ndarray, float64, (309,)
    """
    rows = list(csv.reader(io.StringIO(read_packaged("sunspots.csv"))))[1:]  # skip the header
    years = np.array([int(r[0]) for r in rows], dtype=np.int64)
    values = np.array([float(r[1]) for r in rows], dtype=np.float64)
    return years, values


class Scaler:
    """Standardise values with the mean and std learnt by :meth:`fit`.

    Fit on training data only, then transform train and test alike.
    ``mean_`` and ``std_`` are per variable (last axis) for 2-D input and
    scalars for a 1-D series; a constant variable gets ``std_ = 1``.
    """

    def __init__(self):
        self.mean_ = None
        self.std_ = None

    def fit(self, values):
        values = as_array(values, "values")
        if values.ndim not in (1, 2) or values.shape[0] < 1:
            raise ValueError(f"values must have shape (T,) or (T, V) with T >= 1, got {values.shape}")
        self.mean_ = values.mean(axis=0)
        std = values.std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0)
        return self

    def _fitted(self):
        if self.mean_ is None:
            raise RuntimeError("this Scaler is not fitted yet: call fit(train_values) first")

    def transform(self, values):
        """``(values - mean_) / std_``."""
        self._fitted()
        return (as_array(values, "values") - self.mean_) / self.std_

    def inverse_transform(self, values):
        """``values * std_ + mean_``, back to the original units."""
        self._fitted()
        return as_array(values, "values") * self.std_ + self.mean_

    def fit_transform(self, values):
        return self.fit(values).transform(values)

    def __repr__(self):
        if self.mean_ is None:
            return "Scaler(not fitted)"
        return f"Scaler(mean_={np.round(self.mean_, 4)}, std_={np.round(self.std_, 4)})"


def windows(series, length, horizon=1, stride=1, name="windows"):
    """Cut a series into input windows and the values that follow them.

    Parameters
    ----------
    series : array, (T,) or (T, V)
    length : int
        Steps per input window.
    horizon : int
        How many following steps to predict.
    stride : int
        Steps between the starts of consecutive windows.

    Returns
    -------
    Dataset, many-to-one, mse, ``meta['time_ordered'] = True``
        x (length, N, V); y (N, horizon * V), step-major (``y[i, k * V + v]``
        is variable v, ``k + 1`` steps after window i);
        ``N = (T - length - horizon) // stride + 1``. ``meta['start']`` (N,)
        is where each window starts. ``meta['split_gap']``: how many windows
        :meth:`Dataset.split` leaves out so that train and validation targets
        do not overlap (``(horizon - 1) // stride``).
    """
    values = as_array(series, "series")
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(f"series must have shape (T,) or (T, V), got {values.shape}")
    length = check_int(length, "length", low=1)
    horizon = check_int(horizon, "horizon", low=1)
    stride = check_int(stride, "stride", low=1)
    steps = values.shape[0]
    if steps < length + horizon:
        raise ValueError(f"series has {steps} steps, too short for windows of length={length} "
                         f"plus horizon={horizon}")
    start = np.arange(0, steps - length - horizon + 1, stride)
    x = values[start[None, :] + np.arange(length)[:, None]]          # (length, N, V)
    ahead = values[start[:, None] + length + np.arange(horizon)]     # (N, horizon, V)
    return Dataset(
        name=name, x=x, y=ahead.reshape(len(start), -1), pattern="many-to-one", loss="mse",
        description=f"From the last {length} values, predict the next {horizon}.",
        meta={"start": start, "time_ordered": True, "split_gap": (horizon - 1) // stride,
              "per_sample": {"start": 0}})


def sunspots(length=20, horizon=1, test_fraction=0.2, seed=0):
    """Yearly sunspot numbers as scaled forecasting windows, in time order.

    The windows are standardised with the statistics of the training part
    only: every value before the first target of the last ``test_fraction``
    of windows. ``ds.split(test_fraction)`` then gives train and test
    without leakage (see :func:`sunspot_windows`; for ``horizon > 1`` the
    ``horizon - 1`` windows whose targets straddle the boundary are dropped). ``seed`` is accepted for
    a uniform interface and not used: the data are fixed.

    Returns
    -------
    Dataset, many-to-one, mse
        x (length, N, 1); y (N, horizon), scaled; ``N = 309 - length - horizon
        + 1``. ``meta['scaler']`` undoes the scaling (``inverse_transform``);
        ``meta['target_years']`` (N, horizon).
    """
    check_seed(seed)
    test_fraction = check_float(test_fraction, "test_fraction", low=0.0, high=1.0, low_open=True)
    years, values = load_sunspots()
    raw = windows(values, length, horizon, name="sunspots")
    first_test_target = raw.meta["start"][raw.n_samples - held_out_count(raw.n_samples, test_fraction)] + length
    scaler = Scaler().fit(values[:first_test_target])
    ds = windows(scaler.transform(values), length, horizon, name="sunspots")
    ds.description = (f"Yearly sunspot numbers since 1700, standardised: from {length} years, "
                      f"predict the next {horizon}. The cycle lasts about 11 years.")
    ds.meta.update(
        scaler=scaler, years=years, test_fraction=test_fraction,
        source="NOAA NGDC yearly mean sunspot numbers 1700-2008, via statsmodels (public domain)",
        target_years=years[ds.meta["start"][:, None] + length + np.arange(horizon)])
    ds.meta["per_sample"] = {"start": 0, "target_years": 0}
    return ds


def sunspot_windows(length=20, horizon=1, test_fraction=0.2):
    """``(train, test)`` sunspot windows, split in time order and scaled by
    the training statistics; both share ``meta['scaler']``."""
    return sunspots(length, horizon, test_fraction).split(test_fraction)


# ---------------------------------------------------------------- registry

def _text(seq_len=50, n_samples=None, seed=0):
    return char_dataset(seq_len=seq_len, n_samples=n_samples, seed=seed)


DATASETS = {
    "sine": sine,
    "noisy-sine": noisy_sine,
    "echo": echo,
    "adding": adding,
    "copy": copy_task,
    "fill-in-middle": fill_in_middle,
    "classification": classification,
    "generation": generation,
    "two-to-three": two_to_three,
    "one-to-one": one_to_one,
    "multivariate-sine": multivariate_sine,
    "sunspots": sunspots,
    "text": _text,
}


def make_dataset(name, **kwargs):
    """Build a registered data set by name, e.g. ``make_dataset('echo', seed=1)``.

    Keyword arguments go to the generator (see ``DATASETS[name]``).
    """
    return DATASETS[check_choice(name, "dataset name", DATASETS)](**kwargs)
