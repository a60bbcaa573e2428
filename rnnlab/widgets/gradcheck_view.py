"""Gradient checks you can see: a bar per parameter, on a log scale, against the tolerance.

::

    from rnnlab.widgets import GradCheckView
    view = GradCheckView(cell="gru-original", pattern="many-to-one")   # display it
    view.check().passed                                                # or press Check

    # a learner's own step function, e.g. from an exercise
    view = GradCheckView.for_function(my_step_forward, my_step_backward, inputs,
                                      reference=(rnnlab.rnn_step_forward, rnnlab.rnn_step_backward))

The numerical gradient comes from central differences
``(L(p + eps) - L(p - eps)) / (2 eps)`` in float64; a correct backward pass
agrees with it to about 1e-9 or better, so anything above the tolerance
(1e-7) is a bug, not rounding.

The panel is a view: the checks are the core's. A model check runs
:func:`rnnlab.check_model_gradients` in a background thread (a 3-layer
bidirectional LSTM takes a few seconds); a learner's pair runs through
:func:`rnnlab.learner.check_pair`, which copies the inputs, adapts rnnlab's
step-function conventions (dicts of weights, ``(dx, ..., grads)`` returns,
several outputs), catches whatever the learner's code raises and compares it
with a reference. That one runs in the caller's thread, so a ``print`` in the
learner's code lands in the learner's cell.
"""
from __future__ import annotations

import html
import threading
import time

import ipywidgets
import numpy as np

from .. import learner
from ..checks import check_model_gradients
from ..gradcheck import GradCheckResult
from ..model import SequenceModel
from ..patterns import PATTERNS, get_pattern
from ._base import Canvas, Panel, Runner, message_html, setting_property
from ._factory import make_button, make_control
from ._layout import column, controls_grid, row
from ._settings import Choice, Flag, Float, Int

TOLERANCE = 1e-7
CELLS = (("RNN", "rnn"), ("GRU (PyTorch variant)", "gru-pytorch"),
         ("GRU (original paper)", "gru-original"), ("LSTM", "lstm"))
# the tiny problem every model check runs on
SIZES = dict(input_size=2, hidden_size=3, output_size=2, steps=4, output_length=3, batch=2)
# at least 4.5:1 on white (they colour text too); a failing bar is also hatched and labelled
OK_COLOR, FAIL_COLOR, REF_COLOR = "#1a7f37", "#d62728", "#7f7f7f"
FLOOR, CEIL = 1e-16, 1.0  # bars are drawn between these (0 and inf are shown as text)


def tiny_problem(cell="rnn", pattern="many-to-many", activation="tanh", num_layers=1,
                 bidirectional=False, seed=0):
    """A tiny seeded model and data for a gradient check: ``(model, x, y)``.

    ``cell`` is ``"rnn"``, ``"gru-pytorch"``, ``"gru-original"`` (or ``"gru"``)
    or ``"lstm"``. Sizes are in :data:`SIZES`; the same seed gives the same
    numbers.
    """
    base, _, variant = cell.partition("-")
    s = SIZES
    model = SequenceModel(s["input_size"], s["hidden_size"], s["output_size"], cell=base,
                          pattern=pattern, num_layers=num_layers, bidirectional=bidirectional,
                          activation=activation, gru_variant=variant or "pytorch",
                          output_length=s["output_length"], seed=seed)
    rng = np.random.default_rng(seed)
    steps_in = 1 if get_pattern(model.pattern).one_input_step else s["steps"]
    x = rng.standard_normal((steps_in, s["batch"], s["input_size"]))
    if model.per_sequence:
        y = rng.standard_normal((s["batch"], s["output_size"]))
    else:
        steps_out = s["steps"] if model.pattern == "many-to-many" else s["output_length"]
        y = rng.standard_normal((steps_out, s["batch"], s["output_size"]))
    return model, x, y


