"""A sequence model: recurrent layer(s) + an output layer + an input/output pattern.

Every pattern is the same unrolled network; what changes is which steps get an
input and which steps' outputs carry loss (the table is in
:mod:`rnnlab.patterns`, which this module asks).

Targets: ``(N, O)`` for one output per sequence, ``(T_out, N, O)`` for a
sequence of outputs (integer class ids ``(N,)`` / ``(T_out, N)`` with the
cross-entropy loss). A bidirectional many-to-one model reads the forward
direction's last state and the backward direction's state at ``t = 0``, so
each has read the whole sequence.

Output layer: ``y_t = g(w_y h_t + b_y)`` with ``w_y (O, dirs*H)``, ``b_y (O,)``
and ``g`` the output activation (identity for regression by default; softmax,
folded into the loss, for classification).
"""
from __future__ import annotations

import inspect
import types
import warnings
from typing import NamedTuple

import numpy as np

from . import losses
from ._validate import as_array, as_sequence, check_choice, check_dtype, check_int, check_seed
from .activations import OUTPUT_ACTIVATIONS, get_activation
from .layers import (CELLS, check_weight_memory, layer_key, layer_param_shapes,
                     layer_weight_count, make_layer, renamed_layer_key)
from .patterns import PATTERNS, get_pattern  # noqa: F401 (rnnlab.model.PATTERNS, as before)

_ALIASES = {"ce": "cross-entropy", "crossentropy": "cross-entropy", "cross_entropy": "cross-entropy"}


def check_model(model, name="model"):
    """Raise a ``TypeError`` unless ``model`` is a :class:`SequenceModel`."""
    if not isinstance(model, SequenceModel):
        raise TypeError(f"{name} must be an rnnlab.SequenceModel, got {type(model).__name__}")
    return model


class Batch(NamedTuple):
    """Inputs, targets and initial state checked by :meth:`SequenceModel.prepare`.

    Training, BPTT and the checks take a ``Batch`` so that data are checked
    once, not at every update. Unpacks as ``x, y, state, steps_out``.
    """

    x: np.ndarray     #: ``(T_in, N, D)`` in the model's dtype
    y: np.ndarray     #: ``(S, N, O)`` targets, or ``(S, N)`` class ids for cross-entropy
    state: tuple      #: initial state: a tuple of ``(L*dirs, N, H)`` arrays (``(h, c)`` for LSTM)
    steps_out: int    #: output steps asked for (``T_out`` for one-to-many/encoder-decoder)

    @property
    def size(self):
        """Number of sequences, ``N``."""
        return self.x.shape[1]

    def subset(self, index):
        """The sequences ``index`` (positions along ``N``) with their initial states."""
        return Batch(self.x[:, index], self.y[:, index], tuple(s[:, index] for s in self.state),
                     self.steps_out)


def _weight_counter(cell, bidirectional, gru_variant):
    """``count(input_size, hidden_size, output_size, num_layers)``: how many weights a model
    with this cell and direction has at those sizes, output layer included (for
    :func:`rnnlab.layers.check_weight_memory`, which tries other sizes to name the culprit)."""
    dirs = 2 if bidirectional else 1

    def count(input_size, hidden_size, output_size, num_layers):
        return (layer_weight_count(cell, input_size, hidden_size, num_layers, bidirectional,
                                   gru_variant)
                + output_size * (dirs * hidden_size + 1))  # w_y and b_y

    return count


def _name(value, what, choices):
    if isinstance(value, str):
        value = _ALIASES.get(value.lower().replace("_", "-"), value.lower().replace("_", "-"))
    return check_choice(value, what, choices)


