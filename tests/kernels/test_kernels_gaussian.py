"""Closed forms of Gaussian expectations against Monte Carlo and against the generic quadrature engine."""
import math

import mpmath
import numpy as np
import pytest

from verify.errors import InputError
from verify.kernels import gaussian as G

A, B = 1.5, 0.7


def _c(rho):
    return rho * math.sqrt(A * B)


@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.0, 0.5, 0.95])
def test_closed_forms_against_monte_carlo(rho):
    # 4e5 correlated samples; tolerance: 5 standard errors of the sample mean
    rng = np.random.default_rng(1234)
    z1, z2 = rng.standard_normal((2, 400_000))
    u = math.sqrt(A) * z1
    v = math.sqrt(B) * (rho * z1 + math.sqrt(1 - rho * rho) * z2)
    cases = [
        (np.maximum(u, 0) * np.maximum(v, 0), G.relu_expectation(A, B, _c(rho))),
        ((u > 0) * (v > 0) * 1.0, G.step_expectation(A, B, _c(rho))),
        (
            np.vectorize(math.erf)(u[:50_000]) * np.vectorize(math.erf)(v[:50_000]),
            G.erf_expectation(A, B, _c(rho)),
        ),
        (4 / math.pi * np.exp(-(u**2) - v**2), G.erf_derivative_expectation(A, B, _c(rho))),
    ]
    for samples, exact in cases:
        se = samples.std() / math.sqrt(len(samples))
        assert abs(samples.mean() - float(exact)) <= 5 * se + 1e-12


def _engine(name, rho_mp, dps=30):
    act = G.activation(name)
    with mpmath.workdps(dps + 10):
        c = rho_mp * mpmath.sqrt(mpmath.mpf(A) * mpmath.mpf(B))
        val = G.mp_expectation(act.f_mp, act.f_mp, A, B, c, dps, act.kinks, act.kinks)
        closed = (G.relu_expectation_mp if name == "relu" else G.step_expectation_mp)(A, B, c)
        return val, closed


GRID = [("relu", r) for r in ("-1", "-0.999999", "0.3", "1")] + \
    [("step", r) for r in ("-1", "-0.5", "0.999999", "1")]


@pytest.mark.parametrize("name,rho", GRID)
def test_closed_forms_against_quadrature_engine_30_digits(name, rho):
    with mpmath.workdps(40):
        val, closed = _engine(name, mpmath.mpf(rho))
        scale = mpmath.sqrt(mpmath.mpf(A) * mpmath.mpf(B)) if name == "relu" else mpmath.mpf(1)
        assert abs(val - closed) <= mpmath.mpf(10) ** -30 * scale


def test_engine_detects_a_wrong_closed_form():
    # the same check refutes a wrong formula (θ/(2π) instead of (π − θ)/(2π) for the step kernel)
    with mpmath.workdps(40):
        val, closed = _engine("step", mpmath.mpf("0.3"))
        wrong = 1 / mpmath.mpf(2) - closed
        assert abs(val - wrong) > 1e-3


def test_erf_closed_form_against_engines():
    act = G.activation("erf")
    for rho in (-0.8, 0.0, 0.6):
        closed = float(G.erf_expectation(A, B, _c(rho)))
        gh = float(G.gauss_hermite_expectation(act.f_np, act.f_np, A, B, _c(rho), n=96))
        assert abs(gh - closed) < 1e-12
        dclosed = float(G.erf_derivative_expectation(A, B, _c(rho)))
        dgh = float(G.gauss_hermite_expectation(act.df_np, act.df_np, A, B, _c(rho), n=96))
        assert abs(dgh - dclosed) < 1e-12
    with mpmath.workdps(25):
        mp = G.mp_expectation(act.f_mp, act.f_mp, A, B, _c(-0.8), 15)
        assert abs(mp - G.erf_expectation_mp(A, B, _c(-0.8))) < 1e-15


@pytest.mark.parametrize("rho", [1 - 1e-12, 1 - 1e-8, 0.5, -1 + 1e-12, -1 + 1e-8])
def test_stable_arccos_terms_match_mpmath(rho):
    # (ρ, s) with s from the exact 1 − ρ², as a caller computing s stably would pass them
    with mpmath.workdps(50):
        r = mpmath.mpf(rho)
        s = mpmath.sqrt((1 - r) * (1 + r))
        th = mpmath.acos(r)
        j1 = mpmath.sin(th) + (mpmath.pi - th) * r
        t = G.arccos_terms(np.array([rho]), np.array([float(s)]))
        assert abs(t.j0[0] - float(mpmath.pi - th)) <= 1e-15 * float(mpmath.pi - th) + 1e-300
        assert abs(t.j1[0] - float(j1)) <= 1e-14 * float(j1)
        assert abs(t.one_minus_r[0] - float(1 - j1 / mpmath.pi)) <= 1e-14 * float(1 - j1 / mpmath.pi)


def test_naive_arccos_loses_digits_where_the_stable_form_does_not():
    # x = (1, 0), y at angle t = 1.5e-6: ρ = x·y/(|x||y|) rounds to within 1e-16 of a number 1e-12 below 1
    from verify.kernels.ntk import _input_layer

    t = 1.5e-6
    x = np.array([[1.0, 0.0], [math.cos(t), math.sin(t)]])
    with mpmath.workdps(50):
        exact = float(mpmath.atan2(mpmath.mpf(x[1, 1]), mpmath.mpf(x[1, 0])))
    rho_naive = float(x[0] @ x[1] / (np.linalg.norm(x[0]) * np.linalg.norm(x[1])))
    naive = math.acos(min(rho_naive, 1.0))
    _, _, rho, s = _input_layer(x, 1.0, 0.0)
    stable = float(G.arccos_terms(rho[0, 1], s[0, 1]).theta)
    assert abs(stable - exact) / exact < 1e-14
    assert abs(naive - exact) / exact > 1e-9


def test_c_sigma_values():
    assert G.c_sigma(G.activation("relu")) == 2.0
    assert abs(G.c_sigma(G.activation("erf")) - math.pi / (2 * math.asin(2 / 3))) < 1e-15
    # generic engine reproduces c_σ of ReLU written as an expression
    assert abs(G.c_sigma(G.activation("max(z, 0)")) - 2.0) < 1e-12


def test_generic_activation_parsing():
    act = G.activation("max(z, 0)")
    assert act.kinks == (0.0,)
    assert float(act.f_np(np.array(-1.0))) == 0.0 and float(act.df_np(np.array(2.0))) == 1.0
    with pytest.raises(InputError):
        G.activation("z + y")
    with pytest.raises(InputError):
        G.activation("((")


def test_mp_engine_rejects_non_psd():
    act = G.activation("relu")
    with pytest.raises(InputError):
        G.mp_expectation(act.f_mp, act.f_mp, 1, 1, 2, 20, act.kinks, act.kinks)


def test_closed_form_discrepancies_record():
    recs = G.closed_form_discrepancies(("relu",), ("0",), dps=15)
    assert len(recs) == 1 and recs[0]["holds"] and recs[0]["abs_diff"] < 1e-15
    with pytest.raises(InputError):
        G.closed_form_discrepancies(("tanh",), ("0",))
