"""Evaluate a claim-language expression tree in one arithmetic field.

``grad(f, X)`` is computed by exact symbolic differentiation: f is rebuilt with X's entries as
fresh SymPy symbols (every other variable at its exact value, or symbolic in the symbolic engine),
each entry ∂f/∂X_ij is differentiated, and the result converted to the field.  The gradient has X's
shape (the convention dL/dX with X's shape).  It is never taken from SymPy's matrix-expression
layer, which is known to return wrong derivatives (docs/design.md).  When f contains expm, sqrtm,
logm, relu or step (no symbolic form here) the gradient is taken in reverse mode in the field itself
(``verify.engines.reverse``: the chain rule with the adjoint Fréchet derivative L_f(A^T, G)).

``grad_sym(f, X)`` = sym(G) = (G + G^T)/2 with G = grad(f, X): the gradient of f restricted to the
symmetric matrices in the Frobenius inner product (X must be declared symmetric).
``grad_entries_sym(f, X)`` = G + G^T - diag(diag(G)): the derivative with respect to the independent
entries X_ij, i <= j, of a symmetric X (The Matrix Cookbook, eq. (2.8)); a different convention.

``sqrtm`` and ``logm`` of an argument that is exactly rational (instance values through rational
operations) go through the field's ``matfun_exact_input``: the domain (symmetric psd / pd) is decided
exactly and the value computed from the exact entries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

import numpy as np

from ..errors import ClaimError, UndefinedValue
from ..language.parser import GRADIENTS, Node, unparse
from ..language.shapes import int_value
from .fields import ExactField, Field, FloatField, MpField, NotCertifiable, NotExact
from .reverse import REVERSE_FUNCTIONS, reverse_gradient

RANK_TYPE = {"rank", "pinv", "proj", "sigma_small"}
# functions whose evaluation uses the instance's exact values (``Evaluator.exact_values``)
NEEDS_EXACT_VALUES = frozenset(RANK_TYPE | set(GRADIENTS) | {"sqrtm", "logm"})
_UNARY = {
    "tr",
    "det",
    "inv",
    "pinv",
    "norm",
    "eigmin",
    "eigmax",
    "sigma_min",
    "sigma_max",
    "sigma_small",
    "rank",
    "proj",
    "expm",
    "exp",
    "log",
    "sqrt",
    "abs",
    "diag",
    "diagvec",
    "relu",
    "step",
    "norm1",
    "norm2",
    "norminf",
    "nuclear",
}


@dataclass
class Evaluator:
    """Evaluates nodes with ``values`` (name -> field matrix) and ``dims`` (name -> int).

    ``exact_values`` (name -> ExactField matrix) are the same instance in exact arithmetic; they
    are needed for ``grad``.  ``max_log10`` records log10 of the largest absolute entry seen in any
    intermediate value, or formed inside det and expm (the tolerance of the numeric engine scales
    with it); ``max_magnitude`` is the same as a float, capped at 1e307.
    """

    field: Field
    values: Mapping[str, Any]
    dims: Mapping[str, int]
    exact_values: Mapping[str, Any] | None = None
    max_magnitude: float = 0.0
    max_log10: float = -math.inf
    threshold_decisions: int = 0
    _memo: dict | None = None           # node id -> value, while a reverse-mode gradient runs

    def __call__(self, node: Node):
        if self._memo is not None and id(node) in self._memo:
            return self._memo[id(node)]
        v = self._eval(node)
        self._observe(v)
        if self._memo is not None:
            self._memo[id(node)] = v
        return v

    def _observe(self, v) -> None:
        if isinstance(self.field, ExactField):
            return
        m = max((_log10_abs(x) for x in np.asarray(v).flat), default=-math.inf)
        self._record(m)

    def _record(self, log10_m: float) -> None:
        if log10_m > self.max_log10:
            self.max_log10 = log10_m
            self.max_magnitude = 10.0 ** min(log10_m, 307.0)

    def _exact_argument(self, node: Node):
        """The argument as exact rationals (rank-type decisions need exact input), or None."""
        try:
            v = Evaluator(ExactField(), self.exact_values, self.dims, exact_values=self.exact_values)(node)
        except (NotExact, UndefinedValue):
            return None
        if not all(getattr(x, "is_Rational", False) for x in v.flat):
            return None
        return [[Fraction(int(x.p), int(x.q)) for x in r] for r in v.tolist()]

    def _observe_inside(self, name: str, a) -> None:
        """Magnitudes formed *inside* det (Hadamard's bound: the product of the column norms, which
        bounds every partial product of an elimination) and expm (exp of the entrywise 1-norm);
        kept as log10 so that magnitudes beyond float range still count."""
        if isinstance(self.field, ExactField):
            return
        logs = [[_log10_abs(x) for x in row] for row in np.asarray(a).tolist()]
        if not logs or not logs[0]:
            return
        if name == "det":
            n_rows = len(logs)
            est = sum(max(0.0, max(col) + 0.5 * math.log10(n_rows)) for col in zip(*logs))
        else:
            total = 0.0
            for row in logs:
                for lx in row:
                    total += 10.0**lx if lx < 300 else math.inf
            est = total / math.log(10) if math.isfinite(total) else math.inf
        self._record(est)

    def _eval(self, node: Node):
        f = self.field
        op = node.op
        if op == "num":
            return f.const(node.value)
        if op == "name":
            if node.value in self.values:
                return self.values[node.value]
            return f.const(Fraction(self.dims[node.value]))
        if op == "call":
            return self._call(node)
        args = [self(a) for a in node.args]
        if op == "add":
            return f.add(*args)
        if op == "sub":
            return f.sub(*args)
        if op == "neg":
            return f.neg(args[0])
        if op == "T":
            return f.T(args[0])
        if op == "matmul":
            return f.matmul(*args)
        if op == "mul":
            a, b = args
            if a.shape == (1, 1):
                return f.scale(a, b)
            return f.scale(b, a)
        if op == "div":
            return f.div(*args)
        if op == "pow":
            a, b = args
            if a.shape == (1, 1):
                return f.pow_scalar(a, b)
            return f.matpow(a, int(node.args[1].value))
        raise ClaimError(f"cannot evaluate {unparse(node)!r}")

    def _call(self, node: Node):
        f = self.field
        name = node.value
        if name == "eye":
            return f.eye(int_value(node.args[0], self.dims))
        if name == "zeros":
            return f.zeros(*(int_value(a, self.dims) for a in node.args))
        if name == "ones":
            return f.ones(*(int_value(a, self.dims) for a in node.args))
        if name in ("eig", "sigma"):
            return getattr(f, name)(self(node.args[0]), int_value(node.args[1], self.dims))
        if name == "unit":
            return f.from_rationals(_unit(*(int_value(a, self.dims) for a in node.args)))
        if name == "entry":
            a = self(node.args[0])
            i, j = (int_value(x, self.dims) for x in node.args[1:])
            ei, ej = f.from_rationals(_unit(a.shape[0], i)), f.from_rationals(_unit(a.shape[1], j))
            return f.matmul(f.matmul(f.T(ei), a), ej)
        if name in GRADIENTS:
            return self._grad(node)
        if name in ("sqrtm", "logm"):
            return self._matfun(node)
        if name in RANK_TYPE and not isinstance(f, ExactField):
            rows = self._exact_argument(node.args[0]) if self.exact_values is not None else None
            if rows is not None and hasattr(f, "rank_type_exact"):
                return f.rank_type_exact(name, rows)
            self.threshold_decisions += 1
        args = [self(a) for a in node.args]
        if name in ("det", "expm"):
            self._observe_inside(name, args[0])
        if name == "vec":
            return f.vec(args[0])
        if name == "kron":
            return f.kron(*args)
        if name in ("min", "max", "hstack", "vstack", "hadamard", "hadamard_pow"):
            return getattr(f, name)(*args)
        if name in _UNARY:
            return getattr(f, name)(args[0])
        raise ClaimError(f"unknown function {name!r}")

    def _matfun(self, node: Node):
        """sqrtm / logm: from the exact argument when there is one (domain decided exactly, no input
        rounding), else in the field; in mpmath the conditioning is recorded for the tolerance."""
        f = self.field
        name = node.value
        exact_input = self.exact_values is not None and hasattr(f, "matfun_exact_input")
        if exact_input and not isinstance(f, ExactField):
            rows = self._exact_argument(node.args[0])
            if rows is not None:
                return f.matfun_exact_input(name, rows)
        a = self(node.args[0])
        out = getattr(f, name)(a)
        if isinstance(f, MpField):
            self._observe_matfun(name, a)
        return out

    def _observe_matfun(self, name: str, a) -> None:
        """An inexact argument's rounding (10^-d relative to its largest eigenvalue lam_max) moves
        log(lam) by about lam_max / lam_min and sqrt(lam) by min(sqrt(10^-d lam_max), 10^-d lam_max /
        sqrt(lam_min)): recorded, in units of 10^-d, as an intermediate magnitude for the tolerance."""
        f = self.field
        lo, hi = f.eigmin(a)[0, 0], f.eigmax(a)[0, 0]
        top = max(abs(lo), abs(hi))
        if top == 0:
            return
        if name == "logm":
            self._record(_log10_abs(top) - _log10_abs(lo))
            return
        half = 0.5 * (f.dps + _log10_abs(top))
        self._record(half if lo <= 0 else min(half, _log10_abs(top) - 0.5 * _log10_abs(lo)))

    # -- gradients ---------------------------------------------------------------------------------
    def _grad(self, node: Node):
        """grad, grad_sym or grad_entries_sym (module docstring); the result has X's shape."""
        fnode, xnode = node.args
        if fnode.functions() & REVERSE_FUNCTIONS:
            outer, self._memo = self._memo, {}
            try:
                g = reverse_gradient(self, fnode, xnode.value)
            finally:
                self._memo = outer
        else:
            g = self._grad_symbolic(fnode, xnode.value)
        f = self.field
        if node.value == "grad_sym":
            return f.scale(f.const(Fraction(1, 2)), f.add(g, f.T(g)))
        if node.value == "grad_entries_sym":
            return f.sub(f.add(g, f.T(g)), f.diag(f.diagvec(g)))
        return g

    def _grad_symbolic(self, fnode: Node, xname: str):
        """Entry-by-entry symbolic differentiation (module docstring)."""
        base = self.exact_values if self.exact_values is not None else self.values
        syms, grads, as_float = symbolic_gradient(
            fnode, xname, self.dims, {k: v.shape for k, v in base.items()}
        )
        kinky = _has_kinks(grads)
        if isinstance(self.field, FloatField) and not kinky:
            args = [np.asarray(self.values[k], dtype=float).ravel() for k in syms]
            flat = np.concatenate(args) if args else np.zeros(0)
            with np.errstate(all="ignore"):
                g = np.asarray(as_float(*flat), dtype=float).reshape(grads.shape)
            if not np.all(np.isfinite(g)):
                raise UndefinedValue("gradient is not finite here")
            return g
        if self.exact_values is None and not isinstance(self.field, (ExactField, FloatField)):
            raise ClaimError("grad needs the exact instance values")
        import sympy

        subs = {}
        for k, arr in syms.items():
            vals = base[k]
            for sym, v in zip(arr.flat, np.asarray(vals).flat):
                subs[sym] = sympy.Float(float(v), 30) if isinstance(self.field, FloatField) else v
        g = np.empty(grads.shape, dtype=object)
        for i in range(grads.shape[0]):
            for j in range(grads.shape[1]):
                if kinky:
                    _check_kinks(grads[i, j], subs)
                g[i, j] = grads[i, j].xreplace(subs)
                if g[i, j].has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                    raise UndefinedValue("gradient is not finite here (0/0 or a pole)")
        return _to_field(self.field, g)



