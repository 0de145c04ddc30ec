"""Claim-language statements and the symbolic rate-constant check of ``linear-gnn-2501-14440``.

Shapes: W1 (d1 × mx), W2 (d2 × d1), W3 (my × d2) for H = 2 (three factors), Z (mx × n),
Y (my × n), k = κ (loss prefactor, a scalar symbol: every κ at once, so κ = 1 and κ = 1/2 are
both covered), f = k·||W3 W2 W1 Z − Y||_F².
"""
from __future__ import annotations

import time

from verify import CheckConfig, Claim, Result, Verdict
from verify.result import jsonable

F = "k*norm(W3 @ W2 @ W1 @ Z - Y)**2"
CHAIN_DIMS = {"mx": 2, "d1": 2, "d2": 2, "my": 1, "n": 3}
# three shapes are proved (measured: ~6 s together), including d_1 ≠ d_2 and m_y = 2
CONSERVATION_DIMS = {"mx": [1, 2], "d1": [2, 3], "d2": 2, "my": [1, 2], "n": 2}
CHAIN_VARS = {"W1": {"shape": ["d1", "mx"]}, "W2": {"shape": ["d2", "d1"]}, "W3": {"shape": ["my", "d2"]},
              "Z": {"shape": ["mx", "n"]}, "Y": {"shape": ["my", "n"]}, "k": {}}


def g(X: str) -> str:
    return f"grad({F}, {X})"


def claim_gradient() -> Claim:
    return Claim(name="chain_gradient_middle_factor",
                 statement=f"{g('W2')} == 2*k*W3.T @ (W3 @ W2 @ W1 @ Z - Y) @ Z.T @ W1.T",
                 dims={"mx": 2, "d1": 2, "d2": 2, "my": 2, "n": 2}, vars=CHAIN_VARS)


def claim_conservation(pair: int) -> Claim:
    """d/dt(W_{ℓ+1}ᵀW_{ℓ+1} − W_ℓW_ℓᵀ) along dW = −∇ is −(∇_{ℓ+1}ᵀW_{ℓ+1} + W_{ℓ+1}ᵀ∇_{ℓ+1}) + (∇_ℓW_ℓᵀ + W_ℓ∇_ℓᵀ);
    stated as the equality of the two symmetric products."""
    a, b = (("W1", "W2"), ("W2", "W3"))[pair - 1]
    return Claim(name=f"conservation_pair_{pair}",
                 statement=f"{g(b)}.T @ {b} + {b}.T @ {g(b)} == {g(a)} @ {a}.T + {a} @ {g(a)}.T",
                 dims=CONSERVATION_DIMS, vars=CHAIN_VARS)


def claim_dldt() -> Claim:
    return Claim(name="loss_decrease_first_layer",
                 statement=(f"-(norm({g('W1')})**2 + norm({g('W2')})**2 + norm({g('W3')})**2) <= -norm({g('W1')})**2"),
                 dims={"mx": 2, "d1": 2, "d2": 2, "my": 1, "n": 2}, vars=CHAIN_VARS)


def claim_grad_w1() -> Claim:
    return Claim(name="first_layer_gradient",
                 statement=f"{g('W1')} == 2*k*(W3 @ W2).T @ (W3 @ W2 @ W1 @ Z - Y) @ Z.T",
                 dims=CHAIN_DIMS, vars=CHAIN_VARS)


def claim_sigma_product(bottleneck: bool = False) -> Claim:
    dims = ({"my": [2, 3], "d2": 1, "d1": [2, 3]} if bottleneck else {"my": [1, 2], "d2": [2, 3], "d1": [3, 4]})
    return Claim(name="sigma_min_product_bottleneck" if bottleneck else "sigma_min_product_wide",
                 statement="sigma_min(W3 @ W2) >= sigma_min(W3) * sigma_min(W2)", dims=dims,
                 vars={"W3": {"shape": ["my", "d2"], "assume": ["full_rank"]},
                       "W2": {"shape": ["d2", "d1"], "assume": ["full_rank"]}})


def claim_transpose_bound() -> Claim:
    return Claim(name="wide_transpose_lower_bound", statement="norm(P.T @ N) >= sigma_min(P) * norm(N)",
                 dims={"my": [1, 2], "d1": [2, 4], "mx": [1, 3]},
                 vars={"P": {"shape": ["my", "d1"], "assume": ["full_rank"]}, "N": {"shape": ["my", "mx"]}})


def claim_projected(drop_projector: bool = False) -> Claim:
    rhs = "norm(R)**2" if drop_projector else "norm(R @ proj(Z.T))**2"
    return Claim(name="projected_bound_projector_dropped" if drop_projector else "projected_bound_rank_deficient",
                 statement=f"norm(R @ Z.T)**2 >= sigma_small(Z)**2 * {rhs}",
                 dims={"mx": [2, 3], "n": [3, 4], "my": [1, 2]},
                 vars={"Z": {"shape": ["mx", "n"], "assume": ["rank_deficient"]}, "R": {"shape": ["my", "n"]}})


