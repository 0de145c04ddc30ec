"""verify experiment shift-operators: arguments, table and figures of :mod:`verify.studies.shift_operators`.

The study is imported when the command runs (the CLI starts without numpy/scipy/torch).
"""
from __future__ import annotations

import argparse

NAME = "shift-operators"
HELP = "convergence rate of the linear GNN vs graph density for four shift operators (arXiv 2501.14440)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--plot", default=None, metavar="DIR", help="also write PNG figures to DIR")
    parser.add_argument("--quick", action="store_true", help="reduced grid (CI; well under a minute)")
    parser.add_argument(
        "--seed", type=int, default=0, help="base seed (graphs, data, inits derive from it; default 0)"
    )
    parser.add_argument("--device", default="auto", help="cpu | cuda | auto (default auto)")
    parser.add_argument(
        "--steps", type=int, default=None, help="GD steps per run (default 1000; --quick: 300)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    parser.add_argument("--progress", action="store_true", help="show progress on stderr even with --json")


def _settings(args: argparse.Namespace) -> dict:
    from ...studies import shift_operators as study

    return study.settings(quick=args.quick, seed=args.seed, steps=args.steps, device=args.device)


def render_table(res: dict) -> str:
    from ...report.tables import shift_operators_table

    return shift_operators_table(res)


def _figures(res: dict) -> dict[str, bytes]:
    """Median rate per unit time (with the Theorem 3.1 rate) and per GD step, against ER p."""
    from ...report.figures import figure_files
    from ...result import Figure
    from ...studies.shift_operators import OP_LABELS

    ops = res["summary"]["operators"]
    per_time, per_step = [], []
    for o, d in ops.items():
        ps = [r["p"] for r in d["er"]]
        per_time.append((f"{OP_LABELS[o]} (measured)", ps, [r["rate_per_time"] for r in d["er"]]))
        per_time.append((f"{OP_LABELS[o]} (Theorem 3.1)", ps, [r["theory_rate_per_time"] for r in d["er"]]))
        per_step.append((OP_LABELS[o], ps, [r["rate_per_step"] for r in d["er"]]))
    return figure_files([
        Figure("shift_rate_per_time", "rate of L − L* per unit time (median; Theorem 3.1)",
               "Erdős–Rényi edge probability p", "rate of L − L* per unit time", per_time,
               logx=True, logy=True),
        Figure("shift_rate_per_step", "rate of L − L* per GD step (median)", "Erdős–Rényi edge probability p",
               "rate of L − L* per GD step (η = 1/λ_max(θ₀))", per_step, logx=True, logy=True),
    ])


def run(args: argparse.Namespace) -> int:
    from ...studies import shift_operators as study
    from .. import progress_printer, wants_progress
    from ..output import check_folder, emit

    st = _settings(args)
    check_folder(args.plot, "--plot")                 # before the computation, not after it
    progress = progress_printer(wants_progress(args))
    res = study.compute(st, progress)
    return emit(res, as_json=args.json, table=render_table, plot_dir=args.plot, figures=_figures)
