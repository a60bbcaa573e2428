"""How quickly the playground answers a learner (a report, not a test).

Measures, in one run on this machine:
  * slider release -> first new loss point drawn (target < 0.3 s)
  * one redraw of the loss plot (target < 50 ms)
  * the default task reaching its target loss while drawing live (target < 3 s)
  * Stop taking effect on a long run, i.e. no further updates (target < 0.3 s),
    and the panel idle again after its final redraw (reported, < 1 s)
Each is the median of several tries; absolute times on a shared machine are
noisy, so the report also gives the spread.

    python benchmarks/bench_panels.py [--json results.json]
"""
import argparse
import json
import statistics
import time

from rnnlab.widgets import Playground


def median_spread(values):
    return statistics.median(values), min(values), max(values)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()
    pg = Playground()
    results = {}

    slider = []
    for i in range(args.repeats):
        before = pg.loss_canvas.draw_count
        t0 = time.perf_counter()
        pg.controls["hidden_size"].value = 16 + (i % 2) * 8  # what a slider release does
        assert pg.loss_canvas.draw_count > before
        slider.append(time.perf_counter() - t0)
    results["slider_to_first_point_s"] = median_spread(slider)

    pg.train(); pg.wait(60)
    redraw = []
    for _ in range(max(10, args.repeats)):
        t0 = time.perf_counter()
        pg.draw_loss()
        redraw.append(time.perf_counter() - t0)
    results["loss_redraw_s"] = median_spread(redraw)

    reach = []
    for _ in range(args.repeats):
        pg.reset()
        pg.train(); pg.wait(60)
        if pg._reached is None:
            reach.append(float("inf"))
        else:
            reach.append(pg._reached[1])
    results["default_task_to_target_s"] = median_spread(reach)

    stops, idle = [], []
    for _ in range(args.repeats):
        pg.reset()
        pg.controls["epochs"].value = 10000
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

    targets = {"slider_to_first_point_s": 0.3, "loss_redraw_s": 0.05,
               "default_task_to_target_s": 3.0, "stop_takes_effect_s": 0.3,
               "stop_to_idle_panel_s": 1.0}
    print(f"{'measure':28s} {'median':>9s} {'min':>9s} {'max':>9s}  target")
    for name, (med, lo, hi) in results.items():
        verdict = "PASS" if med < targets[name] else "MISS"
        print(f"{name:28s} {med:9.3f} {lo:9.3f} {hi:9.3f}  < {targets[name]:g}  {verdict}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({k: {"median": v[0], "min": v[1], "max": v[2], "target": targets[k]}
                       for k, v in results.items()}, fh, indent=1)


if __name__ == "__main__":
    main()
