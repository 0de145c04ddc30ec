"""Public hypothesis strategies: every drawn value satisfies its assumptions exactly, and the
strategies reach the edges of the set (hypothesis.find locates each requested case)."""
from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, find, given, settings

from verify import Claim
from verify.claims.instances import instance_valid, satisfies
from verify.errors import ClaimError
from verify.linalg import rank, to_sympy
from verify.strategies import (
    boundary_instances,
    commuting_matrices,
    instances,
    matrices,
)

FIND = settings(max_examples=400, database=None, suppress_health_check=list(HealthCheck))
CLAIM = Claim(
    "c",
    "tr(A @ P) >= 0",
    dims={"n": [1, 3]},
    vars={
        "A": {"shape": ["n", "n"], "assume": ["psd"]},
        "P": {"shape": ["n", "n"], "assume": ["projector"]},
        "t": {"assume": ["positive"]},
    },
)


@settings(max_examples=25)
@given(matrices(["idempotent"], (3, 3)))
def test_idempotent_draws_are_idempotent(a):
    m = to_sympy(a)
    assert m * m == m


@settings(max_examples=25)
@given(instances(CLAIM))
def test_instances_satisfy_the_claim(inst):
    assert instance_valid(CLAIM, inst)
    assert 1 <= inst.dims["n"] <= 3 and inst.values["t"][0][0] > 0


@pytest.mark.parametrize("r", [0, 3])
def test_projectors_of_extreme_rank_are_found(r):
    p = find(matrices(["projector"], (3, 3)), lambda m: rank(m) == r, settings=FIND)
    assert rank(p) == r and to_sympy(p) ** 2 == to_sympy(p)


def test_tiny_eigenvalues_are_found():
    a = find(
        matrices(["pd"], (2, 2)), lambda m: 0 < to_sympy(m).det() < sympy.Rational(1, 10**30), settings=FIND
    )
    assert satisfies(Claim("c", "0 == 0", vars={"A": {"shape": [2, 2], "assume": ["pd"]}}).vars["A"], a)


@settings(max_examples=10)
@given(commuting_matrices(3, 3))
def test_commuting_matrices_commute(ms):
    s = [to_sympy(m) for m in ms]
    assert all(x * y == y * x for x in s for y in s)


@settings(max_examples=5)
@given(boundary_instances(CLAIM))
def test_boundary_instances_are_valid_pairs(pair):
    on, near = pair
    assert instance_valid(CLAIM, on) and instance_valid(CLAIM, near) and on.dims == near.dims


def test_bad_assumptions_fail_at_once():
    with pytest.raises(ClaimError, match="contradictory"):
        matrices(["nilpotent", "invertible"], (2, 2))
    with pytest.raises(ClaimError, match="unknown assumption"):
        matrices(["unitary"], (2, 2))
