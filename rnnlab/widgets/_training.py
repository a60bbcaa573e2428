"""What the panels that train share: one background run, Stop, a status line, redraw pacing.

:class:`TrainingPanel` is a :class:`~rnnlab.widgets._base.Panel` with a
:class:`~rnnlab.widgets._base.Runner` and a status line ``self.status``. A
subclass places the status line, defines ``_set_running(running)`` to disable
what must not change during a run, and keeps everything else of its own: its
trainer, what it draws, what its status line says.
"""
from __future__ import annotations

import time

import ipywidgets as W

from ._base import Panel, Runner, message_html


def loss_text(epoch, loss, valid=None):
    """``epoch 12  ·  loss 0.0123 (valid 0.015)``: where a run stands."""
    text = f"epoch {epoch}  ·  loss {loss:.4g}"
    if valid is not None:
        text += f" (valid {valid:.4g})"
    return text


class TrainingPanel(Panel):
    """A panel that trains in a background thread, one run at a time.

    Parameters
    ----------
    name : the runner's name; a new panel stops the runs of older panels of
        that name (re-running a notebook cell must not leave one training)
    draw_interval : the least time between live redraws while training, in
        seconds (None for a panel that draws no live frames)
    """

    def __init__(self, name, draw_interval=None):
        super().__init__()
        for other in Runner.running_jobs():  # re-running a cell: stop the old panel's run
            if other.name == name:
                other.stop(wait=True, timeout=1.0)
        self.runner = Runner(name)
        self.status = W.HTML()
        self.status.add_class("rnnlab-status")
        self.draw_interval = None if draw_interval is None else float(draw_interval)
        self._last_draw = 0.0
        self._draw_cost = 0.0  # seconds the last live redraw took
        self._t_start = None

    @property
    def running(self):
        return self.runner.running

    def stop(self, wait=True):
        """Stop training after the current update; True once the run has ended."""
        return self.runner.stop(wait=wait)

    def wait(self, timeout=None):
        """Block until the background run ends; True if it has."""
        return self.runner.join(timeout)

    # -- a run: start and end ---------------------------------------------------------
    def _can_start(self):
        """True when no run goes on.

        A run that only has its final redraw left is waited for, so a Train
        press (or a ``train()`` call) right after it is not dropped.
        """
        if self.runner.finishing:
            self.runner.join(5.0)
        return not self.runner.running

    def _start_training(self, trainer, epochs=None, on_done=None):
        """Disable the controls and run ``trainer.run(epochs)`` in the background."""
        self._set_running(True)
        self._t_start = time.perf_counter()

        def job(runner):
            # the trainer stops on the runner's event: Stop ends the loop after the
            # current update, and a Stop pressed between runs is forgotten at the next start
            trainer.stop_event = runner.stop_event
            trainer.run(epochs)

        return self.runner.start(job, on_done=on_done)

    def _end_run(self, runner, redraw, status):
        """The end of a run (in its thread): ``redraw()``, the error or ``status()``, the controls."""
        # draw first, re-enable the controls last: a Train press must never land
        # in a moment when the panel looks idle but the old thread is still drawing
        try:
            redraw()
        finally:
            if runner.error is not None:
                self.report_error(runner.error, "training")
            status()
            self._set_running(False)

    # -- live redraws from the training thread ------------------------------------------
    def _redraw_interval(self):
        # adaptive frame rate: drawing may take at most about a quarter of the time,
        # so a slow machine (or a busy kernel) still spends most of it training
        return max(self.draw_interval, 3 * self._draw_cost)

    def _redraw_due(self, now):
        return now - self._last_draw >= self._redraw_interval()

    def _drew(self, since):
        """A live redraw begun at ``since`` has ended; its cost paces the next ones."""
        self._last_draw = time.perf_counter()
        self._draw_cost = self._last_draw - since

    # -- the status line -----------------------------------------------------------------
    def _set_status(self, text, kind="info"):
        self.status.value = message_html(text, kind)

    def _show_run_status(self, history, text, final=False, extra=""):
        """``text`` (+ ``extra``) in the status line; once the run ended, how and after how long.

        A diverged run shows why instead.
        """
        if history.diverged:
            self._set_status(history.stopped, "error")
            return
        kind = "info"
        if final:
            text = f"{history.stopped or 'done'}: {text}  ·  {self._elapsed():.1f} s"
            kind = "ok" if history.stopped == "completed" else "warn"
        self._set_status(text + extra, kind)

    def _elapsed(self):
        """Seconds since the run began."""
        return time.perf_counter() - (self._t_start or time.perf_counter())
