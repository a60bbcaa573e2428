"""Exercises on the gated cells' backward passes, at the depth of CS231n's LSTM.

``gru_step_backward`` and ``lstm_step_backward``: every gradient of one step,
the learner recomputing the forward step inside; ``lstm_backward``: the
sequence backward pass that carries both ``dh`` and ``dc`` from each step to
the one before. The references are :func:`rnnlab.cells.gru_step_backward` and
:func:`rnnlab.cells.lstm_step_backward` (and a loop over the latter);
:func:`_gru_back`, :func:`_lstm_back` and :func:`_lstm_sequence_back` compute the
same with any one known mistake switched on.

Numbering is rnnlab's (lesson 02): step ``t = 1 .. T`` reads ``x_t`` and
``h_{t-1}, c_{t-1}`` and makes ``h_t, c_t``. In the sequence exercise
``xs[t - 1]`` is ``x_t``, ``dhs[t - 1]`` the gradient reaching ``h_t`` from
outside, and ``hs[t]``, ``cs[t]`` are ``h_t``, ``c_t`` (``hs[0] = h_0``).
"""
from __future__ import annotations

import numpy as np

from .. import cells
from ..activations import sigmoid
from ._base import Exercise, _gradients, _seeded_cases
from ._feedback import _Output
from ._gates import _SIGMOID


def _blocks(a, G):
    """``a (N, G*H)`` -> the G blocks ``(N, H)``."""
    return np.split(a, G, axis=1)


# ---------------------------------------------------------------------------
# GRU: one step backward
# ---------------------------------------------------------------------------

_GRU_BUGS = {
    "no_sigmoid_derivative": "the gates' sigmoid derivative is missing: the gradient at the reset and "
                             "update gates' pre-activations is d(gate) * gate * (1 - gate)",
    "no_tanh_derivative": "the candidate's tanh derivative is missing: the gradient at n's "
                          "pre-activation is dn * (1 - n**2)",
    "dz_sign": "the update gate's gradient has the wrong sign: h_t = (1 - z) * n + z * h_prev gives "
               "dz = dh_t * (h_prev - n), not dh_t * (n - h_prev)",
    "no_direct_path": "dh_prev misses the direct route through the blend: h_t = ... + z * h_prev adds "
                      "dh_t * z to dh_prev, on top of what comes back through the gates",
    "reset_gradient_without_b_hn": "the reset gate multiplies (h_prev @ W_hn.T + b_hn), so its gradient "
                                   "is d(pre-activation of n) * (h_prev @ W_hn.T + b_hn): b_hn is "
                                   "missing from it",
    "n_hidden_without_reset": "the hidden part of the candidate goes through the reset gate: its "
                              "gradient (for W_hn, b_hn and dh_prev) is d(pre-activation of n) * r",
    "blend_swapped": "the gradient of the blend is the wrong way round: h_t = (1 - z) * n + z * h_prev, "
                     "so dn = dh_t * (1 - z) and the direct part of dh_prev is dh_t * z",
}


def _gru_back(dh, x, h, w_x, w_h, b_h, b_hn, bug=None):
    """The six gradients of one GRU step (PyTorch's form), with an optional bug from ``_GRU_BUGS``."""
    a_r, a_z, a_n = _blocks(x @ w_x.T + b_h, 3)
    h_r, h_z, h_n = _blocks(h @ w_h.T, 3)
    r, z = sigmoid(a_r + h_r), sigmoid(a_z + h_z)
    hn = h_n + b_hn                                   # the hidden part of the candidate, before r
    n = np.tanh(a_n + r * hn)
    keep, new = (1 - z, z) if bug == "blend_swapped" else (z, 1 - z)
    dn = dh * new
    dz = dh * ((n - h) if bug == "dz_sign" else (h - n))
    da_n = dn if bug == "no_tanh_derivative" else dn * (1 - n ** 2)
    dr = da_n * (h_n if bug == "reset_gradient_without_b_hn" else hn)
    if bug == "no_sigmoid_derivative":
        da_r, da_z = dr, dz
    else:
        da_r, da_z = dr * r * (1 - r), dz * z * (1 - z)
    da_hn = da_n if bug == "n_hidden_without_reset" else da_n * r
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)          # (N, 3H)
    da_h = np.concatenate([da_r, da_z, da_hn], axis=1)         # (N, 3H)
    dh_prev = da_h @ w_h + (0 if bug == "no_direct_path" else dh * keep)
    return {"dx_t": da_x @ w_x, "dh_prev": dh_prev, "dw_x": da_x.T @ x, "dw_h": da_h.T @ h,
            "db_h": da_x.sum(axis=0), "db_hn": da_hn.sum(axis=0)}


