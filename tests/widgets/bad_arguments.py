"""Bad arguments a class of learners gives the panels, and what a clear error must say.

Each entry is ``(panel, keyword arguments, the argument the error must name)``.
A clear error is a ``TypeError`` or ``ValueError`` raised by the constructor
whose message names the argument and shows what was given (its ``repr`` or a
"got ..."); anything else (a silent clamp, ipywidgets' ``TraitError``, a
NumPy error, no error at all) is not clear. The list starts from the 46
arguments tried in issue 8 and adds their neighbours.
"""
import math

import numpy as np

BAD_ARGUMENTS = [
    # Playground
    ("Playground", dict(task="nope"), "task"),
    ("Playground", dict(task=3), "task"),
    ("Playground", dict(cell="xyz"), "cell"),
    ("Playground", dict(cell=3), "cell"),
    ("Playground", dict(activation="gelu"), "activation"),
    ("Playground", dict(hidden_size=0), "hidden_size"),
    ("Playground", dict(hidden_size=100), "hidden_size"),
    ("Playground", dict(hidden_size=10.5), "hidden_size"),
    ("Playground", dict(hidden_size="8"), "hidden_size"),
    ("Playground", dict(num_layers=0), "num_layers"),
    ("Playground", dict(num_layers=4), "num_layers"),
    ("Playground", dict(bidirectional="yes"), "bidirectional"),
    ("Playground", dict(bptt="tbptt"), "bptt"),
    ("Playground", dict(k=0), "k"),
    ("Playground", dict(k=1000), "k"),
    ("Playground", dict(task="echo", pattern="many-to-one"), "pattern"),
    ("Playground", dict(lr=0), "lr"),
    ("Playground", dict(lr=5.0), "lr"),
    ("Playground", dict(lr="fast"), "lr"),
    ("Playground", dict(lr=math.nan), "lr"),
    ("Playground", dict(optimizer="adamw"), "optimizer"),
    ("Playground", dict(clip=2), "clip"),
    ("Playground", dict(epochs=0), "epochs"),
    ("Playground", dict(epochs=2.5), "epochs"),
    ("Playground", dict(batch_size=0), "batch_size"),
    ("Playground", dict(seed=-1), "seed"),
    ("Playground", dict(seed=1.5), "seed"),
    ("Playground", dict(log_scale=1), "log_scale"),
    ("Playground", dict(draw_interval="x"), "draw_interval"),
    ("Playground", dict(draw_interval=-1), "draw_interval"),
    ("Playground", dict(hide="nope"), "hide"),
    ("Playground", dict(hide=[1]), "hide"),
    ("Playground", dict(settings="{not json"), "settings"),
    ("Playground", dict(settings=3), "settings"),
    ("Playground", dict(settings={"hiden_size": 4}), "hiden_size"),
    ("Playground", dict(hiden_size=4), "hiden_size"),
    # UnfoldingView
    ("UnfoldingView", dict(k=0), "k"),
    ("UnfoldingView", dict(k=13), "k"),
    ("UnfoldingView", dict(k=2.5), "k"),
    ("UnfoldingView", dict(hidden_size=1), "hidden_size"),
    ("UnfoldingView", dict(hidden_size=5), "hidden_size"),
    ("UnfoldingView", dict(m=-1), "hidden_size"),
    ("UnfoldingView", dict(activation="nope"), "activation"),
    ("UnfoldingView", dict(seed=-1), "seed"),
    ("UnfoldingView", dict(inputs="1, 2, abc"), "inputs"),
    ("UnfoldingView", dict(inputs=""), "inputs"),
    ("UnfoldingView", dict(inputs=[1.0, np.nan, 2.0]), "inputs"),
    ("UnfoldingView", dict(inputs=3), "inputs"),
    ("UnfoldingView", dict(k=8, inputs="1, 2, 3, 4, 5, 6"), "k"),
    # ActivationView
    ("ActivationView", dict(activation="nope"), "activation"),
    ("ActivationView", dict(scale=0), "scale"),
    ("ActivationView", dict(scale=10), "scale"),
    ("ActivationView", dict(T=2), "T"),
    ("ActivationView", dict(T="30"), "T"),
    ("ActivationView", dict(seed=-1), "seed"),
    ("ActivationView", dict(hidden_size=0), "hidden_size"),
    ("ActivationView", dict(hidden_size=17), "hidden_size"),
    # BPTTView
    ("BPTTView", dict(T=5), "T"),
    ("BPTTView", dict(T=21), "T"),
    ("BPTTView", dict(k=0), "k"),
    ("BPTTView", dict(T=10, k=11), "k"),
    ("BPTTView", dict(pattern="one-to-one"), "pattern"),
    ("BPTTView", dict(seed=-1), "seed"),
    ("BPTTView", dict(hidden_size=0), "hidden_size"),
    ("BPTTView", dict(batch_size=0), "batch_size"),
    # GradientFlowView
    ("GradientFlowView", dict(T=5), "T"),
    ("GradientFlowView", dict(scale=0), "scale"),
    ("GradientFlowView", dict(gate_bias=-1), "gate_bias"),
    ("GradientFlowView", dict(activation="gelu"), "activation"),
    ("GradientFlowView", dict(cells="xyz"), "cells"),
    ("GradientFlowView", dict(cells=["rnn", 3]), "cells"),
    ("GradientFlowView", dict(cells=5), "cells"),
    ("GradientFlowView", dict(seed=-1), "seed"),
    ("GradientFlowView", dict(hidden_size=0), "hidden_size"),
    ("GradientFlowView", dict(batch_size=0), "batch_size"),
    ("GradientFlowView", dict(epochs=0), "epochs"),
    # StateInspector
    ("StateInspector", dict(task="nope"), "task"),
    ("StateInspector", dict(cell="xyz"), "cell"),
    ("StateInspector", dict(hidden_size=0), "hidden_size"),
    ("StateInspector", dict(hidden_size=100), "hidden_size"),
    ("StateInspector", dict(epochs=0), "epochs"),
    ("StateInspector", dict(seed=-1), "seed"),
    ("StateInspector", dict(max_samples=0), "max_samples"),
    ("StateInspector", dict(model="a model", data=np.zeros((5, 2, 1))), "model"),
    ("StateInspector", dict(draw_interval="x"), "draw_interval"),
    # PatternsView
    ("PatternsView", dict(pattern="nope"), "pattern"),
    ("PatternsView", dict(cell="xyz"), "cell"),
    ("PatternsView", dict(epochs=0), "epochs"),
    ("PatternsView", dict(seed=-1), "seed"),
    ("PatternsView", dict(draw_interval=0), "draw_interval"),
    # GradCheckView
    ("GradCheckView", dict(cell="xyz"), "cell"),
    ("GradCheckView", dict(pattern="nope"), "pattern"),
    ("GradCheckView", dict(activation="nope"), "activation"),
    ("GradCheckView", dict(num_layers=0), "num_layers"),
    ("GradCheckView", dict(num_layers=4), "num_layers"),
    ("GradCheckView", dict(bidirectional="yes"), "bidirectional"),
    ("GradCheckView", dict(seed=-1), "seed"),
    ("GradCheckView", dict(tol=0), "tol"),
    ("GradCheckView", dict(tol="x"), "tol"),
    ("GradCheckView", dict(check="yes"), "check"),
]

