"""Matrix premises in ``given``: recognition, constructions that satisfy them exactly, rigorous
decisions (never by a tolerance), the per-premise evidence, and verdicts with and without them."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy

from verify import CheckConfig, Claim, check_claim
from verify.claims.construct import (
    commuting_pair,
    nilpotent_of_index,
    nullspace,
    orthonormal,
    product_zero_pair,
)
from verify.claims.instances import instance_valid, random_instance
from verify.linalg import rank, to_sympy
from tests.independent import evaluate, relation_fails, to_value

SQ = {"shape": ["n", "n"]}


def _claim(statement, given, dims=None, **vars):
    return Claim("t", statement, dims=dims or {"n": [2, 3]}, vars=vars or {"A": SQ, "B": SQ}, given=given)


@pytest.mark.parametrize("given, kind, names", [
    ("A @ B == B @ A", "commute", ("A", "B")),
    ("B @ A == A @ B", "commute", ("B", "A")),
    ("A @ A == A", "idempotent", ("A",)),
    ("A == A**2", "idempotent", ("A",)),
    ("A @ A == eye(n)", "involutory", ("A",)),
    ("A.T @ A == eye(n)", "orthogonal", ("A",)),
    ("A.T == A", "symmetric", ("A",)),
    ("A.T == -A", "skew_symmetric", ("A",)),
    ("A + A.T == zeros(n, n)", "skew_symmetric", ("A",)),
    ("A**3 == zeros(n, n)", "nilpotent", ("A",)),
    ("A @ B == zeros(n, n)", "product_zero", ("A", "B")),
    ("A.T @ B == zeros(n, n)", "product_zero", ("A", "B")),
    ("A @ B == 2 * B @ A", "other", ()),
    ("tr(A) >= 0", "other", ()),
])
def test_premise_kinds(given, kind, names):
    p = _claim("A == A", [given]).premises[0]
    assert (p.kind, p.names) == (kind, names)


def test_scalar_premise_kind_and_sampling_assumptions():
    c = Claim("t", "a == a", vars={"a": {}, "A": {"shape": [2, 2]}}, given=["a >= 0", "A @ A == A"])
    assert [p.kind for p in c.premises] == ["scalar", "idempotent"]
    assert c.vars["A"].sample_assume == ("idempotent",) and c.vars["A"].assume == ()


def test_premise_contradicting_an_assumption_is_not_folded():
    c = Claim("t", "A == A", dims={"n": 2}, vars={"A": {"shape": ["n", "n"], "assume": ["invertible"]}},
              given=["A @ A == A"])
    assert c.vars["A"].sample_assume == ()


def _sides_equal_exactly(text: str, dims: dict, values: dict) -> bool:
    """Both sides of an equality evaluated by tests/independent.py (SymPy, exact), compared exactly."""
    import ast

    env = {k: sympy.Matrix([[v]]) for k, v in dims.items()}
    env.update({k: to_value(v) for k, v in values.items()})
    tree = ast.parse(text, mode="eval").body
    return evaluate(tree.left, env) == evaluate(tree.comparators[0], env)


def _is_poly_in(a, b) -> bool:
    """Is b in span{I, a, a², ..., a^(n-1)}?"""
    n = a.shape[0]
    cols = [sympy.eye(n)]
    for _ in range(n - 1):
        cols.append(cols[-1] * a)
    m = sympy.Matrix.hstack(*[c.reshape(n * n, 1) for c in cols])
    return m.rank() == sympy.Matrix.hstack(m, b.reshape(n * n, 1)).rank()


def _defective(a) -> bool:
    """Not diagonalisable at a rational eigenvalue λ: rank(A - λI) > rank((A - λI)²) (exact)."""
    x = sympy.Symbol("x")
    _, factors = sympy.factor_list(a.charpoly(x).as_expr())
    for f, _mult in factors:
        if sympy.degree(f, x) == 1:
            lam = sympy.solve(f, x)[0]
            m = a - lam * sympy.eye(a.shape[0])
            if m.rank() > (m * m).rank():
                return True
    return False


def test_commuting_pairs_commute_exactly_and_reach_non_polynomial_and_jordan_pairs():
    rng = random.Random(3)
    non_poly = jordan = 0
    for _ in range(60):
        a, b = (to_sympy(m) for m in commuting_pair(rng, 3))
        assert a * b == b * a
        non_poly += not _is_poly_in(a, b)
        jordan += _defective(a) or _defective(b)
    assert non_poly >= 5 and jordan >= 5          # B outside span{I, A, A²}; a non-diagonalisable member


def test_product_zero_pairs_reach_every_rank_split():
    rng = random.Random(5)
    splits = set()
    for _ in range(80):
        a, b = product_zero_pair(rng, 3, 3, 2)
        assert to_sympy(a) * to_sympy(b) == sympy.zeros(3, 2)
        splits.add((rank(a), rank(b)))
    assert {(0, 2), (1, 2), (2, 1), (3, 0)} <= splits


def test_nullspace_is_exact():
    a = [[Fraction(1), Fraction(2), Fraction(3)], [Fraction(2), Fraction(4), Fraction(6)]]
    ns = to_sympy(nullspace(a))
    assert ns.shape == (3, 2) and to_sympy(a) * ns == sympy.zeros(2, 2) and ns.rank() == 2


def test_orthonormal_columns_and_nilpotent_index():
    rng = random.Random(1)
    q = to_sympy(orthonormal(rng, 4, 2))
    assert q.T * q == sympy.eye(2)
    exact_index = 0
    for _ in range(40):
        a = to_sympy(nilpotent_of_index(rng, 4, 2))
        assert a * a == sympy.zeros(4, 4)
        exact_index += a != sympy.zeros(4, 4)
    assert exact_index >= 20


@pytest.mark.parametrize("given", ["A @ B == B @ A", "A @ B == zeros(n, n)", "A @ A == A", "A @ A == eye(n)",
                                   "A.T @ A == eye(n)", "A**2 == zeros(n, n)", "A.T == -A"])
def test_generated_instances_satisfy_recognised_premises(given):
    c = _claim("A == A", [given])
    rng = random.Random(7)
    for i in range(25):
        inst = random_instance(c, rng, i)
        assert _sides_equal_exactly(given, inst.dims, inst.values), (given, inst.values)


@pytest.mark.parametrize("assume", [["orthogonal"], ["permutation"], ["involutory"], ["stochastic"], ["psd"]])
def test_structured_pairs_that_must_commute_are_generated(assume):
    v = {"shape": ["n", "n"], "assume": assume}
    c = _claim("A == A", ["A @ B == B @ A"], A=v, B=v)
    rng = random.Random(2)
    held = sum(_sides_equal_exactly("A @ B == B @ A", inst.dims, inst.values)
               for inst in (random_instance(c, rng, i) for i in range(20)) if instance_valid(c, inst))
    assert held == 20


def test_null_vector_premise():
    c = _claim("A == A", ["A @ x == zeros(n, 1)"], A=SQ, x={"shape": ["n", 1]})
    rng = random.Random(4)
    nonzero = 0
    for i in range(20):
        inst = random_instance(c, rng, i)
        assert _sides_equal_exactly("A @ x == zeros(n, 1)", inst.dims, inst.values)
        nonzero += any(v != 0 for row in inst.values["x"] for v in row)
    assert nonzero >= 8                      # x spans the null space, not only x = 0


def _run(c, k=8):
    return check_claim(c, CheckConfig(instances=k, seed=1, time_limit=60))


def test_commuting_exponential_holds_only_with_the_premise():
    with_premise = _run(_claim("expm(A + B) == expm(A) @ expm(B)", ["A @ B == B @ A"]))
    assert with_premise.verdict.value in ("certified", "holds_numerically")
    prem = with_premise.evidence["premises"][0]
    assert prem["kind"] == "commute" and prem["fraction_held"] == 1.0 and prem["held_rigorously"] >= 8
    without = _run(_claim("expm(A + B) == expm(A) @ expm(B)", []))
    assert without.verdict.value == "refuted"


def test_false_claim_under_a_premise_is_refuted_by_an_instance_satisfying_it():
    r = _run(_claim("(A - B) @ (A + B) == A**2 - B**2 + A @ B", ["A @ B == B @ A"]))
    assert r.verdict.value == "refuted"
    cx = r.counterexample
    assert _sides_equal_exactly("A @ B == B @ A", cx.dims, cx.values)
    assert relation_fails("(A - B) @ (A + B) == A**2 - B**2 + A @ B", ["A @ B == B @ A"],
                          {"dims": cx.dims, "values": cx.values})


def test_unrecognised_premise_says_no_instance_satisfied_it():
    r = _run(_claim("A @ B == B @ A", ["A @ B == 2 * B @ A + eye(n)"]))
    assert r.verdict.value == "inconclusive"
    assert r.message.startswith("no instance satisfied the premise 'A @ B == 2 * B @ A + eye(n)'")
    assert r.evidence["premises"][0]["held"] == 0


def test_an_equality_premise_is_never_satisfied_by_a_tolerance():
    # true for every A, but expm has no exact value and balls cannot show a matrix equality: undecided
    r = _run(_claim("tr(A @ A.T) >= 0", ["expm(A + eye(n)) == exp(1) * expm(A)"]), k=4)
    assert r.verdict.value == "inconclusive"
    prem = r.evidence["premises"][0]
    assert prem["held"] == 0 and prem["undecided"] == prem["tried"] > 0
    assert "no instance satisfied the premise" in r.message