class _GruStepBackward(Exercise):
    name = "gru_step_backward"
    function = "gru_step_backward"
    task = ("write the backward pass of one GRU step (PyTorch's form): dx_t, dh_prev, dw_x, dw_h, db_h "
            "and db_hn.")
    _order = ("dx_t", "dh_prev", "dw_x", "dw_h", "db_h", "db_hn")
    outputs = [_Output("dx_t", "dx_t", ("N", "D")), _Output("dh_prev", "dh_prev", ("N", "H")),
               _Output("dw_x", "dw_x", ("3*H", "D")), _Output("dw_h", "dw_h", ("3*H", "H")),
               _Output("db_h", "db_h", ("3*H",)), _Output("db_hn", "db_hn", ("H",))]
    arg_shapes = (("dh_t", ("N", "H")), ("x_t", ("N", "D")), ("h_prev", ("N", "H")),
                  ("w_x", ("3*H", "D")), ("w_h", ("3*H", "H")), ("b_h", ("3*H",)), ("b_hn", ("H",)))
    transposed_advice = {"dw_x": ": a gradient has the shape of its weight, (3H, D)",
                         "dw_h": ": a gradient has the shape of its weight, (3H, H)"}
    hints = (
        "Recompute the forward step first and keep every piece: r, z, the hidden part of the "
        "candidate hn = h_prev @ W_hn.T + b_hn, and n. Then go back through the last line, "
        "h_t = (1 - z) * n + z * h_prev: dn = dh_t * (1 - z), dz = dh_t * (h_prev - n), and dh_prev "
        "starts as dh_t * z.",
        "Through the squashing functions: da_n = dn * (1 - n**2); dr = da_n * hn, then "
        "da_r = dr * r * (1 - r) and da_z = dz * z * (1 - z). The input side of the three blocks is "
        "da_x = [da_r, da_z, da_n]; the hidden side is [da_r, da_z, da_n * r], because the reset "
        "multiplies the whole hidden part of the candidate, b_hn included.",
        "Each product gives a gradient of the shape of its weight: dw_x = da_x.T @ x_t, "
        "dw_h = da_h.T @ h_prev, db_h = da_x.sum(axis=0), db_hn = (da_n * r).sum(axis=0), "
        "dx_t = da_x @ w_x, and dh_prev gets da_h @ w_h added to the direct part.",
    )
    _template = _SIGMOID + '''def gru_step_backward(dh_t, x_t, h_prev, w_x, w_h, b_h, b_hn):
    """Backward pass of one GRU step, in PyTorch's form
    (exercise 3's forward step).

    The forward step, blocks stacked r, z, n (w_x = [W_xr; W_xz; W_xn], ...):
        r = sigmoid(x_t @ W_xr.T + b_r + h_prev @ W_hr.T)
        z = sigmoid(x_t @ W_xz.T + b_z + h_prev @ W_hz.T)
        n = tanh(x_t @ W_xn.T + b_n + r * (h_prev @ W_hn.T + b_hn))
        h_t = (1 - z) * n + z * h_prev
    dh_t is the gradient of the loss with respect to h_t. Recompute the
    forward step here, then go back through it.

    Parameters
    ----------
    dh_t : array (N, H)
    x_t : array (N, D)
    h_prev : array (N, H)
    w_x : array (3H, D)
    w_h : array (3H, H)
    b_h : array (3H,)
    b_hn : array (H,)

    Returns
    -------
    dx_t : array (N, D)
    dh_prev : array (N, H)
    dw_x : array (3H, D)     summed over the batch
    dw_h : array (3H, H)
    db_h : array (3H,)
    db_hn : array (H,)
    """
    raise NotImplementedError
'''
    _solution = _SIGMOID + '''def gru_step_backward(dh_t, x_t, h_prev, w_x, w_h, b_h, b_hn):
    H = h_prev.shape[1]
    # forward again, keeping the pieces
    a_x = x_t @ w_x.T + b_h                        # (N, 3H)
    a_h = h_prev @ w_h.T                           # (N, 3H)
    r = sigmoid(a_x[:, :H] + a_h[:, :H])
    z = sigmoid(a_x[:, H:2*H] + a_h[:, H:2*H])
    hn = a_h[:, 2*H:] + b_hn                       # hidden part of the candidate
    n = np.tanh(a_x[:, 2*H:] + r * hn)
    # back through h_t = (1 - z) * n + z * h_prev
    dn = dh_t * (1 - z)
    dz = dh_t * (h_prev - n)
    dh_prev = dh_t * z                             # the direct route
    # through the squashing functions
    da_n = dn * (1 - n ** 2)
    da_r = da_n * hn * r * (1 - r)
    da_z = dz * z * (1 - z)
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)          # input side
    da_h = np.concatenate([da_r, da_z, da_n * r], axis=1)      # hidden side: n's part through r
    # through the products
    dh_prev = dh_prev + da_h @ w_h
    return (da_x @ w_x, dh_prev, da_x.T @ x_t, da_h.T @ h_prev, da_x.sum(axis=0),
            (da_n * r).sum(axis=0))
'''

    def _cases(self):
        return _seeded_cases(700, "NDH", [(3, 2, 4), (2, 5, 3), (1, 1, 2)], lambda r, N, D, H: (
            r.standard_normal((N, H)), r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H))),
            r.normal(0, 0.8, (3 * H, D)), r.normal(0, 0.8, (3 * H, H)), r.normal(0, 0.5, 3 * H),
            r.normal(0, 0.5, H)))

    def _reference(self, case):
        dh, x, h, w_x, w_h, b_h, b_hn = case["args"]
        _, cache = cells.gru_step_forward(x, h, {"w_x": w_x, "w_h": w_h, "b_h": b_h, "b_hn": b_hn})
        dx, dh_prev, g = cells.gru_step_backward(dh, cache)
        return {"dx_t": dx, "dh_prev": dh_prev, "dw_x": g["w_x"], "dw_h": g["w_h"], "db_h": g["b_h"],
                "db_hn": g["b_hn"]}

    def _parse(self, result, case):
        return _gradients(result, self._order)

    def _variants(self, case, ref):
        return [(bug, msg, _gru_back(*case["args"], bug=bug)) for bug, msg in _GRU_BUGS.items()]


