"""Engines that run independent tasks (GNTK Gram tiles, SVC cross-validation fits) in parallel.

``engine(spec)`` returns an object with ``map(fn, tasks) -> list`` (results in task order) and
``close()``, and ``workers`` (how many tasks run at once; callers size their batches by it):

* ``"serial"`` (or None): a plain loop in this process;
* ``"joblib"`` / ``"joblib:K"``: joblib's process pool (loky) with K workers (default: the CPU
  cores available); large numpy arguments are memory-mapped by joblib;
* ``"dask"`` / ``"dask:K"``: a ``dask.distributed`` LocalCluster of K single-threaded worker
  processes started here; ``"dask://HOST:PORT"`` or ``"tcp://HOST:PORT"``: an existing scheduler
  (``--scheduler ADDRESS`` on the CLI).  Arguments shared by all tasks are scattered once
  (``shared=``); progress is printed to stderr every ``progress_every`` completed tasks.

Every task is a module-level function applied to picklable arguments and computes its result in
exactly the same way whichever engine runs it, so the results are the same bit for bit (tested for
the GNTK Gram with a 2-process LocalCluster).
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InputError


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class SerialEngine:
    name = "serial"
    workers = 1

    def map(self, fn: Callable, tasks: Sequence[tuple], shared: tuple = ()) -> list:
        return [fn(*shared, *t) for t in tasks]

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "serial (this process)"


class JoblibEngine:
    name = "joblib"

    def __init__(self, n_jobs: int) -> None:
        self.n_jobs = n_jobs
        self.workers = n_jobs

    def map(self, fn: Callable, tasks: Sequence[tuple], shared: tuple = ()) -> list:
        from joblib import Parallel, delayed

        if len(tasks) <= 1 or self.n_jobs == 1:
            return [fn(*shared, *t) for t in tasks]
        return Parallel(n_jobs=self.n_jobs, backend="loky")(delayed(fn)(*shared, *t) for t in tasks)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"joblib (loky), {self.n_jobs} worker processes"


class DaskEngine:
    name = "dask"

    def __init__(
        self, address: str | None = None, n_workers: int | None = None, progress_every: int = 0
    ) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a declared dependency
            raise InputError(
                "the dask engine needs dask[distributed] (pip install 'dask[distributed]')"
            ) from None
        self.progress_every = progress_every
        self.cluster = None
        if address:
            try:
                self.client = Client(address, timeout=10)
            except OSError as exc:
                raise InputError(f"cannot reach the dask scheduler at {address}: {exc}") from None
            self.where = f"dask scheduler {address}"
            self.workers = max(1, sum(self.client.nthreads().values()))
        else:
            n = n_workers or cores()
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
            self.where = f"dask LocalCluster, {n} single-threaded worker processes"
            self.workers = n

    def map(self, fn: Callable, tasks: Sequence[tuple], shared: tuple = ()) -> list:
        from dask.distributed import as_completed

        # hash=False: fresh keys, so a release of an earlier scatter of equal data cannot race this one
        sh = [self.client.scatter(s, broadcast=True, hash=False) for s in shared]
        futures = [self.client.submit(fn, *sh, *t, pure=False) for t in tasks]
        if self.progress_every:
            t0 = time.perf_counter()
            for done, _ in enumerate(as_completed(futures), 1):
                if done % self.progress_every == 0 or done == len(futures):
                    print(
                        f"  dask: {done}/{len(futures)} tasks, {time.perf_counter() - t0:.1f} s",
                        file=sys.stderr,
                    )
        return self.client.gather(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def describe(self) -> str:
        return self.where


def engine(spec: str | None = None, progress_every: int = 0):
    """An engine from a spec: None | "serial" | "joblib[:K]" | "dask[:K]" | "dask://HOST:PORT" | "tcp://..."."""
    if spec is None or spec == "serial":
        return SerialEngine()
    if not isinstance(spec, str):
        raise InputError(f"engine must be a string, got {spec!r}")

    def count(text: str) -> int | None:
        if not text:
            return None
        if not text.isdigit() or int(text) < 1:
            raise InputError(f"engine worker count must be a positive integer, got {text!r}")
        return int(text)

    if spec == "joblib" or spec.startswith("joblib:"):
        return JoblibEngine(count(spec[7:]) or cores())
    if spec.startswith("dask://"):
        return DaskEngine("tcp://" + spec[len("dask://"):], progress_every=progress_every)
    if spec.startswith("tcp://"):
        return DaskEngine(spec, progress_every=progress_every)
    if spec == "dask" or spec.startswith("dask:"):
        return DaskEngine(None, count(spec[5:]), progress_every=progress_every)
    raise InputError(f"unknown engine {spec!r} (use serial, joblib[:K], dask[:K] or a scheduler address tcp://HOST:PORT)")


def run_tasks(fn: Callable, tasks: Sequence[tuple], eng: Any = None, shared: tuple = ()) -> list:
    """``fn(*shared, *task)`` for every task, on ``eng`` (an engine, a spec string, or None = serial)."""
    if eng is None or isinstance(eng, str):
        e = engine(eng)
        try:
            return e.map(fn, tasks, shared)
        finally:
            e.close()
    return eng.map(fn, tasks, shared)
