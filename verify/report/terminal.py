"""Plain-text rendering for the terminal and notebooks, fitted to the terminal's width.

Names are never cut: a name longer than its column gets a line of its own and the row continues
below it; evidence wraps inside its column.  The width is ``COLUMNS`` / the terminal's (80 when
unknown), at least 60.
"""
from __future__ import annotations

import shutil
import textwrap

from ..proof import ProofResult, StepResult
from ..check.outcomes import FileOutcome
from .summary import counterexample_line, evidence_line

W_NAME, W_VERDICT, W_EXPECT = 34, 18, 9


def width() -> int:
    return max(60, shutil.get_terminal_size((80, 24)).columns)


def _wrap(text: str, indent: int, total: int) -> list[str]:
    room = max(20, total - indent)
    return textwrap.wrap(text, room, break_long_words=True, break_on_hyphens=False) or [""]


def _row(name: str, verdict: str, expect: str, evidence: str, total: int | None = None) -> str:
    total = total or width()
    w_name = min(W_NAME, max(12, total // 3))
    ev_col = 2 + w_name + 1 + W_VERDICT + 1 + W_EXPECT + 1
    lines = []
    if len(name) > w_name:
        lines += ["  " + part for part in _wrap(name, 2, total)]
        name = ""
    ev = _wrap(evidence, ev_col, total) if evidence else [""]
    lines.append(f"  {name:<{w_name}} {verdict:<{W_VERDICT}} {expect:<{W_EXPECT}} {ev[0]}".rstrip())
    lines += [" " * ev_col + e for e in ev[1:]]
    return "\n".join(lines)


def _note(label: str, text: str, total: int | None = None) -> str:
    """An indented note (message, counterexample) wrapped to the width."""
    total = total or width()
    return "\n".join("      " + part for part in _wrap(f"{label}{text}", 6, total))


def render_files(files: list[FileOutcome]) -> str:
    lines = []
    for f in files:
        lines.append(f"{f.file}: {f.title}")
        lines.append(_row("claim", "verdict", "expect", "evidence"))
        for c in f.claims:
            exp = "-" if c.expect is None else (c.expect + ("" if c.matches else "!"))
            lines.append(_row(c.name, c.result.verdict.value, exp, evidence_line(c.result)))
            if c.result.message and c.result.verdict.value in ("error", "inconclusive"):
                lines.append(_note("", c.result.message))
            cx = counterexample_line(c.result)
            if cx:
                lines.append(_note("counterexample: ", cx))
        n = len(f.claims)
        ok = sum(c.matches for c in f.claims)
        lines.append(f"  {ok}/{n} as expected")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_step(sr: StepResult) -> str:
    r = sr.result
    lines = [
        f"[{sr.step.id}] {sr.step.name}",
        f"  statement: {sr.step.statement}",
        f"  authors assert: {'assumed' if sr.step.hypothesis else 'holds'}   toolkit expects: "
        f"{sr.step.expect}"
        f"   verdict: {r.verdict.value}"
        f"   ({'as expected' if sr.matches else 'NOT as expected'})",
        f"  evidence: {evidence_line(r)}",
    ]
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
            lines.append(_note("", s.result.message))
    ok = sum(s.matches for s in pr.steps)
    lines.append(f"  {ok}/{len(pr.steps)} steps as expected")
    return "\n".join(lines) + "\n"
