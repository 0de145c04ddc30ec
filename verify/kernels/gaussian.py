"""Gaussian expectations E[f(u) g(v)], (u, v) ~ N(0, Λ), Λ = [[a, c], [c, b]].

Write ρ = c/√(ab) = cos θ, s = √(1 − ρ²) = sin θ, θ ∈ [0, π], φ = π − θ.

Closed forms (arc-cosine kernels, Cho & Saul 2009; erf from Williams 1997):

* ReLU:  E[ReLU(u) ReLU(v)] = √(ab) J₁(θ)/(2π),  J₁(θ) = sin θ + (π − θ) cos θ;
* step:  E[1{u>0} 1{v>0}]   = J₀(θ)/(2π),        J₀(θ) = π − θ;
* erf:   E[erf(u) erf(v)]   = (2/π) arcsin(2c/√((1 + 2a)(1 + 2b)));
* erf':  E[erf'(u) erf'(v)] = (4/π)/√((1 + 2a)(1 + 2b) − 4c²),  erf'(z) = 2e^{−z²}/√π.

Stable angles.  arccos(ρ) loses half the digits near ρ = ±1, so the float64 functions take
(ρ, s) with s computed accurately by the caller (from (ab − c²)/(ab) without cancellation, s = 0
exactly on a diagonal) and use θ = atan2(s, ρ), φ = atan2(s, −ρ), each accurate to a few ulps.
J₁ = sin φ − φ cos φ is summed as a series for small φ (it is ≈ φ³/3 there), and
π − J₁ = φ(1 − cos θ) + (θ − sin θ) = 2φ sin²(θ/2) + (θ − sin θ) (both terms ≥ 0, θ − sin θ by
series for small θ) gives the next layer's 1 − ρ without cancellation.

Generic engine: for any activation given as an expression in ``z`` (sympy syntax; names
relu, step, erf, tanh, exp, log, sqrt, abs, max, min, sin, cos are understood),
``gauss_hermite_expectation`` (float64 tensor Gauss–Hermite, vectorised over Λ's) and
``mp_expectation`` (mpmath tanh-sinh quadrature split at the activation's kinks, at ``dps``
digits) compute E[f(u) g(v)] with u = √a z₁, v = √b (ρ z₁ + s z₂), z₁, z₂ iid N(0, 1).
"""
from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np

from ..errors import ClaimError, InputError
from ..language.scalar import scalar_expression

PI = math.pi


# ----------------------------------------------------------------------------- stable pieces
def _sin_minus_x_cos(phi: np.ndarray) -> np.ndarray:
    """sin φ − φ cos φ, accurate for all φ ∈ [0, π] (series Σ (−1)^{k+1} 2k φ^{2k+1}/(2k+1)! for φ < 0.5)."""
    phi = np.asarray(phi, dtype=np.float64)
    shape = phi.shape
    phi = phi.reshape(-1)
    out = np.sin(phi) - phi * np.cos(phi)
    small = phi < 0.5
    if np.any(small):
        p = phi[small]
        p2 = p * p
        term = p * p2 / 3.0  # k = 1: 2 φ³ / 3!
        acc = term.copy()
        # ratio between terms k -> k+1: -φ² (2k+2)/(2k) / ((2k+2)(2k+3))
        for k in range(1, 12):
            term = -term * p2 * (2 * k + 2) / (2 * k) / ((2 * k + 2) * (2 * k + 3))
            acc = acc + term
        out[small] = acc
    return out.reshape(shape)


def _x_minus_sin(theta: np.ndarray) -> np.ndarray:
    """θ − sin θ ≥ 0, by series Σ (−1)^{k+1} θ^{2k+1}/(2k+1)! for θ < 0.5."""
    theta = np.asarray(theta, dtype=np.float64)
    shape = theta.shape
    theta = theta.reshape(-1)
    out = theta - np.sin(theta)
    small = theta < 0.5
    if np.any(small):
        t = theta[small]
        t2 = t * t
        term = t * t2 / 6.0
        acc = term.copy()
        for k in range(1, 12):
            term = -term * t2 / ((2 * k + 2) * (2 * k + 3))
            acc = acc + term
        out[small] = acc
    return out.reshape(shape)


@dataclass
class ArcCos:
    """Arc-cosine quantities of an angle θ given by (ρ, s) = (cos θ, sin θ).

    ``j0`` = π − θ, ``j1`` = sin θ + (π − θ) cos θ, ``one_minus_r`` = 1 − J₁/π (≥ 0, no cancellation).
    """

    theta: np.ndarray
    j0: np.ndarray
    j1: np.ndarray
    one_minus_r: np.ndarray