_GRADIENTS: dict = {}


def _kink_types():
    import sympy

    return (sympy.sign, sympy.Heaviside, sympy.DiracDelta)


def _has_kinks(grads: np.ndarray) -> bool:
    """True when a derivative contains sign/Heaviside/DiracDelta (from abs, max, min, norms)."""
    kt = _kink_types()
    return any(e.has(*kt) for e in grads.flat)


def _check_kinks(expr, subs: dict) -> None:
    """A derivative evaluated where its argument is 0 is undefined (d|x|/dx at 0, d max(x, 0)/dx at
    0), never sign(0) = 0 or Heaviside(0) = 1/2."""
    import sympy

    for f in expr.atoms(*_kink_types()):
        arg = f.args[0].xreplace(subs)
        if arg.is_zero:
            raise UndefinedValue(f"derivative at a point of non-differentiability ({f.func.__name__} of 0)")
        if arg.is_number and arg.is_zero is None and abs(complex(sympy.N(arg, 40))) < 1e-30:
            raise UndefinedValue(f"derivative at (or numerically at) a kink ({f.func.__name__} of ~0)")


def _unit(n: int, i: int) -> list[list[Fraction]]:
    """The i-th (1-based) standard basis column of length n, as rows."""
    if not 1 <= i <= n:
        raise ClaimError(f"index {i} is outside 1..{n}")
    return [[Fraction(int(r == i - 1))] for r in range(n)]


