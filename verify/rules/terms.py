"""A small term language for relations between named quantities: the objects of the rule kernel.

A *term* is claim-language text (``+ - * / ** @``, unary minus, ``.T``, numbers, names and calls)
read in a :class:`Context`:

* ``variables``: the proof's matrix (or scalar) variables with their shapes in dimension names,
  e.g. ``{"W": ("m_y", "m2")}``; ``None`` is a real scalar, ``"positive"`` a positive scalar (an
  assumption of the context: state it as a hypothesis step of the proof);
* ``quantities``: named abbreviations, e.g. ``{"L": "norm(W @ B2 @ B1 @ G - Y)**2"}``; a quantity is
  expanded to its definition wherever it occurs (it is notation, never a fact);
* ``flow``: the flowing variables and their velocities, e.g. ``{"W": "-grad(L, W)"}``; every other
  name is constant in time;
* ``dims``: one sample value per dimension (distinct primes are best) used for shape checks.

Besides the claim-language functions the term language has ``d(x)`` (time derivative along the
flow) and ``at(x, t)`` (the value of x at time t).  Terms are converted to SymPy with
non-commutative symbols for matrices and uninterpreted functions, and brought to a normal form by
sound rewrites only: transposes are pushed through sums, products and ``kron``; ``vec``, ``tr``,
``d`` and ``at`` are linear and pull out scalar constants; ``norm(vec(X)) = norm(X)``,
``norm(X.T) = norm(X)``, ``norm(-X) = norm(X)``, ``tr(X.T @ X) = norm(X)**2``; ``d(c) = 0`` and
``at(c, t) = c`` for a term c free of the flowing variables.  Two terms are *equal after
normalisation* when the expanded difference of their normal forms is 0 (a syntactic test: a
``False`` answer never claims the terms differ in value).
"""
from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from ..errors import VerifyError


class RuleError(VerifyError):
    """A rule is misapplied (or a term is ill-formed): the derivation is rejected."""


RELATIONS = {ast.Eq: "==", ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">"}
# scalar-valued functions (commutative results)
SCALAR_FUNCS = {"norm", "tr", "det", "eigmin", "eigmax", "sigma_min", "sigma_max", "sigma_small", "rank",
                "exp", "log", "sqrt", "abs"}
