"""The Playground through a class's experiments: runs that blow up, runs compared, runs watched."""
import html
import math
import time

import numpy as np
import pytest

from rnnlab.widgets import Playground
from rnnlab.widgets._lossplot import CEILING
from rnnlab.widgets._base import Runner

#: the standard first experiment of issue 8: lr at its maximum, clip off, a big model
EXPLODING = dict(lr=1.0, clip=0.0, hidden_size=64, batch_size=4, optimizer="sgd")


@pytest.fixture(autouse=True)
def _no_run_left_behind():
    yield
    for runner in Runner.running_jobs():
        runner.stop(wait=True, timeout=5)


def _legend(pg):
    return [t.get_text() for t in pg.loss_ax.get_legend().get_texts()]


def _diverge(pg):
    pg.set(**EXPLODING)
    assert pg.train() and pg.wait(60)
    assert pg.history.diverged, pg.status.value


# -- divergence and explosion ---------------------------------------------------------------------

def test_a_diverged_run_is_an_error_never_a_green_completed():
    pg = Playground(epochs=200)
    _diverge(pg)
    status = html.unescape(pg.status.value)
    assert status.startswith('<span style="color:#cf222e') and "diverged at epoch" in status
    assert "completed" not in status
    assert pg.run["diverged"] is not None and pg.errors == []
    assert all(np.isfinite(v).all() for v in pg.model.params.values())


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_after_a_diverged_run_reset_settings_train_and_step_all_work(optimizer):
    pg = Playground(epochs=200)
    pg.set(**{**EXPLODING, "optimizer": optimizer})
    assert pg.train() and pg.wait(60) and pg.history.diverged
    diverged_run = pg.run
    # any setting change, the live ones included, with the diverged run still shown
    pg.set(lr=0.02)
    pg.set(clip=1.0)
    pg.controls["lr"].set_state({"value": 0.5})  # from the browser too
    pg.set(lr=0.02, epochs=5)
    assert pg.step() is not None and "new run" in pg.notice  # Step starts a fresh run
    assert diverged_run in pg.runs and pg.errors == []
    assert pg.train() and pg.wait(60)
    assert pg.history.stopped == "completed" and not pg.history.diverged
    assert "completed" in pg.status.value
    pg.buttons["reset"].click()
    pg.controls["hidden_size"].value = 32  # a structural change: a rebuild
    pg.buttons["step"].click()
    assert pg.errors == [] and diverged_run in pg.runs
    labels = _legend(pg)
    assert any(f"run {diverged_run['id']}" in label for label in labels)
    assert any("diverged" in t.get_text() for t in pg.loss_ax.texts)  # the X has its note


def test_a_new_run_after_a_divergence_starts_from_the_same_initial_weights():
    pg = Playground(epochs=200, **EXPLODING)
    first = pg.model.get_params()
    _diverge(pg)
    blown = pg.model.get_params()  # the last finite weights of the diverged run
    pg.set(lr=1e-4)
    assert pg.step() is not None  # one tiny update of a new run
    assert "a new run" in pg.notice and len(pg.runs) == 1
    now = pg.model.get_params()
    assert max(np.abs(now[k] - first[k]).max() for k in first) < 1e-3
    assert max(np.abs(blown[k] - first[k]).max() for k in first) > 1e-2


@pytest.mark.parametrize("bad", [1e300, np.finfo(float).max, np.inf, np.nan, 0.0, -1.0])
def test_the_loss_plot_never_fails_on_extreme_values(bad):
    pg = Playground(epochs=3)
    assert pg.train() and pg.wait(60)
    pg.run["curve"]["train"][-1] = bad  # what an exploding run records
    pg.run["curve"]["valid"][-1] = bad
    for log in (True, False):
        pg.set(log_scale=log)
        pg._loss_key = None
        pg.draw_loss()  # must not raise (matplotlib's log ticks overflow on such limits)
        low, high = pg.loss_ax.get_ylim()
        first = max(pg.run["curve"]["train"][0], pg.run["curve"]["valid"][0])
        assert math.isfinite(low) and math.isfinite(high) and high <= 10 * CEILING * first
    assert pg.loss_canvas.png()[:4] == b"\x89PNG" and pg.errors == []


def test_predictions_of_blown_up_weights_are_drawn_clipped():
    pg = Playground(epochs=2)
    pg.model.params["w_y"][...] = 1e300
    pg.draw_predictions()
    line = pg._pred._line
    assert np.all(np.isfinite(line.get_ydata()) | np.isnan(line.get_ydata()))
    assert pg.pred_canvas.png()[:4] == b"\x89PNG"


