"""The proof's convergence bound evaluated along GD iterates, and the exact one-step identity.

Xu et al.'s bound (docs/math.md step 7) is proved for gradient flow:
    L(t) − L* ≤ (L₀ − L*) exp(−4 λ(t) σ² t),
λ(t) = min_{s≤t} λ_min((W_{L−1}⋯W_1)ᵀ(W_{L−1}⋯W_1)), σ = smallest non-zero singular value of G̃.
Here it is evaluated at GD times t = kη with λ the running minimum over the iterates:
ratio_k = E_k / (E_0 exp(−4κ λ_k σ² kη)), E = κ‖Ŷ − YΠ‖²; the bound holds at step k iff
ratio_k ≤ 1.  (With a prefactor κ the flow argument gives the rate 4κλσ²; κ = 1 is Xu et al.)
Nothing in the proof covers GD, so ratios above 1 are findings about GD, not about the theorem.

:func:`balance_step_residuals` gives, for one GD step, D_i' − D_i − η²(G_{i+1}ᵀG_{i+1} − G_iG_iᵀ)
with D_i = W_{i+1}ᵀW_{i+1} − W_iW_iᵀ: exactly zero (use Fraction arrays for an exact check).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ..errors import InputError
from . import models

__all__ = ["bound_ratios", "bound_ratios_mp", "bound_search", "sharpness_along", "classify_failures",
           "pointwise_slack", "flow_bound_ratios", "balance_step_residuals",
           "exact_identity_check"]


def bound_ratios(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], etas: Sequence[float],
                 steps: int | Sequence[int]) -> dict:
    """Run GD (numpy, all step sizes batched on a leading axis) and evaluate the bound.

    ``steps``: K (same for all) or one K per η.  Returns per-η arrays of ratios (length K+1, NaN
    after divergence) and summary numbers: max ratio, its step, final excess loss."""
    etas = np.asarray(etas, float).ravel()
    Ks = np.broadcast_to(np.asarray(steps, int), (etas.size,)).copy()
    if etas.size == 0 or np.any(etas <= 0) or np.any(~np.isfinite(etas)) or np.any(Ks < 1):
        raise InputError("bound_ratios: need positive finite etas and steps >= 1")
    G = np.asarray(inst.G, float)
    sigma2 = float(models.sigma_small(G)) ** 2
    ratio, excess, lam_hist = _batched_gd_ratios(inst, Ws0, etas, Ks, sigma2)
    out = [_eta_summary(float(etas[c]), int(Ks[c]), ratio[c], excess[c], float(lam_hist[c]))
           for c in range(etas.size)]
    return {"sigma2": sigma2, "per_eta": out, "ratio": ratio, "excess": excess}


def _batched_gd_ratios(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], etas: np.ndarray,
                       Ks: np.ndarray, sigma2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GD from Ws0 for every η of ``etas`` at once (leading axis C = len(etas)), η_c for Ks[c] steps.

    Returns ratio (C, K+1), excess E_k (C, K+1), both NaN where not run (after divergence: E ≥ 1e12
    or non-finite), and the running minimum λ at each run's last live step (C,)."""
    C = etas.size
    G = np.asarray(inst.G, float)
    Y = np.asarray(inst.Y, float)
    kappa = float(inst.kappa)
    Ystar = Y @ models.row_projector(G)
    Ws = [np.broadcast_to(np.asarray(w, float), (C,) + np.shape(w)).copy() for w in Ws0]
    K = int(Ks.max())
    ratio = np.full((C, K + 1), np.nan)
    excess = np.full((C, K + 1), np.nan)
    lam_run = np.full(C, np.inf)
    lam_hist = np.full(C, np.nan)
    alive = np.ones(C, bool)
    with np.errstate(all="ignore"):
        for k in range(K + 1):
            Pm = models.chain_product(Ws, 0, len(Ws) - 1)
            yhat = Ws[-1] @ Pm @ G
            ex = kappa * ((yhat - Ystar) ** 2).sum(axis=(-1, -2))
            lam = np.clip(np.linalg.eigvalsh(np.swapaxes(Pm, -1, -2) @ Pm)[:, 0], 0, None)
            act = alive & (k <= Ks) & np.isfinite(ex)
            lam_run = np.where(act, np.minimum(lam_run, lam), lam_run)
            lam_hist = np.where(act, lam_run, lam_hist)
            excess[act, k] = ex[act]
            ratio[act, k] = ex[act] / (
                excess[act, 0] * np.exp(-4.0 * kappa * lam_run[act] * sigma2 * k * etas[act])
            )
            alive = act & (ex < 1e12)
            if k == K or not alive.any():
                break
            g = models.chain_grads(Ws, G, Y, kappa)
            Ws = [W - (etas * alive)[:, None, None] * gi for W, gi in zip(Ws, g)]
    return ratio, excess, lam_hist


