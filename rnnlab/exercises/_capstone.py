"""The capstone's own exercises: the pieces that turn exercise 1's RNN step into a
character-level language model and an encoder-decoder.

``softmax_cross_entropy``: the loss of a batch of scores and its gradient.
``char_window``: one window of truncated BPTT for the character model, from the
learner's step functions and loss. ``softmax_temperature``: the sampling
distribution. ``decoder_inputs``: what a decoder reads under teacher forcing.

The references are written here in NumPy; the tests check them against rnnlab's
own model (:class:`rnnlab.SequenceModel` with ``loss="cross-entropy"``).
"""
from __future__ import annotations

import numpy as np

from ._base import Exercise, _arrays, _loss_and_grads, _one_array, _scalars, _seeded_cases
from ._feedback import _Output, _Unusable
from ._rnn_cell import rnn_step_backward_reference, rnn_step_forward_reference


def _softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------------------
# softmax and cross-entropy
# ---------------------------------------------------------------------------

_OVERFLOW_NOTE = ("np.exp overflows for large scores (here they are near 800): subtract each "
                  "row's largest score before exp; the softmax does not change, since a common "
                  "shift cancels in the fraction")


class _SoftmaxCrossEntropy(Exercise):
    name = "softmax_cross_entropy"
    function = "softmax_cross_entropy"
    task = "write the softmax cross-entropy of a batch of scores and its gradient with respect to the scores."
    outputs = [_Output("loss", "loss", ()), _Output("dlogits", "dlogits", ("N", "V"))]
    arg_shapes = (("logits", ("N", "V")), ("targets", ("N",)))
    hints = (
        "Turn each row of scores into probabilities: p = exp(z) / sum(exp(z)) along the last axis, "
        "after subtracting each row's largest score (z = logits - logits.max(axis=1, keepdims=True)) "
        "so that exp cannot overflow.",
        "The loss is the mean over the N rows of -log p[n, targets[n]]: pick each row's entry with "
        "p[np.arange(N), targets].",
        "The gradient of the mean loss with respect to the scores is (p - one_hot(targets)) / N: "
        "copy p, subtract 1 at each row's target, divide by N.",
    )
    _template = '''import numpy as np


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of a batch of scores, and its gradient.

    p = softmax(logits) row by row,
        p[n, c] = exp(logits[n, c]) / sum_c' exp(logits[n, c'])
    loss = mean over n of -log p[n, targets[n]]

    Parameters
    ----------
    logits : array (N, V)     one row of scores per sequence
    targets : int array (N,)  the right class of each row, 0 .. V-1

    Returns
    -------
    loss : float
    dlogits : array (N, V)    dloss/dlogits
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def softmax_cross_entropy(logits, targets):
    N = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)    # a shift that keeps exp finite
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)                  # (N, V) probabilities
    rows = np.arange(N)
    loss = -np.log(p[rows, targets]).mean()
    dlogits = p.copy()
    dlogits[rows, targets] -= 1                        # p - one_hot(targets)
    return loss, dlogits / N
'''

    def _cases(self):
        cases = _seeded_cases(1000, "NV", [(4, 5), (1, 3), (6, 7)],
                              lambda r, N, V: (r.normal(0, 1.5, (N, V)), r.integers(0, V, N)))
        r = np.random.default_rng(1002)   # scores near 800: exp(800) overflows, exp(800 - max) does not
        cases[2]["args"] = (800 + r.normal(0, 3, (6, 7)), r.integers(0, 7, 6))
        return cases

    def _reference(self, case):
        logits, targets = case["args"]
        p = _softmax(logits)
        rows = np.arange(len(targets))
        d = p.copy()
        d[rows, targets] -= 1
        return {"loss": np.asarray(-np.log(p[rows, targets]).mean()),
                "dlogits": d / len(targets)}

    def _parse(self, result, case):
        return _scalars(_arrays(result, ("loss", "dlogits"), "two values, (loss, dlogits)"), "loss")

    def _variants(self, case, ref):
        logits, targets = case["args"]
        N = len(targets)
        p = _softmax(logits)
        onehot = np.eye(logits.shape[1])[targets]
        p0 = _softmax(logits, axis=0)
        return [
            ("summed_over_batch", "the loss is summed over the batch; it is the mean over the N rows, "
             "so divide the loss and the gradient by N", {"loss": ref["loss"] * N, "dlogits": ref["dlogits"] * N}),
            ("gradient_not_averaged", "dlogits is not divided by N: the loss is a mean over the rows, so "
             "each row's gradient is (p - one_hot) / N", {"dlogits": p - onehot}),
            ("no_one_hot", "dlogits is p / N; the target's entry must also lose 1: (p - one_hot(targets)) / N",
             {"dlogits": p / N}),
            ("gradient_sign", "dlogits has the wrong sign: it is (p - one_hot(targets)) / N",
             {"dlogits": (onehot - p) / N}),
            ("softmax_wrong_axis", "the softmax runs down the columns: each row (one sequence's scores) "
             "must sum to 1, so normalise along axis=1",
             {"loss": np.asarray(-np.log(p0[np.arange(N), targets]).mean()),
              "dlogits": (p0 - onehot) / N}),
        ]

    def _judge(self, got, ref, case):
        fb, rows = super()._judge(got, ref, case)
        if fb is not None and any(v is not None and not np.isfinite(v).all() for v in got.values()):
            fb.notes.append(_OVERFLOW_NOTE)
            fb.mistakes = tuple(fb.mistakes) + ("overflow",)
        return fb, rows