class GradCheckView(Panel):
    """Check backward passes against central differences and show where they disagree.

    Parameters
    ----------
    cell : ``"rnn"``, ``"gru-pytorch"``, ``"gru-original"`` or ``"lstm"``
    pattern : one of :data:`rnnlab.PATTERNS`
    activation : hidden activation of the simple RNN
    num_layers, bidirectional : shape of the recurrent part
    seed : weights and data of the tiny problem (see :func:`tiny_problem`)
    tol : largest relative error that passes
    check : run a first check right away

    Attributes
    ----------
    result : :class:`rnnlab.GradCheckResult` of the last check (the learner's
        function in function mode)
    reference_result : the reference's result when one was given, else None
    comparison : the learner's forward output and gradients against the
        reference's: ``{"forward": float, "grads": {name: float}, "message": str}``
    bars : dict name -> matplotlib ``Rectangle`` of the learner's (or model's) bars
    controls, buttons : the widgets, for driving the panel from code

    Examples
    --------
    >>> GradCheckView(cell="lstm", pattern="encoder-decoder")  # doctest: +SKIP
    """

    css = "rnnlab-gradcheck"
    panel_name = "gradcheck"
    # every setting is live: a change during a check asks for another check
    SETTINGS = (
        Flag("compare", True, live=True, label="Compare with reference", width="auto"),
        Choice("cell", CELLS, "rnn", live=True, label="Cell", width="270px",
               value_aliases={"gru": "gru-pytorch"}),
        Choice("activation", ("tanh", "sigmoid", "relu"), "tanh", live=True, label="Activation",
               width="200px"),
        Choice("pattern", PATTERNS, "many-to-many", live=True, label="Pattern", width="240px",
               normalize=lambda name: name.replace("_", "-")),
        Int("num_layers", 1, 3, 1, live=True, label="Layers", width="240px"),
        Flag("bidirectional", False, live=True, label="Bidirectional", width="auto"),
        Int("seed", 0, 2**31 - 1, 0, live=True, label="Seed", widget="box", width="150px"),
        Float("tol", 1e-15, 1.0, TOLERANCE, control=False),
    )

    def __init__(self, cell="rnn", pattern="many-to-many", activation="tanh", num_layers=1,
                 bidirectional=False, seed=0, tol=TOLERANCE, compare=True, check=True):
        if not isinstance(check, bool):
            raise TypeError(f"check must be True or False, got {type(check).__name__} {check!r}")
        self.runner = Runner("rnnlab-gradcheck")
        self.result = self.reference_result = self.comparison = self.pair_check = None
        self.bars = {}
        self.description = ""
        self._user = None
        self._chart_key = None
        self._lock = threading.Lock()
        self._busy_checking = self._again = False
        self._check_first = check
        super().__init__(cell=cell, pattern=pattern, activation=activation, num_layers=num_layers,
                         bidirectional=bidirectional, seed=seed, tol=tol, compare=compare)

    tol = setting_property("tol", "The largest relative error that passes.")

    # -- the lifecycle ------------------------------------------------------------------
    def _build_controls(self):
        super()._build_controls()
        self.controls["bidirectional"].layout.margin = "0 24px 0 8px"
        # what is checked, the model of the settings or the learner's function: a view choice
        self.controls["source"] = make_control(
            Choice("source", [("Model settings", "model"), ("Your function", "function")],
                   "model", label="Check", widget="toggle", style={"button_width": "120px"}),
            "model")
        self.buttons = {"check": make_button("check", "Check", "check", "primary",
                                             "compare the backward pass with central differences")}

    def _build_views(self):
        self.verdict = ipywidgets.HTML()
        self.verdict.add_class("rnnlab-verdict")
        self.table = ipywidgets.HTML()
        self.table.add_class("rnnlab-gradcheck-table")
        # one bar per parameter: as tall as the parameters need, at any width
        self._height_in = 3.0
        self.canvas = Canvas(7.2, 3.0, css="rnnlab-gradcheck-plot", height_for=self._css_height)
        self.canvas.on_resize(self._resized)

    def _build_layout(self):
        c = self.controls
        self._model_box = controls_grid([c["cell"], c["activation"], c["pattern"],
                                         c["num_layers"], c["bidirectional"], c["seed"]],
                                        min_width=280)
        self._function_box = row([c["source"], c["compare"]])
        return column([self._function_box, self._model_box, row([self.buttons["check"]]),
                       self.status, self.verdict, self.canvas.image, self.table, self.message])

    def _wire(self):
        super()._wire()
        self.observe(self.controls["source"], self._source_changed)
        self.on_click(self.buttons["check"], lambda: self.check(wait=False))

    def _source_changed(self, change):
        if not self._quiet:
            self._sync_controls()
            self.check(wait=False)

    def _first_draw(self):
        self._sync_controls()
        if self._check_first:
            self.check()

    def _apply(self, changed, old):
        self._sync_controls()
        if changed == {"compare"}:
            self._show()
        else:
            self.check(wait=False)

    def _inactive(self, name):
        return name == "activation" and self._values["cell"] != "rnn"

    def _sync_controls(self):
        has_user = self._user is not None
        self._function_box.layout.display = None if has_user else "none"
        has_ref = has_user and self._user["reference"] is not None
        self.controls["compare"].layout.display = None if has_ref else "none"
        self._model_box.layout.display = "none" if self.mode == "function" else None
        self._refresh_enabled()

    @property
    def mode(self):
        """``"model"`` or ``"function"`` (the learner's function)."""
        return self.controls["source"].value

    # -- checking a model ------------------------------------------------------------------
    def check(self, wait=True):
        """Run the check for the current settings and show it; returns the result.

        Model checks run in a background thread (a 3-layer bidirectional LSTM
        takes a few seconds); ``wait=False`` returns at once (None) and
        :meth:`wait` blocks until done. The learner's function is checked in
        this thread, so its prints land in the learner's cell.
        """
        if self.mode == "function":
            return self._run_user()
        with self._lock:
            start, self._again = not self._busy_checking, self._busy_checking  # again when done
            self._busy_checking = True
        if start:
            self.runner.join(2.0)  # a job that has just finished may still be in its on_done
            self.buttons["check"].disabled = True
            self.verdict.value = message_html("checking...", "info")
            if not self.runner.start(self._model_job, on_done=self._model_done):
                with self._lock:
                    self._busy_checking = False
                self.show_message("a check is already running", "warn")
                return None
        if wait:
            self.runner.join()
            return self.result
        return None

    def wait(self, timeout=None):
        """Block until a running check ends; True if it has."""
        return self.runner.join(timeout)

    def _model_job(self, runner):
        try:
            while True:  # settings changed during a check: check again with the new ones
                self._check_model()
                with self._lock:  # decide and clear "busy" at once, so no request is lost
                    if not self._again:
                        self._busy_checking = False
                        return
                    self._again = False
        except BaseException:
            with self._lock:
                self._busy_checking = self._again = False
            raise

    def _check_model(self):
        v = dict(self._values)  # the settings of this check, even if they change meanwhile
        start = time.perf_counter()
        model, x, y = tiny_problem(v["cell"], v["pattern"], v["activation"], v["num_layers"],
                                   v["bidirectional"], v["seed"])
        result = check_model_gradients(model, x, y, tol=self.tol)
        n = model.num_params()
        self.description = (f"{_cell_name(v['cell'], v['activation'])}, "
                            f"{model.pattern}, {v['num_layers']} layer(s)"
                            f"{', bidirectional' if v['bidirectional'] else ''}: "
                            f"x {x.shape}, y {y.shape}; {n} numbers checked in "
                            f"{time.perf_counter() - start:.2f} s")
        self.result, self.reference_result, self.comparison = result, None, None
        self._show()

    def _model_done(self, runner):
        self.buttons["check"].disabled = False
        if runner.error is not None:
            self.report_error(runner.error, "check")
            self.verdict.value = message_html("the check could not run (see below)", "error")

    # -- checking the learner's function -------------------------------------------------
    @classmethod
    def for_function(cls, fn, backward, inputs, upstream=None, reference=None, **options):
        """A view checking ``fn``/``backward`` on ``inputs`` (see :meth:`check_user`)."""
        view = cls(check=False)
        view.check_user(fn, backward, inputs, upstream=upstream, reference=reference, **options)
        return view

    def check_user(self, fn, backward, inputs, upstream=None, reference=None, keys=None,
                   seed=0, eps=1e-6, max_entries=None):
        """Check a learner's forward/backward pair with :func:`rnnlab.learner.check_pair`.

        Never raises: an error in the learner's code, a wrong shape or bad
        arguments give a failed result whose message is shown in the panel.

        Parameters
        ----------
        fn, backward : the pair to check: ``fn(**inputs)`` returns ``out`` or
            ``(out, cache)``; ``backward(dout, cache)`` returns the gradients
            (the conventions of :mod:`rnnlab.learner`)
        inputs : dict of keyword arguments for ``fn``; floating arrays (and
            dicts of them) are checked
        upstream : ``dL/dout`` (default: seeded standard normal)
        reference : optional ``(fn, backward)`` known to be right: checked
            too, shown side by side, and compared with the learner's outputs
            and gradients
        keys, seed, eps, max_entries : as in :func:`rnnlab.check_function`

        The whole outcome (``"pass"``, ``"fail"`` or ``"todo"``, the learner's
        failing line) is kept in :attr:`pair_check`.

        Returns
        -------
        GradCheckResult
        """
        self._user = dict(fn=fn, backward=backward, inputs=inputs, upstream=upstream,
                          reference=reference, keys=keys, seed=seed, eps=eps,
                          max_entries=max_entries)
        with self._quietly():
            self.controls["source"].value = "function"
        self._sync_controls()
        return self._run_user()

    def _run_user(self):
        if self._user is None:
            self.show_message("no function to check: call check_user(fn, backward, inputs)", "warn")
            return None
        try:
            return self._check_user_now()
        except Exception as err:  # anything the adapters did not foresee: show it, never raise
            self.report_error(err, "check_user")
            self.result = GradCheckResult.failure(f"{type(err).__name__}: {err}", self.tol)
            return self.result

    def _check_user_now(self):
        u = self._user
        start = time.perf_counter()
        # the core runs the learner's code (copies, adapters, central differences, the
        # reference); the panel only shows what it found
        self.pair_check = learner.check_pair(
            u["fn"], u["backward"], u["inputs"], upstream=u["upstream"], reference=u["reference"],
            tol=self.tol, keys=u["keys"], seed=u["seed"], eps=u["eps"],
            max_entries=u["max_entries"])
        pc = self.pair_check
        self.result, self.reference_result, self.comparison = (pc.result, pc.reference_result,
                                                                pc.comparison)
        name = getattr(u["fn"], "__name__", "your function")
        n = len(self.result.errors)
        if pc.status == "todo":
            self.description = f"{name}: not done yet (it still raises NotImplementedError)"
        elif n:
            self.description = (f"{name}: {n} input{'s' if n != 1 else ''} checked in "
                                f"{time.perf_counter() - start:.2f} s")
        else:
            self.description = f"{name}: could not be checked"
        self._show()
        return self.result

    # -- showing results ------------------------------------------------------------------
    def _panels(self):
        """``[(title, result)]`` to draw: the learner's (or model's), then the reference."""
        if self.result is None:
            return []
        first = "your code" if self.mode == "function" else "backward pass"
        panels = [(first, self.result)]
        if self.reference_result is not None and self._values["compare"]:
            panels.append(("reference", self.reference_result))
        return panels

    def _show(self):
        panels = self._panels()
        if not panels:
            return
        self.verdict.value = self._verdict_html()
        self.table.value = self._table_html(panels)
        self._draw_chart(panels)

    def _verdict_html(self):
        r = self.result
        who = "your backward pass" if self.mode == "function" else "the backward pass"
        pc = self.pair_check if self.mode == "function" else None
        if pc is not None and pc.status == "todo":
            return (_big("NOT DONE YET: your function still raises NotImplementedError", "warn")
                    + f'<div style="color:#595959;font-size:12px">{html.escape(self.description)}'
                    "</div>")
        if r.passed:
            head = (f"PASS: {who} agrees with central differences (max relative error "
                    f"{r.max_error:.1e} at {r.worst!r}, tolerance {self.tol:.0e})")
            kind = "ok"
        elif r.worst:
            bad = [k for k, e in r.errors.items() if not e <= self.tol]
            names = ", ".join(repr(k) for k in bad)
            head = (f"FAIL: {names} {'disagrees' if len(bad) == 1 else 'disagree'} with central "
                    f"differences; worst {r.worst!r} with relative error {_fmt(r.max_error)} "
                    f"(tolerance {self.tol:.0e}). Look at the lines that compute "
                    f"{', '.join('d' + k for k in bad[:3])}.")
            kind = "error"
        else:
            head = "FAIL: the check could not compare any gradient"
            kind = "error"
        out = _big(head, kind)
        if r.message:
            out += _box(r.message)
        if pc is not None and pc.details:  # the learner's line that raised
            out += _box(pc.details)
        cmp = self.comparison
        if cmp is not None and self._values["compare"]:
            out += _comparison_html(cmp)
        if self.description:
            out += f'<div style="color:#595959;font-size:12px">{html.escape(self.description)}</div>'
        return out

    def _table_html(self, panels):
        keys = list(dict.fromkeys(k for _, r in panels for k in r.errors))
        if not keys:
            return ""
        cmp = self.comparison if len(panels) > 1 else None
        head = ["parameter", "shape"] + [f"{t}: relative error" for t, _ in panels]
        if cmp is not None:
            head.append("yours vs reference")
        rows = []
        for k in keys:
            shape = next((r.shapes[k] for _, r in panels if k in r.shapes), ())
            cells = [f"<code>{html.escape(k)}</code>", html.escape(str(tuple(shape)))]
            for _, r in panels:
                e = r.errors.get(k)
                if e is None:
                    cells.append("")
                    continue
                ok = e <= self.tol
                color = OK_COLOR if ok else FAIL_COLOR
                verdict = "ok" if ok else "FAIL"
                cells.append(f'<span style="color:{color}">{_fmt(e)} {verdict}</span>')
            if cmp is not None:
                d = cmp.grads.get(k)
                same = d is not None and d <= learner.MATCH_TOLERANCE
                cells.append("" if d is None else
                             f'<span style="color:{OK_COLOR if same else FAIL_COLOR}">'
                             f'{_fmt(d)}</span>')
            # values never break inside (a shape "(4,\n2)"); a narrow page scrolls the table instead
            rows.append("".join(f"<td style='padding:1px 10px;white-space:nowrap'>{c}</td>"
                                for c in cells))
        th = "".join(f"<th style='padding:1px 10px;text-align:left'>{html.escape(h)}</th>"
                     for h in head)
        body = "".join(f"<tr>{r}</tr>" for r in rows)
        return (f"<div style='overflow-x:auto'><table style='font-family:monospace;font-size:12px;"
                f"border-collapse:collapse'><tr>{th}</tr>{body}</table></div>")

    def _draw_chart(self, panels):
        cv = self.canvas
        with cv.lock:
            keys = list(dict.fromkeys(k for _, r in panels for k in r.errors))
            chart_key = (tuple(keys), tuple(t for t, _ in panels))
            if chart_key != self._chart_key:
                self._setup_chart(keys, [t for t, _ in panels])
                self._chart_key = chart_key
            for col, (title, result) in enumerate(panels):
                self._update_bars(col, title, result, keys)
            cv.draw()
            cv.alt = self._alt_text(panels, keys)

    def _css_height(self, _width):
        canvas = getattr(self, "canvas", None)  # None while the canvas is being made
        return self._height_in * 72 * (canvas.px_per_pt() if canvas is not None else 1.25)

    def _resized(self):
        self._chart_key = None  # margins are set for the width: made again
        if self._panels():
            self._draw_chart(self._panels())
        else:
            self.canvas.draw()

    def _alt_text(self, panels, keys):
        """The chart in words: each parameter's relative error, against the tolerance."""
        parts = []
        for title, result in panels:
            errors = ", ".join(f"{k} {_fmt(result.errors[k])}" + ("" if result.errors[k] <= self.tol
                                                                  else " (over)")
                               for k in keys if k in result.errors)
            verdict = "passed" if result.passed else "FAILED"
            parts.append(f"{title}, {verdict}: {errors or 'no gradient could be compared'}")
        return (f"Bar chart, log scale: the relative error between each parameter's analytic and "
                f"numerical gradient, against the tolerance {self.tol:.0e} (dashed line; bars "
                f"past it are hatched). " + "; ".join(parts) + ".")

    def _setup_chart(self, keys, titles):
        fig = self.canvas.figure
        fig.clear()
        n = max(len(keys), 1)
        height = max(2.3, 0.95 + 0.24 * n)
        self._height_in = height  # the canvas takes it at its next draw (height_for)
        width = self.canvas.css_size()[0] / (72 * self.canvas.px_per_pt())  # inches
        left = (0.2 + 0.078 * max([len(k) for k in keys] + [4])) / width  # room for the names
        with self.canvas.style():
            axes = fig.subplots(1, len(titles), sharey=True, squeeze=False)[0]
        fig.subplots_adjust(left=left, right=1 - 0.15 / width, top=1 - 0.42 / height,
                            bottom=0.48 / height, wspace=0.08)
        self._cols = []
        y = np.arange(len(keys))
        for ax, title in zip(axes, titles):
            ax.set_xscale("log")
            ax.set_xlim(FLOOR / 3, CEIL * 30)
            # plain labels: mathtext powers of ten cost more to render than the bars
            ax.set_xticks([1e-16, 1e-12, 1e-8, 1e-4, 1], ["1e-16", "1e-12", "1e-8", "1e-4", "1"])
            ax.minorticks_off()
            ax.grid(axis="y", visible=False)
            ax.axvspan(self.tol, CEIL * 30, color=FAIL_COLOR, alpha=0.06, lw=0)
            ax.axvline(self.tol, color="#333", lw=1, ls="--")
            ax.text(self.tol, 1.0, f" tolerance {self.tol:.0e}", transform=ax.get_xaxis_transform(),
                    ha="left", va="bottom", fontsize=9, color="#333")
            bars = ax.barh(y, np.full(len(keys), FLOOR), left=FLOOR / 3, height=0.62,
                           color=OK_COLOR)
            labels = [ax.text(FLOOR, yi, "", va="center", ha="left", fontsize=9) for yi in y]
            ax.set_xlabel("relative error (log scale)")
            ax.set_ylim(max(len(keys), 1) - 0.5, -0.5)  # first parameter on top
            t = ax.set_title(title, loc="left", fontsize=9)
            empty = ax.text(0.5, 0.5, "no gradient could be compared:\nsee the message above",
                            transform=ax.transAxes, ha="center", va="center", fontsize=9,
                            color=FAIL_COLOR, visible=False,
                            bbox=dict(fc="white", ec="none", alpha=0.9))
            self._cols.append({"ax": ax, "bars": list(bars), "labels": labels, "title": t,
                               "empty": empty})
        axes[0].set_yticks(y, keys, family="monospace")

    def _update_bars(self, col, title, result, keys):
        c = self._cols[col]
        for i, k in enumerate(keys):
            bar, label = c["bars"][i], c["labels"][i]
            e = result.errors.get(k)
            if e is None:  # not checked in this panel
                bar.set_visible(False)
                label.set_text("")
                continue
            bar.set_visible(True)
            finite = np.isfinite(e)
            value = min(max(e, FLOOR), CEIL) if finite else CEIL
            bar.set_width(value - FLOOR / 3)
            ok = e <= self.tol
            if title == "reference":
                bar.set_facecolor(REF_COLOR if ok else FAIL_COLOR)
            else:
                bar.set_facecolor(OK_COLOR if ok else FAIL_COLOR)
            # a failing bar is hatched as well as red; a missing or NaN one cross-hatched
            bar.set_hatch(None if e <= self.tol else ("\\\\" if finite else "///"))
            bar.set_edgecolor("white" if finite else FAIL_COLOR)
            inside = value >= 1e-11  # a long bar carries its number inside, off the tolerance line
            label.set_position((value / 1.6 if inside else value * 1.6, i))
            label.set_horizontalalignment("right" if inside else "left")
            label.set_color("white" if inside else "#333")
            label.set_text(_fmt(e) if finite else ("NaN" if np.isnan(e) else "missing"))
        todo = col == 0 and self.pair_check is not None and self.pair_check.status == "todo"
        verdict = "passed" if result.passed else ("not done yet" if todo else "FAILED")  # a stub is not a failure
        c["title"].set_text(f"{title}: {verdict}")
        c["title"].set_color(OK_COLOR if result.passed else ("#8a5a00" if todo else FAIL_COLOR))
        if col == 0:
            self.bars = dict(zip(keys, c["bars"]))
        c["empty"].set_visible(not result.errors)


