"""Reference gradient flow dθ/dt = −∇L(θ) for the chain model, and first-order GD predictions.

* :func:`flow_taylor` — Taylor-series integrator: Taylor coefficients of θ(t) by automatic
  differentiation of the polynomial field (Cauchy products of the matrix series of the
  prefix/suffix products), order N ≈ −½ ln(tol) + 1, step h = min_{k∈{N−1,N}} (tol/‖θ_k‖_∞)^{1/k}
  (Jorba–Zou), dense output by Horner evaluation at any requested times (e.g. every GD time
  t = kη), error estimate = Σ over steps of the size of the last two series terms.  High
  precision (dps given) runs :func:`verify.dynamics.flow_arb.arb_taylor_flow` (python-flint ``arb_mat``;
  states returned as mpf object arrays, rounding added to the estimate); dps=None runs the same
  scheme in float64 (:func:`taylor_coefficients`).
* :func:`flow_dop853` — float64 fast path (scipy DOP853), also for the modified field
  −∇L − (η/2)∇²L∇L (backward error analysis: GD follows the flow of L + (η/4)‖∇L‖² to O(η²)).
* :func:`variational_dop853` — θ' = −∇L, δ' = −∇²L δ − ½∇²L∇L, δ(0) = 0, so that
  θ_k − θ(kη) = η δ(kη) + O(η²).
* :func:`flow_reference` — one call returning float64 states plus an error estimate.

States are flat vectors θ = [vec W_1; ...; vec W_L] (see ``models.pack``).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import InputError
from ..precision import flint_bits
from . import models

__all__ = ["FlowResult", "flow_taylor", "flow_dop853", "variational_dop853", "flow_reference",
           "taylor_coefficients"]


@dataclass
class FlowResult:
    """States θ(t_j) at the requested times (rows of ``thetas``; float64 copy in ``thetas64``;
    ``thetas_exact`` holds mpf object arrays for the high-precision integrator), an error estimate (max
    abs over entries and times), the method and its settings."""

    times: np.ndarray
    thetas64: np.ndarray
    error_estimate: float
    method: str
    settings: dict
    seconds: float
    steps: int = 0
    thetas_exact: list = field(default_factory=list)


def _check_times(times) -> np.ndarray:
    t = np.asarray(times, dtype=float).ravel()
    if t.size == 0 or np.any(~np.isfinite(t)) or t[0] < 0 or np.any(np.diff(t) < 0):
        raise InputError("flow: times must be finite, non-negative and non-decreasing")
    return t


def _cauchy(A: list, B: list, k: int, ta: bool = False, tb: bool = False):
    """k-th coefficient of the product of matrix series A(t)B(t) (optionally transposing)."""
    out = None
    for j in range(k + 1):
        a = A[j].swapaxes(-1, -2) if ta else A[j]
        b = B[k - j].swapaxes(-1, -2) if tb else B[k - j]
        out = a @ b if out is None else out + a @ b
    return out


def taylor_coefficients(Ws0: Sequence[Any], Z, Y, kappa, order: int) -> list[list]:
    """Taylor coefficients W_i[k], k = 0..order, of the gradient-flow solution through Ws0:
    W_i(t) = Σ_k W_i[k] t^k.  Works on float64 or object (mpf, Fraction) arrays."""
    L = len(Ws0)
    W = [[w] for w in Ws0]
    ZZt = Z @ Z.swapaxes(-1, -2)
    YZt = Y @ Z.swapaxes(-1, -2)
    P: list = [None, W[0]] + [[] for _ in range(L - 1)]   # P[i] = W_i⋯W_1 (1-based)
    S: list = [[] for _ in range(L - 1)] + [W[L - 1], None]  # S[i] = W_L⋯W_{i+1}
    E: list = []
    Mi: list = [[] for _ in range(L)]
    two_k = 2 * kappa
    for k in range(order):
        for i in range(2, L + 1):
            P[i].append(_cauchy(W[i - 1], P[i - 1], k))
        for i in range(L - 2, -1, -1):
            S[i].append(_cauchy(S[i + 1], W[i], k))
        e = P[L][k] @ ZZt
        if k == 0:
            e = e - YZt
        E.append(two_k * e)
        for i in range(L):
            if i == L - 1:
                Mi[i] = E
            else:
                Mi[i].append(_cauchy(S[i + 1], E, k, ta=True))
            g = Mi[i][k] if i == 0 else _cauchy(Mi[i], P[i], k, tb=True)
            W[i].append(g * (-1) / (k + 1) if not isinstance(g, np.ndarray) or g.dtype != object
                        else g / (-(k + 1)))
    return W


def _flow_taylor_arb(inst: models.GNNInstance, Ws0: Sequence[Any], t: np.ndarray, dps: int, tol, order,
                     h_max: float, max_steps: int) -> FlowResult:
    """The dps path of :func:`flow_taylor`: :func:`verify.dynamics.flow_arb.arb_taylor_flow` (python-flint
    ``arb_mat`` at dps·log₂10 + 64 bits), states returned as mpf object arrays at ``dps`` digits."""
    import mpmath

    from . import flow_arb

    t0 = time.perf_counter()
    prec = flow_arb.dps_to_prec(dps)
    with flint_bits(prec):
        Z, Y, kappa = flow_arb.instance_arb(inst)
    try:
        r = flow_arb.arb_taylor_flow(Ws0, Z, Y, kappa, t, dps=dps, prec=prec, tol=tol, order=order,
                              h_max=h_max, max_steps=max_steps)
    except ArithmeticError as e:
        raise InputError(f"flow_taylor: {e}") from None
    with mpmath.workdps(dps):
        exact = [models.pack([flow_arb.arb_mat_to_object(m) for m in state]) for state in r.states]
        th64 = np.array([[float(v) for v in th] for th in exact])
    return FlowResult(
        times=t,
        thetas64=th64,
        error_estimate=r.error_estimate,
        method="taylor-arb",
        settings={
            "dps": dps,
            "tol": r.tol,
            "order": r.order,
            "h_max": h_max,
            "prec_bits": r.prec,
            "engine": "python-flint arb_mat (verify.dynamics.flow_arb)",
            "truncation_estimate": r.truncation_estimate,
            "rounding_estimate": r.rounding_estimate,
        },
        seconds=time.perf_counter() - t0,
        steps=r.steps,
        thetas_exact=exact,
    )


def flow_taylor(inst: models.GNNInstance, Ws0: Sequence[Any], times, *, dps: int | None = 30,
                tol: float | None = None, order: int | None = None, h_max: float = 1.0,
                max_steps: int = 100000) -> FlowResult:
    """Gradient flow by Taylor series, dense output at ``times``.

    dps given: the python-flint ``arb_mat`` integrator :func:`verify.dynamics.flow_arb.arb_taylor_flow`
    at ⌈dps·log₂10⌉ + 64 bits (Z = (X S^H)_{*I} computed in ball arithmetic from the exact float64
    entries of X, S); ``thetas_exact`` holds mpf object arrays at ``dps`` digits; the error
    estimate is truncation (last two series terms per step) plus rounding (ball radii per step).
    dps=None: the same scheme in float64 (for tests and as an independent float64 method).
    tol defaults to 10^(3−dps) (float64: 1e-15).  More than ``max_steps`` steps: InputError."""
    t = _check_times(times)
    if dps:
        return _flow_taylor_arb(inst, Ws0, t, int(dps), tol, order, h_max, max_steps)
    return _flow_taylor_float64(inst, Ws0, t, tol, order, h_max, max_steps)


def _horner(coef: list, x: float):
    """Σ_k coef[k] x^k by Horner's rule (coefficients are flat parameter vectors)."""
    N = len(coef) - 1
    acc = coef[N]
    for kk in range(N - 1, -1, -1):
        acc = acc * x + coef[kk]
    return acc


