"""GNTK: batched colour-level engine against the per-pair official-structure reference, and properties."""
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.errors import InputError
from verify.graphs import Graph, load_dataset
from verify.graphs.random_graphs import erdos_renyi
from verify.kernels.gntk import gntk_gram
from verify.kernels.gntk_reference import ReferenceGNTK, reference_gram


def random_graphs(seed, count=6, dim=3, onehot=False, max_n=6):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        n = int(rng.integers(1, max_n + 1))
        a = erdos_renyi(n, 0.45, rng)
        if onehot:
            x = np.eye(dim)[rng.integers(0, dim, n)]
        else:
            x = rng.normal(size=(n, dim))
        out.append(Graph(a, x, int(rng.integers(0, 2))))
    return out


def _close(a, b, rtol=1e-7):
    return np.max(np.abs(a - b)) <= rtol * np.max(np.abs(b))


CASES = list(
    itertools.product([1, 2], [0, 1, 2], ["uniform", "degree"], ["sum", "jk"], ["paper", "official"])
)


@pytest.mark.parametrize("blocks,mlp,scale,readout,convention", CASES)
def test_batched_matches_reference_graph_level(blocks, mlp, scale, readout, convention):
    gs = random_graphs(blocks * 10 + mlp)
    ref = reference_gram(gs, blocks, mlp, scale, readout, convention)
    for chunk in (None, 2):
        assert _close(gntk_gram(gs, blocks, mlp, scale, readout, convention, chunk_size=chunk), ref)


@pytest.mark.parametrize("scale,readout", list(itertools.product(["uniform", "degree"], ["sum", "jk"])))
def test_batched_matches_reference_node_level_and_one_hot(scale, readout):
    gs = random_graphs(5, count=5, onehot=True)   # one-hot tags: many shared colours
    for blocks, mlp, convention in ((1, 1, "paper"), (3, 2, "official")):
        ref = reference_gram(gs, blocks, mlp, scale, readout, convention, level="node")
        for chunk in (None, 3):
            got = gntk_gram(gs, blocks, mlp, scale, readout, convention, level="node", chunk_size=chunk)
            assert _close(got, ref)
        g_ref = reference_gram(gs, blocks, mlp, scale, readout, convention)
        assert _close(gntk_gram(gs, blocks, mlp, scale, readout, convention), g_ref)


def test_official_is_twice_paper():
    gs = random_graphs(11)
    for readout in ("sum", "jk"):
        p = gntk_gram(gs, 2, 2, "degree", readout, "paper")
        o = gntk_gram(gs, 2, 2, "degree", readout, "official")
        assert np.array_equal(o, 2 * p)


def test_graph_level_is_sum_of_node_level_blocks():
    gs = random_graphs(12)
    node = gntk_gram(gs, 2, 1, "uniform", "jk", "paper", level="node")
    graph = gntk_gram(gs, 2, 1, "uniform", "jk", "paper")
    offs = np.concatenate([[0], np.cumsum([g.n for g in gs])])
    sums = np.array(
        [
            [node[offs[i] : offs[i + 1], offs[j] : offs[j + 1]].sum() for j in range(len(gs))]
            for i in range(len(gs))
        ]
    )
    assert _close(sums, graph, 1e-12)


def test_node_level_kernel_of_a_graph_with_itself_is_the_restriction():
    gs = random_graphs(13, count=4)
    whole = gntk_gram(gs, 2, 2, "degree", "sum", "paper", level="node")
    offs = np.concatenate([[0], np.cumsum([g.n for g in gs])])
    for i, g in enumerate(gs):
        alone = gntk_gram([g], 2, 2, "degree", "sum", "paper", level="node")
        assert _close(whole[offs[i]:offs[i + 1], offs[i]:offs[i + 1]], alone, 1e-12)
        ref = ReferenceGNTK([g], 2, 2, "degree", "sum").node_matrix(0, 0)
        assert _close(alone, ref)


def test_permutation_invariance_of_graph_level_kernel():
    gs = random_graphs(21, count=5)
    rng = np.random.default_rng(0)
    perm_gs = []
    for g in gs:
        p = rng.permutation(g.n)
        perm_gs.append(Graph(g.adjacency[np.ix_(p, p)], g.features[p], g.label))
    for readout in ("sum", "jk"):
        a = gntk_gram(gs, 3, 2, "degree", readout, "paper")
        b = gntk_gram(perm_gs, 3, 2, "degree", readout, "paper")
        assert _close(a, b, 1e-12)


