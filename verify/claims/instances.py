"""Concrete instances of a claim: dimensions plus exact rational values for every variable.

Each variable is built from a flat list of raw rational parameters by a map that satisfies its
assumptions by construction, so that the search and the optimiser can move the raw parameters
freely.  The map is chosen by the variable's assumption set (``kind_of``); each kind is one small
function over named blocks of raw numbers:

* ``spectral`` (symmetric, psd, pd, nsd, nd; ``projector`` the same map): Q diag(λ) Qᵀ with
  Q = (I - K)(I + K)⁻¹ the Cayley transform of a skew K (exactly orthogonal, rational), so the
  eigenvalues are exactly the mapped λ: psd |x|, pd |x| (0 ↦ 1), nsd/nd the negatives, projector 1 if
  x > 0 else 0;
* ``gram`` (psd/pd with entrywise signs): M Mᵀ (+ c I) with M ≥ 0;
* ``orthogonal``: a signed Cayley transform D (I - K)(I + K)⁻¹;
* ``idempotent``: S diag(d) S⁻¹ with d ∈ {0, 1} and S invertible; ``nilpotent``: S U S⁻¹ with U
  strictly upper triangular (all ones on the superdiagonal: one Jordan block);
* ``lowrank`` (rank_deficient): U V with inner size min(r, c) - 1; ``free``: the entries.

Samplers draw the raw blocks so that the whole assumption set is reached: eigenvalues from 10^-40
up to 10^20, repeated eigenvalues and c·I, projectors and idempotents of every rank 0..n, Jordan
blocks, zero columns, repeated rows and near-singular matrices (``sample_raw``, ``STYLES``);
``boundary_pairs`` gives instances on the boundary of the assumption set next to a neighbour 10^-k
inside it.  Every instance is still checked exactly against every assumption (``satisfies``); one
that fails is skipped, never used.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..language.shapes import dim_value
from ..linalg import rank as _rank
from ..linalg import rational_to_json
from .model import SYMMETRIC_ASSUMPTIONS, Claim, Var

Rows = list[list[Fraction]]
_0, _1 = Fraction(0), Fraction(1)


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


# --- exact matrix helpers (python-flint fmpq_mat) --------------------------------------------
def _fq(rows: Rows):
    import flint

    return flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in r] for r in rows])


def _back(m) -> Rows:
    return [[Fraction(int(m[i, j].p), int(m[i, j].q)) for j in range(m.ncols())] for i in range(m.nrows())]


def _mul(a: Rows, b: Rows) -> Rows:
    if not a or not b:
        return a
    return _back(_fq(a) * _fq(b))


def _inv(a: Rows) -> Rows:
    return _back(_fq(a).inv())


def _T(a: Rows) -> Rows:
    return [list(r) for r in zip(*a)] if a else a


def _eye(n: int) -> Rows:
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def _diag(d: Sequence[Fraction]) -> Rows:
    return [[d[i] if i == j else _0 for j in range(len(d))] for i in range(len(d))]


def _mat(raw: Sequence[Fraction], r: int, c: int) -> Rows:
    return [[Fraction(raw[i * c + j]) for j in range(c)] for i in range(r)]


def is_psd(rows: Rows) -> bool:
    """Exact test of positive semidefiniteness of a symmetric rational matrix: symmetric Gaussian
    elimination; a negative pivot, or a zero pivot with a nonzero rest of its row, means not psd."""
    a = [list(r) for r in rows]
    n = len(a)
    for k in range(n):
        p = a[k][k]
        if p < 0:
            return False
        if p == 0:
            if any(a[k][j] != 0 for j in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            f = a[i][k] / p
            if f:
                for j in range(k + 1, n):
                    a[i][j] -= f * a[k][j]
    return True


def _cayley(raw: Sequence[Fraction], n: int) -> Rows:
    """(I - K)(I + K)⁻¹ for the skew K whose upper triangle (row by row) is ``raw``: orthogonal."""
    K = [[_0] * n for _ in range(n)]
    t = 0
    for i in range(n):
        for j in range(i + 1, n):
            K[i][j], K[j][i] = raw[t], -raw[t]
            t += 1
    if t == 0 or not any(raw[:t]):
        return _eye(n)
    return _mul([[_1 * (i == j) - K[i][j] for j in range(n)] for i in range(n)],
                _inv([[_1 * (i == j) + K[i][j] for j in range(n)] for i in range(n)]))


def _invertible(m: Rows) -> Rows:
    """m + t I for the smallest integer t >= 0 that gives full rank (a shift changes few instances)."""
    r, c = len(m), len(m[0])
    full, t, base = min(r, c), 0, m
    while _rank(m) < full:
        t += 1
        m = [[base[i][j] + (t if i == j else 0) for j in range(c)] for i in range(r)]
    return m


def _signed(raw: list[Fraction], a: frozenset[str]) -> list[Fraction]:
    if a & {"nonnegative", "positive"}:
        raw = [abs(x) for x in raw]
    if "positive" in a:
        raw = [x if x > 0 else Fraction(1, 10) for x in raw]
    return raw


def _skew_count(n: int) -> int:
    return n * (n - 1) // 2


# --- kinds: raw blocks -> structured value ---------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """One parametrisation: ``blocks(r, c)`` names the raw blocks and their sizes, ``build`` maps
    the concatenated raw list to an r x c value; ``slot`` is the raw index that moves the value
    to the boundary of its set (used by ``boundary_pairs``)."""

    name: str
    blocks: Callable[[int, int], list[tuple[str, int]]]
    build: Callable[[list[Fraction], int, int, frozenset[str]], Rows]
    slot: Callable[[int, int], int] = lambda r, c: 0


def _build_scalar(raw, r, c, a):
    v = _signed(raw, a)[0]
    if "nonzero" in a and v == 0:
        v = _1
    return [[v]]


def _eigen_map(x: Fraction, a: frozenset[str]) -> Fraction:
    if "projector" in a:
        return _1 if x > 0 else _0
    if a & {"psd", "pd"}:
        return abs(x) or (_1 if "pd" in a else _0)
    if a & {"nsd", "nd"}:
        return -abs(x) or (-_1 if "nd" in a else _0)
    return x


def _fix_spectrum(lam: list[Fraction], a: frozenset[str]) -> list[Fraction]:
    one = -_1 if a & {"nsd", "nd"} else _1
    if a & {"invertible", "full_rank"}:
        lam = [v or one for v in lam]
    if "rank_deficient" in a:
        lam = lam[:-1] + [_0]
    if "nonzero" in a and not any(lam):
        lam = [one] + lam[1:]
    return lam


def _build_spectral(raw, r, c, a):
    k = _skew_count(r)
    q = _cayley(raw[:k], r)
    lam = _fix_spectrum([_eigen_map(x, a) for x in raw[k:k + r]], a)
    return _mul(_mul(q, _diag(lam)), _T(q))


def _build_gram(raw, r, c, a):
    m = _mat(_signed(raw[: r * r], a), r, r)
    g = _mul(m, _T(m))
    shift = abs(raw[r * r])
    g = [[g[i][j] + (shift if i == j else 0) for j in range(r)] for i in range(r)]
    if a & {"pd", "invertible", "full_rank"} and _rank(g) < r:
        g = [[g[i][j] + (1 if i == j else 0) for j in range(r)] for i in range(r)]
    return g


def _build_orthogonal(raw, r, c, a):
    k = _skew_count(r)
    q = _cayley(raw[:k], r)
    return [[(-1 if raw[k + i] < 0 else 1) * q[i][j] for j in range(r)] for i in range(r)]


def _build_idempotent(raw, r, c, a):
    d = [_1 if x > 0 else _0 for x in raw[r * r: r * r + r]]
    if "rank_deficient" in a:
        d = d[:-1] + [_0]
    if "nonzero" in a and not any(d):
        d = [_1] + d[1:]
    if a & {"nonnegative", "positive"}:
        if "positive" in a:             # rank one u vᵀ / (vᵀ u) with u, v > 0
            u = _signed(raw[:r], a)
            v = u if "projector" in a else _signed(raw[r: 2 * r], a)
            s = sum(x * y for x, y in zip(u, v))
            return [[u[i] * v[j] / s for j in range(r)] for i in range(r)]
        return _diag(d)
    s = _invertible(_mat(raw[: r * r], r, r))
    return _mul(_mul(s, _diag(d)), _inv(s))


def _build_nilpotent(raw, r, c, a):
    u = [[_0] * r for _ in range(r)]
    t = r * r
    for i in range(r):
        for j in range(i + 1, r):
            u[i][j] = raw[t]
            t += 1
    if "nonzero" in a and not any(map(any, u)) and r > 1:
        u[0][1] = _1
    if a & {"nonnegative", "positive"}:       # S = I keeps the signs
        return [[abs(v) for v in row] for row in u]
    s = _invertible(_mat(raw[: r * r], r, r))
    return _mul(_mul(s, u), _inv(s))


def _build_lowrank(raw, r, c, a):
    k = min(r, c) - 1
    if k == 0:
        return [[_0] * c for _ in range(r)]
    raw = _signed(raw, a)
    return _mul(_mat(raw[: r * k], r, k), _mat(raw[r * k:], k, c))


def _build_free(raw, r, c, a):
    m = _mat(_signed(raw, a), r, c)
    if "symmetric" in a:
        m = [[(m[i][j] + m[j][i]) / 2 for j in range(r)] for i in range(r)]
    if a & {"invertible", "full_rank"}:
        m = _invertible(m)
    if "nonzero" in a and not any(map(any, m)):
        m[0][0] = _1
    return m



# --- structural kinds (diagonal, triangular, skew, permutation, involutory, toeplitz, circulant,
# stochastic) -----------------------------------------------------------------------------------
def _sign(x: Fraction) -> Fraction:
    return -_1 if x < 0 else _1


def _build_diagonal(raw, r, c, a):
    """diag(λ) with the spectral maps (psd |x|, projector/idempotent 0/1, orthogonal/involutory ±1);
    c·I when also Toeplitz or circulant."""
    if a & {"orthogonal", "involutory"}:
        lam = [_sign(x) for x in raw[:r]]
    elif "idempotent" in a:
        lam = _fix_spectrum([_1 if x > 0 else _0 for x in raw[:r]], a - {"invertible", "full_rank"})
    else:
        lam = _fix_spectrum([_eigen_map(x, a) for x in _signed(raw[:r], a)], a)
    if a & {"toeplitz", "circulant"}:
        v = _0 if "rank_deficient" in a else lam[0]
        if v == 0 and a & {"invertible", "full_rank", "nonzero"}:
            v = _1
        lam = [v] * r
    return _diag(lam)


def _build_triangular(raw, r, c, a):
    """Diagonal from the spectrum block (zero when nilpotent), the strict upper triangle from the
    ``upper`` block; transposed for lower_triangular."""
    lam = [_0] * r if "nilpotent" in a else _fix_spectrum(_signed(raw[:r], a), a)
    up = _signed(raw[r:], a)
    m = _diag(lam)
    t = 0
    for i in range(r):
        for j in range(i + 1, r):
            m[i][j] = up[t]
            t += 1
    if "nonzero" in a and not any(map(any, m)):
        m[0][-1] = _1
    return _T(m) if "lower_triangular" in a else m


def _build_skew(raw, r, c, a):
    """Q blockdiag([[0, b_k], [-b_k, 0]], 0) Qᵀ with a Cayley Q (eigenvalues ±i b_k and 0 for odd n);
    orthogonal: b_k = ±1."""
    k = _skew_count(r)
    q = _cayley(raw[:k], r)
    b = list(raw[k:k + r // 2])
    if "orthogonal" in a:
        b = [_sign(x) for x in b]
    if a & {"invertible", "full_rank"}:
        b = [x or _1 for x in b]
    if "rank_deficient" in a and r % 2 == 0 and b:
        b[-1] = _0
    if "nonzero" in a and b and not any(b):
        b[0] = _1
    m = [[_0] * r for _ in range(r)]
    for t, x in enumerate(b):
        m[2 * t][2 * t + 1], m[2 * t + 1][2 * t] = x, -x
    return _mul(_mul(q, m), _T(q))


def _order(raw: Sequence[Fraction]) -> list[int]:
    return sorted(range(len(raw)), key=lambda i: (raw[i], i))


def _build_permutation(raw, r, c, a):
    """The permutation that sorts the raw values (ties by position: all equal gives I); an involution
    (pairs of consecutive sorted positions swapped where the first raw value is negative) when
    symmetric or involutory; a power of the cyclic shift when circulant."""
    if "circulant" in a:
        s = sum(1 for x in raw[:r] if x < 0) % r
        return [[_1 if j == (i + s) % r else _0 for j in range(r)] for i in range(r)]
    order = _order(raw[:r])
    if a & {"symmetric", "involutory"}:
        p = list(range(r))
        for t in range(0, r - 1, 2):
            i, j = order[t], order[t + 1]
            if raw[i] < 0:
                p[i], p[j] = j, i
        order = p
    return [[_1 if j == order[i] else _0 for j in range(r)] for i in range(r)]


def _build_involutory(raw, r, c, a):
    """S diag(±1) S⁻¹ (S invertible), or Q diag(±1) Qᵀ with a Cayley Q when symmetric or orthogonal."""
    d = [_sign(x) for x in raw[r * r: r * r + r]] if not a & {"symmetric", "orthogonal"} else None
    if d is None:
        k = _skew_count(r)
        q = _cayley(raw[:k], r)
        return _mul(_mul(q, _diag([_sign(x) for x in raw[k:k + r]])), _T(q))
    s = _invertible(_mat(raw[: r * r], r, r))
    return _mul(_mul(s, _diag(d)), _inv(s))


def _toeplitz(t: Sequence[Fraction], r: int, c: int) -> Rows:
    """T_ij = t[(i - j) + (c - 1)]: the first row reversed, then the first column."""
    return [[t[i - j + c - 1] for j in range(c)] for i in range(r)]


def _build_toeplitz(raw, r, c, a):
    """T_ij = t_(i-j); symmetric t_(-k) = t_k, skew t_(-k) = -t_k; rank_deficient: a sum of
    min(r, c) - 1 geometric terms c_m ρ_m^(i-j) (ρ = ±1 when symmetric)."""
    t = _signed(list(raw[: r + c - 1]), a)
    mode = raw[r + c - 1] if len(raw) > r + c - 1 else _1
    plain_only = {"invertible", "full_rank", "skew_symmetric", "positive"}
    if "rank_deficient" in a or (mode < 0 and not a & plain_only):
        k = min(r, c) - 1 if "rank_deficient" in a else min(int(-mode), min(r, c))
        m = [[_0] * c for _ in range(r)]
        for s in range(k):
            coef = t[2 * s] if 2 * s < len(t) else _1
            if "symmetric" in a:
                rho = _1 if s % 2 == 0 else -_1
            else:
                rho = t[2 * s + 1] if 2 * s + 1 < len(t) else _1
            rho = rho or _1
            if a & {"nonnegative", "positive"}:
                rho = abs(rho)
            for i in range(r):
                for j in range(c):
                    m[i][j] += coef * rho ** (i - j)
        return m
    mid = c - 1
    if "symmetric" in a:
        for k in range(1, min(r, c)):
            t[mid - k] = t[mid + k]
    if "skew_symmetric" in a:
        t[mid] = _0
        for k in range(1, min(r, c)):
            t[mid - k] = -t[mid + k]
    m = _toeplitz(t, r, c)
    if a & {"invertible", "full_rank"} and "skew_symmetric" not in a:
        m = _invertible(m)
    if "nonzero" in a and not any(map(any, m)):
        m = _toeplitz([_1] * (r + c - 1), r, c)
    return m


def _circulant(v: Sequence[Fraction], n: int) -> Rows:
    return [[v[(j - i) % n] for j in range(n)] for i in range(n)]


def _build_circulant(raw, r, c, a):
    """C_ij = c_((j-i) mod n); symmetric c_k = c_(n-k), skew c_k = -c_(n-k); stochastic: nonnegative
    summing to 1; rank_deficient: row sums 0 (c·11ᵀ when nonnegative)."""
    n = r
    v = _signed(list(raw[:n]), a | ({"nonnegative"} if "stochastic" in a else set()))
    mode = raw[n] if len(raw) > n else _1
    if mode < 0 and not a & {"invertible", "full_rank", "positive"}:
        a = a | {"rank_deficient"}              # the structured draws: row sums 0, or c·11ᵀ
    if "symmetric" in a:
        v = [v[min(k, (n - k) % n)] for k in range(n)]
    if "skew_symmetric" in a:
        v = [_0 if k == 0 or 2 * k == n else (v[k] if k < n - k else -v[n - k]) for k in range(n)]
    if "rank_deficient" in a:
        if a & {"nonnegative", "positive", "stochastic"}:
            v = [v[0] or _1] * n
        elif "skew_symmetric" not in a:
            v[0] = -sum(v[1:], _0)
    if "stochastic" in a:
        s = sum(v, _0)
        v = [x / s for x in v] if s else [_1] + [_0] * (n - 1)
    m = _circulant(v, n)
    if a & {"invertible", "full_rank"} and "skew_symmetric" not in a:
        if "stochastic" in a:
            t = 0
            while _rank(m) < n:
                t += 1
                m = [[(m[i][j] + (t if i == j else 0)) / (1 + t) for j in range(n)] for i in range(n)]
        else:
            m = _invertible(m)
    if "nonzero" in a and not any(map(any, m)):
        m = _eye(n)
    return m


def _normalise_rows(m: Rows) -> Rows:
    c = len(m[0])
    out = []
    for i, row in enumerate(m):
        s = sum(row, _0)
        out.append([x / s for x in row] if s else [_1 if j == i % c else _0 for j in range(c)])
    return out


def _build_stochastic(raw, r, c, a):
    """Row-stochastic (nonnegative, rows sum to 1): nonnegative entries with each row normalised (a
    zero row becomes a unit row); symmetric: a nonnegative symmetric B scaled to row sums <= 1 plus
    the diagonal that completes them; idempotent: 1 πᵀ (rank one; I when all raw values are 0);
    rank_deficient: rows mixing min(r, c) - 1 distributions; invertible/full_rank: (M + tE)/(1 + t)."""
    a = a | {"nonnegative"}
    m = _mat(_signed(list(raw[: r * c]), a), r, c)
    if "idempotent" in a:
        pi = m[0]
        if not any(pi):
            return _eye(r)
        s = sum(pi, _0)
        return [[x / s for x in pi] for _ in range(r)]
    if "symmetric" in a:
        b = [[(m[i][j] + m[j][i]) / 2 for j in range(r)] for i in range(r)]
        top = max(sum(row, _0) for row in b)
        if top:
            b = [[x / top for x in row] for row in b]
        for i in range(r):
            b[i][i] += 1 - sum(b[i], _0)
        m = b
    elif "rank_deficient" in a:
        k = min(r, c) - 1
        if k == 0:
            return _normalise_rows(m)          # no stochastic matrix of this shape is rank deficient
        basis = _normalise_rows(m[:k] if k <= r else m)
        w = _normalise_rows([[abs(raw[(i * k + j) % len(raw)]) for j in range(k)] for i in range(r)])
        m = _mul(w, basis)
    else:
        m = _normalise_rows(m)
    if a & {"invertible", "full_rank"}:
        e = [[_1 if j == i % c else _0 for j in range(c)] for i in range(r)]
        base, t = m, 0
        while _rank(m) < min(r, c):
            t += 1
            m = [[(base[i][j] + t * e[i][j]) / (1 + t) for j in range(c)] for i in range(r)]
    return m

KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("scalar", lambda r, c: [("entries", 1)], _build_scalar),
    Kind("spectral", lambda r, c: [("rotation", _skew_count(r)), ("spectrum", r)], _build_spectral,
         lambda r, c: _skew_count(r)),
    Kind("projector", lambda r, c: [("rotation", _skew_count(r)), ("select", r)], _build_spectral,
         lambda r, c: _skew_count(r)),
    Kind("gram", lambda r, c: [("entries", r * r), ("shift", 1)], _build_gram, lambda r, c: r * r),
    Kind("orthogonal", lambda r, c: [("rotation", _skew_count(r)), ("signs", r)], _build_orthogonal),
    Kind("idempotent", lambda r, c: [("basis", r * r), ("select", r)], _build_idempotent, lambda r, c: r * r),
    Kind("nilpotent", lambda r, c: [("basis", r * r), ("upper", _skew_count(r))], _build_nilpotent,
         lambda r, c: r * r),
    Kind("lowrank", lambda r, c: [("factor", r * (min(r, c) - 1)), ("factor", (min(r, c) - 1) * c)],
         _build_lowrank),
    Kind("free", lambda r, c: [("entries", r * c)], _build_free),
    Kind("diagonal", lambda r, c: [("spectrum", r)], _build_diagonal),
    Kind("triangular", lambda r, c: [("spectrum", r), ("upper", _skew_count(r))], _build_triangular),
    Kind("skew", lambda r, c: [("rotation", _skew_count(r)), ("spectrum", r // 2)], _build_skew,
         lambda r, c: _skew_count(r)),
    Kind("permutation", lambda r, c: [("perm", r)], _build_permutation),
    Kind("involutory", lambda r, c: [("basis", r * r), ("signs", r)], _build_involutory),
    Kind("reflection", lambda r, c: [("rotation", _skew_count(r)), ("signs", r)], _build_involutory),
    Kind("toeplitz", lambda r, c: [("entries", r + c - 1), ("mode", 1)], _build_toeplitz),
    Kind("circulant", lambda r, c: [("entries", r), ("mode", 1)], _build_circulant),
    Kind("stochastic", lambda r, c: [("entries", r * c)], _build_stochastic),
]}


def _structural_kind(a: set[str]) -> str | None:
    if "permutation" in a:
        return "permutation"
    if "diagonal" in a:
        return "diagonal"
    if "involutory" in a:
        return "reflection" if a & {"symmetric", "orthogonal"} else "involutory"
    if "skew_symmetric" in a and not a & {"toeplitz", "circulant"}:
        return "skew"
    for k in ("circulant", "toeplitz", "stochastic"):
        if k in a:
            return k
    if a & {"upper_triangular", "lower_triangular"}:
        return "triangular"
    return None


def kind_of(var: Var) -> Kind:
    """The parametrisation used for ``var``'s assumption set (its sampling assumptions included)."""
    a = set(var.assume) | set(var.sample_assume)
    signed = bool(a & {"nonnegative", "positive"})
    if var.is_scalar:
        return KINDS["scalar"]
    structural = _structural_kind(a)
    if structural:
        return KINDS[structural]
    if "orthogonal" in a:
        return KINDS["orthogonal"]
    if "nilpotent" in a:
        return KINDS["nilpotent"]
    if "projector" in a or ("idempotent" in a and "symmetric" in a):
        return KINDS["idempotent"] if signed else KINDS["projector"]
    if "idempotent" in a:
        return KINDS["idempotent"]
    if a & {"psd", "pd"} and signed:
        return KINDS["gram"]
    if a & SYMMETRIC_ASSUMPTIONS and not signed:
        return KINDS["spectral"]
    if "rank_deficient" in a:
        return KINDS["lowrank"]
    return KINDS["free"]


