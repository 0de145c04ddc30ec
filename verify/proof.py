"""Proof modules: a ``Proof`` is an ordered list of ``Step``s, each checked to a ``Result``.

A step is either a *leaf*, checked directly (below), or *derived*: it names its premises
(``uses``, earlier step ids) and the rule that derives it (``by``, see ``verify.rules``); the rule
kernel checks the derivation mechanically in the proof's ``context`` and the step's verdict is the
weakest of its premises' verdicts (traced to the leaves; hypotheses excepted) and the rule's own
check (exact, ``proved``).  A premise that is refuted, inconclusive or an error leaves the conclusion
``inconclusive`` (not established), never refuted; a misapplied rule is an ``error``.  ``asserted``
marks an explicit premise taken without proof: ``inconclusive``, reported as such.  A proof's
``theorem`` (a step id) must be derived: its verdict is never written by hand.

A step is checked either through the claim language (``claim``: checked by the same engines as
``verify check``) or by a ``check`` function ``(CheckConfig) -> Result`` for steps the claim
language cannot state (trajectories, ODE solutions).  ``expect`` records what the authors
assert: ``"holds"``, or ``"fails"`` for a step they got wrong.  A step whose check raises gets the
verdict ``error`` with the exception's message: an exception never becomes a pass.
"""
from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    uses: list[str] = field(default_factory=list)       # premises (earlier step ids) of a derived step
    by: str | None = None                               # the rule that derives it (verify.rules.RULES)
    params: dict[str, Any] = field(default_factory=dict)  # the rule's parameters
    formal: str = ""                                    # the relation in the proof's term language
    asserted: bool = False                              # an explicit premise taken without proof

    def __post_init__(self) -> None:
        if self.expect not in EXPECTATIONS:
            raise ValueError(f"step {self.id}: expect must be one of {EXPECTATIONS}")
        kinds = [self.claim is not None, self.check is not None, self.by is not None, self.asserted]
        if sum(kinds) != 1:
            raise ValueError(f"step {self.id}: give exactly one of claim=, check=, by= or asserted=True")
        if self.uses and self.by is None:
            raise ValueError(f"step {self.id}: uses= needs by= (the rule deriving the step)")
        if self.by is not None:
            from .rules import RULES

            if self.by not in RULES:
                raise ValueError(f"step {self.id}: unknown rule {self.by!r} (known: {', '.join(RULES)})")
            if self.by == "hypothesis" and self.expect == "holds":
                self.expect = "assumed"                 # a hypothesis is stated, never checked
            elif self.by == "hypothesis" and self.expect != "assumed":
                raise ValueError(f"step {self.id}: a hypothesis is expected to be assumed")
            elif self.by != "hypothesis" and self.expect != "holds":
                raise ValueError(f"step {self.id}: a derived step is expected to hold")
        if self.expect == "assumed" and self.by != "hypothesis":
            raise ValueError(f"step {self.id}: only a hypothesis (by='hypothesis') is assumed")

    @property
    def derived(self) -> bool:
        return self.by is not None and self.by != "hypothesis"

    @property
    def hypothesis(self) -> bool:
        return self.by == "hypothesis"

    def relation(self) -> str:
        """The step's relation in the term language: ``formal``, else the claim's statement, else the
        statement of a derived or asserted step."""
        if self.formal:
            return self.formal
        if self.claim is not None:
            return self.claim.statement
        if self.by is not None or self.asserted:
            return self.statement
        raise ValueError(
            f"step {self.id} is checked by a function and states no formal relation; give formal="
        )


