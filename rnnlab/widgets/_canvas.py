"""Figures for panels: matplotlib drawn to PNG, sharp at the size they are shown.

A :class:`Canvas` is a matplotlib ``Figure`` (object-oriented API, Agg, never
pyplot) rendered to PNG bytes and shown by :class:`FigureView`, a small
anywidget component (``_canvas.js``) that

* tells the kernel the width it is given (a ``ResizeObserver``) and the
  screen's device pixel ratio (which browser zoom changes too), so the next
  PNG is drawn for exactly those pixels: up to ``max_width`` CSS pixels wide,
  at 1x, 1.5x, 2x... device pixels, never stretched;
* keeps text the same size on screen whatever the width: figure sizes are set
  in inches so that a point is :data:`PX_PER_PT` CSS pixels (9-pt text is
  11.25 px, what the panels' 90-dpi PNGs gave at their design width);
* shows the figure as an ``<img>`` whose ``alt`` is the canvas's text
  alternative (:attr:`Canvas.alt`), which the panel keeps up to date.

Until a page reports its width (in tests, under nbval, before the first
display) a canvas is drawn at its design size, exactly as before.
:func:`presentation` (all canvases) or :attr:`Canvas.presentation` (one)
makes text and lines 1.5 times larger for projecting.

Nothing needs a frontend build: the JavaScript ships in the package and
anywidget runs it in JupyterLab, Notebook 7, Voila, VS Code and Colab.
"""
from __future__ import annotations

import io
import threading
import time
import weakref
from pathlib import Path

import anywidget
from cycler import cycler
import ipywidgets
import traitlets as t
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

_HERE = Path(__file__).resolve().parent

# Colours: Okabe and Ito's colour-blind-safe palette (matplotlib's "okabe_ito" colour
# sequence), the members that keep at least 3:1 against white for lines and marks; what
# tells lines apart never rests on colour alone (each has its line style and marker too).
PALETTE = {"blue": "#0072B2", "vermillion": "#D55E00", "green": "#009E73", "purple": "#CC79A7",
           "orange": "#E69F00", "black": "#000000", "grey": "#666666"}
#: darker shades of the palette for coloured *text* (at least 4.5:1 against white)
INK = {"blue": "#0072B2", "vermillion": "#B34F00", "green": "#00795A", "purple": "#9D4F7D",
       "orange": "#8A5A00", "black": "#000000", "grey": "#595959"}
#: how RNN, GRU and LSTM are drawn wherever they appear together
CELL_STYLES = {"rnn": dict(color=PALETTE["blue"], ls="-", marker="o"),
               "gru": dict(color=PALETTE["vermillion"], ls="--", marker="s"),
               "lstm": dict(color=PALETTE["green"], ls="-.", marker="^")}
#: earlier runs overlaid on a plot, in turn: colour, line style and marker all differ
RUN_STYLES = [dict(color=PALETTE["purple"], ls=":", marker="s"),
              dict(color=PALETTE["green"], ls="-.", marker="^"),
              dict(color=PALETTE["orange"], ls=(0, (5, 2)), marker="D"),
              dict(color=PALETTE["black"], ls=(0, (1, 2)), marker="v"),
              dict(color=PALETTE["vermillion"], ls=(0, (3, 1, 1, 1, 1, 1)), marker="P"),
              dict(color=PALETTE["grey"], ls=(0, (8, 3)), marker="X")]

# a quiet, readable house style for every figure; no text below 9 pt (11.25 CSS px)
STYLE = {
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.3, "font.size": 9, "axes.titlesize": 10, "legend.fontsize": 9,
    "legend.frameon": False, "xtick.labelsize": 9, "ytick.labelsize": 9,
    "axes.prop_cycle": cycler(color=[PALETTE[c] for c in (
        "blue", "vermillion", "green", "purple", "orange", "black")]),
}
PX_PER_PT = 1.25           # CSS pixels per point at normal size (90 dpi at 1x)
PRESENTATION_ZOOM = 1.5    # text and lines this much larger in presentation mode
MIN_WIDTH = 240            # CSS px: narrower containers get a scaled-down image
MAX_PIXEL_RATIO = 3.0