def _assumptions(var: Var) -> frozenset[str]:
    a = frozenset(var.assume) | frozenset(var.sample_assume)
    return a | {"projector"} if "idempotent" in a and "symmetric" in a else a


def n_params(var: Var, shape: tuple[int, int]) -> int:
    """Number of raw parameters ``build_value`` takes for ``var`` at ``shape``."""
    return sum(n for _, n in kind_of(var).blocks(*shape))


def build_value(var: Var, shape: tuple[int, int], raw: Sequence[Fraction]) -> Rows:
    """Map raw parameters to a matrix that has ``var``'s structure (see module docstring)."""
    r, c = shape
    raw = [Fraction(x) for x in raw]
    return kind_of(var).build(raw, r, c, _assumptions(var))


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
    if a & SYMMETRIC_ASSUMPTIONS and any(rows[i][j] != rows[j][i] for i in range(r) for j in range(i)):
        return False
    rank = _rank(rows) if a & {"invertible", "full_rank", "rank_deficient", "pd", "nd"} else None
    if a & {"invertible", "full_rank", "pd", "nd"} and rank != min(r, c):
        return False
    if "rank_deficient" in a and rank == min(r, c):
        return False
    if a & {"psd", "pd"} and not is_psd(rows):
        return False
    if a & {"nsd", "nd"} and not is_psd([[-v for v in row] for row in rows]):
        return False
    if "orthogonal" in a and _mul(_T(rows), rows) != _eye(r):
        return False
    if a & {"projector", "idempotent"} and _mul(rows, rows) != rows:
        return False
    if "nilpotent" in a and any(map(any, _back(_fq(rows) ** r))):
        return False
    return _structure_holds(a, rows)


