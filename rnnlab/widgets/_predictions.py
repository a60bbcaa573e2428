"""What a model predicts on held-out data, drawn in the form that fits its pattern.

:class:`PredictionPlot` makes the artists once for a model and data set and
then only moves them, so a live frame during training re-renders just the
predictions and a short stamp at the right of the title ("epoch 12", and the
accuracy for classes) over the rest of the figure, which is kept from the
last full render (:meth:`rnnlab.widgets._base.Canvas.draw_dynamic`):

=================================  =============================================
model                              picture
=================================  =============================================
classes, one per sequence          validation accuracy per class (bars)
classes, one per step              one sequence's classes per step
numbers, one per sequence          prediction against target (points, diagonal)
numbers, one per step              one sequence: target and prediction over steps
=================================  =============================================

Predictions of a model whose weights blew up (inf, NaN, 1e300) are drawn
clipped to the plot, never passed raw to matplotlib.
"""
from __future__ import annotations

import numpy as np

from ._base import COLORS


class PredictionPlot:
    """The prediction picture of ``model`` on ``ds``, drawn on ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes (cleared)
    model : the SequenceModel (its pattern and loss choose the picture)
    ds : the Dataset predicted on (validation data)
    legend : ``"right"`` (beside the axes) or ``"above"``
    short : short titles, for a half-width figure
    """

    def __init__(self, ax, model, ds, legend="right", short=False):
        self.ax, self.ds = ax, ds
        self.short = short
        self.kind = _kind(model, ds)
        self.epoch = None
        ax.clear()
        self._legend = legend
        getattr(self, f"_setup_{self.kind}")(model)
        # the title is static; the stamp at its right says which epoch is shown (few
        # glyphs: text is the dearest part of a live frame)
        pad = 22 if legend == "above" and ax.get_legend() is not None else 6
        self.title = ax.set_title(self._head, loc="left", pad=pad)
        self.stamp = ax.set_title("", loc="right", pad=pad)
        self.dynamic = self._moving + [self.stamp]

    # -- what the model says -------------------------------------------------------------
    def update(self, model, epoch=None):
        """Predict again and move the artists; returns True if the limits had to change
        (then the whole figure must be re-rendered, not only :attr:`dynamic`)."""
        if all(np.isfinite(v).all() for v in model.params.values()):
            with np.errstate(all="ignore"):
                pred = np.asarray(model.predict(self.ds.x), dtype=np.float64)
        else:  # weights that are not numbers predict nothing (and would warn, from a thread)
            n, out = self.ds.x.shape[1], int(model.output_size)
            pred = np.full((n, out) if model.per_sequence else (self.ds.y.shape[0], n, out),
                           np.nan)
        self.epoch = epoch
        self._pred = pred
        return getattr(self, f"_update_{self.kind}")(pred)

    def describe(self):
        """The picture in words, for its text alternative: what a sighted learner reads."""
        when = "" if self.epoch is None else (
            " before training" if self.epoch == 0 else f" at epoch {self.epoch}")
        if getattr(self, "_pred", None) is None:
            return f"{self._head.capitalize()}: no prediction yet."
        return getattr(self, f"_describe_{self.kind}")(self._pred, when)

    def _stamp(self, extra=""):
        when = "" if self.epoch is None else (
            "before training" if self.epoch == 0 else f"epoch {self.epoch}")
        self.stamp.set_text("  ·  ".join(p for p in (extra, when) if p))

    # -- classes, one per sequence: accuracy per class -------------------------------------
    def _setup_class_bars(self, model):
        ds, ax = self.ds, self.ax
        n_cls = int(model.output_size)
        names = ds.meta.get("class_names", [str(i) for i in range(n_cls)])
        self._class_names = list(names)
        self._bars = ax.bar(range(n_cls), np.zeros(n_cls), color=COLORS["pred"], alpha=0.7)
        ax.set_xticks(range(n_cls), names)
        ax.set_ylim(0, 1)
        ax.set_ylabel("accuracy")
        self._head = "accuracy per class" if self.short else "validation accuracy per class"
        self._moving = list(self._bars)

    def _update_class_bars(self, pred):
        y = self.ds.y
        guess = np.nan_to_num(pred, nan=-np.inf).argmax(-1)
        for c, bar in enumerate(self._bars):
            bar.set_height(float(np.mean(guess[y == c] == c)) if np.any(y == c) else 0.0)
        self._stamp(f"overall {np.mean(guess == y):.0%}")
        return False

    def _describe_class_bars(self, pred, when):
        y, names = self.ds.y, self._class_names
        guess = np.nan_to_num(pred, nan=-np.inf).argmax(-1)
        per = [f"{name} {np.mean(guess[y == c] == c):.0%}" for c, name in enumerate(names)
               if np.any(y == c)]
        return (f"Bar chart of validation accuracy per class{when}: {', '.join(per)}; overall "
                f"{np.mean(guess == y):.0%} of {len(y)} sequences.")

    # -- classes, one per step: one sequence --------------------------------------------------
    def _setup_class_steps(self, model):
        ds, ax = self.ds, self.ax
        steps = np.arange(1, ds.y.shape[0] + 1)  # panels number steps from 1
        ax.step(steps, ds.y[:, 0], where="mid", color=COLORS["target"], label="target class")
        (self._line,) = ax.plot(steps, np.zeros(len(steps)), "o", color=COLORS["pred"], ms=4,
                                label="predicted")
        ax.set_xlabel("step")
        ax.set_ylim(-0.5, int(model.output_size) - 0.5)
        self._put_legend()
        self._head = "one sequence" if self.short else "one validation sequence"
        self._moving = [self._line]

    def _update_class_steps(self, pred):
        guess = np.nan_to_num(pred, nan=-np.inf).argmax(-1)
        self._line.set_ydata(guess[:, 0])
        self._stamp(f"step accuracy {np.mean(guess == self.ds.y):.0%}")
        return False

    def _describe_class_steps(self, pred, when):
        guess = np.nan_to_num(pred, nan=-np.inf).argmax(-1)
        right = guess[:, 0] == self.ds.y[:, 0]
        wrong = [str(t + 1) for t in np.flatnonzero(~right)[:8]]
        text = (f"Target class and predicted class at each of {len(right)} steps of one "
                f"validation sequence{when}: {int(right.sum())} of {len(right)} steps right")
        if wrong:
            text += f" (wrong at step{'s' if len(wrong) > 1 else ''} {', '.join(wrong)}" + (
                ", ..." if (~right).sum() > len(wrong) else "") + ")"
        return text + f"; {np.mean(guess == self.ds.y):.0%} of the steps of all validation sequences."

    # -- numbers, one per sequence: prediction against target ----------------------------------
    def _setup_scatter(self, model):
        ax, t = self.ax, self.ds.y[:, 0]
        lo, hi = float(t.min()), float(t.max())
        pad = 0.15 * (hi - lo or 1.0)
        self._limits = (lo - pad, hi + pad)
        ax.plot(self._limits, self._limits, color=COLORS["target"], lw=1, label="prediction = target")
        (self._line,) = ax.plot(t, np.zeros_like(t), "o", ms=3, color=COLORS["pred"], alpha=0.7)
        ax.set_xlim(*self._limits)
        ax.set_ylim(*self._limits)
        ax.set_xlabel("target")
        ax.set_ylabel("prediction")
        self._head = "prediction vs target" if self.short else "validation: prediction vs target"
        self._moving = [self._line]

    def _update_scatter(self, pred):
        raw = pred[:, 0]
        p = _clipped(raw, self._limits)
        self._line.set_ydata(p)
        full = False
        finite = p[np.isfinite(p)]
        lo, hi = self._limits
        if finite.size:  # grow the frame to hold the predictions, within a sane range
            span = (hi - lo) or 1.0
            want = (min(lo, float(finite.min()) - 0.05 * span), max(hi, float(finite.max()) + 0.05 * span))
            want = (max(want[0], lo - 10 * span), min(want[1], hi + 10 * span))
            if want != self.ax.get_ylim():
                self.ax.set_ylim(*want)
                full = True
        self._stamp(_not_finite(raw))
        return full

    def _describe_scatter(self, pred, when):
        t, p = self.ds.y[:, 0], pred[:, 0]
        ok = np.isfinite(p)
        if not ok.any():
            return f"Prediction against target{when}: every prediction is infinite or not a number."
        err = np.abs(p[ok] - t[ok])
        return (f"Scatter of prediction against target for {len(t)} validation sequences{when} "
                f"(a right prediction lies on the diagonal): mean absolute error {err.mean():.3g}, "
                f"largest {err.max():.3g}; targets range from {t.min():.3g} to {t.max():.3g}.")

    # -- numbers, one per step: one sequence ----------------------------------------------------
    def _setup_sequence(self, model):
        ds, ax = self.ds, self.ax
        target = ds.y[:, 0, 0]
        steps = np.arange(1, len(target) + 1)  # panels number steps from 1
        mask = ds.meta.get("mask")
        if mask is not None:  # fill-in-the-middle: shade the steps the model must fill
            hidden = np.flatnonzero(np.asarray(mask)[:, 0])
            if hidden.size:
                ax.axvspan(hidden[0] + 0.5, hidden[-1] + 1.5, color="#f2c14e", alpha=0.25, lw=0,
                           label="hidden gap")
        dots = len(steps) <= 6  # a short sequence reads better as dots
        ax.plot(steps, target, color=COLORS["target"], lw=2, label="target",
                marker="o" if dots else None, ms=4)
        (self._line,) = ax.plot(steps, np.zeros_like(target), color=COLORS["pred"], lw=1.5, ls="--",
                                label="prediction", marker="o" if dots else None, ms=4)
        if dots:
            ax.set_xticks(steps)
        lo, hi = float(target.min()), float(target.max())
        pad = 0.25 * (hi - lo or 1.0)
        self._limits = (lo - pad, hi + pad)
        ax.set_ylim(*self._limits)
        ax.set_xlabel("output step")
        self._put_legend()
        self._head = "one sequence" if self.short else "one validation sequence"
        self._moving = [self._line]

    def _update_sequence(self, pred):
        lo, hi = self._limits
        span = hi - lo
        # the frame holds the targets; a wild prediction leaves it at the edge, never rescales it
        self._line.set_ydata(_clipped(pred[:, 0, 0], (lo - span, hi + span)))
        self._stamp(_not_finite(pred[:, 0, 0]))
        return False

    def _describe_sequence(self, pred, when):
        target, p = self.ds.y[:, 0, 0], pred[:, 0, 0]
        ok = np.isfinite(p)
        if not ok.any():
            return (f"Target and prediction over {len(target)} steps of one validation "
                    f"sequence{when}: every prediction is infinite or not a number.")
        err = np.where(ok, np.abs(p - target), np.inf)
        worst = int(np.argmax(err))
        return (f"Target (solid) and prediction (dashed) over {len(target)} steps of one "
                f"validation sequence{when}: mean absolute error {np.mean(err[ok]):.3g}, largest "
                f"{err[worst]:.3g} at step {worst + 1}; the target ranges from {target.min():.3g} "
                f"to {target.max():.3g}.")

    def _put_legend(self):
        if self._legend == "above":
            self.ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=9,
                           borderaxespad=0.1, handlelength=2.2, columnspacing=1.0)
        else:
            self.ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def _kind(model, ds):
    if ds.loss == "cross-entropy":
        return "class_bars" if model.per_sequence else "class_steps"
    return "scatter" if model.per_sequence else "sequence"


def _not_finite(values):
    """``"3 of 40 not finite"`` when a blown-up model predicts inf or NaN (drawn as gaps)."""
    bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
    return f"{bad} of {np.size(values)} not finite" if bad else ""


def _clipped(values, limits):
    """Values for drawing: +-inf and huge numbers pinned at the limits, NaN left as a gap."""
    lo, hi = limits
    values = np.asarray(values, dtype=np.float64)
    out = np.clip(values, lo, hi)
    out[np.isnan(values)] = np.nan
    return out
