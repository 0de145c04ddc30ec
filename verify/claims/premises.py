"""Matrix premises in ``given``: recognised shapes, and what the sampler makes of them.

A given condition ``lhs == rhs`` between matrices is decided on every instance like any other given:
exactly (rational arithmetic) or by a rigorous ball enclosure; an equality that neither decides is
*undecided* and the instance is skipped, never taken as satisfied by a tolerance
(``verify.engines.numeric.given_grades``).  Random matrices almost never satisfy an equality, so
the sampler *constructs* instances that satisfy the common shapes exactly, with rational entries:

==================  ==========================================  ===========================================
kind                premise (either side order)                  construction
==================  ==========================================  ===========================================
``commute``         ``A @ B == B @ A``                           B = p(A) (polynomial, degree <= 3), or
                                                                 A = S J_A S⁻¹, B = S J_B S⁻¹ with J_A, J_B
                                                                 block diagonal: λ_k I beside an arbitrary
                                                                 block (shared eigenvectors, repeated
                                                                 eigenvalues) or a Jordan block beside a
                                                                 polynomial in it; for a structured A, B in
                                                                 A's commutant (arbitrary on eigenspaces)
``product_zero``    ``A @ B == zeros(r, c)`` (factors may be     A = M diag(1_s, 0) S⁻¹,
                    transposed)                                  B = S diag(0, 1_(k-s)) N (complementary
                                                                 spaces, every split s), or
                                                                 B from the exact null space of a given A
``idempotent``      ``A @ A == A``, ``A**2 == A``                sampled as ``idempotent``
``involutory``      ``A @ A == eye(n)``, ``A**2 == eye(n)``      sampled as ``involutory``
``orthogonal``      ``A.T @ A == eye(k)``, ``A @ A.T == eye(r)`` square: sampled as ``orthogonal``; else
                                                                 the first columns (rows) of a rational
                                                                 Cayley orthogonal matrix
``symmetric``       ``A.T == A``                                 sampled as ``symmetric``
``skew_symmetric``  ``A.T == -A``, ``A + A.T == zeros(n, n)``    sampled as ``skew_symmetric``
``nilpotent``       ``A**k == zeros(n, n)``, ``A @ A == zeros``  S J S⁻¹, J Jordan blocks of size <= k
``loewner``         ``eigmin(A - B) >= 0`` (or ``> 0``), i.e.     A = B + S, S = M Mᵀ psd of a random rank
                    A ⪰ B, for symmetric / psd / pd A, B         (full rank for ``> 0`` or when A is pd
                                                                 and B is not), B as sampled
``other``           any other matrix equality                    none: random instances, filtered
``scalar``          a scalar relation                            none (scalar boundary points elsewhere)
==================  ==========================================  ===========================================

Premises that say the same as an assumption are folded into the variable's *sampling* assumptions
(``Var.sample_assume``), never into its assumptions: the instance is still checked against the
given, exactly.  A construction that would break a variable's own assumptions is not used for that
variable (it stays as sampled, and the given filters it).  Constructions are deterministic
functions of the raw parameters, so the counterexample search moves through premise-satisfying
instances too.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..language.parser import Node, Relation

# premise kinds that are exactly an assumption of the variable (sampled as that assumption)
ASSUMPTION_KINDS = {"idempotent", "involutory", "symmetric", "skew_symmetric"}
PREMISE_KINDS = ("commute", "product_zero", "idempotent", "involutory", "orthogonal", "symmetric",
                 "skew_symmetric", "nilpotent", "loewner", "other", "scalar")


@dataclass(frozen=True)
class Premise:
    """A recognised given: ``kind`` (``PREMISE_KINDS``), the variables it ties (``names``; for
    ``product_zero`` the two factors, with ``transposed`` saying which appear transposed), and
    ``power`` (the k of ``A**k == 0``; 0 when not a power)."""

    kind: str
    text: str
    names: tuple[str, ...] = ()
    transposed: tuple[bool, ...] = ()
    power: int = 0


def _name(n: Node) -> str | None:
    return n.value if n.op == "name" else None  # type: ignore[return-value]


def _factor(n: Node) -> tuple[str, bool] | None:
    """A variable or its transpose: (name, transposed)."""
    if n.op == "name":
        return n.value, False  # type: ignore[return-value]
    if n.op == "T" and n.args[0].op == "name":
        return n.args[0].value, True  # type: ignore[return-value]
    return None


def _is_zero(n: Node) -> bool:
    return (n.op == "call" and n.value == "zeros") or (n.op == "num" and n.value == 0)


def _is_eye(n: Node) -> bool:
    return n.op == "call" and n.value == "eye"


def _square_of(n: Node) -> str | None:
    """``X @ X`` or ``X**2``: X."""
    if n.op == "matmul" and _name(n.args[0]) and _name(n.args[0]) == _name(n.args[1]):
        return _name(n.args[0])
    if n.op == "pow" and _name(n.args[0]) and n.args[1].op == "num" and n.args[1].value == 2:
        return _name(n.args[0])
    return None


def _power_of(n: Node) -> tuple[str, int] | None:
    """``X**k`` (k >= 2 an integer) or ``X @ X``: (X, k)."""
    if n.op == "pow" and _name(n.args[0]) and n.args[1].op == "num":
        k = n.args[1].value
        if isinstance(k, Fraction) and k.denominator == 1 and k >= 2:
            return _name(n.args[0]), int(k)  # type: ignore[return-value]
    s = _square_of(n)
    return (s, 2) if s else None


def _neg_name(n: Node) -> str | None:
    if n.op == "neg" and n.args[0].op == "name":
        return n.args[0].value  # type: ignore[return-value]
    if n.op == "mul" and n.args[0].op == "num" and n.args[0].value == -1 and n.args[1].op == "name":
        return n.args[1].value  # type: ignore[return-value]
    return None


def _one_side(a: Node, b: Node, text: str) -> Premise | None:
    """Recognise ``a == b`` (one orientation)."""
    # commute: X @ Y == Y @ X
    if a.op == "matmul" and b.op == "matmul":
        x, y = _name(a.args[0]), _name(a.args[1])
        if x and y and x != y and _name(b.args[0]) == y and _name(b.args[1]) == x:
            return Premise("commute", text, (x, y))
    # idempotent: X @ X == X
    s = _square_of(a)
    if s and _name(b) == s:
        return Premise("idempotent", text, (s,))
    if s and _is_eye(b):
        return Premise("involutory", text, (s,))
    # orthonormal columns / rows: X.T @ X == eye, X @ X.T == eye
    if a.op == "matmul" and _is_eye(b):
        f, g = _factor(a.args[0]), _factor(a.args[1])
        if f and g and f[0] == g[0] and f[1] != g[1]:
            return Premise("orthogonal", text, (f[0],), (f[1],))
    # symmetric / skew: X.T == X, X.T == -X, X + X.T == 0
    if a.op == "T" and _name(a.args[0]):
        x = _name(a.args[0])
        if _name(b) == x:
            return Premise("symmetric", text, (x,))
        if _neg_name(b) == x:
            return Premise("skew_symmetric", text, (x,))
    if a.op == "add" and _is_zero(b):
        f, g = _factor(a.args[0]), _factor(a.args[1])
        if f and g and f[0] == g[0] and f[1] != g[1]:
            return Premise("skew_symmetric", text, (f[0],))
    if _is_zero(b):
        p = _power_of(a)
        if p:
            return Premise("nilpotent", text, (p[0],), power=p[1])
        if a.op == "matmul":
            f, g = _factor(a.args[0]), _factor(a.args[1])
            if f and g and f[0] != g[0]:
                return Premise("product_zero", text, (f[0], g[0]), (f[1], g[1]))
    return None


def _loewner(rel: Relation) -> Premise | None:
    """``eigmin(X - Y) >= 0`` / ``> 0`` (X ⪰ Y in the Loewner order): names (X, Y); ``power`` is 1
    for the strict form."""
    if rel.op not in (">=", ">") or not (rel.rhs.op == "num" and rel.rhs.value == 0):
        return None
    e = rel.lhs
    if e.op == "call" and e.value == "eigmin" and e.args[0].op == "sub":
        x, y = _name(e.args[0].args[0]), _name(e.args[0].args[1])
        if x and y and x != y:
            return Premise("loewner", rel.text, (x, y), power=int(rel.op == ">"))
    return None


def classify(rel: Relation, matrix_names: set[str]) -> Premise:
    """The kind of one given condition (``matrix_names``: the claim's matrix variables)."""
    lw = _loewner(rel)
    if lw is not None and set(lw.names) <= matrix_names:
        return lw
    if rel.op != "==":
        return Premise("scalar" if not _mentions_matrix(rel, matrix_names) else "other", rel.text)
    for a, b in ((rel.lhs, rel.rhs), (rel.rhs, rel.lhs)):
        p = _one_side(a, b, rel.text)
        if p is not None and set(p.names) <= matrix_names:
            return p
    return Premise("other" if _mentions_matrix(rel, matrix_names) else "scalar", rel.text)


def _mentions_matrix(rel: Relation, matrix_names: set[str]) -> bool:
    return bool(rel.names() & matrix_names)


def sample_assumptions(premises: list[Premise]) -> dict[str, list[str]]:
    """Variable -> assumptions implied by its single-variable premises (sampling only)."""
    out: dict[str, list[str]] = {}
    for p in premises:
        if p.kind in ASSUMPTION_KINDS:
            out.setdefault(p.names[0], []).append(p.kind)
    return out