def _structure_holds(a: set[str], m: Rows) -> bool:
    """Exact check of the structural assumptions (diagonal ... involutory) on a rational matrix."""
    r, c = len(m), len(m[0])
    cells = [(i, j) for i in range(r) for j in range(c)]
    if "diagonal" in a and any(m[i][j] for i, j in cells if i != j):
        return False
    if "upper_triangular" in a and any(m[i][j] for i, j in cells if i > j):
        return False
    if "lower_triangular" in a and any(m[i][j] for i, j in cells if i < j):
        return False
    if "skew_symmetric" in a and any(m[i][j] != -m[j][i] for i, j in cells):
        return False
    if "toeplitz" in a and any(m[i][j] != m[i - 1][j - 1] for i, j in cells if i and j):
        return False
    if "circulant" in a and any(m[i][j] != m[0][(j - i) % r] for i, j in cells):
        return False
    if "stochastic" in a and (any(v < 0 for row in m for v in row) or any(sum(row) != 1 for row in m)):
        return False
    if "permutation" in a and not (
        all(v in (0, 1) for row in m for v in row)
        and all(sum(row) == 1 for row in m)
        and all(sum(m[i][j] for i in range(r)) == 1 for j in range(c))
    ):
        return False
    return not ("involutory" in a and _mul(m, m) != _eye(r))


