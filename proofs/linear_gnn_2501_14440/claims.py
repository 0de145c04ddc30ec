"""Claim-language statements and the symbolic rate-constant check of ``linear-gnn-2501-14440``.

Shapes: W1 (d1 × mx), W2 (d2 × d1), W3 (my × d2) for H = 2 (three factors), Z (mx × n),
Y (my × n), k = κ (loss prefactor, a scalar symbol: every κ at once, so κ = 1 and κ = 1/2 are
both covered), f = k·||W3 W2 W1 Z − Y||_F².
"""
from __future__ import annotations

from verify import Claim

F = "k*norm(W3 @ W2 @ W1 @ Z - Y)**2"
CHAIN_DIMS = {"mx": 2, "d1": 2, "d2": 2, "my": 1, "n": 3}
# three shapes are proved (measured: ~6 s together), including d_1 ≠ d_2 and m_y = 2
CONSERVATION_DIMS = {"mx": [1, 2], "d1": [2, 3], "d2": 2, "my": [1, 2], "n": 2}
CHAIN_VARS = {"W1": {"shape": ["d1", "mx"]}, "W2": {"shape": ["d2", "d1"]}, "W3": {"shape": ["my", "d2"]},
              "Z": {"shape": ["mx", "n"]}, "Y": {"shape": ["my", "n"]}, "k": {}}


def grad_of(weight: str) -> str:
    """The claim-language gradient of the loss F with respect to ``weight`` (same shape as ``weight``)."""
    return f"grad({F}, {weight})"


def claim_gradient() -> Claim:
    return Claim(name="chain_gradient_middle_factor",
                 statement=f"{grad_of('W2')} == 2*k*W3.T @ (W3 @ W2 @ W1 @ Z - Y) @ Z.T @ W1.T",
                 dims={"mx": 2, "d1": 2, "d2": 2, "my": 2, "n": 2}, vars=CHAIN_VARS)


def claim_conservation(pair: int) -> Claim:
    """d/dt(W_{ℓ+1}ᵀW_{ℓ+1} − W_ℓW_ℓᵀ) along dW = −∇ is −(∇_{ℓ+1}ᵀW_{ℓ+1} + W_{ℓ+1}ᵀ∇_{ℓ+1}) + (∇_ℓW_ℓᵀ + W_ℓ∇_ℓᵀ);
    stated as the equality of the two symmetric products."""
    a, b = (("W1", "W2"), ("W2", "W3"))[pair - 1]
    return Claim(name=f"conservation_pair_{pair}",
                 statement=f"{grad_of(b)}.T @ {b} + {b}.T @ {grad_of(b)} == {grad_of(a)} @ {a}.T + {a} @ {grad_of(a)}.T",
                 dims=CONSERVATION_DIMS, vars=CHAIN_VARS)


def claim_grad_w1() -> Claim:
    return Claim(name="first_layer_gradient",
                 statement=f"{grad_of('W1')} == 2*k*(W3 @ W2).T @ (W3 @ W2 @ W1 @ Z - Y) @ Z.T",
                 dims=CHAIN_DIMS, vars=CHAIN_VARS)


def claim_sigma_product(bottleneck: bool = False) -> Claim:
    dims = ({"my": [2, 3], "d2": 1, "d1": [2, 3]} if bottleneck else {"my": [1, 2], "d2": [2, 3], "d1": [3, 4]})
    return Claim(name="sigma_min_product_bottleneck" if bottleneck else "sigma_min_product_wide",
                 statement="sigma_min(W3 @ W2) >= sigma_min(W3) * sigma_min(W2)", dims=dims,
                 vars={"W3": {"shape": ["my", "d2"], "assume": ["full_rank"]},
                       "W2": {"shape": ["d2", "d1"], "assume": ["full_rank"]}})


def claim_transpose_bound() -> Claim:
    """||PᵀN||² >= σ²_min(P)||N||² for every wide P (m_y <= d_1; σ_min = 0 when P is rank deficient)."""
    return Claim(name="wide_transpose_lower_bound", statement="norm(P.T @ N)**2 >= sigma_min(P)**2 * norm(N)**2",
                 dims={"my": [1, 2], "d1": [2, 4], "mx": [1, 3]},
                 vars={"P": {"shape": ["my", "d1"]}, "N": {"shape": ["my", "mx"]}})


def claim_sigma_product_sq() -> Claim:
    """σ²_min(W3 W2) >= σ²_min(W3)σ²_min(W2) for non-increasing widths m_y <= d_2 <= d_1 (any rank)."""
    return Claim(name="sigma_min_product_squared",
                 statement="sigma_min(W3 @ W2)**2 >= sigma_min(W3)**2 * sigma_min(W2)**2",
                 dims={"my": [1, 2], "d2": [2, 3], "d1": [3, 4]},
                 vars={"W3": {"shape": ["my", "d2"]}, "W2": {"shape": ["d2", "d1"]}})


def claim_projected_general() -> Claim:
    """||RZᵀ||² >= σ²_small(Z)||R P_Z||² for every Z (of any rank) and R."""
    return Claim(name="projected_bound_any_rank", statement="norm(R @ Z.T)**2 >= sigma_small(Z)**2 * "
                 "norm(R @ proj(Z.T))**2", dims={"mx": [1, 3], "n": [2, 4], "my": [1, 2]},
                 vars={"Z": {"shape": ["mx", "n"]}, "R": {"shape": ["my", "n"]}})


def claim_pythagoras_general() -> Claim:
    """κ||(WZ − Y)P_Z||² = κ||WZ − Y||² − κ||Y(I − P_Z)||² for every Z, W, Y and κ."""
    return Claim(name="pythagoras_any_rank",
                 statement=("k*norm((W @ Z - Y) @ proj(Z.T))**2 == "
                            "k*norm(W @ Z - Y)**2 - k*norm(Y @ (eye(n) - proj(Z.T)))**2"),
                 dims={"my": [1, 2], "mx": [1, 3], "n": [2, 4]},
                 vars={"W": {"shape": ["my", "mx"]}, "Z": {"shape": ["mx", "n"]}, "Y": {"shape": ["my", "n"]}, "k": {}})


def claim_min_energy_two_outputs() -> Claim:
    """Theorem 4.2 for m_y = 2: Σ||W_ℓ||² >= 3(σ_1(W̃)^{2/3} + σ_2(W̃)^{2/3}), W̃ = W3W2W1 (2 × m_x, m_x >= 2)."""
    return Claim(name="min_energy_two_outputs",
                 statement=("norm(W1)**2 + norm(W2)**2 + norm(W3)**2 >= "
                            "3*(sigma_max(W3 @ W2 @ W1)**(2/3) + sigma_min(W3 @ W2 @ W1)**(2/3))"),
                 dims={"mx": [2, 3], "d1": [2, 3], "d2": [2, 3]},
                 vars={"W1": {"shape": ["d1", "mx"]}, "W2": {"shape": ["d2", "d1"]}, "W3": {"shape": [2, "d2"]}})


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
