"""Recurrent layers: simple RNN, GRU and LSTM, stacked and bidirectional.

A layer owns its parameters (a flat dict) and runs pure sequence functions
over every layer and direction::

    layer = rnnlab.GRU(input_size=1, hidden_size=16, num_layers=2, bidirectional=True)
    out, h_n, cache = layer.forward(x)            # x (T, N, D) -> out (T, N, 2*16)
    dx, dh0, grads = layer.backward(dout, None, cache)

Both paths are live: ``fast=True`` (the default) runs the sequence functions of
:mod:`rnnlab.fast_cells`, rearranged for speed; ``fast=False`` runs those of
:mod:`rnnlab.cells`, plain loops over the textbook step functions, so a
debugger steps through the equations while the layer trains. The two give the
same numbers to rounding.

Parameter names: layer 0, forward direction uses the tutorial's bare names
``w_x, w_h, b_h``; deeper layers add ``_l1``, ``_l2``...; the backward-in-time
direction adds ``_reverse``. Per-layer results (:meth:`Recurrent.trace`, the
hidden-state gradients) are keyed ``"layer0"``, ``"layer0_reverse"``,
``"layer1"``... (:func:`layer_key`). The simple RNN keeps one bias ``b_h`` where PyTorch
has two (``bias_ih + bias_hh``, which always enter as a sum); see
:mod:`rnnlab.torch_layout` for the exact mapping.
"""
from __future__ import annotations

import re
import warnings
from typing import NamedTuple

import numpy as np

from . import cells, fast_cells
from .activations import ACTIVATIONS
from ._validate import as_array, as_sequence, check_choice, check_dtype, check_int, check_seed

CELLS = ("rnn", "gru", "lstm")
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}

#: the most memory a model's weights may take (1 GB). rnnlab's models train in
#: seconds to minutes; a slip like ``hidden_size=100_000`` (80 GB) should be an error
#: naming the argument, not a frozen kernel or a bare MemoryError.
MAX_WEIGHT_BYTES = 10**9


def layer_param_shapes(cell, input_size, hidden_size, num_layers=1, bidirectional=False,
                       variant="pytorch"):
    """``{name: shape}`` of a recurrent layer's parameters, from its sizes (nothing allocated).

    The sizes must be checked already (the layer's constructor does).
    """
    G, H = _GATES[cell], hidden_size
    shapes = {}
    for layer in range(num_layers):
        d_in = input_size if layer == 0 else (2 if bidirectional else 1) * H
        for reverse in range(2 if bidirectional else 1):
            sfx = param_suffix(layer, reverse)
            shapes["w_x" + sfx] = (G * H, d_in)
            shapes["w_h" + sfx] = (G * H, H)
            shapes["b_h" + sfx] = (G * H,)
            if cell == "gru" and variant == "pytorch":
                shapes["b_hn" + sfx] = (H,)
    return shapes


def _human(n_bytes):
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= size:
            return f"{n_bytes / size:.3g} {unit}"
    return f"{n_bytes} bytes"


def layer_weight_count(cell, input_size, hidden_size, num_layers=1, bidirectional=False,
                       variant="pytorch"):
    """How many numbers :func:`layer_param_shapes` adds up to, in closed form (any sizes)."""
    G, H, dirs = _GATES[cell], hidden_size, (2 if bidirectional else 1)
    extra = H if cell == "gru" and variant == "pytorch" else 0  # b_hn

    def per_direction(d_in):  # w_x, w_h, b_h (and b_hn)
        return G * H * (d_in + H + 1) + extra

    return dirs * (per_direction(input_size) + (num_layers - 1) * per_direction(dirs * H))


def check_weight_memory(count_for, sizes, dtype):
    """Raise a ``ValueError`` if the weights would take more than :data:`MAX_WEIGHT_BYTES`.

    ``count_for(**sizes)`` gives the number of weights for the size arguments
    ``sizes`` (``{"hidden_size": 100000, ...}``); the error names the argument
    that makes the weights largest and the memory they would need. Returns
    the number of bytes otherwise.
    """
    itemsize = np.dtype(dtype).itemsize

    def nbytes(**changed):
        return itemsize * count_for(**{**sizes, **changed})

    total = nbytes()
    if total <= MAX_WEIGHT_BYTES:
        return total
    culprit = min(sizes, key=lambda name: nbytes(**{name: 1}))  # the one whose shrinking helps most
    raise ValueError(f"{culprit}={sizes[culprit]} is too large: the weights would need "
                     f"{_human(total)} ({total // itemsize:,} numbers of {np.dtype(dtype).name}); "
                     f"rnnlab keeps a model's weights under {_human(MAX_WEIGHT_BYTES)} "
                     "(rnnlab.layers.MAX_WEIGHT_BYTES)")


