"""Index (tensor-network) form of a claim-language expression with symbolic dimensions.

A matrix expression becomes a sum of *terms*.  A term is a coefficient (an exact polynomial in the
scalar variables and dimension symbols) times a network: nodes are occurrences of matrix variables
(each with a row leg and a column leg), edges are index ids shared by two ports, and the open legs
are the result's composite row leg and composite column leg (tuples of atomic indices, slow to
fast).  Semantics of one term with open row indices (i_1..i_r) and column indices (j_1..j_c):

    T[(i_1..i_r), (j_1..j_c)] = coef * sum over the closed indices of prod_nodes X[row_leg, col_leg]

where an index id that occurs at two ports takes the same value at both (an edge, or a Kronecker
delta when both ports are open legs: ``eye(n)``).

Conventions (the claim language's, ``verify.engines.evaluate``):

* ``X.T`` swaps the composite legs; ``A @ B`` contracts A's column leg with B's row leg component
  by component (equal structure required, else :class:`NotInFragment`);
* ``kron(A, B)`` concatenates legs, A's components slow: (A⊗B)[(i1,i2),(j1,j2)] = A[i1,j1] B[i2,j2];
* ``vec(X)`` stacks columns, so its row leg is (column leg of X) + (row leg of X) and it has no
  column leg; an m×n X gives legs (n, m);
* ``tr`` contracts the row leg with the column leg; a closed delta loop is a dimension factor;
* a leg of size 1 takes one value only and is dropped (an n×1 vector has one leg);
* ``norm(X)**(2k)`` is tr(XᵀX)^k; ``grad(f, X)`` of a 1×1 f is, term by term, the sum over the
  occurrences of X of the network with that node removed, its row/column legs becoming the
  result's (the gradient has X's shape: entry (a, b) is ∂f/∂X_ab);
* ``inv(A)`` is an opaque node ``inv(A)`` for a variable A assumed invertible / pd (cancelled
  next to A by the rewrite rules) and Aᵀ for an orthogonal A; anything else is outside the fragment.

Nothing here uses SymPy's matrix-expression layer.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from ...claims.model import Claim, Var
from ...language.parser import Node, unparse
from . import poly

Dim = str | int


class NotInFragment(Exception):
    """The expression is outside the multilinear fragment (the message says which part)."""


INVERTIBLE = {"invertible", "pd"}
SYMMETRIC = {"symmetric", "psd", "pd", "projector"}
MAX_TERMS = 20000


@dataclass(frozen=True)
class Factor:
    """One occurrence of a matrix variable (``label`` is the name, or ``inv(A)``); legs are index
    ids, None for a leg of size 1."""

    label: str
    row: int | None
    col: int | None


@dataclass(frozen=True)
class Term:
    coef: poly.Poly = field(hash=False)
    factors: tuple[Factor, ...]
    row: tuple[int, ...]
    col: tuple[int, ...]

    def ids(self) -> set[int]:
        out = set(self.row) | set(self.col)
        for f in self.factors:
            out.update(i for i in (f.row, f.col) if i is not None)
        return out


@dataclass
class Expr:
    """A matrix: composite leg dimensions (row, col) and a sum of terms."""

    rowdims: tuple[Dim, ...]
    coldims: tuple[Dim, ...]
    terms: list[Term]

    @property
    def is_scalar(self) -> bool:
        return not self.rowdims and not self.coldims


@dataclass
class Builder:
    """Turns claim-language nodes into :class:`Expr` for one claim.

    ``dim_of`` gives each index id its dimension; ``labels`` gives each node label its (row dim,
    col dim) with None for size 1 and the variable's assumptions.
    """

    claim: Claim
    dim_of: dict[int, Dim] = field(default_factory=dict)
    labels: dict[str, tuple[Dim | None, Dim | None, frozenset[str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    proj_base: dict[str, tuple[str, bool]] = field(default_factory=dict)   # proj label -> (var, transposed)
    depends: dict[str, str] = field(default_factory=dict)                 # inv/proj label -> its variable
    inv_words: dict[str, tuple] = field(default_factory=dict)             # inv(G Gᵀ) label -> word of G Gᵀ
    deadline: float | None = None                                        # time.perf_counter() limit
    _next: int = 0

    # -- indices ------------------------------------------------------------------------------------
    def fresh(self, dim: Dim) -> int:
        self._next += 1
        self.dim_of[self._next] = dim
        return self._next

    def _rename(self, t: Term) -> Term:
        """A copy of t with fresh index ids (terms combined from two operands never share ids)."""
        m = {i: self.fresh(self.dim_of[i]) for i in sorted(t.ids())}
        return Term(t.coef, tuple(Factor(f.label, m.get(f.row) if f.row is not None else None,
                                         m.get(f.col) if f.col is not None else None) for f in t.factors),
                    tuple(m[i] for i in t.row), tuple(m[i] for i in t.col))

    def _identify(self, coef: poly.Poly, factors, row, col, pairs) -> Term:
        """Identify the index pairs (contractions) and turn closed delta loops into dimension factors."""
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        for a, b in pairs:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        def m(i):
            return None if i is None else find(i)

        factors = tuple(Factor(f.label, m(f.row), m(f.col)) for f in factors)
        row, col = tuple(find(i) for i in row), tuple(find(i) for i in col)
        alive = set(row) | set(col)
        for f in factors:
            alive.update(i for i in (f.row, f.col) if i is not None)
        for cls in sorted({find(a) for a, _ in pairs}):
            if cls not in alive:                       # a closed loop of deltas: sum_i 1 = dim
                coef = poly.mul(coef, _dim_poly(self.dim_of[cls]))
        return Term(coef, factors, row, col)

    # -- building -----------------------------------------------------------------------------------
    def leg(self, d: Dim) -> tuple[Dim, ...]:
        return () if d == 1 else (d,)

    def var_dims(self, v: Var) -> tuple[Dim, Dim]:
        r, c = v.shape  # type: ignore[misc]
        for d in (r, c):
            if isinstance(d, str) and d not in self.claim.dims:
                raise NotInFragment(f"{v.name} has the size {d!r}: the generic prover takes dimension names "
                                    "and integers only")
        return r, c

    def build(self, node: Node) -> Expr:
        op = node.op
        if op == "num":
            return Expr((), (), [Term(poly.const(node.value), (), (), ())] if node.value else [])
        if op == "name":
            return self._name(node.value)
        if op == "neg":
            a = self.build(node.args[0])
            return Expr(
                a.rowdims, a.coldims, [Term(poly.scale(t.coef, -1), t.factors, t.row, t.col) for t in a.terms]
            )
        if op in ("add", "sub"):
            a, b = self.build(node.args[0]), self.build(node.args[1])
            a = self.adapt(a, b.rowdims, b.coldims)
            b = self.adapt(b, a.rowdims, a.coldims)
            if (a.rowdims, a.coldims) != (b.rowdims, b.coldims):
                raise NotInFragment(f"{unparse(node)!r} adds terms whose legs have different structure "
                                    f"({_legs(a)} and {_legs(b)})")
            s = 1 if op == "add" else -1
            return Expr(a.rowdims, a.coldims,
                        a.terms + [Term(poly.scale(t.coef, s), t.factors, t.row, t.col) for t in b.terms])
        if op == "T":
            a = self.build(node.args[0])
            return Expr(a.coldims, a.rowdims, [Term(t.coef, t.factors, t.col, t.row) for t in a.terms])
        if op == "matmul":
            return self.matmul(self.build(node.args[0]), self.build(node.args[1]), node)
        if op == "mul":
            a, b = self.build(node.args[0]), self.build(node.args[1])
            if a.is_scalar:
                return self.outer(a, b)
            if b.is_scalar:
                return self.outer(b, a)
            raise NotInFragment(f"{unparse(node)!r} multiplies two matrices entrywise")
        if op == "div":
            d = node.args[1]
            if d.op != "num" or d.value == 0:
                raise NotInFragment(f"division by a non-constant in {unparse(node)!r}")
            a = self.build(node.args[0])
            return Expr(a.rowdims, a.coldims, [Term(poly.scale(t.coef, 1 / d.value), t.factors, t.row, t.col)
                                               for t in a.terms])
        if op == "pow":
            return self._pow(node)
        if op == "call":
            return self._call(node)
        raise NotInFragment(f"{op} is outside the fragment")

    def _name(self, name: str) -> Expr:
        if name in self.claim.dims:
            return Expr((), (), [Term(poly.var(name), (), (), ())])
        v = self.claim.vars[name]
        if v.is_scalar:
            return Expr((), (), [Term(poly.var(name), (), (), ())])
        r, c = self.var_dims(v)
        self.labels[name] = (None if r == 1 else r, None if c == 1 else c, frozenset(v.assume))
        ri = self.fresh(r) if r != 1 else None
        ci = self.fresh(c) if c != 1 else None
        return Expr(
            self.leg(r),
            self.leg(c),
            [
                Term(
                    poly.const(1),
                    (Factor(name, ri, ci),),
                    () if ri is None else (ri,),
                    () if ci is None else (ci,),
                )
            ],
        )

    def adapt(self, e: Expr, rowdims: tuple[Dim, ...], coldims: tuple[Dim, ...]) -> Expr:
        """e re-indexed with the composite legs (rowdims, coldims) when that changes no entry: e is zero
        (no terms) with legs of the same sizes, or a multiple of the identity (every term a Kronecker delta
        between its whole row leg and its whole column leg: the identity matrix of size d_1⋯d_k is the
        same whatever the order of the factors), e.g. eye(m*n) next to legs (n, m).  Else e unchanged."""
        if (e.rowdims, e.coldims) == (rowdims, coldims):
            return e
        if sorted(map(str, e.rowdims)) != sorted(map(str, rowdims)) or \
                sorted(map(str, e.coldims)) != sorted(map(str, coldims)):
            return e
        if not e.terms:
            return Expr(rowdims, coldims, [])
        if rowdims != coldims or e.rowdims != e.coldims:
            return e
        for t in e.terms:
            if t.factors or t.row != t.col or len(set(t.row)) != len(t.row):
                return e
        out = []
        for t in e.terms:
            ids = tuple(self.fresh(d) for d in rowdims)
            out.append(Term(t.coef, (), ids, ids))
        return Expr(rowdims, coldims, out)

    def matmul(self, a: Expr, b: Expr, node: Node | None = None) -> Expr:
        a = self.adapt(a, a.rowdims if a.rowdims != a.coldims else b.rowdims, b.rowdims)
        b = self.adapt(b, a.coldims, b.coldims if b.rowdims != b.coldims else a.coldims)
        if a.coldims != b.rowdims:
            where = f" in {unparse(node)!r}" if node is not None else ""
            raise NotInFragment(f"a product contracts legs of different structure{where} "
                                f"({a.coldims} with {b.rowdims})")
        out = []
        for ta in a.terms:
            for tb0 in b.terms:
                tb = self._rename(tb0)
                out.append(self._identify(poly.mul(ta.coef, tb.coef), ta.factors + tb.factors, ta.row, tb.col,
                                          list(zip(ta.col, tb.row))))
        self._guard(out)
        return Expr(a.rowdims, b.coldims, out)

    def outer(self, s: Expr, a: Expr) -> Expr:
        """A 1×1 expression times a matrix (scalar multiplication)."""
        out = []
        for ts in s.terms:
            for ta0 in a.terms:
                ta = self._rename(ta0)
                out.append(Term(poly.mul(ts.coef, ta.coef), ts.factors + ta.factors, ta.row, ta.col))
        self._guard(out)
        return Expr(a.rowdims, a.coldims, out)

    def kron(self, a: Expr, b: Expr) -> Expr:
        out = []
        for ta in a.terms:
            for tb0 in b.terms:
                tb = self._rename(tb0)
                out.append(
                    Term(
                        poly.mul(ta.coef, tb.coef), ta.factors + tb.factors, ta.row + tb.row, ta.col + tb.col
                    )
                )
        self._guard(out)
        return Expr(a.rowdims + b.rowdims, a.coldims + b.coldims, out)

    def trace(self, a: Expr, node: Node) -> Expr:
        if a.rowdims != a.coldims:
            raise NotInFragment(f"trace of a matrix whose legs differ in structure in {unparse(node)!r} "
                                f"({_legs(a)})")
        out = [self._identify(t.coef, t.factors, (), (), list(zip(t.row, t.col))) for t in a.terms]
        return Expr((), (), out)

    def eye(self, dims: tuple[Dim, ...]) -> Expr:
        ids = tuple(self.fresh(d) for d in dims)
        return Expr(dims, dims, [Term(poly.const(1), (), ids, ids)])

    def _guard(self, terms: list) -> None:
        if len(terms) > MAX_TERMS:
            raise NotInFragment(f"the expansion has more than {MAX_TERMS} terms")
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise NotInFragment("the time budget of the generic prover ran out during the expansion")

    def _pow(self, node: Node) -> Expr:
        base, ex = node.args
        if ex.op != "num" or ex.value.denominator != 1 or ex.value < 0:
            raise NotInFragment(f"power with exponent {unparse(ex)!r} (only non-negative integers)")
        k = int(ex.value)
        if k > 12:
            raise NotInFragment(f"power {k} is too large for the expansion")
        if base.op == "call" and base.value == "norm":
            if k % 2:
                raise NotInFragment("an odd power of a norm is not polynomial")
            x = self.build(base.args[0])
            sq = self.trace(self.matmul(Expr(x.coldims, x.rowdims, [Term(t.coef, t.factors, t.col, t.row)
                                                                     for t in x.terms]), x), base)
            out = Expr((), (), [Term(poly.const(1), (), (), ())])
            for _ in range(k // 2):
                out = self.outer(out, sq)
            return out
        a = self.build(base)
        if a.is_scalar:
            out = Expr((), (), [Term(poly.const(1), (), (), ())])
            for _ in range(k):
                out = self.outer(out, a)
            return out
        if a.rowdims != a.coldims:
            raise NotInFragment(f"power of a non-square matrix in {unparse(node)!r}")
        out = self.eye(a.rowdims)
        for _ in range(k):
            out = self.matmul(out, a, node)
        return out

    def _call(self, node: Node) -> Expr:
        name = node.value
        if name == "eye":
            return self.eye(self._dims_arg(node.args[0], node))
        if name == "zeros":
            r, c = (self._dims_arg(a, node) for a in node.args)
            return Expr(r, c, [])
        if name == "vec":
            a = self.build(node.args[0])
            return Expr(
                a.coldims + a.rowdims, (), [Term(t.coef, t.factors, t.col + t.row, ()) for t in a.terms]
            )
        if name == "kron":
            return self.kron(self.build(node.args[0]), self.build(node.args[1]))
        if name == "tr":
            return self.trace(self.build(node.args[0]), node)
        if name == "grad":
            return self._grad(node)
        if name in ("grad_sym", "grad_entries_sym"):
            return self._grad_symmetric(node)
        if name == "inv":
            return self._inv(node)
        if name == "proj":
            return self._proj(node.args[0], node)
        if name == "norm":
            raise NotInFragment("norm appears other than as norm(X)**(2k)")
        if name == "ones":
            r, c = (self._dims_arg(a, node) for a in node.args)
            return Expr(r, c, [Term(poly.const(1), (), tuple(self.fresh(d) for d in r),
                                    tuple(self.fresh(d) for d in c))])
        if name == "diag":
            return self._diag(self.build(node.args[0]), node)
        if name == "diagvec":
            return self._diagvec(self.build(node.args[0]), node)
        if name == "hadamard":
            return self.hadamard(self.build(node.args[0]), self.build(node.args[1]), node)
        if name == "hadamard_pow":
            return self._hadamard_pow(node)
        raise NotInFragment(f"{name} is outside the multilinear fragment")

    # -- copy tensors: diag, diagvec, hadamard (an index shared by three or more ports) ---------------
    def _diag(self, a: Expr, node: Node) -> Expr:
        """diag(v)[i, j] = v[i] δ_ij: the vector's legs become both the row and the column legs (one
        index at three ports: a copy tensor).  v is n x 1 or 1 x n."""
        if a.rowdims and a.coldims:
            raise NotInFragment(f"{unparse(node)!r}: diag of an expression that is not a vector for "
                                "every size")
        dims = a.rowdims + a.coldims
        return Expr(dims, dims, [Term(t.coef, t.factors, t.row + t.col, t.row + t.col) for t in a.terms])

    def _diagvec(self, a: Expr, node: Node) -> Expr:
        """diagvec(A)[i] = A[i, i]: the row leg identified with the column leg, kept as the result's
        row leg (n x 1)."""
        if a.rowdims != a.coldims:
            raise NotInFragment(f"diagvec of a matrix whose legs differ in structure in {unparse(node)!r} "
                                f"({_legs(a)})")
        out = [self._identify(t.coef, t.factors, t.row, (), list(zip(t.row, t.col))) for t in a.terms]
        return Expr(a.rowdims, (), out)

    def hadamard(self, a: Expr, b: Expr, node: Node) -> Expr:
        """(A∘B)[i, j] = A[i, j] B[i, j]: A's legs identified with B's, component by component."""
        a = self.adapt(a, b.rowdims, b.coldims)
        b = self.adapt(b, a.rowdims, a.coldims)
        if (a.rowdims, a.coldims) != (b.rowdims, b.coldims):
            raise NotInFragment(f"{unparse(node)!r} multiplies entrywise matrices whose legs have different "
                                f"structure ({_legs(a)} and {_legs(b)})")
        out = []
        for ta in a.terms:
            for tb0 in b.terms:
                tb = self._rename(tb0)
                pairs = list(zip(ta.row, tb.row)) + list(zip(ta.col, tb.col))
                out.append(self._identify(poly.mul(ta.coef, tb.coef), ta.factors + tb.factors, ta.row, ta.col,
                                          pairs))
        self._guard(out)
        return Expr(a.rowdims, a.coldims, out)

    def _hadamard_pow(self, node: Node) -> Expr:
        """hadamard_pow(A, k) for a literal integer 1 <= k <= 12: A∘A∘...∘A (k factors).  Other
        exponents (0, negative, fractional) are outside the fragment."""
        base, ex = node.args
        if ex.op != "num" or ex.value.denominator != 1 or not 1 <= ex.value <= 12:
            raise NotInFragment(f"hadamard_pow with exponent {unparse(ex)!r} (only integers 1..12)")
        a = self.build(base)
        out = a
        for _ in range(int(ex.value) - 1):
            out = self.hadamard(out, a, node)
        return out

    def _dims_arg(self, a: Node, node: Node) -> tuple[Dim, ...]:
        """A size as composite legs: a dimension name, a positive integer, or a product of these
        (eye(m*n) is the identity on legs (m, n); see :meth:`adapt` for other orders)."""
        if a.op == "mul":
            return self._dims_arg(a.args[0], node) + self._dims_arg(a.args[1], node)
        return self.leg(self._dim_arg(a, node))

    def _dim_arg(self, a: Node, node: Node) -> Dim:
        if a.op == "num" and a.value.denominator == 1 and a.value >= 1:
            return int(a.value)
        if a.op == "name" and a.value in self.claim.dims:
            return a.value
        raise NotInFragment(f"{unparse(node)!r}: a size must be a dimension name or a positive integer")

    def _inv(self, node: Node) -> Expr:
        return self._inverse(node.args[0], node)

    def _inverse(self, a: Node, node: Node) -> Expr:
        """inv(a) in the fragment, for a square a that is invertible wherever the claim is defined:

        * a matrix variable assumed invertible / pd: an opaque node ``inv(A)`` (cancelled next to A by
          the rules); an orthogonal Q: Qᵀ;
        * ``kron(X, Y)``: kron(inv(X), inv(Y)) (a Kronecker product of square matrices is invertible
          exactly when both factors are); ``X.T``: inv(X)ᵀ; ``eye``: itself; ``inv(X)``: X;
        * ``X @ Y`` of two such square factors: inv(Y) inv(X);
        * a Gram matrix ``B @ B.T`` or ``B.T @ B`` of a variable assumed full_rank / invertible (of size
          above 1): an opaque symmetric node with the rule G Gᵀ inv(G Gᵀ) = inv(G Gᵀ) G Gᵀ = I.  Where
          the Gram matrix is singular (B has more rows than columns for B Bᵀ) the claim is undefined, so
          the identity is proved wherever it is defined.
        """
        if a.op == "call" and a.value == "kron":
            self.notes.append("inv(kron(X, Y)) = kron(inv(X), inv(Y))")
            return self.kron(self._inverse(a.args[0], node), self._inverse(a.args[1], node))
        if a.op == "call" and a.value == "eye":
            return self.build(a)
        if a.op == "call" and a.value == "inv":
            inner = a.args[0]
            self._inverse(inner, node)           # in the fragment (and invertible) itself
            self.notes.append("inv(inv(X)) = X")
            return self.build(inner)
        if a.op == "T":
            x = self._inverse(a.args[0], node)
            self.notes.append("inv(Xᵀ) = inv(X)ᵀ")
            return Expr(x.coldims, x.rowdims, [Term(t.coef, t.factors, t.col, t.row) for t in x.terms])
        if a.op == "matmul":
            gram = self._gram(a)
            if gram is not None:
                return gram
            self.notes.append("inv(X Y) = inv(Y) inv(X) (square X, Y)")
            return self.matmul(self._inverse(a.args[1], node), self._inverse(a.args[0], node), node)
        if a.op != "name" or a.value not in self.claim.vars or self.claim.vars[a.value].is_scalar:
            raise NotInFragment(f"{unparse(node)!r}: inv is in the fragment only for a matrix variable, a "
                                "kron, transpose or product of such, or a Gram matrix B Bᵀ / Bᵀ B")
        v = self.claim.vars[a.value]
        assume = set(v.assume)
        if "orthogonal" in assume:
            self.notes.append(f"inv({v.name}) = {v.name}ᵀ ({v.name} orthogonal)")
            x = self._name(v.name)
            return Expr(x.coldims, x.rowdims, [Term(t.coef, t.factors, t.col, t.row) for t in x.terms])
        if not assume & INVERTIBLE:
            raise NotInFragment(f"{unparse(node)!r}: {v.name} is not assumed invertible")
        r, c = self.var_dims(v)
        label = f"inv({v.name})"
        self._name(v.name)            # register the variable's label
        self.depends[label] = v.name
        self.labels[label] = (None if c == 1 else c, None if r == 1 else r, frozenset(assume))
        return self._node(label, c, r)

    def _node(self, label: str, r: Dim, c: Dim) -> Expr:
        """A single opaque r x c node (size-1 legs dropped)."""
        ri = self.fresh(r) if r != 1 else None
        ci = self.fresh(c) if c != 1 else None
        return Expr(self.leg(r), self.leg(c),
                    [Term(poly.const(1), (Factor(label, ri, ci),), () if ri is None else (ri,),
                          () if ci is None else (ci,))])

    def _gram(self, a: Node) -> Expr | None:
        """inv(B @ B.T) or inv(B.T @ B) for a full-rank (or invertible) matrix variable B, else None."""
        x, y = a.args
        if x.op == "name" and y.op == "T" and y.args[0].op == "name" and y.args[0].value == x.value:
            name, left_t = x.value, False
        elif x.op == "T" and x.args[0].op == "name" and y.op == "name" and x.args[0].value == y.value:
            name, left_t = y.value, True
        else:
            return None
        v = self.claim.vars.get(name)
        if v is None or v.is_scalar or "full_rank" not in v.assume:
            return None
        if set(v.assume) & (INVERTIBLE | {"orthogonal"}):
            return None                       # an invertible / orthogonal B: inv(B Bᵀ) = inv(Bᵀ) inv(B)
        r, c = self.var_dims(v)
        d = c if left_t else r
        if d == 1:
            return None
        self._name(name)
        word = ((name, True), (name, False)) if left_t else ((name, False), (name, True))
        label = f"inv({name}ᵀ {name})" if left_t else f"inv({name} {name}ᵀ)"
        self.labels[label] = (d, d, frozenset({"symmetric"}))
        self.inv_words[label] = word
        self.depends[label] = name
        self.notes.append(f"{label}: the inverse of a Gram matrix, cancelled next to it (where it exists)")
        return self._node(label, d, d)

    def _proj(self, a: Node, node: Node) -> Expr:
        """proj(B), the orthogonal projector onto the columns of B, as an opaque node with the
        projector rules and P B = B; proj(kron(B, C)) = kron(proj(B), proj(C)), proj(eye(n)) = eye(n)."""
        if a.op == "call" and a.value == "kron":
            self.notes.append("proj(kron(B, C)) = kron(proj(B), proj(C))")
            return self.kron(self._proj(a.args[0], node), self._proj(a.args[1], node))
        if a.op == "call" and a.value == "eye":
            self.notes.append("proj(eye(n)) = eye(n)")
            return self.build(a)
        t = a.op == "T"
        b = a.args[0] if t else a
        if b.op != "name" or b.value not in self.claim.vars or self.claim.vars[b.value].is_scalar:
            raise NotInFragment(f"{unparse(node)!r}: proj is in the fragment only for a matrix variable, its "
                                "transpose, eye, or a kron of these")
        v = self.claim.vars[b.value]
        r, c = self.var_dims(v)
        d = c if t else r
        self._name(v.name)
        label = f"proj({v.name}{'.T' if t else ''})"
        self.labels[label] = (None if d == 1 else d, None if d == 1 else d, frozenset({"projector"}))
        self.proj_base[label] = (v.name, t)
        self.depends[label] = v.name
        i = self.fresh(d) if d != 1 else None
        j = self.fresh(d) if d != 1 else None
        legs = () if i is None else (i,)
        return Expr(self.leg(d), self.leg(d), [Term(poly.const(1), (Factor(label, i, j),), legs,
                                                     () if j is None else (j,))])

    def _grad_symmetric(self, node: Node) -> Expr:
        """grad_sym(f, X) = (G + Gᵀ)/2 and grad_entries_sym(f, X) = G + Gᵀ - diag(diag(G)), with G =
        grad(f, X) the gradient in X's independent entries (the claim language's definitions)."""
        g = self._grad(node)
        if g.rowdims != g.coldims:
            raise NotInFragment(f"{unparse(node)!r}: a symmetric gradient of a non-square variable")
        gt = [Term(t.coef, t.factors, t.col, t.row) for t in g.terms]
        if node.value == "grad_sym":
            half = [Term(poly.scale(t.coef, Fraction(1, 2)), t.factors, t.row, t.col) for t in g.terms + gt]
            return Expr(g.rowdims, g.coldims, half)
        diag = self.hadamard(g, self.eye(g.rowdims), node)
        minus = [Term(poly.scale(t.coef, -1), t.factors, t.row, t.col) for t in diag.terms]
        return Expr(g.rowdims, g.coldims, g.terms + gt + minus)

    def _grad(self, node: Node) -> Expr:
        fnode, xnode = node.args
        x = xnode.value
        f = self.build(fnode)
        if not f.is_scalar:
            raise NotInFragment(f"grad of a non-scalar in {unparse(node)!r}")
        v = self.claim.vars[x]
        if v.is_scalar:
            return Expr(
                (), (),
                [Term(poly.diff(t.coef, x), t.factors, (), ()) for t in f.terms if poly.diff(t.coef, x)],
            )
        for t in f.terms:
            for fac in t.factors:
                if self.depends.get(fac.label) == x:
                    raise NotInFragment(f"grad with respect to {x} of an expression with {fac.label}")
        r, c = self.var_dims(v)
        out = []
        for t in f.terms:
            for k, fac in enumerate(t.factors):
                if fac.label != x:
                    continue
                rest = t.factors[:k] + t.factors[k + 1:]
                row = () if fac.row is None else (fac.row,)
                col = () if fac.col is None else (fac.col,)
                out.append(self._rename(Term(t.coef, rest, row, col)))
        self._guard(out)
        return Expr(self.leg(r), self.leg(c), out)


def _dim_poly(d: Dim) -> poly.Poly:
    return poly.const(d) if isinstance(d, int) else poly.var(d)


def _legs(e: Expr) -> str:
    return f"rows {list(e.rowdims)}, columns {list(e.coldims)}"


def build_sides(claim: Claim, deadline: float | None = None) -> tuple[Builder, Expr, Expr]:
    """Both sides of an ``==`` claim as networks; raises NotInFragment."""
    rel = claim.relation
    if rel.op != "==":
        raise NotInFragment("not an identity (the relation is not ==)")
    b = Builder(claim, deadline=deadline)
    lhs, rhs = b.build(rel.lhs), b.build(rel.rhs)
    lhs = b.adapt(lhs, rhs.rowdims, rhs.coldims)
    rhs = b.adapt(rhs, lhs.rowdims, lhs.coldims)
    if (lhs.rowdims, lhs.coldims) != (rhs.rowdims, rhs.coldims):
        raise NotInFragment(f"the two sides have different leg structure ({_legs(lhs)} and {_legs(rhs)})")
    return b, lhs, rhs


def dims_as_values(dims: Mapping[str, int]) -> dict[str, Fraction]:
    return {k: Fraction(v) for k, v in dims.items()}
