"""Graph neural tangent kernel (Du et al. 2019), graph level and node level, batched over a data set.

Recursion (paper convention).  For graphs G, G' with node features h_u, Ã = A + I, scale c_u = 1
(``uniform``) or 1/(|N(u)| + 1) (``degree``), ReLU with c_σ = 2:

  Σ^{(0)}_{(R)}(G, G')_{uu'} = Θ^{(0)}_{(R)}(G, G')_{uu'} = h_uᵀ h_{u'};
  block ℓ = 1..L, AGGREGATE:  Σ^{(ℓ)}_{(0)} = C Ã Σ^{(ℓ−1)}_{(R)} Ã'ᵀ C',  Θ^{(ℓ)}_{(0)} likewise;
  then r = 1..R ReLU layers (a_u = Σ(G, G)_{uu}, a'_{u'} = Σ(G', G')_{u'u'}, ρ = Σ/√(a a'), θ = arccos ρ):
      Σ_{(r)} = √(a a')(sin θ + (π − θ)ρ)/π,   Σ̇_{(r)} = (π − θ)/π,   Θ_{(r)} = Θ_{(r−1)} ⊙ Σ̇_{(r)} + Σ_{(r)};
  READOUT  ``sum``: Θ(G, G') = Σ_{u, u'} Θ^{(L)}_{(R)}(G, G')_{uu'};
           ``jk``:  Θ(G, G') = Σ_{ℓ=0}^{L} Σ_{u, u'} Θ^{(ℓ)}_{(R)}(G, G')_{uu'} (input layer included).
``convention="official"`` returns 2× the paper's value, as the official code (KangchengHou/gntk)
does; its ``num_layers`` counts the input layer, so official num_layers = L + 1.

Node level (arXiv 2309.07452; the exact form is *reconstructed*: the same recursion without the
readout sum): the kernel between nodes u ∈ G, u' ∈ G' is Θ^{(L)}_{(R)}(G, G')_{uu'} (``sum``) or
Σ_ℓ Θ^{(ℓ)}_{(R)}(G, G')_{uu'} (``jk``); ``level="node"`` returns the Gram over all nodes of all
graphs, in order (graph 0's nodes first).

Batching.  Θ^{(ℓ)}(G, G')_{uu'} depends only on the depth-ℓ unfolding trees of u and u' (features
at the leaves, multisets of children, hence degrees), i.e. on colours of the 1-WL refinement
started from the feature rows: colour_0(u) = feature row, colour_ℓ(u) = multiset of colour_{ℓ−1}
over N(u) ∪ {u}.  The recursion therefore runs on colour x colour matrices: with M_ℓ the
(colour_ℓ x colour_{ℓ−1}) count matrix and D_ℓ the scales, Σ ← D M_ℓ Σ M_ℓᵀ D (sparse x dense),
the ReLU layers are elementwise on all pairs at once, and the graph-level readout is
K_ℓ Θ_ℓ K_ℓᵀ with K_ℓ the (graph x colour) count matrix.  This is exact (the same sums, grouped),
it batches all pairs of the data set, and it is as large as the number of distinct colours (small
for one-hot tags; for continuous features every node is its own colour).  Memory is bounded by
``chunk_size``: graphs are grouped into consecutive chunks with at most ``chunk_size`` distinct
colours at any level (a single larger graph forms its own chunk), and chunk pairs (I, J), I ≤ J,
are processed in turn with O(chunk_size²) floats each.  The diagonal a_u of every ReLU layer comes
from the diagonal chunk pairs, computed first.  Entries between colours of one parallel class
(identical colours, and colours whose features are exact positive multiples of each other, e.g.
child counts (2, 2) and (1, 1) of the same colours: see ``_parallel_classes``) get ρ = 1 exactly;
float ρ would be 1 − O(1e-16) there, θ ~ 1e-8, and the Gram only ~1e-10 accurate.
Runs on numpy float64 (CPU) or torch float64 (``backend="torch"``: CUDA when present); the
chunk pairs are independent tasks for a parallel or distributed engine (``engine=``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import InputError
from ..graphs.graph import Graph

SCALES = ("uniform", "degree")
READOUTS = ("sum", "jk")
GNTK_CONVENTIONS = ("paper", "official")
LEVELS = ("graph", "node")
DEFAULT_CHUNK = 2048


def check_options(blocks, mlp_layers, scale, readout, convention, level="graph", chunk_size=None) -> None:
    """Raise InputError for options outside the contract."""
    for name, v, lo in (("blocks", blocks, 1), ("mlp_layers", mlp_layers, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise InputError(f"{name} must be an integer, got {v!r}")
        if v < lo:
            raise InputError(f"{name} must be >= {lo}, got {v}")
    for name, v, allowed in (("scale", scale, SCALES), ("readout", readout, READOUTS),
                             ("convention", convention, GNTK_CONVENTIONS), ("level", level, LEVELS)):
        if v not in allowed:
            raise InputError(f"unknown {name} {v!r} (use one of {', '.join(allowed)})")
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1
    ):
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}")


def check_graphs(graphs) -> list[Graph]:
    if not isinstance(graphs, (list, tuple)) or not graphs:
        raise InputError("expected a non-empty list of graphs")
    for i, g in enumerate(graphs):
        if not isinstance(g, Graph):
            raise InputError(f"graph {i} is not a verify.graphs.Graph")
        g.validate(f"graph {i}")
    dims = {g.features.shape[1] for g in graphs}
    if len(dims) > 1:
        raise InputError(f"graphs have different feature dimensions {sorted(dims)}")
    return list(graphs)


# ----------------------------------------------------------------------------- colours
@dataclass
class Colours:
    """1-WL colours of every node at levels 0..L and the colour-level aggregation data."""

    col: list[np.ndarray]            # level ℓ: (M,) colour of each node
    children: list[sp.csr_matrix]    # level ℓ ≥ 1: K_ℓ x K_{ℓ−1} counts over N(u) ∪ {u} (index 0 unused)
    scale: list[np.ndarray]          # level ℓ ≥ 1: c of each colour (index 0 unused)
    feats: np.ndarray                # K_0 x d distinct feature rows
    offsets: np.ndarray              # node offsets of the graphs, length N + 1
    classes: list[np.ndarray] | None = None   # level ℓ: parallel class of each colour (see _parallel_classes)


def colours(graphs: list[Graph], blocks: int, scale: str) -> Colours:
    """Colour refinement over the disjoint union of ``graphs`` (Ã = A + I, plus diag(loop_weight)
    where a graph has one: an integer weight w counts as w copies of the neighbour)."""
    sizes = np.array([g.n for g in graphs])
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    at = sp.block_diag([g.adjacency_csr() for g in graphs], format="csr")
    at = (at + sp.identity(at.shape[0], format="csr")).tocsr()
    if any(g.loop_weight is not None for g in graphs):     # Ã = A + I + diag(w) (official self-loops)
        at = (at + sp.diags(np.concatenate([g.loop_weight if g.loop_weight is not None else np.zeros(g.n)
                                            for g in graphs]).astype(np.float64))).tocsr()
    at.sum_duplicates()
    at.sort_indices()
    m = at.shape[0]
    uniq, col0 = _feature_colours(graphs)
    cols = [col0]
    children = [sp.csr_matrix((0, 0))]
    scales = [np.zeros(0)]
    # integer weights of Ã as multiplicities: u's children multiset holds v Ã_uv times, deg = Σ_v Ã_uv
    mult = np.rint(at.data).astype(np.int64)
    indices = np.repeat(at.indices, mult)
    indptr = np.concatenate([[0], np.cumsum(np.add.reduceat(mult, at.indptr[:-1]))]).astype(np.int64)
    deg = np.diff(indptr)
    rowid = np.repeat(np.arange(m), deg)
    for _ in range(blocks):
        prev = cols[-1]
        child = prev[indices]
        order = np.lexsort((child, rowid))
        cs = child[order]
        table: dict[bytes, int] = {}
        new = np.empty(m, dtype=np.int64)
        reps = []
        for u in range(m):
            key = cs[indptr[u]:indptr[u + 1]].tobytes()
            k = table.get(key)
            if k is None:
                k = table[key] = len(reps)
                reps.append(u)
            new[u] = k
        reps = np.asarray(reps)
        kr = len(reps)
        r_rows = np.repeat(np.arange(kr), deg[reps])
        r_cols = np.concatenate([cs[indptr[u]:indptr[u + 1]] for u in reps]) if kr else np.zeros(0, int)
        mat = sp.csr_matrix((np.ones(len(r_rows)), (r_rows, r_cols)), shape=(kr, int(prev.max()) + 1))
        mat.sum_duplicates()
        children.append(mat)
        scales.append(1.0 / deg[reps] if scale == "degree" else np.ones(kr))
        cols.append(new)
    classes = _parallel_classes(children, deg, cols, scale, len(uniq))
    return Colours(cols, children, scales, uniq, offsets, classes)


def _feature_colours(graphs: list[Graph]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct feature rows (K_0 x d) and the level-0 colour of every node.

    One-hot rows (every graph's rows 0/1 with one 1) are coloured by the position of their 1
    without stacking the (possibly large: COLLAB has 372k nodes x 367 degree tags) features."""
    mats = [np.asarray(g.features, dtype=np.float64) for g in graphs]
    onehot = all(((x == 0) | (x == 1)).all() and (x.sum(axis=1) == 1).all() for x in mats)
    if onehot:
        hot = np.concatenate([np.argmax(x, axis=1) for x in mats]).astype(np.int64)
        used, col0 = np.unique(hot, return_inverse=True)
        return np.eye(mats[0].shape[1])[used], col0.reshape(-1).astype(np.int64)
    uniq, col0 = np.unique(np.vstack(mats), axis=0, return_inverse=True)
    return uniq, col0.reshape(-1).astype(np.int64)


