"""Exact rational linear algebra: one home for rank, projectors and Fraction <-> SymPy.

Matrices here are lists of rows of ``fractions.Fraction`` (``Rows``).  Every function is exact:
no floating point, no tolerance.

Example
-------
>>> from fractions import Fraction as F
>>> projector([[F(1)], [F(1)]])
[[Fraction(1, 2), Fraction(1, 2)], [Fraction(1, 2), Fraction(1, 2)]]
>>> rank([[F(1), F(2)], [F(2), F(4)]])
1
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

Rows = list[list[Fraction]]


def to_sympy(rows: Sequence[Sequence[Fraction]]) -> Any:
    """The SymPy ``Matrix`` with the same rational entries."""
    import sympy

    return sympy.Matrix([[sympy.Rational(Fraction(v).numerator, Fraction(v).denominator) for v in r]
                         for r in rows])


def from_sympy(m: Any) -> Rows:
    """Rows of Fractions from a SymPy matrix whose entries are rational (raises otherwise)."""
    out: Rows = []
    for i in range(m.rows):
        row = []
        for j in range(m.cols):
            v = m[i, j]
            if not v.is_Rational:
                raise ValueError(f"entry ({i}, {j}) = {v} is not rational")
            row.append(Fraction(int(v.p), int(v.q)))
        out.append(row)
    return out


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """Exact rank (python-flint ``fmpq_mat``)."""
    import flint

    if not rows or not rows[0]:
        return 0
    return flint.fmpq_mat([[flint.fmpq(Fraction(v).numerator, Fraction(v).denominator) for v in r]
                           for r in rows]).rank()


def projector(rows: Sequence[Sequence[Fraction]]) -> Rows:
    """Orthogonal projector onto the column space of an r x c rational matrix: C (CᵀC)⁻¹ Cᵀ with C
    the pivot columns (exact).  A zero matrix gives the r x r zero projector."""
    m = to_sympy(rows)
    _, pivots = m.rref()
    if not pivots:
        return [[Fraction(0)] * m.rows for _ in range(m.rows)]
    c = m.extract(list(range(m.rows)), list(pivots))
    return from_sympy(c * (c.T * c).inv() * c.T)


def rational_to_json(v: Fraction | int) -> int | str:
    """One JSON rule for rationals: integers stay JSON integers, other rationals become "p/q"."""
    v = Fraction(v)
    return int(v) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
