"""Gradient-flow checks of ``linear-gnn-2501-14440``: conservation law, Theorem 3.1 along real
trajectories (W_1(0) = 0, rank-deficient Z), Xu et al.'s bound side by side, balancedness and
minimum energy (Theorem 4.2).

Conventions: factors W_ℓ (d_ℓ × d_{ℓ−1}), Z = (X S^H)_I, L = κ||W_{H+1}⋯W_1 Z − Y||_F²,
excess E = L − L* computed as κ||Ŷ − YΠ||_F² (Π: projector onto the row space of Z; no
cancellation).  σ_small = smallest non-zero singular value.
"""
from __future__ import annotations

import functools
import time
from fractions import Fraction

import numpy as np

from verify import CheckConfig, Counterexample, Figure, Result, Verdict
from verify.dynamics import models
from verify.result import jsonable

from . import model

HALVING_SCALES = (0.25, 1.0, 2.0, 4.0)
HALVING_SEEDS = 4
HALVING_T = 20.0          # horizon at scale ≤ 1; HALVING_T / s² above (the flow speeds up like s²)
RATE_SCALES = (1.0, 2.0)
KAPPAS = (1.0, 0.5)


def _f(x) -> float:
    return float(x)


# ---------------------------------------------------------------- model implementation, κ = 1, 1/2
def check_model_kappa(config: CheckConfig) -> Result:
    """verify.dynamics' loss and gradients for the 2501.14440 chain, exactly (Fractions + sympy):
    for κ ∈ {1, 1/2} and H ∈ {1, 2}, d/dε L(θ + εV)|₀ = Σ_ℓ ⟨∇_{W_ℓ}L, V_ℓ⟩ with the gradients of
    ``chain_grads`` and L = κ||W_{H+1}⋯W_1 Z − Y||² from ``chain_loss``."""
    import sympy as sp

    t0 = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    eps = sp.Symbol("eps")
    cases = []
    for kappa in (Fraction(1), Fraction(1, 2)):
        for hidden in ([3], [3, 2]):
            widths = [3] + hidden + [2]
            shapes = [(widths[i + 1], widths[i]) for i in range(len(widths) - 1)]

            def rat(shape):
                return np.vectorize(lambda v: Fraction(int(v), 7), otypes=[object])(rng.integers(-9, 10, shape))

            Ws = [rat(s) for s in shapes]
            Vs = [rat(s) for s in shapes]
            Z, Y = rat((3, 4)), rat((2, 4))
            g = models.chain_grads(Ws, Z, Y, kappa)
            directional = sum(sum((a * b).ravel()) for a, b in zip(g, Vs))
            Wsym = [sp.Matrix(W.tolist()) + eps * sp.Matrix(V.tolist()) for W, V in zip(Ws, Vs)]
            prod = Wsym[0]
            for W in Wsym[1:]:
                prod = W * prod
            R = prod * sp.Matrix(Z.tolist()) - sp.Matrix(Y.tolist())
            Ls = sp.Rational(kappa.numerator, kappa.denominator) * sum(x ** 2 for x in R)
            d0 = sp.diff(Ls, eps).subs(eps, 0)
            L0 = models.chain_loss(Ws, Z, Y, kappa)
            cases.append({"kappa": str(kappa), "widths": widths,
                          "loss_matches": sp.Rational(L0.numerator, L0.denominator) == Ls.subs(eps, 0),
                          "derivative_matches": sp.Rational(directional.numerator, directional.denominator) == d0,
                          "directional_derivative": str(directional)})
    ok = all(c["loss_matches"] and c["derivative_matches"] for c in cases)
    ev = {"engine": "exact rational arithmetic (fractions) vs sympy differentiation", "cases": cases,
          "seconds": round(time.perf_counter() - t0, 3)}
    if ok:
        return Result(Verdict.CERTIFIED, jsonable(ev), message=f"loss and gradient exact on {len(cases)} rational instances "
                                                     "(κ = 1 and 1/2, H = 1 and 2)")
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="implementation disagrees with the exact derivative")