#: two primes below 2^31: residues multiply without overflow in int64
_PRIMES = (2147483647, 2147483629)


def _inv_mod(a: np.ndarray, p: int) -> np.ndarray:
    """a^(p−2) mod p (the inverse of a ≢ 0 mod the prime p), vectorised square-and-multiply."""
    result = np.ones_like(a)
    base = a % p
    e = p - 2
    while e:
        if e & 1:
            result = result * base % p
        base = base * base % p
        e >>= 1
    return result


def _parallel_classes(children: list[sp.csr_matrix], deg: np.ndarray, cols: list[np.ndarray], scale: str,
                      k0: int) -> list[np.ndarray]:
    """Parallel classes of colours: colours whose feature vectors are positive multiples of each other.

    In the infinite-width feature space a level-0 colour k is its feature row φ_k; aggregation
    gives φ_k = c_k Σ_{k'} M_{kk'} φ_{k'} (M the child counts, c_k = 1 or 1/|Ñ(u)|), and ReLU
    layers are positively homogeneous, so if φ_{k'} = λ_{k'} ψ_{class(k')} (λ > 0) then
    φ_k = c_k Σ_C a_{kC} ψ_C with a_{kC} = Σ_{k' ∈ C} M_{kk'} λ_{k'}: colours with proportional
    coefficient vectors a_k are parallel, and the GNTK's correlation between them is exactly 1 at
    every ReLU layer of that level (e.g. child counts (2, 2) and (1, 1) of the same two colours).
    Level-0 classes are the colours (identical rows).  The λ are positive rationals; the
    proportionality test is exact arithmetic modulo two primes near 2^31: the support (which
    classes occur) is compared exactly, the normalised residues a_k / a_{k, first} for both primes;
    two non-parallel colours share a class only if both residue vectors collide (probability
    below 1e-18 per pair of colours).  Returns the class id of every colour, per level.
    """
    classes = [np.arange(k0, dtype=np.int64)]
    lam = [np.ones(k0, dtype=np.int64) for _ in _PRIMES]
    for lvl in range(1, len(children)):
        m = children[lvl].tocsr()
        m.sort_indices()
        prev = classes[-1]
        n_prev = int(prev.max()) + 1 if len(prev) else 0
        kr = m.shape[0]
        counts = m.data.astype(np.int64)
        cls_of = prev[m.indices]
        rows = np.repeat(np.arange(kr), np.diff(m.indptr))
        reps = cols[lvl]
        first_node = np.full(kr, -1, dtype=np.int64)
        first_node[reps[::-1]] = np.arange(len(reps))[::-1]
        c_den = deg[first_node] if scale == "degree" else np.ones(kr, dtype=np.int64)
        keyed = []
        new_lam = []
        for p, lp in zip(_PRIMES, lam):
            # a_{kC} mod p: counts ≤ 2^20 times residues < 2^31, summed per (k, C) (sums < 2^62)
            vals = counts * lp[m.indices] % p
            acc = sp.csr_matrix((vals, (rows, cls_of)), shape=(kr, n_prev), dtype=np.int64)
            acc.sum_duplicates()
            acc.sort_indices()
            acc.data %= p
            first = acc.data[acc.indptr[:-1]]
            inv = _inv_mod(first, p)
            norm = acc.data * np.repeat(inv, np.diff(acc.indptr)) % p
            keyed.append((acc.indptr, acc.indices, norm))
            new_lam.append(first * _inv_mod(c_den.astype(np.int64) % p, p) % p)
        indptr, indices, norm1 = keyed[0]
        norm2 = keyed[1][2]
        table: dict[bytes, int] = {}
        cls = np.empty(kr, dtype=np.int64)
        for k in range(kr):
            a, b = indptr[k], indptr[k + 1]
            key = indices[a:b].tobytes() + b"|" + norm1[a:b].tobytes() + norm2[a:b].tobytes()
            cls[k] = table.setdefault(key, len(table))
        classes.append(cls)
        lam = new_lam
    return classes


