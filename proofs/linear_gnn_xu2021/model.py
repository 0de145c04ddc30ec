"""The linear GNN of Xu, Zhang, Jegelka, Kawaguchi (2021) as restated in seed 002.

Shapes (MATH.md conventions): X is m_x x n (features as columns), S is n x n (graph shift),
B_(l) is m_l x m_(l-1) with m_0 = m_x, W is m_y x m_H, the training nodes are the column indices
``train`` (n_bar of them) and Y is m_y x n_bar.  With E the n x n_bar column selection,

    f(X, W, B)_{*I} = W~ G~,   W~ = W B_(H) ... B_(1),   G~ = X S^H E,
    L = ||W~ G~ - Y||_F^2       (no 1/2).

Gradients have the parameter's shape:  grad_{W~} L = 2 (Y^ - Y) G~^T,
grad_W L = grad_{W~} L (B_(H)...B_(1))^T,
grad_{B_l} L = (W B_(H)...B_(l+1))^T grad_{W~} L (B_(l-1)...B_(1))^T.

The formulas below are written once, generically, for any matrix type with ``*`` as the matrix
product (mpmath ``matrix``, sympy ``Matrix``, python-flint ``arb_mat``): one source for the
exact, the high-precision and the ball-arithmetic computations.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np


def T(a: Any) -> Any:
    """Transpose for mpmath, sympy (``.T``) and python-flint (``.transpose()``) matrices."""
    return a.transpose() if hasattr(a, "transpose") and not hasattr(a, "T") else a.T


@dataclass
class Instance:
    """One linear-GNN training problem (float64 or exact rational entries as numpy object arrays)."""

    X: np.ndarray                 # m_x x n
    S: np.ndarray                 # n x n
    train: tuple[int, ...]        # training columns I
    Y: np.ndarray                 # m_y x n_bar
    W: np.ndarray                 # m_y x m_H
    Bs: list[np.ndarray]          # [B_(1), ..., B_(H)]
    seed: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def H(self) -> int:
        return len(self.Bs)

    def dims(self) -> dict[str, int]:
        d = {"n": self.S.shape[0], "m_x": self.X.shape[0], "m_y": self.Y.shape[0],
             "n_bar": len(self.train), "H": self.H}
        for i, B in enumerate(self.Bs, 1):
            d[f"m_{i}"] = B.shape[0]
        return d

    def G(self) -> np.ndarray:
        """G~ = X (S^H)_{*I}, computed exactly: an object array of Fractions (every float64 entry of
        X and S is a dyadic rational), so no rounding enters the instance before the high-precision
        or exact computations."""
        from fractions import Fraction

        def exact(a):
            return np.array([[x if isinstance(x, Fraction) else Fraction(float(x)) for x in row] for row in a],
                            dtype=object)
        X, S = exact(self.X), exact(self.S)
        SH = exact(np.identity(S.shape[0]))
        for _ in range(self.H):
            SH = SH.dot(S)
        return X.dot(SH)[:, list(self.train)]

    def values(self) -> dict[str, Any]:
        """Every variable as JSON (row-major nested lists; exact rationals as "p/q" strings)."""
        out: dict[str, Any] = {"X": _json(self.X), "S": _json(self.S), "train": list(self.train),
                               "Y": _json(self.Y), "W": _json(self.W)}
        for i, B in enumerate(self.Bs, 1):
            out[f"B_{i}"] = _json(B)
        return out


def _json(a: np.ndarray) -> list:
    from fractions import Fraction

    def one(x):
        if isinstance(x, Fraction):
            return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
        return float(x)
    return [[one(x) for x in row] for row in a]


def normalized_graph(n: int, rng: np.random.Generator, p: float = 0.35) -> np.ndarray:
    """S = D^{-1/2} (A + I) D^{-1/2} for a random undirected graph A (self-loops added)."""
    A = np.triu((rng.random((n, n)) < p).astype(float), 1)
    A = A + A.T + np.identity(n)
    d = A.sum(axis=1)
    return A / np.sqrt(np.outer(d, d))


def make_instance(seed: int, *, n: int = 8, m_x: int = 3, widths: Sequence[int] = (4, 4),
                  m_y: int = 1, n_train: int = 5) -> Instance:
    """A random instance (float64): normalised random graph, X, Y ~ N(0, 1), weights N(0, 1/fan_in).

    ``widths`` = (m_1, ..., m_H).
    """
    rng = np.random.default_rng(seed)
    S = normalized_graph(n, rng)
    X = rng.standard_normal((m_x, n))
    train = tuple(sorted(rng.choice(n, size=n_train, replace=False).tolist()))
    Y = rng.standard_normal((m_y, n_train))
    dims = [m_x, *widths]
    Bs = [rng.standard_normal((dims[i + 1], dims[i])) / np.sqrt(dims[i]) for i in range(len(widths))]
    W = rng.standard_normal((m_y, dims[-1])) / np.sqrt(dims[-1])
    return Instance(X, S, train, Y, W, Bs, seed=seed)


# ---------------------------------------------------------------- conversions

def chain_factors(inst: Instance) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The instance in the chain convention of ``verify.dynamics.models`` (L = κ||W_L⋯W_1 Z − Y||_F²):
    factors ``[B_(1), ..., B_(H), W]`` (W_i = B_(i) for i <= H, W_(H+1) = W), Z = G~ (exact Fractions,
    :meth:`Instance.G`), Y, and κ = 1 (Xu et al.'s loss has no 1/2)."""
    return [*inst.Bs, inst.W], inst.G(), inst.Y