def param_suffix(layer, reverse):
    """Suffix of a parameter name: ``''``, ``'_l1'``, ``'_reverse'``, ``'_l1_reverse'``."""
    return ("" if layer == 0 else f"_l{layer}") + ("_reverse" if reverse else "")


def layer_key(layer, reverse=False):
    """Key of one layer and direction in per-layer results: ``"layer0"``, ``"layer0_reverse"``..."""
    return f"layer{layer}" + ("_reverse" if reverse else "")


def renamed_layer_key(old):
    """The key that replaced a key of rnnlab 0.1 (``""``, ``"_reverse"``, ``"_l1"``...), or None."""
    found = re.fullmatch(r"(?:_l(\d+))?(_reverse)?", old) if isinstance(old, str) else None
    return None if found is None else layer_key(int(found.group(1) or 0), bool(found.group(2)))


class ByLayer(dict):
    """``{layer key: value}`` for every layer and direction (:func:`layer_key`).

    The keys of rnnlab 0.1 (``""`` for layer 0, ``"_reverse"``, ``"_l1"``...)
    still work for one release, with a ``DeprecationWarning``.
    """

    def __missing__(self, key):
        new = renamed_layer_key(key)
        if new is None or not dict.__contains__(self, new):
            raise KeyError(key)
        warnings.warn(f"the key {key!r} is deprecated, use {new!r}: per-layer results are keyed "
                      f"{', '.join(map(repr, self))}", DeprecationWarning, stacklevel=2)
        return self[new]

    def __contains__(self, key):
        return dict.__contains__(self, key) or dict.__contains__(self, renamed_layer_key(key))

    def get(self, key, default=None):
        return self[key] if key in self else default


class LayerDirection(NamedTuple):
    """One layer and direction of a stacked, possibly bidirectional, recurrent layer."""

    layer: int          #: 0 for the layer that reads the inputs
    reverse: bool       #: True for the backward-in-time direction
    suffix: str         #: of its parameter names: ``""``, ``"_reverse"``, ``"_l1"``...
    input_size: int     #: features it reads: ``D`` for layer 0, ``dirs*H`` above

    @property
    def key(self):
        """Its key in per-layer results: ``"layer0"``, ``"layer0_reverse"``, ``"layer1"``..."""
        return layer_key(self.layer, self.reverse)