def arccos_terms(rho: np.ndarray, s: np.ndarray) -> ArcCos:
    """Stable J₀, J₁, 1 − J₁/π from ρ = cos θ and s = sin θ ≥ 0."""
    rho = np.asarray(rho, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    theta = np.arctan2(s, rho)
    phi = np.arctan2(s, -rho)
    j1 = _sin_minus_x_cos(phi)
    k = 2.0 * phi * np.sin(0.5 * theta) ** 2 + _x_minus_sin(theta)
    return ArcCos(theta, phi, j1, k / PI)


def _rho_s(a, b, c):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    ab = a * b
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.clip(np.where(ab > 0, c / np.sqrt(ab), 0.0), -1.0, 1.0)
        s2 = np.where(ab > 0, (ab - c * c) / ab, 1.0)
    return a, b, rho, np.sqrt(np.clip(s2, 0.0, 1.0))


# ----------------------------------------------------------------------------- closed forms
def relu_expectation(a, b, c, s=None) -> np.ndarray:
    """E[ReLU(u)ReLU(v)] = √(ab)(sin θ + (π − θ)cos θ)/(2π); pass ``s`` = sin θ when known accurately."""
    a, b, rho, s0 = _rho_s(a, b, c)
    t = arccos_terms(rho, s0 if s is None else s)
    return np.sqrt(a * b) * t.j1 / (2 * PI)


def step_expectation(a, b, c, s=None) -> np.ndarray:
    """E[1{u>0}1{v>0}] = (π − θ)/(2π) (0 when a or b is 0: then u or v is 0 a.s.)."""
    a, b, rho, s0 = _rho_s(a, b, c)
    t = arccos_terms(rho, s0 if s is None else s)
    return np.where(a * b > 0, t.j0 / (2 * PI), 0.0)


def erf_expectation(a, b, c) -> np.ndarray:
    """E[erf(u)erf(v)] = (2/π) arcsin(2c/√((1+2a)(1+2b)))."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    return (2 / PI) * np.arcsin(np.clip(2 * c / np.sqrt((1 + 2 * a) * (1 + 2 * b)), -1.0, 1.0))


def erf_derivative_expectation(a, b, c, s=None) -> np.ndarray:
    """E[erf'(u)erf'(v)] = (4/π)/√(1 + 2a + 2b + 4(ab − c²)), with ab − c² = ab s² when ``s`` is given."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    g = a * b * s * s if s is not None else np.maximum(a * b - c * c, 0.0)
    return (4 / PI) / np.sqrt(1 + 2 * a + 2 * b + 4 * g)


def relu_expectation_mp(a, b, c):
    """ReLU closed form in mpmath (current ``mp.dps``)."""
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    if a == 0 or b == 0:
        return mpmath.mpf(0)
    rho = max(min(c / mpmath.sqrt(a * b), mpmath.mpf(1)), mpmath.mpf(-1))
    th = mpmath.acos(rho)
    return mpmath.sqrt(a * b) * (mpmath.sin(th) + (mpmath.pi - th) * rho) / (2 * mpmath.pi)


def step_expectation_mp(a, b, c):
    """Step closed form in mpmath."""
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    if a == 0 or b == 0:
        return mpmath.mpf(0)
    rho = max(min(c / mpmath.sqrt(a * b), mpmath.mpf(1)), mpmath.mpf(-1))
    return (mpmath.pi - mpmath.acos(rho)) / (2 * mpmath.pi)


def erf_expectation_mp(a, b, c):
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    return 2 / mpmath.pi * mpmath.asin(2 * c / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b)))


def erf_derivative_expectation_mp(a, b, c):
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    return 4 / mpmath.pi / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c * c)


# ----------------------------------------------------------------------------- activations
@dataclass(frozen=True)
class Activation:
    """An activation σ given as a sympy expression in ``z``, with its derivative and kinks."""

    name: str
    expr: object          # sympy expression of σ(z)
    dexpr: object         # sympy expression of σ'(z) (Heaviside(0) = 0 at kinks)
    kinks: tuple          # real points where σ or σ' is not smooth (quadrature breakpoints)
    f_np: Callable
    df_np: Callable
    f_mp: Callable
    df_mp: Callable


def _sympy_locals():
    import sympy as sp_

    z = sp_.Symbol("z", real=True)
    return z, {
        "z": z, "relu": lambda t: sp_.Max(t, 0), "step": lambda t: sp_.Heaviside(t, 0),
        "max": sp_.Max, "min": sp_.Min, "abs": sp_.Abs, "erf": sp_.erf, "tanh": sp_.tanh,
        "exp": sp_.exp, "log": sp_.log, "sqrt": sp_.sqrt, "sin": sp_.sin, "cos": sp_.cos,
        "sigmoid": lambda t: 1 / (1 + sp_.exp(-t)), "identity": lambda t: t, "linear": lambda t: t,
    }