_presentation = False
_canvases = weakref.WeakSet()


def presentation(on=None, panel=None):
    """Presentation mode: text and lines 1.5 times larger, for a projector.

    ``presentation(True)`` switches it on for every canvas that does not set
    its own (and redraws what is shown), ``presentation(False)`` off; returns
    the current state. With ``panel`` (a panel), only that panel's figures
    follow ``on`` (True, False, or None to follow the global setting again);
    returns whether they present now.
    """
    global _presentation
    if on is not None and not isinstance(on, bool):
        raise TypeError(f"presentation(on) takes True, False or None, got {on!r}")
    if panel is not None:
        canvases = [v for v in getattr(panel, "__dict__", {}).values() if isinstance(v, Canvas)]
        if not canvases:
            raise TypeError(f"presentation(panel=...) takes a panel with figures, got "
                            f"{type(panel).__name__}")
        for canvas in canvases:
            canvas.presentation = on
        return canvases[0].presenting
    if on is not None:
        _presentation = on
        for canvas in list(_canvases):
            canvas._restyle()
    return _presentation


class FigureView(anywidget.AnyWidget):
    """The browser side of a :class:`Canvas`: the PNG, its ``alt`` text, and the
    width and pixel ratio the page reports back."""

    _esm = (_HERE / "_canvas.js").read_text(encoding="utf-8")
    _css = (_HERE / "_controls.css").read_text(encoding="utf-8")
    value = t.Bytes(b"").tag(sync=True)
    alt = t.Unicode("").tag(sync=True)
    _img_classes = t.List(t.Unicode()).tag(sync=True)
    _client_width = t.Int(0).tag(sync=True)       # reported by the page, CSS px
    _pixel_ratio = t.Float(1.0).tag(sync=True)    # reported by the page
    _css_width = t.Int(0).tag(sync=True)          # the width the PNG was drawn for
    _min_text_pt = t.Float(0.0).tag(sync=True)
    _px_per_pt = t.Float(PX_PER_PT).tag(sync=True)