# ---------------------------------------------------------------- conservation along a trajectory
def check_conservation_trajectory(config: CheckConfig) -> Result:
    """D_ℓ(t) = W_{ℓ+1}ᵀW_{ℓ+1} − W_ℓW_ℓᵀ along a 30-digit Taylor-series gradient flow from
    W_1(0) = 0: max_t ||D_ℓ(t) − D_ℓ(0)||_max must sit at the integrator's error level, while
    W_ℓW_ℓᵀ itself moves by O(1)."""
    import mpmath

    from verify.dynamics import flow_taylor

    t0 = time.perf_counter()
    dps = 30
    inst = models.make_instance(config.seed % 100000, n=7, m_x=3, hidden=[3, 2], m_y=1, H=2, n_train=4, kappa=0.5)
    Ws0 = model.zero_first_init(inst, config.seed % 1000 + 1, 1.0)
    times = [0.0, 0.5, 1.0, 1.5, 2.0]
    fr = flow_taylor(inst, Ws0, times, dps=dps)
    with mpmath.workdps(dps):
        D0 = models.balance_gaps(models.to_object(Ws0, "mpf"))
        drift, moved = [], []
        for th in fr.thetas_exact:
            Ws = models.unpack(th, inst.shapes)
            D = models.balance_gaps(Ws)
            drift.append(max(float(max(abs(x) for x in (a - b).ravel())) for a, b in zip(D, D0)))
            G1 = Ws[0] @ Ws[0].T
            moved.append(float(max(abs(x) for x in G1.ravel())))
    tol = fr.settings["tol"]
    ev = {"engine": f"Taylor-series gradient flow, python-flint balls at {dps} digits (verify.dynamics.flow_taylor)",
          "instance": inst.describe(), "init": "W_1(0) = 0, W_2, W_3 ~ N(0, 1/fan_in)", "times": times,
          "max_drift_per_time": drift, "max_drift": max(drift), "integrator_tol": tol,
          "integrator_error_estimate": fr.error_estimate, "taylor_steps": fr.steps,
          "W1W1T_max_entry_per_time": moved, "seconds": round(time.perf_counter() - t0, 3)}
    fig = Figure("conservation_drift", "Drift of W_{ℓ+1}ᵀW_{ℓ+1} − W_ℓW_ℓᵀ along the flow (30 digits)", "t",
                 "max |D(t) − D(0)|", [("drift (any ℓ)", times[1:], drift[1:]),
                                       ("max |W₁W₁ᵀ| (not conserved)", times[1:], moved[1:])], logy=True)
    msg = (f"max drift {max(drift):.2e} over t ≤ {times[-1]} (integrator tol {tol:.0e}, error estimate "
           f"{fr.error_estimate:.1e}); W₁W₁ᵀ grows from 0 to {moved[-1]:.3g}")
    if max(drift) <= 1e3 * max(tol, fr.error_estimate) and moved[-1] > 1e-3:
        return Result(Verdict.HOLDS_NUMERICALLY, jsonable(ev), message=msg, figures=[fig])
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="drift above the working precision: " + msg, figures=[fig])


# ---------------------------------------------------------------- Theorem 3.1 trajectories
@functools.lru_cache(maxsize=64)
def _trajectory(seed: int, kappa: float, scale: float, init_seed: int, T: float, n_out: int = 161):
    """Flow from W_1(0) = 0 on the rank-deficient instance: times, factors, excess losses."""
    inst = model.rank_deficient_instance(seed, kappa=kappa)
    Ws0 = model.zero_first_init(inst, init_seed, scale)
    ts = np.linspace(0.0, T, n_out)
    states = model.flow_states(inst, Ws0, ts)
    Pi = models.row_projector(np.asarray(inst.G, float))
    E = np.array([float(models.excess_loss(inst, W, Pi)) for W in states])
    return inst, Ws0, ts, states, E


def _ratios(Ws0, states) -> np.ndarray:
    """min over time of σ_min(W_ℓ(t)) / σ_min(W_ℓ(0)) for ℓ = 2..H+1, and the time series."""
    s0 = np.array([model.smin(W) for W in Ws0[1:]])
    return np.array([[model.smin(W) for W in Ws[1:]] for Ws in states]) / s0


def _horizon(scale: float) -> float:
    return HALVING_T / max(1.0, scale) ** 2


def _scan(config: CheckConfig):
    rows = []
    for scale in HALVING_SCALES:
        for s in range(HALVING_SEEDS):
            inst, Ws0, ts, states, E = _trajectory(config.seed, 1.0, scale, s, _horizon(scale), 81)
            r = _ratios(Ws0, states)
            j = int(np.argmin(r.min(axis=1)))
            rows.append({"scale": scale, "init_seed": s, "sigma_min_0": [model.smin(W) for W in Ws0[1:]],
                         "min_ratio_per_layer": r.min(axis=0).tolist(), "t_of_min": float(ts[j]),
                         "T": _horizon(scale), "excess_0": float(E[0]), "excess_T": float(E[-1])})
    return rows


