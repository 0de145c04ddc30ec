"""Instances that satisfy matrix premises by construction (exact rationals).

``enforce`` is applied by ``verify.claims.instances.make_instance`` after every variable was built
from its raw parameters: for each recognised premise (``verify.claims.premises``) that is not
already an assumption of the sampler, it replaces the value of the variables the premise ties by
a construction that satisfies the premise exactly.  The constructions are deterministic functions
of the raw parameters (a generator seeded from them), so the counterexample search, which moves
raw parameters, stays inside the premise set.

* ``commute`` (A @ B == B @ A, both n x n):
  - both variables free of assumptions: either B = c0 I + c1 A + c2 A² + c3 A³, or
    A = S J_A S⁻¹, B = S J_B S⁻¹ with J_A, J_B block diagonal over a random partition of n: a block
    λ I beside an arbitrary block of B (shared eigenvectors, repeated eigenvalues, B not a polynomial
    in A) or a Jordan block λ I + N beside c0 I + c1 N + c2 N² (A not diagonalisable); S = I or a
    random invertible rational matrix; the roles of A and B are swapped at random;
  - one variable structured (its own assumptions), the other free: the free one is drawn from the
    commutant of the structured one: S M S⁻¹ with M arbitrary on the eigenspaces of a diagonal core
    S⁻¹ A S (spectral, projector, idempotent, involutory, diagonal kinds), else a polynomial in A;
  - both structured: symmetric-type pairs share their rotation (see ``share_rotations``); diagonal
    and circulant pairs commute already; otherwise, when they do not commute, one becomes a power
    of the other (±I, ±A, A², A³) where that satisfies its own assumptions, else the given filters.
* ``product_zero`` (op(A) @ op(B) == 0, op = identity or transpose, inner size k): both free:
  op(A) = M diag(1_s, 0) S⁻¹, op(B) = S diag(0_s, 1_t, 0) N, s uniform in 0..k, t = k - s (complementary
  subspaces) or uniform in 0..k - s (rank(A) + rank(B) < k too); one structured: the other from the
  exact null space (left null space) of it.
* ``orthogonal`` (A.T @ A == eye or A @ A.T == eye): the leading columns (rows) of a signed
  rational Cayley orthogonal matrix.
* ``nilpotent`` (A**k == 0): S J S⁻¹ with J Jordan blocks of size at most k (random nonzero
  superdiagonals) and S = I or random invertible.
* ``loewner`` (eigmin(A - B) >= 0, A ⪰ B; both symmetric, psd or pd): A = B + M Mᵀ with M an
  n x r random rational matrix, r uniform in 0..n (n for the strict form, or when A is pd and B is
  not), B as sampled, so A keeps its own assumption; used only when nothing else constructed A.

A construction that does not apply (a variable of the wrong shape, both variables structured) leaves
the instance as drawn: the given condition is decided on every instance anyway, exactly or with
balls, and an instance that does not satisfy it is skipped and counted.
"""
from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from fractions import Fraction

from .model import Claim, Var
from .premises import Premise

Rows = list[list[Fraction]]
_0, _1 = Fraction(0), Fraction(1)
# kinds whose value is S diag(d) S⁻¹ for an S recoverable from the raw parameters
ORTHO_CORE = {"spectral", "projector", "reflection"}
SIMILAR_CORE = {"idempotent", "involutory", "nilpotent"}


def _h():
    from . import instances

    return instances


def _rand_entries(rng: random.Random, n: int) -> list[Fraction]:
    return _h().random_raw(rng, n, rng.choice(("int", "int", "fraction", "decimal", "tiny")))


def _rand_mat(rng: random.Random, r: int, c: int) -> Rows:
    h = _h()
    if rng.random() < 0.1:
        return [[_0] * c for _ in range(r)]
    return h._mat(_rand_entries(rng, r * c), r, c)


def _rand_invertible(rng: random.Random, n: int) -> Rows:
    h = _h()
    if rng.random() < 0.3:
        return h._eye(n)
    return h._invertible(h._mat(h.random_raw(rng, n * n, "int"), n, n))


