"""verify experiment gntk-equivalence: a trained wide GNN vs iterative GNTK regression (arXiv 2309.07452).

The Du et al. GNN (2 blocks, 1 ReLU layer, sum aggregation; antisymmetric doubled so f₀ ≡ 0) is
trained by full-batch GD on ½||Y − κf||² + (λ/2)||θ − θ₀||² and compared along the whole
trajectory with the iterative GNTK regression u ← u − η[κ²H(u − Y) + λu] (same η, κ, λ, steps).
Reports the gap against width (fitted slope; theory −1/2) and against graph size N (fitted
exponent), the width exponent this implies next to the paper's Ω(N²) (graph) / Ω(N¹⁰) (node),
and the iterations GNTK regression needs to reach ε against N next to O(N⁴) / O(N²).
"""
from __future__ import annotations

import argparse
import json
import sys

from ...errors import InputError
from .ntk_width import parse_widths

NAME = "gntk-equivalence"
HELP = "trained wide GNN vs iterative GNTK regression: gap vs width and vs graph size N (arXiv 2309.07452)"

_FULL = {"widths": "16,64,256,1024", "sizes": "4,8,16", "seeds": 3, "steps": 60}
_QUICK = {"widths": "8,32,128,800", "sizes": "4,6,8", "seeds": 2, "steps": 30}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="small settings (tens of seconds)")
    parser.add_argument("--level", default="graph", help="graph | node (default graph)")
    parser.add_argument(
        "--widths", default=None, help="comma-separated increasing widths (default 16,64,256,1024)"
    )
    parser.add_argument("--sizes", default=None, help="comma-separated graph sizes N (default 4,8,16)")
    parser.add_argument("--width-for-sizes", type=int, default=None,
                        help="width used for the gap-vs-N sweep (default: the largest width)")
    parser.add_argument("--seeds", type=int, default=None, help="networks per point (default 3; --quick 2)")
    parser.add_argument("--steps", type=int, default=None, help="GD steps (default 60; --quick 30)")
    parser.add_argument(
        "--lr-factor", type=float, default=0.5, help="eta = lr_factor/(kappa^2 Lmax + lambda)"
    )
    parser.add_argument("--lam-factor", type=float, default=0.1, help="lambda = lam_factor kappa^2 Lmax(H)")
    parser.add_argument("--kappa", type=float, default=1.0, help="output scale kappa (default 1)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of graphs, targets and networks (default 0)"
    )
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda (default auto)")
    parser.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    parser.add_argument("--progress", action="store_true", help="show progress on stderr even with --json")


def run(args: argparse.Namespace) -> int:
    import math

    from ...device import resolve_device
    from ...studies.gntk_equivalence import equivalence_study
    from ...result import jsonable
    from .. import progress_printer, wants_progress

    base = _QUICK if args.quick else _FULL
    if args.level not in ("graph", "node"):
        raise InputError(f"--level must be graph or node (got {args.level!r})")
    widths = parse_widths(args.widths or base["widths"])
    try:
        sizes = [int(t) for t in (args.sizes or base["sizes"]).split(",") if t.strip()]
    except ValueError:
        raise InputError(f"--sizes must be comma-separated integers (got {args.sizes!r})") from None
    seeds = base["seeds"] if args.seeds is None else args.seeds
    steps = base["steps"] if args.steps is None else args.steps
    for name, v in (("--lr-factor", args.lr_factor), ("--kappa", args.kappa)):
        if not (math.isfinite(v) and v > 0):
            raise InputError(f"{name} must be a positive finite number (got {v})")
    if not (math.isfinite(args.lam_factor) and args.lam_factor >= 0):
        raise InputError(f"--lam-factor must be >= 0 and finite (got {args.lam_factor})")
    if args.lr_factor > 2:
        raise InputError(
            f"--lr-factor must be <= 2 for the kernel iteration to converge (got {args.lr_factor})"
        )
    if args.width_for_sizes is not None and args.width_for_sizes < 1:
        raise InputError(f"--width-for-sizes must be >= 1 (got {args.width_for_sizes})")
    out = equivalence_study(args.level, widths, sizes, args.width_for_sizes, None, seeds, args.seed, steps,
                            args.lr_factor, args.kappa, args.lam_factor,
                            device=resolve_device(args.device),
                            progress=progress_printer(wants_progress(args)))
    if args.json:
        sys.stdout.write(json.dumps(jsonable(out)) + "\n")
        return 0
    w = sys.stdout.write
    w(f"level {out['level']}, N = {out['n_size']}, {out['initialisation']}\n")
    for m, g, c in zip(out["widths"], out["gap"], out["gap_ci"]):
        w(f"  width {m:6d}  gap {g:.4g} ± {c:.2g}\n")
    w(f"  fitted slope vs width {out['slope']:.3f} ± {out['slope_stderr']:.3f} (theory -0.5)\n")
    for n, g in zip(out["sizes"], out["gap_vs_size"]):
        w(f"  N {n:4d} (width {out['width_for_sizes']})  gap {g:.4g}\n")
    w(f"  gap ∝ N^{out['size_exponent']:.2f}; width for a fixed gap ∝ N^{out['implied_width_exponent']:.2f} "
      f"(paper: N^{out['stated_width_exponent']})\n")
    w(
        f"  iterations to eps={out['eps_iterations']}: {out['iterations_to_eps']} ∝ "
        f"N^{out['iterations_exponent']:.2f} "
        f"(paper: N^{out['stated_iterations_exponent']})\n"
    )
    return 0
