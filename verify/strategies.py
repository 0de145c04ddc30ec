"""Hypothesis strategies for structured matrices and claim instances (exact rationals).

The same maps and samplers that ``verify check`` uses (``verify.claims.instances``), exposed for
property-based tests of your own code.  Values are lists of rows of ``fractions.Fraction``;
``verify.linalg.to_sympy`` turns them into SymPy matrices.

* ``raw_numbers()``: rationals from small integers and fractions to 10^-40 .. 10^20 (shrink to 0);
* ``matrices(assume, shape)``: an r x c matrix satisfying every assumption in ``assume`` (the names
  of ``verify.claims.ASSUMPTIONS``), checked exactly; half the draws are free raw lists (shrinkable),
  half come from the wide samplers (every projector rank, eigenvalues down to 10^-40, Jordan blocks,
  zero columns, repeated rows, near-singular);
* ``instances(claim)``: an ``Instance`` (dims and values) satisfying every variable's assumptions
  and, by construction, the recognised matrix premises of ``given`` (``A @ B == B @ A``,
  ``A @ B == zeros(r, c)``, ``A @ A == A``, ...: ``verify.claims.premises``); other given
  conditions are not enforced: filter those yourself;
* ``commuting_matrices(n, count)``: pairwise commuting n x n matrices;
* ``boundary_instances(claim)``: a pair (on the boundary of the assumption set, 10^-k inside).

Example
-------
>>> from hypothesis import given
>>> from verify.strategies import matrices
>>> @given(matrices(["psd"], (3, 3)))
... def test_trace_nonnegative(a):
...     assert sum(a[i][i] for i in range(3)) >= 0
>>> test_trace_nonnegative()
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

from hypothesis import strategies as st

from .claims.instances import (
    STYLES,
    Instance,
    Rows,
    boundary_pairs,
    build_value,
    commuting_group,
    instance_valid,
    make_instance,
    n_params,
    sample_dims,
    sample_raw,
    satisfies,
    shape_of,
)
from .claims.model import Claim, Var

__all__ = ["boundary_instances", "commuting_matrices", "instances", "matrices", "raw_numbers"]


def raw_numbers() -> st.SearchStrategy[Fraction]:
    """Raw parameters: small integers, simple fractions, two-digit decimals and ±d·10^e, e in -40..20."""
    return st.one_of(
        st.integers(-3, 3).map(Fraction),
        st.tuples(st.integers(-20, 20), st.integers(1, 12)).map(lambda t: Fraction(t[0], t[1])),
        st.integers(-999, 999).map(lambda k: Fraction(k, 100)),
        st.tuples(st.integers(-9, 9), st.integers(-40, 20)).map(lambda t: t[0] * Fraction(10) ** t[1]),
    )


def _var(assume: Sequence[str], shape: tuple[int, int] | None) -> Var:
    c = Claim(
        "strategy", "0 == 0", vars={"A": {"shape": list(shape) if shape else None, "assume": list(assume)}}
    )
    return c.vars["A"]


@st.composite
def _raw(draw, var: Var, shape: tuple[int, int]) -> list[Fraction]:
    n = n_params(var, shape)
    if draw(st.booleans()):
        return draw(st.lists(raw_numbers(), min_size=n, max_size=n))
    style = draw(st.sampled_from(STYLES))
    seed = draw(st.integers(0, 2**32 - 1))
    return sample_raw(var, shape, random.Random(seed), style)


def matrices(assume: Sequence[str] = (), shape: tuple[int, int] | None = (3, 3)) -> st.SearchStrategy[Rows]:
    """r x c rational matrices (1 x 1 for ``shape=None``: a scalar) satisfying ``assume`` exactly.

    Raises ``verify.errors.ClaimError`` at once for unknown or contradictory assumptions."""
    var = _var(assume, shape)
    real_shape = shape_of(var, {})
    return _raw(var, real_shape).map(lambda raw: build_value(var, real_shape, raw)).filter(
        lambda m: satisfies(var, m))


@st.composite
def instances(draw, claim: Claim) -> Instance:
    """Instances of ``claim``: dims drawn from their ranges, values satisfying the assumptions."""
    dims = sample_dims(claim, random.Random(draw(st.integers(0, 2**32 - 1))), draw(st.integers(0, 7)))
    raw = {name: draw(_raw(var, shape_of(var, dims))) for name, var in claim.vars.items()}
    inst = make_instance(claim, dims, raw)
    if not instance_valid(claim, inst):
        from hypothesis import reject

        reject()
    return inst


def commuting_matrices(n: int, count: int = 2, kind: str = "symmetric") -> st.SearchStrategy[list[Rows]]:
    """``count`` pairwise commuting n x n matrices: shared eigenvectors (``symmetric``) or
    polynomials in one matrix (``polynomial``)."""
    return st.integers(0, 2**32 - 1).map(lambda s: commuting_group(random.Random(s), n, count, kind))


def boundary_instances(claim: Claim) -> st.SearchStrategy[tuple[Instance, Instance]]:
    """Pairs (on, near) from ``verify.claims.instances.boundary_pairs``."""
    return st.integers(0, 2**32 - 1).map(lambda s: boundary_pairs(claim, random.Random(s), 1)).filter(
        bool).map(lambda pairs: pairs[0])
