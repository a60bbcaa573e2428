"""Every public entry point checks its arguments before computing and says, in
the learner's terms, which argument is wrong, what was expected and what was
given. No bare NumPy error ever reaches the learner."""
import threading

import numpy as np
import pytest

import rnnlab
from rnnlab import torch_layout

# phrases of NumPy / Python errors that a learner should never have to decode
FOREIGN = ("operands could not be broadcast", "matmul", "not aligned", "has no attribute",
           "is not callable", "could not convert", "cannot reshape", "index ", "unsupported operand",
           "object is not iterable", "positional argument", "unexpected keyword")

D, H, O = 2, 3, 1
T, N = 5, 4
RNG = np.random.default_rng(0)
X = RNG.standard_normal((T, N, D))
Y = RNG.standard_normal((T, N, O))


def model(**kw):
    return rnnlab.SequenceModel(**{"input_size": D, "hidden_size": H, "output_size": O, **kw})


M = model()
M_LSTM = model(cell="lstm")
M_CE = model(loss="cross-entropy", output_size=3)
M_M2O = model(pattern="many-to-one")
M_BI = model(bidirectional=True, num_layers=2)
Y_CE = RNG.integers(0, 3, size=(T, N))


def check(fn, exc, pattern):
    with pytest.raises(exc, match=pattern) as err:
        fn()
    msg = str(err.value)
    for phrase in FOREIGN:
        assert phrase not in msg, f"message reads like a NumPy/Python error: {msg!r}"
    assert err.type is exc  # exactly TypeError/ValueError, not a subclass from deep inside
    return msg


def with_nan(a, value=np.nan):
    a = np.array(a, dtype=float)
    a.flat[3] = value
    return a


