"""Speed, memory and import-time report for rnnlab's NumPy core.

Run from the repository root::

    python benchmarks/bench_core.py            # full report (a few minutes)
    python benchmarks/bench_core.py --quick    # smoke run: teaching size, few repeats
    python benchmarks/bench_core.py --json results.json
    python benchmarks/bench_core.py --clock wall   # wall time instead of CPU time

For the simple RNN (tanh), the GRU and the LSTM layer it times one
forward + backward pass (``layer.forward(x)`` then
``layer.backward(dout, None, cache)``) at a teaching size (T=50, N=32, D=1,
H=32) and a long one (T=200), in float64 and float32, on both paths: the
default ``fast=True`` (rnnlab.fast_cells) and ``fast=False`` (the textbook
step loops of rnnlab.cells). The fast path is measured against

* the "tutorial loop": the same maths done one sample at a time, each sample
  a loop over the time steps with vector maths (written out below, checked to
  give rnnlab's outputs and gradients, to 1e-8 in float64, before anything
  is timed);
* PyTorch's ``nn.RNN/GRU/LSTM`` on the CPU (if torch is importable), with the
  same weights (``rnnlab.torch_layout.to_torch``), same dtype, one thread, and
  ``out.backward(dout)``; NumPy's BLAS is also held to one thread.

The textbook path is checked against the tutorial loop too, and its time is
reported beside the fast path's (``textbook x`` = textbook time / fast time).

The numbers that matter are the ratios; absolute times on a shared machine are
noisy. Every configuration is run once before any timing (so that all see the
same memory-allocator state), then each is warmed up and timed in blocks, and
the median block is reported. Fast, textbook and PyTorch blocks alternate, and each
tutorial-loop run is paired with an rnnlab block right after it, so that slow
spells of the machine hit both sides of a ratio. The clock is the process's
CPU time by default: everything is single-threaded, and CPU time is disturbed
far less than wall time by other programs.

It also reports the peak memory (tracemalloc, which sees NumPy's buffers) and
the page faults of one rnnlab forward + backward, and the time of
``import rnnlab`` in a fresh interpreter (and whether it loaded ipywidgets or
matplotlib).

This is a report, not a test: it prints PASS/MISS per target and exits 0
whatever the timings (it stops only if the gradients disagree).
"""
from __future__ import annotations

import os

# One BLAS thread for NumPy, set before NumPy is imported (the BLAS reads these
# variables when it loads), so rnnlab and PyTorch (torch.set_num_threads(1))
# compete on equal terms.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

try:
    import resource  # noqa: E402  (Unix only: page-fault counts)
except ImportError:
    resource = None

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmark the working tree, not an installed copy

import rnnlab  # noqa: E402

try:
    import torch  # noqa: E402

    torch.set_num_threads(1)
    from rnnlab.torch_layout import to_torch  # noqa: E402
except ImportError:  # PyTorch is optional
    torch = None

N, D, H = 32, 1, 32
SIZES = (("teaching", 50), ("long", 200))
DTYPES = ("float64", "float32")
CELLS = (("rnn", rnnlab.RNN), ("gru", rnnlab.GRU), ("lstm", rnnlab.LSTM))

TARGET_LOOP = 20.0  # per-sample loop time / rnnlab time
TARGET_TORCH = 1.0  # torch time / rnnlab time (>= 1: rnnlab not slower)
TORCH_TARGETS = {("rnn", "float64"), ("gru", "float64"), ("lstm", "float64"),
                 ("rnn", "float32"), ("gru", "float32")}
TARGET_IMPORT = 0.5  # seconds


