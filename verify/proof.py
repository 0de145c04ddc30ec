"""Proof modules: a ``Proof`` is an ordered list of ``Step``s, each checked to a ``Result``.

A step is checked either through the claim language (``claim``: checked by the same engines as
``verify check``) or by a ``check`` function ``(CheckConfig) -> Result`` for steps the claim
language cannot state (trajectories, ODE solutions).  ``expect`` records what the authors
assert: ``"holds"``, or ``"fails"`` for a step they got wrong.  A step whose check raises gets the
verdict ``error`` with the exception's message: an exception never becomes a pass.
"""
from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from .config import CheckConfig
from .errors import VerifyError
from .result import EXPECTATIONS, Result, Verdict


@dataclass
class Step:
    id: str
    name: str
    source: str
    statement: str
    latex: str
    expect: str = "holds"
    given: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    claim: Any = None                                   # a verify.Claim, checked by the engines
    check: Callable[[CheckConfig], Result] | None = None
    note: str = ""                                      # finding, correction, or reading of the source

    def __post_init__(self) -> None:
        if self.expect not in EXPECTATIONS:
            raise ValueError(f"step {self.id}: expect must be one of {EXPECTATIONS}")
        if (self.claim is None) == (self.check is None):
            raise ValueError(f"step {self.id}: give exactly one of claim= or check=")


@dataclass
class StepResult:
    step: Step
    result: Result
    seconds: float

    @property
    def matches(self) -> bool:
        return self.result.matches(self.step.expect)

    def to_json(self) -> dict[str, Any]:
        r = self.result.to_json()
        return {
            "id": self.step.id,
            "name": self.step.name,
            "source": self.step.source,
            "statement": self.step.statement,
            "given": list(self.step.given),
            "assumptions": list(self.step.assumptions),
            "latex": self.step.latex,
            "expect": self.step.expect,
            "verdict": r["verdict"],
            "matches_expect": self.matches,
            "evidence": r["evidence"],
            "counterexample": r["counterexample"],
            "message": r["message"],
            "note": self.step.note,
        }


@dataclass
class Proof:
    id: str
    title: str
    source: str
    steps: list[Step]
    summary: str = ""

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(f"proof {self.id} has no step {step_id!r}")

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"proof {self.id}: duplicate step ids")


@dataclass
class ProofResult:
    proof: Proof
    steps: list[StepResult]
    config: CheckConfig
    seconds: float

    @property
    def all_match(self) -> bool:
        return all(s.matches for s in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.proof.id,
            "title": self.proof.title,
            "source": self.proof.source,
            "summary": self.proof.summary,
            "seed": self.config.seed,
            "dps": self.config.dps,
            "seconds": round(self.seconds, 3),
            "all_steps_as_expected": self.all_match,
            "steps": [s.to_json() for s in self.steps],
        }


def check_step(step: Step, config: CheckConfig) -> StepResult:
    """Check one step; any exception becomes an ``error`` verdict naming it."""
    t0 = time.perf_counter()
    try:
        if step.claim is not None:
            from .check import check_claim

            result = check_claim(step.claim, config)
        else:
            result = step.check(config)  # type: ignore[misc]
            if not isinstance(result, Result):
                raise TypeError(f"check of step {step.id} returned {type(result).__name__}, not Result")
    except VerifyError as exc:
        result = Result(Verdict.ERROR, {"engine": "none"}, message=str(exc))
    except Exception as exc:  # a bug in a check must show, never pass
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        result = Result(
            Verdict.ERROR,
            {"engine": "none", "exception": type(exc).__name__, "at": f"{tb.filename}:{tb.lineno}"},
            message=f"{type(exc).__name__}: {exc}",
        )
    return StepResult(step, result, time.perf_counter() - t0)


def run_proof(proof: Proof, config: CheckConfig | None = None) -> ProofResult:
    config = config or CheckConfig()
    t0 = time.perf_counter()
    out = []
    for i, step in enumerate(proof.steps, 1):
        config.report(f"[{proof.id}] step {i}/{len(proof.steps)}: {step.id} {step.name}")
        out.append(check_step(step, config))
    return ProofResult(proof, out, config, time.perf_counter() - t0)
