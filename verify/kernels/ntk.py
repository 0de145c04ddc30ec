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

Numerics.  The float64 path is vectorised over all N² pairs (numpy on the CPU; about ten
N x N float64 arrays live at once) and keeps, per pair, ρ = cos θ and s = sin θ separately: s is computed from
(ab − c²)/(ab) without cancellation (for the input layer from |x|²|x'_⊥|², x'_⊥ the part of x'
orthogonal to x, for pairs with |ρ| > 0.999; s = 0, ρ = 1 exactly on the diagonal), and for
ReLU the next layer's (ρ, s) come from the stable arc-cosine terms of
:mod:`verify.kernels.gaussian`.  Entries then agree with the mpmath path to ~1e-14 relative,
including ρ = 1 − 1e-12, duplicated and antipodal points.  erf and the generic (Gauss–Hermite)
activations use 1 − ρ² = (1 − ρ)(1 + ρ) from the computed values and are less accurate near
ρ = ±1 (the generic engine is also limited by the quadrature order).  ``ntk_gram_mp`` evaluates
the same recursion in mpmath at ``dps`` digits (closed forms for relu/erf/identity, the mpmath
quadrature engine for other activations).
"""
from __future__ import annotations

import math

import mpmath
import numpy as np

from ..errors import InputError
from . import gaussian as G

CONVENTIONS = ("jacot", "arora")


# ----------------------------------------------------------------------------- validation
def _check(x, depth, convention, bias, activation) -> tuple[np.ndarray, G.Activation]:
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
    return x, G.activation(activation)


# ----------------------------------------------------------------------------- input layer
def _input_layer(x: np.ndarray, scale: float, beta2: float, stable_threshold: float = 0.999):
    """d (N,), c (N, N), s (N, N) for Σ = scale·xᵀx' + β², with s = sin θ computed stably."""
    sq = np.einsum("ij,ij->i", x, x)
    c0 = x @ x.T
    d = scale * sq + beta2
    c = scale * c0 + beta2
    dd = np.outer(d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(dd > 0, c / np.sqrt(dd), 0.0)
        s2 = np.where(dd > 0, (dd - c * c) / dd, 1.0)
    s2 = np.clip(s2, 0.0, 1.0)
    near = np.argwhere(np.abs(rho) > stable_threshold)
    near = near[near[:, 0] != near[:, 1]]
    if near.size:
        # ab − c² = scale²(|x|²|y|² − (x·y)²) + β²·scale·|x − y|²  (two non-negative terms)
        for start in range(0, len(near), 4096):
            i, j = near[start:start + 4096, 0], near[start:start + 4096, 1]
            xi, xj = x[i], x[j]
            with np.errstate(invalid="ignore", divide="ignore"):
                t = np.where(sq[i] > 0, c0[i, j] / sq[i], 0.0)
            perp = xj - t[:, None] * xi
            # one re-orthogonalisation step (Gram–Schmidt twice) against rounding in t
            with np.errstate(invalid="ignore", divide="ignore"):
                t2 = np.where(sq[i] > 0, np.einsum("ij,ij->i", perp, xi) / sq[i], 0.0)
            perp = perp - t2[:, None] * xi
            g = scale * scale * sq[i] * np.einsum("ij,ij->i", perp, perp)
            if beta2:
                diff = xi - xj
                g = g + beta2 * scale * np.einsum("ij,ij->i", diff, diff)
            den = d[i] * d[j]
            s2[i, j] = np.where(den > 0, np.clip(g / np.where(den > 0, den, 1.0), 0.0, 1.0), 1.0)
    idx = np.arange(len(d))
    rho = np.clip(rho, -1.0, 1.0)
    rho[idx, idx] = np.where(d > 0, 1.0, 0.0)
    s = np.sqrt(s2)
    s[idx, idx] = np.where(d > 0, 0.0, 1.0)
    return d, c, rho, s


# ----------------------------------------------------------------------------- one layer (float64)
def _layer(act: G.Activation, w2: float, beta2: float, d, rho, s, gh_order: int):
    """One nonlinear layer.  In: variances d (N,), correlations ρ, sines s (N, N).

    Out: new d, Σ (N, N), Σ̇ (N, N), new ρ, s.   Σ = w²E[σσ] + β², Σ̇ = w²E[σ̇σ̇].
    """
    name = act.name.strip().lower()
    sd = np.sqrt(d)
    root = np.outer(sd, sd)
    pos = root > 0
    if name == "relu":
        t = G.arccos_terms(rho, s)
        A = w2 * d / 2.0                                  # w² E[ReLU(u)²]
        sig = w2 * root * t.j1 / (2 * math.pi) + beta2
        dsig = np.where(pos, w2 * t.j0 / (2 * math.pi), 0.0)
        dn = A + beta2
        sA = np.sqrt(A)
        rootA = np.outer(sA, sA)
        one_minus_r = t.one_minus_r
        r = t.j1 / math.pi
        # d'd'' − Σ'² = AB(1 − r)(1 + r) + β²[(√A − √B)² + 2√(AB)(1 − r)]
        gap = rootA * rootA * one_minus_r * (1 + r)
        if beta2:
            gap = gap + beta2 * ((sA[:, None] - sA[None, :]) ** 2 + 2 * rootA * one_minus_r)
        den = np.outer(dn, dn)
        ok = den > 0
        safe = np.where(ok, den, 1.0)
        rho_n = np.where(ok, np.clip(sig / np.sqrt(safe), -1.0, 1.0), 0.0)
        s_n = np.where(ok, np.sqrt(np.clip(gap / safe, 0.0, 1.0)), 1.0)
        return dn, sig, dsig, rho_n, s_n
    if name in ("identity", "linear"):
        sig = w2 * root * rho + beta2
        dsig = np.full_like(rho, w2)
        dn = w2 * d + beta2
    elif name == "erf":
        sig = w2 * G.erf_expectation(d[:, None], d[None, :], root * rho) + beta2
        dsig = w2 * G.erf_derivative_expectation(d[:, None], d[None, :], root * rho, s=s)
        dn = w2 * G.erf_expectation(d, d, d) + beta2
    else:
        dd_shape = rho.shape
        a_ = np.broadcast_to(d[:, None], dd_shape)
        b_ = np.broadcast_to(d[None, :], dd_shape)
        c_ = root * rho
        sig = np.empty(dd_shape)
        dsig = np.empty(dd_shape)
        rows = max(1, 4096 // max(1, dd_shape[1]))
        for lo in range(0, dd_shape[0], rows):
            sl = slice(lo, lo + rows)
            sig[sl] = (
                w2
                * G.gauss_hermite_expectation(act.f_np, act.f_np, a_[sl], b_[sl], c_[sl], gh_order, s=s[sl])
                + beta2
            )
            dsig[sl] = w2 * G.gauss_hermite_expectation(
                act.df_np, act.df_np, a_[sl], b_[sl], c_[sl], gh_order, s=s[sl]
            )
        dn = np.diag(sig).copy()
    den = np.outer(dn, dn)
    ok = den > 0
    safe = np.where(ok, den, 1.0)
    rho_n = np.where(ok, np.clip(sig / np.sqrt(safe), -1.0, 1.0), 0.0)
    s_n = np.where(ok, np.sqrt(np.clip((1 - rho_n) * (1 + rho_n), 0.0, 1.0)), 1.0)
    idx = np.arange(len(dn))
    rho_n[idx, idx] = np.where(dn > 0, 1.0, 0.0)
    s_n[idx, idx] = np.where(dn > 0, 0.0, 1.0)
    return dn, sig, dsig, rho_n, s_n


def ntk_gram(x: np.ndarray, depth: int, convention: str, bias: float = 0.0,
             activation: str = "relu", gh_order: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(NNGP, NTK) Gram matrices over the rows of ``x`` (N x n₀), float64, shapes N x N.

    ``convention`` "jacot" (depth L ≥ 1, Jacot's index) or "arora" (depth L ≥ 0 hidden layers);
    see the module docstring for the exact recursions.  ``gh_order``: Gauss–Hermite order for
    activations without a closed form.
    """
    x, act = _check(x, depth, convention, bias, activation)
    beta2 = float(bias) ** 2
    if convention == "jacot":
        w2, scale, n_layers = 1.0, 1.0 / x.shape[1], depth - 1
    else:
        w2, scale, n_layers = float(G.c_sigma(act)), 1.0, depth
    d, c, rho, s = _input_layer(x, scale, beta2)
    sig = c
    theta = c.copy()
    for _ in range(n_layers):
        d, sig, dsig, rho, s = _layer(act, w2, beta2, d, rho, s, gh_order)
        theta = theta * dsig + sig
    return np.array(sig, dtype=np.float64), np.array(theta, dtype=np.float64)


# ----------------------------------------------------------------------------- mpmath path
def _mp_pair(act: G.Activation, name: str, w2, a, b, c, dps: int):
    """(w²E[σ(u)σ(v)], w²E[σ̇(u)σ̇(v)]) for Λ = [[a, c], [c, b]] in mpmath."""
    if name == "relu":
        return w2 * G.relu_expectation_mp(a, b, c), w2 * G.step_expectation_mp(a, b, c)
    if name in ("identity", "linear"):
        return w2 * c, w2
    if name == "erf":
        return w2 * G.erf_expectation_mp(a, b, c), w2 * G.erf_derivative_expectation_mp(a, b, c)
    e = G.mp_expectation(act.f_mp, act.f_mp, a, b, c, dps, act.kinks, act.kinks)
    ed = G.mp_expectation(act.df_mp, act.df_mp, a, b, c, dps, act.kinks, act.kinks)
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
            w2, scale, n_layers = G.c_sigma(act, dps + 10), mpmath.mpf(1), depth
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
    d, c, rho, s = _input_layer(x, w2 / x.shape[1], beta2)
    sig, theta = c, c.copy()
    for _ in range(n_relu):
        d, sig, dsig, rho, s = _layer(act, w2, beta2, d, rho, s, 64)
        theta = theta * dsig + sig
    return np.array(sig), np.array(theta)
