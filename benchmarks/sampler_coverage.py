"""Benchmark: how much of each assumption set the instance sampler reaches, new vs old, same run.

Run: python benchmarks/sampler_coverage.py [--draws 300] [--seed 0] [--n 4]

For each assumption set it draws DRAWS instances (n x n, rectangular n x (n+1) for rank_deficient)
with ``verify.claims.instances.random_instance`` and with the sampler it replaced (kept below,
verbatim in behaviour: pd = M Mᵀ + (|c| + 1/4) I, psd = M Mᵀ, projector onto the columns of a
random M, rank_deficient = U V with inner size min - 1, ten value styles) and reports, from
eigenvalues / singular values at 60 digits (mpmath):

* the rank histogram (0..n), the smallest eigenvalue reached (log10), the share of draws with
  smallest |eigenvalue| or singular value below 1e-30 and below 1/4, the largest condition
  number (log10), the share of c·I and of repeated eigenvalues, and the number of distinct draws
  (every permutation, every involution);
* for the matrix premises of ``verify.claims.premises``: the share of instances that satisfy the
  given exactly with the premise-aware sampler and with the plain one, and the (rank A, rank B)
  histogram of the satisfying instances.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import mpmath

from verify import Claim
from verify.claims.instances import instance_valid, random_instance
from verify.linalg import projector, rank

SETS = [["psd"], ["pd"], ["symmetric"], ["projector"], ["rank_deficient"], ["invertible"], [],
        ["nsd"], ["idempotent"], ["nilpotent"], ["diagonal"], ["upper_triangular"], ["skew_symmetric"],
        ["permutation"], ["permutation", "symmetric"], ["stochastic"], ["toeplitz"], ["circulant"],
        ["involutory"], ["involutory", "symmetric"]]
NEW_SETS = {"nsd", "idempotent", "nilpotent", "diagonal", "upper_triangular", "skew_symmetric", "permutation",
            "stochastic", "toeplitz", "circulant", "involutory"}
# matrix premises: (given, variables); A, B n x n unless declared otherwise
PREMISES = [
    ("A @ B == B @ A", {}),
    ("A @ B == B @ A", {"A": ["psd"]}),
    ("A @ B == B @ A", {"A": ["psd"], "B": ["psd"]}),
    ("A @ B == zeros(n, n)", {}),
    ("A @ B == zeros(n, n)", {"A": ["symmetric"]}),
    ("A.T @ B == zeros(n, n)", {}),
    ("A @ A == A", {}),
    ("A @ A == eye(n)", {}),
    ("A.T @ A == eye(n)", {}),
    ("A**2 == zeros(n, n)", {}),
    ("A.T == -A", {}),
    ("A @ B == 2 * B @ A + eye(n)", {}),          # not recognised: shows the plain sampler's rate
]


# --- the previous sampler (before issue 11), for comparison ----------------------------------
def _old_raw(rng: random.Random, n: int, style: str) -> list[Fraction]:
    if style == "zero":
        return [Fraction(0)] * n
    if style == "equal":
        return [Fraction(rng.randint(-30, 30), 10)] * n
    if style == "int":
        return [Fraction(rng.randint(-3, 3)) for _ in range(n)]
    if style == "fraction":
        return [Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(n)]
    dec = [Fraction(rng.randint(-300, 300), 100) for _ in range(n)]
    if style == "tiny":
        return [v / 10**6 for v in dec]
    if style == "huge":
        return [v * 10**6 for v in dec]
    if style == "ill":
        return [v * Fraction(10) ** rng.randint(-6, 6) for v in dec]
    if style == "lowrank" and n > 1:
        base = dec[0] if dec[0] != 0 else Fraction(1)
        return [base * rng.randint(-2, 2) for _ in range(n)]
    return dec


_OLD_STYLES = ("int", "decimal", "decimal", "fraction", "tiny", "huge", "ill", "zero", "equal", "lowrank")


def _mm(a, b):
    return [[sum((a[i][t] * b[t][j] for t in range(len(b))), Fraction(0)) for j in range(len(b[0]))]
            for i in range(len(a))]


def _old_value(assume: list[str], r: int, c: int, rng: random.Random, index: int):
    style = "decimal" if index < 2 else rng.choice(_OLD_STYLES)
    if "rank_deficient" in assume:
        k = min(r, c) - 1
        raw = _old_raw(rng, r * k + k * c, style)
        u = [raw[i * k:(i + 1) * k] for i in range(r)]
        v = [raw[r * k + i * c: r * k + (i + 1) * c] for i in range(k)]
        return _mm(u, v) if k else [[Fraction(0)] * c for _ in range(r)]
    if "pd" in assume:
        raw = _old_raw(rng, r * r + 1, style)
        m = [raw[i * r:(i + 1) * r] for i in range(r)]
        g = _mm(m, [list(x) for x in zip(*m)])
        s = abs(raw[-1]) + Fraction(1, 4)
        return [[g[i][j] + (s if i == j else 0) for j in range(r)] for i in range(r)]
    raw = _old_raw(rng, r * c, style)
    m = [raw[i * c:(i + 1) * c] for i in range(r)]
    if "psd" in assume:
        return _mm(m, [list(x) for x in zip(*m)])
    if "projector" in assume:
        return projector(m)
    if "symmetric" in assume:
        return [[(m[i][j] + m[j][i]) / 2 for j in range(r)] for i in range(r)]
    if "invertible" in assume:
        t, base = 0, m
        while rank(m) < min(r, c):
            t += 1
            m = [[base[i][j] + (t if i == j else 0) for j in range(c)] for i in range(r)]
    return m


# --- measurements ----------------------------------------------------------------------------
def _mp(rows):
    return mpmath.matrix([[mpmath.mpf(v.numerator) / v.denominator for v in r] for r in rows])


def _spectrum(rows, symmetric: bool) -> list:
    """Eigenvalues (symmetric) or singular values, ascending, at 60 digits."""
    with mpmath.workdps(60):
        m = _mp(rows)
        if symmetric:
            e = mpmath.eigsy(m, eigvals_only=True)
            return sorted(e[i] for i in range(len(rows)))
        s = mpmath.svd_r(m, compute_uv=False)
        return sorted(s[i] for i in range(len(s)))


def measure(values, assume: list[str]) -> dict:
    symmetric = bool(set(assume) & {"psd", "pd", "symmetric", "projector", "nsd"}) and not (
        set(assume) & {"permutation", "involutory"})
    ranks: Counter = Counter()
    smallest, tiny, below_quarter, cond, scalar_eye, repeated = [], 0, 0, [], 0, 0
    for v in values:
        ranks[rank(v)] += 1
        s = _spectrum(v, symmetric)
        mags = sorted(abs(x) for x in s)
        nz = [x for x in mags if x > mpmath.mpf(10) ** -55]
        if nz:
            smallest.append(nz[0])
            cond.append(nz[-1] / nz[0])
        tiny += bool(nz) and nz[0] < mpmath.mpf("1e-30")
        below_quarter += mags[0] < mpmath.mpf(1) / 4
        n = len(v)
        scalar_eye += n > 1 and v[0][0] != 0 and all(
            v[i][j] == (v[0][0] if i == j else 0) for i in range(n) for j in range(len(v[0])))
        distinct = {mpmath.nstr(x, 20) for x in s if abs(x) > mpmath.mpf(10) ** -55}
        repeated += (
            symmetric and n > 1 and len(distinct) < len([x for x in mags if x > mpmath.mpf(10) ** -55])
        )
    k = len(values)
    return {
        "ranks": dict(sorted(ranks.items())),
        "log10_min_eig": round(float(mpmath.log10(min(smallest))), 1) if smallest else None,
        "tiny<1e-30": round(tiny / k, 3), "min<1/4": round(below_quarter / k, 3),
        "log10_max_cond": round(float(mpmath.log10(max(cond))), 1) if cond else None,
        "c*I": round(scalar_eye / k, 3), "repeated": round(repeated / k, 3),
        "distinct": len({tuple(map(tuple, v)) for v in values}),
    }


def draws(assume: list[str], n: int, count: int, seed: int, old: bool):
    shape = [n, n + 1] if "rank_deficient" in assume else [n, n]
    claim = Claim("c", "0 == 0", vars={"A": {"shape": shape, "assume": assume}})
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if old:
            out.append(_old_value(assume, shape[0], shape[1], rng, i))
        else:
            inst = random_instance(claim, rng, i)
            assert instance_valid(claim, inst)
            out.append(inst.values["A"])
    return out


def premise_rates(given: str, assume: dict, n: int, count: int, seed: int) -> dict:
    """How many of ``count`` instances satisfy ``given`` exactly: with the premise-aware sampler
    (the claim has the given) and with the plain sampler (the same claim without it); ranks of A."""
    from verify.engines.numeric import decide_exact

    vars_ = {v: {"shape": ["n", "n"], "assume": assume.get(v, [])} for v in ("A", "B")}
    out = {}
    for label, g in (("new", [given]), ("old", [])):
        claim = Claim("c", "A == A", dims={"n": n}, vars=vars_, given=g)
        rel = Claim("c", given, dims={"n": n}, vars=vars_).relation
        rng = random.Random(seed)
        held, ranks = 0, Counter()
        for i in range(count):
            inst = random_instance(claim, rng, i)
            if not instance_valid(claim, inst):
                continue
            d = decide_exact(rel, inst)
            if d is not None and d.status == "holds":
                held += 1
                ranks[(rank(inst.values["A"]), rank(inst.values["B"]))] += 1
        out[label] = (held / count, ranks)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n", type=int, default=4)
    a = p.parse_args(argv)
    print(f"Sampler coverage: {a.draws} draws per set, n = {a.n}, seed {a.seed}")
    for assume in SETS:
        label = "+".join(assume) or "free"
        for old in (True, False):
            if old and set(assume) & NEW_SETS:
                print(f"  {label:15s} old: (assumption did not exist)")
                continue
            t0 = time.perf_counter()
            vals = draws(assume, a.n, a.draws, a.seed, old)
            t = time.perf_counter() - t0
            m = measure(vals, assume)
            print(
                f"  {label:15s} {'old' if old else 'new'}: ranks {m['ranks']}  min eig/sv "
                f"1e{m['log10_min_eig']}"
                f"  <1e-30 {m['tiny<1e-30']:.0%}  <1/4 {m['min<1/4']:.0%}  max cond 1e{m['log10_max_cond']}"
                f"  c·I {m['c*I']:.0%}  repeated {m['repeated']:.0%}  distinct {m['distinct']}"
                f"  ({1000 * t / a.draws:.1f} ms/draw)"
            )
    n = min(a.n, 3)
    print(f"Matrix premises: share of {a.draws} instances (n = {n}) satisfying the given exactly, "
          "premise-aware sampler (new) vs the plain sampler (old); (rank A, rank B) among the new ones")
    for given, assume in PREMISES:
        t0 = time.perf_counter()
        r = premise_rates(given, assume, n, a.draws, a.seed)
        t = time.perf_counter() - t0
        label = given + (f"  [{', '.join(f'{k}: {v}' for k, v in assume.items())}]" if assume else "")
        print(f"  {label:45s} new {r['new'][0]:6.1%}  old {r['old'][0]:6.1%}  ranks "
              f"{dict(sorted(r['new'][1].items()))}  ({1000 * t / (2 * a.draws):.1f} ms/draw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