# matrix-valued functions (non-commutative results)
MATRIX_FUNCS = {"vec", "kron", "eye", "zeros", "inv", "pinv", "proj", "expm", "grad"}
TIME_FUNCS = {"d", "at"}
ARITY = {"kron": 2, "zeros": 2, "grad": 2, "at": 2}
_NATIVE = {"exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "abs": sympy.Abs}
_SCALAR_F = {n: sympy.Function(n, commutative=True) for n in SCALAR_FUNCS if n not in _NATIVE}
_MATRIX_F = {n: sympy.Function(n, commutative=False) for n in MATRIX_FUNCS}
_TR = sympy.Function("transpose", commutative=False)
_D_S = sympy.Function("d", commutative=True)
_D_M = sympy.Function("dM", commutative=False)
_AT_S = sympy.Function("at", commutative=True)
_AT_M = sympy.Function("atM", commutative=False)


@dataclass(frozen=True)
class Term:
    """A converted term: its SymPy normal form and its shape at the context's sample dims."""

    expr: sympy.Expr
    shape: tuple[int, int]

    @property
    def scalar(self) -> bool:
        return self.shape == (1, 1)


@dataclass(frozen=True)
class Rel:
    """``lhs op rhs`` with op in == <= >= < >; ``text`` as written."""

    lhs: Term
    op: str
    rhs: Term
    text: str

    def oriented(self) -> tuple[sympy.Expr, str]:
        """``e op 0`` with op in {==, <=, <} and e = lhs - rhs (>= and > flipped)."""
        if self.op in (">=", ">"):
            return sympy.expand(self.rhs.expr - self.lhs.expr), "<=" if self.op == ">=" else "<"
        return sympy.expand(self.lhs.expr - self.rhs.expr), self.op


@dataclass
class Context:
    """Where terms are read: variables with shapes, quantities, the flow and sample dims."""

    variables: dict[str, tuple[str | int, str | int] | None] = field(default_factory=dict)
    quantities: dict[str, str] = field(default_factory=dict)
    flow: dict[str, str] = field(default_factory=dict)
    dims: dict[str, int] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clash = set(self.variables) & set(self.quantities)
        if clash:
            raise RuleError(f"{min(clash)!r} is both a variable and a quantity")
        for v in self.flow:
            if v not in self.variables:
                raise RuleError(f"flowing variable {v!r} is not a declared variable")
        self._cache: dict[str, Term] = {}
        self._expanding: set[str] = set()

    # ------------------------------------------------------------------ shapes
    def dim(self, d: str | int) -> int:
        if isinstance(d, int):
            return d
        if d not in self.dims:
            raise RuleError(f"dimension {d!r} has no sample value in the context")
        return int(self.dims[d])

    def var_shape(self, shape: tuple[str | int, str | int] | str | None) -> tuple[int, int]:
        return (1, 1) if shape is None or isinstance(shape, str) else (self.dim(shape[0]), self.dim(shape[1]))

    # ------------------------------------------------------------------ reading
    def term(self, text: str, bind: Mapping[str, Term] | None = None) -> Term:
        """Read ``text``; names in ``bind`` are replaced by the given terms (instantiation)."""
        return _Reader(self, dict(bind or {}), text).read(_parse(text, "term"))

    def relation(self, text: str, bind: Mapping[str, Term] | None = None) -> Rel:
        tree = _parse(text, "relation")
        if not isinstance(tree, ast.Compare) or len(tree.ops) != 1 or type(tree.ops[0]) not in RELATIONS:
            raise RuleError(f"{text.strip()!r} must be one relation lhs OP rhs with OP in == <= >= < >")
        r = _Reader(self, dict(bind or {}), text)
        lhs, rhs = r.read(tree.left), r.read(tree.comparators[0])
        if lhs.shape != rhs.shape and not (lhs.scalar or rhs.scalar):
            raise RuleError(f"the two sides of {text.strip()!r} have shapes {lhs.shape} and {rhs.shape}")
        op = RELATIONS[type(tree.ops[0])]
        if op != "==" and not (lhs.scalar and rhs.scalar):
            raise RuleError(f"an inequality needs scalar sides: {text.strip()!r}")
        return Rel(lhs, op, rhs, text.strip())

    def quantity(self, name: str) -> Term:
        if name not in self._cache:
            if name in self._expanding:
                raise RuleError(f"quantity {name!r} is defined in terms of itself")
            self._expanding.add(name)
            try:
                self._cache[name] = self.term(self.quantities[name])
            finally:
                self._expanding.discard(name)
        return self._cache[name]

    def flowing(self) -> set[sympy.Symbol]:
        return {_symbol(v, self.variables[v]) for v in self.flow}

    def constant(self, expr: sympy.Expr) -> bool:
        """Free of the flowing variables (hence constant in time)."""
        return not (expr.free_symbols & self.flowing())

    def equal(self, a: sympy.Expr, b: sympy.Expr) -> bool:
        return sympy.expand(canon(sympy.expand(a)) - canon(sympy.expand(b))) == 0


def _symbol(name: str, shape) -> sympy.Symbol:
    if shape == "positive":
        return sympy.Symbol(name, positive=True)
    if isinstance(shape, str):
        raise RuleError(f"variable {name!r}: a scalar is None or 'positive', got {shape!r}")
    return sympy.Symbol(name, commutative=shape is None)


def _parse(text: str, what: str) -> ast.expr:
    if not isinstance(text, str) or not text.strip():
        raise RuleError(f"{what} must be non-empty text")
    if len(text) > 4000 or "\n" in text.strip() or ";" in text:
        raise RuleError(f"{what} {text[:40]!r} must be one expression on one line (at most 4000 characters)")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise RuleError(f"syntax error in {what} {text.strip()!r}: {exc.msg}") from None


class _Reader:
    def __init__(self, ctx: Context, bind: dict[str, Term], text: str) -> None:
        self.ctx, self.bind, self.text = ctx, bind, text.strip()

    def err(self, node: ast.AST, msg: str) -> RuleError:
        seg = ast.get_source_segment(self.text, node) or type(node).__name__
        return RuleError(f"{msg} in {seg!r}")

    def read(self, node: ast.AST) -> Term:
        ctx = self.ctx
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self.err(node, "only real numbers are allowed")
            seg = ast.get_source_segment(self.text, node) or str(node.value)
            f = Fraction(seg.replace("_", ""))
            return Term(sympy.Rational(f.numerator, f.denominator), (1, 1))
        if isinstance(node, ast.Name):
            n = node.id
            if n in self.bind:
                return self.bind[n]
            if n in ctx.quantities:
                return ctx.quantity(n)
            if n in ctx.variables:
                return Term(_symbol(n, ctx.variables[n]), ctx.var_shape(ctx.variables[n]))
            if n in ctx.dims:
                return Term(sympy.Symbol(n, integer=True, positive=True), (1, 1))
            raise self.err(node, f"unknown name {n!r} (not a variable, quantity or dimension of the context)")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            t = self.read(node.operand)
            return t if isinstance(node.op, ast.UAdd) else Term(-t.expr, t.shape)
        if isinstance(node, ast.BinOp):
            a, b = self.read(node.left), self.read(node.right)
            if isinstance(node.op, (ast.Add, ast.Sub)):
                if a.shape != b.shape:
                    raise self.err(node, f"cannot add shapes {a.shape} and {b.shape}")
                return Term(a.expr + b.expr if isinstance(node.op, ast.Add) else a.expr - b.expr, a.shape)
            if isinstance(node.op, ast.MatMult):
                if a.shape[1] != b.shape[0]:
                    raise self.err(node, f"shapes {a.shape} and {b.shape} do not multiply")
                return Term(a.expr * b.expr, (a.shape[0], b.shape[1]))
            if isinstance(node.op, ast.Mult):
                if not (a.scalar or b.scalar):
                    raise self.err(node, "'*' needs a scalar factor (use @ for matrix products)")
                return Term(a.expr * b.expr, b.shape if a.scalar else a.shape)
            if isinstance(node.op, ast.Div):
                if not b.scalar:
                    raise self.err(node, "division by a matrix")
                return Term(a.expr / b.expr, a.shape)
            if isinstance(node.op, ast.Pow):
                if not (a.scalar and b.scalar):
                    raise self.err(node, "powers of matrices are not terms")
                return Term(a.expr ** b.expr, (1, 1))
            raise self.err(node, f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.Attribute):
            if node.attr != "T":
                raise self.err(node, "only the attribute .T (transpose) is allowed")
            t = self.read(node.value)
            return Term(transpose(t.expr), (t.shape[1], t.shape[0]))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node, node.func.id)
        raise self.err(node, f"{type(node).__name__} is not allowed in a term")

    def call(self, node: ast.Call, f: str) -> Term:
        if f not in SCALAR_FUNCS | MATRIX_FUNCS | TIME_FUNCS:
            raise self.err(node, f"unknown function {f!r}")
        if node.keywords:
            raise self.err(node, "keyword arguments are not allowed")
        want = ARITY.get(f, 1)
        if len(node.args) != want:
            raise self.err(node, f"{f} takes {want} argument(s)")
        if f in ("eye",):
            n = self._size(node.args[0])
            return Term(_MATRIX_F["eye"](n), (int(n.subs(self._dimvals())), int(n.subs(self._dimvals()))))
        if f == "zeros":
            r, c = (self._size(a) for a in node.args)
            return Term(sympy.Integer(0), (int(r.subs(self._dimvals())), int(c.subs(self._dimvals()))))
        if f == "grad":
            if not isinstance(node.args[1], ast.Name):
                raise self.err(node, "grad(f, X): X must be a variable")
            fx, x = self.read(node.args[0]), self.read(node.args[1])
            if not fx.scalar:
                raise self.err(node, "grad(f, X) needs a scalar f")
            if not isinstance(x.expr, sympy.Symbol):
                raise self.err(node, "grad(f, X): X must be a variable (after instantiation)")
            if x.expr not in fx.expr.free_symbols:
                return Term(sympy.Integer(0), x.shape)
            return Term(_MATRIX_F["grad"](fx.expr, x.expr), x.shape)
        args = [self.read(a) for a in node.args]
        a = args[0]
        if f == "at":
            if not args[1].scalar:
                raise self.err(node, "at(x, t): t must be a scalar")
            return Term(at(a.expr, args[1].expr, self.ctx), a.shape)
        if f == "d":
            return Term(deriv(a.expr, self.ctx), a.shape)
        if f == "kron":
            b = args[1]
            return Term(_MATRIX_F["kron"](a.expr, b.expr), (a.shape[0] * b.shape[0], a.shape[1] * b.shape[1]))
        if f == "vec":
            return Term(vec(a.expr), (a.shape[0] * a.shape[1], 1))
        if f in ("inv", "proj", "expm"):
            if f != "proj" and a.shape[0] != a.shape[1]:
                raise self.err(node, f"{f} needs a square matrix")
            return Term(_MATRIX_F[f](a.expr), (a.shape[0], a.shape[0]))
        if f == "pinv":
            return Term(_MATRIX_F[f](a.expr), (a.shape[1], a.shape[0]))
        # scalar-valued
        if f in ("exp", "log", "sqrt", "abs"):
            if not a.scalar:
                raise self.err(node, f"{f} of a matrix (use expm for the matrix exponential)")
            return Term(_NATIVE[f](a.expr), (1, 1))
        if f == "tr":
            return Term(trace(a.expr) if not a.scalar else a.expr, (1, 1))
        if f == "norm":
            return Term(norm(a.expr), (1, 1))
        if f in ("det", "eigmin", "eigmax") and a.shape[0] != a.shape[1]:
            raise self.err(node, f"{f} needs a square matrix")
        return Term(_SCALAR_F[f](a.expr), (1, 1))

    def _dimvals(self) -> dict:
        return {sympy.Symbol(k, integer=True, positive=True): v for k, v in self.ctx.dims.items()}

    def _size(self, node: ast.AST) -> sympy.Expr:
        t = self.read(node)
        if t.expr.free_symbols - set(self._dimvals()):
            raise self.err(node, "a size must be an integer or an expression in dimensions")
        return t.expr