def check_halving_large(config: CheckConfig) -> Result:
    """Along flows from W_1(0) = 0 with W_ℓ(0) ~ N(0, s²/fan_in), ℓ ≥ 2: for s at or above the
    smallest scale s* of the grid from which every tested seed keeps σ_min(W_ℓ(t)) ≥ σ_min(W_ℓ(0))/2
    at every sampled t ≤ T, the condition holds (and for ℓ = 2 the ratio never drops below 1:
    W_2ᵀW_2 = W_2(0)ᵀW_2(0) + W_1W_1ᵀ by the conservation law, so Weyl's inequality applies)."""
    t0 = time.perf_counter()
    rows = _scan(config)
    by_scale = {}
    for r in rows:
        by_scale.setdefault(r["scale"], []).append(min(r["min_ratio_per_layer"]))
    ok_scales = [s for s in HALVING_SCALES if min(by_scale[s]) >= 0.5]
    s_star = None
    for s in sorted(HALVING_SCALES, reverse=True):
        if s in ok_scales:
            s_star = s
        else:
            break
    layer2_min = min(r["min_ratio_per_layer"][0] for r in rows)
    ev = {"engine": "float64 DOP853 gradient flow (rtol 1e-10), sampled at 81 times",
          "instance": model.rank_deficient_instance(config.seed).describe(),
          "T_per_scale": {str(s): _horizon(s) for s in HALVING_SCALES},
          "scales": list(HALVING_SCALES), "init_seeds": list(range(HALVING_SEEDS)),
          "worst_ratio_per_scale": {str(s): min(v) for s, v in by_scale.items()},
          "smallest_safe_scale_on_grid": s_star,
          "sigma_min_W_at_safe_scale": ([r["sigma_min_0"] for r in rows if r["scale"] == s_star] if s_star else None),
          "layer2_min_ratio_all_runs": layer2_min, "runs": rows,
          "seconds": round(time.perf_counter() - t0, 3)}
    fig = Figure("halving_ratio_vs_scale", "min_t σ_min(W_ℓ(t))/σ_min(W_ℓ(0)) (worst ℓ ≥ 2) vs initial scale",
                 "initial scale s (W_ℓ(0) ~ N(0, s²/fan_in))", "worst ratio",
                 [(f"seed {k}", list(HALVING_SCALES), [min(r["min_ratio_per_layer"]) for r in rows if r["init_seed"] == k])
                  for k in range(HALVING_SEEDS)] + [("1/2 (required)", list(HALVING_SCALES), [0.5] * len(HALVING_SCALES))],
                 logx=True, logy=True)
    if s_star is None:
        return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="no scale on the grid keeps σ_min ≥ half on every seed",
                      figures=[fig])
    smins = [v for r in rows if r["scale"] == s_star for v in r["sigma_min_0"]]
    msg = (f"from scale s = {s_star} (σ_min(W_ℓ(0)) ∈ [{min(smins):.3f}, {max(smins):.3f}]) upward every run keeps "
           f"σ_min(W_ℓ(t)) ≥ σ_min(W_ℓ(0))/2 (worst ratio {min(by_scale[s_star]):.3f}); below it: "
           + ", ".join(f"s={s}: {min(by_scale[s]):.3f}" for s in HALVING_SCALES if s < s_star)
           + f"; layer 2 never shrinks (min ratio {layer2_min:.6f})")
    if layer2_min < 1 - 1e-6:
        return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="layer-2 ratio below 1 contradicts conservation: " + msg,
                      figures=[fig])
    return Result(Verdict.HOLDS_NUMERICALLY, jsonable(ev), message=msg, figures=[fig])


