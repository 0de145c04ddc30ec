"""The verdict: never stronger than its evidence.

* ``refuted``: a rigorously confirmed counterexample.  If an exact proof covered that very shape,
  the engines disagree: ``inconclusive`` ("please report").  A counterexample at a shape the exact
  stage did not cover refutes, whatever was proved elsewhere.
* ``proved``: the exact stage covered the whole declared scope (every shape of a finite scope, or a
  dimension-generic proof), and at least one instance shows the claim is not vacuous.
* otherwise the instances decide: ``certified`` when every one of K sampled instances was decided
  exactly or with balls (givens included), ``holds_numerically`` when they agree to dps - 10 digits,
  ``inconclusive`` when instances were missing, undecided, or time ran out, or when an equality
  given leaves only ties (degenerate coverage).  Exact results on
  some shapes are reported as evidence.
"""

from __future__ import annotations

from ..engines.search import SearchStats
from ..result import Counterexample, Result, Verdict
from .certify import Tally
from .context import Context
from .exact import ExactResult
from .sample import premise_evidence
from .search import Confirmed

MIN_VALID = 3


def _premise_note(ctx: Context) -> str:
    """"no instance satisfied the premise ..." when the given conditions removed the instances."""
    ev = premise_evidence(ctx)
    failing = [p for p in ev if p["tried"] and p["held"] < p["tried"]]
    if not failing:
        return ""
    worst = min(failing, key=lambda p: p["held"])
    held = worst["held"]
    what = "no instance" if held == 0 else f"only {held} instance(s)"
    why = ", ".join(f"{k}: {worst[k]}" for k in ("false", "undecided", "undefined") if worst[k])
    return (f"{what} satisfied the premise {worst['given']!r} ({worst['kind']}; {worst['tried']} tried, "
            f"{why}); a premise is never taken as satisfied by a tolerance")


def _why_skipped(ctx: Context) -> str:
    parts = [f"{k}: {v}" for k, v in ctx.skipped.items()]
    if ctx.stopped:
        parts.append("; ".join(ctx.stopped))
    return "; ".join(parts) or "no instance generated"


def decide(
    ctx: Context, exact: ExactResult, stats: SearchStats, confirmed: Confirmed | None, tally: Tally
) -> Result:
    claim, ev = ctx.claim, ctx.evidence
    ev["scope"] = claim.describe_scope()
    ev["proved_scope"] = (
        ("all dimensions" if exact.generic_proof else "all") if exact.covers_scope else exact.proved_shapes
    )
    if exact.generic is not None:
        ev["generic"] = exact.generic
    ev["exact"] = exact.to_json()
    ev["symbolic"] = {
        "proved": exact.covers_scope,
        "method": exact.method,
        "shapes": exact.proved_shapes,
        "note": exact.note,
        "seconds": round(exact.seconds, 3),
    }
    ev["search"] = stats.to_json()
    valid = len(ctx.sampled)
    if claim.given_relations:
            ev["premises"] = premise_evidence(ctx)
    ev.update(
        {
            "instances_valid": valid,
            "instances_generated": ctx.attempts,
            "instances_skipped": dict(ctx.skipped),
        }
    )
    if ctx.stopped:
        ev["stopped"] = list(ctx.stopped)
    ev["seconds"] = round(ctx.elapsed(), 3)

    if confirmed is not None:
        inst, dec = confirmed.instance, confirmed.decision
        ev["engine"] = (
            "counterexample search + exact re-check"
            if dec.method == "exact"
            else f"counterexample search + re-check ({dec.method})"
        )
        ev["recheck"] = dec.method
        cx_json = inst.to_json(claim)
        cx = Counterexample(cx_json["dims"], cx_json["values"], {"recheck": dec.method, **dec.details})
        if exact.covers(inst.dims):
            return Result(
                Verdict.INCONCLUSIVE,
                ev,
                None,
                f"engines disagree: an exact proof ({exact.method}) covers dims {inst.dims}, where a "
                "re-checked counterexample was found; please report this claim",
            )
        return Result(Verdict.REFUTED, ev, cx, f"counterexample re-checked ({dec.method})")

    ev.update(
        {
            "certified_instances": tally.certified,
            "tight_instances": tally.tight,
            "undecided_instances": tally.undecided,
            "digits": ctx.dps - 10,
            "worst_normalised_slack": tally.worst,
            "numeric_only_given_instances": tally.numeric_given,
            "max_abs_residual": tally.residual,
            "max_tolerance": tally.tolerance,
        }
    )
    if tally.tie:
        ev["tight_evidence"] = tally.tie
    exact_note = (
        f"; exact identity on shapes {exact.proved_shapes}"
        if exact.proved_shapes and not exact.covers_scope
        else ""
    )
    if exact.covers_scope:
        ev["engine"] = exact.engine
        if valid == 0:
            return Result(
                Verdict.INCONCLUSIVE,
                ev,
                None,
                "the identity holds for generic matrices, but no instance satisfying the assumptions "
                "and given conditions was found, so it may be vacuous "
                f"({_premise_note(ctx) or _why_skipped(ctx)})",
            )
        shapes = exact.proved_shapes
        where = (
            f" on every shape of the scope {claim.describe_scope()}"
            if shapes and shapes != [{}] and not exact.generic_proof
            else ""
        )
        return Result(Verdict.PROVED, ev, None, exact.method + where)
    if valid < min(MIN_VALID, ctx.config.instances):
        ev["engine"] = "mpmath"
        note = _premise_note(ctx)
        return Result(
            Verdict.INCONCLUSIVE,
            ev,
            None,
            (f"{note} ({_why_skipped(ctx)})" if note
             else f"only {valid} valid instance(s) ({_why_skipped(ctx)})")
            + exact_note,
        )
    if (
        claim.relation.op in ("<=", ">=")
        and any(g.op == "==" for g in claim.given_relations)
        and tally.ties == valid
    ):
        ev["engine"] = "mpmath"
        return Result(
            Verdict.INCONCLUSIVE,
            ev,
            None,
            f"degenerate coverage: on every one of the {valid} instances that satisfy the given equality "
            "the two sides are equal, so the inequality was never tested away from a tie" + exact_note,
        )
    if tally.undecided:
        ev["engine"] = "mpmath"
        return Result(
            Verdict.INCONCLUSIVE,
            ev,
            None,
            f"{tally.undecided} of {valid} instance(s) could not be decided rigorously or at the available "
            "precision" + (f" ({'; '.join(ctx.stopped)})" if ctx.stopped else "") + exact_note,
        )
    if tally.certified == valid:
        ev["engine"] = "exact rationals / arb balls on instances"
        return Result(
            Verdict.CERTIFIED,
            ev,
            None,
            f"decided exactly or with balls on {valid} sampled instances; no counterexample found"
            + exact_note,
        )
    ev["engine"] = "mpmath"
    return Result(
        Verdict.HOLDS_NUMERICALLY,
        ev,
        None,
        f"agrees to {ctx.dps - 10} digits on {valid} sampled instances ({tally.certified} certified, "
        f"{tally.tight} tight{'; ' + tally.tie if tally.tie else ''}); no counterexample found" + exact_note,
    )
