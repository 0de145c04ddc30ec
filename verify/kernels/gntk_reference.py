"""Per-pair GNTK following the structure of the official code (KangchengHou/gntk, gntk.py).

One pair of graphs at a time: the aggregation is a sparse Kronecker product kron(Ã, Ã') applied
to the row-major vec of the n x n' covariance (kron(Ã, Ã') vec_r(S) = vec_r(Ã S Ã'ᵀ)), the ReLU
layers use arccos of the clipped correlation, diagonals come from a per-graph pass (``diag``),
and the official loop runs ``num_layers = blocks + 1`` with the last aggregation skipped.  It is
the baseline for tests and for ``benchmarks/gntk_gram.py``; ``verify.kernels.gntk`` is the fast one.

Deviation from the official code (documented, not in its structure): a zero variance (a zero
feature row) gives Σ = Σ̇ = 0 instead of a division by zero.
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from ..graphs.graph import Graph
from .gntk import check_graphs, check_options


class ReferenceGNTK:
    """Official-code structure.  ``value(i, j)`` is the paper's Θ(G_i, G_j) (x 2 for official)."""

    def __init__(self, graphs: list[Graph], blocks: int, mlp_layers: int, scale: str, readout: str,
                 convention: str = "paper") -> None:
        check_options(blocks, mlp_layers, scale, readout, convention)
        self.graphs = check_graphs(graphs)
        self.num_layers = blocks + 1
        self.num_mlp_layers = mlp_layers
        self.jk = readout == "jk"
        self.scale = scale
        self.factor = 2.0 if convention == "official" else 1.0
        self.A = [(g.adjacency_csr() + sp.identity(g.n, format="csr")).tocsr() for g in self.graphs]
        self.diags = [self._diag(g, a) for g, a in zip(self.graphs, self.A)]

    # --- the official helpers
    @staticmethod
    def _next(S, diag1, diag2):
        root = diag1[:, None] * diag2[None, :]
        pos = root > 0
        S = np.where(pos, S / np.where(pos, root, 1.0), 0.0)
        S = np.clip(S, -1, 1)
        DS = np.where(pos, (math.pi - np.arccos(S)) / math.pi, 0.0)
        S = (S * (math.pi - np.arccos(S)) + np.sqrt(1 - S * S)) / np.pi
        S = np.where(pos, S * root, 0.0)
        return S, DS

    @staticmethod
    def _adj(S, adj_block, n1, n2, scale_mat):
        return adj_block.dot(S.reshape(-1)).reshape(n1, n2) * scale_mat

    def _scale_mat(self, a1, a2):
        if self.scale == "uniform":
            return 1.0
        return 1.0 / np.outer(np.asarray(a1.sum(axis=1)).ravel(), np.asarray(a2.sum(axis=0)).ravel())

    def _diag(self, g: Graph, a) -> list[np.ndarray]:
        n = a.shape[0]
        scale_mat = self._scale_mat(a, a)
        diag_list = []
        adj_block = sp.kron(a, a, format="csr")
        sigma = np.matmul(g.features, g.features.T)
        sigma = self._adj(sigma, adj_block, n, n, scale_mat)
        for layer in range(1, self.num_layers):
            for _ in range(self.num_mlp_layers):
                diag = np.sqrt(np.diag(sigma))
                sigma, _ds = self._next(sigma, diag, diag)
                diag_list.append(diag)
            if layer != self.num_layers - 1:
                sigma = self._adj(sigma, adj_block, n, n, scale_mat)
        return diag_list

    def node_matrix(self, i: int, j: int) -> np.ndarray:
        """The n_i x n_j node-level matrix (before the readout sum), times the convention factor."""
        g1, g2 = self.graphs[i], self.graphs[j]
        a1, a2 = self.A[i], self.A[j]
        d1, d2 = self.diags[i], self.diags[j]
        n1, n2 = a1.shape[0], a2.shape[0]
        scale_mat = self._scale_mat(a1, a2)
        adj_block = sp.kron(a1, a2, format="csr")
        jump_ntk = 0
        sigma = np.matmul(g1.features, g2.features.T)
        jump_ntk += sigma
        sigma = self._adj(sigma, adj_block, n1, n2, scale_mat)
        ntk = np.copy(sigma)
        for layer in range(1, self.num_layers):
            for mlp_layer in range(self.num_mlp_layers):
                k = (layer - 1) * self.num_mlp_layers + mlp_layer
                sigma, dot_sigma = self._next(sigma, d1[k], d2[k])
                ntk = ntk * dot_sigma + sigma
            jump_ntk = jump_ntk + ntk
            if layer != self.num_layers - 1:
                sigma = self._adj(sigma, adj_block, n1, n2, scale_mat)
                ntk = self._adj(ntk, adj_block, n1, n2, scale_mat)
        return (jump_ntk if self.jk else ntk) * self.factor

    def value(self, i: int, j: int) -> float:
        return float(np.sum(self.node_matrix(i, j)))


def reference_gram(
    graphs: list[Graph],
    blocks: int,
    mlp_layers: int,
    scale: str,
    readout: str,
    convention: str,
    level: str = "graph",
    pairs: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Gram by a Python loop over pairs i ≤ j (graph level) or node blocks (node level).

    ``pairs`` restricts the graph-level loop to the given pairs (others left 0; used to time a subset).
    """
    ref = ReferenceGNTK(graphs, blocks, mlp_layers, scale, readout, convention)
    n = len(graphs)
    if level == "graph":
        out = np.zeros((n, n))
        todo = pairs if pairs is not None else [(i, j) for i in range(n) for j in range(i, n)]
        for i, j in todo:
            out[i, j] = out[j, i] = ref.value(i, j)
        return out
    offs = np.concatenate([[0], np.cumsum([g.n for g in graphs])])
    out = np.zeros((offs[-1], offs[-1]))
    for i in range(n):
        for j in range(i, n):
            m = ref.node_matrix(i, j)
            out[offs[i]:offs[i + 1], offs[j]:offs[j + 1]] = m
            out[offs[j]:offs[j + 1], offs[i]:offs[i + 1]] = m.T
    return out