def _chunks(col: Colours, limit: int) -> list[tuple[int, int]]:
    """Consecutive graph ranges [g0, g1) whose distinct colours (any level) stay <= limit."""
    n_graphs = len(col.offsets) - 1
    out, start = [], 0
    seen = [set() for _ in col.col]
    for g in range(n_graphs):
        lo, hi = col.offsets[g], col.offsets[g + 1]
        new = [set(c[lo:hi].tolist()) for c in col.col]
        if g > start and any(len(s | t) > limit for s, t in zip(seen, new)):
            out.append((start, g))
            start = g
            seen = new
        else:
            seen = [s | t for s, t in zip(seen, new)]
    out.append((start, n_graphs))
    return out


@dataclass
class _Side:
    """One chunk of graphs: its colours (global ids) and local index maps per level."""

    g0: int
    g1: int
    sets: list[np.ndarray]           # level ℓ: sorted global colour ids present in the chunk
    loc: list[np.ndarray]            # level ℓ: local colour index of each node of the chunk
    agg: list[sp.csr_matrix]         # level ℓ ≥ 1: scaled children, local x local


def _side(col: Colours, g0: int, g1: int) -> _Side:
    lo, hi = col.offsets[g0], col.offsets[g1]
    sets, locs, agg = [], [], [None]
    for c in col.col:
        s, inv = np.unique(c[lo:hi], return_inverse=True)
        sets.append(s)
        locs.append(inv.reshape(-1))
    for lvl in range(1, len(col.col)):
        m = col.children[lvl][sets[lvl]][:, sets[lvl - 1]]
        agg.append(sp.diags(col.scale[lvl][sets[lvl]]) @ m)
    return _Side(g0, g1, sets, locs, agg)


