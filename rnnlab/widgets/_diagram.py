"""The unrolled network as a picture: k copies of one cell, left to right.

::

    from matplotlib.figure import Figure
    ax = Figure(figsize=(7, 3)).subplots()
    d = draw_unrolled(ax, 5, input_steps=[0, 1], loss_steps=[2, 3, 4])  # encoder-decoder

Column ``t`` (step index 0..k-1, labelled ``first + t``) holds the input node
``x_t`` at the bottom, the hidden state ``h_t`` in the middle and the output
``y_t`` on top; ``h_0 = 0`` stands at the left. Every copy carries the same
three weight names in the same three colours: that is weight sharing, drawn.

Numbering follows the package, ``h_t = f(w_x x_t + w_h h_{t-1} + b_h)``: the
input numbered ``t`` arrives together with ``h_{t-1}``. (The tutorial writes
the same update as ``h_{t+1} = f(w_x x_t + w_h h_t + b_h)``, giving the input
the number of the state it meets.)

Matplotlib's object-oriented API only. The returned :class:`UnrolledDiagram`
keeps its artists so a panel can move the highlight or change the numbers
without drawing everything again.
"""
from __future__ import annotations

import numbers

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm, Normalize, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch, Rectangle

#: one colour per shared weight, the same on every copy of the cell (colour-blind-safe
#: Okabe-Ito shades, dark enough for text: at least 4.5:1 on white; the names are written too)
WEIGHT_COLORS = {"w_x": "#00795A", "w_h": "#B34F00", "w_y": "#9D4F7D"}
_INPUT = dict(face="#e3eefa", edge="#1f77b4")
_HIDDEN = dict(face="#fff4d6", edge="#b8860b")
_LOSS = dict(face="#f6c9c4", edge="#c0392b")
_OUTPUT = dict(face="#efe8f7", edge="#7b5ea7")
_GREY = "#767676"  # 4.5:1 on white: greyed text stays readable
_HIGHLIGHT = dict(face=(1.0, 0.85, 0.1, 0.22), edge="#e0a800")

# vertical levels of the three rows, in data units
_X, _H, _Y = 0.0, 1.0, 2.0


