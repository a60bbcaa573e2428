"""The unfolding view driven from code: its numbers are the library's numbers."""
import html
import io
import re

import numpy as np
import pytest

import rnnlab
from rnnlab.widgets._diagram import WEIGHT_COLORS, draw_unrolled
from rnnlab.widgets.unfolding import DEFAULT_INPUT, UnfoldingView, parse_sequence


@pytest.fixture(scope="module")
def _shared():
    return UnfoldingView(k=6, hidden_size=3, seed=1)


@pytest.fixture
def view(_shared):
    """One panel for the module (building one costs a full drawing), back at its defaults."""
    _shared.set(k=6, hidden_size=3, activation="tanh", seed=1, inputs=DEFAULT_INPUT)
    _shared.reset()
    _shared.errors.clear()
    _shared.show_message("")
    _shared.clear_notice()
    return _shared


def _forward(view):
    """``h_1..h_k`` from an independent layer with the view's settings, and the outputs."""
    layer = rnnlab.RNN(1, view.hidden_size, activation=view.activation,
                       seed=view.settings()["seed"])
    for name in ("w_x", "w_h", "b_h"):  # the same seed gives the same weights
        np.testing.assert_array_equal(layer.params[name], view.params[name])
    out, _, _ = layer.forward(view.x[:, None, None])  # (k, 1, m)
    y = view.model.predict(view.x[:, None, None])  # (k, 1, 1)
    return out[:, 0], y[:, 0, 0]