def _counts(side: _Side, col: Colours, lvl: int) -> sp.csr_matrix:
    """(graphs of the chunk) x (local colours) node counts at level ``lvl``."""
    gid = np.repeat(np.arange(side.g1 - side.g0), np.diff(col.offsets[side.g0:side.g1 + 1]))
    return sp.csr_matrix((np.ones(len(gid)), (gid, side.loc[lvl])),
                         shape=(side.g1 - side.g0, len(side.sets[lvl])))


def _relu_layer(sig: np.ndarray, ntk: np.ndarray, a_i: np.ndarray, a_j: np.ndarray, same: np.ndarray | None):
    """One ReLU layer (c_σ = 2) on (Σ, Θ); ``same``: mask of colour pairs in one parallel class
    (ρ = 1 exactly).

    Σ' = √(a a')(sin θ + (π − θ)ρ)/π, Σ̇ = (π − θ)/π, Θ' = Θ ⊙ Σ̇ + Σ'; zero variance gives Σ' = Σ̇ = 0.
    In place on ``ntk`` and on temporaries (the matrices can be large).
    """
    r_i, r_j = np.sqrt(a_i), np.sqrt(a_j)
    root = np.multiply.outer(r_i, r_j)
    zero = bool(np.any(r_i == 0) or np.any(r_j == 0))
    if zero:
        pos = root > 0
        rho = np.divide(sig, np.where(pos, root, 1.0))
        rho[~pos] = 0.0
    else:
        rho = np.divide(sig, root)
    np.clip(rho, -1.0, 1.0, out=rho)
    if same is not None:
        np.copyto(rho, 1.0, where=same)
    s = np.multiply(rho, rho)
    np.subtract(1.0, s, out=s)
    np.maximum(s, 0.0, out=s)
    np.sqrt(s, out=s)
    pm = np.arccos(rho)
    np.subtract(math.pi, pm, out=pm)            # π − θ
    np.multiply(rho, pm, out=rho)               # (π − θ)ρ
    np.add(s, rho, out=s)                       # sin θ + (π − θ)ρ
    np.multiply(s, root, out=s)
    s *= 1.0 / math.pi                          # Σ'
    pm *= 1.0 / math.pi                         # Σ̇
    if zero:
        pm[~pos] = 0.0
        s[~pos] = 0.0
    ntk *= pm
    ntk += s
    return s, ntk