# ---------------------------------------------------------------------------
# The tutorial loop: one sample at a time, one step at a time, vector maths.
# Each function takes the layer's parameters p (rnnlab names and layout),
# x (T, N, D) and dout (T, N, H), and returns (out, dx, grads) like rnnlab.
# ---------------------------------------------------------------------------


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def loop_rnn(p, x, dout):
    w_x, w_h, b_h = p["w_x"], p["w_h"], p["b_h"]
    T, n_samples, _ = x.shape
    hid = w_h.shape[0]
    out = np.zeros((T, n_samples, hid), x.dtype)
    dx = np.zeros_like(x)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    for n in range(n_samples):
        # forward: h_t = tanh(w_x x_t + w_h h_{t-1} + b_h)
        h = np.zeros(hid, x.dtype)
        hs = [h]
        for t in range(T):
            h = np.tanh(w_x @ x[t, n] + w_h @ h + b_h)
            hs.append(h)
        # backward through time
        dh = np.zeros(hid, x.dtype)
        for t in range(T - 1, -1, -1):
            dh = dh + dout[t, n]
            da = dh * (1 - hs[t + 1] ** 2)
            grads["w_x"] += np.outer(da, x[t, n])
            grads["w_h"] += np.outer(da, hs[t])
            grads["b_h"] += da
            dx[t, n] = w_x.T @ da
            dh = w_h.T @ da
        out[:, n] = hs[1:]
    return out, dx, grads


def loop_gru(p, x, dout):
    hid = p["w_h"].shape[1]
    w_xr, w_xz, w_xn = p["w_x"][:hid], p["w_x"][hid:2 * hid], p["w_x"][2 * hid:]
    w_hr, w_hz, w_hn = p["w_h"][:hid], p["w_h"][hid:2 * hid], p["w_h"][2 * hid:]
    b_r, b_z, b_n = p["b_h"][:hid], p["b_h"][hid:2 * hid], p["b_h"][2 * hid:]
    b_hn = p["b_hn"]
    T, n_samples, _ = x.shape
    out = np.zeros((T, n_samples, hid), x.dtype)
    dx = np.zeros_like(x)
    g = {k: np.zeros_like(v) for k, v in p.items()}
    for n in range(n_samples):
        h = np.zeros(hid, x.dtype)
        steps = []
        for t in range(T):
            xt = x[t, n]
            r = sigmoid(w_xr @ xt + w_hr @ h + b_r)  # reset gate
            z = sigmoid(w_xz @ xt + w_hz @ h + b_z)  # update gate
            hn = w_hn @ h + b_hn
            c = np.tanh(w_xn @ xt + b_n + r * hn)  # candidate
            steps.append((h, r, z, hn, c))
            h = (1 - z) * c + z * h
            out[t, n] = h
        dh = np.zeros(hid, x.dtype)
        for t in range(T - 1, -1, -1):
            xt = x[t, n]
            h_prev, r, z, hn, c = steps[t]
            dh = dh + dout[t, n]
            da_n = dh * (1 - z) * (1 - c ** 2)
            da_z = dh * (h_prev - c) * z * (1 - z)
            da_r = da_n * hn * r * (1 - r)
            da_hn = da_n * r  # gradient at w_hn h + b_hn
            for key, blk, da in (("r", 0, da_r), ("z", 1, da_z), ("n", 2, da_n)):
                g["w_x"][blk * hid:(blk + 1) * hid] += np.outer(da, xt)
                g["b_h"][blk * hid:(blk + 1) * hid] += da
            g["w_h"][:hid] += np.outer(da_r, h_prev)
            g["w_h"][hid:2 * hid] += np.outer(da_z, h_prev)
            g["w_h"][2 * hid:] += np.outer(da_hn, h_prev)
            g["b_hn"] += da_hn
            dx[t, n] = w_xr.T @ da_r + w_xz.T @ da_z + w_xn.T @ da_n
            dh = dh * z + w_hr.T @ da_r + w_hz.T @ da_z + w_hn.T @ da_hn
    return out, dx, g


