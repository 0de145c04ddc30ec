"""Random graph generators (Erdős–Rényi, stochastic block model) and graph shift operators.

Graphs are dense symmetric 0/1 numpy adjacency matrices without self-loops (n up to a few
thousand).  Shift operators S (n × n), with D = diag(degrees):

* ``adjacency``             A
* ``laplacian``             D − A
* ``normalized_adjacency``  D^{−1/2} A D^{−1/2}
* ``normalized_laplacian``  I − D^{−1/2} A D^{−1/2}

Isolated nodes (degree 0, common in very sparse graphs): D^{−1/2} is taken as the
pseudo-inverse square root, i.e. 0 on such nodes (their rows/columns of D^{−1/2}AD^{−1/2} are 0,
and of the normalised Laplacian the identity's).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InputError

__all__ = ["OPERATORS", "erdos_renyi", "stochastic_block_model", "tagged_graphs", "shift_operator", "degrees"]

OPERATORS = ("adjacency", "laplacian", "normalized_adjacency", "normalized_laplacian")


def _check_p(p: float, what: str) -> float:
    p = float(p)
    if not (0.0 <= p <= 1.0):
        raise InputError(f"{what} must lie in [0, 1] (got {p})")
    return p


def erdos_renyi(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """G(n, p): each of the n(n−1)/2 possible edges present independently with probability p."""
    if n < 1:
        raise InputError(f"erdos_renyi: n must be >= 1 (got {n})")
    p = _check_p(p, "erdos_renyi: p")
    U = rng.random((n, n))
    A = np.triu((U < p).astype(float), 1)
    return A + A.T


def tagged_graphs(n_graphs: int, n_nodes: int, n_features: int, seed: int,
                  p_edge: float = 0.4) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_graphs`` seeded G(n_nodes, p_edge) graphs, each as (A, X): A without self-loops, X the
    (n_nodes × n_features) one-hot rows of a random tag per node.  One stream ``default_rng(seed)``,
    drawn graph by graph (adjacency, then tags)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_graphs):
        a = erdos_renyi(n_nodes, p_edge, rng)
        tags = rng.integers(0, n_features, n_nodes)
        out.append((a, np.eye(n_features)[tags]))
    return out


def near_clique(n: int, drop: int, seed: int, dim: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """K_n minus ``drop`` distinct edges drawn by ``default_rng(seed)``, as (A, X): A symmetric 0/1
    without self-loops, X the (n × dim) one-hot degree tags (``dim`` defaults to n; it must exceed
    the largest degree).  Dense graphs like COLLAB's, whose 1-WL colours are nearly parallel.

    >>> a, x = near_clique(4, 1, 0)
    >>> int(a.sum()) // 2, x.shape
    (5, (4, 4))
    """
    if n < 2:
        raise InputError(f"near_clique: n must be >= 2 (got {n})")
    if not 0 <= drop <= n * (n - 1) // 2:
        raise InputError(f"near_clique: drop must be in [0, {n * (n - 1) // 2}] (got {drop})")
    dim = n if dim is None else dim
    if dim < n:
        raise InputError(f"near_clique: dim must be >= n = {n} (got {dim})")
    rng = np.random.default_rng(seed)
    a = np.ones((n, n)) - np.eye(n)
    upper = np.argwhere(np.triu(a, 1) > 0)
    for k in rng.choice(len(upper), size=drop, replace=False):
        u, v = upper[k]
        a[u, v] = a[v, u] = 0.0
    return a, np.eye(dim)[a.sum(axis=1).astype(int)]


def stochastic_block_model(
    sizes: Sequence[int], p_in: float, p_out: float, rng: np.random.Generator
) -> np.ndarray:
    """SBM: blocks of the given sizes; an edge inside a block with probability p_in, between
    blocks with probability p_out (independently)."""
    sizes = [int(s) for s in sizes]
    if not sizes or min(sizes) < 1:
        raise InputError(f"stochastic_block_model: block sizes must be >= 1 (got {sizes})")
    p_in = _check_p(p_in, "stochastic_block_model: p_in")
    p_out = _check_p(p_out, "stochastic_block_model: p_out")
    labels = np.repeat(np.arange(len(sizes)), sizes)
    P = np.where(labels[:, None] == labels[None, :], p_in, p_out)
    n = labels.size
    A = np.triu((rng.random((n, n)) < P).astype(float), 1)
    return A + A.T


def degrees(A: np.ndarray) -> np.ndarray:
    return np.asarray(A, float).sum(axis=1)


def shift_operator(A: np.ndarray, kind: str) -> np.ndarray:
    """The shift operator ``kind`` (one of :data:`OPERATORS`) of the adjacency A."""
    A = np.asarray(A, float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise InputError(f"shift_operator: adjacency must be square (got shape {A.shape})")
    d = degrees(A)
    if kind == "adjacency":
        return A.copy()
    if kind == "laplacian":
        return np.diag(d) - A
    if kind in ("normalized_adjacency", "normalized_laplacian"):
        inv = np.zeros_like(d)
        nz = d > 0
        inv[nz] = 1.0 / np.sqrt(d[nz])
        N = A * inv[:, None] * inv[None, :]
        return N if kind == "normalized_adjacency" else np.eye(A.shape[0]) - N
    raise InputError(f"unknown shift operator {kind!r} (known: {', '.join(OPERATORS)})")
