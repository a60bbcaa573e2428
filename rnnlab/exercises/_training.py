"""Exercises on training through time: BPTT by hand, then truncated BPTT.

``scalar_bptt``: the loss and five gradients of the tutorial's scalar RNN over
k steps. ``truncated_bptt``: the gradients of each window of TBPTT(k), the state
carried over but detached. :func:`_scalar_rnn` and :func:`_tbptt` compute them
with any one known mistake switched on.
"""
from __future__ import annotations

import re

import numpy as np

from .. import cells
from ..gradcheck import relative_error
from ._base import Exercise, _as_arrays, _loss_and_grads, _scalars, _seeded_cases
from ._feedback import _diagnose, _join, _Output, _same, _Unusable

# ---------------------------------------------------------------------------
# BPTT by hand for the tutorial's scalar RNN
# ---------------------------------------------------------------------------
# rnnlab's numbering (lesson 02): step t = 1 .. k reads x_t and h_{t-1} and makes
# h_t; in code xs[t - 1] is x_t and hs[t] is h_t, with hs[0] = h_0 = 0. The loss is
# lesson 04's, L = e^2 with e = y - p.

_SCALAR_BUGS = {
    "dw_h_off_by_one": "dw_h is off by one in time: step t must add np.outer(da, hs[t - 1]), the "
                       "state h_{t-1} it read, not hs[t], the state h_t it made",
    "derivative_off_by_one": "tanh' is off by one in time: step t made h_t = tanh(a_t), so its "
                             "derivative is 1 - hs[t]**2, not 1 - hs[t - 1]**2",
    "dw_x_off_by_one": "dw_x is off by one in time: step t must add da * xs[t - 1] (that is x_t); "
                       "your terms pair each step with the input of the step before (at t = 1 an "
                       "index -1 wraps round to the last input in Python)",
    "skip_last_step": "the backward loop leaves out step k, the one that made h_k: an off-by-one in "
                      "time; it must start at t = k: range(k, 0, -1)",
    "skip_first_step": "the backward loop stops before step 1: an off-by-one in time; it must run "
                       "down to t = 1 inclusive: range(k, 0, -1)",
    "extra_step": "the backward loop runs one step too many, down to t = 0 (an off-by-one in time; "
                  "h_0 is the initial state, not a step, and an index -1 wraps round to the last "
                  "element); cover exactly t = k .. 1",
    "forwards_in_time": "the backward loop runs forwards in time (t = 1 .. k): the gradient reaching "
                        "h_{t-1} comes from step t, so the loop must start at the last step and go "
                        "back: range(k, 0, -1)",
    "no_carry": "the gradient is not carried back through time: after step t, dh must become "
                "w_h.T @ da, the gradient reaching h_{t-1}, the state that step read",
    "carry_dropped": "the gradient coming back from step t + 1 is dropped: only step k gets a "
                     "gradient; h_{t-1} receives w_h.T @ da from step t",
    "w_h_not_transposed": "the gradient flowing back to h_{t-1} is w_h.T @ da; w_h @ da uses w_h "
                          "untransposed",
    "no_tanh_derivative": "dh must be multiplied by tanh'(a_t) = 1 - h_t**2 at every step before it "
                          "reaches the weights",
    "overwrite": "the shared weights' gradients are overwritten at every step (=) instead of added "
                 "up (+=): what is left is step 1's share alone, and dw_h is then zero because "
                 "step 1 reads h_0 = 0. Every step uses the same w_x, w_h, b_h, so their "
                 "gradients are sums over the steps (lesson 02)",
    "dw_y_wrong_state": "dw_y uses the wrong state: the output is read from h_k, so "
                        "dw_y = 2 * e * hs[k] (hs[-1]), not hs[k - 1]",
}