def to_mp(a: np.ndarray) -> mpmath.matrix:
    """numpy (float64 or Fraction objects) -> mpmath matrix at the current precision (exact for both)."""
    from fractions import Fraction

    def one(x):
        if isinstance(x, Fraction):
            return mpmath.mpf(x.numerator) / x.denominator
        return mpmath.mpf(float(x))
    return mpmath.matrix([[one(x) for x in row] for row in np.atleast_2d(a)])


def to_sympy(a: np.ndarray):
    from fractions import Fraction

    import sympy

    def one(x):
        if isinstance(x, Fraction):
            return sympy.Rational(x.numerator, x.denominator)
        return sympy.Rational(float(x))
    return sympy.Matrix([[one(x) for x in row] for row in np.atleast_2d(a)])


# ---------------------------------------------------------------- the model (generic)

def chain(mats: Sequence[Any], identity: Callable[[int], Any], size: int) -> Any:
    """mats[0] * mats[1] * ... (identity of ``size`` when empty)."""
    if not mats:
        return identity(size)
    out = mats[0]
    for m in mats[1:]:
        out = out * m
    return out


@dataclass
class Grads:
    Yhat: Any
    R: Any            # Y^ - Y
    gWt: Any          # grad_{W~} L
    gW: Any           # grad_W L
    gB: list          # [grad_{B_1} L, ..., grad_{B_H} L]
    loss: Any


def gradients(W: Any, Bs: Sequence[Any], G: Any, Y: Any, identity: Callable[[int], Any]) -> Grads:
    """All gradients of L = ||W B_H...B_1 G - Y||_F^2 (formulas of step 1, MATH.md)."""
    H = len(Bs)
    m_x = _rows(G)
    P = chain(list(reversed(Bs)), identity, m_x)                     # B_H ... B_1
    Yhat = W * P * G
    R = Yhat - Y
    gWt = 2 * (R * T(G))
    gW = gWt * T(P)
    gB = []
    for l in range(1, H + 1):
        A = W * chain(list(reversed(Bs[l:])), identity, _rows(Bs[l - 1]))   # W B_H...B_(l+1)
        C = chain(list(reversed(Bs[: l - 1])), identity, m_x)               # B_(l-1)...B_1
        gB.append(T(A) * gWt * T(C))
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
    if hasattr(a, "entries"):
        return list(a.entries())
    return [a[i, j] for i in range(_rows(a)) for j in range(_cols(a))]


def frob2(a: Any) -> Any:
    """||a||_F^2."""
    es = entries(a)
    out = es[0] * es[0]
    for e in es[1:]:
        out = out + e * e
    return out


def vec(a: Any) -> list:
    """Column-stacked entries (vec)."""
    return [a[i, j] for j in range(_cols(a)) for i in range(_rows(a))]


# ---------------------------------------------------------------- quantities of the bound (mpmath)

@dataclass
class BoundTerms:
    loss: Any          # L
    excess: Any        # L - L* computed as ||Y^ - Y Pi||_F^2 (no cancellation)
    lstar: Any         # L* = ||Y (I - Pi)||_F^2
    grad2: Any         # ||grad_theta L||^2 = -dL/dt
    part_a: Any        # ||grad_W L||^2
    part_b: list       # [||grad_{B_l} L||^2]
    lam: Any           # lambda_min((B_H..B_1)^T (B_H..B_1))
    sigma2: Any        # sigma_min^2(G~) (smallest non-zero)


def row_projector(G: mpmath.matrix) -> mpmath.matrix:
    """Pi = orthogonal projector onto the row space of G (n_bar x n_bar), from the compact SVD."""
    U, s, V = mpmath.svd_r(G.T)          # G^T = U diag(s) V^T, U: n_bar x k
    tol = mpmath.mpf(10) ** (-(mpmath.mp.dps - 10)) * max(s)
    cols = [j for j in range(len(s)) if s[j] > tol]
    Ur = mpmath.matrix(U.rows, len(cols))
    for jj, j in enumerate(cols):
        for i in range(U.rows):
            Ur[i, jj] = U[i, j]
    return Ur * Ur.T


def sigma_small2(G: mpmath.matrix) -> Any:
    """Smallest non-zero singular value of G, squared."""
    s = mpmath.svd_r(G, compute_uv=False)
    tol = mpmath.mpf(10) ** (-(mpmath.mp.dps - 10)) * max(s)
    return min(x for x in s if x > tol) ** 2


def lam_min(Bs: Sequence[mpmath.matrix], m_x: int) -> Any:
    P = chain(list(reversed(list(Bs))), lambda k: mpmath.eye(k), m_x)
    E = mpmath.eigsy(P.T * P, eigvals_only=True)
    return min(E[i] for i in range(len(E)))


def bound_terms(W, Bs, G, Y, Pi=None, sigma2=None) -> BoundTerms:
    """Every quantity the proof's bound uses, at the current mpmath precision."""
    g = gradients(W, Bs, G, Y, lambda k: mpmath.eye(k))
    Pi = row_projector(G) if Pi is None else Pi
    excess = frob2(g.Yhat - Y * Pi)
    lstar = frob2(Y - Y * Pi)
    pa = frob2(g.gW)
    pb = [frob2(x) for x in g.gB]
    return BoundTerms(g.loss, excess, lstar, pa + sum(pb), pa, pb, lam_min(Bs, G.rows),
                      sigma_small2(G) if sigma2 is None else sigma2)