# ------------------------------------------------------------------ normal forms

def _split(expr: sympy.Expr) -> tuple[sympy.Expr, list[sympy.Expr]]:
    """A product as (commutative coefficient, ordered non-commutative factors)."""
    if isinstance(expr, sympy.Mul):
        c, nc = expr.args_cnc()
        return sympy.Mul(*c), list(nc)
    if expr.is_commutative:
        return expr, []
    return sympy.Integer(1), [expr]


def _linear(expr: sympy.Expr, atom) -> sympy.Expr:
    """Apply a linear map to each term of the expanded sum, pulling commutative coefficients out."""
    expr = sympy.expand(expr)
    out = sympy.Integer(0)
    for t in sympy.Add.make_args(expr):
        c, nc = _split(t)
        out += c * atom(c, nc)
    return out


def transpose(expr: sympy.Expr) -> sympy.Expr:
    def atom(c, nc):
        if not nc:
            return sympy.Integer(1)
        return sympy.Mul(*[_transpose_atom(f) for f in reversed(nc)])
    return _linear(expr, atom)


def _transpose_atom(f: sympy.Expr) -> sympy.Expr:
    if isinstance(f, sympy.Pow) and f.exp.is_Integer and f.exp > 0:
        return _transpose_atom(f.base) ** f.exp
    if f.func == _TR:
        return f.args[0]
    if f.func == _MATRIX_F["kron"]:
        return _MATRIX_F["kron"](transpose(f.args[0]), transpose(f.args[1]))
    if f.func in (_MATRIX_F["eye"], _MATRIX_F["proj"]):
        return f                                   # eye and orthogonal projectors are symmetric
    if f.func == _MATRIX_F["inv"]:
        return _MATRIX_F["inv"](transpose(f.args[0]))
    return _TR(f)


