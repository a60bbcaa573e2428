"""What the panels that train share: one background run, Stop and Pause, progress, redraw pacing.

:class:`TrainingPanel` is a :class:`~rnnlab.widgets._base.Panel` with a
:class:`~rnnlab.widgets._base.Runner`. Every training panel goes through the
same path:

* :meth:`TrainingPanel._make_training_buttons` makes Train, Pause and Stop;
  Pause and Stop are enabled only while a run goes on, Train only while none does;
* :meth:`TrainingPanel._start_training` runs one or more trainers in the
  background, their ``callback`` being :meth:`TrainingPanel._progress`;
* :meth:`TrainingPanel._progress` hands each update and epoch to the panel
  (:meth:`~TrainingPanel._on_progress`), draws a live frame when one is due
  (:meth:`~TrainingPanel._live_frame`, paced so that drawing takes a bounded
  share of the time), and honours Pause and Stop;
* at the end, :meth:`TrainingPanel._end_run` draws the last frame, reports an
  error, writes the status and re-enables the controls.

Settings marked ``live`` in the panel's table may change during a run; the
others are disabled until it ends.
"""
from __future__ import annotations

import numbers
import time

from ._base import Panel, Runner
from ._factory import make_button


def loss_text(epoch, loss, valid=None):
    """``epoch 12  ·  loss 0.0123 (valid 0.015)``: where a run stands."""
    text = f"epoch {epoch}  ·  loss {loss:.4g}"
    if valid is not None:
        text += f" (valid {valid:.4g})"
    return text


