"""verify experiment gd-gap: gradient descent vs gradient flow on the linear GNN of Xu et al.

Measures, for η = T/2^j, the parameter / train-prediction / test-prediction / excess-loss gaps
between GD and the reference flow, their observed orders in η (≈ 1), the residuals of the
first-order predictions (modified flow and variational equation; order ≈ 2), an underdetermined
configuration (|I| < m_x) where the test-node gap survives at long times, the proof's bound
evaluated along GD iterates (with a search for violations), and the exact one-step identity for
the balancedness matrices.  Every setting and seed is printed; rerunning with them reproduces
the numbers.
"""
from __future__ import annotations

import argparse
import io
import math
import time

import numpy as np

from ...config import check_dps
from ...errors import InputError

NAME = "gd-gap"
HELP = "gradient descent vs gradient flow: gaps, orders in eta, first-order predictions, GD bound"

_FULL = {"T": 5.0, "j": (7, 12), "T_long": 40.0, "etas_long": (0.04, 0.02, 0.01), "bound_seeds": 6,
         "reference": "taylor"}
_QUICK = {"T": 2.0, "j": (4, 7), "T_long": 12.0, "etas_long": (0.04, 0.02), "bound_seeds": 2,
          "reference": "dop853"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--seed", type=int, default=1, help="problem seed (default 1: MATH.md's instance)")
    parser.add_argument("--instance", default="math_md",
                        help="math_md: instance and weights from one stream default_rng(seed) (models.make_problem; "
                             "seed 1 = MATH.md's instance) | split: make_instance(seed), init_weights(seed + 1)")
    parser.add_argument("--device", default="cpu", help="cpu | cuda | auto (default cpu)")
    parser.add_argument("--T", type=float, default=None, help="time horizon (default 5; --quick: 2)")
    parser.add_argument("--etas", default=None,
                        help="comma-separated step sizes dividing T (default T/2^j, j=7..12; --quick: 4..7)")
    parser.add_argument("--quick", action="store_true", help="small settings (a few seconds)")
    parser.add_argument("--reference", default=None,
                        help="dop853 | taylor (mpmath Taylor series; default taylor, --quick: dop853)")
    parser.add_argument("--dps", type=int, default=30, help="mpmath digits for --reference taylor (default 30)")
    parser.add_argument("--bound-seeds", type=int, default=None,
                        help="instances in the bound-violation search (default 6; --quick: 2)")
    parser.add_argument("--plot", default=None, metavar="DIR", help="also write PNG figures to DIR")
    parser.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")


def _parse_settings(args) -> dict:
    base = _QUICK if args.quick else _FULL
    if args.seed < 0:
        raise InputError(f"--seed must be a non-negative integer (got {args.seed})")
    if args.instance not in ("math_md", "split"):
        raise InputError(f"--instance must be math_md or split (got {args.instance!r})")
    T = base["T"] if args.T is None else args.T
    if not (isinstance(T, float) and math.isfinite(T) and T > 0):
        raise InputError(f"--T must be a positive finite number (got {T})")
    if args.etas is None:
        etas = [T / 2 ** j for j in range(base["j"][0], base["j"][1] + 1)]
    else:
        try:
            etas = [float(x) for x in args.etas.split(",") if x.strip()]
        except ValueError:
            raise InputError(f"--etas must be comma-separated numbers (got {args.etas!r})") from None
        if not etas:
            raise InputError("--etas is empty")
        for e in etas:
            if not (math.isfinite(e) and e > 0):
                raise InputError(f"--etas: every step size must be > 0 and finite (got {e})")
        if len(set(etas)) < 2:
            raise InputError("--etas needs at least two different step sizes to measure an order")
    from ...dynamics.gd import resolve_device, steps_for

    emax = max(etas)
    for e in etas:
        steps_for(T, e, "T")
        steps_for(emax, e, "the largest eta")
    device = resolve_device(args.device)
    reference = args.reference or base["reference"]
    if reference not in ("dop853", "taylor"):
        raise InputError(f"--reference must be dop853 or taylor (got {reference!r})")
    check_dps(args.dps)
    nb = base["bound_seeds"] if args.bound_seeds is None else args.bound_seeds
    if nb < 0 or nb > 200:
        raise InputError(f"--bound-seeds must lie in [0, 200] (got {nb})")
    return {"seed": args.seed, "instance": args.instance,
            "init_seed": args.seed + 1 if args.instance == "split" else "same stream as the instance", "T": T, "etas": sorted(etas, reverse=True),
            "device_requested": args.device, "device": device, "reference": reference, "dps": args.dps,
            "quick": bool(args.quick), "bound_seeds": nb, "T_long": base["T_long"],
            "etas_long": list(base["etas_long"])}


def compute(settings: dict, progress=None) -> dict:
    """All measurements for the given settings (JSON-friendly dict)."""
    from ...dynamics import bound as B
    from ...dynamics import gap as GP
    from ...dynamics import models as M

    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    s = settings
    def problem(**kw):
        if s["instance"] == "math_md":
            return M.make_problem(s["seed"], **kw)
        inst_ = M.make_instance(s["seed"], **kw)
        return inst_, M.init_weights(inst_, s["seed"] + 1)

    inst, Ws0 = problem()
    say(f"gd-gap: main instance seed {s['seed']} ({inst.n_params} parameters)")
    main = GP.gap_study(inst, Ws0, s["T"], s["etas"], device=s["device"], reference=s["reference"],
                        dps=s["dps"], progress=progress)
    # the H+1-layer variant of arXiv 2501.14440: prefactor kappa = 1/2 and W_1(0) = 0
    say("gd-gap: arXiv 2501.14440 variant (kappa = 1/2, W_1(0) = 0)")
    inst_v, Ws_v = problem(kappa=0.5)
    Ws_v = [np.zeros_like(Ws_v[0])] + list(Ws_v[1:])
    variant = GP.gap_study(inst_v, Ws_v, s["T"], s["etas"], device=s["device"], progress=progress)
    # long-time test-node gap: underdetermined (|I| = 2 < m_x = 3) vs the main shape
    say("gd-gap: long-time runs (underdetermined and determined)")
    inst_u, Ws_u = problem(n_train=2)
    under = GP.gap_study(inst_u, Ws_u, s["T_long"], s["etas_long"], device=s["device"],
                         predictions=False, progress=progress)
    det = GP.gap_study(inst, Ws0, s["T_long"], s["etas_long"], device=s["device"],
                       predictions=False, progress=progress)
    # the proof's bound along GD iterates
    say("gd-gap: bound along GD iterates")
    br = B.bound_ratios(inst, Ws0, s["etas"], [int(round(s["T"] / e)) for e in s["etas"]])
    bound_main = {"sigma2": br["sigma2"], "per_eta": br["per_eta"],
                  "rate_4_lambda_sigma2": [4 * r["lambda_run_final"] * br["sigma2"] for r in br["per_eta"]]}
    from ...dynamics import flow as FL

    t_fl = np.linspace(0.0, s["T"], 201)
    th_fl = FL.flow_dop853(inst, Ws0, t_fl)
    bf = B.flow_bound_ratios(inst, th_fl, t_fl)
    ex_fl = [float(M.excess_loss(inst, M.unpack(x, inst.shapes))) for x in th_fl[-41:]]
    bf["observed_rate_last_fifth"] = -math.log(ex_fl[-1] / ex_fl[0]) / (t_fl[-1] - t_fl[-41])
    bf["observed_over_proved_rate"] = bf["observed_rate_last_fifth"] / bf["rate"] if bf["rate"] > 0 else None
    bf.pop("ratios")
    bound_main["flow"] = bf
    search = B.bound_search(range(s["seed"], s["seed"] + s["bound_seeds"]), T=s["T"],
                            progress=progress) if s["bound_seeds"] else None
    if search and search["n_fail"]:
        search.update(B.classify_failures(search))
        worst = max((r for r in search["rows"] if not r["holds"] and not r["diverged"]),
                    key=lambda r: r["max_ratio"], default=None)
        if worst is not None and worst["argmax_step"] <= 200:
            instf = M.make_instance(worst["seed"])
            Wf = M.init_weights(instf, worst["seed"] + 1000)
            mp = B.bound_ratios_mp(instf, Wf, worst["eta"], worst["argmax_step"], dps=40)
            search["worst_failure_recheck_mp40"] = {"seed": worst["seed"], "eta": worst["eta"],
                                                    "step": worst["argmax_step"],
                                                    "ratio_float64": worst["max_ratio"],
                                                    "ratio_mp40": float(mp[-1])}
    ident = [B.exact_identity_check(s["seed"] + i) for i in range(3)]
    ident += [B.exact_identity_check(s["seed"] + 10, widths=(2, 3, 2, 3, 2), n_train=4)]
    return {"experiment": NAME, "settings": s,
            "reproduce": _command_line(s), "main": main, "variant_2501_14440": variant,
            "long_time": {"underdetermined": under, "determined": det},
            "bound_gd": bound_main, "bound_search": search, "exact_identity": ident,
            "seconds": time.perf_counter() - t0}


def _command_line(s: dict) -> str:
    etas = ",".join(repr(e) for e in s["etas"])
    cmd = (f"verify experiment gd-gap --seed {s['seed']} --instance {s['instance']} --T {s['T']!r} --etas {etas} "
           f"--reference {s['reference']} --dps {s['dps']} --bound-seeds {s['bound_seeds']} "
           f"--device {s['device_requested']}")
    return cmd + (" --quick" if s["quick"] else "")


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def render_table(res: dict) -> str:
    m = res["main"]
    s = res["settings"]
    out = [f"gd-gap  seed={s['seed']} instance={s['instance']} init_seed={s['init_seed']} T={s['T']} device={s['device']} "
           f"reference={s['reference']} quick={s['quick']}",
           f"instance: {m['instance']}",
           f"sharpness(θ0)={m['sharpness_init']:.4g}  2/sharpness={m['stability_limit_2_over_sharpness']:.4g}  "
           f"L0={m['L0']:.6g}  L*={m['L_star']:.6g}",
           "eta        param_gap  train_gap  test_gap   excess_gap mod_resid  var_resid"]
    for r in m["rows"]:
        out.append(" ".join(f"{_fmt(r.get(k)):<10}" for k in
                            ("eta", "param_gap_T", "train_gap_T", "test_gap_T", "excess_gap_T",
                             "modified_residual_T", "variational_residual_T")))
    out.append("fitted orders: " + ", ".join(f"{k}={_fmt(v)}" for k, v in m["fitted_orders"].items()))
    out.append("local orders (param gap): " + ", ".join(_fmt(v) for v in m["orders"]["param_gap_T"]))
    out.append("constants at smallest eta: " + ", ".join(f"{k}={_fmt(v)}" for k, v in m["constants_at_smallest_eta"].items()))
    ref = m["reference"]
    out.append(f"reference: {ref['method']} theta error estimate {ref['error_estimate']:.3g} ({ref['seconds']:.2f} s)"
               + (f", DOP853 vs Taylor {ref['dop853_vs_taylor_max_abs']:.3g}" if "dop853_vs_taylor_max_abs" in ref else "")
               + f"; smallest measured {m['smallest_measured']:.3g}; smallest margin (gap / its reference error) "
               f"{m['reference_margin']:.3g}x")
    out.append("  margins by quantity: " + ", ".join(f"{k}={v:.3g}" for k, v in m["reference_margin_by_key"].items()))
    if "dop853_fast_path_error_by_key" in ref:
        out.append("  DOP853 fast path, measured error of each gap: " + ", ".join(
            f"{k}={v:.2g}" for k, v in ref["dop853_fast_path_error_by_key"].items()))
    v = res["variant_2501_14440"]
    out.append("arXiv 2501.14440 variant (kappa=1/2, W_1(0)=0): fitted orders "
               + ", ".join(f"{k}={_fmt(x)}" for k, x in v["fitted_orders"].items())
               + "; " + ", ".join(f"{k}={_fmt(x)}" for k, x in v["constants_at_smallest_eta"].items()))
    for name, g in res["long_time"].items():
        r = g["rows"][-1]
        out.append(f"long time T={g['T']} {name} (|I|={len(g['instance']['train'])}): test gap/eta = "
                   + ", ".join(f"{_fmt(x['test_gap_T'] / x['eta'])} (eta {x['eta']})" for x in g["rows"])
                   + f"; excess loss of flow at T {_fmt(r['excess_flow_T'])}; test gap / reference error "
                   f"{g['reference_margin_by_key']['test_gap_T']:.2g}"
                   + (" (below 1000: not resolved)" if g["reference_margin_by_key"]["test_gap_T"] < 1000 else ""))
    b = res["bound_gd"]
    out.append(f"bound along GD (sigma^2={b['sigma2']:.4g}): " + ", ".join(
        f"eta {_fmt(x['eta'])}: max ratio {_fmt(x['max_ratio'])}" for x in b["per_eta"]))
    f = b["flow"]
    out.append(f"bound along the flow (201 times): max ratio {f['max_ratio']:.4g}, lambda_T {f['lambda_T']:.4g}, "
               f"rate 4*lambda*sigma^2 {f['rate']:.4g}, min pointwise slack {f['min_pointwise_slack']:.4g}, "
               f"observed rate {f['observed_rate_last_fifth']:.4g} ({_fmt(f['observed_over_proved_rate'])}x the proved one)")
    sr = res["bound_search"]
    if sr:
        ws = sr["worst_stable"]
        out.append(f"bound search: {sr['n_fail']}/{sr['n_runs']} runs violate it; smallest failing c=eta*sharpness0/2: "
                   f"{_fmt(sr['smallest_failing_c'])}; worst non-diverged run with c<1: ratio {_fmt(ws['max_ratio']) if ws else '-'}"
                   + (f" (seed {ws['seed']}, c {ws['c']})" if ws else ""))
        if "stable_failures" in sr:
            out.append(f"  failures where eta*sharpness/2 stayed < 1 before the violation: {sr['stable_failures']}")
        if "worst_failure_recheck_mp40" in sr:
            w = sr["worst_failure_recheck_mp40"]
            out.append(f"  worst failure re-checked at 40 digits: ratio {w['ratio_mp40']:.6g} (float64 {w['ratio_float64']:.6g})")
        if sr["worst_optimised"]:
            w = sr["worst_optimised"]
            out.append(f"  optimised over c in (0,1): worst ratio {w['max_ratio']:.4g} at seed {w['seed']} c {w['c']:.4g}")
    out.append("exact identity D' - D = eta^2 (G'G - GG'): " + ", ".join(
        f"{'exact 0' if i['exact_zero'] else 'NONZERO'}" for i in res["exact_identity"])
        + "; false variant (eta^1) nonzero: " + str(all(i["false_variant_nonzero"] for i in res["exact_identity"])))
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
    from .. import progress_printer
    from ..output import check_folder, emit

    settings = _parse_settings(args)
    check_folder(args.plot, "--plot")                 # before the computation, not after it
    progress = progress_printer(not args.no_progress)
    res = compute(settings, progress)
    return emit(res, as_json=args.json, table=render_table, plot_dir=args.plot, figures=_figures)