_ALIASES = {"relu": "relu(z)", "step": "step(z)", "erf": "erf(z)", "tanh": "tanh(z)",
            "identity": "z", "linear": "z", "sigmoid": "sigmoid(z)"}


def _mp_relu(t):
    return t if t > 0 else mpmath.mpf(0)


def _mp_step(t):
    return mpmath.mpf(1) if t > 0 else mpmath.mpf(0)


#: closed-form activations built without sympy (fast import): name -> (f, f', f_mp, f'_mp, kinks)
_BUILTIN = {
    "relu": (
        lambda x: np.maximum(x, 0.0),
        lambda x: (np.asarray(x) > 0).astype(np.float64),
        _mp_relu,
        _mp_step,
        (0.0,),
    ),
    "step": (
        lambda x: (np.asarray(x) > 0).astype(np.float64),
        lambda x: np.zeros(np.shape(x)),
        _mp_step,
        lambda t: mpmath.mpf(0),
        (0.0,),
    ),
    "identity": (
        lambda x: np.asarray(x, dtype=np.float64),
        lambda x: np.ones(np.shape(x)),
        lambda t: t,
        lambda t: mpmath.mpf(1),
        (),
    ),
}
_BUILTIN["linear"] = _BUILTIN["identity"]


@functools.lru_cache(maxsize=64)
def activation(spec: str) -> Activation:
    """Parse an activation: a known name (relu, step, erf, tanh, identity, sigmoid) or an expression in z.

    relu, step and identity are built directly (Heaviside(0) = 0 for ReLU's derivative); the
    others go through sympy (expression, derivative, kinks where Max/Min/Abs/Heaviside switch).
    """
    key = spec.strip().lower()
    if key in _BUILTIN:
        f, df, fm, dfm, kinks = _BUILTIN[key]
        return Activation(key, None, None, kinks, f, df, fm, dfm)
    import sympy as sp_

    z, loc = _sympy_locals()
    text = _ALIASES.get(spec.strip().lower(), spec)
    funcs = {k: v for k, v in loc.items() if k != "z"}
    try:
        expr = scalar_expression(text, z, funcs)       # a whitelist parser: activation text never runs
    except ClaimError as exc:
        raise InputError(f"cannot read activation {spec!r}: {exc}") from None
    except (TypeError, ValueError) as exc:            # e.g. a function called with the wrong arity
        raise InputError(f"cannot read activation {spec!r}: {exc}") from None
    if not isinstance(expr, sp_.Expr) or expr.free_symbols - {z}:
        raise InputError(f"activation {spec!r} must be an expression in the single variable z")
    dexpr = sp_.diff(expr, z)
    dexpr = dexpr.replace(sp_.DiracDelta, lambda *a: sp_.Integer(0))
    kinks = set()
    for node in sp_.preorder_traversal(expr):
        args = []
        if isinstance(node, (sp_.Max, sp_.Min)) and len(node.args) == 2:
            args = [node.args[0] - node.args[1]]
        elif isinstance(node, (sp_.Abs, sp_.Heaviside, sp_.sign)):
            args = [node.args[0]]
        for arg in args:
            try:
                for r in sp_.solve(sp_.Eq(arg, 0), z):
                    if r.is_real:
                        kinks.add(float(r))
            except NotImplementedError:
                raise InputError(f"cannot locate the kinks of activation {spec!r}") from None
    mods_np = [{"Heaviside": lambda x, h0=0.0: np.heaviside(x, h0)}, "numpy", "scipy"]
    f_np = sp_.lambdify(z, expr, modules=mods_np)
    df_np = sp_.lambdify(z, dexpr, modules=mods_np)
    mp_h = {
        "Heaviside": lambda x, h0=0: mpmath.mpf(1) if x > 0 else (mpmath.mpf(0) if x < 0 else mpmath.mpf(h0))
    }
    f_mp = sp_.lambdify(z, expr, modules=[mp_h, "mpmath"])
    df_mp = sp_.lambdify(z, dexpr, modules=[mp_h, "mpmath"])
    return Activation(spec, expr, dexpr, tuple(sorted(kinks)), f_np, df_np, f_mp, df_mp)


def _np_apply(fn: Callable, x: np.ndarray) -> np.ndarray:
    out = fn(x)
    return np.broadcast_to(np.asarray(out, dtype=np.float64), np.shape(x))


