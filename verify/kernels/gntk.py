"""Graph neural tangent kernel (Du et al. 2019), graph level and node level, batched over a data set.

Recursion (paper convention).  For graphs G, G' with node features h_u, Ã = A + I, scale c_u = 1
(``uniform``) or 1/(|N(u)| + 1) (``degree``), ReLU with c_σ = 2:

  Σ^{(0)}_{(R)}(G, G')_{uu'} = Θ^{(0)}_{(R)}(G, G')_{uu'} = h_uᵀ h_{u'};
  block ℓ = 1..L, AGGREGATE:  Σ^{(ℓ)}_{(0)} = C Ã Σ^{(ℓ−1)}_{(R)} Ã'ᵀ C',  Θ^{(ℓ)}_{(0)} likewise;
  then r = 1..R ReLU layers (a_u = Σ(G, G)_{uu}, a'_{u'} = Σ(G', G')_{u'u'}, ρ = Σ/√(a a'), θ = arccos ρ;
  computed from δ = 1 − ρ, see Precision below):
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
are processed in turn with O(chunk_size²) floats each.  The variances a (and the vectors of the
precision scheme below) of every level come from the diagonal chunk pairs, computed first.
Within a chunk pair: the aggregation is one sparse (or, for dense graphs such as COLLAB's
near-cliques, one dense per-graph BLAS) product per side,
the pair matrices alternate orientation level by level (no transposing copy of the result), the
R ReLU layers run on row blocks that stay in cache, and the chunk pairs travel to the engine's
workers in a few batches (the shared chunk data once per batch, not once per pair).

Precision.  The arc-cosine kernels are ill-conditioned in ρ near 1 (θ ≈ √(2(1 − ρ))), and a float
ρ = Σ/√(aa') of nearly parallel colours (everywhere in near-cliques such as COLLAB's) holds 1 − ρ
only to ~1e-16 absolute: the plain recursion is ~1e-11 off there.  With ReLU layers the engine
therefore carries δ = 1 − ρ itself (``_relu_layers``, ``_prep_e``, ``_prep_int``; docs/math.md):
between levels the state is W = √(aa') ⊙ δ, the aggregated E = A W A'ᵀ, S = A √a and e = diag(E)/S²
give δ of the next level from sums of non-negative terms, and level 1 with integer features takes
δ from the integer Gram exactly.  Entries between colours of one parallel class (identical
colours, and colours whose features are exact positive multiples of each other, e.g. child counts
(2, 2) and (1, 1) of the same colours: see ``_parallel_classes``) get δ = 0 exactly.  Measured
against a certified ball reference (``gntk_reference.gntk_gram_ball``): ≤ 5e-16 relative on
near-cliques and COLLAB graphs, where the plain recursion was up to 1.4e-11 off.

Runs on numpy float64 (CPU) or torch float64 (``backend="torch"``: CUDA when present); the
chunk pairs are independent tasks for a parallel or distributed engine (``engine=``).
"""
from __future__ import annotations

import functools
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


class _Agg:
    """The scaled children of one chunk at one level ℓ: A = diag(c) M, (local level-ℓ colours) x (local
    level-(ℓ−1) colours), applied as ``A @ X``.

    A colour's children are colours of the graph it occurs in, so with the chunk's colours in order
    of first occurrence A is block lower triangular by graph: the rows first met in graph g
    (a contiguous range) only use the columns of g's colours.  When these per-graph blocks are dense
    enough (COLLAB: near-cliques), ``A @ X`` runs as one dense product per graph (BLAS) instead of
    the sparse product: the same sums, grouped by graph (different rounding, ~1e-16 relative).
    """

    #: dense per-graph blocks are used when their entries are at most this many times nnz(A)
    DENSE_RATIO = 4.0

    def __init__(self, mat: sp.csr_matrix, row_bounds: np.ndarray) -> None:
        self.csr = mat.tocsr()
        self.csr.sort_indices()
        self.shape = self.csr.shape
        self.groups = None
        groups, entries = [], 0
        for r0, r1 in zip(row_bounds[:-1], row_bounds[1:]):
            if r1 <= r0:
                continue
            part = self.csr[r0:r1]
            cols = np.unique(part.indices)
            entries += (r1 - r0) * len(cols)
            if len(cols) and cols[-1] - cols[0] + 1 == len(cols):
                cols = slice(int(cols[0]), int(cols[-1]) + 1)
            groups.append((int(r0), int(r1), cols, part[:, cols].toarray()))
        if entries <= self.DENSE_RATIO * max(self.csr.nnz, 1):
            self.groups = groups

    def toarray(self) -> np.ndarray:
        return self.csr.toarray()

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        if self.groups is None:
            return np.asarray(self.csr @ x)
        out = np.zeros((self.shape[0], x.shape[1]))
        for r0, r1, cols, block in self.groups:
            np.matmul(block, x[cols], out=out[r0:r1])
        return out


