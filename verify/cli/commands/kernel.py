"""verify kernel ntk|gntk: analytic NNGP/NTK Gram matrices of points, GNTK Gram matrices of graphs.

  verify kernel ntk --convention {jacot,arora} --depth L [--bias B] [--activation relu]
                    --points FILE [--dps D] --json
      FILE: JSON {"x": [[...], ...]} (rows are points).  Prints {"nngp": [[...]], "ntk": [[...]], ...}.
      --dps D uses the mpmath path at D digits (small inputs) instead of float64.
  verify kernel gntk --graphs FILE --blocks L --mlp-layers R --scale {uniform,degree}
                     --readout {sum,jk} --convention {paper,official} [--level {graph,node}] --json
      FILE: JSON {"graphs": [{"adjacency": [[0,1],[1,0]], "features": [[1.0],[1.0]]}, ...]}.
      Prints {"gram": [[...]], ...}.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...config import check_dps
from ...errors import InputError
from ...result import jsonable

NAME = "kernel"
HELP = "analytic kernels: NNGP/NTK of fully connected nets (ntk), graph NTK (gntk)"


def read_json_file(path: str, what: str) -> Any:
    """Parse a JSON file; NaN/Infinity literals are refused.  Errors name the file (and line)."""
    def no_const(token: str):
        raise InputError(f"{what} contains {token}, which is not a number", where=path)

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what}: {exc}", where=path) from None
    try:
        return json.loads(text, parse_constant=no_const)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", where=f"{path}:{exc.lineno}") from None


def read_points(path: str) -> np.ndarray:
    data = read_json_file(path, "points file")
    if not isinstance(data, dict) or "x" not in data:
        raise InputError("expected a JSON object with key 'x' (a list of points)", where=path)
    x = data["x"]
    if not isinstance(x, list) or not x or not all(isinstance(r, list) for r in x):
        raise InputError("'x' must be a non-empty list of points (lists of numbers)", where=path)
    widths = {len(r) for r in x}
    if len(widths) != 1 or 0 in widths:
        raise InputError(f"points have different or zero lengths {sorted(widths)}", where=path)
    for i, row in enumerate(x):
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InputError(f"point {i} has a non-number {v!r}", where=path)
            if not math.isfinite(v):
                raise InputError(f"point {i} has a non-finite coordinate", where=path)
    return np.asarray(x, dtype=np.float64)


def _nonneg_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def add_gntk_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--blocks", type=_nonneg_int, required=True, help="number L of BLOCKs (aggregate + MLP), >= 1"
    )
    p.add_argument("--mlp-layers", type=_nonneg_int, required=True, help="ReLU layers R per block, >= 0")
    p.add_argument("--scale", choices=["uniform", "degree"], required=True)
    p.add_argument("--readout", choices=["sum", "jk"], required=True)
    p.add_argument("--convention", choices=["paper", "official"], required=True,
                   help="paper: Du et al.'s Θ; official: the official code's value (2x)")
    p.add_argument("--chunk-size", type=_nonneg_int, default=None,
                   help="max distinct node colours per chunk (memory ~ chunk_size² floats)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kernel", metavar="KERNEL", parser_class=type(parser))
    sub.required = True
    p = sub.add_parser("ntk", help="NNGP and NTK Gram matrices of points (rows of x)")
    p.add_argument("--convention", choices=["jacot", "arora"], required=True)
    p.add_argument("--depth", type=_nonneg_int, required=True,
                   help="jacot: Jacot's L >= 1 (L = 1 linear); arora: hidden layers L >= 0")
    p.add_argument("--bias", type=float, default=0.0, help="bias scale β (adds β² to every Σ)")
    p.add_argument(
        "--activation", default="relu", help="relu (default), erf, identity, or an expression in z"
    )
    p.add_argument("--points", required=True, help="JSON file {\"x\": [[...], ...]}")
    p.add_argument("--points2", default=None, metavar="FILE",
                   help="second point set {\"x\": ...}: cross kernels K(x, x2) (N x M), e.g. train x test")
    p.add_argument("--dps", type=_nonneg_int, default=None, help="use the mpmath path at this many digits")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(_kernel_run=run_ntk)
    g = sub.add_parser("gntk", help="GNTK Gram matrix of graphs given in a JSON file")
    g.add_argument(
        "--graphs", required=True, help='JSON file {"graphs": [{"adjacency": ..., "features": ...}]}'
    )
    add_gntk_options(g)
    g.add_argument("--level", choices=["graph", "node"], default="graph")
    g.add_argument("--graphs2", default=None, metavar="FILE",
                   help="second set of graphs (same format): cross kernel K(graphs, graphs2)")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(_kernel_run=run_gntk)


def _emit(payload: dict, as_json: bool, summary: str) -> None:
    if as_json:
        print(json.dumps(jsonable(payload)))
    else:
        print(summary)


def _digits_table(rows: list[list[str]]) -> str:
    """A matrix of decimal strings, one row a line, columns aligned (every digit kept)."""
    width = max(len(v) for r in rows for v in r)
    return "\n  " + "\n  ".join("  ".join(v.rjust(width) for v in r) for r in rows)


def run_ntk(args: argparse.Namespace) -> int:
    from ...kernels.ntk import ntk_gram, ntk_gram_mp

    x = read_points(args.points)
    x2 = read_points(args.points2) if args.points2 is not None else None
    if x2 is not None and x2.shape[1] != x.shape[1]:
        raise InputError(
            f"--points2 has points of dimension {x2.shape[1]}, --points of dimension {x.shape[1]}"
        )
    if x2 is not None and args.dps is not None:
        raise InputError("--points2 (cross kernels) is computed in float64: drop --dps")
    if not math.isfinite(args.bias):
        raise InputError("--bias must be finite")
    t0 = time.perf_counter()
    if args.dps is not None:
        check_dps(args.dps)
        import mpmath

        nngp_mp, ntk_mp = ntk_gram_mp(x, args.depth, args.convention, args.bias, args.activation, args.dps)
        nngp = [[float(v) for v in r] for r in nngp_mp]
        ntk = [[float(v) for v in r] for r in ntk_mp]
        extra = {"nngp_digits": [[mpmath.nstr(v, args.dps) for v in r] for r in nngp_mp],
                 "ntk_digits": [[mpmath.nstr(v, args.dps) for v in r] for r in ntk_mp]}
        engine = f"mpmath ({args.dps} digits)"
    else:
        nngp, ntk = ntk_gram(x, args.depth, args.convention, args.bias, args.activation, x2=x2)
        nngp, ntk, extra, engine = nngp.tolist(), ntk.tolist(), {}, "float64 (numpy, stable angles)"
    payload = {"nngp": nngp, "ntk": ntk, "convention": args.convention, "depth": args.depth,
               "bias": args.bias, "activation": args.activation, "n_points": int(x.shape[0]),
               "input_dim": int(x.shape[1]), "engine": engine,
               **({"n_points2": int(x2.shape[0]), "cross": True} if x2 is not None else {}),
               "seconds": round(time.perf_counter() - t0, 6), **extra}
    if args.dps is not None:
        table = (f"nngp = {_digits_table(extra['nngp_digits'])}\n"
                 f"ntk = {_digits_table(extra['ntk_digits'])}")
    else:
        table = (f"nngp = {np.array2string(np.asarray(nngp), precision=6)}\n"
                 f"ntk = {np.array2string(np.asarray(ntk), precision=6)}")
    m = x.shape[0] if x2 is None else x2.shape[0]
    what = "Gram" if x2 is None else "cross kernels K(x, x2)"
    _emit(
        payload,
        args.json,
        f"{args.convention} depth {args.depth}: NNGP and NTK {what} {x.shape[0]}x{m}\n" + table,
    )
    return 0


def run_gntk(args: argparse.Namespace) -> int:
    from ...graphs import graphs_from_json
    from ...kernels.gntk import gntk_gram

    graphs = graphs_from_json(read_json_file(args.graphs, "graphs file"), where=args.graphs)
    graphs2 = (graphs_from_json(read_json_file(args.graphs2, "graphs file"), where=args.graphs2)
               if args.graphs2 is not None else None)
    t0 = time.perf_counter()
    if graphs2 is None:
        gram = gntk_gram(graphs, args.blocks, args.mlp_layers, args.scale, args.readout, args.convention,
                         args.level, args.chunk_size)
    else:
        from ...kernels.cross import gntk_cross_gram

        gram = gntk_cross_gram(graphs, graphs2, args.blocks, args.mlp_layers, args.scale, args.readout,
                               args.convention, args.level, args.chunk_size)
    payload = {
        "gram": gram.tolist(),
        "blocks": args.blocks,
        "mlp_layers": args.mlp_layers,
        "scale": args.scale,
        "readout": args.readout,
        "convention": args.convention,
        "level": args.level,
        "n_graphs": len(graphs),
        **({"n_graphs2": len(graphs2), "cross": True} if graphs2 else {}),
        "shape": list(gram.shape),
        "seconds": round(time.perf_counter() - t0, 6),
    }
    if args.level == "node":
        payload["note"] = (
            "node-level GNTK (arXiv 2309.07452): the graph-level recursion without the readout "
            "sum; exact form reconstructed, rows/columns are the nodes of all graphs in order"
        )
    _emit(payload, args.json, f"GNTK ({args.level} level) Gram {gram.shape[0]}x{gram.shape[1]}\n"
          f"{np.array2string(gram, precision=6)}")
    return 0


def run(args: argparse.Namespace) -> int:
    return args._kernel_run(args)
