"""Finite fully connected nets and their empirical NTK (torch.func) against independent computations."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from verify.errors import InputError
from verify.kernels.ntk import ntk_gram
from verify.nets import (
    FCSpec,
    doubled,
    doubled_params,
    empirical_ntk,
    empirical_ntk_loop,
    fc_forward,
    init_fc,
)
from verify.studies.width import sphere_points


@pytest.mark.parametrize("conv,depth,bias", [("jacot", 3, 0.4), ("arora", 2, 0.0)])
def test_jacrev_ntk_equals_autograd_loop(conv, depth, bias):
    spec = FCSpec(3, 17, depth, conv, bias)
    params = init_fc(spec, 1, "cpu")
    x = torch.tensor(sphere_points(5, 3, 0))
    f = lambda p: fc_forward(p, x, spec)  # noqa: E731
    assert np.allclose(
        empirical_ntk(f, params).numpy(), empirical_ntk_loop(f, params).numpy(), rtol=1e-12, atol=1e-12
    )


def test_cross_kernel_blocks():
    spec = FCSpec(3, 9, 2, "jacot", 0.2)
    params = init_fc(spec, 2, "cpu")
    x = torch.tensor(sphere_points(6, 3, 1))
    full = empirical_ntk(lambda p: fc_forward(p, x, spec), params).numpy()
    cross = empirical_ntk(
        lambda p: fc_forward(p, x[4:], spec), params, lambda p: fc_forward(p, x[:4], spec)
    ).numpy()
    assert np.allclose(cross, full[4:, :4], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("conv,depth,bias,tol", [("arora", 1, 0.0, 0.08), ("jacot", 2, 0.5, 0.08)])
def test_empirical_ntk_close_to_analytic_at_large_width(conv, depth, bias, tol):
    """Width 4096, mean over 3 seeds: relative Frobenius error below ``tol`` (measured ≈ 0.02–0.03)."""
    x = sphere_points(6, 3, 0)
    _, theta = ntk_gram(x, depth, conv, bias=bias)
    spec = FCSpec(3, 4096, depth, conv, bias)
    xt = torch.tensor(x)
    errs = []
    for s in range(3):
        emp = empirical_ntk(lambda p: fc_forward(p, xt, spec), init_fc(spec, s, "cpu")).numpy()
        errs.append(np.linalg.norm(emp - theta) / np.linalg.norm(theta))
    assert np.mean(errs) < tol
    # a wrong convention is far off: jacot kernel against the arora net
    if conv == "arora":
        _, wrong = ntk_gram(x, depth + 1, "jacot")
        assert np.linalg.norm(emp - wrong) / np.linalg.norm(wrong) > 0.3


def test_jacot_linear_network_is_exact():
    """Jacot L = 1 (linear): Θ_m = xᵀx'/n0 + β² at every width (no randomness in the gradient)."""
    x = sphere_points(4, 5, 3)
    spec = FCSpec(5, 1, 1, "jacot", 0.7)
    emp = empirical_ntk(lambda p: fc_forward(p, torch.tensor(x), spec), init_fc(spec, 0, "cpu")).numpy()
    assert np.allclose(emp, x @ x.T / 5 + 0.49, rtol=1e-14)


def test_doubled_model_starts_at_zero_with_the_same_kernel():
    spec = FCSpec(3, 32, 2, "arora")
    x = torch.tensor(sphere_points(5, 3, 0))
    base = init_fc(spec, 4, "cpu")
    f = lambda p: fc_forward(p, x, spec)  # noqa: E731
    dp = doubled_params(base)
    assert torch.count_nonzero(doubled(f)(dp)) == 0
    assert np.allclose(empirical_ntk(doubled(f), dp).numpy(), empirical_ntk(f, base).numpy(), rtol=1e-12)


@pytest.mark.parametrize("kw", [dict(convention="bad"), dict(depth=0), dict(width=0), dict(bias=-1.0),
                                dict(activation="gelu"), dict(convention="arora", bias=0.5),
                                dict(bias=float("nan"))])
def test_bad_specs_raise_input_error(kw):
    base = dict(n_in=3, width=4, depth=2, convention="jacot", bias=0.0, activation="relu")
    base.update(kw)
    with pytest.raises(InputError):
        FCSpec(**base)