class Recurrent:
    """Base class of :class:`RNN`, :class:`GRU` and :class:`LSTM`.

    Parameters
    ----------
    input_size : int
        Features per time step, ``D``.
    hidden_size : int
        Hidden units per direction, ``H`` (the tutorial's ``m``).
    num_layers : int
        Stacked recurrent layers; layer ``l+1`` reads layer ``l``'s outputs.
    bidirectional : bool
        Also run a second set of weights backwards in time and concatenate the
        two directions' states: outputs have ``2*H`` features.
    seed : int or numpy.random.Generator
        Initial weights are drawn uniformly from ``[-1/sqrt(H), 1/sqrt(H)]``,
        as PyTorch does; the same seed gives the same weights.
    dtype : ``"float64"`` (default) or ``"float32"``
    fast : bool
        True (default): run :mod:`rnnlab.fast_cells`; False: run the textbook
        step loops of :mod:`rnnlab.cells` (slower, same numbers to rounding).
        May be changed between calls.
    """

    cell = None

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False, seed=0,
                 dtype="float64", fast=True):
        self.input_size = check_int(input_size, "input_size", low=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", low=1)
        self.num_layers = check_int(num_layers, "num_layers", low=1)
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise TypeError(f"bidirectional must be True or False, got {bidirectional!r}")
        self.bidirectional = bool(bidirectional)
        self.dtype = check_dtype(dtype)
        self.fast = fast
        self.seed = seed
        rng = check_seed(seed)
        check_weight_memory(
            lambda **sizes: layer_weight_count(self.cell, bidirectional=self.bidirectional,
                                               variant=getattr(self, "variant", "pytorch"), **sizes),
            dict(input_size=self.input_size, hidden_size=self.hidden_size,
                 num_layers=self.num_layers), self.dtype)
        self.params = self.init_params(rng)

    @property
    def fast(self):
        """Which path runs the sequences: True for :mod:`rnnlab.fast_cells`, False
        for the textbook loops of :mod:`rnnlab.cells`."""
        return self._fast

    @fast.setter
    def fast(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"fast must be True or False, got {value!r}")
        self._fast = bool(value)

    def _path(self):
        """The module whose sequence functions the next forward pass runs."""
        return fast_cells if self._fast else cells

    # -- shapes and parameters ------------------------------------------------
    @property
    def num_directions(self):
        return 2 if self.bidirectional else 1

    @property
    def output_size(self):
        """Features of the layer's output at each step: ``directions * H``."""
        return self.num_directions * self.hidden_size

    @property
    def state_size(self):
        """Number of arrays in a state: 1 (h) or 2 for the LSTM (h, c)."""
        return 2 if self.cell == "lstm" else 1

    def layer_directions(self):
        """A :class:`LayerDirection` for every layer and direction, in parameter order."""
        for layer in range(self.num_layers):
            d_in = self.input_size if layer == 0 else self.output_size
            for reverse in range(self.num_directions):
                yield LayerDirection(layer, bool(reverse), param_suffix(layer, reverse), d_in)

    def param_shapes(self):
        """``{name: shape}`` of every parameter, in a fixed order."""
        return layer_param_shapes(self.cell, self.input_size, self.hidden_size, self.num_layers,
                                  self.bidirectional, getattr(self, "variant", "pytorch"))

    def init_params(self, rng):
        bound = 1.0 / np.sqrt(self.hidden_size)
        return {name: rng.uniform(-bound, bound, size=shape).astype(self.dtype)
                for name, shape in self.param_shapes().items()}

    def direction_params(self, sfx):
        """The parameters of one layer and direction (its name suffix ``sfx``) under
        their bare names ``w_x, w_h, b_h`` (views, not copies)."""
        return {name[: len(name) - len(sfx)] if sfx else name: arr
                for name, arr in self.params.items()
                if (name.endswith(sfx) and name[: len(name) - len(sfx)] in ("w_x", "w_h", "b_h", "b_hn"))}

    def unit_params(self, sfx):
        """Deprecated name of :meth:`direction_params` (rnnlab 0.1)."""
        warnings.warn("unit_params() is deprecated: use direction_params()", DeprecationWarning,
                      stacklevel=2)
        return self.direction_params(sfx)

    # -- the cell-specific sequence functions -------------------------------
    def _seq_forward(self, x, state0, p):
        raise NotImplementedError

    def _seq_backward(self, dhs, dstate, cache):
        raise NotImplementedError

    # -- state helpers --------------------------------------------------------
    def zero_state(self, batch_size):
        """All-zero initial state: an array ``(L*dirs, N, H)``, or ``(h0, c0)`` for the LSTM."""
        shape = (self.num_layers * self.num_directions, batch_size, self.hidden_size)
        if self.cell == "lstm":
            return (np.zeros(shape, self.dtype), np.zeros(shape, self.dtype))
        return np.zeros(shape, self.dtype)

    def state_tuple(self, state, batch_size, name="h0"):
        """Check a user's state (None: zeros) and return it as a tuple of ``(L*dirs, N, H)`` arrays.

        The tuple is the form :meth:`forward_unchecked` takes: ``(h,)``, or
        ``(h, c)`` for the LSTM. ``name`` is the argument named in errors.
        """
        if state is None:
            state = self.zero_state(batch_size)
        parts = state if self.cell == "lstm" else (state,)
        if self.cell == "lstm" and (not isinstance(state, (tuple, list)) or len(state) != 2):
            raise TypeError(f"{name} for an LSTM must be a pair (h, c), got {type(state).__name__}")
        want = (self.num_layers * self.num_directions, batch_size, self.hidden_size)
        out = []
        for part in parts:
            arr = as_array(part, name, self.dtype)
            if arr.ndim == 2 and want[0] == 1:
                arr = arr[None]  # (N, H) -> (1, N, H) for a single layer and direction
            if arr.shape != want:
                raise ValueError(
                    f"{name} must have shape (layers*directions, N, H) = {want}, got {arr.shape}")
            out.append(arr)
        return tuple(out)

    def _pack_state(self, parts):
        return tuple(parts) if self.cell == "lstm" else parts[0]

    # -- forward and backward over all layers and directions -------------------
    def forward(self, x, h0=None):
        """Run the layer over a sequence.

        Parameters
        ----------
        x : array ``(T, N, D)``; ``(T, D)`` or ``(T,)`` for one sequence
        h0 : initial state ``(L*dirs, N, H)`` (a pair ``(h0, c0)`` for the
            LSTM); zeros if omitted, like the tutorial's ``h_0``.

        Returns
        -------
        out : ``(T, N, dirs*H)``, the top layer's hidden state at every step
        h_n : final state, shaped like ``h0`` (reverse direction: its state
            after reading back to ``t = 0``)
        cache : everything ``backward`` needs
        """
        x, _ = as_sequence(x, "x", self.input_size, self.dtype)
        state = self.state_tuple(h0, x.shape[1], "h0")
        return self.forward_unchecked(x, state)

    def forward_unchecked(self, x, state):
        """:meth:`forward` on arrays the caller has checked, without checking them again.

        ``x (T, N, D)`` in the layer's dtype, ``state`` from :meth:`state_tuple`.
        The model and the trainer call this at every update, where a NaN is to
        be noticed and reported, not refused.
        """
        inp = x
        caches, finals = [], []
        for idx, (layer, reverse, sfx, _) in enumerate(self.layer_directions()):
            if not reverse:
                outs = []
            s0 = tuple(s[idx] for s in state)
            xin = inp[::-1] if reverse else inp
            hs, s_T, cache = self._seq_forward(xin, s0, self.direction_params(sfx))
            outs.append(hs[::-1] if reverse else hs)
            caches.append(cache)
            finals.append(s_T)
            if reverse or not self.bidirectional:
                inp = outs[0] if len(outs) == 1 else np.concatenate(outs, axis=2)
        h_n = self._pack_state([np.stack([f[j] for f in finals]) for j in range(self.state_size)])
        return inp, h_n, caches

    def backward(self, dout, dh_n, cache, return_dh=False):
        """Backpropagate through ``forward``.

        Parameters
        ----------
        dout : ``(T, N, dirs*H)`` loss gradient at every output step
        dh_n : gradient at the final state (same structure as ``h_n``) or None
        cache : from ``forward``
        return_dh : also return ``{layer key: (T, N, H)}`` (a :class:`ByLayer`),
            the full gradient of the loss at every hidden state of every layer
            and direction (the vanishing-gradient picture)

        Returns
        -------
        dx ``(T, N, D)``, dh0 (shaped like ``h0``), grads (same keys as
        ``params``) and, with ``return_dh``, the per-step hidden gradients.
        """
        dout = as_array(dout, "dout", self.dtype, allow_nonfinite=True)
        T, N = cache[0].hs.shape[:2]
        if dout.shape != (T, N, self.output_size):
            raise ValueError(f"dout must have shape (T, N, dirs*H) = {(T, N, self.output_size)}, "
                             f"got {dout.shape}")
        dstate = self.state_tuple(dh_n, N, "dh_n")  # None: zeros
        return self.backward_unchecked(dout, dstate, cache, return_dh)

    def backward_unchecked(self, dout, dstate, cache, return_dh=False):
        """:meth:`backward` on checked arrays; ``dstate`` is a tuple like the state."""
        H = self.hidden_size
        grads, dh_all = {}, ByLayer()
        d0 = [None] * (self.num_layers * self.num_directions)
        directions = list(self.layer_directions())
        for layer in range(self.num_layers - 1, -1, -1):
            dinp = None
            for idx, part in enumerate(directions):
                lyr, reverse, sfx, _ = part
                if lyr != layer:
                    continue
                j = int(reverse)
                dhs = dout[:, :, j * H : (j + 1) * H]
                if reverse:
                    dhs = dhs[::-1]
                dx, ds0, g, dh_tot = self._seq_backward(
                    dhs, tuple(s[idx] for s in dstate), cache[idx])
                if reverse:
                    dx, dh_tot = dx[::-1], dh_tot[::-1]
                dinp = dx if dinp is None else dinp + dx
                d0[idx] = ds0
                grads.update({k + sfx: v for k, v in g.items()})
                dh_all[part.key] = dh_tot
            dout = dinp
        dh0 = self._pack_state([np.stack([d[j] for d in d0]) for j in range(self.state_size)])
        grads = {k: grads[k] for k in self.params}  # same order as params
        dh_all = ByLayer((part.key, dh_all[part.key]) for part in directions)  # layer 0 first
        if return_dh:
            return dout, dh0, grads, dh_all
        return dout, dh0, grads

    def trace(self, cache):
        """Hidden states (and gate activations) of every step, for the views.

        Returns a :class:`ByLayer` ``{"layer0": {"h": (T, N, H), ...},
        "layer0_reverse": ..., "layer1": ...}`` with ``r, z, n`` for the GRU and
        ``c, i, f, g, o`` for the LSTM. Reverse directions are given in
        ordinary time order.
        """
        out = ByLayer()
        for idx, part in enumerate(self.layer_directions()):
            tr = cells.gate_trace(self.cell, cache[idx])
            out[part.key] = {k: v[::-1] if part.reverse else v for k, v in tr.items()}
        return out

    def config(self):
        """The constructor's arguments as plain JSON-friendly values."""
        cfg = {"cell": self.cell, "input_size": self.input_size, "hidden_size": self.hidden_size,
               "num_layers": self.num_layers, "bidirectional": self.bidirectional,
               "dtype": np.dtype(self.dtype).name}
        cfg.update(self._extra_config())
        cfg["fast"] = self.fast
        return cfg

    def _extra_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "cell")
        return f"{type(self).__name__}({args})"


