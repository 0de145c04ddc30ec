"""unit(n, i) and entry(A, i, j): 1-based, integer or dimension indices, exact values in every field,
out-of-range indices and A[i, j] are one-line errors."""
from __future__ import annotations

from fractions import Fraction

import pytest

from verify import CheckConfig, Claim, check_claim
from verify.claims.instances import Instance
from verify.engines.numeric import decide_ball, decide_exact, decide_mp
from verify.errors import ClaimError
from verify.language.parser import parse_relation

A = [[Fraction(1), Fraction(2), Fraction(3)], [Fraction(4), Fraction(5), Fraction(6)]]


@pytest.mark.parametrize("text", [
    "entry(A, 2, 3) == 6", "entry(A, 1, 2) == 2", "entry(A.T, 3, 1) == 3",
    "A @ unit(3, 2) == vstack(2, 5)", "unit(2, 1).T @ A @ unit(3, 3) == 3", "entry(A, n, n + 1) == 6",
])
def test_values_in_every_field(text):
    inst = Instance({"n": 2}, {"A": A})
    rel = parse_relation(text)
    assert decide_exact(rel, inst).status == "holds"
    assert decide_ball(rel, inst, 30).status == "holds"
    assert decide_mp(rel, inst, 30).status in ("holds", "tight")
    wrong = parse_relation(text.replace("==", "== 2 *"))
    assert decide_exact(wrong, inst).status == "violated"


@pytest.mark.parametrize("statement, words", [
    ("entry(A, 3, 1) == 0", "index (3, 1) is outside 1..2 x 1..3"),
    ("entry(A, 1, 0) == 0", "index (1, 0) is outside"),
    ("A @ unit(3, 4) == A @ unit(3, 1)", "index 4 is outside 1..3"),
])
def test_out_of_range_is_a_one_line_error(statement, words):
    c = Claim("t", statement, vars={"A": {"shape": [2, 3]}})
    r = check_claim(c, CheckConfig(instances=2))
    assert r.verdict.value == "error" and words in r.message and "\n" not in r.message


def test_indices_must_be_integer_expressions_and_brackets_stay_for_families():
    with pytest.raises(ClaimError, match="must be an integer expression"):
        parse_relation("entry(A, 1/2, 1) == 0")
    with pytest.raises(ClaimError, match=r"entry\(A, i, j\)"):
        parse_relation("A[1, 2] == 0")


def test_gradient_of_an_entry_is_a_unit_matrix():
    c = Claim("t", "grad(entry(A, 2, 1), A) == unit(2, 2) @ unit(3, 1).T", vars={"A": {"shape": [2, 3]}})
    assert check_claim(c, CheckConfig(instances=3)).verdict.value == "proved"