# -- small HTML pieces -------------------------------------------------------------------------

def _fmt(e):
    if e is None:
        return ""
    if np.isnan(e):
        return "NaN"
    if np.isinf(e):
        return "missing"
    return "0" if e == 0 else f"{e:.1e}"


def _cell_name(cell, activation):
    return {"rnn": f"RNN ({activation})", "gru-pytorch": "GRU (PyTorch variant)",
            "gru-original": "GRU (original paper)", "lstm": "LSTM"}.get(cell, cell)


def _big(text, kind):
    color = {"ok": OK_COLOR, "error": FAIL_COLOR, "warn": "#9a6700"}.get(kind, "#333")
    return (f'<div style="color:{color};font-weight:bold;font-size:14px;margin:2px 0">'
            f'{html.escape(text)}</div>')


def _box(text):
    return (f'<div style="border:1px solid {FAIL_COLOR};border-left:5px solid {FAIL_COLOR};'
            f'background:#fff5f5;padding:4px 8px;margin:4px 0;font-family:monospace;'
            f'white-space:pre-wrap">{html.escape(text)}</div>')


def _comparison_html(cmp):
    if cmp.message:
        return _box(cmp.summary())
    color = OK_COLOR if cmp.agrees else FAIL_COLOR
    return (f'<div style="color:{color};font-size:12px">'
            f'{html.escape(cmp.summary().replace("; ", "  ·  "))}</div>')
