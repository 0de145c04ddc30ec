"""Linear GNN models (Xu et al. 2021; arXiv 2501.14440): one source of truth for shapes and formulas.

Both models are a chain of factors applied to the aggregated training features:

    Ŷ = W_L ⋯ W_1 Z,   Z = G̃ = (X S^H)_{*I}  (m_x × |I|),   L(θ) = κ ||Ŷ − Y||_F²,

with L = H + 1 factors ``Ws = [W_1, ..., W_L]``, ``W_i`` of shape ``(widths[i], widths[i-1])``,
``widths = (m_x, m_1, ..., m_H, m_y)``.  Xu et al.: ``W_i = B_(i)`` for i ≤ H, ``W_{H+1} = W``,
κ = 1 (no 1/2).  arXiv 2501.14440: the same chain with a prefactor κ (1, 1/2 or 1/(2n̄)) and the
option ``W_1(0) = 0``.  The flat parameter vector θ stacks vec(W_1), ..., vec(W_L) (vec stacks
columns).  Gradients ``∇_{W_i} L`` have ``W_i``'s shape:

    ∇_{W_i} L = 2κ (W_L⋯W_{i+1})ᵀ (Ŷ − Y) Zᵀ (W_{i−1}⋯W_1)ᵀ.

The array functions (:func:`chain_product`, :func:`chain_loss`, :func:`chain_grads`,
:func:`chain_hvp`) are generic: they work on float64 numpy arrays, numpy object arrays (mpmath
``mpf`` or ``fractions.Fraction`` entries: exact or high precision), and torch tensors with any
leading batch axes (a configuration axis).  They use only ``@``, ``+``, ``-``, ``*`` and
``swapaxes``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import InputError
from ..graphs.random_graphs import erdos_renyi

__all__ = [
    "GNNInstance",
    "make_instance",
    "make_problem",
    "init_weights",
    "normalized_adjacency",
    "chain_product",
    "chain_forward",
    "chain_loss",
    "chain_grads",
    "chain_hvp",
    "loss",
    "grads",
    "hvp",
    "predictions",
    "excess_loss",
    "optimal_loss",
    "row_projector",
    "sigma_small",
    "lambda_min_prefix",
    "pack",
    "unpack",
    "as_object",
    "to_object",
    "balance_gaps",
    "Problem",
    "xu_problem",
    "chain_factors",
    "to_mp",
    "to_sympy",
    "chain",
    "gradients",
    "frob2",
    "entries",
    "vec",
    "BoundTerms",
    "bound_terms",
    "sigma_small2",
    "lam_min",
]


# ----------------------------------------------------------------------------- generic array ops
def _T(a):
    """Transpose of the last two axes (works for numpy and torch)."""
    return a.swapaxes(-1, -2)


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def _mm(a, b):
    """Matrix product a @ b, broadcast over leading (configuration) axes.  (Measured: for batched
    tiny float64 torch matrices on CPU, ``@`` beats multiply-and-sum by 5-14x at batch >= 1024.)"""
    return a @ b


def _mul(a, b):
    """a @ b where ``None`` stands for an identity matrix."""
    if a is None:
        return b
    if b is None:
        return a
    return _mm(a, b)


def _add(a, b):
    """a + b where ``None`` stands for zero."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _sumsq(x):
    """Squared Frobenius norm over the last two axes (batch axes kept)."""
    if _is_torch(x):
        return (x * x).sum(dim=(-1, -2))
    return (x * x).sum(axis=(-1, -2))


def chain_product(Ws: Sequence[Any], lo: int = 0, hi: int | None = None):
    """W_{hi} ⋯ W_{lo+1} in 1-based factor numbering, i.e. ``Ws[hi-1] @ ... @ Ws[lo]``
    (0-based slice ``Ws[lo:hi]``, applied right to left); ``None`` (identity) if empty."""
    hi = len(Ws) if hi is None else hi
    out = None
    for i in range(lo, hi):
        out = _mul(Ws[i], out)
    return out


