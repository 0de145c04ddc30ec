"""Graphs and graph data sets for the GNTK.

``Graph``: an undirected graph with adjacency A (0/1, symmetric, no self-loops; dense numpy or
scipy sparse), node features X (n x d float64, row u = features of node u) and an optional
class label.  The GNTK adds the self-loops itself (Ã = A + I).

``load_dataset(name_or_path)``: ``"mutag"`` is the copy shipped in ``verify/data`` (Debnath et
al. 1991, see verify/data/README.md); otherwise a path to a GIN/GNTK plain-text file or a TU
Dortmund folder (see :mod:`verify.graphs.loaders`).
"""
from __future__ import annotations

from .graph import Graph, graphs_from_json
from .loaders import (
           DATASETS,
           TABLE,
           load_dataset,
           load_gin_text,
           load_table_dataset,
           load_tu_folder,
)

__all__ = [
    "DATASETS",
    "TABLE",
    "Graph",
    "graphs_from_json",
    "load_dataset",
    "load_gin_text",
    "load_table_dataset",
    "load_tu_folder",
]