@dataclass
class StepResult:
    step: Step
    result: Result
    seconds: float
    weakest_link: str | None = None      # the leaf premise with the weakest verdict (derived steps)

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
            "uses": list(self.step.uses),
            "by": self.step.by,
            "kind": ("hypothesis" if self.step.hypothesis else "derived" if self.step.derived
                     else "asserted" if self.step.asserted else "checked"),
            "weakest_link": self.weakest_link,
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
    context: Any = None                  # a verify.rules.Context: where derived steps are read
    theorem: str | None = None           # the id of the derived step that states the theorem
    intro: str = ""                      # the notebook's opening text (authored)
    sections: dict[str, tuple[str, str]] = field(default_factory=dict)  # step id -> notebook section header
    # generated study tables shown with the report (verify.report.supplements; read, not recomputed)
    supplements: tuple[str, ...] = ()

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(f"proof {self.id} has no step {step_id!r}")

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"proof {self.id}: duplicate step ids")
        seen: set[str] = set()
        for s in self.steps:
            for u in s.uses:
                if u not in seen:
                    raise ValueError(f"proof {self.id}: step {s.id} uses {u!r}, which is not an earlier step")
            if s.by is not None and self.context is None:
                raise ValueError(f"proof {self.id}: step {s.id} is derived but the proof has no context")
            seen.add(s.id)
        if self.theorem is not None and (self.theorem not in ids or not self.step(self.theorem).derived):
            raise ValueError(f"proof {self.id}: the theorem {self.theorem!r} must be a derived step")