def _eta_summary(eta: float, steps: int, ratio: np.ndarray, excess: np.ndarray, lam_final: float) -> dict:
    """Summary of one η's run from its ratio and excess rows (length ≥ steps + 1)."""
    r = ratio[1: steps + 1]  # k = 0 gives ratio 1 by definition
    finite = np.isfinite(r)
    diverged = not finite.all()
    kmax = int(np.nanargmax(r)) + 1 if finite.any() else 0
    return {
        "eta": eta,
        "steps": steps,
        "max_ratio": float(np.nanmax(r)),
        "argmax_step": kmax,
        "diverged": bool(diverged),
        "lambda_run_final": lam_final,
        "excess_0": float(excess[0]),
        "excess_final": float(excess[steps]) if not diverged else float("nan"),
        "holds": bool(not diverged and np.nanmax(r) <= 1.0),
    }


def bound_ratios_mp(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], eta: float, steps: int,
                    dps: int = 40) -> list:
    """The same ratios for one η, recomputed in mpmath at ``dps`` digits (re-check of a finding)."""
    import mpmath

    with mpmath.workdps(dps):
        inst_mp = models.as_object(inst, "mpf")
        Ws = models.to_object(Ws0, "mpf")
        e = mpmath.mpf(float(eta))
        Pi = models.row_projector(inst_mp.G)
        Ystar = inst_mp.Y @ Pi
        s = models.sigma_small(inst_mp.G)
        lam_run = None
        out = []
        E0 = None
        for k in range(steps + 1):
            Pm = models.chain_product(Ws, 0, len(Ws) - 1)
            ex = inst_mp.kappa * ((Ws[-1] @ Pm @ inst_mp.G - Ystar) ** 2).sum()
            gram = mpmath.matrix((Pm.T @ Pm).tolist())
            lam = max(min(mpmath.mp.eigsy(gram, eigvals_only=True)), 0)
            lam_run = lam if lam_run is None else min(lam_run, lam)
            E0 = ex if E0 is None else E0
            out.append(ex / (E0 * mpmath.exp(-4 * inst_mp.kappa * lam_run * s ** 2 * k * e)))
            if k == steps:
                break
            g = models.grads(inst_mp, Ws)
            Ws = [W - e * gi for W, gi in zip(Ws, g)]
        return out


def bound_search(seeds: Sequence[int], *, c_grid: Sequence[float] = (0.1, 0.5, 0.9, 0.99, 1.02, 1.1, 1.3),
                 T: float = 5.0, max_steps: int = 4000, optimise: bool = True,
                 instance_kwargs: dict | None = None, progress=None) -> dict:
    """Search for GD runs violating the bound.

    For each instance seed s (init seed s + 1000) the step sizes are η = 2c/λ_max(∇²L(θ₀)) for c
    in ``c_grid``; K = min(⌈T/η⌉, max_steps).  With ``optimise`` a bounded scalar search over c
    ∈ (0, 1) per instance maximises the max ratio (is there a failure below the initial stability
    limit?).  Returns every (seed, c, η, max ratio) and the worst stable and overall cases."""
    from scipy.optimize import minimize_scalar

    from .gap import sharpness

    say = progress or (lambda _m: None)
    kw = dict(instance_kwargs or {})
    rows = []
    opt_rows = []
    for s in seeds:
        inst = models.make_instance(int(s), **kw)
        Ws0 = models.init_weights(inst, int(s) + 1000)
        lam = sharpness(inst, Ws0)
        etas = [2 * c / lam for c in c_grid]
        Ks = [min(int(math.ceil(T / e)), max_steps) for e in etas]
        res = bound_ratios(inst, Ws0, etas, Ks)
        for c, r in zip(c_grid, res["per_eta"]):
            rows.append({"seed": int(s), "c": float(c), "sharpness0": lam, "sigma2": res["sigma2"], **r})
        if optimise:
            def neg(c):
                e = 2 * c / lam
                r = bound_ratios(inst, Ws0, [e], [min(int(math.ceil(T / e)), max_steps)])["per_eta"][0]
                return -r["max_ratio"] if math.isfinite(r["max_ratio"]) else -1e300

            # coarse grid on (0, 1), then bounded Brent around the best grid point
            grid = np.linspace(0.025, 0.975, 39)
            vals = [neg(c) for c in grid]
            b = int(np.argmin(vals))
            lo, hi = grid[max(b - 1, 0)], grid[min(b + 1, len(grid) - 1)]
            o = minimize_scalar(
                neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4, "maxiter": 30}
            )
            c_best, v_best = (
                (float(o.x), float(-o.fun)) if o.fun <= vals[b] else (float(grid[b]), float(-vals[b]))
            )
            opt_rows.append({"seed": int(s), "c": c_best, "eta": float(2 * c_best / lam), "max_ratio": v_best,
                             "holds": v_best <= 1.0})
        say(f"bound search: seed {s} done")
    stable = [r for r in rows if r["c"] < 1 and not r["diverged"]]
    worst_stable = max(stable, key=lambda r: r["max_ratio"]) if stable else None
    fails = [r for r in rows if not r["holds"]]
    first_fail_c = min((r["c"] for r in fails), default=None)
    return {"rows": rows, "optimised": opt_rows, "worst_stable": worst_stable,
            "worst_optimised": max(opt_rows, key=lambda r: r["max_ratio"]) if opt_rows else None,
            "n_fail": len(fails), "n_runs": len(rows), "smallest_failing_c": first_fail_c,
            "instance_kwargs": kw, "T": T, "max_steps": max_steps, "c_grid": list(c_grid),
            "init_seed": "instance seed + 1000"}


