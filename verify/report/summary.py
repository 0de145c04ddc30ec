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
