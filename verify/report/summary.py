"""Short one-line summaries of evidence (shared by the terminal and Markdown renderers)."""
from __future__ import annotations

import json
from typing import Any

from ..result import Result, Verdict, jsonable


def evidence_line(result: Result, timings: bool = True) -> str:
    """One line: engine, instances, digits, slack, re-check (and the time taken when ``timings``)."""
    e = result.evidence
    v = result.verdict
    parts = [str(e.get("engine", ""))]
    if v is Verdict.PROVED and exact_scope(result) == "all dimensions" and "all dimensions" not in parts[0]:
        parts.append("all dimensions")
    if v is Verdict.PROVED:
        shapes = (e.get("symbolic") or {}).get("shapes") or e.get("shapes")
        if shapes and shapes != [{}]:
            parts.append("shapes " + "; ".join(",".join(f"{k}={x}" for k, x in s.items()) for s in shapes))
    if "instances_valid" in e:
        parts.append(f"{e['instances_valid']} instances")
        skipped = sum((e.get("instances_skipped") or {}).values())
        if skipped:
            parts.append(f"{skipped} skipped")
    if v is Verdict.CERTIFIED and "certified_instances" in e:
        parts.append(f"{e['certified_instances']} certified")
    if v is Verdict.HOLDS_NUMERICALLY:
        if "digits" in e:
            parts.append(f"{e['digits']} digits")
        if e.get("worst_normalised_slack") is not None:
            parts.append(f"worst slack {float(e['worst_normalised_slack']):.3g}")
        if e.get("tight_instances"):
            parts.append(f"{e['tight_instances']} tight")
    if v is Verdict.REFUTED and "recheck" in e:
        parts.append(f"re-checked: {e['recheck']}")
    if timings and "seconds" in e:
        parts.append(f"{float(e['seconds']):.2f}s")
    return ", ".join(p for p in parts if p)


def exact_scope(result: Result) -> str | None:
    """How far a holding verdict reaches: "all dimensions" (generic prover), "declared scope" (exact on
    every shape of a finite declared scope), "listed shapes" (exact on some shapes only, or a
    step-specific exact check), "scalar" (a scalar claim decided exactly), "instances" (certified or
    numerical agreement on instances only); None for a verdict that does not hold."""
    e = result.evidence
    v = result.verdict
    if not v.holds:
        return None
    if v is not Verdict.PROVED:
        return "instances"
    proved_scope = e.get("proved_scope")
    if proved_scope == "all dimensions" or e.get("scope") == "all dimensions" or \
            (e.get("generic") or {}).get("scope") == "all dimensions":
        return "all dimensions"
    if "z3" in str(e.get("engine", "")):
        return "scalar"
    if proved_scope == "all":
        return "declared scope"
    return "listed shapes"


SCOPE_KINDS = ("all dimensions", "declared scope", "listed shapes", "scalar", "instances")


def scope_counts_line(results: list[Result]) -> str:
    """One line: how many holding verdicts are proved for all dimensions, on every shape of the declared
    scope, on listed shapes only, for scalar claims, or hold on instances only ("" when none holds)."""
    counts = dict.fromkeys(SCOPE_KINDS, 0)
    for r in results:
        k = exact_scope(r)
        if k is not None:
            counts[k] += 1
    if not any(counts.values()):
        return ""
    return (f"Scope of what holds: {counts['all dimensions']} proved for all dimensions, "
            f"{counts['declared scope']} proved on every shape of the declared scope, "
            f"{counts['listed shapes']} proved exactly on listed shapes only (or by a step-specific check), "
            f"{counts['scalar']} scalar claim(s) decided exactly, {counts['instances']} on instances only "
            "(certified or numerical).")


def counterexample_line(result: Result, limit: int = 400) -> str:
    if result.counterexample is None:
        return ""
    cx = result.counterexample.to_json()
    body = {**({"dims": cx["dims"]} if cx["dims"] else {}), **cx["values"]}
    text = json.dumps(jsonable(body), separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def expect_mark(matches: bool, expect: Any) -> str:
    if expect is None:
        return "" if matches else "!"
    return "ok" if matches else "MISMATCH"
