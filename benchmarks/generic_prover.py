"""Benchmark: the generic prover (all dimensions) vs the explicit-shape SymPy path (3 shapes).

Run: python benchmarks/generic_prover.py [--repeat 5]

For every catalogue identity the generic prover proves, both engines are timed in the same run:
``prove_generic`` (median of REPEAT runs) and ``verify.engines.symbolic.prove_identity``, which
builds symbolic-entry matrices on up to 3 concrete shapes and expands lhs - rhs (one run; it
proves the identity on those shapes only).  Target (issue 12): every generic proof under 50 ms
and faster than the SymPy path.  The last column is the time of the independent certificate
re-check (re-derivation + exact evaluation at dims 5 and 7).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from verify.catalogue import catalogue_files
from verify.claims.files import load_claim_file
from verify.engines.generic import prove_generic, recheck
from verify.engines.symbolic import prove_identity


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-recheck", action="store_true")
    args = ap.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus")
    entries = [e for f in catalogue_files() for e in load_claim_file(f).entries if e.claim is not None]
    rows = []
    for e in entries:
        g = prove_generic(e.claim)
        if not g.proved:
            continue
        ts = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            prove_generic(e.claim)
            ts.append(time.perf_counter() - t0)
        tg = statistics.median(ts)
        t0 = time.perf_counter()
        s = prove_identity(e.claim)
        tsym = time.perf_counter() - t0
        tr = float("nan")
        if not args.no_recheck:
            t0 = time.perf_counter()
            ok = recheck(e.claim, g.certificate).ok
            tr = time.perf_counter() - t0
            assert ok, e.name
        rows.append((e.name, tg, tsym if s.proved else None, len(s.shapes) if s.proved else 0, tr))
    print(
        f"{'identity':40s} {'generic ms':>10s} {'sympy ms':>10s} {'shapes':>6s} {'ratio':>9s} "
        f"{'recheck s':>9s}"
    )
    for name, tg, tsym, nshapes, tr in rows:
        if tsym is None:
            print(f"{name:40s} {tg * 1e3:10.2f} {'no proof':>10s} {nshapes:6d} {'n/a':>9s} {tr:9.2f}")
        else:
            print(f"{name:40s} {tg * 1e3:10.2f} {tsym * 1e3:10.1f} {nshapes:6d} {tsym / tg:8.0f}x {tr:9.2f}")
    worst = max(r[1] for r in rows)
    ratios = [r[2] / r[1] for r in rows if r[2] is not None]
    print(
        f"{len(rows)} identities proved for all dimensions; slowest generic proof {worst * 1e3:.2f} ms "
        f"(target < 50 ms); on the {len(ratios)} the SymPy path also proves (on its shapes only) the generic "
        f"prover is {min(ratios):.0f}x to {max(ratios):.0f}x faster (median "
        f"{statistics.median(ratios):.0f}x); "
        f"{len(rows) - len(ratios)} have no explicit-shape SymPy proof (proj)"
    )


if __name__ == "__main__":
    main()
