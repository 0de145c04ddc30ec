"""The state one claim's check carries from stage to stage."""

from __future__ import annotations

import random
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..claims.instances import Instance
from ..claims.model import Claim
from ..config import CheckConfig
from ..engines.numeric import Decision


def claim_seed(claim: Claim, seed: int) -> int:
    """Each claim's randomness comes from the run's seed and the claim's name only."""
    return (seed * 1_000_003 + zlib.crc32(claim.name.encode())) % (2**32)


@dataclass
class Sampled:
    """An instance decided at working precision; ``given`` is its given conditions' grade
    ("rigorous" or "numeric", see ``verify.engines.numeric.given_grade``)."""

    instance: Instance
    decision: Decision
    given: str


@dataclass
class Context:
    """One claim's check: configuration, randomness, clock, and what the stages found."""

    claim: Claim
    config: CheckConfig
    t0: float = field(default_factory=time.monotonic)
    seed: int = 0
    rng: random.Random = field(default_factory=random.Random)
    evidence: dict[str, Any] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    sampled: list[Sampled] = field(default_factory=list)
    candidates: list[Instance] = field(default_factory=list)
    attempts: int = 0
    stopped: list[str] = field(default_factory=list)
    checked_dims: set = field(default_factory=set)
    # per given condition (by position): Counter of its grades on the sampled instances
    premise_tally: dict = field(default_factory=lambda: defaultdict(Counter))

    def __post_init__(self) -> None:
        self.seed = claim_seed(self.claim, self.config.seed)
        self.rng = random.Random(self.seed)

    @property
    def dps(self) -> int:
        return self.config.dps

    @property
    def limit(self) -> float:
        return self.config.time_limit

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def until(self, share: float) -> float:
        """Seconds left until ``share`` of the claim's limit has passed (may be <= 0)."""
        return share * self.limit - self.elapsed()

    def stop(self, stage: str, why: str) -> None:
        self.stopped.append(f"{stage}: {why}")