def _level_step(col: Colours, si: _Side, sj: _Side, di, dj, lvl: int, sig: np.ndarray, ntk: np.ndarray,
                mlp_layers: int, out_diag: list) -> tuple[np.ndarray, np.ndarray]:
    """One GNN block at level ``lvl``: aggregate Σ and Θ on both sides (Σ ← A_i Σ A_jᵀ, likewise Θ),
    then ``mlp_layers`` ReLU layers. For a diagonal pair (di is None) the diagonals a_u of each
    layer are read off Σ and stored in ``out_diag[lvl][r]``; otherwise they come from di, dj."""
    ai, aj = si.agg[lvl], sj.agg[lvl]
    sig = np.asarray(ai @ np.asarray(aj @ sig.T).T)
    ntk = np.asarray(ai @ np.asarray(aj @ ntk.T).T)
    ci, cj = col.classes[lvl][si.sets[lvl]], col.classes[lvl][sj.sets[lvl]]
    same = np.equal.outer(ci, cj) if mlp_layers and np.intersect1d(ci, cj).size else None
    for r in range(mlp_layers):
        if di is None:
            a_i = a_j = out_diag[lvl][r] = np.diag(sig).copy()
        else:
            a_i, a_j = di[lvl][r], dj[lvl][r]
        sig, ntk = _relu_layer(sig, ntk, a_i, a_j, same)
    return sig, ntk