#: names accepted in any case wherever the core accepts them
CASE_INSENSITIVE = [
    ("Playground", dict(cell="LSTM"), "cell", "lstm"),
    ("Playground", dict(optimizer="Adam"), "optimizer", "adam"),
    ("Playground", dict(task="Echo"), "task", "echo"),
    ("StateInspector", dict(cell="LSTM"), "cell", "lstm"),
    ("PatternsView", dict(cell="RNN"), "cell", "rnn"),
    ("PatternsView", dict(pattern="Many_To_One"), "pattern", "many-to-one"),
    ("GradCheckView", dict(cell="GRU"), "cell", "gru-pytorch"),
    ("GradCheckView", dict(cell="LSTM", check=False), "cell", "lstm"),
    ("UnfoldingView", dict(activation="ReLU"), "activation", "relu"),
    ("ActivationView", dict(activation="Sigmoid"), "activation", "sigmoid"),
    ("BPTTView", dict(pattern="Many-To-Many"), "pattern", "many-to-many"),
    ("GradientFlowView", dict(cells="GRU"), "cells", ("gru",)),
]


def clear_error(panel_class, kwargs, argument):
    """``(clear, what happened)`` for constructing ``panel_class(**kwargs)``."""
    try:
        panel = panel_class(**kwargs)
    except (TypeError, ValueError) as err:
        text = str(err)
        names_it = argument.lower() in text.lower()
        shows_it = ("got" in text or f"unknown setting {argument!r}" in text
                    or any(repr(v) in text for v in kwargs.values()
                           if not isinstance(v, np.ndarray)))
        return names_it and shows_it, f"{type(err).__name__}: {text}"
    except Exception as err:  # noqa: BLE001 - anything else is what the table looks for
        return False, f"{type(err).__name__}: {err}"
    settings = getattr(panel, "settings", lambda: {})()
    stop = getattr(panel, "stop", None)
    if stop is not None:
        stop()
    return False, f"accepted silently (now {settings.get(argument, '?')!r})"