@dataclass
class ProofResult:
    proof: Proof
    steps: list[StepResult]
    config: CheckConfig
    seconds: float

    @property
    def all_match(self) -> bool:
        return all(s.matches for s in self.steps)

    def result_of(self, step_id: str) -> StepResult:
        for s in self.steps:
            if s.step.id == step_id:
                return s
        raise KeyError(step_id)

    @property
    def theorem(self) -> StepResult | None:
        return self.result_of(self.proof.theorem) if self.proof.theorem else None

    def to_json(self) -> dict[str, Any]:
        th = self.theorem
        return {
            "id": self.proof.id,
            "title": self.proof.title,
            "source": self.proof.source,
            "summary": self.proof.summary,
            "seed": self.config.seed,
            "dps": self.config.dps,
            "seconds": round(self.seconds, 3),
            "all_steps_as_expected": self.all_match,
            "theorem": th.step.id if th else None,
            "theorem_verdict": th.result.verdict.value if th else None,
            "weakest_link": th.weakest_link if th else None,
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


# strongest first; a derived verdict is the weakest of its leaves
_RANK = [Verdict.PROVED, Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY, Verdict.INCONCLUSIVE, Verdict.REFUTED,
         Verdict.ERROR]


def _premise(step: Step):
    from .rules import Premise

    if step.claim is not None and not step.formal:
        c = step.claim
        return Premise(step.id, c.statement,
                       variables={v.name: v.shape for v in c.vars.values()},
                       assume={v.name: list(v.assume) for v in c.vars.values() if v.assume},
                       given=list(c.given))
    return Premise(step.id, step.relation())


def _rule_error(step: Step, message: str, t0: float) -> StepResult:
    """The ``error`` result of a derived step whose rule the kernel rejected (or could not run)."""
    return StepResult(
        step,
        Result(Verdict.ERROR, {"engine": "rule kernel (verify.rules)", "rule": step.by}, message=message),
        time.perf_counter() - t0,
    )


def _lemma_dims(step: Step, done: dict[str, StepResult]) -> dict[str, dict[str, Any]]:
    """The dimensions each claim-checked premise (lemma) of ``step`` was checked on, by premise id."""
    return {u: {k: list(v) if isinstance(v, tuple) else v for k, v in done[u].step.claim.dims.items()}
            for u in step.uses if done[u].step.claim is not None}


def _premise_links(step: Step, done: dict[str, StepResult]) -> list[tuple[int, str, Verdict]]:
    """The leaves ``step`` rests on, as (rank in _RANK, step id, verdict): a derived premise contributes
    its own weakest link, a checked premise itself; hypotheses (conditions of the theorem) and premises
    derived from rules alone contribute nothing."""
    links: list[tuple[int, str, Verdict]] = []
    for u in step.uses:
        pr = done[u]
        if pr.step.hypothesis:
            continue
        if pr.step.derived and pr.weakest_link is not None and pr.result.verdict is not Verdict.ERROR:
            leaf = done[pr.weakest_link]
            links.append((_RANK.index(leaf.result.verdict), leaf.step.id, leaf.result.verdict))
        elif pr.step.derived and pr.weakest_link is None and pr.result.verdict is Verdict.PROVED:
            continue                                  # derived from rules alone: proved
        else:
            links.append((_RANK.index(pr.result.verdict), u, pr.result.verdict))
    return links


def _derived_result(step: Step, evidence: dict[str, Any], done: dict[str, StepResult],
                    t0: float) -> StepResult:
    """The verdict of a derived (non-hypothesis) step whose rule check passed: proved from rules alone,
    else the weakest premise leaf's verdict if it holds, else inconclusive."""
    links = _premise_links(step, done)
    evidence["premises"] = {u: done[u].result.verdict.value for u in step.uses}
    hypotheses = [u for u in step.uses if done[u].step.hypothesis]
    if hypotheses:
        evidence["under_hypotheses"] = hypotheses
    under = f" under the hypotheses {', '.join(hypotheses)}" if hypotheses else ""
    if not links:
        return StepResult(
            step,
            Result(Verdict.PROVED, evidence, message=f"derived by {step.by} from rules alone{under}"),
            time.perf_counter() - t0,
        )
    _, weakest, verdict = max(links, key=lambda x: x[0])
    evidence["weakest_link"] = weakest
    if verdict.holds:
        res = Result(
            verdict, evidence,
            message=f"derived by {step.by}{under}; weakest link {weakest} ({verdict.value})"
        )
    else:
        res = Result(Verdict.INCONCLUSIVE, evidence,
                     message=f"premise {weakest} is {verdict.value}: the conclusion is not established")
    return StepResult(step, res, time.perf_counter() - t0, weakest_link=weakest)


def derive_step(step: Step, proof: Proof, done: dict[str, StepResult]) -> StepResult:
    """A derived, hypothesis or asserted step: the rule kernel's check and the weakest premise."""
    from .rules import RuleError, derive

    t0 = time.perf_counter()
    if step.asserted:
        res = Result(Verdict.INCONCLUSIVE, {"engine": "none", "asserted": True},
                     message="asserted without proof: an explicit unproved premise")
        return StepResult(step, res, time.perf_counter() - t0, weakest_link=step.id)
    try:
        ev = derive(
            proof.context,
            step.by or "",
            step.relation(),
            [_premise(done[u].step) for u in step.uses],
            step.params,
        )
    except RuleError as exc:
        return _rule_error(step, f"rule {step.by} rejected: {exc}", t0)
    except VerifyError as exc:
        return _rule_error(step, str(exc), t0)
    evidence = {"engine": "rule kernel (verify.rules, exact normal forms)", **ev}
    lemmas = _lemma_dims(step, done)
    if lemmas:   # a lemma is checked on these dimensions and used at the context's (shape-checked) dimensions
        evidence["lemmas_checked_on_dims"] = lemmas
    if step.hypothesis:
        return StepResult(
            step,
            Result(
                Verdict.ASSUMED,
                {**evidence, "hypothesis": True},
                message="a hypothesis of the theorem: assumed, not checked; the "
                "conclusions that use it hold under it",
            ),
            time.perf_counter() - t0,
        )
    return _derived_result(step, evidence, done, t0)


def run_proof(proof: Proof, config: CheckConfig | None = None) -> ProofResult:
    """Check every step of ``proof`` in order (see :func:`check_step`) and collect the results.

    Example::

        >>> from verify import CheckConfig, Claim, Proof, Step, run_proof
        >>> nn = {"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}}
        >>> claim = Claim("t", "(A @ B).T == B.T @ A.T", dims={"n": 2}, vars=nn)
        >>> p = Proof("demo", "Demo", "notes",
        ...           [Step("t", "transpose", "eq 1", claim.statement, "", claim=claim)])
        >>> pr = run_proof(p, CheckConfig(instances=3))
        >>> [s.result.verdict.value for s in pr.steps], pr.all_match
        (['proved'], True)
    """
    config = config or CheckConfig()
    t0 = time.perf_counter()
    out: list[StepResult] = []
    done: dict[str, StepResult] = {}
    for i, step in enumerate(proof.steps, 1):
        config.report(f"[{proof.id}] step {i}/{len(proof.steps)}: {step.id} {step.name}")
        sr = (
            derive_step(step, proof, done)
            if (step.by is not None or step.asserted)
            else check_step(step, config)
        )
        out.append(sr)
        done[step.id] = sr
    return ProofResult(proof, out, config, time.perf_counter() - t0)