def _add(a: Rows, b: Rows, s: Fraction = _1) -> Rows:
    return [[x + s * y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def _scale(a: Rows, s: Fraction) -> Rows:
    return [[s * x for x in row] for row in a]


def _poly(rng: random.Random, a: Rows) -> Rows:
    """c0 I + c1 A + c2 A² + c3 A³ with rational coefficients (some zero)."""
    h = _h()
    n = len(a)
    coef = [c if rng.random() < 0.75 else _0 for c in h.random_raw(rng, 4, rng.choice(("int", "fraction")))]
    out = _scale(h._eye(n), coef[0])
    p = h._eye(n)
    for c in coef[1:]:
        p = h._mul(p, a)
        if c:
            out = _add(out, p, c)
    return out


def _jordan_nil(b: int, sup: Sequence[Fraction]) -> Rows:
    m = [[_0] * b for _ in range(b)]
    for i in range(b - 1):
        m[i][i + 1] = sup[i]
    return m


def _partition(rng: random.Random, n: int, most: int | None = None) -> list[int]:
    out, left = [], n
    while left:
        b = rng.randint(1, min(left, most or left))
        out.append(b)
        left -= b
    return out


def _block_diag(blocks: list[Rows]) -> Rows:
    n = sum(len(b) for b in blocks)
    m = [[_0] * n for _ in range(n)]
    o = 0
    for b in blocks:
        for i, row in enumerate(b):
            for j, v in enumerate(row):
                m[o + i][o + j] = v
        o += len(b)
    return m


def _similar(s: Rows, core: Rows) -> Rows:
    h = _h()
    return h._mul(h._mul(s, core), h._inv(s))


def commuting_pair(rng: random.Random, n: int) -> tuple[Rows, Rows]:
    """Two commuting n x n rational matrices from the styles of the module docstring."""
    h = _h()
    if rng.random() < 0.35:
        a = _rand_mat(rng, n, n)
        pair = (a, _poly(rng, a))
    else:
        s = _rand_invertible(rng, n)
        ja, jb = [], []
        lams = _rand_entries(rng, n)
        for t, b in enumerate(_partition(rng, n)):
            lam = lams[t] if rng.random() < 0.8 else lams[0]       # eigenvalues repeat across blocks too
            if b >= 2 and rng.random() < 0.4:
                nil = _jordan_nil(b, [x or _1 for x in _rand_entries(rng, b - 1)])
                ja.append(_add(_scale(h._eye(b), lam), nil))
                jb.append(_poly(rng, nil))
            else:
                ja.append(_scale(h._eye(b), lam))
                jb.append(_rand_mat(rng, b, b))
        pair = (_similar(s, _block_diag(ja)), _similar(s, _block_diag(jb)))
    return pair if rng.random() < 0.5 else (pair[1], pair[0])


def _core_basis(var: Var, shape: tuple[int, int], raw: Sequence[Fraction]) -> Rows | None:
    """An S with S⁻¹ A S diagonal for the kinds that build A that way (else None)."""
    h = _h()
    kind = h.kind_of(var).name
    r = shape[0]
    raw = [Fraction(x) for x in raw]
    if kind in ORTHO_CORE:
        return h._cayley(raw[: h._skew_count(r)], r)
    if kind in SIMILAR_CORE and len(raw) >= r * r:
        return h._invertible(h._mat(raw[: r * r], r, r))
    if kind in ("diagonal", "permutation"):
        return h._eye(r) if kind == "diagonal" else None
    return None


def commutant_member(rng: random.Random, a: Rows, basis: Rows | None) -> Rows:
    """A random matrix commuting with ``a``: arbitrary on the eigenspaces of a diagonal core
    S⁻¹ a S (``basis`` = S), else a polynomial in ``a``."""
    h = _h()
    n = len(a)
    if basis is not None and rng.random() < 0.75:
        core = h._mul(h._mul(h._inv(basis), a), basis)
        if all(core[i][j] == 0 for i in range(n) for j in range(n) if i != j):
            m = _rand_mat(rng, n, n)
            m = [[m[i][j] if core[i][i] == core[j][j] else _0 for j in range(n)] for i in range(n)]
            return _similar(basis, m)
    return _poly(rng, a)


def nullspace(a: Rows) -> Rows:
    """A basis of {x : a x = 0} as the columns of a k x d matrix (k = columns of a), exact."""
    r, k = len(a), len(a[0])
    m = [list(row) for row in a]
    pivots: list[int] = []
    row = 0
    for col in range(k):
        p = next((i for i in range(row, r) if m[i][col] != 0), None)
        if p is None:
            continue
        m[row], m[p] = m[p], m[row]
        pv = m[row][col]
        m[row] = [v / pv for v in m[row]]
        for i in range(r):
            if i != row and m[i][col] != 0:
                f = m[i][col]
                m[i] = [x - f * y for x, y in zip(m[i], m[row])]
        pivots.append(col)
        row += 1
        if row == r:
            break
    free = [j for j in range(k) if j not in pivots]
    basis = []
    for f in free:
        v = [_0] * k
        v[f] = _1
        for i, pc in enumerate(pivots):
            v[pc] = -m[i][f]
        basis.append(v)
    return [[basis[t][i] for t in range(len(basis))] for i in range(k)]


def _op(m: Rows, t: bool) -> Rows:
    return _h()._T(m) if t else m


def product_zero_pair(rng: random.Random, r: int, k: int, c: int) -> tuple[Rows, Rows]:
    """(A, B) with A (r x k) @ B (k x c) == 0: complementary subspaces of the inner space."""
    h = _h()
    s = _rand_invertible(rng, k)
    split = rng.randint(0, k)
    # complementary (ranks adding up to k) or leaving part of the inner space to neither factor
    top = k if rng.random() < 0.5 else rng.randint(split, k)
    p1 = h._diag([_1 if i < split else _0 for i in range(k)])
    p2 = h._diag([_1 if split <= i < top else _0 for i in range(k)])
    a = h._mul(h._mul(_rand_mat(rng, r, k), p1), h._inv(s))
    b = h._mul(h._mul(s, p2), _rand_mat(rng, k, c))
    return a, b


def orthonormal(rng: random.Random, r: int, c: int) -> Rows:
    """An r x c rational matrix with orthonormal columns (r >= c) or rows (r < c)."""
    h = _h()
    n = max(r, c)
    q = h._cayley(h.random_raw(rng, h._skew_count(n), rng.choice(("int", "fraction", "decimal"))), n)
    q = [[sg * v for v in row] for sg, row in ((-1 if rng.random() < 0.5 else 1, row) for row in q)]
    return [row[:c] for row in q[:r]]


def nilpotent_of_index(rng: random.Random, n: int, k: int) -> Rows:
    """S J S⁻¹ with J Jordan blocks of size at most k: A**k == 0."""
    blocks = [_jordan_nil(b, [x or _1 for x in _rand_entries(rng, max(b - 1, 0))])
              for b in _partition(rng, n, max(1, k))]
    return _similar(_rand_invertible(rng, n), _block_diag(blocks))


def _seed(raw: dict[str, Sequence[Fraction]]) -> int:
    text = repr(sorted((k, [str(x) for x in v]) for k, v in raw.items()))
    return zlib.crc32(text.encode())


def _structured(var: Var) -> bool:
    return bool(var.assume or var.sample_assume)


def enforce(claim: Claim, dims: dict[str, int], values: dict[str, Rows],
            raw: dict[str, Sequence[Fraction]]) -> dict[str, Rows]:
    """``values`` with the recognised premises of ``claim`` made to hold by construction."""
    todo = [p for p in claim.premises
            if p.kind in ("commute", "product_zero", "orthogonal", "nilpotent", "loewner")]
    if not todo:
        return values
    rng = random.Random(_seed(raw))
    out = dict(values)
    pinned = {n for n, v in claim.vars.items() if _structured(v)}
    structured = set(pinned)
    # single-variable constructions first, then the pairs (a pair may use a pinned partner), the
    # Loewner order last (it needs its lower side final)
    for p in sorted(todo, key=lambda p: (p.kind == "loewner", p.kind in ("commute", "product_zero"))):
        constructed = pinned - structured
        if p.kind == "loewner":
            _apply_loewner(p, claim, out, constructed, rng)
            continue
        _apply(p, claim, out, raw, pinned, rng)
        if p.kind == "commute" and set(p.names) <= structured:
            _commute_structured(p, claim, out, constructed, rng)
    return out


def _commute_structured(p: Premise, claim: Claim, out: dict[str, Rows], constructed: set[str], rng) -> None:
    """Both variables carry assumptions: if they do not commute already, replace one (not built by
    an earlier premise) by a power of the other, ±I, ±X, X², X³, that satisfies its own assumptions
    exactly (orthogonal, permutation, involutory, stochastic, idempotent ... are closed under powers)."""
    h = _h()
    x, y = p.names
    a, b = out[x], out[y]
    n = len(a)
    if not (n == len(a[0]) == len(b) == len(b[0])) or h._mul(a, b) == h._mul(b, a):
        return
    for target, source in ((y, a), (x, b)):
        if target in constructed:
            continue
        sq = h._mul(source, source)
        cands = [source, sq, h._mul(sq, source), h._eye(n), _scale(source, -_1), _scale(h._eye(n), -_1)]
        rng.shuffle(cands)
        for cand in cands:
            if h.satisfies(claim.vars[target], cand):
                out[target] = cand
                return


LOEWNER_KINDS = {"symmetric", "psd", "pd"}


def loewner_upper(rng: random.Random, b: Rows, rank: int) -> Rows:
    """B + M Mᵀ with M an n x ``rank`` random rational matrix (invertible when ``rank`` = n): a psd
    increment of rank at most ``rank`` (exactly n, pd, when ``rank`` = n)."""
    n = len(b)
    m = _rand_invertible(rng, n) if rank == n else _rand_mat(rng, n, rank) if rank else [[] for _ in range(n)]
    inc = [[sum((m[i][k] * m[j][k] for k in range(rank)), _0) for j in range(n)] for i in range(n)]
    return _add(b, inc)


def _apply_loewner(p: Premise, claim: Claim, out: dict[str, Rows], constructed: set[str], rng) -> None:
    """A = B + M Mᵀ for ``eigmin(A - B) >= 0`` unless A was built by an earlier premise or the pair's
    assumptions are not symmetric / psd / pd (then the given filters the instances as drawn)."""
    x, y = p.names
    vx, vy = claim.vars[x], claim.vars[y]
    ax, ay = set(vx.assume) | set(vx.sample_assume), set(vy.assume) | set(vy.sample_assume)
    n = len(out[x])
    if (x in constructed or not ax <= LOEWNER_KINDS or not ay <= LOEWNER_KINDS or not ay
            or n != len(out[x][0]) or (len(out[y]), len(out[y][0])) != (n, n)):
        return
    if ax & {"psd", "pd"} and not ay & {"psd", "pd"}:
        return                                       # B merely symmetric: B + S need not be psd
    full = p.power == 1 or ("pd" in ax and "pd" not in ay)
    out[x] = loewner_upper(rng, out[y], n if full else rng.randint(0, n))


def _apply(p: Premise, claim: Claim, out: dict[str, Rows], raw, pinned: set[str], rng) -> None:
    if p.kind == "orthogonal":
        (x,) = p.names
        r, c = len(out[x]), len(out[x][0])
        cols = p.transposed[0]                     # X.T @ X == I: orthonormal columns
        if x in pinned or (cols and r < c) or (not cols and r > c):
            return
        out[x] = orthonormal(rng, r, c)
        pinned.add(x)
    elif p.kind == "nilpotent":
        (x,) = p.names
        n = len(out[x])
        if x in pinned or n != len(out[x][0]):
            return
        out[x] = nilpotent_of_index(rng, n, p.power)
        pinned.add(x)
    elif p.kind == "commute":
        x, y = p.names
        n = len(out[x])
        if not (n == len(out[x][0]) == len(out[y]) == len(out[y][0])):
            return
        fx, fy = x not in pinned, y not in pinned
        if fx and fy:
            out[x], out[y] = commuting_pair(rng, n)
        elif fy:
            out[y] = commutant_member(rng, out[x], _basis(claim, x, out, raw))
        elif fx:
            out[x] = commutant_member(rng, out[y], _basis(claim, y, out, raw))
        pinned.update((x, y))
    elif p.kind == "product_zero":
        x, y = p.names
        tx, ty = p.transposed
        a, b = _op(out[x], tx), _op(out[y], ty)
        r, k, c = len(a), len(a[0]), len(b[0])
        if len(b) != k:
            return
        fx, fy = x not in pinned, y not in pinned
        if fx and fy:
            a, b = product_zero_pair(rng, r, k, c)
        elif fy:
            null = nullspace(a)
            d = len(null[0]) if null and null[0] else 0
            b = _h()._mul(null, _rand_mat(rng, d, c)) if d else [[_0] * c for _ in range(k)]
        elif fx:
            left = nullspace(_h()._T(b))
            d = len(left[0]) if left and left[0] else 0
            a = _h()._mul(_rand_mat(rng, r, d), _h()._T(left)) if d else [[_0] * k for _ in range(r)]
        else:
            return
        out[x], out[y] = _op(a, tx), _op(b, ty)
        pinned.update((x, y))


def _basis(claim: Claim, name: str, out: dict[str, Rows], raw) -> Rows | None:
    var = claim.vars[name]
    if name not in raw or not _structured(var):
        return None
    try:
        return _core_basis(var, (len(out[name]), len(out[name][0])), raw[name])
    except (ZeroDivisionError, ValueError):
        return None


def share_rotations(claim: Claim, raw: dict[str, list[Fraction]], dims: dict[str, int]) -> None:
    """For ``commute`` premises between two variables whose kind is Q diag(λ) Qᵀ (symmetric, psd,
    projector, symmetric involutory ...): give the second the rotation of the first (they then
    commute, with independent spectra)."""
    h = _h()
    for p in claim.premises:
        if p.kind != "commute":
            continue
        x, y = p.names
        vx, vy = claim.vars[x], claim.vars[y]
        if h.kind_of(vx).name in ORTHO_CORE and h.kind_of(vy).name in ORTHO_CORE:
            n = h.shape_of(vx, dims)[0]
            if n == h.shape_of(vy, dims)[0] and x in raw and y in raw:
                k = h._skew_count(n)
                raw[y] = list(raw[x][:k]) + list(raw[y][k:])
