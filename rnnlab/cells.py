"""The three recurrent cells as pure forward/backward pairs.

For each cell there is a *step* pair, one time step, written as in a textbook::

    h_t, cache = rnn_step_forward(x_t, h_prev, w_x, w_h, b_h, "tanh")
    dx_t, dh_prev, grads = rnn_step_backward(dh_t, cache)

and a *sequence* pair that runs one direction of one layer over ``T`` steps::

    hs, state, cache = rnn_forward(x, (h0,), params, activation="tanh")
    dx, dstate0, grads, dhs_total = rnn_backward(dhs, dstate_T, cache)

The sequence functions do exactly the step maths, rearranged for speed (a test
checks that the two give the same numbers up to rounding). At teaching sizes
one step's arrays hold only about a thousand numbers, so the time goes into the
``exp``/``tanh`` of the gates (computed number by number), into the fixed cost
of every NumPy call, and into fresh memory for large temporary arrays. Hence,
each marked ``speed:`` in the code:

* work that does not depend on the previous step is done for all steps at
  once, outside the loop: the input projection ``x_t @ w_x.T + b`` before the
  forward loop, the local derivatives of every gate before the backward loop,
  the weight gradients in one matrix product after it;
* results are written into preallocated arrays with ``out=`` or in place
  (``a += b``) instead of into new arrays, inside the loops and outside;
* the GRU and LSTM keep their gates block by block, ``gates (G, T, N, H)``
  (``r, z, n = gates``), so that each gate at each step is one contiguous
  ``(N, H)`` array, which NumPy processes two to three times faster than a
  column slice of an ``(N, G*H)`` array;
* the gates' sigmoid is ``1 / (1 + exp(-a))`` (``exp`` is cheaper than
  ``tanh``), with the minus sign folded into the weights once (negating is
  exact, so the numbers do not change);
* small per-step products use ``np.dot(a, b, out=buf)``, which has a little
  less overhead per call than ``a @ b``.

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

from .activations import get_activation, relu, sigmoid, sigmoid_grad, tanh, tanh_grad


# In-place helpers for the sequence functions (speed: no new arrays).


def _sigmoid_(a):
    """Sigmoid in place: ``a <- 0.5 * tanh(0.5 * a) + 0.5``, the same operations
    as :func:`rnnlab.activations.sigmoid`, so the same numbers."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _sigmoid_of_negated_(a):
    """``a`` holds ``-z``; replace it, in place, by ``sigmoid(z) = 1 / (1 + exp(-z))``.

    For very negative ``z`` (below about -709 in float64, -88 in float32) the
    ``exp`` overflows to inf and ``1 / (1 + inf) = 0`` is the right answer; the
    callers silence that one warning with ``np.errstate(over="ignore")``.
    """
    np.exp(a, out=a)
    a += 1
    return np.reciprocal(a, out=a)


def _sigmoid_grad_into(s, out):
    """``out <- s (1 - s)``, :func:`~rnnlab.activations.sigmoid_grad` without new arrays."""
    np.subtract(1, s, out=out)
    out *= s
    return out


def _tanh_grad_into(h, out):
    """``out <- 1 - h^2``, :func:`~rnnlab.activations.tanh_grad` without new arrays."""
    np.multiply(h, h, out=out)
    return np.subtract(1, out, out=out)


def _relu_grad_into(h, out):
    """``out <- 1 where h > 0 else 0``, :func:`~rnnlab.activations.relu_grad`."""
    return np.greater(h, 0, out=out)


#: activation -> (the function applied in place, its derivative written into ``out``)
_IN_PLACE = {
    sigmoid: (_sigmoid_, _sigmoid_grad_into),
    tanh: (lambda a: np.tanh(a, out=a), _tanh_grad_into),
    relu: (lambda a: np.maximum(a, 0, out=a), _relu_grad_into),
}


def _input_part(x, w_x, b, G):
    """``w_x x_t + b`` for every step at once, gate by gate: ``x (T, N, D)`` ->
    ``(G, T, N, H)``, block ``k`` from rows ``k*H:(k+1)*H`` of ``w_x`` and ``b``."""
    T, N, D = x.shape
    H = w_x.shape[0] // G
    x2 = x.reshape(T * N, D)
    out = np.empty((G, T, N, H), dtype=np.result_type(x2, w_x))
    for k in range(G):
        # speed: np.dot on 2-D arrays always uses the BLAS (x @ w_x.T does not
        # when D = 1) and writes straight into the gate's block
        np.dot(x2, w_x[k * H : (k + 1) * H].T, out=out[k].reshape(T * N, H))
        out[k] += b[k * H : (k + 1) * H]
    return out


