"""verify experiment lazy-training: wide nets trained by GD against kernel GD, and how far things move.

Same study as ``verify experiment ntk-width --lazy`` (see :mod:`verify.studies.lazy_training`): a fully
connected net (jacot or arora) trained by full-batch GD on (s/2)||f − Y||² (s named by
``--normalisation``: jacot 1/N, neural-tangents 1/(N·outputs), arora 1), compared along the
trajectory with the discrete-time kernel closed form (analytic kernel, and the empirical kernel at
initialisation), plus ||θ_K − θ₀||/||θ₀|| and ||Θ_m(θ_K) − Θ_m(θ₀)||/||Θ_m(θ₀)|| against width.
"""
from __future__ import annotations

import argparse

from . import ntk_width

NAME = "lazy-training"
HELP = "GD on wide nets vs kernel GD: prediction gaps, weight and kernel movement vs width"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="small settings (seconds)")
    parser.add_argument("--convention", default="arora", help="jacot | arora (default arora)")
    parser.add_argument(
        "--depth", type=int, default=1, help="jacot: weight layers; arora: hidden layers (default 1)"
    )
    parser.add_argument(
        "--widths", default=None, help="comma-separated increasing widths (default 64,256,1024,4096)"
    )
    parser.add_argument("--seeds", type=int, default=None, help="networks per width (default 3; --quick 2)")
    parser.add_argument("--steps", type=int, default=100, help="GD steps (default 100)")
    parser.add_argument(
        "--normalisation", default="jacot", help="jacot (1/N) | neural-tangents | arora (none)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of points and networks (default 0)")
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda (default auto)")
    parser.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    parser.add_argument("--progress", action="store_true", help="show progress on stderr even with --json")


def run(args: argparse.Namespace) -> int:
    ns = argparse.Namespace(**vars(args))
    ns.lazy = True
    ns.model = "fc"
    ns.bias = 0.0
    ns.activation = "relu"
    ns.points, ns.dim = 8, 3
    ns.mlp_layers, ns.scale, ns.readout, ns.level = 1, "uniform", "sum", "graph"
    if ns.widths is None:
        ns.widths = "64,256,1024" if args.quick else "64,256,1024,4096"
    if ns.seeds is None:
        ns.seeds = 2 if args.quick else 3
    return ntk_width.run(ns)
