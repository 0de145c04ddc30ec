"""Iterative GNTK regression of arXiv 2309.07452 (reconstructed from seed 000) in prediction space.

β(0) = 0, β(t+1) = β(t) − η ∇_β [½||Y − κ Φᵀβ||² + (λ/2)||β||²].  With H = ΦᵀΦ (the GNTK Gram of
the training inputs) and u(t) = κ Φᵀ β(t) the training predictions follow

    u(t+1) = u(t) − η [κ² H (u(t) − Y) + λ u(t)],      u(0) = 0,

and a test input x* (H* = Φ(x*)ᵀΦ, test × train) follows u*(t+1) = u*(t) − η [κ² H* (u(t) − Y) + λ u*(t)].
The fixed point is kernel ridge regression u_∞ = κ² H (κ² H + λ I)^{-1} Y.  The continuous-time
version du/dt = −(κ²H + λI)(u − u_∞) contracts at rate κ²Λ₀ + λ, Λ₀ = λ_min(H); the discrete one
by the factor max_i |1 − η(κ²μ_i + λ)| per step (≤ 1 − η(κ²Λ₀ + λ) when η ≤ 1/(κ²Λ_max + λ)).
"""
from __future__ import annotations

import numpy as np


def iterative_gntk_regression(
    h_train: np.ndarray, y: np.ndarray, steps: int, lr: float, kappa: float = 1.0, lam: float = 0.0,
    h_test_train: np.ndarray | None = None, record_every: int = 1,
) -> dict[str, np.ndarray]:
    """Run the iteration ``steps`` times; record predictions every ``record_every`` steps (and at 0 and
    at the end).

    Returns ``{"steps": (T,), "train": (T, n), "test": (T, n*)}`` (test only when ``h_test_train``).
    """
    h = np.asarray(h_train, float)
    y = np.asarray(y, float)
    u = np.zeros_like(y)
    ut = None if h_test_train is None else np.zeros(np.asarray(h_test_train).shape[0])
    rec_steps, rec_u, rec_ut = [0], [u.copy()], [] if ut is None else [ut.copy()]
    k2 = kappa * kappa
    for t in range(1, steps + 1):
        r = u - y
        if ut is not None:
            ut = ut - lr * (k2 * (h_test_train @ r) + lam * ut)
        u = u - lr * (k2 * (h @ r) + lam * u)
        if t % record_every == 0 or t == steps:
            rec_steps.append(t)
            rec_u.append(u.copy())
            if ut is not None:
                rec_ut.append(ut.copy())
    out = {"steps": np.array(rec_steps), "train": np.array(rec_u)}
    if ut is not None:
        out["test"] = np.array(rec_ut)
    return out


def kernel_ridge(h_train: np.ndarray, y: np.ndarray, kappa: float = 1.0, lam: float = 0.0) -> np.ndarray:
    """u_∞ = κ² H (κ² H + λ I)^{-1} Y (the fixed point of the iteration)."""
    h = np.asarray(h_train, float)
    m = kappa ** 2 * h + lam * np.eye(h.shape[0])
    return kappa ** 2 * h @ np.linalg.solve(m, np.asarray(y, float))


def contraction_rate(h_train: np.ndarray, kappa: float = 1.0, lam: float = 0.0) -> float:
    """κ² Λ₀ + λ with Λ₀ = λ_min(H)."""
    return kappa ** 2 * float(np.linalg.eigvalsh(np.asarray(h_train, float))[0]) + lam


def iterations_to_tolerance(h_train: np.ndarray, eps: float, kappa: float = 1.0, lam: float = 0.0,
                            lr: float | None = None) -> tuple[int, float]:
    """Steps k with (1 − η(κ²Λ₀+λ))^k ≤ eps for η = 1/(κ²Λ_max + λ) (default); returns (k, η)."""
    mu = np.linalg.eigvalsh(np.asarray(h_train, float))
    eta = 1.0 / (kappa ** 2 * mu[-1] + lam) if lr is None else lr
    q = 1.0 - eta * (kappa ** 2 * mu[0] + lam)
    if q <= 0:
        return 1, eta
    return int(np.ceil(np.log(eps) / np.log(q))), eta
