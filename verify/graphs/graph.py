"""The ``Graph`` record and its validation (also from the CLI's JSON graph files)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import InputError


@dataclass
class Graph:
    """An undirected graph: ``adjacency`` n x n (0/1, symmetric, zero diagonal), ``features`` n x d.

    ``label`` is the class label (``None`` when unknown); ``tags`` the integer node tags the
    features were built from (``None`` for given features).  ``loop_weight`` (optional, length n,
    non-negative integers): extra weight w_u on the diagonal of the GNTK's Ã = A + I + diag(w); the
    official GNTK code has w_u = 2 at a node whose file lists a self-loop (its Ã is A + Aᵀ + I with
    the loop kept in A, so Ã_uu = 3).  ``validate()`` raises ``InputError`` naming ``where`` for
    anything else.
    """

    adjacency: Any
    features: np.ndarray
    label: int | None = None
    tags: np.ndarray | None = field(default=None, repr=False)
    loop_weight: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return int(self.adjacency.shape[0])

    def adjacency_csr(self) -> sp.csr_matrix:
        """A as a float64 CSR matrix."""
        return sp.csr_matrix(self.adjacency, dtype=np.float64)

    def degrees(self) -> np.ndarray:
        """|N(u)| for every node u (self-loops excluded)."""
        return np.asarray(self.adjacency_csr().sum(axis=1)).ravel()

    def validate(self, where: str = "graph") -> Graph:
        a = self.adjacency
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise InputError(f"adjacency must be square, got shape {tuple(a.shape)}", where=where)
        n = a.shape[0]
        csr = sp.csr_matrix(a, dtype=np.float64)
        if csr.nnz and not np.all(np.isfinite(csr.data)):
            raise InputError("adjacency has a non-finite entry", where=where)
        bad = csr.data[(csr.data != 0.0) & (csr.data != 1.0)]
        if bad.size:
            raise InputError(f"adjacency entries must be 0 or 1, found {bad[0]!r}", where=where)
        if abs(csr - csr.T).sum() != 0:
            raise InputError("adjacency is not symmetric (the graph must be undirected)", where=where)
        if csr.diagonal().any():
            raise InputError("adjacency has self-loops (the GNTK adds A + I itself)", where=where)
        x = np.asarray(self.features)
        if x.ndim != 2:
            raise InputError(f"features must be an n x d matrix, got {x.ndim} dimension(s)", where=where)
        if x.shape[0] != n:
            raise InputError(f"features have {x.shape[0]} rows but the graph has {n} nodes", where=where)
        if x.shape[1] == 0:
            raise InputError("features have no columns", where=where)
        if not np.all(np.isfinite(x)):
            raise InputError("features contain NaN or infinity", where=where)
        if self.loop_weight is not None:
            w = np.asarray(self.loop_weight)
            if w.shape != (n,) or not np.issubdtype(w.dtype, np.integer) or (w < 0).any():
                raise InputError(f"loop_weight must be {n} non-negative integers", where=where)
        return self


def _matrix(obj: Any, what: str, where: str) -> np.ndarray:
    if not isinstance(obj, list) or not all(isinstance(r, list) for r in obj):
        raise InputError(f"'{what}' must be a list of rows", where=where)
    widths = {len(r) for r in obj}
    if len(widths) > 1:
        raise InputError(f"'{what}' has rows of different lengths {sorted(widths)}", where=where)
    for i, row in enumerate(obj):
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InputError(f"'{what}' row {i} has a non-number {v!r}", where=where)
            if not math.isfinite(v):
                raise InputError(f"'{what}' row {i} has a non-finite value", where=where)
    if not obj:
        return np.zeros((0, 0))
    return np.asarray(obj, dtype=np.float64)


def graphs_from_json(data: Any, where: str = "graphs") -> list[Graph]:
    """Graphs from ``{"graphs": [{"adjacency": [[...]], "features": [[...]], "label": y?}, ...]}``."""
    if not isinstance(data, dict) or not isinstance(data.get("graphs"), list):
        raise InputError("expected a JSON object with a list 'graphs'", where=where)
    if not data["graphs"]:
        raise InputError("'graphs' is empty", where=where)
    out = []
    for i, g in enumerate(data["graphs"]):
        loc = f"{where}: graph {i}"
        if not isinstance(g, dict) or "adjacency" not in g or "features" not in g:
            raise InputError("each graph needs 'adjacency' and 'features'", where=loc)
        a = _matrix(g["adjacency"], "adjacency", loc)
        x = _matrix(g["features"], "features", loc)
        if a.size == 0:
            raise InputError("a graph needs at least one node", where=loc)
        label = g.get("label")
        if label is not None and (isinstance(label, bool) or not isinstance(label, int)):
            raise InputError(f"'label' must be an integer, got {label!r}", where=loc)
        out.append(Graph(a, x, label).validate(loc))
    dims = {g.features.shape[1] for g in out}
    if len(dims) > 1:
        raise InputError(f"graphs have different feature dimensions {sorted(dims)}", where=where)
    return out
