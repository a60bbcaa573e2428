"""Optimisers and gradient clipping on flat parameter dicts.

Parameters and gradients are ``dict[str, np.ndarray]`` with the same keys.
An optimiser's ``step(params, grads)`` changes the parameter arrays in place,
so a model holding those arrays sees the update. Per-parameter state (velocity,
running averages, step counts) is created on the first step and is keyed by
parameter name.

The update rules are PyTorch's ``torch.optim`` rules with the same
hyper-parameters, so a run here and a run there agree to rounding:

=========  =========================================================
SGD        p <- p - lr g
Momentum   v <- mu v + g;  p <- p - lr v   (PyTorch's form, no 1 - mu)
Adagrad    s <- s + g^2;   p <- p - lr g / (sqrt(s) + eps)
RMSProp    s <- a s + (1 - a) g^2;  p <- p - lr g / (sqrt(s) + eps)
Adam       bias-corrected m, v;  p <- p - lr m_hat / (sqrt(v_hat) + eps)
=========  =========================================================

``lr`` (and every other hyper-parameter) is an attribute that may be changed
between steps, for example from a slider while training runs; each assignment
is validated.
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Mapping

import numpy as np

from rnnlab._validate import check_choice, check_float

__all__ = [
    "Optimizer", "SGD", "Momentum", "Adagrad", "RMSProp", "Adam",
    "OPTIMIZERS", "make_optimizer",
    "global_norm", "clip_by_global_norm", "clip_by_value", "grad_norms",
]


# --------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------

class _Hyper:
    """A validated float hyper-parameter: a property whose setter checks bounds.

    ``low_open`` / ``high_open`` make the bound strict (``lr > 0``,
    ``beta < 1``).
    """

    def __init__(self, low=None, high=None, low_open=False, high_open=False):
        self.low, self.high = low, high
        self.low_open, self.high_open = low_open, high_open

    def __set_name__(self, owner, name):
        self.name, self.attr = name, "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.attr)

    def __set__(self, obj, value):
        value = check_float(value, self.name, low=self.low, low_open=self.low_open)
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            raise ValueError(
                f"{self.name} must be {'<' if self.high_open else '<='} {self.high}, got {value}")
        setattr(obj, self.attr, value)


def _check_grad_dict(grads, name="grads"):
    """A dict of numeric arrays; returns ``{key: ndarray}`` (no copies of arrays)."""
    if not isinstance(grads, dict):
        raise TypeError(f"{name} must be a dict of arrays, got {type(grads).__name__}")
    out = {}
    for key, g in grads.items():
        arr = np.asarray(g)
        if arr.dtype.kind not in "fiu":
            raise TypeError(f"{name}[{key!r}] must hold real numbers, got dtype {arr.dtype}")
        out[key] = arr
    return out


def _check_params_and_grads(params, grads):
    """Same keys, float ndarray params, matching shapes; returns grads as arrays."""
    if not isinstance(params, Mapping):  # a dict, or a model's read-only params mapping
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    grads = _check_grad_dict(grads)
    missing = [k for k in params if k not in grads]
    extra = [k for k in grads if k not in params]
    if missing:
        raise ValueError(f"grads is missing key(s) {missing} that params has")
    if extra:
        raise ValueError(f"grads has key(s) {extra} that params does not have")
    for key, p in params.items():
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            kind = type(p).__name__ if not isinstance(p, np.ndarray) else f"array of {p.dtype}"
            raise TypeError(
                f"params[{key!r}] must be a floating NumPy array (updated in place), got {kind}")
        if not p.flags.writeable:
            raise ValueError(f"params[{key!r}] is read-only; the optimiser updates it in place")
        if grads[key].shape != p.shape:
            raise ValueError(
                f"grads[{key!r}] has shape {grads[key].shape} but params[{key!r}] "
                f"has shape {p.shape}")
    return grads


# --------------------------------------------------------------------------
# optimisers
# --------------------------------------------------------------------------

class Optimizer:
    """Base class: validation, lazily created per-parameter state, (de)serialisation.

    Subclasses set ``name``, ``_hypers`` (hyper-parameter names saved in
    ``state_dict``), ``_slots`` (array state per parameter) and implement
    ``_update(p, g, state)``.
    """

    name = "optimizer"
    _hypers = ("lr",)
    _slots = ()
    _counted = False  # keep a per-parameter step count ``t`` (Adam)

    lr = _Hyper(low=0.0, low_open=True)

    def __init__(self, lr):
        self.lr = lr
        self.state = {}  # {param name: {slot: array, "t": int}}

    def __repr__(self):
        args = ", ".join(f"{h}={getattr(self, h)!r}" for h in self._hypers)
        extra = self._extra_repr()
        return f"{type(self).__name__}({args}{extra})"

    def _extra_repr(self):
        return ""

    def reset(self):
        """Forget all per-parameter state (velocities, averages, step counts)."""
        self.state = {}

    def step(self, params, grads):
        """Update every array in ``params`` in place from ``grads``.

        Parameters
        ----------
        params : dict[str, np.ndarray]
            Floating arrays; they keep their identity and dtype.
        grads : dict[str, array_like]
            Exactly the keys of ``params``, each with its parameter's shape.
            Gradients are cast to the parameter's dtype. Non-finite values are
            not checked here: look at ``global_norm(grads)`` first.
        """
        grads = _check_params_and_grads(params, grads)
        # look up (or create) all state first so a mismatch leaves params untouched
        states = {key: self._state_for(key, p) for key, p in params.items()}
        for key, p in params.items():
            self._update(p, np.asarray(grads[key], dtype=p.dtype), states[key])

    def _state_for(self, key, p):
        st = self.state.get(key)
        if st is None:
            st = {slot: np.zeros_like(p) for slot in self._slots}
            if self._counted:
                st["t"] = 0
            self.state[key] = st
        for slot in self._slots:
            if st[slot].shape != p.shape:
                raise ValueError(
                    f"optimiser state {slot!r} for {key!r} has shape {st[slot].shape} but the "
                    f"parameter has shape {p.shape}; call reset() after changing the model")
            if st[slot].dtype != p.dtype:  # e.g. state loaded in float64 for float32 params
                st[slot] = st[slot].astype(p.dtype)
        return st

    def _update(self, p, g, state):
        raise NotImplementedError

    # ---- saving without pickle ------------------------------------------

    def state_dict(self):
        """A flat dict of scalars and arrays, suitable for ``np.savez``.

        Keys: ``"optimizer"`` (the name), each hyper-parameter (``"lr"``...),
        and ``"<slot>/<param>"`` for state, e.g. ``"m/w_x"``, ``"t/w_x"``.
        Arrays are copies.
        """
        d = {"optimizer": self.name}
        d.update({h: getattr(self, h) for h in self._hypers})
        d.update(self._extra_state())
        for key, st in self.state.items():
            for slot, value in st.items():
                d[f"{slot}/{key}"] = value.copy() if isinstance(value, np.ndarray) else value
        return d

    def _extra_state(self):
        return {}

    def _load_extra(self, d):
        pass

    def load_state_dict(self, d):
        """Restore hyper-parameters and state from ``state_dict()`` output.

        Accepts the dict itself or what ``np.load`` gives back (0-d arrays for
        scalars). Replaces the current state.
        """
        if not hasattr(d, "keys"):
            raise TypeError(f"state must be a dict, got {type(d).__name__}")
        d = {k: d[k] for k in d.keys()}
        name = str(np.asarray(d.pop("optimizer", self.name)))  # np.load gives a 0-d array
        if name != self.name:
            raise ValueError(f"state is for optimizer {name!r}, not {self.name!r}")
        slots = set(self._slots) | ({"t"} if self._counted else set())
        state = {}
        for k, value in d.items():
            if "/" not in k:
                continue
            slot, key = k.split("/", 1)
            if slot not in slots:
                raise ValueError(f"unknown state entry {k!r} for {self.name}; "
                                 f"expected slots {sorted(slots)}")
            if slot == "t":
                state.setdefault(key, {})[slot] = int(np.asarray(value))
            else:
                state.setdefault(key, {})[slot] = np.array(value, dtype=np.asarray(value).dtype)
        for key, st in state.items():
            if set(st) != slots:
                raise ValueError(f"state for {key!r} has entries {sorted(st)}, "
                                 f"expected {sorted(slots)}")
        plain = {k: v for k, v in d.items() if "/" not in k}
        unknown = set(plain) - set(self._hypers) - set(self._extra_state())
        if unknown:
            raise ValueError(f"unknown entries {sorted(unknown)} in state for {self.name}")
        for h in self._hypers:  # validated by the setters
            if h in plain:
                setattr(self, h, float(np.asarray(plain[h])))
        self._load_extra(plain)
        self.state = state


class SGD(Optimizer):
    """Plain gradient descent: ``p <- p - lr * g``.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    """

    name = "sgd"

    def __init__(self, lr):
        super().__init__(lr)

    def _update(self, p, g, state):
        p -= self.lr * g


class Momentum(Optimizer):
    """SGD with momentum, in PyTorch's form: ``v <- mu v + g;  p <- p - lr v``.

    This differs from the ``v <- mu v - lr g`` form of some textbooks only when
    ``lr`` changes during training. With ``nesterov=True`` the step uses the
    look-ahead gradient ``g + mu v`` instead of ``v`` (as ``torch.optim.SGD``).

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    momentum : float
        ``mu`` in ``[0, 1)``.
    nesterov : bool
    """

    name = "momentum"
    _hypers = ("lr", "momentum")
    _slots = ("v",)

    momentum = _Hyper(low=0.0, high=1.0, high_open=True)

    def __init__(self, lr, momentum=0.9, nesterov=False):
        super().__init__(lr)
        self.momentum = momentum
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        self.nesterov = bool(nesterov)

    def _extra_repr(self):
        return f", nesterov={self.nesterov}"

    def _extra_state(self):
        return {"nesterov": self.nesterov}

    def _load_extra(self, d):
        if "nesterov" in d:
            self.nesterov = bool(np.asarray(d["nesterov"]))

    def _update(self, p, g, state):
        v = state["v"]
        v *= self.momentum
        v += g
        p -= self.lr * (g + self.momentum * v if self.nesterov else v)


class Adagrad(Optimizer):
    """Adagrad: ``s <- s + g^2;  p <- p - lr g / (sqrt(s) + eps)``.

    ``eps`` is added outside the square root, as in ``torch.optim.Adagrad``
    and min-char-rnn.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    eps : float
        > 0, keeps the division finite.
    """

    name = "adagrad"
    _hypers = ("lr", "eps")
    _slots = ("s",)

    eps = _Hyper(low=0.0, low_open=True)

    def __init__(self, lr, eps=1e-8):
        super().__init__(lr)
        self.eps = eps

    def _update(self, p, g, state):
        s = state["s"]
        s += g * g
        p -= self.lr * (g / (np.sqrt(s) + self.eps))


class RMSProp(Optimizer):
    """RMSProp: ``s <- a s + (1 - a) g^2;  p <- p - lr g / (sqrt(s) + eps)``.

    ``decay`` is PyTorch's ``alpha`` (whose default there is 0.99, here 0.9
    as in Hinton's lecture); ``eps`` is added outside the square root, as in
    ``torch.optim.RMSprop``.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    decay : float
        ``a`` in ``[0, 1)``.
    eps : float
        > 0.
    """

    name = "rmsprop"
    _hypers = ("lr", "decay", "eps")
    _slots = ("s",)

    decay = _Hyper(low=0.0, high=1.0, high_open=True)
    eps = _Hyper(low=0.0, low_open=True)

    def __init__(self, lr, decay=0.9, eps=1e-8):
        super().__init__(lr)
        self.decay = decay
        self.eps = eps

    def _update(self, p, g, state):
        s = state["s"]
        s *= self.decay
        s += (1.0 - self.decay) * (g * g)
        p -= self.lr * (g / (np.sqrt(s) + self.eps))


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba, as ``torch.optim.Adam``).

    ``m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;``
    ``p <- p - lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)``

    ``t`` counts the steps taken for each parameter.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    beta1, beta2 : float
        Decay rates of the running mean and uncentred variance, in ``[0, 1)``.
    eps : float
        > 0.
    """

    name = "adam"
    _hypers = ("lr", "beta1", "beta2", "eps")
    _slots = ("m", "v")
    _counted = True

    beta1 = _Hyper(low=0.0, high=1.0, high_open=True)
    beta2 = _Hyper(low=0.0, high=1.0, high_open=True)
    eps = _Hyper(low=0.0, low_open=True)

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps

    def _update(self, p, g, state):
        m, v = state["m"], state["v"]
        state["t"] += 1
        t = state["t"]
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * (g * g)
        step_size = self.lr / (1.0 - self.beta1 ** t)
        denom = np.sqrt(v) / math.sqrt(1.0 - self.beta2 ** t) + self.eps
        p -= step_size * (m / denom)


