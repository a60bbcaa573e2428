"""A class let loose on the training panels: seeded random sequences of actions.

Each training panel (Playground, GradientFlowView, StateInspector,
PatternsView) is driven through a long random sequence of what learners do:
any control set to any valid or invalid value, from code or as the browser
sends it (slider positions, text typed in number boxes, options picked), any
enabled button pressed, short waits while training runs, the learning rate at
its maximum with clipping off, junk pasted into the Share box and loaded.
After every action the panel must hold together:

* no unexpected error in its message line (a refused Load is expected);
* at most one training thread;
* every control shows the setting in force (nothing changed silently);
* a coherent history: epochs 1..n, one loss per epoch, a diverged run says so;
* plots that draw: every canvas holds a PNG, and a forced redraw works;
* ``stop()`` returns within a second.

The sequence is seeded (``random.Random`` and ``numpy`` generators, no global
state); a failure names the seed and the last actions so it can be replayed.
CI runs ``ACTIONS`` actions per panel; ``pytest -m stress`` runs
``STRESS_ACTIONS`` per panel and seed (``RNNLAB_STATEFUL_ACTIONS`` sets another
number).
"""
import os
import threading
import time
from collections import deque

import numpy as np
import pytest

from rnnlab.widgets import GradientFlowView, PatternsView, Playground, StateInspector
from rnnlab.widgets._base import Runner
from rnnlab.widgets._factory import CheckboxGroup, NumberBox, TextBox
from rnnlab.widgets._settings import Choice, Flag, Int, Multi

ACTIONS = 500  # per panel in CI: 2000 in all
STRESS_ACTIONS = int(os.environ.get("RNNLAB_STATEFUL_ACTIONS", 5000))
#: small models and quick redraws, so that thousands of actions fit in CI
QUICK = {Playground: dict(epochs=20, draw_interval=0.05),
         GradientFlowView: dict(T=15, epochs=1, hidden_size=4, batch_size=4),
         StateInspector: dict(epochs=3, hidden_size=4, max_samples=8, draw_interval=0.05),
         PatternsView: dict(epochs=5, draw_interval=0.05)}
#: upper ends used when drawing random values from a huge range (seed, epochs...)
SMALL = {"seed": 5, "epochs": 30, "batch_size": 64, "T": 30, "hidden_size": 24}


