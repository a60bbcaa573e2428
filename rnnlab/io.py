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
import zlib

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
    # Anything but a zip archive is refused here: given other bytes, np.load would
    # try pickle (and its error message suggests unpickling) or return a bare array.
    if not _is_npz(path):
        raise ValueError(f"{path} is not a readable rnnlab model file (truncated or corrupted?): "
                         "it is not an .npz (zip) archive")
    try:
        with np.load(path, allow_pickle=False) as f:
            names = set(f.files)
            if "__format__" not in names or "__config__" not in names:
                raise ValueError(f"{path} is an .npz file but not an rnnlab model "
                                 f"(it holds {sorted(names)[:5]}...)")
            fmt = str(_entry(f, "__format__", path))
            if fmt != FORMAT:
                raise ValueError(f"{path} has format {fmt!r}; this rnnlab reads {FORMAT!r}")
            config = json.loads(str(_entry(f, "__config__", path)))
            params = {k[len("param/"):]: _entry(f, k, path) for k in names if k.startswith("param/")}
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError, UnicodeDecodeError,
            RuntimeError) as err:  # zipfile's ways of saying "damaged" (even "encrypted")
        raise ValueError(f"{path} is not a readable rnnlab model file (truncated or corrupted?): {err}") from None
    except (KeyError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is damaged: {err}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{path} is damaged: its configuration is not a JSON object "
                         f"but {type(config).__name__}")
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


def _entry(npz, key, path):
    """One array of the archive, read without pickle; object arrays are refused."""
    try:
        return npz[key]
    except ValueError as err:  # object arrays (allow_pickle=False) or a damaged header
        raise ValueError(f"{path}: entry {key!r} is not a plain numeric or text array ({err}); "
                         "rnnlab model files hold only numbers and text and are never "
                         "unpickled") from None


def _is_npz(path):
    """True for a zip archive that ``np.load`` will open as one (it checks the first bytes)."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError:  # a directory, no permission...
        return False
    return magic == b"PK\x03\x04" and zipfile.is_zipfile(path)
