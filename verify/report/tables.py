"""Text tables of the studies (what ``verify experiment NAME`` prints without ``--json``).

Each table is assembled from named sections, one function per part of the study's result.
"""
from __future__ import annotations

from ..studies.shift_operators import OP_LABELS

__all__ = ["gd_gap_table", "shift_operators_table"]


def _fmt(v) -> str:
    """A number to 4 significant digits; None as "-"."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _gd_gap_main(res: dict) -> list[str]:
    """Settings, the main instance's gaps per η, fitted orders and the reference error."""
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
    return out


def _gd_gap_variants(res: dict) -> list[str]:
    """The arXiv 2501.14440 variant and the long-time runs."""
    out: list[str] = []
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
    return out


def _gd_gap_bound(res: dict) -> list[str]:
    """The proof's bound along GD iterates and along the flow."""
    out: list[str] = []
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
    return out


def _gd_gap_search(res: dict) -> list[str]:
    """The search for violations of the bound under GD."""
    out: list[str] = []
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
    return out


def _gd_gap_identity(res: dict) -> list[str]:
    """The exact one-step identity, the command that reproduces the run, the total time."""
    out: list[str] = []
    out.append(
        "exact identity D' - D = eta^2 (G'G - GG'): "
        + ", ".join(f"{'exact 0' if i['exact_zero'] else 'NONZERO'}" for i in res["exact_identity"])
        + "; false variant (eta^1) nonzero: "
        + str(all(i["false_variant_nonzero"] for i in res["exact_identity"]))
    )
    out.append(f"reproduce: {res['reproduce']}")
    out.append(f"total {res['seconds']:.1f} s")
    return out


def gd_gap_table(res: dict) -> str:
    """The gd-gap study (:mod:`verify.studies.gd_gap`) as text."""
    sections = (_gd_gap_main, _gd_gap_variants, _gd_gap_bound, _gd_gap_search, _gd_gap_identity)
    return "\n".join(line for section in sections for line in section(res))


def shift_operators_table(res: dict) -> str:
    """The shift-operator study (:mod:`verify.studies.shift_operators`) as text."""
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
