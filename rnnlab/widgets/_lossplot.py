"""Loss curves that never break: limits that hold extreme values, values pinned to the frame.

A run that explodes (losses of 1e277, inf, NaN) must not take the plot down
with it: matplotlib's log-scale tick code overflows on such limits. Here the
frame is computed from the finite losses and clipped at :data:`CEILING` times
the largest first loss, and what lies beyond it is drawn pinned just outside
the frame (a line leaving the top), NaN as a gap. Limits move in whole decades
(log) or 1-2-5 steps (linear), so a growing curve changes the frame, which
costs a whole redraw, only now and then.
"""
from __future__ import annotations

import math

import numpy as np

#: the loss plot shows at most this many times the largest first loss: higher is clipped
CEILING = 1e3


def loss_limits(values, firsts, log, target=None):
    """Y limits that hold the finite losses, clipped at CEILING times the largest first loss.

    Whole decades on a log scale and 1-2-5 steps on a linear one, so that they
    change rarely while a curve grows (a change costs a full redraw); on a log
    scale the frame reaches a decade below the target from the start, so a
    curve falls into it rather than pushing it down decade after decade.
    """
    values = values[np.isfinite(values)]
    if log and target and values.size:
        values = np.append(values, target / 10)
    if log:
        values = values[values > 0]
    if values.size == 0:
        return (1e-3, 1.0) if log else (0.0, 1.0)
    firsts = firsts[np.isfinite(firsts) & (firsts > 0)] if log else firsts[np.isfinite(firsts)]
    top = float(values.max())
    if firsts.size:
        top = min(top, CEILING * float(np.abs(firsts).max()))
    low = float(values.min())
    if log:
        lo = 10.0 ** max(math.floor(math.log10(low)), -300)
        hi = 10.0 ** min(math.ceil(math.log10(max(top, lo))), 300)
        return (lo, hi if hi > lo else lo * 10)
    lo = 0.0 if low >= 0 else -nice(-low)
    hi = nice(max(top, 1e-300) * 1.05)
    return (lo, hi if hi > lo else lo + 1)


def nice(x):
    """The smallest 1, 2 or 5 x 10^k at least ``x``."""
    x = min(max(float(x), 1e-300), 1e300)
    exp = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10.0**exp >= x:
            return m * 10.0**exp
    return 10.0 ** (exp + 1)


def plotted(values, ylim, log):
    """Losses ready to draw: beyond the frame (up to inf) pinned just outside it, NaN a gap."""
    v = np.array([np.nan if x is None else x for x in values], dtype=np.float64)
    lo, hi = ylim
    if log:
        out = np.clip(v, lo / 10, hi * 10)
        out[v <= 0] = lo / 10
    else:
        span = hi - lo
        out = np.clip(v, lo - span, hi + span)
    out[np.isnan(v)] = np.nan
    return out

