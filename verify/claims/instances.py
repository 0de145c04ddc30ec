"""Concrete instances of a claim: dimensions plus exact rational values for every variable.

Each variable is built from a list of raw rational parameters by a map that satisfies its
structural assumption by construction (symmetric: (M + Mᵀ)/2; psd: M Mᵀ; pd: M Mᵀ + c I;
rank_deficient: U V with inner size min(r, c) - 1; orthogonal: a signed Cayley transform
D (I - K)(I + K)⁻¹ of a skew K; projector: the exact projector onto the columns of M), so that
the search can move the raw parameters freely.  Every instance is then checked exactly against
every assumption; one that fails is skipped, never used.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..language.shapes import dim_value
from ..linalg import projector, rational_to_json
from .model import Claim, Var

Rows = list[list[Fraction]]


@dataclass
class Instance:
    dims: dict[str, int]
    values: dict[str, Rows]          # every variable as rows; scalars are 1 x 1

    def to_json(self, claim: Claim) -> dict:
        out = {}
        for name, rows in self.values.items():
            if claim.vars[name].is_scalar:
                out[name] = rational_to_json(rows[0][0])
            else:
                out[name] = [[rational_to_json(v) for v in r] for r in rows]
        return {"dims": dict(self.dims), "values": out}



def shape_of(var: Var, dims: dict[str, int]) -> tuple[int, int]:
    if var.shape is None:
        return (1, 1)
    return tuple(dim_value(s, dims) for s in var.shape)  # type: ignore[return-value]


def n_params(var: Var, shape: tuple[int, int]) -> int:
    r, c = shape
    a = set(var.assume)
    if var.is_scalar:
        return 1
    if "orthogonal" in a:
        return r * (r - 1) // 2 + r
    if "rank_deficient" in a:
        k = min(r, c) - 1
        return r * k + k * c
    if "pd" in a:
        return r * r + 1
    return r * c


def _mat(raw: Sequence[Fraction], r: int, c: int) -> Rows:
    return [[Fraction(raw[i * c + j]) for j in range(c)] for i in range(r)]


def _mul(a: Rows, b: Rows) -> Rows:
    if not a or not b:
        return a
    k = len(b)
    return [
        [sum((a[i][t] * b[t][j] for t in range(k)), Fraction(0)) for j in range(len(b[0]))]
        for i in range(len(a))
    ]


def _T(a: Rows) -> Rows:
    return [list(r) for r in zip(*a)] if a else a


def _eye(n: int) -> Rows:
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def _sympy(rows: Rows):
    import sympy

    return sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in r] for r in rows])


def _from_sympy(m) -> Rows:
    return [[Fraction(int(m[i, j].p), int(m[i, j].q)) for j in range(m.cols)] for i in range(m.rows)]


def _rank(rows: Rows) -> int:
    import flint

    return flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in r] for r in rows]).rank()


def build_value(var: Var, shape: tuple[int, int], raw: Sequence[Fraction]) -> Rows:
    """Map raw parameters to a matrix that has ``var``'s structure (see module docstring)."""
    r, c = shape
    a = set(var.assume)
    raw = [Fraction(x) for x in raw]
    if "nonnegative" in a or "positive" in a:
        raw = [abs(x) for x in raw]
    if "positive" in a and not a & {"psd", "pd", "orthogonal", "projector", "symmetric"}:
        raw = [x if x > 0 else Fraction(1, 10) for x in raw]
    if var.is_scalar:
        v = raw[0]
        if "nonzero" in a and v == 0:
            v = Fraction(1)
        if "positive" in a and v <= 0:
            v = Fraction(1, 10)
        return [[v]]
    if "orthogonal" in a:
        k = r * (r - 1) // 2
        K = [[Fraction(0)] * r for _ in range(r)]
        t = 0
        for i in range(r):
            for j in range(i + 1, r):
                K[i][j], K[j][i] = raw[t], -raw[t]
                t += 1
        eye = _eye(r)
        m = _sympy([[eye[i][j] - K[i][j] for j in range(r)] for i in range(r)]) * \
            _sympy([[eye[i][j] + K[i][j] for j in range(r)] for i in range(r)]).inv()
        q = _from_sympy(m)
        signs = [(-1 if raw[k + i] < 0 else 1) for i in range(r)]
        return [[signs[i] * q[i][j] for j in range(r)] for i in range(r)]
    if "rank_deficient" in a:
        k = min(r, c) - 1
        if k == 0:
            return [[Fraction(0)] * c for _ in range(r)]
        u = _mat(raw[: r * k], r, k)
        v = _mat(raw[r * k:], k, c)
        return _mul(u, v)
    if "pd" in a:
        m = _mat(raw[: r * r], r, r)
        shift = abs(raw[r * r]) + Fraction(1, 4)
        g = _mul(m, _T(m))
        return [[g[i][j] + (shift if i == j else 0) for j in range(r)] for i in range(r)]
    m = _mat(raw, r, c)
    if "psd" in a:
        return _mul(m, _T(m))
    if "projector" in a:
        return projector(m)
    if "symmetric" in a:
        m = [[(m[i][j] + m[j][i]) / 2 for j in range(r)] for i in range(r)]
    if a & {"invertible", "full_rank"}:
        full = min(r, c)
        t = 0
        base = m
        while _rank(m) < full:
            t += 1
            m = [[base[i][j] + (t if i == j else 0) for j in range(c)] for i in range(r)]
    if "nonzero" in a and all(v == 0 for row in m for v in row):
        m[0][0] = Fraction(1)
    return m