def test_wrong_aggregation_is_detected():
    # Ã without the self-loop differs from the GNTK: the comparison is sensitive to the recursion
    gs = random_graphs(31, count=4)
    ref = reference_gram(gs, 2, 1, "uniform", "sum", "paper")
    no_loop = ReferenceGNTK(gs, 2, 1, "uniform", "sum")
    no_loop.A = [g.adjacency_csr() for g in gs]
    no_loop.diags = [no_loop._diag(g, a) for g, a in zip(gs, no_loop.A)]
    bad = np.array([[no_loop.value(i, j) for j in range(len(gs))] for i in range(len(gs))])
    assert not _close(bad, ref, 1e-3)


def test_mutag_subset_matches_reference():
    gs = load_dataset("mutag")
    full = gntk_gram(gs, 2, 2, "degree", "jk", "official")
    sub = list(range(0, 188, 15))
    ref = reference_gram([gs[i] for i in sub], 2, 2, "degree", "jk", "official")
    assert _close(full[np.ix_(sub, sub)], ref)


@settings(max_examples=20)
@given(st.integers(0, 10_000), st.integers(1, 3), st.integers(0, 2), st.sampled_from(["uniform", "degree"]),
       st.sampled_from(["sum", "jk"]), st.floats(0.1, 5.0))
def test_properties_symmetric_psd_homogeneous(seed, blocks, mlp, scale, readout, t):
    gs = random_graphs(seed, count=5)
    k = gntk_gram(gs, blocks, mlp, scale, readout, "paper")
    assert np.array_equal(k, k.T)
    assert np.linalg.eigvalsh(k).min() >= -1e-9 * np.max(np.abs(k))
    scaled = [Graph(g.adjacency, t * g.features, g.label) for g in gs]
    assert _close(gntk_gram(scaled, blocks, mlp, scale, readout, "paper"), t * t * k, 1e-10)


def test_bad_inputs():
    good = Graph(np.array([[0.0, 1.0], [1.0, 0.0]]), np.ones((2, 1)))
    with pytest.raises(InputError, match="symmetric"):
        gntk_gram(
            [Graph(np.array([[0.0, 1.0], [0.0, 0.0]]), np.ones((2, 1)))], 1, 1, "uniform", "sum", "paper"
        )
    with pytest.raises(InputError, match="rows"):
        gntk_gram([Graph(good.adjacency, np.ones((3, 1)))], 1, 1, "uniform", "sum", "paper")
    with pytest.raises(InputError, match="self-loops"):
        gntk_gram([Graph(np.eye(2), np.ones((2, 1)))], 1, 1, "uniform", "sum", "paper")
    with pytest.raises(InputError):
        gntk_gram([good], -1, 1, "uniform", "sum", "paper")
    with pytest.raises(InputError):
        gntk_gram([good], 1, 1, "uniform", "mean", "paper")
    with pytest.raises(InputError):
        gntk_gram([good], 1, 1, "uniform", "sum", "paper", chunk_size=0)
    with pytest.raises(InputError):
        gntk_gram([], 1, 1, "uniform", "sum", "paper")


def _parallel_colour_graphs():
    """One-hot tags A, B.  Node a of G0 (Ñ = {a, b}: counts (1, 1)) and the centre of G1 (tag A with
    neighbours A, B, B: Ñ counts (2, 2)) have parallel aggregated features of different colours."""
    def graph(edges, tags, n):
        a = np.zeros((n, n))
        for u, v in edges:
            a[u, v] = a[v, u] = 1.0
        return Graph(a, np.eye(2)[tags], 0)

    return [graph([(0, 1)], [0, 1], 2), graph([(0, 1), (0, 2), (0, 3)], [0, 0, 1, 1], 4),
            graph([(0, 1), (1, 2)], [1, 0, 1], 3), graph([(0, 1), (0, 2), (1, 2), (2, 3)], [0, 1, 1, 0], 4)]


@pytest.mark.parametrize("blocks,mlp,scale,readout", [(1, 1, "uniform", "sum"), (2, 2, "degree", "jk"),
                                                      (3, 1, "uniform", "jk"), (2, 3, "degree", "sum")])
