"""A partly wrong submission, as a student who got some exercises right might hand it in.

``python3 dev.py assignments`` puts each function's body below into the answer cell of
the same name in the student version; exercises without a function here stay as the
starter code (not attempted). Written by hand, not copied from rnnlab's solutions:
three are right, two carry a slip that rnnlab's checks name, one is not attempted.
"""
import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def rnn_step_forward(x_t, h_prev, w_x, w_h, b_h):
    # right
    return np.tanh(x_t @ w_x.T + h_prev @ w_h.T + b_h)


def rnn_step_backward(dh_t, x_t, h_prev, h_t, w_x, w_h):
    # slip: the bias gradient averaged over the batch instead of summed
    da = dh_t * (1 - h_t ** 2)
    return da @ w_x, da @ w_h, da.T @ x_t, da.T @ h_prev, da.mean(axis=0)


def bptt(xs, p, w_x, w_h, b_h, w_y, b_y):
    # right (rnnlab's numbering: hs[t] is h_t, xs[t - 1] is x_t; lesson 04's loss e**2)
    k, m = len(xs), len(b_h)
    hs = [np.zeros(m)]
    for t in range(1, k + 1):
        hs.append(np.tanh(w_x * xs[t - 1] + w_h @ hs[t - 1] + b_h))
    e = w_y @ hs[k] + b_y - p
    grads = {"w_x": np.zeros_like(w_x), "w_h": np.zeros_like(w_h), "b_h": np.zeros_like(b_h),
             "w_y": 2 * e * hs[k], "b_y": 2 * e}
    delta = 2 * e * w_y
    for t in range(k, 0, -1):
        alpha = delta * (1 - hs[t] ** 2)
        grads["w_x"] += alpha * xs[t - 1]
        grads["w_h"] += np.outer(alpha, hs[t - 1])
        grads["b_h"] += alpha
        delta = w_h.T @ alpha
    return e ** 2, grads


def gru_step_forward(x_t, h_prev, w_x, w_h, b_h, b_hn):
    # slip: the update gate's two roles swapped in the blend
    size = h_prev.shape[1]
    from_x = x_t @ w_x.T + b_h
    from_h = h_prev @ w_h.T
    r = sigmoid(from_x[:, :size] + from_h[:, :size])
    z = sigmoid(from_x[:, size:2 * size] + from_h[:, size:2 * size])
    n = np.tanh(from_x[:, 2 * size:] + r * (from_h[:, 2 * size:] + b_hn))
    return z * n + (1 - z) * h_prev


def lstm_step_forward(x_t, h_prev, c_prev, w_x, w_h, b_h):
    # right
    size = h_prev.shape[1]
    a = x_t @ w_x.T + h_prev @ w_h.T + b_h
    i, f, o = sigmoid(a[:, :size]), sigmoid(a[:, size:2 * size]), sigmoid(a[:, 3 * size:])
    g = np.tanh(a[:, 2 * size:3 * size])
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t
