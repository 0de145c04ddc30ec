"""Kernel predictions (continuous and discrete), iterative GNTK regression and GD training, checked
against explicit iterations, an ODE solver, and a linear model whose NTK is exactly constant."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from verify.errors import InputError
from verify.nets import (
    doubled,
    doubled_params,
    iterative_gntk_regression,
    kernel_flow,
    kernel_gd,
    kernel_ridge,
    loss_scale,
    train_gd,
)
from verify.nets.iterative import contraction_rate, iterations_to_tolerance


def _psd(n, seed, rank=None):
    b = np.random.default_rng(seed).standard_normal((n, rank or n))
    return b @ b.T / n


def test_loss_scales():
    assert loss_scale("jacot", 8) == 1 / 8
    assert loss_scale("neural-tangents", 8, 3) == 1 / 24
    assert loss_scale("arora", 8) == 1.0
    with pytest.raises(InputError):
        loss_scale("nngp", 8)


def test_discrete_closed_form_equals_explicit_iteration():
    K = _psd(6, 0)
    Kx = np.random.default_rng(1).standard_normal((3, 6))
    y = np.random.default_rng(2).standard_normal(6)
    f0, f0t = 0.3 * np.ones(6), -0.2 * np.ones(3)
    s, lr = 1 / 6, 0.5
    out = kernel_gd(K, y, f0, [0, 1, 7, 40], lr, s, Kx, f0t)
    f, ft = f0.copy(), f0t.copy()
    hist = {0: (f.copy(), ft.copy())}
    for k in range(1, 41):
        r = f - y
        f, ft = f - lr * s * K @ r, ft - lr * s * Kx @ r
        hist[k] = (f.copy(), ft.copy())
    for i, k in enumerate([0, 1, 7, 40]):
        assert np.allclose(out["train"][i], hist[k][0], rtol=1e-12, atol=1e-12)
        assert np.allclose(out["test"][i], hist[k][1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rank", [None, 3])
def test_continuous_closed_form_solves_the_ode(rank):
    """df/dt = −sK(f − y), dft/dt = −sKx(f − y) by DOP853 (rtol 1e-12), including a singular K."""
    K = _psd(5, 3, rank)
    Kx = np.random.default_rng(4).standard_normal((2, 5))
    y = np.random.default_rng(5).standard_normal(5)
    f0, f0t = np.zeros(5), np.ones(2)
    s = 0.2

    def rhs(t, z):
        r = z[:5] - y
        return np.concatenate([-s * K @ r, -s * Kx @ r])

    times = [0.5, 3.0, 10.0]
    sol = solve_ivp(
        rhs, (0, 10), np.concatenate([f0, f0t]), method="DOP853", rtol=1e-12, atol=1e-13, t_eval=times
    )
    out = kernel_flow(K, y, f0, times, s, Kx, f0t)
    assert np.allclose(out["train"], sol.y[:5].T, atol=1e-9)
    assert np.allclose(out["test"], sol.y[5:].T, atol=1e-9)
    # a wrong normalisation (s missing) does not solve it
    bad = kernel_flow(K, y, f0, times, 1.0, Kx, f0t)
    assert not np.allclose(bad["train"], sol.y[:5].T, atol=1e-3)


def test_iterative_regression_converges_to_kernel_ridge_at_the_stated_rate():
    H = _psd(6, 6)
    y = np.random.default_rng(7).standard_normal(6)
    kappa, lam = 0.8, 0.1
    ustar = kernel_ridge(H, y, kappa, lam)
    M = kappa ** 2 * H + lam * np.eye(6)
    assert np.allclose(kappa ** 2 * H @ (ustar - y) + lam * ustar, 0, atol=1e-12)
    w = np.linalg.eigvalsh(M)
    eta = 1 / w[-1]
    out = iterative_gntk_regression(H, y, 200, eta, kappa, lam, record_every=50)
    assert list(out["steps"]) == [0, 50, 100, 150, 200]
    for k, u in zip(out["steps"], out["train"]):
        assert np.linalg.norm(u - ustar) <= (1 - eta * w[0]) ** k * np.linalg.norm(ustar) * (1 + 1e-10)
    assert contraction_rate(H, kappa, lam) == pytest.approx(w[0])
    k, e = iterations_to_tolerance(H, 1e-3, kappa, lam)
    assert (1 - e * w[0]) ** k <= 1e-3 < (1 - e * w[0]) ** (k - 1)


def test_gd_on_a_linear_model_is_exactly_kernel_gd():
    """f_θ(x) = xᵀθ has the constant NTK XXᵀ: GD predictions equal the kernel closed form, and with the
    doubled model and the regulariser centred at θ₀ they equal iterative kernel regression."""
    rng = np.random.default_rng(8)
    X, Xt = rng.standard_normal((5, 7)), rng.standard_normal((3, 7))
    y = rng.standard_normal(5)
    Xtr, Xte = torch.tensor(X), torch.tensor(Xt)
    params = {"theta": torch.tensor(rng.standard_normal(7))}
    f = lambda p: Xtr @ p["theta"]  # noqa: E731
    ft = lambda p: Xte @ p["theta"]  # noqa: E731
    K, Kx = X @ X.T, Xt @ X.T
    s, lr = 1 / 5, 0.3
    traj = train_gd(f, params, y, 30, lr, scale=s, fn_test=ft, record_every=10)
    ker = kernel_gd(K, y, X @ params["theta"].numpy(), traj.steps, lr, s, Kx, Xt @ params["theta"].numpy())
    assert np.allclose(traj.train, ker["train"], rtol=1e-11, atol=1e-12)
    assert np.allclose(traj.test, ker["test"], rtol=1e-11, atol=1e-12)
    # doubled + centred regulariser + κ: the iterative regression with H = K (NTK of the doubled model = K)
    kappa, lam = 0.9, 0.2
    tr2 = train_gd(doubled(f), doubled_params(params), y, 25, 0.05, scale=1.0, kappa=kappa, lam=lam,
                   fn_test=doubled(ft), record_every=5)
    it = iterative_gntk_regression(K, y, 25, 0.05, kappa, lam, h_test_train=Kx, record_every=5)
    assert np.allclose(tr2.train, it["train"], rtol=1e-11, atol=1e-12)
    assert np.allclose(tr2.test, it["test"], rtol=1e-11, atol=1e-12)
    # a regulariser centred at 0 instead would differ
    assert tr2.weight_change > 0


def test_training_reports_divergence():
    X = torch.eye(3, dtype=torch.float64)
    traj = train_gd(lambda p: X @ p["t"], {"t": torch.ones(3, dtype=torch.float64)}, np.zeros(3), 2000, 5.0)
    assert traj.diverged