# --- samplers: raw blocks that reach the whole assumption set --------------------------------
GENERIC = ("int", "decimal", "fraction", "tiny", "huge", "ill", "zero", "equal", "lowrank", "wide")
STRUCTURED = ("spread", "rank", "repeated", "near_singular", "zero_cols", "repeated_rows", "jordan")
STYLES = ("int", "decimal", "decimal", "fraction", "tiny", "huge", "ill", "zero", "equal", "lowrank",
          "wide", "spread", "spread", "rank", "rank", "repeated", "near_singular", "zero_cols",
          "repeated_rows", "jordan")


def _pow10(e: int) -> Fraction:
    return Fraction(10) ** e


def random_raw(rng: random.Random, n: int, style: str) -> list[Fraction]:
    """``n`` raw numbers of one generic value style (structured styles fall back to decimals)."""
    if style == "zero":
        return [_0] * n
    if style == "equal":
        v = Fraction(rng.randint(-30, 30), 10)
        return [v] * n
    if style == "int":
        return [Fraction(rng.randint(-3, 3)) for _ in range(n)]
    if style == "fraction":
        return [Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(n)]
    if style == "wide":                 # log-uniform magnitudes 10^-40 .. 10^20, both signs
        return [rng.choice((-1, 1)) * Fraction(rng.randint(1, 99), 10) * _pow10(rng.randint(-40, 20))
                for _ in range(n)]
    dec = [Fraction(rng.randint(-300, 300), 100) for _ in range(n)]
    if style == "tiny":
        return [v / 10**6 for v in dec]
    if style == "huge":
        return [v * 10**6 for v in dec]
    if style == "ill":
        return [v * _pow10(rng.randint(-6, 6)) for v in dec]
    if style == "lowrank" and n > 1:
        base = dec[0] if dec[0] != 0 else _1
        return [base * rng.randint(-2, 2) for _ in range(n)]
    return dec


