"""Exercises on the simple RNN cell: one forward step and its backward pass.

``rnn_step`` asks for ``h_t = tanh(x_t @ w_x.T + h_prev @ w_h.T + b_h)`` on a
batch with one sequence per row; ``rnn_step_backward`` for the five gradients
of that step. The references are :func:`rnnlab.cells.rnn_step_forward` and
:func:`rnnlab.cells.rnn_step_backward`.
"""
from __future__ import annotations

import numpy as np

from .. import cells
from ..activations import relu, sigmoid
from ._base import _ROWS_ADVICE, Exercise, _evaluate, _gradients, _one_array, _seeded_cases
from ._feedback import _Output


def rnn_step_forward_reference(x_t, h_prev, w_x, w_h, b_h):
    """rnnlab's tanh RNN step with the signature of exercise 1's ``rnn_step_forward``: ``h_t``."""
    return cells.rnn_step_forward(x_t, h_prev, w_x, w_h, b_h)[0]


def rnn_step_backward_reference(dh_t, x_t, h_prev, h_t, w_x, w_h):
    """rnnlab's tanh RNN step backward with the signature of exercise 1's ``rnn_step_backward``:
    ``dx_t, dh_prev, dw_x, dw_h, db_h``."""
    dx, dh_prev, g = cells.rnn_step_backward(dh_t, cells.RNNStepCache(
        x_t=x_t, h_prev=h_prev, h_t=h_t, w_x=w_x, w_h=w_h, activation="tanh"))
    return dx, dh_prev, g["w_x"], g["w_h"], g["b_h"]


# ---------------------------------------------------------------------------
# one forward step
# ---------------------------------------------------------------------------

class _RnnStep(Exercise):
    name = "rnn_step"
    function = "rnn_step_forward"
    task = "write one forward step of the simple RNN, h_t = tanh(w_x x_t + w_h h_prev + b_h)."
    outputs = [_Output("h_t", "h_t", ("N", "H"))]
    arg_shapes = (("x_t", ("N", "D")), ("h_prev", ("N", "H")), ("w_x", ("H", "D")),
                  ("w_h", ("H", "H")), ("b_h", ("H",)))
    transposed_advice = _ROWS_ADVICE
    hints = (
        "The batch holds one sequence per row: x_t is (N, D), h_prev is (N, H). The tutorial's "
        "w_x x_t acts on a column vector; for rows, the same product is x_t @ w_x.T.",
        "Build the pre-activation a = x_t @ w_x.T + h_prev @ w_h.T + b_h, shape (N, H): b_h (H,) "
        "broadcasts over the rows. Then squash it with np.tanh.",
        "Two lines: a = x_t @ w_x.T + h_prev @ w_h.T + b_h, then return np.tanh(a).",
    )
    _template = '''import numpy as np


def rnn_step_forward(x_t, h_prev, w_x, w_h, b_h):
    """One step of a simple RNN with the tanh activation.

    For one sequence, with column vectors as in the tutorial:
        h_t = tanh(w_x x_t + w_h h_prev + b_h)
    Here a batch of N sequences is given at once, one sequence per row.

    Parameters
    ----------
    x_t : array (N, D)      inputs at step t
    h_prev : array (N, H)   hidden state of the step before
    w_x : array (H, D)      input-to-hidden weights
    w_h : array (H, H)      hidden-to-hidden weights
    b_h : array (H,)        recurrent bias

    Returns
    -------
    h_t : array (N, H)      the new hidden state
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def rnn_step_forward(x_t, h_prev, w_x, w_h, b_h):
    # one sequence per row, so the tutorial's w_x x_t becomes x_t @ w_x.T
    a = x_t @ w_x.T + h_prev @ w_h.T + b_h   # (N, H) pre-activation
    return np.tanh(a)
'''

    def _cases(self):
        # the first test has D = H so that a transposed w_x gives numbers, not an error
        return _seeded_cases(100, "NDH", [(3, 4, 4), (2, 3, 5), (1, 1, 2)], lambda r, N, D, H: (
            r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H))),
            r.normal(0, 0.6, (H, D)), r.normal(0, 0.6, (H, H)), r.normal(0, 0.5, H)))

    def _reference(self, case):
        return {"h_t": rnn_step_forward_reference(*case["args"])}

    def _parse(self, result, case):
        return _one_array(result, "h_t")

    def _variants(self, case, ref):
        x, h, w_x, w_h, b = case["args"]
        a = x @ w_x.T + h @ w_h.T + b
        trial = [
            ("w_x_transposed", "looks like w_x is used transposed: write x_t @ w_x.T, since w_x has "
             "shape (H, D) (here D = H, so x_t @ w_x runs but computes something else)",
             lambda: np.tanh(x @ w_x + h @ w_h.T + b)),
            ("w_h_transposed", "looks like w_h is used transposed: write h_prev @ w_h.T (w_h is "
             "square, so h_prev @ w_h runs but computes something else)",
             lambda: np.tanh(x @ w_x.T + h @ w_h + b)),
            ("both_transposed", "looks like w_x and w_h are both used transposed: with one sequence "
             "per row write x_t @ w_x.T + h_prev @ w_h.T", lambda: np.tanh(x @ w_x + h @ w_h + b)),
            ("no_activation", "the activation is missing: h_t equals the pre-activation "
             "x_t @ w_x.T + h_prev @ w_h.T + b_h; apply np.tanh to it", lambda: a),
            ("sigmoid", "wrong activation: h_t looks like sigmoid(a); this RNN uses tanh",
             lambda: sigmoid(a)),
            ("relu", "wrong activation: h_t looks like relu(a); this RNN uses tanh", lambda: relu(a)),
            ("no_bias", "b_h is missing: add it to the pre-activation, inside tanh",
             lambda: np.tanh(a - b)),
            ("bias_outside", "b_h is added after tanh; it belongs inside: tanh(... + b_h)",
             lambda: np.tanh(a - b) + b),
            ("no_recurrence", "the recurrent term h_prev @ w_h.T is missing: h_t must depend on "
             "h_prev", lambda: np.tanh(x @ w_x.T + b)),
        ]
        return _evaluate(trial, "h_t")


