"""Exercises on gated cells: one forward step of a GRU and of an LSTM.

Both follow PyTorch: the GRU in its form ``n = tanh(W_xn x + b_n + r * (W_hn h + b_hn))``
with blocks stacked ``r, z, n``; the LSTM with blocks stacked ``i, f, g, o``.
The references are :func:`rnnlab.cells.gru_step_forward` and
:func:`rnnlab.cells.lstm_step_forward`.
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import cells
from ..activations import sigmoid
from ._base import _ROWS_ADVICE, Exercise, _arrays, _evaluate, _one_array, _seeded_cases
from ._feedback import _Output

# the learner's code starts with its own sigmoid (NumPy has none)
_SIGMOID = '''import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


'''

# ---------------------------------------------------------------------------
# what both share: gate blocks and their order
# ---------------------------------------------------------------------------

def _block(a, j, H):
    """Gate block j of ``a (N, G*H)``: its columns j*H .. (j+1)*H - 1, shape (N, H)."""
    return a[:, j * H:(j + 1) * H]


def _order_note(order, names):
    """Describe reading gate blocks in ``order`` (learner's gate j = block order[j])."""
    moved = [j for j in range(len(order)) if order[j] != j]
    if len(moved) == 2:
        i, j = moved
        return (f"swap_{names[i]}{names[j]}", f"your gates look swapped: {names[j]} and {names[i]} "
                f"(the rows of w_x, w_h and b_h are stacked {', '.join(names)}, PyTorch's order)")
    stacked = [names[order.index(b)] for b in range(len(order))]
    return ("gate_order", f"the gate blocks are read in the wrong order: your numbers match rows "
            f"stacked ({', '.join(stacked)}); rnnlab and PyTorch stack them ({', '.join(names)})")


# ---------------------------------------------------------------------------
# the GRU
# ---------------------------------------------------------------------------

def _gru(x, h, w_x, w_h, b_h, b_hn, order=(0, 1, 2), blend="pytorch", candidate="pytorch",
         gate=sigmoid, cand=np.tanh):
    """A GRU step with optional mistakes (gate order, blend, reset placement, activations)."""
    H = h.shape[1]
    ax, ah = x @ w_x.T + b_h, h @ w_h.T
    r = gate(_block(ax, order[0], H) + _block(ah, order[0], H))
    z = gate(_block(ax, order[1], H) + _block(ah, order[1], H))
    xn, hn = _block(ax, order[2], H), _block(ah, order[2], H)
    w_hn = w_h[order[2] * H:(order[2] + 1) * H]
    pre = {"pytorch": lambda: xn + r * (hn + b_hn),
           "original": lambda: xn + (r * h) @ w_hn.T + b_hn,
           "b_hn_outside": lambda: xn + r * hn + b_hn,
           "no_b_hn": lambda: xn + r * hn,
           "no_reset": lambda: xn + hn + b_hn}[candidate]()
    n = cand(pre)
    if blend == "reset":  # the reset gate used where the update gate belongs
        return (1 - r) * n + r * h
    return (1 - z) * n + z * h if blend == "pytorch" else z * n + (1 - z) * h


class _GruStep(Exercise):
    name = "gru_step"
    function = "gru_step_forward"
    task = "write one forward step of a GRU (PyTorch's form and gate order r, z, n)."
    outputs = [_Output("h_t", "h_t", ("N", "H"))]
    arg_shapes = (("x_t", ("N", "D")), ("h_prev", ("N", "H")), ("w_x", ("3*H", "D")),
                  ("w_h", ("3*H", "H")), ("b_h", ("3*H",)), ("b_hn", ("H",)))
    transposed_advice = _ROWS_ADVICE
    hints = (
        "Compute both projections once: a_x = x_t @ w_x.T + b_h and a_h = h_prev @ w_h.T, each "
        "(N, 3H). Columns 0:H belong to r, H:2H to z, 2H:3H to n.",
        "r = sigmoid(a_x[:, :H] + a_h[:, :H]) and z likewise with the middle block. The candidate "
        "puts the reset gate on the hidden part only, bias included: "
        "n = tanh(a_x[:, 2H:] + r * (a_h[:, 2H:] + b_hn)).",
        "z is the share of the old state that is kept: h_t = (1 - z) * n + z * h_prev.",
    )
    _template = _SIGMOID + '''def gru_step_forward(x_t, h_prev, w_x, w_h, b_h, b_hn):
    """One GRU step, in PyTorch's form.

    For one sequence (column vectors), with gates r (reset),
    z (update), n (candidate):
        r = sigmoid(W_xr x_t + b_r + W_hr h_prev)
        z = sigmoid(W_xz x_t + b_z + W_hz h_prev)
        n = tanh(W_xn x_t + b_n + r * (W_hn h_prev + b_hn))
        h_t = (1 - z) * n + z * h_prev
    The blocks are stacked along the first axis in the order r, z, n:
    w_x = [W_xr; W_xz; W_xn], w_h = [W_hr; W_hz; W_hn], b_h = [b_r; b_z; b_n].

    Parameters
    ----------
    x_t : array (N, D)       inputs, one sequence per row
    h_prev : array (N, H)    previous hidden state
    w_x : array (3H, D)
    w_h : array (3H, H)
    b_h : array (3H,)
    b_hn : array (H,)        bias of the hidden part of the candidate

    Returns
    -------
    h_t : array (N, H)
    """
    raise NotImplementedError
'''
    _solution = _SIGMOID + '''def gru_step_forward(x_t, h_prev, w_x, w_h, b_h, b_hn):
    H = h_prev.shape[1]
    a_x = x_t @ w_x.T + b_h                 # (N, 3H): input part of r, z, n
    a_h = h_prev @ w_h.T                    # (N, 3H): hidden part
    r = sigmoid(a_x[:, :H] + a_h[:, :H])            # reset gate
    z = sigmoid(a_x[:, H:2*H] + a_h[:, H:2*H])      # update gate
    n = np.tanh(a_x[:, 2*H:] + r * (a_h[:, 2*H:] + b_hn))   # candidate
    return (1 - z) * n + z * h_prev         # keep z of the old state
'''

    def _cases(self):
        return _seeded_cases(400, "NDH", [(3, 2, 4), (2, 5, 3), (1, 1, 1)], lambda r, N, D, H: (
            r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H))),
            r.normal(0, 0.8, (3 * H, D)), r.normal(0, 0.8, (3 * H, H)),
            r.normal(0, 0.5, 3 * H), r.normal(0, 0.5, H)))

    def _reference(self, case):
        x, h, w_x, w_h, b_h, b_hn = case["args"]
        p = {"w_x": w_x, "w_h": w_h, "b_h": b_h, "b_hn": b_hn}
        return {"h_t": cells.gru_step_forward(x, h, p, "pytorch")[0]}

    def _parse(self, result, case):
        return _one_array(result, "h_t")

    def _variants(self, case, ref):
        args = case["args"]
        trial = [(*_order_note(o, "rzn"), (lambda o=o: _gru(*args, order=o)))
                 for o in itertools.permutations(range(3)) if o != (0, 1, 2)]
        trial += [
            ("blend_swapped", "the blend is the wrong way round: h_t = (1 - z) * n + z * h_prev, "
             "so z is the share of the old state kept (some texts swap the roles of z and 1 - z; "
             "rnnlab and PyTorch use this one)", lambda: _gru(*args, blend="swapped")),
            ("blend_with_reset", "the blend uses the reset gate r; it is the update gate z that mixes "
             "the old state and the candidate: h_t = (1 - z) * n + z * h_prev (r only acts inside "
             "the candidate)", lambda: _gru(*args, blend="reset")),
            ("reset_before_product", "the reset gate is applied before the product (the original "
             "paper's GRU); this exercise uses PyTorch's form r * (h_prev @ W_hn.T + b_hn)",
             lambda: _gru(*args, candidate="original")),
            ("b_hn_outside_reset", "b_hn must sit inside the reset: r * (h_prev @ W_hn.T + b_hn)",
             lambda: _gru(*args, candidate="b_hn_outside")),
            ("no_b_hn", "b_hn is missing from the candidate: r * (h_prev @ W_hn.T + b_hn)",
             lambda: _gru(*args, candidate="no_b_hn")),
            ("no_reset", "the reset gate r is not used: the candidate is "
             "tanh(W_xn x_t + b_n + r * (W_hn h_prev + b_hn))", lambda: _gru(*args, candidate="no_reset")),
            ("candidate_sigmoid", "the candidate n uses tanh, not sigmoid", lambda: _gru(*args, cand=sigmoid)),
            ("gates_tanh", "the gates r and z use sigmoid (values between 0 and 1), not tanh",
             lambda: _gru(*args, gate=np.tanh)),
        ]
        return _evaluate(trial, "h_t")