class Driver:
    """Plays random actions on one panel and checks it after each."""

    def __init__(self, panel, seed):
        self.panel = panel
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.log = deque(maxlen=25)
        self.counts = {}
        self.stop_seconds = []  # how long each Stop took, for the report

    # -- values ------------------------------------------------------------------------------
    def valid_value(self, s):
        values = self.panel.settings()
        if isinstance(s, Flag):
            return bool(self.rng.integers(2))
        if isinstance(s, Choice):
            options = s.values(values)
            return options[self.rng.integers(len(options))]
        if isinstance(s, Multi):
            return tuple(c for c in s.choices if self.rng.integers(2))
        low, high = s.bounds(values)
        if s.name in SMALL:
            high = min(high, max(low, SMALL[s.name]))
        if isinstance(s, Int):
            return int(self.rng.integers(low, high + 1))
        if s.widget == "log":
            return float(10 ** self.rng.uniform(np.log10(low), np.log10(high)))
        return float(self.rng.uniform(low, high))

    def invalid_value(self, s):
        values = self.panel.settings()
        if isinstance(s, Flag):
            return ["yes", 1, None][self.rng.integers(3)]
        if isinstance(s, (Choice, Multi)):
            return ["no such thing", 3.5, None][self.rng.integers(3)]
        low, high = s.bounds(values)
        bad = [low - 1, high + 1, "many", float("nan"), float("inf")]
        if isinstance(s, Int):
            bad.append(low + 0.5)
        return bad[self.rng.integers(len(bad))]

    def typed_text(self, s):
        low, high = s.bounds(self.panel.settings())
        top = min(high, SMALL.get(s.name, high))
        texts = [str(int(self.rng.integers(low, top + 1))), "2.5", "abc", "", "1e3", str(high + 1),
                 str(low - 1), " 7 ", "-0", "1e400"]
        return texts[self.rng.integers(len(texts))]

    # -- actions -------------------------------------------------------------------------------
    def settings_controls(self):
        return [s for s in self.panel.SETTINGS if s.control]

    def act(self):
        kinds = ["code", "code", "bad", "browser", "browser", "button", "button", "wait"]
        if isinstance(self.panel, Playground):
            kinds += ["explode", "share"]
        kind = kinds[self.rng.integers(len(kinds))]
        self.counts[kind] = self.counts.get(kind, 0) + 1
        getattr(self, f"do_{kind}")()

    def _pick_setting(self):
        settings = self.settings_controls()
        return settings[self.rng.integers(len(settings))]

    def do_code(self):
        s = self._pick_setting()
        value = self.valid_value(s)
        self.log.append(f"controls[{s.name!r}].value = {value!r}")
        control = self.panel.controls[s.name]
        try:
            control.value = value
        except (TypeError, ValueError) as err:  # a dependent bound (k > steps) may refuse it
            assert s.name in str(err), err

    def do_bad(self):
        s = self._pick_setting()
        value = self.invalid_value(s)
        before = self.panel.settings()
        self.log.append(f"set({s.name}={value!r})  # invalid")
        with pytest.raises((TypeError, ValueError, RuntimeError)):
            self.panel.set(**{s.name: value})
        assert self.panel.settings() == before

    def do_browser(self):
        s = self._pick_setting()
        control = self.panel.controls[s.name]
        if control.disabled:  # the page does not send changes from a disabled control
            self.log.append(f"(browser: {s.name} is disabled)")
            return
        if isinstance(control, NumberBox):
            state = {"value": self.typed_text(s)}
        elif isinstance(control, TextBox):
            state = {"value": ["1, 2, 3", "abc", ""][self.rng.integers(3)]}
        elif isinstance(control, CheckboxGroup):
            box = list(control.boxes.values())[self.rng.integers(len(control.boxes))]
            self.log.append(f"browser: {s.name} box {box.description} toggled")
            box.set_state({"value": not box.value})
            return
        elif isinstance(s, Choice):
            state = {"index": int(self.rng.integers(len(control.options)))}
        elif isinstance(s, Flag):
            state = {"value": bool(self.rng.integers(2))}
        elif s.widget == "log":
            state = {"value": float(10 ** self.rng.uniform(control.min, control.max))}
        elif isinstance(s, Int):
            state = {"value": int(self.rng.integers(control.min, control.max + 1))}
        else:
            state = {"value": float(self.rng.uniform(control.min, control.max))}
        self.log.append(f"browser: controls[{s.name!r}].set_state({state!r})")
        control.set_state(state)

    def do_button(self):
        enabled = [name for name, b in self.panel.buttons.items() if not b.disabled]
        name = enabled[self.rng.integers(len(enabled))]
        self.log.append(f"press {name}")
        start = time.perf_counter()
        self.panel.buttons[name].click()
        if name == "stop":
            done = self.panel.wait(1.0)
            self.stop_seconds.append(time.perf_counter() - start)
            assert done, "Stop did not end the run within a second"

    def do_wait(self):
        seconds = float(self.rng.uniform(0, 0.1))
        self.log.append(f"wait {seconds:.2f} s")
        time.sleep(seconds)

    def do_explode(self):
        """The class's favourite: learning rate at its maximum, clipping off."""
        self.log.append("lr to its maximum, clip off, then Train")
        for name, value in (("lr", 1.0), ("clip", 0.0)):
            self.panel.controls[name].set_state(
                {"value": value} if name == "lr" else {"index": 0})
        self.panel.buttons["train"].click()

    def do_share(self):
        text = [self.panel.to_json(), "{not json", '{"hidden_size": 500}', '{"cell": "cnn"}',
                "[]"][self.rng.integers(5)]
        self.log.append(f"paste {text[:30]!r} and Load")
        self.panel.share.value = text
        self.panel.buttons["load"].click()

    # -- checks --------------------------------------------------------------------------------
    def check(self, step):
        p = self.panel
        unexpected = [text for _, text in p.errors
                      if not (text.startswith("Load settings: ") and "Error:" not in text)]
        assert not unexpected, unexpected
        threads = [t for t in threading.enumerate() if t.name == p.runner.name and t.is_alive()]
        assert len(threads) <= 1, threads
        running = p.runner.running and not p.runner.finishing  # a finishing run is over
        settings = p.settings()
        for s in self.settings_controls():
            assert _same(p.controls[s.name].value, settings[s.name]), (s.name,
                                                                       p.controls[s.name].value)
            if running and not s.live:
                assert p.controls[s.name].disabled, f"{s.name} enabled while training"
        assert p.buttons["stop"].disabled != running or p.runner.running
        if not running:
            for trainer in _trainers(p):
                _check_history(trainer.history)
        for canvas in _canvases(p):
            assert canvas.png()[:4] == b"\x89PNG"
        if step % 50 == 49:  # now and then: stop within a second, and whole redraws work
            start = time.perf_counter()
            assert p.stop() and time.perf_counter() - start < 1.0
            _redraw(p)
            assert not p.errors or all(t.startswith("Load settings: ") for _, t in p.errors)


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return a == b