# The weights' gradients are sums over steps and samples of outer products, so
# each is computed after the backward loop as one matrix product over all T*N
# rows (per gate block) of the pre-activation gradients das (G, T, N, H).


def _w_h_grad(das, h0, hs):
    """``sum_t da_t^T h_{t-1}`` per gate block, as ``(G*H, H)``; step 0 reads
    ``h0``, the others ``hs[:-1]`` (speed: no ``(T, N, H)`` copy is built)."""
    G, T, N, H = das.shape
    dw = np.matmul(das[:, 0].transpose(0, 2, 1), h0)
    if T > 1:
        dw += np.matmul(das[:, 1:].reshape(G, -1, H).transpose(0, 2, 1), hs[:-1].reshape(-1, H))
    return dw.reshape(G * H, H)


def _input_grads(das, x, w_x):
    """``dw_x = sum da_t^T x_t``, ``db = sum da_t`` and ``dx_t = sum over blocks
    of da_t w_x``, from ``das (G, T, N, H)`` and ``x (T, N, D)``."""
    G, T, N, H = das.shape
    da = das.reshape(G, T * N, H)  # a view: each block is contiguous
    x2 = x.reshape(T * N, -1)
    dw_x = np.matmul(da.transpose(0, 2, 1), x2).reshape(G * H, -1)
    db = da.sum(axis=1).reshape(G * H)
    dx = da[0] @ w_x[:H]
    for k in range(1, G):
        dx += da[k] @ w_x[k * H : (k + 1) * H]
    return dw_x, db, dx.reshape(T, N, -1)


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
    f_, _ = _IN_PLACE[f]  # speed: the same activation, in place
    T, N = x.shape[:2]
    (h,) = state0
    # speed: the input part of every step in one product; hs[t] starts as
    # w_x x_t + b_h and becomes h_t in place during step t
    hs = _input_part(x, p["w_x"], p["b_h"], 1)[0]  # (T, N, H)
    w_hT = p["w_h"].T
    hw = np.empty(hs.shape[1:], dtype=hs.dtype)  # speed: reused buffer for h @ w_h.T
    for t in range(T):
        a = hs[t]
        a += np.dot(h, w_hT, out=hw)  # pre-activation w_x x_t + b_h + w_h h_{t-1}
        h = f_(a)  # h_t = f(a), written over a
    return hs, (h.copy(),), (x, state0[0], hs, p, activation)