def check_halving_any(config: CheckConfig) -> Result:
    """'Any full-rank W_ℓ(0), ℓ ≥ 2, with W_1(0) = 0 keeps σ_min(W_ℓ(t)) ≥ σ_min(W_ℓ(0))/2':
    a run from the scan where the ratio falls below 1/2, confirmed by a second, tighter integration
    (DOP853 at rtol 1e-13 on a fine grid around the minimum)."""
    from verify.dynamics import flow_dop853

    t0 = time.perf_counter()
    rows = _scan(config)
    bad = sorted((r for r in rows if min(r["min_ratio_per_layer"]) < 0.5),
                 key=lambda r: min(r["min_ratio_per_layer"]))
    if not bad:
        return Result(Verdict.INCONCLUSIVE, jsonable({"engine": "float64 DOP853", "runs": rows}),
                      message="no run on the grid violates the halving condition")
    r = bad[0]
    inst, Ws0, ts, states, E = _trajectory(config.seed, 1.0, r["scale"], r["init_seed"], r["T"], 81)
    t_min = r["t_of_min"]
    th = flow_dop853(inst, Ws0, [0.0, t_min], rtol=1e-13, atol=1e-16)
    W_t = models.unpack(th[-1], inst.shapes)
    ratios = [model.smin(a) / model.smin(b) for a, b in zip(W_t[1:], Ws0[1:])]
    layer = int(np.argmin(ratios)) + 2
    ev = {"engine": "float64 DOP853 gradient flow, re-integrated at rtol 1e-13",
          "runs_violating": len(bad), "runs_total": len(rows),
          "violations": [{k: v[k] for k in ("scale", "init_seed", "min_ratio_per_layer", "t_of_min")} for v in bad],
          "seconds": round(time.perf_counter() - t0, 3)}
    if min(ratios) >= 0.5:
        return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="violation not confirmed by the tighter integration")
    cex = Counterexample(
        dims={"m_x": inst.widths[0], "d_1": inst.widths[1], "d_2": inst.widths[2], "m_y": inst.widths[3],
              "n_train": len(inst.train), "H": inst.H},
        values={"Z": np.asarray(inst.G, float).tolist(), "Y": np.asarray(inst.Y, float).tolist(),
                "kappa": float(inst.kappa), "t": t_min, **{f"W{i + 1}_0": W.tolist() for i, W in enumerate(Ws0)}},
        details={"layer": layer, "sigma_min_W_l_0": model.smin(Ws0[layer - 1]),
                 "sigma_min_W_l_t": model.smin(W_t[layer - 1]), "ratio": min(ratios),
                 "ratio_rtol_1e-10_run": min(r["min_ratio_per_layer"]), "scale": r["scale"],
                 "init_seed": r["init_seed"], "excess_0": float(E[0]), "excess_T": float(E[-1]), "T": r["T"]})
    msg = (f"scale {r['scale']} (init seed {r['init_seed']}): σ_min(W_{layer}(t)) falls to {min(ratios):.4f} × its initial "
           f"value at t = {t_min:.3g}; {len(bad)}/{len(rows)} scanned runs violate the condition; the loss still "
           f"decreases ({E[0]:.3g} → {E[-1]:.3g} at T = {r['T']})")
    return Result(Verdict.REFUTED, jsonable(ev), counterexample=cex, message=msg)


