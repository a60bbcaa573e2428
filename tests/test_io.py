"""Saving and loading: bit-exact round trips, and every kind of bad file gives a
clear ValueError / FileNotFoundError without ever unpickling anything."""
import io
import json
import os
import pickle
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
