"""Three ways to backpropagate through time. Learners mix them up, so here
they are side by side.

``"full"`` -- full BPTT
    Unroll over the whole sequence, backpropagate from every loss back to
    ``t = 0``, then update once. The exact gradient; its cost grows with ``T``.

``"windowed"`` -- the tutorial's procedure, exactly as its pseudo-code reads
    For ``t = 0 .. n-k``: start from ``h = 0``, unfold ``k`` steps over inputs
    ``x_t .. x_{t+k-1}``, take the error at the window's last output
    (``y_{t+k} - p_{t+k}`` in the tutorial's numbering), backpropagate through
    those ``k`` steps and update. Windows overlap, every window starts from a
    zero state, and there is one update per window: ``n - k + 1`` updates, each
    costing ``k`` steps. Needs targets at every step (a many-to-many series).

``"truncated"`` -- truncated BPTT with the state carried over, TBPTT(k)
    Cut the unrolled sequence into consecutive windows of ``k`` steps. The
    hidden state flows forward from one window into the next (so the model
    still sees the whole history), but the gradient stops at the window's
    start ("detached" state). One update per window: ``ceil(T/k)`` updates,
    each costing ``k`` steps. With ``k = T`` it is full BPTT.

:func:`truncated_grads` adds up the windows' gradients without updating, so
the truncated gradient can be compared with the full one on the same weights
(:func:`truncation_fidelity`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import check_choice, check_int
from .model import check_model

MODES = ("full", "truncated", "windowed")


def check_mode(bptt, k, model, T):
    """Validate a BPTT mode and window for a model and an unrolled length ``T``."""
    bptt = check_choice(bptt, "bptt", MODES)
    if bptt == "full":
        return bptt, None
    if model.rnn.bidirectional:
        raise ValueError(f"bptt={bptt!r} needs a one-directional model: the backward-in-time "
                         "direction would need inputs beyond the window. Use bptt='full'.")
    if k is None:
        raise ValueError(f"bptt={bptt!r} needs a window length k (1 <= k <= {T})")
    k = check_int(k, "k")
    if not 1 <= k <= T:
        raise ValueError(f"k must be between 1 and the sequence length T={T}, got k={k}")
    if bptt == "windowed" and model.pattern != "many-to-many":
        raise ValueError("bptt='windowed' (the tutorial's procedure) needs a many-to-many series "
                         f"task with a target at every step; this model's pattern is {model.pattern}")
    return bptt, k


def _window_backward(model, x_win, state, local_steps, y_sel):
    """Forward one window from ``state``, loss at ``local_steps``, gradients within the window.

    Returns ``(window_mean_loss, grads, final_state)``. The gradient stops at
    the window's first step: nothing flows into ``state`` (it is "detached").
    """
    z, h_n, cache = model.forward_steps(x_win, state, local_steps)
    loss, dz = model.loss_and_dz(z, y_sel)
    grads, _ = model.backward(dz, None, cache)
    return loss, grads, _as_tuple(h_n)


def _as_tuple(h_n):
    """Layers return ``h`` (or ``(h, c)`` for the LSTM); they take a tuple back."""
    return h_n if isinstance(h_n, tuple) else (h_n,)


class Window(NamedTuple):
    """One window of truncated BPTT (see :func:`truncated_window`)."""

    loss: float      #: mean loss of the window's loss-carrying steps
    grads: dict      #: gradients within the window, keyed like the model's params
    share: float     #: the window's fraction of all loss-carrying steps
    state: tuple     #: the state after the window, carried into the next (detached)
    next_start: int  #: the step where the next window starts


def truncated_window(model, x, y, k, state, steps_out, start=0):
    """The next TBPTT(k) window with loss, from step ``start`` with ``state`` carried in.

    Arrays must come from ``model.prepare``; windows start at multiples of
    ``k``. A window with no loss (e.g. the early part of a many-to-one
    sequence) only carries the state forward. Returns a :class:`Window`, or
    None when no window with loss is left. Training keeps ``(next_start,
    state)`` between updates, so it can continue after an interruption.
    """
    x_full, steps = model.unrolled_inputs(x, steps_out)
    T = x_full.shape[0]
    for a in range(start, T, k):
        b = min(a + k, T)
        sel = np.nonzero((steps >= a) & (steps < b))[0]
        if sel.size == 0:
            _, h_n, _ = model.forward_steps(x_full[a:b], state, steps[sel])
            state = _as_tuple(h_n)  # carried forward, no gradient
            continue
        loss, grads, state = _window_backward(model, x_full[a:b], state, steps[sel] - a, y[sel])
        return Window(loss, grads, sel.size / steps.size, state, b)
    return None


def truncated_windows(model, x, y, k, state, steps_out):
    """Yield ``(loss, grads, share)`` for each TBPTT(k) window, in time order.

    Arrays must come from ``model.prepare``. The generator computes a window
    only when asked, so the caller may update the weights between windows (as
    training does). ``share`` is the window's fraction of the loss-carrying
    steps (see :func:`truncated_window`).
    """
    start = 0
    while (window := truncated_window(model, x, y, k, state, steps_out, start)) is not None:
        yield window.loss, window.grads, window.share
        state, start = window.state, window.next_start


def windowed_examples(x, y, k):
    """The tutorial's windows: ``(x[t:t+k], y[t+k-1])`` for ``t = 0 .. T-k``.

    ``x (T, N, D)``, ``y (T, N, ...)`` aligned targets. Yields ``(t, x_win
    (k, N, D), y_last (1, N, ...))``.
    """
    for t in range(x.shape[0] - k + 1):
        yield t, x[t : t + k], y[t + k - 1 : t + k]


def windowed_step(model, x_win, y_last):
    """Loss and gradients of one tutorial window: from ``h = 0``, error at its last step."""
    state = model.initial_state(x_win.shape[1])
    loss, grads, _ = _window_backward(model, x_win, state, np.array([x_win.shape[0] - 1]), y_last)
    return loss, grads


def truncated_grads(model, x, y, k, h0=None):
    """The TBPTT(k) gradient of the whole sequence on the current weights.

    Sums every window's gradient (weighted by its share of the loss), without
    updating. The loss is the same as full BPTT's; only gradient paths longer
    than a window are cut. Returns ``(loss, grads)``.
    """
    batch = check_model(model).prepare(x, y, h0)
    k = check_mode("truncated", k, model, _unrolled_length(model, batch))[1]
    return _truncated_sum(model, batch, k)


def _unrolled_length(model, batch):
    """How many steps the model unrolls for ``batch`` (input and output steps)."""
    return model.unrolled_inputs(batch.x, batch.steps_out)[0].shape[0]


def _truncated_sum(model, batch, k):
    """:func:`truncated_grads` on a checked batch and window."""
    total_loss, total = 0.0, {key: np.zeros_like(v) for key, v in model.params.items()}
    for loss, grads, share in truncated_windows(model, batch.x, batch.y, k, batch.state,
                                                  batch.steps_out):
        total_loss += share * loss
        for key, g in grads.items():
            total[key] += share * g
    return total_loss, total


def _flat(grads):
    return np.concatenate([g.ravel() for g in grads.values()]).astype(np.float64)


def truncation_fidelity(model, x, y, ks=None, h0=None):
    """How close the truncated gradient is to the true one, for each window ``k``.

    Returns a dict of arrays: ``k``, ``cosine`` (cosine similarity of the two
    gradient vectors; 1 = same direction), ``relative_error``
    (``||g_k - g|| / ||g||``) and ``per_param`` (``{name: relative error per k}``).
    At ``k = T`` the two agree exactly.
    """
    batch = check_model(model).prepare(x, y, h0)
    T = _unrolled_length(model, batch)
    if ks is None:
        ks = range(1, T + 1)
    elif not isinstance(ks, (list, tuple, range, np.ndarray)):
        raise TypeError(f"ks must be a list of window lengths k, got {type(ks).__name__} {ks!r}")
    # check every k (and the model's direction) before any work, so a bad one fails at once
    ks = [check_mode("truncated", k, model, T)[1] for k in ks]
    _, full = model.loss_and_grads(batch)
    g = _flat(full)
    cos, rel, per = [], [], {name: [] for name in full}
    for k in ks:
        _, tg = _truncated_sum(model, batch, k)
        gk = _flat(tg)
        denom = np.linalg.norm(g) * np.linalg.norm(gk)
        cos.append(float(gk @ g / denom) if denom > 0 else float("nan"))
        rel.append(float(np.linalg.norm(gk - g) / max(np.linalg.norm(g), 1e-300)))
        for name in full:
            per[name].append(float(np.linalg.norm(tg[name] - full[name])
                                   / max(np.linalg.norm(full[name]), 1e-300)))
    return {"k": np.array(ks), "cosine": np.array(cos), "relative_error": np.array(rel),
            "per_param": {n: np.array(v) for n, v in per.items()}}