def check_rate_trajectory(config: CheckConfig) -> Result:
    """Theorem 3.1's bound E(t) ≤ exp(−(κ/4^{H−1}) σ²_small(Z) Π_{ℓ≥2} σ²_min(W_ℓ(0)) t) E(0) along
    flows from W_1(0) = 0 on the rank-deficient instance (κ = 1 and 1/2, scales where the halving
    condition held), with Xu et al.'s bound E(0)·exp(−4κ λ_T σ² t) on the same runs
    (λ_T = inf_t λ_min((W_H⋯W_1)ᵀ(W_H⋯W_1)), σ read as the smallest non-zero or the smallest
    singular value of Z)."""
    t0 = time.perf_counter()
    runs, figs, ok = [], [], True
    for kappa in KAPPAS:
        for scale in RATE_SCALES:
            inst0 = model.rank_deficient_instance(config.seed, kappa=kappa)
            Ws0 = model.zero_first_init(inst0, 0, scale)
            T = 20.0 / (kappa * scale ** 2)
            inst, Ws0, ts, states, E = _trajectory(config.seed, kappa, scale, 0, T)
            G = np.asarray(inst.G, float)
            sv = model.svals(G)
            sig_small = float(models.sigma_small(G))
            rate = model.theory_rate(inst, Ws0)
            bound = E[0] * np.exp(-rate * ts)
            ratio = _ratios(Ws0, states)
            lam = np.array([models.lambda_min_prefix(W) for W in states])
            lam_T = float(lam.min())
            xu_rate_small = 4 * kappa * lam_T * sig_small ** 2
            xu_rate_literal = 4 * kappa * lam_T * float(sv[-1]) ** 2
            floor = 1e-12 * E[0]          # float64 flow states (rtol 1e-10): E is reliable down to ~1e-14·E_0
            obs = model.fit_rate(ts, E, floor)
            holds = bool(np.all(E <= bound * (1 + 1e-8) + 1e-14 * E[0]))
            ok = ok and holds
            runs.append({"kappa": kappa, "scale": scale, "T": T, "sigma_small_Z": sig_small,
                         "singular_values_Z": sv.tolist(), "rank_Z": int(np.sum(sv > 1e-10 * sv[0])),
                         "L_star": float(models.optimal_loss(inst)),
                         "sigma_min_W_0": [model.smin(W) for W in Ws0[1:]],
                         "min_halving_ratio": float(ratio.min()), "theory_rate": rate,
                         "observed_rate": obs, "looseness_observed_over_theory": obs / rate,
                         "excess_0": float(E[0]), "excess_T": float(E[-1]),
                         "t_reach_1e-12_E0": (float(ts[np.argmax(E < floor)]) if np.any(E < floor) else None),
                         "bound_holds_at_all_samples": holds,
                         "max_E_over_bound": float(np.max(E / bound)),
                         "xu_lambda_T": lam_T, "xu_lambda_min_at_0": float(lam[0]),
                         "xu_rate_sigma_small": xu_rate_small, "xu_rate_sigma_literal": xu_rate_literal})
            if kappa == 1.0 and scale == RATE_SCALES[0]:
                figs.append(Figure("rate_vs_bounds", f"W₁(0) = 0, rank-deficient Z: L − L* vs the bounds (Thm 3.1 rate "
                                   f"{rate:.2g}, observed {obs:.3g})", "t", "L − L*",
                                   [("Xu et al. bound (λ_T = 0: constant)", ts.tolist(),
                                     (E[0] * np.exp(-xu_rate_small * ts)).tolist()),
                                    ("arXiv 2501.14440 Thm 3.1 bound", ts.tolist(), bound.tolist()),
                                    ("L(t) − L* (flow)", ts.tolist(), E.tolist())], logy=True))
    ev = {"engine": "float64 DOP853 gradient flow (rtol 1e-10), 161 samples per run",
          "instance_seed": config.seed, "init": "W_1(0) = 0, W_ℓ(0) ~ N(0, s²/fan_in), init seed 0", "runs": runs,
          "seconds": round(time.perf_counter() - t0, 3)}
    loose = [r["looseness_observed_over_theory"] for r in runs]
    msg = (f"bound holds on all {len(runs)} runs (κ ∈ {{1, 1/2}}, s ∈ {list(RATE_SCALES)}), rank Z = {runs[0]['rank_Z']} < "
           f"m_x = 4; E = L − L* falls from {runs[0]['excess_0']:.3g} below 1e-12·E₀ by t = {runs[0]['t_reach_1e-12_E0']:.3g} "
           f"(κ = 1, s = 1); observed/theory rate "
           f"{min(loose):.3g}–{max(loose):.3g}x; halving ratio min {min(r['min_halving_ratio'] for r in runs):.3f} "
           f"(the bound held even where the hypothesis did not); Xu et al.: λ_T = {max(r['xu_lambda_T'] for r in runs):.1e} "
           f"(W₁(0) = 0) and σ_min(Z) = {runs[0]['singular_values_Z'][-1]:.1e}, rate 0: vacuous")
    if ok and all(r["xu_lambda_T"] == 0.0 for r in runs):
        return Result(Verdict.HOLDS_NUMERICALLY, jsonable(ev), message=msg, figures=figs)
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="bound violated or Xu's λ_T not zero: " + msg, figures=figs)


# ---------------------------------------------------------------- balancedness, minimum energy
BAL_SIGMAS = (1.3, 0.9)
BAL_T = 25.0
UNBAL_T = 25.0


@functools.lru_cache(maxsize=8)
def _balanced_run(seed: int):
    inst = model.rank_deficient_instance(seed, kappa=0.5)
    Ws0 = model.balanced_init(inst, seed + 7, BAL_SIGMAS)
    ts = np.linspace(0.0, BAL_T, 61)
    states = model.flow_states(inst, Ws0, ts, rtol=1e-12)
    Pi = models.row_projector(np.asarray(inst.G, float))
    E = np.array([float(models.excess_loss(inst, W, Pi)) for W in states])
    return inst, Ws0, ts, states, E