def sharpness_along(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], eta: float, steps: int,
                    every: int = 1) -> list[tuple[int, float]]:
    """[(k, λ_max(∇²L(θ_k)))] along numpy GD every ``every`` steps up to ``steps``: explains
    failures below the initial stability limit (sharpness rising along the path)."""
    from .gap import sharpness

    Ws = [np.array(w, float) for w in Ws0]
    out = []
    for k in range(steps + 1):
        if k % every == 0 or k == steps:
            out.append((k, sharpness(inst, Ws)))
        if k == steps:
            break
        g = models.grads(inst, Ws)
        Ws = [w - eta * gi for w, gi in zip(Ws, g)]
    return out


def balance_step_residuals(Ws: Sequence[Any], Z, Y, kappa: Any, eta: Any, *, power: int = 2) -> list:
    """For one GD step W_i' = W_i − η G_i: D_i' − D_i − η^power (G_{i+1}ᵀG_{i+1} − G_iG_iᵀ).

    power = 2 is the identity (zero exactly); other powers give the false variants used in tests."""
    G = models.chain_grads(Ws, Z, Y, kappa)
    Wn = [W - eta * g for W, g in zip(Ws, G)]
    D0 = models.balance_gaps(Ws)
    D1 = models.balance_gaps(Wn)
    out = []
    for i in range(len(Ws) - 1):
        pred = G[i + 1].swapaxes(-1, -2) @ G[i + 1] - G[i] @ G[i].swapaxes(-1, -2)
        out.append(D1[i] - D0[i] - (eta ** power) * pred)
    return out