def _nonzero_decimals(rng: random.Random, n: int) -> list[Fraction]:
    return [Fraction(rng.choice((-1, 1)) * rng.randint(10, 300), 100) for _ in range(n)]


def _spectrum(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    """Eigenvalue parameters (before the kind's sign map)."""
    if style == "spread":               # one decade per eigenvalue, down to 10^-40 or up to 10^20
        lo = rng.randint(-40, -5)
        hi = rng.randint(0, 20)
        return [rng.choice((-1, 1)) * _pow10(rng.randint(lo, hi)) * Fraction(rng.randint(1, 9))
                for _ in range(n)]
    if style == "rank":                 # exactly k zero eigenvalues, k uniform in 0..n
        k = rng.randint(0, n)
        vals = [_0] * k + _nonzero_decimals(rng, n - k)
        rng.shuffle(vals)
        return vals
    if style == "equal":                # c·I with c > 0 (c < 0 comes from "repeated")
        return [abs(_nonzero_decimals(rng, 1)[0])] * n
    if style == "repeated":             # c·I, or two distinct values repeated
        v = _nonzero_decimals(rng, 2)
        return [v[0]] * n if rng.random() < 0.5 else [v[i % 2] for i in range(n)]
    if style == "near_singular":        # one eigenvalue 10^-k, k up to 40, the rest of order 1
        vals = _nonzero_decimals(rng, n)
        vals[rng.randrange(n)] = rng.choice((-1, 1)) * _pow10(-rng.randint(8, 40))
        return vals
    return random_raw(rng, n, style)


def _rotation(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    if style in ("zero", "equal", "repeated") or rng.random() < 0.25:
        return [_0] * n                 # Q = I: a diagonal matrix
    return random_raw(rng, n, style if style in ("int", "fraction") else "decimal")


def _select(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    k = 0 if style == "zero" else n if style == "equal" else rng.randint(0, n)   # rank k, uniform
    vals = [_1] * k + [-_1] * (n - k)
    rng.shuffle(vals)
    return vals


def _upper(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    if style == "jordan" or rng.random() < 0.3:
        # ones on the superdiagonal (one Jordan block of size r), zeros elsewhere
        sup = {sum(r - 1 - t for t in range(i)) for i in range(r - 1)}
        return [_1 if t in sup else _0 for t in range(n)]
    vals = random_raw(rng, n, style if style in GENERIC else "int")
    return [v if rng.random() < 0.7 else _0 for v in vals]


def _basis(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    if rng.random() < 0.25:
        return [Fraction(int(i == j)) for i in range(r) for j in range(r)]
    return random_raw(rng, n, style if style in ("int", "fraction", "decimal") else "int")


def _entries(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    """Unstructured entries, or a structured r x c pattern (zero columns, repeated rows, near-singular)."""
    if n != r * c or style not in STRUCTURED:
        return random_raw(rng, n, style if style in GENERIC else "decimal")
    m = _mat(random_raw(rng, n, "decimal"), r, c)
    if style in ("zero_cols", "rank"):
        for j in rng.sample(range(c), rng.randint(1, c)):
            for i in range(r):
                m[i][j] = _0
    elif style in ("repeated_rows", "repeated"):
        src = rng.randrange(r)
        for i in rng.sample(range(r), rng.randint(1, r)):
            m[i] = list(m[src])
    elif style in ("near_singular", "spread") and min(r, c) > 1:
        u = random_raw(rng, r, "decimal")       # rank one plus 10^-k on a diagonal entry
        v = random_raw(rng, c, "decimal")
        m = [[u[i] * v[j] for j in range(c)] for i in range(r)]
        t = rng.randrange(min(r, c))
        m[t][t] += _pow10(-rng.randint(8, 40))
    return [v for row in m for v in row]


def _factor(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    vals = random_raw(rng, n, style if style in GENERIC else "decimal")
    if style in ("rank", "zero_cols"):          # lower the rank further: zero a random subset
        vals = [v if rng.random() < 0.5 else _0 for v in vals]
    return vals


def _shift(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    if style in ("spread", "near_singular", "wide"):
        return [_pow10(-rng.randint(0, 40))]
    if style in ("rank", "zero", "zero_cols"):
        return [_0]
    return random_raw(rng, n, style if style in GENERIC else "decimal")


def _signs(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    return [Fraction(rng.choice((-1, 1))) for _ in range(n)]


def _perm(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    """Raw values whose sorting order is the permutation: all equal (I) for zero/equal, else distinct
    values with random signs (the signs pick the swapped pairs of an involution)."""
    if style in ("zero", "equal"):
        return [_0] * n
    vals = [Fraction(rng.choice((-1, 1)) * (k + 1)) for k in range(n)]
    rng.shuffle(vals)
    return vals


def _mode(rng: random.Random, n: int, r: int, c: int, style: str) -> list[Fraction]:
    """Toeplitz and circulant draws: 1 for plain entries, -k for a structured singular draw (a sum
    of k geometric Toeplitz terms, k uniform in 0..min(r, c) - 1; a circulant with row sums 0)."""
    if style in ("rank", "zero_cols", "near_singular", "lowrank") or rng.random() < 0.1:
        return [Fraction(-rng.randint(0, max(min(r, c) - 1, 0)))]
    return [_1]


BLOCK_SAMPLERS: dict[str, Callable[[random.Random, int, int, int, str], list[Fraction]]] = {
    "spectrum": _spectrum, "rotation": _rotation, "select": _select, "upper": _upper, "basis": _basis,
    "entries": _entries, "factor": _factor, "shift": _shift, "signs": _signs, "perm": _perm,
    "mode": _mode,
}


def sample_raw(var: Var, shape: tuple[int, int], rng: random.Random, style: str) -> list[Fraction]:
    """Raw parameters for ``var`` at ``shape`` in one of ``STYLES`` (see the block samplers)."""
    r, c = shape
    out: list[Fraction] = []
    for block, n in kind_of(var).blocks(r, c):
        out += BLOCK_SAMPLERS[block](rng, n, r, c, style) if n else []
    return out


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
    """Every variable built from its raw parameters, then the claim's matrix premises made to hold
    by construction where they are recognised (``verify.claims.construct``)."""
    from .construct import enforce, share_rotations

    if claim.premises:
        raw = {k: list(v) for k, v in raw.items()}
        share_rotations(claim, raw, dims)  # type: ignore[arg-type]
    values = {}
    for name, var in claim.vars.items():
        shape = shape_of(var, dims)
        values[name] = build_value(var, shape, raw[name])
    if claim.premises:
        values = enforce(claim, dims, values, raw)
    return Instance(dict(dims), values)


def _share_rotations(claim: Claim, dims: dict[str, int], raw: dict[str, list[Fraction]]) -> None:
    """Give every spectral variable of the same size the rotation of the first: they commute."""
    first: dict[int, list[Fraction]] = {}
    for name, var in claim.vars.items():
        if var.is_scalar or kind_of(var).name != "spectral":
            continue
        n = shape_of(var, dims)[0]
        k = _skew_count(n)
        if n in first:
            raw[name][:k] = first[n]
        else:
            first[n] = raw[name][:k]


# the first instances: plain decimals at both ends of the dims, then the degenerate corners every
# small sample should contain (c·I and repeated values, exact rank drops, spread spectra)
# degenerate styles alternate between the variables (even positions at the first occurrence, odd at
# the second), so that one variable sits at its boundary while the others stay generic
SCHEDULE = ("decimal", "decimal", "rank", "rank", "equal", "wide", "spread", "near_singular", "zero_cols")


def random_instance(claim: Claim, rng: random.Random, index: int) -> Instance:
    """Instance ``index``: ``SCHEDULE[index]`` (rank drops alternate between the variables), then a
    random style of ``STYLES`` per instance (each variable keeps it with probability 0.8); about one
    in six makes same-size symmetric variables commute (shared eigenvectors)."""
    dims = sample_dims(claim, rng, index)
    scheduled = index < len(SCHEDULE)
    style = SCHEDULE[index] if scheduled else rng.choice(STYLES)
    parity = SCHEDULE[:index].count(style) % 2 if scheduled else 0
    raw = {}
    for pos, (name, var) in enumerate(claim.vars.items()):
        if scheduled:
            alternate = style in ("rank", "zero_cols") and len(claim.vars) > 1
            st = style if not alternate or pos % 2 == parity else "decimal"
        else:
            st = style if rng.random() < 0.8 else rng.choice(STYLES)
        raw[name] = sample_raw(var, shape_of(var, dims), rng, st)
    if index >= 2 and rng.random() < 1 / 6:
        _share_rotations(claim, dims, raw)
    return make_instance(claim, dims, raw)


def instance_valid(claim: Claim, inst: Instance) -> bool:
    return all(satisfies(var, inst.values[name]) for name, var in claim.vars.items())


# --- boundary pairs and commuting groups -----------------------------------------------------
def boundary_pairs(claim: Claim, rng: random.Random, count: int) -> list[tuple[Instance, Instance]]:
    """Up to ``count`` pairs (on, near) of valid instances with the same dims and raw parameters
    except one boundary coordinate of every variable: 0 in ``on`` (for sets that contain their
    boundary: a zero eigenvalue, a singular matrix, rank one lower, a zero scalar) or 10^-60 (open
    sets: pd, nd, invertible, positive), and 10^-k (k in 8..40) in ``near``."""
    out = []
    for index in range(4 * count):
        if len(out) >= count:
            break
        dims = sample_dims(claim, rng, index)
        eps = _pow10(-rng.randint(8, 40))
        on: dict[str, list[Fraction]] = {}
        near: dict[str, list[Fraction]] = {}
        for name, var in claim.vars.items():
            shape = shape_of(var, dims)
            kind = kind_of(var)
            style = "near_singular" if kind.name == "free" else "decimal"
            raw = sample_raw(var, shape, rng, style)
            a = set(var.assume)
            if var.is_scalar and not a:
                on[name], near[name] = raw, list(raw)       # an unconstrained scalar has no boundary
                continue
            if kind.name == "free" and not var.is_scalar and min(shape) > 1:
                # rank-one base: the slot is the (0, 0) entry of a singular matrix
                base = _mat(raw, *shape)
                base[0][0] = _0
                u = [row[0] for row in base]
                base = [[u[i] * (j + 1) for j in range(shape[1])] for i in range(shape[0])]
                raw = [v for row in base for v in row]
            slot = kind.slot(*shape)
            if slot >= len(raw):
                on[name], near[name] = raw, list(raw)
                continue
            open_set = bool(a & {"pd", "nd", "invertible", "full_rank", "positive"})
            lo = _pow10(-60) if open_set else _0
            on[name] = raw[:slot] + [lo] + raw[slot + 1:]
            near[name] = raw[:slot] + [eps] + raw[slot + 1:]
        try:
            pair = make_instance(claim, dims, on), make_instance(claim, dims, near)
        except (ZeroDivisionError, ValueError):
            continue
        if instance_valid(claim, pair[0]) and instance_valid(claim, pair[1]):
            out.append(pair)
    return out


def commuting_group(rng: random.Random, n: int, count: int, kind: str = "symmetric") -> list[Rows]:
    """``count`` pairwise commuting n x n rational matrices.

    ``symmetric``: Q diag(λ_i) Qᵀ with one Cayley Q (simultaneously diagonalisable, spectra from
    the wide samplers); ``polynomial``: c0 I + c1 A + c2 A² for one free A (not symmetric in general).
    """
    if kind == "symmetric":
        q = _cayley(_rotation(rng, _skew_count(n), n, n, "decimal"), n)
        return [
            _mul(_mul(q, _diag(_spectrum(rng, n, n, n, rng.choice(STYLES)))), _T(q)) for _ in range(count)
        ]
    if kind == "polynomial":
        a = _mat(random_raw(rng, n * n, "int"), n, n)
        a2 = _mul(a, a)
        out = []
        for _ in range(count):
            c0, c1, c2 = random_raw(rng, 3, "fraction")
            out.append([[c0 * (i == j) + c1 * a[i][j] + c2 * a2[i][j] for j in range(n)] for i in range(n)])
        return out
    raise ValueError(f"unknown commuting kind {kind!r} (symmetric, polynomial)")


# --- special points of the scalar assumption sets ---------------------------------------------
# decades at which every scalar with a boundary at 0 is tried in turn: a claim that is tight at 0 and
# false only within 10^-k of it (a perturbation of 10^-60) is exposed at the next decade, where the
# gap is about 10^-(k + 65) and exact or ball arithmetic decides it
SPECIAL_DECADES = (8, 20, 35, 50, 65, 80)


def special_instances(claim: Claim, rng: random.Random) -> list[Instance]:
    """Instances at special points, all values plain decimals unless said otherwise: with two or
    more ranged dims, the two mixed corners of the dims (tall and wide shapes); then the exact
    special points of the scalar variables' sets: every scalar at 0 (where its set contains 0),
    every scalar at 1, unconstrained scalars at -1, then for each decade k of ``SPECIAL_DECADES``
    one scalar (in turn) at 10^-k (-10^-k for unconstrained scalars on odd turns), the others at 1.
    A value outside a scalar's set (0 or -1 for a positive scalar) is replaced by 1; duplicate and
    invalid points are left out; a claim without scalar variables gets none."""
    out: list[Instance] = []
    ranged = [n for n, spec in claim.dims.items() if not isinstance(spec, int)]
    if len(ranged) >= 2:
        # the mixed corners of the dims (lo/hi alternating, then hi/lo): tall and wide shapes
        for flip in (0, 1):
            dims = sample_dims(claim, rng, 0)
            for i, n in enumerate(ranged):
                dims[n] = claim.dims[n][(i + flip) % 2]
            try:
                raw = {n: sample_raw(v, shape_of(v, dims), rng, "decimal") for n, v in claim.vars.items()}
                inst = make_instance(claim, dims, raw)
            except (ZeroDivisionError, ValueError):
                continue
            if instance_valid(claim, inst):
                out.append(inst)
    scalars = [n for n, v in claim.vars.items() if v.is_scalar]
    if not scalars:
        return out
    dims = sample_dims(claim, rng, 0)
    base = {n: sample_raw(v, shape_of(v, dims), rng, "decimal") for n, v in claim.vars.items()}

    def allowed(name: str, v: Fraction) -> Fraction:
        a = set(claim.vars[name].assume)
        bad = (v == 0 and a & {"positive", "nonzero"}) or (v < 0 and a & {"nonnegative", "positive"})
        return _1 if bad else v

    def at(values: dict[str, Fraction]) -> Instance | None:
        raw = {n: ([allowed(n, values[n])] if n in values else base[n]) for n in claim.vars}
        try:
            inst = make_instance(claim, dims, raw)
        except (ZeroDivisionError, ValueError):
            return None
        return inst if instance_valid(claim, inst) else None

    points = [{n: _0 for n in scalars}, {n: _1 for n in scalars}, {n: -_1 for n in scalars}]
    for j, k in enumerate(SPECIAL_DECADES):
        name = scalars[j % len(scalars)]
        sign = -1 if j % 2 and not claim.vars[name].assume else 1
        points.append({**{n: _1 for n in scalars}, name: sign * _pow10(-k)})
    for p in points:
        inst = at(p)
        if inst is not None and all(inst.values != o.values for o in out):
            out.append(inst)
    return out
