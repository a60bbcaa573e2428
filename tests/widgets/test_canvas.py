"""The figure canvas from Python: drawn for the width and pixel ratio a page reports,
text the same size on screen at any width, presentation mode, text alternative."""
import io

import numpy as np
import pytest
from PIL import Image

import rnnlab.widgets as widgets
from rnnlab.widgets import _base, _canvas
from rnnlab.widgets._canvas import Canvas


def png_size(canvas):
    return Image.open(io.BytesIO(canvas.png())).size


def loss_canvas(**kwargs):
    canvas = Canvas(7.2, 3.0, css="rnnlab-loss-plot", **kwargs)
    ax = canvas.subplots()
    x = np.arange(100)
    line, = ax.plot(x, np.exp(-x / 20), label="train")
    ax.set_title("loss")
    ax.legend()
    return canvas, ax, line


def page_reports(canvas, width, ratio=1.0):
    canvas.image.set_state({"_client_width": width, "_pixel_ratio": ratio})


@pytest.fixture(autouse=True)
def no_global_presentation():
    yield
    widgets.presentation(False)


def test_panels_still_import_the_canvas_from_the_base_module():
    assert _base.Canvas is Canvas and _base.STYLE is _canvas.STYLE


def test_without_a_page_the_figure_has_its_design_size():
    canvas, _, _ = loss_canvas()
    canvas.draw()
    assert png_size(canvas) == (648, 270)
    assert canvas.css_size() == (648, 270) and canvas.image._css_width == 648
    assert canvas.image._img_classes == ["rnnlab-loss-plot"]


@pytest.mark.parametrize("width, ratio", [(400, 1.0), (400, 2.0), (900, 1.5), (648, 3.0)])
def test_drawn_for_the_pixels_the_page_reports(width, ratio):
    canvas, _, _ = loss_canvas()
    canvas.draw()
    page_reports(canvas, width, ratio)  # a shown canvas redraws at once
    assert canvas.draw_count == 2
    w, h = png_size(canvas)
    assert w == pytest.approx(width * ratio, abs=1)
    assert h == pytest.approx(max(width * 270 / 648, 0.6 * 270) * ratio, abs=1)


def test_text_keeps_its_size_on_screen_at_any_width():
    sizes = []
    for width in (300, 648, 972):
        canvas, _, _ = loss_canvas()
        page_reports(canvas, width)
        canvas.draw()
        sizes.append(canvas.min_text_css_px())
        assert canvas.image._min_text_pt * canvas.image._px_per_pt == pytest.approx(sizes[-1])
    assert sizes[0] == sizes[1] == sizes[2] and sizes[0] >= 11  # 9-pt ticks and legend: 11.25 px


def test_width_is_kept_between_a_minimum_and_the_maximum():
    canvas, _, _ = loss_canvas(max_width=800)
    page_reports(canvas, 3000)
    assert canvas.css_size()[0] == 800
    page_reports(canvas, 50)
    assert canvas.css_size()[0] == _canvas.MIN_WIDTH
    assert Canvas(7.2, 3.0).max_width == 972  # 1.5 x the design width by default


def test_presentation_mode_per_canvas_and_for_all():
    canvas, _, _ = loss_canvas()
    other, _, _ = loss_canvas()
    canvas.draw()
    normal = canvas.min_text_css_px()
    canvas.presentation = True
    assert canvas.presenting and not other.presenting
    assert canvas.min_text_css_px() == pytest.approx(normal * 1.5)
    assert png_size(canvas) == (648, 270) and canvas.draw_count == 2  # same place, larger text
    canvas.presentation = None
    assert widgets.presentation() is False
    assert widgets.presentation(True) is True
    assert canvas.presenting and other.presenting and canvas.draw_count == 4
    other.presentation = False  # its own setting wins
    assert not other.presenting
    with pytest.raises(TypeError, match="presentation"):
        widgets.presentation("yes")
    with pytest.raises(TypeError, match="presentation"):
        canvas.presentation = 1


