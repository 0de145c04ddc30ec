"""Shapes: the declared scope's dimension assignments, and shape checks on every instance's dims.

A claim is checked for shape consistency on every dimension assignment an instance uses, before
anything is evaluated (so numpy never broadcasts silently), and up front on the whole finite scope
when that is affordable (else on its corners and the sample window).
"""

from __future__ import annotations

import itertools

from ..claims.instances import shape_of
from ..claims.model import Claim
from ..errors import ClaimError
from ..language.shapes import infer

MAX_SCOPE_SHAPES = 400  # shape-check every assignment of a finite scope up to this many


def scope_shapes(claim: Claim, limit: int) -> list[dict[str, int]] | None:
    """Every dimension assignment of the declared scope, small first; None when the scope is
    unbounded or has more than ``limit`` assignments."""
    size = claim.scope_size()
    if size is None or size > limit:
        return None
    names = list(claim.scope)
    combos = [dict(zip(names, c)) for c in itertools.product(*(claim.scope[n].values() for n in names))]
    combos.sort(key=lambda d: (sum(d.values()), list(d.values())))
    return combos or [{}]


def window_corners(claim: Claim) -> list[dict[str, int]]:
    """The corners of the sample window (every dim at its lo or hi)."""
    opts = [sorted({s.sample[0], s.sample[1]}) for s in claim.scope.values()]
    return [dict(zip(claim.scope, c)) for c in itertools.product(*opts)] if claim.scope else [{}]


def check_shapes(claim: Claim, dims: dict[str, int]) -> None:
    """Raise ``ClaimError`` unless the statement and every given are well-shaped at ``dims``.

    Inequalities compare scalars; ``==`` may compare matrices entrywise (also in a given)."""
    shapes = {n: shape_of(v, dims) for n, v in claim.vars.items()}
    for rel, what in [(claim.relation, "statement"), *[(g, "given") for g in claim.given_relations]]:
        a, b = infer(rel.lhs, dims, shapes), infer(rel.rhs, dims, shapes)
        if a != b:
            raise ClaimError(
                f"the two sides of {what} {rel.text!r} have shapes {a[0]}x{a[1]} and "
                f"{b[0]}x{b[1]} at dims {dims}"
            )
        if rel.op != "==" and a != (1, 1):
            raise ClaimError(
                f"{rel.op} compares scalars, but {what} {rel.text!r} compares {a[0]}x{a[1]} "
                "matrices (state it with eigmin, norm, ...; == compares matrices entrywise)"
            )


def validate_up_front(claim: Claim) -> list[dict[str, int]]:
    """Shape-check the whole finite scope when affordable, else its window corners; returns the
    assignments checked."""
    combos = scope_shapes(claim, MAX_SCOPE_SHAPES) or window_corners(claim)
    for dims in combos:
        check_shapes(claim, dims)
    return combos


def ensure_shapes(ctx, dims: dict[str, int]) -> None:
    """``check_shapes`` once per distinct assignment (cached in the context)."""
    key = tuple(sorted(dims.items()))
    if key not in ctx.checked_dims:
        check_shapes(ctx.claim, dims)
        ctx.checked_dims.add(key)