def _path_of(cache):
    """The module whose backward matches a sequence cache: a cache goes back
    through the path that made it, even if ``fast`` changed in between."""
    return cells if isinstance(cache, cells.SequenceCache) else fast_cells


class RNN(Recurrent):
    """Simple (Elman) RNN: ``h_t = f(w_x x_t + w_h h_{t-1} + b_h)``.

    ``activation`` is ``"tanh"`` (default), ``"sigmoid"`` or ``"relu"``. Other
    arguments as :class:`Recurrent`.
    """

    cell = "rnn"

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False,
                 activation="tanh", seed=0, dtype="float64", fast=True):
        self.activation = check_choice(activation, "activation", ACTIVATIONS)
        super().__init__(input_size, hidden_size, num_layers, bidirectional, seed, dtype, fast)

    def _seq_forward(self, x, state0, p):
        return self._path().rnn_forward(x, state0, p, self.activation)

    def _seq_backward(self, dhs, dstate, cache):
        return _path_of(cache).rnn_backward(dhs, dstate, cache)

    def _extra_config(self):
        return {"activation": self.activation}


class GRU(Recurrent):
    """Gated recurrent unit with reset gate ``r``, update gate ``z`` and candidate ``n``.

    ``variant="pytorch"`` (default) applies the reset gate after the hidden
    matrix product, ``n = tanh(W_xn x + b_n + r * (W_hn h + b_hn))``, as PyTorch
    and cuDNN do; ``variant="original"`` follows Cho et al. (2014) and applies it
    before, ``n = tanh(W_xn x + b_n + W_hn (r * h))``. The two have the same
    parameters but for ``b_hn`` and compute slightly different functions; both
    blend ``h_t = (1 - z) n + z h_{t-1}``.
    """

    cell = "gru"

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False,
                 variant="pytorch", seed=0, dtype="float64", fast=True):
        self.variant = check_choice(variant, "variant", cells.GRU_VARIANTS)
        super().__init__(input_size, hidden_size, num_layers, bidirectional, seed, dtype, fast)

    def _seq_forward(self, x, state0, p):
        return self._path().gru_forward(x, state0, p, self.variant)

    def _seq_backward(self, dhs, dstate, cache):
        return _path_of(cache).gru_backward(dhs, dstate, cache)

    def _extra_config(self):
        return {"variant": self.variant}


class LSTM(Recurrent):
    """Long short-term memory: input ``i``, forget ``f`` and output ``o`` gates,
    candidate ``g`` and a cell state ``c`` carried beside ``h``.

    States are pairs ``(h, c)``. Other arguments as :class:`Recurrent`.
    """

    cell = "lstm"

    def _seq_forward(self, x, state0, p):
        return self._path().lstm_forward(x, state0, p)

    def _seq_backward(self, dhs, dstate, cache):
        return _path_of(cache).lstm_backward(dhs, dstate, cache)


def make_layer(cell, input_size, hidden_size, num_layers=1, bidirectional=False,
               activation="tanh", variant="pytorch", seed=0, dtype="float64", fast=True):
    """Build an :class:`RNN`, :class:`GRU` or :class:`LSTM` by name."""
    cell = check_choice(cell, "cell", CELLS)
    common = dict(num_layers=num_layers, bidirectional=bidirectional, seed=seed, dtype=dtype,
                  fast=fast)
    if cell == "rnn":
        return RNN(input_size, hidden_size, activation=activation, **common)
    if cell == "gru":
        return GRU(input_size, hidden_size, variant=variant, **common)
    return LSTM(input_size, hidden_size, **common)