@dataclass
class _Side:
    """One chunk of graphs: its colours (global ids) and local index maps per level."""

    g0: int
    g1: int
    sets: list[np.ndarray]           # level ℓ: global colour ids present in the chunk, by first occurrence
    loc: list[np.ndarray]            # level ℓ: local colour index of each node of the chunk
    agg: list                        # level ℓ ≥ 1: scaled children (_Agg), local x local
    raw1: _Agg | None = None         # level 1: the children counts M without the scales
    scale1: np.ndarray | None = None  # level 1: the scales c of the local colours


def _side(col: Colours, g0: int, g1: int) -> _Side:
    lo, hi = col.offsets[g0], col.offsets[g1]
    node_graph = np.repeat(np.arange(g1 - g0), np.diff(col.offsets[g0:g1 + 1]))
    sets, locs, bounds, agg = [], [], [], [None]
    for c in col.col:
        s, first, inv = np.unique(c[lo:hi], return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")         # local colours in order of first occurrence
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        sets.append(s[order])
        locs.append(rank[inv.reshape(-1)])
        # rows first met in graph g: [bounds[g], bounds[g + 1])
        bounds.append(np.searchsorted(node_graph[first[order]], np.arange(g1 - g0 + 1), "left"))
    for lvl in range(1, len(col.col)):
        m = col.children[lvl][sets[lvl]][:, sets[lvl - 1]]
        agg.append(_Agg(sp.diags(col.scale[lvl][sets[lvl]]) @ m, bounds[lvl]))
        if lvl == 1:
            raw1, scale1 = _Agg(m, bounds[1]), col.scale[1][sets[1]]
    if len(col.col) < 2:
        raw1 = scale1 = None
    return _Side(g0, g1, sets, locs, agg, raw1, scale1)


def _counts(side: _Side, col: Colours, lvl: int) -> sp.csr_matrix:
    """(graphs of the chunk) x (local colours) node counts at level ``lvl``."""
    gid = np.repeat(np.arange(side.g1 - side.g0), np.diff(col.offsets[side.g0:side.g1 + 1]))
    return sp.csr_matrix((np.ones(len(gid)), (gid, side.loc[lvl])),
                         shape=(side.g1 - side.g0, len(side.sets[lvl])))


#: elements of one row block of the ReLU layers (a few arrays of this size stay in the L2 cache)
_BLOCK = 16384
#: below this angle θ − sin θ comes from its Taylor series: the difference θ − sin θ has relative
#: error ~6ε/θ², but it enters δ' = δ·Σ̇ + (θ − sin θ)/π with weight ~θ/(3π), so above 0.1 the
#: difference costs δ' at most a few ulps
_SERIES_BELOW = 0.1
#: (θ − sin θ)/π = θ³ Σ_k c_k θ^{2k}, c_k = (−1)^k / ((2k + 3)! π), k = 0..5 (for θ < 0.1 the first
#: omitted term is below 1e-23 of the sum)
_SERIES_OVER_PI = tuple((-1) ** k / (math.factorial(2 * k + 3) * math.pi) for k in range(6))
#: integer products below this are exact in float64 (2^53)
_EXACT_INT = float(2 ** 53)


def _excess_over_pi(theta: np.ndarray, delta: np.ndarray, out: np.ndarray) -> None:
    """out ← (θ − sin θ)/π for θ ∈ [0, π] with δ = 1 − cos θ given, to a few ulps of δ·(π − θ)/π +
    (θ − sin θ)/π: the Taylor series below ``_SERIES_BELOW``, else θ − √(δ(2 − δ)).  ``out`` must
    be neither input."""
    top = float(theta.max(initial=0.0))
    if top < _SERIES_BELOW:
        _series_over_pi(theta, top, out)
        return
    small = theta < _SERIES_BELOW
    count = int(np.count_nonzero(small))
    if count * 4 > small.size:                      # many small angles: the series on all, blended
        ser = np.minimum(theta, _SERIES_BELOW)
        _series_over_pi(ser, _SERIES_BELOW, ser)
    np.subtract(2.0, delta, out=out)
    out *= delta
    np.sqrt(out, out=out)                           # sin θ
    np.subtract(theta, out, out=out)
    out *= 1.0 / math.pi
    if count * 4 > small.size:
        np.copyto(out, ser, where=small)
    elif count:                                     # a few: the series on those only
        where = np.flatnonzero(small)
        t = theta.ravel()[where]
        _series_over_pi(t, float(t.max()), t)
        out.ravel()[where] = t


def _series_over_pi(theta: np.ndarray, top: float, out: np.ndarray) -> None:
    """out ← (θ − sin θ)/π by its Taylor series (all θ ≤ ``top`` ≤ 0.1), with as many terms as
    ``top`` needs for the first omitted one to stay below 1e-16 of the sum (the sum enters δ' with
    weight below θ/(3π) < 0.011).  ``out`` may be θ."""
    used, bound = 1, 1.0
    while used < len(_SERIES_OVER_PI) and bound > 1e-16:
        bound *= top * top / ((2 * used + 2) * (2 * used + 3))
        used += 1
    t2 = theta * theta
    t3 = t2 * theta
    out.fill(_SERIES_OVER_PI[used - 1])
    for c in reversed(_SERIES_OVER_PI[:used - 1]):
        out *= t2
        out += c
    out *= t3


def _relu_layers(dl: np.ndarray, ntk: np.ndarray, r_rows: np.ndarray, r_cols: np.ndarray, layers: int,
                 prep=None, same=None, weights: bool = False) -> None:
    """``layers`` ReLU layers (c_σ = 2) on (δ, Θ) in place, δ = 1 − ρ; dl, ntk: (m, n) C-contiguous.

    With the variances a (rows) and a' (columns) of the level (a ReLU layer with c_σ = 2 keeps
    them: its diagonal has ρ = 1 and κ₁(1) = 1), r = √a, r' = √a', root = r r'ᵀ, each layer is, from
    δ alone (never from ρ = 1 − δ, which loses the digits of a small δ):

      θ = 2 arcsin √(δ/2),  sin θ = √(δ(2 − δ)),  Σ̇ = (π − θ)/π,
      δ' = 1 − (sin θ + (π − θ)(1 − δ))/π = δ·Σ̇ + (θ − sin θ)/π    (sums of non-negative terms),
      Σ' = root·(1 − δ'),  Θ' = Θ ⊙ Σ̇ + Σ',

    with θ − sin θ by its series for small θ; a zero variance gives Σ' = Σ̇ = 0 (and δ' = 1).
    ``prep(r0, r1, dl_rows, ntk_rows, bufs)`` first turns the rows [r0, r1) of ``dl`` from the
    aggregated matrix into δ (see ``_prep_*``; it may set Θ's rows); then δ = 0 exactly on the pairs
    ``same`` = (rows, cols) (sorted by row; one parallel class).  ``weights``: on exit ``dl`` holds
    W = root ⊙ δ (what the next aggregation sums), else δ.  The rows are walked in blocks of about
    ``_BLOCK`` entries and every step is applied to a block while it is in cache.
    """
    m, n = dl.shape
    if m == 0 or n == 0:
        return
    zero = bool(np.any(r_rows == 0) or np.any(r_cols == 0))
    step = max(1, _BLOCK // n)
    buf = np.empty((3, min(step, m) * n))
    if same is not None:
        s_rows, s_cols = same
        bounds = np.searchsorted(s_rows, np.arange(0, m + step, step))
    inv_pi = 1.0 / math.pi
    for b, r0 in enumerate(range(0, m, step)):
        r1 = min(m, r0 + step)
        shape = (r1 - r0, n)
        k = shape[0] * n
        d, nt = dl[r0:r1], ntk[r0:r1]
        root, th, sn = (buf[i, :k].reshape(shape) for i in range(3))
        if prep is not None:
            prep(r0, r1, d, nt, (root, th, sn))
        if same is not None:
            d[s_rows[bounds[b]:bounds[b + 1]] - r0, s_cols[bounds[b]:bounds[b + 1]]] = 0.0
        np.multiply.outer(r_rows[r0:r1], r_cols, out=root)
        if zero:
            nil = root == 0
            d[nil] = 1.0
        for _ in range(layers):
            np.multiply(d, 0.5, out=th)
            np.sqrt(th, out=th)
            np.arcsin(th, out=th)
            th *= 2.0                               # θ
            _excess_over_pi(th, d, sn)              # (θ − sin θ)/π
            np.subtract(math.pi, th, out=th)
            th *= inv_pi                            # Σ̇ = (π − θ)/π
            if zero:
                th[nil] = 0.0
            d *= th
            d += sn                                 # δ'
            if zero:
                d[nil] = 1.0
            np.subtract(1.0, d, out=sn)
            sn *= root                              # Σ' (0 where root = 0)
            nt *= th
            nt += sn
        if weights:
            d *= root


def _prep_rho(r0, r1, d, nt, bufs, *, r_rows, r_cols):
    """Level 1, general features: the aggregated matrix is Σ; Θ = Σ, δ = 1 − clip(Σ/root, −1, 1)
    (root = √(a a'), δ = 1 where root = 0): δ only to ~1e-16 absolute (1 − ρ cancels)."""
    root = bufs[0]
    nt[...] = d
    np.multiply.outer(r_rows[r0:r1], r_cols, out=root)
    pos = root > 0
    np.divide(d, np.where(pos, root, 1.0), out=d)
    np.clip(d, -1.0, 1.0, out=d)
    np.subtract(1.0, d, out=d)
    d[~pos] = 1.0


def _prep_int(r0, r1, d, nt, bufs, *, n_rows, n_cols, c_rows, c_cols):
    """Level 1, integer features: the aggregated matrix is N = M F F'ᵀ M'ᵀ (unscaled, integers, with
    n = diag N below 2^53 so that every product here is exact); Θ = Σ = c c'ᵀ ⊙ N and

      δ = 1 − N/√(n n') = (n n' − N²) / (√(n n') (√(n n') + N))   (N ≥ 0: the numerator is exact),
      δ = 1 − N/√(n n')                                            (N < 0: no cancellation),

    δ = 1 where n n' = 0."""
    rt, det, tmp = bufs
    np.multiply.outer(c_rows[r0:r1], c_cols, out=tmp)
    np.multiply(d, tmp, out=nt)
    np.multiply.outer(n_rows[r0:r1], n_cols, out=det)
    np.sqrt(det, out=rt)
    np.multiply(d, d, out=tmp)
    det -= tmp                                      # n n' − N², exact
    np.add(rt, d, out=tmp)
    tmp *= rt
    neg = d < 0
    pos = rt > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(det, tmp, out=tmp)
        if neg.any():
            tmp[neg] = 1.0 - d[neg] / rt[neg]
    tmp[~pos] = 1.0
    np.clip(tmp, 0.0, 2.0, out=d)


def _prep_e(r0, r1, d, nt, bufs, *, s_rows, s_cols, e_rows, e_cols, q_rows, q_cols, degenerate):
    """Level ℓ ≥ 2: the aggregated matrix is E = A W A'ᵀ, W = √(a a') ⊙ δ of level ℓ − 1 (non-negative
    terms), S = A √a, S' = A' √a', e = diag(E)/S² (from the diagonal chunk), so that Σ = S S'ᵀ − E,
    a_ℓ = S²(1 − e) and, with q = √(1 − e), r = q q'ᵀ:

      δ = 1 − Σ/√(a_ℓ a'_ℓ) = (E/(S S'ᵀ) − g)/r,   g = 1 − r = (e + (1 − e) e') / (1 + r),

    every piece a sum of non-negative terms: δ carries the digits that 1 − ρ would cancel (its
    error is ~1e-16 of e, not of 1).  δ = 1 where S S' r = 0 (only looked for when ``degenerate``:
    some S is 0 or some e is 1); negative rounding is cut to 0.  ``s_*``, ``e_*``, ``q_*``: the
    vectors S, e and q of the rows and the columns (see :func:`_e_form`)."""
    ss, g, r = bufs
    e_r = e_rows[r0:r1]
    np.multiply.outer(s_rows[r0:r1], s_cols, out=ss)
    np.multiply.outer(q_rows[r0:r1], q_cols, out=r)
    np.multiply.outer(1.0 - e_r, e_cols, out=g)
    g += e_r[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        d /= ss
        ss[...] = r
        ss += 1.0
        g /= ss
        d -= g
        d /= r
    if degenerate:
        d[~np.isfinite(d)] = 1.0
        d[np.multiply.outer(s_rows[r0:r1] * (1.0 - e_r), s_cols * (1.0 - e_cols)) == 0] = 1.0
    np.maximum(d, 0.0, out=d)


def _e_form(s_rows: np.ndarray, s_cols: np.ndarray, e_rows: np.ndarray, e_cols: np.ndarray) -> dict:
    """The keyword arguments of :func:`_prep_e` for one chunk pair (the vectors it needs, once)."""
    degenerate = not (np.all(s_rows > 0) and np.all(s_cols > 0) and np.all(e_rows < 1) and np.all(e_cols < 1))
    return {"s_rows": s_rows, "s_cols": s_cols, "e_rows": e_rows, "e_cols": e_cols,
            "q_rows": np.sqrt(1.0 - e_rows), "q_cols": np.sqrt(1.0 - e_cols), "degenerate": degenerate}


def _exact_products(data_rows: dict, data_cols: dict) -> bool:
    """Whether the level-1 integer products n n' of a chunk pair stay below 2^53 (exact in float64),
    so that :func:`_prep_int` applies; n = diag N from ``_level_data``."""
    top = max(data_rows["x"].max(initial=0.0), data_cols["x"].max(initial=0.0))
    return top * top < _EXACT_INT


def _same_pairs(c_rows: np.ndarray, c_cols: np.ndarray):
    """(rows, cols) of the entries whose row and column colours are in one parallel class, sorted by
    row (None when there are none): O(matches), not O(m n)."""
    common = np.intersect1d(c_rows, c_cols)
    if not common.size:
        return None
    ri = np.nonzero(np.isin(c_rows, common))[0]
    cj = np.nonzero(np.isin(c_cols, common))[0]
    order = np.argsort(c_cols[cj], kind="stable")
    cj = cj[order]
    keys = c_cols[cj]
    lo = np.searchsorted(keys, c_rows[ri], "left")
    cnt = np.searchsorted(keys, c_rows[ri], "right") - lo
    rows = np.repeat(ri, cnt)
    starts = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
    cols = cj[np.arange(int(cnt.sum())) + starts]
    return rows, cols


def _aggregate(a_rows: _Agg, a_cols: _Agg, x: np.ndarray) -> np.ndarray:
    """(A_r X A_cᵀ)ᵀ = A_c (A_r X)ᵀ, C-contiguous: X is (rows' colours of level ℓ−1) x (columns'
    colours of level ℓ−1); the result has the column side's level-ℓ colours as rows.  Returning the
    transpose avoids a second transposing copy; the caller flips its orientation every level."""
    t = a_rows @ x
    return a_cols @ np.ascontiguousarray(t.T)


def _integer_features(feats: np.ndarray) -> bool:
    """Whether the feature rows are integers small enough for exact level-1 sums (|h| ≤ 2^20)."""
    return bool(np.all(feats == np.rint(feats)) and np.all(np.abs(feats) <= 2.0 ** 20))


def _pair_block(col: Colours, si: _Side, sj: _Side, di, dj, blocks: int, mlp_layers: int, readout: str,
                level: str, backend: str = "numpy", depths: tuple = ()):
    """The Gram block of chunk pair (si, sj) and, for a diagonal pair (di = dj = None), the per-level
    data of si's colours that the other pairs need (``out_diag[lvl]``: the variances ``a`` and the
    vector ``x`` of :func:`_prep_int` (n) or :func:`_prep_e` (e)); otherwise di, dj are those lists.
    ``depths`` (numpy only): the blocks of the Grams to return, as a list of blocks, one per depth
    L' ≤ ``blocks`` (the recursion up to level L' does not depend on later levels).

    Without ReLU layers (``mlp_layers`` = 0) Σ and Θ are aggregated as they are.  With them the state
    between levels is (W = √(a a') ⊙ δ, Θ) with δ = 1 − ρ (see :func:`_relu_layers`, :func:`_prep_e`):
    the correlation of nearly parallel colours is carried by its distance from 1, so the arc-cosine
    of the next layer sees it to full relative precision."""
    if backend == "torch" and not depths:
        from .backends import torch_pair_block

        return torch_pair_block(col, si, sj, di, dj, blocks, mlp_layers, readout, level)
    want = tuple(depths) or (blocks,)
    blocks = max(want)
    diag_pair = di is None
    out_diag: list = [None] * (blocks + 1)
    # state: matrices as (p-side colours) x (q-side colours); (p, q) = (i, j) or, flipped, (j, i)
    sig = col.feats[si.sets[0]] @ col.feats[sj.sets[0]].T
    ntk = None
    flip = False

    def readout_of(lvl, mat):
        p, q = (sj, si) if flip else (si, sj)
        if level == "graph":
            t = np.asarray(_counts(p, col, lvl) @ mat)
            out = np.asarray(_counts(q, col, lvl) @ np.ascontiguousarray(t.T))   # (q graphs) x (p graphs)
            return out if flip else out.T
        out = mat[np.ix_(p.loc[lvl], q.loc[lvl])]
        return out.T if flip else out

    def data(lvl):
        """(p-side, q-side) per-level data after the flip of this level."""
        if diag_pair:
            return out_diag[lvl], out_diag[lvl]
        return (dj[lvl], di[lvl]) if flip else (di[lvl], dj[lvl])

    acc = readout_of(0, sig) if readout == "jk" else None
    exact1 = mlp_layers > 0 and _integer_features(col.feats)
    results = {}
    for lvl in range(1, blocks + 1):
        p, q = (sj, si) if flip else (si, sj)
        if mlp_layers == 0:
            sig = _aggregate(p.agg[lvl], q.agg[lvl], sig)
            ntk = sig.copy() if ntk is None else _aggregate(p.agg[lvl], q.agg[lvl], ntk)
        elif lvl == 1:
            sig = _aggregate(p.raw1, q.raw1, sig) if exact1 else _aggregate(p.agg[1], q.agg[1], sig)
            ntk = np.empty_like(sig)
        else:
            s_p, s_q = np.sqrt(data(lvl - 1)[0]["a"]), np.sqrt(data(lvl - 1)[1]["a"])
            big_s = (p.agg[lvl] @ s_p[:, None]).ravel(), (q.agg[lvl] @ s_q[:, None]).ravel()
            sig = _aggregate(p.agg[lvl], q.agg[lvl], sig)       # E = A W A'ᵀ
            ntk = _aggregate(p.agg[lvl], q.agg[lvl], ntk)
        flip = not flip
        p, q = q, p
        if mlp_layers:
            if lvl > 1:
                big_s = big_s[::-1]
            if diag_pair:
                out_diag[lvl] = _level_data(lvl, np.diag(sig).copy(), big_s[0] if lvl > 1 else None, exact1,
                                            p.scale1)
            dp, dq = data(lvl)
            if lvl > 1:
                prep = functools.partial(_prep_e, **_e_form(big_s[0], big_s[1], dp["x"], dq["x"]))
            elif exact1 and _exact_products(dp, dq):
                prep = functools.partial(_prep_int, n_rows=dp["x"], n_cols=dq["x"], c_rows=p.scale1,
                                         c_cols=q.scale1)
            else:
                if exact1:                  # N too large for exact products: Σ = c c'ᵀ ⊙ N, δ from ρ
                    sig = sig * np.multiply.outer(p.scale1, q.scale1)
                prep = functools.partial(_prep_rho, r_rows=np.sqrt(dp["a"]), r_cols=np.sqrt(dq["a"]))
            same = _same_pairs(col.classes[lvl][p.sets[lvl]], col.classes[lvl][q.sets[lvl]])
            _relu_layers(sig, ntk, np.sqrt(dp["a"]), np.sqrt(dq["a"]), mlp_layers, prep, same,
                         weights=lvl < blocks)
        if readout == "jk" or lvl in want:
            here = readout_of(lvl, ntk)
            if readout == "jk":
                acc = acc + here
            if lvl in want:
                results[lvl] = (acc if readout == "jk" else here).copy()
    out = []
    for d in want:
        b = results[d]
        if diag_pair:  # exact symmetry (the sparse products round the two triangles differently)
            b = 0.5 * (b + b.T)
        out.append(b)
    return (out if depths else out[0]), (out_diag if diag_pair else None)


def _level_data(lvl: int, dg: np.ndarray, big_s, exact1: bool, scale1) -> dict:
    """A diagonal chunk pair's per-level data from the diagonal ``dg`` of its aggregated matrix:
    level 1, integer features: x = n = diag N, a = c² n (c = ``scale1``); level 1 otherwise:
    a = diag Σ; level ℓ ≥ 2: x = e = diag(E)/S², a = S²(1 − e) (0 where S = 0)."""
    if lvl == 1:
        if exact1:
            return {"a": scale1 * scale1 * dg, "x": dg}
        return {"a": dg, "x": None}
    s2 = big_s * big_s
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(s2 > 0, dg / s2, 0.0)
    e = np.clip(e, 0.0, 1.0)
    return {"a": s2 * (1.0 - e), "x": e}


def _diag_task(col, sides, i, blocks, mlp_layers, readout, level, backend, depths=()):
    return _pair_block(
        col, sides[i], sides[i], None, None, blocks, mlp_layers, readout, level, backend, depths
    )


def _off_task(col, sides, i, j, di, dj, blocks, mlp_layers, readout, level, backend, depths=()):
    return _pair_block(col, sides[i], sides[j], di, dj, blocks, mlp_layers, readout, level, backend, depths)[
        0
    ]


def _diag_batch(col, sides, idx, opts):
    """Several diagonal chunk pairs in one task (the shared data travel once per task)."""
    return [_diag_task(col, sides, i, *opts) for i in idx]


def _off_batch(col, sides, pairs, diags, opts):
    """Several off-diagonal chunk pairs in one task; ``diags`` maps chunk -> its variances."""
    return [_off_task(col, sides, i, j, diags[i], diags[j], *opts) for i, j in pairs]


def _split(items: list, parts: int) -> list[list]:
    """``items`` dealt round-robin into at most ``parts`` non-empty lists (balances similar tasks)."""
    parts = max(1, min(parts, len(items)))
    return [items[k::parts] for k in range(parts)]


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
    # the tasks need the chunks, the features, the classes and the node offsets, not the refinement
    light = Colours([], [], [], col.feats, col.offsets, col.classes)
    parts = 1 if eng.name == "serial" else 4 * max(1, getattr(eng, "workers", 1))
    try:
        opts = (blocks, mlp_layers, readout, level, backend, depths)
        idx = _split(list(range(len(sides))), parts)
        done = eng.map(_diag_batch, [(ix, opts) for ix in idx], shared=(light, sides))
        first: list = [None] * len(sides)
        for ix, res in zip(idx, done):
            for i, r in zip(ix, res):
                first[i] = r
        diags = [d for _, d in first]
        pairs = [(i, j) for i in range(len(sides)) for j in range(i + 1, len(sides))]
        batches = _split(pairs, parts)
        rest_by = {}
        if pairs:
            tasks = [(bt, {k: diags[k] for pr in bt for k in pr}, opts) for bt in batches]
            for bt, res in zip(batches, eng.map(_off_batch, tasks, shared=(light, sides))):
                rest_by.update(zip(bt, res))
        rest = [rest_by[pr] for pr in pairs]
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