def rnn_backward(dhs, dstate, cache):
    """Backpropagate through ``rnn_forward``.

    ``dhs (T, N, H)`` is the loss gradient reaching each ``h_t`` from outside the
    recurrence (the output layer or the layer above); ``dstate = (dh_T,)`` is the
    gradient at the final state (zero unless the state is used later).
    Returns ``dx (T, N, D)``, ``(dh0,)``, the parameter gradients, and
    ``dh_total (T, N, H)``: the full gradient of the loss at every ``h_t``.
    """
    x, h0, hs, p, activation = cache
    f, _ = get_activation(activation)
    T, N, H = hs.shape
    w_h = p["w_h"]
    # speed: f'(a_t) does not depend on the incoming gradient, so it is computed
    # for all steps at once; during step t, das[t] is multiplied in place into
    # da_t = dh_t * f'(a_t), the gradient at the pre-activation
    das = _IN_PLACE[f][1](hs, np.empty_like(hs))  # (T, N, H)
    dh_total = np.empty_like(hs)
    dh_prev = np.empty((N, H), dtype=hs.dtype)  # speed: reused buffer
    (dh,) = dstate
    for t in range(T - 1, -1, -1):
        dh = np.add(dh, dhs[t], out=dh_total[t])  # from the output at t and from step t+1
        das[t] *= dh
        dh = np.dot(das[t], w_h, out=dh_prev)  # gradient at h_{t-1}
    dw_x, db, dx = _input_grads(das[None], x, p["w_x"])
    grads = {"w_x": dw_x, "w_h": _w_h_grad(das[None], h0, hs), "b_h": db}
    return dx, (dh,), grads, dh_total


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
    """Run the GRU over ``x (T, N, D)``; returns ``hs (T, N, H)``, ``(h_T,)``, cache.

    The cache keeps the gate values as ``gates (3, T, N, H)``: ``r, z, n = gates``.
    """
    T = x.shape[0]
    (h,) = state0
    N, H = h.shape
    # speed: sigmoid(a) = 1 / (1 + exp(-a)); the minus sign is put into the r
    # and z rows of (copies of) the weights once, instead of into a at every step
    sign = np.ones(3 * H, dtype=p["w_h"].dtype)
    sign[: 2 * H] = -1
    # speed: the input part of every gate at every step, before the loop. The
    # gates are kept block by block, (3, T, N, H), so each gate at each step is
    # one contiguous (N, H) array (NumPy works fastest on those). During step
    # t, gates[:, t] is turned in place into the gate values r, z, n.
    gates = _input_part(x, p["w_x"] * sign[:, None], p["b_h"] * sign, 3)
    # (3, H, H): the three blocks of w_h, each transposed, for h @ w.T per gate
    w_hT = (p["w_h"] * sign[:, None]).reshape(3, H, H).transpose(0, 2, 1).copy()
    b_hn = p.get("b_hn")
    dtype = gates.dtype
    hs = np.empty((T, N, H), dtype=dtype)
    hns = np.empty_like(hs)  # what the reset gate multiplies, for the backward pass
    hw = np.empty((3, N, H), dtype=dtype)  # speed: reused buffers
    tmp = np.empty((N, H), dtype=dtype)
    with np.errstate(over="ignore"):  # see _sigmoid_of_negated_
        for t in range(T):
            rz = gates[:2, t]  # r and z together
            r, z, n = gates[:, t]
            if variant == "pytorch":
                np.matmul(h, w_hT, out=hw)  # h @ w.T for all three blocks in one call
                rz += hw[:2]  # minus the pre-activations of r and z
                _sigmoid_of_negated_(rz)
                hn = np.add(hw[2], b_hn, out=hns[t])  # w_hn h + b_hn
                n += np.multiply(r, hn, out=tmp)  # reset applied after the product
            else:
                rz += np.matmul(h, w_hT[:2], out=hw[:2])
                _sigmoid_of_negated_(rz)
                hn = np.multiply(r, h, out=hns[t])  # reset applied before the product
                n += np.dot(hn, w_hT[2], out=tmp)
            np.tanh(n, out=n)
            h_new = np.subtract(h, n, out=hs[t])  # h_t = n + z (h_{t-1} - n), in place:
            h_new *= z
            h_new += n
            h = h_new
    return hs, (h.copy(),), (x, state0[0], hs, gates, hns, p, variant)


