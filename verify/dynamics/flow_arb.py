"""High-precision gradient flow of the chain model by Taylor series in python-flint ``arb_mat``.

The flow dW_i/dt = −∇_{W_i} L of L = κ ||W_L ⋯ W_1 Z − Y||_F² (factors ``Ws = [W_1, ..., W_L]``,
W_i of shape (m_i, m_{i−1}); see :mod:`verify.dynamics.models`) has a polynomial right-hand side,

    ∇_{W_i} L = S_{i+1}ᵀ E P_{i−1}ᵀ,   E = 2κ (P_L Z − Y) Zᵀ,
    P_i = W_i ⋯ W_1 (P_0 = I),   S_{i+1} = W_L ⋯ W_{i+1} (S_{L+1} = I),

so the Taylor coefficients W_i[k] of W_i(t) about the current point follow from Cauchy products of
matrix series: W_i[k+1] = −(∇_{W_i} L)[k] / (k + 1), with (∇L)[k] computed from the coefficients
0..k of the prefix products P, suffix products S and E[k] = 2κ (P_L[k] Z Zᵀ − δ_{k0} Y Zᵀ).

One step: order N ≈ −½ ln(tol) + 1; ρ_k = max-abs entry of the k-th coefficient (all factors);
step h = min(h_max, min_{k∈{N−1,N}} (tol/ρ_k)^{1/k}) (Jorba–Zou); the new state is the Taylor
polynomial at h (Horner), and requested times inside the step are evaluated from the same
polynomial (dense output).  Arithmetic is ball arithmetic at ``prec`` bits (fast C matrix
products); the midpoint is kept after every step.

Error estimate (max abs over entries and times): the sum over steps of the size of the last two
series terms, ρ_N h^N + ρ_{N−1} h^{N−1} (truncation), plus the largest ball radius of each new
state (rounding within the step, including the rounding of Z, Y and κ).  It is a sum of local
errors (no propagation factor): tests compare it with the observed error against a run at a much
tighter tolerance.

python-flint's precision is global state (``flint.ctx.prec``): every function here sets it for
its own work and restores it on exit, also on errors.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ..errors import InputError
from ..precision import digits_to_bits, flint_bits

__all__ = ["ArbFlow", "arb_taylor_flow", "dps_to_prec", "to_arb_mat", "arb_to_mpf",
           "arb_mat_to_object", "instance_arb"]

GUARD_BITS = 64


def dps_to_prec(dps: int) -> int:
    """Working precision in bits for ``dps`` decimal digits: ⌈dps·log₂10⌉ + 64 guard bits.

    The guard bits absorb the over-estimation of ball arithmetic in the Taylor recursion (measured
    on make_problem(1) at 30 digits: with 16 guard bits the ball radii of a step reach 5e-23, with
    64 bits 1e-37, while the true difference to a 50-digit run is 6e-29), so the rounding term of
    the error estimate stays far below the truncation tolerance."""
    return digits_to_bits(dps, GUARD_BITS)


def _arb_scalar(x: Any):
    """One entry as an arb at the current precision: float64, int, Fraction and mpmath mpf are
    converted exactly (then rounded to the working precision if they have more bits)."""
    import flint

    if isinstance(x, flint.arb):
        return x
    if isinstance(x, Fraction):
        return flint.arb(x.numerator) / x.denominator
    if isinstance(x, (int, np.integer)):
        return flint.arb(int(x))
    if type(x).__name__ == "mpf":
        if not x:
            return flint.arb(0)
        if not math.isfinite(x):
            raise InputError(f"arb_taylor_flow: non-finite entry {x}")
        sign, man, exp, _bc = x._mpf_          # x = (−1)^sign · man · 2^exp exactly
        return flint.arb((flint.fmpz(-int(man) if sign else int(man)), int(exp)))
    return flint.arb(float(x))


def to_arb_mat(a: Any):
    """A 2-D array (float64, or object entries: int / Fraction / mpf) or an ``arb_mat`` as ``arb_mat``."""
    import flint

    if isinstance(a, flint.arb_mat):
        return a
    arr = np.asarray(a, dtype=object if np.asarray(a).dtype == object else float)
    if arr.ndim != 2:
        raise InputError(f"arb_taylor_flow: expected a matrix, got an array of shape {arr.shape}")
    return flint.arb_mat(arr.shape[0], arr.shape[1], [_arb_scalar(x) for x in arr.ravel()])


def arb_to_mpf(x: Any):
    """The midpoint of an arb as an mpmath mpf (exact, then rounded to mpmath's current precision)."""
    import mpmath

    man, exp = x.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


def arb_mat_to_object(m: Any) -> np.ndarray:
    """Midpoints of an ``arb_mat`` as a numpy object array of mpf (at mpmath's current precision)."""
    rows, cols = m.nrows(), m.ncols()
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = arb_to_mpf(m[i, j])
    return out


def instance_arb(inst: Any) -> tuple[Any, Any, Any]:
    """(Z, Y, κ) of a :class:`~verify.dynamics.models.GNNInstance` as arb at the current precision,
    Z = (X S^H)_{*I} computed in ball arithmetic from the exact float64 (or object) entries of X, S."""
    import flint

    XS = to_arb_mat(inst.X)
    S = to_arb_mat(inst.S)
    for _ in range(inst.H):
        XS = XS * S
    cols = list(inst.train)
    Z = flint.arb_mat(XS.nrows(), len(cols), [XS[i, j] for i in range(XS.nrows()) for j in cols])
    return Z, to_arb_mat(inst.Y), _arb_scalar(inst.kappa)


@dataclass
class ArbFlow:
    """States at the requested times: ``states[j]`` = [W_1(t_j), ..., W_L(t_j)] as ``arb_mat``
    midpoints (exact binary numbers of ``prec`` bits); ``error_estimate`` = max-abs estimate over
    entries and times (see the module docstring); ``steps`` Taylor steps of order ``order``."""

    times: np.ndarray
    states: list
    error_estimate: float
    truncation_estimate: float
    rounding_estimate: float
    steps: int
    order: int
    tol: float
    prec: int
    h_max: float
    seconds: float
    step_sizes: list = field(default_factory=list)

    def settings(self) -> dict:
        return {"prec_bits": self.prec, "tol": self.tol, "order": self.order, "h_max": self.h_max}


def _cauchy(A: list, B: list, k: int):
    """k-th coefficient of the product of matrix series A(t) B(t) (coefficients 0..k known)."""
    out = A[0] * B[k]
    for j in range(1, k + 1):
        out = out + A[j] * B[k - j]
    return out


def _maxabs(m) -> float:
    return max((abs(float(x.mid())) for x in m.entries()), default=0.0)


def _maxrad(m) -> float:
    return max((float(x.rad()) for x in m.entries()), default=0.0)


def _series(W0: list, ZZt, YZt, two_k, N: int) -> list[list]:
    """Taylor coefficients [W_i[0..N]] of the flow through W0 (arb_mat, current precision)."""
    import flint

    L = len(W0)
    W = [[w] for w in W0]
    # P[i] = W_i⋯W_1 (1-based i = 1..L), PT their transposes; S[i] = W_L⋯W_{i+1} (0-based i < L), ST.
    P: list = [None, W[0]] + [[] for _ in range(L - 1)]
    PT: list = [None] + [[] for _ in range(L)]
    S: list = [[] for _ in range(L - 1)] + [W[L - 1]]
    ST: list = [None] + [[] for _ in range(L - 1)]     # ST[i] used for i = 1..L-1
    E: list = []
    Mi: list = [[] for _ in range(L - 1)] + [E]        # Mi[i] = S_{i+1}ᵀ E (0-based), Mi[L-1] = E
    for k in range(N):
        for i in range(2, L + 1):
            P[i].append(_cauchy(W[i - 1], P[i - 1], k))
        for i in range(1, L):
            PT[i].append(P[i][k].transpose())
        for i in range(L - 2, -1, -1):
            S[i].append(_cauchy(S[i + 1], W[i], k))
        for i in range(1, L):
            ST[i].append(S[i][k].transpose())
        e = P[L][k] * ZZt
        if k == 0:
            e = e - YZt
        E.append(two_k * e)
        scale = flint.arb(-1) / (k + 1)
        for i in range(L):
            if i < L - 1:
                Mi[i].append(_cauchy(ST[i + 1], E, k))
            g = Mi[i][k] if i == 0 else _cauchy(Mi[i], PT[i], k)
            W[i].append(g * scale)
    return W


def _horner(coeffs: list, tau):
    out = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        out = out * tau + c
    return out


def _settings(Ws0, times, dps: int, prec, tol, order, h_max: float) -> tuple:
    """(times as an array, precision in bits, local tolerance, Taylor order N); InputError when bad."""
    t = np.asarray(times, dtype=float).ravel()
    if t.size == 0 or np.any(~np.isfinite(t)) or t[0] < 0 or np.any(np.diff(t) < 0):
        raise InputError("arb_taylor_flow: times must be finite, non-negative and non-decreasing")
    if not Ws0:
        raise InputError("arb_taylor_flow: need at least one factor")
    if dps < 5:
        raise InputError(f"arb_taylor_flow: dps must be >= 5 (got {dps})")
    prec = dps_to_prec(dps) if prec is None else int(prec)
    tol_v = 10.0 ** (3 - dps) if tol is None else float(tol)
    if not (0 < tol_v < 1) or not (h_max > 0):
        raise InputError(f"arb_taylor_flow: need 0 < tol < 1 and h_max > 0 (got tol={tol_v}, h_max={h_max})")
    N = max(int(order) if order else int(math.ceil(-0.5 * math.log(tol_v) + 1)), 4)
    return t, prec, tol_v, N


def _arb_problem(Ws0, Z, Y) -> tuple[list, Any, Any]:
    """Factors, Z and Y as ``arb_mat`` at the current precision; InputError when the shapes do not chain."""
    W = [to_arb_mat(w) for w in Ws0]
    Za, Ya = to_arb_mat(Z), to_arb_mat(Y)
    for i in range(1, len(W)):
        if W[i].ncols() != W[i - 1].nrows():
            raise InputError(f"arb_taylor_flow: factor {i + 1} has {W[i].ncols()} columns, "
                             f"factor {i} has {W[i - 1].nrows()} rows")
    if W[0].ncols() != Za.nrows() or Ya.nrows() != W[-1].nrows() or Ya.ncols() != Za.ncols():
        raise InputError("arb_taylor_flow: shapes of Z, Y and the factors do not chain")
    return W, Za, Ya


def _step_size(rho: dict, log_tol: float, h_max: float) -> float:
    """The largest h ≤ h_max with ρ_k h^k ≤ tol for the two highest Taylor coefficients ρ_k."""
    h = float(h_max)
    for kk, r in rho.items():
        if r > 0:
            h = min(h, math.exp((log_tol - math.log(r)) / kk))
    return h


def arb_taylor_flow(Ws0: Sequence[Any], Z: Any, Y: Any, kappa: Any, times: Sequence[float], *,
             dps: int = 30, prec: int | None = None, tol: float | None = None, order: int | None = None,
             h_max: float = 1.0, max_steps: int = 100000) -> ArbFlow:
    """Gradient flow dW_i/dt = −∇_{W_i} L of L = κ||W_L⋯W_1 Z − Y||_F² from ``Ws0``, dense output.

    ``Ws0`` = [W_1(0), ..., W_L(0)], ``Z`` (m_x × n̄), ``Y`` (m_y × n̄): float64 arrays, object
    arrays of int / Fraction / mpf, or ``arb_mat`` (converted exactly, then rounded to ``prec``
    bits); ``kappa`` a number.  ``times``: finite, non-negative, non-decreasing.  ``prec`` defaults
    to :func:`dps_to_prec` (dps); ``tol`` (local truncation per step) to 10^(3−dps); ``order`` to
    ⌈−½ ln tol + 1⌉ (at least 4).  Raises ``ArithmeticError`` after ``max_steps`` steps (the step
    size collapsed, e.g. near a blow-up): a caller never gets a truncated trajectory."""
    import flint

    t, prec, tol_v, N = _settings(Ws0, times, dps, prec, tol, order, h_max)
    log_tol = math.log(tol_v)
    t0 = time.perf_counter()
    with flint_bits(prec):
        W, Za, Ya = _arb_problem(Ws0, Z, Y)
        ZZt = Za * Za.transpose()
        YZt = Ya * Za.transpose()
        two_k = 2 * _arb_scalar(kappa)
        out: list = [None] * len(t)
        j = 0
        while j < len(t) and t[j] == 0:
            out[j] = list(W)
            j += 1
        cur = flint.arb(0)
        T_end = flint.arb(float(t[-1]))
        trunc = rnd = 0.0
        steps = 0
        hs: list[float] = []
        while j < len(t):
            if steps >= max_steps:
                raise ArithmeticError(
                    f"arb_taylor_flow: more than {max_steps} Taylor steps before t = {t[-1]} "
                    f"(reached t = {float(cur.mid()):.6g}; tol too small or a blow-up?)"
                )
            C = _series(W, ZZt, YZt, two_k, N)
            rho = {kk: max(_maxabs(C[i][kk]) for i in range(len(W))) for kk in (N - 1, N)}
            h = _step_size(rho, log_tol, h_max)
            remaining = float((T_end - cur).mid())
            last = h >= remaining
            ha = (T_end - cur).mid() if last else flint.arb(h)
            hf = remaining if last else h
            # dense output at requested times inside (cur, cur + h]
            while j < len(t) and (last or float(t[j]) <= float(cur.mid()) + h):
                tau = (flint.arb(float(t[j])) - cur).mid()
                out[j] = [_horner(C[i], tau).mid() for i in range(len(W))]
                j += 1
            new = [_horner(C[i], ha) for i in range(len(W))]
            rnd += max(_maxrad(m) for m in new)
            trunc += sum(r * hf ** kk for kk, r in rho.items())
            W = [m.mid() for m in new]
            cur = T_end if last else (cur + ha).mid()
            steps += 1
            hs.append(hf)
        states = out
    return ArbFlow(times=t, states=states, error_estimate=trunc + rnd, truncation_estimate=trunc,
                   rounding_estimate=rnd, steps=steps, order=N, tol=tol_v, prec=prec, h_max=float(h_max),
                   seconds=time.perf_counter() - t0, step_sizes=hs)
