"""Verdicts of claims through sqrtm, logm, reverse-mode gradients and symmetric-matrix derivatives.

True claims hold but are never `proved` through sqrtm/logm (no exact symbolic form); false ones are
refuted with a counterexample that tests/independent.py re-checks (mpmath's Denman-Beavers sqrtm and
logm, numerical differentiation at 80 digits); an instance outside the domain is undefined, never a
counterexample; a symmetric-matrix derivative needs a symmetric variable.
"""
from __future__ import annotations

import pytest

from tests.independent import relation_fails
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.errors import ClaimError

CONFIG = CheckConfig(seed=5, instances=5, search_examples=60, time_limit=30)
V = {
    "X": {"shape": ["n", "n"], "assume": ["pd"]},
    "Z": {"shape": ["n", "n"], "assume": ["pd"]},
    "P": {"shape": ["n", "n"], "assume": ["psd"]},
    "S": {"shape": ["n", "n"], "assume": ["symmetric"]},
    "Y": {"shape": ["n", "n"]},
    "A": {"shape": ["n", "n"]},
    "M": {"shape": ["n", "n"]},
}


def _check(statement, dims=None, given=None):
    return check_claim(Claim("c", statement, dims=dims or {"n": [1, 3]}, vars=V, given=given or []), CONFIG)


@pytest.mark.parametrize("statement", [
    "sqrtm(P) @ sqrtm(P) == P",
    "det(X) == exp(tr(logm(X)))",
    "grad_sym(tr(logm(X)), X) == inv(X)",
    "grad(tr(logm(Y.T @ Y + eye(n))), Y) == 2 * Y @ inv(Y.T @ Y + eye(n))",
])
def test_true_claims_hold_and_are_never_proved(statement):
    r = _check(statement, {"n": [1, 2]})
    assert r.verdict in (Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY), (r.verdict, r.message)
    assert r.counterexample is None


def test_a_rational_square_root_is_decided_exactly():
    r = _check("sqrtm(P @ P) == P", {"n": [1, 2]})
    assert r.verdict in (Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY), (r.verdict, r.message)
    assert r.evidence["certified_instances"] >= 3


@pytest.mark.parametrize("statement,dims", [
    ("sqrtm(X + Z) == sqrtm(X) + sqrtm(Z)", None),
    ("tr(logm(X + Z)) == tr(logm(X)) + tr(logm(Z))", None),
    ("grad_sym(tr(sqrtm(X)), X) == sqrtm(inv(X))", None),
    ("grad(tr(logm(Y.T @ Y + eye(n))), Y) == Y @ inv(Y.T @ Y + eye(n))", {"n": [1, 2]}),
    ("grad_sym(tr(M @ logm(X)), X) == (M + M.T) / 2 @ inv(X)", {"n": 2}),
    ("grad(tr(M @ relu(Y)), Y) == M.T", None),
    ("grad_sym(log(det(X)), X) == 2 * inv(X) - diag(diagvec(inv(X)))", {"n": 2}),
])
def test_false_claims_are_refuted_and_confirmed_independently(statement, dims):
    r = _check(statement, dims)
    assert r.verdict is Verdict.REFUTED, (r.verdict, r.message)
    assert relation_fails(statement, [], r.counterexample.to_json())


def test_outside_the_domain_is_undefined_never_a_counterexample():
    # -X is negative definite: every instance is outside sqrtm's domain
    r = _check("tr(sqrtm(-1 * X)) >= 1")
    assert r.verdict is Verdict.INCONCLUSIVE, (r.verdict, r.message)
    assert r.counterexample is None
    assert any("sqrtm" in k for k in r.evidence["instances_skipped"]), r.evidence["instances_skipped"]
    # sqrtm(X @ Z) is defined only where X @ Z is symmetric (X, Z commute), and there it is true
    r = _check("sqrtm(X @ Z) == sqrtm(X) @ sqrtm(Z)", {"n": 2})
    assert r.verdict is not Verdict.REFUTED, (r.verdict, r.message)


def test_symmetric_derivatives_are_proved_where_symbolic():
    r = _check("grad_sym(tr(A @ S), S) == (A + A.T) / 2")
    assert r.verdict is Verdict.PROVED, (r.verdict, r.message)
    r = _check("grad_entries_sym(tr(A @ S), S) == A + A.T - diag(diagvec(A))")
    assert r.verdict is Verdict.PROVED, (r.verdict, r.message)


@pytest.mark.parametrize("statement,vars,match", [
    ("grad_sym(tr(A @ Y), Y) == A", {"Y": {"shape": [2, 2]}, "A": {"shape": [2, 2]}}, "declared symmetric"),
    ("grad_sym(tr(A @ Q), Q) == A", {"Q": {"shape": [2, 2], "assume": ["projector"]}, "A": {"shape": [2, 2]}},
     "declared symmetric"),
    ("grad(tr(A @ X), X) == A.T", {"X": {"shape": [2, 2], "assume": ["pd"]}, "A": {"shape": [2, 2]}},
     "grad_sym"),
])
def test_gradient_targets_are_checked_with_one_line_errors(statement, vars, match):
    with pytest.raises(ClaimError, match=match) as exc:
        Claim("c", statement, vars=vars)
    assert "\n" not in str(exc.value)