def gru_backward(dhs, dstate, cache):
    """Backpropagate through ``gru_forward``; same contract as ``rnn_backward``."""
    x, h0, hs, gates, hns, p, variant = cache
    T, N, H = hs.shape
    r, z, n = gates  # each (T, N, H)
    # speed: the local derivatives (how much each pre-activation moves per unit
    # of gradient at h_t) do not depend on that gradient, so they are computed
    # for all steps at once, into das; during step t, das[:, t] is multiplied
    # in place by the gradient dh_t to give the pre-activation gradients.
    das = np.empty_like(gates)  # (3, T, N, H)
    da_r, da_z, da_n = das
    _sigmoid_grad_into(gates[:2], das[:2])  # r (1 - r) and z (1 - z)
    dh_total = np.empty_like(hs)  # filled in the loop; scratch space until then
    scratch = dh_total
    # z:  h_t = n + z (h_{t-1} - n)  gives  da_z = dh * (h_{t-1} - n) z (1 - z)
    scratch[0], scratch[1:] = h0, hs[:-1]  # h_{t-1} for every t
    scratch -= n
    da_z *= scratch
    # n:  da_n = dh * k_n with k_n = (1 - z)(1 - n^2); the original variant keeps
    # k_n in the n block, the PyTorch variant needs that block for hn (below)
    k_n = _tanh_grad_into(n, np.empty_like(hs) if variant == "pytorch" else da_n)
    k_n *= np.subtract(1, z, out=scratch)
    dh_prev = np.empty((N, H), dtype=hs.dtype)  # speed: reused buffers
    tmp = np.empty((N, H), dtype=hs.dtype)
    (dh,) = dstate
    if variant == "pytorch":
        # r multiplies hn = w_hn h + b_hn:  da_r = da_n * hn * r (1 - r)
        # (da_r holds r (1 - r) already); the gradient at hn is da_n * r, which
        # sits in the n block during the loop
        da_r *= hns
        da_r *= k_n
        np.multiply(k_n, r, out=da_n)
        w_h = p["w_h"]
        for t in range(T - 1, -1, -1):
            dh = np.add(dh, dhs[t], out=dh_total[t])
            da = das[:, t]  # (3, N, H)
            da *= dh  # gradients at r, z and hn, all three at once
            # through all three hidden products: the blocks side by side again,
            # (N, 3H), for one product with w_h
            np.dot(da.transpose(1, 0, 2).reshape(N, 3 * H), w_h, out=dh_prev)
            dh_prev += np.multiply(dh, z[t], out=tmp)  # and directly, through z h_{t-1}
            dh = dh_prev
        grads = {"w_h": _w_h_grad(das, h0, hs), "b_hn": da_n.sum(axis=(0, 1))}
        # the n block now becomes the gradient at n's input part, da_n = dh * k_n
        np.multiply(dh_total, k_n, out=da_n)
    else:
        # r multiplies h before the product:  da_r = (da_n @ w_hn) * h_{t-1} * r (1 - r)
        da_r[0] *= h0
        da_r[1:] *= hs[:-1]
        w_rz, w_n = p["w_h"][: 2 * H], p["w_h"][2 * H :]
        d_rh = np.empty((N, H), dtype=hs.dtype)
        for t in range(T - 1, -1, -1):
            dh = np.add(dh, dhs[t], out=dh_total[t])
            das[1:, t] *= dh  # da_z and da_n
            np.dot(das[2, t], w_n, out=d_rh)  # gradient at r * h_{t-1}
            das[0, t] *= d_rh  # da_r
            np.dot(das[:2, t].transpose(1, 0, 2).reshape(N, 2 * H), w_rz, out=dh_prev)
            dh_prev += np.multiply(dh, z[t], out=tmp)
            dh_prev += np.multiply(d_rh, r[t], out=tmp)
            dh = dh_prev
        grads = {"w_h": np.concatenate([  # n's hidden weights multiply r * h_{t-1}
            _w_h_grad(das[:2], h0, hs), da_n.reshape(T * N, H).T @ hns.reshape(T * N, H)])}
    grads["w_x"], grads["b_h"], dx = _input_grads(das, x, p["w_x"])
    grads = {k: grads[k] for k in p}  # same key order as the parameters
    return dx, (dh,), grads, dh_total


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

    Returns ``hs (T, N, H)``, ``(h_T, c_T)`` and a cache holding the gates
    (``i, f, g, o = gates``, each ``(T, N, H)``) and cell states of every step.
    """
    T = x.shape[0]
    h, c = state0
    N, H = h.shape
    # speed: sigmoid(a) = 1 / (1 + exp(-a)); the minus sign is put into the i,
    # f and o rows of (copies of) the weights once, instead of into a at every step
    sign = np.ones(4 * H, dtype=p["w_h"].dtype)
    sign[: 2 * H] = sign[3 * H :] = -1
    # speed: the input part of all gates at every step, before the loop, kept
    # block by block, (4, T, N, H), so each gate at each step is one contiguous
    # (N, H) array. During step t, gates[:, t] becomes the gate values i, f, g, o.
    gates = _input_part(x, p["w_x"] * sign[:, None], p["b_h"] * sign, 4)
    # (4, H, H): the four blocks of w_h, each transposed, for h @ w.T per gate
    w_hT = (p["w_h"] * sign[:, None]).reshape(4, H, H).transpose(0, 2, 1).copy()
    hs = np.empty((T, N, H), dtype=gates.dtype)
    cs = np.empty_like(hs)
    tcs = np.empty_like(hs)  # tanh(c_t), kept for the backward pass
    hw = np.empty((4, N, H), dtype=gates.dtype)  # speed: reused buffers
    ig = np.empty((N, H), dtype=gates.dtype)
    with np.errstate(over="ignore"):  # see _sigmoid_of_negated_
        for t in range(T):
            a = gates[:, t]  # (4, N, H)
            a += np.matmul(h, w_hT, out=hw)  # h @ w.T for all four blocks in one call
            i, f, g, o = a
            _sigmoid_of_negated_(a[:2])  # i and f
            _sigmoid_of_negated_(o)
            np.tanh(g, out=g)
            c = np.multiply(f, c, out=cs[t])  # c_t = f c_{t-1} + i g, in place:
            c += np.multiply(i, g, out=ig)
            h = np.multiply(o, np.tanh(c, out=tcs[t]), out=hs[t])  # h_t = o tanh(c_t)
    # (tcs is last so that the cache's other positions stay as gate_trace expects)
    return hs, (h.copy(), c.copy()), (x, state0, hs, cs, gates, p, tcs)


def lstm_backward(dhs, dstate, cache):
    """Backpropagate through ``lstm_forward``; ``dstate = (dh_T, dc_T)``.

    Returns ``dx``, ``(dh0, dc0)``, grads and ``dh_total (T, N, H)``.
    """
    x, (h0, c0), hs, cs, gates, p, tcs = cache
    T, N, H = hs.shape
    dh, dc = dstate
    w_h = p["w_h"]
    i, f, g, o = gates  # each (T, N, H)
    # speed: the local derivatives of the four pre-activations do not depend on
    # the incoming gradients, so they are computed for all steps at once, into
    # das. With dc the gradient at c_t:  da_i = dc * g i(1-i),
    # da_f = dc * c_{t-1} f(1-f),  da_g = dc * i (1-g^2),  da_o = dh * tanh(c_t) o(1-o).
    # During step t, das[:, t] is multiplied in place by dc and dh.
    das = np.empty_like(gates)  # (4, T, N, H)
    da_i, da_f, da_g, da_o = das
    _sigmoid_grad_into(gates, das)  # s (1 - s) for all four; g's block is redone
    da_i *= g
    da_f[0] *= c0
    da_f[1:] *= cs[:-1]
    _tanh_grad_into(g, da_g)
    da_g *= i
    da_o *= tcs
    k_c = _tanh_grad_into(tcs, np.empty_like(hs))  # h = o tanh(c) passes dh * o (1 - tanh(c)^2) to c
    k_c *= o
    dh_total = np.empty_like(hs)
    dc = np.array(dc, dtype=hs.dtype)  # a copy: updated in place below
    dh_prev = np.empty((N, H), dtype=hs.dtype)  # speed: reused buffers
    tmp = np.empty((N, H), dtype=hs.dtype)
    for t in range(T - 1, -1, -1):
        dh = np.add(dh, dhs[t], out=dh_total[t])
        dc += np.multiply(dh, k_c[t], out=tmp)  # full gradient at c_t
        da = das[:, t]  # (4, N, H)
        da[:3] *= dc  # da_i, da_f, da_g at once
        da[3] *= dh  # da_o
        # gradient at h_{t-1}: the blocks side by side again, (N, 4H), for one product
        dh = np.dot(da.transpose(1, 0, 2).reshape(N, 4 * H), w_h, out=dh_prev)
        dc *= f[t]  # gradient at c_{t-1}, through c_t = f c_{t-1} + i g
    dw_x, db, dx = _input_grads(das, x, p["w_x"])
    grads = {"w_x": dw_x, "w_h": _w_h_grad(das, h0, hs), "b_h": db}
    return dx, (dh, dc), grads, dh_total


def gate_trace(cell, cache):
    """Per-step internals for the state inspector: a dict of ``(T, N, H)`` arrays.

    RNN: ``h``; GRU: ``h, r, z, n``; LSTM: ``h, c, i, f, g, o``.
    """
    if cell == "rnn":
        return {"h": cache[2]}
    if cell == "gru":
        hs, (r, z, n) = cache[2], cache[3]
        return {"h": hs, "r": r, "z": z, "n": n}
    hs, cs, gates = cache[2], cache[3], cache[4]
    return {"h": hs, "c": cs, **dict(zip("ifgo", gates))}