# ---------------------------------------------------------------------------
# LSTM: one step backward
# ---------------------------------------------------------------------------

_LSTM_BUGS = {
    "h_path_missing": "the cell's gradient misses the route through h_t = o * tanh(c_t): the cell "
                      "gets dc_t + dh_t * o * (1 - tanh(c_t)**2), not dc_t alone",
    "upstream_dc_ignored": "dc_t, the gradient coming back along the cell from the next step, is not "
                           "added: the cell gets dc_t + dh_t * o * (1 - tanh(c_t)**2)",
    "tanh_derivative_of_c": "the derivative of tanh(c_t) is 1 - tanh(c_t)**2, not 1 - c_t**2",
    "output_gate_old_cell": "h_t = o * tanh(c_t) uses the new cell, so do = dh_t * tanh(c_t), not "
                            "tanh(c_prev)",
    "no_sigmoid_derivative": "the gates' sigmoid derivative is missing: the gradient at i's, f's and "
                             "o's pre-activations is d(gate) * gate * (1 - gate)",
    "candidate_sigmoid_derivative": "the candidate g is a tanh: its pre-activation gets "
                                    "dg * (1 - g**2), not the sigmoid's dg * g * (1 - g)",
    "dc_prev_no_forget": "c_t = f * c_prev + i * g passes dc * f back to c_prev: the forget gate is "
                         "missing from dc_prev",
}


