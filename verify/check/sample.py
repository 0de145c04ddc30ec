"""The sampling stage: K random instances that satisfy the assumptions and the given conditions,
then the exact special points of the scalar variables (0, 1, -1 and 10^-k for k up to 80,
``special_instances``), each decided at working precision (near-ties escalate;
``verify.engines.numeric``).

An instance whose value is undefined (a singular inverse, NaN, a derivative at a kink) is skipped
and counted, never a counterexample.  A violation seen here is only a candidate for the
confirmation in the search stage.
"""

from __future__ import annotations

from fractions import Fraction

from ..claims.instances import instance_valid, random_instance, special_instances
from ..claims.instances import Instance
from ..engines.numeric import decide_exact, decide_mp, given_relation_grade
from ..errors import UndefinedValue
from .context import Context, Sampled
from .limits import StageTimeout, hard_limit
from .shapes import ensure_shapes

SHARE_END = 0.55  # sampling ends at this share of the claim's time limit
BOUNDARY_BASES = 3  # sampled instances moved onto the boundary of each non-strict scalar given


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
    """Instances on the boundary of the given conditions: for each non-strict given (``<=``,
    ``>=``) whose exact slack is affine in one scalar variable (the others fixed as in a base
    instance; checked at v = 0, 1, 2), that variable is set to the exact root of the slack (c * t = 1
    for ``c * t <= 1``).  Points outside the assumptions are left out; the caller decides the
    givens again."""
    out: list[Instance] = []
    scalars = [n for n, v in claim.vars.items() if v.is_scalar]
    for base in bases:
        for rel in claim.given_relations:
            if rel.op not in ("<=", ">="):
                continue
            for name in scalars:
                inst = _root(claim, rel, base, name)
                if (
                    inst is not None
                    and instance_valid(claim, inst)
                    and inst.values not in [o.values for o in out]
                ):
                    out.append(inst)
    return out


def _with(base: Instance, name: str, v: Fraction) -> Instance:
    return Instance(dict(base.dims), {**base.values, name: [[v]]})


def _root(claim, rel, base: Instance, name: str) -> Instance | None:
    slacks = []
    for v in (Fraction(0), Fraction(1), Fraction(2)):
        try:
            d = decide_exact(rel, _with(base, name, v))
        except (UndefinedValue, ZeroDivisionError, ValueError):
            return None
        if d is None or not isinstance(d.details.get("slack"), Fraction):
            return None
        slacks.append(d.details["slack"])
    s0, s1, s2 = slacks
    slope = s1 - s0
    if slope == 0 or s2 - s1 != slope:
        return None
    root = -s0 / slope
    inst = _with(base, name, root)
    try:
        d = decide_exact(rel, inst)
    except (UndefinedValue, ZeroDivisionError, ValueError):
        return None
    return inst if d is not None and d.details.get("slack") == 0 else None