def test_discrete_features_match_mpmath_to_1e_14(blocks, mlp, scale, readout):
    from verify.kernels.gntk import colours
    from verify.kernels.gntk_reference import gntk_gram_mp

    gs = _parallel_colour_graphs()
    col = colours(gs, blocks, scale)
    # the (1, 1) and (2, 2) colours are different colours of one parallel class at level 1
    a0, c1 = col.col[1][0], col.col[1][2]
    assert a0 != c1 and col.classes[1][a0] == col.classes[1][c1]
    got = gntk_gram(gs, blocks, mlp, scale, readout, "official")
    ref = np.array([[float(v) for v in r] for r in gntk_gram_mp(gs, blocks, mlp, scale, readout, "official")])
    assert np.max(np.abs(got - ref) / np.abs(ref)) <= 1e-14
    assert np.array_equal(got, got.T)


def test_parallel_classes_separate_non_parallel_colours():
    from verify.kernels.gntk import colours

    gs = _parallel_colour_graphs()
    col = colours(gs, 2, "uniform")
    # level 1 colours by child counts over (A, B): classes must equal the normalised count vectors
    for lvl in (1,):
        m = col.children[lvl].toarray()
        direction = [tuple(np.round(r / r.sum(), 12)) for r in m]
        for k1 in range(len(m)):
            for k2 in range(len(m)):
                assert (col.classes[lvl][k1] == col.classes[lvl][k2]) == (direction[k1] == direction[k2])


@pytest.mark.parametrize("level,readout", [("graph", "jk"), ("node", "sum")])
def test_torch_backend_equals_numpy_on_cpu(level, readout):
    gs = load_dataset("mutag")[:40] if level == "graph" else random_graphs(21, count=6, onehot=True)
    for chunk in (None, 64):
        a = gntk_gram(gs, 2, 2, "degree", readout, "official", level, chunk_size=chunk)
        b = gntk_gram(gs, 2, 2, "degree", readout, "official", level, chunk_size=chunk, backend="torch")
        assert np.max(np.abs(a - b)) <= 1e-13 * np.max(np.abs(a))
        assert np.array_equal(b, b.T)
    with pytest.raises(InputError, match="backend"):
        gntk_gram(gs, 1, 1, "uniform", "sum", "paper", backend="cupy")


def test_joblib_engine_gives_the_same_bits():
    gs = load_dataset("mutag")[:60]
    a = gntk_gram(gs, 2, 1, "uniform", "jk", "official", chunk_size=48)
    b = gntk_gram(gs, 2, 1, "uniform", "jk", "official", chunk_size=48, engine="joblib:2")
    assert np.array_equal(a, b)


COLLAB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "COLLAB.txt.gz"


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_bits():
    """A LocalCluster of 2 worker processes: the distributed Gram equals the in-process one bit for bit."""
    from verify.graphs import load_gin_text
    from verify.kernels.parallel import engine

    sets = [(load_dataset("mutag"), 1, 1, 96)]
    if COLLAB.exists():
        sets.append((load_gin_text(COLLAB, True, self_loops="drop", max_graphs=24), 1, 1, 400))
    eng = engine("dask:2")
    try:
        assert "2 single-threaded worker processes" in eng.describe()
        for gs, b, r, chunk in sets:
            a = gntk_gram(gs, b, r, "degree", "jk", "official", chunk_size=chunk)
            d = gntk_gram(gs, b, r, "degree", "jk", "official", chunk_size=chunk, engine=eng)
            assert np.array_equal(a, d)
    finally:
        eng.close()


@pytest.mark.parametrize("readout,level", [("jk", "graph"), ("sum", "graph"), ("jk", "node")])
def test_several_depths_in_one_pass(readout, level):
    from verify.kernels.gntk import gntk_grams

    gs = random_graphs(31, count=7, onehot=True)
    many = gntk_grams(gs, [1, 3, 2], 2, "degree", readout, "official", level, chunk_size=6)
    assert sorted(many) == [1, 2, 3]
    for depth, gram in many.items():
        one = gntk_gram(gs, depth, 2, "degree", readout, "official", level, chunk_size=6)
        assert np.max(np.abs(gram - one)) <= 1e-14 * np.max(np.abs(one))


# --------------------------------------------------------------- engine internals (speed work, issue 15)
BEFORE = Path(__file__).resolve().parent / "data" / "gntk_before_speedup.npz"


