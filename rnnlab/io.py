"""Save and load models as ``.npz`` files, without pickle.

A file holds the model's configuration as a JSON string and every parameter
under ``param/<name>``, plus a format tag. Loading never unpickles anything
(``allow_pickle=False``), checks the tag, the configuration and every
parameter's shape and dtype, and round-trips bit for bit.
"""
from __future__ import annotations

import json
import os
import zipfile

import numpy as np

FORMAT = "rnnlab-model/1"


def save(model, path):
    """Write ``model`` (configuration + weights) to ``path`` (``.npz`` added if missing).

    Returns the path written.
    """
    from .model import SequenceModel

    if not isinstance(model, SequenceModel):
        raise TypeError(f"save expects a SequenceModel, got {type(model).__name__}")
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    arrays = {"__format__": np.array(FORMAT), "__config__": np.array(json.dumps(model.config()))}
    arrays.update({f"param/{k}": v for k, v in model.params.items()})
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def load(path):
    """Read a model written by :func:`save`.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` with a
    plain explanation for a truncated, corrupted or foreign file.
    """
    from .model import SequenceModel

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such model file: {path}")
    try:
        with np.load(path, allow_pickle=False) as f:
            names = set(f.files)
            if "__format__" not in names or "__config__" not in names:
                raise ValueError(f"{path} is an .npz file but not an rnnlab model "
                                 f"(it holds {sorted(names)[:5]}...)")
            fmt = str(f["__format__"])
            if fmt != FORMAT:
                raise ValueError(f"{path} has format {fmt!r}; this rnnlab reads {FORMAT!r}")
            config = json.loads(str(f["__config__"]))
            params = {k[len("param/"):]: f[k] for k in names if k.startswith("param/")}
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise ValueError(f"{path} is not a readable rnnlab model file (truncated or corrupted?): {err}") from None
    except (KeyError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is damaged: {err}") from None
    try:
        model = SequenceModel(**config)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path} holds a configuration this rnnlab cannot build: {err}") from None
    for k, v in params.items():
        if k in model.params and v.dtype != model.params[k].dtype:
            raise ValueError(f"{path}: parameter {k!r} has dtype {v.dtype}, expected {model.params[k].dtype}")
    try:
        model.set_params(params)
    except ValueError as err:
        raise ValueError(f"{path} does not match its own configuration: {err}") from None
    return model
