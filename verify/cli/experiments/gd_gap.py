"""verify experiment gd-gap: arguments, table and figures of :mod:`verify.studies.gd_gap`
(gradient descent vs gradient flow on the linear GNN of Xu et al.).

The study is imported when the command runs (the CLI starts without numpy/scipy/torch).
"""
from __future__ import annotations

import argparse

NAME = "gd-gap"
HELP = "gradient descent vs gradient flow: gaps, orders in eta, first-order predictions, GD bound"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--seed", type=int, default=1, help="problem seed (default 1: docs/math.md's instance)"
    )
    parser.add_argument(
        "--instance",
        default="math_md",
        help="math_md: instance and weights from one stream default_rng(seed) (models.make_problem; "
        "seed 1 = docs/math.md's instance) | split: make_instance(seed), init_weights(seed + 1)",
    )
    parser.add_argument("--device", default="cpu", help="cpu | cuda | auto (default cpu)")
    parser.add_argument("--T", type=float, default=None, help="time horizon (default 5; --quick: 2)")
    parser.add_argument("--etas", default=None,
                        help="comma-separated step sizes dividing T (default T/2^j, j=7..12; --quick: 4..7)")
    parser.add_argument("--quick", action="store_true", help="small settings (a few seconds)")
    parser.add_argument("--reference", default=None,
                        help="dop853 | taylor (mpmath Taylor series; default taylor, --quick: dop853)")
    parser.add_argument(
        "--dps", type=int, default=30, help="mpmath digits for --reference taylor (default 30)"
    )
    parser.add_argument("--bound-seeds", type=int, default=None,
                        help="instances in the bound-violation search (default 6; --quick: 2)")
    parser.add_argument("--plot", default=None, metavar="DIR", help="also write PNG figures to DIR")
    parser.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    parser.add_argument("--progress", action="store_true", help="show progress on stderr even with --json")


def _settings(args: argparse.Namespace) -> dict:
    from ...studies import gd_gap as study

    return study.settings(
        seed=args.seed,
        instance=args.instance,
        T=args.T,
        etas=args.etas,
        quick=args.quick,
        reference=args.reference,
        dps=args.dps,
        bound_seeds=args.bound_seeds,
        device=args.device,
    )


def render_table(res: dict) -> str:
    from ...report.tables import gd_gap_table

    return gd_gap_table(res)


def _figures(res: dict) -> dict[str, bytes]:
    from ...report.figures import figure_files
    from ...result import Figure

    m = res["main"]
    etas = [r["eta"] for r in m["rows"]]
    series = [(label, etas, [r[key] for r in m["rows"]]) for key, label in (
        ("param_gap_T", "parameter gap"), ("test_gap_T", "test-node gap"),
        ("modified_residual_T", "residual vs modified flow"),
        ("variational_residual_T", "residual vs variational prediction"))]
    lo = min(range(len(etas)), key=lambda i: etas[i])
    for key, power, label in (("param_gap_T", 1, r"$\propto\eta$ reference"),
                              ("modified_residual_T", 2, r"$\propto\eta^2$ reference")):
        y0 = m["rows"][lo][key]
        if y0 and y0 > 0:
            series.append((label, etas, [y0 * (e / etas[lo]) ** power for e in etas]))
    return figure_files(
        [
            Figure(
                "gd_gap_orders",
                r"GD vs gradient flow at $T$: gaps and first-order residuals "
                r"vs $\eta$ (dashed: slopes 1 and 2)",
                r"step size $\eta$",
                f"gap at T = {m['T']}",
                series,
                logx=True,
                logy=True,
            )
        ]
    )


def run(args: argparse.Namespace) -> int:
    from ...studies import gd_gap as study
    from .. import progress_printer, wants_progress
    from ..output import check_folder, emit

    settings = _settings(args)
    check_folder(args.plot, "--plot")                 # before the computation, not after it
    progress = progress_printer(wants_progress(args))
    res = study.compute(settings, progress)
    return emit(res, as_json=args.json, table=render_table, plot_dir=args.plot, figures=_figures)
