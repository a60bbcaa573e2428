"""Save and load models as ``.npz`` files, without pickle.

A file holds the model's configuration as a JSON string and every parameter
under ``param/<name>``, plus a format tag.

Saving never loses a model: the file is written under a temporary name in the
same folder and then renamed over the old one (``os.replace``, atomic), so a
save that is killed half-way leaves the previous file as it was. Weights that
hold NaN or infinity are refused by name.

Loading never unpickles anything (``allow_pickle=False``) and reads the
arrays' headers before their data: it checks the tag, the configuration, every
parameter's name, shape and dtype, and the memory they need against
:data:`rnnlab.layers.MAX_WEIGHT_BYTES` before anything is allocated. Any
damaged, truncated or foreign file gives a ``ValueError`` naming the file and
the problem. ``save(m, "name")`` writes ``name.npz``, and ``load("name")``
finds it. Round trips are bit for bit.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
import zlib

import numpy as np

from .layers import MAX_WEIGHT_BYTES
from .model import SequenceModel

FORMAT = "rnnlab-model/1"
_DAMAGED = (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError,
            UnicodeDecodeError, RuntimeError)  # zipfile's ways of saying "damaged" (even "encrypted")


def save(model, path):
    """Write ``model`` (configuration + weights) to ``path`` (``.npz`` added if missing).

    Atomic: the file appears complete or not at all, and an old file of that
    name stays intact until the new one is complete. Returns the path written.
    """
    if not isinstance(model, SequenceModel):
        raise TypeError(f"save expects a SequenceModel, got {type(model).__name__}")
    model.check_finite("saving")
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save the model as {path}: it is a folder")
    arrays = {"__format__": np.array(FORMAT), "__config__": np.array(json.dumps(model.config()))}
    arrays.update({f"param/{k}": v for k, v in model.params.items()})
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())  # on disk before it takes the old file's place
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def load(path):
    """Read a model written by :func:`save`.

    ``path`` may leave out the ``.npz`` suffix, as :func:`save` allows.
    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming
    the file and the problem for a truncated, corrupted, foreign or oversized
    one.
    """
    path = _existing(os.fspath(path))
    # Anything but a zip archive is refused here: given other bytes, np.load would
    # try pickle (and its error message suggests unpickling) or return a bare array.
    if not _is_npz(path):
        raise ValueError(f"{path} is not a readable rnnlab model file (truncated or corrupted?): "
                         "it is not an .npz (zip) archive")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n[:-4] if n.endswith(".npy") else n for n in zf.namelist()]
        if "__format__" not in names or "__config__" not in names:
            raise ValueError(f"{path} is an .npz file but not an rnnlab model "
                             f"(it holds {sorted(names)[:5]}...)")
        headers = _headers(path)
        with np.load(path, allow_pickle=False) as f:
            fmt = str(_entry(f, "__format__", path))
            if fmt != FORMAT:
                raise ValueError(f"{path} has format {fmt!r}; this rnnlab reads {FORMAT!r}")
            config = json.loads(str(_entry(f, "__config__", path)))
            model = _build(path, config, headers)  # checks sizes, shapes, dtypes before reading
            params = {k: _entry(f, "param/" + k, path) for k in model.params}
    except _DAMAGED as err:
        raise ValueError(f"{path} is not a readable rnnlab model file (truncated or corrupted?): "
                         f"{err}") from None
    except (KeyError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is damaged: {err}") from None
    bad = [f"params[{k!r}] ({v.size - np.count_nonzero(np.isfinite(v))} of {v.size})"
           for k, v in params.items() if not np.isfinite(v).all()]
    if bad:  # rnnlab.save refuses such weights, so another program wrote them
        raise ValueError(f"{path} holds NaN or infinite weights: {', '.join(bad)}; a model "
                         "cannot be made of them (rnnlab.save never writes such a file)")
    model.set_params(params)  # names, shapes and dtypes were checked against the headers
    return model


def _existing(path):
    """``path``, or ``path + ".npz"`` when only that exists (save adds the suffix)."""
    if os.path.exists(path):
        return path
    if not path.endswith(".npz") and os.path.exists(path + ".npz"):
        return path + ".npz"
    tried = "" if path.endswith(".npz") else f" (nor {path}.npz)"
    raise FileNotFoundError(f"no such model file: {path}{tried}")


def _headers(path):
    """``{name: (shape, dtype)}`` of every array in the archive, from the headers alone.

    An entry that is empty, cut short, or declares more data than it holds is
    refused before any array is read.
    """
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if info.file_size == 0:
                raise ValueError(f"{path}: entry {name!r} is empty (an interrupted save?)")
            with zf.open(info) as fh:
                try:
                    version = np.lib.format.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
                    else:
                        raise ValueError(f"array format version {version} is not one rnnlab writes")
                    header_size = fh.tell()
                except ValueError as err:
                    raise ValueError(f"{path}: entry {name!r} is not a readable array: {err}") from None
            if dtype.hasobject:
                raise ValueError(f"{path}: entry {name!r} is not a plain numeric or text array "
                                 f"(dtype {dtype}); rnnlab model files hold only numbers and text "
                                 "and are never unpickled")
            data = math.prod(shape) * dtype.itemsize
            if header_size + data != info.file_size:
                raise ValueError(f"{path}: entry {name!r} declares shape {shape} of {dtype} "
                                 f"({data:,} bytes) but holds {info.file_size - header_size:,} "
                                 "bytes of data: the file is damaged")
            out[name] = (shape, dtype)
    return out


def _build(path, config, headers):
    """The model the configuration describes, once its sizes and the file's arrays agree."""
    if not isinstance(config, dict):
        raise ValueError(f"{path} is damaged: its configuration is not a JSON object "
                         f"but {type(config).__name__}")
    declared = {k[len("param/"):]: v for k, v in headers.items() if k.startswith("param/")}
    total = sum(math.prod(shape) * dtype.itemsize for shape, dtype in declared.values())
    if total > MAX_WEIGHT_BYTES:
        raise ValueError(f"{path} declares {total:,} bytes of weights, more than rnnlab's limit "
                         f"of {MAX_WEIGHT_BYTES:,} (rnnlab.layers.MAX_WEIGHT_BYTES): damaged or "
                         "not a model this rnnlab can hold")
    try:
        shapes = SequenceModel.param_shapes_for(config)  # checks the sizes, allocates nothing
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path} holds a configuration this rnnlab cannot build: {err}") from None
    missing = sorted(set(shapes) - set(declared))
    extra = sorted(set(declared) - set(shapes))
    if missing or extra:
        raise ValueError(f"{path} does not match its own configuration: parameter names do not "
                         f"match: missing {missing}, unexpected {extra}")
    for name, shape in shapes.items():
        if tuple(declared[name][0]) != tuple(shape):
            raise ValueError(f"{path} does not match its own configuration: params[{name!r}] "
                             f"must have shape {tuple(shape)}, got {tuple(declared[name][0])}")
    try:
        model = SequenceModel(**config)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path} holds a configuration this rnnlab cannot build: {err}") from None
    want = np.dtype(model.dtype)
    for name, (_, dtype) in declared.items():
        if dtype != want:
            raise ValueError(f"{path}: parameter {name!r} has dtype {dtype}, expected {want}")
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
