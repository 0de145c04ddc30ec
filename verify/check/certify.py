"""The certification stage: every sampled instance is re-decided exactly or with balls.

An instance counts as *certified* only when both the relation and its given conditions were
decided exactly or with balls.  An exact or ball decision can also expose a violation that working
precision could not see (a difference below its tolerance): that refutes the claim, provided the
givens are rigorous.  An instance whose outcome rests on a rank-type function (rank, pinv, proj,
sigma_small) applied to a matrix that is not exactly rational, and that only mpmath decided, is
*undecided*: there those functions decide "zero" by a threshold, which no precision re-check can
validate (on exact arguments the rank is computed exactly).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engines.fields import NotCertifiable, NotExact
from ..engines.numeric import Decision, decide_ball, decide_exact
from ..errors import UndefinedValue
from .context import Context
from .limits import StageTimeout, hard_limit
from .search import Confirmed


@dataclass
class Tally:
    certified: int = 0
    undecided: int = 0
    tight: int = 0
    ties: int = 0  # instances where the two sides are equal (mp tight, or exact slack 0)
    numeric_given: int = 0
    worst: float | None = None
    residual: float | None = None
    tolerance: float | None = None
    cut_off: int = 0
    tie: str | None = None  # the deepest near-tie evidence ("tight: residual below 10^-k ...")


def exact_or_ball(ctx: Context, inst) -> Decision | None:
    try:
        d = decide_exact(ctx.claim.relation, inst)
        if d is None:
            d = decide_ball(ctx.claim.relation, inst, ctx.dps)
        return d
    except (UndefinedValue, NotExact, NotCertifiable):
        return None


def run_certify(ctx: Context, tally: Tally) -> Confirmed | None:
    """Re-decide each sampled instance; returns the first rigorous violation (else None)."""
    done = 0
    try:
        with hard_limit(ctx.limit - ctx.elapsed()):
            for s in ctx.sampled:
                d = s.decision
                e = exact_or_ball(ctx, s.instance)
                done += 1
                if e is not None and e.status == "violated" and s.given == "rigorous":
                    return Confirmed(s.instance, e)
                for key in ("residual", "tol"):
                    v = d.details.get(key)
                    if isinstance(v, float):
                        if key == "residual":
                            tally.residual = v if tally.residual is None else max(tally.residual, v)
                        else:
                            tally.tolerance = v if tally.tolerance is None else max(tally.tolerance, v)
                rigorous = e is not None and e.status == "holds"
                rank_type = bool(d.details.get("rank_threshold"))
                if s.given != "rigorous":
                    tally.numeric_given += 1
                if (
                    d.status in ("violated", "undecided")
                    or (rank_type and not rigorous)
                    or (e is not None and e.status == "violated")
                ):
                    # mpmath could not settle it (or a rigorous violation under a numeric-only given)
                    if rigorous and s.given == "rigorous":
                        tally.certified += 1
                    else:
                        tally.undecided += 1
                    continue
                if d.status == "tight":
                    tally.tight += 1
                    tally.tie = d.details.get("tie") or tally.tie
                if d.status == "tight" or (e is not None and e.method == "exact" and e.raw_slack == 0):
                    tally.ties += 1
                tally.worst = d.slack if tally.worst is None else min(tally.worst, d.slack)
                if rigorous and s.given == "rigorous":
                    tally.certified += 1
    except StageTimeout:
        tally.cut_off = len(ctx.sampled) - done
        tally.undecided += tally.cut_off
        ctx.stop("certify", f"time limit reached; {tally.cut_off} instance(s) not re-decided")
    return None
