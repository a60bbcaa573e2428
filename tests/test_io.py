"""Saving and loading: bit-exact round trips, and every kind of bad file gives a
clear ValueError / FileNotFoundError without ever unpickling anything."""
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import rnnlab

CASES = [dict(cell="rnn", activation="relu"), dict(cell="rnn", activation="sigmoid"),
         dict(cell="gru"), dict(cell="gru", gru_variant="original"), dict(cell="lstm")]
IDS = ["rnn-relu", "rnn-sigmoid", "gru", "gru-original", "lstm"]


def trained_looking(model, seed=0):
    """Give every parameter arbitrary values (nothing like the initialisation)."""
    rng = np.random.default_rng(seed)
    model.set_params({k: rng.standard_normal(v.shape) for k, v in model.params.items()})
    return model


def assert_same_model(a, b, x):
    assert a.config() == b.config()
    assert list(a.params) == list(b.params)
    for k in a.params:
        assert b.params[k].dtype == a.params[k].dtype, k
        np.testing.assert_array_equal(b.params[k], a.params[k], err_msg=k)
    pa, pb = a.predict(x), b.predict(x)
    assert pa.dtype == pb.dtype
    np.testing.assert_array_equal(pa, pb)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_round_trip_is_bit_exact(tmp_path, kw, dtype):
    m = trained_looking(rnnlab.SequenceModel(3, 4, 2, num_layers=2, bidirectional=True,
                                             dtype=dtype, seed=1, **kw))
    path = rnnlab.save(m, tmp_path / "model")
    assert path == str(tmp_path / "model.npz") and os.path.exists(path)
    loaded = rnnlab.load(path)
    x = np.random.default_rng(2).standard_normal((5, 3, 3))
    assert_same_model(m, loaded, x)
    assert loaded.dtype == np.dtype(dtype)


@pytest.mark.parametrize("pattern,loss", [("encoder-decoder", "cross-entropy"),
                                          ("one-to-many", "mse"), ("many-to-one", "cross-entropy")])
def test_round_trip_keeps_pattern_loss_and_lengths(tmp_path, pattern, loss):
    m = trained_looking(rnnlab.SequenceModel(2, 3, 4, cell="lstm", pattern=pattern, loss=loss,
                                             output_length=3, seed=7))
    loaded = rnnlab.load(rnnlab.save(m, tmp_path / "m.npz"))
    assert (loaded.pattern, loaded.loss_name, loaded.output_length) == (pattern, loss, 3)
    T = 1 if pattern == "one-to-many" else 4
    assert_same_model(m, loaded, np.random.default_rng(3).standard_normal((T, 2, 2)))


def test_model_with_output_activation_round_trips(tmp_path):
    m = trained_looking(rnnlab.SequenceModel(1, 3, 1, output_activation="sigmoid", seed=4))
    loaded = rnnlab.load(rnnlab.save(m, tmp_path / "m"))
    assert loaded.output_activation == "sigmoid"
    assert_same_model(m, loaded, np.linspace(-1, 1, 6))


def test_a_loaded_model_trains_on(tmp_path):
    data = rnnlab.data.sine(n_samples=8, length=10)
    m = rnnlab.SequenceModel(1, 4, 1, cell="gru", seed=0)
    rnnlab.fit(m, data, epochs=2)
    loaded = rnnlab.load(rnnlab.save(m, tmp_path / "m"))
    h1 = rnnlab.fit(m, data, epochs=2, seed=1)
    h2 = rnnlab.fit(loaded, data, epochs=2, seed=1)
    assert h1.update_loss == h2.update_loss


def test_save_does_not_write_pickles(tmp_path):
    m = rnnlab.SequenceModel(2, 3, 1, cell="lstm")
    path = rnnlab.save(m, tmp_path / "m")
    with np.load(path, allow_pickle=False) as f:  # would raise on any object array
        for k in f.files:
            assert f[k].dtype != object
        assert json.loads(str(f["__config__"])) == m.config()


def test_save_rejects_non_models(tmp_path):
    with pytest.raises(TypeError, match="save expects a SequenceModel, got GRU"):
        rnnlab.save(rnnlab.GRU(2, 3), tmp_path / "layer")


# ---------------------------------------------------------------------------
# bad files
# ---------------------------------------------------------------------------

NOT_READABLE = r"is not a readable rnnlab model file \(truncated or corrupted\?\)"