def _lstm_back(dh, dc_t, x, h, c, w_x, w_h, b_h, bug=None):
    """The six gradients of one LSTM step, with an optional bug from ``_LSTM_BUGS``."""
    a_i, a_f, a_g, a_o = _blocks(x @ w_x.T + h @ w_h.T + b_h, 4)
    i, f, o, g = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o), np.tanh(a_g)
    c_t = f * c + i * g
    tc = np.tanh(c_t)
    through_h = dh * o * ((1 - c_t ** 2) if bug == "tanh_derivative_of_c" else (1 - tc ** 2))
    dc = {"h_path_missing": dc_t, "upstream_dc_ignored": through_h}.get(bug, dc_t + through_h)
    do = dh * (np.tanh(c) if bug == "output_gate_old_cell" else tc)
    di, df, dg = dc * g, dc * c, dc * i
    if bug == "no_sigmoid_derivative":
        da_i, da_f, da_o = di, df, do
    else:
        da_i, da_f, da_o = di * i * (1 - i), df * f * (1 - f), do * o * (1 - o)
    da_g = dg * g * (1 - g) if bug == "candidate_sigmoid_derivative" else dg * (1 - g ** 2)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)      # (N, 4H), PyTorch's order
    return {"dx_t": da @ w_x, "dh_prev": da @ w_h, "dc_prev": dc if bug == "dc_prev_no_forget" else dc * f,
            "dw_x": da.T @ x, "dw_h": da.T @ h, "db_h": da.sum(axis=0)}


def lstm_step_backward_reference(dh_t, dc_t, x_t, h_prev, c_prev, w_x, w_h, b_h):
    """rnnlab's LSTM step backward with the exercise's signature (the reference of ``lstm_step_backward``,
    and what ``lstm_backward`` is given in the check)."""
    _, _, cache = cells.lstm_step_forward(x_t, h_prev, c_prev, {"w_x": w_x, "w_h": w_h, "b_h": b_h})
    dx, dh_prev, dc_prev, g = cells.lstm_step_backward(dh_t, dc_t, cache)
    return dx, dh_prev, dc_prev, g["w_x"], g["w_h"], g["b_h"]


