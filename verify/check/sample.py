"""The sampling stage: K random instances that satisfy the assumptions and the given conditions,
then the exact special points of the scalar variables (0, 1, -1 and 10^-k for k up to 80,
``special_instances``), the boundary points of the givens (``given_boundary_instances``), points
on and next to the boundary of the assumption sets (``assumption_boundary_instances``) and the
sign-pattern corners of the unconstrained matrices (``sign_instances``), each decided at working
precision (near-ties escalate; ``verify.engines.numeric``).

An instance whose value is undefined (a singular inverse, NaN, a derivative at a kink) is skipped
and counted, never a counterexample.  A violation seen here is only a candidate for the
confirmation in the search stage.
"""

from __future__ import annotations

from fractions import Fraction

import random

from ..claims.instances import boundary_pairs, instance_valid, random_instance, special_instances
from ..claims.instances import Instance
from ..engines.numeric import decide_exact, decide_mp, given_relation_grade
from ..errors import UndefinedValue
from .context import Context, Sampled
from .limits import StageTimeout, hard_limit
from .shapes import ensure_shapes

SHARE_END = 0.55  # sampling ends at this share of the claim's time limit
BOUNDARY_BASES = 3  # sampled instances moved onto the boundary of each non-strict scalar given
ASSUMPTION_PAIRS = 2  # (on, near) pairs on the boundary of the assumption sets (pd: 10^-60 from singular)
MAX_ZEROED = 3  # unconstrained matrices set to zero one at a time


def run_sampling(ctx: Context) -> None:
    claim, K = ctx.claim, ctx.config.instances
    try:
        with hard_limit(ctx.until(SHARE_END)):
            while len(ctx.sampled) < K and ctx.attempts < 8 * K:
                inst = random_instance(claim, ctx.rng, ctx.attempts)
                ctx.attempts += 1
                _take(ctx, inst)
            for inst in special_instances(claim, ctx.rng):
                _take(ctx, inst)
            for inst in given_boundary_instances(claim, [x.instance for x in ctx.sampled[:BOUNDARY_BASES]]):
                _take(ctx, inst)
            for inst in assumption_boundary_instances(claim, random.Random(ctx.seed + 7)):
                _take(ctx, inst)
            for inst in sign_instances(claim, [x.instance for x in ctx.sampled[:1]]):
                _take(ctx, inst)
    except StageTimeout:
        ctx.stop("sampling", f"time limit reached after {len(ctx.sampled)} instance(s)")


def _take(ctx: Context, inst) -> None:
    """Decide one instance at working precision and record it (skipped ones are counted)."""
    claim = ctx.claim
    ensure_shapes(ctx, inst.dims)
    if not instance_valid(claim, inst):
        ctx.skipped["assumptions not met by the generated values"] += 1
        return
    try:
        g = _given_grades(ctx, inst)
    except UndefinedValue as exc:
        ctx.skipped[f"given undefined: {exc}"] += 1
        return
    if g == "false":
        ctx.skipped["given condition false"] += 1
        return
    if g == "undecided":
        ctx.skipped["given condition undecided (a near-tie)"] += 1
        return
    try:
        d = decide_mp(claim.relation, inst, ctx.dps)
    except UndefinedValue as exc:
        ctx.skipped[f"undefined: {exc}"] += 1
        return
    if d.status == "violated":
        ctx.candidates.insert(0, inst)
    ctx.sampled.append(Sampled(inst, d, g))


def assumption_boundary_instances(claim, rng: random.Random) -> list[Instance]:
    """``boundary_pairs`` at the low and the high end of the dims: each pair (every variable on the
    boundary of its set, every variable next to it), then the near point with one constrained
    variable at a time moved onto the boundary (a pd P at 10^-60 from singular while u stays
    nonzero), up to ``MAX_ZEROED`` variables."""
    out: list[Instance] = []
    constrained = [n for n, v in claim.vars.items() if v.assume][:MAX_ZEROED]
    for on, near in boundary_pairs(claim, rng, ASSUMPTION_PAIRS):
        cands = [on, near]
        cands += [Instance(dict(near.dims), {**near.values, n: on.values[n]}) for n in constrained]
        for inst in cands:
            if instance_valid(claim, inst) and inst.values not in [o.values for o in out]:
                out.append(inst)
    return out


def sign_instances(claim, bases: list[Instance]) -> list[Instance]:
    """The sign-pattern corners of the unconstrained matrices and vectors (no assumption), from each
    base instance: all of them entrywise nonnegative (|entries|: relu and step act as identity and
    1), all nonpositive, and each of them (up to ``MAX_ZEROED``) the zero matrix, the others as in the
    base.  Claims tight on an orthant or at zero (norm(relu(x) - relu(y)) <= norm(x - y) is an
    equality when x, y >= 0) are then sampled there.  Invalid or repeated points are left out."""
    free = [n for n, v in claim.vars.items() if not v.is_scalar and not v.assume]
    out: list[Instance] = []
    for base in bases:
        cands = []
        for sign in (1, -1):
            vals = dict(base.values)
            for n in free:
                vals[n] = [[sign * abs(x) for x in row] for row in base.values[n]]
            cands.append(vals)
        for n in free[:MAX_ZEROED]:
            cands.append({**base.values, n: [[Fraction(0)] * len(row) for row in base.values[n]]})
        for vals in cands:
            inst = Instance(dict(base.dims), vals)
            if vals != base.values and instance_valid(claim, inst) and vals not in [o.values for o in out]:
                out.append(inst)
    return out


