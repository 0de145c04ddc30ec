"""Settings shared by every check: seed, working precision, number of instances."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

DEFAULT_SEED = 20260101
DEFAULT_DPS = 50
DEFAULT_INSTANCES = 12
DPS_MIN, DPS_MAX = 20, 2000         # one range of working precision for every command


def check_dps(dps: int, flag: str = "--dps") -> int:
    """``dps`` if it lies in [DPS_MIN, DPS_MAX]; otherwise ``InputError`` naming the range."""
    from .errors import InputError

    if isinstance(dps, bool) or not isinstance(dps, int) or not DPS_MIN <= dps <= DPS_MAX:
        raise InputError(f"{flag} must be an integer between {DPS_MIN} and {DPS_MAX} (decimal digits), "
                         f"got {dps!r}")
    return dps


@dataclass(frozen=True)
class CheckConfig:
    """How hard and how reproducibly to check.

    ``seed`` fixes every random choice (it is printed in the evidence); ``dps`` is the mpmath
    working precision in decimal digits; ``instances`` the number K of concrete instances the
    numeric and certified engines use; ``search_examples`` the budget of the counterexample search.
    ``progress`` (optional) receives one-line progress messages; engines never print.
    """

    seed: int = DEFAULT_SEED
    dps: int = DEFAULT_DPS
    instances: int = DEFAULT_INSTANCES
    search_examples: int = 120
    time_limit: float = 60.0
    progress: Callable[[str], None] | None = None

    def with_(self, **changes) -> "CheckConfig":
        return replace(self, **changes)

    def report(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)
