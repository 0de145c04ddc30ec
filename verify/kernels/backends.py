"""Array backends for the GNTK chunk-pair computation: numpy (in verify.kernels.gntk) and torch.

``torch_pair_block`` runs the same recursion as ``verify.kernels.gntk._pair_block`` in torch
float64: on the first CUDA device when one is available (``device()``), else on the CPU.  The
sparse aggregation and readout matrices of a chunk (at most ``chunk_size`` colours) are moved to
the device as dense float64 matrices, the ReLU layers are the same formulas on δ = 1 − ρ
(see ``verify.kernels.gntk._relu_layers``; δ = 0 exactly inside a parallel class).
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


def _excess_over_pi(th, sn):
    """(θ − sin θ)/π: the Taylor series of verify.kernels.gntk (all its terms) below θ = 0.5."""
    import torch

    from .gntk import _SERIES_BELOW, _SERIES_OVER_PI

    t2 = th * th
    ser = torch.full_like(th, _SERIES_OVER_PI[-1])
    for c in reversed(_SERIES_OVER_PI[:-1]):
        ser = ser * t2 + c
    return torch.where(th < _SERIES_BELOW, ser * t2 * th, (th - sn) / math.pi)


def _relu_layers(dl, ntk, r_i, r_j, layers: int):
    """Torch version of verify.kernels.gntk._relu_layers (whole matrices): (δ, Θ, root) after
    ``layers`` layers, from δ = 1 − ρ; Σ' = Σ̇ = 0 where root = √(a a') = 0."""
    import torch

    root = r_i[:, None] * r_j[None, :]
    nil = root == 0
    one, zero = torch.ones_like(dl), torch.zeros_like(dl)
    dl = torch.where(nil, one, dl)
    for _ in range(layers):
        th = 2.0 * torch.arcsin(torch.sqrt(dl * 0.5))
        sn = torch.sqrt(dl * (2.0 - dl))
        dot = torch.where(nil, zero, (math.pi - th) / math.pi)
        dl = torch.where(nil, one, dl * dot + _excess_over_pi(th, sn))
        ntk = ntk * dot + (1.0 - dl) * root
    return dl, ntk, root


def _delta_int(n, n_i, n_j):
    """Level 1, integer features: δ = (n n' − N²)/(√(n n')(√(n n') + N)) (N ≥ 0), 1 − N/√(n n') (N < 0)."""
    import torch

    rt = torch.sqrt(n_i[:, None] * n_j[None, :])
    det = n_i[:, None] * n_j[None, :] - n * n
    safe = torch.where(rt > 0, rt, torch.ones_like(rt))
    den = torch.where(n >= 0, safe * (safe + n), torch.ones_like(rt))
    dl = torch.where(n >= 0, det / den, 1.0 - n / safe)
    return torch.clamp(torch.where(rt > 0, dl, torch.ones_like(dl)), 0.0, 2.0)


def _delta_rho(sig, a_i, a_j):
    """Level 1, general features: δ = 1 − clip(Σ/√(a a'), −1, 1) (1 where a a' = 0)."""
    import torch

    root = torch.sqrt(a_i)[:, None] * torch.sqrt(a_j)[None, :]
    pos = root > 0
    rho = torch.clamp(sig / torch.where(pos, root, torch.ones_like(root)), -1.0, 1.0)
    return torch.where(pos, 1.0 - rho, torch.ones_like(rho))


def _delta_e(e_mat, s_i, s_j, e_i, e_j):
    """Level ℓ ≥ 2: δ = (E/(S S'ᵀ) − g)/r, r = √(1 − e)√(1 − e')ᵀ, g = (e + (1 − e) e')/(1 + r)."""
    import torch

    ss = s_i[:, None] * s_j[None, :]
    r = torch.sqrt(1.0 - e_i)[:, None] * torch.sqrt(1.0 - e_j)[None, :]
    g = (e_i[:, None] + (1.0 - e_i)[:, None] * e_j[None, :]) / (1.0 + r)
    pos = (ss > 0) & (r > 0)
    one = torch.ones_like(ss)
    dl = (e_mat / torch.where(pos, ss, one) - g) / torch.where(pos, r, one)
    return torch.clamp(torch.where(pos, dl, one), 0.0, 2.0)


def torch_pair_block(col, si, sj, di, dj, blocks: int, mlp_layers: int, readout: str, level: str):
    """Same contract as verify.kernels.gntk._pair_block, computed in torch float64 on ``device()``."""
    import torch

    from .gntk import _counts, _exact_products, _integer_features, _level_data

    dev = device()
    diag_pair = di is None
    out_diag: list = [None] * (blocks + 1)

    def t(x):
        return torch.as_tensor(np.asarray(x, dtype=np.float64), device=dev)

    feats = t(col.feats)
    fi = feats[torch.as_tensor(si.sets[0], device=dev)]
    fj = feats[torch.as_tensor(sj.sets[0], device=dev)]
    sig = fi @ fj.T
    ntk = sig.clone()
    exact1 = mlp_layers > 0 and _integer_features(col.feats)
    layers = [(0, ntk.clone() if readout == "jk" else None)]
    for lvl in range(1, blocks + 1):
        ai, aj = _dense(si.agg[lvl], dev), _dense(sj.agg[lvl], dev)
        if mlp_layers == 0:
            sig = ai @ sig @ aj.T
            ntk = ai @ ntk @ aj.T
        else:
            big_s = None
            if lvl == 1:
                mi, mj = (_dense(si.raw1, dev), _dense(sj.raw1, dev)) if exact1 else (ai, aj)
                sig = mi @ sig @ mj.T
            else:
                prev_i = di[lvl - 1] if not diag_pair else out_diag[lvl - 1]
                prev_j = dj[lvl - 1] if not diag_pair else out_diag[lvl - 1]
                big_s = (ai @ torch.sqrt(t(prev_i["a"])), aj @ torch.sqrt(t(prev_j["a"])))
                sig = ai @ sig @ aj.T                 # E
                ntk = ai @ ntk @ aj.T
            if diag_pair:
                s_own = None if big_s is None else big_s[0].cpu().numpy()
                out_diag[lvl] = _level_data(lvl, torch.diagonal(sig).cpu().numpy().copy(), s_own, exact1,
                                            si.scale1)
            d_i, d_j = (out_diag[lvl], out_diag[lvl]) if diag_pair else (di[lvl], dj[lvl])
            a_i, a_j = t(d_i["a"]), t(d_j["a"])
            if lvl == 1 and exact1:
                c = t(si.scale1)[:, None] * t(sj.scale1)[None, :]
                ntk = sig * c
                if _exact_products(d_i, d_j):
                    dl = _delta_int(sig, t(d_i["x"]), t(d_j["x"]))
                else:
                    dl = _delta_rho(ntk, a_i, a_j)
            elif lvl == 1:
                ntk = sig.clone()
                dl = _delta_rho(sig, a_i, a_j)
            else:
                dl = _delta_e(sig, big_s[0], big_s[1], t(d_i["x"]), t(d_j["x"]))
            ci, cj = col.classes[lvl][si.sets[lvl]], col.classes[lvl][sj.sets[lvl]]
            if np.intersect1d(ci, cj).size:
                same = torch.as_tensor(np.equal.outer(ci, cj), device=dev)
                dl = torch.where(same, torch.zeros_like(dl), dl)
            dl, ntk, root = _relu_layers(dl, ntk, torch.sqrt(a_i), torch.sqrt(a_j), mlp_layers)
            sig = root * dl                           # W for the next aggregation
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
