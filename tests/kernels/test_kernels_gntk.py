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


#: the first 30 graphs of COLLAB (see data/README.md)
COLLAB = Path(__file__).resolve().parent / "data" / "COLLAB_first30.txt.gz"


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_bits():
    """A LocalCluster of 2 worker processes: the distributed Gram equals the in-process one bit for bit."""
    from verify.graphs import load_gin_text
    from verify.kernels.parallel import engine

    sets = [(load_dataset("mutag"), 1, 1, 96),
            (load_gin_text(COLLAB, True, self_loops="drop", max_graphs=24), 1, 1, 400)]
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


def test_values_close_to_the_engine_before_the_speedup():
    """Grams saved from the engine at b6280c3 (whole-matrix ReLU on ρ, sparse aggregation, old chunk
    order): blocks 3, MLP 3, degree, jk, official.  On MUTAG (no nearly parallel colours) the
    engine still agrees to 1e-13 (observed ~2e-15).  On the COLLAB graphs the saved values were
    themselves off by up to ~5e-13 relative (1 − ρ cancelled before the arc-cosine; see
    test_near_parallel_colours_match_the_certified_reference), so they are compared at 1e-12 and
    the new values are checked against the certified reference there."""
    saved = np.load(BEFORE)
    got = gntk_gram(load_dataset("mutag")[:60], 3, 3, "degree", "jk", "official", chunk_size=64)
    assert np.max(np.abs(got - saved["mutag60"]) / np.abs(saved["mutag60"])) <= 1e-13
    from verify.graphs import load_gin_text

    gs = load_gin_text(COLLAB, True, self_loops="drop", max_graphs=30)
    got = gntk_gram(gs, 3, 3, "degree", "jk", "official", chunk_size=400)
    assert np.max(np.abs(got - saved["collab30"]) / np.abs(saved["collab30"])) <= 1e-12


def _near_clique(n, drop, seed, dim=32):
    """COLLAB-like: K_n minus ``drop`` random edges, one-hot degree tags."""
    from verify.graphs.random_graphs import near_clique

    return Graph(*near_clique(n, drop, seed, dim), 0)


@pytest.mark.parametrize("blocks,mlp,scale,readout", [(3, 2, "degree", "jk"), (3, 3, "uniform", "jk"),
                                                      (2, 1, "degree", "sum")])
def test_near_parallel_colours_match_the_certified_reference(blocks, mlp, scale, readout):
    """Near-cliques make every pair of colours nearly (not exactly) parallel after one block: 1 − ρ
    ~ 1e-9 and less.  The engine carries δ = 1 − ρ itself through the recursion and agrees with the
    certified ball reference (python-flint, 212 bits, independent 1-WL colours) to 1e-14; the
    plain formula (arccos of a float ρ, the per-pair reference) is off by far more there, which
    is what this test would see if the engine went back to it."""
    from verify.kernels.gntk_reference import gntk_gram_ball

    gs = [_near_clique(12, 3, 0), _near_clique(12, 4, 1), _near_clique(30, 6, 2), _near_clique(30, 40, 3)]
    mid, rad = gntk_gram_ball(gs, blocks, mlp, scale, readout, "official")
    assert np.max(rad / np.abs(mid)) <= 1e-25                      # the reference is certified tight
    got = gntk_gram(gs, blocks, mlp, scale, readout, "official")
    assert np.max(np.abs(got - mid) / np.abs(mid)) <= 1e-14
    plain = reference_gram(gs, blocks, mlp, scale, readout, "official")
    assert np.max(np.abs(plain - mid) / np.abs(mid)) > 1e-12


def test_ball_reference_equals_the_mpmath_reference():
    """The two high-precision references (node level in mpmath, colour level in balls) agree."""
    from verify.kernels.gntk_reference import gntk_gram_ball, gntk_gram_mp

    gs = _parallel_colour_graphs() + [_near_clique(6, 2, 4, dim=7)]
    gs = [Graph(g.adjacency, np.pad(g.features, ((0, 0), (0, 7 - g.features.shape[1]))), 0) for g in gs]
    mid, rad = gntk_gram_ball(gs, 2, 2, "degree", "jk", "official")
    ref = np.array([[float(v) for v in r] for r in gntk_gram_mp(gs, 2, 2, "degree", "jk", "official")])
    assert np.max(np.abs(ref - mid) / np.abs(mid)) <= 1e-15 and np.max(rad / np.abs(mid)) <= 1e-25


