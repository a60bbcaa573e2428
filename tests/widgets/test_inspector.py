"""StateInspector, driven from code as a learner's clicks would drive it (no browser)."""
import time

import numpy as np
import pytest

import rnnlab
from rnnlab.widgets.inspector import StateInspector


@pytest.fixture(scope="module")
def gru_panel():
    panel = StateInspector(task="adding", cell="gru", hidden_size=4)
    yield panel
    panel.stop()
    panel.close()


def shown(panel, name):
    return np.asarray(panel.images[name].get_array())


def test_heatmaps_are_the_trace_of_the_chosen_sample(gru_panel):
    p = gru_panel
    p.controls["sample"].value = 3
    expected = p.model.trace(p.x)["layer0"]
    assert p.sample == 3
    for name in ("h", "r", "z", "n"):
        assert shown(p, name).shape == (4, p.x.shape[0])  # (H, T): units by steps
        np.testing.assert_allclose(shown(p, name), expected[name][:, 3, :].T, rtol=0, atol=1e-12)
        np.testing.assert_allclose(p.trace["layer0"][name], expected[name], rtol=0, atol=1e-12)


def assert_gates_in_unit_interval(panel, names):
    for name in names:
        values = shown(panel, name)
        assert values.min() >= 0.0 and values.max() <= 1.0
        assert panel.images[name].get_clim() == (0.0, 1.0)


def test_switching_the_cell_changes_the_gate_panels(gru_panel):
    p = gru_panel
    assert set(p.images) == {"h", "r", "z", "n"}
    assert_gates_in_unit_interval(p, "rz")
    lo, hi = p.images["h"].get_clim()
    assert lo == -hi  # diverging scale centred at 0
    p.controls["cell"].value = "lstm"
    assert set(p.images) == {"h", "c", "i", "f", "o", "g"}
    assert p.model.cell == "lstm"
    assert_gates_in_unit_interval(p, "ifo")
    np.testing.assert_allclose(shown(p, "c"), p.model.trace(p.x)["layer0"]["c"][:, p.sample].T,
                               rtol=0, atol=1e-12)
    p.controls["cell"].value = "rnn"
    assert set(p.images) == {"h"}
    visible = [ax for ax in p.canvas.figure.axes if ax.get_visible()]
    assert len(visible) == 3  # input row, h, its colour bar (unused rows are hidden)
    p.controls["cell"].value = "gru"
    assert set(p.images) == {"h", "r", "z", "n"}


def test_steps_are_numbered_from_one(gru_panel):
    """h_t follows x_t for t = 1 .. T (h_0 is the initial state): axis, markers, alt text."""
    p = gru_panel
    p.controls["sample"].value = 2
    T = p.x.shape[0]
    assert p.axes["x"].get_xlim() == (0.5, T + 0.5)
    for im in p.images.values():
        assert tuple(im.get_extent()[:2]) == (0.5, T + 0.5)  # column j is step j + 1
    marks = np.flatnonzero(p.x[:, 2, 1] == 1) + 1  # the adding problem's markers, as steps t
    assert len(marks) == 2
    (_, marker_line), = p._marker_lines
    np.testing.assert_array_equal(marker_line.get_xdata(), marks)
    (_, input_line), = p._input_lines
    np.testing.assert_array_equal(input_line.get_xdata(), np.arange(1, T + 1))
    assert f"steps t = 1 to {T}" in p.canvas.alt
    assert f"Input markers at steps {marks[0]}, {marks[1]}." in p.canvas.alt
    assert p.axes[list(p.images)[-1]].get_xlabel() == "step t"  # under the last row


def test_png_changes_when_the_sample_slider_moves(gru_panel):
    p = gru_panel
    p.sample = 0
    before = p.canvas.png()
    p.controls["sample"].value = 1
    after = p.canvas.png()
    assert before != after
    p.controls["sample"].value = 0
    assert p.canvas.png() == before  # the fast (blitted) redraw gives the same picture