def loop_lstm(p, x, dout):
    hid = p["w_h"].shape[1]
    w_x = [p["w_x"][k * hid:(k + 1) * hid] for k in range(4)]  # i, f, g, o
    w_h = [p["w_h"][k * hid:(k + 1) * hid] for k in range(4)]
    b = [p["b_h"][k * hid:(k + 1) * hid] for k in range(4)]
    T, n_samples, _ = x.shape
    out = np.zeros((T, n_samples, hid), x.dtype)
    dx = np.zeros_like(x)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    for n in range(n_samples):
        h = np.zeros(hid, x.dtype)
        c = np.zeros(hid, x.dtype)
        steps = []
        for t in range(T):
            xt = x[t, n]
            i = sigmoid(w_x[0] @ xt + w_h[0] @ h + b[0])
            f = sigmoid(w_x[1] @ xt + w_h[1] @ h + b[1])
            gg = np.tanh(w_x[2] @ xt + w_h[2] @ h + b[2])
            o = sigmoid(w_x[3] @ xt + w_h[3] @ h + b[3])
            c_prev, h_prev = c, h
            c = f * c_prev + i * gg
            tc = np.tanh(c)
            h = o * tc
            steps.append((h_prev, c_prev, i, f, gg, o, tc))
            out[t, n] = h
        dh = np.zeros(hid, x.dtype)
        dc = np.zeros(hid, x.dtype)
        for t in range(T - 1, -1, -1):
            xt = x[t, n]
            h_prev, c_prev, i, f, gg, o, tc = steps[t]
            dh = dh + dout[t, n]
            dc = dc + dh * o * (1 - tc ** 2)
            das = (dc * gg * i * (1 - i), dc * c_prev * f * (1 - f),
                   dc * i * (1 - gg ** 2), dh * tc * o * (1 - o))
            dh = np.zeros(hid, x.dtype)
            dxt = np.zeros_like(xt)
            for k, da in enumerate(das):
                grads["w_x"][k * hid:(k + 1) * hid] += np.outer(da, xt)
                grads["w_h"][k * hid:(k + 1) * hid] += np.outer(da, h_prev)
                grads["b_h"][k * hid:(k + 1) * hid] += da
                dxt += w_x[k].T @ da
                dh += w_h[k].T @ da
            dx[t, n] = dxt
            dc = dc * f
    return out, dx, grads


LOOPS = {"rnn": loop_rnn, "gru": loop_gru, "lstm": loop_lstm}


# ---------------------------------------------------------------------------
# Setup, checks and timing
# ---------------------------------------------------------------------------


def make_case(cell_cls, T, dtype, fast=True):
    layer = cell_cls(D, H, seed=0, dtype=dtype, fast=fast)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(T, N, D)).astype(dtype)
    dout = rng.normal(size=(T, N, H)).astype(dtype)
    return layer, x, dout


def rnnlab_run(layer, x, dout):
    out, _, cache = layer.forward(x)
    dx, _, grads = layer.backward(dout, None, cache)
    return out, dx, grads


def torch_runner(layer, x, dout):
    """A closure doing PyTorch's forward + backward with the layer's weights."""
    module = to_torch(layer)
    xt = torch.from_numpy(x)
    dt = torch.from_numpy(dout)

    def run():
        module.zero_grad(set_to_none=True)
        xi = xt.detach().requires_grad_(True)  # rnnlab computes dx too
        out, _ = module(xi)
        out.backward(dt)
        return out, xi

    return module, run


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def check_loop(cell, layer, x, dout, tol):
    """The tutorial loop gives rnnlab's outputs and gradients (max abs diff <= tol)."""
    ref_out, ref_dx, ref_g = LOOPS[cell](layer.params, x, dout)
    out, dx, grads = rnnlab_run(layer, x, dout)
    diffs = {"out": max_diff(out, ref_out), "dx": max_diff(dx, ref_dx)}
    diffs.update({k: max_diff(grads[k], ref_g[k]) for k in grads})
    worst = max(diffs.values())
    if not worst <= tol:
        raise AssertionError(f"{cell} {x.dtype}: tutorial loop and rnnlab disagree: {diffs}")
    return worst


