"""Losses, each returning the value and its gradient at the network's output.

Both are means, so the loss does not grow with the batch size or the number
of steps that carry loss.
"""
from __future__ import annotations

import numpy as np

LOSSES = ("mse", "cross-entropy")


def mse(y_hat, y):
    """Mean squared error over every element: ``mean((y_hat - y)^2)``.

    ``y_hat`` and ``y`` have the same shape. Returns ``(loss, dy_hat)``.
    """
    diff = y_hat - y
    return float(np.mean(diff * diff)), (2.0 / diff.size) * diff


def softmax(logits, axis=-1):
    """Numerically stable softmax over ``axis``."""
    z = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(logits, axis=-1):
    z = logits - logits.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    """Softmax cross-entropy in nats, averaged over all predictions.

    ``logits (..., C)``; ``labels (...)`` integer class ids. Returns
    ``(loss, dlogits)`` with ``dlogits = (softmax(logits) - onehot) / count``.
    """
    logp = log_softmax(logits)
    flat = logp.reshape(-1, logp.shape[-1])  # (M, C)
    idx = labels.reshape(-1)
    loss = -float(flat[np.arange(idx.size), idx].mean())
    grad = np.exp(logp)
    g2 = grad.reshape(-1, grad.shape[-1])  # (M, C) view
    g2[np.arange(idx.size), idx] -= 1
    return loss, grad / idx.size
