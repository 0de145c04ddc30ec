"""Convergence of the empirical NTK at initialisation to the analytic kernel, over widths.

For each width m and seed s: Θ_m = empirical NTK of a freshly initialised net (seed s),
e(m, s) = ||Θ_m − Θ||_F / ||Θ||_F with Θ the analytic kernel (float64, verify.kernels).
Reported: mean over seeds with a 95 % Student-t interval, and the least-squares slope of
log mean e against log m (theory: −1/2, the central-limit rate of the 1/m sums in Θ_m).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..device import single_threaded, torch_device
from ..errors import InputError
from ..graphs.random_graphs import tagged_graphs
from ..kernels.ntk import ntk_gram
from ..nets.entk import empirical_ntk
from ..nets.fc import FCSpec, fc_forward, init_fc
from ..nets.gnn import GNNSpec, batch_graphs, gnn_forward, gnn_kernel, init_gnn
from ..nets.stats import loglog_slope, mean_ci
from ..nets.tensors import as_tensor


def sphere_points(n: int, dim: int, seed: int) -> np.ndarray:
    """``n`` points uniform on the unit sphere S^{dim−1} (rows), from a seeded numpy generator."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _check_widths(widths: Sequence[int], seeds: int) -> list[int]:
    ws = [int(w) for w in widths]
    if len(ws) < 2 or any(w < 1 for w in ws) or sorted(set(ws)) != ws:
        raise InputError(f"widths must be at least two increasing positive integers, got {list(widths)}")
    if seeds < 1:
        raise InputError(f"seeds must be >= 1, got {seeds}")
    return ws


def _relative_errors(ws, seeds, seed, theta, make_spec, init, forward, progress, label) -> list[list[float]]:
    """||Θ_m − Θ||_F/||Θ||_F for every width m and seed (seeds seed·1000 + s)."""
    errors = []
    for m in ws:
        spec = make_spec(m)
        row = []
        for s in range(seeds):
            params = init(spec, seed * 1000 + s)
            emp = empirical_ntk(lambda p: forward(p, spec), params).cpu().numpy()
            row.append(float(np.linalg.norm(emp - theta) / np.linalg.norm(theta)))
        errors.append(row)
        if progress:
            progress(f"{label}: m={m} mean rel. error {np.mean(row):.4g}")
    return errors


def _summarise(widths: list[int], errors: list[list[float]]) -> dict[str, Any]:
    means, cis = zip(*(mean_ci(e) for e in errors))
    fit = loglog_slope(widths, means)
    return {"widths": widths, "rel_error": list(means), "ci": list(cis), "per_seed": errors,
            "slope": fit["slope"], "slope_stderr": fit["slope_stderr"], "r2": fit["r2"],
            "theory_slope": -0.5}


@single_threaded
def fc_width_study(
    convention: str = "arora", depth: int = 2, bias: float = 0.0, widths: Sequence[int] = (16, 64, 256, 1024),
    seeds: int = 5, n_points: int = 8, dim: int = 3, seed: int = 0, activation: str = "relu",
    device=None, progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The width study for a fully connected net; inputs on the unit sphere (seed ``seed``)."""
    ws = _check_widths(widths, seeds)
    dev = torch_device(device)
    x = sphere_points(n_points, dim, seed)
    _, theta = ntk_gram(x, depth, convention, bias=bias, activation=activation)
    theta = np.asarray(theta, float)
    xt = as_tensor(x, dev)
    errors = _relative_errors(
        ws,
        seeds,
        seed,
        theta,
        lambda m: FCSpec(dim, m, depth, convention, bias, activation),
        lambda spec, sd: init_fc(spec, sd, dev),
        lambda p, spec: fc_forward(p, xt, spec),
        progress,
        "ntk-width",
    )
    out = _summarise(ws, errors)
    out.update(
        {
            "model": "fc",
            "convention": convention,
            "depth": depth,
            "bias": bias,
            "activation": activation,
            "n_points": n_points,
            "dim": dim,
            "seeds": seeds,
            "seed": seed,
            "device": str(dev),
            "norm": "relative Frobenius ||Θ_m − Θ||/||Θ||",
        }
    )
    return out


@single_threaded
def gnn_width_study(
    graphs: Sequence[Any] | None = None, blocks: int = 2, mlp_layers: int = 1, scale: str = "uniform",
    readout: str = "sum", level: str = "graph", widths: Sequence[int] = (16, 64, 256, 1024), seeds: int = 5,
    seed: int = 0, device=None, progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The width study for the Du et al. GNN (default graphs: 6 random graphs with 5 nodes)."""
    ws = _check_widths(widths, seeds)
    dev = torch_device(device)
    if graphs is None:
        graphs = tagged_graphs(6, 5, 3, seed)
    theta = gnn_kernel(graphs, blocks, mlp_layers, scale, readout, level)
    batch = batch_graphs(graphs, scale, dev)
    errors = _relative_errors(
        ws, seeds, seed, theta,
        lambda m: GNNSpec(batch.features.shape[1], m, blocks, mlp_layers, scale, readout, level),
        lambda spec, sd: init_gnn(spec, sd, dev), lambda p, spec: gnn_forward(p, batch, spec), progress,
        "ntk-width (gnn)")
    out = _summarise(ws, errors)
    out.update({"model": "gnn", "convention": "paper", "blocks": blocks, "mlp_layers": mlp_layers,
                "depth": blocks, "scale": scale, "readout": readout, "level": level, "n_graphs": len(graphs),
                "seeds": seeds, "seed": seed, "device": str(dev),
                "norm": "relative Frobenius ||Θ_m − Θ||/||Θ||"})
    return out