# ---------------------------------------------------------------------------
# the LSTM
# ---------------------------------------------------------------------------

def _lstm(x, h, c, w_x, w_h, b_h, order=(0, 1, 2, 3), g_act=np.tanh, squash_cell=True,
          use_i=True, use_f=True, h_from_new_cell=True):
    """An LSTM step with optional mistakes; returns ``(h_t, c_t)``."""
    H = h.shape[1]
    a = x @ w_x.T + h @ w_h.T + b_h
    i, f, o = (sigmoid(_block(a, order[j], H)) for j in (0, 1, 3))
    g = g_act(_block(a, order[2], H))
    c_t = (f if use_f else 1) * c + (i if use_i else 1) * g
    cell = c_t if h_from_new_cell else c
    return o * (np.tanh(cell) if squash_cell else cell), c_t


class _LstmStep(Exercise):
    name = "lstm_step"
    function = "lstm_step_forward"
    task = "write one forward step of an LSTM (gate order i, f, g, o)."
    outputs = [_Output("h_t", "h_t", ("N", "H")), _Output("c_t", "c_t", ("N", "H"))]
    arg_shapes = (("x_t", ("N", "D")), ("h_prev", ("N", "H")), ("c_prev", ("N", "H")),
                  ("w_x", ("4*H", "D")), ("w_h", ("4*H", "H")), ("b_h", ("4*H",)))
    transposed_advice = _ROWS_ADVICE
    hints = (
        "One product gives all four gates: a = x_t @ w_x.T + h_prev @ w_h.T + b_h, shape (N, 4H). "
        "Columns 0:H are i, H:2H f, 2H:3H g, 3H:4H o.",
        "i, f and o are gates: sigmoid. g is the candidate: tanh. The cell forgets some and writes "
        "some: c_t = f * c_prev + i * g.",
        "The output gate exposes the squashed cell: h_t = o * np.tanh(c_t). Return (h_t, c_t).",
    )
    _template = _SIGMOID + '''def lstm_step_forward(x_t, h_prev, c_prev, w_x, w_h, b_h):
    """One LSTM step.

    For one sequence (column vectors), the four blocks of
    a = w_x x_t + w_h h_prev + b_h, stacked in the order i, f, g, o, give
        i = sigmoid(a_i)    input gate
        f = sigmoid(a_f)    forget gate
        g = tanh(a_g)       candidate
        o = sigmoid(a_o)    output gate
        c_t = f * c_prev + i * g
        h_t = o * tanh(c_t)

    Parameters
    ----------
    x_t : array (N, D)       inputs, one sequence per row
    h_prev : array (N, H)    previous hidden state
    c_prev : array (N, H)    previous cell state
    w_x : array (4H, D)
    w_h : array (4H, H)
    b_h : array (4H,)

    Returns
    -------
    h_t : array (N, H)
    c_t : array (N, H)
    """
    raise NotImplementedError
'''
    _solution = _SIGMOID + '''def lstm_step_forward(x_t, h_prev, c_prev, w_x, w_h, b_h):
    H = h_prev.shape[1]
    a = x_t @ w_x.T + h_prev @ w_h.T + b_h   # (N, 4H): blocks i, f, g, o
    i = sigmoid(a[:, :H])            # input gate
    f = sigmoid(a[:, H:2*H])         # forget gate
    g = np.tanh(a[:, 2*H:3*H])       # candidate
    o = sigmoid(a[:, 3*H:])          # output gate
    c_t = f * c_prev + i * g         # forget some, write some
    h_t = o * np.tanh(c_t)           # expose some of the cell
    return h_t, c_t
'''

    def _cases(self):
        return _seeded_cases(500, "NDH", [(3, 2, 4), (2, 5, 3), (1, 1, 1)], lambda r, N, D, H: (
            r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H))),
            r.standard_normal((N, H)), r.normal(0, 0.8, (4 * H, D)),
            r.normal(0, 0.8, (4 * H, H)), r.normal(0, 0.5, 4 * H)))

    def _reference(self, case):
        x, h, c, w_x, w_h, b_h = case["args"]
        h_t, c_t, _ = cells.lstm_step_forward(x, h, c, {"w_x": w_x, "w_h": w_h, "b_h": b_h})
        return {"h_t": h_t, "c_t": c_t}

    def _parse(self, result, case):
        return _arrays(result, ("h_t", "c_t"), "two arrays, (h_t, c_t)")

    def _variants(self, case, ref):
        args = case["args"]
        trial = [(*_order_note(o, "ifgo"), (lambda o=o: _lstm(*args, order=o)))
                 for o in itertools.permutations(range(4)) if o != (0, 1, 2, 3)]
        trial += [
            ("cell_not_squashed", "h_t = o * tanh(c_t): the cell state goes through tanh before "
             "the output gate", lambda: _lstm(*args, squash_cell=False)),
            ("candidate_sigmoid", "the candidate g uses tanh, not sigmoid",
             lambda: _lstm(*args, g_act=sigmoid)),
            ("no_input_gate", "the input gate must scale the candidate: c_t = f * c_prev + i * g",
             lambda: _lstm(*args, use_i=False)),
            ("no_forget_gate", "the forget gate must scale the old cell: c_t = f * c_prev + i * g",
             lambda: _lstm(*args, use_f=False)),
            ("h_from_old_cell", "h_t must use the new cell state: o * tanh(c_t), not tanh(c_prev)",
             lambda: _lstm(*args, h_from_new_cell=False)),
        ]
        out = _evaluate(trial, "h_t", "c_t")
        out.append(("returned_c_h", "you returned (c_t, h_t); return h_t first: (h_t, c_t)",
                    {"h_t": ref["c_t"], "c_t": ref["h_t"]}))
        return out
