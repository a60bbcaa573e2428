"""PyTorch as a second oracle: same weights in, same numbers out.

Random weights *and* random nonzero biases (both of PyTorch's bias vectors),
two layers, bidirectional, random initial states, float64. Outputs, final
states and every gradient (parameters, input, initial state) must agree to
1e-10 relative, in both directions of the name mapping.
"""
import numpy as np
import pytest

import rnnlab
from rnnlab import torch_layout

torch = pytest.importorskip("torch")

T, N, D, H = 6, 3, 4, 5
LAYERS = 2
REL_TOL = 1e-10

CASES = [("rnn", "tanh"), ("rnn", "relu"), ("gru", None), ("lstm", None)]
IDS = ["rnn-tanh", "rnn-relu", "gru", "lstm"]


def rel_diff(a, b):
    """max |a - b| / max |b|: the comparison the brief asks for."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def torch_module(cell, activation, seed, dtype=torch.float64):
    """A PyTorch module with every tensor (biases included) drawn from a seeded NumPy rng."""
    cls = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell]
    kw = {"nonlinearity": activation} if cell == "rnn" else {}
    module = cls(D, H, num_layers=LAYERS, bidirectional=True, dtype=dtype, **kw)
    rng = np.random.default_rng(seed)
    scale = 0.3 if activation == "relu" else 0.6  # keep relu from blowing up over 2 layers
    state = {k: torch.from_numpy(scale * rng.standard_normal(tuple(v.shape))).to(dtype)
             for k, v in module.state_dict().items()}
    assert all(torch.all(v != 0) for k, v in state.items() if k.startswith("bias"))
    module.load_state_dict(state)
    return module


def rnnlab_layer(cell, activation, dtype="float64"):
    kw = {"activation": activation} if cell == "rnn" else {}
    return rnnlab.make_layer(cell, D, H, num_layers=LAYERS, bidirectional=True, seed=123,
                             dtype=dtype, **kw)


def inputs(cell, seed):
    rng = np.random.default_rng(seed)
    LD = LAYERS * 2
    x = rng.standard_normal((T, N, D))
    h0 = rng.standard_normal((LD, N, H))
    c0 = rng.standard_normal((LD, N, H)) if cell == "lstm" else None
    dout = rng.standard_normal((T, N, 2 * H))
    wh = rng.standard_normal((LD, N, H))
    wc = rng.standard_normal((LD, N, H)) if cell == "lstm" else None
    return x, h0, c0, dout, wh, wc


def run_both(cell, activation, seed=0):
    """Forward and backward through a torch module and an rnnlab layer holding its weights."""
    module = torch_module(cell, activation, seed)
    layer = rnnlab_layer(cell, activation)
    torch_layout.import_params(layer, module.state_dict())
    x, h0, c0, dout, wh, wc = inputs(cell, seed + 1)

    # PyTorch
    tx = torch.tensor(x, requires_grad=True)
    th0 = torch.tensor(h0, requires_grad=True)
    if cell == "lstm":
        tc0 = torch.tensor(c0, requires_grad=True)
        tout, (th_n, tc_n) = module(tx, (th0, tc0))
        tloss = (tout * torch.tensor(dout)).sum() + (th_n * torch.tensor(wh)).sum() \
            + (tc_n * torch.tensor(wc)).sum()
    else:
        tout, th_n = module(tx, th0)
        tloss = (tout * torch.tensor(dout)).sum() + (th_n * torch.tensor(wh)).sum()
    tloss.backward()
    t = {"out": tout.detach().numpy(), "h_n": th_n.detach().numpy(), "dx": tx.grad.numpy(),
         "dh0": th0.grad.numpy(),
         "grads": {k: p.grad.numpy() for k, p in module.named_parameters()}}
    if cell == "lstm":
        t["c_n"], t["dc0"] = tc_n.detach().numpy(), tc0.grad.numpy()

    # rnnlab
    out, h_n, cache = layer.forward(x, (h0, c0) if cell == "lstm" else h0)
    dx, dh0, grads = layer.backward(dout, (wh, wc) if cell == "lstm" else wh, cache)
    r = {"out": out, "dx": dx, "grads": grads}
    if cell == "lstm":
        (r["h_n"], r["c_n"]), (r["dh0"], r["dc0"]) = h_n, dh0
    else:
        r["h_n"], r["dh0"] = h_n, dh0
    return module, layer, t, r


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def both(request):
    cell, activation = request.param
    return (cell, activation) + run_both(cell, activation)


def test_outputs_and_final_states_match(both):
    cell, _, _, _, t, r = both
    keys = ["out", "h_n"] + (["c_n"] if cell == "lstm" else [])
    for k in keys:
        assert rel_diff(r[k], t[k]) < REL_TOL, k


def test_input_and_initial_state_gradients_match(both):
    cell, _, _, _, t, r = both
    keys = ["dx", "dh0"] + (["dc0"] if cell == "lstm" else [])
    for k in keys:
        assert rel_diff(r[k], t[k]) < REL_TOL, k


def test_exported_gradients_match_torch_grads(both):
    _, _, module, layer, t, r = both
    exported = torch_layout.export_grads(layer, r["grads"])
    assert set(exported) == set(t["grads"]) == set(dict(module.named_parameters()))
    for name, g in t["grads"].items():
        assert rel_diff(exported[name], g) < REL_TOL, name


def test_imported_torch_gradients_match_rnnlab_grads(both):
    _, _, _, layer, t, r = both
    imported = torch_layout.import_grads(layer, t["grads"])
    assert list(imported) == list(layer.params)
    for name, g in r["grads"].items():
        assert rel_diff(imported[name], g) < REL_TOL, name


def test_torch_tensors_are_accepted_directly(both):
    _, _, module, layer, t, r = both
    tensors = {k: p.grad for k, p in module.named_parameters()}
    imported = torch_layout.import_grads(layer, tensors)
    for name in r["grads"]:
        np.testing.assert_array_equal(imported[name],
                                      torch_layout.import_grads(layer, t["grads"])[name])


@pytest.mark.parametrize("cell,activation", CASES, ids=IDS)
def test_export_import_round_trip_is_exact(cell, activation):
    layer = rnnlab_layer(cell, activation)
    rng = np.random.default_rng(7)
    for v in layer.params.values():
        v[...] = rng.standard_normal(v.shape)
    other = rnnlab.make_layer(cell, D, H, num_layers=LAYERS, bidirectional=True, seed=999,
                              **({"activation": activation} if cell == "rnn" else {}))
    torch_layout.import_params(other, torch_layout.export_params(layer))
    for k, v in layer.params.items():
        np.testing.assert_array_equal(other.params[k], v, err_msg=k)
    grads = {k: rng.standard_normal(v.shape) for k, v in layer.params.items()}
    back = torch_layout.import_grads(layer, torch_layout.export_grads(layer, grads))
    assert list(back) == list(grads)
    for k, g in grads.items():
        np.testing.assert_array_equal(back[k], g, err_msg=k)


@pytest.mark.parametrize("cell,activation", CASES, ids=IDS)
def test_from_torch_and_to_torch(cell, activation):
    module = torch_module(cell, activation, seed=3)
    layer = torch_layout.from_torch(module)
    assert (layer.cell, layer.num_layers, layer.bidirectional, layer.hidden_size) == (cell, LAYERS, True, H)
    assert layer.dtype == np.float64
    x = np.random.default_rng(4).standard_normal((T, N, D))
    with torch.no_grad():
        ref = module(torch.tensor(x))[0].numpy()
    out, _, _ = layer.forward(x)
    assert rel_diff(out, ref) < REL_TOL

    rebuilt = torch_layout.to_torch(layer)
    assert type(rebuilt) is type(module)
    assert rebuilt.num_layers == LAYERS and rebuilt.bidirectional and rebuilt.hidden_size == H
    if cell == "rnn":
        assert rebuilt.nonlinearity == activation
    with torch.no_grad():
        again = rebuilt(torch.tensor(x))[0].numpy()
    assert rel_diff(again, out) < REL_TOL


def test_original_gru_cannot_be_exported():
    layer = rnnlab.GRU(D, H, variant="original")
    for fn in (torch_layout.export_params, torch_layout.to_torch,
               lambda l: torch_layout.export_grads(l, l.params),
               lambda l: torch_layout.import_params(l, {})):
        with pytest.raises(ValueError, match="variant='original' has no PyTorch equivalent"):
            fn(layer)


def test_sigmoid_rnn_cannot_be_exported_to_torch():
    with pytest.raises(ValueError, match="only tanh and relu, not sigmoid"):
        torch_layout.to_torch(rnnlab.RNN(D, H, activation="sigmoid"))


def test_import_rejects_a_state_of_another_shape():
    module = torch.nn.GRU(D, H, num_layers=1, dtype=torch.float64)
    layer = rnnlab.GRU(D, H, num_layers=2)
    with pytest.raises(ValueError, match=r"missing \['bias_hh_l1'"):
        torch_layout.import_params(layer, module.state_dict())
    small = rnnlab.GRU(D, H + 1)
    with pytest.raises(ValueError, match=r"has shape .* expected"):
        torch_layout.import_params(small, module.state_dict())


@pytest.mark.parametrize("cell,activation", CASES, ids=IDS)
def test_float32_layer_forward_matches_torch(cell, activation):
    module = torch_module(cell, activation, seed=5, dtype=torch.float32)
    layer = torch_layout.from_torch(module)
    assert layer.dtype == np.float32
    assert all(v.dtype == np.float32 for v in layer.params.values())
    x = np.random.default_rng(6).standard_normal((T, N, D)).astype(np.float32)
    with torch.no_grad():
        ref = module(torch.from_numpy(x))[0].numpy()
    out, _, _ = layer.forward(x)
    assert out.dtype == np.float32
    assert rel_diff(out, ref) < 1e-5