def _pair_block(col: Colours, si: _Side, sj: _Side, di, dj, blocks: int, mlp_layers: int, readout: str,
                level: str, backend: str = "numpy", depths: tuple = ()):
    """The Gram block of chunk pair (si, sj) and, for a diagonal pair (di = dj = None), the diagonals
    a_u per (level, MLP layer) over si's colours (di[lvl][r]); otherwise di, dj are those lists.
    ``depths`` (numpy only): the blocks of the Grams to return, as a list of blocks, one per depth
    L' ≤ ``blocks`` (the recursion up to level L' does not depend on later levels)."""
    if depths:
        return _pair_blocks_multi(col, si, sj, di, dj, mlp_layers, readout, level, depths)
    if backend == "torch":
        from .backends import torch_pair_block

        return torch_pair_block(col, si, sj, di, dj, blocks, mlp_layers, readout, level)
    diag_pair = di is None
    out_diag = [[None] * mlp_layers for _ in range(blocks + 1)]
    sig = col.feats[si.sets[0]] @ col.feats[sj.sets[0]].T
    ntk = sig.copy()
    layers = [(0, ntk.copy() if readout == "jk" else None)]
    for lvl in range(1, blocks + 1):
        sig, ntk = _level_step(col, si, sj, di, dj, lvl, sig, ntk, mlp_layers, out_diag)
        if readout == "jk" or lvl == blocks:
            layers.append((lvl, ntk if lvl == blocks else ntk.copy()))
    used = layers if readout == "jk" else [layers[-1]]
    if level == "graph":
        block = np.zeros((si.g1 - si.g0, sj.g1 - sj.g0))
        for lvl, mat in used:
            ci, cj = _counts(si, col, lvl), _counts(sj, col, lvl)
            block += np.asarray(ci @ np.asarray(cj @ mat.T).T)
    else:
        block = np.zeros((len(si.loc[0]), len(sj.loc[0])))
        for lvl, mat in used:
            block += mat[np.ix_(si.loc[lvl], sj.loc[lvl])]
    if diag_pair:  # exact symmetry (the sparse products round the two triangles differently)
        block = 0.5 * (block + block.T)
    return block, (out_diag if diag_pair else None)


def _pair_blocks_multi(col, si, sj, di, dj, mlp_layers, readout, level, depths):
    blocks = max(depths)
    diag_pair = di is None
    out_diag = [[None] * mlp_layers for _ in range(blocks + 1)]

    def readout_of(lvl, mat):
        if level == "graph":
            ci, cj = _counts(si, col, lvl), _counts(sj, col, lvl)
            return np.asarray(ci @ np.asarray(cj @ mat.T).T)
        return mat[np.ix_(si.loc[lvl], sj.loc[lvl])]

    sig = col.feats[si.sets[0]] @ col.feats[sj.sets[0]].T
    ntk = sig.copy()
    acc = readout_of(0, ntk)
    results = {}
    for lvl in range(1, blocks + 1):
        sig, ntk = _level_step(col, si, sj, di, dj, lvl, sig, ntk, mlp_layers, out_diag)
        if readout == "jk" or lvl in depths:
            here = readout_of(lvl, ntk)
            if readout == "jk":
                acc = acc + here
            if lvl in depths:
                results[lvl] = (acc if readout == "jk" else here).copy()
    blocks_out = []
    for d in depths:
        b = results[d]
        if diag_pair:
            b = 0.5 * (b + b.T)
        blocks_out.append(b)
    return blocks_out, (out_diag if diag_pair else None)


def _diag_task(col, sides, i, blocks, mlp_layers, readout, level, backend, depths=()):
    return _pair_block(
        col, sides[i], sides[i], None, None, blocks, mlp_layers, readout, level, backend, depths
    )


def _off_task(col, sides, i, j, di, dj, blocks, mlp_layers, readout, level, backend, depths=()):
    return _pair_block(col, sides[i], sides[j], di, dj, blocks, mlp_layers, readout, level, backend, depths)[
        0
    ]


BACKENDS = ("numpy", "torch")


