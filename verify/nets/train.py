"""Full-batch gradient descent on the squared loss, recording predictions along the trajectory.

Loss: C(θ) = (s/2) ||κ f_θ(X) − Y||² + (λ/2) ||θ − θ₀||², s the stated normalisation
(:func:`verify.nets.kernel_regression.loss_scale`).  The regulariser is centred at the initial
parameters: linearised around θ₀, GD on C moves the predictions u = κ f exactly as
u ← u − η [s κ² Θ (u − Y) + λ (u − κ f₀)], which is the iterative kernel regression when f₀ ≡ 0.
Update: θ ← θ − η ∇C(θ) (plain GD, float64).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

Params = dict[str, torch.Tensor]


@dataclass
class Trajectory:
    """Predictions (κ f) recorded at ``steps``; parameter and kernel movement at the end."""

    steps: list[int]
    train: np.ndarray                      # (T, N)
    test: np.ndarray | None                # (T, N*)
    loss: list[float]
    params: Params = field(repr=False)     # final parameters
    weight_change: float = 0.0             # ||θ_K − θ₀|| / ||θ₀||
    diverged: bool = False


def _flat_norm(tensors) -> float:
    return float(torch.sqrt(sum((t * t).sum() for t in tensors)))


def train_gd(
    fn_train: Callable[[Params], torch.Tensor], params0: Params, y, steps: int, lr: float,
    scale: float = 1.0, kappa: float = 1.0, lam: float = 0.0,
    fn_test: Callable[[Params], torch.Tensor] | None = None, record_every: int = 1,
) -> Trajectory:
    """Run ``steps`` GD steps from ``params0`` (not modified); record every ``record_every`` steps."""
    dev = next(iter(params0.values())).device
    y_t = torch.as_tensor(np.asarray(y, float), dtype=torch.float64, device=dev)
    theta0 = {k: v.detach().clone() for k, v in params0.items()}
    theta = {k: v.detach().clone().requires_grad_(True) for k, v in params0.items()}
    rec_steps, rec_train, rec_test, losses = [], [], [], []
    diverged = False

    def record(k: int, out: torch.Tensor) -> None:
        rec_steps.append(k)
        rec_train.append(kappa * out.detach().cpu().numpy())
        if fn_test is not None:
            with torch.no_grad():
                rec_test.append(kappa * fn_test(theta).detach().cpu().numpy())

    for k in range(steps + 1):
        out = fn_train(theta)
        resid = kappa * out - y_t
        loss = 0.5 * scale * (resid * resid).sum()
        if lam:
            loss = loss + 0.5 * lam * sum(((theta[n] - theta0[n]) ** 2).sum() for n in theta)
        if k % record_every == 0 or k == steps:
            record(k, out)
            losses.append(float(loss.detach()))
        if not torch.isfinite(loss.detach()):
            diverged = True
            break
        if k == steps:
            break
        grads = torch.autograd.grad(loss, list(theta.values()))
        with torch.no_grad():
            for (n, p), g in zip(theta.items(), grads):
                p -= lr * g
    final = {k: v.detach() for k, v in theta.items()}
    change = _flat_norm([final[n] - theta0[n] for n in final]) / _flat_norm(list(theta0.values()))
    return Trajectory(rec_steps, np.array(rec_train), np.array(rec_test) if fn_test is not None else None,
                      losses, final, change, diverged)
