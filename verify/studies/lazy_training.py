"""Lazy training of wide fully connected nets: GD against the kernel predictions, and how far things move.

For each width m and seed: train the net by full-batch GD on C = (s/2)||f(X) − Y||² (s from the
named normalisation), step η = c/(s Λ_max(Θ)), and record train and test predictions.  Compare with

* the analytic-kernel GD closed form (:func:`verify.nets.kernel_regression.kernel_gd`) started from
  the network's own f₀ (the random initial function is part of both), and
* the same closed form with the empirical kernel Θ_m(0) (the linearised network),

as max over recorded steps of ||f_nn − f_ker|| / ||Y|| (train and test stacked).  Movement:
||θ_K − θ₀||/||θ₀|| and ||Θ_m(θ_K) − Θ_m(θ₀)||_F/||Θ_m(θ₀)||_F.  Theory (Jacot et al.; Lee et al.
2019): all four shrink like m^{-1/2}.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..device import single_threaded, torch_device
from ..errors import InputError
from ..kernels.ntk import ntk_gram
from ..nets.entk import empirical_ntk
from ..nets.fc import FCSpec, fc_forward, init_fc
from ..nets.kernel_regression import kernel_gd, loss_scale
from ..nets.stats import loglog_slope, mean_ci
from ..nets.tensors import as_tensor
from ..nets.train import train_gd
from .width import sphere_points


def _one_network(spec: FCSpec, net_seed: int, dev, xtr, xte, y: np.ndarray, steps: int, lr: float, s: float,
                 k_tr: np.ndarray, k_te: np.ndarray, m: int) -> dict[str, float]:
    """Train one net by GD and measure: the largest distance (over recorded steps, train and test
    stacked, over ||Y||) to kernel GD with the analytic kernel and with the empirical kernel at θ₀,
    the relative weight change, and the relative change of the empirical kernel."""
    params = init_fc(spec, net_seed, dev)

    def f_tr(p):
        return fc_forward(p, xtr, spec)

    def f_te(p):
        return fc_forward(p, xte, spec)

    traj = train_gd(f_tr, params, y, steps, lr, scale=s, fn_test=f_te, record_every=max(1, steps // 20))
    if traj.diverged:
        raise InputError(f"GD diverged at width {m} (lower lr_factor)")
    f0_tr, f0_te = traj.train[0], traj.test[0]
    nn = np.concatenate([traj.train, traj.test], axis=1)
    an = kernel_gd(k_tr, y, f0_tr, traj.steps, lr, s, k_te, f0_te)
    e0 = empirical_ntk(f_tr, params).cpu().numpy()
    e0_te = empirical_ntk(f_te, params, f_tr).cpu().numpy()
    li = kernel_gd(e0, y, f0_tr, traj.steps, lr, s, e0_te, f0_te)
    ny = float(np.linalg.norm(y))
    eT = empirical_ntk(f_tr, traj.params).cpu().numpy()
    return {
        "gap_analytic": float(np.max(np.linalg.norm(
            nn - np.concatenate([an["train"], an["test"]], axis=1), axis=1)) / ny),
        "gap_linearised": float(np.max(np.linalg.norm(
            nn - np.concatenate([li["train"], li["test"]], axis=1), axis=1)) / ny),
        "weight_change": traj.weight_change,
        "kernel_change": float(np.linalg.norm(eT - e0) / np.linalg.norm(e0)),
    }


@single_threaded
def lazy_training_study(
    convention: str = "arora", depth: int = 1, widths: Sequence[int] = (64, 256, 1024, 4096), seeds: int = 3,
    n_train: int = 8, n_test: int = 4, dim: int = 3, steps: int = 100, lr_factor: float = 0.5,
    normalisation: str = "jacot", seed: int = 0, device=None, progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The lazy-training width study (targets y = sin(3 x₁) + x₂ on sphere points, seeded)."""
    ws = [int(w) for w in widths]
    if len(ws) < 2 or sorted(set(ws)) != ws or ws[0] < 1:
        raise InputError(f"widths must be at least two increasing positive integers, got {list(widths)}")
    if seeds < 1 or steps < 1:
        raise InputError(f"seeds and steps must be >= 1 (got {seeds}, {steps})")
    dev = torch_device(device)
    x = sphere_points(n_train + n_test, dim, seed)
    y = np.sin(3 * x[:n_train, 0]) + x[:n_train, 1]
    _, theta = ntk_gram(x, depth, convention)
    theta = np.asarray(theta, float)
    k_tr, k_te = theta[:n_train, :n_train], theta[n_train:, :n_train]
    s = loss_scale(normalisation, n_train)
    lr = lr_factor / (s * float(np.linalg.eigvalsh(k_tr)[-1]))
    xtr, xte = as_tensor(x[:n_train], dev), as_tensor(x[n_train:], dev)
    cols = {"gap_analytic": [], "gap_linearised": [], "weight_change": [], "kernel_change": []}
    for m in ws:
        spec = FCSpec(dim, m, depth, convention)
        per = {k: [] for k in cols}
        for sd in range(seeds):
            one = _one_network(spec, seed * 1000 + sd, dev, xtr, xte, y, steps, lr, s, k_tr, k_te, m)
            for k in cols:
                per[k].append(one[k])
        for k in cols:
            cols[k].append(per[k])
        if progress:
            progress(f"lazy-training: m={m} gap {np.mean(per['gap_analytic']):.4g} "
                     f"weights moved {np.mean(per['weight_change']):.3g}")
    out: dict[str, Any] = {"widths": ws}
    for k, rows in cols.items():
        means, cis = zip(*(mean_ci(r) for r in rows))
        out[k] = list(means)
        out[f"{k}_ci"] = list(cis)
        out[f"{k}_slope"] = loglog_slope(ws, means)["slope"]
    out.update({"convention": convention, "depth": depth, "normalisation": normalisation, "loss_scale": s,
                "lr": lr, "steps": steps, "n_train": n_train, "n_test": n_test, "dim": dim, "seeds": seeds,
                "seed": seed, "device": str(dev), "theory_slope": -0.5,
                "gap_definition": "max_t ||f_nn(t) - f_kernel(t)|| / ||Y|| (train and test stacked; "
                                  "kernel closed form of discrete GD from the network's own f0)"})
    return out