def _scalar_rnn(xs, p, w_x, w_h, b_h, w_y, b_y, bug=None):
    """Loss and gradients of the tutorial's scalar RNN over one window, with an optional bug.

    ``h_t = tanh(w_x x_t + w_h h_{t-1} + b_h)`` for ``t = 1 .. k`` from ``h_0 = 0``;
    ``y = w_y . h_k + b_y``; loss ``e^2`` with ``e = y - p``. ``bug`` is a key of
    ``_SCALAR_BUGS`` or None.
    """
    k = len(xs)
    hs = [np.zeros_like(b_h)]  # hs[t] is h_t
    for t in range(1, k + 1):
        hs.append(np.tanh(w_x * xs[t - 1] + w_h @ hs[t - 1] + b_h))
    y = w_y @ hs[k] + b_y
    e = y - p
    dy = 2 * e
    g = {"w_x": np.zeros_like(w_x), "w_h": np.zeros_like(w_h), "b_h": np.zeros_like(b_h),
         "w_y": dy * hs[k - 1 if bug == "dw_y_wrong_state" else k], "b_y": np.asarray(dy)}
    dh = dy * w_y
    steps = {"skip_last_step": range(k - 1, 0, -1), "skip_first_step": range(k, 1, -1),
             "extra_step": range(k, -1, -1), "forwards_in_time": range(1, k + 1)}.get(
                 bug, range(k, 0, -1))
    for t in steps:  # step t reads xs[t - 1] and hs[t - 1], makes hs[t]
        h_out = hs[t - 1] if bug == "derivative_off_by_one" else hs[t]
        da = dh if bug == "no_tanh_derivative" else dh * (1 - h_out ** 2)
        share = {"w_x": da * xs[t - 2 if bug == "dw_x_off_by_one" else t - 1],
                 "w_h": np.outer(da, hs[t if bug == "dw_h_off_by_one" else t - 1]), "b_h": da}
        for name, value in share.items():
            g[name] = value if bug == "overwrite" else g[name] + value
        if bug == "carry_dropped":
            dh = np.zeros_like(dh)
        elif bug == "w_h_not_transposed":
            dh = w_h @ da
        elif bug != "no_carry":
            dh = w_h.T @ da
    return e ** 2, g


_SCALAR_TEMPLATE = '''import numpy as np


def bptt(xs, p, w_x, w_h, b_h, w_y, b_y):
    """Loss and gradients of the tutorial's scalar RNN unfolded
    for k = len(xs) steps.

    The network, in rnnlab's numbering (lesson 02); h_0 is the zero vector:
        h_t = tanh(w_x x_t + w_h h_{t-1} + b_h)     for t = 1 .. k
        y = w_y . h_k + b_y                         (a dot product)
        e = y - p,   loss = e**2                    (lesson 04's loss)
    Python counts from 0: xs[t - 1] is x_t.

    Parameters
    ----------
    xs : array (k,)       the scalar inputs x_1 .. x_k
    p : float             the target for y
    w_x : array (m,)      input-to-hidden weights
    w_h : array (m, m)    hidden-to-hidden weights
    b_h : array (m,)      recurrent bias
    w_y : array (m,)      hidden-to-output weights
    b_y : float           output bias

    Returns
    -------
    loss : float
    grads : dict with keys "w_x", "w_h", "b_h", "w_y", "b_y":
        dloss/d(each), shaped like it
    """
    raise NotImplementedError
'''

_SCALAR_SOLUTION = '''import numpy as np


def bptt(xs, p, w_x, w_h, b_h, w_y, b_y):
    # forward: unfold k = len(xs) steps from h_0 = 0, keeping every state
    k = len(xs)
    hs = [np.zeros_like(b_h)]                # hs[t] is h_t; hs[0] = h_0 = 0
    for t in range(1, k + 1):
        hs.append(np.tanh(w_x * xs[t - 1] + w_h @ hs[t - 1] + b_h))
    y = w_y @ hs[k] + b_y
    e = y - p
    loss = e ** 2

    # backward: from the output down to step 1
    dy = 2 * e                               # dloss/dy
    grads = {"w_x": np.zeros_like(w_x), "w_h": np.zeros_like(w_h), "b_h": np.zeros_like(b_h),
             "w_y": dy * hs[k], "b_y": dy}
    dh = dy * w_y                            # dloss/dh_k
    for t in range(k, 0, -1):                # step t read x_t and h_{t-1}, made h_t
        da = dh * (1 - hs[t] ** 2)           # through tanh
        grads["w_x"] += da * xs[t - 1]
        grads["w_h"] += np.outer(da, hs[t - 1])  # the state the step read
        grads["b_h"] += da
        dh = w_h.T @ da                      # on to h_{t-1}
    return loss, grads
'''


