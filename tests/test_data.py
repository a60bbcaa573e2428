"""Data sets: layouts the models rely on, determinism, targets as documented,
the shipped files, and clear errors."""
import csv
from pathlib import Path

import numpy as np
import pytest

from rnnlab import data, text
from rnnlab.data import DATASETS, Dataset, make_dataset

DATASET_DIR = Path(data.__file__).resolve().parent / "datasets"
SMALL = {"text": {"seq_len": 20, "n_samples": 30}}  # keep the one-hot text small here


def make(name, **kwargs):
    return make_dataset(name, **{**SMALL.get(name, {}), **kwargs})


def check_layout(ds):
    """The shape and dtype contract of the module docstring."""
    t, n, d = ds.x.shape
    assert ds.x.dtype == np.float64 and np.isfinite(ds.x).all()
    assert (ds.n_samples, ds.input_size) == (n, d)
    classes = ds.loss == "cross-entropy"
    if classes:
        assert ds.y.dtype == np.int64
        assert 0 <= ds.y.min() and ds.y.max() < ds.output_size == ds.meta["n_classes"]
    else:
        assert ds.y.dtype == np.float64 and np.isfinite(ds.y).all()
        assert ds.output_size == ds.y.shape[-1]
    tail = () if classes else (ds.output_size,)
    if ds.pattern == "many-to-many":
        assert ds.y.shape == (t, n) + tail
    elif ds.pattern in ("many-to-one", "one-to-one"):
        assert ds.y.shape == (n,) + tail
    else:  # one-to-many, encoder-decoder: own output length
        assert ds.y.shape[1:] == (n,) + tail
    if ds.pattern in ("one-to-one", "one-to-many"):
        assert t == 1
    assert isinstance(ds.description, str) and len(ds.description) > 20


EXPECTED_PATTERN = {
    "sine": "many-to-many", "noisy-sine": "many-to-many", "echo": "many-to-many",
    "adding": "many-to-one", "copy": "many-to-many", "fill-in-middle": "many-to-many",
    "classification": "many-to-one", "generation": "one-to-many",
    "two-to-three": "encoder-decoder", "one-to-one": "one-to-one",
    "multivariate-sine": "many-to-many", "sunspots": "many-to-one", "text": "many-to-many",
}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_registered_dataset_follows_the_layout(name, capsys):
    ds = make(name, seed=3)
    check_layout(ds)
    assert ds.pattern == EXPECTED_PATTERN[name]
    assert capsys.readouterr() == ("", "")  # nothing prints


@pytest.mark.parametrize("name", sorted(set(DATASETS) - {"sunspots"}))
def test_same_seed_same_bits_other_seed_other_data(name):
    a, b, c = make(name, seed=7), make(name, seed=7), make(name, seed=8)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not (np.array_equal(a.x, c.x) and np.array_equal(a.y, c.y))
    d = make(name, seed=np.random.default_rng(7))  # a Generator works as a seed
    assert np.array_equal(d.x, a.x) and np.array_equal(d.y, a.y)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        make_dataset("sinus")
    assert "sinus" in str(err.value)
    for name in DATASETS:
        assert name in str(err.value)


def test_make_dataset_passes_arguments_on():
    assert make_dataset("echo", length=9, delay=2, n_samples=5).x.shape == (9, 5, 1)
    assert make_dataset("Sine", n_samples=3).n_samples == 3  # names are case-insensitive