CASES = {
    # ---- x: dimensions, shape, features, contents -------------------------------
    "x 4-d": (lambda: M.predict(np.zeros((T, N, D, 1))), ValueError,
              r"x must have shape \(T, N, D\), \(T, D\) or \(T,\), got 4 dimensions \(5, 4, 2, 1\)"),
    "x 0-d": (lambda: M.predict(3.0), ValueError, r"x must have shape \(T, N, D\).*got 0 dimensions"),
    "x features": (lambda: M.predict(np.zeros((T, N, 3))), ValueError,
                   r"x must have 2 feature\(s\) in its last axis \(T, N, 2\), got shape \(5, 4, 3\)"),
    "x single-sequence features": (lambda: M.predict(np.zeros((T, 3))), ValueError,
                                   r"x as a single sequence must have shape \(T, 2\), got \(5, 3\)"),
    "x scalar series for D=2": (lambda: M.predict(np.zeros(T)), ValueError,
                                r"x must have 2 feature\(s\).*got shape \(5, 1, 1\)"),
    "x no steps": (lambda: M.predict(np.zeros((0, N, D))), ValueError,
                   r"x must have at least one time step, got shape \(0, 4, 2\)"),
    "x no sequences": (lambda: M.predict(np.zeros((T, 0, D))), ValueError,
                       r"x must hold at least one sequence \(N >= 1\), got shape \(5, 0, 2\)"),
    "x object": (lambda: M.predict(np.array([[1.0, None]] * T, dtype=object)), TypeError,
                 "x must hold numbers, got an array of dtype object"),
    "x strings": (lambda: M.predict([["a", "b"]] * T), TypeError,
                  "x must hold numbers, got an array of dtype <U1"),
    "x None": (lambda: M.predict(None), TypeError, "x must hold numbers"),
    "x complex": (lambda: M.predict(np.zeros((T, N, D), complex)), TypeError,
                  "x must be real, got complex dtype complex128"),
    "x ragged": (lambda: M.predict([[1.0, 2.0], [3.0]]), ValueError, "x could not be turned into an array"),
    "x NaN": (lambda: M.predict(with_nan(X)), ValueError,
              r"x contains 1 NaN or infinite value\(s\); clean the data first"),
    "x inf": (lambda: M.loss(with_nan(X, np.inf), Y), ValueError, r"x contains 1 NaN or infinite value"),
    "x NaN in fit": (lambda: rnnlab.fit(model(), with_nan(X), Y), ValueError, "x contains 1 NaN"),
    "x NaN in layer": (lambda: rnnlab.GRU(D, H).forward(with_nan(X)), ValueError, "x contains 1 NaN"),
    "x features in layer": (lambda: rnnlab.LSTM(D, H).forward(np.zeros((T, N, 5))), ValueError,
                            r"x must have 2 feature\(s\).*got shape \(5, 4, 5\)"),
    "x features in trace": (lambda: M.trace(np.zeros((T, N, 1))), ValueError, r"x must have 2 feature"),
    "x features in gradcheck": (lambda: rnnlab.check_model_gradients(M, np.zeros((T, N, 3)), Y),
                                ValueError, r"x must have 2 feature"),
    "x two steps for one-to-one": (lambda: model(pattern="one-to-one").predict(X), ValueError,
                                   r"pattern one-to-one takes one input step: x must have shape "
                                   r"\(1, N, 2\), got \(5, 4, 2\)"),
    # ---- y ------------------------------------------------------------------------
    "y NaN": (lambda: M.loss(X, with_nan(Y)), ValueError, r"y contains 1 NaN or infinite value\(s\)"),
    "y inf": (lambda: M.loss_and_grads(X, with_nan(Y, -np.inf)), ValueError, "y contains 1 NaN"),
    "y NaN in fit": (lambda: rnnlab.fit(model(), X, with_nan(Y)), ValueError, "y contains 1 NaN"),
    "y object": (lambda: M.loss(X, np.empty((T, N, O), dtype=object)), TypeError,
                 "y must hold numbers, got an array of dtype object"),
    "y strings": (lambda: M.loss(X, np.full((T, N, O), "1.0")), TypeError, "y must hold numbers"),
    "y shape": (lambda: M.loss(X, np.zeros((T, N, 2))), ValueError,
                r"y must have shape \(T, N, O\) = \(5, 4, 1\) for pattern many-to-many with loss mse, "
                r"got \(5, 4, 2\)"),
    "y steps": (lambda: M.loss(X, np.zeros((T + 1, N, O))), ValueError,
                r"y must have shape \(T, N, O\) = \(5, 4, 1\).*got \(6, 4, 1\)"),
    "y batch size": (lambda: M.loss(X, np.zeros((T, N - 1, O))), ValueError,
                     r"x has N=4 sequences but y has shape \(5, 3, 1\): the batch sizes differ"),
    "y batch size many-to-one": (lambda: M_M2O.loss(X, np.zeros((N + 2, O))), ValueError,
                                 r"x has N=4 sequences but y has shape \(6, 1\): the batch sizes differ"),
    "y batch size in fit": (lambda: rnnlab.fit(model(), X, Y[:, :2]), ValueError,
                            "x has N=4 sequences but y has shape .*the batch sizes differ"),
    "y batch size cross-entropy": (lambda: M_CE.loss(X, Y_CE[:, :3]), ValueError,
                                   r"x has N=4 sequences but y has shape \(5, 3\)"),
    "y class id too large": (lambda: M_CE.loss(X, np.full((T, N), 3)), ValueError,
                             r"y holds class ids from 3 to 3, but the model has output_size=3 classes "
                             r"\(valid ids 0..2\)"),
    "y class id negative": (lambda: M_CE.loss_and_grads(X, np.full((T, N), -1)), ValueError,
                            r"y holds class ids from -1 to -1.*valid ids 0..2"),
    "y class id in fit": (lambda: rnnlab.fit(model(loss="cross-entropy", output_size=3), X,
                                             np.full((T, N), 7)), ValueError, "valid ids 0..2"),
    "y fractional class ids": (lambda: M_CE.loss(X, np.full((T, N), 0.5)), TypeError,
                               "y must hold integer class ids for loss='cross-entropy'"),
    "y one-hot for cross-entropy": (lambda: M_CE.loss(X, np.zeros((T, N, 3))), ValueError,
                                    r"y must have shape \(T, N\) = \(5, 4\) for pattern many-to-many "
                                    r"with loss cross-entropy, got \(5, 4, 3\)"),
    "y missing": (lambda: rnnlab.fit(model(), X), TypeError,
                  r"pass training data as fit\(model, x, y\), fit\(model, \(x, y\)\) or a Dataset with .x and .y; got ndarray and no y"),
    # ---- h0 -------------------------------------------------------------------------
    "h0 batch": (lambda: M.predict(X, h0=np.zeros((1, N + 1, H))), ValueError,
                 r"h0 must have shape \(layers\*directions, N, H\) = \(1, 4, 3\), got \(1, 5, 3\)"),
    "h0 layers": (lambda: M_BI.predict(X, h0=np.zeros((2, N, H))), ValueError,
                  r"h0 must have shape \(layers\*directions, N, H\) = \(4, 4, 3\), got \(2, 4, 3\)"),
    "h0 hidden": (lambda: M.loss(X, Y, h0=np.zeros((1, N, H + 1))), ValueError,
                  r"h0 must have shape .* = \(1, 4, 3\), got \(1, 4, 4\)"),
    "h0 NaN": (lambda: M.predict(X, h0=with_nan(np.zeros((1, N, H)))), ValueError, "h0 contains 1 NaN"),
    "h0 LSTM not a pair": (lambda: M_LSTM.predict(X, h0=np.zeros((1, N, H))), TypeError,
                           r"h0 for an LSTM must be a pair \(h, c\), got ndarray"),
    "h0 LSTM c shape": (lambda: M_LSTM.predict(X, h0=(np.zeros((1, N, H)), np.zeros((1, N, 2)))),
                        ValueError, r"h0 must have shape .* = \(1, 4, 3\), got \(1, 4, 2\)"),
    "h0 in layer": (lambda: rnnlab.RNN(D, H).forward(X, np.zeros((1, 2, H))), ValueError,
                    r"h0 must have shape .* = \(1, 4, 3\), got \(1, 2, 3\)"),
    "h0 in gradcheck": (lambda: rnnlab.check_model_gradients(M, X, Y, h0=np.zeros((3, N, H))),
                        ValueError, r"h0 must have shape"),
    # ---- sizes -----------------------------------------------------------------------
    "hidden_size 0": (lambda: model(hidden_size=0), ValueError, "hidden_size must be >= 1, got 0"),
    "hidden_size negative": (lambda: rnnlab.GRU(D, -3), ValueError, "hidden_size must be >= 1, got -3"),
    "hidden_size float": (lambda: model(hidden_size=2.5), TypeError,
                          "hidden_size must be an integer, got float 2.5"),
    "hidden_size string": (lambda: rnnlab.LSTM(D, "8"), TypeError, "hidden_size must be an integer, got str '8'"),
    "hidden_size bool": (lambda: model(hidden_size=True), TypeError, "hidden_size must be an integer, got bool"),
    "input_size 0": (lambda: model(input_size=0), ValueError, "input_size must be >= 1, got 0"),
    "output_size 0": (lambda: model(output_size=0), ValueError, "output_size must be >= 1, got 0"),
    "num_layers 0": (lambda: model(num_layers=0), ValueError, "num_layers must be >= 1, got 0"),
    "bidirectional string": (lambda: model(bidirectional="yes"), TypeError,
                             "bidirectional must be True or False, got 'yes'"),
    "output_length 0": (lambda: model(pattern="one-to-many", output_length=0), ValueError,
                        "output_length must be >= 1, got 0"),
    "output_length missing": (lambda: model(pattern="one-to-many").predict(X[:1]), ValueError,
                              "pattern one-to-many needs output_length: pass it to the model or to this call"),
    "output_length float": (lambda: model(pattern="encoder-decoder").predict(X, output_length=2.0),
                            TypeError, "output_length must be an integer, got float 2.0"),
    "cross-entropy one class": (lambda: model(loss="cross-entropy", output_size=1), ValueError,
                                "cross-entropy needs output_size >= 2 classes, got 1"),
    "dtype": (lambda: model(dtype="float16"), ValueError, "dtype must be float64 or float32, got float16"),
    "seed negative": (lambda: model(seed=-1), ValueError, "seed must be >= 0, got -1"),
    "seed float": (lambda: rnnlab.RNN(D, H, seed=0.5), TypeError, "seed must be an integer, got float 0.5"),
    # ---- names: the message lists the valid ones --------------------------------------
    "cell": (lambda: model(cell="transformer"), ValueError,
             "unknown cell 'transformer'; valid: gru, lstm, rnn"),
    "cell in make_layer": (lambda: rnnlab.make_layer("elman", D, H), ValueError,
                           "unknown cell 'elman'; valid: gru, lstm, rnn"),
    "cell not a string": (lambda: model(cell=3), TypeError,
                          r"cell must be a string, one of \['gru', 'lstm', 'rnn'\]; got int 3"),
    "activation": (lambda: model(activation="softplus"), ValueError,
                   "unknown activation 'softplus'; valid: relu, sigmoid, tanh"),
    "activation in layer": (lambda: rnnlab.RNN(D, H, activation="gelu"), ValueError,
                            "unknown activation 'gelu'; valid: relu, sigmoid, tanh"),
    "pattern": (lambda: model(pattern="many-to-few"), ValueError,
                "unknown pattern 'many-to-few'; valid: encoder-decoder, many-to-many, many-to-one, "
                "one-to-many, one-to-one"),
    "loss": (lambda: model(loss="hinge"), ValueError, "unknown loss 'hinge'; valid: cross-entropy, mse"),
    "output_activation": (lambda: model(output_activation="softmax"), ValueError,
                          "unknown output_activation 'softmax'; valid: identity, relu, sigmoid, tanh"),
    "gru_variant": (lambda: model(cell="gru", gru_variant="cudnn"), ValueError,
                    "unknown variant 'cudnn'; valid: original, pytorch"),
    "optimizer": (lambda: rnnlab.fit(model(), X, Y, optimizer="lbfgs"), ValueError,
                  "unknown optimizer 'lbfgs'; valid: adagrad, adam, momentum, rmsprop, sgd"),
    "optimizer in make_optimizer": (lambda: rnnlab.make_optimizer("adamw"), ValueError,
                                    "unknown optimizer 'adamw'; valid: adagrad, adam, momentum"),
    "bptt": (lambda: rnnlab.fit(model(), X, Y, bptt="tbptt"), ValueError,
             "unknown bptt 'tbptt'; valid: full, truncated, windowed"),
    # ---- k ---------------------------------------------------------------------------------
    "k 0": (lambda: rnnlab.truncated_grads(M, X, Y, k=0), ValueError,
            "k must be between 1 and the sequence length T=5, got k=0"),
    "k > T": (lambda: rnnlab.truncated_grads(M, X, Y, k=6), ValueError,
              "k must be between 1 and the sequence length T=5, got k=6"),
    "k > T in fit": (lambda: rnnlab.fit(model(), X, Y, bptt="windowed", k=9), ValueError,
                     "k must be between 1 and the sequence length T=5, got k=9"),
    "k < 1 in fidelity": (lambda: rnnlab.truncation_fidelity(M, X, Y, ks=[-2]), ValueError,
                          "k must be between 1 and the sequence length T=5, got k=-2"),
    "k float": (lambda: rnnlab.fit(model(), X, Y, bptt="truncated", k=2.5), TypeError,
                "k must be an integer, got float 2.5"),
    # ---- training settings --------------------------------------------------------------
    "lr 0": (lambda: rnnlab.fit(model(), X, Y, lr=0), ValueError, r"lr must be > 0(\.0)?, got 0"),
    "lr negative": (lambda: rnnlab.fit(model(), X, Y, lr=-0.1), ValueError, r"lr must be > 0(\.0)?, got -0.1"),
    "lr NaN": (lambda: rnnlab.fit(model(), X, Y, lr=float("nan")), ValueError, "lr must be finite, got nan"),
    "lr string": (lambda: rnnlab.fit(model(), X, Y, lr="0.1"), TypeError, "lr must be a number, got str '0.1'"),
    "batch_size > N": (lambda: rnnlab.fit(model(), X, Y, batch_size=N + 1), ValueError,
                       "batch_size must be at most the number of training sequences 4, got 5"),
    "batch_size > N after split": (lambda: rnnlab.fit(model(), X, Y, batch_size=4, validation_split=0.25),
                                   ValueError, "batch_size must be at most the number of training sequences 3"),
    "batch_size 0": (lambda: rnnlab.fit(model(), X, Y, batch_size=0), ValueError, "batch_size must be >= 1, got 0"),
    "epochs negative": (lambda: rnnlab.fit(model(), X, Y, epochs=-1), ValueError, "epochs must be >= 0, got -1"),
    "clip_norm 0": (lambda: rnnlab.fit(model(), X, Y, clip_norm=0), ValueError, r"clip_norm must be > 0"),
    "clip_value negative": (lambda: rnnlab.fit(model(), X, Y, clip_value=-1), ValueError,
                            r"clip_value must be > 0"),
    "validation_split 1": (lambda: rnnlab.fit(model(), X, Y, validation_split=1.0), ValueError,
                           r"validation_split must be <= 0.9, got 1.0"),
    "validation_split too small": (lambda: rnnlab.fit(model(), X, Y, validation_split=0.01), ValueError,
                                   r"validation_split=0.01 leaves 0 of 4 sequences for validation"),
    "valid and validation_split": (lambda: rnnlab.fit(model(), X, Y, valid=(X, Y), validation_split=0.5),
                                   ValueError, "give either valid data or validation_split, not both"),
    "valid x features": (lambda: rnnlab.fit(model(), X, Y, valid=(X[:, :, :1], Y)), ValueError,
                         r"x must have 2 feature\(s\)"),
    "patience 0": (lambda: rnnlab.fit(model(), X, Y, patience=0), ValueError, "patience must be >= 1, got 0"),
    "trainer seed": (lambda: rnnlab.fit(model(), X, Y, seed=-5), ValueError, "seed must be >= 0, got -5"),
    "callback": (lambda: rnnlab.fit(model(), X, Y, callback=3), TypeError,
                 r"callback must be a function callback\(trainer, event\), got int"),
    "stop_event": (lambda: rnnlab.fit(model(), X, Y, stop_event=True), TypeError,
                   "stop_event must be a threading.Event, got bool"),
    "model in fit": (lambda: rnnlab.fit("gru", X, Y), TypeError,
                     "model must be an rnnlab.SequenceModel, got str"),
    "model in Trainer": (lambda: rnnlab.Trainer(rnnlab.GRU(D, H), X, Y), TypeError,
                         "model must be an rnnlab.SequenceModel, got GRU"),
    "model in gradcheck": (lambda: rnnlab.check_model_gradients(rnnlab.GRU(D, H), X, Y), TypeError,
                           "model must be an rnnlab.SequenceModel, got GRU"),
    "model in truncated_grads": (lambda: rnnlab.truncated_grads(None, X, Y, k=2), TypeError,
                                 "model must be an rnnlab.SequenceModel, got NoneType"),
    "model in truncation_fidelity": (lambda: rnnlab.truncation_fidelity({}, X, Y), TypeError,
                                     "model must be an rnnlab.SequenceModel, got dict"),
    "gradcheck bptt": (lambda: rnnlab.check_model_gradients(M, X, Y, bptt="truncated"), ValueError,
                       "gradient checks compare with the full BPTT gradient"),
    # ---- other entry points -------------------------------------------------------------
    "layer backward dout": (lambda: rnnlab.GRU(D, H).backward(np.zeros((T, N, 4)), None,
                                                            rnnlab.GRU(D, H).forward(X)[2]),
                            ValueError, r"dout must have shape \(T, N, dirs\*H\) = \(5, 4, 3\), got \(5, 4, 4\)"),
    "set_params NaN": (lambda: model().set_params({**M.get_params(), "w_y": np.full((O, H), np.nan)}),
                       ValueError, r"params\['w_y'\] contains 3 NaN"),
    "set_params shape": (lambda: model().set_params({**M.get_params(), "b_y": np.zeros(2)}), ValueError,
                         r"params\['b_y'\] must have shape \(1,\), got \(2,\)"),
    "hidden_grad_norms layer": (lambda: M.hidden_grad_norms(X, Y, layer=1), ValueError,
                                r"layer must be <= 0, got 1"),
    "hidden_grad_norms direction": (lambda: M.hidden_grad_norms(X, Y, direction="reverse"),
                                    ValueError, r"direction='reverse' needs a bidirectional model"),
    "torch import wrong names": (lambda: torch_layout.import_params(rnnlab.GRU(D, H), {"weight": np.zeros(3)}),
                                 ValueError, r"PyTorch state does not fit this GRU.*missing \['bias_hh_l0'"),
    "torch export of a non-layer": (lambda: torch_layout.export_params(M), TypeError,
                                    "expected an rnnlab RNN, GRU or LSTM layer, got SequenceModel"),
    "load missing": (lambda: rnnlab.load("/nonexistent/model.npz"), FileNotFoundError,
                     "no such model file: /nonexistent/model.npz"),
    "save non-model": (lambda: rnnlab.save(rnnlab.RNN(D, H), "/tmp/never-written"), TypeError,
                       "save expects a SequenceModel, got RNN"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_clearly(case):
    fn, exc, pattern = CASES[case]
    check(fn, exc, pattern)


def test_bad_training_settings_leave_the_model_untouched():
    """Validation happens before any work: no update, no callback, same weights."""
    calls = []
    m = model(cell="gru")
    before = m.get_params()
    bad = [dict(lr=0), dict(batch_size=N + 1), dict(optimizer="nope"), dict(bptt="truncated", k=T + 1),
           dict(clip_norm=-1), dict(patience=0), dict(validation_split=2)]
    for kw in bad:
        with pytest.raises((TypeError, ValueError)):
            rnnlab.fit(m, X, Y, callback=lambda tr, ev: calls.append(ev), epochs=2, **kw)
    assert calls == []
    for k, v in m.params.items():
        np.testing.assert_array_equal(v, before[k])


def test_dataset_of_another_pattern_is_refused():
    data = rnnlab.data.sine(n_samples=4, length=T)  # many-to-many targets (T, N, 1)
    m = rnnlab.SequenceModel(1, H, 1, pattern="many-to-one")
    check(lambda: rnnlab.fit(m, data), ValueError,
          r"y must have shape \(N, O\) = \(4, 1\) for pattern many-to-one with loss mse, got \(5, 4, 1\)")


def test_valid_data_not_a_pair():
    check(lambda: rnnlab.fit(model(), X, Y, valid=X), TypeError,
          r"valid must be an \(x, y\) pair or a Dataset with .x and .y; got ndarray")


def test_lr_set_on_a_running_optimizer_is_checked():
    tr = rnnlab.Trainer(model(), X, Y, optimizer="sgd", lr=0.1, epochs=1)
    check(lambda: setattr(tr.optimizer, "lr", -1.0), ValueError, r"lr must be > 0")
    assert tr.optimizer.lr == 0.1


def test_aliases_are_accepted():
    """Friendly spellings that are not errors (so the checks are not over-eager)."""
    m = model(cell="GRU", pattern="seq2seq", loss="mse", output_length=2)
    assert (m.cell, m.pattern) == ("gru", "encoder-decoder")
    assert model(loss="ce", output_size=2).loss_name == "cross-entropy"
    assert model(hidden_size=np.int64(4)).hidden_size == 4
    assert rnnlab.fit(model(), X, Y, epochs=1, stop_event=threading.Event()).stopped == "completed"
    assert rnnlab.fit(model(), X.tolist(), Y.tolist(), epochs=1).stopped == "completed"