def test_values_unchanged_from_the_engine_before_the_speedup():
    """Grams saved from the engine at b6280c3 (whole-matrix ReLU, sparse aggregation, old chunk
    order): blocks 3, MLP 3, degree, jk, official.  The rewrite sums in another order; entrywise
    relative difference <= 1e-13 (observed 2.3e-15 on MUTAG, 1.4e-14 on COLLAB)."""
    saved = np.load(BEFORE)
    got = gntk_gram(load_dataset("mutag")[:60], 3, 3, "degree", "jk", "official", chunk_size=64)
    assert np.max(np.abs(got - saved["mutag60"]) / np.abs(saved["mutag60"])) <= 1e-13
    if COLLAB.exists():
        from verify.graphs import load_gin_text

        gs = load_gin_text(COLLAB, True, self_loops="drop", max_graphs=30)
        got = gntk_gram(gs, 3, 3, "degree", "jk", "official", chunk_size=400)
        assert np.max(np.abs(got - saved["collab30"]) / np.abs(saved["collab30"])) <= 1e-13


def _whole_matrix_relu(sig, ntk, a_i, a_j, same):
    """The ReLU layer written directly on whole matrices (the formula the engine blocks)."""
    root = np.multiply.outer(np.sqrt(a_i), np.sqrt(a_j))
    rho = np.clip(sig / root, -1.0, 1.0)
    rho[same] = 1.0
    theta = np.arccos(rho)
    new = ((np.sqrt(1.0 - rho * rho) + (np.pi - theta) * rho) * root) * (1.0 / np.pi)
    return new, ntk * ((np.pi - theta) * (1.0 / np.pi)) + new


def test_blocked_relu_layers_are_the_whole_matrix_formula_bit_for_bit(monkeypatch):
    from verify.kernels import gntk as engine

    rng = np.random.default_rng(3)
    x = rng.normal(size=(37, 5))
    sig = x @ x.T
    a = [np.diag(sig).copy()]
    ntk = sig + 0.25
    same_mask = np.eye(37, dtype=bool)
    same_mask[3, 7] = same_mask[7, 3] = True
    exp_s, exp_n = _whole_matrix_relu(sig, ntk, a[0], a[0], same_mask)
    for block in (1, 40, 10**6):  # row blocks of one row, of one row at a time by width, the whole
        monkeypatch.setattr(engine, "_BLOCK", block)
        s, n = sig.copy(), ntk.copy()
        engine._relu_layers(s, n, a, a, np.nonzero(same_mask))
        assert np.array_equal(s, exp_s) and np.array_equal(n, exp_n)
    # the diagonal of each layer is the one-dimensional chain _diag_chain (same bits)
    chain = engine._diag_chain(a[0], 3)
    s, n = sig.copy(), ntk.copy()
    engine._relu_layers(s, n, chain[:1], chain[:1], np.nonzero(same_mask))
    assert np.array_equal(np.diag(s), chain[1])


def test_same_pairs_are_the_equal_class_entries():
    from verify.kernels.gntk import _same_pairs

    rng = np.random.default_rng(4)
    ci, cj = rng.integers(0, 9, 40), rng.integers(5, 15, 30)
    rows, cols = _same_pairs(ci, cj)
    want = np.nonzero(np.equal.outer(ci, cj))
    assert sorted(zip(rows, cols)) == sorted(zip(*want)) and np.all(np.diff(rows) >= 0)
    assert _same_pairs(np.array([1, 2]), np.array([3])) is None


def test_dense_per_graph_and_sparse_aggregation_agree(monkeypatch):
    from verify.kernels import gntk as engine

    gs = load_dataset("mutag")[:30] + random_graphs(8, count=6, dim=7, onehot=True)
    grams = []
    for ratio in (0.0, 1e9):  # never / always the dense per-graph blocks
        monkeypatch.setattr(engine._Agg, "DENSE_RATIO", ratio)
        grams.append(gntk_gram(gs, 3, 2, "degree", "jk", "official", chunk_size=40))
    assert np.max(np.abs(grams[0] - grams[1]) / np.abs(grams[0])) <= 1e-13
    ref = reference_gram(gs[::4], 3, 2, "degree", "jk", "official")
    assert _close(grams[1][::4, ::4], ref)  # the per-pair float reference is itself only ~1e-9 accurate