def vec(expr: sympy.Expr) -> sympy.Expr:
    return _linear(expr, lambda c, nc: _MATRIX_F["vec"](sympy.Mul(*nc)) if nc else _MATRIX_F["vec"](1))


def trace(expr: sympy.Expr) -> sympy.Expr:
    def atom(c, nc):
        if not nc:
            return sympy.Integer(1)
        if len(nc) == 2 and transpose(nc[0]) == nc[1]:
            return norm(nc[1]) ** 2                # tr(X^T X) = ||X||_F^2
        return _SCALAR_F["tr"](sympy.Mul(*nc))
    return _linear(expr, atom)


def norm(expr: sympy.Expr) -> sympy.Expr:
    """Frobenius norm: |c| leaves, vec and transposes are dropped, the sign of a sum is fixed."""
    expr = sympy.expand(expr)
    if expr == 0:
        return sympy.Integer(0)
    if isinstance(expr, sympy.Mul):
        c, nc = _split(expr)
        if c != 1 and nc:                          # ||c X|| = |c| ||X|| for a scalar c
            return sympy.Abs(c) * norm(sympy.Mul(*nc))
    if expr.func in (_MATRIX_F["vec"], _TR):
        return norm(expr.args[0])
    if isinstance(expr, sympy.Add):
        g = functools.reduce(sympy.gcd, [_split(t)[0] for t in sympy.Add.make_args(expr)])
        if g != 1 and g != 0:                      # a common scalar factor of every term
            return sympy.Abs(g) * norm(sympy.expand(expr / g))
        parts = [_split(t) for t in sympy.Add.make_args(expr)]
        for f in (_MATRIX_F["vec"], _TR):        # ||vec(A) - vec(B)|| = ||A - B||, same for transposes
            if all(len(nc) == 1 and nc[0].func == f for _, nc in parts):
                return norm(sympy.Add(*[c * nc[0].args[0] for c, nc in parts]))
        neg = sympy.expand(-expr)
        if sympy.default_sort_key(neg) < sympy.default_sort_key(expr):
            expr = neg
    return _SCALAR_F["norm"](expr)