def claim_pythagoras() -> Claim:
    return Claim(name="pythagoras_excess_loss",
                 statement=("k*norm((W @ Z - Y) @ proj(Z.T))**2 == "
                            "k*norm(W @ Z - Y)**2 - k*norm(Y @ (eye(n) - proj(Z.T)))**2"),
                 dims={"my": [1, 2], "mx": [2, 3], "n": [3, 4]},
                 vars={"W": {"shape": ["my", "mx"]}, "Z": {"shape": ["mx", "n"], "assume": ["rank_deficient"]},
                       "Y": {"shape": ["my", "n"]}, "k": {"assume": ["positive"]}})


def claim_balanced_construction() -> Claim:
    return Claim(name="balanced_construction",
                 statement="(U1 @ S @ U0.T) @ (U1 @ S @ U0.T).T == (U2 @ S @ U1.T).T @ (U2 @ S @ U1.T)",
                 dims={"d": [2, 3]},
                 vars={"U0": {"shape": ["d", "d"], "assume": ["orthogonal"]},
                       "U1": {"shape": ["d", "d"], "assume": ["orthogonal"]},
                       "U2": {"shape": ["d", "d"], "assume": ["orthogonal"]},
                       "S": {"shape": ["d", "d"], "assume": ["symmetric"]}})


def claim_min_energy() -> Claim:
    return Claim(name="min_energy_scalar_output",
                 statement="norm(W1)**2 + norm(W2)**2 + norm(W3)**2 >= 3*norm(W3 @ W2 @ W1)**(2/3)",
                 dims={"mx": [1, 3], "d1": [1, 3], "d2": [1, 3]},
                 vars={"W1": {"shape": ["d1", "mx"]}, "W2": {"shape": ["d2", "d1"]}, "W3": {"shape": [1, "d2"]}})


def check_rate_constant(config: CheckConfig) -> Result:
    """Assembly of Theorem 3.1 (sympy, symbolic H and κ):
    (i) 4κ Π_{ℓ=2}^{H+1} (s_ℓ/2)² = (κ/4^{H−1}) Π s_ℓ²  (the halved σ_min of H factors);
    (ii) Grönwall: d/dt(E e^{ct}) = (E' + cE)e^{ct}, so E' ≤ −cE gives E(t) ≤ e^{−ct}E(0);
    (iii) the chain dL/dt ≤ −||∇_{W_1}L||² = −4κ²||ΠᵀRZᵀ||² ≤ −4κ²σ²(Π)σ²_small||RP_Z||² = −4κσ²(Π)σ²_small E."""
    import sympy as sp

    t0 = time.perf_counter()
    H, k, c, t = sp.symbols("H kappa c t", positive=True)
    P2 = sp.Symbol("Pi_s2", positive=True)             # Π_{ℓ≥2} σ_min(W_ℓ(0))², H factors
    lhs = 4 * k * P2 * (sp.Rational(1, 4)) ** H
    rhs = k / 4 ** (H - 1) * P2
    ok1 = sp.simplify(sp.powsimp(lhs - rhs, force=True)) == 0
    checks_H = {int(h): sp.simplify((lhs - rhs).subs(H, h)) == 0 for h in range(1, 7)}
    E = sp.Function("E")
    ok2 = sp.simplify(sp.diff(E(t) * sp.exp(c * t), t) - (sp.diff(E(t), t) + c * E(t)) * sp.exp(c * t)) == 0
    s2, sig2, Ex = sp.symbols("sigma_Pi2 sigma_small2 E_excess", positive=True)
    # ||R P_Z||² = E/κ (Pythagoras step), so 4κ² σ²(Π) σ²_small ||R P_Z||² = 4κ σ²(Π) σ²_small E
    ok3 = sp.simplify(4 * k ** 2 * s2 * sig2 * (Ex / k) - 4 * k * s2 * sig2 * Ex) == 0
    ev = {"engine": "sympy", "power_identity_symbolic_H": bool(ok1), "power_identity_H_1_to_6": checks_H,
          "gronwall_product_rule": bool(ok2), "kappa_bookkeeping": bool(ok3),
          "seconds": round(time.perf_counter() - t0, 3)}
    if ok1 and ok2 and ok3 and all(checks_H.values()):
        return Result(Verdict.PROVED, jsonable(ev), message="4κ·4^{−H}Πs² = (κ/4^{H−1})Πs² for symbolic H, κ; Grönwall product "
                                                 "rule; κ bookkeeping 4κ²·(E/κ) = 4κE")
    return Result(Verdict.INCONCLUSIVE, jsonable(ev), message="an identity did not simplify to 0")