# -- honest comparisons ----------------------------------------------------------------------------

def test_a_label_says_what_the_run_started_with_and_when_lr_changed():
    pg = Playground(epochs=10_000)
    pg.set(lr=0.001)  # before Train: the run starts with it
    assert pg.train()
    while pg.trainer.epoch < 3:
        time.sleep(0.01)
    pg.controls["lr"].set_state({"value": 0.01})  # live, from the browser
    time.sleep(0.2)
    pg.stop()
    changed_at = pg.run["changes"][0][0]
    pg.set(lr=0.03, epochs=5)
    pg.reset()  # the first run is kept; the second starts at lr 0.03
    assert pg.train() and pg.wait(60)
    labels = pg.labels
    assert labels[0] == f"run 1: lr 0.001, lr 0.001→0.01 at epoch {changed_at}"
    assert labels[1] == "run 2: lr 0.03"
    assert changed_at >= 3


def test_only_what_differs_is_named_and_no_label_is_cut():
    pg = Playground(epochs=3)
    pg.train(); pg.wait(60)
    pg.set(bidirectional=True, num_layers=2, optimizer="rmsprop", clip=0.5, seed=4)
    pg.train(); pg.wait(60)
    pg.set(bidirectional=False)
    pg.train(); pg.wait(60)
    labels = pg.labels
    assert "h " not in " ".join(labels)  # the hidden size is the same in every run
    assert "bidirectional" in labels[1] and "one direction" in labels[0]
    assert "rmsprop" in labels[1] and "clip 0.5" in labels[1] and "seed 4" in labels[1]
    # every label is whole and inside the image, wrapped rather than cut
    fig = pg.loss_canvas.figure
    renderer = fig.canvas.get_renderer()
    legend = pg.loss_ax.get_legend()
    box = legend.get_window_extent(renderer)
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y0 >= fig.bbox.y0
    shown = " ".join(" ".join(t.split()) for t in _legend(pg))
    assert all(label in shown for label in labels[:-1])


def test_runs_of_other_tasks_never_share_the_axis_and_come_back_with_their_task():
    pg = Playground(epochs=3)
    pg.train(); pg.wait(60)
    pg.set(cell="gru")
    pg.train(); pg.wait(60)
    sine_runs = pg.runs
    assert len(sine_runs) == 1
    pg.set(task="classification", epochs=2)  # cross-entropy: another scale
    assert pg.runs == [] and pg.loss_ax.get_ylabel() == "loss (cross-entropy)"
    assert not any(label.startswith("run 1") for label in _legend(pg))
    pg.train(); pg.wait(60)
    pg.set(task="sine")
    assert [r["id"] for r in pg.runs[:2]] == [r["id"] for r in sine_runs] + [2]
    assert pg.loss_ax.get_ylabel() == "loss (mse)"


def test_the_target_note_is_right_for_a_continued_run():
    pg = Playground(epochs=60)
    assert pg.train() and pg.wait(60)
    reached = pg.run["reached"]
    assert reached is not None and reached[0] <= 60
    pg.set(epochs=30)
    assert pg.train() and pg.wait(60)  # continue the same run
    assert pg.run["reached"] == reached
    assert f"reached the target {pg.target_loss:g} at epoch {reached[0]} " in pg.status.value


# -- training you can watch ---------------------------------------------------------------------

def test_a_default_run_can_be_watched_curve_and_predictions_move():
    pg = Playground()  # default settings
    loss0, pred0 = pg.loss_canvas.draw_count, pg.pred_canvas.draw_count
    stamps = set()
    assert pg.train()
    while pg.running:
        stamps.add(pg._pred.stamp.get_text())
        time.sleep(0.05)
    seconds = pg.history.wall_time[-1]
    assert seconds > 1.5, "a default run too short to watch"
    loss_frames = pg.loss_canvas.draw_count - loss0
    pred_frames = pg.pred_canvas.draw_count - pred0
    # frame rates themselves are measured by benchmarks/bench_panels.py; here: they move
    assert loss_frames >= 2 * seconds and pred_frames >= loss_frames / 3
    assert len({s for s in stamps if s.startswith("epoch ")}) >= 3  # titled with their epoch
    assert pg._pred.stamp.get_text() == f"epoch {pg.trainer.epoch}"


def test_predictions_that_are_not_finite_are_said_to_be():
    pg = Playground(epochs=2)
    pg.model.params["w_y"][...] = np.nan
    pg.draw_predictions()
    assert pg._pred.stamp.get_text().startswith("40 of 40 not finite")
    assert pg.errors == []