class _ScalarBPTT(Exercise):
    name = "scalar_bptt"
    function = "bptt"
    task = ("backpropagate through time by hand: the loss and all five gradients of the tutorial's "
            "scalar RNN unfolded for k steps.")
    _keys = ("w_x", "w_h", "b_h", "w_y", "b_y")
    outputs = [_Output("loss", "loss", ())] + [
        _Output(k, "d" + k, s) for k, s in zip(_keys, [("m",), ("m", "m"), ("m",), ("m",), ()])]
    arg_shapes = (("xs", ("k",)), ("w_x", ("m",)), ("w_h", ("m", "m")), ("b_h", ("m",)),
                  ("w_y", ("m",)))
    transposed_advice = {"w_h": ": its term for step t is np.outer(da, hs[t - 1]), with da the "
                                "gradient at the step's pre-activation"}
    hints = (
        "Forward first, keeping every state: hs = [h_0, h_1, ..., h_k] with h_0 = 0, so hs[t] is "
        "h_t and xs[t - 1] is x_t. Then y = w_y @ hs[k] + b_y, e = y - p and dloss/dy = 2 * e, "
        "which gives dw_y = 2 * e * hs[k], db_y = 2 * e and the gradient reaching the last state, "
        "dh = 2 * e * w_y.",
        "Then walk the steps backwards, t = k down to 1. Step t read x_t and h_{t-1} and made "
        "h_t = tanh(a_t). Its pre-activation gradient is da = dh * (1 - hs[t]**2); it adds "
        "da * xs[t - 1] to dw_x, np.outer(da, hs[t - 1]) to dw_h and da to db_h.",
        "Before the next (earlier) step, pass the gradient on to the state this step read: "
        "dh = w_h.T @ da. The weights are shared, so their gradients add up over the steps (+=).",
    )
    _template = _SCALAR_TEMPLATE
    _solution = _SCALAR_SOLUTION

    def _cases(self):
        return _seeded_cases(300, "km", [(5, 3), (1, 2), (7, 4)], lambda r, k, m: (
            r.standard_normal(k), float(r.standard_normal()), r.normal(0, 0.8, m),
            r.normal(0, 0.6, (m, m)), r.normal(0, 0.4, m), r.normal(0, 1.0, m),
            float(r.normal(0, 0.5))))

    def _reference(self, case):
        loss, g = _scalar_rnn(*case["args"])
        return {"loss": np.asarray(loss), **{k: np.asarray(v) for k, v in g.items()}}

    def _parse(self, result, case):
        if isinstance(result, dict):
            raise _Unusable("return a tuple (loss, grads): the loss first, then the dict of gradients")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Unusable(f"return a tuple (loss, grads); got {type(result).__name__}")
        loss, grads = result
        return _scalars(_loss_and_grads(loss, grads, self._keys), "b_y")  # b_y is a scalar here

    def _variants(self, case, ref):
        out = []
        for bug, msg in _SCALAR_BUGS.items():
            with np.errstate(all="ignore"):
                _, g = _scalar_rnn(*case["args"], bug=bug)
            out.append((bug, msg, {k: np.asarray(v) for k, v in g.items()}))
        return out

    def _scale_note(self, c):
        text = super()._scale_note(c)
        if np.isclose(c, -1):
            return text + ": the sign is flipped; e = y - p and dloss/dy = 2 * e"
        if np.isclose(c, 0.5):
            return (text + ": the loss is lesson 04's e**2, not 0.5 * e**2, so dloss/dy = 2 * e "
                    "and every gradient is twice yours")
        if np.isclose(c, 2):
            return text + ": the loss is e**2 and dloss/dy = 2 * e; the factor 2 came in twice"
        return text

    def _exception_note(self, run, case):
        k = case["dims"]["k"]
        if isinstance(run.error, IndexError):
            hit = re.search(r"index (-?\d+) is out of (bounds|range)", str(run.error))
            if hit and int(hit.group(1)) in (k, k + 1):
                return (f"index {hit.group(1)} is past the end: an off-by-one in time. The inputs "
                        f"are xs[0] .. xs[k-1] (x_1 .. x_k) and the states hs[0] .. hs[k] "
                        f"(h_0 .. h_k), k = {k}: step t reads xs[t - 1] and hs[t - 1]")
            return ("an index past the end of a list or array is often an off-by-one in time: "
                    "the backward loop runs t = k down to 1, and step t reads xs[t - 1]")
        return super()._exception_note(run, case)


# ---------------------------------------------------------------------------
# truncated BPTT with the state carried over
# ---------------------------------------------------------------------------

