"""Benchmark: the shift-operator study (arXiv 2501.14440) on the full grid, and the batched GD runner
against a baseline measured in the same run (a plain numpy loop, one configuration at a time).

    python benchmarks/shift_operators.py [--steps K] [--device cpu|cuda|auto] [--seed N] [--skip-grid]

Prints: (1) on a subset of graphs, time of the batched torch runner (all init seeds in one call)
vs the numpy loop (verify.dynamics.gd_numpy per seed) for the same K steps, and the largest
difference of the final excess losses relative to E_0 (must be at rounding level); (2) the full grid's
table and verdict (same as `verify experiment shift-operators`).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.device import resolve_device  # noqa: E402
from verify.dynamics import models  # noqa: E402
from verify.dynamics.gap import sharpness  # noqa: E402
from verify.dynamics.gd import gd_numpy, run_gd_batched  # noqa: E402
from verify.graphs.random_graphs import erdos_renyi, shift_operator  # noqa: E402
from verify.report.tables import shift_operators_table  # noqa: E402
from verify.studies import shift_operators as study  # noqa: E402


def baseline_comparison(
    st: dict, ps=(0.01, 0.1, 0.5), ops=("adjacency", "normalized_laplacian")
) -> list[dict]:
    import torch

    torch.set_num_threads(1)
    X, train, Y = study.problem_data(st, 0)
    widths = tuple([st["m_x"]] + list(st["hidden"]) + [st["m_y"]])
    rows = []
    for i, p in enumerate(ps):
        A = erdos_renyi(st["n"], p, np.random.default_rng(st["seed"] * 100000 + i))
        for op in ops:
            inst = models.GNNInstance(
                X=X, S=shift_operator(A, op), H=st["H"], train=train, Y=Y, widths=widths, kappa=st["kappa"]
            )
            seeds = list(range(st["init_seeds"]))
            W0s = [models.init_weights(inst, s, zero_first=True) for s in seeds]
            eta = 0.5 / max(sharpness(inst, W) for W in W0s)
            K = st["steps"]
            t0 = time.perf_counter()
            run = run_gd_batched(
                inst, [eta] * len(seeds), K * eta, seeds=seeds, zero_first=True, device=st["device"]
            )
            t_batched = time.perf_counter() - t0
            Pi = models.row_projector(np.asarray(inst.G, float))
            t0 = time.perf_counter()
            finals = [gd_numpy(inst, W, eta, K)[0] for W in W0s]
            t_numpy = time.perf_counter() - t0
            e_np = np.array([float(models.excess_loss(inst, W, Pi)) for W in finals])
            e_b = np.array(
                [
                    float(models.excess_loss(inst, [w[c, -1] for w in run.params], Pi))
                    for c in range(len(seeds))
                ]
            )
            e0 = np.array([float(models.excess_loss(inst, W, Pi)) for W in W0s])
            rows.append(
                {
                    "p": p,
                    "operator": op,
                    "eta": eta,
                    "steps": K,
                    "batched_s": t_batched,
                    "numpy_s": t_numpy,
                    "speedup": t_numpy / t_batched,
                    "max_diff_final_excess_over_E0": float(np.max(np.abs(e_np - e_b) / e0)),
                    "final_excess_over_E0": float(np.max(e_np / e0)),
                }
            )
            print(
                f"  p={p:<5} {op:22s} batched {t_batched:6.2f}s  numpy loop {t_numpy:6.2f}s  "
                f"speedup {t_numpy / t_batched:5.2f}x  |ΔE_K|/E_0 "
                f"{rows[-1]['max_diff_final_excess_over_E0']:.1e} "
                f"(E_K/E_0 {rows[-1]['final_excess_over_E0']:.1e})",
                flush=True,
            )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-grid", action="store_true", help="only the runner-vs-baseline comparison")
    args = ap.parse_args()
    st = dict(study.FULL, seed=args.seed, device=resolve_device(args.device), grid="full")
    if args.steps:
        st["steps"] = args.steps
    print(
        f"[1] batched runner vs numpy loop ({st['init_seeds']} init seeds, {st['steps']} steps, n = "
        f"{st['n']}, "
        f"device {st['device']}):",
        flush=True,
    )
    baseline_comparison(st)
    if args.skip_grid:
        return 0
    print("[2] full grid:", flush=True)
    res = study.compute(st, lambda m: print("  " + m, file=sys.stderr, flush=True))
    print(shift_operators_table(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
