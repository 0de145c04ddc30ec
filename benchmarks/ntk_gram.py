"""Benchmark: analytic NTK Gram (verify.kernels.ntk) against neural-tangents' published-on-this-project
figures.

    python benchmarks/ntk_gram.py [--sizes 500,2000,5000] [--depth 3] [--dim 32] [--workers K] [--repeats 3]

For N points in R^dim (standard normal, seed 0), depth-3 ReLU NTK in the arora convention
(neural-tangents' stax.serial(Dense(√2), Relu, ..., Dense(√2)) computes the same Gram up to the
input scaling, see verify.kernels.ntk): the first call (a fresh process allocation, page faults
included) and the best of ``--repeats`` further calls, wall and process CPU time, and the ratio to
the neural-tangents 0.6.5 figures measured on this kind of machine (jit, float64, CPU) and stated
in issue 15 - an OUTSIDE REFERENCE, not re-measured here (neural-tangents is not installed):
N = 500: 0.02 s, N = 2000: 0.4-0.8 s, N = 5000: 2.8-6.1 s.  Ratio = verify time / neural-tangents
time (< 1: faster), printed against both ends of the range.

Accuracy is checked in the same run against the mpmath path (40 digits) on 12 hard points
(cos θ = ±(1 − 1e-12), duplicates, antipodes) and on 12 random rows of the benchmark data.
The machine's load average is printed: on a shared machine wall times are inflated.

Measured (2026-12-03, 2 cores, load 0.3, depth 3, dim 32): N = 500 / 2000 / 5000 first call 0.033 /
0.245 / 0.511 s wall, best of 3 0.016 / 0.115 / 0.587 s; ratio to neural-tangents (first call)
1.67 / 0.31-0.61 / 0.08-0.18 (at N = 5000 5.5-12x faster, first call included); accuracy against
mpmath 3.4e-16 (NNGP) / 3.2e-16 (NTK) on the hard points, 5.5e-16 on random rows.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.kernels.ntk import ntk_gram, ntk_gram_mp

NT_SECONDS = {500: (0.02, 0.02), 2000: (0.4, 0.8), 5000: (2.8, 6.1)}


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


def max_rel(f64: np.ndarray, ref: np.ndarray) -> float:
    scale = np.sqrt(np.outer(np.diag(ref), np.diag(ref)))
    err = np.abs(f64 - ref)
    return float(np.max(err / np.maximum(np.abs(ref), 1e-30 * scale)))


def hard_points() -> np.ndarray:
    r = 1 - 1e-12
    t = math.sqrt((1 - r) * (1 + r))
    base = np.array([[1.0, 0.0, 0.0], [r, t, 0.0], [-r, t, 0.0], [0.3, -0.2, 0.9], [0.3, -0.2, 0.9],
                     [-0.6, 0.4, -1.8], [0.2, 0.5, -0.1]])
    q = np.linalg.qr(np.random.default_rng(5).normal(size=(3, 3)))[0]
    return np.vstack([base, base[:5] @ q])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,2000,5000")
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--workers", type=int, default=None, help="threads over tiles (default: all cores)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"CPU cores available: {cores}; load average {os.getloadavg()[0]:.2f} (shared machine: wall times "
        f"inflated when > cores); numpy float64; depth {args.depth}, arora convention, ReLU, dim {args.dim}"
    )
    print("neural-tangents 0.6.5 figures (issue 15, outside reference, not re-measured): "
          + ", ".join(f"N={n}: {a}-{b} s" for n, (a, b) in NT_SECONDS.items()))
    rng = np.random.default_rng(0)
    for n in sizes:
        x = rng.normal(size=(n, args.dim))
        def run(x=x):
            return ntk_gram(x, args.depth, "arora", workers=args.workers)

        w1, c1, _ = timed(run)
        best_w, best_c = float("inf"), float("inf")
        for _ in range(args.repeats):
            w, c, out = timed(run)
            best_w, best_c = min(best_w, w), min(best_c, c)
        line = (
            f"N={n:5d}: first call {w1:.3f} s wall ({c1:.3f} s CPU), best of {args.repeats} {best_w:.3f} s "
            "wall "
            f"({best_c:.3f} s CPU)"
        )
        if n in NT_SECONDS:
            lo, hi = NT_SECONDS[n]
            line += (f"; ratio to neural-tangents (first call) {w1 / hi:.2f}-{w1 / lo:.2f}, "
                     f"(best) {best_w / hi:.2f}-{best_w / lo:.2f}")
        print(line)
        assert np.array_equal(out[1], out[1].T)
    print("\n== accuracy against mpmath (40 digits), max relative error over all entries (NNGP, NTK)")
    sample = rng.normal(size=(12, args.dim))
    for label, pts in (("hard points (cos θ = ±(1 − 1e-12), duplicates, antipodes)", hard_points()),
                       (f"12 random points in R^{args.dim}", sample)):
        nngp, ntk = ntk_gram(pts, args.depth, "arora")
        nm, km = ntk_gram_mp(pts, args.depth, "arora", dps=40)
        nm = np.array([[float(v) for v in r] for r in nm])
        km = np.array([[float(v) for v in r] for r in km])
        print(f"{label}: NNGP {max_rel(nngp, nm):.1e}, NTK {max_rel(ntk, km):.1e}")


if __name__ == "__main__":
    main()