@pytest.fixture()
def saved(tmp_path):
    m = rnnlab.SequenceModel(2, 3, 2, cell="lstm", num_layers=2, bidirectional=True)
    path = rnnlab.save(m, tmp_path / "good")
    with open(path, "rb") as fh:
        return m, fh.read(), tmp_path


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _assert_clear(err, path):
    msg = str(err.value)
    assert str(path) in msg  # says which file
    assert "allow_pickle=` keyword" not in msg  # numpy's advice to unpickle is not passed on


@pytest.mark.parametrize("keep", [0, 4, 100, 0.5, -30, -1])
def test_truncated_file(saved, keep):
    _, data, tmp_path = saved
    n = int(len(data) * keep) if isinstance(keep, float) else keep
    path = _write(tmp_path, "cut.npz", data[:n])
    with pytest.raises(ValueError, match=NOT_READABLE) as err:
        rnnlab.load(path)
    _assert_clear(err, path)


def test_random_bytes(saved):
    _, data, tmp_path = saved
    path = _write(tmp_path, "random.npz", np.random.default_rng(0).bytes(len(data)))
    with pytest.raises(ValueError, match=NOT_READABLE) as err:
        rnnlab.load(path)
    _assert_clear(err, path)


def test_corrupted_files_only_ever_raise_value_error(saved):
    """Seeded damage anywhere in a good file: a clear ValueError, or (when the damage
    hits bytes nothing reads, e.g. a timestamp) the very same model."""
    m, data, tmp_path = saved
    rng = np.random.default_rng(1)
    outcomes = {"error": 0, "same": 0}
    for i in range(300):
        bad = bytearray(data)
        pos = int(rng.integers(len(data) - 16))
        if i % 2:
            bad[pos : pos + 16] = rng.bytes(16)
        else:
            bad[pos] ^= int(rng.integers(1, 256))
        path = _write(tmp_path, "corrupt.npz", bytes(bad))
        try:
            loaded = rnnlab.load(path)
        except ValueError as err:
            assert str(err).startswith(str(path)), str(err)
            outcomes["error"] += 1
        else:
            for k in m.params:
                np.testing.assert_array_equal(loaded.params[k], m.params[k])
            outcomes["same"] += 1
    assert outcomes["error"] > 200


def test_compressed_and_corrupted(tmp_path):
    m = rnnlab.SequenceModel(2, 3, 1)
    arrays = {"__format__": np.array("rnnlab-model/1"), "__config__": np.array(json.dumps(m.config())),
              **{f"param/{k}": v for k, v in m.params.items()}}
    good = tmp_path / "zipped.npz"
    np.savez_compressed(good, **arrays)
    assert_same_model(m, rnnlab.load(good), np.ones((3, 1, 2)))
    data = bytearray(good.read_bytes())
    rng = np.random.default_rng(2)
    for _ in range(100):
        bad = bytearray(data)
        pos = int(rng.integers(len(data) - 8))
        bad[pos : pos + 8] = rng.bytes(8)
        path = _write(tmp_path, "zc.npz", bytes(bad))
        try:
            rnnlab.load(path)
        except ValueError as err:
            assert str(err).startswith(str(path)), str(err)


def test_foreign_npz(tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, w=np.ones((3, 3)), b=np.zeros(3))
    with pytest.raises(ValueError, match=r"is an .npz file but not an rnnlab model \(it holds \['b', 'w'\]"):
        rnnlab.load(path)


def test_npy_file(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match=NOT_READABLE + ": it is not an .npz"):
        rnnlab.load(path)


def test_text_file(tmp_path):
    path = _write(tmp_path, "notes.npz", b"w_x = [[1, 2], [3, 4]]\n")
    with pytest.raises(ValueError, match=NOT_READABLE) as err:
        rnnlab.load(path)
    _assert_clear(err, path)


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model file: .*nothing-here.npz"):
        rnnlab.load(tmp_path / "nothing-here.npz")


def test_directory(tmp_path):
    with pytest.raises(ValueError, match=NOT_READABLE):
        rnnlab.load(tmp_path)


class _Payload:
    """Unpickling this object would create a file: proof that pickle ran."""

    marker = None

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _payload(tmp_path):
    _Payload.marker = str(tmp_path / "PWNED")
    return _Payload()


def test_object_array_in_npz_is_rejected_not_executed(tmp_path):
    m = rnnlab.SequenceModel(2, 3, 1)
    arrays = {"__format__": np.array("rnnlab-model/1"), "__config__": np.array(json.dumps(m.config())),
              **{f"param/{k}": v for k, v in m.params.items()}}
    arrays["param/w_x"] = np.array([_payload(tmp_path)], dtype=object)
    path = tmp_path / "evil.npz"
    np.savez(path, allow_pickle=True, **arrays)
    with pytest.raises(ValueError, match=r"entry 'param/w_x' is not a plain numeric or text array.*"
                                         r"never unpickled") as err:
        rnnlab.load(path)
    _assert_clear(err, path)
    assert not (tmp_path / "PWNED").exists()


