"""Array backends for the GNTK chunk-pair computation: numpy (in verify.kernels.gntk) and torch.

``torch_pair_block`` runs the same recursion as ``verify.kernels.gntk._pair_block`` in torch
float64: on the first CUDA device when one is available (``device()``), else on the CPU.  The
sparse aggregation and readout matrices of a chunk (at most ``chunk_size`` colours) are moved to
the device as dense float64 matrices, the ReLU layers are the same formulas
(Σ' = √(aa')(sin θ + (π − θ)ρ)/π, Σ̇ = (π − θ)/π, ρ = 1 exactly inside a parallel class).
Results come back as numpy arrays; on the CPU they agree with the numpy path to ~1e-15 relative
(tested at 1e-13: the products are summed in a different order).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import InputError


def device():
    """torch.device("cuda") when CUDA is available, else the CPU."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a declared dependency
        raise InputError("the torch backend needs torch") from None
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _dense(m, dev):
    import torch

    return torch.as_tensor(
        np.asarray(m.toarray() if hasattr(m, "toarray") else m, dtype=np.float64), device=dev
    )


def _relu_layer(sig, ntk, a_i, a_j, same):
    """Torch version of verify.kernels.gntk._relu_layer (new Σ, new Θ)."""
    import torch

    root = torch.sqrt(a_i)[:, None] * torch.sqrt(a_j)[None, :]
    pos = root > 0
    rho = torch.where(pos, sig / torch.where(pos, root, torch.ones_like(root)), torch.zeros_like(sig))
    rho = torch.clamp(rho, -1.0, 1.0)
    if same is not None:
        rho = torch.where(same, torch.ones_like(rho), rho)
    s = torch.sqrt(torch.clamp(1.0 - rho * rho, min=0.0))
    pm = math.pi - torch.arccos(rho)
    new_sig = (s + rho * pm) * root / math.pi
    dsig = pm / math.pi
    new_sig = torch.where(pos, new_sig, torch.zeros_like(new_sig))
    dsig = torch.where(pos, dsig, torch.zeros_like(dsig))
    return new_sig, ntk * dsig + new_sig


def torch_pair_block(col, si, sj, di, dj, blocks: int, mlp_layers: int, readout: str, level: str):
    """Same contract as verify.kernels.gntk._pair_block, computed in torch float64 on ``device()``."""
    import torch

    from .gntk import _counts

    dev = device()
    diag_pair = di is None
    out_diag = [[None] * mlp_layers for _ in range(blocks + 1)]
    feats = torch.as_tensor(col.feats, dtype=torch.float64, device=dev)
    fi = feats[torch.as_tensor(si.sets[0], device=dev)]
    fj = feats[torch.as_tensor(sj.sets[0], device=dev)]
    sig = fi @ fj.T
    ntk = sig.clone()
    layers = [(0, ntk.clone() if readout == "jk" else None)]
    for lvl in range(1, blocks + 1):
        ai, aj = _dense(si.agg[lvl], dev), _dense(sj.agg[lvl], dev)
        sig = ai @ sig @ aj.T
        ntk = ai @ ntk @ aj.T
        ci, cj = col.classes[lvl][si.sets[lvl]], col.classes[lvl][sj.sets[lvl]]
        same = None
        if mlp_layers and np.intersect1d(ci, cj).size:
            same = torch.as_tensor(np.equal.outer(ci, cj), device=dev)
        for r in range(mlp_layers):
            if diag_pair:
                a_i = a_j = torch.diagonal(sig).clone()
                out_diag[lvl][r] = a_i.cpu().numpy()
            else:
                a_i = torch.as_tensor(di[lvl][r], dtype=torch.float64, device=dev)
                a_j = torch.as_tensor(dj[lvl][r], dtype=torch.float64, device=dev)
            sig, ntk = _relu_layer(sig, ntk, a_i, a_j, same)
        if readout == "jk" or lvl == blocks:
            layers.append((lvl, ntk if lvl == blocks else ntk.clone()))
    used = layers if readout == "jk" else [layers[-1]]
    if level == "graph":
        block = torch.zeros((si.g1 - si.g0, sj.g1 - sj.g0), dtype=torch.float64, device=dev)
        for lvl, mat in used:
            block = block + _dense(_counts(si, col, lvl), dev) @ mat @ _dense(_counts(sj, col, lvl), dev).T
    else:
        block = torch.zeros((len(si.loc[0]), len(sj.loc[0])), dtype=torch.float64, device=dev)
        for lvl, mat in used:
            li = torch.as_tensor(si.loc[lvl], device=dev)
            lj = torch.as_tensor(sj.loc[lvl], device=dev)
            block = block + mat[li][:, lj]
    out = block.cpu().numpy()
    if diag_pair:
        out = 0.5 * (out + out.T)
    return out, (out_diag if diag_pair else None)