def _given_grades(ctx: Context, inst) -> str:
    """The combined grade of the given conditions (``verify.engines.numeric.given_grade``), tallying
    for each given how often it was decided and how often it held (``ctx.premise_tally``)."""
    grades = []
    for i, rel in enumerate(ctx.claim.given_relations):
        try:
            g = given_relation_grade(rel, inst, ctx.dps)
        except UndefinedValue:
            ctx.premise_tally[i]["undefined"] += 1
            raise
        ctx.premise_tally[i]["tried"] += 1
        ctx.premise_tally[i][g] += 1
        grades.append(g)
    for worst in ("false", "undecided", "numeric"):
        if worst in grades:
            return worst
    return "rigorous"


def premise_evidence(ctx: Context) -> list[dict]:
    """Per given condition: its recognised kind (``verify.claims.premises``) and on how many of the
    instances that met the assumptions it held rigorously, only numerically, was false or undecided."""
    out = []
    for i, p in enumerate(ctx.claim.premises):
        t = ctx.premise_tally[i]
        tried = t["tried"] + t["undefined"]
        out.append({
            "given": p.text, "kind": p.kind, "tried": tried, "held": t["rigorous"] + t["numeric"],
            "held_rigorously": t["rigorous"], "false": t["false"], "undecided": t["undecided"],
            "undefined": t["undefined"],
            "fraction_held": round((t["rigorous"] + t["numeric"]) / tried, 3) if tried else None,
        })
    return out


def given_boundary_instances(claim, bases: list[Instance]) -> list[Instance]:
    """Instances on (or within 10^-NEAR_DIGITS of) the boundary of the given conditions: for each
    scalar given (``<=``, ``>=``, ``<``, ``>``) whose exact slack is a polynomial of degree at most
    ``MAX_DEGREE`` in one scalar variable (the others fixed as in a base instance; interpolated
    exactly at v = 0..MAX_DEGREE and confirmed at two more points), that variable is set to each
    real root of the slack: the root itself when it is rational and the given is non-strict
    (c * t = 1 for ``c * t <= 1``, t = 2 for ``t**2 <= 4``), else the rationals 10^-NEAR_DIGITS either
    side of it (t just below sqrt 2 for ``t**2 <= 2``).  Only points where that given holds exactly
    are kept; points outside the assumptions are left out; the caller decides every given again."""
    out: list[Instance] = []
    scalars = [n for n, v in claim.vars.items() if v.is_scalar]
    for base in bases:
        for rel in claim.given_relations:
            if rel.op not in ("<=", ">=", "<", ">"):
                continue
            for name in scalars:
                for inst in _roots(rel, base, name):
                    if instance_valid(claim, inst) and inst.values not in [o.values for o in out]:
                        out.append(inst)
    return out


MAX_DEGREE = 4
NEAR_DIGITS = 70


def _with(base: Instance, name: str, v: Fraction) -> Instance:
    return Instance(dict(base.dims), {**base.values, name: [[v]]})


def _slack(rel, base: Instance, name: str, v: Fraction) -> Fraction | None:
    """The exact slack of ``rel`` (>= 0 where it holds) with ``name`` = v, or None."""
    try:
        d = decide_exact(rel, _with(base, name, v))
    except (UndefinedValue, ZeroDivisionError, ValueError):
        return None
    if d is None or not isinstance(d.details.get("slack"), Fraction):
        return None
    return d.details["slack"]


def _roots(rel, base: Instance, name: str) -> list[Instance]:
    import sympy

    points = [Fraction(k) for k in range(MAX_DEGREE + 3)]
    slacks = []
    for v in points:
        s = _slack(rel, base, name, v)
        if s is None:
            return []
        slacks.append(s)
    t = sympy.Symbol("t")
    fit = [(sympy.Rational(v.numerator, v.denominator), sympy.Rational(s.numerator, s.denominator))
           for v, s in zip(points, slacks)]
    poly = sympy.Poly(sympy.interpolate(fit[: MAX_DEGREE + 1], t), t)
    # the interpolant must also pass through the two further points, else the slack is not such a polynomial
    if poly.is_zero or any(poly.eval(x) != y for x, y in fit[MAX_DEGREE + 1:]) or poly.degree() < 1:
        return []
    strict = rel.op in ("<", ">")
    candidates: list[Fraction] = []
    for r in poly.real_roots():
        if r.is_Rational and not strict:
            candidates.append(Fraction(int(r.p), int(r.q)))
            continue
        # the two rationals with NEAR_DIGITS decimals that bracket the root (r itself when rational)
        scale = 10**NEAR_DIGITS
        lo = Fraction(int(sympy.floor(r * scale)), scale)
        candidates += [lo - Fraction(1, scale), lo] if lo == r else [lo, lo + Fraction(1, scale)]
        if lo == r:
            candidates.append(lo + Fraction(1, scale))
    out = []
    for c in candidates:
        s = _slack(rel, base, name, c)
        if s is not None and (s > 0 or (s == 0 and not strict)):
            out.append(_with(base, name, c))
    return out
