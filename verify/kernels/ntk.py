"""NNGP and NTK Gram matrices of fully connected networks, two conventions.

Points are the rows of ``x`` (N x n₀).  ``ntk_gram`` returns (nngp, ntk), both N x N float64.

Convention ``jacot`` (Jacot, Gabriel, Hongler 2018; seed 003 with its 1/√n_L slip read as 1/√n_ℓ):
    α̃^{(ℓ+1)} = W^{(ℓ)} α^{(ℓ)}/√n_ℓ + β b^{(ℓ)}, all parameters N(0, 1), no c_σ;
    Σ^{(1)} = xᵀx'/n₀ + β²,   Θ^{(1)} = Σ^{(1)};
    Σ^{(ℓ+1)} = E_{f∼N(0,Σ^{(ℓ)})}[σ(f(x))σ(f(x'))] + β²,   Σ̇^{(ℓ+1)} = E[σ̇(f(x))σ̇(f(x'))];
    Θ^{(ℓ+1)} = Θ^{(ℓ)} Σ̇^{(ℓ+1)} + Σ^{(ℓ+1)}.
  ``depth`` L ≥ 1 is Jacot's own index: L = 1 is a linear (one weight matrix) network; the result
  is (Σ^{(L)}, Θ^{(L)}).  For ReLU and x on the unit sphere with β = 0: Σ^{(1)} = ρ/n₀.

Convention ``arora`` (Arora et al. 2019, seed 001):
    Σ^{(0)} = xᵀx' (no 1/n₀),  Θ^{(0)} = Σ^{(0)};
    Σ^{(h)} = c_σ E_{(u,v)∼N(0,Λ^{(h)})}[σ(u)σ(v)],  Σ̇^{(h)} = c_σ E[σ̇(u)σ̇(v)],
    Θ^{(h)} = Θ^{(h−1)} Σ̇^{(h)} + Σ^{(h)},   c_σ = 1/E_{z∼N(0,1)}[σ(z)²] (= 2 for ReLU);
  ``depth`` L ≥ 0 is the number of hidden layers; the result is (Σ^{(L)}, Θ^{(L)}).  For unit
  vectors and L = 1: Θ = [2ρ(π − arccos ρ) + √(1 − ρ²)]/π; on the diagonal Θ^{(L)}(x, x) =
  (L + 1)||x||².  ``bias`` β (an extension; Arora et al. have none) adds β² to every Σ^{(h)},
  h = 0..L, i.e. biases with standard deviation β in every layer.

Reproducing neural-tangents (``stax``).  Its input kernel is xᵀx'/n₀ (with NTK 0); its
``Dense(W_std, b_std)`` maps Σ to W_std²Σ + b_std² and Θ to W_std²Θ + (new Σ); its ``Relu`` has
c_σ = 1: Σ ↦ E[ReLU(u)ReLU(v)], Θ ↦ Θ·E[1{u>0}1{v>0}].  Hence, for ReLU and inputs x (N x n₀):
  * stax.serial(Dense(W_std=1, b_std=β), Relu, Dense(1, β), ..., Relu, Dense(1, β)) with L − 1
    Relu's gives exactly ``ntk_gram(x, L, "jacot", bias=β)``;
  * stax.serial(Dense(√2, 0), Relu, Dense(√2, 0), ..., Relu, Dense(√2, 0)) with L Relu's gives
    exactly ``ntk_gram(x * sqrt(2 / n₀), L, "arora")`` (W_std² = 2 = c_σ; the factor fixes the
    first layer: stax's 2xᵀx'/n₀ against Arora's xᵀx');
  * any W_std, b_std: ``neural_tangents_gram(x, n_relu, W_std, b_std)`` runs stax's recursion
    with this module's stable engine.
Both rules are checked in the tests by computing the two sides.

Numerics.  The float64 path works on square tiles of pairs (``TILE`` x ``TILE``, threads over
tiles; only tiles on and above the diagonal are computed and mirrored, so the Gram is exactly
symmetric and memory beyond the output is O(tile²) per thread).  Per pair it keeps ρ = cos θ and
s = sin θ separately: on the input layer s² = (|x|²|x'|² − (x·x')²)/(|x|²|x'|²) for pairs with
|ρ| > 0.999, the determinant evaluated in double-double arithmetic (compensated Dot2 products;
symmetric in x, x' bit for bit), so sin θ is accurate to a few ulps even at θ or π − θ ~ 1e-6;
ρ = 1, s = 0 exactly on the diagonal.  For ReLU the next layer's (ρ, s) come from the stable
arc-cosine terms (θ by arccos where |ρ| ≤ cos 0.5 and by atan2 beyond, J₁ by series near
θ = π, 1 − J₁/π without cancellation near θ = 0).  Entries then agree with the mpmath path to
1e-14 relative, including cos θ = ±(1 − 1e-12), duplicated and antipodal points (tested).
``x2=`` gives the cross kernels between two point sets (same tiles, no mirroring).
erf and the generic (Gauss–Hermite) activations use 1 − ρ² = (1 − ρ)(1 + ρ) from the computed
values and are less accurate near ρ = ±1 (the generic engine is also limited by the quadrature
order).  ``ntk_gram_mp`` evaluates the same recursion in mpmath at ``dps`` digits (closed forms
for relu/erf/identity, the mpmath quadrature engine for other activations).
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import mpmath
import numpy as np

from ..errors import InputError
from . import gaussian

CONVENTIONS = ("jacot", "arora")


# ----------------------------------------------------------------------------- validation
def _check(x, depth, convention, bias, activation) -> tuple[np.ndarray, gaussian.Activation]:
    if convention not in CONVENTIONS:
        raise InputError(f"unknown convention {convention!r} (use one of {', '.join(CONVENTIONS)})")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise InputError(f"depth must be an integer, got {depth!r}")
    lowest = 1 if convention == "jacot" else 0
    if depth < lowest:
        raise InputError(f"depth must be >= {lowest} in the {convention} convention, got {depth}")
    if not isinstance(bias, (int, float, np.floating)) or not math.isfinite(float(bias)):
        raise InputError(f"bias must be a finite number, got {bias!r}")
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("points must be an N x d matrix of numbers") from None
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise InputError(f"points must be a non-empty N x d matrix (rows are points), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))[0]
        raise InputError(f"points contain NaN or infinity (row {bad[0]}, column {bad[1]})")
    return x, gaussian.activation(activation)


# ----------------------------------------------------------------------------- compensated products
_SPLIT = 134217729.0  # 2^27 + 1 (Veltkamp)


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p + e = a·b exactly (Dekker), elementwise; valid while |a|, |b| < 1e150."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah = ca - (ca - a)
    al = a - ah
    bh = cb - (cb - b)
    bl = b - bh
    return p, al * bl - (((p - ah * bh) - al * bh) - ah * bl)


def _dot2(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise x·y as an unevaluated sum hi + lo, as if computed in twice the working precision
    (Ogita, Rump, Oishi 2005, Dot2).  x, y: (K, d); symmetric in (x, y) bit for bit."""
    p, s = _two_prod(x[:, 0], y[:, 0])
    for k in range(1, x.shape[1]):
        h, r = _two_prod(x[:, k], y[:, k])
        t = p + h
        z = t - p
        q = (p - (t - z)) + (h - z)
        p = t
        s = s + (q + r)
    return p, s


