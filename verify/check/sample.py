"""The sampling stage: K random instances that satisfy the assumptions and the given conditions,
then the exact special points of the scalar variables (0, 1, -1 and 10^-k for k up to 80,
``special_instances``), each decided at working precision (near-ties escalate;
``verify.engines.numeric``).

An instance whose value is undefined (a singular inverse, NaN, a derivative at a kink) is skipped
and counted, never a counterexample.  A violation seen here is only a candidate for the
confirmation in the search stage.
"""

from __future__ import annotations

from ..claims.instances import instance_valid, random_instance, special_instances
from ..engines.numeric import decide_mp, given_grade
from ..errors import UndefinedValue
from .context import Context, Sampled
from .limits import StageTimeout, hard_limit
from .shapes import ensure_shapes

SHARE_END = 0.55  # sampling ends at this share of the claim's time limit


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
        g = given_grade(claim, inst, ctx.dps)
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