_TBPTT_BUGS = {
    "state_reset": "each window starts from a zero state: carry the last hidden state of one window "
                   "into the next (only its gradient is cut, not its value)",
    "not_detached": "the gradient flows back across the window boundary into earlier windows: the "
                    "carried state must be detached, so each window's backward pass stops at its "
                    "first step",
    "dh_leaks": "the gradient dh leaks across the window boundary from one window into the next: "
                "start each window's backward pass with dh = 0 (the carried state is detached)",
    "last_output_only": "only each window's last output carries loss; here every step has a "
                        "target, and the window loss is the mean over all its steps",
    "no_carry_in_window": "inside a window the gradient from step t+1 is not added: at step t, "
                          "dh = (gradient from the output at t) + (dh_prev returned by step t+1)",
    "loss_summed": "the window loss is summed over its outputs; it is their mean, so "
                   "dy = 2 * (y - p) / (number of outputs in the window)",
    "loss_mean_over_sequences": "the window loss is averaged over the sequences but summed over the "
                                "steps (a mean over the wrong axis): it is the mean over both, so "
                                "divide by y.size = (steps in the window) * N, not by N",
    "loss_mean_over_steps": "the window loss is averaged over the steps but summed over the sequences "
                            "(a mean over the wrong axis): it is the mean over both, so divide by "
                            "y.size = (steps in the window) * N, not by the number of steps",
    "overwrite": "inside a window the weights' gradients are overwritten at every step (=) instead "
                 "of added up (+=): only the window's first step is left. The steps share w_x, w_h "
                 "and b_h, so their gradients are sums over the steps",
}


def _tbptt(xs, ys, k, p, bug=None):
    """Per-window gradients of TBPTT(k) on a tanh RNN with a linear output, with an optional bug.

    ``xs (T, N, D)``, ``ys (T, N, 1)``; window loss ``mean((y_t - p_t)^2)`` over its
    steps and sequences. ``bug`` is a key of ``_TBPTT_BUGS`` or None.
    """
    T, N, _ = xs.shape
    h = np.zeros((N, p["w_h"].shape[0]))
    history, windows, leak = [], [], np.zeros_like(h)
    for a in range(0, T, k):
        b = min(a + k, T)
        if bug == "state_reset":
            h = np.zeros_like(h)
        caches, hs = [], []
        for t in range(a, b):
            h, cache = cells.rnn_step_forward(xs[t], h, p["w_x"], p["w_h"], p["b_h"])
            caches.append(cache)
            hs.append(h)
        hs = np.stack(hs)  # (S, N, H)
        y = hs @ p["w_y"].T + p["b_y"]  # (S, N, 1)
        dy = 2 * (y - ys[a:b]) / {"loss_summed": 1, "loss_mean_over_sequences": N,
                                  "loss_mean_over_steps": b - a}.get(bug, y.size)
        if bug == "last_output_only":
            dy[:-1] = 0
            dy *= y.shape[0]  # the mean is then over the last step only
        g = {key: np.zeros_like(v) for key, v in p.items()}
        g["w_y"] = dy.reshape(-1, 1).T @ hs.reshape(-1, hs.shape[2])
        g["b_y"] = dy.reshape(-1, 1).sum(axis=0)
        dhs = dy @ p["w_y"]  # (S, N, H)
        dh = leak if bug == "dh_leaks" else np.zeros_like(h)
        for s in range(b - a - 1, -1, -1):
            dh = dhs[s] + (0 if bug == "no_carry_in_window" else dh)
            _, dh, gs = cells.rnn_step_backward(dh, caches[s])
            for key, v in gs.items():
                g[key] = v if bug == "overwrite" else g[key] + v
        if bug == "not_detached":
            for cache in reversed(history):
                _, dh, gs = cells.rnn_step_backward(dh, cache)
                for key, v in gs.items():
                    g[key] += v
        leak = dh
        history += caches
        windows.append(g)
    return windows


def _tbptt_rnnlab(xs, ys, k, params):
    """The same per-window gradients from :mod:`rnnlab.bptt`, the library's TBPTT."""
    from ..bptt import truncated_windows
    from ..model import SequenceModel

    model = SequenceModel(xs.shape[2], params["w_h"].shape[0], 1, cell="rnn", pattern="many-to-many")
    model.set_params(params)
    x, y, state, steps = model.prepare(xs, ys)
    return [g for _, g, _ in truncated_windows(model, x, y, k, state, steps)]