class UnrolledDiagram:
    """The artists of one drawing, with methods to update them in place.

    Attributes
    ----------
    n_copies : int, the number of unrolled steps drawn (k)
    x_nodes, h_nodes, y_nodes : lists of k patches (``y_nodes`` empty without outputs)
    h0_node : the patch of ``h_0`` (None when not drawn)
    arrows : ``{"w_x": [...], "w_h": [...], "w_y": [...]}``, the weight arrows
    unit_cells : k lists of ``m`` rectangles when ``h_units`` was given
    loss_steps, input_steps : the steps marked as carrying loss / reading input
    """

    def __init__(self, ax, steps):
        self.ax = ax
        self.n_copies = steps
        self.x_nodes, self.h_nodes, self.y_nodes = [], [], []
        self.x_text, self.h_text, self.y_text = [], [], []
        self.h0_node = None
        self.h0_cells = []
        self.arrows = {"w_x": [], "w_h": [], "w_y": []}
        self.unit_cells = []
        self.highlight_patch = None
        self.colorbar = None
        self.loss_steps = ()
        self.input_steps = ()
        self._fmt = "{:.2f}"
        self._cell_cmap = colormaps["RdBu_r"]
        self._cell_norm = Normalize(-1.0, 1.0)
        self._h_cmap = None
        self._h_norm = None
        self._drawn = False  # draw_fast has rendered its static layer

    def dynamic_artists(self):
        """The artists the update methods change: values, unit cells, the highlight."""
        cells = [c for row in self.unit_cells for c in row]
        return [*cells, *self.x_text, *self.y_text, self.highlight_patch]

    # -- updates ----------------------------------------------------------------
    def set_highlight(self, step):
        """Highlight column ``step`` (0..k-1), ``-1`` for the ``h_0`` column, None for none."""
        if self.highlight_patch is None:
            return
        if step is None:
            self.highlight_patch.set_visible(False)
            return
        step = int(step)
        if not -1 <= step < self.n_copies:
            raise ValueError(f"highlight must be a step from 0 to {self.n_copies - 1} "
                             f"(or -1 for h_0), got {step}")
        col = step + 1.0
        w = self.highlight_patch.get_width()
        self.highlight_patch.set_x(col - w / 2)
        self.highlight_patch.set_visible(True)

    def set_values(self, x=None, h=None, y=None):
        """Change the numbers written in the nodes (None leaves a row as it is).

        Each of ``x``, ``h``, ``y`` is a sequence of k entries: a number, a
        string, or None for an empty node.
        """
        for texts, values in ((self.x_text, x), (self.h_text, h), (self.y_text, y)):
            if values is None or not texts:
                continue
            values = list(values)
            if len(values) != self.n_copies:
                raise ValueError(f"need {self.n_copies} values, one per step, got {len(values)}")
            for text, v in zip(texts, values):
                text.set_text(_format(v, self._fmt))

    def set_unit_values(self, values):
        """Colour the hidden-unit cells: ``values (k, m)``; NaN leaves a cell blank."""
        if not self.unit_cells:
            raise ValueError("this diagram was drawn without h_units")
        values = np.asarray(values, dtype=float)
        m = len(self.unit_cells[0])
        if values.shape != (self.n_copies, m):
            raise ValueError(f"unit values must have shape (k, m) = ({self.n_copies}, {m}), "
                             f"got {values.shape}")
        for cells, row in zip(self.unit_cells, values):
            for cell, v in zip(cells, row):
                cell.set_facecolor("white" if np.isnan(v) else self._cell_cmap(self._cell_norm(v)))
                cell.set_edgecolor("#bbbbbb" if np.isnan(v) else "#666666")

    def set_h_color(self, values):
        """Fill the hidden nodes by ``values (k,)`` with the colour map set at drawing."""
        if self._h_norm is None:
            raise ValueError("draw with h_color=... to colour the hidden nodes by value")
        values = np.asarray(values, dtype=float)
        if values.shape != (self.n_copies,):
            raise ValueError(f"h_color must have shape ({self.n_copies},), got {values.shape}")
        for node, text, v in zip(self.h_nodes, self.h_text, values):
            face = "white" if not np.isfinite(v) else self._h_cmap(self._h_norm(v))
            node.set_facecolor(face)
            text.set_color(_ink_on(face))


def _format(v, fmt):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, numbers.Real):
        if not np.isfinite(v):
            return str(v)
        s = fmt.format(v)
        return "0.00" if s == "-0.00" else s
    raise TypeError(f"a node value must be a number, a string or None, got {type(v).__name__}")


def _ink_on(face):
    """Black or white text, whichever reads better on ``face``."""
    r, g, b, _ = to_rgba(face)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def _steps(value, k, name):
    if value is None:
        return tuple(range(k))
    out = tuple(sorted({int(s) for s in np.atleast_1d(np.asarray(value, dtype=int))}))
    bad = [s for s in out if not 0 <= s < k]
    if bad:
        raise ValueError(f"{name} must be step indices from 0 to {k - 1}, got {bad}")
    return out


def _per_step(values, k, name):
    if values is None:
        return [None] * k
    values = list(values)
    if len(values) != k:
        raise ValueError(f"{name} needs {k} entries, one per step, got {len(values)}")
    return values