def gntk_grams(graphs: list[Graph], depths, mlp_layers: int, scale: str, readout: str, convention: str,
               level: str = "graph", chunk_size: int | None = None, *, engine=None) -> dict[int, np.ndarray]:
    """The Grams of several depths L in one pass ({L: Gram}; numpy backend): the recursion is run to
    max(L) and read out at every requested L (sum: level L; jk: levels 0..L), exactly as
    ``gntk_gram`` with ``blocks=L`` would (the same operations in the same order)."""
    depths = tuple(sorted({int(d) for d in depths}))
    if not depths:
        raise InputError("depths must name at least one number of blocks")
    return _gram_impl(graphs, max(depths), mlp_layers, scale, readout, convention, level, chunk_size,
                      "numpy", engine, depths)


def gntk_gram(graphs: list[Graph], blocks: int, mlp_layers: int, scale: str, readout: str,
              convention: str, level: str = "graph", chunk_size: int | None = None, *,
              backend: str = "numpy", engine=None) -> np.ndarray:
    """GNTK Gram matrix over ``graphs`` (N x N for ``level="graph"``, (Σn) x (Σn) for ``"node"``).

    ``blocks`` L ≥ 1 (BLOCKs of AGGREGATE + ``mlp_layers`` R ≥ 0 ReLU layers), ``scale`` uniform |
    degree, ``readout`` sum | jk, ``convention`` paper | official (= 2 x paper).  ``chunk_size``
    bounds the distinct colours per chunk (memory O(chunk_size²) floats per task; default 2048).
    ``backend``: "numpy" or "torch" (float64; CUDA when available, see verify.kernels.backends).
    ``engine``: where the chunk-pair tasks run (None = this process; a spec or engine of
    :mod:`verify.kernels.parallel`, e.g. "joblib:2", "dask:2", "tcp://HOST:PORT"): first the
    diagonal chunk pairs (they give the variances a_u), then the others; same bits on any engine.
    """
    return _gram_impl(
        graphs, blocks, mlp_layers, scale, readout, convention, level, chunk_size, backend, engine, ()
    )


def _gram_impl(
    graphs, blocks, mlp_layers, scale, readout, convention, level, chunk_size, backend, engine, depths
):
    check_options(blocks, mlp_layers, scale, readout, convention, level, chunk_size)
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r} (use one of {', '.join(BACKENDS)})")
    graphs = check_graphs(graphs)
    from .parallel import engine as make_engine

    col = colours(graphs, blocks, scale)
    limit = int(chunk_size or DEFAULT_CHUNK)
    ranges = _chunks(col, limit)
    sides = [_side(col, a, b) for a, b in ranges]
    n_graphs = len(graphs)
    total = int(col.offsets[-1])
    own = engine is None or isinstance(engine, str)
    eng = make_engine(engine) if own else engine
    try:
        opts = (blocks, mlp_layers, readout, level, backend, depths)
        first = eng.map(_diag_task, [(i, *opts) for i in range(len(sides))], shared=(col, sides))
        diags = [d for _, d in first]
        pairs = [(i, j) for i in range(len(sides)) for j in range(i + 1, len(sides))]
        rest = (
            eng.map(_off_task, [(i, j, diags[i], diags[j], *opts) for i, j in pairs], shared=(col, sides))
            if pairs
            else []
        )
    finally:
        if own:
            eng.close()

    def span(side):
        if level == "graph":
            return side.g0, side.g1
        return int(col.offsets[side.g0]), int(col.offsets[side.g1])

    outs = []
    for k in range(len(depths) or 1):
        out = np.zeros((n_graphs, n_graphs) if level == "graph" else (total, total))
        for i, (block, _) in enumerate(first):
            r0, r1 = span(sides[i])
            out[r0:r1, r0:r1] = block[k] if depths else block
        for (i, j), block in zip(pairs, rest):
            b = block[k] if depths else block
            r0, r1 = span(sides[i])
            c0, c1 = span(sides[j])
            out[r0:r1, c0:c1] = b
            out[c0:c1, r0:r1] = b.T
        if convention == "official":
            out *= 2.0
        outs.append(out)
    return dict(zip(depths, outs)) if depths else outs[0]
