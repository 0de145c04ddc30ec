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


# ----------------------------------------------------------------------------- certified (ball) reference
def _wl_colours(graphs: list[Graph], blocks: int) -> tuple[list[list[int]], list[list[tuple]], list]:
    """1-WL colours of all nodes of ``graphs`` jointly, written independently of the engine:
    colour_0 = the feature row, colour_ℓ(u) = the sorted multiset (with Ã's integer weights) of the
    colour_{ℓ−1} of u's neighbours and u itself.  Returns per level: the colour of every node (in
    graph order), the children multiset of every colour (ℓ ≥ 1; as ((child, count), ...)), and the
    level-0 feature row of every colour."""
    adj = []
    for g in graphs:
        a = (g.adjacency_csr() + sp.identity(g.n, format="csr")).toarray()
        if g.loop_weight is not None:
            a += np.diag(np.asarray(g.loop_weight, dtype=float))
        adj.append(np.rint(a).astype(int))
    rows = [tuple(float(v) for v in r) for g in graphs for r in np.asarray(g.features, dtype=np.float64)]
    ids0: dict = {}
    col = [[ids0.setdefault(r, len(ids0)) for r in rows]]
    feats = [None] * len(ids0)
    for r, k in ids0.items():
        feats[k] = r
    kids: list[list[tuple]] = [[]]
    offs = np.concatenate([[0], np.cumsum([g.n for g in graphs])])
    for _ in range(blocks):
        prev, ids, new = col[-1], {}, []
        for gi, a in enumerate(adj):
            for u in range(a.shape[0]):
                ms: dict = {}
                for v in np.nonzero(a[u])[0]:
                    c = prev[offs[gi] + v]
                    ms[c] = ms.get(c, 0) + int(a[u, v])
                new.append(ids.setdefault(tuple(sorted(ms.items())), len(ids)))
        table = [None] * len(ids)
        for key, k in ids.items():
            table[k] = key
        col.append(new)
        kids.append(table)
    return col, kids, feats


def _ball_relu(sig, ntk, prec_one):
    """One ReLU layer (c_σ = 2) on arb matrices (lists of lists) with ρ clipped to [−1, 1] as an
    interval: κ₁, κ₀ are increasing in ρ, so their enclosures over the clipped ball are the union of
    their values at its two ends; zero variance gives 0."""
    from flint import arb

    pi = arb.pi()
    k = len(sig)
    diag = [sig[i][i] for i in range(k)]

    def kappas(r):
        th = r.acos()
        return (th.sin() + (pi - th) * r) / pi, (pi - th) / pi

    new_sig = [[arb(0)] * k for _ in range(k)]
    for i in range(k):
        for j in range(k):
            root = (diag[i] * diag[j]).sqrt()
            if root == 0:
                ntk[i][j] = arb(0)
                continue
            rho = sig[i][j] / root
            lo = max(min(rho.lower(), prec_one), -prec_one)
            hi = max(min(rho.upper(), prec_one), -prec_one)
            k1_lo, k0_lo = kappas(lo)
            k1_hi, k0_hi = kappas(hi)
            k1, k0 = arb.union(k1_lo, k1_hi), arb.union(k0_lo, k0_hi)
            new_sig[i][j] = root * k1
            ntk[i][j] = ntk[i][j] * k0 + new_sig[i][j]
    return new_sig


def gntk_gram_ball(graphs: list[Graph], blocks: int, mlp_layers: int, scale: str, readout: str,
                   convention: str = "paper", prec: int = 212) -> tuple[np.ndarray, np.ndarray]:
    """The graph-level GNTK Gram as certified enclosures (python-flint arb balls at ``prec`` bits):
    (midpoints, radii), both N x N float64 (midpoints rounded; radii rounded up).

    The paper's recursion (see verify.kernels.gntk) on colour x colour matrices of the joint 1-WL
    colours (``_wl_colours``, written independently of the engine): Σ ← C M Σ Mᵀ C, Θ likewise,
    then R ReLU layers; the readout is nᵀ Θ n' with n the colour counts of a graph.  Features must be
    exact binary floats (they are).  Cost: O(K³) ball operations per level for K joint colours
    (a few hundred colours: seconds), so it reaches graphs far beyond ``gntk_gram_mp``.
    """
    from flint import arb, arb_mat, ctx

    check_options(blocks, mlp_layers, scale, readout, convention)
    graphs = check_graphs(graphs)
    old = ctx.prec
    ctx.prec = prec
    try:
        col, kids, feats = _wl_colours(graphs, blocks)
        one = arb(1)
        k0 = len(feats)
        f = arb_mat(k0, len(feats[0]), [arb(v) for r in feats for v in r])
        sig = f * f.transpose()
        ntk = sig
        offs = np.concatenate([[0], np.cumsum([g.n for g in graphs])])
        n_graphs = len(graphs)

        def readout_of(lvl, mat):
            k = mat.nrows()
            cnt = arb_mat(n_graphs, k)
            for gi in range(n_graphs):
                for u in range(offs[gi], offs[gi + 1]):
                    cnt[gi, col[lvl][u]] += 1
            return cnt * mat * cnt.transpose()

        total = readout_of(0, ntk) if readout == "jk" else None
        for lvl in range(1, blocks + 1):
            table = kids[lvl]
            kprev = sig.nrows()
            m = arb_mat(len(table), kprev)
            for k, ms in enumerate(table):
                c = one / sum(n for _, n in ms) if scale == "degree" else one
                for child, n in ms:
                    m[k, child] = c * n
            sig = m * sig * m.transpose()
            ntk = m * ntk * m.transpose()
            if mlp_layers:
                kk = sig.nrows()
                s = [[sig[i, j] for j in range(kk)] for i in range(kk)]
                t = [[ntk[i, j] for j in range(kk)] for i in range(kk)]
                for _ in range(mlp_layers):
                    s = _ball_relu(s, t, one)
                sig = arb_mat(s)
                ntk = arb_mat(t)
            if readout == "jk":
                total = total + readout_of(lvl, ntk)
            elif lvl == blocks:
                total = readout_of(lvl, ntk)
        if convention == "official":
            total = total * 2
        mid = np.array([[float(total[i, j].mid()) for j in range(n_graphs)] for i in range(n_graphs)])
        rad = np.array([[float(total[i, j].rad()) for j in range(n_graphs)] for i in range(n_graphs)])
        return mid, rad
    finally:
        ctx.prec = old
