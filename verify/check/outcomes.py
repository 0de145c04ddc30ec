"""Outcomes of checking claim files: one ClaimOutcome per claim, one FileOutcome per file
(proofs use ``verify.proof.ProofResult``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..result import Result


@dataclass
class ClaimOutcome:
    name: str
    statement: str
    given: list[str]
    expect: str | None
    result: Result

    @property
    def matches(self) -> bool:
        return self.result.matches(self.expect)

    def to_json(self) -> dict[str, Any]:
        r = self.result.to_json()
        return {
            "name": self.name,
            "statement": self.statement,
            "given": list(self.given),
            "verdict": r["verdict"],
            "expect": self.expect,
            "matches_expect": self.matches,
            "evidence": r["evidence"],
            "counterexample": r["counterexample"],
            "message": r["message"],
        }


@dataclass
class FileOutcome:
    file: str
    title: str
    claims: list[ClaimOutcome] = field(default_factory=list)

    @property
    def all_match(self) -> bool:
        return all(c.matches for c in self.claims)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "title": self.title, "claims": [c.to_json() for c in self.claims]}