# ---------------------------------------------------------------------------
# one window of truncated BPTT for the character model
# ---------------------------------------------------------------------------

def reference_softmax_cross_entropy(logits, targets):
    """The reference of :class:`_SoftmaxCrossEntropy`: ``(loss, dlogits)``."""
    ref = _SoftmaxCrossEntropy()._reference({"args": (logits, targets)})
    return float(ref["loss"]), ref["dlogits"]


_WINDOW_BUGS = {
    "loss_summed_over_steps": "the window's loss is summed over its steps; it is their mean, so each "
                              "step's loss and dlogits are divided by the number of steps S",
    "no_carry_in_window": "inside the window the gradient from step t + 1 is not added: the gradient "
                          "reaching h_t is dlogits_t @ w_y + the dh_prev that step t + 1 returned",
    "output_gradient_not_added": "the gradient from each step's own output is not added (only the last "
                                 "step's): the gradient reaching h_t is dlogits_t @ w_y + the dh_prev "
                                 "that step t + 1 returned",
    "state_reset": "the window starts from a zero state: it must start from h, the state the previous "
                   "window ended with (that is what carries the text's context across windows)",
    "dw_y_wrong_state": "dw_y uses the wrong state: the output at step t is read from h_t, so "
                        "dw_y += dlogits_t.T @ h_t, not h_{t-1}",
    "overwrite": "the gradients are overwritten at every step (=) instead of added up (+=): the steps "
                 "share every weight",
    "wrong_last_state": "the state returned is not the window's last one: return h_S, the state after "
                        "the last step, from which the next window starts",
}


def _char_window(ids_in, ids_out, h0, params, bug=None):
    """Loss, gradients and last state of one TBPTT window of the character model, with an optional bug."""
    S, N = ids_in.shape
    w_x, w_h, b_h, w_y, b_y = (params[k] for k in ("w_x", "w_h", "b_h", "w_y", "b_y"))
    eye = np.eye(w_x.shape[1])
    hs = [np.zeros_like(h0) if bug == "state_reset" else h0]
    xs, dzs, loss = [], [], 0.0
    div = 1 if bug == "loss_summed_over_steps" else S
    for t in range(1, S + 1):
        xs.append(eye[ids_in[t - 1]])
        hs.append(rnn_step_forward_reference(xs[-1], hs[t - 1], w_x, w_h, b_h))
        l, dz = reference_softmax_cross_entropy(hs[t] @ w_y.T + b_y, ids_out[t - 1])
        loss += l / div
        dzs.append(dz / div)
    grads = {k: np.zeros_like(v) for k, v in params.items()}

    def add(name, value):
        grads[name] = value if bug == "overwrite" else grads[name] + value

    dh_next = np.zeros_like(h0)
    for t in range(S, 0, -1):
        add("w_y", dzs[t - 1].T @ hs[t - 1 if bug == "dw_y_wrong_state" else t])
        add("b_y", dzs[t - 1].sum(axis=0))
        from_output = dzs[t - 1] @ w_y
        if bug == "no_carry_in_window":
            dh = from_output
        elif bug == "output_gradient_not_added":
            dh = from_output if t == S else dh_next
        else:
            dh = from_output + dh_next
        _, dh_next, dw_x, dw_h, db_h = rnn_step_backward_reference(dh, xs[t - 1], hs[t - 1], hs[t], w_x, w_h)
        add("w_x", dw_x)
        add("w_h", dw_h)
        add("b_h", db_h)
    return loss, grads, hs[S - 1 if bug == "wrong_last_state" else S]