# ----------------------------------------------------------------------------- generic engines
@functools.lru_cache(maxsize=8)
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.hermite_e.hermegauss(n)   # weight e^{-x²/2}
    return x, w / math.sqrt(2 * math.pi)


def gauss_hermite_expectation(f: Callable, g: Callable, a, b, c, n: int = 64, s=None) -> np.ndarray:
    """E[f(u)g(v)] by an n x n Gauss–Hermite tensor rule in float64, vectorised over (a, b, c).

    Exact for polynomials of degree < 2n in (z₁, z₂); for non-smooth f, g (ReLU) the error decays
    only algebraically in n - use the closed forms or ``mp_expectation`` for accuracy.
    """
    a, b, rho, s0 = _rho_s(a, b, c)
    s = s0 if s is None else np.asarray(s, dtype=np.float64)
    x, w = _hermite(n)
    shape = np.broadcast(a, b, rho).shape
    a, b, rho, s = (np.broadcast_to(v, shape).reshape(-1, 1, 1) for v in (a, b, rho, s))
    z1 = x.reshape(1, -1, 1)
    z2 = x.reshape(1, 1, -1)
    u = np.sqrt(a) * z1
    v = np.sqrt(b) * (rho * z1 + s * z2)
    fu = _np_apply(f, np.broadcast_to(u, (u.shape[0], n, 1)))
    gv = _np_apply(g, v)
    vals = np.einsum("kij,i,j->k", fu * gv, w, w)
    return vals.reshape(shape)


@functools.lru_cache(maxsize=16)
def _gl_nodes(degree: int, prec: int):
    """Gauss–Legendre nodes/weights on [−1, 1] (3·2^(degree−1) points) at ``prec`` bits."""
    from mpmath.calculus.quadrature import GaussLegendre

    with mpmath.workprec(prec):
        return tuple(GaussLegendre(mpmath.mp).calc_nodes(degree, prec))


def _pieces(points, lo, hi, graded=()):
    """Sorted breakpoints in [lo, hi] (always split at 0 and ±5: the Gaussian factor is then well
    resolved by each rule); ``graded`` (centre, width) pairs add centre ± width·4^k."""
    pts = {lo, hi} | {mpmath.mpf(q) for q in (-5, 0, 5) if lo < q < hi}
    for p in points:
        if lo < p < hi:
            pts.add(p)
    for centre, width in graded:
        if not (lo < centre < hi) or width <= 0:
            continue
        step = width
        while step < hi - lo:
            for q in (centre - step, centre + step):
                if lo < q < hi:
                    pts.add(q)
            step *= 4
    return sorted(pts)


def _gl_integrate(fn, pts, nodes):
    total = mpmath.mpf(0)
    for x0, x1 in itertools.pairwise(pts):
        half, mid = (x1 - x0) / 2, (x1 + x0) / 2
        total += half * mpmath.fsum(w * fn(mid + half * x) for x, w in nodes)
    return total


def mp_expectation(f: Callable, g: Callable, a, b, c, dps: int = 30, kinks_f=(), kinks_g=(), degree: int = 5):
    """E[f(u)g(v)] in mpmath at ``dps`` digits (an mpf computed with dps + 10 working digits).

    u = √a z₁, v = √b(ρ z₁ + s z₂).  Both integrals are truncated to |z| ≤ Z with
    e^{−Z²/2} < 10^{−dps−5} and computed by fixed Gauss–Legendre rules (48 nodes per piece) on
    pieces split where f's or g's argument hits a kink, so each piece is smooth.  The inner
    z₂-integral is a smooth function of z₁ that turns sharply (over a width s/|ρ|) near g's
    kinks when ρ is near ±1; the outer pieces are graded geometrically towards those points.
    ρ = ±1 (s = 0) is a 1-D integral.
    """
    with mpmath.workdps(dps + 10):
        a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
        if a < 0 or b < 0 or c * c > a * b * (1 + mpmath.mpf(10) ** (-dps)):
            raise InputError("Λ = [[a, c], [c, b]] is not positive semidefinite")
        nodes = _gl_nodes(degree, mpmath.mp.prec)
        sa, sb = mpmath.sqrt(a), mpmath.sqrt(b)
        rho = mpmath.mpf(0) if a == 0 or b == 0 else max(min(c / (sa * sb), mpmath.mpf(1)), mpmath.mpf(-1))
        s = mpmath.sqrt(max((1 - rho) * (1 + rho), mpmath.mpf(0)))
        zmax = mpmath.sqrt(2 * (dps + 5) * mpmath.log(10)) + 1
        norm = 1 / mpmath.sqrt(2 * mpmath.pi)

        def pdf(t):
            return norm * mpmath.exp(-t * t / 2)

        fk = [mpmath.mpf(k) / sa for k in kinks_f] if sa != 0 else []
        if s == 0 or sb == 0:
            gk = [mpmath.mpf(k) / (sb * rho) for k in kinks_g] if sb != 0 and rho != 0 else []
            pts = _pieces(fk + gk, -zmax, zmax)
            return +_gl_integrate(lambda t: f(sa * t) * g(sb * rho * t) * pdf(t), pts, nodes)

        def inner(t):
            base = sb * rho * t
            ip = _pieces([(mpmath.mpf(k) - base) / (sb * s) for k in kinks_g], -zmax, zmax)
            return _gl_integrate(lambda r: g(base + sb * s * r) * pdf(r), ip, nodes)

        graded = []
        if rho != 0:
            width = s / abs(rho)
            if width < mpmath.mpf("0.25"):
                graded = [(mpmath.mpf(k) / (sb * rho), width) for k in kinks_g]
        pts = _pieces(fk, -zmax, zmax, graded)
        return +_gl_integrate(lambda t: f(sa * t) * inner(t) * pdf(t), pts, nodes)