def draw_unrolled(ax, steps, *, input_steps=None, loss_steps=None, outputs=True, first=1,
                  x_values=None, h_values=None, y_values=None, value_format="{:.2f}",
                  h_units=None, h_unit_values=None, h_color=None, h_color_label=None,
                  cmap="viridis", norm=None, highlight=None, groups=None, show_h0=True,
                  legend=True, names=None, mark_loss=True):
    """Draw ``steps`` copies of a recurrent cell, unrolled left to right.

    Parameters
    ----------
    ax : matplotlib Axes; it is cleared and its axis turned off. The legend
        sits just below the axes: leave about 0.45 inch there.
    steps : int, k, the number of copies
    input_steps : step indices (0-based) that read a real input; the others
        are drawn grey with a ``0`` in them (the zero inputs of one-to-many and
        decoder steps). None: every step reads input.
    loss_steps : step indices whose output carries loss (filled, tagged
        "loss"); the others are hollow and grey. None: every step.
    outputs : False to leave out the output row (a bare recurrent layer)
    first : number of the first step in the labels (``x_1`` with the default 1)
    x_values, h_values, y_values : k numbers (or strings, or None) written in
        the nodes; with any of them, node names move outside the nodes
    value_format : format of numbers written in the nodes
    h_units : int m; draws the hidden state as a row of m unit cells
    h_unit_values : ``(k, m)`` values colouring those cells (blue -1 ... red +1;
        NaN blank); ``h_0``'s cells are always 0
    h_color : ``(k,)`` values colouring the hidden nodes (e.g. gradient norms
        ``||dL/dh_t||``), with ``cmap`` and ``norm`` (a Normalize, ``"log"`` or
        ``"linear"``); ``h_color_label`` adds a colour bar with that label
    highlight : a step index to highlight, ``-1`` for the ``h_0`` column
    groups : ``[(start, stop, label), ...]`` brackets under the inputs, e.g.
        ``[(0, 2, "encoder"), (2, 5, "decoder")]``
    show_h0 : draw ``h_0 = 0`` at the left
    legend : add the weight-sharing legend under the axes
    names : ``"inside"`` or ``"outside"`` the nodes; default: outside when
        values are written in the nodes
    mark_loss : False draws every output alike, without loss marks (a
        forward pass with no training in view)

    Returns
    -------
    UnrolledDiagram
    """
    k = int(steps)
    if k < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    input_steps = _steps(input_steps, k, "input_steps")
    loss_steps = _steps(loss_steps, k, "loss_steps") if outputs and mark_loss else ()
    xv = _per_step(x_values, k, "x_values")
    hv = _per_step(h_values, k, "h_values")
    yv = _per_step(y_values, k, "y_values")
    any_values = any(v is not None for v in xv + hv + yv)
    names = names or ("outside" if any_values else "inside")
    if names not in ("inside", "outside"):
        raise ValueError(f"names must be 'inside' or 'outside', got {names!r}")

    ax.clear()
    ax.set_axis_off()
    d = UnrolledDiagram(ax, k)
    d.loss_steps, d.input_steps = loss_steps, input_steps
    d._fmt = value_format

    # -- geometry: data units for layout, inches for sizes -----------------------
    left = -0.62 if show_h0 else 0.45
    right = k + 0.55
    span = max(right - left, 4.6)  # a short chain keeps sensible node sizes
    mid = (left + right) / 2
    x0, x1 = mid - span / 2, mid + span / 2
    top = (_Y + (0.78 if loss_steps else 0.62)) if outputs else (_H + 0.55)
    bottom = -0.72 - (0.42 if groups else 0.0)
    ax.set_xlim(x0, x1)
    ax.set_ylim(bottom, top)
    fig = ax.figure
    pos = ax.get_position()
    w_in = pos.width * fig.get_figwidth()
    h_in = pos.height * fig.get_figheight()
    per_x = w_in / span  # inches per data unit
    per_y = h_in / (top - bottom)
    node_in = min(0.46, 0.58 * per_x, 0.5 * per_y)  # round nodes: the same size in inches
    nw, nh = node_in / per_x, node_in / per_y
    hw = min(1.3 * node_in, 0.6 * per_x) / per_x  # the state is a vector: a wider box
    gap_y = 0.05 / per_y  # between an arrow tip and a node
    fs = float(np.clip(per_x * 15.5, 9.0, 11.0))  # never below 9 pt: 11 CSS px on screen
    fs_small = max(9.0, 0.82 * fs)
    pad_y = 0.05 / per_y  # between a node and its name
    lw = 1.3 if k <= 8 else 1.0
    round_in = 0.06
    # columns narrower than half an inch (many steps in a narrow window): the weight names
    # would overlap the state names; the arrows keep their colours and places, and the legend
    # names them
    weight_names = per_x >= 0.5

    def box(cx, cy, w, h, face, edge, ls="-", z=3):
        r = min(round_in / per_x, w / 3)
        p = FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={r}",
                           mutation_aspect=per_x / per_y, facecolor=face, edgecolor=edge, lw=lw,
                           ls=ls, zorder=z)
        ax.add_artist(p)
        return p

    def circle(cx, cy, face, edge, ls="-"):
        p = Ellipse((cx, cy), nw, nh, facecolor=face, edgecolor=edge, lw=lw, ls=ls, zorder=3)
        ax.add_artist(p)
        return p

    def arrow(a, b, color):
        # endpoints are computed from the node sizes: clipping to patches is slow
        arr = FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=7 + fs * 0.6, color=color,
                              lw=lw + 0.2, shrinkA=0, shrinkB=0, zorder=2)
        ax.add_artist(arr)
        return arr

    text_kw = dict(ha="center", va="center", zorder=5, fontsize=fs)

    # -- highlight: a translucent frame over one column (on top, so it can be blitted) --------
    hl_w = min(0.92, max(hw, nw) + 0.3 / per_x)
    hl_top = (_Y + nh / 2 + 0.28) if outputs else (_H + nh / 2 + 0.2)
    d.highlight_patch = FancyBboxPatch((0, -0.62), hl_w, hl_top + 0.62,
                                       boxstyle=f"round,pad=0,rounding_size={0.08 / per_x}",
                                       mutation_aspect=per_x / per_y,
                                       facecolor=_HIGHLIGHT["face"], edgecolor=_HIGHLIGHT["edge"],
                                       lw=1.5, zorder=6, visible=False)
    ax.add_artist(d.highlight_patch)

    # -- h_0 -------------------------------------------------------------------------
    prev = None
    if show_h0:
        col = 0.0
        prev = box(col, _H, hw, nh, "white", _GREY, ls="--")
        d.h0_node = prev
        if h_units:
            d.h0_cells = _cells(ax, col, _H, hw, nh, int(h_units), per_x, per_y, lw)
            for c in d.h0_cells:
                c.set_facecolor("white")  # h_0 = 0 is white on the blue-red scale
        else:
            ax.text(col, _H, "0", color=_GREY, **text_kw)
        ax.text(col, _H - nh / 2 - pad_y, f"$h_{{{first - 1}}}$", color=_GREY, ha="center",
                va="top", fontsize=fs, zorder=5)

    # -- the k copies --------------------------------------------------------------------
    for t in range(k):
        col = t + 1.0
        n = first + t
        reads = t in input_steps
        # input
        xn = circle(col, _X, _INPUT["face"] if reads else "white",
                    _INPUT["edge"] if reads else _GREY, ls="-" if reads else "--")
        d.x_nodes.append(xn)
        name_color = "black" if reads else _GREY
        if not reads and xv[t] is None:
            xv[t] = 0.0 if any_values else "0"
        xt = ax.text(col, _X, _format(xv[t], value_format), color=name_color,
                     **{**text_kw, "fontsize": fs_small if any_values else fs})
        d.x_text.append(xt)
        if names == "outside" or not reads:
            ax.text(col, _X - nh / 2 - pad_y, f"$x_{{{n}}}$", color=name_color, ha="center",
                    va="top", fontsize=fs, zorder=5)
        elif xv[t] is None:
            xt.set_text(f"$x_{{{n}}}$")
        # hidden state
        hn = box(col, _H, hw, nh, _HIDDEN["face"], _HIDDEN["edge"])
        d.h_nodes.append(hn)
        if h_units:
            m = int(h_units)
            d.unit_cells.append(_cells(ax, col, _H, hw, nh, m, per_x, per_y, lw))
            # the name sits right of the box, under the w_h arrow, clear of the cells
            ht = ax.text(col + hw / 2 + 0.02 / per_x, _H - 0.04 / per_y, f"$h_{{{n}}}$",
                         ha="left", va="top", fontsize=fs_small, zorder=5)
        elif names == "inside" and hv[t] is None:
            ht = ax.text(col, _H, f"$h_{{{n}}}$", **text_kw)
        else:
            ax.text(col + hw / 2 + 0.02 / per_x, _H - 0.04 / per_y, f"$h_{{{n}}}$", ha="left",
                    va="top", fontsize=fs_small, zorder=5)
            ht = ax.text(col, _H, _format(hv[t], value_format), **{**text_kw, "fontsize": fs_small})
        d.h_text.append(ht)
        # weights into this state
        d.arrows["w_x"].append(arrow((col, _X + nh / 2 + gap_y), (col, _H - nh / 2 - gap_y),
                                     WEIGHT_COLORS["w_x"]))
        if weight_names:
            ax.text(col - 0.05 / per_x, (_X + _H) / 2, "$w_x$", color=WEIGHT_COLORS["w_x"],
                    ha="right", va="center", fontsize=fs_small, zorder=5)
        if prev is not None:
            d.arrows["w_h"].append(arrow((col - 1 + hw / 2 + gap_y * per_y / per_x, _H),
                                         (col - hw / 2 - gap_y * per_y / per_x, _H),
                                         WEIGHT_COLORS["w_h"]))
            if weight_names:
                ax.text(col - 0.5, _H + 0.04 / per_y, "$w_h$", color=WEIGHT_COLORS["w_h"],
                        ha="center", va="bottom", fontsize=fs_small, zorder=5)
        prev = hn
        # output
        if outputs:
            carries = t in loss_steps
            style = _OUTPUT if not mark_loss else _LOSS if carries else None
            yn = circle(col, _Y, style["face"] if style else "white",
                        style["edge"] if style else _GREY, ls="-" if style else "--")
            d.y_nodes.append(yn)
            color = "black" if style else _GREY
            yt = ax.text(col, _Y, _format(yv[t], value_format), color=color,
                         **{**text_kw, "fontsize": fs_small})
            d.y_text.append(yt)
            if names == "outside":
                ax.text(col, _Y + nh / 2 + pad_y, f"$y_{{{n}}}$", color=color, ha="center",
                        va="bottom", fontsize=fs, zorder=5)
            elif yv[t] is None:
                yt.set_text(f"$y_{{{n}}}$")
                yt.set_fontsize(fs)
            if carries:
                above = _Y + nh / 2 + pad_y + (fs * 1.25 / 72 / per_y if names == "outside" else 0)
                ax.text(col, above, "loss", color=_LOSS["edge"], ha="center", va="bottom",
                        fontsize=fs_small, fontweight="bold", zorder=5)
            d.arrows["w_y"].append(arrow((col, _H + nh / 2 + gap_y), (col, _Y - nh / 2 - gap_y),
                                         WEIGHT_COLORS["w_y"]))
            if weight_names:
                ax.text(col - 0.05 / per_x, (_H + _Y) / 2, "$w_y$", color=WEIGHT_COLORS["w_y"],
                        ha="right", va="center", fontsize=fs_small, zorder=5)

    if h_units:
        d.set_unit_values(np.full((k, int(h_units)), np.nan) if h_unit_values is None
                          else h_unit_values)

    # -- hidden nodes coloured by a value (gradient norms, ...) ----------------------------
    if h_color is not None:
        values = np.asarray(h_color, dtype=float)
        if norm is None or norm == "linear":
            finite = values[np.isfinite(values)]
            norm = Normalize(float(finite.min()) if finite.size else 0.0,
                             float(finite.max()) if finite.size else 1.0)
        elif norm == "log":
            pos_vals = values[np.isfinite(values) & (values > 0)]
            lo = float(pos_vals.min()) if pos_vals.size else 1e-8
            hi = float(pos_vals.max()) if pos_vals.size else 1.0
            norm = LogNorm(lo, max(hi, lo * 10))
        d._h_cmap = colormaps[cmap] if isinstance(cmap, str) else cmap
        d._h_norm = norm
        d.set_h_color(values)
        if h_color_label:
            from matplotlib.cm import ScalarMappable

            cax = ax.inset_axes([1.005, 0.3, 0.012, 0.45])
            d.colorbar = fig.colorbar(ScalarMappable(norm=norm, cmap=d._h_cmap), cax=cax)
            d.colorbar.set_label(h_color_label, fontsize=fs_small)
            d.colorbar.ax.tick_params(labelsize=fs_small - 0.5)

    # -- brackets under the inputs -----------------------------------------------------------
    for start, stop, label in groups or ():
        ya = -0.72
        xa, xb = start + 1 - nw / 2, stop - 1 + 1 + nw / 2
        ax.add_artist(Line2D([xa, xa, xb, xb], [ya + 0.08, ya, ya, ya + 0.08], color="#555555",
                           lw=1.0, zorder=4))
        ax.text((xa + xb) / 2, ya - 0.05, label, ha="center", va="top", fontsize=fs_small,
                color="#333333", zorder=5)

    d.set_highlight(highlight)
    if legend:
        _legend(ax, outputs, loss_steps, k, input_steps, 9.0, h_units)
    return d


