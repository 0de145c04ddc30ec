"""Gradient descent θ_{k+1} = θ_k − η ∇L(θ_k) for the chain model.

* :func:`run_gd_batched` — torch, one tensor per factor with a leading configuration axis
  (C, m_i, m_{i−1}); a step size and an initialisation seed per configuration; float64 by
  default; device "cpu" | "cuda" | "auto" (TF32 disabled on CUDA).  Parameters are recorded at
  checkpoint times shared by all step sizes (t = j·Δ, each config records at step k = t/η), and
  optionally per-step traces (loss, excess loss, λ_min of the prefix Gram matrix).
* :func:`gd_numpy` — the same iteration for one configuration in a plain numpy loop (baseline,
  and the reference for tests).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..device import resolve_device
from ..errors import InputError
from . import models

__all__ = ["GDRun", "run_gd_batched", "gd_numpy", "steps_for"]


def steps_for(T: float, eta: float, what: str = "T") -> int:
    """K = T/η when it is an integer (to 1e-9 relative), else InputError."""
    if not (eta > 0 and np.isfinite(eta)):
        raise InputError(f"step size eta must be a positive finite number (got {eta})")
    k = T / eta
    K = int(round(k))
    if abs(k - K) > 1e-9 * max(1.0, k):
        raise InputError(f"{what} = {T} is not an integer multiple of eta = {eta}")
    return K


@dataclass
class GDRun:
    """Result of :func:`run_gd_batched`.

    params[i]: array (C, n_ckpt, m_i, m_{i−1}) of factor i at checkpoint times ``ckpt_times``;
    traces (if requested): dict of arrays (C, K_max + 1) with NaN after a config's last step."""

    etas: np.ndarray
    seeds: list | None
    T: float
    ckpt_times: np.ndarray
    params: list
    steps: np.ndarray
    device: str
    dtype: str
    seconds: float
    traces: dict = field(default_factory=dict)

    def theta_at(self, c: int, j: int) -> np.ndarray:
        """Flat θ of config c at checkpoint j (models.pack order)."""
        return models.pack([p[c, j] for p in self.params])


def _schedule(etas, T: float, ckpt_dt: float | None) -> tuple:
    """(η as an array, steps K_c = T/η_c, checkpoint spacing Δ, steps per checkpoint Δ/η_c, number of
    checkpoints T/Δ + 1); InputError when a ratio is not an integer."""
    etas = np.asarray(etas, dtype=float).ravel()
    if etas.size == 0:
        raise InputError("run_gd_batched: no step sizes given")
    if not (np.isfinite(T) and T > 0):
        raise InputError(f"T must be a positive finite number (got {T})")
    Ks = np.array([steps_for(T, e) for e in etas])
    dt = float(etas.max()) if ckpt_dt is None else float(ckpt_dt)
    strides = np.array([steps_for(dt, e, "checkpoint spacing") for e in etas])
    return etas, Ks, dt, strides, steps_for(T, dt, "T") + 1


def _initial_factors(inst: models.GNNInstance, init, seeds, C: int, zero_first: bool, tdt, dev) -> list:
    """The C stacked initial factors (C, m_i, m_{i−1}): ``init`` repeated, or one draw per seed."""
    import torch

    if init is not None:
        return [torch.tensor(np.broadcast_to(np.asarray(w, float), (C,) + np.shape(w)).copy(),
                             dtype=tdt, device=dev) for w in init]
    per = [models.init_weights(inst, int(s), zero_first=zero_first) for s in seeds]
    return [torch.tensor(np.stack([p[i] for p in per]), dtype=tdt, device=dev)
            for i in range(len(inst.shapes))]