def test_object_config_is_rejected_not_executed(tmp_path):
    path = tmp_path / "evil-config.npz"
    np.savez(path, allow_pickle=True, __format__=np.array("rnnlab-model/1"),
             __config__=np.array([_payload(tmp_path)], dtype=object))
    with pytest.raises(ValueError, match="entry '__config__' is not a plain numeric or text array"):
        rnnlab.load(path)
    assert not (tmp_path / "PWNED").exists()


def test_plain_pickle_is_rejected_not_executed(tmp_path):
    path = _write(tmp_path, "model.npz", pickle.dumps({"w_x": _payload(tmp_path)}))
    with pytest.raises(ValueError, match=NOT_READABLE) as err:
        rnnlab.load(path)
    _assert_clear(err, path)
    assert not (tmp_path / "PWNED").exists()


def test_pickle_with_a_zip_appended_is_rejected_not_executed(saved):
    """is_zipfile looks at the end of a file, np.load at its start: both must agree."""
    _, data, tmp_path = saved
    path = _write(tmp_path, "polyglot.npz", pickle.dumps(_payload(tmp_path)) + data)
    with pytest.raises(ValueError, match=NOT_READABLE) as err:
        rnnlab.load(path)
    _assert_clear(err, path)
    assert not (tmp_path / "PWNED").exists()


def _rewrite(tmp_path, src, name, change):
    """Copy an rnnlab file, letting ``change(dict_of_arrays)`` alter its contents."""
    with np.load(src) as f:
        arrays = {k: f[k] for k in f.files}
    change(arrays)
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_wrong_format_tag(saved):
    m, _, tmp_path = saved
    path = _rewrite(tmp_path, tmp_path / "good.npz", "v2.npz",
                    lambda a: a.update({"__format__": np.array("rnnlab-model/2")}))
    with pytest.raises(ValueError, match=r"has format 'rnnlab-model/2'; this rnnlab reads 'rnnlab-model/1'"):
        rnnlab.load(path)


@pytest.mark.parametrize("config,pattern", [
    ("{not json", "is damaged"),
    ("[1, 2]", "configuration is not a JSON object but list"),
    ('{"input_size": 2}', "holds a configuration this rnnlab cannot build"),
    ('{"input_size": 2, "hidden_size": 3, "output_size": 2, "cell": "transformer"}',
     "cannot build: unknown cell 'transformer'; valid: gru, lstm, rnn"),
])
def test_damaged_config(saved, config, pattern):
    _, _, tmp_path = saved
    path = _rewrite(tmp_path, tmp_path / "good.npz", "cfg.npz",
                    lambda a: a.update({"__config__": np.array(config)}))
    with pytest.raises(ValueError, match=pattern):
        rnnlab.load(path)


def test_parameters_that_do_not_fit_the_config(saved):
    _, _, tmp_path = saved
    path = _rewrite(tmp_path, tmp_path / "good.npz", "shape.npz",
                    lambda a: a.update({"param/w_y": np.zeros((2, 5))}))
    with pytest.raises(ValueError, match=r"does not match its own configuration: params\['w_y'\] "
                                         r"must have shape \(2, 6\), got \(2, 5\)"):
        rnnlab.load(path)
    path = _rewrite(tmp_path, tmp_path / "good.npz", "missing.npz", lambda a: a.pop("param/b_y"))
    with pytest.raises(ValueError, match=r"missing \['b_y'\]"):
        rnnlab.load(path)
    path = _rewrite(tmp_path, tmp_path / "good.npz", "dtype.npz",
                    lambda a: a.update({"param/b_y": a["param/b_y"].astype(np.float32)}))
    with pytest.raises(ValueError, match="parameter 'b_y' has dtype float32, expected float64"):
        rnnlab.load(path)
    path = _rewrite(tmp_path, tmp_path / "good.npz", "text.npz",
                    lambda a: a.update({"param/b_y": np.array(["a", "b"])}))
    with pytest.raises(ValueError, match="parameter 'b_y' has dtype <U1, expected float64"):
        rnnlab.load(path)


def test_zip_that_is_not_npz(tmp_path):
    path = tmp_path / "archive.npz"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    path.write_bytes(buf.getvalue())
    with pytest.raises(ValueError, match="is an .npz file but not an rnnlab model"):
        rnnlab.load(path)