class _CharWindow(Exercise):
    name = "char_window"
    function = "char_window"
    task = ("write one window of truncated BPTT for a character-level model, from your step functions "
            "and your softmax cross-entropy.")
    _keys = ("w_x", "w_h", "b_h", "w_y", "b_y")
    _shapes = {"w_x": ("H", "V"), "w_h": ("H", "H"), "b_h": ("H",), "w_y": ("V", "H"), "b_y": ("V",)}
    arg_shapes = (("ids_in", ("S", "N")), ("h", ("N", "H")), ("w_x", ("H", "V")), ("w_y", ("V", "H")))
    hints = (
        "Forward over the window's S steps from the state h you are given (not from zeros): at step "
        "t the input is the one-hot row of ids_in[t - 1] (np.eye(V)[ids_in[t - 1]], shape (N, V)), "
        "the state is step_forward(x_t, h_prev, w_x, w_h, b_h), the scores are h_t @ w_y.T + b_y, "
        "and loss_fn(scores, ids_out[t - 1]) gives that step's loss and dlogits.",
        "The window's loss is the mean over its steps: add loss_t / S and keep dlogits_t / S. Keep "
        "every x_t and h_t (with h_0 = h first in the list): the backward pass needs them.",
        "Backward, t = S down to 1: dw_y += dlogits_t.T @ h_t and db_y += dlogits_t.sum(axis=0); the "
        "gradient reaching h_t is dlogits_t @ w_y plus the dh_prev from step t + 1 (zero after the "
        "last step); step_backward(dh, x_t, h_{t-1}, h_t, w_x, w_h) gives the rest. Return the loss, "
        "the gradients and h_S, the state the next window starts from.",
    )
    _template = '''import numpy as np


def char_window(ids_in, ids_out, h, params, step_forward, step_backward,
                loss_fn):
    """One window of truncated BPTT for a character-level RNN.

    Steps t = 1 .. S of the window (rnnlab's numbering): the input x_t is
    the one-hot row of character ids_in[t - 1], the state is
    h_t = step_forward(x_t, h_{t-1}, w_x, w_h, b_h) starting from h_0 = h
    (the state the previous window ended with), the scores are
    z_t = h_t @ w_y.T + b_y, and the target is ids_out[t - 1]. The window's
    loss is the mean over its S steps of loss_fn(z_t, ids_out[t - 1])[0].
    The gradient stops at the window's start: nothing flows into h.

    Parameters
    ----------
    ids_in, ids_out : int arrays (S, N)
    h : array (N, H)
    params : dict       "w_x" (H, V), "w_h" (H, H), "b_h" (H,),
                        "w_y" (V, H), "b_y" (V,)
    step_forward : exercise 1's rnn_step_forward
        (x_t, h_prev, w_x, w_h, b_h) -> h_t
    step_backward : exercise 1's rnn_step_backward
        (dh_t, x_t, h_prev, h_t, w_x, w_h) -> dx_t, dh_prev, dw_x, dw_h, db_h
    loss_fn : softmax_cross_entropy(logits, targets) -> loss, dlogits

    Returns
    -------
    loss : float
    grads : dict with the keys of params, each shaped like it
    h_last : array (N, H)     h_S, the state the next window starts from
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def char_window(ids_in, ids_out, h, params, step_forward, step_backward,
                loss_fn):
    S, N = ids_in.shape
    w_x, w_h, b_h, w_y, b_y = (params[k] for k in ("w_x", "w_h", "b_h", "w_y", "b_y"))
    eye = np.eye(w_x.shape[1])
    xs, hs, dzs, loss = [], [h], [], 0.0          # hs[t] is h_t; hs[0] = h, the carried state
    for t in range(1, S + 1):
        xs.append(eye[ids_in[t - 1]])             # one-hot, (N, V)
        hs.append(step_forward(xs[-1], hs[t - 1], w_x, w_h, b_h))
        l, dz = loss_fn(hs[t] @ w_y.T + b_y, ids_out[t - 1])
        loss += l / S                             # the window's loss: the mean over its steps
        dzs.append(dz / S)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_next = np.zeros_like(h)                    # nothing comes back from after the window
    for t in range(S, 0, -1):
        grads["w_y"] += dzs[t - 1].T @ hs[t]
        grads["b_y"] += dzs[t - 1].sum(axis=0)
        dh = dzs[t - 1] @ w_y + dh_next           # from the output at t and from step t + 1
        _, dh_next, dw_x, dw_h, db_h = step_backward(dh, xs[t - 1], hs[t - 1], hs[t], w_x, w_h)
        grads["w_x"] += dw_x
        grads["w_h"] += dw_h
        grads["b_h"] += db_h
    return loss, grads, hs[S]                     # dh_next at h_0 is dropped: the cut
'''

    def _cases(self):
        def draw(r, S, N, V, H):
            params = {"w_x": r.normal(0, 0.5, (H, V)), "w_h": r.normal(0, 0.5, (H, H)),
                      "b_h": r.normal(0, 0.2, H), "w_y": r.normal(0, 0.5, (V, H)), "b_y": r.normal(0, 0.2, V)}
            return (r.integers(0, V, (S, N)), r.integers(0, V, (S, N)), np.tanh(r.standard_normal((N, H))),
                    params, rnn_step_forward_reference, rnn_step_backward_reference,
                    reference_softmax_cross_entropy)

        return _seeded_cases(1100, "SNVH", [(4, 3, 5, 4), (1, 2, 3, 2), (6, 2, 4, 3)], draw)

    def _reference(self, case):
        ids_in, ids_out, h, params = case["args"][:4]
        loss, grads, h_last = _char_window(ids_in, ids_out, h, params)
        return {"loss": np.asarray(loss), **grads, "h_last": h_last}

    # the outputs, in the order of the table (made once: the judging matches them by identity)
    outputs = ([_Output("loss", "loss", ())] + [_Output(k, "d" + k, s) for k, s in _shapes.items()]
               + [_Output("h_last", "h_last", ("N", "H"))])

    def _parse(self, result, case):
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            n = len(result) if isinstance(result, (tuple, list)) else 1
            raise _Unusable(f"return three values, (loss, grads, h_last); got {n}")
        loss, grads, h_last = result
        return _loss_and_grads(loss, grads, self._keys, h_last=h_last)

    def _variants(self, case, ref):
        out = []
        for bug, msg in _WINDOW_BUGS.items():
            loss, grads, h_last = _char_window(*case["args"][:4], bug=bug)
            out.append((bug, msg, {"loss": np.asarray(loss), **grads, "h_last": h_last}))
        return out


