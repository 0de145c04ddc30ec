"""The sampling stage: K random instances that satisfy the assumptions and the given conditions,
each decided at working precision (near-ties escalate; ``verify.engines.numeric``).

An instance whose value is undefined (a singular inverse, NaN, a derivative at a kink) is skipped
and counted, never a counterexample.  A violation seen here is only a candidate for the
confirmation in the search stage.
"""

from __future__ import annotations

from ..claims.instances import instance_valid, random_instance
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
                ensure_shapes(ctx, inst.dims)
                if not instance_valid(claim, inst):
                    ctx.skipped["assumptions not met by the generated values"] += 1
                    continue
                try:
                    g = given_grade(claim, inst, ctx.dps)
                except UndefinedValue as exc:
                    ctx.skipped[f"given undefined: {exc}"] += 1
                    continue
                if g == "false":
                    ctx.skipped["given condition false"] += 1
                    continue
                if g == "undecided":
                    ctx.skipped["given condition undecided (a near-tie)"] += 1
                    continue
                try:
                    d = decide_mp(claim.relation, inst, ctx.dps)
                except UndefinedValue as exc:
                    ctx.skipped[f"undefined: {exc}"] += 1
                    continue
                if d.status == "violated":
                    ctx.candidates.insert(0, inst)
                ctx.sampled.append(Sampled(inst, d, g))
    except StageTimeout:
        ctx.stop("sampling", f"time limit reached after {len(ctx.sampled)} instance(s)")