# ---------------------------------------------------------------------------
# saving never loses a model
# ---------------------------------------------------------------------------

KILL_MIDWAY = r"""
import os, signal, sys
import numpy as np
import rnnlab

calls = {"n": 0}
original = np.lib.format.write_array

def write_array(fp, array, *args, **kwargs):
    calls["n"] += 1
    if calls["n"] == 4:  # a few arrays written: die the hard way, mid-file
        fp.write(b"x" * 100)
        os.kill(os.getpid(), signal.SIGKILL)
    return original(fp, array, *args, **kwargs)

np.lib.format.write_array = write_array
model = rnnlab.SequenceModel(1, 32, 1, cell="lstm", num_layers=2, seed=5)
rnnlab.save(model, sys.argv[1])
"""

SAVE_BIG = r"""
import sys
import rnnlab
model = rnnlab.SequenceModel(1, 1500, 1, cell="lstm", seed=5)  # 72 MB of weights
print("saving", flush=True)
rnnlab.save(model, sys.argv[1])  # about 0.25 s
print("saved", flush=True)
"""


def _same_weights(a, b):
    return a.params.keys() == b.params.keys() and all(
        np.array_equal(a.params[k], b.params[k]) for k in a.params)


def _run_python(code, *args, timeout=120):
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], timeout=timeout,
                          capture_output=True, text=True)


