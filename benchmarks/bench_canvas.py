"""Canvas frame cost: what a panel pays per frame for sharp figures.

A Playground-like loss plot (log scale, a live line, an earlier run, a legend)
is drawn with :class:`rnnlab.widgets._canvas.Canvas` at its design size and at
1x, 2x device pixels and in presentation mode, full (``draw``) and blitted
(``draw_dynamic``). The reference, measured in the same run and interleaved,
is what the canvas did before it measured its page: the same figure at 90 dpi
printed to PNG by Agg with the same compression. Reported as ratios; medians of
interleaved rounds, so a busy machine slows both alike.

    python3 dev.py bench            # or: .venv/bin/python benchmarks/bench_canvas.py [ROUNDS]
    python3 dev.py bench --quick    # every benchmark, short: here 5 rounds instead of 40
"""
import io
import statistics
import sys
import time

import numpy as np

from rnnlab.widgets._canvas import Canvas

# `dev.py bench` hands every benchmark the same arguments: a number is the rounds, --quick few
ROUNDS = next((int(a) for a in sys.argv[1:] if a.isdigit()), 5 if "--quick" in sys.argv else 40)


def loss_figure(canvas):
    ax = canvas.subplots()
    canvas.figure.subplots_adjust(left=0.1, right=0.6, bottom=0.16, top=0.9)
    ax.set_yscale("log")
    ax.set_xlim(0, 200)
    ax.set_ylim(1e-3, 2)
    x = np.arange(200)
    line, = ax.plot([], [], label="train")
    ax.plot(x, np.exp(-x / 30) + 0.02, alpha=0.4, label="earlier run")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    return line


def setup(width=None, ratio=1.0, presenting=False):
    canvas = Canvas(7.2, 3.0, css="bench", presentation=presenting)
    line = loss_figure(canvas)
    if width:  # what a page reports
        canvas.image.set_state({"_client_width": width, "_pixel_ratio": ratio})
    canvas.draw()
    return canvas, line


def reference_draw(figure):
    buf = io.BytesIO()
    figure.canvas.print_png(buf, pil_kwargs={"compress_level": 1})
    return buf


def main():
    x = np.arange(200)
    cases = {
        "design size, 1x (no page yet)": setup(),
        "648 px at 1x": setup(648, 1.0),
        "648 px at 2x": setup(648, 2.0),
        "972 px at 2x (wide, sharp)": setup(972, 2.0),
        "648 px at 1x, presentation": setup(648, 1.0, True),
    }
    ref_canvas, ref_line = setup()
    draws = {name: [] for name in cases}
    blits = {name: [] for name in cases}
    ref = []
    sizes = {}
    for i in range(ROUNDS):  # full draws, interleaved with the reference
        n = 50 + i % 150
        y = np.exp(-x[:n] / 40) + 0.01
        ref_line.set_data(x[:n], y)
        t0 = time.perf_counter()
        reference_draw(ref_canvas.figure)
        ref.append(time.perf_counter() - t0)
        for name, (canvas, line) in cases.items():
            line.set_data(x[:n], y)
            t0 = time.perf_counter()
            canvas.draw()
            draws[name].append(time.perf_counter() - t0)
            sizes[name] = canvas.figure.canvas.get_width_height(physical=True)
    for name, (canvas, line) in cases.items():
        canvas.draw_dynamic([line], full=True)  # a run's first live frame
    for i in range(ROUNDS):  # live frames, as during training
        n = 50 + i % 150
        y = np.exp(-x[:n] / 40) + 0.01
        for name, (canvas, line) in cases.items():
            line.set_data(x[:n], y)
            t0 = time.perf_counter()
            canvas.draw_dynamic([line])
            blits[name].append(time.perf_counter() - t0)
    ref_ms = statistics.median(ref) * 1000
    blit_ref = statistics.median(blits["design size, 1x (no page yet)"]) * 1000
    print(f"reference full frame (Agg print_png at 90 dpi, 648x270 px, as before): {ref_ms:.1f} ms")
    print(f"reference live frame (blitted at the design size, 1x): {blit_ref:.1f} ms")
    print(f"{'case':34s} {'draw() PNG':>11s} {'draw()':>16s} {'live frame':>17s}")
    for name in cases:
        w, h = sizes[name]
        d = statistics.median(draws[name]) * 1000
        b = statistics.median(blits[name]) * 1000
        print(f"{name:34s} {w:>5d}x{h:<5d} {d:7.1f} ms x{d / ref_ms:4.2f} {b:6.1f} ms x{b / blit_ref:4.2f}")


if __name__ == "__main__":
    main()
