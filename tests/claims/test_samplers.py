"""The instance samplers reach the whole assumption set: every test asserts that a specific part of
the set (a rank, a tiny or huge eigenvalue, a Jordan block, a repeated row, ...) actually occurs
among a fixed number of seeded draws, and that every draw satisfies its assumptions exactly."""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy

from verify import Claim
from verify.claims.instances import (
    boundary_pairs,
    commuting_group,
    instance_valid,
    is_psd,
    random_instance,
    satisfies,
)
from verify.errors import ClaimError
from verify.linalg import rank, to_sympy

DRAWS = 160


def _values(assume, shape=("n", "n"), dims=None, draws=DRAWS, seed=3):
    c = Claim("c", "A == A", dims=dims or {"n": [1, 4]}, vars={"A": {"shape": list(shape), "assume": assume}})
    rng = random.Random(seed)
    out = []
    for i in range(draws):
        inst = random_instance(c, rng, i)
        assert satisfies(c.vars["A"], inst.values["A"]), (assume, inst.values["A"])
        out.append(inst.values["A"])
    return out


def _eigs(rows):
    """Eigenvalues of a symmetric rational matrix at 120 digits (independent of the sampler)."""
    with mpmath.workdps(120):
        m = mpmath.matrix([[mpmath.mpf(v.numerator) / v.denominator for v in r] for r in rows])
        e = mpmath.eigsy(m, eigvals_only=True)
        return sorted(e[i] for i in range(len(rows)))


def test_projectors_of_every_rank_occur():
    vals = _values(["projector"], dims={"n": 4})
    assert {rank(v) for v in vals} == {0, 1, 2, 3, 4}
    assert all(
        v == [[Fraction(int(i == j)) for j in range(4)] for i in range(4)] for v in vals if rank(v) == 4
    )
    assert any(any(x.denominator > 1 for r in v for x in r) for v in vals)       # not only diagonal 0/1


def test_idempotents_of_every_rank_and_oblique_ones_occur():
    vals = _values(["idempotent"], dims={"n": 3})
    assert {rank(v) for v in vals} == {0, 1, 2, 3}
    assert any(v != [list(r) for r in zip(*v)] for v in vals)                     # not symmetric


def test_psd_eigenvalues_span_zero_tiny_and_huge():
    vals = _values(["psd"], dims={"n": 3})
    mins = [_eigs(v)[0] for v in vals]
    maxs = [_eigs(v)[-1] for v in vals]
    assert any(rank(v) < 3 for v in vals) and any(rank(v) == 0 for v in vals)
    assert any(0 < m < mpmath.mpf("1e-30") for m in mins)
    assert max(maxs) > 1e15
    assert all(m > -mpmath.mpf("1e-100") for m in mins)


def test_pd_reaches_tiny_eigenvalues_and_multiples_of_identity():
    vals = _values(["pd"], dims={"n": 3})
    mins = [_eigs(v)[0] for v in vals]
    assert all(m > 0 for m in mins) and all(rank(v) == 3 for v in vals)
    assert any(m < mpmath.mpf("1e-30") for m in mins)
    scalar_eye = [
        v for v in vals if all(v[i][j] == (v[0][0] if i == j else 0) for i in range(3) for j in range(3))
    ]
    assert any(v[0][0] != 1 for v in scalar_eye)                                  # c·I with c != 1
    assert any(len({round(float(x), 12) for x in _eigs(v)}) < 3 and v not in scalar_eye for v in vals)


def test_nsd_and_nd_are_negative_with_boundary_cases():
    nsd = _values(["nsd"], dims={"n": 3})
    assert all(_eigs(v)[-1] < mpmath.mpf("1e-100") for v in nsd)
    assert any(rank(v) < 3 for v in nsd)
    nd = _values(["nd"], dims={"n": 3})
    maxs = [_eigs(v)[-1] for v in nd]
    assert all(m < 0 for m in maxs) and any(m > -mpmath.mpf("1e-30") for m in maxs)


def test_symmetric_spectra_are_indefinite_and_wide():
    vals = _values(["symmetric"], dims={"n": 3})
    e = [_eigs(v) for v in vals]
    assert any(x[0] < 0 < x[-1] for x in e)
    assert any(0 < abs(x[0]) < mpmath.mpf("1e-30") or 0 < abs(x[1]) < mpmath.mpf("1e-30") for x in e)


def test_nilpotent_reaches_a_full_jordan_block_and_zero():
    vals = _values(["nilpotent"], dims={"n": 4})
    powers = [to_sympy(v) for v in vals]
    assert any(p**3 != sympy.zeros(4, 4) for p in powers)                         # index 4: one Jordan block
    assert any(p == sympy.zeros(4, 4) for p in powers)
    assert any(
        not all(p[i, j] == 0 for i in range(4) for j in range(i + 1)) for p in powers
    )  # not triangular