class SequenceModel:
    """Recurrent layer(s) with an output layer, trained on one of five patterns.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        ``D``, ``H`` (per direction) and ``O``; for cross-entropy ``O`` is the
        number of classes.
    cell : ``"rnn"``, ``"gru"`` or ``"lstm"``
    pattern : one of :data:`PATTERNS`
    num_layers, bidirectional : stacking and direction of the recurrent part
    activation : hidden activation of the simple RNN (sigmoid, tanh, relu)
    loss : ``"mse"`` or ``"cross-entropy"``
    output_activation : ``"identity"`` (default for mse), ``"sigmoid"``,
        ``"tanh"`` or ``"relu"``; cross-entropy always uses softmax.
    output_length : outputs to produce for one-to-many and encoder-decoder
        when no target says so (prediction)
    gru_variant : ``"pytorch"`` or ``"original"``, see :class:`rnnlab.GRU`
    seed : int or Generator; the same seed gives the same initial weights
    dtype : ``"float64"`` or ``"float32"``
    fast : True (default) runs the recurrent part with :mod:`rnnlab.fast_cells`;
        False with the textbook step loops of :mod:`rnnlab.cells`, which then
        run in training, BPTT and the panels too (slower, same numbers to
        rounding). The attribute may be changed later: ``model.fast = False``.

    Attributes
    ----------
    params : read-only mapping name -> array. The recurrent layer's names
        (``w_x, w_h, b_h``...) plus ``w_y, b_y``. Arrays are updated in place
        (an optimiser's ``step(model.params, grads)``); use :meth:`set_params`
        to load new values.
    rnn : the :class:`rnnlab.RNN`/:class:`~rnnlab.GRU`/:class:`~rnnlab.LSTM` inside

    Methods for users: :meth:`predict`, :meth:`trace`, :meth:`loss`,
    :meth:`loss_and_grads`, :meth:`hidden_grad_norms`. Building blocks for a
    trainer, BPTT and checks, which take data checked once by :meth:`prepare`:
    :meth:`initial_state`, :meth:`forward`, :meth:`forward_steps`,
    :meth:`loss_and_dz`, :meth:`backward`::

        batch = model.prepare(x, y)                       # check once
        z, h_n, cache = model.forward(batch.x, batch.state, batch.steps_out)
        loss, dz = model.loss_and_dz(z, batch.y)          # dL/dz at the outputs
        grads, dstate0 = model.backward(dz, None, cache)  # same keys as params
        # the same in one call: loss, grads = model.loss_and_grads(batch)
    """

    def __init__(self, input_size, hidden_size, output_size, cell="rnn", pattern="many-to-many",
                 num_layers=1, bidirectional=False, activation="tanh", loss="mse",
                 output_activation=None, output_length=None, gru_variant="pytorch", seed=0,
                 dtype="float64", fast=True):
        self.pattern = get_pattern(pattern).name
        self.loss_name = _name(loss, "loss", losses.LOSSES)
        self.output_size = check_int(output_size, "output_size", low=1)
        if self.loss_name == "cross-entropy":
            if output_activation not in (None, "softmax"):
                raise ValueError("with loss='cross-entropy' the output activation is softmax; "
                                 f"got output_activation={output_activation!r}")
            if self.output_size < 2:
                raise ValueError(f"cross-entropy needs output_size >= 2 classes, got {output_size}")
            self.output_activation = "softmax"
        else:
            self.output_activation = "identity" if output_activation is None else _name(
                output_activation, "output_activation", OUTPUT_ACTIVATIONS)
        self.output_length = (None if output_length is None
                              else check_int(output_length, "output_length", low=1))
        self.seed = seed
        rng = check_seed(seed)
        self.rnn = make_layer(cell, input_size, hidden_size, num_layers, bidirectional,
                              activation=activation, variant=gru_variant, seed=rng, dtype=dtype,
                              fast=fast)
        check_weight_memory(_weight_counter(self.rnn.cell, self.rnn.bidirectional, gru_variant), dict(
            input_size=self.rnn.input_size, hidden_size=self.rnn.hidden_size,
            output_size=self.output_size, num_layers=self.rnn.num_layers), self.rnn.dtype)
        bound = 1.0 / np.sqrt(self.rnn.output_size)
        head = {"w_y": rng.uniform(-bound, bound, (self.output_size, self.rnn.output_size)),
                "b_y": rng.uniform(-bound, bound, (self.output_size,))}
        self._head = {k: v.astype(self.rnn.dtype) for k, v in head.items()}
        self._params = {**self.rnn.params, **self._head}
        self.params = types.MappingProxyType(self._params)

    @staticmethod
    def param_shapes_for(config):
        """``{name: shape}`` of the parameters of a model built from ``config`` (as
        :meth:`config` gives it), without building it: the sizes are checked as the
        constructor checks them, the memory limit included (:func:`rnnlab.load`
        compares a file's arrays with this before it allocates anything)."""
        arguments = inspect.signature(SequenceModel).parameters
        unknown = sorted(set(config) - set(arguments))
        missing = sorted(k for k, a in arguments.items() if a.default is a.empty and k not in config)
        if unknown or missing:
            raise TypeError(f"configuration entries do not fit SequenceModel: missing {missing}, "
                            f"unknown {unknown}")
        config = {k: a.default for k, a in arguments.items() if a.default is not a.empty} | config
        cell = check_choice(config["cell"], "cell", CELLS)
        sizes = {name: check_int(config[name], name, low=1)
                 for name in ("input_size", "hidden_size", "output_size", "num_layers")}
        bidirectional = config["bidirectional"]
        if not isinstance(bidirectional, bool):
            raise TypeError(f"bidirectional must be True or False, got {bidirectional!r}")
        variant = config["gru_variant"]
        check_weight_memory(_weight_counter(cell, bidirectional, variant), sizes,
                            check_dtype(config["dtype"]))
        shapes = layer_param_shapes(cell, sizes["input_size"], sizes["hidden_size"],
                                    sizes["num_layers"], bidirectional, variant)
        O, H = sizes["output_size"], sizes["hidden_size"]
        return {**shapes, "w_y": (O, (2 if bidirectional else 1) * H), "b_y": (O,)}

    # -- convenience -------------------------------------------------------------
    cell = property(lambda self: self.rnn.cell)
    input_size = property(lambda self: self.rnn.input_size)
    hidden_size = property(lambda self: self.rnn.hidden_size)
    dtype = property(lambda self: self.rnn.dtype)

    @property
    def fast(self):
        """True: the fast sequence functions; False: the textbook step loops (see ``fast=``)."""
        return self.rnn.fast

    @fast.setter
    def fast(self, value):
        self.rnn.fast = value

    def config(self):
        """Constructor arguments as JSON-friendly values (used by :func:`rnnlab.save`)."""
        r = self.rnn.config()
        cfg = {"input_size": r["input_size"], "hidden_size": r["hidden_size"],
               "output_size": self.output_size, "cell": r["cell"], "pattern": self.pattern,
               "num_layers": r["num_layers"], "bidirectional": r["bidirectional"],
               "activation": r.get("activation", "tanh"), "loss": self.loss_name,
               "output_activation": None if self.loss_name == "cross-entropy" else self.output_activation,
               "output_length": self.output_length, "gru_variant": r.get("variant", "pytorch"),
               "dtype": r["dtype"], "fast": r["fast"]}
        if isinstance(self.seed, (int, np.integer)):
            cfg["seed"] = int(self.seed)
        return cfg

    def __repr__(self):
        return "SequenceModel(" + ", ".join(f"{k}={v!r}" for k, v in self.config().items()) + ")"

    def set_params(self, new):
        """Copy values into the parameters in place (names and shapes must match)."""
        missing = sorted(set(self._params) - set(new))
        extra = sorted(set(new) - set(self._params))
        if missing or extra:
            raise ValueError(f"parameter names do not match: missing {missing}, unexpected {extra}")
        for k, v in new.items():
            arr = as_array(v, f"params[{k!r}]", self.dtype)
            if arr.shape != self._params[k].shape:
                raise ValueError(f"params[{k!r}] must have shape {self._params[k].shape}, got {arr.shape}")
        for k, v in new.items():
            self._params[k][...] = v

    def get_params(self):
        """A deep copy of the parameters (a plain dict of new arrays)."""
        return {k: v.copy() for k, v in self._params.items()}

    def nonfinite_params(self):
        """``{name: count}`` of the parameters holding NaN or infinite values (empty if none)."""
        return {k: int(v.size - np.count_nonzero(np.isfinite(v))) for k, v in self._params.items()
                if not np.isfinite(v).all()}

    def check_finite(self, what="this"):
        """Raise a ``ValueError`` naming every parameter that holds NaN or infinite values.

        ``what`` is the work that cannot go on, e.g. ``"training"``.
        """
        bad = self.nonfinite_params()
        if bad:
            named = ", ".join(f"params[{k!r}] ({n} of {self._params[k].size})" for k, n in bad.items())
            raise ValueError(f"{named} hold(s) NaN or infinite values, so {what} cannot go on; "
                             "give the model finite weights first (set_params, load, or a new model)")

    def num_params(self):
        return int(sum(v.size for v in self._params.values()))

    def zero_state(self, batch_size):
        return self.rnn.zero_state(batch_size)

    # -- shapes of the unrolled network -------------------------------------------
    @property
    def per_sequence(self):
        """True when the model gives one output per sequence (``(N, O)`` targets)."""
        return self._io.per_sequence

    @property
    def _io(self):
        """The :class:`rnnlab.patterns.Pattern` of this model's pattern."""
        return get_pattern(self.pattern)

    def _check_x(self, x):
        x, ndim = as_sequence(x, "x", self.input_size, self.dtype)
        if self._io.one_input_step and x.shape[0] != 1:
            raise ValueError(f"pattern {self.pattern} takes one input step: x must have shape "
                             f"(1, N, {self.input_size}), got {x.shape}")
        return x, ndim

    def _output_length(self, output_length):
        if not self._io.needs_output_length:
            return None
        if output_length is None:
            output_length = self.output_length
        if output_length is None:
            raise ValueError(f"pattern {self.pattern} needs output_length: pass it to the model "
                             "or to this call")
        return check_int(output_length, "output_length", low=1)

    def unrolled_inputs(self, x, output_length=None):
        """The input of every unrolled step and the steps whose outputs carry loss.

        Returns ``(x_full (T_total, N, D), loss_steps (array of step indices))``.
        """
        return self._io.unrolled_inputs(x, self._output_length(output_length))

    def _features(self, out, steps):
        """Top-layer features feeding the output layer: ``(S, N, dirs*H)``."""
        if self.per_sequence and self.rnn.bidirectional:
            H = self.rnn.hidden_size
            return np.concatenate([out[-1, :, :H], out[0, :, H:]], axis=1)[None]
        return out[steps]

    def _features_backward(self, dfeat, out_shape, steps):
        dout = np.zeros(out_shape, dfeat.dtype)
        if self.per_sequence and self.rnn.bidirectional:
            H = self.rnn.hidden_size
            dout[-1, :, :H] = dfeat[0, :, :H]
            dout[0, :, H:] = dfeat[0, :, H:]
        else:
            dout[steps] = dfeat
        return dout

    # -- forward -------------------------------------------------------------------
    def forward(self, x, state, output_length=None):
        """Outputs before the output activation, on checked arrays (no checks here).

        ``x (T_in, N, D)`` and ``state`` (a tuple of ``(L*dirs, N, H)``) as in a
        :class:`Batch`; ``output_length`` for one-to-many and encoder-decoder.
        Returns ``(z (S, N, O), h_n, cache)``; ``cache`` is for :meth:`backward`.
        """
        x_full, steps = self.unrolled_inputs(x, output_length)
        return self.forward_steps(x_full, state, steps)

    def forward_steps(self, x_full, state, loss_steps):
        """:meth:`forward` on inputs already unrolled (:meth:`unrolled_inputs`).

        The recurrent part reads every step of ``x_full (T, N, D)``; the output
        layer reads the steps ``loss_steps`` only (none: just carry the state).
        Truncated BPTT runs one window at a time this way.
        """
        out, h_n, rnn_cache = self.rnn.forward_unchecked(x_full, state)
        feat = self._features(out, loss_steps)
        z = feat @ self._head["w_y"].T + self._head["b_y"]  # (S, N, O)
        return z, h_n, (rnn_cache, out.shape, loss_steps, feat, z)

    def _activate(self, z):
        if self.loss_name == "cross-entropy":
            return losses.softmax(z)
        return get_activation(self.output_activation, output=True)[0](z)

    def _shape_output(self, y, ndim):
        """``(S, N, O)`` -> the user's layout: drop S for one output per sequence, N for one sequence."""
        if self.per_sequence:
            y = y[0]  # (N, O)
            return y[0] if ndim < 3 else y
        return y[:, 0] if ndim < 3 else y

    def initial_state(self, batch_size, h0=None):
        """The state a forward pass starts from: zeros, or ``h0`` checked.

        Returns a tuple of ``(L*dirs, N, H)`` arrays (``(h, c)`` for the LSTM).
        """
        return self.rnn.state_tuple(h0, batch_size, "h0")

    def predict(self, x, h0=None, output_length=None, return_state=False, logits=False):
        """Model outputs for input ``x``.

        Returns ``(N, O)`` for one-to-one and many-to-one, ``(T_out, N, O)``
        otherwise (without the N axis when ``x`` was one sequence ``(T, D)`` or
        ``(T,)``). With cross-entropy the outputs are class probabilities, or the
        raw scores with ``logits=True``. ``return_state=True`` also returns the
        final hidden state, to continue from (text generation).
        """
        x, ndim = self._check_x(x)
        bad = self.nonfinite_params()
        if bad:
            warnings.warn(f"params {', '.join(map(repr, bad))} hold NaN or infinite values: "
                          "the predictions will be NaN", RuntimeWarning, stacklevel=2)
        z, h_n, _ = self.forward(x, self.initial_state(x.shape[1], h0), output_length)
        y = self._shape_output(z if logits else self._activate(z), ndim)
        return (y, h_n) if return_state else y

    def trace(self, x, h0=None, output_length=None):
        """Hidden states and gate activations of every unrolled step.

        Returns ``{"layer0": {"h": (T, N, H), ...}, ...}``, one entry per layer
        and direction (``"layer0_reverse"``, ``"layer1"``...); GRU adds
        ``r, z, n``, LSTM ``c, i, f, g, o``. The keys of rnnlab 0.1 (``""``,
        ``"_reverse"``, ``"_l1"``) still work, with a ``DeprecationWarning``.
        """
        x, _ = self._check_x(x)
        _, _, cache = self.forward(x, self.initial_state(x.shape[1], h0), output_length)
        return self.rnn.trace(cache[0])

    # -- loss and gradients ------------------------------------------------------------
    def _check_y(self, y, x, ndim, steps_out):
        """Return targets as ``(S, N, O)`` floats or ``(S, N)`` ints, or raise clearly."""
        N, O = x.shape[1], self.output_size
        ce = self.loss_name == "cross-entropy"
        S = 1 if self.per_sequence else steps_out
        full = (S, N) if ce else (S, N, O)
        if ce:
            arr = as_array(y, "y", np.float64)
            if arr.size and not np.all(arr == np.round(arr)):
                raise TypeError("y must hold integer class ids for loss='cross-entropy', got "
                                f"non-integer values (dtype {np.asarray(y).dtype})")
            arr = arr.astype(np.int64)
        else:
            arr = as_array(y, "y", self.dtype)
        # Accept the full layout or one with axes a learner naturally leaves out:
        # S for one output per sequence, N for a single sequence, O when O == 1.
        dims = dict(zip("SNO", full))
        optional = {"S": self.per_sequence, "N": ndim < 3, "O": not ce and O == 1}
        accepted = {tuple(n for a, n in dims.items() if not (a in drop and optional[a]))
                    for drop in ("", "S", "N", "O", "SN", "SO", "NO", "SNO")}
        if arr.shape in accepted:
            arr = arr.reshape(full)
        else:
            names = ("N",) if self.per_sequence else (self._io.steps_out_name, "N")
            want = full[1:] if self.per_sequence else full
            names = names + (() if ce else ("O",))
            if arr.ndim == len(want) and arr.shape[len(names) - (1 if ce else 2)] != N:
                raise ValueError(f"x has N={N} sequences but y has shape {arr.shape}: "
                                 f"the batch sizes differ")
            raise ValueError(f"y must have shape ({', '.join(names)}) = {want} for pattern "
                             f"{self.pattern} with loss {self.loss_name}, got {arr.shape}")
        if ce and arr.size and (arr.min() < 0 or arr.max() >= O):
            raise ValueError(f"y holds class ids from {arr.min()} to {arr.max()}, but the model has "
                             f"output_size={O} classes (valid ids 0..{O - 1})")
        return arr

    def prepare(self, x, y, h0=None):
        """Check ``x``, ``y`` and ``h0`` once; returns a :class:`Batch` of arrays.

        Accepts every layout :meth:`loss` does; the batch holds the model's
        layout (time first, targets ``(S, N, O)``), ready for
        :meth:`loss_and_grads`, :meth:`forward` and a trainer.
        """
        x, ndim = self._check_x(x)
        y_arr = as_array(y, "y", np.float64) if not isinstance(y, np.ndarray) else y
        if self._io.needs_output_length:
            if y_arr.ndim < 1:
                raise ValueError(f"y must be a sequence of outputs for pattern {self.pattern}")
            steps_out = y_arr.shape[0]
        else:
            steps_out = x.shape[0]
        y = self._check_y(y, x, ndim, steps_out)
        return Batch(x, y, self.initial_state(x.shape[1], h0), steps_out)

    def loss_and_dz(self, z, y):
        """Loss of outputs ``z (S, N, O)`` against ``y`` and its gradient at ``z``."""
        if self.loss_name == "cross-entropy":
            return losses.cross_entropy(z, y)
        f, f_grad = get_activation(self.output_activation, output=True)
        y_hat = f(z)
        loss, dy = losses.mse(y_hat, y)
        return loss, dy * f_grad(y_hat)

    def backward(self, dz, dstate, cache, return_dh=False):
        """Backpropagate from the outputs: gradients of every parameter.

        ``dz (S, N, O)`` is the loss gradient at the outputs of :meth:`forward`
        (from :meth:`loss_and_dz`); ``dstate`` the gradient at the final state
        (a tuple like the state, or None for zeros); ``cache`` from
        :meth:`forward`. Returns ``(grads, dstate0)`` and, with
        ``return_dh``, the gradient at every hidden state (see
        :meth:`loss_and_grads`).
        """
        rnn_cache, out_shape, steps, feat, _ = cache
        if dstate is None:
            dstate = self.rnn.state_tuple(None, dz.shape[1])  # zeros
        S, N, O = dz.shape
        dz2 = dz.reshape(S * N, O)  # (S*N, O)
        grads_head = {"w_y": dz2.T @ feat.reshape(S * N, -1), "b_y": dz2.sum(axis=0)}
        dfeat = dz @ self._head["w_y"]  # (S, N, dirs*H)
        dout = self._features_backward(dfeat, out_shape, steps)
        res = self.rnn.backward_unchecked(dout, dstate, rnn_cache, return_dh)
        grads = {**res[2], **grads_head}
        return (grads, res[1]) + ((res[3],) if return_dh else ())

    def _batch(self, x, y, h0):
        """``x`` itself when it is a :class:`Batch`, else :meth:`prepare` of the arrays."""
        if isinstance(x, Batch):
            if y is not None or h0 is not None:
                raise TypeError("with a Batch from prepare(), give neither y nor h0: the batch "
                                "holds them")
            return x
        if y is None:
            raise TypeError("y is missing: pass the targets, or a Batch from model.prepare(x, y)")
        return self.prepare(x, y, h0)

    def loss(self, x, y=None, h0=None):
        """Mean loss of the model on ``(x, y)``, or on a :class:`Batch` from :meth:`prepare`."""
        x, y, state, steps_out = self._batch(x, y, h0)
        z, _, _ = self.forward(x, state, steps_out)
        return self.loss_and_dz(z, y)[0]

    def loss_and_grads(self, x, y=None, h0=None, return_dh=False):
        """Loss and its gradient for every parameter, by full BPTT.

        ``x, y, h0`` are checked here, or ``x`` is a :class:`Batch` from
        :meth:`prepare` (checked already: what a trainer passes at every
        update). Returns ``(loss, grads)``; ``grads`` has the same keys as
        ``params``. With ``return_dh=True`` also a dict ``{"layer0": (T, N, H),
        ...}`` (keys as :meth:`trace`'s) with the gradient of the loss at every
        hidden state (see :meth:`hidden_grad_norms`).
        """
        x, y, state, steps_out = self._batch(x, y, h0)
        z, _, cache = self.forward(x, state, steps_out)
        loss, dz = self.loss_and_dz(z, y)
        res = self.backward(dz, None, cache, return_dh)
        return (loss, res[0]) + ((res[2],) if return_dh else ())

    def hidden_grad_norms(self, x, y, h0=None, layer=0, direction="forward", unit=None):
        """``||dL/dh_t||`` for every unrolled step ``t`` (norm over batch and hidden units).

        This is the vanishing/exploding-gradient picture: for many-to-one the
        loss sits at the last step and the norms show how much of it reaches
        each earlier state. ``x, y, h0`` as in :meth:`loss_and_grads` (a
        :class:`Batch` with ``y=None`` too). ``layer`` (0 reads the inputs) and ``direction``
        (``"forward"``, or ``"reverse"`` in a bidirectional model) pick the
        states. ``unit`` (``""``, ``"_reverse"``, ``"_l1"``...) is the old way
        to pick them, deprecated. Returns a ``(T,)`` float64 array.
        """
        if unit is not None:
            warnings.warn("hidden_grad_norms(unit=...) is deprecated: use layer= and direction=",
                          DeprecationWarning, stacklevel=2)
            key = renamed_layer_key(unit)
            if key is None:
                raise ValueError(f"unit must be a key like '', '_reverse' or '_l1', got {unit!r}")
        else:
            key = layer_key(*self._layer_direction(layer, direction))
        _, _, dh = self.loss_and_grads(x, y, h0, return_dh=True)
        if key not in dh:
            raise ValueError(f"this model has no {key!r}: its layers and directions are "
                             f"{', '.join(dh)}")
        return np.sqrt((dh[key].astype(np.float64) ** 2).sum(axis=(1, 2)))

    def _layer_direction(self, layer, direction):
        """Check ``layer`` and ``direction``; returns ``(layer, reverse)``."""
        layer = check_int(layer, "layer", low=0, high=self.rnn.num_layers - 1)
        direction = check_choice(direction, "direction", ("forward", "reverse", "backward"))
        if direction != "forward" and not self.rnn.bidirectional:
            raise ValueError(f"direction={direction!r} needs a bidirectional model; this one "
                             "runs forward only")
        return layer, direction != "forward"