def chain_forward(Ws: Sequence[Any], Z):
    """Ŷ = W_L ⋯ W_1 Z (columns = nodes)."""
    return _mm(chain_product(Ws), Z)


def chain_loss(Ws: Sequence[Any], Z, Y, kappa: Any = 1):
    """L = κ ||W_L⋯W_1 Z − Y||_F² (batched over leading axes)."""
    R = chain_forward(Ws, Z) - Y
    return kappa * _sumsq(R)


def _prefixes(Ws):
    """P[i] = W_i ⋯ W_1 (1-based), P[0] = None (identity); i = 0..L."""
    P = [None]
    for W in Ws:
        P.append(_mul(W, P[-1]))
    return P


def _suffixes(Ws):
    """S[i] = W_L ⋯ W_{i+1} (1-based; 0-based: Ws[L-1]⋯Ws[i]), S[L] = None; i = 0..L."""
    L = len(Ws)
    S = [None] * (L + 1)
    for i in range(L - 1, -1, -1):
        S[i] = _mul(S[i + 1], Ws[i])
    return S


def chain_grads(Ws: Sequence[Any], Z, Y, kappa: Any = 1) -> list:
    """[∇_{W_1} L, ..., ∇_{W_L} L], each of its factor's shape:
    ∇_{W_i} L = 2κ (W_L⋯W_{i+1})ᵀ (Ŷ − Y) Zᵀ (W_{i−1}⋯W_1)ᵀ."""
    P = _prefixes(Ws)
    S = _suffixes(Ws)
    R = _mm(P[-1], Z) - Y
    E = (2 * kappa) * _mm(R, _T(Z))
    out = []
    for i in range(len(Ws)):
        left = E if S[i + 1] is None else _mm(_T(S[i + 1]), E)
        out.append(left if P[i] is None else _mm(left, _T(P[i])))
    return out


def chain_hvp(Ws: Sequence[Any], Vs: Sequence[Any], Z, Y, kappa: Any = 1) -> list:
    """Hessian-vector product ∇²L(θ)[V] = d/dε ∇L(θ + εV) at ε = 0, per factor (factor shapes).

    Exact product rule on the gradient formula of :func:`chain_grads` (no finite differences)."""
    L = len(Ws)
    P = _prefixes(Ws)
    S = _suffixes(Ws)
    # directional derivatives of prefixes and suffixes
    dP = [None] * (L + 1)
    for i in range(L):
        dP[i + 1] = _add(None if dP[i] is None else _mm(Ws[i], dP[i]), _mul(Vs[i], P[i]))
    dS = [None] * (L + 1)
    for i in range(L - 1, -1, -1):
        dS[i] = _add(None if dS[i + 1] is None else _mm(dS[i + 1], Ws[i]), _mul(S[i + 1], Vs[i]))
    R = _mm(P[-1], Z) - Y
    E = (2 * kappa) * _mm(R, _T(Z))
    dE = (2 * kappa) * _mm(_mm(dP[-1], Z), _T(Z))
    out = []
    for i in range(L):
        St = None if S[i + 1] is None else _T(S[i + 1])
        Pt = None if P[i] is None else _T(P[i])
        term = _mul(_mul(St, dE), Pt)
        if dS[i + 1] is not None:
            term = term + _mul(_mm(_T(dS[i + 1]), E), Pt)
        if dP[i] is not None:
            term = term + _mm(_mul(St, E), _T(dP[i]))
        out.append(term)
    return out


# ----------------------------------------------------------------------------- instances
def normalized_adjacency(A: np.ndarray) -> np.ndarray:
    """S = D^{-1/2} (A + I) D^{-1/2} for a symmetric 0/1 adjacency A without self-loops."""
    A = np.asarray(A, dtype=float)
    At = A + np.eye(A.shape[0])
    d = At.sum(axis=1)
    return At / np.sqrt(np.outer(d, d))