_CLASSES = {"sgd": SGD, "momentum": Momentum, "adagrad": Adagrad, "rmsprop": RMSProp,
            "adam": Adam}
OPTIMIZERS = tuple(_CLASSES)


def make_optimizer(name, lr=0.01, **kwargs):
    """Build an optimiser by name.

    Parameters
    ----------
    name : str
        One of ``OPTIMIZERS`` (case-insensitive).
    lr : float
        Learning rate, > 0.
    **kwargs
        The class's other hyper-parameters, e.g. ``momentum=0.9`` or
        ``beta2=0.99``.

    Returns
    -------
    Optimizer
    """
    cls = _CLASSES[check_choice(name, "optimizer", set(OPTIMIZERS))]
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "lr")]
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError(f"{cls.name} does not take {unknown}; "
                        f"its options are lr{''.join(', ' + a for a in allowed)}")
    return cls(lr, **kwargs)


# --------------------------------------------------------------------------
# gradient norms and clipping
# --------------------------------------------------------------------------

def _sum_squares(arr):
    """Sum of squares in float64 (float32 gradients are widened first)."""
    flat = np.asarray(arr, dtype=np.float64).ravel()
    with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN is the answer, not a warning
        return float(np.dot(flat, flat))


def grad_norms(grads):
    """L2 norm of each gradient array, ``{key: ||g||}``, computed in float64."""
    grads = _check_grad_dict(grads)
    return {key: float(np.sqrt(_sum_squares(g))) for key, g in grads.items()}


