"""The three cells' sequence functions, rearranged for speed (the ``fast=True`` path).

Same functions, same arguments and same results (to rounding) as the textbook
sequence functions of :mod:`rnnlab.cells`, which loop over the step pairs::

    hs, state, cache = rnn_forward(x, (h0,), params, activation="tanh")
    dx, dstate0, grads, dhs_total = rnn_backward(dhs, dstate_T, cache)

Layers run these by default; ``fast=False`` runs the textbook loops instead
(``tests/test_cells.py`` checks that the two paths agree to 1e-12 in float64).
Read :mod:`rnnlab.cells` first: this module does exactly its maths.

At teaching sizes one step's arrays hold only about a thousand numbers, so the
time goes into the ``exp``/``tanh`` of the gates (computed number by number),
into the fixed cost of every NumPy call, and into fresh memory for large
temporary arrays. Hence, each marked ``speed:`` in the code:

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

Shapes and parameter layout as in :mod:`rnnlab.cells`. The caches are named
tuples (:class:`RNNCache`, :class:`GRUCache`, :class:`LSTMCache`) with the
same ``hs``, ``gates`` and ``cs`` fields as the textbook cache, so
:func:`rnnlab.cells.gate_trace` reads either.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import get_activation, relu, sigmoid, tanh


class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs from :func:`rnn_forward`."""

    x: np.ndarray  # (T, N, D) inputs
    h0: np.ndarray  # (N, H) initial state
    hs: np.ndarray  # (T, N, H) h_1 .. h_T
    p: dict  # w_x, w_h, b_h
    activation: str


class GRUCache(NamedTuple):
    """What :func:`gru_backward` needs from :func:`gru_forward`."""

    x: np.ndarray  # (T, N, D)
    h0: np.ndarray  # (N, H)
    hs: np.ndarray  # (T, N, H)
    gates: np.ndarray  # (3, T, N, H): r, z, n = gates
    hns: np.ndarray  # (T, N, H) what the reset gate multiplies (w_hn h + b_hn, or h)
    p: dict
    variant: str


class LSTMCache(NamedTuple):
    """What :func:`lstm_backward` needs from :func:`lstm_forward`."""

    x: np.ndarray  # (T, N, D)
    h0: np.ndarray  # (N, H)
    c0: np.ndarray  # (N, H)
    hs: np.ndarray  # (T, N, H)
    cs: np.ndarray  # (T, N, H) cell states c_1 .. c_T
    gates: np.ndarray  # (4, T, N, H): i, f, g, o = gates
    tcs: np.ndarray  # (T, N, H) tanh(c_t)
    p: dict


# In-place versions of the activations and their derivatives (speed: no new arrays).


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


def rnn_forward(x, state0, p, activation="tanh"):
    """Run the simple RNN over ``x (T, N, D)`` from ``state0 = (h0,)``.

    Returns ``hs (T, N, H)``, the final state ``(h_T,)`` and an :class:`RNNCache`.
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
    return hs, (h.copy(),), RNNCache(x=x, h0=state0[0], hs=hs, p=p, activation=activation)


def rnn_backward(dhs, dstate, cache):
    """Backpropagate through :func:`rnn_forward`: ``dx, (dh0,), grads, dh_total``.

    Arguments and results as :func:`rnnlab.cells.rnn_backward` documents them.
    """
    f, _ = get_activation(cache.activation)
    hs, p = cache.hs, cache.p
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
    dw_x, db, dx = _input_grads(das[None], cache.x, p["w_x"])
    grads = {"w_x": dw_x, "w_h": _w_h_grad(das[None], cache.h0, hs), "b_h": db}
    return dx, (dh,), grads, dh_total


# ---------------------------------------------------------------------------
# GRU (equations in rnnlab.cells.gru_step_forward)
# ---------------------------------------------------------------------------


def gru_forward(x, state0, p, variant="pytorch"):
    """Run the GRU over ``x (T, N, D)``; returns ``hs (T, N, H)``, ``(h_T,)`` and a
    :class:`GRUCache` whose ``gates (3, T, N, H)`` are ``r, z, n = cache.gates``."""
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
    cache = GRUCache(x=x, h0=state0[0], hs=hs, gates=gates, hns=hns, p=p, variant=variant)
    return hs, (h.copy(),), cache


def gru_backward(dhs, dstate, cache):
    """Backpropagate through :func:`gru_forward`; same contract as :func:`rnnlab.cells.rnn_backward`."""
    x, h0, hs, gates, hns, p = cache.x, cache.h0, cache.hs, cache.gates, cache.hns, cache.p
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
    pytorch = cache.variant == "pytorch"
    k_n = _tanh_grad_into(n, np.empty_like(hs) if pytorch else da_n)
    k_n *= np.subtract(1, z, out=scratch)
    dh_prev = np.empty((N, H), dtype=hs.dtype)  # speed: reused buffers
    tmp = np.empty((N, H), dtype=hs.dtype)
    (dh,) = dstate
    if pytorch:
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
# LSTM (equations in rnnlab.cells.lstm_step_forward)
# ---------------------------------------------------------------------------


def lstm_forward(x, state0, p):
    """Run the LSTM over ``x (T, N, D)`` from ``state0 = (h0, c0)``.

    Returns ``hs (T, N, H)``, ``(h_T, c_T)`` and an :class:`LSTMCache` holding the
    gates (``i, f, g, o = cache.gates``, each ``(T, N, H)``) and cell states of every step.
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
    h0, c0 = state0
    cache = LSTMCache(x=x, h0=h0, c0=c0, hs=hs, cs=cs, gates=gates, tcs=tcs, p=p)
    return hs, (h.copy(), c.copy()), cache


def lstm_backward(dhs, dstate, cache):
    """Backpropagate through :func:`lstm_forward`; same contract as
    :func:`rnnlab.cells.lstm_backward` (``dstate = (dh_T, dc_T)``)."""
    hs, cs, gates, tcs = cache.hs, cache.cs, cache.gates, cache.tcs
    T, N, H = hs.shape
    dh, dc = dstate
    w_h = cache.p["w_h"]
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
    da_f[0] *= cache.c0
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
    dw_x, db, dx = _input_grads(das, cache.x, cache.p["w_x"])
    grads = {"w_x": dw_x, "w_h": _w_h_grad(das, cache.h0, hs), "b_h": db}
    return dx, (dh, dc), grads, dh_total
