"""One result model for every engine: a verdict, the evidence it rests on, a counterexample.

Verdicts, strongest first (a verdict is never stronger than its evidence):

* ``proved``            exact: a symbolic identity on stated concrete shapes, or a decision procedure;
* ``certified``         a rigorous enclosure (ball/interval arithmetic) on each of K concrete instances;
* ``holds_numerically`` agreement to N digits on K instances, with the worst slack recorded;
* ``refuted``           a counterexample, re-checked exactly or at higher precision;
* ``inconclusive``      no decision (the evidence says why);
* ``error``             the claim is ill-formed (the message says where).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Sequence

from .linalg import rational_to_json


class Verdict(str, Enum):
    PROVED = "proved"
    CERTIFIED = "certified"
    HOLDS_NUMERICALLY = "holds_numerically"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"
    # a hypothesis of a theorem: stated, not checked; never counts as holding
    ASSUMED = "assumed"

    @property
    def holds(self) -> bool:
        """True for the three verdicts that say the claim is true (with different strength)."""
        return self in (Verdict.PROVED, Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY)

    def __str__(self) -> str:  # noqa: D105
        return self.value


# what the toolkit expects of a step: it holds, it fails (a refuted slip), or a finite measurement cannot
# decide it (inconclusive: e.g. an asymptotic rate against a few sizes), or it is a hypothesis (assumed)
EXPECTATIONS = ("holds", "fails", "inconclusive", "assumed")


@dataclass
class Counterexample:
    """An instance on which the statement fails.

    ``dims``: every dimension symbol -> int.  ``values``: every variable -> a JSON value:
    scalars as numbers or exact ``"p/q"`` strings, matrices as row-major nested lists
    (column vectors as n x 1 nested lists).  ``details`` may hold the two sides' values.
    """

    dims: dict[str, int]
    values: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dims": dict(self.dims), "values": dict(self.values)}
        if self.details:
            out["details"] = jsonable(self.details)
        return out


@dataclass
class Figure:
    """Data for one plot; renderers draw it, engines only fill it in."""

    name: str                   # file stem, e.g. "gap_vs_eta"
    title: str
    xlabel: str
    ylabel: str
    series: list[tuple[str, Sequence[float], Sequence[float]]]
    logx: bool = False
    logy: bool = False
    kind: str = "line"          # "line" | "scatter"
    errors: dict[str, Sequence[float]] = field(default_factory=dict)   # label -> half-widths (e.g. 95% CI)


@dataclass
class Result:
    """The outcome of checking one claim or one proof step."""

    verdict: Verdict
    evidence: dict[str, Any]
    counterexample: Counterexample | None = None
    message: str = ""
    figures: list[Figure] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.verdict = Verdict(self.verdict)
        if "engine" not in self.evidence:
            raise ValueError("a Result's evidence must name its engine")
        if self.verdict is Verdict.REFUTED and self.counterexample is None:
            raise ValueError("a refuted verdict must carry its counterexample")
        if self.verdict.holds and self.counterexample is not None:
            raise ValueError("a verdict that holds cannot carry a counterexample")

    @classmethod
    def numerical(cls, ok: bool, evidence: dict[str, Any], *, message: str = "",
                  figures: list[Figure] | None = None) -> Result:
        """The verdict of a numerical measurement: ``holds_numerically`` when ``ok`` (the measured
        evidence agrees with the claim), else ``inconclusive``.  Never ``refuted``: a measurement
        that misses is not a counterexample (refuting needs an instance re-checked exactly)."""
        verdict = Verdict.HOLDS_NUMERICALLY if ok else Verdict.INCONCLUSIVE
        return cls(verdict, evidence, message=message, figures=list(figures or []))

    def matches(self, expect: str | None) -> bool:
        """Does the verdict agree with what is expected?  No expectation: the verdict must hold."""
        if expect is None or expect == "holds":
            return self.verdict.holds
        if expect == "fails":
            return self.verdict is Verdict.REFUTED
        if expect == "inconclusive":
            return self.verdict is Verdict.INCONCLUSIVE
        if expect == "assumed":
            return self.verdict is Verdict.ASSUMED
        raise ValueError(f"unknown expectation {expect!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "evidence": jsonable(self.evidence),
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "message": self.message,
        }


def jsonable(obj: Any) -> Any:
    """Convert evidence values (numpy, mpmath, sympy, Fraction, tuples) to plain JSON values.

    Exact rationals follow the one rule of :func:`verify.linalg.rational_to_json` (integers stay
    JSON integers, others become ``"p/q"`` strings); non-finite floats become strings ("inf", "nan").
    """
    import numpy as np

    if isinstance(obj, np.generic):        # before float: np.float64 is a float subclass
        return jsonable(obj.item())
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else str(obj)
    if isinstance(obj, Fraction):
        return rational_to_json(obj)
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    mod = type(obj).__module__ or ""
    if mod.startswith("mpmath"):
        try:
            import mpmath

            if isinstance(obj, mpmath.matrix):
                return [[jsonable(obj[i, j]) for j in range(obj.cols)] for i in range(obj.rows)]
            return float(obj) if mpmath.isfinite(obj) else str(obj)
        except TypeError:
            return str(obj)
    if mod.startswith("sympy"):
        import sympy

        if isinstance(obj, sympy.MatrixBase):
            return [[jsonable(obj[i, j]) for j in range(obj.cols)] for i in range(obj.rows)]
        if isinstance(obj, sympy.Integer):
            return int(obj)
        if isinstance(obj, sympy.Rational):
            return rational_to_json(Fraction(int(obj.p), int(obj.q)))
        return str(obj)
    if hasattr(obj, "to_json"):
        return obj.to_json()
    return str(obj)
