"""The Du et al. (2019) GNN at finite width, graph-level (sum or jk readout) and node-level.

Architecture (every weight N(0, 1), c_σ = 2 for ReLU, width m):

* input h_u^{(0)} = node features (d-dim);
* BLOCK ℓ = 1..L: AGGREGATE h_u ← c_u Σ_{v ∈ N(u) ∪ {u}} h_v (matrix form H ← C Ã H, Ã = A + I,
  c_u = 1 (``uniform``) or 1/(|N(u)| + 1) (``degree``)), then R layers
  h_u ← √(c_σ/m) σ(W_r^{(ℓ)} h_u) (W_1^{(1)} is m × d, every other one m × m);
* graph-level READOUT: f(G) = wᵀ Σ_u h_u^{(L,R)} (``sum``) or
  f(G) = Σ_{ℓ=0}^{L} w_ℓᵀ Σ_u h_u^{(ℓ,R)} (``jk``, the input layer included, h^{(0,R)} = features);
* node-level: f(G)_u = wᵀ h_u^{(L,R)} (no readout sum).

With this parameterisation the empirical NTK converges to Du et al.'s Θ (``convention="paper"``;
the official code returns 2× that).  Graphs of a data set are batched into one block-diagonal
propagation matrix S = C Ã (dense, n_total × n_total) and a pooling matrix P (graphs × n_total).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch

from ..device import torch_device
from ..errors import InputError
from ..graphs import Graph
from ..kernels.gntk import gntk_gram
from .tensors import DTYPE, as_tensor, generator

C_SIGMA = 2.0
SCALES = ("uniform", "degree")
READOUTS = ("sum", "jk")
LEVELS = ("graph", "node")


@dataclass(frozen=True)
class GNNSpec:
    """``blocks`` L ≥ 1, ``mlp_layers`` R ≥ 1, ``width`` m, aggregation ``scale``, ``readout``, ``level``."""

    n_features: int
    width: int
    blocks: int = 2
    mlp_layers: int = 1
    scale: str = "uniform"
    readout: str = "sum"
    level: str = "graph"

    def __post_init__(self) -> None:
        if self.blocks < 1 or self.mlp_layers < 1:
            raise InputError(f"blocks and mlp_layers must be >= 1 (got {self.blocks}, {self.mlp_layers})")
        if self.width < 1 or self.n_features < 1:
            raise InputError(
                f"width and feature dimension must be >= 1 (got {self.width}, {self.n_features})"
            )
        if self.scale not in SCALES:
            raise InputError(f"scale must be one of {SCALES}, got {self.scale!r}")
        if self.readout not in READOUTS:
            raise InputError(f"readout must be one of {READOUTS}, got {self.readout!r}")
        if self.level not in LEVELS:
            raise InputError(f"level must be one of {LEVELS}, got {self.level!r}")


def graph_arrays(graph: Any) -> tuple[np.ndarray, np.ndarray]:
    """(adjacency without self-loops, features) of a graph object, dict or (A, X) pair, validated."""
    if isinstance(graph, (tuple, list)) and len(graph) == 2:
        a, x = graph
    elif isinstance(graph, dict):
        a, x = graph["adjacency"], graph["features"]
    else:
        a, x = graph.adjacency, graph.features
    a = np.asarray(a.toarray() if hasattr(a, "toarray") else a, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputError(f"adjacency must be square, got shape {a.shape}")
    if x.ndim != 2 or x.shape[0] != a.shape[0]:
        raise InputError(f"features must have one row per node ({a.shape[0]}), got shape {x.shape}")
    if not np.array_equal(a, a.T):
        raise InputError("adjacency must be symmetric")
    if not np.all(np.isfinite(x)):
        raise InputError("features must be finite")
    return a, x


@dataclass
class GraphBatch:
    """Several graphs as one block-diagonal system.

    ``prop``: S = C Ã (n_total × n_total); ``features``: (n_total × d); ``pool``: P (graphs × n_total),
    P_{g,u} = 1 when node u belongs to graph g; ``sizes``: nodes per graph.
    """

    prop: torch.Tensor
    features: torch.Tensor
    pool: torch.Tensor
    sizes: list[int]

    @property
    def n_nodes(self) -> int:
        return int(self.features.shape[0])


def batch_graphs(graphs: Sequence[Any], scale: str = "uniform", device=None) -> GraphBatch:
    """Batch ``graphs`` (objects with ``adjacency``/``features``, dicts, or (A, X) pairs)."""
    if scale not in SCALES:
        raise InputError(f"scale must be one of {SCALES}, got {scale!r}")
    if len(graphs) == 0:
        raise InputError("no graphs given")
    dev = torch_device(device)
    arrays = [graph_arrays(g) for g in graphs]
    dims = {x.shape[1] for _, x in arrays}
    if len(dims) != 1:
        raise InputError(f"all graphs must have the same feature dimension, got {sorted(dims)}")
    sizes = [a.shape[0] for a, _ in arrays]
    n = sum(sizes)
    s = np.zeros((n, n))
    p = np.zeros((len(arrays), n))
    feats = np.concatenate([x for _, x in arrays], axis=0)
    off = 0
    for gi, (a, _) in enumerate(arrays):
        k = a.shape[0]
        at = a + np.eye(k)
        c = np.ones(k) if scale == "uniform" else 1.0 / at.sum(axis=1)
        s[off:off + k, off:off + k] = c[:, None] * at
        p[gi, off:off + k] = 1.0
        off += k
    return GraphBatch(as_tensor(s, dev), as_tensor(feats, dev), as_tensor(p, dev), sizes)


def init_gnn(spec: GNNSpec, seed: int, device=None) -> dict[str, torch.Tensor]:
    """Parameters ``W{b}_{r}`` (block b, layer r) and output weights ``w`` (``w{b}`` for jk); all N(0, 1)."""
    dev = torch_device(device)
    g = generator(seed, dev)
    params: dict[str, torch.Tensor] = {}
    for b in range(spec.blocks):
        for r in range(spec.mlp_layers):
            fan_in = spec.n_features if (b == 0 and r == 0) else spec.width
            params[f"W{b}_{r}"] = torch.randn(spec.width, fan_in, generator=g, dtype=DTYPE, device=dev)
    if spec.readout == "jk" and spec.level == "graph":
        params["w0"] = torch.randn(spec.n_features, generator=g, dtype=DTYPE, device=dev)
        for b in range(1, spec.blocks + 1):
            params[f"w{b}"] = torch.randn(spec.width, generator=g, dtype=DTYPE, device=dev)
    else:
        params["w"] = torch.randn(spec.width, generator=g, dtype=DTYPE, device=dev)
    return params


def gnn_forward(params: dict[str, torch.Tensor], batch: GraphBatch, spec: GNNSpec) -> torch.Tensor:
    """Graph-level: outputs of shape (graphs,); node-level: shape (n_total,) in batch node order."""
    h = batch.features
    jk_out = None
    if spec.readout == "jk" and spec.level == "graph":
        jk_out = batch.pool @ (h @ params["w0"])
    for b in range(spec.blocks):
        h = batch.prop @ h
        for r in range(spec.mlp_layers):
            w = params[f"W{b}_{r}"]
            h = math.sqrt(C_SIGMA / w.shape[0]) * torch.relu(h @ w.T)
        if jk_out is not None:
            jk_out = jk_out + batch.pool @ (h @ params[f"w{b + 1}"])
    if jk_out is not None:
        return jk_out
    node_out = h @ params["w"]
    return node_out if spec.level == "node" else batch.pool @ node_out


def hidden_norms(params: dict[str, torch.Tensor], batch: GraphBatch, spec: GNNSpec) -> list[torch.Tensor]:
    """||h_u||² after the aggregation and after every ReLU layer, each a tensor of shape (n_total,).

    Used to check the diagonal-invariance fact: with c_σ = 2 a ReLU layer leaves Σ(G,G)_uu unchanged,
    so consecutive entries inside one block agree up to O(m^{-1/2}) fluctuations.
    """
    out = []
    h = batch.features
    for b in range(spec.blocks):
        h = batch.prop @ h
        out.append((h * h).sum(dim=1))
        for r in range(spec.mlp_layers):
            w = params[f"W{b}_{r}"]
            h = math.sqrt(C_SIGMA / w.shape[0]) * torch.relu(h @ w.T)
            out.append((h * h).sum(dim=1))
    return out


def gnn_kernel(
    graphs: Sequence[Any], blocks: int, mlp_layers: int, scale: str, readout: str, level: str
) -> np.ndarray:
    """Du et al.'s Θ (``convention="paper"``) from verify.kernels.gntk, as a float64 array."""
    gs = []
    for g in graphs:
        a, x = graph_arrays(g)
        gs.append(Graph(a, x))
    return np.asarray(gntk_gram(gs, blocks=blocks, mlp_layers=mlp_layers, scale=scale, readout=readout,
                                convention="paper", level=level), float)
