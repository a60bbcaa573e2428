"""Tasks the panels offer: a data set, the patterns it can be posed as, and
settings that learn something visible in a few seconds.

A task's ``epochs`` make the Playground's default run last a few seconds on a
laptop, long enough to watch the curve and the predictions move (Stop ends it
sooner).

Pure NumPy (no widgets here), so notebooks and tests can use the same tasks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import data as D
from .._validate import check_choice


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    make: callable  # seed -> Dataset
    patterns: tuple  # the first is the task's own pattern
    defaults: dict = field(default_factory=dict)
    target_loss: float | None = None
    hint: str = ""


def as_pattern(ds, pattern):
    """Pose a many-to-many series task as many-to-one (predict after the last step)."""
    if pattern == ds.pattern:
        return ds
    if ds.pattern == "many-to-many" and pattern == "many-to-one" and ds.loss == "mse":
        return D.Dataset(name=ds.name, x=ds.x, y=ds.y[-1], pattern="many-to-one", loss=ds.loss,
                         description=ds.description + " Posed many-to-one: only the last "
                         "step's target counts.", meta={k: v for k, v in ds.meta.items()
                                                        if k not in ("per_sample", "mask")})
    raise ValueError(f"task {ds.name!r} cannot be posed as {pattern}")


_COMMON = dict(cell="rnn", activation="tanh", hidden_size=16, num_layers=1, bidirectional=False,
               optimizer="adam", lr=0.02, epochs=60, batch_size=16, clip=1.0, bptt="full", k=10)

TASKS = {t.name: t for t in [
    Task("sine", "Sine: predict the next value", lambda s: D.sine(n_samples=64, length=40, seed=s),
         ("many-to-many", "many-to-one"), dict(_COMMON, hidden_size=24, lr=0.03, epochs=500), 0.015,
         "A wave's next value depends on where it is heading: the state must remember."),
    Task("noisy-sine", "Noisy sine: next clean value from noisy inputs",
         lambda s: D.noisy_sine(n_samples=64, length=40, noise=0.2, seed=s),
         ("many-to-many", "many-to-one"), dict(_COMMON, epochs=300), 0.02),
    Task("echo", "Echo: repeat the input from 3 steps ago",
         lambda s: D.echo(n_samples=128, length=20, delay=3, seed=s), ("many-to-many",),
         dict(_COMMON, hidden_size=16, lr=0.02, epochs=500, batch_size=32), 0.02,
         "No model that sees only the current input can do this."),
    Task("adding", "Adding problem: sum the two marked numbers",
         lambda s: D.adding(n_samples=256, length=20, seed=s), ("many-to-one",),
         dict(_COMMON, cell="gru", hidden_size=16, lr=0.01, epochs=150, batch_size=32), 0.02,
         "A long-range task: always answering 1 gives a loss of about 0.17."),
    Task("copy", "Copy: recall symbols after a delay",
         lambda s: D.copy_task(n_samples=256, n_symbols=4, seq_len=3, delay=6, seed=s),
         ("many-to-many",), dict(_COMMON, cell="gru", hidden_size=24, lr=0.02, epochs=150,
                                 batch_size=32), None),
    Task("classification", "Classify waveforms: sine, square or sawtooth",
         lambda s: D.classification(n_samples=300, length=30, seed=s), ("many-to-one",),
         dict(_COMMON, cell="gru", lr=0.02, epochs=100, batch_size=32), 0.1),
    Task("generation", "Generate a wave from one number (one-to-many)",
         lambda s: D.generation(n_samples=128, length=20, seed=s), ("one-to-many",),
         dict(_COMMON, cell="gru", hidden_size=16, lr=0.02, epochs=300, batch_size=32), 0.02),
    Task("two-to-three", "Two inputs, three outputs: x2, x1, x1+x2",
         lambda s: D.two_to_three(n_samples=256, seed=s), ("encoder-decoder",),
         dict(_COMMON, cell="gru", hidden_size=16, lr=0.02, epochs=400, batch_size=32), 0.01),
    Task("fill-in-middle", "Fill in the middle of a curve",
         lambda s: D.fill_in_middle(n_samples=256, length=21, gap=5, seed=s), ("many-to-many",),
         dict(_COMMON, hidden_size=16, lr=0.02, epochs=400, batch_size=32), None,
         "Try bidirectional: it sees both sides of the gap."),
    Task("one-to-one", "One-to-one: y = sin(pi x), no sequence at all",
         lambda s: D.one_to_one(n_samples=128, seed=s), ("one-to-one",),
         dict(_COMMON, hidden_size=16, lr=0.02, epochs=1000, batch_size=32), 0.01),
    Task("sunspots", "Sunspots: forecast next year's sunspot number",
         lambda s: D.sunspot_windows(length=20, horizon=1, test_fraction=0.2), ("many-to-one",),
         dict(_COMMON, cell="gru", hidden_size=16, lr=0.01, epochs=150, batch_size=32), None,
         "A real series (1700-2008). Validation is the last 20% of years."),
]}


def get_task(name):
    return TASKS[check_choice(name, "task", TASKS)]


def make_task_data(name, pattern=None, seed=0, valid_fraction=0.25):
    """``(train, valid)`` Datasets for a task posed as ``pattern``."""
    task = get_task(name)
    pattern = task.patterns[0] if pattern is None else check_choice(pattern, "pattern", task.patterns)
    made = task.make(seed)
    if isinstance(made, tuple):  # a task with its own split (a time series: scaled on the past only)
        return tuple(as_pattern(part, pattern) for part in made)
    return as_pattern(made, pattern).split(valid_fraction, seed=seed)


def unrolled_length(ds, pattern):
    """Steps the network is unrolled for on this data (the largest useful k)."""
    if pattern == "one-to-many":
        return ds.y.shape[0]
    if pattern == "encoder-decoder":
        return ds.x.shape[0] + ds.y.shape[0]
    return ds.x.shape[0]