def satisfies(var: Var, rows: Rows) -> bool:
    """Exact check of every assumption of ``var`` on a rational value."""
    a = set(var.assume)
    flat = [v for r in rows for v in r]
    if "nonnegative" in a and any(v < 0 for v in flat):
        return False
    if "positive" in a and any(v <= 0 for v in flat):
        return False
    if "nonzero" in a and all(v == 0 for v in flat):
        return False
    if var.is_scalar:
        return True
    r, c = len(rows), len(rows[0])
    if a & {"symmetric", "psd", "pd", "projector"} and any(
        rows[i][j] != rows[j][i] for i in range(r) for j in range(i)
    ):
        return False
    rank = _rank(rows) if a & {"invertible", "full_rank", "rank_deficient", "pd"} else None
    if a & {"invertible", "full_rank", "pd"} and rank != min(r, c):
        return False
    if "rank_deficient" in a and rank == min(r, c):
        return False
    if a & {"psd", "pd"}:
        m = _sympy(rows)
        if not m.is_positive_semidefinite:
            return False
    if "orthogonal" in a and _mul(_T(rows), rows) != _eye(r):
        return False
    if "projector" in a and _mul(rows, rows) != rows:
        return False
    return True


# --- random raw parameters ------------------------------------------------------------------
STYLES = ("int", "decimal", "decimal", "fraction", "tiny", "huge", "ill", "zero", "equal", "lowrank")


def random_raw(rng: random.Random, n: int, style: str) -> list[Fraction]:
    if style == "zero":
        return [Fraction(0)] * n
    if style == "equal":
        v = Fraction(rng.randint(-30, 30), 10)
        return [v] * n
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


def sample_dims(claim: Claim, rng: random.Random, index: int) -> dict[str, int]:
    """Dims for instance ``index``: the first instances sweep lo, hi, then random values."""
    out = {}
    for name, spec in claim.dims.items():
        if isinstance(spec, int):
            out[name] = spec
        else:
            lo, hi = spec
            out[name] = lo if index == 0 else hi if index == 1 else rng.randint(lo, hi)
    return out


def make_instance(claim: Claim, dims: dict[str, int], raw: dict[str, Sequence[Fraction]]) -> Instance:
    values = {}
    for name, var in claim.vars.items():
        shape = shape_of(var, dims)
        values[name] = build_value(var, shape, raw[name])
    return Instance(dict(dims), values)


def random_instance(claim: Claim, rng: random.Random, index: int) -> Instance:
    dims = sample_dims(claim, rng, index)
    style = "decimal" if index < 2 else rng.choice(STYLES)
    raw = {}
    for name, var in claim.vars.items():
        st = style if rng.random() < 0.8 else rng.choice(STYLES)
        raw[name] = random_raw(rng, n_params(var, shape_of(var, dims)), st)
    return make_instance(claim, dims, raw)


def instance_valid(claim: Claim, inst: Instance) -> bool:
    return all(satisfies(var, inst.values[name]) for name, var in claim.vars.items())
