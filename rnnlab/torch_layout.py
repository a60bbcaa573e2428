"""Parameters and gradients in PyTorch's layout, both ways.

PyTorch's ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` name their tensors
``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (plus
``_reverse`` for the backward direction) and stack gates in the same order as
rnnlab (GRU ``r, z, n``; LSTM ``i, f, g, o``), with the same orientation
(``weight_ih`` is ``(G*H, D)``). The only difference is the biases:

* simple RNN and LSTM: PyTorch has two biases that always enter as a sum, so
  ``b_h = bias_ih + bias_hh``; exporting puts all of ``b_h`` in ``bias_ih`` and
  zeros in ``bias_hh``. Both PyTorch biases receive the gradient ``db_h``.
* GRU: for ``r`` and ``z`` the same holds; the candidate's hidden bias sits
  inside the reset gate's product, so it stays separate as ``b_hn``.
  The original-paper GRU variant has no PyTorch counterpart.

All arrays here are NumPy; pass ``module.state_dict()`` converted with
``{k: v.detach().numpy() for k, v in ...}`` or use :func:`to_torch` / :func:`from_torch`
on a torch module directly (torch is imported only inside those two).
"""
from __future__ import annotations

import numpy as np

from .layers import Recurrent, param_suffix


def _torch_suffix(layer, reverse):
    return f"_l{layer}" + ("_reverse" if reverse else "")


def _check_layer(layer):
    if not isinstance(layer, Recurrent):
        raise TypeError(f"expected an rnnlab RNN, GRU or LSTM layer, got {type(layer).__name__}")
    if layer.cell == "gru" and layer.variant != "pytorch":
        raise ValueError("a GRU with variant='original' has no PyTorch equivalent; "
                         "only variant='pytorch' can be exported or imported")


def _split(layer, arrays, grads):
    """rnnlab dict -> PyTorch-named dict (for parameters or, with grads=True, gradients)."""
    _check_layer(layer)
    H = layer.hidden_size
    out = {}
    for lyr, reverse, sfx, _ in layer.layer_directions():
        ts = _torch_suffix(lyr, reverse)
        b = np.asarray(arrays["b_h" + sfx])
        out["weight_ih" + ts] = np.array(arrays["w_x" + sfx])
        out["weight_hh" + ts] = np.array(arrays["w_h" + sfx])
        out["bias_ih" + ts] = b.copy()
        # the hidden bias gets the same gradient, but holds zero as a parameter
        bh = b.copy() if grads else np.zeros_like(b)
        if layer.cell == "gru":
            bh[2 * H:] = arrays["b_hn" + sfx]
        out["bias_hh" + ts] = bh
    return out


def _merge(layer, torch_dict, grads):
    """PyTorch-named dict -> rnnlab dict, validating names and shapes."""
    _check_layer(layer)
    H = layer.hidden_size
    expected = set(_split(layer, layer.params, grads=False))
    given = set(torch_dict)
    if given != expected:
        missing, extra = sorted(expected - given), sorted(given - expected)
        raise ValueError(f"PyTorch state does not fit this {layer!r}: missing {missing}, unexpected {extra}")
    out = {}
    for lyr, reverse, sfx, _ in layer.layer_directions():
        ts = _torch_suffix(lyr, reverse)
        arr = {k: np.asarray(torch_dict[k + ts], dtype=layer.dtype)
               for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        bi, bh = arr["bias_ih"], arr["bias_hh"]
        if layer.cell == "gru":
            b = bi.copy() if grads else np.concatenate([bi[: 2 * H] + bh[: 2 * H], bi[2 * H:]])
            out["b_hn" + sfx] = bh[2 * H:].copy()
        else:
            b = bi.copy() if grads else bi + bh
        out["w_x" + sfx], out["w_h" + sfx], out["b_h" + sfx] = arr["weight_ih"], arr["weight_hh"], b
    for name, shape in layer.param_shapes().items():
        if out[name].shape != shape:
            raise ValueError(f"PyTorch tensor for {name!r} has shape {out[name].shape}, expected {shape}")
    return {k: out[k] for k in layer.params}


def export_params(layer):
    """The layer's parameters under PyTorch's names and shapes (NumPy arrays)."""
    return _split(layer, layer.params, grads=False)


def import_params(layer, torch_state):
    """Copy a PyTorch-named state dict (NumPy or torch tensors) into ``layer.params`` in place."""
    arrays = {k: _to_numpy(v) for k, v in torch_state.items()}
    for name, value in _merge(layer, arrays, grads=False).items():
        layer.params[name][...] = value
    return layer


def export_grads(layer, grads):
    """rnnlab gradients -> the gradients PyTorch would hold under its names."""
    return _split(layer, grads, grads=True)


def import_grads(layer, torch_grads):
    """PyTorch-named gradients -> an rnnlab gradient dict (keys as ``layer.params``)."""
    return _merge(layer, {k: _to_numpy(v) for k, v in torch_grads.items()}, grads=True)


def _to_numpy(v):
    if hasattr(v, "detach"):
        v = v.detach().cpu().numpy()
    return np.asarray(v)


def to_torch(layer):
    """Build the equivalent ``torch.nn.RNN/GRU/LSTM`` holding this layer's weights.

    Needs PyTorch (optional; not a dependency of rnnlab).
    """
    import torch  # optional dependency, imported only here

    _check_layer(layer)
    cls = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[layer.cell]
    kw = {"nonlinearity": layer.activation} if layer.cell == "rnn" else {}
    if layer.cell == "rnn" and layer.activation == "sigmoid":
        raise ValueError("PyTorch's nn.RNN supports only tanh and relu, not sigmoid")
    dtype = torch.float64 if layer.dtype == np.float64 else torch.float32
    module = cls(layer.input_size, layer.hidden_size, num_layers=layer.num_layers,
                 bidirectional=layer.bidirectional, dtype=dtype, **kw)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in export_params(layer).items()}
    module.load_state_dict(state)
    return module


def from_torch(module, seed=0):
    """Build an rnnlab layer from a ``torch.nn.RNN/GRU/LSTM`` (same weights)."""
    from .layers import GRU, LSTM, RNN

    name = type(module).__name__
    if name not in ("RNN", "GRU", "LSTM"):
        raise TypeError(f"expected torch.nn.RNN, GRU or LSTM, got {name}")
    if getattr(module, "batch_first", False) or getattr(module, "proj_size", 0):
        raise ValueError("batch_first and proj_size modules are not supported; "
                         "rnnlab is time-first and has no projections")
    dtype = "float32" if next(module.parameters()).dtype.is_floating_point and \
        str(next(module.parameters()).dtype) == "torch.float32" else "float64"
    common = dict(num_layers=module.num_layers, bidirectional=module.bidirectional, seed=seed, dtype=dtype)
    if name == "RNN":
        layer = RNN(module.input_size, module.hidden_size, activation=module.nonlinearity, **common)
    elif name == "GRU":
        layer = GRU(module.input_size, module.hidden_size, **common)
    else:
        layer = LSTM(module.input_size, module.hidden_size, **common)
    return import_params(layer, module.state_dict())


__all__ = ["export_params", "import_params", "export_grads", "import_grads", "to_torch", "from_torch",
           "param_suffix"]
