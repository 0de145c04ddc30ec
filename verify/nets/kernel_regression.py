"""Kernel predictions of gradient descent / gradient flow on the squared loss (float64 numpy).

Loss on N training points with ``outputs`` outputs each: C(f) = (s/2) ||f(X) − Y||², with the
normalisation s stated by name:

* ``jacot``            s = 1/N          (C = ½ E_{x∼p_in}||f − f*||², seed 003),
* ``neural-tangents``  s = 1/(N·outputs) (neural-tangents' ``gradient_descent_mse``),
* ``arora``            s = 1            (Arora et al. 2019: ½ Σ_i (f(x_i) − y_i)²).

Kernel dynamics df/dt = −s K (f − Y) on the training points (K = Θ(X, X)); for test points
df(x*)/dt = −s Θ(x*, X)(f − Y).  Closed forms, with r₀ = f₀(X) − Y:

* continuous: f_t(X) = Y + e^{−t s K} r₀;
  f_t(x*) = f₀(x*) − Θ(x*, X) K^{-1} (I − e^{−t s K}) r₀;
* discrete (GD with step η): f_k(X) = Y + (I − η s K)^k r₀;
  f_k(x*) = f₀(x*) − Θ(x*, X) K^{-1} (I − (I − η s K)^k) r₀.

K^{-1}(I − g(K)) is evaluated through the eigendecomposition of K, as −expm1(−t s μ)/μ and
−expm1(k log1p(−η s μ))/μ when |η s μ| < ½ (no cancellation for tiny μ; the limits t s and k η s at
μ = 0), so a singular K is handled.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError

NORMALISATIONS = ("jacot", "neural-tangents", "arora")


def loss_scale(normalisation: str, n_points: int, outputs: int = 1) -> float:
    """The factor s of C(f) = (s/2)||f − Y||² for a named normalisation."""
    if normalisation == "jacot":
        return 1.0 / n_points
    if normalisation == "neural-tangents":
        return 1.0 / (n_points * outputs)
    if normalisation == "arora":
        return 1.0
    raise InputError(f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")


def _eig(k_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = np.asarray(k_train, dtype=np.float64)
    if k.ndim != 2 or k.shape[0] != k.shape[1]:
        raise InputError(f"the training Gram matrix must be square, got shape {k.shape}")
    mu, q = np.linalg.eigh((k + k.T) / 2)
    return mu, q


def kernel_flow(
    k_train: np.ndarray, y: np.ndarray, f0_train: np.ndarray, times, scale: float,
    k_test_train: np.ndarray | None = None, f0_test: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Continuous-time predictions at each ``t`` in ``times``: ``{"train": (T, N), "test": (T, N*)}``."""
    mu, q = _eig(k_train)
    r0 = np.asarray(f0_train, float) - np.asarray(y, float)
    r0q = q.T @ r0
    train, test = [], []
    for t in np.atleast_1d(np.asarray(times, float)):
        decay = np.exp(-t * scale * mu)
        train.append(np.asarray(y, float) + q @ (decay * r0q))
        if k_test_train is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                g = np.where(mu != 0, -np.expm1(-t * scale * mu) / mu, t * scale)
            test.append(np.asarray(f0_test, float) - k_test_train @ (q @ (g * r0q)))
    out = {"train": np.array(train)}
    if k_test_train is not None:
        out["test"] = np.array(test)
    return out


def kernel_gd(
    k_train: np.ndarray, y: np.ndarray, f0_train: np.ndarray, steps, lr: float, scale: float,
    k_test_train: np.ndarray | None = None, f0_test: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Discrete-time (GD, step ``lr``) predictions after each k in ``steps``."""
    mu, q = _eig(k_train)
    r0 = np.asarray(f0_train, float) - np.asarray(y, float)
    r0q = q.T @ r0
    train, test = [], []
    for k in np.atleast_1d(np.asarray(steps)):
        decay = (1.0 - lr * scale * mu) ** int(k)
        train.append(np.asarray(y, float) + q @ (decay * r0q))
        if k_test_train is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = lr * scale * mu
                small = np.abs(z) < 0.5      # no cancellation trouble elsewhere (and log1p needs z < 1)
                g = np.where(mu == 0, int(k) * lr * scale,
                             np.where(small, -np.expm1(int(k) * np.log1p(np.where(small, -z, 0.0))) / mu,
                                      (1 - decay) / mu))
            test.append(np.asarray(f0_test, float) - k_test_train @ (q @ (g * r0q)))
    out = {"train": np.array(train)}
    if k_test_train is not None:
        out["test"] = np.array(test)
    return out
