"""Full width study of the empirical NTK against the analytic kernels (not run by pytest).

    python benchmarks/ntk_width.py [--quick]

Prints, for FC nets (jacot and arora) and the Du et al. GNN (graph and node level): mean relative
Frobenius error ± 95 % CI per width over seeds, and the fitted log-log slope (theory −1/2); then the
lazy-training study (GD vs kernel GD; weight and kernel movement); then the speed of the
torch.func empirical NTK against a baseline measured in the same run (one autograd.grad call per
output, the textbook loop).  Seeds and settings are printed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from verify.nets import FCSpec, empirical_ntk, empirical_ntk_loop, fc_forward, init_fc  # noqa: E402
from verify.device import torch_threads  # noqa: E402
from verify.studies.lazy_training import lazy_training_study  # noqa: E402
from verify.studies.width import fc_width_study, gnn_width_study, sphere_points  # noqa: E402


def _table(title: str, r: dict) -> None:
    print(f"\n== {title}")
    for m, e, c in zip(r["widths"], r["rel_error"], r["ci"]):
        print(f"  m = {m:5d}   rel. error {e:.4g} ± {c:.2g}")
    print(
        f"  slope {r['slope']:.3f} ± {r['slope_stderr']:.3f} (theory -0.5), r² {r['r2']:.3f}, seeds "
        f"{r['seeds']}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    widths = (16, 64, 256, 1024) if args.quick else (16, 64, 256, 1024, 2048)
    seeds = 3 if args.quick else 8
    print(
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, widths {widths}, seeds {seeds}, "
        "seed 0"
    )
    t0 = time.perf_counter()
    _table("FC arora, L = 2 hidden layers", fc_width_study("arora", 2, 0.0, widths, seeds, 8, 3, 0))
    _table("FC jacot, L = 3, beta = 0.5", fc_width_study("jacot", 3, 0.5, widths, seeds, 8, 3, 0))
    gw = widths
    _table("GNN graph level (2 blocks, 1 layer, uniform, sum)",
           gnn_width_study(None, 2, 1, "uniform", "sum", "graph", gw, seeds, 0))
    _table("GNN node level (2 blocks, 1 layer, degree)",
           gnn_width_study(None, 2, 1, "degree", "sum", "node", gw, seeds, 0))
    lz = lazy_training_study("arora", 1, (64, 256, 1024, 4096), seeds=3 if args.quick else 5, steps=100)
    print("\n== lazy training (arora L = 1, 8 train / 4 test points, 100 GD steps, normalisation 1/N)")
    for i, m in enumerate(lz["widths"]):
        print(
            f"  m = {m:5d}  gap to kernel GD {lz['gap_analytic'][i]:.3g}  gap to linearised "
            f"{lz['gap_linearised'][i]:.3g}"
            f"  weights moved {lz['weight_change'][i]:.3g}  kernel moved {lz['kernel_change'][i]:.3g}"
        )
    print("  slopes: " + ", ".join(f"{k} {lz[k + '_slope']:.3f}" for k in
                                     ("gap_analytic", "gap_linearised", "weight_change", "kernel_change")))
    print(f"\nstudies took {time.perf_counter() - t0:.1f} s")
    print("\n== speed: torch.func (jacrev per tensor) vs autograd loop baseline, arora L = 2, 16 points")
    x = torch.tensor(sphere_points(16, 3, 0))
    with torch_threads("cpu"):
        for m in (256, 1024):
            spec = FCSpec(3, m, 2, "arora")
            p = init_fc(spec, 0, "cpu")
            f = lambda q: fc_forward(q, x, spec)  # noqa: E731
            t = time.perf_counter()
            a = empirical_ntk(f, p)
            t_func = time.perf_counter() - t
            t = time.perf_counter()
            b = empirical_ntk_loop(f, p)
            t_loop = time.perf_counter() - t
            print(
                f"  m = {m:5d}  torch.func {t_func:.3f} s   loop {t_loop:.3f} s   ratio "
                f"{t_loop / t_func:.2f}x   "
                f"max diff {float((a - b).abs().max()):.2e}"
            )


if __name__ == "__main__":
    main()