def _checkpoint(rec: list, Ws: list, k: int, strides: np.ndarray, Ks: np.ndarray, dev) -> None:
    """Record the factors of every configuration whose checkpoint falls on step k."""
    import torch

    on_ck = (k % strides == 0) & (k <= Ks)
    if on_ck.any():
        sel = torch.tensor(np.nonzero(on_ck)[0], device=dev)
        jj = torch.tensor(k // strides[on_ck], device=dev)
        for r, W in zip(rec, Ws):
            r[sel, jj] = W[sel]


def _trace_step(tr: dict, k: int, Ws: list, Z, Y, Ystar, kappa: float, act):
    """Write L, the excess loss κ‖Ŷ − YΠ‖² and λ_min((W_{L−1}⋯W_1)ᵀ(⋯)) of step k into the traces
    (NaN where ``act`` is False); returns the losses (C,)."""
    import torch

    P = models.chain_product(Ws, 0, len(Ws) - 1)
    yhat = models._mm(models._mm(Ws[-1], P), Z)
    lossv = kappa * ((yhat - Y) ** 2).sum(dim=(-1, -2))
    exv = kappa * ((yhat - Ystar) ** 2).sum(dim=(-1, -2))
    lam = torch.linalg.eigvalsh(models._mm(P.transpose(-1, -2), P))[:, 0].clamp_min(0)
    nan = torch.tensor(float("nan"), dtype=lossv.dtype, device=lossv.device)
    tr["loss"][:, k] = torch.where(act, lossv, nan)
    tr["excess"][:, k] = torch.where(act, exv, nan)
    tr["lambda_min"][:, k] = torch.where(act, lam, nan)
    return lossv


def _config_seeds(init, seeds: Sequence[int] | None, C: int) -> list[int] | None:
    """One initialisation seed per configuration (default 0), or None when shared initial factors are
    given (no per-configuration seed)."""
    if init is not None:
        return None
    seeds = [int(x) for x in seeds] if seeds is not None else [0] * C
    if len(seeds) != C:
        raise InputError("run_gd_batched: need one seed per step size")
    return seeds


def run_gd_batched(inst: models.GNNInstance, etas: Sequence[float], T: float, *,
                   seeds: Sequence[int] | None = None, init: Sequence[np.ndarray] | None = None,
                   ckpt_dt: float | None = None, device: str = "cpu", dtype: str = "float64",
                   trace: bool = False, zero_first: bool = False, divergence: float = 1e12,
                   progress=None) -> GDRun:
    """Run C = len(etas) GD configurations in lockstep up to time T (K_c = T/η_c steps each).

    init: factors shared by every configuration (else ``init_weights(inst, seeds[c])``).
    ckpt_dt: checkpoint spacing Δ (default: the largest η); Δ must be a multiple of every η.
    trace: also record, at every step, L, the excess loss κ‖Ŷ − YΠ‖² and λ_min((W_{L−1}⋯W_1)ᵀ(⋯))
    (float eigvalsh: a structurally singular product shows ~1e-17, not 0).
    With ``trace``, configurations whose loss exceeds ``divergence`` (or is not finite) are frozen
    from then on and their traces are NaN afterwards."""
    import torch

    etas, Ks, dt, strides, n_ck = _schedule(etas, T, ckpt_dt)
    C = etas.size
    dev = resolve_device(device)
    tdt = {"float64": torch.float64, "float32": torch.float32}.get(dtype)
    if tdt is None:
        raise InputError(f"dtype must be float64 or float32 (got {dtype!r})")
    seeds = _config_seeds(init, seeds, C)
    t0 = time.perf_counter()
    Ws = _initial_factors(inst, init, seeds, C, zero_first, tdt, dev)
    Z = torch.tensor(np.asarray(inst.G, float), dtype=tdt, device=dev)
    Y = torch.tensor(np.asarray(inst.Y, float), dtype=tdt, device=dev)
    kappa = float(inst.kappa)
    eta_t = torch.tensor(etas, dtype=tdt, device=dev)
    K_max = int(Ks.max())
    Ks_t = torch.tensor(Ks, device=dev)
    rec = [torch.full((C, n_ck) + tuple(s), float("nan"), dtype=tdt, device=dev) for s in inst.shapes]
    if trace:
        Ystar = Y @ torch.tensor(
            np.asarray(models.row_projector(np.asarray(inst.G, float))), dtype=tdt, device=dev
        )
        tr = {k: torch.full((C, K_max + 1), float("nan"), dtype=tdt, device=dev)
              for k in ("loss", "excess", "lambda_min")}
    alive = torch.ones(C, dtype=torch.bool, device=dev)
    report_every = max(1, K_max // 8)
    stops = set(int(x) for x in Ks)  # steps at which some configuration stops
    step = None
    for k in range(K_max + 1):
        _checkpoint(rec, Ws, k, strides, Ks, dev)
        if trace:
            act = (k <= Ks_t) & alive
            lossv = _trace_step(tr, k, Ws, Z, Y, Ystar, kappa, act)
            alive = alive & torch.isfinite(lossv) & (lossv < divergence)
        if k == K_max:
            break
        G = models.chain_grads(Ws, Z, Y, kappa)
        if trace or step is None or k in stops:
            step = torch.where((k < Ks_t) & alive, eta_t, torch.zeros_like(eta_t))[:, None, None]
        for W, g in zip(Ws, G):
            W.sub_(step * g)
        if progress and k and k % report_every == 0:
            progress(f"gd: step {k}/{K_max} ({C} configurations)")
    params = [r.cpu().numpy() for r in rec]
    traces = {k: v.cpu().numpy() for k, v in tr.items()} if trace else {}
    return GDRun(etas=etas, seeds=seeds, T=float(T), ckpt_times=np.arange(n_ck) * dt, params=params,
                 steps=Ks, device=dev, dtype=dtype, seconds=time.perf_counter() - t0, traces=traces)


def gd_numpy(
    inst: models.GNNInstance, Ws0: Sequence[Any], eta: Any, K: int, *, record_every: int = 0
) -> tuple[list, list]:
    """K plain GD steps for one configuration (numpy or object arrays).  Returns (final factors,
    list of flat θ recorded every ``record_every`` steps including step 0; empty if 0)."""
    Ws = [np.array(w, copy=True) for w in Ws0]
    rec = []
    for k in range(K + 1):
        if record_every and k % record_every == 0:
            rec.append(models.pack(Ws))
        if k == K:
            break
        g = models.grads(inst, Ws)
        Ws = [w - eta * gi for w, gi in zip(Ws, g)]
    return Ws, rec