def check_interval(value, name="draw_interval"):
    """Seconds between live redraws: a number from 0.01 to 60."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds from 0.01 to 60, got "
                        f"{type(value).__name__} {value!r}")
    if not 0.01 <= value <= 60:
        raise ValueError(f"{name} must be a number of seconds from 0.01 to 60, got {value!r}")
    return float(value)


class TrainingPanel(Panel):
    """A panel that trains in a background thread, one run at a time.

    Parameters
    ----------
    name : the runner's name; a new panel stops the runs of older panels of
        that name (re-running a notebook cell must not leave one training)
    draw_interval : the least time between live redraws while training, in
        seconds (a number from 0.01 to 60)
    **settings : the panel's settings (see its ``SETTINGS`` table)
    """

    #: share of the time live drawing may take at most (the rest trains)
    DRAW_SHARE = 0.35

    def __init__(self, name, draw_interval=0.2, **settings):
        self.draw_interval = check_interval(draw_interval)
        for other in Runner.running_jobs():  # re-running a cell: stop the old panel's run
            if other.name == name:
                other.stop(wait=True, timeout=1.0)
        self.runner = Runner(name)
        self._last_draw = 0.0
        self._draw_cost = 0.0  # seconds the last live redraw took
        self._t_start = None
        super().__init__(**settings)

    @property
    def running(self):
        return self.runner.running

    def _busy(self):
        return self.runner.running

    def stop(self, wait=True):
        """Stop training after the current update; True once the run has ended."""
        return self.runner.stop(wait=wait)

    def wait(self, timeout=None):
        """Block until the background run ends; True if it has."""
        return self.runner.join(timeout)

    def toggle_pause(self):
        """Pause a running run, or resume a paused one."""
        if not self.runner.running:
            return
        if self.runner.paused:
            self.runner.resume()
            self.buttons["pause"].description = "Pause"
            self.buttons["pause"].pressed = False
            self._set_status("resumed")
        else:
            self.runner.pause()
            self.buttons["pause"].description = "Resume"
            self.buttons["pause"].pressed = True  # a toggle: screen readers hear "pressed"
            self._set_status("pausing...")

    # -- buttons ---------------------------------------------------------------------------
    def _make_training_buttons(self, train="Train", tooltip="train for the set epochs"):
        """Train, Pause and Stop, the same in every training panel."""
        self.buttons["train"] = make_button("train", train, "play", "success", tooltip)
        self.buttons["pause"] = make_button("pause", "Pause", "pause", "",
                                            "pause or resume training")
        self.buttons["stop"] = make_button("stop", "Stop", "stop", "danger", "stop training")
        self.buttons["pause"].pressed = False
        # keyboard focus is never dropped: Train is disabled when a run starts, so the focus
        # goes on to Stop; Stop and Pause are disabled when it ends, so it comes back to Train
        self.buttons["train"].focus_successor = self.buttons["stop"]
        self.buttons["stop"].focus_successor = self.buttons["train"]
        self.buttons["pause"].focus_successor = self.buttons["train"]

    def _wire(self):
        super()._wire()
        self.on_click(self.buttons["train"], self.train)
        self.on_click(self.buttons["pause"], self.toggle_pause)
        # the page must not block: Stop asks and returns
        self.on_click(self.buttons["stop"], lambda: self.stop(wait=False))

    #: buttons (besides Train) that wait while a run goes on
    IDLE_BUTTONS = ()

    def _refresh_enabled(self, busy=None):
        busy = self.runner.running if busy is None else busy
        super()._refresh_enabled(busy)
        for name in ("train", *self.IDLE_BUTTONS):
            if name in self.buttons:
                self.buttons[name].disabled = busy or self._button_inactive(name)
        for name in ("pause", "stop"):  # nothing to pause or stop while idle: say so
            if name in self.buttons:
                self.buttons[name].disabled = not busy
        if not busy and "pause" in self.buttons:
            self.buttons["pause"].description = "Pause"
            self.buttons["pause"].pressed = False

    def _button_inactive(self, name):
        """True for a button that cannot act now even when idle (Train without targets, say)."""
        return False

    def _set_running(self, running):
        """Show whether a run goes on: the controls that must wait, and the buttons."""
        self._refresh_enabled(busy=running)

    # -- a run: start and end ------------------------------------------------------------
    def _settle(self):
        """Wait for a run that only has its final redraw left.

        So a Train press, a ``train()`` or ``set()`` call right after a run
        ends is not dropped or refused.
        """
        if self.runner.finishing:
            self.runner.join(5.0)

    def _can_start(self):
        """True when no run goes on (after :meth:`_settle`)."""
        self._settle()
        return not self.runner.running

    def _start_training(self, trainers, on_done=None):
        """Run ``trainers`` (``[(trainer, epochs)]``, in turn) in the background.

        Each trainer's ``callback`` must be :meth:`_progress`. Stop ends the
        run after the current update; :meth:`_trainer_done` is called after
        each trainer that was not stopped.
        """
        self._t_start = time.perf_counter()
        self._last_draw = 0.0  # the first frame comes at once

        def job(runner):
            for trainer, epochs in trainers:
                if runner.stop_event.is_set():
                    break
                # the trainer stops on the runner's event: Stop ends the loop after the
                # current update, and a Stop pressed between runs is forgotten at the next start
                trainer.stop_event = runner.stop_event
                trainer.run(epochs)
                if trainer.history.stopped == "stopped by user":
                    runner.stop_event.set()  # run() cleared it on the way out
                    break
                self._trainer_done(trainer)

        self._set_running(True)  # before the thread starts: its end may come at once
        started = self.runner.start(job, on_done=on_done)
        if not started:
            self._set_running(False)
        return started

    def _trainer_done(self, trainer):
        """One trainer of a run has finished (not stopped)."""

    def _end_run(self, runner, redraw, status):
        """The end of a run (in its thread): ``redraw()``, the error or ``status()``, then
        the controls."""
        # draw first, re-enable the controls last: a Train press must never land
        # in a moment when the panel looks idle but the old thread is still drawing
        try:
            redraw()
        finally:
            if runner.error is not None:
                self.report_error(runner.error, "training")
            status()
            # the job has returned; only this on_done is left of the thread
            self._set_running(False)

    # -- progress, from the training thread -------------------------------------------------
    def _progress(self, trainer, event):
        """Every trainer's callback: record, draw when due, honour Pause and Stop."""
        if event in ("update", "epoch"):
            self._on_progress(trainer, event)
            now = time.perf_counter()
            # once Stop is asked for, no more live frames: Stop waits for a frame in progress
            if self._frame_due(trainer, event, now) and not self.runner.stop_event.is_set():
                self._live_frame(trainer)
                self._drew(since=now)
            if self.runner.paused:  # the checkpoint below holds it, after an update or an epoch
                self._set_status("paused: press Pause again (or Train) to resume, Stop to end")
        if not self.runner.checkpoint():  # blocks while paused
            trainer.stop()

    def _on_progress(self, trainer, event):
        """Record what the run did (each ``"update"`` and ``"epoch"``)."""

    def _live_frame(self, trainer):
        """Draw one live frame while training (status line and plots)."""

    def _frame_due(self, trainer, event, now):
        return event == "epoch" and self._redraw_due(now)

    def _redraw_interval(self):
        # adaptive frame rate: drawing may take at most about DRAW_SHARE of the time, so a
        # slow machine (or a busy kernel) still spends most of it training
        return max(self.draw_interval, self._draw_cost / self.DRAW_SHARE)

    def _redraw_due(self, now):
        return now - self._last_draw >= self._redraw_interval()

    def _drew(self, since):
        """A live redraw begun at ``since`` has ended; its cost paces the next ones.

        Frames are spaced from start to start, so the frame rate is
        1 / interval, not 1 / (interval + drawing time).
        """
        self._last_draw = since
        self._draw_cost = time.perf_counter() - since

    # -- the status line -----------------------------------------------------------------
    def _show_run_status(self, history, text, final=False, extra=""):
        """``text`` (+ ``extra``) in the status line; once the run ended, how and after how long.

        A diverged run shows why instead, as an error: never as "completed".
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