def _trainers(panel):
    if isinstance(panel, PatternsView):
        return [run["trainer"] for run in panel._runs.values()]
    trainer = getattr(panel, "trainer", None)
    return [trainer] if trainer is not None else []


def _check_history(h):
    n = len(h.epoch)
    assert h.epoch == list(range(1, n + 1)) or h.epoch == list(range(h.epoch[0], h.epoch[0] + n))
    assert len(h.train_loss) == len(h.valid_loss) == len(h.wall_time) == n
    assert all(a <= b for a, b in zip(h.wall_time, h.wall_time[1:]))
    assert h.updates >= n and len(h.grad_norm) == h.updates
    if h.diverged:
        assert h.stopped and h.stopped.startswith("diverged")


def _canvases(panel):
    return [v for v in vars(panel).values() if hasattr(v, "png") and hasattr(v, "draw_dynamic")]


def _redraw(panel):
    if isinstance(panel, Playground):
        panel._loss_key = None
        panel.draw_loss()
        panel.draw_predictions()
    elif isinstance(panel, PatternsView):
        panel._loss_key = None
        panel.draw_loss()
        panel.draw_predictions()
    else:
        panel.draw()


def play(cls, actions, seed):
    """``actions`` random actions on a fresh ``cls`` panel; returns the action counts."""
    panel = cls(**QUICK[cls])
    driver = Driver(panel, seed)
    try:
        for step in range(actions):
            driver.act()
            try:
                driver.check(step)
            except AssertionError as err:
                raise AssertionError(
                    f"{cls.__name__}, seed {seed}, after action {step + 1}:\n  "
                    + "\n  ".join(driver.log) + f"\n{err}") from None
        start = time.perf_counter()
        assert panel.stop() and time.perf_counter() - start < 1.0
    finally:
        panel.stop()
        panel.close()
    return driver.counts


PANELS = [Playground, GradientFlowView, StateInspector, PatternsView]


@pytest.fixture(autouse=True)
def _no_run_left_behind():
    yield
    for runner in Runner.running_jobs():
        runner.stop(wait=True, timeout=5)


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_a_class_of_random_actions_never_breaks_a_panel(cls):
    counts = play(cls, ACTIONS, seed=PANELS.index(cls))
    assert sum(counts.values()) == ACTIONS
    assert counts.get("button", 0) > ACTIONS // 20 and counts.get("browser", 0) > ACTIONS // 20


@pytest.mark.stress
@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("seed", [101, 202])
def test_many_more_random_actions(cls, seed, request):
    if "stress" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a long run: select it with pytest -m stress")
    play(cls, STRESS_ACTIONS, seed)