def _gram_det(xi: np.ndarray, xj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(|x|²|y|² − (x·y)², x·y) per row pair, the determinant without cancellation (double-double).

    The determinant is symmetric in (x, y) bit for bit and has absolute error ~1e-32·|x|²|y|²,
    so sin²θ = det/(|x|²|y|²) is accurate to a few ulps even at θ ~ 1e-8 or π − 1e-8.
    """
    ah, al = _dot2(xi, xi)
    bh, bl = _dot2(xj, xj)
    ch, cl = _dot2(xi, xj)
    p1, e1 = _two_prod(ah, bh)
    p2, e2 = _two_prod(ch, ch)
    det = (p1 - p2) + ((e1 + (ah * bl + al * bh)) - (e2 + 2.0 * ch * cl))
    return np.maximum(det, 0.0), ch + cl


# ----------------------------------------------------------------------------- input layer (one tile)
_C05 = math.cos(0.5)
_EMPTY = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))


def _where(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.nonzero of a 2-D mask, skipping the (slow) scan when the mask is empty."""
    return np.nonzero(mask) if np.count_nonzero(mask) else _EMPTY


NEAR = 0.999          # |ρ| above this: sin θ from the compensated determinant
TILE = 384            # tile edge (rows x cols of one block of pairs)


def _input_tile(xi, xj, sqi, sqj, di, dj, scale, beta2, diag: bool):
    """Σ (tile), ρ, s for Σ = scale·xᵀx' + β² between the rows of xi and xj.

    ``diag``: the tile is a diagonal block of a symmetric Gram (xi is xj): ρ = 1, s = 0 exactly
    on its diagonal (for non-zero variance).  Near-parallel pairs (|ρ| > NEAR) get s from the
    determinant: d d' − Σ² = scale²(|x|²|x'|² − (x·x')²) + β²·scale·|x − x'|² (two terms ≥ 0).
    """
    c = xi @ xj.T
    if scale != 1.0:
        c *= scale
    if beta2:
        c += beta2
    root = np.sqrt(np.multiply.outer(di, dj))
    zero = not np.all(root > 0)
    if zero:
        pos = root > 0
        rho = np.divide(c, np.where(pos, root, 1.0))
        rho[~pos] = 0.0
    else:
        rho = c / root
    np.clip(rho, -1.0, 1.0, out=rho)
    s = np.multiply(rho, rho)
    np.subtract(1.0, s, out=s)
    np.maximum(s, 0.0, out=s)
    np.sqrt(s, out=s)
    near = np.abs(rho) > NEAR
    if diag:
        np.fill_diagonal(near, False)
    ii, jj = _where(near)
    for lo in range(0, len(ii), 8192):
        i, j = ii[lo:lo + 8192], jj[lo:lo + 8192]
        a, b = xi[i], xj[j]
        det, dot = _gram_det(a, b)
        g = scale * scale * det
        if beta2:
            diff = a - b
            g = g + beta2 * scale * np.einsum("ij,ij->i", diff, diff)
        den = di[i] * dj[j]
        ok = den > 0
        safe = np.where(ok, den, 1.0)
        s[i, j] = np.where(ok, np.sqrt(np.clip(g / safe, 0.0, 1.0)), 1.0)
        cc = scale * dot + beta2
        rho[i, j] = np.where(ok, np.clip(cc / np.sqrt(safe), -1.0, 1.0), 0.0)
    if diag:
        k = np.arange(len(di))
        rho[k, k] = np.where(di > 0, 1.0, 0.0)
        s[k, k] = np.where(di > 0, 0.0, 1.0)
    return c, rho, s, root, (pos if zero else None)


# ----------------------------------------------------------------------------- one layer (one tile)
def _relu_tile(w2, beta2, rho, s, root, pos, ai, aj):
    """ReLU layer on a tile.  In: ρ, s = sin θ, √(dd') (tile), pos (mask of √(dd') > 0 or None),
    ai, aj = w²E[ReLU(u)²] = w²d/2 of the rows/columns.

    Out: Σ' = w²√(dd')J₁/(2π) + β², Σ̇ = w²(π − θ)/(2π), and the next layer's ρ, s.
    θ = arccos ρ where it is well conditioned (|ρ| ≤ cos 0.5); θ = atan2(s, ρ) where θ < 0.5 and
    φ = π − θ = atan2(s, −ρ) where φ < 0.5; J₁ = s + φρ, summed as a series where φ < 0.5
    (J₁ ≈ φ³/3 there); 1 − r = 1 − J₁/π from (2φ sin²(θ/2) + (θ − sin θ))/π where θ < 0.5.
    Next: with β = 0, ρ' = r = J₁/π and s' = √((1 − r)(1 + r)); otherwise
    d'd'' − Σ'² = AB(1 − r)(1 + r) + β²[(√A − √B)² + 2√(AB)(1 − r)] (all terms ≥ 0).
    """
    th = np.arccos(rho)
    phi = np.subtract(math.pi, th)
    hi = _where(rho > _C05)
    lo = _where(rho < -_C05)
    if len(hi[0]):
        th[hi] = np.arctan2(s[hi], rho[hi])
        phi[hi] = math.pi - th[hi]
    if len(lo[0]):
        phi[lo] = np.arctan2(s[lo], -rho[lo])
        th[lo] = math.pi - phi[lo]
    j1 = np.multiply(phi, rho)
    j1 += s
    if len(lo[0]):
        j1[lo] = gaussian._sin_minus_x_cos(phi[lo])
    r = j1 * (1.0 / math.pi)
    omr = np.subtract(1.0, r)
    if len(hi[0]):
        t = th[hi]
        omr[hi] = (2.0 * phi[hi] * np.sin(0.5 * t) ** 2 + gaussian._x_minus_sin(t)) * (1.0 / math.pi)
    sig = np.multiply(root, j1)
    sig *= w2 / (2 * math.pi)
    dsig = phi
    dsig *= w2 / (2 * math.pi)
    if pos is not None:
        sig[~pos] = 0.0
        dsig[~pos] = 0.0
    if beta2 == 0.0 and pos is None:
        rho_n = r
        np.clip(rho_n, -1.0, 1.0, out=rho_n)
        s_n = np.add(1.0, r)
        s_n *= omr
        np.maximum(s_n, 0.0, out=s_n)
        np.sqrt(s_n, out=s_n)
        return sig, dsig, rho_n, s_n
    if beta2:
        sig += beta2
    sai, saj = np.sqrt(ai), np.sqrt(aj)
    root_a = np.multiply.outer(sai, saj)
    gap = root_a * root_a * omr * (1.0 + r)
    if beta2:
        gap += beta2 * (np.subtract.outer(sai, saj) ** 2 + 2.0 * root_a * omr)
    rho_n, s_n = _next_rho_s(sig, ai + beta2, aj + beta2, gap)
    return sig, dsig, rho_n, s_n


def _generic_tile(act, name, w2, beta2, di, dj, rho, s, root, gh_order):
    """Σ' = w²E[σ(u)σ(v)] + β², Σ̇ = w²E[σ̇(u)σ̇(v)] on a tile (identity, erf, Gauss–Hermite)."""
    if name in ("identity", "linear"):
        return w2 * root * rho + beta2, np.full_like(rho, w2)
    a_ = np.broadcast_to(di[:, None], rho.shape)
    b_ = np.broadcast_to(dj[None, :], rho.shape)
    c_ = root * rho
    if name == "erf":
        return (w2 * gaussian.erf_expectation(a_, b_, c_) + beta2,
                w2 * gaussian.erf_derivative_expectation(a_, b_, c_, s=s))
    sig = np.empty(rho.shape)
    dsig = np.empty(rho.shape)
    rows = max(1, 4096 // max(1, rho.shape[1]))
    for lo in range(0, rho.shape[0], rows):
        sl = slice(lo, lo + rows)
        sig[sl] = (
            w2 * gaussian.gauss_hermite_expectation(
                act.f_np, act.f_np, a_[sl], b_[sl], c_[sl], gh_order, s=s[sl]
            )
            + beta2
        )
        dsig[sl] = w2 * gaussian.gauss_hermite_expectation(
            act.df_np, act.df_np, a_[sl], b_[sl], c_[sl], gh_order, s=s[sl]
        )
    return sig, dsig


def _next_rho_s(sig, dni, dnj, gap=None):
    """ρ = Σ/√(dd'), s = √(gap/(dd')) (gap = dd' − Σ² when known accurately, else (1 − ρ)(1 + ρ))."""
    den = np.multiply.outer(dni, dnj)
    ok = den > 0
    safe = den if np.all(ok) else np.where(ok, den, 1.0)
    rho = np.clip(sig / np.sqrt(safe), -1.0, 1.0)
    s2 = gap / safe if gap is not None else (1.0 - rho) * (1.0 + rho)
    s = np.sqrt(np.clip(s2, 0.0, 1.0))
    if not np.all(ok):
        rho[~ok] = 0.0
        s[~ok] = 1.0
    return rho, s


def _diag_next(act, name, w2, beta2, d, gh_order):
    """The next layer's variances d' = w²E[σ(u)²] + β², u ~ N(0, d), for a vector d."""
    if name == "relu":
        return w2 * d / 2.0 + beta2
    if name in ("identity", "linear"):
        return w2 * d + beta2
    if name == "erf":
        return w2 * gaussian.erf_expectation(d, d, d) + beta2
    zero = np.zeros_like(d)
    return w2 * gaussian.gauss_hermite_expectation(act.f_np, act.f_np, d, d, d, gh_order, s=zero) + beta2


def _tile(x1, x2, sq1, sq2, ds1, ds2, act, name, w2, scale, beta2, n_layers, gh_order, diag):
    """(Σ^{(L)}, Θ^{(L)}) between the rows of x1 and x2 (one tile); ds1/ds2: per-layer variances."""
    c, rho, s, root, pos = _input_tile(x1, x2, sq1, sq2, ds1[0], ds2[0], scale, beta2, diag)
    sig = c
    theta = c.copy()
    k = np.arange(len(x1)) if diag else None
    for layer in range(n_layers):
        di, dj, dni, dnj = ds1[layer], ds2[layer], ds1[layer + 1], ds2[layer + 1]
        if name == "relu":
            sig, dsig, rho, s = _relu_tile(w2, beta2, rho, s, root, pos, dni - beta2, dnj - beta2)
        else:
            sig, dsig = _generic_tile(act, name, w2, beta2, di, dj, rho, s, root, gh_order)
            rho, s = _next_rho_s(sig, dni, dnj)
        theta *= dsig
        theta += sig
        if diag:
            rho[k, k] = np.where(dni > 0, 1.0, 0.0)
            s[k, k] = np.where(dni > 0, 0.0, 1.0)
        if layer + 1 < n_layers:
            root = np.sqrt(np.multiply.outer(dni, dnj))
            pos = root > 0
            pos = None if np.all(pos) else pos
    return sig, theta


def _variances(x, act, name, w2, scale, beta2, n_layers, gh_order):
    sq = np.einsum("ij,ij->i", x, x)
    ds = [scale * sq + beta2]
    for _ in range(n_layers):
        ds.append(_diag_next(act, name, w2, beta2, ds[-1], gh_order))
    return sq, ds


def _workers(workers, n_jobs: int) -> int:
    if workers is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        workers = min(cores, 8)
    return max(1, min(int(workers), n_jobs))


def _gram(x, x2, act, w2, scale, beta2, n_layers, gh_order, tile=None, workers=None):
    """Tiled driver: upper-triangular tiles mirrored when x2 is None (exactly symmetric result)."""
    name = act.name.strip().lower()
    tile = int(tile or TILE)
    sq1, ds1 = _variances(x, act, name, w2, scale, beta2, n_layers, gh_order)
    if x2 is None:
        sq2, ds2, m = sq1, ds1, len(x)
    else:
        sq2, ds2 = _variances(x2, act, name, w2, scale, beta2, n_layers, gh_order)
        m = len(x2)
    n = len(x)
    nngp = np.empty((n, m))
    ntk = np.empty((n, m))
    other = x if x2 is None else x2
    jobs = [(i0, min(n, i0 + tile), j0, min(m, j0 + tile))
            for i0 in range(0, n, tile) for j0 in range(i0 if x2 is None else 0, m, tile)]

    def work(job):
        i0, i1, j0, j1 = job
        diag = x2 is None and i0 == j0
        sig, th = _tile(x[i0:i1], other[j0:j1], sq1[i0:i1], sq2[j0:j1], [d[i0:i1] for d in ds1],
                        [d[j0:j1] for d in ds2], act, name, w2, scale, beta2, n_layers, gh_order, diag)
        if diag:   # exact symmetry: the upper triangle, mirrored
            sig = np.triu(sig) + np.triu(sig, 1).T
            th = np.triu(th) + np.triu(th, 1).T
        nngp[i0:i1, j0:j1] = sig
        ntk[i0:i1, j0:j1] = th
        if x2 is None and not diag:
            nngp[j0:j1, i0:i1] = sig.T
            ntk[j0:j1, i0:i1] = th.T

    n_workers = _workers(workers, len(jobs))
    if n_workers > 1:   # numpy releases the GIL inside ufuncs and BLAS; tiles write disjoint blocks
        with ThreadPoolExecutor(n_workers) as pool:
            list(pool.map(work, jobs))
    else:
        for job in jobs:
            work(job)
    return nngp, ntk


def _input_layer(x: np.ndarray, scale: float, beta2: float):
    """d (N,), Σ (N, N), ρ, s (N, N) of the input layer Σ = scale·xᵀx' + β² (one tile; for tests)."""
    sq = np.einsum("ij,ij->i", x, x)
    d = scale * sq + beta2
    c, rho, s, _, _ = _input_tile(x, x, sq, sq, d, d, scale, beta2, True)
    return d, c, rho, s


def ntk_gram(x: np.ndarray, depth: int, convention: str, bias: float = 0.0,
             activation: str = "relu", gh_order: int = 64, x2: np.ndarray | None = None,
             tile: int | None = None, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(NNGP, NTK) Gram matrices over the rows of ``x`` (N x n₀), float64, shapes N x N.

    With ``x2`` (M x n₀): the cross kernels between the rows of ``x`` and of ``x2`` (N x M).
    ``convention`` "jacot" (depth L ≥ 1, Jacot's index) or "arora" (depth L ≥ 0 hidden layers);
    see the module docstring for the exact recursions.  ``gh_order``: Gauss–Hermite order for
    activations without a closed form.  ``tile``: edge of the blocks of pairs computed at once
    (memory ~ 12·tile² floats per worker beyond the two outputs; default ``TILE``); ``workers``:
    threads computing tiles at once (default: the CPU cores available, at most 8; 1 = serial).
    ``workers`` does not change a bit of the result; another ``tile`` can change the last bits
    (the BLAS product xᵀx' rounds by block shape).
    """
    x, act = _check(x, depth, convention, bias, activation)
    if x2 is not None:
        x2, _ = _check(x2, depth, convention, bias, activation)
        if x2.shape[1] != x.shape[1]:
            raise InputError(f"x2 has {x2.shape[1]} columns, x has {x.shape[1]}")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1
    ):
        raise InputError(f"workers must be a positive integer, got {workers!r}")
    if tile is not None and (isinstance(tile, bool) or not isinstance(tile, (int, np.integer)) or tile < 1):
        raise InputError(f"tile must be a positive integer, got {tile!r}")
    beta2 = float(bias) ** 2
    if convention == "jacot":
        w2, scale, n_layers = 1.0, 1.0 / x.shape[1], depth - 1
    else:
        w2, scale, n_layers = float(gaussian.c_sigma(act)), 1.0, depth
    return _gram(x, x2, act, w2, scale, beta2, n_layers, gh_order, tile, workers)


# ----------------------------------------------------------------------------- mpmath path
def _mp_pair(act: gaussian.Activation, name: str, w2, a, b, c, dps: int):
    """(w²E[σ(u)σ(v)], w²E[σ̇(u)σ̇(v)]) for Λ = [[a, c], [c, b]] in mpmath."""
    if name == "relu":
        return w2 * gaussian.relu_expectation_mp(a, b, c), w2 * gaussian.step_expectation_mp(a, b, c)
    if name in ("identity", "linear"):
        return w2 * c, w2
    if name == "erf":
        return w2 * gaussian.erf_expectation_mp(a, b, c), w2 * gaussian.erf_derivative_expectation_mp(a, b, c)
    e = gaussian.mp_expectation(act.f_mp, act.f_mp, a, b, c, dps, act.kinks, act.kinks)
    ed = gaussian.mp_expectation(act.df_mp, act.df_mp, a, b, c, dps, act.kinks, act.kinks)
    return w2 * e, w2 * ed


def ntk_gram_mp(x, depth: int, convention: str, bias: float = 0.0, activation: str = "relu",
                dps: int = 50) -> tuple[list[list], list[list]]:
    """The same (NNGP, NTK) in mpmath at ``dps`` digits: nested lists of mpf (N x N).

    Inputs are taken as exact binary floats; ρ is clamped to [−1, 1]; ρ = 1 is exact on the
    diagonal because c = a there in exact arithmetic.
    """
    x, act = _check(x, depth, convention, bias, activation)
    name = act.name.strip().lower()
    n, n0 = x.shape
    with mpmath.workdps(dps + 10):
        beta2 = mpmath.mpf(float(bias)) ** 2
        xm = [[mpmath.mpf(float(v)) for v in row] for row in x]
        if convention == "jacot":
            w2, scale, n_layers = mpmath.mpf(1), 1 / mpmath.mpf(n0), depth - 1
        else:
            w2, scale, n_layers = gaussian.c_sigma(act, dps + 10), mpmath.mpf(1), depth
        sig = [
            [scale * mpmath.fsum(p * q for p, q in zip(xm[i], xm[j])) + beta2 for j in range(n)]
            for i in range(n)
        ]
        theta = [row[:] for row in sig]
        for _ in range(n_layers):
            new_sig = [[None] * n for _ in range(n)]
            dsig = [[None] * n for _ in range(n)]
            for i in range(n):
                for j in range(i, n):
                    e, ed = _mp_pair(act, name, w2, sig[i][i], sig[j][j], sig[i][j], dps)
                    if name == "relu" and (sig[i][i] == 0 or sig[j][j] == 0):
                        ed = mpmath.mpf(0)
                    new_sig[i][j] = new_sig[j][i] = e + beta2
                    dsig[i][j] = dsig[j][i] = ed
            theta = [[theta[i][j] * dsig[i][j] + new_sig[i][j] for j in range(n)] for i in range(n)]
            sig = new_sig
        return [[+v for v in row] for row in sig], [[+v for v in row] for row in theta]


def neural_tangents_gram(
    x: np.ndarray, n_relu: int, w_std: float = 1.0, b_std: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """(nngp, ntk) of neural-tangents' stax.serial(Dense(w_std, b_std), [Relu, Dense(w_std, b_std)] * n_relu).

    Input kernel xᵀx'/n₀, Dense: Σ ↦ w²Σ + b², Θ ↦ w²Θ + Σ_new; Relu with c_σ = 1.
    """
    x, act = _check(x, max(int(n_relu), 0), "arora", b_std, "relu")
    if n_relu < 0:
        raise InputError(f"n_relu must be >= 0, got {n_relu}")
    w2, beta2 = float(w_std) ** 2, float(b_std) ** 2
    return _gram(x, None, act, w2, w2 / x.shape[1], beta2, int(n_relu), 64)

