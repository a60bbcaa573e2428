"""The three recurrent cells, written as in a textbook.

For each cell there is a *step* pair, one time step forward and the same step
backward, with the equations of both in its docstring::

    h_t, cache = rnn_step_forward(x_t, h_prev, w_x, w_h, b_h, "tanh")
    dx_t, dh_prev, grads = rnn_step_backward(dh_t, cache)

and a *sequence* pair that runs one direction of one layer over ``T`` steps by
calling the step pair once per step::

    hs, state, cache = rnn_forward(x, (h0,), params, activation="tanh")
    dx, dstate0, grads, dh_total = rnn_backward(dhs, dstate_T, cache)

A layer or model built with ``fast=False`` runs these loops, so a breakpoint in
:func:`lstm_step_backward` stops inside the training of a real model. The
default, ``fast=True``, runs :mod:`rnnlab.fast_cells`: the same sequence
functions with the same results (to rounding), rearranged for speed.

Shapes (time first): ``x (T, N, D)``, states ``(N, H)``, ``hs (T, N, H)``.
Weights act on column vectors, as in the tutorial and in PyTorch, so on a batch
of row vectors the code reads ``x_t @ w_x.T``. Gate blocks are stacked along
the first axis of ``w_x (G*H, D)``, ``w_h (G*H, H)`` and ``b_h (G*H,)`` in
PyTorch's order: GRU ``r, z, n``; LSTM ``i, f, g, o``. In the equations below a
product of two vectors (``r * h``) is element by element, and ``sum`` adds over
the batch.

States are tuples, ``(h,)`` for the simple RNN and the GRU and ``(h, c)`` for
the LSTM, so all cells share one layer implementation. Caches are named tuples:
``cache.h_prev``, ``cache.gates``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import get_activation, sigmoid, sigmoid_grad, tanh_grad

GRU_VARIANTS = ("pytorch", "original")


# ---------------------------------------------------------------------------
# Simple RNN
# ---------------------------------------------------------------------------


class RNNStepCache(NamedTuple):
    """What :func:`rnn_step_backward` needs from :func:`rnn_step_forward`."""

    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    h_t: np.ndarray  # (N, H)
    w_x: np.ndarray  # (H, D)
    w_h: np.ndarray  # (H, H)
    activation: str


def rnn_step_forward(x_t, h_prev, w_x, w_h, b_h, activation="tanh"):
    """One step of the simple RNN.

    ``x_t (N, D)``, ``h_prev (N, H)``, ``w_x (H, D)``, ``w_h (H, H)``,
    ``b_h (H,)`` -> ``h_t (N, H)`` and an :class:`RNNStepCache`::

        a_t = w_x x_t + w_h h_{t-1} + b_h
        h_t = f(a_t)                        f: tanh, sigmoid or relu
    """
    f, _ = get_activation(activation)
    h_t = f(x_t @ w_x.T + h_prev @ w_h.T + b_h)
    return h_t, RNNStepCache(x_t, h_prev, h_t, w_x, w_h, activation)


def rnn_step_backward(dh_t, cache):
    """Gradients of one RNN step, given ``dh_t (N, H)``, the loss gradient at ``h_t``.

    Returns ``dx_t (N, D)``, ``dh_prev (N, H)`` and ``{"w_x", "w_h", "b_h"}``::

        da_t    = dh_t * f'(a_t)            f' from h_t: 1 - h_t^2 for tanh
        dw_x    = sum da_t x_t^T
        dw_h    = sum da_t h_{t-1}^T
        db_h    = sum da_t
        dx_t    = w_x^T da_t
        dh_prev = w_h^T da_t
    """
    if not isinstance(cache, RNNStepCache):
        raise TypeError("cache must be the RNNStepCache that rnn_step_forward returned, "
                        f"got {type(cache).__name__}")
    _, f_grad = get_activation(cache.activation)
    da = dh_t * f_grad(cache.h_t)  # gradient at the pre-activation
    grads = {"w_x": da.T @ cache.x_t, "w_h": da.T @ cache.h_prev, "b_h": da.sum(axis=0)}
    return da @ cache.w_x, da @ cache.w_h, grads


class SequenceCache(NamedTuple):
    """The cache of a sequence function below: every step's own cache, in time order.

    ``gates`` (GRU and LSTM) stacks the steps' gate values as ``(G, T, N, H)``,
    the layout of :mod:`rnnlab.fast_cells`' caches.
    """

    steps: list  # one step cache per time step
    hs: np.ndarray  # (T, N, H) h_1 .. h_T
    cs: np.ndarray | None = None  # (T, N, H) the LSTM's cell states c_1 .. c_T

    @property
    def gates(self):
        return np.stack([step.gates for step in self.steps], axis=1)


def rnn_forward(x, state0, p, activation="tanh"):
    """Run the simple RNN over ``x (T, N, D)`` from ``state0 = (h0,)``, one
    :func:`rnn_step_forward` per step.

    Returns ``hs (T, N, H)``, the final state ``(h_T,)`` and a :class:`SequenceCache`.
    """
    (h,) = state0
    hs, steps = [], []
    for x_t in x:
        h, cache = rnn_step_forward(x_t, h, p["w_x"], p["w_h"], p["b_h"], activation)
        hs.append(h)
        steps.append(cache)
    hs = np.stack(hs)
    return hs, (h,), SequenceCache(steps, hs)


def rnn_backward(dhs, dstate, cache):
    """Backpropagate through :func:`rnn_forward`, one :func:`rnn_step_backward` per step.

    ``dhs (T, N, H)`` is the loss gradient reaching each ``h_t`` from outside the
    recurrence (the output layer or the layer above); ``dstate = (dh_T,)`` is the
    gradient at the final state (zero unless the state is used later).
    Returns ``dx (T, N, D)``, ``(dh0,)``, the parameter gradients, and
    ``dh_total (T, N, H)``: the full gradient of the loss at every ``h_t``.
    """
    return _backward_through_time(rnn_step_backward, dhs, dstate, cache.steps)


def _backward_through_time(step_backward, dhs, dstate, steps):
    """Call ``step_backward`` from the last step to the first (the same loop for all cells).

    ``dstate`` is ``(dh_T,)``, or ``(dh_T, dc_T)`` for the LSTM, whose step
    backward also takes the cell's gradient and returns ``dc_prev``.
    """
    dh_next, *dc = dstate  # dc: [] or [dc_T]
    dx, dh_total, grads = [None] * len(steps), np.empty_like(dhs), {}
    for t in reversed(range(len(steps))):
        dh = dh_next + dhs[t]  # h_t feeds the output at t and the step t+1
        dh_total[t] = dh
        dx[t], dh_next, *dc, step_grads = step_backward(dh, *dc, steps[t])
        for k, g in step_grads.items():  # every step uses the same weights: add up
            grads[k] = grads[k] + g if k in grads else g
    return np.stack(dx), (dh_next, *dc), grads, dh_total


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------


class GRUStepCache(NamedTuple):
    """What :func:`gru_step_backward` needs from :func:`gru_step_forward`."""

    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    r: np.ndarray  # (N, H) reset gate
    z: np.ndarray  # (N, H) update gate
    n: np.ndarray  # (N, H) candidate
    hn: np.ndarray  # (N, H) what r multiplies: w_hn h_{t-1} + b_hn, or h_{t-1} (original)
    p: dict
    variant: str

    @property
    def gates(self):
        return self.r, self.z, self.n


def gru_step_forward(x_t, h_prev, p, variant="pytorch"):
    """One GRU step. ``p`` holds ``w_x (3H, D), w_h (3H, H), b_h (3H,)`` and, in
    the PyTorch variant, ``b_hn (H,)``. Returns ``h_t (N, H)`` and a :class:`GRUStepCache`::

        r   = sigmoid(w_xr x_t + w_hr h_{t-1} + b_r)               reset gate
        z   = sigmoid(w_xz x_t + w_hz h_{t-1} + b_z)               update gate
        n   = tanh(w_xn x_t + b_n + r * (w_hn h_{t-1} + b_hn))     candidate, "pytorch"
        n   = tanh(w_xn x_t + b_n + w_hn (r * h_{t-1}))            candidate, "original"
        h_t = (1 - z) * n + z * h_{t-1}                            keep z of the old state

    ``w_xr`` is the first block of rows of ``w_x``, ``b_r`` of ``b_h``, and so on.
    """
    H = h_prev.shape[1]
    w_x, w_h = p["w_x"], p["w_h"]
    a_x = x_t @ w_x.T + p["b_h"]  # (N, 3H)
    a_h = h_prev @ w_h[: 2 * H].T  # (N, 2H): hidden part of r and z
    r = sigmoid(a_x[:, :H] + a_h[:, :H])
    z = sigmoid(a_x[:, H : 2 * H] + a_h[:, H:])
    if variant == "pytorch":
        hn = h_prev @ w_h[2 * H :].T + p["b_hn"]  # reset applied after the product
        n = np.tanh(a_x[:, 2 * H :] + r * hn)
    else:
        hn = r * h_prev  # reset applied before the product
        n = np.tanh(a_x[:, 2 * H :] + hn @ w_h[2 * H :].T)
    h_t = n + z * (h_prev - n)  # = (1 - z) n + z h_prev
    return h_t, GRUStepCache(x_t, h_prev, r, z, n, hn, p, variant)


def gru_step_backward(dh_t, cache):
    """Gradients of one GRU step: ``dx_t, dh_prev, grads`` (keys as the params)::

        dn   = dh_t * (1 - z)               dz   = dh_t * (h_{t-1} - n)
        da_n = dn * (1 - n^2)               da_z = dz * z (1 - z)
      "pytorch", where hn = w_hn h_{t-1} + b_hn:
        da_r = da_n * hn * r (1 - r)        dhn  = da_n * r
        dw_h = sum [da_r, da_z, dhn] h_{t-1}^T              db_hn = sum dhn
        dh_prev = dh_t * z + w_h^T [da_r, da_z, dhn]
      "original":
        d_rh = w_hn^T da_n                  da_r = d_rh * h_{t-1} * r (1 - r)
        dw_h = sum [da_r, da_z] h_{t-1}^T, then sum da_n (r * h_{t-1})^T for w_hn
        dh_prev = dh_t * z + d_rh * r + [w_hr, w_hz]^T [da_r, da_z]
      both, with da = [da_r, da_z, da_n]:
        dw_x = sum da x_t^T     db_h = sum da     dx_t = w_x^T da
    """
    if not isinstance(cache, GRUStepCache):
        raise TypeError("cache must be the GRUStepCache that gru_step_forward returned, "
                        f"got {type(cache).__name__}")
    h_prev, r, z, n, hn = cache.h_prev, cache.r, cache.z, cache.n, cache.hn
    H = h_prev.shape[1]
    w_h = cache.p["w_h"]
    dn = dh_t * (1 - z)  # h_t = (1 - z) n + z h_prev
    dz = dh_t * (h_prev - n)
    da_n = dn * tanh_grad(n)
    da_z = dz * sigmoid_grad(z)
    if cache.variant == "pytorch":
        da_r = da_n * hn * sigmoid_grad(r)  # n = tanh(... + r * hn)
        dhn = da_n * r  # the gradient at hn
        da_h = np.concatenate([da_r, da_z, dhn], axis=1)  # (N, 3H): at the hidden products
        grads = {"w_h": da_h.T @ h_prev, "b_hn": dhn.sum(axis=0)}
        dh_prev = dh_t * z + da_h @ w_h
    else:
        d_rh = da_n @ w_h[2 * H :]  # the gradient at r * h_prev
        da_r = d_rh * h_prev * sigmoid_grad(r)
        da_h = np.concatenate([da_r, da_z], axis=1)  # (N, 2H): r's and z's hidden products
        grads = {"w_h": np.concatenate([da_h.T @ h_prev, da_n.T @ hn])}  # w_hn multiplies r * h_prev
        dh_prev = dh_t * z + d_rh * r + da_h @ w_h[: 2 * H]
    da = np.concatenate([da_r, da_z, da_n], axis=1)  # (N, 3H): at the three pre-activations
    grads.update(w_x=da.T @ cache.x_t, b_h=da.sum(axis=0))
    grads = {k: grads[k] for k in cache.p if k in grads}  # in the parameters' order
    return da @ cache.p["w_x"], dh_prev, grads


def gru_forward(x, state0, p, variant="pytorch"):
    """Run the GRU over ``x (T, N, D)``, one :func:`gru_step_forward` per step.

    Returns ``hs (T, N, H)``, ``(h_T,)`` and a :class:`SequenceCache`
    (``r, z, n = cache.gates``).
    """
    (h,) = state0
    hs, steps = [], []
    for x_t in x:
        h, cache = gru_step_forward(x_t, h, p, variant)
        hs.append(h)
        steps.append(cache)
    hs = np.stack(hs)
    return hs, (h,), SequenceCache(steps, hs)


def gru_backward(dhs, dstate, cache):
    """Backpropagate through :func:`gru_forward`; same contract as :func:`rnn_backward`."""
    return _backward_through_time(gru_step_backward, dhs, dstate, cache.steps)


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------


class LSTMStepCache(NamedTuple):
    """What :func:`lstm_step_backward` needs from :func:`lstm_step_forward`."""

    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    i: np.ndarray  # (N, H) input gate
    f: np.ndarray  # (N, H) forget gate
    g: np.ndarray  # (N, H) candidate
    o: np.ndarray  # (N, H) output gate
    tc: np.ndarray  # (N, H) tanh(c_t)
    p: dict

    @property
    def gates(self):
        return self.i, self.f, self.g, self.o


def lstm_step_forward(x_t, h_prev, c_prev, p):
    """One LSTM step; ``p`` holds ``w_x (4H, D), w_h (4H, H), b_h (4H,)``.
    Returns ``h_t, c_t (N, H)`` and an :class:`LSTMStepCache`::

        a   = w_x x_t + w_h h_{t-1} + b_h        four blocks: a_i, a_f, a_g, a_o
        i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)    input, forget, output gates
        g   = tanh(a_g)                          candidate
        c_t = f * c_{t-1} + i * g                cell state: forget some, write some
        h_t = o * tanh(c_t)                      expose some of the cell
    """
    H = h_prev.shape[1]
    a = x_t @ p["w_x"].T + h_prev @ p["w_h"].T + p["b_h"]  # (N, 4H)
    ifo = sigmoid(a[:, np.r_[0 : 2 * H, 3 * H : 4 * H]])
    i, f, o = ifo[:, :H], ifo[:, H : 2 * H], ifo[:, 2 * H :]
    g = np.tanh(a[:, 2 * H : 3 * H])
    c_t = f * c_prev + i * g
    tc = np.tanh(c_t)
    h_t = o * tc
    return h_t, c_t, LSTMStepCache(x_t, h_prev, c_prev, i, f, g, o, tc, p)


def lstm_step_backward(dh_t, dc_t, cache):
    """Gradients of one LSTM step: ``dx_t, dh_prev, dc_prev, grads``.

    ``dc_t`` is the gradient reaching ``c_t`` from the next step::

        dc   = dc_t + dh_t * o * (1 - tanh(c_t)^2)      the full gradient at c_t
        da_i = dc * g * i (1 - i)          da_f = dc * c_{t-1} * f (1 - f)
        da_g = dc * i * (1 - g^2)          da_o = dh_t * tanh(c_t) * o (1 - o)
        dc_prev = dc * f
        dw_x = sum da x_t^T     dw_h = sum da h_{t-1}^T     db_h = sum da
        dx_t = w_x^T da         dh_prev = w_h^T da          (da = [da_i, da_f, da_g, da_o])
    """
    if not isinstance(cache, LSTMStepCache):
        raise TypeError("cache must be the LSTMStepCache that lstm_step_forward returned, "
                        f"got {type(cache).__name__}")
    c = cache
    da, dc_prev = _lstm_gate_grads(dh_t, dc_t, c.c_prev, c.i, c.f, c.g, c.o, c.tc)
    grads = {"w_x": da.T @ c.x_t, "w_h": da.T @ c.h_prev, "b_h": da.sum(axis=0)}
    return da @ c.p["w_x"], da @ c.p["w_h"], dc_prev, grads


def _lstm_gate_grads(dh, dc, c_prev, i, f, g, o, tc):
    """Gradient at the four gates' pre-activations ``(N, 4H)`` and at ``c_prev``."""
    dc = dc + dh * o * tanh_grad(tc)  # h = o tanh(c) adds to the cell's gradient
    da = np.concatenate([
        dc * g * sigmoid_grad(i),
        dc * c_prev * sigmoid_grad(f),
        dc * i * tanh_grad(g),
        dh * tc * sigmoid_grad(o),
    ], axis=1)
    return da, dc * f