def symbolic_gradient(fnode: Node, xname: str, dims: Mapping[str, int], shapes: Mapping[str, tuple]):
    """∂f/∂X_ij as SymPy expressions in independent symbols for every variable's entries (cached).

    Returns (symbols by variable name, gradient array with X's shape, a float64 function of all
    symbols' values in the order of the returned dict).
    """
    import sympy

    key = (
        unparse(fnode),
        xname,
        tuple(sorted(dims.items())),
        tuple(sorted((k, tuple(v)) for k, v in shapes.items())),
    )
    hit = _GRADIENTS.get(key)
    if hit is not None:
        return hit
    used = fnode.names() | {xname}
    syms: dict[str, np.ndarray] = {}
    for name in sorted(used):
        if name not in shapes:
            continue
        r, c = shapes[name]
        syms[name] = np.array(
            [[sympy.Symbol(f"_g_{name}_{i}_{j}", real=True) for j in range(c)] for i in range(r)],
            dtype=object,
        ).reshape(r, c)
    ev = Evaluator(ExactField(), syms, dims)
    try:
        fv = ev(fnode)[0, 0]
    except NotExact as exc:
        raise ClaimError(
            f"grad({unparse(fnode)}, {xname}): f must be built from arithmetic, "
            f"tr, det, inv, norm, vec, kron, diag, diagvec, ones, hadamard, hadamard_pow, "
            f"hstack, vstack, sqrt, exp, log ({exc})"
        ) from None
    x = syms[xname]
    grads = np.empty(x.shape, dtype=object)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            grads[i, j] = sympy.diff(fv, x[i, j])
    flat_syms = [s for arr in syms.values() for s in arr.flat]
    as_float = sympy.lambdify(flat_syms, list(grads.flat), modules="numpy")
    if len(_GRADIENTS) > 256:
        _GRADIENTS.clear()
    _GRADIENTS[key] = (syms, grads, as_float)
    return _GRADIENTS[key]