def test_rank_deficient_reaches_every_rank_below_full():
    vals = _values(["rank_deficient"], shape=(4, 5), dims={})
    assert {rank(v) for v in vals} == {0, 1, 2, 3}


def test_free_matrices_reach_zero_columns_repeated_rows_and_near_singular():
    vals = _values([], shape=(3, 3), dims={})
    assert any(all(r[j] == 0 for r in v) for v in vals for j in range(3))
    assert any(v[i] == v[k] and any(v[i]) for v in vals for i in range(3) for k in range(i))
    dets = [to_sympy(v).det() for v in vals]
    assert any(d == 0 for d in dets)
    assert any(0 < abs(d) < sympy.Rational(1, 10**8) for d in dets)
    assert max(abs(x) for v in vals for r in v for x in r) > 10**15


def test_invertible_includes_near_singular():
    vals = _values(["invertible"], shape=(3, 3), dims={})
    dets = [to_sympy(v).det() for v in vals]
    assert all(d != 0 for d in dets)
    assert any(abs(d) < sympy.Rational(1, 10**8) for d in dets)


def test_orthogonal_has_both_determinants_and_rotations():
    vals = _values(["orthogonal"], dims={"n": 3})
    dets = {to_sympy(v).det() for v in vals}
    assert dets == {1, -1}
    assert any(sum(1 for r in v for x in r if x != 0) > 3 for v in vals)


def test_entrywise_signed_structures():
    g = _values(["psd", "nonnegative"], dims={"n": 3})
    assert any(rank(v) < 3 for v in g) and all(x >= 0 for v in g for r in v for x in r)
    p = _values(["projector", "positive"], dims={"n": 3})
    assert all(rank(v) == 1 for v in p)
    nil = _values(["nilpotent", "nonnegative"], dims={"n": 3})
    assert any(to_sympy(v)**2 != sympy.zeros(3, 3) for v in nil)


def test_random_instances_sometimes_commute():
    c = Claim("c", "A == A", dims={"n": 3}, vars={"A": {"shape": ["n", "n"], "assume": ["symmetric"]},
                                               "B": {"shape": ["n", "n"], "assume": ["psd"]}})
    rng = random.Random(0)
    comm = 0
    for i in range(60):
        inst = random_instance(c, rng, i)
        a, b = to_sympy(inst.values["A"]), to_sympy(inst.values["B"])
        diag = a.is_diagonal() and b.is_diagonal()
        comm += a * b == b * a and not diag
    assert comm >= 2


@pytest.mark.parametrize("kind", ["symmetric", "polynomial"])
def test_commuting_groups_commute(kind):
    rng = random.Random(1)
    for _ in range(5):
        ms = [to_sympy(m) for m in commuting_group(rng, 3, 3, kind)]
        assert all(x * y == y * x for x in ms for y in ms)
        assert any(x * y != sympy.zeros(3, 3) for x in ms for y in ms)
    with pytest.raises(ValueError):
        commuting_group(rng, 3, 2, "other")


def test_boundary_pairs_sit_on_and_next_to_the_boundary():
    c = Claim("c", "A == A", dims={"n": 3}, vars={"A": {"shape": ["n", "n"], "assume": ["psd"]},
                                               "M": {"shape": ["n", "n"]}, "x": {"assume": ["nonnegative"]}})
    pairs = boundary_pairs(c, random.Random(2), 6)
    assert len(pairs) == 6
    for on, near in pairs:
        assert instance_valid(c, on) and instance_valid(c, near)
        assert rank(on.values["A"]) < 3 and rank(near.values["A"]) == rank(on.values["A"]) + 1
        assert _eigs(near.values["A"])[0] < mpmath.mpf("1e-7")
        assert rank(on.values["M"]) < 3
        assert on.values["x"] == [[0]] and 0 < near.values["x"][0][0] <= Fraction(1, 10**8)
    pd = Claim("c", "A == A", dims={"n": 2}, vars={"A": {"shape": ["n", "n"], "assume": ["pd"]}})
    for on, _near in boundary_pairs(pd, random.Random(2), 4):
        assert 0 < _eigs(on.values["A"])[0] <= mpmath.mpf("1e-59")


def test_is_psd_is_exact():
    f = Fraction
    assert is_psd([[f(1), f(1)], [f(1), f(1)]])
    assert not is_psd([[f(1), f(1)], [f(1), f(1) - f(1, 10**50)]])
    assert not is_psd([[f(0), f(1)], [f(1), f(5)]])
    assert is_psd([[f(0), f(0)], [f(0), f(0)]])


@pytest.mark.parametrize("pair", [["nd", "psd"], ["nilpotent", "invertible"], ["idempotent", "full_rank"],
                                  ["nilpotent", "symmetric"], ["nsd", "nonnegative"]])
def test_contradictory_new_assumptions_are_rejected(pair):
    with pytest.raises(ClaimError, match="contradictory"):
        Claim("c", "A == A", vars={"A": {"shape": [2, 2], "assume": pair}})
