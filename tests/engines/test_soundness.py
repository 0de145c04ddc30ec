"""The soundness suite: the whole claim catalogue (true claims next to their wrong variants) plus
the hard cases of the foundation issue.  Every false claim must be refuted with a counterexample
that an independent evaluator (tests/independent.py) confirms; no true claim may be refuted."""
from __future__ import annotations

import pytest

from tests.independent import relation_fails
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.catalogue import catalogue_files
from verify.claims.files import load_claim_file

CONFIG = CheckConfig(seed=7, instances=8, search_examples=120, time_limit=40)

ENTRIES = [(f.path, e) for path in catalogue_files() for f in [load_claim_file(path)] for e in f.entries]


def test_catalogue_is_large_and_paired():
    expects = [e.expect for _, e in ENTRIES]
    assert len(ENTRIES) >= 70
    assert expects.count("holds") >= 40 and expects.count("fails") >= 30
    assert all(e.claim is not None for _, e in ENTRIES), [e.error for _, e in ENTRIES if e.claim is None]


@pytest.mark.parametrize("path,entry", ENTRIES, ids=[e.name for _, e in ENTRIES])
def test_catalogue_claim(path, entry):
    r = check_claim(entry.claim, CONFIG)
    if entry.expect == "holds":
        assert r.verdict.holds, (entry.name, r.verdict, r.message)
        assert r.counterexample is None
    else:
        assert r.verdict is Verdict.REFUTED, (entry.name, r.verdict, r.message)
        cx = r.counterexample.to_json()
        assert relation_fails(entry.statement, entry.given, cx), cx


def _claim(statement, vars, dims=None, given=None):
    return Claim("c", statement, dims=dims or {}, vars=vars, given=given or [])


def test_failure_only_on_a_small_window_is_found():
    r = check_claim(_claim("u**2 - u + 6/25 > 0", {"u": {}}), CONFIG)
    assert r.verdict is Verdict.REFUTED
    assert relation_fails("u**2 - u + 6/25 > 0", [], r.counterexample.to_json())


def test_failure_at_a_single_point_is_found():
    r = check_claim(_claim("x**2 + y**2 > 0", {"x": {}, "y": {}}), CONFIG)
    assert r.verdict is Verdict.REFUTED
    assert r.counterexample.values == {"x": 0, "y": 0}


def test_matrix_failure_on_a_narrow_window_is_found_by_optimisation():
    # false only when tr(A) lies in (0.4, 0.6): no z3 path (matrix), found by search + optimisation
    st = "tr(A)**2 - tr(A) + 6/25 > 0"
    r = check_claim(_claim(st, {"A": {"shape": [2, 2]}}), CONFIG)
    assert r.verdict is Verdict.REFUTED
    assert relation_fails(st, [], r.counterexample.to_json())


def test_tight_true_claim_is_never_refuted_by_rounding():
    c = _claim("eigmin(kron(B.T @ B, eye(m))) >= eigmin(B.T @ B)", {"B": {"shape": ["r", "k"]}},
               dims={"m": [1, 3], "r": [1, 2], "k": [3, 4]})
    for seed in (1, 2, 3):
        r = check_claim(c, CONFIG.with_(seed=seed))
        assert r.verdict is Verdict.HOLDS_NUMERICALLY, r.message
        assert r.evidence["tight_instances"] == r.evidence["instances_valid"]


def test_singular_instances_are_skipped_not_counterexamples():
    c = _claim(
        "inv(A) @ A == eye(n)", {"A": {"shape": ["n", "n"], "assume": ["rank_deficient"]}}, dims={"n": [2, 3]}
    )
    r = check_claim(c, CONFIG)
    assert r.verdict is Verdict.INCONCLUSIVE
    assert r.counterexample is None
    assert any("singular" in k for k in r.evidence["instances_skipped"])


def test_inverse_identity_skips_singular_and_holds():
    c = _claim("inv(A) @ A == eye(n)", {"A": {"shape": ["n", "n"]}}, dims={"n": [1, 3]})
    r = check_claim(c, CONFIG)
    assert r.verdict.holds


def test_given_conditions_restrict_instances():
    c = _claim("sqrt(x) * sqrt(x) == x", {"x": {}}, given=["x >= 0"])
    r = check_claim(c, CONFIG)
    assert r.verdict.holds
    c2 = _claim("sqrt(x**2) == x", {"x": {}})
    r2 = check_claim(c2, CONFIG)
    assert r2.verdict is Verdict.REFUTED
    assert relation_fails("sqrt(x**2) == x", [], r2.counterexample.to_json())


def test_exact_proof_and_counterexample_never_both_pass():
    # a false identity must never be 'proved'
    for st in ["kron(A, B) == kron(B, A)", "(A @ B).T == A.T @ B.T", "det(A + B) == det(A) + det(B)"]:
        r = check_claim(_claim(st, {"A": {"shape": [2, 2]}, "B": {"shape": [2, 2]}}), CONFIG)
        assert r.verdict is Verdict.REFUTED, st


def test_difference_below_the_working_tolerance_is_still_refuted_exactly():
    # at 50 digits the 1e-20 difference hides under the 1e30-scaled tolerance; exact arithmetic exposes it
    st = "(A + 10**30 * eye(2)) - 10**30 * eye(2) == A + 10**(-20) * eye(2)"
    r = check_claim(_claim(st, {"A": {"shape": [2, 2]}}), CONFIG)
    assert r.verdict is Verdict.REFUTED and r.evidence["recheck"] == "exact"
    assert relation_fails(st, [], r.counterexample.to_json())
