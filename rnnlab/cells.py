"""The three recurrent cells as pure forward/backward pairs.

For each cell there is a *step* pair, one time step, written as in a textbook::

    h_t, cache = rnn_step_forward(x_t, h_prev, w_x, w_h, b_h, "tanh")
    dx_t, dh_prev, grads = rnn_step_backward(dh_t, cache)

and a *sequence* pair that runs one direction of one layer over ``T`` steps::

    hs, state, cache = rnn_forward(x, (h0,), params, activation="tanh")
    dx, dstate0, grads, dhs_total = rnn_backward(dhs, dstate_T, cache)

The sequence functions do exactly the step maths, with one change for speed:
the input projection ``x_t @ w_x.T + b`` does not depend on the previous state,
so it is computed for all steps in one matrix product before the loop, and the
weight gradients are summed over all steps in one product after it. A test
checks that the two give the same numbers.

Shapes (time first): ``x (T, N, D)``, states ``(N, H)``, ``hs (T, N, H)``.
Weights act on column vectors, as in the tutorial and in PyTorch, so on a batch
of row vectors the code reads ``x_t @ w_x.T``. Gate blocks are stacked along
the first axis of ``w_x (G*H, D)``, ``w_h (G*H, H)`` and ``b_h (G*H,)`` in
PyTorch's order: GRU ``r, z, n``; LSTM ``i, f, g, o``.

States are tuples: ``(h,)`` for the simple RNN and the GRU, ``(h, c)`` for the
LSTM, so all cells share one layer implementation.
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation, sigmoid, sigmoid_grad, tanh_grad

# ---------------------------------------------------------------------------
# Simple RNN:  h_t = f(w_x x_t + w_h h_{t-1} + b_h)
# ---------------------------------------------------------------------------


def rnn_step_forward(x_t, h_prev, w_x, w_h, b_h, activation="tanh"):
    """One step of the simple RNN.

    ``x_t (N, D)``, ``h_prev (N, H)``, ``w_x (H, D)``, ``w_h (H, H)``,
    ``b_h (H,)`` -> ``h_t (N, H)`` and a cache for the backward pass.
    """
    f, _ = get_activation(activation)
    h_t = f(x_t @ w_x.T + h_prev @ w_h.T + b_h)
    return h_t, (x_t, h_prev, h_t, w_x, w_h, activation)


def rnn_step_backward(dh_t, cache):
    """Gradients of one RNN step given ``dh_t (N, H)``, the loss gradient at ``h_t``.

    Returns ``dx_t (N, D)``, ``dh_prev (N, H)`` and ``{"w_x", "w_h", "b_h"}``.
    """
    x_t, h_prev, h_t, w_x, w_h, activation = cache
    _, f_grad = get_activation(activation)
    da = dh_t * f_grad(h_t)  # gradient at the pre-activation
    grads = {"w_x": da.T @ x_t, "w_h": da.T @ h_prev, "b_h": da.sum(axis=0)}
    return da @ w_x, da @ w_h, grads


def rnn_forward(x, state0, p, activation="tanh"):
    """Run the simple RNN over ``x (T, N, D)`` from ``state0 = (h0,)``.

    Returns ``hs (T, N, H)``, the final state ``(h_T,)`` and a cache.
    """
    f, _ = get_activation(activation)
    T = x.shape[0]
    (h,) = state0
    a_x = x @ p["w_x"].T + p["b_h"]  # (T, N, H): input part of every step at once
    w_hT = p["w_h"].T
    hs = np.empty(a_x.shape, dtype=a_x.dtype)
    for t in range(T):
        h = f(a_x[t] + h @ w_hT)
        hs[t] = h
    return hs, (h,), (x, state0[0], hs, p, activation)


def rnn_backward(dhs, dstate, cache):
    """Backpropagate through ``rnn_forward``.

    ``dhs (T, N, H)`` is the loss gradient reaching each ``h_t`` from outside the
    recurrence (the output layer or the layer above); ``dstate = (dh_T,)`` is the
    gradient at the final state (zero unless the state is used later).
    Returns ``dx (T, N, D)``, ``(dh0,)``, the parameter gradients, and
    ``dh_total (T, N, H)``: the full gradient of the loss at every ``h_t``.
    """
    x, h0, hs, p, activation = cache
    _, f_grad = get_activation(activation)
    T, N, H = hs.shape
    w_h = p["w_h"]
    das = np.empty_like(hs)
    dh_total = np.empty_like(hs)
    (dh,) = dstate
    for t in range(T - 1, -1, -1):
        dh = dh + dhs[t]  # from the output at t and from step t+1
        dh_total[t] = dh
        da = dh * f_grad(hs[t])
        das[t] = da
        dh = da @ w_h
    h_prev = np.concatenate([h0[None], hs[:-1]])  # (T, N, H): h_{t-1} for every t
    da2 = das.reshape(T * N, H)  # (T*N, H)
    grads = {
        "w_x": da2.T @ x.reshape(T * N, -1),
        "w_h": da2.T @ h_prev.reshape(T * N, H),
        "b_h": da2.sum(axis=0),
    }
    return das @ p["w_x"], (dh,), grads, dh_total


# ---------------------------------------------------------------------------
# GRU
#   r = sigmoid(W_xr x + W_hr h + b_r)          reset gate
#   z = sigmoid(W_xz x + W_hz h + b_z)          update gate
#   n = tanh(W_xn x + b_n + r * (W_hn h + b_hn))   candidate (PyTorch variant)
#   n = tanh(W_xn x + b_n + W_hn (r * h))          candidate (original variant)
#   h' = (1 - z) * n + z * h                    keep z of the old state
# ---------------------------------------------------------------------------

GRU_VARIANTS = ("pytorch", "original")


def gru_step_forward(x_t, h_prev, p, variant="pytorch"):
    """One GRU step. ``p`` holds ``w_x (3H, D), w_h (3H, H), b_h (3H,)`` and, in
    the PyTorch variant, ``b_hn (H,)``. Returns ``h_t (N, H)`` and a cache."""
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
    return h_t, (x_t, h_prev, r, z, n, hn, p, variant)


def gru_step_backward(dh_t, cache):
    """Gradients of one GRU step: ``dx_t, dh_prev, grads`` (keys as the params)."""
    x_t, h_prev, r, z, n, hn, p, variant = cache
    da_x, da_h, dh_prev, extra = _gru_gate_grads(dh_t, h_prev, r, z, n, hn, p, variant)
    H = h_prev.shape[1]
    grads = {"w_x": da_x.T @ x_t, "b_h": da_x.sum(axis=0)}
    if variant == "pytorch":
        grads["w_h"] = da_h.T @ h_prev
        grads["b_hn"] = da_h[:, 2 * H :].sum(axis=0)
    else:
        grads["w_h"] = np.concatenate([da_h.T @ h_prev, extra.T @ hn])
    return da_x @ p["w_x"], dh_prev, grads


def _gru_gate_grads(dh, h_prev, r, z, n, hn, p, variant):
    """Shared maths of the GRU backward step.

    Returns the gradient at the input projection ``da_x (N, 3H)``, at the
    hidden projection (``(N, 3H)`` in the PyTorch variant, ``(N, 2H)`` for r and
    z in the original), ``dh_prev`` and, for the original variant, the
    candidate's pre-activation gradient (which multiplies ``r * h``).
    """
    H = h_prev.shape[1]
    w_h = p["w_h"]
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    dh_prev = dh * z
    da_n = dn * tanh_grad(n)
    if variant == "pytorch":
        dr = da_n * hn
        da_r = dr * sigmoid_grad(r)
        da_z = dz * sigmoid_grad(z)
        da_h = np.concatenate([da_r, da_z, da_n * r], axis=1)  # (N, 3H)
        dh_prev = dh_prev + da_h @ w_h
        return np.concatenate([da_r, da_z, da_n], axis=1), da_h, dh_prev, None
    d_rh = da_n @ w_h[2 * H :]  # gradient at r * h_prev
    da_r = d_rh * h_prev * sigmoid_grad(r)
    da_z = dz * sigmoid_grad(z)
    da_h = np.concatenate([da_r, da_z], axis=1)  # (N, 2H)
    dh_prev = dh_prev + d_rh * r + da_h @ w_h[: 2 * H]
    return np.concatenate([da_r, da_z, da_n], axis=1), da_h, dh_prev, da_n


def gru_forward(x, state0, p, variant="pytorch"):
    """Run the GRU over ``x (T, N, D)``; returns ``hs (T, N, H)``, ``(h_T,)``, cache."""
    T = x.shape[0]
    (h,) = state0
    H = h.shape[1]
    a_x = x @ p["w_x"].T + p["b_h"]  # (T, N, 3H)
    w_rzT = p["w_h"][: 2 * H].T
    w_nT = p["w_h"][2 * H :].T
    b_hn = p.get("b_hn")
    hs = np.empty(a_x.shape[:2] + (H,), dtype=a_x.dtype)
    gates = np.empty(a_x.shape, dtype=a_x.dtype)  # (T, N, 3H): r, z, n
    hns = np.empty_like(hs)
    for t in range(T):
        ax = a_x[t]
        rz = sigmoid(ax[:, : 2 * H] + h @ w_rzT)
        r = rz[:, :H]
        if variant == "pytorch":
            hn = h @ w_nT + b_hn
            n = np.tanh(ax[:, 2 * H :] + r * hn)
        else:
            hn = r * h
            n = np.tanh(ax[:, 2 * H :] + hn @ w_nT)
        h = n + rz[:, H:] * (h - n)
        gates[t, :, : 2 * H] = rz
        gates[t, :, 2 * H :] = n
        hns[t] = hn
        hs[t] = h
    return hs, (h,), (x, state0[0], hs, gates, hns, p, variant)


def gru_backward(dhs, dstate, cache):
    """Backpropagate through ``gru_forward``; same contract as ``rnn_backward``."""
    x, h0, hs, gates, hns, p, variant = cache
    T, N, H = hs.shape
    (dh,) = dstate
    h_prev_all = np.concatenate([h0[None], hs[:-1]])  # (T, N, H)
    da_xs = np.empty_like(gates)  # (T, N, 3H)
    da_hs = np.empty((T, N, 3 * H if variant == "pytorch" else 2 * H), dtype=hs.dtype)
    da_ns = np.empty_like(hs) if variant == "original" else None
    dh_total = np.empty_like(hs)
    for t in range(T - 1, -1, -1):
        dh = dh + dhs[t]
        dh_total[t] = dh
        g = gates[t]
        da_x, da_h, dh, da_n = _gru_gate_grads(
            dh, h_prev_all[t], g[:, :H], g[:, H : 2 * H], g[:, 2 * H :], hns[t], p, variant)
        da_xs[t] = da_x
        da_hs[t] = da_h
        if da_ns is not None:
            da_ns[t] = da_n
    TN = T * N
    da_x2 = da_xs.reshape(TN, 3 * H)  # (T*N, 3H)
    hp2 = h_prev_all.reshape(TN, H)  # (T*N, H)
    grads = {"w_x": da_x2.T @ x.reshape(TN, -1), "b_h": da_x2.sum(axis=0)}
    if variant == "pytorch":
        da_h2 = da_hs.reshape(TN, 3 * H)
        grads["w_h"] = da_h2.T @ hp2
        grads["b_hn"] = da_h2[:, 2 * H :].sum(axis=0)
    else:
        grads["w_h"] = np.concatenate([
            da_hs.reshape(TN, 2 * H).T @ hp2,
            da_ns.reshape(TN, H).T @ hns.reshape(TN, H),
        ])
    return da_xs @ p["w_x"], (dh,), grads, dh_total


# ---------------------------------------------------------------------------
# LSTM
#   i, f, o = sigmoid(...), g = tanh(...)   input, forget, output gates; candidate
#   c_t = f * c_{t-1} + i * g               cell state: forget some, write some
#   h_t = o * tanh(c_t)                     expose some of the cell
# ---------------------------------------------------------------------------


def lstm_step_forward(x_t, h_prev, c_prev, p):
    """One LSTM step; ``p`` holds ``w_x (4H, D), w_h (4H, H), b_h (4H,)``.
    Returns ``h_t, c_t (N, H)`` and a cache."""
    H = h_prev.shape[1]
    a = x_t @ p["w_x"].T + h_prev @ p["w_h"].T + p["b_h"]  # (N, 4H)
    ifo = sigmoid(a[:, np.r_[0 : 2 * H, 3 * H : 4 * H]])
    i, f, o = ifo[:, :H], ifo[:, H : 2 * H], ifo[:, 2 * H :]
    g = np.tanh(a[:, 2 * H : 3 * H])
    c_t = f * c_prev + i * g
    tc = np.tanh(c_t)
    h_t = o * tc
    return h_t, c_t, (x_t, h_prev, c_prev, i, f, g, o, tc, p)


def lstm_step_backward(dh_t, dc_t, cache):
    """Gradients of one LSTM step: ``dx_t, dh_prev, dc_prev, grads``."""
    x_t, h_prev, c_prev, i, f, g, o, tc, p = cache
    da, dc_prev = _lstm_gate_grads(dh_t, dc_t, c_prev, i, f, g, o, tc)
    grads = {"w_x": da.T @ x_t, "w_h": da.T @ h_prev, "b_h": da.sum(axis=0)}
    return da @ p["w_x"], da @ p["w_h"], dc_prev, grads


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
    """Run the LSTM over ``x (T, N, D)`` from ``state0 = (h0, c0)``.

    Returns ``hs (T, N, H)``, ``(h_T, c_T)`` and a cache holding the gates and
    cell states of every step.
    """
    T = x.shape[0]
    h, c = state0
    H = h.shape[1]
    a_x = x @ p["w_x"].T + p["b_h"]  # (T, N, 4H)
    w_hT = p["w_h"].T
    hs = np.empty(a_x.shape[:2] + (H,), dtype=a_x.dtype)
    cs = np.empty_like(hs)
    gates = np.empty_like(a_x)  # (T, N, 4H): i, f, g, o after their squashing
    for t in range(T):
        a = a_x[t] + h @ w_hT
        gt = gates[t]
        gt[:] = sigmoid(a)  # i, f, o use it; g is overwritten with tanh below
        gt[:, 2 * H : 3 * H] = np.tanh(a[:, 2 * H : 3 * H])
        c = gt[:, H : 2 * H] * c + gt[:, :H] * gt[:, 2 * H : 3 * H]
        h = gt[:, 3 * H :] * np.tanh(c)
        cs[t] = c
        hs[t] = h
    return hs, (h, c), (x, state0, hs, cs, gates, p)


def lstm_backward(dhs, dstate, cache):
    """Backpropagate through ``lstm_forward``; ``dstate = (dh_T, dc_T)``.

    Returns ``dx``, ``(dh0, dc0)``, grads and ``dh_total (T, N, H)``.
    """
    x, (h0, c0), hs, cs, gates, p = cache
    T, N, H = hs.shape
    dh, dc = dstate
    w_h = p["w_h"]
    c_prev_all = np.concatenate([c0[None], cs[:-1]])
    das = np.empty_like(gates)
    dh_total = np.empty_like(hs)
    for t in range(T - 1, -1, -1):
        dh = dh + dhs[t]
        dh_total[t] = dh
        gt = gates[t]
        da, dc = _lstm_gate_grads(
            dh, dc, c_prev_all[t], gt[:, :H], gt[:, H : 2 * H], gt[:, 2 * H : 3 * H],
            gt[:, 3 * H :], np.tanh(cs[t]))
        das[t] = da
        dh = da @ w_h
    h_prev = np.concatenate([h0[None], hs[:-1]])
    TN = T * N
    da2 = das.reshape(TN, 4 * H)  # (T*N, 4H)
    grads = {
        "w_x": da2.T @ x.reshape(TN, -1),
        "w_h": da2.T @ h_prev.reshape(TN, H),
        "b_h": da2.sum(axis=0),
    }
    return das @ p["w_x"], (dh, dc), grads, dh_total


def gate_trace(cell, cache):
    """Per-step internals for the state inspector: a dict of ``(T, N, H)`` arrays.

    RNN: ``h``; GRU: ``h, r, z, n``; LSTM: ``h, c, i, f, g, o``.
    """
    if cell == "rnn":
        return {"h": cache[2]}
    if cell == "gru":
        hs, gates = cache[2], cache[3]
        H = hs.shape[2]
        return {"h": hs, "r": gates[..., :H], "z": gates[..., H : 2 * H], "n": gates[..., 2 * H :]}
    hs, cs, gates = cache[2], cache[3], cache[4]
    H = hs.shape[2]
    return {"h": hs, "c": cs, **{k: gates[..., j * H : (j + 1) * H] for j, k in enumerate("ifgo")}}