def test_a_save_killed_midway_leaves_the_old_file_intact(tmp_path):
    old = trained_looking(rnnlab.SequenceModel(1, 4, 1, seed=1))
    path = rnnlab.save(old, tmp_path / "model.npz")
    proc = _run_python(KILL_MIDWAY, path)
    assert proc.returncode == -signal.SIGKILL, proc.stderr  # it really died during the save
    assert _same_weights(rnnlab.load(path), old)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["model.npz"]


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.08, 0.15])
def test_a_large_save_killed_at_any_moment_never_leaves_a_broken_file(tmp_path, delay):
    old = trained_looking(rnnlab.SequenceModel(1, 4, 1, seed=1))
    path = rnnlab.save(old, tmp_path / "model.npz")
    proc = subprocess.Popen([sys.executable, "-c", SAVE_BIG, path], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "saving"
    time.sleep(delay)  # into the save (or, on a slow day, past it): any moment must be safe
    proc.kill()
    proc.wait(timeout=60)
    loaded = rnnlab.load(path)  # the old model or the new one, never a broken file
    assert _same_weights(loaded, old) or loaded.hidden_size == 1500


def test_an_interrupted_save_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    old = trained_looking(rnnlab.SequenceModel(1, 4, 1, seed=1))
    path = rnnlab.save(old, tmp_path / "model.npz")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rnnlab.save(rnnlab.SequenceModel(1, 5, 1, seed=2), path)
    monkeypatch.undo()
    assert _same_weights(rnnlab.load(path), old)
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left


def test_save_and_load_agree_on_the_suffix(tmp_path):
    m = trained_looking(rnnlab.SequenceModel(1, 3, 1, seed=1))
    written = rnnlab.save(m, tmp_path / "noext")
    assert written == str(tmp_path / "noext.npz")
    assert _same_weights(rnnlab.load(tmp_path / "noext"), m)
    with pytest.raises(FileNotFoundError, match=r"no such model file: .*missing \(nor .*missing\.npz\)"):
        rnnlab.load(tmp_path / "missing")
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        rnnlab.save(m, tmp_path / "folder")


def test_non_finite_weights_are_refused_by_name_and_nothing_is_written(tmp_path):
    m = rnnlab.SequenceModel(1, 3, 1, seed=1)
    m.params["b_y"][0] = np.inf
    with pytest.raises(ValueError, match=r"params\['b_y'\] \(1 of 1\) hold\(s\) NaN or infinite "
                                         r"values, so saving cannot go on"):
        rnnlab.save(m, tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_file_with_non_finite_weights_is_refused_by_name(saved):
    # rnnlab.save never writes one; another program may. The error says what is wrong with
    # the file, not that it "does not match its own configuration"
    _, _, tmp_path = saved

    def spoil(arrays):
        arrays["param/w_h"] = arrays["param/w_h"].copy()
        arrays["param/w_h"][0, :2] = [np.nan, np.inf]

    path = _rewrite(tmp_path, tmp_path / "good.npz", "nan.npz", spoil)
    with pytest.raises(ValueError, match=r"nan.npz holds NaN or infinite weights: "
                                         r"params\['w_h'\] \(2 of 36\)") as err:
        rnnlab.load(path)
    assert "configuration" not in str(err.value)


def _zip(path, members):
    """An .npz-like zip: ``{name: raw bytes}``."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _npy(array=None, header=None):
    """The bytes of an .npy file, optionally with a header that lies about its shape."""
    buf = io.BytesIO()
    if header is None:
        np.lib.format.write_array(buf, array)
    else:
        np.lib.format.write_array_header_1_0(buf, header)
        buf.write(b"\0" * 8)
    return buf.getvalue()


def _members(model):
    out = {"__format__.npy": _npy(np.array("rnnlab-model/1")),
           "__config__.npy": _npy(np.array(json.dumps(model.config())))}
    out.update({f"param/{k}.npy": _npy(v) for k, v in model.params.items()})
    return out


def _peak_bytes(fn):
    """Peak memory NumPy and Python allocate while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
    except (ValueError, TypeError):
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_an_empty_entry_from_an_interrupted_save_is_named(tmp_path):
    members = _members(rnnlab.SequenceModel(2, 3, 1))
    members["param/w_x.npy"] = b""
    path = _zip(tmp_path / "empty.npz", members)
    with pytest.raises(ValueError, match=r"empty.npz: entry 'param/w_x' is empty \(an interrupted save\?\)"):
        rnnlab.load(path)


def test_a_huge_declared_shape_is_refused_before_allocating(tmp_path):
    members = _members(rnnlab.SequenceModel(2, 3, 1))
    members["param/w_x.npy"] = _npy(header={"descr": "<f8", "fortran_order": False,
                                            "shape": (10**12,)})
    path = _zip(tmp_path / "huge.npz", members)
    with pytest.raises(ValueError, match=r"huge.npz: entry 'param/w_x' declares shape "
                                         r"\(1000000000000,\) of float64 \(8,000,000,000,000 bytes\) "
                                         r"but holds 8 bytes of data: the file is damaged"):
        rnnlab.load(path)
    assert _peak_bytes(lambda: rnnlab.load(path)) < 5e6


def test_a_small_file_with_a_huge_configuration_is_refused_before_allocating(tmp_path):
    small = rnnlab.SequenceModel(2, 3, 1, cell="gru")
    for hidden, message in ((6000, r"does not match its own configuration: params\['w_x'\] must "
                                     r"have shape \(18000, 2\), got \(9, 2\)"),
                            (100_000, r"cannot build: hidden_size=100000 is too large: the weights "
                                      r"would need 240 GB")):
        members = _members(small)
        members["__config__.npy"] = _npy(np.array(json.dumps({**small.config(),
                                                              "hidden_size": hidden})))
        path = _zip(tmp_path / f"gru{hidden}.npz", members)
        assert path.stat().st_size < 5000
        with pytest.raises(ValueError, match=message):
            rnnlab.load(path)
        assert _peak_bytes(lambda: rnnlab.load(path)) < 5e6  # 1.7 GB before this check


def test_weights_over_the_limit_are_refused_from_the_headers(tmp_path, monkeypatch):
    path = rnnlab.save(rnnlab.SequenceModel(2, 16, 1), tmp_path / "m.npz")
    monkeypatch.setattr(rnnlab.io, "MAX_WEIGHT_BYTES", 1000)
    with pytest.raises(ValueError, match=r"m.npz declares 2,568 bytes of weights, more than "
                                         r"rnnlab's limit of 1,000"):
        rnnlab.load(path)


@pytest.mark.parametrize("make, message", [
    (lambda: rnnlab.SequenceModel(1, 100_000, 1), r"hidden_size=100000 is too large: the weights "
                                                  r"would need 80 GB"),
    (lambda: rnnlab.SequenceModel(10**9, 4, 1), r"input_size=1000000000 is too large"),
    (lambda: rnnlab.SequenceModel(1, 4, 10**9), r"output_size=1000000000 is too large: the weights "
                                                r"would need 40 GB"),
    (lambda: rnnlab.LSTM(1, 64, num_layers=10**6), r"num_layers=1000000 is too large"),
    (lambda: rnnlab.GRU(1, 30_000, dtype="float32"), r"hidden_size=30000 is too large: the weights "
                                                     r"would need 10.8 GB \(2,700,210,000 numbers of "
                                                     r"float32\)"),
])
def test_absurd_sizes_name_the_argument_and_the_memory(make, message):
    with pytest.raises(ValueError, match=message + r".*rnnlab keeps a model's weights under 1 GB"):
        make()
    assert _peak_bytes(make) < 5e6
