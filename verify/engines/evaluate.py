"""Evaluate a claim-language expression tree in one arithmetic field.

``grad(f, X)`` is computed by exact symbolic differentiation: f is rebuilt with X's entries as
fresh SymPy symbols (every other variable at its exact value, or symbolic in the symbolic engine),
each entry ∂f/∂X_ij is differentiated, and the result converted to the field.  The gradient has X's
shape (the convention dL/dX with X's shape).  It is never taken from SymPy's matrix-expression
layer, which is known to return wrong derivatives (docs/design.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

import numpy as np

from ..errors import ClaimError, UndefinedValue
from ..language.parser import Node, unparse
from ..language.shapes import int_value
from .fields import ExactField, Field, FloatField, NotCertifiable, NotExact

_UNARY = {"tr", "det", "inv", "pinv", "norm", "eigmin", "eigmax", "sigma_min", "sigma_max",
          "sigma_small", "rank", "proj", "expm", "exp", "log", "sqrt", "abs", "diag", "diagvec", "relu",
          "step", "norm1", "norm2", "norminf", "nuclear"}


@dataclass
class Evaluator:
    """Evaluates nodes with ``values`` (name -> field matrix) and ``dims`` (name -> int).

    ``exact_values`` (name -> ExactField matrix) are the same instance in exact arithmetic; they
    are needed for ``grad``.  ``max_magnitude`` records the largest absolute entry seen in any
    intermediate value (the tolerance of the numeric engine scales with it).
    """

    field: Field
    values: Mapping[str, Any]
    dims: Mapping[str, int]
    exact_values: Mapping[str, Any] | None = None
    max_magnitude: float = 0.0

    def __call__(self, node: Node):
        v = self._eval(node)
        self._observe(v)
        return v

    def _observe(self, v) -> None:
        if isinstance(self.field, ExactField):
            return
        try:
            m = max((abs(float(_mid(x))) for x in np.asarray(v).flat), default=0.0)
        except (TypeError, ValueError, OverflowError):
            return
        if m > self.max_magnitude:
            self.max_magnitude = m

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
        if name == "grad":
            return self._grad(node)
        args = [self(a) for a in node.args]
        if name == "vec":
            return f.vec(args[0])
        if name == "kron":
            return f.kron(*args)
        if name in ("min", "max", "hstack", "vstack", "hadamard", "hadamard_pow"):
            return getattr(f, name)(*args)
        if name in _UNARY:
            return getattr(f, name)(args[0])
        raise ClaimError(f"unknown function {name!r}")

    # -- gradients ---------------------------------------------------------------------------------
    def _grad(self, node: Node):
        fnode, xnode = node.args
        xname = xnode.value
        base = self.exact_values if self.exact_values is not None else self.values
        syms, grads, as_float = symbolic_gradient(
            fnode, xname, self.dims, {k: v.shape for k, v in base.items()}
        )
        if isinstance(self.field, FloatField):
            args = [np.asarray(self.values[k], dtype=float).ravel() for k in syms]
            flat = np.concatenate(args) if args else np.zeros(0)
            with np.errstate(all="ignore"):
                g = np.asarray(as_float(*flat), dtype=float).reshape(grads.shape)
            if not np.all(np.isfinite(g)):
                raise UndefinedValue("gradient is not finite here")
            return g
        if self.exact_values is None and not isinstance(self.field, ExactField):
            raise ClaimError("grad needs the exact instance values")
        import sympy

        subs = {}
        for k, arr in syms.items():
            vals = base[k]
            for sym, v in zip(arr.flat, np.asarray(vals).flat):
                subs[sym] = v
        g = np.empty(grads.shape, dtype=object)
        for i in range(grads.shape[0]):
            for j in range(grads.shape[1]):
                g[i, j] = grads[i, j].xreplace(subs)
                if g[i, j].has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                    raise UndefinedValue("gradient is not defined here (a division by zero)")
        return _to_field(self.field, g)


_GRADIENTS: dict = {}


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
        raise ClaimError(f"grad({unparse(fnode)}, {xname}): f must be built from arithmetic, "
                         f"tr, det, inv, norm, vec, kron, diag, diagvec, ones, hadamard, hadamard_pow, "
                         f"hstack, vstack, sqrt, exp, log ({exc})") from None
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