def canon(expr: sympy.Expr) -> sympy.Expr:
    """Re-apply the normal forms bottom-up (after a substitution put new terms inside a function)."""
    if not expr.args or expr.is_Atom:
        return expr
    args = [canon(a) for a in expr.args]
    f = expr.func
    if f == _SCALAR_F["norm"]:
        return norm(args[0])
    if f == _SCALAR_F["tr"]:
        return trace(args[0])
    if f == _MATRIX_F["vec"]:
        return vec(args[0])
    if f == _TR:
        return transpose(args[0])
    return f(*args)


def _constant_factor(term: sympy.Expr, ctx: Context) -> tuple[sympy.Expr, sympy.Expr]:
    """Split one product term as (c, body) with term = c * body: c the product of its commutative
    factors that are constant along the flow, body the rest (varying scalars, then the matrix factors
    in order)."""
    c, nc = _split(term)
    consts = [f for f in sympy.Mul.make_args(c) if ctx.constant(f)]
    varying = [f for f in sympy.Mul.make_args(c) if not ctx.constant(f)]
    return sympy.Mul(*consts), sympy.Mul(*varying) * sympy.Mul(*nc)


def deriv(expr: sympy.Expr, ctx: Context) -> sympy.Expr:
    """d/dt along the flow: linear; d(c) = 0 for c free of the flowing variables."""
    expr = sympy.expand(expr)
    out = sympy.Integer(0)
    for t in sympy.Add.make_args(expr):
        consts, body = _constant_factor(t, ctx)
        out += consts * (sympy.Integer(0) if ctx.constant(body) else
                         (_D_S if body.is_commutative else _D_M)(body))
    return out


def at(expr: sympy.Expr, t: sympy.Expr, ctx: Context) -> sympy.Expr:
    """The value at time t: linear; constant factors leave; at(c, t) = c."""
    expr = sympy.expand(expr)
    out = sympy.Integer(0)
    for term in sympy.Add.make_args(expr):
        consts, body = _constant_factor(term, ctx)
        if ctx.constant(body):
            out += consts * body
        else:
            out += consts * (_AT_S if body.is_commutative else _AT_M)(body, t)
    return out


def nonnegative(expr: sympy.Expr) -> bool:
    """A syntactic proof that expr >= 0: nonnegative numbers, even powers, norms, exp, abs, and
    sums and products of such.  ``False`` means 'not shown', never 'negative'."""
    expr = sympy.expand(expr)
    if expr.is_number:
        return bool(expr >= 0)
    if expr.is_nonnegative is True:                # declared positive scalars and products of them
        return True
    if isinstance(expr, (sympy.Add, sympy.Mul)):
        return all(nonnegative(a) for a in expr.args)
    if isinstance(expr, sympy.Pow):
        if expr.exp.is_Integer and int(expr.exp) % 2 == 0:
            return True
        return nonnegative(expr.base) and expr.exp.is_real is True
    if isinstance(expr, (sympy.exp, sympy.Abs)):
        return True
    return expr.func in (_SCALAR_F["norm"], _SCALAR_F["sigma_min"], _SCALAR_F["sigma_max"],
                         _SCALAR_F["sigma_small"], _SCALAR_F["rank"])


def show(expr: sympy.Expr) -> str:
    """Readable text of a normal form (for messages)."""
    return str(expr).replace("transpose", "T").replace("dM(", "d(").replace("atM(", "at(")