# ---------------------------------------------------------------------------
# sampling: the softmax at a temperature
# ---------------------------------------------------------------------------

class _SoftmaxTemperature(Exercise):
    name = "softmax_temperature"
    function = "softmax_temperature"
    task = "write the sampling distribution: the softmax of the scores divided by a temperature."
    outputs = [_Output("p", "p", ("N", "V"))]
    arg_shapes = (("logits", ("N", "V")),)
    hints = (
        "Divide the scores by the temperature first: z = logits / temperature. A temperature below 1 "
        "makes the differences between scores larger, so the likeliest character gets likelier.",
        "Then the softmax of each row: subtract the row's largest value (z - z.max(axis=1, "
        "keepdims=True)) so that exp cannot overflow, take exp, and divide by the row's sum.",
    )
    _template = '''import numpy as np


def softmax_temperature(logits, temperature):
    """Probabilities for sampling: the softmax of logits / temperature,
    row by row.

    Parameters
    ----------
    logits : array (N, V)
    temperature : float > 0

    Returns
    -------
    p : array (N, V)     every row sums to 1
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def softmax_temperature(logits, temperature):
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)     # keeps exp finite; the softmax is unchanged
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)
'''

    def _cases(self):
        cases = _seeded_cases(1200, "NV", [(3, 5), (1, 4), (2, 6)],
                              lambda r, N, V: (r.normal(0, 2, (N, V)), 0.7))
        cases[1]["args"] = (cases[1]["args"][0], 1.5)
        # scores near 80 at temperature 0.1: exp(800) overflows, exp(800 - max) does not
        cases[2]["args"] = (80 + np.random.default_rng(1202).normal(0, 0.3, (2, 6)), 0.1)
        return cases

    def _reference(self, case):
        logits, temperature = case["args"]
        return {"p": _softmax(logits / temperature)}

    def _parse(self, result, case):
        return _one_array(result, "p")

    def _variants(self, case, ref):
        logits, temperature = case["args"]
        return [
            ("multiplied", "the scores are multiplied by the temperature; divide them: "
             "softmax(logits / temperature)", {"p": _softmax(logits * temperature)}),
            ("no_temperature", "the temperature is not used: softmax(logits / temperature)",
             {"p": _softmax(logits)}),
            ("softmax_wrong_axis", "the softmax runs down the columns: each row must sum to 1 "
             "(axis=1)", {"p": _softmax(logits / temperature, axis=0)}),
        ]

    def _judge(self, got, ref, case):
        fb, rows = super()._judge(got, ref, case)
        if fb is not None and got.get("p") is not None and not np.isfinite(got["p"]).all():
            fb.notes.append(_OVERFLOW_NOTE.replace("near 800", "near 800 after dividing by the "
                                                   "temperature"))
            fb.mistakes = tuple(fb.mistakes) + ("overflow",)
        return fb, rows


