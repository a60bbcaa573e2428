"""Activation functions for the recurrent layer and their derivatives.

The derivative of each is written in terms of the function's *output*
(``s * (1 - s)`` for the sigmoid, ``1 - h**2`` for tanh), because that is what
a forward pass keeps in its cache.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_choice


def sigmoid(a):
    """``1 / (1 + e^-a)``, written through tanh so large ``|a|`` never overflows."""
    return 0.5 * np.tanh(0.5 * a) + 0.5


def tanh(a):
    """Hyperbolic tangent, range (-1, 1)."""
    return np.tanh(a)


def relu(a):
    """``max(0, a)``."""
    return np.maximum(a, 0)


def identity(a):
    """No squashing: used for regression outputs."""
    return a


def sigmoid_grad(s):
    """d sigmoid / da given the output ``s``: ``s (1 - s)``, at most 0.25."""
    return s * (1 - s)


def tanh_grad(h):
    """d tanh / da given the output ``h``: ``1 - h^2``, at most 1."""
    return 1 - h * h


def relu_grad(h):
    """d relu / da given the output: 1 where the unit is active, else 0."""
    return (h > 0).astype(h.dtype)


def identity_grad(h):
    return np.ones_like(h)


#: name -> (function, derivative written in terms of the output)
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
}

#: activations allowed on the output layer (softmax is handled by the loss)
OUTPUT_ACTIVATIONS = {**ACTIVATIONS, "identity": (identity, identity_grad)}


def get_activation(name, output=False):
    """Return ``(f, f_grad_from_output)`` for ``name``; unknown names list the valid ones."""
    table = OUTPUT_ACTIVATIONS if output else ACTIVATIONS
    key = check_choice(name, "output_activation" if output else "activation", table)
    return table[key]


def derivative(name, a):
    """The derivative of activation ``name`` evaluated at pre-activation ``a``."""
    f, f_grad = get_activation(name, output=True)
    return f_grad(f(np.asarray(a, dtype=float)))
