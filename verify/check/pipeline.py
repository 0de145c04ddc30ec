"""``check_claim``: one verdict per claim, never stronger than its evidence.

Order of work: (1) shapes are checked on the sampled dimensions (mismatch -> ``error``);
(2) the symbolic engines try an exact proof (identity on explicit symbolic matrices, or z3 for
scalar polynomial claims); (3) K random instances satisfying the assumptions and given conditions
are decided at ``dps`` digits; (4) if nothing failed yet, hypothesis and local optimisation search
for a counterexample; (5) every candidate is re-checked exactly, with balls, or at two higher
precisions before the claim is refuted; (6) instances that held are certified exactly or with
balls where possible.  Verdict: refuted > proved > certified > holds_numerically, with
inconclusive when instances were missing or undecided.  If an exact proof and a confirmed
counterexample ever disagree, the verdict is inconclusive and says so.
"""
from __future__ import annotations

import random
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..config import CheckConfig
from ..errors import ClaimError, UndefinedValue
from ..claims.instances import Instance, instance_valid, random_instance, sample_dims, shape_of
from ..language.shapes import infer
from ..result import Counterexample, Result, Verdict
from ..engines.fields import NotCertifiable, NotExact
from ..engines.numeric import Decision, confirm_violation, decide_ball, decide_exact, decide_mp, given_holds
from ..engines.search import SearchStats, hypothesis_search, optimise
from ..engines.generic import prove_generic
from ..engines.symbolic import SymbolicOutcome, decide_polynomial, prove_identity, symbolic_shapes
from ..claims.model import Claim


def _validate_shapes(claim: Claim, rng: random.Random) -> None:
    seen = set()
    candidates = symbolic_shapes(claim, limit=50) + [sample_dims(claim, rng, i) for i in range(4)]
    for dims in candidates:
        key = tuple(sorted(dims.items()))
        if key in seen:
            continue
        seen.add(key)
        shapes = {n: shape_of(v, dims) for n, v in claim.vars.items()}
        for rel, what in [(claim.relation, "statement"), *[(g, "given") for g in claim.given_relations]]:
            a, b = infer(rel.lhs, dims, shapes), infer(rel.rhs, dims, shapes)
            if a != b:
                raise ClaimError(f"the two sides of {what} {rel.text!r} have shapes {a[0]}x{a[1]} and "
                                 f"{b[0]}x{b[1]} at dims {dims}")
            if rel.op != "==" and a != (1, 1):
                raise ClaimError(f"{rel.op} compares scalars, but {what} {rel.text!r} compares {a[0]}x{a[1]} "
                                 "matrices (state it with eigmin, norm, ...)")
            if what == "given" and a != (1, 1):
                raise ClaimError(f"given condition {rel.text!r} must compare scalars")


def _seed_for(claim: Claim, seed: int) -> int:
    return (seed * 1_000_003 + zlib.crc32(claim.name.encode())) % (2**32)


def check_claim(claim: Claim, config: CheckConfig | None = None) -> Result:
    config = config or CheckConfig()
    t0 = time.perf_counter()
    try:
        return _check(claim, config, t0)
    except ClaimError as exc:
        return Result(Verdict.ERROR, {"engine": "parser/shapes", "seed": config.seed,
                                      "seconds": round(time.perf_counter() - t0, 3)}, message=str(exc))


