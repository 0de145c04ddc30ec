"""Benchmark: the SVC cross-validation of the GNTK table (MUTAG, the official grid), libsvm called
directly against the same fits through sklearn's SVC, measured in the same run.

    python benchmarks/gntk_table_cv.py [--nested-c-num 25] [--quick]

The grid is the official code's for MUTAG (blocks 1, 3; MLP layers 1, 2, 3; scale uniform, degree;
jk; gram/min and cosine: 24 kernels), C ∈ logspace(-2, 4, 120), 10 stratified folds (seed 0) and a
nested CV (5 inner folds, ``--nested-c-num`` C values): 28,800 official-grid fits plus the nested
ones.  Both paths must give the same result (same libsvm calls); the script prints wall and CPU
seconds of each and the ratio.  ``--quick``: 2 kernels.  The Grams are computed once, outside the
timings.  Seed 0 throughout.  In this process (the switch ``DIRECT_LIBSVM`` does not reach worker
processes); with ``verify gntk table --engine joblib:K`` the fits are spread over K processes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verify.graphs import load_dataset  # noqa: E402
from verify.kernels import classify as cl  # noqa: E402
from verify.kernels.gntk import gntk_grams  # noqa: E402


def grams(quick: bool) -> tuple[dict, dict, np.ndarray]:
    graphs = load_dataset("mutag")
    out, norm = {}, {}
    for r in ((1,) if quick else (1, 2, 3)):
        for s in (("uniform",) if quick else ("uniform", "degree")):
            for b, k in gntk_grams(graphs, (1, 3), r, s, "jk", "official").items():
                for nm in (("min",) if quick else ("min", "cosine")):
                    out[f"blocks={b},mlp={r},{s},jk,{nm}"], norm[f"blocks={b},mlp={r},{s},jk,{nm}"] = k, nm
    return out, norm, np.array([g.label for g in graphs])


def timed(direct: bool, g, norm, y, engine, nested_c_num):
    cl.DIRECT_LIBSVM = direct
    t, c = time.perf_counter(), time.process_time()
    res = cl.classify_grid(g, y, seed=0, c_grid=np.logspace(-2, 4, 120),
                           nested_c_grid=np.logspace(-2, 4, nested_c_num), normalise=norm, engine=engine)
    return res, time.perf_counter() - t, time.process_time() - c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nested-c-num", type=int, default=25)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    g, norm, y = grams(args.quick)
    print(f"MUTAG: {len(g)} kernels, C grid 120, nested C grid {args.nested_c_num}, this process")
    fast, wf, cf = timed(True, g, norm, y, None, args.nested_c_num)
    slow, ws, cs = timed(False, g, norm, y, None, args.nested_c_num)
    same = fast == slow
    print(f"libsvm directly: {wf:.1f} s wall, {cf:.1f} s CPU (this process)")
    print(f"through SVC:     {ws:.1f} s wall, {cs:.1f} s CPU (this process)")
    print(f"ratio (wall): {ws / wf:.2f}x; same result: {same}; official selection "
          f"{fast['accuracy_mean']:.2f} ± {fast['accuracy_std']:.2f} ({fast['kernel']}, "
          f"C = {fast['C']:.4g}), "
          f"nested {fast['nested_accuracy_mean']:.2f} ± {fast['nested_accuracy_std']:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
