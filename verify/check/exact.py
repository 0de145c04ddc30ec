"""The exact stage: decision procedures and symbolic identities, and what they cover.

* a claim whose variables are all scalars (no dims) and whose sides are polynomial goes to z3;
  ``unsat`` proves it (the scope is a single "shape"); a model is a candidate for the instances;
* an identity (``==``) is tried with SymPy on explicit symbolic-entry matrices on *every* shape of
  a finite scope when that is affordable (``MAX_EXACT_SHAPES``), else on a few small shapes;
* the generic prover (``verify.engines.generic.prove_generic``) runs first on identities: equal
  tensor-network normal forms prove the claim for every dimension, including unbounded scopes
  (its evidence goes under ``evidence.generic``; different normal forms are not a refutation).

``ExactResult.covers_scope`` is True only when every shape of the declared scope was decided
exactly (or the generic prover covers the claim): only then may the verdict be ``proved``.
Otherwise the shapes that were proved are evidence ("exact identity on shapes ...") and the verdict
comes from the instances.  The stage runs under a hard limit of ``SYMBOLIC_SHARE`` of the claim's
time; when it is cut off the instances still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..claims.instances import Instance
from ..engines.generic import prove_generic
from ..engines.symbolic import (
    SymbolicOutcome,
    decide_polynomial,
    prove_identity,
    symbolic_shapes,
)
from .context import Context
from .limits import SYMBOLIC_SHARE, StageTimeout, hard_limit
from .shapes import scope_shapes

MAX_EXACT_SHAPES = 64  # try SymPy on every shape of a finite scope up to this many
GENERIC_ENGINE = "generic prover (tensor-network normal form, all dimensions)"
MAX_POWER = 24  # larger integer powers are not expanded symbolically


@dataclass
class ExactResult:
    proved_shapes: list[dict[str, int]] = field(default_factory=list)
    covers_scope: bool = False
    method: str = ""
    note: str = ""
    engine: str = ""
    candidates: list[Instance] = field(default_factory=list)
    seconds: float = 0.0
    generic: dict[str, Any] | None = None  # the generic prover's evidence, when it was asked
    generic_proof: bool = False

    def covers(self, dims: dict[str, int]) -> bool:
        """Was the claim decided exactly at these dims?"""
        return self.covers_scope or any(dims == p for p in self.proved_shapes)

    def to_json(self) -> dict[str, Any]:
        return {
            "proved_shapes": self.proved_shapes,
            "covers_scope": self.covers_scope,
            "method": self.method,
            "note": self.note,
            "seconds": round(self.seconds, 3),
        }


def _max_power(claim) -> int:
    out = 0
    for rel in [claim.relation, *claim.given_relations]:
        for n in (*rel.lhs.walk(), *rel.rhs.walk()):
            if n.op == "pow" and n.args[1].op == "num":
                out = max(out, abs(int(n.args[1].value)))
    return out


def run_exact(ctx: Context) -> ExactResult:
    """Decide what can be decided exactly within the symbolic share of the time limit."""
    import time

    claim = ctx.claim
    out = ExactResult()
    t0 = time.monotonic()
    budget = max(0.0, SYMBOLIC_SHARE * ctx.limit)
    try:
        with hard_limit(budget):
            _run(ctx, out, budget)
    except StageTimeout:
        out.note = (
            out.note + "; " if out.note else ""
        ) + f"the exact stage was cut off at its share of the time limit ({budget:.3g} s)"
        ctx.stop("exact", f"cut off after {budget:.3g} s")
    except Exception as exc:  # a decision procedure failing is no verdict, and never sinks the claim
        if type(exc).__name__ not in ("Z3Exception",) and not isinstance(
            exc, (ArithmeticError, ValueError, RecursionError, MemoryError)
        ):
            raise
        out.note = f"the exact stage failed ({type(exc).__name__}: {str(exc)[:120]})"
    out.seconds = time.monotonic() - t0
    if claim.scope_size() == 1 and out.proved_shapes and not out.covers_scope:
        out.covers_scope = True
    return out


def _run(ctx: Context, out: ExactResult, budget: float) -> None:
    claim = ctx.claim
    scalar = all(v.is_scalar for v in claim.vars.values()) and not claim.dims
    sym: SymbolicOutcome | None = None
    if scalar:
        sym = decide_polynomial(claim, timeout_ms=int(min(3000, budget * 1000 / 2) or 1))
        out.candidates = list(sym.candidates)
        if sym.proved:
            out.proved_shapes, out.covers_scope = [{}], True
            out.method, out.engine = sym.method, "decision procedure (z3)"
            return
        out.note = sym.note
    if claim.relation.op == "==":
        g = prove_generic(claim, budget / 2)
        out.generic = g.evidence()
        if g.proved:
            out.covers_scope, out.generic_proof = True, True
            out.method, out.engine = g.method, GENERIC_ENGINE
            return
        if g.note:
            out.note = "; ".join(x for x in (out.note, f"generic: {g.note}") if x)
    if claim.relation.op != "==":
        return
    if _max_power(claim) > MAX_POWER:
        out.note = "; ".join(
            x for x in (out.note, f"powers above {MAX_POWER} are not expanded symbolically") if x
        )
        return
    shapes = scope_shapes(claim, MAX_EXACT_SHAPES)
    all_shapes = shapes is not None
    ident = prove_identity(claim, time_budget=budget, shapes=shapes if all_shapes else symbolic_shapes(claim))
    if ident.proved:
        out.proved_shapes = ident.shapes
        out.method, out.engine = ident.method, "symbolic (sympy)"
        out.covers_scope = all_shapes and not ident.skipped and len(ident.shapes) == len(shapes)
        if not out.covers_scope:
            why = (
                f"{len(ident.skipped)} shape(s) too large or out of time"
                if ident.skipped
                else "the scope is unbounded or has too many shapes to enumerate"
            )
            out.note = f"exact identity on shapes {ident.shapes} only ({why})"
    elif ident.note and not out.note:
        out.note = ident.note