def _log10_abs(x) -> float:
    """log10 |x| for a float, mpf or ball midpoint, also beyond float range (-inf for 0)."""
    x = _mid(x)
    try:
        a = abs(x)
        if a == 0:
            return -math.inf
        f = float(a)
        if math.isfinite(f) and f > 0:
            return math.log10(f)
    except (TypeError, ValueError, OverflowError):
        pass
    try:
        import mpmath

        v = mpmath.log10(mpmath.mpf(a))
        return float(v) if mpmath.isfinite(v) else math.inf
    except (TypeError, ValueError, ZeroDivisionError):
        return math.inf


def _mid(x):
    if hasattr(x, "mid") and callable(getattr(x, "mid")):
        return x.mid()
    return x


def _to_field(field: Field, g: np.ndarray):
    """Convert an array of exact SymPy values to ``field``."""
    import sympy

    if isinstance(field, ExactField):
        return g
    rows = []
    for r in g.tolist():
        row = []
        for v in r:
            v = sympy.simplify(v) if not v.is_Rational else v
            if v.is_Rational:
                row.append(field.num(Fraction(int(v.p), int(v.q))))
                continue
            if field.name == "arb":
                raise NotCertifiable("a non-rational gradient entry has no rigorous enclosure here")
            if not v.is_real and v.is_real is not None:
                raise UndefinedValue("gradient entry is not real")
            if isinstance(field, FloatField):
                row.append(float(v.evalf(20)))
            else:
                digits = getattr(field, "dps", 50) + 15
                row.append(field.ctx.mpf(str(sympy.N(v, digits))))
        rows.append(row)
    out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=field.dtype)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            out[i, j] = v
    return out
