"""rnnlab: recurrent neural networks in NumPy, to learn from.

The core (this package minus :mod:`rnnlab.widgets`) needs only NumPy. The
panels live in :mod:`rnnlab.widgets` and are imported only when asked for.

Notation (the tutorial's, used in names throughout)
----------------------------------------------------

=========  ===============  ==============================================
name       shape            meaning
=========  ===============  ==============================================
``x_t``    ``(N, D)``       input at step t (a batch of N sequences)
``h_t``    ``(N, H)``       hidden state, "the current context"; h_0 = 0
``w_x``    ``(G*H, D)``     input-to-hidden weights (G gate blocks)
``w_h``    ``(G*H, H)``     hidden-to-hidden weights, shared by all steps
``b_h``    ``(G*H,)``       recurrent bias
``w_y``    ``(O, H)``       hidden-to-output weights
``b_y``    ``(O,)``         output bias
``k``                       window length of truncated/windowed BPTT
=========  ===============  ==============================================

Simple RNN: ``h_t = f(w_x x_t + w_h h_{t-1} + b_h)``, output
``y_t = g(w_y h_t + b_y)``. Sequences are time first: ``x (T, N, D)``.
A gradient is ``d`` + the name: ``dw_h``.

Quick start::

    import rnnlab
    data = rnnlab.data.sine(n_samples=64, length=40)
    model = rnnlab.SequenceModel(1, 16, 1, cell="gru", seed=0)
    history = rnnlab.fit(model, data, epochs=30, lr=0.02)
    print(rnnlab.check_model_gradients(model, data.x[:, :4], data.y[:, :4]))
"""
from . import bptt, data, learner, optim, patterns, text, torch_layout  # torch_layout imports torch only when used
from .bptt import truncated_grads, truncation_fidelity
from .checks import check_model_gradients
from .data import Dataset, make_dataset
from .gradcheck import GradCheckResult, check_function, check_gradients, numerical_gradient
from .io import load, save
from .layers import CELLS, GRU, LSTM, RNN, make_layer
from .model import SequenceModel
from .patterns import PATTERNS, get_pattern
from .optim import OPTIMIZERS, make_optimizer
from .train import History, Trainer, TrainingDiverged, fit
from .cells import (gru_step_backward, gru_step_forward, lstm_step_backward, lstm_step_forward,
                    rnn_step_backward, rnn_step_forward)

__version__ = "0.1.0"

__all__ = [
    "RNN", "GRU", "LSTM", "CELLS", "make_layer", "SequenceModel", "PATTERNS", "get_pattern",
    "Trainer", "fit", "History", "TrainingDiverged", "OPTIMIZERS", "make_optimizer",
    "check_model_gradients", "check_gradients", "check_function", "numerical_gradient",
    "GradCheckResult", "truncated_grads", "truncation_fidelity", "save", "load",
    "Dataset", "make_dataset", "data", "text", "optim", "bptt", "torch_layout", "learner", "patterns",
    "rnn_step_forward", "rnn_step_backward", "gru_step_forward", "gru_step_backward",
    "lstm_step_forward", "lstm_step_backward",
]
