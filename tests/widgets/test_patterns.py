"""The patterns view driven from code: the picture follows the model, training works."""
import time

import numpy as np
import pytest

import rnnlab
from rnnlab.widgets._base import Runner
from rnnlab.widgets.patterns import SETUPS, PatternsView


@pytest.fixture(scope="module")
def view():
    panel = PatternsView(epochs=3, draw_interval=30)  # live redraws: see the stop test
    yield panel
    panel.stop()


@pytest.fixture(autouse=True)
def _never_leave_a_run_behind():
    yield
    for runner in Runner.running_jobs():
        if runner.name == "rnnlab-patterns":
            runner.stop(wait=True, timeout=5)
    assert not [r for r in Runner.running_jobs() if r.name == "rnnlab-patterns"]


def _steps_from_the_model(pattern):
    s = SETUPS[pattern]
    model = rnnlab.SequenceModel(1, 2, 1, pattern=pattern, output_length=s["t_out"])
    x_full, loss = model.unrolled_inputs(np.ones((s["t_in"], 1, 1)), s["t_out"])
    return x_full.shape[0], list(np.flatnonzero(x_full[:, 0, 0])), list(loss)


EXPECTED = {  # (unrolled steps, steps reading input, steps with loss) in the diagram
    "one-to-one": (1, [0], [0]),
    "one-to-many": (5, [0], [0, 1, 2, 3, 4]),
    "many-to-one": (5, [0, 1, 2, 3, 4], [4]),
    "many-to-many": (5, [0, 1, 2, 3, 4], [0, 1, 2, 3, 4]),
    "encoder-decoder": (5, [0, 1], [2, 3, 4]),
}


@pytest.mark.parametrize("pattern", list(EXPECTED))
def test_each_pattern_is_drawn_as_the_model_unrolls_it_and_learns(view, pattern):
    before = [c.png() for c in (view.diagram_canvas, view.loss_canvas, view.pred_canvas)]
    view.controls["pattern"].value = pattern  # as a click on the switch would
    # the picture: which steps read input, which outputs carry loss
    n, inputs, loss = EXPECTED[pattern]
    assert _steps_from_the_model(pattern) == (n, inputs, loss)
    assert view.pattern == pattern and view.model.pattern == pattern
    assert (view.n_steps, list(view.input_steps), list(view.loss_steps)) == (n, inputs, loss)
    d = view.diagram
    assert d.n_copies == n and len(d.y_nodes) == n
    assert list(d.loss_steps) == loss and list(d.input_steps) == inputs
    # outputs with loss are filled, the ignored ones hollow (white); zero inputs show a 0
    hollow = [i for i, node in enumerate(d.y_nodes) if node.get_facecolor()[:3] == (1.0, 1.0, 1.0)]
    assert hollow == [i for i in range(n) if i not in loss]
    zero_inputs = [i for i, t in enumerate(d.x_text) if t.get_text() == "0"]
    assert zero_inputs == [i for i in range(n) if i not in inputs]
    if pattern != "many-to-many":  # the fixture starts there: no change to see
        assert view.diagram_canvas.png() != before[0]
    assert pattern in view.description.value
    # training: a few epochs in the background lower the held-out loss
    if view.history.epoch:  # only when run alone after another test trained it
        view.reset()
    before = [view.loss_canvas.png(), view.pred_canvas.png()]
    view.buttons["train"].click()  # returns at once; the run goes on in the background
    assert view.wait(60)
    curve = view.loss_curve
    assert view.history.stopped == "completed" and len(view.history.epoch) == 3
    assert curve["epoch"] == [0, 1, 2, 3]
    assert curve["valid"][-1] < curve["valid"][0]  # both measured on the same held-out data
    assert "completed" in view.status.value
    assert view.loss_canvas.png() != before[0] and view.pred_canvas.png() != before[1]
    assert view.errors == []