class Canvas:
    """A matplotlib figure shown as a PNG drawn for the pixels it occupies.

    Parameters
    ----------
    width, height : the design size in inches (at ``dpi``, the size in CSS px
        the figure has until a page reports its width; the height follows the
        width in this ratio)
    dpi : design resolution (sets the design width in CSS px with ``width``)
    css : CSS class of the ``<img>``, for browser tests
    max_width : widest the figure is drawn, in CSS px (default 1.5 x design width)
    alt : the text alternative (see :attr:`alt`)
    presentation : True/False for this canvas, None (default) to follow
        :func:`presentation`
    min_height : least height in CSS px (a narrow figure otherwise keeps the design's
        proportions, down to 0.6 x the design height)
    height_for : optional ``height_for(width)``: the height in CSS px for a width (a
        figure whose rows stack when narrow, say); overrides the proportions

    A panel whose figure must be arranged differently at another size (a legend
    below the plot when narrow, subplots stacked) registers :meth:`on_resize`.
    """

    def __init__(self, width=6.0, height=3.2, dpi=90, css="rnnlab-canvas", max_width=None, alt="",
                 presentation=None, min_height=None, height_for=None):
        import matplotlib

        with matplotlib.rc_context(STYLE):
            self.figure = Figure(figsize=(width, height), dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.dpi = dpi
        self.design_width = round(width * dpi)    # CSS px
        self.design_height = round(height * dpi)
        self.max_width = int(max_width) if max_width else round(self.design_width * 1.5)
        self.min_height = min_height
        self.height_for = height_for
        self._resize_callbacks = []
        self._presentation = presentation
        # As wide as allowed, and no wider than the container: a definite width, so that a
        # container sized by its content does not shrink to the last figure drawn; beside
        # other figures in a row, the shares follow the maximum widths.
        self.image = FigureView(alt=alt, _img_classes=[css], layout=ipywidgets.Layout(
            width=f"{self.max_width}px", max_width=f"min(100%, {self.max_width}px)",
            min_width="0"))
        self.image.observe(self._page_resized, names=["_client_width", "_pixel_ratio"])
        # Blitted live frames (draw_dynamic) are drawn at most at this pixel ratio: on a
        # 2x screen a quarter of the pixels, about 3 times cheaper, slightly soft while
        # moving; every draw() is sharp.
        self.live_pixel_ratio = 1.0
        self.draw_count = 0
        self.last_draw_seconds = None
        self._lock = threading.RLock()
        self._background = None  # the static layer kept by draw_dynamic
        self._size = None
        self._fit()
        _canvases.add(self)

    # -- size --------------------------------------------------------------------------
    @property
    def presenting(self):
        """True when this canvas draws in presentation mode (its own setting or the global one)."""
        return _presentation if self._presentation is None else self._presentation

    @property
    def presentation(self):
        """This canvas's presentation setting: True, False, or None to follow :func:`presentation`."""
        return self._presentation

    @presentation.setter
    def presentation(self, on):
        if on is not None and not isinstance(on, bool):
            raise TypeError(f"presentation takes True, False or None, got {on!r}")
        self._presentation = on
        self._restyle()

    def px_per_pt(self):
        """CSS pixels per point (font sizes and line widths are in points)."""
        return PX_PER_PT * (PRESENTATION_ZOOM if self.presenting else 1.0)

    def css_size(self):
        """``(width, height)`` in CSS px the figure is drawn for now."""
        reported = self.image._client_width
        width = self.design_width if reported <= 0 else min(max(reported, MIN_WIDTH), self.max_width)
        if self.height_for is not None:
            return width, int(round(self.height_for(width)))
        height = max(round(width * self.design_height / self.design_width), round(0.6 * self.design_height),
                     round(self.min_height or 0))
        return width, height

    def pixel_ratio(self):
        """Device pixels per CSS pixel the PNG is drawn with (1 until a page reports it)."""
        return min(max(self.image._pixel_ratio, 1.0), MAX_PIXEL_RATIO)

    def _fit(self, live=False):
        """Size the figure for the current CSS size, zoom and pixel ratio (1x for
        live frames, see :attr:`live_pixel_ratio`); True if it changed."""
        width, height = self.css_size()
        per_inch = 72.0 * self.px_per_pt()  # CSS px per inch
        ratio = min(self.pixel_ratio(), self.live_pixel_ratio) if live else self.pixel_ratio()
        size = (width, height, per_inch, ratio)
        if size == self._size:
            return False
        self._size = size
        self.figure.set_size_inches(width / per_inch, height / per_inch, forward=False)
        self.figure.set_dpi(per_inch * ratio)
        self.image._css_width = width
        self.image._px_per_pt = self.px_per_pt()
        self._background = None
        return True

    def on_resize(self, fn):
        """Call ``fn()`` instead of a plain :meth:`draw` when the figure's size changes (the
        page's width, presentation mode): it re-arranges the figure for :meth:`css_size`
        and draws. Called with :attr:`lock` held."""
        self._resize_callbacks.append(fn)

    def _redraw_resized(self):
        if self._resize_callbacks:
            for fn in list(self._resize_callbacks):
                fn()
        else:
            self.draw()

    def _page_resized(self, _change):
        with self._lock:
            if self._fit() and self.draw_count:
                self._redraw_resized()

    def _restyle(self):
        with self._lock:
            if self._fit() and self.draw_count:
                self._redraw_resized()

    # -- text alternative -----------------------------------------------------------------
    @property
    def alt(self):
        """The figure's text alternative: what a sighted learner reads from it.
        Becomes the ``<img>``'s ``alt``; the panel keeps it up to date."""
        return self.image.alt

    @alt.setter
    def alt(self, text):
        if not isinstance(text, str):
            raise TypeError(f"alt must be a string, got {type(text).__name__}")
        self.image.alt = text

    def min_text_css_px(self):
        """The smallest visible text of the figure, in CSS px as drawn now."""
        sizes = [a.get_fontsize() for a in self.figure.findobj(Text)
                 if a.get_visible() and a.get_text().strip() and a.get_figure() is not None]
        return min(sizes) * self.px_per_pt() if sizes else None

    # -- placing axes, in CSS px -----------------------------------------------------------
    def set_margins(self, left, right, bottom, top, size=None):
        """``subplots_adjust`` in CSS px for :meth:`css_size` (or ``size``, ``(width,
        height)``); a number below 1 is a fraction of the figure instead."""
        width, height = size or self.css_size()

        def frac(v, total):
            return v if v < 1 else v / total

        self.figure.subplots_adjust(left=frac(left, width), right=1 - frac(right, width),
                                    bottom=frac(bottom, height), top=1 - frac(top, height))

    def place_pair(self, axes, stacked, left, right, top, bottom, gap):
        """Two axes side by side, or one above the other when ``stacked`` (a narrow page).

        Each gets the margins ``left``, ``right``, ``top``, ``bottom`` in CSS px
        for its tick and axis labels; side by side, ``gap`` more px separate them.
        """
        width, height = self.css_size()
        if stacked:
            row_h = height / 2
            for i, ax in enumerate(axes):
                y0 = height - (i + 1) * row_h + bottom
                ax.set_position([left / width, y0 / height, (width - left - right) / width,
                                 (row_h - top - bottom) / height])
        else:
            w = (width - 2 * left - right - gap) / 2
            for i, ax in enumerate(axes):
                x0 = left + i * (w + left + gap)
                ax.set_position([x0 / width, bottom / height, w / width,
                                 (height - top - bottom) / height])

    # -- drawing, unchanged for panels ----------------------------------------------------
    def subplots(self, *args, **kwargs):
        """``figure.subplots`` with the house style applied."""
        with self.style():
            return self.figure.subplots(*args, **kwargs)

    def style(self):
        """A context manager applying the house style (use around axes creation)."""
        import matplotlib

        return matplotlib.rc_context(STYLE)

    @property
    def lock(self):
        """Hold this while changing artists from a thread other than the drawing one."""
        return self._lock

    def draw(self):
        """Render the figure to PNG and send it to the browser."""
        with self._lock:
            start = time.perf_counter()
            self._fit()
            buf = io.BytesIO()
            # light compression: encoding at the default level costs more than drawing
            self.figure.canvas.print_png(buf, pil_kwargs={"compress_level": 1})
            self._show(buf, start)
            self._note_text_size()

    def _note_text_size(self):
        """Tell the page the smallest text size drawn (browser tests read it)."""
        smallest = self.min_text_css_px()
        self.image._min_text_pt = smallest / self.px_per_pt() if smallest else 0.0

    def draw_dynamic(self, artists, full=False):
        """Render only ``artists`` over the rest of the figure kept from before (blitting).

        The rest, the static layer, is rendered on the first call, with
        ``full=True`` (needed after anything but ``artists`` changed) and after
        the figure was resized or drawn sharp by :meth:`draw`; later calls
        restore its pixels and draw ``artists`` on top, several times cheaper
        than :meth:`draw`. Live frames use at most :attr:`live_pixel_ratio`.
        The artists are never left marked as animated, so :meth:`draw` stays
        valid.
        """
        with self._lock:
            start = time.perf_counter()
            self._fit(live=True)
            agg = self.figure.canvas
            if full or self._background is None:
                for a in artists:
                    a.set_animated(True)  # left out of the static layer
                try:
                    agg.draw()
                finally:
                    for a in artists:
                        a.set_animated(False)
                self._background = agg.copy_from_bbox(self.figure.bbox)
                self._note_text_size()
            else:
                agg.restore_region(self._background)
            for a in artists:
                if a.get_visible():
                    self.figure.draw_artist(a)
            w, h = agg.get_width_height(physical=True)
            buf = io.BytesIO()
            # compress_level 1: a third of the time of the default, files ~10% larger
            Image.frombuffer("RGBA", (w, h), agg.buffer_rgba(), "raw", "RGBA", 0, 1).save(
                buf, format="png", compress_level=1)
            self._show(buf, start)

    def _show(self, buf, start):
        self.image.value = buf.getvalue()
        self.draw_count += 1
        self.last_draw_seconds = time.perf_counter() - start

    def png(self):
        """The last rendered PNG bytes."""
        return bytes(self.image.value)