class _LstmStepBackward(Exercise):
    name = "lstm_step_backward"
    function = "lstm_step_backward"
    task = "write the backward pass of one LSTM step: dx_t, dh_prev, dc_prev, dw_x, dw_h and db_h."
    _order = ("dx_t", "dh_prev", "dc_prev", "dw_x", "dw_h", "db_h")
    outputs = [_Output("dx_t", "dx_t", ("N", "D")), _Output("dh_prev", "dh_prev", ("N", "H")),
               _Output("dc_prev", "dc_prev", ("N", "H")), _Output("dw_x", "dw_x", ("4*H", "D")),
               _Output("dw_h", "dw_h", ("4*H", "H")), _Output("db_h", "db_h", ("4*H",))]
    arg_shapes = (("dh_t", ("N", "H")), ("dc_t", ("N", "H")), ("x_t", ("N", "D")), ("h_prev", ("N", "H")),
                  ("c_prev", ("N", "H")), ("w_x", ("4*H", "D")), ("w_h", ("4*H", "H")), ("b_h", ("4*H",)))
    transposed_advice = {"dw_x": ": a gradient has the shape of its weight, (4H, D)",
                         "dw_h": ": a gradient has the shape of its weight, (4H, H)"}
    hints = (
        "Recompute the forward step first and keep i, f, g, o, c_t and tanh(c_t). The cell state "
        "gets gradient from two places: dc_t, from the next step along the cell, and h_t = "
        "o * tanh(c_t), which adds dh_t * o * (1 - tanh(c_t)**2). Add the two: that is dc.",
        "From c_t = f * c_prev + i * g: di = dc * g, df = dc * c_prev, dg = dc * i and "
        "dc_prev = dc * f. From h_t = o * tanh(c_t): do = dh_t * tanh(c_t). Then through the "
        "squashing functions: sigmoid for i, f, o (x * (1 - x)), tanh for g (1 - g**2).",
        "Stack the four pre-activation gradients in the order i, f, g, o into da (N, 4H). Then "
        "dx_t = da @ w_x, dh_prev = da @ w_h, dw_x = da.T @ x_t, dw_h = da.T @ h_prev and "
        "db_h = da.sum(axis=0).",
    )
    _template = _SIGMOID + '''def lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, w_x, w_h, b_h):
    """Backward pass of one LSTM step (exercise 3's forward step).

    The forward step: the four blocks of
    a = x_t @ w_x.T + h_prev @ w_h.T + b_h, stacked i, f, g, o,
    give i, f, o = sigmoid(...), g = tanh(...), and
        c_t = f * c_prev + i * g
        h_t = o * tanh(c_t)
    dh_t and dc_t are the gradients of the loss with respect to h_t and c_t
    that come from outside this step (from the output and from the next
    step). Recompute the forward step here, then go back through it.

    Parameters
    ----------
    dh_t, dc_t : arrays (N, H)
    x_t : array (N, D)
    h_prev, c_prev : arrays (N, H)
    w_x : array (4H, D)
    w_h : array (4H, H)
    b_h : array (4H,)

    Returns
    -------
    dx_t : array (N, D)
    dh_prev : array (N, H)
    dc_prev : array (N, H)
    dw_x : array (4H, D)     summed over the batch
    dw_h : array (4H, H)
    db_h : array (4H,)
    """
    raise NotImplementedError
'''
    _solution = _SIGMOID + '''def lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, w_x, w_h, b_h):
    H = h_prev.shape[1]
    # forward again, keeping the pieces
    a = x_t @ w_x.T + h_prev @ w_h.T + b_h         # (N, 4H): blocks i, f, g, o
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H])
    g, o = np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
    c_t = f * c_prev + i * g
    tc = np.tanh(c_t)
    # the cell's gradient: along the cell from the next step, plus through h_t = o * tanh(c_t)
    dc = dc_t + dh_t * o * (1 - tc ** 2)
    # back through c_t = f * c_prev + i * g and h_t = o * tanh(c_t), then the squashing functions
    da = np.concatenate([
        dc * g * i * (1 - i),          # input gate
        dc * c_prev * f * (1 - f),     # forget gate
        dc * i * (1 - g ** 2),         # candidate
        dh_t * tc * o * (1 - o),       # output gate
    ], axis=1)                          # (N, 4H)
    return (da @ w_x, da @ w_h, dc * f, da.T @ x_t, da.T @ h_prev, da.sum(axis=0))
'''

    def _cases(self):
        return _seeded_cases(800, "NDH", [(3, 2, 4), (2, 5, 3), (1, 1, 2)], lambda r, N, D, H: (
            r.standard_normal((N, H)), r.standard_normal((N, H)), r.standard_normal((N, D)),
            np.tanh(r.standard_normal((N, H))), r.standard_normal((N, H)), r.normal(0, 0.8, (4 * H, D)),
            r.normal(0, 0.8, (4 * H, H)), r.normal(0, 0.5, 4 * H)))

    def _reference(self, case):
        return dict(zip(self._order, lstm_step_backward_reference(*case["args"])))

    def _parse(self, result, case):
        return _gradients(result, self._order)

    def _variants(self, case, ref):
        out = [(bug, msg, _lstm_back(*case["args"], bug=bug)) for bug, msg in _LSTM_BUGS.items()]
        out.append(("dh_prev_dc_prev_swapped", "dh_prev and dc_prev are swapped: return dx_t, dh_prev, "
                    "dc_prev in that order", {"dh_prev": ref["dc_prev"], "dc_prev": ref["dh_prev"]}))
        return out


# ---------------------------------------------------------------------------
# LSTM: the sequence backward pass, carrying dh and dc
# ---------------------------------------------------------------------------