# ---------------------------------------------------------------------------
# one backward step
# ---------------------------------------------------------------------------

def _rnn_step_grads(da, x, h_prev, w_x, w_h):
    """The five gradients of one step from the gradient ``da`` at the pre-activation."""
    return {"dx_t": da @ w_x, "dh_prev": da @ w_h, "dw_x": da.T @ x, "dw_h": da.T @ h_prev,
            "db_h": da.sum(axis=0)}


class _RnnStepBackward(Exercise):
    name = "rnn_step_backward"
    function = "rnn_step_backward"
    task = "write the backward pass of one tanh RNN step: dx_t, dh_prev, dw_x, dw_h, db_h."
    _order = ("dx_t", "dh_prev", "dw_x", "dw_h", "db_h")
    outputs = [_Output("dx_t", "dx_t", ("N", "D")), _Output("dh_prev", "dh_prev", ("N", "H")),
               _Output("dw_x", "dw_x", ("H", "D")), _Output("dw_h", "dw_h", ("H", "H")),
               _Output("db_h", "db_h", ("H",))]
    arg_shapes = (("dh_t", ("N", "H")), ("x_t", ("N", "D")), ("h_prev", ("N", "H")),
                  ("h_t", ("N", "H")), ("w_x", ("H", "D")), ("w_h", ("H", "H")))
    transposed_advice = {
        "dw_x": ": a gradient has the shape of its weight, (H, D), so dw_x = da.T @ x_t",
        "dw_h": ": a gradient has the shape of its weight, and dw_h = da.T @ h_prev",
        "dx_t": ": dx_t has the shape of x_t, (N, D): dx_t = da @ w_x",
        "dh_prev": ": dh_prev has the shape of h_prev, (N, H): dh_prev = da @ w_h",
    }
    hints = (
        "Go back through tanh first: with a = x_t @ w_x.T + h_prev @ w_h.T + b_h and h_t = tanh(a), "
        "the gradient at a is da = dh_t * (1 - h_t**2). Every other gradient starts from da.",
        "Each gradient has the shape of what it is the gradient of. a = x_t @ w_x.T + ... gives "
        "dx_t = da @ w_x (N, D) and dw_x = da.T @ x_t (H, D); h_prev and w_h work the same way.",
        "The bias is added to every row of the batch, so its gradient sums over the rows: "
        "db_h = da.sum(axis=0). Return the five arrays in the order dx_t, dh_prev, dw_x, dw_h, db_h.",
    )
    _template = '''import numpy as np


def rnn_step_backward(dh_t, x_t, h_prev, h_t, w_x, w_h):
    """Backward pass of one tanh RNN step.

    The forward step was
        a = x_t @ w_x.T + h_prev @ w_h.T + b_h      (N, H)
        h_t = tanh(a)
    and dh_t is the gradient of the loss with respect to h_t.

    Parameters
    ----------
    dh_t : array (N, H)     dL/dh_t
    x_t : array (N, D)      the step's input
    h_prev : array (N, H)   the state the step read
    h_t : array (N, H)      the state the step produced (tanh(a))
    w_x : array (H, D)      input-to-hidden weights
    w_h : array (H, H)      hidden-to-hidden weights

    Returns
    -------
    dx_t : array (N, D)
    dh_prev : array (N, H)
    dw_x : array (H, D)     summed over the batch
    dw_h : array (H, H)     summed over the batch
    db_h : array (H,)       summed over the batch
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def rnn_step_backward(dh_t, x_t, h_prev, h_t, w_x, w_h):
    da = dh_t * (1 - h_t ** 2)   # back through tanh: tanh'(a) = 1 - tanh(a)**2
    dx_t = da @ w_x              # (N, D)
    dh_prev = da @ w_h           # (N, H)
    dw_x = da.T @ x_t            # (H, D), summed over the batch by the product
    dw_h = da.T @ h_prev         # (H, H)
    db_h = da.sum(axis=0)        # (H,)
    return dx_t, dh_prev, dw_x, dw_h, db_h
'''

    def _cases(self):
        def draw(r, N, D, H):
            x, h_prev = r.standard_normal((N, D)), np.tanh(r.standard_normal((N, H)))
            w_x, w_h, b = r.normal(0, 0.6, (H, D)), r.normal(0, 0.6, (H, H)), r.normal(0, 0.5, H)
            h_t = np.tanh(x @ w_x.T + h_prev @ w_h.T + b)
            return (r.standard_normal((N, H)), x, h_prev, h_t, w_x, w_h)

        return _seeded_cases(200, "NDH", [(3, 4, 4), (2, 3, 5), (1, 2, 1)], draw)

    def _reference(self, case):
        return dict(zip(self._order, rnn_step_backward_reference(*case["args"])))

    def _parse(self, result, case):
        return _gradients(result, self._order)

    def _variants(self, case, ref):
        dh, x, h_prev, h_t, w_x, w_h = case["args"]
        da = dh * (1 - h_t ** 2)
        grads = lambda d: _rnn_step_grads(d, x, h_prev, w_x, w_h)  # noqa: E731
        out = [
            ("no_tanh_derivative", "dh_t must be multiplied by tanh'(a) = 1 - h_t**2 before the matrix "
             "products", grads(dh)),
            ("tanh_twice", "1 - np.tanh(h_t)**2 applies tanh twice: h_t is already tanh(a), so "
             "tanh'(a) = 1 - h_t**2", grads(dh * (1 - np.tanh(h_t) ** 2))),
            ("sigmoid_derivative", "h_t * (1 - h_t) is the sigmoid's derivative; tanh's is 1 - h_t**2",
             grads(dh * h_t * (1 - h_t))),
            ("derivative_at_h_prev", "tanh' must use the output of this step: 1 - h_t**2, not "
             "1 - h_prev**2", grads(dh * (1 - h_prev ** 2))),
            ("dw_h_uses_h_t", "dw_h uses h_t; in the forward pass w_h multiplies h_prev, so "
             "dw_h = da.T @ h_prev", {"dw_h": da.T @ h_t}),
            ("dh_prev_w_h_transposed", "dh_prev uses w_h transposed: the forward pass computed "
             "h_prev @ w_h.T, so dh_prev = da @ w_h", {"dh_prev": da @ w_h.T}),
            ("db_h_not_summed", "db_h must be summed over the batch: da.sum(axis=0)", {"db_h": da}),
            ("db_h_mean", "db_h is averaged over the batch; sum it instead: da.sum(axis=0)",
             {"db_h": da.mean(axis=0)}),
        ]
        if w_x.shape[0] == w_x.shape[1]:
            out.append(("dx_t_w_x_transposed", "dx_t uses w_x transposed: the forward pass computed "
                        "x_t @ w_x.T, so dx_t = da @ w_x", {"dx_t": da @ w_x.T}))
            # with D == H the two have the same shape, so a swapped return runs
            g = grads(da)
            out.append(("dx_dh_prev_swapped", "dx_t and dh_prev are swapped: return them in the order "
                        "dx_t, dh_prev (dx_t = da @ w_x goes with the input, dh_prev = da @ w_h with "
                        "the previous state)", {"dx_t": g["dh_prev"], "dh_prev": g["dx_t"]}))
        return out