def test_text_alternative_reaches_the_image_widget():
    canvas, _, _ = loss_canvas(alt="no run yet")
    assert canvas.image.alt == "no run yet"
    canvas.alt = "loss fell from 0.41 to 0.004 in 80 epochs"
    assert canvas.image.get_state()["alt"] == canvas.alt
    with pytest.raises(TypeError, match="alt"):
        canvas.alt = None


def test_blitting_still_works_and_live_frames_stay_at_1x_on_a_sharp_screen():
    canvas, ax, line = loss_canvas()
    page_reports(canvas, 500, 2.0)
    canvas.draw()
    assert png_size(canvas)[0] == 1000
    x = np.arange(100)
    frames = []
    for k in (20, 40, 60):
        line.set_data(x[:k], np.exp(-x[:k] / 20))
        canvas.draw_dynamic([line])
        frames.append(canvas.png())
    assert len(set(frames)) == 3 and png_size(canvas)[0] == 500
    canvas.draw()  # the settled figure is sharp again
    assert png_size(canvas)[0] == 1000
    canvas.live_pixel_ratio = 2.0
    canvas.draw_dynamic([line])
    assert png_size(canvas)[0] == 1000


def test_a_blitted_frame_matches_a_full_draw():
    canvas, ax, line = loss_canvas()
    canvas.draw_dynamic([line])
    x = np.arange(100)
    line.set_data(x[:50], np.exp(-x[:50] / 10))
    canvas.draw_dynamic([line])
    blitted = np.asarray(Image.open(io.BytesIO(canvas.png())).convert("RGB"), dtype=int)
    canvas.draw()
    full = np.asarray(Image.open(io.BytesIO(canvas.png())).convert("RGB"), dtype=int)
    assert blitted.shape == full.shape and np.abs(blitted - full).mean() < 1.0


def test_height_for_min_height_and_on_resize():
    calls = []
    canvas = Canvas(6.0, 2.0, min_height=200)
    canvas.on_resize(lambda: calls.append(canvas.css_size()) or canvas.draw())
    canvas.subplots().plot([0, 1], [0, 1])
    canvas.draw()
    canvas.image.set_state({"_client_width": 300, "_pixel_ratio": 1.0})
    assert canvas.css_size() == (300, 200) and calls == [(300, 200)]  # not 100 px tall
    tall = Canvas(6.0, 2.0, height_for=lambda width: 2 * width)
    tall.subplots()
    tall.draw()
    tall.image.set_state({"_client_width": 250, "_pixel_ratio": 1.0})
    assert tall.css_size() == (250, 500)
    assert tall.png()[:4] == b"\x89PNG"


@pytest.mark.parametrize("width", [468, 1220])
def test_every_panel_redraws_its_figures_for_the_width_with_text_of_at_least_9_points(width):
    """What a 900-px window with the file browser open (468 px) and a wide one give each
    figure: drawn for that width, never below 11 CSS px of text, no error."""
    from rnnlab.widgets import (ActivationView, BPTTView, GradCheckView, GradientFlowView,
                                PatternsView, Playground, StateInspector, UnfoldingView)

    for cls in (Playground, UnfoldingView, ActivationView, BPTTView, GradientFlowView,
                StateInspector, PatternsView, GradCheckView):
        panel = cls()
        try:
            for canvas in [v for v in vars(panel).values() if isinstance(v, Canvas)]:
                shown = min(width, canvas.max_width)
                canvas.image.set_state({"_client_width": shown, "_pixel_ratio": 1.0})
                assert canvas.css_size()[0] == shown, (cls.__name__, canvas)
                assert canvas.min_text_css_px() >= 11.25 - 1e-9, (cls.__name__, canvas)
                assert canvas.figure.get_figwidth() * 72 * canvas.px_per_pt() == pytest.approx(shown)
                assert canvas.alt
            assert panel.errors == [], (cls.__name__, panel.errors)
        finally:
            if hasattr(panel, "stop"):
                panel.stop()
            panel.close()
