"""Instances, initialisations and flows for ``linear-gnn-2501-14440`` (arXiv 2501.14440, seed 004).

The model is the chain of :mod:`verify.dynamics.models` (one source of truth for loss and
gradients):

    Ŷ = W_{H+1} ⋯ W_1 Z,   Z = (X S^H)_I  (m_x × |I|),   L = κ ||Ŷ − Y||_F²,

factor W_ℓ of shape (d_ℓ, d_{ℓ−1}), d_0 = m_x, d_{H+1} = m_y, hidden sizes non-increasing.
What :mod:`verify.dynamics` does not provide and is written here: a rank-deficient instance
generator, balanced initial weights, the normalised flow of Remark 6.1, a gradient-flow
integrator that stops at an excess-loss level, and small singular-value helpers.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from verify.dynamics import models

__all__ = [
    "balanced_init",
    "energy",
    "fit_rate",
    "flow_states",
    "min_energy",
    "normalised_flow",
    "rank_deficient_instance",
    "smin",
    "svals",
    "theory_rate",
    "zero_first_init",
]


def rank_deficient_instance(seed: int, *, kappa: float = 1.0, rank: int = 2, n: int = 10, m_x: int = 4,
                            hidden: Sequence[int] = (4, 3), m_y: int = 2, n_train: int = 6) -> models.GNNInstance:
    """A seeded instance whose aggregated features Z = (X S^H)_I have rank ``rank`` < min(m_x, |I|).

    X = A B with A (m_x × rank), B (rank × n) Gaussian, so rank Z ≤ rank; S is the symmetric
    normalised adjacency of an Erdős–Rényi graph G(n, 0.4) with self-loops (as in
    ``models.make_instance``); H = len(hidden); hidden sizes non-increasing (no bottleneck)."""
    base = models.make_instance(seed, n=n, m_x=m_x, hidden=list(hidden), m_y=m_y, H=len(hidden),
                           n_train=n_train, p_edge=0.4, kappa=kappa)
    rng = np.random.default_rng(seed + 1000)
    X = rng.standard_normal((m_x, rank)) @ rng.standard_normal((rank, n))
    Y = rng.standard_normal((m_y, n_train))
    meta = dict(base.meta, rank_X=rank, generator="rank_deficient_instance")
    return replace(base, X=X, Y=Y, meta=meta)


def zero_first_init(inst: models.GNNInstance, seed: int, scale: float) -> list[np.ndarray]:
    """Theorem 3.1's start: W_1(0) = 0, W_ℓ(0) entries N(0, scale²/d_{ℓ−1}) for ℓ ≥ 2."""
    return models.init_weights(inst, seed, zero_first=True, scale=scale)


def balanced_init(inst: models.GNNInstance, seed: int, sigmas: Sequence[float]) -> list[np.ndarray]:
    """Balanced factors W_ℓ = U_ℓ Σ U_{ℓ−1}ᵀ, U_ℓ ∈ R^{d_ℓ × r} with orthonormal columns,
    Σ = diag(sigmas), r = len(sigmas) ≤ min width.  Then W_ℓW_ℓᵀ = U_ℓΣ²U_ℓᵀ = W_{ℓ+1}ᵀW_{ℓ+1}."""
    r = len(sigmas)
    if r > min(inst.widths):
        raise ValueError("balanced_init: more singular values than the smallest width")
    rng = np.random.default_rng(seed)
    Us = [np.linalg.qr(rng.standard_normal((d, r)))[0] for d in inst.widths]
    S = np.diag(np.asarray(sigmas, float))
    return [Us[i + 1] @ S @ Us[i].T for i in range(len(inst.widths) - 1)]


def svals(A) -> np.ndarray:
    """Singular values, descending (float64)."""
    return np.linalg.svd(np.asarray(A, float), compute_uv=False)


def smin(A) -> float:
    """σ_min(A) = σ_{min(m,n)}(A) (for a wide full-rank factor: its smallest non-zero one)."""
    return float(svals(A)[-1])