@pytest.mark.parametrize("call, words", [
    (lambda: data.sine(n_samples=-1), "n_samples"),
    (lambda: data.sine(n_samples=0), "n_samples"),
    (lambda: data.echo(length=5, delay=5), "delay"),
    (lambda: data.echo(delay=0), "delay"),
    (lambda: data.sine(freq=(0.2, 0.1)), "freq"),
    (lambda: data.sine(freq=(0.1, 0.7)), "freq[1]"),
    (lambda: data.sine(noise=-0.1), "noise"),
    (lambda: data.sine(seed=-1), "seed"),
    (lambda: data.fill_in_middle(length=7, gap=6), "gap"),
    (lambda: data.classification(n_classes=5), "n_classes"),
    (lambda: data.copy_task(n_symbols=1), "n_symbols"),
    (lambda: data.windows(np.arange(5.0), length=5), "too short"),
    (lambda: data.sunspots(test_fraction=1.5), "test_fraction"),
])
def test_bad_arguments_raise_value_errors_naming_them(call, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        call()


@pytest.mark.parametrize("call, words", [
    (lambda: data.sine(n_samples=2.5), "n_samples must be an integer"),
    (lambda: data.sine(length=True), "length must be an integer"),
    (lambda: data.sine(freq="fast"), "freq"),
    (lambda: data.echo(seed="x"), "seed"),
])
def test_wrong_types_raise_type_errors(call, words):
    with pytest.raises(TypeError, match=words):
        call()


# ---------------------------------------------------------------- targets

def test_sine_targets_are_the_next_clean_values():
    ds = data.sine(n_samples=6, length=15, horizon=3, seed=1)
    clean = ds.meta["clean"][..., 0]  # (T, N)
    assert np.array_equal(ds.x[..., 0], clean)
    for k in range(3):
        np.testing.assert_allclose(ds.y[:15 - 1 - k, :, k], clean[1 + k:])
    # multi-step targets at t are the one-step targets at t, t+1, t+2
    np.testing.assert_allclose(ds.y[:-2, :, 1], ds.y[1:-1, :, 0])
    # amplitude and frequency stay in the documented ranges
    assert np.all(np.abs(ds.x) <= 1.0) and np.all((0.05 <= ds.meta["freq"]) & (ds.meta["freq"] <= 0.15))


def test_noisy_sine_has_noisy_inputs_and_the_same_clean_targets():
    clean, noisy = data.sine(seed=4), data.sine(noise=0.3, seed=4)
    assert noisy.name == "noisy-sine"
    assert np.array_equal(noisy.y, clean.y)
    assert np.array_equal(noisy.meta["clean"], clean.x)
    assert 0.2 < np.std(noisy.x - clean.x) < 0.4
    assert make_dataset("noisy-sine").meta["noise"] > 0


def test_echo_repeats_the_input_delay_steps_later():
    ds = data.echo(n_samples=50, length=12, delay=4, seed=2)
    assert np.array_equal(ds.y[4:], ds.x[:-4])
    assert np.all(ds.y[:4] == 0)


def test_echo_cannot_be_solved_from_the_current_input():
    ds = data.echo(n_samples=2000, length=20, delay=3, seed=0)
    x_now, y = ds.x[3:].ravel(), ds.y[3:].ravel()
    r = np.corrcoef(x_now, y)[0, 1]
    assert r ** 2 < 0.01  # best linear fit from x_t explains ~nothing
    assert ds.meta["baseline_mse"] == pytest.approx(np.mean((ds.y - ds.y.mean()) ** 2))


def test_adding_marks_one_step_per_half_and_sums_them():
    ds = data.adding(n_samples=3000, length=30, seed=5)
    values, marker = ds.x[..., 0], ds.x[..., 1]
    assert np.all(marker.sum(axis=0) == 2)
    assert np.all(marker[:15].sum(axis=0) == 1) and np.all(marker[15:].sum(axis=0) == 1)
    assert np.all((0 <= values) & (values <= 1))
    np.testing.assert_allclose(ds.y[:, 0], (values * marker).sum(axis=0))
    assert ds.meta["baseline_mse"] == pytest.approx(np.mean((ds.y - 1.0) ** 2))
    assert ds.meta["baseline_mse"] == pytest.approx(1 / 6, abs=0.01)


def test_copy_task_reproduces_the_symbols_after_the_delimiter():
    ds = data.copy_task(n_samples=40, n_symbols=5, seq_len=4, delay=7, seed=6)
    total, blank, delimiter = 4 + 7 + 4, 5, 6
    assert ds.x.shape == (total, 40, 7) and ds.output_size == 6
    assert np.all(ds.x.sum(axis=-1) == 1)  # one-hot
    ids = ds.x.argmax(axis=-1)
    assert np.array_equal(ds.y[-4:], ids[:4])  # the answer is the first seq_len inputs
    assert np.all(ds.y[:-4] == blank)
    assert np.all(ids[4 + 7 - 1] == delimiter)
    assert np.all(ids[4:4 + 7 - 1] == blank) and np.all(ids[-4:] == blank)
    assert np.array_equal(ds.meta["symbols"], ids[:4].T)
    assert ds.meta["baseline_loss"] == pytest.approx(4 * np.log(5) / total)


def test_fill_in_middle_hides_the_centre_and_marks_it():
    ds = data.fill_in_middle(n_samples=10, length=21, gap=5, seed=7)
    mask = ds.meta["mask"]
    assert mask.shape == (21, 10) and mask.dtype == bool
    assert np.array_equal(np.flatnonzero(mask[:, 0]), np.arange(8, 13))
    assert np.array_equal(ds.x[..., 1], mask.astype(float))
    assert np.all(ds.x[..., 0][mask] == 0)
    assert np.array_equal(ds.x[..., 0][~mask], ds.y[..., 0][~mask])
    assert np.all(ds.y[..., 0][mask] != 0)


def test_classification_is_balanced_and_named():
    ds = data.classification(n_samples=300, n_classes=3, seed=8)
    assert np.array_equal(np.bincount(ds.y), [100, 100, 100])
    assert ds.meta["class_names"] == ["sine", "square", "sawtooth"]
    clean = data.classification(n_samples=60, n_classes=3, noise=0.0, seed=8)
    square = np.abs(clean.x[:, clean.y == 1, 0])
    np.testing.assert_allclose(square.max(axis=0), square.min(axis=0))  # constant magnitude


def test_generation_input_sets_the_frequency_of_the_target_wave():
    ds = data.generation(n_samples=20, length=15, freq=(0.04, 0.12), seed=9)
    code, f = ds.x[0, :, 0], ds.meta["freq"]
    np.testing.assert_allclose(f, 0.04 + (code + 1) / 2 * 0.08)
    t = np.arange(1, 16)[:, None]
    np.testing.assert_allclose(ds.y[..., 0], np.sin(2 * np.pi * f * t))


def test_two_to_three_is_reverse_then_sum():
    ds = data.two_to_three(n_samples=10, seed=10)
    x1, x2 = ds.x[0], ds.x[1]
    assert ds.y.shape == (3, 10, 1)
    assert np.array_equal(ds.y[0], x2) and np.array_equal(ds.y[1], x1)
    np.testing.assert_allclose(ds.y[2], x1 + x2)


def test_multivariate_sine_couples_the_series_and_stacks_the_horizon():
    ds = data.multivariate_sine(n_samples=5, length=30, horizon=2, noise=0.0, seed=11)
    s = ds.x  # (T, N, 3), clean because noise=0
    np.testing.assert_allclose(s[4:, :, 1], np.tanh(3 * s[:-4, :, 0]))
    np.testing.assert_allclose(s[2:, :, 2], s[:-2, :, 0] * s[1:-1, :, 1])
    assert ds.y.shape == (30, 5, 6)
    np.testing.assert_allclose(ds.y[:-2, :, 3:6], s[2:])  # k = 1: two steps ahead
    np.testing.assert_allclose(ds.y[:-1, :, 0:3], s[1:])


# ---------------------------------------------------------------- Dataset

def test_split_is_deterministic_disjoint_and_cuts_per_sample_meta():
    ds = data.fill_in_middle(n_samples=50, seed=1)
    train, valid = ds.split(0.2, seed=3)
    again, _ = ds.split(0.2, seed=3)
    other, _ = ds.split(0.2, seed=4)
    assert (train.n_samples, valid.n_samples) == (40, 10)
    assert np.array_equal(train.x, again.x) and not np.array_equal(train.x, other.x)
    rows = {tuple(ds.y[:, i, 0]) for i in range(50)}
    got = [tuple(part.y[:, i, 0]) for part in (train, valid) for i in range(part.n_samples)]
    assert len(set(got)) == 50 and set(got) == rows
    assert valid.meta["mask"].shape == (21, 10)
    assert np.array_equal(valid.x[..., 1], valid.meta["mask"].astype(float))


def test_batch_takes_samples_from_the_right_axis():
    many_to_one = data.adding(n_samples=10, seed=0).batch([3, 1])
    assert many_to_one.y.shape == (2, 1) and many_to_one.x.shape[1] == 2
    enc_dec = data.two_to_three(n_samples=10, seed=0)
    part = enc_dec.batch(slice(0, 4))
    assert np.array_equal(part.y, enc_dec.y[:, :4])
    copy = data.copy_task(n_samples=10, seed=0).batch([2])
    assert copy.y.shape == (20, 1) and copy.meta["symbols"].shape == (1, 5)
    with pytest.raises(ValueError, match="idx"):
        enc_dec.batch([10])


def test_dataset_rejects_targets_that_do_not_fit_the_pattern():
    x = np.zeros((5, 4, 1))
    with pytest.raises(ValueError, match=r"must have shape \(4, \?\)"):
        Dataset("bad", x, np.zeros((5, 4, 1)), "many-to-one", "mse")
    with pytest.raises(ValueError, match="n_classes"):
        Dataset("bad", x, np.zeros((5, 4), dtype=np.int64), "many-to-many", "cross-entropy")
    with pytest.raises(TypeError, match="integer class ids"):
        Dataset("bad", x, np.zeros((5, 4)), "many-to-many", "cross-entropy", meta={"n_classes": 3})
    with pytest.raises(ValueError, match="pattern"):
        Dataset("bad", x, np.zeros((5, 4, 1)), "many-to-few", "mse")
    ok = Dataset("ok", x, np.zeros((4, 2)), "many-to-one", "mse")
    assert "x (5, 4, 1)" in repr(ok)


# ---------------------------------------------------------------- sunspots

def test_sunspot_series_matches_the_shipped_csv():
    years, values = data.load_sunspots()
    assert years.dtype == np.int64 and values.dtype == np.float64
    assert len(years) == len(values) == 309
    assert years[0] == 1700 and years[-1] == 2008 and np.all(np.diff(years) == 1)
    known = {1700: 5.0, 1749: 80.9, 1800: 14.5, 1957: 190.2, 2000: 119.6, 2008: 2.9}
    for year, value in known.items():
        assert values[year - 1700] == value
    with open(DATASET_DIR / "sunspots.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert [float(r[1]) for r in rows] == values.tolist()


def test_sunspot_windows_split_in_time_without_leakage():
    train, test = data.sunspot_windows(length=20, horizon=2, test_fraction=0.2)
    assert train.x.shape[0] == 20 and train.y.shape[1] == 2
    assert train.n_samples + test.n_samples == 309 - 20 - 2 + 1 - 1  # one straddling window dropped
    assert train.meta["target_years"].max() == test.meta["target_years"].min() - 1
    scaler = train.meta["scaler"]
    assert scaler is test.meta["scaler"]
    years, values = data.load_sunspots()
    first_test_year = test.meta["target_years"].min()
    assert scaler.mean_ == pytest.approx(values[years < first_test_year].mean())  # train statistics only
    raw = scaler.inverse_transform(test.y)
    np.testing.assert_allclose(raw, values[test.meta["target_years"] - 1700])


def test_windows_cut_inputs_and_following_values():
    series = np.arange(12.0)
    ds = data.windows(series, length=4, horizon=2, stride=3)
    assert ds.pattern == "many-to-one" and ds.meta["time_ordered"]
    assert ds.x.shape == (4, 3, 1) and ds.y.shape == (3, 2)
    assert np.array_equal(ds.x[:, 1, 0], [3, 4, 5, 6]) and np.array_equal(ds.y[1], [7, 8])
    two = data.windows(np.stack([series, -series], 1), length=3, horizon=2)
    assert two.x.shape == (3, 8, 2) and np.array_equal(two.y[0], [3, -3, 4, -4])  # step-major
    train, valid = ds.split(0.34)
    assert np.array_equal(valid.meta["start"], [6])  # the latest window, no shuffling
    assert np.array_equal(train.meta["start"], [0, 3])  # horizon 2, stride 3: no gap needed
    one_step = data.windows(series, length=4, horizon=3)
    train, valid = one_step.split(0.2)
    assert train.y.max() < valid.y.min()  # targets never overlap
    assert train.n_samples + valid.n_samples == one_step.n_samples - 2


def test_scaler_round_trip_and_unfitted_error():
    with pytest.raises(RuntimeError, match="fit"):
        data.Scaler().transform([1.0])
    values = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    scaler = data.Scaler().fit(values)
    z = scaler.transform(values)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z[:, 0].std(), 1)
    np.testing.assert_allclose(scaler.inverse_transform(z), values)  # a constant column survives


# ---------------------------------------------------------------- text

def test_shipped_text_is_plain_english_of_the_stated_size():
    s = text.load_text()
    assert 50_000 <= len(s) <= 150_000
    assert s.startswith("First Citizen:\nBefore we proceed")
    assert s.isascii() and "\r" not in s and "\t" not in s
    words = s.split()
    assert len(words) > 9000 and len(set(words)) > 2500
    assert s.count("\n\n") > 400  # many speeches
    raw = (DATASET_DIR / "shakespeare.txt").read_bytes()
    assert raw.decode("utf-8") == s
    with pytest.raises(ValueError, match="shakespeare"):
        text.load_text("hamlet")


def test_vocab_round_trip_and_errors():
    vocab = text.CharVocab("hello world")
    assert vocab.chars == " dehlorw" and vocab.size == len(vocab) == 8
    ids = vocab.encode("world hello")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "world hello"
    oh = vocab.one_hot(ids.reshape(1, -1))
    assert oh.shape == (1, 11, 8) and oh.dtype == np.float64
    assert np.array_equal(oh.argmax(-1)[0], ids) and np.all(oh.sum(-1) == 1)
    with pytest.raises(ValueError, match="'z'"):
        vocab.encode("hello z")
    with pytest.raises(ValueError, match=r"\[0, 7\]"):
        vocab.decode([8])
    full = text.CharVocab(text.load_text())
    sample = text.load_text()[:500]
    assert full.decode(full.encode(sample)) == sample


def test_char_dataset_targets_are_the_next_characters():
    s = text.load_text()
    ds = text.char_dataset(seq_len=30)
    vocab, x_ids = ds.meta["vocab"], ds.meta["input_ids"]
    assert ds.n_samples == (len(s) - 1) // 30
    assert ds.x.shape == (30, ds.n_samples, vocab.size)
    assert np.array_equal(ds.x.argmax(-1), x_ids)
    assert np.array_equal(ds.y[:-1], x_ids[1:])
    assert vocab.decode(x_ids[:, 2]) == s[60:90] and vocab.decode(ds.y[:, 2]) == s[61:91]
    assert 0 < ds.meta["baseline_loss"] < ds.meta["uniform_loss"] == pytest.approx(np.log(vocab.size))
    picked = text.char_dataset("abcdefgh" * 10, seq_len=5, n_samples=7, seed=1)
    assert picked.n_samples == 7 and picked.meta["vocab"].size == 8


def test_perplexity_and_temperature():
    assert text.perplexity_from_loss(np.log(59)) == pytest.approx(59)
    with pytest.raises(ValueError, match="mean_cross_entropy_nats"):
        text.perplexity_from_loss(-1.0)
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 999.0]])
    p = text.apply_temperature(logits, 1.0)
    np.testing.assert_allclose(p.sum(-1), 1)
    np.testing.assert_allclose(p[0], np.exp(logits[0]) / np.exp(logits[0]).sum())
    assert np.isfinite(p).all()  # no overflow for large logits
    cold, hot = text.apply_temperature(logits[0], 0.1), text.apply_temperature(logits[0], 10.0)
    assert cold[2] > p[0, 2] > hot[2] > 1 / 3
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="temperature"):
            text.apply_temperature(logits, bad)


def test_sampling_refuses_a_bidirectional_model():
    import rnnlab

    vocab = text.CharVocab("abc ")
    model = rnnlab.SequenceModel(vocab.size, 4, vocab.size, loss="cross-entropy", bidirectional=True)
    with pytest.raises(ValueError, match="bidirectional"):
        text.sample(model, vocab, "ab", length=5)