# ---------------------------------------------------------------------------
# teacher forcing: the decoder's inputs
# ---------------------------------------------------------------------------

class _DecoderInputs(Exercise):
    name = "decoder_inputs"
    function = "decoder_inputs"
    task = ("write what a decoder reads under teacher forcing: the start symbol, then the target "
            "sequence shifted one step later.")
    outputs = [_Output("inputs", "inputs", ("L", "N"))]
    arg_shapes = (("targets", ("L", "N")),)
    hints = (
        "At step j the decoder must produce targets[j - 1] (rnnlab's numbering, j = 1 .. L). With "
        "teacher forcing it reads the token that should have come just before: the start symbol at "
        "j = 1, and targets[j - 2] after that.",
        "So the result is the targets shifted down by one row, with the start symbol in the first "
        "row and the last target dropped: np.concatenate([np.full((1, N), start), targets[:-1]]).",
    )
    _template = '''import numpy as np


def decoder_inputs(targets, start):
    """What the decoder reads at each step under teacher forcing.

    At step j = 1 .. L the decoder must produce targets[j - 1]. With teacher
    forcing it reads the true token before that one: the start symbol at
    step 1, then targets[j - 2].

    Parameters
    ----------
    targets : int array (L, N)   one target sequence per column
    start : int                  the start symbol's id

    Returns
    -------
    inputs : int array (L, N)
    """
    raise NotImplementedError
'''
    _solution = '''import numpy as np


def decoder_inputs(targets, start):
    first = np.full((1, targets.shape[1]), start, dtype=targets.dtype)
    return np.concatenate([first, targets[:-1]])   # the true previous token at every step
'''

    def _cases(self):
        return _seeded_cases(1300, "LNK", [(5, 3, 8), (1, 2, 4), (4, 1, 10)], lambda r, L, N, K: (
            r.integers(0, K, (L, N)), K))

    def _reference(self, case):
        targets, start = case["args"]
        return {"inputs": np.concatenate([np.full((1, targets.shape[1]), start), targets[:-1]])}

    def _parse(self, result, case):
        return _one_array(result, "inputs")

    def _variants(self, case, ref):
        targets, start = case["args"]
        first = np.full((1, targets.shape[1]), start)
        return [
            ("not_shifted", "the decoder would read the very token it must produce: shift the targets "
             "one step later, so that step j reads targets[j - 2] (and step 1 the start symbol)",
             {"inputs": targets}),
            ("shifted_the_wrong_way", "the targets are shifted the wrong way: step j must read the token "
             "before its own, targets[j - 2], not the one after it",
             {"inputs": np.concatenate([targets[1:], first])}),
            ("first_target_skipped", "after the start symbol, step j reads targets[j - 1], the very token "
             "it must produce (the first target is never read): an off-by-one in time; it must read the "
             "token before its own", {"inputs": np.concatenate([first, targets[1:]])}),
        ]