def check_balanced_preserved(config: CheckConfig) -> Result:
    """Balanced start W_ℓ = U_ℓΣU_{ℓ−1}ᵀ: max_t ||W_ℓW_ℓᵀ − W_{ℓ+1}ᵀW_{ℓ+1}||_max stays at the
    integrator's error level (DOP853, rtol 1e-12) while the factors move by O(1)."""
    t0 = time.perf_counter()
    inst, Ws0, ts, states, E = _balanced_run(config.seed)
    gaps = [max(float(np.abs(D).max()) for D in models.balance_gaps(W)) for W in states]
    moved = max(float(np.abs(a - b).max()) for a, b in zip(states[-1], Ws0))
    ev = {"engine": "float64 DOP853 gradient flow (rtol 1e-12)", "instance": inst.describe(),
          "sigmas": list(BAL_SIGMAS), "T": BAL_T, "gap_0": gaps[0], "max_gap": max(gaps),
          "max_factor_change": moved, "excess_0": float(E[0]), "excess_T": float(E[-1]),
          "seconds": round(time.perf_counter() - t0, 3)}
    fig = Figure("balance_gap", "Balanced start: max |W_ℓW_ℓᵀ − W_{ℓ+1}ᵀW_{ℓ+1}| along the flow", "t", "gap",
                 [("balance gap", ts.tolist(), [max(g, 1e-18) for g in gaps])], logy=True)
    msg = f"gap {gaps[0]:.1e} at t = 0, max {max(gaps):.1e} up to T = {BAL_T}; factors moved by {moved:.3g}"
    if max(gaps) < 1e-8 and moved > 0.1:
        return Result(Verdict.HOLDS_NUMERICALLY, jsonable(ev), message=msg, figures=[fig])
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message=msg, figures=[fig])


def check_balanced_limit(config: CheckConfig) -> Result:
    """At convergence from the balanced start: σ_i(W_ℓ) = σ_i(W̃)^{1/(H+1)} for the non-zero
    singular values (i ≤ rank W̃) and every ℓ, and Σ_ℓ||W_ℓ||_F² = (H+1)Σ_iσ_i(W̃)^{2/(H+1)}."""
    t0 = time.perf_counter()
    inst, Ws0, ts, states, E = _balanced_run(config.seed)
    Wf = states[-1]
    Wt = models.chain_product(Wf)
    depth = len(Wf)
    sw = model.svals(Wt)
    r = int(np.sum(sw > 1e-10 * sw[0]))
    target = sw[:r] ** (1.0 / depth)
    sv_err = max(float(np.max(np.abs(model.svals(W)[:r] - target) / target)) for W in Wf)
    tail = max(float(model.svals(W)[r]) if model.svals(W).size > r else 0.0 for W in Wf)
    en, emin = model.energy(Wf), model.min_energy(Wt, depth)
    ev = {"engine": "float64 DOP853 gradient flow (rtol 1e-12)", "T": BAL_T, "excess_T": float(E[-1]),
          "excess_0": float(E[0]), "rank_W_tilde": r, "sigma_W_tilde": sw.tolist(),
          "sigma_W_l": [model.svals(W).tolist() for W in Wf], "max_rel_error_sigma": sv_err,
          "largest_extra_singular_value": tail, "energy": en, "min_energy": emin,
          "energy_rel_gap": (en - emin) / emin, "seconds": round(time.perf_counter() - t0, 3)}
    msg = (f"converged (L − L* = {E[-1]:.1e}); σ_i(W_ℓ) = σ_i(W̃)^(1/3) to {sv_err:.1e} relative; energy {en:.10g} "
           f"vs (H+1)Σσ^(2/3) = {emin:.10g} (relative gap {(en - emin) / emin:.1e})")
    if E[-1] < 1e-10 * E[0] and sv_err < 1e-7 and abs(en - emin) < 1e-7 * emin and tail < 1e-7:
        return Result(Verdict.HOLDS_NUMERICALLY, jsonable(ev), message=msg)
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message=msg)


