"""verify experiment gd-gap: arguments, table and figures of :mod:`verify.studies.gd_gap`
(gradient descent vs gradient flow on the linear GNN of Xu et al.).

The study is imported when the command runs (the CLI starts without numpy/scipy/torch).
"""
from __future__ import annotations

import argparse
import io

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
    parser.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")


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


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def render_table(res: dict) -> str:
    m = res["main"]
    s = res["settings"]
    out = [
        f"gd-gap  seed={s['seed']} instance={s['instance']} init_seed={s['init_seed']} T={s['T']} "
        f"device={s['device']} "
        f"reference={s['reference']} quick={s['quick']}",
        f"instance: {m['instance']}",
        f"sharpness(θ0)={m['sharpness_init']:.4g}  2/sharpness={m['stability_limit_2_over_sharpness']:.4g}  "
        f"L0={m['L0']:.6g}  L*={m['L_star']:.6g}",
        "eta        param_gap  train_gap  test_gap   excess_gap mod_resid  var_resid",
    ]
    for r in m["rows"]:
        out.append(" ".join(f"{_fmt(r.get(k)):<10}" for k in
                            ("eta", "param_gap_T", "train_gap_T", "test_gap_T", "excess_gap_T",
                             "modified_residual_T", "variational_residual_T")))
    out.append("fitted orders: " + ", ".join(f"{k}={_fmt(v)}" for k, v in m["fitted_orders"].items()))
    out.append("local orders (param gap): " + ", ".join(_fmt(v) for v in m["orders"]["param_gap_T"]))
    out.append(
        "constants at smallest eta: "
        + ", ".join(f"{k}={_fmt(v)}" for k, v in m["constants_at_smallest_eta"].items())
    )
    ref = m["reference"]
    out.append(
        f"reference: {ref['method']} theta error estimate {ref['error_estimate']:.3g} ({ref['seconds']:.2f} "
        "s)"
        + (
            f", DOP853 vs Taylor {ref['dop853_vs_taylor_max_abs']:.3g}"
            if "dop853_vs_taylor_max_abs" in ref
            else ""
        )
        + f"; smallest measured {m['smallest_measured']:.3g}; smallest margin (gap / its reference error) "
        f"{m['reference_margin']:.3g}x"
    )
    out.append(
        "  margins by quantity: " + ", ".join(f"{k}={v:.3g}" for k, v in m["reference_margin_by_key"].items())
    )
    if "dop853_fast_path_error_by_key" in ref:
        out.append("  DOP853 fast path, measured error of each gap: " + ", ".join(
            f"{k}={v:.2g}" for k, v in ref["dop853_fast_path_error_by_key"].items()))
    v = res["variant_2501_14440"]
    out.append("arXiv 2501.14440 variant (kappa=1/2, W_1(0)=0): fitted orders "
               + ", ".join(f"{k}={_fmt(x)}" for k, x in v["fitted_orders"].items())
               + "; " + ", ".join(f"{k}={_fmt(x)}" for k, x in v["constants_at_smallest_eta"].items()))
    for name, g in res["long_time"].items():
        r = g["rows"][-1]
        out.append(
            f"long time T={g['T']} {name} (|I|={len(g['instance']['train'])}): test gap/eta = "
            + ", ".join(f"{_fmt(x['test_gap_T'] / x['eta'])} (eta {x['eta']})" for x in g["rows"])
            + f"; excess loss of flow at T {_fmt(r['excess_flow_T'])}; test gap / reference error "
            f"{g['reference_margin_by_key']['test_gap_T']:.2g}"
            + (" (below 1000: not resolved)" if g["reference_margin_by_key"]["test_gap_T"] < 1000 else "")
        )
    b = res["bound_gd"]
    out.append(f"bound along GD (sigma^2={b['sigma2']:.4g}): " + ", ".join(
        f"eta {_fmt(x['eta'])}: max ratio {_fmt(x['max_ratio'])}" for x in b["per_eta"]))
    f = b["flow"]
    out.append(
        f"bound along the flow (201 times): max ratio {f['max_ratio']:.4g}, lambda_T {f['lambda_T']:.4g}, "
        f"rate 4*lambda*sigma^2 {f['rate']:.4g}, min pointwise slack {f['min_pointwise_slack']:.4g}, "
        f"observed rate {f['observed_rate_last_fifth']:.4g} ({_fmt(f['observed_over_proved_rate'])}x the "
        "proved one)"
    )
    sr = res["bound_search"]
    if sr:
        ws = sr["worst_stable"]
        out.append(
            f"bound search: {sr['n_fail']}/{sr['n_runs']} runs violate it; smallest failing "
            "c=eta*sharpness0/2: "
            f"{_fmt(sr['smallest_failing_c'])}; worst non-diverged run with c<1: ratio "
            f"{_fmt(ws['max_ratio']) if ws else '-'}"
            + (f" (seed {ws['seed']}, c {ws['c']})" if ws else "")
        )
        if "stable_failures" in sr:
            out.append(
                f"  failures where eta*sharpness/2 stayed < 1 before the violation: {sr['stable_failures']}"
            )
        if "worst_failure_recheck_mp40" in sr:
            w = sr["worst_failure_recheck_mp40"]
            out.append(
                f"  worst failure re-checked at 40 digits: ratio {w['ratio_mp40']:.6g} (float64 "
                f"{w['ratio_float64']:.6g})"
            )
        if sr["worst_optimised"]:
            w = sr["worst_optimised"]
            out.append(
                f"  optimised over c in (0,1): worst ratio {w['max_ratio']:.4g} at seed {w['seed']} c "
                f"{w['c']:.4g}"
            )
    out.append(
        "exact identity D' - D = eta^2 (G'G - GG'): "
        + ", ".join(f"{'exact 0' if i['exact_zero'] else 'NONZERO'}" for i in res["exact_identity"])
        + "; false variant (eta^1) nonzero: "
        + str(all(i["false_variant_nonzero"] for i in res["exact_identity"]))
    )
    out.append(f"reproduce: {res['reproduce']}")
    out.append(f"total {res['seconds']:.1f} s")
    return "\n".join(out)


def _figures(res: dict) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = {}
    m = res["main"]
    etas = [r["eta"] for r in m["rows"]]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for k, lab in (("param_gap_T", "parameter gap"), ("test_gap_T", "test-node gap"),
                   ("modified_residual_T", "residual vs modified flow"),
                   ("variational_residual_T", "residual vs variational prediction")):
        ax.loglog(etas, [r[k] for r in m["rows"]], "o-", label=lab)
    ax.set_xlabel("step size eta")
    ax.set_ylabel(f"gap at T = {m['T']}")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    from matplotlib.ticker import NullFormatter

    ax.xaxis.set_minor_formatter(NullFormatter())
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    files["gd_gap_orders.png"] = buf.getvalue()
    return files


def run(args: argparse.Namespace) -> int:
    from ...studies import gd_gap as study
    from .. import progress_printer
    from ..output import check_folder, emit

    settings = _settings(args)
    check_folder(args.plot, "--plot")                 # before the computation, not after it
    progress = progress_printer(not args.no_progress)
    res = study.compute(settings, progress)
    return emit(res, as_json=args.json, table=render_table, plot_dir=args.plot, figures=_figures)
