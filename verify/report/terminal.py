"""Plain-text rendering for the terminal and notebooks."""
from __future__ import annotations

from ..proof import ProofResult, StepResult
from ..check.outcomes import FileOutcome
from .summary import counterexample_line, evidence_line

W_NAME, W_VERDICT = 34, 18


def _row(name: str, verdict: str, expect: str, evidence: str) -> str:
    name = name if len(name) <= W_NAME else name[: W_NAME - 1] + "~"
    return f"  {name:<{W_NAME}} {verdict:<{W_VERDICT}} {expect:<9} {evidence}"


def render_files(files: list[FileOutcome]) -> str:
    lines = []
    for f in files:
        lines.append(f"{f.file}: {f.title}")
        lines.append(_row("claim", "verdict", "expect", "evidence"))
        for c in f.claims:
            exp = "-" if c.expect is None else (c.expect + ("" if c.matches else "!"))
            lines.append(_row(c.name, c.result.verdict.value, exp, evidence_line(c.result)))
            if c.result.message and c.result.verdict.value in ("error", "inconclusive"):
                lines.append(f"      {c.result.message}")
            cx = counterexample_line(c.result)
            if cx:
                lines.append(f"      counterexample: {cx}")
        n = len(f.claims)
        ok = sum(c.matches for c in f.claims)
        lines.append(f"  {ok}/{n} as expected")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_step(sr: StepResult) -> str:
    r = sr.result
    lines = [f"[{sr.step.id}] {sr.step.name}",
             f"  statement: {sr.step.statement}",
             f"  authors assert: {sr.step.expect}   verdict: {r.verdict.value}"
             f"   ({'as expected' if sr.matches else 'NOT as expected'})",
             f"  evidence: {evidence_line(r)}"]
    if r.message:
        lines.append(f"  {r.message}")
    cx = counterexample_line(r)
    if cx:
        lines.append(f"  counterexample: {cx}")
    if sr.step.note:
        lines.append(f"  note: {sr.step.note}")
    return "\n".join(lines)


def render_proof(pr: ProofResult) -> str:
    lines = [f"{pr.proof.id}: {pr.proof.title}", f"  source: {pr.proof.source}",
             f"  seed {pr.config.seed}, dps {pr.config.dps}, {pr.seconds:.1f}s", ""]
    lines.append(_row("step", "verdict", "expect", "evidence"))
    for s in pr.steps:
        exp = s.step.expect + ("" if s.matches else "!")
        lines.append(_row(f"{s.step.id} {s.step.name}", s.result.verdict.value, exp, evidence_line(s.result)))
        if s.result.message and s.result.verdict.value in ("error", "inconclusive", "refuted"):
            lines.append(f"      {s.result.message}")
    ok = sum(s.matches for s in pr.steps)
    lines.append(f"  {ok}/{len(pr.steps)} steps as expected")
    return "\n".join(lines) + "\n"
