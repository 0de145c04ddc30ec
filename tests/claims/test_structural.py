"""Structural assumptions (diagonal, triangular, skew_symmetric, permutation, stochastic, toeplitz,
circulant, involutory): every draw has the structure (checked here with SymPy, independently of
``satisfies``), the draws spread over the set (ranks, spectra, every permutation), and
contradictory or unsupported combinations are one-line errors."""
from __future__ import annotations

import random
from itertools import permutations

import pytest
import sympy

from verify import Claim
from verify.claims.instances import instance_valid, random_instance
from verify.claims.model import COMPANIONS, STRUCTURAL
from verify.errors import ClaimError
from verify.linalg import to_sympy


def _draws(assume, n=3, count=60, shape=None):
    c = Claim("t", "A == A", dims={"n": n}, vars={"A": {"shape": shape or ["n", "n"], "assume": assume}})
    rng = random.Random(11)
    out = []
    for i in range(count):
        inst = random_instance(c, rng, i)
        assert instance_valid(c, inst), (assume, inst.values)
        out.append(to_sympy(inst.values["A"]))
    return out


STRUCTURE = {
    "diagonal": lambda m: m.is_diagonal(),
    "upper_triangular": lambda m: m.is_upper,
    "lower_triangular": lambda m: m.is_lower,
    "skew_symmetric": lambda m: m.T == -m,
    "permutation": lambda m: all(x in (0, 1) for x in m) and all(sum(m.row(i)) == 1 for i in range(m.rows))
    and all(sum(m.col(j)) == 1 for j in range(m.cols)),
    "stochastic": lambda m: all(x >= 0 for x in m) and all(sum(m.row(i)) == 1 for i in range(m.rows)),
    "toeplitz": lambda m: all(m[i, j] == m[i - 1, j - 1]
                              for i in range(1, m.rows) for j in range(1, m.cols)),
    "circulant": lambda m: all(m[i, j] == m[0, (j - i) % m.rows]
                               for i in range(m.rows) for j in range(m.cols)),
    "involutory": lambda m: m * m == sympy.eye(m.rows),
}


@pytest.mark.parametrize("name", STRUCTURAL)
def test_every_draw_has_the_structure(name):
    for m in _draws([name], n=4, count=40):
        assert STRUCTURE[name](m), (name, m)


@pytest.mark.parametrize("name", STRUCTURAL)
def test_every_supported_pair_is_generated(name):
    for other in sorted(COMPANIONS[name]):
        draws = _draws([name, other], n=4, count=12)
        for m in draws:
            assert STRUCTURE[name](m)
            if other in STRUCTURE:
                assert STRUCTURE[other](m), (name, other, m)


def test_spread_of_ranks_and_spectra():
    assert {m.rank() for m in _draws(["diagonal"], n=3, count=150)} == {0, 1, 2, 3}
    assert {m.rank() for m in _draws(["upper_triangular"], n=3, count=150)} == {0, 1, 2, 3}
    assert {m.rank() for m in _draws(["skew_symmetric"], n=4)} == {0, 2, 4}
    assert {m.rank() for m in _draws(["stochastic"], n=3)} >= {1, 2, 3}
    assert {m.rank() for m in _draws(["circulant"], n=3, count=100)} == {0, 1, 2, 3}
    assert {m.rank() for m in _draws(["toeplitz"], n=3, count=100)} == {0, 1, 2, 3}
    assert {m.trace() for m in _draws(["involutory"], n=3)} == {-3, -1, 1, 3}
    # non-diagonalisable triangular matrices (Jordan blocks) are reached
    assert any(not m.is_diagonalizable() for m in _draws(["upper_triangular"], n=3, count=25))


def test_every_permutation_and_every_involution_is_reached():
    perms = {tuple(tuple(r) for r in m.tolist()) for m in _draws(["permutation"], n=3, count=120)}
    assert len(perms) == 6
    inv = {tuple(tuple(r) for r in m.tolist()) for m in _draws(["permutation", "symmetric"], n=3, count=120)}
    assert len(inv) == 4                                     # I and the three transpositions
    assert all(sympy.Matrix(p) == sympy.Matrix(p).T for p in inv)
    assert len(list(permutations(range(3)))) == 6


def test_rectangular_stochastic_and_toeplitz():
    for m in _draws(["stochastic"], shape=[2, 4]):
        assert STRUCTURE["stochastic"](m) and m.shape == (2, 4)
    for m in _draws(["toeplitz", "rank_deficient"], shape=[3, 4], count=20):
        assert STRUCTURE["toeplitz"](m) and m.rank() < 3


@pytest.mark.parametrize("assume, words", [
    (["skew_symmetric", "symmetric"], "the only symmetric skew-symmetric matrix is 0"),
    (["permutation", "rank_deficient"], "a permutation matrix is invertible"),
    (["upper_triangular", "psd"], "upper_triangular together with psd is not supported"),
    (["stochastic", "nilpotent"], "a stochastic matrix has the eigenvalue 1"),
])
def test_contradictions_are_one_line_errors(assume, words):
    with pytest.raises(ClaimError) as e:
        Claim("t", "A == A", dims={"n": 3}, vars={"A": {"shape": ["n", "n"], "assume": assume}})
    assert words in str(e.value) and "\n" not in str(e.value)


def test_square_only_structures_need_a_square_shape():
    with pytest.raises(ClaimError, match="needs a square shape"):
        Claim("t", "A == A", dims={"n": 3, "m": 2},
              vars={"A": {"shape": ["n", "m"], "assume": ["circulant"]}})
