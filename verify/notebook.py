"""One notebook generator for every proof, and the session its cells run in.

``build_notebook(proof)`` gives the guided tour of a proof: the proof's ``intro`` (authored), a setup
cell, then for every step one markdown cell (name, source, LaTeX, statement, premises and rule,
what the authors assert and what the toolkit expects, note) and one code cell ``_ = show('id')``;
``sections`` (step id -> (title, text)) put a header before a step; the closing cell prints the
summary generated from the verdicts (``verify.report.chain.chain_summary``).  Outputs are never
stored; cell ids are stable, so regenerating gives the same bytes.

Regenerate: ``python -m verify.notebook [PROOF-ID ...]`` (all proofs without arguments) writes
``notebooks/<id with _ for ->.ipynb`` in the current directory's ``notebooks/``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .config import CheckConfig
from .proof import Proof, ProofResult, StepResult, check_step, derive_step

SETUP = """import verify
from verify.notebook import Session

proof = verify.load_proof({id!r})
session = Session(proof)
show = session.show"""


class Session:
    """Checks a proof's steps on demand: a derived step first settles its premises (each once)."""

    def __init__(self, proof: Proof, config: CheckConfig | None = None, keys: tuple[str, ...] | None = None,
                 limit: int = 300) -> None:
        self.proof, self.config, self.keys, self.limit = proof, config or CheckConfig(), keys, limit
        self.done: dict[str, StepResult] = {}

    def result(self, step_id: str) -> StepResult:
        if step_id not in self.done:
            st = self.proof.step(step_id)
            for u in st.uses:
                self.result(u)
            if st.by is not None or st.asserted:
                self.done[step_id] = derive_step(st, self.proof, self.done)
            else:
                self.done[step_id] = check_step(st, self.config)
        return self.done[step_id]

    def _short(self, value: Any, limit: int | None = None) -> str:
        from .result import jsonable

        text = json.dumps(jsonable(value))
        limit = limit or self.limit
        return text if len(text) <= limit else text[:limit] + " ..."

    def show(self, step_id: str) -> StepResult:
        """Print the step's verdict (first line: 'ID: verdict V (expect E) as expected'), its message,
        evidence, counterexample and figures; assert the verdict is the expected one."""
        sr = self.result(step_id)
        r = sr.result
        print(f"{step_id}: verdict {r.verdict.value} (expect {sr.step.expect}) "
              f"{'as expected' if sr.matches else 'NOT AS EXPECTED'}")
        if sr.step.by:
            print(f"   derived by {sr.step.by}" + (f" from {', '.join(sr.step.uses)}" if sr.step.uses else "")
                  + (f"; weakest link {sr.weakest_link}" if sr.weakest_link else ""))
        if r.message:
            print("  ", r.message)
        for key, value in r.evidence.items():
            if key == "engine" or (self.keys is not None and key not in self.keys) or "second" in key:
                continue
            print(f"   {key}: {self._short(value)}")
        if r.counterexample is not None:
            print("   counterexample:", self._short(r.counterexample.to_json(), 1500))
        for f in r.figures:
            print("   figure:", f.name, "-", f.title)
        assert sr.matches, f"{step_id}: verdict {r.verdict.value}, expected {sr.step.expect}"
        return sr

    def summary(self) -> None:
        """Print the summary generated from the verdicts of every step."""
        from .report.chain import chain_summary

        pr = ProofResult(self.proof, [self.result(s.id) for s in self.proof.steps], self.config, 0.0)
        for line in chain_summary(pr):
            print(line)


def _md_step(st) -> str:
    md = [f"### `{st.id}`: {st.name}", "", f"*Source:* {st.source}", ""]
    if st.latex:
        md += [f"$${' '.join(st.latex.split())}$$", ""]
    md += [f"*Statement:* `{st.statement}`"]
    if st.given:
        md += ["", "*Given:* " + ", ".join(f"`{g}`" for g in st.given)]
    if st.assumptions:
        md += ["", "*Assumptions:* " + "; ".join(st.assumptions)]
    if st.by:
        md += [
            "",
            f"*Derived by* `{st.by}`"
            + (" *from* " + ", ".join(f"`{u}`" for u in st.uses) if st.uses else ""),
        ]
    asserts = "assumed (a hypothesis)" if st.hypothesis else "holds"
    md += ["", f"*Authors assert:* {asserts} · *toolkit expects:* `{st.expect}`"
           + (" (a step they got wrong: the toolkit must refute it)" if st.expect == "fails" else "")]
    if st.note:
        md += ["", f"*Note:* {st.note}"]
    return "\n".join(md)


def build_notebook(proof: Proof):
    """The proof's notebook (an ``nbformat`` node, no outputs)."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    intro = proof.intro or proof.summary
    cells = [
        new_markdown_cell(
            f"# {proof.title}\n\n*Source:* {proof.source}\n\n{intro}\n\n"
            "Each code cell checks one step: a checked step through its claim or check function, a derived "
            "step by "
            "its rule from its premises (the rule kernel of `verify.rules`; its verdict is the weakest of "
            "its premises'). "
            "Every cell prints the verdict and asserts it is the one expected: `holds` for a right step, "
            "`fails` for a "
            "step the authors got wrong, which the toolkit must refute with a re-checked counterexample, "
            "`assumed` for a hypothesis of the theorem (stated, never checked)."
        ),
        new_code_cell(SETUP.format(id=proof.id)),
    ]
    sections = dict(proof.sections or {})
    for st in proof.steps:
        if st.id in sections:
            title, text = sections[st.id]
            cells.append(new_markdown_cell(f"## {title}\n\n{text}" if text else f"## {title}"))
        cells.append(new_markdown_cell(_md_step(st)))
        cells.append(new_code_cell(f"_ = show({st.id!r})"))
    cells.append(new_markdown_cell("## Summary (generated from the verdicts)"))
    cells.append(new_code_cell("session.summary()"))
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:03d}"
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})


def notebook_name(proof: Proof) -> str:
    return proof.id.replace("-", "_") + ".ipynb"


def notebook_text(proof: Proof) -> str:
    import nbformat

    return nbformat.writes(build_notebook(proof)) + "\n"


def write_notebook(proof: Proof, folder: Path) -> Path:
    from .io import atomic_write_text

    return atomic_write_text(Path(folder) / notebook_name(proof), notebook_text(proof))


def main(argv: list[str] | None = None) -> int:
    from .discovery import discover_proofs
    from .errors import InputError

    argv = sys.argv[1:] if argv is None else argv
    proofs = discover_proofs()
    ids = argv or sorted(proofs)
    for i in ids:
        if i not in proofs:
            print(f"error: unknown proof id {i!r} (known: {', '.join(sorted(proofs))})", file=sys.stderr)
            return 2
    try:
        for i in ids:
            print(write_notebook(proofs[i], Path("notebooks")))
    except (OSError, InputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