def c_sigma(act: Activation, dps: int | None = None):
    """c_σ = 1/E[σ(z)²], z ~ N(0, 1) (Arora et al.); float, or mpf at ``dps`` digits."""
    name = act.name.strip().lower()
    if name == "relu":
        return 2.0 if dps is None else mpmath.mpf(2)
    if name in ("identity", "linear"):
        return 1.0 if dps is None else mpmath.mpf(1)
    if name == "erf":
        return (
            PI / (2 * math.asin(2.0 / 3.0))
            if dps is None
            else mpmath.pi / (2 * mpmath.asin(mpmath.mpf(2) / 3))
        )
    with mpmath.workdps((dps or 20) + 10):
        pts = [-mpmath.inf] + [mpmath.mpf(k) for k in act.kinks] + [mpmath.inf]
        m2 = mpmath.quad(lambda t: act.f_mp(t) ** 2 * mpmath.exp(-t * t / 2), pts) / mpmath.sqrt(
            2 * mpmath.pi
        )
        if isinstance(m2, mpmath.mpc) or not mpmath.isfinite(m2):
            raise InputError(
                f"activation {act.name!r} is not real-valued and square-integrable on the real line "
                "(E[σ(z)²] is not a finite real number), so its kernel is undefined"
            )
        if m2 == 0:
            raise InputError(f"activation {act.name!r} has E[σ(z)²] = 0: c_σ is undefined")
        val = 1 / m2
    return float(val) if dps is None else val


_CLOSED_MP = {"relu": relu_expectation_mp, "step": step_expectation_mp, "erf": erf_expectation_mp}


def closed_form_discrepancies(names=("relu", "step"), rhos=("-1", "-0.999999", "0", "0.5", "0.999999", "1"),
                              a: str = "1.5", b: str = "0.7", dps: int = 30) -> list[dict]:
    """Each closed form against the generic quadrature engine on a grid of correlations ρ.

    Returns one record per (name, ρ): the engine's and the closed form's value (strings with
    ``dps`` digits), |difference| and the scale √(ab) (relu, erf) or 1 (step); the closed form holds
    to ``dps`` digits where |difference| <= 10^-dps · scale.  Cost: seconds per point near ρ = ±1.
    """
    out = []
    for name in names:
        if name not in _CLOSED_MP:
            raise InputError(f"no closed form for {name!r} (known: {', '.join(_CLOSED_MP)})")
        act = activation(name)
        for r in rhos:
            with mpmath.workdps(dps + 10):
                am, bm = mpmath.mpf(a), mpmath.mpf(b)
                c = mpmath.mpf(r) * mpmath.sqrt(am * bm)
                eng = mp_expectation(act.f_mp, act.f_mp, am, bm, c, dps, act.kinks, act.kinks)
                closed = _CLOSED_MP[name](am, bm, c)
                scale = mpmath.mpf(1) if name == "step" else mpmath.sqrt(am * bm)
                diff = abs(eng - closed)
                out.append({"activation": name, "rho": str(r), "engine": mpmath.nstr(eng, dps),
                            "closed_form": mpmath.nstr(closed, dps), "abs_diff": float(diff),
                            "scale": float(scale), "holds": bool(diff <= mpmath.mpf(10) ** (-dps) * scale)})
    return out