def _check(claim: Claim, config: CheckConfig, t0: float) -> Result:
    seed = _seed_for(claim, config.seed)
    rng = random.Random(seed)
    _validate_shapes(claim, rng)
    deadline = t0 + config.time_limit
    dps = config.dps
    ev: dict[str, Any] = {"seed": config.seed, "claim_seed": seed, "dps": dps}

    # (2) exact engines: the generic prover (every dimension) first, then explicit shapes / z3
    gen = prove_generic(claim) if claim.relation.op == "==" else None
    if gen is not None:
        ev["generic"] = gen.evidence()
    sym = (
        decide_polynomial(claim) if all(v.is_scalar for v in claim.vars.values()) and not claim.dims else None
    )
    if gen is not None and gen.proved:
        sym = SymbolicOutcome(True, GENERIC_METHOD, [], [], "", gen.seconds)
    elif sym is None or (not sym.proved and not sym.candidates):
        ident = prove_identity(claim)
        if ident.proved or sym is None:
            sym = ident
    candidates: list[Instance] = list(sym.candidates)

    # (3) instances
    skipped: Counter = Counter()
    decisions: list[tuple[Instance, Decision]] = []
    attempts = 0
    K = config.instances
    while len(decisions) < K and attempts < 8 * K and time.perf_counter() < deadline:
        inst = random_instance(claim, rng, attempts)
        attempts += 1
        if not instance_valid(claim, inst):
            skipped["assumptions not met by the generated values"] += 1
            continue
        try:
            g = given_holds(claim, inst, dps)
        except UndefinedValue as exc:
            skipped[f"given undefined: {exc}"] += 1
            continue
        if g is False:
            skipped["given condition false"] += 1
            continue
        if g is None:
            skipped["given condition undecided (a near-tie)"] += 1
            continue
        try:
            d = decide_mp(claim.relation, inst, dps)
        except UndefinedValue as exc:
            skipped[f"undefined: {exc}"] += 1
            continue
        if d.status == "violated":
            candidates.insert(0, inst)
        decisions.append((inst, d))

    # (4) search, unless a failing instance is already in hand
    stats = SearchStats()
    confirmed = _confirm_first(claim, candidates, dps, stats)
    # an exact proof still gets a (smaller) search: a disagreement would expose an engine bug
    budget = config.search_examples if not sym.proved else max(10, config.search_examples // 5)
    if time.perf_counter() < deadline:
        found = hypothesis_search(claim, budget, stats, deadline)
        if found is not None:
            shrunk = _confirm_first(claim, [found], dps, stats)
            if shrunk is not None and (confirmed is None or _size(shrunk[0]) < _size(confirmed[0])):
                confirmed = shrunk      # hypothesis shrinks: prefer its smaller, readable counterexample
    if confirmed is None and not sym.proved and time.perf_counter() < deadline and claim.vars:
        starts = []
        ranked = sorted(decisions, key=lambda p: p[1].slack)[:2]
        for inst, _ in ranked:
            starts.append((inst.dims, {k: [v for r in rows for v in r] for k, rows in inst.values.items()}))
        opt_rng = random.Random(seed + 1)
        raw_starts = []
        from ..claims.instances import n_params, random_raw

        for _ in range(2):
            dims = sample_dims(claim, opt_rng, 2)
            raw_starts.append((dims, {n: random_raw(opt_rng, n_params(v, shape_of(v, dims)), "decimal")
                                      for n, v in claim.vars.items()}))
        found_list = optimise(claim, raw_starts + _raw_of(claim, starts), stats, deadline, opt_rng)
        confirmed = _confirm_first(claim, found_list, dps, stats)
    if time.perf_counter() >= deadline:
        stats.stopped = stats.stopped or f"time limit {config.time_limit:g} s reached"

    # (6) certify what held; an exact or ball decision can still expose a violation that the
    # working precision could not see (a difference below its tolerance): that refutes the claim
    tally = _Tally()
    if confirmed is None:
        confirmed = _certify(claim, decisions, dps, tally)

    ev["symbolic"] = {"proved": sym.proved, "method": sym.method, "shapes": sym.shapes, "note": sym.note,
                      "seconds": round(sym.seconds, 3)}
    ev["search"] = stats.to_json()

    if confirmed is not None:
        inst, dec = confirmed
        ev.update(_instance_evidence(decisions, skipped, attempts))
        ev["engine"] = "counterexample search + exact re-check" if dec.method == "exact" else \
            f"counterexample search + re-check ({dec.method})"
        ev["recheck"] = dec.method
        ev["seconds"] = round(time.perf_counter() - t0, 3)
        cx_json = inst.to_json(claim)
        cx = Counterexample(cx_json["dims"], cx_json["values"], {"recheck": dec.method, **dec.details})
        if sym.proved:
            return Result(
                Verdict.INCONCLUSIVE,
                ev,
                None,
                "engines disagree: an exact proof and a re-checked counterexample; please report this claim",
            )
        return Result(Verdict.REFUTED, ev, cx, f"counterexample re-checked ({dec.method})")

    valid = len(decisions)
    ev.update(_instance_evidence(decisions, skipped, attempts))
    certified, undecided, tight, worst = tally.certified, tally.undecided, tally.tight, tally.worst
    ev.update({"certified_instances": certified, "tight_instances": tight, "undecided_instances": undecided,
               "digits": dps - 10, "worst_normalised_slack": worst})
    ev["seconds"] = round(time.perf_counter() - t0, 3)
    if sym.proved and valid == 0:
        ev["engine"] = _exact_engine(sym.method)
        why = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "no instance generated"
        return Result(Verdict.INCONCLUSIVE, ev, None,
                      "the identity holds for generic matrices, but no instance satisfying the assumptions "
                      f"and given conditions makes it defined, so it may be vacuous ({why})")
    if sym.proved:
        ev["engine"] = _exact_engine(sym.method)
        if sym.method == GENERIC_METHOD:
            ev["scope"] = "all dimensions"
        msg = sym.method + (f" on shapes {sym.shapes}" if sym.shapes and sym.shapes != [{}] else "")
        return Result(Verdict.PROVED, ev, None, msg)
    if valid < min(3, config.instances):
        ev["engine"] = "mpmath"
        why = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "no instance generated"
        return Result(Verdict.INCONCLUSIVE, ev, None, f"only {valid} valid instance(s) ({why})")
    if undecided:
        ev["engine"] = "mpmath"
        return Result(Verdict.INCONCLUSIVE, ev, None,
                      f"{undecided} instance(s) could not be decided at the available precision")
    if certified == valid:
        ev["engine"] = "exact rationals / arb balls on instances"
        return Result(
            Verdict.CERTIFIED, ev, None, f"rigorously checked on {valid} instances; no counterexample found"
        )
    ev["engine"] = "mpmath"
    return Result(Verdict.HOLDS_NUMERICALLY, ev, None,
                  f"agrees to {dps - 10} digits on {valid} instances ({certified} certified, {tight} tight); "
                  "no counterexample found")


GENERIC_METHOD = "generic normal form: both sides have equal tensor-network normal forms, for all dimensions"


def _exact_engine(method: str) -> str:
    if method == GENERIC_METHOD:
        return "generic prover (tensor-network normal form, all dimensions)"
    return "symbolic (sympy)" if "sympy" in method else "decision procedure (z3)"


@dataclass
class _Tally:
    certified: int = 0
    undecided: int = 0
    tight: int = 0
    worst: float | None = None


def _certify(claim: Claim, decisions, dps: int, tally: _Tally):
    """Re-decide each instance exactly or with balls; return (instance, decision) for the first
    rigorous violation, else None (counts go to ``tally``)."""
    for inst, d in decisions:
        e = _exact_or_ball(claim, inst, dps)
        if e is not None and e.status == "violated":
            return inst, e
        if d.status in ("violated", "undecided"):     # mpmath could not settle it
            if e is not None and e.status == "holds":
                tally.certified += 1
            else:
                tally.undecided += 1
            continue
        if d.status == "tight":
            tally.tight += 1
        tally.worst = d.slack if tally.worst is None else min(tally.worst, d.slack)
        if e is not None and e.status == "holds":
            tally.certified += 1
    return None


def _size(inst: Instance) -> float:
    """Readability of a counterexample: total digits of its numerators and denominators."""
    return sum(len(str(abs(v.numerator))) + len(str(v.denominator)) for rows in inst.values.values()
               for r in rows for v in r)


def _raw_of(claim: Claim, starts):
    # Instances are stored as built values, not raw parameters; only unstructured variables
    # can restart from their values directly.
    out = []
    for dims, raw in starts:
        if all(
            not v.assume or set(v.assume) <= {"nonnegative", "positive", "nonzero", "full_rank", "invertible"}
            for v in claim.vars.values()
        ):
            out.append((dims, raw))
    return out


def _instance_evidence(decisions, skipped: Counter, attempts: int) -> dict:
    return {"instances_valid": len(decisions), "instances_generated": attempts,
            "instances_skipped": dict(skipped)}


def _exact_or_ball(claim: Claim, inst: Instance, dps: int) -> Decision | None:
    try:
        d = decide_exact(claim.relation, inst)
        if d is None:
            d = decide_ball(claim.relation, inst, dps)
        return d
    except (UndefinedValue, NotExact, NotCertifiable):
        return None


def _confirm_first(claim: Claim, candidates: list[Instance], dps: int, stats: SearchStats):
    for inst in candidates[:6]:
        stats.candidates += 1
        try:
            if not instance_valid(claim, inst):
                continue
            if given_holds(claim, inst, dps) is not True:
                continue
            d = confirm_violation(claim.relation, inst, dps)
        except UndefinedValue:
            continue
        if d is not None:
            return inst, d
    return None
