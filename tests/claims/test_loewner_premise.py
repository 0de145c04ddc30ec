"""The Loewner-order premise ``eigmin(A - B) >= 0`` (A ⪰ B): recognised, and instances constructed as
A = B + M Mᵀ so that claims under it are decided on instances that satisfy it (random pd pairs
almost never do, and then a false claim such as A ⪰ B ⇒ A² ⪰ B² used to 'hold numerically')."""

from __future__ import annotations

import itertools
import random

import pytest
import sympy

from tests.independent import relation_fails
from verify import CheckConfig, Claim, check_claim
from verify.claims.instances import random_instance
from verify.linalg import to_sympy

PD = {"shape": ["n", "n"], "assume": ["pd"]}
PSD = {"shape": ["n", "n"], "assume": ["psd"]}
SYM = {"shape": ["n", "n"], "assume": ["symmetric"]}


def _claim(statement, given, dims=None, **vars):
    return Claim("t", statement, dims=dims or {"n": [2, 3]}, vars=vars or {"A": PD, "B": PD}, given=given)


@pytest.mark.parametrize("given, kind, power", [
    ("eigmin(A - B) >= 0", "loewner", 0), ("eigmin(A - B) > 0", "loewner", 1),
    ("eigmin(A + B) >= 0", "other", 0), ("eigmin(A - B) >= 1", "other", 0),
])
def test_loewner_kind(given, kind, power):
    p = _claim("A == A", [given]).premises[0]
    assert (p.kind, p.power) == (kind, power)
    if kind == "loewner":
        assert p.names == ("A", "B")


def _psd_exactly(m: sympy.Matrix) -> bool:
    """Every principal minor >= 0 (exact; n <= 3)."""
    n = m.rows
    return m == m.T and all(m.extract(list(s), list(s)).det() >= 0
                            for k in range(1, n + 1) for s in itertools.combinations(range(n), k))


@pytest.mark.parametrize("a, b, given", [(PD, PD, ">= 0"), (PD, PSD, "> 0"), (PSD, PSD, ">= 0"),
                                         (SYM, SYM, ">= 0"), (SYM, PD, ">= 0")])
def test_constructed_pairs_are_ordered_and_keep_their_assumptions(a, b, given):
    c = _claim("A == A", [f"eigmin(A - B) {given}"], A=a, B=b)
    rng = random.Random(3)
    strict_ranks = set()
    for i in range(20):
        inst = random_instance(c, rng, i)
        A, B = to_sympy(inst.values["A"]), to_sympy(inst.values["B"])
        assert _psd_exactly(A - B), (A, B)
        assert A == A.T
        if "pd" in a["assume"]:
            assert all(A[:k, :k].det() > 0 for k in range(1, A.rows + 1))
        if "psd" in a["assume"]:
            assert _psd_exactly(A)
        strict_ranks.add((A - B).rank() == A.rows)
    # a strict order has regular increments only; otherwise singular and regular ones both occur
    assert strict_ranks == ({True} if given == "> 0" else {True, False})


def _run(c):
    return check_claim(c, CheckConfig(instances=8, seed=1, time_limit=30))


def test_square_is_not_operator_monotone_and_inverse_is_antitone():
    wrong = _run(_claim("eigmin(A @ A - B @ B) >= 0", ["eigmin(A - B) >= 0"], dims={"n": 2}))
    assert wrong.verdict.value == "refuted"
    cx = wrong.counterexample
    assert relation_fails("eigmin(A @ A - B @ B) >= 0", ["eigmin(A - B) >= 0"],
                          {"dims": cx.dims, "values": cx.values})
    true = _run(_claim("det(A) >= det(B)", ["eigmin(A - B) >= 0"]))
    assert true.verdict.value in ("certified", "holds_numerically"), true.message
    assert true.evidence["instances_valid"] >= 8