_SEQUENCE_BUGS = {
    "dc_not_carried": "dc is not carried back: the dc_prev that step t returns is the dc_t of step "
                      "t - 1 (the cell's own gradient path, the one that keeps long gradients alive)",
    "dh_not_carried": "dh is not carried back: the dh_prev that step t returns must be added to the "
                      "gradient reaching h_{t-1}",
    "upstream_not_added": "the gradient from outside, dhs[t - 1], is not added at every step: the "
                          "gradient reaching h_t is dhs[t - 1] + the dh_prev that step t + 1 returned "
                          "(only the last step got its dhs)",
    "forwards_in_time": "the loop runs forwards in time: step t needs the gradients that step t + 1 "
                        "returned, so go from t = T down to 1",
    "overwrite": "the weights' gradients are overwritten at every step (=) instead of added up (+=): "
                 "only step 1's share is left; the steps share w_x, w_h and b_h",
    "state_off_by_one": "the step gets the wrong states: step t read h_{t-1} and c_{t-1}, which are "
                        "hs[t - 1] and cs[t - 1] (hs[t] is the state it made): an off-by-one in time",
    "dxs_reversed": "dxs is in reverse time order: the loop runs backwards, so put dx_t at dxs[t - 1] "
                    "(or reverse the list at the end)",
}


def _lstm_sequence_back(dhs, xs, hs, cs, w_x, w_h, b_h, step_backward=lstm_step_backward_reference,
                        bug=None):
    """``dxs, dh0, dc0, dw_x, dw_h, db_h`` of an LSTM over T steps, with an optional bug."""
    T, N, H = dhs.shape
    dxs = np.zeros_like(xs)
    grads = {"dw_x": np.zeros_like(w_x), "dw_h": np.zeros_like(w_h), "db_h": np.zeros_like(b_h)}
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    order = range(1, T + 1) if bug == "forwards_in_time" else range(T, 0, -1)
    for n, t in enumerate(order):
        if bug == "upstream_not_added":
            dh = dhs[t - 1] if t == T else dh_next
        elif bug == "dh_not_carried":
            dh = dhs[t - 1]
        else:
            dh = dhs[t - 1] + dh_next
        dc = np.zeros((N, H)) if bug == "dc_not_carried" else dc_next
        s = t if bug == "state_off_by_one" else t - 1
        dx, dh_next, dc_next, dw_x, dw_h, db_h = step_backward(dh, dc, xs[t - 1], hs[s], cs[s], w_x, w_h, b_h)
        dxs[n if bug == "dxs_reversed" else t - 1] = dx
        for key, value in (("dw_x", dw_x), ("dw_h", dw_h), ("db_h", db_h)):
            grads[key] = value if bug == "overwrite" else grads[key] + value
    return {"dxs": dxs, "dh0": dh_next, "dc0": dc_next, **grads}