def lstm_forward(x, state0, p):
    """Run the LSTM over ``x (T, N, D)`` from ``state0 = (h0, c0)``, one
    :func:`lstm_step_forward` per step.

    Returns ``hs (T, N, H)``, ``(h_T, c_T)`` and a :class:`SequenceCache` with the
    cell states ``cs (T, N, H)`` and the gates (``i, f, g, o = cache.gates``).
    """
    h, c = state0
    hs, cs, steps = [], [], []
    for x_t in x:
        h, c, cache = lstm_step_forward(x_t, h, c, p)
        hs.append(h)
        cs.append(c)
        steps.append(cache)
    hs = np.stack(hs)
    return hs, (h, c), SequenceCache(steps, hs, np.stack(cs))


def lstm_backward(dhs, dstate, cache):
    """Backpropagate through :func:`lstm_forward`; ``dstate = (dh_T, dc_T)``.

    Returns ``dx``, ``(dh0, dc0)``, grads and ``dh_total (T, N, H)``.
    """
    return _backward_through_time(lstm_step_backward, dhs, dstate, cache.steps)


#: the gate blocks of each cell, in PyTorch's order (the simple RNN has none)
GATE_NAMES = {"rnn": (), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}


def gate_trace(cell, cache):
    """Per-step internals for the state inspector: a dict of ``(T, N, H)`` arrays.

    RNN: ``h``; GRU: ``h, r, z, n``; LSTM: ``h, c, i, f, g, o``. Reads the cache of
    either path (this module's :class:`SequenceCache` or :mod:`rnnlab.fast_cells`').
    """
    out = {"h": cache.hs}
    if cell == "lstm":
        out["c"] = cache.cs
    if GATE_NAMES[cell]:
        out.update(zip(GATE_NAMES[cell], cache.gates))
    return out