def exact_identity_check(seed: int, *, widths: Sequence[int] = (3, 4, 4, 1), n_train: int = 5,
                         eta: Fraction = Fraction(3, 7), kappa: Fraction = Fraction(1)) -> dict:
    """Exact (Fraction) check of the one-step identity on random rational data (entries p/q with
    |p| ≤ 9, q ≤ 6); returns whether every residual entry is exactly 0 and the residual of the
    false variant with η instead of η² (which must be non-zero)."""
    rng = np.random.default_rng(seed)

    def rat(shape):
        return np.array(
            [
                [Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 7))) for _ in range(shape[1])]
                for _ in range(shape[0])
            ],
            dtype=object,
        )

    widths = list(widths)
    Ws = [rat((widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
    Z = rat((widths[0], n_train))
    Y = rat((widths[-1], n_train))
    res = balance_step_residuals(Ws, Z, Y, kappa, eta)
    wrong = balance_step_residuals(Ws, Z, Y, kappa, eta, power=1)
    return {"exact_zero": all(all(v == 0 for v in r.ravel()) for r in res),
            "false_variant_nonzero": any(any(v != 0 for v in r.ravel()) for r in wrong),
            "n_entries": int(sum(r.size for r in res)), "eta": str(eta), "seed": seed}


def _max_rayleigh_along(inst: models.GNNInstance, Ws0, eta: float, steps: int, iters: int = 2):
    """Largest Rayleigh quotient vᵀ∇²L v/vᵀv over GD iterates 0..steps, with v from a power
    iteration warm-started at the previous step (``iters`` HVPs per step).  Every Rayleigh quotient
    is ≤ λ_max(∇²L(θ_k)), so this is a lower bound on max_k λ_max."""
    shapes = inst.shapes
    rng = np.random.default_rng(0)
    v = rng.standard_normal(inst.n_params)
    Ws = [np.array(w, float) for w in Ws0]
    best = -np.inf
    for k in range(steps + 1):
        for _ in range(iters):
            hv = models.pack(models.hvp(inst, Ws, models.unpack(v, shapes)))
            rq = float(v @ hv / (v @ v))
            best = max(best, rq)
            nrm = np.linalg.norm(hv)
            if not np.isfinite(nrm) or nrm == 0:
                break
            v = hv / nrm
        if k == steps:
            break
        g = models.grads(inst, Ws)
        Ws = [w - eta * gi for w, gi in zip(Ws, g)]
    return best


def classify_failures(search: dict, max_steps: int = 3000) -> dict:
    """Was GD still in the stable regime (η·λ_max(∇²L(θ_k))/2 < 1 for every k up to the
    violation) when the bound failed?

    Sound in both directions: first a cheap lower bound on max_k λ_max (warm-started power
    iteration, Rayleigh quotients); if it already exceeds 2/η the run is "unstable".  Otherwise the
    exact λ_max (full Hessian) is computed at every step up to the violation, and only then is the
    failure called "stable".  Runs longer than ``max_steps`` are "unchecked".
    Returns {"failures_explained": [...], "stable_failures": n, "unchecked": n}."""
    kw = dict(search.get("instance_kwargs") or {})
    cls = []
    for r in search["rows"]:
        if r["holds"]:
            continue
        inst = models.make_instance(r["seed"], **kw)
        Ws0 = models.init_weights(inst, r["seed"] + 1000)
        k = r["argmax_step"]
        entry = {"seed": r["seed"], "c": r["c"], "eta": r["eta"], "argmax_step": k,
                 "max_ratio": r["max_ratio"], "diverged": r["diverged"]}
        if k > max_steps:
            entry.update(regime="unchecked")
        else:
            with np.errstate(all="ignore"):
                low = _max_rayleigh_along(inst, Ws0, r["eta"], k)
                if np.isfinite(low) and r["eta"] * low / 2 > 1:
                    entry.update(regime="unstable", eta_sharpness_over_2_lower_bound=r["eta"] * low / 2)
                else:
                    sa = sharpness_along(inst, Ws0, r["eta"], k, every=1)
                    peak = max(v for _, v in sa)
                    entry.update(regime="unstable" if r["eta"] * peak / 2 >= 1 else "stable",
                                 eta_sharpness_over_2_exact_max=r["eta"] * peak / 2)
        cls.append(entry)
    return {"failures_explained": cls,
            "stable_failures": sum(1 for c in cls if c["regime"] == "stable"),
            "unchecked": sum(1 for c in cls if c["regime"] == "unchecked")}


def pointwise_slack(inst: models.GNNInstance, Ws: Sequence[np.ndarray]) -> float:
    """‖∇_θ L‖² / (4κ λ_min σ² (L − L*)) at one point (float64): the slack of the differential
    inequality dL/dt ≤ −4κλσ²(L − L*) (docs/math.md steps 3–7); ≥ 1 is what the proof needs."""
    G = np.asarray(inst.G, float)
    g2 = float(sum((gi ** 2).sum() for gi in models.grads(inst, Ws)))
    lam = models.lambda_min_prefix(Ws)
    den = (
        4 * float(inst.kappa) * lam * float(models.sigma_small(G)) ** 2 * float(models.excess_loss(inst, Ws))
    )
    return g2 / den if den > 0 else float("inf")


def flow_bound_ratios(inst: models.GNNInstance, thetas: np.ndarray, times: Sequence[float], *,
                      rate_scale: float = 1.0) -> dict:
    """The bound along gradient-flow states θ(t_j) (rows of ``thetas``, e.g. from
    ``flow.flow_dop853``): ratio_j = E(t_j) / (E(0) exp(−4κ λ_j σ² t_j)) with λ_j the minimum of
    λ_min over the sampled times ≤ t_j.  A sampled minimum is ≥ the true infimum, so these ratios
    are ≥ the theorem's: ratio ≤ 1 here implies the theorem's inequality at t_j.  Also returns the
    smallest pointwise slack over the samples.  ``rate_scale`` multiplies the exponent's rate (a
    value > 1 states a stronger, possibly false bound: used to test that violations are seen).
    ``max_ratio`` is over t_j > 0 (t = 0 gives 1)."""
    t = np.asarray(times, float)
    shapes = inst.shapes
    G = np.asarray(inst.G, float)
    Pi = models.row_projector(G)
    s2 = float(models.sigma_small(G)) ** 2
    kappa = float(inst.kappa)
    E, lam_run, ratios, slack = None, np.inf, [], []
    for th, tj in zip(thetas, t):
        Ws = models.unpack(th, shapes)
        e = float(models.excess_loss(inst, Ws, Pi))
        E = e if E is None else E
        lam_run = min(lam_run, models.lambda_min_prefix(Ws))
        ratios.append(e / (E * math.exp(-4 * rate_scale * kappa * lam_run * s2 * tj)))
        slack.append(pointwise_slack(inst, Ws))
    pos = [r for r, tj in zip(ratios, t) if tj > 0] or ratios
    return {"ratios": ratios, "max_ratio": max(pos), "lambda_T": float(lam_run), "sigma2": s2,
            "rate": 4 * kappa * float(lam_run) * s2, "min_pointwise_slack": min(slack)}
