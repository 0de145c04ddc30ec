"""Deciding a relation on one concrete instance: exactly, with balls, or at high precision.

Relations are reduced to a *slack* that must be >= 0 (> 0 for strict relations):
``lhs <= rhs`` has slack rhs - lhs, ``lhs >= rhs`` has slack lhs - rhs; ``==`` compares entrywise.

At ``d`` digits the tolerance is ``10^-(d-10) * (1 + M)`` with M the largest magnitude of any
intermediate value (including estimates of what ``det`` and ``expm`` form inside).  A tolerance is
never truth: a slack (or, for ``==``, a residual) within the tolerance is a near-tie and is
re-evaluated at a higher precision (at least 2 dps + 10, more when the magnitude needs it:
d + log10((1 + M)/scale) + 10 digits), until
the tolerance is below ``10^-(dps-10)`` relative to the sides themselves.  A tie that persists there
is "tight" (the sides agree to dps - 10 digits: holding numerically for ``<=``/``>=``/``==``,
undecided for a strict relation); one that cannot be brought there below ``MAX_DPS`` digits is
undecided.  Every decision records the absolute residual and the tolerance it was compared with.

A violation seen at working precision is only a candidate: ``confirm_violation`` needs an exact or
ball confirmation, or a gap that keeps its size at two higher precisions (a gap that shrinks with
the precision is rounding).  Decisions that rank-type functions (rank, pinv, proj, sigma_small)
determine are never made on mpmath alone: those functions decide "zero" by a threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..claims.model import Claim
from ..errors import ClaimError, UndefinedValue
from ..precision import flint_bits

from ..claims.instances import Instance
from ..language.parser import Relation
from ..language.shapes import infer
from .evaluate import NEEDS_EXACT_VALUES, Evaluator
from .fields import BallField, ExactField, Field, FloatField, MpField, NotCertifiable, NotExact

EXACT_MAX_ENTRIES = 64
# (eigmin, eigmax and eig are exact when the eigenvalue is rational: ExactField raises NotExact otherwise)
NON_EXACT_FUNCTIONS = {
    "sigma_min",
    "sigma_max",
    "sigma_small",
    "expm",
    "exp",
    "log",
    "sigma",
    "norm2",
    "nuclear",
}
# functions that decide "is this zero?" by a relative threshold at working precision
RANK_TYPE = {"rank", "pinv", "proj", "sigma_small"}
MAX_DPS = 1500
# a near-tie is "tight" only once the tolerance is below 10^-TIE_DIGITS of the sides' own scale (a
# perturbation of 10^-60 that a working precision of 50 digits cannot see is resolved first)
TIE_DIGITS = 100
# balls whose enclosure straddles zero are recomputed at about 2x and 4x the digits (a gap of 10^-125
# relative is decided at 50 working digits)
BALL_STEPS = 3
FLOAT_MAX = 1.0e308


def safe_float(v) -> float:
    """A float summary that never overflows (clamped to +-1e308; NaN stays NaN)."""
    try:
        f = float(v)
    except OverflowError:
        return FLOAT_MAX if v > 0 else -FLOAT_MAX
    except (TypeError, ValueError):
        return float("nan")
    return f if math.isnan(f) else max(-FLOAT_MAX, min(FLOAT_MAX, f))


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
        raise ClaimError(
            f"the two sides of {rel.text!r} have shapes {lhs.shape[0]}x{lhs.shape[1]} "
            f"and {rhs.shape[0]}x{rhs.shape[1]}"
        )
    if rel.op != "==" and lhs.shape != (1, 1):
        raise ClaimError(
            f"{rel.op} compares scalars, but {rel.text!r} compares {lhs.shape[0]}x{lhs.shape[1]} "
            "matrices (use eigmin(...) >= 0, norm(...), ...)"
        )
    return lhs, rhs, ev.max_log10, ev.threshold_decisions > 0


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
        return None  # exact SymPy arithmetic on large matrices is too slow
    ex = ExactField()
    try:
        lhs, rhs, _, _ = _evaluate(rel, ex, inst, exact_values=exact_values(inst))
    except NotExact:
        return None
    diffs = []
    for v in list(lhs.flat) + list(rhs.flat):
        if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise UndefinedValue("a value is not finite (NaN or infinite)")
    for a, b in zip(lhs.flat, rhs.flat):
        d = a - b
        if not d.is_Rational:
            d = sympy.radsimp(sympy.expand(d))
            if not d.is_Rational:
                return None
        diffs.append(Fraction(int(d.p), int(d.q)))
    scale = 1 + max((abs(safe_float(v)) for v in list(lhs.flat) + list(rhs.flat)), default=0.0)
    if rel.op == "==":
        worst = max((abs(d) for d in diffs), default=Fraction(0))
        st = "holds" if worst == 0 else "violated"
        return Decision(
            st, "exact", -safe_float(worst) / scale, -safe_float(worst), {"max_abs_difference": worst}
        )
    s = diffs[0] if rel.op in (">=", ">") else -diffs[0]
    ok = s > 0 if rel.op in ("<", ">") else s >= 0
    return Decision(
        "holds" if ok else "violated",
        "exact",
        safe_float(s) / scale,
        safe_float(s),
        {"slack": s, "lhs": _scalar_json(lhs[0, 0]), "rhs": _scalar_json(rhs[0, 0])},
    )


def _scalar_json(v):
    if getattr(v, "is_Rational", False):
        return Fraction(int(v.p), int(v.q))
    return str(v)


def decide_ball(rel: Relation, inst: Instance, dps: int) -> Decision | None:
    """Certified decision with python-flint balls; None when the enclosure cannot decide.

    An enclosure that contains zero (a tie or a gap below the ball's radius) is recomputed with
    about twice and four times the digits before giving up (``BALL_STEPS``)."""
    d = dps
    for _ in range(BALL_STEPS):
        out = _ball_once(rel, inst, d)
        if out is not _STRADDLES:
            return out
        d = 2 * d + 10
    return None


_STRADDLES = object()


def _ball_once(rel: Relation, inst: Instance, dps: int):
    """One ball evaluation: a Decision, None (not certifiable), or ``_STRADDLES`` (contains 0)."""
    bits = int(dps * 3.33) + 64
    with flint_bits(bits):
        bf = BallField(bits)
        try:
            need = any(n.value in NEEDS_EXACT_VALUES for n in _calls(rel))
            ev = exact_values(inst) if need else None
            lhs, rhs, _, _ = _evaluate(rel, bf, inst, exact_values=ev)
        except (NotCertifiable, NotExact, ZeroDivisionError, ValueError):
            return None
        if rel.op == "==":
            diffs = [a - b for a, b in zip(lhs.flat, rhs.flat)]
            if all(d.is_exact() and d == 0 for d in diffs):
                return Decision("holds", "arb", 0.0, 0.0, {"bits": bits})
            if any(0 not in d for d in diffs):
                return Decision("violated", "arb", -1.0, -1.0, {"bits": bits})
            return _STRADDLES
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
        return _STRADDLES


def _calls(rel: Relation):
    return [n for n in (*rel.lhs.walk(), *rel.rhs.walk()) if n.op == "call"]


def _mp_slack(rel: Relation, inst: Instance, dps: int):
    """(slack, residual, tolerance, scale, lhs, rhs, magnitude, threshold) at ``dps`` digits.

    ``slack`` is the signed margin of an inequality (for ``==``: minus the largest entrywise
    residual); ``residual`` is |lhs - rhs| for ``==`` and the slack itself otherwise; ``threshold``
    says a rank-type function had to decide "zero" by a threshold (its argument was not exact)."""
    mf = MpField(dps)
    need = any(n.value in NEEDS_EXACT_VALUES for n in _calls(rel))
    ev = exact_values(inst) if need else None
    lhs, rhs, maglog, threshold = _evaluate(rel, mf, inst, exact_values=ev)
    ctx = mf.ctx
    for v in list(lhs.flat) + list(rhs.flat):
        if not ctx.isfinite(v):
            raise UndefinedValue("a value is not finite (NaN or infinite)")
    if not math.isfinite(maglog) and maglog > 0:
        raise UndefinedValue("an intermediate value beyond any representable magnitude")
    mag = max(maglog, 0.0)  # log10 of (about) 1 + M
    tol = ctx.mpf(10) ** (-(dps - 10)) * (1 + ctx.mpf(10) ** mag)
    scale = 1 + max((abs(v) for v in list(lhs.flat) + list(rhs.flat)), default=ctx.mpf(0))
    if rel.op == "==":
        worst = max((abs(a - b) for a, b in zip(lhs.flat, rhs.flat)), default=ctx.mpf(0))
        return -worst, worst, tol, scale, lhs, rhs, mag, threshold
    s = _slack_sign(rel, lhs, rhs)
    return s, s, tol, scale, lhs, rhs, mag, threshold


def _escalated_dps(d: int, mag: float, scale) -> int:
    """Digits at which the magnitude-scaled tolerance (``mag`` = log10 of 1 + M) drops below the
    sides' own scale."""
    if not math.isfinite(mag):
        return 10 * MAX_DPS
    extra = max(0.0, mag - float(scale.context.log10(scale)) if hasattr(scale, "context") else mag)
    return d + math.ceil(extra) + 10


def decide_mp(rel: Relation, inst: Instance, dps: int) -> Decision:
    """High-precision decision; near-ties escalate the precision by the magnitude (module docstring)."""
    strict = rel.op in ("<", ">")
    d = dps
    trail: list[dict[str, Any]] = []
    for _ in range(4):
        s, raw, tol, scale, lhs, rhs, mag, threshold = _mp_slack(rel, inst, d)
        info = {"dps": d, "residual": safe_float(abs(raw)), "tol": safe_float(tol)}
        if threshold:
            # a rank-type function decided "zero" by a threshold: never a basis for a verdict alone
            info["rank_threshold"] = True
        trail.append(info)
        det = {**info, "precisions": [t["dps"] for t in trail]}
        if rel.op == "==":
            if raw > tol:
                return Decision("violated", f"mpmath dps={d}", safe_float(s / scale), safe_float(s), det)
        elif s > tol:
            return Decision("holds", f"mpmath dps={d}", safe_float(s / scale), safe_float(s), det)
        elif s < -tol:
            return Decision(
                "violated",
                f"mpmath dps={d}",
                safe_float(s / scale),
                safe_float(s),
                {**det, "lhs": safe_float(lhs[0, 0]), "rhs": safe_float(rhs[0, 0])},
            )
        # a near-tie: is the tolerance already 10^-tie_digits of the sides' own scale?
        tie_digits = max(dps - 10, TIE_DIGITS)
        target = tol.context.mpf(10) ** (-tie_digits) * scale
        if tol <= target * 10 and len(trail) >= 2:
            det["tie"] = (
                f"tight: residual below 10^-{tie_digits - 1} relative at every precision tried "
                f"({', '.join(str(t['dps']) for t in trail)} digits)"
            )
            if rel.op == "==":
                return Decision("holds", f"mpmath dps={d}", 0.0, safe_float(raw), det)
            if strict:
                return Decision(
                    "undecided",
                    f"mpmath dps={d}",
                    0.0,
                    safe_float(s),
                    {**det, "why": "the two sides agree to the working precision but the relation is strict"},
                )
            return Decision("tight", f"mpmath dps={d}", 0.0, safe_float(s), det)
        nd = _escalated_dps(tie_digits + 10, mag, scale)
        if nd > MAX_DPS:
            return Decision(
                "undecided",
                f"mpmath dps={d}",
                0.0,
                safe_float(s),
                {
                    **det,
                    "why": f"a near-tie below a tolerance set by intermediate magnitudes ~1e{mag:.0f}; "
                    f"resolving it needs more than {MAX_DPS} digits",
                },
            )
        d = max(nd, 2 * dps + 10) if len(trail) == 1 else max(nd, d + 10)
    return Decision(
        "undecided", f"mpmath dps={d}", 0.0, safe_float(s), {**det, "why": "near-tie not resolved"}
    )


def confirm_violation(rel: Relation, inst: Instance, dps: int) -> Decision | None:
    """Re-check a candidate counterexample: exactly, else with balls, else by a gap that keeps its
    size at two higher precisions (mpmath alone never refutes a rank-type decision).

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
        if d2.status != "violated" or d2.details.get("rank_threshold"):
            return None
        d3 = decide_mp(rel, inst, 3 * dps + 20)
        if d3.status != "violated":
            return None
        g2, g3 = d2.raw_slack, d3.raw_slack
        if not (abs(g2 - g3) <= 1e-6 * abs(g3)):
            return None  # the gap changes with the precision: rounding, not a counterexample
        d3.method = (
            f"mpmath at dps {d2.details.get('dps')} and {d3.details.get('dps')}: "
            "a gap of the same size at both precisions"
        )
        d3.details["gap_at_lower_precision"] = g2
        return d3
    except UndefinedValue:
        return None


GIVEN_GRADES = ("rigorous", "numeric", "false", "undecided")


def given_grade(claim: Claim, inst: Instance, dps: int) -> str:
    """How well every given condition is established on ``inst``.

    "rigorous": all decided exactly or with balls; "numeric": all hold, some (inequalities only)
    only at mpmath precision (enough for ``holds_numerically``, not for a counterexample or a
    certified instance); "false": one is violated; "undecided": one could not be decided.  An
    equality given (a matrix premise such as ``A @ B == B @ A``) holds only when decided exactly or
    with balls: agreement at mpmath precision is a tolerance, so such an instance is undecided."""
    grade = "rigorous"
    for rel in claim.given_relations:
        g = given_relation_grade(rel, inst, dps)
        if g in ("false", "undecided"):
            return g
        if g == "numeric":
            grade = "numeric"
    return grade


def given_relation_grade(rel: Relation, inst: Instance, dps: int) -> str:
    """The grade of one given condition on ``inst`` (see ``given_grade``)."""
    d = decide_exact(rel, inst)
    if d is None:
        d = decide_ball(rel, inst, dps)
    if d is None:
        d = decide_mp(rel, inst, dps)
        if d.status == "violated" and not d.details.get("rank_threshold"):
            return "false"
        if d.status == "undecided" or d.details.get("rank_threshold") or _matrix_equality(rel, inst):
            return "undecided"
        if d.status in ("holds", "tight"):
            return "numeric"
    return "false" if d.status == "violated" else "rigorous"


def _matrix_equality(rel: Relation, inst: Instance) -> bool:
    """Does ``rel`` compare matrices (not 1 x 1) with ``==``?"""
    if rel.op != "==":
        return False
    shapes = {k: (len(v), len(v[0])) for k, v in inst.values.items()}
    return infer(rel.lhs, inst.dims, shapes) != (1, 1)


def given_holds(claim: Claim, inst: Instance, dps: int) -> bool | None:
    """True/False when every given condition is decided on ``inst``; None when one is undecided."""
    g = given_grade(claim, inst, dps)
    return None if g == "undecided" else g != "false"


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
