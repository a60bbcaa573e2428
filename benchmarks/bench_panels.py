"""How quickly the playground answers a learner, and how well training can be watched
(a report, not a test).

Measures, in one run on this machine:

  * slider release -> first new loss point drawn (target < 0.3 s)
  * one redraw of the loss plot, whole and live (blitted) (target < 50 ms whole)
  * the default task reaching its target loss while drawing live (target < 3 s)
  * Stop taking effect on a long run, i.e. no further updates (target < 0.3 s),
    and the panel idle again after its final redraw (reported, < 1 s)
  * during a run at default settings: loss-plot frames per second (target >= 8),
    prediction frames per second (target >= half the loss plot's), and training
    throughput with live drawing against the same trainer run headless
    (target >= 60%). Headless and live runs alternate, side by side in one
    run, so that a change in the machine's load touches both.

Each is the median of several tries; absolute times on a shared machine are
noisy, so the report also gives the spread.

    python benchmarks/bench_panels.py [--repeats 5] [--quick] [--json results.json]
"""
import argparse
import json
import statistics
import time

from rnnlab.widgets import Playground


def median_spread(values):
    return statistics.median(values), min(values), max(values)


def responsiveness(pg, repeats):
    results = {}
    slider = []
    for i in range(repeats):
        before = pg.loss_canvas.draw_count
        t0 = time.perf_counter()
        pg.controls["hidden_size"].value = 16 + (i % 2) * 8  # what a slider release does
        assert pg.loss_canvas.draw_count > before
        slider.append(time.perf_counter() - t0)
    results["slider_to_first_point_s"] = median_spread(slider)

    pg.set(epochs=60)
    pg.train(); pg.wait(60)
    whole, live = [], []
    for _ in range(max(10, repeats)):
        pg._loss_key = None  # forget the frame: a whole redraw
        t0 = time.perf_counter()
        pg.draw_loss()
        whole.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pg.draw_loss()  # the frame is kept: only the lines are drawn again
        live.append(time.perf_counter() - t0)
    results["loss_redraw_whole_s"] = median_spread(whole)
    results["loss_redraw_live_s"] = median_spread(live)

    reach = []
    for _ in range(repeats):
        pg.reset()
        pg.train(); pg.wait(60)
        reached = pg.run["reached"]
        reach.append(float("inf") if reached is None else reached[1])
    results["default_task_to_target_s"] = median_spread(reach)

    stops, idle = [], []
    for _ in range(repeats):
        pg.reset()
        pg.set(epochs=10000)
        pg.train()
        time.sleep(0.5)
        t0 = time.perf_counter()
        pg.buttons["stop"].click()  # what the page does: ask, do not block
        while pg.history.stopped is None:  # training has halted: no more updates
            time.sleep(0.002)
        stops.append(time.perf_counter() - t0)
        pg.wait()  # ... and the panel has drawn its final frame and is idle again
        idle.append(time.perf_counter() - t0)
    results["stop_takes_effect_s"] = median_spread(stops)
    results["stop_to_idle_panel_s"] = median_spread(idle)
    return results


def watching(repeats):
    """Frames per second and throughput during default runs, live against headless."""
    pg = Playground()  # default settings: the sine task, its default epochs
    loss_fps, pred_fps, ratios, live_rates, headless_rates = [], [], [], [], []
    for _ in range(repeats):
        _, trainer = pg.make_trainer()  # the same trainer, no panel, no drawing
        history = trainer.run()
        headless = history.updates / history.wall_time[-1]
        pg.reset()
        loss0, pred0 = pg.loss_canvas.draw_count, pg.pred_canvas.draw_count
        pg.train(); pg.wait()
        h = pg.history
        seconds = h.wall_time[-1]  # time inside trainer.run, live frames included
        # the final frame is drawn after the run: not a live one
        loss_fps.append((pg.loss_canvas.draw_count - loss0 - 1) / seconds)
        pred_fps.append((pg.pred_canvas.draw_count - pred0 - 1) / seconds)
        live = h.updates / seconds
        live_rates.append(live)
        headless_rates.append(headless)
        ratios.append(live / headless)
    pg.close()
    return {"live_loss_frames_per_s": median_spread(loss_fps),
            "live_prediction_frames_per_s": median_spread(pred_fps),
            "live_updates_per_s": median_spread(live_rates),
            "headless_updates_per_s": median_spread(headless_rates),
            "live_over_headless_throughput": median_spread(ratios)}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="one try of each (--repeats 1)")
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.quick:
        args.repeats = 1
    pg = Playground()
    results = responsiveness(pg, args.repeats)
    pg.close()
    results.update(watching(args.repeats))
    loss_fps = results["live_loss_frames_per_s"][0]
    targets = {"slider_to_first_point_s": ("<", 0.3), "loss_redraw_whole_s": ("<", 0.05),
               "loss_redraw_live_s": ("<", 0.05), "default_task_to_target_s": ("<", 3.0),
               "stop_takes_effect_s": ("<", 0.3), "stop_to_idle_panel_s": ("<", 1.0),
               "live_loss_frames_per_s": (">=", 8.0),
               "live_prediction_frames_per_s": (">=", loss_fps / 2),
               "live_updates_per_s": None, "headless_updates_per_s": None,
               "live_over_headless_throughput": (">=", 0.6)}
    print(f"{'measure':32s} {'median':>9s} {'min':>9s} {'max':>9s}  target")
    for name, (med, lo, hi) in results.items():
        target = targets[name]
        if target is None:
            verdict = ""
        else:
            op, bound = target
            ok = med < bound if op == "<" else med >= bound
            verdict = f"{op} {bound:.3g}  {'PASS' if ok else 'MISS'}"
        print(f"{name:32s} {med:9.3f} {lo:9.3f} {hi:9.3f}  {verdict}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({k: {"median": v[0], "min": v[1], "max": v[2],
                           "target": None if targets[k] is None else list(targets[k])}
                       for k, v in results.items()}, fh, indent=1)


if __name__ == "__main__":
    main()