class _LstmBackward(Exercise):
    name = "lstm_backward"
    function = "lstm_backward"
    task = ("write the LSTM's backward pass over a whole sequence, carrying dh and dc from each step "
            "to the one before.")
    _order = ("dxs", "dh0", "dc0", "dw_x", "dw_h", "db_h")
    outputs = [_Output("dxs", "dxs", ("T", "N", "D")), _Output("dh0", "dh0", ("N", "H")),
               _Output("dc0", "dc0", ("N", "H")), _Output("dw_x", "dw_x", ("4*H", "D")),
               _Output("dw_h", "dw_h", ("4*H", "H")), _Output("db_h", "db_h", ("4*H",))]
    arg_shapes = (("dhs", ("T", "N", "H")), ("xs", ("T", "N", "D")), ("w_x", ("4*H", "D")),
                  ("w_h", ("4*H", "H")), ("b_h", ("4*H",)))
    hints = (
        "Walk the steps backwards, t = T down to 1, with two carried gradients that start at zero "
        "after the last step: dh_next (reaching h_t from step t + 1) and dc_next (reaching c_t "
        "along the cell).",
        "At step t the gradient reaching h_t is dhs[t - 1] + dh_next: what comes from outside (the "
        "output) plus what came back from step t + 1. The cell's is dc_next. Call "
        "step_backward(dh, dc, xs[t - 1], hs[t - 1], cs[t - 1], w_x, w_h, b_h): step t read the "
        "states h_{t-1}, c_{t-1}, which are hs[t - 1] and cs[t - 1].",
        "Keep the dh_prev and dc_prev it returns as the next dh_next and dc_next, put dx_t at "
        "dxs[t - 1], and add (+=) its weight gradients to the totals. After step 1 the carried "
        "gradients are dh0 and dc0.",
    )
    _template = '''import numpy as np


def lstm_backward(dhs, xs, hs, cs, w_x, w_h, b_h, step_backward):
    """Backward pass of an LSTM over T steps, carrying dh and dc
    from step to step.

    Step t = 1 .. T read x_t, h_{t-1}, c_{t-1} and made h_t, c_t
    (rnnlab's numbering). Python counts from 0: xs[t - 1] is x_t and
    dhs[t - 1] is the gradient that reaches h_t from outside the recurrence
    (from the output at step t); hs and cs hold the states from h_0, c_0 on,
    so hs[t] is h_t. No gradient comes in after step T.

    Parameters
    ----------
    dhs : array (T, N, H)
    xs : array (T, N, D)
    hs, cs : arrays (T + 1, N, H)     h_0 .. h_T and c_0 .. c_T
    w_x : array (4H, D)
    w_h : array (4H, H)
    b_h : array (4H,)
    step_backward : exercise 4's lstm_step_backward (rnnlab's, in the check):
        step_backward(dh_t, dc_t, x_t, h_prev, c_prev, w_x, w_h, b_h)
            -> dx_t, dh_prev, dc_prev, dw_x, dw_h, db_h

    Returns
    -------
    dxs : array (T, N, D)
    dh0, dc0 : arrays (N, H)     the gradients reaching the initial states
    dw_x : array (4H, D)         summed over the steps and the batch
    dw_h : array (4H, H)
    db_h : array (4H,)
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def lstm_backward(dhs, xs, hs, cs, w_x, w_h, b_h, step_backward):
    T, N, H = dhs.shape
    dxs = np.zeros_like(xs)
    dw_x, dw_h, db_h = np.zeros_like(w_x), np.zeros_like(w_h), np.zeros_like(b_h)
    dh_next = np.zeros((N, H))                     # nothing comes in after step T
    dc_next = np.zeros((N, H))
    for t in range(T, 0, -1):                      # step t read h_{t-1}, c_{t-1}, made h_t, c_t
        dh = dhs[t - 1] + dh_next                  # from the output at t, and from step t + 1
        dx, dh_next, dc_next, gx, gh, gb = step_backward(
            dh, dc_next, xs[t - 1], hs[t - 1], cs[t - 1], w_x, w_h, b_h)
        dxs[t - 1] = dx
        dw_x += gx                                 # shared weights: add up every step's share
        dw_h += gh
        db_h += gb
    return dxs, dh_next, dc_next, dw_x, dw_h, db_h
'''

    def _cases(self):
        def draw(r, T, N, D, H):
            w_x, w_h, b_h = r.normal(0, 0.7, (4 * H, D)), r.normal(0, 0.7, (4 * H, H)), r.normal(0, 0.5, 4 * H)
            xs = r.standard_normal((T, N, D))
            hs, cs = [np.tanh(r.standard_normal((N, H)))], [r.standard_normal((N, H))]
            for t in range(1, T + 1):
                h, c, _ = cells.lstm_step_forward(xs[t - 1], hs[-1], cs[-1], {"w_x": w_x, "w_h": w_h, "b_h": b_h})
                hs.append(h)
                cs.append(c)
            return (r.standard_normal((T, N, H)), xs, np.stack(hs), np.stack(cs), w_x, w_h, b_h,
                    lstm_step_backward_reference)

        return _seeded_cases(900, "TNDH", [(4, 2, 3, 3), (3, 1, 2, 2), (5, 3, 2, 4)], draw)

    def _reference(self, case):
        return _lstm_sequence_back(*case["args"][:7])

    def _parse(self, result, case):
        return _gradients(result, self._order)

    def _variants(self, case, ref):
        out = [(bug, msg, _lstm_sequence_back(*case["args"][:7], bug=bug)) for bug, msg in _SEQUENCE_BUGS.items()]
        # never carrying dc usually means never updating it either: then dc0 stays zero too
        vals = dict(_lstm_sequence_back(*case["args"][:7], bug="dc_not_carried"),
                    dc0=np.zeros_like(ref["dc0"]))
        out.append(("dc_not_carried", _SEQUENCE_BUGS["dc_not_carried"], vals))
        return out