def _flow_taylor_float64(inst: models.GNNInstance, Ws0: Sequence[Any], t: np.ndarray, tol: float | None,
                         order: int | None, h_max: float, max_steps: int) -> FlowResult:
    """The float64 path of :func:`flow_taylor`: the same Taylor scheme, step sizes from the last two
    series terms, error estimate Σ (ρ_N h^N + ρ_{N−1} h^{N−1})."""
    t0 = time.perf_counter()
    exact = inst
    W = [np.array(w, dtype=float) for w in Ws0]
    tol_v = 1e-15 if tol is None else float(tol)
    N = order or int(math.ceil(-0.5 * math.log(tol_v) + 1))
    N = max(N, 4)
    Z, Y, kappa = exact.G, exact.Y, exact.kappa
    shapes = inst.shapes
    cur_t = 0.0
    out_states: list = [None] * len(t)
    j = 0
    while j < len(t) and t[j] == 0:
        out_states[j] = models.pack(W)
        j += 1
    err = 0.0
    steps = 0
    T_end = float(t[-1])
    while j < len(t):
        if steps >= max_steps:
            raise InputError(f"flow_taylor: more than {max_steps} steps (tol too small?)")
        C = taylor_coefficients(W, Z, Y, kappa, N)
        coef = [models.pack([C[i][k] for i in range(len(W))]) for k in range(N + 1)]
        rho = [float(np.abs(c).max()) for c in coef]
        hs = [float(h_max)]
        for kk in (N - 1, N):
            if rho[kk] > 0:
                hs.append((tol_v / rho[kk]) ** (1.0 / kk))
        h = min(hs)
        if cur_t + h >= T_end:
            h = T_end - cur_t
        # dense output at requested times inside (cur_t, cur_t + h]
        while j < len(t) and float(t[j]) <= cur_t + h:
            out_states[j] = _horner(coef, float(t[j]) - cur_t)
            j += 1
        acc = _horner(coef, h)
        err += rho[N] * h ** N + rho[N - 1] * h ** (N - 1)
        W = models.unpack(acc, shapes)
        cur_t = cur_t + h
        steps += 1
    th64 = np.array([np.asarray(s, dtype=float) for s in out_states])
    return FlowResult(times=t, thetas64=th64, error_estimate=float(err), method="taylor-float64",
                      settings={"dps": None, "tol": tol_v, "order": N, "h_max": h_max},
                      seconds=time.perf_counter() - t0, steps=steps, thetas_exact=[])