def check_torch(layer, x, dout, tol):
    """PyTorch with the same weights gives the same output and input gradient."""
    _, run = torch_runner(layer, x, dout)
    tout, xi = run()
    out, dx, _ = rnnlab_run(layer, x, dout)
    worst = max(max_diff(out, tout.detach().numpy()), max_diff(dx, xi.grad.numpy()))
    if not worst <= tol:
        raise AssertionError(f"{layer!r}: PyTorch and rnnlab disagree by {worst:.2e}")
    return worst


# CPU time of this process by default: everything runs on one thread, and on a
# shared machine CPU time is disturbed far less than wall time (--clock wall).
CLOCK = time.process_time


def calls_per_block(fn, budget):
    """Calls per timed block so that one block lasts about ``budget`` seconds."""
    t0 = CLOCK()
    fn()
    one = max(CLOCK() - t0, 1e-6)
    return max(1, int(budget / one))


def time_block(fn, number):
    t0 = CLOCK()
    for _ in range(number):
        fn()
    return (CLOCK() - t0) / number


def interleaved(fns, repeats, budget):
    """Median seconds per call of each function, timed in alternating blocks.

    After a warm-up, each repeat times one block of every function in turn
    (the order flips each repeat) so slow spells of a shared machine hit all.
    """
    for fn in fns:  # warm-up (caches, lazy initialisation, BLAS buffers)
        fn()
        fn()
    numbers = [calls_per_block(fn, budget) for fn in fns]
    samples = [[] for _ in fns]
    for r in range(repeats):
        order = range(len(fns)) if r % 2 == 0 else reversed(range(len(fns)))
        for k in order:
            samples[k].append(time_block(fns[k], numbers[k]))
    return [statistics.median(s) for s in samples]


def peak_memory(fn):
    """Peak bytes allocated (NumPy buffers included) during one call of ``fn``."""
    fn()  # warm-up, so one-off allocations are not counted
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base


