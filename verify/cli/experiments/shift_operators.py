"""verify experiment shift-operators: arguments, table and figures of :mod:`verify.studies.shift_operators`.

The study is imported when the command runs (the CLI starts without numpy/scipy/torch).
"""
from __future__ import annotations

import argparse
import io

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
    parser.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")


def _settings(args: argparse.Namespace) -> dict:
    from ...studies import shift_operators as study

    return study.settings(quick=args.quick, seed=args.seed, steps=args.steps, device=args.device)


def render_table(res: dict) -> str:
    from ...studies.shift_operators import OP_LABELS

    st = res["settings"]
    out = [
        f"shift-operators ({st['grid']} grid): n = {st['n']}, widths m_x={st['m_x']}, hidden={st['hidden']}, "
        f"m_y={st['m_y']}, |I| = {st['n_train']}, H = {st['H']}, kappa = {st['kappa']}, {st['steps']} GD "
        "steps, "
        f"{st['graph_seeds']} graph seed(s) x {st['init_seeds']} init seeds, device {st['device']}"
    ]
    ops = res["summary"]["operators"]
    out.append("median rate of L - L* per unit time (per step) [theory per unit time] over ER p:")
    out.append(f"{'p':>7} " + " ".join(f"{OP_LABELS[o]:>34}" for o in ops))
    for i, p in enumerate(st["er_p"]):
        cells = []
        for o in ops:
            r = ops[o]["er"][i]
            cells.append(
                f"{r['rate_per_time']:10.3g} ({r['rate_per_step']:7.3g}) [{r['theory_rate_per_time']:8.2g}]"
            )
        out.append(f"{p:7.4g} " + " ".join(f"{c:>34}" for c in cells))
    out.append(
        "log10 range over p, per time / per step / theory: "
        + "; ".join(
            f"{OP_LABELS[o]}: {ops[o]['log10_range_rate_per_time']:.2f} / "
            f"{ops[o]['log10_range_rate_per_step']:.2f} / "
            f"{ops[o]['log10_range_theory']:.2f}"
            for o in ops
        )
    )
    out.append(
        "SBM log10 range per time: "
        + "; ".join(f"{OP_LABELS[o]}: {ops[o]['sbm_log10_range_rate_per_time']:.2f}" for o in ops)
    )
    v = res["summary"]["verdict"]
    out.append(f"verdict: seed's claim {'REPRODUCES' if v['reproduces'] else 'does NOT reproduce'} "
               f"(A and D − A sensitive: {v['unnormalised_sensitive']}, normalised Laplacian consistent: "
               f"{v['normalized_laplacian_consistent']}; normalised adjacency consistent: "
               f"{v['normalized_adjacency_consistent']}; criterion: {v['criterion']})")
    out.append(f"reproduce: {res['reproduce']}")
    out.append(f"total {res['seconds']:.1f} s")
    return "\n".join(out)


def _figures(res: dict) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ...studies.shift_operators import OP_LABELS

    ops = res["summary"]["operators"]
    files = {}
    for key, ylabel, name in (
        ("rate_per_time", "rate of L − L* per unit time", "shift_rate_per_time.png"),
        ("rate_per_step", "rate of L − L* per GD step (η = 1/λ_max(θ₀))", "shift_rate_per_step.png"),
    ):
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for i, (o, d) in enumerate(ops.items()):
            ps = [r["p"] for r in d["er"]]
            line, = ax.loglog(ps, [r[key] for r in d["er"]], "o-", label=OP_LABELS[o])
            if key == "rate_per_time":
                ax.loglog(
                    ps, [r["theory_rate_per_time"] for r in d["er"]], "--", color=line.get_color(), alpha=0.6
                )
        ax.set_xlabel("Erdős–Rényi edge probability p")
        ax.set_ylabel(ylabel)
        ax.set_title(
            "solid: measured (median); dashed: Theorem 3.1 rate"
            if key == "rate_per_time"
            else "measured (median)"
        )
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        files[name] = buf.getvalue()
    return files


def run(args: argparse.Namespace) -> int:
    from ...studies import shift_operators as study
    from .. import progress_printer
    from ..output import check_folder, emit

    st = _settings(args)
    check_folder(args.plot, "--plot")                 # before the computation, not after it
    progress = progress_printer(not args.no_progress)
    res = study.compute(st, progress)
    return emit(res, as_json=args.json, table=render_table, plot_dir=args.plot, figures=_figures)