def _cells(ax, cx, cy, w, h, m, per_x, per_y, lw):
    """m small squares in a row inside the hidden box: the units of the state vector."""
    inner_w = w - 0.1 / per_x
    side_in = min(inner_w * per_x / m, 0.6 * h * per_y, 0.16)
    sw, sh = side_in / per_x, side_in / per_y
    gap = (inner_w - m * sw) / max(m - 1, 1) if m > 1 else 0.0
    gap = min(gap, 0.03 / per_x)
    total = m * sw + (m - 1) * gap
    start = cx - total / 2
    cells = []
    for i in range(m):
        r = Rectangle((start + i * (sw + gap), cy - sh / 2), sw, sh, facecolor="white",
                      edgecolor="#666666", lw=max(0.5, lw * 0.5), zorder=4)
        ax.add_artist(r)
        cells.append(r)
    return cells


def _legend(ax, outputs, loss_steps, k, input_steps, fs, h_units):
    """Weight sharing on the first row; what the node styles mean on the second."""
    weights = ("w_x", "w_h", "w_y") if outputs else ("w_x", "w_h")
    words = {"w_x": "input → hidden", "w_h": "hidden → hidden", "w_y": "hidden → output"}
    row1 = [(Line2D([], [], color=WEIGHT_COLORS[w], lw=2), f"${w[0]}_{w[2]}$ {words[w]}")
            for w in weights]

    def dot(face, edge, marker="o"):
        return Line2D([], [], ls="", marker=marker, ms=7, mfc=face, mec=edge)

    row2 = []
    if outputs and loss_steps:
        row2.append((dot(_LOSS["face"], _LOSS["edge"]), "output with loss"))
    if outputs and loss_steps and len(loss_steps) < k:
        row2.append((dot("white", _GREY), "output ignored"))
    if len(input_steps) < k:
        row2.append((dot(_GREY, _GREY, "$0$"), "zero input"))
    if h_units:
        cmap = colormaps["RdBu_r"]
        row2.append((dot(cmap(0.85), "#666666", "s"), "hidden unit > 0"))
        row2.append((dot(cmap(0.15), "#666666", "s"), "hidden unit < 0"))
    ncol = max(len(row1), len(row2))
    blank = (Line2D([], [], ls="", marker=""), "")
    row1 += [blank] * (ncol - len(row1))
    row2 += [blank] * (ncol - len(row2)) if row2 else []
    # the legend fills column by column: interleave so each row reads across
    items = [it for pair in zip(row1, row2) for it in pair] if row2 else row1
    title = ("the same $w_x$, $w_h$, $w_y$ at every step" if outputs
             else "the same $w_x$, $w_h$ at every step")
    return ax.legend([h for h, _ in items], [lab for _, lab in items], loc="upper center",
                     bbox_to_anchor=(0.5, 0.0), ncol=ncol, fontsize=fs, title=title,
                     title_fontsize=fs + 0.5, frameon=False, handlelength=1.6, columnspacing=1.4,
                     borderaxespad=0.1)