@dataclass(frozen=True)
class GNNInstance:
    """A node-regression problem for the chain model.

    X: (m_x, n) features as columns; S: (n, n) graph shift; H: number of propagation hops (S^H);
    train: training node indices I; Y: (m_y, |I|) targets; widths: (m_x, m_1, ..., m_H, m_y)
    (so there are H + 1 factors); kappa: loss prefactor (Xu: 1).  Arrays may be float64 or
    object (Fraction / mpf, see :func:`as_object`).
    """

    X: Any
    S: Any
    H: int
    train: tuple
    Y: Any
    widths: tuple
    kappa: Any = 1.0
    seed: int | None = None
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def n(self) -> int:
        return self.X.shape[1]

    @property
    def test(self) -> tuple:
        """Nodes not in the training set."""
        s = set(self.train)
        return tuple(i for i in range(self.n) if i not in s)

    @property
    def XS(self):
        """X S^H (m_x × n): aggregated features of every node."""
        M = self.X
        for _ in range(self.H):
            M = M @ self.S
        return M

    @property
    def G(self):
        """G̃ = Z = (X S^H)_{*I} (m_x × |I|)."""
        return self.XS[:, list(self.train)]

    @property
    def G_test(self):
        """(X S^H)_{*I^c} (m_x × #test nodes)."""
        return self.XS[:, list(self.test)]

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """Factor shapes [(m_1, m_x), ..., (m_y, m_H)]."""
        w = self.widths
        return [(w[i + 1], w[i]) for i in range(len(w) - 1)]

    @property
    def n_params(self) -> int:
        return int(sum(a * b for a, b in self.shapes))

    def describe(self) -> dict:
        """JSON-friendly description (sizes, seed, generator settings)."""
        return {"n": self.n, "m_x": self.widths[0], "widths": list(self.widths), "H": self.H,
                "train": list(self.train), "m_y": self.widths[-1], "kappa": float(self.kappa),
                "n_params": self.n_params, "seed": self.seed, **self.meta}


def make_instance(seed: int, *, n: int = 8, m_x: int = 3, hidden: Sequence[int] | int = 4,
                  m_y: int = 1, H: int = 2, n_train: int = 5, p_edge: float = 0.4,
                  kappa: float = 1.0) -> GNNInstance:
    """A seeded random instance: Erdős–Rényi graph G(n, p_edge) plus self-loops, symmetric
    normalisation S = D^{-1/2}(A+I)D^{-1/2}; X, Y entries N(0, 1); training nodes a random
    subset of size n_train.  Defaults give docs/math.md's 32-parameter shape (n=8, m_x=3, hidden 4,
    m_y=1, H=2, |I|=5).  ``hidden`` is one width (repeated H times) or H widths."""
    rng = np.random.default_rng(seed)
    return _draw_instance(rng, seed, n=n, m_x=m_x, hidden=hidden, m_y=m_y, H=H, n_train=n_train,
                          p_edge=p_edge, kappa=kappa)