def check_unbalanced_energy(config: CheckConfig) -> Result:
    """Unbalanced starts (W_1(0) = 0 with random W_2, W_3; and all factors random) converge in loss,
    to factors whose energy Σ||W_ℓ||² strictly exceeds the minimum (H+1)Σσ_i(W̃_∞)^{2/(H+1)} for
    the product W̃_∞ they reach."""
    t0 = time.perf_counter()
    out = []
    for label, zero_first in (("W1(0)=0", True), ("all random", False)):
        inst = model.rank_deficient_instance(config.seed, kappa=0.5)
        Ws0 = models.init_weights(inst, 3, zero_first=zero_first, scale=1.5)
        T = UNBAL_T
        ts = np.linspace(0.0, T, 31)
        states = model.flow_states(inst, Ws0, ts, rtol=1e-12)
        Pi = models.row_projector(np.asarray(inst.G, float))
        E = [float(models.excess_loss(inst, W, Pi)) for W in states]
        Wf = states[-1]
        en, emin = model.energy(Wf), model.min_energy(models.chain_product(Wf), len(Wf))
        imb = max(float(np.abs(D).max()) for D in models.balance_gaps(Ws0))
        out.append({"start": label, "excess_0": E[0], "excess_T": E[-1], "energy_T": en, "min_energy_T": emin,
                    "gap": en - emin, "rel_gap": (en - emin) / emin, "initial_imbalance_max": imb})
    ev = {"engine": "float64 DOP853 gradient flow (rtol 1e-12)", "T": UNBAL_T, "runs": out,
          "seconds": round(time.perf_counter() - t0, 3)}
    msg = "; ".join(f"{o['start']}: L − L* {o['excess_0']:.3g} → {o['excess_T']:.1e}, energy {o['energy_T']:.6g} > "
                    f"minimum {o['min_energy_T']:.6g} (+{100 * o['rel_gap']:.1f}%)" for o in out)
    if all(o["excess_T"] < 1e-10 * o["excess_0"] and o["rel_gap"] > 1e-3 for o in out):
        return Result(Verdict.HOLDS_NUMERICALLY, jsonable(ev), message=msg)
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message=msg)


def check_zero_first_excludes_balanced(config: CheckConfig) -> Result:
    """W_1 = 0 and balancedness force W_ℓ = 0 for every ℓ (sympy: the diagonal of W_2ᵀW_2 = W_1W_1ᵀ = 0
    is a sum of squares of all entries of W_2; induction), and W = 0 is a critical point with
    L = κ||Y||² > L* (a saddle the flow never leaves)."""
    import sympy as sp

    t0 = time.perf_counter()
    proofs = []
    for (r, c) in ((2, 3), (3, 3), (1, 4)):
        W = sp.Matrix(r, c, lambda i, j: sp.Symbol(f"w_{i}{j}", real=True))
        tr = sp.expand((W.T * W).trace())
        squares = sp.expand(sum(x ** 2 for x in W))
        proofs.append({"shape": [r, c], "trace_is_sum_of_squares": sp.simplify(tr - squares) == 0})
    # critical point at zero: every gradient of the chain contains another factor
    inst = model.rank_deficient_instance(config.seed, kappa=0.5)
    zeros = [np.zeros(s, dtype=object) for s in inst.shapes]
    zeros = [np.vectorize(lambda v: Fraction(0), otypes=[object])(z) for z in zeros]
    Zq = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(np.asarray(inst.G, float))
    Yq = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(np.asarray(inst.Y, float))
    g = models.chain_grads(zeros, Zq, Yq, Fraction(1, 2))
    grad_zero = all(all(x == 0 for x in gi.ravel()) for gi in g)
    L0 = float(models.chain_loss(zeros, Zq, Yq, Fraction(1, 2)))
    Lstar = float(models.optimal_loss(inst))
    ok = all(p["trace_is_sum_of_squares"] for p in proofs) and grad_zero and L0 > Lstar
    ev = {"engine": "sympy (sum of squares) + exact rational gradients at W = 0", "shapes": proofs,
          "argument": "W_1 = 0 ⇒ W_2ᵀW_2 = W_1W_1ᵀ = 0 ⇒ tr(W_2ᵀW_2) = Σ w² = 0 ⇒ W_2 = 0 ⇒ … ⇒ W_{H+1} = 0",
          "gradients_at_zero_exactly_zero": grad_zero, "loss_at_zero": L0, "L_star": Lstar,
          "seconds": round(time.perf_counter() - t0, 3)}
    if ok:
        return Result(Verdict.PROVED, jsonable(ev), message=(f"balanced + W_1 = 0 ⇒ all W_ℓ = 0; there ∇L = 0 exactly and "
                                                   f"L = {L0:.4g} > L* = {Lstar:.4g}: the flow stays at this saddle"))
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="argument did not go through")
