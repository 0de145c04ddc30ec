"""The search stage: hypothesis and local optimisation look for a counterexample, and every
candidate (from z3, the sampled instances or the search) is confirmed rigorously.

A candidate refutes only when its assumptions hold exactly, its given conditions are established
exactly or with balls (an mpmath-only "holds" is not enough), and the violation is confirmed
exactly, with balls, or by a gap of stable size at two higher precisions.
The search keeps its full budget unless an exact proof covers the whole declared scope.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..claims.instances import (
    Instance,
    instance_valid,
    n_params,
    random_raw,
    sample_dims,
    shape_of,
)
from ..engines.numeric import Decision, confirm_violation, given_grade
from ..engines.search import SearchStats, hypothesis_search, optimise
from ..errors import ClaimError, UndefinedValue
from .context import Context
from .exact import ExactResult
from .limits import StageTimeout, hard_limit
from .shapes import ensure_shapes

SHARE_END = 0.80  # the search ends at this share of the claim's time limit
MAX_CONFIRM = 6


@dataclass
class Confirmed:
    instance: Instance
    decision: Decision


def confirm_first(ctx: Context, candidates: list[Instance], stats: SearchStats) -> Confirmed | None:
    for inst in candidates[:MAX_CONFIRM]:
        stats.candidates += 1
        try:
            ensure_shapes(ctx, inst.dims)
        except ClaimError:
            continue
        try:
            if not instance_valid(ctx.claim, inst):
                continue
            if given_grade(ctx.claim, inst, ctx.dps) != "rigorous":
                continue
            d = confirm_violation(ctx.claim.relation, inst, ctx.dps)
        except UndefinedValue:
            continue
        if d is not None:
            return Confirmed(inst, d)
    return None


def _size(inst: Instance) -> float:
    """Readability of a counterexample: total digits of its numerators and denominators."""
    return sum(
        len(str(abs(v.numerator))) + len(str(v.denominator))
        for rows in inst.values.values()
        for r in rows
        for v in r
    )


PLAIN = {"nonnegative", "positive", "nonzero", "full_rank", "invertible"}


def run_search(ctx: Context, exact: ExactResult, stats: SearchStats) -> Confirmed | None:
    claim = ctx.claim
    confirmed: Confirmed | None = None
    try:
        with hard_limit(ctx.until(SHARE_END)) as deadline_mono:
            confirmed = confirm_first(ctx, exact.candidates + ctx.candidates, stats)
            budget = ctx.config.search_examples
            if exact.covers_scope:
                budget = max(10, budget // 5)  # a disagreement would still expose an engine bug
            deadline = _perf_deadline(deadline_mono)
            found = hypothesis_search(claim, budget, stats, deadline)
            if found is not None:
                shrunk = confirm_first(ctx, [found], stats)
                if shrunk is not None and (
                    confirmed is None or _size(shrunk.instance) < _size(confirmed.instance)
                ):
                    confirmed = shrunk  # hypothesis shrinks: prefer its smaller, readable counterexample
            if confirmed is None and not exact.covers_scope and claim.vars:
                starts = _starts(ctx)
                found_list = optimise(claim, starts, stats, deadline, random.Random(ctx.seed + 1))
                confirmed = confirm_first(ctx, found_list, stats)
    except StageTimeout:
        stats.stopped = stats.stopped or "time limit reached during the search"
        ctx.stop("search", "time limit reached")
    return confirmed


def _perf_deadline(mono_deadline: float) -> float:
    """The engines' search compares with time.perf_counter(); convert a monotonic deadline."""
    import time

    return time.perf_counter() + (mono_deadline - time.monotonic())


def _starts(ctx: Context):
    claim = ctx.claim
    opt_rng = random.Random(ctx.seed + 1)
    starts = []
    for _ in range(2):
        dims = sample_dims(claim, opt_rng, 2)
        starts.append(
            (
                dims,
                {
                    n: random_raw(opt_rng, n_params(v, shape_of(v, dims)), "decimal")
                    for n, v in claim.vars.items()
                },
            )
        )
    if all(not v.assume or set(v.assume) <= PLAIN for v in claim.vars.values()):
        # unstructured variables can restart from the closest sampled instances' values
        for s in sorted(ctx.sampled, key=lambda p: p.decision.slack)[:2]:
            starts.append(
                (s.instance.dims, {k: [v for r in rows for v in r] for k, rows in s.instance.values.items()})
            )
    return starts
