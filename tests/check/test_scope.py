"""Scope syntax and what ``proved`` covers: exactly the shapes decided, never more."""

import pytest

from tests.independent import relation_fails
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.claims.model import DimScope
from verify.errors import ClaimError

FAST = CheckConfig(seed=3, instances=6, search_examples=60, time_limit=20)


def test_scope_forms_parse():
    c = Claim(
        "c",
        "tr(A) == tr(A.T)",
        dims={"n": "any", "m": {"min": 2}, "k": [1, 3], "p": 2},
        vars={"A": {"shape": ["n", "n"]}},
    )
    assert c.scope["n"] == DimScope("unbounded", 1, None, (1, 5))
    assert c.scope["m"] == DimScope("unbounded", 2, None, (2, 6))
    assert c.scope["k"] == DimScope("range", 1, 3, (1, 3))
    assert c.scope["p"] == DimScope("fixed", 2, 2, (2, 2))
    assert c.dims == {"n": (1, 5), "m": (2, 6), "k": (1, 3), "p": 2}
    assert c.scope_size() is None
    c2 = Claim("c", "x >= 0", dims={"n": {"min": 3, "sample": [4, 7]}}, vars={"x": {}})
    assert c2.dims == {"n": (4, 7)} and c2.describe_scope() == {"n": ">= 3 (sampled on [4, 7])"}


@pytest.mark.parametrize(
    "spec",
    ["all", {"min": 0}, {"min": 2, "sample": [1, 3]}, {"max": 3}, [3, 1], 0, {"min": 2, "sample": [2]}],
)
def test_bad_scopes_are_one_line_errors(spec):
    with pytest.raises(ClaimError) as e:
        Claim("c", "x >= 0", dims={"n": spec}, vars={"x": {}})
    assert "\n" not in str(e.value) and "dimension n" in str(e.value)


# tr(A) (n-1)(n-2)(n-3) == 0 holds for n in {1, 2, 3} and fails at n = 4
STMT = "tr(A) * (n - 1) * (n - 2) * (n - 3) == 0"


def test_identity_false_only_at_the_top_of_the_range_is_refuted_not_proved():
    c = Claim("c", STMT, dims={"n": [1, 4]}, vars={"A": {"shape": ["n", "n"]}})
    r = check_claim(c, FAST)
    assert r.verdict is Verdict.REFUTED, r.message
    cx = r.counterexample.to_json()
    assert cx["dims"] == {"n": 4}
    assert relation_fails(STMT, [], cx)
    assert r.evidence["proved_scope"] != "all"


def test_identity_on_its_whole_finite_scope_is_proved():
    c = Claim("c", STMT, dims={"n": [1, 3]}, vars={"A": {"shape": ["n", "n"]}})
    r = check_claim(c, FAST)
    assert r.verdict is Verdict.PROVED
    assert r.evidence["proved_scope"] == "all"
    assert r.evidence["exact"]["proved_shapes"] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert r.evidence["scope"] == {"n": "[1, 3]"}


def test_unbounded_scope_is_never_proved_from_a_few_shapes():
    # det is outside the generic prover's fragment: SymPy on a few shapes is evidence, not a proof
    c = Claim(
        "c",
        "det(A @ B) == det(A) * det(B)",
        dims={"n": {"min": 1, "sample": [1, 3]}},
        vars={"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}},
    )
    r = check_claim(c, FAST)
    assert r.verdict in (Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY), r.message
    assert r.evidence["scope"] == {"n": ">= 1 (sampled on [1, 3])"}
    assert r.evidence["proved_scope"] != "all"
    assert "sampled instances" in r.message and r.evidence["exact"]["proved_shapes"]


def test_exact_proof_on_some_shapes_is_evidence_only():
    # det of a 6x6 symbolic matrix is not expanded: the scope is not covered, the instances decide
    c = Claim(
        "c", "det(kron(A, B)) == det(A)**2 * det(B)**3", vars={"A": {"shape": [3, 3]}, "B": {"shape": [2, 2]}}
    )
    r = check_claim(c, FAST)
    assert r.verdict is not Verdict.PROVED
    assert r.verdict.holds or r.verdict is Verdict.INCONCLUSIVE
