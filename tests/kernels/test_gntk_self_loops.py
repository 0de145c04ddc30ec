"""The official GNTK code's self-loops (Ã_uu = 3 where the file lists a loop): the batched kernel with
``loop_weight`` against the 50-digit per-pair recursion and the official-structure reference."""
import numpy as np
import scipy.sparse as sp

from verify.graphs.graph import Graph
from verify.kernels.gntk import gntk_gram
from verify.kernels.gntk_reference import gntk_gram_mp, reference_gram


def _graph(n, edges, tags, loops=None):
    a = np.zeros((n, n))
    for i, j in edges:
        a[i, j] = a[j, i] = 1
    w = None if loops is None else np.array(loops)
    return Graph(sp.csr_matrix(a), np.eye(3)[tags], 0, np.array(tags), w)


GRAPHS = [
    _graph(4, [(0, 1), (1, 2), (2, 3)], [0, 1, 1, 2], [2, 0, 0, 0]),
    _graph(3, [(0, 1), (1, 2), (0, 2)], [1, 1, 0], [0, 2, 2]),
    _graph(4, [(0, 1), (1, 2), (2, 3)], [0, 1, 1, 2]),          # graph 0 without its loop
]


def test_loop_weight_matches_the_high_precision_recursion():
    for scale in ("uniform", "degree"):
        k = gntk_gram(GRAPHS, 2, 2, scale, "jk", "official")
        exact = np.array(gntk_gram_mp(GRAPHS, 2, 2, scale, "jk", "official", dps=30), dtype=float)
        assert np.max(np.abs(k - exact) / np.abs(exact)) < 1e-14
        # the official structure (arccos of a clipped float ρ near 1) loses ~1e-9 relative here
        ref = reference_gram(GRAPHS, 2, 2, scale, "jk", "official")
        assert np.max(np.abs(k - ref) / np.abs(ref)) < 1e-8
        assert abs(k[0, 0] - k[2, 2]) > 1e-3 * k[2, 2]        # the loop changes the kernel


def test_degree_scale_counts_the_loop_three_times():
    """One block, no ReLU, sum readout: Θ(G, G) = Σ_uv (C Ã X Xᵀ Ã C)_uv with c_u = 1/Σ_v Ã_uv."""
    g = GRAPHS[0]
    at = g.adjacency.toarray() + np.eye(4) + np.diag(g.loop_weight)
    c = 1.0 / at.sum(axis=1)
    assert c[0] == 1 / 4                                        # node 0: neighbour 1, itself 3 times
    x = np.asarray(g.features)
    want = np.sum(c[:, None] * (at @ x @ x.T @ at.T) * c[None, :])
    got = gntk_gram([g], 1, 0, "degree", "sum", "paper")[0, 0]
    assert abs(got - want) <= 1e-15 * want
