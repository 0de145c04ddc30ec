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

import mpmath
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
        self.A = [(g.adjacency_csr() + sp.identity(g.n, format="csr")
                   + (sp.diags(g.loop_weight.astype(float)) if g.loop_weight is not None else 0)).tocsr()
                  for g in self.graphs]
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


def _mp_aggregate(m: list[list], a1: list[list[int]], a2: list[list[int]], c1: list, c2: list) -> list[list]:
    """One aggregation of a pair matrix in mpmath: (C₁ Ã₁ M Ã₂ᵀ C₂)[u][v] (Ã with self-loops and integer
    weights, C diagonal)."""
    mp = mpmath
    n1, n2 = len(a1), len(a2)
    t = [
        [mp.fsum(a1[u][w] * m[w][v] for w in range(n1) if a1[u][w]) for v in range(n2)]
        for u in range(n1)
    ]
    return [
        [c1[u] * c2[v] * mp.fsum(a2[v][w] * t[u][w] for w in range(n2) if a2[v][w]) for v in range(n2)]
        for u in range(n1)
    ]


def _mp_relu_layer(sig: list[list], ntk: list[list], d1: list, d2: list) -> list[list]:
    """One ReLU layer in mpmath: returns the new Σ and updates Θ in place (Θ ← Θ Σ̇ + Σ'; 0 where
    a_u a'_v = 0), with ρ = Σ/√(d1 d2) clamped to [−1, 1]."""
    mp = mpmath
    n1, n2 = len(sig), len(sig[0]) if sig else 0
    new_sig = [[mp.mpf(0)] * n2 for _ in range(n1)]
    for u in range(n1):
        for v in range(n2):
            root = mp.sqrt(d1[u] * d2[v])
            if root == 0:
                ntk[u][v] = mp.mpf(0)
                continue
            rho = max(min(sig[u][v] / root, mp.mpf(1)), mp.mpf(-1))
            th = mp.acos(rho)
            new_sig[u][v] = root * (mp.sin(th) + (mp.pi - th) * rho) / mp.pi
            ntk[u][v] = ntk[u][v] * (mp.pi - th) / mp.pi + new_sig[u][v]
    return new_sig


def gntk_gram_mp(graphs: list[Graph], blocks: int, mlp_layers: int, scale: str, readout: str,
                 convention: str = "paper", dps: int = 40) -> list[list]:
    """The graph-level GNTK Gram in mpmath at ``dps`` digits (nested lists of mpf), for tests.

    The paper's recursion pair by pair on dense node matrices (see verify.kernels.gntk):
    Σ ← C Ã Σ Ã'ᵀ C', then R ReLU layers with ρ = Σ/√(aa') (clamped to [−1, 1]), θ = acos ρ,
    Σ' = √(aa')(sin θ + (π − θ)ρ)/π, Σ̇ = (π − θ)/π, Θ ← Θ Σ̇ + Σ'; a_u from the pair (G, G).
    Features are taken as exact binary floats.  Cost O(N² n⁴) mpf operations: small graphs only.
    """
    check_options(blocks, mlp_layers, scale, readout, convention)
    graphs = check_graphs(graphs)
    mp = mpmath
    with mp.workdps(dps + 10):
        feats = [
            [[mp.mpf(float(v)) for v in row] for row in np.asarray(g.features, dtype=np.float64)]
            for g in graphs
        ]
        adj = []
        for g in graphs:
            a = (g.adjacency_csr() + sp.identity(g.n, format="csr")).toarray()
            if g.loop_weight is not None:           # Ã = A + I + diag(w): integer weights
                a += np.diag(g.loop_weight.astype(float))
            adj.append([[int(v) for v in row] for row in a])
        cs = [[(mp.mpf(1) / sum(row)) if scale == "degree" else mp.mpf(1) for row in a] for a in adj]

        def run(i, j, diag_i=None, diag_j=None):
            """(value, per-stage diagonals of Σ when i == j)."""
            a1, a2, c1, c2 = adj[i], adj[j], cs[i], cs[j]
            n1, n2 = len(a1), len(a2)
            sig = [
                [mp.fsum(p * q for p, q in zip(feats[i][u], feats[j][v])) for v in range(n2)]
                for u in range(n1)
            ]
            ntk = [row[:] for row in sig]
            total = mp.fsum(mp.fsum(r) for r in ntk) if readout == "jk" else mp.mpf(0)
            diags, stage = [], 0
            for lvl in range(1, blocks + 1):
                sig, ntk = _mp_aggregate(sig, a1, a2, c1, c2), _mp_aggregate(ntk, a1, a2, c1, c2)
                for _ in range(mlp_layers):
                    if diag_i is None:
                        d1 = d2 = [sig[u][u] for u in range(n1)]
                        diags.append(d1)
                    else:
                        d1, d2 = diag_i[stage], diag_j[stage]
                    stage += 1
                    sig = _mp_relu_layer(sig, ntk, d1, d2)
                if readout == "jk" or lvl == blocks:
                    total += mp.fsum(mp.fsum(r) for r in ntk)
            return total * (2 if convention == "official" else 1), diags

        n = len(graphs)
        diag = [run(i, i)[1] for i in range(n)]
        out = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                out[i][j] = out[j][i] = +run(i, j, diag[i], diag[j])[0]
        return out