def test_select_is_the_switch(view):
    view.select("many-to-one")
    assert view.controls["pattern"].value == "many-to-one" and list(view.loss_steps) == [4]
    assert view.model.pattern == "many-to-one" and view.model.loss_name == "cross-entropy"
    with pytest.raises(ValueError):
        view.select("two-to-three")


def test_stop_is_quick_and_switching_stops_the_run_first(view):
    view.select("one-to-one")
    view.reset()  # untrained, to recognise it below
    view.select("many-to-many")
    view.reset()
    view.controls["epochs"].value = 10_000
    view.draw_interval = 0.1
    try:
        draws = view.loss_canvas.draw_count
        assert view.train() is True
        assert view.train() is False  # never two runs at once
        assert view.controls["epochs"].disabled and view.buttons["train"].disabled
        deadline = time.perf_counter() + 10
        while view.loss_canvas.draw_count <= draws and time.perf_counter() < deadline:
            time.sleep(0.01)
        assert view.loss_canvas.draw_count > draws and view.running  # drawn while it grows
        start = time.perf_counter()
        view.stop(wait=False)
        while view.buttons["train"].disabled and time.perf_counter() - start < 5:
            time.sleep(0.005)
        assert time.perf_counter() - start < 0.3  # the run has ended, controls are back
        assert view.wait(5) and view.history.stopped == "stopped by user"
        stopped_at = view.history.updates

        assert view.train() is True
        deadline = time.perf_counter() + 10
        while view.history.updates <= stopped_at + 2 and time.perf_counter() < deadline:
            time.sleep(0.01)  # let it make a few updates
        assert view.running, (view.history.stopped, view.errors, view.history.updates, stopped_at)
        view.controls["pattern"].value = "one-to-one"  # switching while training
        assert not view.running and view.pattern == "one-to-one"
        assert view.history.epoch == []  # the new pattern's own, untrained model
        view.select("many-to-many")  # the old one kept what it learnt
        assert view.history.stopped == "stopped by user" and view.history.updates > stopped_at
    finally:
        view.stop()
        view.controls["epochs"].value = 3
        view.draw_interval = 30


def test_cell_switch_rebuilds_the_model(view):
    view.select("encoder-decoder")
    view.controls["cell"].value = "lstm"
    assert view.model.cell == "lstm" and view.history.epoch == []
    assert "LSTM" in view.status.value
    view.controls["cell"].value = "gru"
    assert view.model.cell == "gru"


def test_errors_in_handlers_show_in_the_panel(view, monkeypatch):
    def broken():
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(view, "draw_predictions", broken)
    n = len(view.errors)
    view.buttons["reset"].click()  # must not raise
    assert len(view.errors) == n + 1 and "drawing failed" in view.message.value
    monkeypatch.undo()
    view.select("many-to-many")
    assert view.message.value.count("drawing failed") == 0


def test_pause_shows_where_the_run_stands_and_stop_then_renders_nothing(view):
    view.select("many-to-many")
    view.reset()
    view.controls["epochs"].value = 10_000
    try:
        assert view.train() is True
        deadline = time.perf_counter() + 10
        while view.trainer.epoch < 2 and time.perf_counter() < deadline:
            time.sleep(0.01)
        view.toggle_pause()
        deadline = time.perf_counter() + 10
        while "paused" not in view.status.value and time.perf_counter() < deadline:
            time.sleep(0.01)
        assert "paused" in view.status.value
        # the paused picture is the run as it stands: every recorded epoch is on the loss curve
        train_line = view.loss_ax.get_lines()[0]
        assert list(train_line.get_xdata()) == view.loss_curve["epoch"]
        draws = (view.loss_canvas.draw_count, view.pred_canvas.draw_count)
        assert view.stop() and view.history.stopped == "stopped by user"
        assert (view.loss_canvas.draw_count, view.pred_canvas.draw_count) == draws
    finally:
        view.stop()
        view.controls["epochs"].value = 3