def test_collab_graphs_match_the_certified_reference():
    """The largest of COLLAB's first 30 graphs (138 nodes, official self-loops) with two others."""
    from verify.graphs import load_gin_text
    from verify.kernels.gntk_reference import gntk_gram_ball

    gs = load_gin_text(COLLAB, True, self_loops="official", max_graphs=30)
    big = int(np.argmax([g.n for g in gs]))
    sel = [gs[big], gs[0], gs[1]]
    mid, _ = gntk_gram_ball(sel, 3, 3, "degree", "jk", "official")
    got = gntk_gram(sel, 3, 3, "degree", "jk", "official")
    assert np.max(np.abs(got - mid) / np.abs(mid)) <= 1e-14


@pytest.mark.parametrize("top", [3.0, 0.09, 1e-3])
def test_next_delta_is_accurate_across_the_series_switch(top):
    """δ' = δ(π − θ)/π + (θ − sin θ)/π = 1 − κ₁(ρ) of one ReLU layer against mpmath, on angles up to
    ``top`` (series and direct difference mixed; series only with all terms; with few terms): a few
    ulps; (θ − sin θ)/π itself to a few ulps below the switch.  The direct difference alone would
    lose the small angles (checked, so the test can fail).  Not near θ = π (ρ = −1): there δ ≈ 2
    resolves θ no better than ρ does (the GNTK meets ρ < 0 only at level 1, with signed features)."""
    import mpmath

    from verify.kernels.gntk import _SERIES_BELOW, _excess_over_pi

    th = np.geomspace(1e-9, top, 400)
    if top > _SERIES_BELOW:
        th = np.append(th, _SERIES_BELOW * (1 + np.array([-1e-12, 0, 1e-12])))
    th = np.sort(np.append(th, [0.0]))
    delta = 2.0 * np.sin(th / 2) ** 2                    # 1 − cos θ without cancellation
    ex = np.empty_like(th)
    _excess_over_pi(th, delta, ex)
    nxt = delta * ((np.pi - th) * (1.0 / np.pi)) + ex
    with mpmath.workdps(50):
        t = [mpmath.mpf(v) for v in th]
        d = [2 * mpmath.sin(v / 2) ** 2 for v in t]
        want_ex = np.array([float((v - mpmath.sin(v)) / mpmath.pi) for v in t])
        want = np.array([float(dv * (mpmath.pi - v) / mpmath.pi + (v - mpmath.sin(v)) / mpmath.pi)
                         for v, dv in zip(t, d)])
    ok = want > 0
    assert np.max(np.abs(nxt[ok] - want[ok]) / want[ok]) <= 8 * 2.2e-16
    low = ok & (th < _SERIES_BELOW)
    assert np.max(np.abs(ex[low] - want_ex[low]) / want_ex[low]) <= 8 * 2.2e-16
    assert ex[0] == 0.0 and nxt[0] == 0.0
    direct = (th - np.sin(th)) / np.pi
    assert np.max(np.abs(direct[low] - want_ex[low]) / want_ex[low]) > 1e-6


def _whole_matrix_relu(dl, ntk, a_i, a_j, same, layers):
    """The δ-form ReLU layers written directly on whole matrices (the formula the engine blocks)."""
    from verify.kernels.gntk import _excess_over_pi

    root = np.multiply.outer(np.sqrt(a_i), np.sqrt(a_j))
    dl = dl.copy()
    dl[same] = 0.0
    for _ in range(layers):
        th = 2.0 * np.arcsin(np.sqrt(dl * 0.5))
        ex = np.empty_like(th)
        _excess_over_pi(th, dl, ex)
        dot = (np.pi - th) * (1.0 / np.pi)
        dl = dl * dot + ex
        ntk = ntk * dot + (1.0 - dl) * root
    return dl * root, ntk


def test_blocked_relu_layers_are_the_whole_matrix_formula_bit_for_bit(monkeypatch):
    from verify.kernels import gntk as engine

    rng = np.random.default_rng(3)
    x = rng.normal(size=(37, 5))
    sig = x @ x.T
    a = np.diag(sig).copy()
    dl = np.clip(1.0 - sig / np.sqrt(np.multiply.outer(a, a)), 0.0, 2.0)
    dl[:5, :5] *= 1e-9                                   # some nearly parallel pairs (series branch)
    ntk = sig + 0.25
    same_mask = np.eye(37, dtype=bool)
    same_mask[3, 7] = same_mask[7, 3] = True
    exp_w, exp_n = _whole_matrix_relu(dl, ntk, a, a, same_mask, 3)
    for block in (1, 40, 10**6):  # row blocks of one row, of one row at a time by width, the whole
        monkeypatch.setattr(engine, "_BLOCK", block)
        d, n = dl.copy(), ntk.copy()
        engine._relu_layers(d, n, np.sqrt(a), np.sqrt(a), 3, None, np.nonzero(same_mask), weights=True)
        assert np.array_equal(d, exp_w) and np.array_equal(n, exp_n)


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
