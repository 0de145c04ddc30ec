"""Benchmark: the claim catalogue end to end, and mpmath vs python-flint ball arithmetic.

Run: python benchmarks/claims_catalogue.py [--jobs 2] [--limit 50]

Part 1 checks the first LIMIT catalogue claims (default 50) at dps 50 and reports time per claim
by engine, serially and with a process pool; target: 50 claims in under 30 s on 2 cores.
Part 2 compares mpmath matrices with python-flint arb_mat at 50 digits (products, symmetric
eigenvalues), measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from verify import CheckConfig  # noqa: E402
from verify.catalogue import catalogue_files  # noqa: E402
from verify.claims.files import ClaimFile, load_claim_file  # noqa: E402
from verify.check.files import check_files  # noqa: E402


def part1(limit: int, jobs: int, seed: int) -> None:
    files = [load_claim_file(f) for f in catalogue_files()]
    entries = [(f, e) for f in files for e in f.entries][:limit]
    subset = []
    for f in files:
        keep = [e for g, e in entries if g is f]
        if keep:
            subset.append(ClaimFile(f.path, f.title, keep))
    n = sum(len(f.entries) for f in subset)
    cfg = CheckConfig(seed=seed, dps=50)
    print(f"Part 1: {n} catalogue claims, dps 50, {cfg.instances} instances each, seed {seed}")
    t0 = time.perf_counter()
    serial = check_files(subset, cfg, jobs=1)
    t_serial = time.perf_counter() - t0
    by_engine = defaultdict(list)
    mism = 0
    for fo in serial:
        for c in fo.claims:
            by_engine[c.result.verdict.value + " / " + str(c.result.evidence.get("engine"))].append(
                c.result.evidence.get("seconds", 0)
            )
            mism += not c.matches
    print(f"  serial: {t_serial:.1f} s total, {t_serial / n:.2f} s per claim, {mism} not as expected")
    print(f"  {'verdict / engine':<62} {'claims':>6} {'mean s':>7} {'max s':>7}")
    for k, v in sorted(by_engine.items()):
        print(f"  {k:<62} {len(v):>6} {statistics.mean(v):>7.2f} {max(v):>7.2f}")
    if jobs > 1:
        t0 = time.perf_counter()
        par = check_files(subset, cfg, jobs=jobs)
        t_par = time.perf_counter() - t0
        same = [c.result.verdict for fo in par for c in fo.claims] == [
            c.result.verdict for fo in serial for c in fo.claims
        ]
        print(
            f"  {jobs} processes: {t_par:.1f} s total ({t_serial / t_par:.2f}x the serial run), same "
            f"verdicts: {same}"
        )
        best = t_par
    else:
        best = t_serial
    scaled = best * 50 / n
    print(
        f"  target: 50 claims in < 30 s -> measured {scaled:.1f} s for 50 claims: "
        f"{'MET' if scaled < 30 else 'NOT MET'}"
    )


def _time(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def part2() -> None:
    import random

    import flint
    import mpmath

    print("\nPart 2: mpmath matrices vs python-flint arb_mat at 50 digits (best of 5)")
    rng = random.Random(0)
    ctx = mpmath.MPContext()
    ctx.dps = 50
    flint.ctx.prec = 200
    print(f"  {'operation':<36} {'mpmath s':>10} {'flint s':>10} {'ratio':>8}")
    for n in (5, 30):
        rows = [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)]
        sym = [[(rows[i][j] + rows[j][i]) / 2 for j in range(n)] for i in range(n)]
        a_mp, s_mp = ctx.matrix(rows), ctx.matrix(sym)
        a_fl, s_fl = flint.arb_mat(rows), flint.arb_mat(sym)
        t1 = _time(lambda: a_mp * a_mp)
        t2 = _time(lambda: a_fl * a_fl)
        print(f"  {f'{n}x{n} product':<36} {t1:>10.5f} {t2:>10.5f} {t1 / t2:>7.0f}x")
        t1 = _time(lambda: ctx.eigsy(s_mp, eigvals_only=True), repeat=2)
        t2 = _time(lambda: flint.acb_mat(s_fl).eig(multiple=True), repeat=2)
        print(f"  {f'{n}x{n} symmetric eigenvalues':<36} {t1:>10.5f} {t2:>10.5f} {t1 / t2:>7.1f}x"
              "   (flint: certified enclosures; mpmath: no error bound)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20260101)
    a = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    part1(a.limit, a.jobs, a.seed)
    part2()


if __name__ == "__main__":
    main()