def test_step_forward_gives_the_layers_hidden_states(view):
    assert view.t == 0 and view.h.shape == (0, 3)
    assert view.equation_text.startswith("t = 0")
    for _ in range(3):
        view.buttons["step"].click()
    assert view.t == 3
    h, y = _forward(view)
    np.testing.assert_allclose(view.h, h[:3], rtol=0, atol=1e-12)
    np.testing.assert_allclose(view.y, y[:3], rtol=0, atol=1e-12)
    v = view.equation_values
    np.testing.assert_allclose(v["h_t"], h[2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(v["h_prev"], h[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.tanh(v["a"]), v["h_t"], rtol=0, atol=1e-15)
    assert v["x_t"] == view.x[2]
    assert view.errors == []


def test_equation_text_shows_the_numbers_of_the_current_step(view):
    view.step()
    view.step()
    text = view.equation_text
    assert text.splitlines()[0] == "step t = 2 of 6: h_2 = tanh(w_x x_2 + w_h h_1 + b_h)"
    line = next(l for l in text.splitlines() if l.strip().startswith("h_2 = tanh("))
    shown = [float(s) for s in re.findall(r"-?\d+\.\d+", line.split(") = ")[1])]
    np.testing.assert_allclose(shown, _forward(view)[0][1], atol=5e-4)
    y_line = text.splitlines()[-1]
    assert y_line.startswith("y_2 = w_y . h_2 + b_y") and y_line.endswith(f"{view.y[-1]:.3f}")
    # the HTML shows the same result, in the weights' colours
    assert f"{view.h[-1][0]:.3f}" in view.equation.value and WEIGHT_COLORS["w_x"] in view.equation.value


def test_back_run_all_reset(view):
    assert view.buttons["back"].disabled and not view.buttons["step"].disabled
    view.buttons["run_all"].click()
    assert view.t == 6 and view.h.shape == (6, 3)
    np.testing.assert_allclose(view.h, _forward(view)[0], rtol=0, atol=1e-12)
    assert view.buttons["step"].disabled and view.buttons["run_all"].disabled
    view.step()  # nothing left to compute: a note, not an error
    assert view.t == 6 and "all k = 6 steps" in view.message.value and view.errors == []
    view.buttons["back"].click()
    assert view.t == 5
    np.testing.assert_allclose(view.h, _forward(view)[0][:5], rtol=0, atol=1e-12)
    view.buttons["reset"].click()
    assert view.t == 0 and view.equation_values == {}


def test_k_slider_changes_the_number_of_copies_and_the_picture(view):
    assert view.n_copies == 6 and len(view.diagram.h_nodes) == 6 and len(view.diagram.y_nodes) == 6
    view.run_all()
    before = view.canvas.png()
    view.controls["k"].value = 9
    assert view.n_copies == 9 and len(view.diagram.h_nodes) == 9 and len(view.diagram.x_nodes) == 9
    assert view.t == 6  # states already computed do not depend on k
    assert view.canvas.png() != before
    view.controls["k"].value = 4
    assert view.n_copies == 4 and view.t == 4
    np.testing.assert_allclose(view.h, _forward(view)[0], rtol=0, atol=1e-12)


def test_each_step_redraws_the_diagram_and_moves_the_highlight(view):
    d = view.diagram
    pngs = [view.canvas.png()]
    for _ in range(2):
        view.step()
        pngs.append(view.canvas.png())
    assert view.diagram is d  # updated in place, not rebuilt
    assert len(set(pngs)) == 3
    assert d.highlight_patch.get_visible()
    x = d.highlight_patch.get_x() + d.highlight_patch.get_width() / 2
    assert x == pytest.approx(2.0)  # the column of step 2
    # the computed state colours its unit cells; the next one is still blank
    assert d.unit_cells[1][0].get_facecolor() != d.unit_cells[2][0].get_facecolor()
    assert view.canvas.last_draw_seconds is not None
    # the fast path (static layer kept, changed artists drawn on top) matches a full drawing
    fast = _pixels(view.canvas.png())
    view.canvas.draw()
    np.testing.assert_array_equal(fast, _pixels(view.canvas.png()))


def _pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_hidden_size_activation_and_seed_rebuild_the_weights(view):
    view.step()
    view.controls["hidden_size"].value = 4
    assert view.t == 0 and view.params["w_h"].shape == (4, 4)
    assert len(view.diagram.unit_cells[0]) == 4
    w_old = view.params["w_x"].copy()
    view.controls["seed"].value = 7
    assert not np.array_equal(view.params["w_x"], w_old)
    view.controls["activation"].value = "relu"
    view.run_all()
    assert (view.h >= 0).all()
    np.testing.assert_allclose(view.h, _forward(view)[0], rtol=0, atol=1e-12)
    assert "relu" in view.equation_text
    view.controls["activation"].value = "sigmoid"
    view.run_all()
    np.testing.assert_allclose(view.h, _forward(view)[0], rtol=0, atol=1e-12)


def test_bad_typed_input_is_refused_in_the_status_line_and_the_last_good_inputs_stay(view):
    x_before = view.x
    box = view.controls["inputs"]
    box.set_state({"value": "0.5, 1, abc"})  # typed in the browser: no exception escapes
    shown = html.unescape(view.status.value)
    assert "'abc'" in shown and "not a number" in shown and "previous" in shown
    assert "0.5, 1, abc" in shown  # what was typed is not lost
    assert box.value == view.settings()["inputs"] and view.errors == []
    np.testing.assert_array_equal(view.x, x_before)
    with pytest.raises(ValueError, match="inputs: entry 3, 'abc', is not a number"):
        box.value = "0.5, 1, abc"  # from code: an error, never a silent change
    # fewer numbers than k: taken, and k follows with a note saying so
    view.step()
    box.set_state({"value": "1; 2 3, -1"})
    assert view.k == 4 and view.t == 0 and view.n_copies == 4
    assert "k is now 4 (was 6)" in html.unescape(view.status.value)
    np.testing.assert_array_equal(view.x, [1, 2, 3, -1])
    # k beyond the inputs: the slider ends there; from code an error names the limit
    assert view.controls["k"].max == 4
    with pytest.raises(ValueError, match=r"k must be an integer from 1 to 4 \(at most 12, and at "
                                         r"most the 4 inputs\), got 8"):
        view.controls["k"].value = 8
    with pytest.raises(ValueError, match="k must be"):
        view.set(k=8)
    assert view.k == 4 and view.errors == []


def test_m_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="hidden_size"):
        view = UnfoldingView(k=3, m=2)
    assert view.hidden_size == 2
    with pytest.warns(DeprecationWarning):
        assert view.m == 2
    with pytest.warns(DeprecationWarning):
        view.set(m=4)
    assert view.params["w_h"].shape == (4, 4)


def test_set_inputs_and_parse_sequence():
    view = UnfoldingView(k=3, hidden_size=2, inputs=[0.1, -0.2, 0.3, 0.4])
    np.testing.assert_array_equal(view.x, [0.1, -0.2, 0.3])
    view.set_inputs(np.array([1.0, 2.0, 3.0]))
    assert view.controls["inputs"].value == "1, 2, 3"
    np.testing.assert_array_equal(parse_sequence(" 1,2 ;3 "), [1, 2, 3])
    for bad in ("", "1, inf", "x"):
        with pytest.raises(ValueError):
            parse_sequence(bad)


def test_diagram_options_for_other_views():
    """The drawing function on its own: loss marks, zero inputs, colouring by value."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.subplots_adjust(bottom=0.2, right=0.9)
    d = draw_unrolled(ax, 5, input_steps=[0, 1], loss_steps=[2, 3, 4], highlight=4,
                      h_color=np.logspace(-3, 0, 5), norm="log", h_color_label="norm",
                      groups=[(0, 2, "encoder"), (2, 5, "decoder")])
    assert d.n_copies == 5 and d.loss_steps == (2, 3, 4) and d.input_steps == (0, 1)
    assert {len(v) for v in d.arrows.values()} == {5}  # one w_x, w_h, w_y per copy
    assert d.colorbar is not None
    faces = [n.get_facecolor() for n in d.h_nodes]
    assert faces[0] != faces[-1]
    with pytest.raises(ValueError):
        draw_unrolled(ax, 3, loss_steps=[3])
    fig.canvas.draw()
