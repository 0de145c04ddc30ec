"""Deciding a relation on one concrete instance: exactly, with balls, or at high precision.

Relations are reduced to a *slack* that must be >= 0 (> 0 for strict relations):
``lhs <= rhs`` has slack rhs - lhs, ``lhs >= rhs`` has slack lhs - rhs; ``==`` compares entrywise.

At ``dps`` digits the tolerance is ``10^-(dps-10) * (1 + M)`` with M the largest magnitude of any
intermediate value (docs/design.md).  A slack within the tolerance is a near-tie: it is re-evaluated at
higher precision, never guessed; a tie that persists is "tight" (equality attained up to the working
precision), which counts as holding for a non-strict relation and as undecided for a strict one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..claims.model import Claim
from ..errors import ClaimError, UndefinedValue
from ..precision import flint_bits
from ..claims.instances import Instance
from ..language.parser import Relation
from .evaluate import Evaluator
from .fields import BallField, ExactField, Field, FloatField, MpField, NotCertifiable, NotExact

EXACT_MAX_ENTRIES = 64
NON_EXACT_FUNCTIONS = {"eigmin", "eigmax", "sigma_min", "sigma_max", "sigma_small", "expm", "exp", "log",
                       "eig", "sigma", "norm2", "nuclear"}


@dataclass
class Decision:
    """The outcome on one instance.

    status: holds | tight | violated | undefined | undecided; ``slack`` is a float summary
    (normalised by 1 + |lhs| + |rhs| for comparisons across instances), ``method`` says how it was decided.
    """

    status: str
    method: str
    slack: float = 0.0
    raw_slack: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


def field_values(fieldobj: Field, inst: Instance) -> dict:
    return {k: fieldobj.from_rationals(v) for k, v in inst.values.items()}


def _evaluate(rel: Relation, fieldobj: Field, inst: Instance, exact_values=None):
    ev = Evaluator(fieldobj, field_values(fieldobj, inst), inst.dims, exact_values=exact_values)
    lhs, rhs = ev(rel.lhs), ev(rel.rhs)
    if lhs.shape != rhs.shape:
        raise ClaimError(f"the two sides of {rel.text!r} have shapes {lhs.shape[0]}x{lhs.shape[1]} "
                         f"and {rhs.shape[0]}x{rhs.shape[1]}")
    if rel.op != "==" and lhs.shape != (1, 1):
        raise ClaimError(
            f"{rel.op} compares scalars, but {rel.text!r} compares {lhs.shape[0]}x{lhs.shape[1]} "
            "matrices (use eigmin(...) >= 0, norm(...), ...)"
        )
    return lhs, rhs, ev.max_magnitude


def exact_values(inst: Instance) -> dict:
    ex = ExactField()
    return {k: ex.from_rationals(v) for k, v in inst.values.items()}


def _slack_sign(rel: Relation, lhs, rhs):
    if rel.op in ("<=", "<"):
        return rhs[0, 0] - lhs[0, 0]
    return lhs[0, 0] - rhs[0, 0]


def decide_exact(rel: Relation, inst: Instance) -> Decision | None:
    """Exact decision (SymPy rationals); None when the values are not exactly rational."""
    import sympy

    if rel.functions() & NON_EXACT_FUNCTIONS:
        return None
    if any(len(rows) * len(rows[0]) > EXACT_MAX_ENTRIES for rows in inst.values.values()):
        return None                      # exact SymPy arithmetic on large matrices is too slow
    ex = ExactField()
    try:
        lhs, rhs, _ = _evaluate(rel, ex, inst, exact_values=exact_values(inst))
    except NotExact:
        return None
    diffs = []
    for a, b in zip(lhs.flat, rhs.flat):
        d = a - b
        if not d.is_Rational:
            d = sympy.radsimp(sympy.expand(d))
            if not d.is_Rational:
                return None
        diffs.append(Fraction(int(d.p), int(d.q)))
    scale = 1 + max((abs(float(v)) for v in list(lhs.flat) + list(rhs.flat)), default=0.0)
    if rel.op == "==":
        worst = max((abs(d) for d in diffs), default=Fraction(0))
        st = "holds" if worst == 0 else "violated"
        return Decision(st, "exact", -float(worst) / scale, -float(worst),
                        {"max_abs_difference": worst})
    s = diffs[0] if rel.op in (">=", ">") else -diffs[0]
    ok = s > 0 if rel.op in ("<", ">") else s >= 0
    return Decision("holds" if ok else "violated", "exact", float(s) / scale, float(s),
                    {"slack": s, "lhs": _scalar_json(lhs[0, 0]), "rhs": _scalar_json(rhs[0, 0])})


def _scalar_json(v):
    if getattr(v, "is_Rational", False):
        return Fraction(int(v.p), int(v.q))
    return str(v)


def decide_ball(rel: Relation, inst: Instance, dps: int) -> Decision | None:
    """Certified decision with python-flint balls; None when the enclosure cannot decide."""
    bits = int(dps * 3.33) + 64
    with flint_bits(bits):
        bf = BallField(bits)
        try:
            ev = exact_values(inst) if any(n.value == "grad" for n in _calls(rel)) else None
            lhs, rhs, _ = _evaluate(rel, bf, inst, exact_values=ev)
        except (NotCertifiable, NotExact, ZeroDivisionError, ValueError):
            return None
        if rel.op == "==":
            diffs = [a - b for a, b in zip(lhs.flat, rhs.flat)]
            if all(d.is_exact() and d == 0 for d in diffs):
                return Decision("holds", "arb", 0.0, 0.0, {"bits": bits})
            if any(0 not in d for d in diffs):
                return Decision("violated", "arb", -1.0, -1.0, {"bits": bits})
            return None
        s = _slack_sign(rel, lhs, rhs)
        strict = rel.op in ("<", ">")
        if (s > 0) if strict else (s >= 0):
            return Decision(
                "holds", "arb", 0.0, float(s.mid()), {"bits": bits, "slack_lower": float(s.lower())}
            )
        if (s <= 0) if strict else (s < 0):
            return Decision(
                "violated", "arb", -1.0, float(s.mid()), {"bits": bits, "slack_upper": float(s.upper())}
            )
        return None


def _calls(rel: Relation):
    return [n for n in (*rel.lhs.walk(), *rel.rhs.walk()) if n.op == "call"]


def _mp_slack(rel: Relation, inst: Instance, dps: int):
    mf = MpField(dps)
    ev = exact_values(inst) if any(n.value == "grad" for n in _calls(rel)) else None
    lhs, rhs, mag = _evaluate(rel, mf, inst, exact_values=ev)
    ctx = mf.ctx
    tol = ctx.mpf(10) ** (-(dps - 10)) * (1 + ctx.mpf(mag))
    scale = 1 + max(abs(v) for v in list(lhs.flat) + list(rhs.flat))
    if rel.op == "==":
        worst = max(abs(a - b) for a, b in zip(lhs.flat, rhs.flat))
        s = -worst if worst > tol else ctx.mpf(0) * worst
        return s, worst, tol, scale, lhs, rhs
    s = _slack_sign(rel, lhs, rhs)
    return s, s, tol, scale, lhs, rhs


def decide_mp(rel: Relation, inst: Instance, dps: int) -> Decision:
    """High-precision decision with a near-tie re-check at about twice the precision."""
    s, raw, tol, scale, lhs, rhs = _mp_slack(rel, inst, dps)
    strict = rel.op in ("<", ">")
    if rel.op == "==":
        if raw <= tol:
            return Decision(
                "holds", f"mpmath dps={dps}", 0.0, float(raw), {"residual": float(raw), "tol": float(tol)}
            )
    elif s > tol:
        return Decision("holds", f"mpmath dps={dps}", float(s / scale), float(s), {"tol": float(tol)})
    # a violation or a near-tie: re-check at higher precision before saying anything
    dps2 = 2 * dps + 10
    s2, raw2, tol2, scale2, lhs2, rhs2 = _mp_slack(rel, inst, dps2)
    if rel.op == "==":
        if raw2 <= tol2:
            return Decision(
                "holds", f"mpmath dps={dps2} (re-check)", 0.0, float(raw2), {"residual": float(raw2)}
            )
        return Decision("violated", f"mpmath dps={dps2}", -float(raw2 / scale2), -float(raw2),
                        {"residual": float(raw2), "tol": float(tol2)})
    if s2 > tol2:
        return Decision(
            "holds", f"mpmath dps={dps2} (re-check)", float(s2 / scale2), float(s2), {"tol": float(tol2)}
        )
    if s2 < -tol2:
        return Decision("violated", f"mpmath dps={dps2}", float(s2 / scale2), float(s2),
                        {"tol": float(tol2), "lhs": float(lhs2[0, 0]), "rhs": float(rhs2[0, 0])})
    if strict:
        return Decision("undecided", f"mpmath dps={dps2}", 0.0, float(s2),
                        {"why": "the two sides agree to the working precision but the relation is strict"})
    return Decision("tight", f"mpmath dps={dps2}", 0.0, float(s2), {"tol": float(tol2)})


def confirm_violation(rel: Relation, inst: Instance, dps: int) -> Decision | None:
    """Re-check a candidate counterexample: exactly, else with balls, else at two higher precisions.

    Returns the confirming decision, or None when the violation does not survive (rounding).
    """
    try:
        d = decide_exact(rel, inst)
        if d is not None:
            return d if d.status == "violated" else None
        d = decide_ball(rel, inst, 2 * dps)
        if d is not None:
            return d if d.status == "violated" else None
        d2 = decide_mp(rel, inst, 2 * dps)
        d3 = decide_mp(rel, inst, 3 * dps + 20)
        if d2.status == "violated" and d3.status == "violated":
            d3.method = f"mpmath at dps {2 * dps} and {3 * dps + 20} (re-checked at higher precision)"
            return d3
        return None
    except UndefinedValue:
        return None


def given_holds(claim: Claim, inst: Instance, dps: int) -> bool | None:
    """True/False when every given condition is decided on ``inst``; None when one is undecided."""
    for rel in claim.given_relations:
        d = decide_exact(rel, inst)
        if d is None:
            d = decide_ball(rel, inst, dps)
        if d is None:
            d = decide_mp(rel, inst, dps)
            if d.status in ("tight", "undecided"):
                return None
        if d.status == "violated":
            return False
    return True


def float_slack(rel: Relation, inst_values: dict, dims: dict) -> float:
    """Normalised float64 slack for the search (negative = looks violated); never a verdict."""
    ff = FloatField()
    vals = {k: np.asarray(v, dtype=float) for k, v in inst_values.items()}
    ev = Evaluator(ff, vals, dims)
    with np.errstate(all="ignore"):
        lhs, rhs = ev(rel.lhs), ev(rel.rhs)
    if lhs.shape != rhs.shape:
        raise ClaimError("shape mismatch")
    scale = 1 + float(np.max(np.abs(lhs), initial=0)) + float(np.max(np.abs(rhs), initial=0))
    if rel.op == "==":
        return -float(np.max(np.abs(lhs - rhs), initial=0)) / scale
    s = (rhs - lhs if rel.op in ("<=", "<") else lhs - rhs)[0, 0]
    return float(s) / scale