def page_faults(fn, calls=5):
    """Minor page faults per call of ``fn``: first touches of fresh memory, which
    are expensive in some virtual machines and explain part of the noise."""
    if resource is None:
        return None
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def import_time(runs):
    """``import rnnlab`` in fresh interpreters: median wall and CPU seconds, and
    which heavy optional modules it pulled in."""
    code = ("import sys, time\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "w0, c0 = time.perf_counter(), time.process_time()\n"
            "import rnnlab\n"
            "w1, c1 = time.perf_counter(), time.process_time()\n"
            "heavy = [m for m in ('ipywidgets', 'matplotlib', 'torch', 'IPython', 'scipy', 'pandas')"
            " if m in sys.modules]\n"
            "print(w1 - w0, c1 - c0, ','.join(heavy))\n")
    walls, cpus, heavy = [], [], set()
    for _ in range(runs):
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             cwd=str(ROOT))
        wall, cpu, *mods = res.stdout.split()
        walls.append(float(wall))
        cpus.append(float(cpu))
        heavy.update(m for m in (mods[0].split(",") if mods else []) if m)
    return statistics.median(walls), statistics.median(cpus), sorted(heavy)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def bench(args):
    sizes = SIZES[:1] if args.quick else SIZES
    repeats = 3 if args.quick else 15
    budget = 0.02 if args.quick else 0.05
    loop_repeats = 1 if args.quick else 5
    # Warm-up of the memory allocator: glibc's malloc raises its threshold for
    # handing big blocks back to the OS only after it has seen big blocks freed,
    # so whichever configuration ran first would pay page faults (very costly
    # in some virtual machines) that the others do not. One forward + backward
    # of every configuration first puts them all on the same footing, as in a
    # long-running notebook. The "faults" column shows what remains.
    for dtype in DTYPES:
        for _, T in sizes:
            for _, cls in CELLS:
                layer, x, dout = make_case(cls, T, dtype)
                rnnlab_run(layer, x, dout)
                rnnlab_run(make_case(cls, T, dtype, fast=False)[0], x, dout)
                if torch is not None:
                    torch_runner(layer, x, dout)[1]()
    rows = []
    for dtype in DTYPES:
        for size_name, T in sizes:
            for cell, cls in CELLS:
                layer, x, dout = make_case(cls, T, dtype)
                textbook = make_case(cls, T, dtype, fast=False)[0]  # same weights, same data
                # correctness first: float64 to 1e-8; float32 only to its own precision
                tol = 1e-8 if dtype == "float64" else 1e-3
                loop_err = max(check_loop(cell, layer, x, dout, tol),
                               check_loop(cell, textbook, x, dout, tol))
                torch_err = check_torch(layer, x, dout, tol) if torch is not None else None

                ours = lambda: rnnlab_run(layer, x, dout)  # noqa: E731
                fns = [ours, lambda: rnnlab_run(textbook, x, dout)]
                if torch is not None:
                    fns.append(torch_runner(layer, x, dout)[1])
                times = interleaved(fns, repeats, budget)
                t_ours, t_textbook = times[:2]
                t_torch = times[2] if torch is not None else None
                # the loop is slow: a few single runs, each paired with a block of
                # rnnlab runs right after it; the ratio is the median of the pairs
                loop = lambda: LOOPS[cell](layer.params, x, dout)  # noqa: E731
                n_ours = calls_per_block(ours, budget)
                pairs = [(time_block(loop, 1), time_block(ours, n_ours)) for _ in range(loop_repeats)]
                t_loop = statistics.median(lp for lp, _ in pairs)
                loop_ratio = statistics.median(lp / o for lp, o in pairs)
                row = {
                    "cell": cell, "dtype": dtype, "size": size_name, "T": T, "N": N, "D": D, "H": H,
                    "rnnlab_ms": t_ours * 1e3, "textbook_ms": t_textbook * 1e3,
                    "textbook_ratio": t_textbook / t_ours, "loop_ms": t_loop * 1e3,
                    "loop_ratio": loop_ratio,
                    "torch_ms": None if t_torch is None else t_torch * 1e3,
                    "torch_ratio": None if t_torch is None else t_torch / t_ours,
                    "peak_kib": peak_memory(ours) / 1024,
                    "page_faults": page_faults(ours),
                    "loop_max_diff": loop_err, "torch_max_diff": torch_err,
                }
                rows.append(row)
                print(f"  done {cell:4s} {dtype} T={T:<3d}  fast {row['rnnlab_ms']:7.2f} ms, "
                      f"textbook {row['textbook_ms']:7.2f} ms", flush=True)
    return rows


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def report(rows, imp_wall, imp_cpu, heavy, args):
    imp = imp_cpu if CLOCK is time.process_time else imp_wall
    print()
    print(f"rnnlab {rnnlab.__version__}, NumPy {np.__version__}, "
          f"PyTorch {torch.__version__ if torch is not None else 'not installed'}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print("Threads: " + ", ".join(f"{v}=1" for v in THREAD_VARS)
          + " (set before importing NumPy)" + (", torch.set_num_threads(1)" if torch is not None else ""))
    clock = "CPU time (time.process_time)" if CLOCK is time.process_time else "wall time (time.perf_counter)"
    print(f"Forward + backward of one batch, N={N}, D={D}, H={H}: {clock}, median of interleaved repeats.")
    print("fast = rnnlab's default path (fast=True); textbook = the step loops (fast=False);")
    print("textbook x = textbook time / fast time (how much the rearranging for speed buys);")
    print("loop x = per-sample tutorial loop time / fast time (median of paired runs);")
    print("torch x = PyTorch time / fast time (>= 1: rnnlab is not slower). Ratios matter, not ms.")
    print()
    head = (f"{'cell':5s} {'dtype':8s} {'T':>4s} {'fast ms':>8s} {'textbook ms':>12s} {'textbook x':>11s} "
            f"{'loop ms':>8s} {'loop x':>7s} {'torch ms':>9s} {'torch x':>8s} {'peak KiB':>9s} "
            f"{'faults':>7s}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['cell']:5s} {r['dtype']:8s} {r['T']:4d} {r['rnnlab_ms']:8.2f} {r['textbook_ms']:12.2f} "
              f"{r['textbook_ratio']:11.1f} {r['loop_ms']:8.1f} {r['loop_ratio']:7.1f} "
              f"{fmt(r['torch_ms'], '9.2f')} {fmt(r['torch_ratio'], '8.2f')} "
              f"{r['peak_kib']:9.0f} {fmt(r['page_faults'], '7.0f')}")
    print("peak KiB = tracemalloc peak of one fast forward + backward (NumPy buffers included);")
    print("faults = minor page faults per fast forward + backward (fresh memory from the OS).")
    print()
    print(f"import rnnlab (fresh interpreter, median of runs, NumPy's own import included): "
          f"{imp_cpu:.3f} s CPU, {imp_wall:.3f} s wall; "
          f"heavy modules loaded: {', '.join(heavy) if heavy else 'none'}")
    print()

    targets = []
    for r in rows:
        name = f"{r['cell']} {r['dtype']} T={r['T']}"
        targets.append((f"loop/rnnlab >= {TARGET_LOOP:g}x  {name}", r["loop_ratio"] >= TARGET_LOOP,
                        f"{r['loop_ratio']:.1f}x"))
    for r in rows:
        if (r["cell"], r["dtype"]) in TORCH_TARGETS:
            name = f"{r['cell']} {r['dtype']} T={r['T']}"
            if r["torch_ratio"] is None:
                targets.append((f"torch/rnnlab >= 1  {name}", None, "torch not installed"))
            else:
                targets.append((f"torch/rnnlab >= {TARGET_TORCH:g}  {name}",
                                r["torch_ratio"] >= TARGET_TORCH, f"{r['torch_ratio']:.2f}"))
    targets.append((f"import rnnlab < {TARGET_IMPORT} s", imp < TARGET_IMPORT, f"{imp:.3f} s"))
    bad = [m for m in heavy if m in ("ipywidgets", "matplotlib")]
    targets.append(("import rnnlab loads neither ipywidgets nor matplotlib", not bad,
                    "loaded: " + ", ".join(bad) if bad else "ok"))
    print("Targets")
    for name, ok, detail in targets:
        tag = "SKIP" if ok is None else ("PASS" if ok else "MISS")
        print(f"  {tag}  {name:48s} {detail}")
    if args.quick:
        print("  (--quick: teaching size only, few repeats; run without it for the full report)")
    misses = sum(ok is False for _, ok, _ in targets)
    print(f"\n{len(targets) - misses}/{len(targets)} targets met" + ("" if not misses else f", {misses} missed"))
    return [{"target": n, "status": ("SKIP" if ok is None else "PASS" if ok else "MISS"), "value": d}
            for n, ok, d in targets]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fast smoke run (teaching size, few repeats)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="time.process_time (default; robust on a busy machine) or time.perf_counter")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter

    print("Checking gradients against the tutorial loop and PyTorch, then timing...", flush=True)
    rows = bench(args)
    imp_wall, imp_cpu, heavy = import_time(3 if args.quick else 7)
    targets = report(rows, imp_wall, imp_cpu, heavy, args)
    if args.json:
        payload = {
            "config": {"N": N, "D": D, "H": H, "quick": args.quick, "threads": 1, "clock": args.clock,
                       "numpy": np.__version__, "torch": None if torch is None else torch.__version__,
                       "python": platform.python_version(), "cpus": os.cpu_count()},
            "results": rows, "import_seconds": {"wall": imp_wall, "cpu": imp_cpu},
            "import_heavy_modules": heavy, "targets": targets,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