def _draw_instance(rng: np.random.Generator, seed, *, n, m_x, hidden, m_y, H, n_train, p_edge,
                   kappa) -> GNNInstance:
    if isinstance(hidden, int):
        hidden = [hidden] * H
    hidden = list(hidden)
    if H < 1 or len(hidden) != H:
        raise InputError(f"make_instance: need H >= 1 and H hidden widths (got H={H}, hidden={hidden})")
    if not (1 <= n_train <= n) or min([n, m_x, m_y] + hidden) < 1:
        raise InputError(f"make_instance: bad sizes n={n}, n_train={n_train}, m_x={m_x}, m_y={m_y}")
    if not (0.0 <= p_edge <= 1.0):
        raise InputError(f"make_instance: p_edge must lie in [0, 1] (got {p_edge})")
    A = erdos_renyi(n, p_edge, rng)
    S = normalized_adjacency(A)
    X = rng.standard_normal((m_x, n))
    train = tuple(sorted(int(i) for i in rng.choice(n, size=n_train, replace=False)))
    Y = rng.standard_normal((m_y, n_train))
    meta = {"p_edge": p_edge, "edges": int(A.sum() // 2)}
    return GNNInstance(X=X, S=S, H=H, train=train, Y=Y, widths=tuple([m_x] + hidden + [m_y]),
                       kappa=kappa, seed=seed, meta=meta)


def make_problem(seed: int = 1, *, p_edge: float = 0.35, **kwargs) -> tuple[GNNInstance, list[np.ndarray]]:
    """docs/math.md's reference problem: instance and initial factors drawn from ONE generator
    ``default_rng(seed)`` in the order graph (p_edge = 0.35), X, training set, Y, then B_1..B_H, W
    with entries N(0, 1/fan_in).  seed = 1 with the defaults is the 32-parameter instance whose
    numbers docs/math.md reports (σ²_min = 0.0763, sharpness 11.6 at θ₀; the same draw as
    :func:`xu_problem(1) <xu_problem>`).  Other keywords as in :func:`make_instance`."""
    base = dict(n=8, m_x=3, hidden=4, m_y=1, H=2, n_train=5, kappa=1.0)
    base.update(kwargs)
    rng = np.random.default_rng(seed)
    inst = _draw_instance(rng, seed, p_edge=p_edge, **base)
    Ws = [rng.standard_normal(sh) / np.sqrt(sh[1]) for sh in inst.shapes]
    inst = replace(inst, meta={**inst.meta, "generator": "make_problem (one stream: instance, then weights)"})
    return inst, Ws


def init_weights(inst: GNNInstance, seed: int, *, zero_first: bool = False,
                 scale: float = 1.0) -> list[np.ndarray]:
    """Factors W_i with entries N(0, scale²/fan_in), fan_in = widths[i-1]; W_1 = 0 if zero_first
    (the initialisation of arXiv 2501.14440, Thm 3.1)."""
    rng = np.random.default_rng(seed)
    Ws = [scale * rng.standard_normal(s) / np.sqrt(s[1]) for s in inst.shapes]
    if zero_first:
        Ws[0] = np.zeros_like(Ws[0])
    return Ws


def as_object(inst: GNNInstance, kind: str = "mpf") -> GNNInstance:
    """The same instance with object arrays: ``"fraction"`` (exact: each float64 entry as the
    rational it is) or ``"mpf"`` (mpmath numbers at the current mp.dps; float64 entries exact)."""
    import mpmath

    conv = Fraction if kind == "fraction" else mpmath.mpf
    if kind not in ("fraction", "mpf"):
        raise InputError(f"as_object: kind must be 'fraction' or 'mpf' (got {kind!r})")

    def c(a):
        return np.vectorize(
            lambda v: conv(float(v)) if not isinstance(v, (Fraction, mpmath.mpf)) else conv(v),
            otypes=[object],
        )(np.asarray(a, dtype=object))

    k = conv(float(inst.kappa)) if not isinstance(inst.kappa, (Fraction, mpmath.mpf)) else inst.kappa
    return replace(inst, X=c(inst.X), S=c(inst.S), Y=c(inst.Y), kappa=k)


def to_object(Ws: Sequence[Any], kind: str = "mpf") -> list:
    """Factors as object arrays (Fraction or mpf), entries converted exactly from float64."""
    import mpmath

    conv = Fraction if kind == "fraction" else mpmath.mpf
    return [np.vectorize(lambda v: conv(float(v)), otypes=[object])(np.asarray(W, dtype=float)) for W in Ws]


# ----------------------------------------------------------------------------- instance-bound API
def loss(inst: GNNInstance, Ws: Sequence[Any]):
    """L(θ) = κ ||W_L⋯W_1 G̃ − Y||_F²."""
    return chain_loss(Ws, inst.G, inst.Y, inst.kappa)


def grads(inst: GNNInstance, Ws: Sequence[Any]) -> list:
    """[∇_{W_1} L, ..., ∇_{W_L} L] (each with its factor's shape)."""
    return chain_grads(Ws, inst.G, inst.Y, inst.kappa)


def hvp(inst: GNNInstance, Ws: Sequence[Any], Vs: Sequence[Any]) -> list:
    """∇²L(θ)[V] per factor."""
    return chain_hvp(Ws, Vs, inst.G, inst.Y, inst.kappa)


def predictions(inst: GNNInstance, Ws: Sequence[Any], nodes: str = "train"):
    """Model outputs W_L⋯W_1 (X S^H)_{*J} for J = training ("train"), test ("test") or all nodes."""
    M = {"train": inst.G, "test": inst.G_test, "all": inst.XS}.get(nodes)
    if M is None:
        raise InputError(f"predictions: nodes must be 'train', 'test' or 'all' (got {nodes!r})")
    return chain_forward(Ws, M)


def _svd(G):
    """(U, s, Vt) in float64, or in mpmath for object arrays."""
    if np.asarray(G).dtype == object:
        import mpmath

        U, s, V = mpmath.mp.svd_r(mpmath.matrix(G.tolist()))
        Un = np.array(U.tolist(), dtype=object)
        Vn = np.array(V.tolist(), dtype=object)
        return Un, [s[i] for i in range(len(s))], Vn
    return np.linalg.svd(np.asarray(G, dtype=float), full_matrices=False)


def _rank_tol(s, shape):
    if not len(s):
        return 0.0
    smax = max(abs(v) for v in s)
    if isinstance(smax, float) or isinstance(smax, np.floating):
        eps = np.finfo(float).eps
    else:
        import mpmath

        eps = mpmath.mpf(2) ** (-mpmath.mp.prec)
    return smax * max(shape) * eps * 16


def row_projector(G):
    """Π = V_r V_rᵀ: orthogonal projector (|I| × |I|) onto the row space of G̃ from the compact
    SVD (only the r singular vectors with non-zero singular value; a full V would give I).

    numpy arrays (float64 or object) give a numpy array; an ``mpmath.matrix`` gives an mpmath
    matrix, singular values below 10^-(dps-10)·σ_max counted as zero."""
    if _is_mp_matrix(G):
        return _mp_row_projector(G)
    U, s, Vt = _svd(G)
    tol = _rank_tol(s, G.shape)
    r = sum(1 for v in s if v > tol)
    Vr = Vt[:r, :]
    return _T(Vr) @ Vr


def sigma_small(G):
    """Smallest non-zero singular value of G (σ_min of docs/math.md, step 5).  An ``mpmath.matrix``
    is decomposed in mpmath (singular values below 10^-(dps-10)·σ_max count as zero)."""
    if _is_mp_matrix(G):
        return _mp_sigma_small(G)
    U, s, Vt = _svd(G)
    tol = _rank_tol(s, G.shape)
    nz = [v for v in s if v > tol]
    return min(nz) if nz else 0.0


def optimal_loss(inst: GNNInstance):
    """L* = κ ||Y (I − Π)||_F² (best loss over all products W̃)."""
    Pi = row_projector(inst.G)
    R = inst.Y - inst.Y @ Pi
    return inst.kappa * _sumsq(R)


def excess_loss(inst: GNNInstance, Ws: Sequence[Any], Pi=None):
    """L − L* computed as κ ||Ŷ − YΠ||_F² (Pythagoras; no cancellation).  Pass ``Pi`` to reuse
    the projector."""
    Pi = row_projector(inst.G) if Pi is None else Pi
    return inst.kappa * _sumsq(chain_forward(Ws, inst.G) - inst.Y @ Pi)


def lambda_min_prefix(Ws: Sequence[np.ndarray]) -> float:
    """λ_min((B_H⋯B_1)ᵀ(B_H⋯B_1)) with B_H⋯B_1 = W_{L−1}⋯W_1 (all factors but the last): the λ of
    Xu et al.'s bound (float64).  Exactly 0.0 when some factor W_i, i < L, has fewer rows than
    m_x (the product then has rank < m_x: structural, not a rounding verdict)."""
    M = chain_product(Ws, 0, len(Ws) - 1)
    if M is None:
        return 1.0
    m_x = np.shape(Ws[0])[1]
    if min(np.shape(W)[0] for W in Ws[:-1]) < m_x:
        return 0.0
    M = np.asarray(M, dtype=float)
    return float(max(np.linalg.eigvalsh(M.T @ M)[0], 0.0))


def balance_gaps(Ws: Sequence[Any]) -> list:
    """D_i = W_{i+1}ᵀW_{i+1} − W_i W_iᵀ for consecutive factors (conserved by gradient flow)."""
    return [_mm(_T(Ws[i + 1]), Ws[i + 1]) - _mm(Ws[i], _T(Ws[i])) for i in range(len(Ws) - 1)]


def pack(Ws: Sequence[Any]) -> np.ndarray:
    """θ = [vec(W_1); ...; vec(W_L)] (vec stacks columns)."""
    return np.concatenate([np.asarray(W).reshape(-1, order="F") for W in Ws])


def unpack(theta, shapes: Sequence[tuple[int, int]]) -> list:
    """Inverse of :func:`pack`."""
    out, k = [], 0
    for (a, b) in shapes:
        out.append(np.asarray(theta[k:k + a * b]).reshape((a, b), order="F"))
        k += a * b
    return out


# ----------------------------------------------------------------------------- Xu et al.'s names
@dataclass(frozen=True)
class Problem:
    """An instance with its factors, under Xu et al.'s names: ``Bs = [B_(1), ..., B_(H)] = Ws[:-1]``
    and ``W = Ws[-1]`` (m_y × m_H).  The loss is the chain loss with κ = 1: L = ||W B_(H)⋯B_(1) G̃ − Y||_F²."""

    inst: GNNInstance
    Ws: tuple

    X = property(lambda self: self.inst.X)
    S = property(lambda self: self.inst.S)
    Y = property(lambda self: self.inst.Y)
    train = property(lambda self: self.inst.train)
    seed = property(lambda self: self.inst.seed)
    W = property(lambda self: self.Ws[-1])
    Bs = property(lambda self: list(self.Ws[:-1]))

    @property
    def H(self) -> int:
        return len(self.Ws) - 1

    def dims(self) -> dict[str, int]:
        """n, m_x, m_y, n_bar = |I|, H and the hidden widths m_1..m_H."""
        d = {"n": self.S.shape[0], "m_x": self.X.shape[0], "m_y": self.Y.shape[0],
             "n_bar": len(self.train), "H": self.H}
        for i, B in enumerate(self.Bs, 1):
            d[f"m_{i}"] = B.shape[0]
        return d

    def G(self) -> np.ndarray:
        """G̃ = X (S^H)_{*I} computed exactly: an object array of Fractions (every float64 entry of X
        and S is a dyadic rational), so no rounding enters before the exact or high-precision work."""
        X, S = _fractions(self.X), _fractions(self.S)
        SH = _fractions(np.identity(S.shape[0]))
        for _ in range(self.H):
            SH = SH.dot(S)
        return X.dot(SH)[:, list(self.train)]

    def values(self) -> dict[str, Any]:
        """Every variable as JSON (row-major nested lists; exact rationals by the one rule of
        :func:`verify.linalg.rational_to_json`)."""
        out: dict[str, Any] = {"X": _json_rows(self.X), "S": _json_rows(self.S), "train": list(self.train),
                               "Y": _json_rows(self.Y), "W": _json_rows(self.W)}
        for i, B in enumerate(self.Bs, 1):
            out[f"B_{i}"] = _json_rows(B)
        return out


def xu_problem(seed: int, *, n: int = 8, m_x: int = 3, widths: Sequence[int] = (4, 4), m_y: int = 1,
               n_train: int = 5) -> Problem:
    """:func:`make_problem` with Xu et al.'s loss (κ = 1) and H = len(widths) hidden widths
    ``widths = (m_1, ..., m_H)``: graph G(n, 0.35) with self-loops, symmetric normalisation, X, Y ~ N(0, 1),
    factors N(0, 1/fan_in), all from one stream ``default_rng(seed)``.  The defaults are docs/math.md's
    32-parameter instance (seed 1)."""
    inst, Ws = make_problem(seed, n=n, m_x=m_x, hidden=list(widths), H=len(widths), m_y=m_y, n_train=n_train)
    return Problem(inst, tuple(Ws))


def chain_factors(problem: Problem) -> tuple[list, np.ndarray, Any]:
    """The problem in the chain convention (L = κ||W_L⋯W_1 Z − Y||_F², κ = 1): factors
    ``[B_(1), ..., B_(H), W]``, Z = G̃ (exact Fractions, :meth:`Problem.G`) and Y."""
    return [*problem.Bs, problem.W], problem.G(), problem.Y


def _fractions(a) -> np.ndarray:
    return np.array([[x if isinstance(x, Fraction) else Fraction(float(x)) for x in row] for row in a],
                    dtype=object)


def _json_rows(a) -> list:
    from ..linalg import rational_to_json

    return [[rational_to_json(x) if isinstance(x, Fraction) else float(x) for x in row] for row in a]


# ------------------------------------------------------------ matrix types with * (mpmath, sympy, flint)
def _is_mp_matrix(a) -> bool:
    return type(a).__module__.startswith("mpmath")


def transpose(a: Any) -> Any:
    """Transpose for mpmath, sympy (``.T``) and python-flint (``.transpose()``) matrices."""
    return a.transpose() if hasattr(a, "transpose") and not hasattr(a, "T") else a.T


def to_mp(a) -> Any:
    """numpy (float64 or Fraction objects) → mpmath matrix at the current precision (exact for both)."""
    import mpmath

    def one(x):
        if isinstance(x, Fraction):
            return mpmath.mpf(x.numerator) / x.denominator
        return mpmath.mpf(float(x))
    return mpmath.matrix([[one(x) for x in row] for row in np.atleast_2d(a)])


def to_sympy(a) -> Any:
    """numpy (float64 or Fraction objects) → sympy Matrix of Rationals (exact)."""
    import sympy

    def one(x):
        if isinstance(x, Fraction):
            return sympy.Rational(x.numerator, x.denominator)
        return sympy.Rational(float(x))
    return sympy.Matrix([[one(x) for x in row] for row in np.atleast_2d(a)])


def chain(mats: Sequence[Any], identity: Callable[[int], Any], size: int) -> Any:
    """mats[0] * mats[1] * ... for matrix types whose ``*`` is the matrix product (identity of ``size``
    when empty)."""
    if not mats:
        return identity(size)
    out = mats[0]
    for m in mats[1:]:
        out = out * m
    return out


@dataclass
class Grads:
    """Predictions, residual and every gradient of L = ||W B_H⋯B_1 G − Y||_F² (each of its variable's
    shape)."""

    Yhat: Any
    R: Any            # Ŷ − Y
    gWt: Any          # ∇_{W̃} L
    gW: Any           # ∇_W L
    gB: list          # [∇_{B_1} L, ..., ∇_{B_H} L]
    loss: Any


def gradients(W: Any, Bs: Sequence[Any], G: Any, Y: Any, identity: Callable[[int], Any]) -> Grads:
    """The chain gradients (:func:`chain_grads`, κ = 1) written for ``*``-product matrix types:
    ∇_{W̃} L = 2(Ŷ − Y)G̃ᵀ, ∇_W L = ∇_{W̃} L (B_H⋯B_1)ᵀ,
    ∇_{B_l} L = (W B_H⋯B_{l+1})ᵀ ∇_{W̃} L (B_{l−1}⋯B_1)ᵀ."""
    H = len(Bs)
    m_x = _rows(G)
    P = chain(list(reversed(Bs)), identity, m_x)                     # B_H ... B_1
    Yhat = W * P * G
    R = Yhat - Y
    gWt = 2 * (R * transpose(G))
    gW = gWt * transpose(P)
    gB = []
    for layer in range(1, H + 1):
        A = W * chain(list(reversed(Bs[layer:])), identity, _rows(Bs[layer - 1]))   # W B_H...B_(l+1)
        C = chain(list(reversed(Bs[: layer - 1])), identity, m_x)                   # B_(l-1)...B_1
        gB.append(transpose(A) * gWt * transpose(C))
    return Grads(Yhat, R, gWt, gW, gB, frob2(R))


def _rows(a: Any) -> int:
    if hasattr(a, "rows"):
        r = a.rows
        return r() if callable(r) else r
    return a.nrows()


def _cols(a: Any) -> int:
    if hasattr(a, "cols"):
        c = a.cols
        return c() if callable(c) else c
    return a.ncols()


def entries(a: Any) -> list:
    """Row-major entries of a matrix of any of the supported types."""
    if hasattr(a, "entries"):
        return list(a.entries())
    return [a[i, j] for i in range(_rows(a)) for j in range(_cols(a))]


def frob2(a: Any) -> Any:
    """||a||_F²."""
    es = entries(a)
    out = es[0] * es[0]
    for e in es[1:]:
        out = out + e * e
    return out


def vec(a: Any) -> list:
    """Column-stacked entries (vec)."""
    return [a[i, j] for j in range(_cols(a)) for i in range(_rows(a))]


@dataclass
class BoundTerms:
    """The quantities of Xu et al.'s flow bound at one point (current mpmath precision)."""

    loss: Any          # L
    excess: Any        # L − L* computed as ||Ŷ − YΠ||_F² (no cancellation)
    lstar: Any         # L* = ||Y(I − Π)||_F²
    grad2: Any         # ||∇_θ L||² = −dL/dt
    part_a: Any        # ||∇_W L||²
    part_b: list       # [||∇_{B_l} L||²]
    lam: Any           # λ_min((B_H⋯B_1)ᵀ(B_H⋯B_1))
    sigma2: Any        # σ_min²(G̃) (smallest non-zero)


def _mp_cutoff(s) -> Any:
    import mpmath

    return mpmath.mpf(10) ** (-(mpmath.mp.dps - 10)) * max(s)


def _mp_row_projector(G) -> Any:
    import mpmath

    U, s, V = mpmath.svd_r(G.T)          # Gᵀ = U diag(s) Vᵀ, U: n_bar × k
    tol = _mp_cutoff(s)
    cols = [j for j in range(len(s)) if s[j] > tol]
    Ur = mpmath.matrix(U.rows, len(cols))
    for jj, j in enumerate(cols):
        for i in range(U.rows):
            Ur[i, jj] = U[i, j]
    return Ur * Ur.T


def _mp_sigma_small(G) -> Any:
    import mpmath

    s = mpmath.svd_r(G, compute_uv=False)
    tol = _mp_cutoff(s)
    return min(x for x in s if x > tol)


def sigma_small2(G) -> Any:
    """σ_small(G)²: the smallest non-zero singular value, squared."""
    return sigma_small(G) ** 2


def lam_min(Bs: Sequence[Any], m_x: int) -> Any:
    """λ_min((B_H⋯B_1)ᵀ(B_H⋯B_1)) in mpmath (the λ of the bound)."""
    import mpmath

    P = chain(list(reversed(list(Bs))), lambda k: mpmath.eye(k), m_x)
    E = mpmath.eigsy(P.T * P, eigvals_only=True)
    return min(E[i] for i in range(len(E)))


def bound_terms(W, Bs, G, Y, Pi=None, sigma2=None) -> BoundTerms:
    """Every quantity the proof's bound uses, at the current mpmath precision."""
    import mpmath

    g = gradients(W, Bs, G, Y, lambda k: mpmath.eye(k))
    Pi = row_projector(G) if Pi is None else Pi
    excess = frob2(g.Yhat - Y * Pi)
    lstar = frob2(Y - Y * Pi)
    pa = frob2(g.gW)
    pb = [frob2(x) for x in g.gB]
    return BoundTerms(g.loss, excess, lstar, pa + sum(pb), pa, pb, lam_min(Bs, G.rows),
                      sigma_small2(G) if sigma2 is None else sigma2)
