"""Cross kernels K(x₁, x₂) between two sets (train x test), for the NTK and the GNTK.

The NTK has its own cross path (``verify.kernels.ntk.ntk_gram(x, ..., x2=...)``).  The GNTK of a pair
of graphs depends on that pair only (the recursion runs on the product graph G x G'), so the cross
block of the joint Gram over ``graphs + graphs2`` *is* the cross kernel; this computes it that way
(cost of the (N + M)-square Gram, exact same values as per-pair evaluation).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InputError


def gntk_cross_gram(graphs: Sequence, graphs2: Sequence, blocks: int, mlp_layers: int, scale: str,
                    readout: str, convention: str, level: str = "graph",
                    chunk_size: int | None = None) -> np.ndarray:
    """K(G_i, G'_j): N x M for ``level="graph"``; (Σ nodes of graphs) x (Σ nodes of graphs2) for "node".

    Example::

        >>> from verify.graphs import load_dataset
        >>> from verify.kernels.cross import gntk_cross_gram
        >>> g = load_dataset("mutag")
        >>> gntk_cross_gram(g[:3], g[3:5], 1, 1, "uniform", "sum", "paper").shape
        (3, 2)
    """
    from .gntk import gntk_gram

    graphs, graphs2 = list(graphs), list(graphs2)
    if not graphs or not graphs2:
        raise InputError("cross kernels need two non-empty lists of graphs")
    full = gntk_gram(graphs + graphs2, blocks, mlp_layers, scale, readout, convention, level, chunk_size)
    n = len(graphs) if level == "graph" else sum(g.n for g in graphs)
    return np.ascontiguousarray(full[:n, n:])