def _field(inst: models.GNNInstance, eta: float):
    shapes = inst.shapes
    G, Y, kappa = np.asarray(inst.G, float), np.asarray(inst.Y, float), float(inst.kappa)

    def f(_t, y):
        Ws = models.unpack(y, shapes)
        g = models.chain_grads(Ws, G, Y, kappa)
        if eta:
            Hg = models.chain_hvp(Ws, g, G, Y, kappa)
            return -models.pack(g) - 0.5 * eta * models.pack(Hg)
        return -models.pack(g)

    return f


def flow_dop853(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], times, *, eta: float = 0.0,
                rtol: float = 1e-13, atol: float = 1e-15) -> np.ndarray:
    """float64 states (len(times), P) of θ' = −∇L − (η/2)∇²L∇L (η = 0: the gradient flow)."""
    from scipy.integrate import solve_ivp

    t = _check_times(times)
    y0 = models.pack([np.asarray(w, float) for w in Ws0])
    if t[-1] == 0:
        return np.tile(y0, (len(t), 1))
    sol = solve_ivp(_field(inst, eta), (0.0, float(t[-1])), y0, method="DOP853", t_eval=t,
                    rtol=rtol, atol=atol)
    if not sol.success:
        raise ArithmeticError(f"DOP853 failed: {sol.message}")
    return sol.y.T.copy()


def variational_dop853(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], times, *,
                       rtol: float = 1e-13, atol: float = 1e-15) -> tuple[np.ndarray, np.ndarray]:
    """(θ(t_j), δ(t_j)) for θ' = −∇L(θ), δ' = −∇²L(θ)(δ + ½∇L(θ)), δ(0) = 0."""
    from scipy.integrate import solve_ivp

    t = _check_times(times)
    shapes = inst.shapes
    G, Y, kappa = np.asarray(inst.G, float), np.asarray(inst.Y, float), float(inst.kappa)
    y0 = models.pack([np.asarray(w, float) for w in Ws0])
    P = y0.size

    def f(_t, y):
        Ws = models.unpack(y[:P], shapes)
        g = models.chain_grads(Ws, G, Y, kappa)
        d = models.unpack(y[P:], shapes)
        Hd = models.chain_hvp(Ws, [a + 0.5 * b for a, b in zip(d, g)], G, Y, kappa)
        return np.concatenate([-models.pack(g), -models.pack(Hd)])

    sol = solve_ivp(f, (0.0, float(t[-1])), np.concatenate([y0, np.zeros(P)]), method="DOP853",
                    t_eval=t, rtol=rtol, atol=atol)
    if not sol.success:
        raise ArithmeticError(f"DOP853 failed: {sol.message}")
    return sol.y[:P].T.copy(), sol.y[P:].T.copy()


def flow_reference(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], times, *,
                   method: str = "dop853", dps: int = 30, rtol: float = 1e-13) -> FlowResult:
    """Reference flow states in float64 with an error estimate.

    method="dop853": DOP853 at ``rtol``; the error estimate is max|θ_DOP853 − θ_Taylor64|, the
    difference to the float64 Taylor-series integrator (an independent method, ~1e-15 accurate on
    the docs/math.md instance: tests and benchmarks/gd_batched.py measure it against 50 digits).
    method="taylor": the high-precision Taylor integrator at ``dps`` digits (its own estimate)."""
    t0 = time.perf_counter()
    if method == "dop853":
        a = flow_dop853(inst, Ws0, times, rtol=rtol, atol=rtol * 1e-2)
        b = flow_taylor(inst, Ws0, times, dps=None)
        return FlowResult(
            times=_check_times(times),
            thetas64=a,
            error_estimate=float(np.abs(a - b.thetas64).max()),
            method="dop853",
            settings={
                "rtol": rtol,
                "atol": rtol * 1e-2,
                "estimate": "difference to the float64 Taylor integrator",
            },
            seconds=time.perf_counter() - t0,
        )
    if method == "taylor":
        return flow_taylor(inst, Ws0, times, dps=dps)
    raise InputError(f"flow_reference: method must be 'dop853' or 'taylor' (got {method!r})")