class _TruncatedBPTT(Exercise):
    name = "truncated_bptt"
    function = "truncated_gradients"
    task = ("write truncated BPTT: windows of k steps, the state carried from window to window "
            "but detached; return each window's gradients.")
    _keys = ("w_x", "w_h", "b_h", "w_y", "b_y")
    _shapes = {"w_x": ("H", "D"), "w_h": ("H", "H"), "b_h": ("H",), "w_y": ("1", "H"), "b_y": ("1",)}
    arg_shapes = (("xs", ("T", "N", "D")), ("ys", ("T", "N", "1")), ("w_x", ("H", "D")),
                  ("w_h", ("H", "H")), ("b_h", ("H",)), ("w_y", ("1", "H")), ("b_y", ("1",)))
    hints = (
        "Windows start at steps 1, k + 1, 2k + 1, ..., that is at array index range(0, T, k); the "
        "last may be shorter. Keep h outside the window loop: it starts as h_0 = zeros((N, H)) "
        "once, and each window's forward pass starts from the h the previous window ended with.",
        "Inside a window: run step_forward over its steps, keeping the caches. The outputs are "
        "y = h @ w_y.T + b_y; the window loss is the mean of (y - p)**2 over its steps and "
        "sequences, so dy = 2 * (y - p) / (number of outputs in the window).",
        "Backward inside the window only: dh starts at zero at the window's last step; at each step "
        "add the output's gradient dy @ w_y to dh, call step_backward(dh, cache), keep its dh_prev "
        "for the step before and add up its gradients. Stop at the window's first step: that is "
        "the detaching.",
    )
    _template = '''import numpy as np


def truncated_gradients(xs, ys, k, params, step_forward, step_backward):
    """Truncated BPTT(k): the gradient of every window, in time order.

    The network: a tanh RNN with a linear output at every step, t = 1 .. T,
        h_t = tanh(x_t @ w_x.T + h_{t-1} @ w_h.T + b_h),  h_0 = 0
        y_t = h_t @ w_y.T + b_y
    Python counts from 0: xs[t - 1] is x_t and ys[t - 1] its target.
    The sequence is cut into windows of k steps (t = 1..k, k+1..2k, ...;
    the last one may be shorter). The hidden state is carried from one
    window into the next, but the gradient is not: each window is
    backpropagated on its own.
    Window loss: the mean of (y_t - target_t)**2 over the window's steps
    and sequences.

    Parameters
    ----------
    xs : array (T, N, D)     inputs
    ys : array (T, N, 1)     targets, one per step
    k : int                  window length
    params : dict            "w_x" (H, D), "w_h" (H, H), "b_h" (H,),
                             "w_y" (1, H), "b_y" (1,)
    step_forward : rnnlab.rnn_step_forward,
        step_forward(x_t, h_prev, w_x, w_h, b_h) -> (h_t, cache)
    step_backward : rnnlab.rnn_step_backward,
        step_backward(dh_t, cache) -> (dx_t, dh_prev, {"w_x", "w_h", "b_h"})

    Returns
    -------
    list of dicts, one per window, each with keys
    "w_x", "w_h", "b_h", "w_y", "b_y":
    the gradient of that window's loss, shaped like params
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def truncated_gradients(xs, ys, k, params, step_forward, step_backward):
    T, N, _ = xs.shape
    w_x, w_h, b_h, w_y, b_y = (params[n] for n in ("w_x", "w_h", "b_h", "w_y", "b_y"))
    h = np.zeros((N, w_h.shape[0]))        # h_0 = 0, once, before the first window
    windows = []
    for start in range(0, T, k):
        stop = min(start + k, T)
        # forward over the window from the carried state
        caches, hs = [], []
        for t in range(start, stop):
            h, cache = step_forward(xs[t], h, w_x, w_h, b_h)
            caches.append(cache)
            hs.append(h)
        hs = np.stack(hs)                   # (S, N, H)
        y = hs @ w_y.T + b_y                # (S, N, 1)
        dy = 2 * (y - ys[start:stop]) / y.size      # gradient of the window's mean loss
        grads = {name: np.zeros_like(v) for name, v in params.items()}
        grads["w_y"] = dy.reshape(-1, 1).T @ hs.reshape(-1, hs.shape[2])
        grads["b_y"] = dy.reshape(-1, 1).sum(axis=0)
        dhs = dy @ w_y                      # (S, N, H): gradient from each step's output
        # backward within the window only: nothing comes in after its last step,
        # and nothing goes out before its first (the carried state is detached)
        dh = np.zeros_like(h)
        for s in range(stop - start - 1, -1, -1):
            _, dh, g = step_backward(dh + dhs[s], caches[s])
            for name, v in g.items():
                grads[name] += v
        windows.append(grads)
    return windows
'''

    def _cases(self):
        def draw(r, T, k, N, D, H):
            params = {"w_x": r.normal(0, 0.8, (H, D)), "w_h": r.normal(0, 0.7, (H, H)),
                      "b_h": r.normal(0, 0.3, H), "w_y": r.normal(0, 1.0, (1, H)),
                      "b_y": r.normal(0, 0.3, 1)}
            return (r.standard_normal((T, N, D)), r.standard_normal((T, N, 1)), k, params,
                    cells.rnn_step_forward, cells.rnn_step_backward)

        return _seeded_cases(600, "TkNDH", [(10, 3, 2, 2, 3), (8, 4, 1, 1, 2), (5, 5, 2, 1, 2)], draw)

    def _reference(self, case):
        xs, ys, k, params = case["args"][:4]
        return {(w, key): v for w, g in enumerate(_tbptt_rnnlab(xs, ys, k, params))
                for key, v in g.items()}

    def _parse(self, result, case):
        if isinstance(result, dict):
            raise _Unusable("return a list with one gradient dict per window; got a single dict")
        if not isinstance(result, (list, tuple)):
            raise _Unusable(f"return a list of gradient dicts, one per window; got {type(result).__name__}")
        got = {}
        for w, g in enumerate(result):
            if not isinstance(g, dict):
                raise _Unusable(f"window {w + 1}: expected a dict of gradients, got {type(g).__name__}")
            for key in self._keys:
                got[w, key] = g.get(key, g.get("d" + key))
        return _as_arrays(got, lambda wk: f"d{wk[1]} in window {wk[0] + 1}")

    def _scale_note(self, c):
        return (f"every wrong gradient is {c:.4g} times the expected one: each window's loss is the "
                "mean of (y - p)**2 over its steps and sequences")

    def _judge(self, got, ref, case):
        xs, ys, k, params = case["args"][:4]
        T = xs.shape[0]
        n_ref = len({w for w, _ in ref})
        n_got = len({w for w, _ in got})
        if n_got != n_ref:
            starts = ", ".join(str(a + 1) for a in range(0, T, k))
            summary = (f"expected {n_ref} window gradients (T = {T}, k = {k}: windows start at "
                       f"steps t = {starts}), got {n_got}.")
            notes = []
            if n_got == T - k + 1:
                notes.append("that is one per sliding window (the tutorial's windowed procedure); truncated "
                             "BPTT cuts the sequence into consecutive windows that do not overlap: "
                             "range(0, T, k)")
            elif 0 < n_got < n_ref and all(_same(got[key], ref[key]) for key in got):
                notes.append(f"your first {n_got} windows are right; the last, shorter window is "
                             "missing: range(0, T, k) covers it")
            return self._fail(summary, notes, mistakes=("window_count",)), None
        outputs = [_Output((w, key), f"d{key} (window {w + 1})", self._shapes[key])
                   for w in range(n_ref) for key in self._keys]
        variants = []
        for bug, msg in _TBPTT_BUGS.items():
            vals = _tbptt(xs, ys, k, params, bug)
            variants.append((bug, msg, {(w, key): v for w, g in enumerate(vals) for key, v in g.items()}))
        d = _diagnose(outputs, got, ref, variants, case["dims"], {}, self._scale_note)
        rows = []  # one row per parameter, over all windows
        for key in self._keys:
            bad = [w + 1 for w in range(n_ref) if any(o.key == (w, key) for o in d.wrong)]
            errs = [relative_error(got[w, key], ref[w, key]) for w in range(n_ref)
                    if got[w, key] is not None and got[w, key].shape == ref[w, key].shape]
            rows.append(("d" + key, str(ref[0, key].shape), f"{max(errs):.1e}" if errs else "—",
                         f"wrong in window {', '.join(map(str, bad))}" if bad else "ok"))
        if not d.wrong:
            return None, rows
        bad = sorted({o.key[0] + 1 for o in d.wrong})
        good = [w + 1 for w in range(n_ref) if w + 1 not in bad]
        def windows(ws, verdict):
            return f"window{'s' if len(ws) > 1 else ''} {_join(map(str, ws))} " \
                   f"{'are' if len(ws) > 1 else 'is'} {verdict}"

        summary = windows(bad, "wrong")
        if d.rel:
            summary += f" (relative errors up to {max(d.rel.values()):.2g})"
        if good:
            summary += "; " + windows(good, "right")
        summary = "; ".join(d.problems[:3] + [summary]) + "."
        return self._fail(summary, d.notes, rows, mistakes=d.ids), rows
