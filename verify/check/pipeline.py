"""``check_claim``: one verdict per claim, never stronger than its evidence.

Stages (each its own module): (1) ``shapes``: the claim is shape-checked on its whole finite scope
(or the sample window's corners) and again on every instance's dims; (2) ``exact``: z3 / SymPy /
the generic prover, under a hard share of the time limit; (3) ``sample``: K random instances
decided at working precision with magnitude-aware escalation; (4) ``search``: hypothesis and local
optimisation, every candidate confirmed rigorously; (5) ``certify``: each instance re-decided
exactly or with balls; (6) ``verdict``.  Every claim answers within its time limit plus a few
seconds (``limits``); one claim's failure never sinks another's: an internal error becomes that
claim's ``error`` verdict (marked ``internal_error``; the CLI exits 3 after writing every result).
"""

from __future__ import annotations

import traceback

from ..claims.model import Claim
from ..config import CheckConfig
from ..engines.search import SearchStats
from ..errors import ClaimError
from ..result import Result, Verdict
from .certify import Tally, run_certify
from .context import Context
from .exact import run_exact
from .limits import GRACE, StageTimeout, hard_limit, quiet_stdout
from .sample import run_sampling
from .search import run_search
from .shapes import validate_up_front
from .verdict import decide


def check_claim(claim: Claim, config: CheckConfig | None = None) -> Result:
    """Check one claim with the engines: exact proof first, then certification, high-precision
    numerics and a counterexample search; a counterexample is re-checked before it is reported.

    Returns a :class:`~verify.result.Result` (verdict, evidence, counterexample).  An ill-formed
    claim gives the verdict ``error`` with a one-line message; it never raises for bad claims.

    Example::

        >>> from verify import CheckConfig, Claim, check_claim
        >>> c = Claim("t", "(A @ B).T == A.T @ B.T", dims={"n": 2},
        ...           vars={"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}})
        >>> r = check_claim(c, CheckConfig(instances=3))
        >>> r.verdict.value, sorted(r.counterexample.values)
        ('refuted', ['A', 'B'])
    """
    config = config or CheckConfig()
    ctx = Context(claim, config)
    ctx.evidence.update(
        {"seed": config.seed, "claim_seed": ctx.seed, "dps": config.dps, "time_limit": config.time_limit}
    )
    with quiet_stdout():
        try:
            with hard_limit(config.time_limit + GRACE - 1.0):
                return _check(ctx)
        except ClaimError as exc:
            return Result(
                Verdict.ERROR,
                {"engine": "parser/shapes", "seed": config.seed, "seconds": round(ctx.elapsed(), 3)},
                message=str(exc),
            )
        except StageTimeout:
            return Result(
                Verdict.INCONCLUSIVE,
                {
                    **ctx.evidence,
                    "engine": "none",
                    "seconds": round(ctx.elapsed(), 3),
                    "stopped": ctx.stopped,
                },
                message=f"time limit {config.time_limit:g} s reached before a verdict",
            )
        except Exception as exc:  # noqa: BLE001 - isolation: one claim's bug never sinks the others
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return Result(
                Verdict.ERROR,
                {
                    "engine": "none",
                    "internal_error": f"{type(exc).__name__}: {exc}"[:300],
                    "at": f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}",
                    "seconds": round(ctx.elapsed(), 3),
                },
                message=f"internal error ({type(exc).__name__}: {str(exc)[:160]}); please report this claim",
            )


def _check(ctx: Context) -> Result:
    validate_up_front(ctx.claim)
    exact = run_exact(ctx)
    run_sampling(ctx)
    stats = SearchStats()
    confirmed = run_search(ctx, exact, stats)
    tally = Tally()
    if confirmed is None:
        confirmed = run_certify(ctx, tally)
    return decide(ctx, exact, stats, confirmed, tally)
