"""Check every claim of loaded claim files, in this process or in worker processes."""

from __future__ import annotations

from ..claims.files import ClaimFile
from ..config import CheckConfig
from ..result import Result, Verdict
from .outcomes import ClaimOutcome, FileOutcome
from .pipeline import check_claim


def _check_one(claim, config: CheckConfig) -> Result:
    return check_claim(claim, config)


def _worker_result(future) -> Result:
    """A worker's result; a worker that died (killed for memory, a crash in native code) becomes that
    claim's internal error, never the whole run's."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - isolation: BrokenProcessPool, pickling errors, ...
        return Result(
            Verdict.ERROR,
            {"engine": "none", "internal_error": f"{type(exc).__name__}: {exc}"[:300]},
            message=f"internal error in a worker process ({type(exc).__name__}); please report this claim",
        )


def check_files(files: list[ClaimFile], config: CheckConfig, jobs: int = 1) -> list[FileOutcome]:
    """Check every claim; with ``jobs`` > 1 claims run in worker processes (same results: every
    claim's randomness comes from its own seed)."""
    work = [(f, e) for f in files for e in f.entries]
    results: dict[int, Result] = {}
    pool = None
    if jobs > 1 and sum(e.claim is not None for _, e in work) > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=jobs)
        quiet = config.with_(progress=None)
        futures = {
            i: pool.submit(_check_one, e.claim, quiet) for i, (_, e) in enumerate(work) if e.claim is not None
        }
    try:
        for i, (f, e) in enumerate(work):
            config.report(f"{f.path}: [{i + 1}/{len(work)}] {e.name}")
            if e.claim is None:
                results[i] = Result(
                    Verdict.ERROR, {"engine": "parser"}, message=f"{f.path}: {e.name}: {e.error}"
                )
                continue
            result = _worker_result(futures[i]) if pool is not None else check_claim(e.claim, config)
            if result.verdict is Verdict.ERROR:
                result.message = f"{f.path}: {e.name}: {result.message}"
            results[i] = result
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    out = []
    for f in files:
        fo = FileOutcome(f.path, f.title)
        for i, (g, e) in enumerate(work):
            if g is f:
                fo.claims.append(ClaimOutcome(e.name, e.statement, e.given, e.expect, results[i]))
        out.append(fo)
    return out