def global_norm(grads):
    """The L2 norm of all gradients taken together: ``sqrt(sum_k ||g_k||^2)``.

    Computed in float64. Returns ``nan`` if any entry is NaN and ``inf`` if
    any is infinite (or the sum of squares overflows, past about 1e154), so a
    training loop can detect divergence with ``np.isfinite``. An empty dict
    has norm 0.
    """
    grads = _check_grad_dict(grads)
    return float(np.sqrt(sum(_sum_squares(g) for g in grads.values())))


def _check_positive(value, name):
    return check_float(value, name, low=0.0, low_open=True)


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so their global norm is at most ``max_norm``.

    ``g_k <- g_k * max_norm / norm`` for every key when ``norm > max_norm``;
    directions are kept, only the length changes.

    Parameters
    ----------
    grads : dict[str, np.ndarray]
    max_norm : float
        > 0.

    Returns
    -------
    clipped : dict[str, np.ndarray]
        A new dict of new arrays (the input is not modified), same dtypes.
    norm : float
        The global norm *before* clipping.

    Notes
    -----
    If the norm is NaN or infinite the gradients are returned unscaled (as
    copies) together with that norm: scaling by ``max_norm / inf`` would turn
    finite entries into 0 and infinite ones into NaN, hiding the divergence.
    Check ``np.isfinite(norm)`` before stepping.
    """
    grads = _check_grad_dict(grads)
    max_norm = _check_positive(max_norm, "max_norm")
    norm = global_norm(grads)
    if np.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        return {k: g * scale for k, g in grads.items()}, norm  # float32 stays float32
    return {k: g.copy() for k, g in grads.items()}, norm


def clip_by_value(grads, max_value):
    """Clip every gradient entry to ``[-max_value, max_value]``.

    Unlike norm clipping this changes the gradient's direction. ``+-inf``
    become ``+-max_value`` but NaN stays NaN, so compute ``global_norm`` first
    if you need to detect divergence.

    Returns
    -------
    dict[str, np.ndarray]
        New arrays; the input is not modified.
    """
    grads = _check_grad_dict(grads)
    max_value = _check_positive(max_value, "max_value")
    return {k: np.clip(g, -max_value, max_value) for k, g in grads.items()}