def test_train_a_little_runs_in_the_background_without_overlap(gru_panel):
    p = gru_panel
    w_before = p.model.params["w_h"].copy()
    png_before = p.canvas.png()
    p.controls["epochs"].value = 3
    p.buttons["train"].click()
    assert p.train() is False  # a second press never starts an overlapping run
    assert p.wait(timeout=30)
    assert not p.running
    assert p.trainer.epoch == 3 and p.trainer.history.stopped == "completed"
    assert not np.array_equal(w_before, p.model.params["w_h"])
    assert "completed" in p.status.value
    assert p.canvas.png() != png_before
    # the picture shows the trained model
    np.testing.assert_allclose(shown(p, "z"), p.model.trace(p.x)["layer0"]["z"][:, p.sample].T,
                               rtol=0, atol=1e-12)
    assert p.errors == []


def test_stop_ends_training_within_a_second(gru_panel):
    p = gru_panel
    assert p.train(100_000)
    time.sleep(0.3)
    start = time.perf_counter()
    p.buttons["stop"].click()
    # well under 0.3 s on a quiet machine (benchmarks/bench_panels.py measures the
    # playground's); a shared CI machine gets slack so the test proves the behaviour
    assert p.wait(timeout=1.0)
    assert time.perf_counter() - start < 1.0
    assert p.trainer.history.stopped == "stopped by user"
    assert not p.buttons["train"].disabled


def test_a_given_bidirectional_model_offers_every_layer_and_direction():
    model = rnnlab.SequenceModel(2, 3, 1, cell="gru", pattern="many-to-one", num_layers=2,
                                 bidirectional=True, seed=1)
    data = rnnlab.data.adding(n_samples=12, length=8, seed=0)
    panel = StateInspector(model, data)
    keys = [v for _, v in panel.controls["layer"].options]
    assert keys == list(model.trace(data.x)) == ["layer0", "layer0_reverse", "layer1",
                                                 "layer1_reverse"]
    assert panel.controls["cell"].disabled  # the built-in model's controls do not apply
    assert panel._model_bar.layout.display == "none"
    panel.controls["layer"].value = "layer1_reverse"
    panel.sample = 5
    expected = model.trace(data.x)["layer1_reverse"]
    for name in ("h", "r", "z", "n"):
        np.testing.assert_allclose(shown(panel, name), expected[name][:, 5].T, rtol=0, atol=1e-12)
    assert panel.train(1) and panel.wait(timeout=30)  # a Dataset has targets: trainable
    panel.close()


def test_inputs_only_show_but_do_not_train():
    model = rnnlab.SequenceModel(1, 3, 1, cell="lstm", seed=0)
    x = np.sin(np.linspace(0, 6, 15))  # one sequence (T,)
    panel = StateInspector(model, x)
    assert panel.x.shape == (15, 1, 1)
    np.testing.assert_allclose(shown(panel, "c"), model.trace(x)["layer0"]["c"][:, 0].T, atol=1e-12)
    assert panel.buttons["train"].disabled
    assert panel.train() is False
    assert "nothing to train" in panel.message.value
    with pytest.raises(ValueError, match="feature"):
        panel.set_model(model, np.zeros((5, 2, 3)))
    panel.close()


def test_unrolled_steps_of_encoder_decoder_are_shown(gru_panel):
    p = gru_panel
    p.controls["task"].value = "two-to-three"  # 2 input steps, then 3 output steps
    assert shown(p, "h").shape == (4, 5)
    assert p.axes["x"].get_xlim() == (0.5, 5.5)  # steps t = 1 .. 5
    p.controls["task"].value = "copy"  # 6 one-hot channels: drawn as a picture too
    assert p._input_image is not None
    p.controls["task"].value = "adding"


def test_an_exception_in_a_handler_is_shown_in_the_panel(gru_panel):
    p = gru_panel

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    p.draw = broken
    try:
        p.controls["sample"].value = 2  # must not raise here
    finally:
        del p.draw
    assert "drawing failed" in p.message.value
    assert p.errors and "drawing failed" in p.errors[-1][1]
