"""verify experiment ntk-width: the empirical NTK of finite nets against the analytic kernel, over widths.

For each width m and seed: relative Frobenius error ||Θ_m − Θ||/||Θ|| of the empirical NTK
(torch.func, float64) of a freshly initialised net against the analytic kernel
(verify.kernels); mean over seeds with a 95 % t-interval and the fitted log-log slope
(theory −1/2).  ``--model fc`` (conventions jacot/arora) or ``--model gnn`` (Du et al. GNN vs
the paper-convention GNTK, graph- or node-level).  ``--lazy`` runs the lazy-training study instead
(GD vs kernel predictions, weight and kernel movement vs width).
"""
from __future__ import annotations

import argparse
import json
import sys

from ...errors import InputError

NAME = "ntk-width"
HELP = "empirical NTK of finite nets vs the analytic kernel over widths (fitted slope, theory -1/2)"

_FULL = {"widths": "16,64,256,1024,2048", "seeds": 5, "depth": 2}
_QUICK = {"widths": "16,64,256,1024,2048", "seeds": 3, "depth": 1}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="small settings (seconds): depth 1, 3 seeds")
    parser.add_argument("--model", default="fc", help="fc | gnn (default fc)")
    parser.add_argument("--convention", default="arora", help="fc: jacot | arora (default arora)")
    parser.add_argument(
        "--depth",
        type=int,
        default=None,
        help="fc: jacot L (weight layers) or arora L (hidden layers); gnn: blocks (default 2; --quick 1)",
    )
    parser.add_argument("--bias", type=float, default=0.0, help="jacot bias scale beta (default 0)")
    parser.add_argument("--activation", default="relu", help="relu | erf (default relu)")
    parser.add_argument(
        "--widths", default=None, help="comma-separated increasing widths (default 16,...,2048)"
    )
    parser.add_argument("--seeds", type=int, default=None, help="networks per width (default 5; --quick 3)")
    parser.add_argument("--points", type=int, default=8, help="fc: points on the unit sphere (default 8)")
    parser.add_argument("--dim", type=int, default=3, help="fc: input dimension (default 3)")
    parser.add_argument("--mlp-layers", type=int, default=1, help="gnn: ReLU layers per block (default 1)")
    parser.add_argument("--scale", default="uniform", help="gnn: uniform | degree (default uniform)")
    parser.add_argument("--readout", default="sum", help="gnn: sum | jk (default sum)")
    parser.add_argument("--level", default="graph", help="gnn: graph | node (default graph)")
    parser.add_argument("--lazy", action="store_true", help="fc: run the lazy-training study instead")
    parser.add_argument("--steps", type=int, default=100, help="--lazy: GD steps (default 100)")
    parser.add_argument("--normalisation", default="jacot",
                        help="--lazy: loss normalisation jacot (1/N) | neural-tangents | arora (none)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the points and networks (default 0)")
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda (default auto)")
    parser.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    parser.add_argument("--progress", action="store_true", help="show progress on stderr even with --json")


def parse_widths(text: str) -> list[int]:
    try:
        ws = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InputError(f"--widths must be comma-separated integers (got {text!r})") from None
    if len(ws) < 2 or ws[0] < 1 or sorted(set(ws)) != ws:
        raise InputError(f"--widths must be at least two increasing positive integers (got {text!r})")
    return ws


def _options(args: argparse.Namespace) -> tuple[list[int], int, int]:
    """(widths, seeds, depth) from the options and the full/quick defaults; InputError when bad."""
    base = _QUICK if args.quick else _FULL
    widths = parse_widths(args.widths or base["widths"])
    seeds = base["seeds"] if args.seeds is None else args.seeds
    depth = base["depth"] if args.depth is None else args.depth
    if seeds < 1:
        raise InputError(f"--seeds must be >= 1 (got {seeds})")
    if depth < 1:
        raise InputError(f"--depth must be >= 1 (got {depth})")
    if args.points < 2 or args.dim < 1:
        raise InputError(f"--points must be >= 2 and --dim >= 1 (got {args.points}, {args.dim})")
    if args.model not in ("fc", "gnn"):
        raise InputError(f"--model must be fc or gnn (got {args.model!r})")
    if args.convention not in ("jacot", "arora"):
        raise InputError(f"--convention must be jacot or arora (got {args.convention!r})")
    if args.lazy and args.model != "fc":
        raise InputError("--lazy is for --model fc")
    return widths, seeds, depth


def _study(args: argparse.Namespace, widths: list[int], seeds: int, depth: int, device: str,
           progress) -> tuple[dict, tuple[str, ...]]:
    """Run the chosen study; returns its result and the columns of its table."""
    if args.lazy:
        from ...studies.lazy_training import lazy_training_study

        out = lazy_training_study(args.convention, depth, widths, seeds, steps=args.steps,
                                  normalisation=args.normalisation, seed=args.seed, device=device,
                                  progress=progress)
        return out, ("gap_analytic", "gap_linearised", "weight_change", "kernel_change")
    if args.model == "fc":
        from ...studies.width import fc_width_study

        out = fc_width_study(args.convention, depth, args.bias, widths, seeds, args.points, args.dim,
                             args.seed, args.activation, device, progress)
        return out, ("rel_error", "ci")
    from ...studies.width import gnn_width_study

    out = gnn_width_study(None, depth, args.mlp_layers, args.scale, args.readout, args.level, widths, seeds,
                          args.seed, device, progress)
    return out, ("rel_error", "ci")


def _table(out: dict, keys: tuple[str, ...], seeds: int, seed: int) -> str:
    lines = ["width  " + "  ".join(f"{k:>14}" for k in keys)]
    for i, m in enumerate(out["widths"]):
        lines.append(f"{m:5d}  " + "  ".join(f"{out[k][i]:14.6g}" for k in keys))
    if "slope" in out:
        lines.append(f"fitted slope {out['slope']:.3f} ± {out['slope_stderr']:.3f} (theory -0.5); "
                     f"seeds {seeds}, seed {seed}")
    else:
        lines += [f"{k} slope {out[k + '_slope']:.3f}" for k in keys]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from ...device import resolve_device
    from ...result import jsonable
    from .. import progress_printer, wants_progress

    widths, seeds, depth = _options(args)
    device = resolve_device(args.device)
    out, keys = _study(args, widths, seeds, depth, device, progress_printer(wants_progress(args)))
    if args.json:
        sys.stdout.write(json.dumps(jsonable(out)) + "\n")
    else:
        sys.stdout.write(_table(out, keys, seeds, args.seed))
    return 0