def legend_html(diagram, outputs=True, h_units=None):
    """The diagram's legend as HTML (the same entries as the in-figure legend): text that
    wraps at any width and that screen readers read, with a swatch for each colour."""
    k, loss_steps, input_steps = diagram.n_copies, diagram.loss_steps, diagram.input_steps
    weights = ("w_x", "w_h", "w_y") if outputs else ("w_x", "w_h")
    words = {"w_x": "input → hidden", "w_h": "hidden → hidden", "w_y": "hidden → output"}

    def line(color):
        return (f'<span aria-hidden="true" style="display:inline-block;width:22px;height:0;'
                f'border-top:3px solid {color};vertical-align:middle;margin-right:4px"></span>')

    def dot(face, edge, shape="50%", mark=""):
        return (f'<span aria-hidden="true" style="display:inline-block;width:12px;height:12px;'
                f'border:1.5px solid {edge};background:{face};border-radius:{shape};'
                f'vertical-align:middle;margin-right:4px;font-size:9px;line-height:12px;'
                f'text-align:center;color:#595959">{mark}</span>')

    items = [f"{line(WEIGHT_COLORS[w])}<b>{w[0]}<sub>{w[2]}</sub></b> {words[w]}" for w in weights]
    if outputs and loss_steps:
        items.append(f'{dot(_LOSS["face"], _LOSS["edge"])}output with loss')
    if outputs and loss_steps and len(loss_steps) < k:
        items.append(f'{dot("#ffffff", "#767676")}output ignored (dashed)')
    if len(input_steps) < k:
        items.append(f'{dot("#ffffff", "#767676", mark="0")}zero input (dashed)')
    if h_units:
        cmap = colormaps["RdBu_r"]
        hexes = ["#%02x%02x%02x" % tuple(int(255 * c) for c in cmap(v)[:3]) for v in (0.85, 0.15)]
        items.append(f'{dot(hexes[0], "#666666", "2px")}hidden unit &gt; 0 (red)')
        items.append(f'{dot(hexes[1], "#666666", "2px")}hidden unit &lt; 0 (blue)')
    head = ("the same w<sub>x</sub>, w<sub>h</sub>, w<sub>y</sub> at every step" if outputs
            else "the same w<sub>x</sub>, w<sub>h</sub> at every step")
    cells = "".join(f'<span style="display:inline-block;margin:0 14px 2px 0;white-space:nowrap">'
                    f"{item}</span>" for item in items)
    return (f'<div class="rnnlab-diagram-legend" style="font-size:12px;line-height:1.5;'
            f'color:#1f1f1f"><span style="margin-right:14px">Legend: {head}.</span>{cells}</div>')


def draw_fast(canvas, diagram, full=False):
    """Render ``canvas`` (an :class:`rnnlab.widgets._base.Canvas`) re-drawing only what changes.

    The first call, or ``full=True`` (needed after anything but the
    :class:`UnrolledDiagram` update methods changed the figure), renders the
    static artists once and keeps the pixels; later calls restore them and
    draw only ``diagram.dynamic_artists()`` on top. That makes a step of a
    stepping view several times cheaper than a full ``canvas.draw()``, which
    stays valid at any time (:meth:`~rnnlab.widgets._base.Canvas.draw_dynamic`).
    """
    with canvas.lock:
        canvas.draw_dynamic(diagram.dynamic_artists(), full=full or not diagram._drawn)
        diagram._drawn = True
