"""Exact proofs: identities on explicit symbolic-entry matrices, scalar polynomial claims by z3.

* ``prove_identity``: for ``==`` claims built from arithmetic, ``@``, ``.T``, vec, kron, eye,
  zeros, ones, diag, diagvec, hadamard, hadamard_pow, hstack, vstack, tr, det, inv, norm, sqrt,
  exp, log and grad, every variable becomes a matrix of
  independent real symbols (symmetric when assumed so; positive/nonnegative symbols when assumed)
  on several concrete shapes; the identity is proved on a shape when lhs - rhs simplifies to exactly
  0.  It never uses SymPy's matrix-expression layer.  It never refutes: a non-zero difference only
  means "not proved here" (the claim may need its assumptions or given conditions).
* ``decide_polynomial``: a claim whose variables are all scalars and whose sides and given
  conditions are polynomials is decided by z3's nonlinear real arithmetic: ``unsat`` of
  assumptions ∧ given ∧ ¬statement proves it; a model is returned as a candidate counterexample,
  which the caller re-checks exactly (z3's models are never trusted on their own).
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..claims.model import SYMMETRIC_ASSUMPTIONS, Claim
from ..errors import ClaimError, UndefinedValue
from ..claims.instances import Instance, shape_of
from ..language.parser import Node, Relation
from ..language.shapes import infer
from .evaluate import Evaluator
from .fields import ExactField, NotExact

IDENTITY_FUNCTIONS = {"vec", "kron", "eye", "zeros", "tr", "det", "inv", "norm", "sqrt", "exp", "log", "grad",
                      "grad_sym", "grad_entries_sym",
                      "diag", "diagvec", "ones", "hadamard", "hadamard_pow", "hstack", "vstack", "unit",
                      "entry"}
MAX_SYMBOLS = 90
MAX_DET_SIDE = 4


@dataclass
class SymbolicOutcome:
    proved: bool = False
    method: str = ""
    shapes: list[dict[str, int]] = field(default_factory=list)
    candidates: list[Instance] = field(default_factory=list)
    skipped: list[dict[str, int]] = field(default_factory=list)
    note: str = ""
    seconds: float = 0.0


def symbolic_shapes(claim: Claim, limit: int = 3) -> list[dict[str, int]]:
    """A few concrete dimension assignments, small first (several shapes, as the evidence says)."""
    options = []
    for name, spec in claim.dims.items():
        if isinstance(spec, int):
            options.append([spec])
        else:
            lo, hi = spec
            vals = sorted({lo, min(hi, lo + 1), min(hi, max(lo + 2, 3))})
            options.append(vals)
    combos = [dict(zip(claim.dims, c)) for c in itertools.product(*options)] if claim.dims else [{}]
    combos.sort(key=lambda d: (sum(d.values()), list(d.values())))
    if len(combos) <= limit:
        return combos
    picked = [combos[0], combos[-1]]
    rest = [c for c in combos[1:-1] if len(set(c.values())) > 1] or combos[1:-1]
    picked.insert(1, rest[len(rest) // 2])
    return picked


def _symbolic_values(claim: Claim, dims: dict[str, int]):
    import sympy

    values = {}
    count = 0
    for name, var in claim.vars.items():
        r, c = shape_of(var, dims)
        a = set(var.assume)
        kw: dict[str, Any] = {"real": True}
        if "positive" in a:
            kw = {"positive": True}
        elif "nonnegative" in a:
            kw = {"nonnegative": True}
        if var.is_scalar and "nonzero" in a and "positive" not in a:
            kw["nonzero"] = True
        m = np.empty((r, c), dtype=object)
        sym = bool(a & SYMMETRIC_ASSUMPTIONS)
        for i in range(r):
            for j in range(c):
                tied = _structural_entry(a, i, j, r, m)
                if tied is not None:
                    m[i, j] = tied
                    continue
                if sym and j < i:
                    m[i, j] = m[j, i]
                    continue
                m[i, j] = sympy.Symbol(f"{name}_{i}_{j}" if not var.is_scalar else name, **kw)
                count += 1
        values[name] = m
    return values, count


def _structural_entry(a: set[str], i: int, j: int, n: int, m):
    """The entry (i, j) that a structural assumption fixes from entries already made (or 0); None
    when it is a fresh symbol.  Entries are made row by row, so (i-1, j-1), (0, (j-i) mod n) and
    (j, i) for j < i exist when needed.  Assumptions without a polynomial parametrisation
    (permutation, stochastic, involutory) keep free symbols: a proof for all matrices covers them."""
    import sympy

    if ("diagonal" in a and i != j) or ("upper_triangular" in a and i > j) or (
            "lower_triangular" in a and i < j):
        return sympy.Integer(0)
    if "skew_symmetric" in a and i >= j:
        return sympy.Integer(0) if i == j else -m[j, i]
    if "circulant" in a and i > 0:
        return m[0, (j - i) % n]
    if "toeplitz" in a and i > 0 and j > 0:
        return m[i - 1, j - 1]
    return None


def _is_zero(expr) -> bool:
    import sympy

    e = sympy.expand(expr)
    if e == 0:
        return True
    if e.has(sympy.sqrt(2).func, sympy.exp, sympy.log, sympy.Abs) or any(
            isinstance(a, sympy.Pow) and not a.exp.is_Integer for a in sympy.preorder_traversal(e)):
        return sympy.simplify(e) == 0
    return sympy.cancel(sympy.together(e)) == 0


def _det_sides_ok(rel: Relation, dims, shapes) -> bool:
    for n in (*rel.lhs.walk(), *rel.rhs.walk()):
        if n.op == "call" and n.value in ("det", "inv"):
            if infer(n.args[0], dims, shapes)[0] > MAX_DET_SIDE:
                return False
        if n.op == "pow" and n.args[1].op == "num" and n.args[1].value < 0:
            if infer(n.args[0], dims, shapes)[0] > MAX_DET_SIDE:
                return False
    return True


MAX_NESTED_SYMBOLS = 10


def _used_symbols(rel: Relation, values: dict) -> int:
    """The number of distinct symbols in the variables the relation uses."""
    return len({v for name in rel.names() if name in values for v in values[name].flat})


def _nested_inverse(rel: Relation) -> bool:
    """Does the claim invert (inv, a division, a negative power) something that itself contains an
    inverse?  On symbolic entries such rational functions grow so fast that one SymPy simplification
    can run for minutes (Woodbury, Sherman-Morrison at n = 3), so such a claim is tried symbolically
    only when every shape it would be proved on has at most MAX_NESTED_SYMBOLS symbols; otherwise it
    is left to the instances as a whole (never "proved" on the small shapes alone)."""
    for n in (*rel.lhs.walk(), *rel.rhs.walk()):
        inverted = None
        if n.op == "call" and n.value == "inv":
            inverted = n.args[0]
        elif n.op == "div" and n.args[1].op != "num":
            inverted = n.args[1]
        elif n.op == "pow" and not (n.args[1].op == "num" and n.args[1].value >= 0):
            inverted = n.args[0]
        if inverted is not None and any(m.op == "call" and m.value == "inv" for m in inverted.walk()):
            return True
    return False


def _not_symbolic_note(claim: Claim, shapes: list[dict[str, int]] | None) -> str:
    """Why the claim gets no symbolic identity check ("" when it can have one): not an equality, a
    function without an exact form, or a nested inverse with too many symbols on some shape."""
    rel = claim.relation
    if rel.op != "==":
        return "not an identity"
    funcs = rel.functions()
    if not funcs <= IDENTITY_FUNCTIONS:
        return f"uses {', '.join(sorted(funcs - IDENTITY_FUNCTIONS))}, which has no exact symbolic form here"
    if _nested_inverse(rel):
        for dims in (shapes if shapes is not None else symbolic_shapes(claim)):
            values, _ = _symbolic_values(claim, dims)
            if _used_symbols(rel, values) > MAX_NESTED_SYMBOLS:
                return (
                    f"an inverse of an expression containing an inverse, with more than {MAX_NESTED_SYMBOLS} "
                    f"symbols at dims {dims}: too large for a symbolic check (left to the instances)"
                )
    return ""


def prove_identity(claim: Claim, time_budget: float = 20.0,
                   shapes: list[dict[str, int]] | None = None) -> SymbolicOutcome:
    """Try the identity on each of ``shapes`` (default: ``symbolic_shapes``).  ``out.shapes`` lists
    the shapes on which lhs - rhs is exactly 0; ``out.skipped`` the ones too large to try."""
    rel = claim.relation
    out = SymbolicOutcome()
    t0 = time.perf_counter()
    out.note = _not_symbolic_note(claim, shapes)
    if out.note:
        return out
    ex = ExactField()
    for dims in (shapes if shapes is not None else symbolic_shapes(claim)):
        if time.perf_counter() - t0 > time_budget:
            out.note = "time budget reached"
            out.skipped.append(dict(dims))
            continue
        var_shapes = {n: shape_of(v, dims) for n, v in claim.vars.items()}
        if not _det_sides_ok(rel, dims, var_shapes):
            out.skipped.append(dict(dims))
            continue
        values, count = _symbolic_values(claim, dims)
        if count > MAX_SYMBOLS:
            out.skipped.append(dict(dims))
            continue
        ev = Evaluator(ex, values, dims)
        try:
            lhs, rhs = ev(rel.lhs), ev(rel.rhs)
        except (NotExact, UndefinedValue) as exc:
            out.note = f"symbolic evaluation stopped: {exc}"
            out.shapes = []
            break
        if lhs.shape != rhs.shape:
            raise ClaimError(f"the two sides of {rel.text!r} have different shapes at dims {dims}")
        if all(_is_zero(a - b) for a, b in zip(lhs.flat, rhs.flat)):
            out.shapes.append(dict(dims))
        else:
            out.shapes = []
            out.note = f"lhs - rhs is not identically zero at dims {dims} (may need the assumptions)"
            break
    out.seconds = time.perf_counter() - t0
    if out.shapes:
        out.proved = True
        out.method = "sympy: lhs - rhs expands to exactly 0 on explicit symbolic-entry matrices"
    elif not out.note:
        out.note = "no shape small enough for a symbolic check"
    return out


# --- z3 ---------------------------------------------------------------------------------------------
def _z3_expr(node: Node, env: dict):
    import z3

    op = node.op
    if op == "num":
        return _z3_rational(Fraction(node.value))
    if op == "name":
        if node.value not in env:
            raise NotExact("dimension used as a value")
        return env[node.value]
    if op == "neg":
        return -_z3_expr(node.args[0], env)
    if op in ("add", "sub", "mul"):
        a, b = (_z3_expr(x, env) for x in node.args)
        return a + b if op == "add" else a - b if op == "sub" else a * b
    if op == "div":
        if node.args[1].op != "num":
            raise NotExact("division by a non-constant")
        q = Fraction(node.args[1].value)
        if q == 0:
            raise ClaimError("division by the literal 0")
        return _z3_expr(node.args[0], env) * _z3_rational(1 / q)
    if op == "pow":
        e = node.args[1]
        if e.op != "num" or e.value.denominator != 1 or not 0 <= e.value <= 12:
            raise NotExact("power with a non-integer or large exponent")
        base = _z3_expr(node.args[0], env)
        out = z3.RealVal(1)
        for _ in range(int(e.value)):
            out = out * base
        return out
    raise NotExact(f"{op} is not polynomial")


def _z3_rational(q: Fraction):
    """A z3 rational with the sign on the numerator (z3 reads "1/-5" as +1/5)."""
    import z3

    q = Fraction(q)
    return z3.Q(q.numerator, q.denominator) if q.denominator != 1 else z3.RealVal(q.numerator)


def _z3_rel(rel: Relation, env: dict):
    a, b = _z3_expr(rel.lhs, env), _z3_expr(rel.rhs, env)
    return {"==": a == b, "<=": a <= b, ">=": a >= b, "<": a < b, ">": a > b}[rel.op]


def decide_polynomial(claim: Claim, timeout_ms: int = 3000) -> SymbolicOutcome:
    out = SymbolicOutcome()
    if not all(v.is_scalar for v in claim.vars.values()) or claim.dims:
        out.note = "not a scalar claim"
        return out
    try:
        import z3
    except ImportError:  # pragma: no cover - z3 is a dependency
        out.note = "z3 is not installed"
        return out
    t0 = time.perf_counter()
    env = {name: z3.Real(name) for name in claim.vars}
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    try:
        for name, var in claim.vars.items():
            a = set(var.assume)
            if "positive" in a:
                s.add(env[name] > 0)
            if "nonnegative" in a:
                s.add(env[name] >= 0)
            if "nonzero" in a:
                s.add(env[name] != 0)
        for g in claim.given_relations:
            s.add(_z3_rel(g, env))
        s.add(z3.Not(_z3_rel(claim.relation, env)))
    except NotExact as exc:
        out.note = f"not polynomial ({exc})"
        return out
    res = s.check()
    out.seconds = time.perf_counter() - t0
    if res == z3.unsat:
        out.proved = True
        out.method = "z3 (nonlinear real arithmetic): assumptions ∧ given ∧ ¬statement is unsatisfiable"
    elif res == z3.sat:
        m = s.model()
        for digits in (0, 2, 6, 12, 30):
            vals = {}
            for name in claim.vars:
                v = m.eval(env[name], model_completion=True)
                vals[name] = _z3_model_value(v, digits)
            out.candidates.append(Instance({}, {k: [[v]] for k, v in vals.items()}))
        out.method = "z3 model (re-checked exactly before use)"
    else:
        out.note = f"z3 returned {res} ({s.reason_unknown()})"
    return out


def _z3_model_value(v, digits: int) -> Fraction:
    import z3

    if z3.is_rational_value(v):
        return Fraction(v.as_fraction())
    if z3.is_algebraic_value(v):
        approx = v.approx(max(digits, 1))
        q = Fraction(approx.as_fraction())
        return q.limit_denominator(10 ** max(digits, 1)) if digits else Fraction(round(q))
    return Fraction(0)