def energy(Ws: Sequence[np.ndarray]) -> float:
    """Σ_ℓ ||W_ℓ||_F²."""
    return float(sum((np.asarray(W, float) ** 2).sum() for W in Ws))


def min_energy(Wt, depth: int, rank_tol: float = 1e-12) -> float:
    """Theorem 4.2's minimum (H+1) Σ_i σ_i(W̃)^{2/(H+1)} over factorisations of W̃ into ``depth`` = H+1 factors."""
    s = svals(Wt)
    s = s[s > rank_tol * max(1.0, s[0] if s.size else 0.0)]
    return float(depth * np.sum(s ** (2.0 / depth)))


def flow_states(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], times, *, rtol: float = 1e-10) -> list[list[np.ndarray]]:
    """Gradient-flow factors at ``times`` (float64 DOP853 from :func:`verify.dynamics.flow_dop853`)."""
    from verify.dynamics import flow_dop853

    th = flow_dop853(inst, Ws0, times, rtol=rtol, atol=rtol * 1e-3)
    return [models.unpack(row, inst.shapes) for row in th]


def normalised_flow(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], T: float, *, stop_excess: float,
                    n_out: int = 400, rtol: float = 1e-10) -> tuple[np.ndarray, list[list[np.ndarray]], float | None]:
    """Remark 6.1's normalised flow dW_ℓ/dt = −∇_{W_ℓ}L / ||∇L||_F (||∇L||_F over all factors).

    Integrated with scipy DOP853 up to T or until the excess loss κ||Ŷ − YΠ||² falls to
    ``stop_excess`` (terminal event; the field is singular at a critical point).
    Returns (times, factors at those times, event time or None)."""
    from scipy.integrate import solve_ivp

    shapes = inst.shapes
    G, Y, kappa = np.asarray(inst.G, float), np.asarray(inst.Y, float), float(inst.kappa)
    YP = Y @ models.row_projector(G)

    def f(_t, y):
        g = models.pack(models.chain_grads(models.unpack(y, shapes), G, Y, kappa))
        return -g / np.sqrt(g @ g)

    def ev(_t, y):
        Ws = models.unpack(y, shapes)
        return kappa * float(((models.chain_forward(Ws, G) - YP) ** 2).sum()) - stop_excess

    ev.terminal = True
    ev.direction = -1
    sol = solve_ivp(f, (0.0, T), models.pack([np.asarray(w, float) for w in Ws0]), method="DOP853",
                    rtol=rtol, atol=rtol * 1e-3, events=ev, dense_output=True)
    if sol.status < 0:
        raise ArithmeticError(f"normalised flow: DOP853 failed: {sol.message}")
    t_end = float(sol.t[-1])
    ts = np.linspace(0.0, t_end, n_out)
    states = [models.unpack(sol.sol(t), shapes) for t in ts]
    hit = float(sol.t_events[0][0]) if len(sol.t_events[0]) else None
    return ts, states, hit


def fit_rate(ts, E, floor: float) -> float:
    """Observed exponential rate of E(t): −slope of the least-squares fit of log E on the points
    with E above ``floor`` (after the first tenth of them, past any transient)."""
    ts = np.asarray(ts, float)
    E = np.asarray(E, float)
    ok = np.nonzero(E > floor)[0]
    ok = ok[len(ok) // 10:]
    if len(ok) < 3:
        raise ArithmeticError("fit_rate: fewer than 3 points above the floor")
    slope = np.polyfit(ts[ok], np.log(E[ok]), 1)[0]
    return float(-slope)


def theory_rate(inst: models.GNNInstance, Ws0: Sequence[np.ndarray]) -> float:
    """Theorem 3.1's rate (κ / 4^{H−1}) σ²_small(Z) Π_{ℓ=2}^{H+1} σ²_min(W_ℓ(0))."""
    sig = float(models.sigma_small(np.asarray(inst.G, float)))
    prod = float(np.prod([smin(W) ** 2 for W in Ws0[1:]]))
    return float(inst.kappa) / 4 ** (inst.H - 1) * sig ** 2 * prod
