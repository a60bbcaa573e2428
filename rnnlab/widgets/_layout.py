"""Layouts that fit a 900-px laptop window with the file browser open, and a projector.

Panels build their root box from these (in their one ``_build_layout``); the
behaviour comes from flexbox and grid rules set as ipywidgets ``Layout``
traits, so it needs no CSS file and works wherever core ipywidgets render:

* :func:`split` puts the controls beside the plots on a wide panel and above
  them on a narrow one: the two columns wrap onto two lines below about
  ``side + main`` pixels of panel width (about 1000), and each then takes the
  whole width;
* :func:`controls_grid` lays controls out in as many columns of at least
  ``min_width`` pixels as fit: one beside the plots, two or three when the
  controls sit above them at a laptop width (a compact block, not a long
  column);
* :func:`row` is a row of buttons or small controls that wraps when narrow.

Plots (:class:`~rnnlab.widgets._canvas.Canvas`) take the width they are given
up to their maximum, and are redrawn for it, so their text stays 11 CSS px.
"""
from __future__ import annotations

import ipywidgets

#: panel width (CSS px) below which the controls move above the plots, about
SIDE_WIDTH, MAIN_WIDTH, GAP = 320, 640, 16


def split(side, main, side_width=SIDE_WIDTH, main_width=MAIN_WIDTH):
    """``side`` (controls) beside ``main`` (plots) when the panel is at least
    ``side_width + main_width + 16`` px wide, else ``side`` above ``main``, both full width.

    ``side`` and ``main`` are widgets or lists of widgets (put in a VBox).
    """
    side = side if isinstance(side, ipywidgets.Widget) else column(side)
    main = main if isinstance(main, ipywidgets.Widget) else column(main)
    # grow factors 1 : 1000: beside each other the controls keep their width and the plots take
    # the rest; wrapped, each takes a whole line
    side.layout.flex = f"1 1 {side_width}px"
    main.layout.flex = f"1000 1 {main_width}px"
    for box in (side, main):
        box.layout.min_width = "0"
        box.layout.max_width = "100%"
        box.layout.overflow = "visible"
    side.add_class("rnnlab-side")
    main.add_class("rnnlab-main")
    box = ipywidgets.HBox([side, main], layout=ipywidgets.Layout(
        flex_flow="row wrap", align_items="flex-start", width="100%", overflow="visible",
        grid_gap=f"4px {GAP}px"))
    box.add_class("rnnlab-split")
    return box


def column(children, **layout):
    """A VBox whose children never run past it."""
    layout = {"min_width": "0", "max_width": "100%", "overflow": "visible", **layout}
    box = ipywidgets.VBox(list(children), layout=ipywidgets.Layout(**layout))
    return box


def controls_grid(children, min_width=260):
    """Controls in as many columns of at least ``min_width`` px as fit (one when narrow)."""
    grid = ipywidgets.GridBox(list(children), layout=ipywidgets.Layout(
        grid_template_columns=f"repeat(auto-fill, minmax(min({min_width}px, 100%), 1fr))",
        grid_gap="2px 16px", width="100%", overflow="visible", align_items="center"))
    grid.add_class("rnnlab-controls")
    return grid


def row(children, **layout):
    """A row that wraps onto more lines when narrow, its children centred in height."""
    # one Layout per box: a shared one would hide them all together
    layout = {"flex_flow": "row wrap", "align_items": "center", "max_width": "100%",
              "overflow": "visible", "grid_gap": "2px 8px", **layout}
    box = ipywidgets.HBox(list(children), layout=ipywidgets.Layout(**layout))
    box.add_class("rnnlab-row")
    return box
