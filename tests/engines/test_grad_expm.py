"""Gradients through expm: grad tr(M @ expm(X)) = L(X^T, M^T), the upper-right block of
expm([[X^T, M^T], [0, X^T]]).  Values are compared with an independent finite-difference-free
reference (SciPy's expm_frechet) and mpmath's numerical derivative (tests/independent.py); true
claims hold (never proved: expm is not exact), false ones are refuted and re-checked independently."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from tests.independent import relation_fails
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.engines.evaluate import Evaluator
from verify.engines.fields import FloatField
from verify.errors import ClaimError
from verify.language.parser import parse_expression

CONFIG = CheckConfig(seed=2, instances=5, search_examples=60, time_limit=30)
V = {"X": {"shape": ["n", "n"]}, "M": {"shape": ["n", "n"]}}


def test_gradient_matches_scipy_frechet_adjoint():
    rng = np.random.default_rng(0)
    x, m = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    ev = Evaluator(FloatField(), {"X": x, "M": m}, {"n": 3})
    g = np.asarray(ev(parse_expression("grad(tr(M @ expm(X)), X)")), dtype=float)
    _, ref = scipy.linalg.expm_frechet(x.T, m.T)            # L(X^T, M^T)
    assert np.allclose(g, ref, rtol=1e-12, atol=1e-12)
    # and a directional derivative by central differences agrees to ~1e-7
    e = rng.normal(size=(3, 3))
    h = 1e-6
    fd = (np.trace(m @ scipy.linalg.expm(x + h * e)) - np.trace(m @ scipy.linalg.expm(x - h * e))) / (2 * h)
    assert abs(np.sum(g * e) - fd) < 1e-6 * max(1, abs(fd))
    g2 = np.asarray(ev(parse_expression("grad(tr(expm(X) @ M), X)")), dtype=float)
    assert np.allclose(g2, g, rtol=1e-12)


@pytest.mark.parametrize("statement,given", [
    ("grad(tr(expm(X)), X) == expm(X).T", ["norm(X) <= 4"]),
    ("tr(grad(tr(M @ expm(X)), X).T @ X) == tr(M @ X @ expm(X))", ["norm(X) <= 4", "norm(M) <= 4"]),
])
def test_true_claims_hold_but_are_never_proved(statement, given):
    r = check_claim(Claim("t", statement, dims={"n": [1, 2]}, vars=V, given=given), CONFIG)
    assert r.verdict in (Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY), (r.verdict, r.message)


@pytest.mark.parametrize("statement", [
    "grad(tr(expm(X)), X) == expm(X)",
    "grad(tr(M @ expm(X)), X) == M.T @ expm(X).T",
])
def test_false_claims_are_refuted_and_confirmed_independently(statement):
    r = check_claim(Claim("f", statement, dims={"n": 2}, vars=V), CONFIG)
    assert r.verdict is Verdict.REFUTED, (r.verdict, r.message)
    assert relation_fails(statement, [], r.counterexample.to_json())


def test_general_positions_through_expm_match_closed_forms():
    """expm anywhere inside a scalar objective (reverse mode with the adjoint Fréchet derivative)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 3)) / 2
    ev = Evaluator(FloatField(), {"X": x}, {"n": 3})

    def g(text):
        return np.asarray(ev(parse_expression(text)), dtype=float)

    # tr(e^X e^X) = tr(e^(2X)): gradient 2 e^(2X)^T
    assert np.allclose(g("grad(tr(expm(X) @ expm(X)), X)"), 2 * scipy.linalg.expm(2 * x).T, rtol=1e-11)
    # d tr(X e^X) = tr(dX e^X) + tr(X L(X, dX)): gradient e^(X^T) + L(X^T, X^T)
    _, lxx = scipy.linalg.expm_frechet(x.T, x.T)
    assert np.allclose(g("grad(tr(X @ expm(X)), X)"), scipy.linalg.expm(x).T + lxx, rtol=1e-11)
    # det(e^X) = e^tr(X): gradient e^tr(X) I
    assert np.allclose(g("grad(det(expm(X)), X)"), np.exp(np.trace(x)) * np.eye(3), rtol=1e-11)


def test_unsupported_functions_in_reverse_mode_are_one_line_errors():
    ev = Evaluator(FloatField(), {"X": np.eye(2)}, {"n": 2})
    with pytest.raises(ClaimError, match="grad through eigmax is not supported"):
        ev(parse_expression("grad(tr(expm(X)) + eigmax(X + X.T), X)"))
