"""Graph data set loaders: the GIN/GNTK plain-text format and the TU Dortmund folder format.

GIN/GNTK text (one file per data set; lines are 1-based in error messages)::

    N                         number of graphs
    n label                   per graph: node count, class label
    tag k nb_1 ... nb_k       per node: tag, neighbour count, neighbour indices (0-based, in the graph)

Extra numbers after the k neighbours (continuous node attributes in some files) are ignored, as
with ``degree_as_tag``/one-hot features of the GIN and GNTK code.  TU Dortmund folder ``DS/``:
``DS_A.txt`` (``i, j`` 1-based node ids, one line per directed edge), ``DS_graph_indicator.txt``
(graph id of node i on line i), ``DS_graph_labels.txt`` and optionally ``DS_node_labels.txt``.

Node features: one-hot encodings of the node tags over the sorted set of tags of the whole data
set (the GNTK paper's features for bioinformatics data), or with ``degree_as_tag`` the node
degree as the tag (what the GNTK code does for social networks).  Edges are symmetrised (an edge
listed from one end only is added from the other end, as networkx does in the GIN loader);
self-loops in a file are an error.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..errors import InputError
from .graph import Graph

#: data sets shipped inside the package, by lower-case name
DATASETS = {"mutag": "MUTAG.txt"}


def _ints(tokens: list[str], path: str, lineno: int) -> list[int]:
    try:
        return [int(t) for t in tokens]
    except ValueError:
        raise InputError(f"expected integers, got {' '.join(tokens)!r}", where=f"{path}:{lineno}") from None


def _one_hot(tag_lists: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    tags = np.unique(np.concatenate(tag_lists)) if tag_lists else np.zeros(0, dtype=int)
    index = {int(t): i for i, t in enumerate(tags)}
    feats = []
    for tl in tag_lists:
        x = np.zeros((len(tl), len(tags)))
        x[np.arange(len(tl)), [index[int(t)] for t in tl]] = 1.0
        feats.append(x)
    return feats, tags


def _finish(adjs: list[sp.csr_matrix], tag_lists: list[np.ndarray], labels: list[int],
            degree_as_tag: bool) -> list[Graph]:
    if degree_as_tag:
        tag_lists = [np.asarray(a.sum(axis=1)).ravel().astype(int) for a in adjs]
    feats, _ = _one_hot(tag_lists)
    return [
        Graph(a, x, int(y), np.asarray(t, dtype=int)) for a, x, y, t in zip(adjs, feats, labels, tag_lists)
    ]


def load_gin_text(
    path: str | os.PathLike, degree_as_tag: bool = False, *, display: str | None = None
) -> list[Graph]:
    """Read a GIN/GNTK text file; errors name the file and the 1-based line."""
    shown = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read data set file: {exc}", where=shown) from None
    lines = text.splitlines()
    pos = 0

    def next_line() -> tuple[list[str], int]:
        nonlocal pos
        while pos < len(lines) and not lines[pos].strip():
            pos += 1
        if pos >= len(lines):
            raise InputError(
                "file ends early (fewer graphs or nodes than announced)", where=f"{shown}:{len(lines) + 1}"
            )
        pos += 1
        return lines[pos - 1].split(), pos

    toks, ln = next_line()
    head = _ints(toks, shown, ln)
    if len(head) != 1 or head[0] < 1:
        raise InputError(
            "first line must be the number of graphs (a positive integer)", where=f"{shown}:{ln}"
        )
    adjs, tag_lists, labels = [], [], []
    for gi in range(head[0]):
        toks, ln = next_line()
        hdr = _ints(toks, shown, ln)
        if len(hdr) != 2 or hdr[0] < 1:
            raise InputError(f"graph {gi}: expected 'node_count label'", where=f"{shown}:{ln}")
        n, label = hdr
        rows, cols, tags = [], [], []
        for u in range(n):
            toks, ln = next_line()
            if len(toks) < 2:
                raise InputError(
                    f"graph {gi} node {u}: expected 'tag k nb_1 ... nb_k'", where=f"{shown}:{ln}"
                )
            head2 = _ints(toks[:2], shown, ln)
            tag, k = head2
            if k < 0 or len(toks) < 2 + k:
                raise InputError(f"graph {gi} node {u}: announces {k} neighbours, lists {len(toks) - 2}",
                                 where=f"{shown}:{ln}")
            nbrs = _ints(toks[2:2 + k], shown, ln)
            for v in nbrs:
                if not 0 <= v < n:
                    raise InputError(
                        f"graph {gi} node {u}: neighbour {v} outside 0..{n - 1}", where=f"{shown}:{ln}"
                    )
                if v == u:
                    raise InputError(f"graph {gi} node {u}: self-loop", where=f"{shown}:{ln}")
            tags.append(tag)
            rows += [u] * k
            cols += nbrs
        a = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
        a = ((a + a.T) > 0).astype(np.float64).tocsr()
        adjs.append(a)
        tag_lists.append(np.asarray(tags, dtype=int))
        labels.append(label)
    while pos < len(lines):
        if lines[pos].strip():
            raise InputError("unexpected text after the last graph", where=f"{shown}:{pos + 1}")
        pos += 1
    return _finish(adjs, tag_lists, labels, degree_as_tag)


def _read_column_file(path: Path, ncols: int, required: bool = True) -> np.ndarray | None:
    if not path.exists():
        if required:
            raise InputError("missing file of the TU format", where=str(path))
        return None
    rows = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            toks = [t.strip() for t in line.replace(",", " ").split()]
            vals = _ints(toks, str(path), lineno)
            if len(vals) < ncols:
                raise InputError(f"expected {ncols} integer(s)", where=f"{path}:{lineno}")
            rows.append(vals[:ncols])
    if not rows:
        raise InputError("file is empty", where=str(path))
    return np.asarray(rows, dtype=np.int64)


def load_tu_folder(folder: str | os.PathLike, degree_as_tag: bool = False) -> list[Graph]:
    """Read a TU Dortmund folder ``DS/`` with ``DS_A.txt``, ``DS_graph_indicator.txt``, ...

    Without ``DS_node_labels.txt`` the node tags are the degrees (``degree_as_tag``).
    """
    folder = Path(folder)
    cands = sorted(folder.glob("*_A.txt"))
    if len(cands) != 1:
        raise InputError("a TU folder needs exactly one DS_A.txt file", where=str(folder))
    ds = cands[0].name[: -len("_A.txt")]
    edges = _read_column_file(folder / f"{ds}_A.txt", 2)
    ind = _read_column_file(folder / f"{ds}_graph_indicator.txt", 1)[:, 0]
    glab = _read_column_file(folder / f"{ds}_graph_labels.txt", 1)[:, 0]
    nlab = _read_column_file(folder / f"{ds}_node_labels.txt", 1, required=False)
    nnodes = len(ind)
    ngraphs = int(ind.max())
    if ind.min() < 1 or np.any(np.diff(ind) < 0):
        raise InputError(
            "graph ids must be positive and non-decreasing", where=str(folder / f"{ds}_graph_indicator.txt")
        )
    if len(glab) != ngraphs:
        raise InputError(
            f"{len(glab)} graph labels for {ngraphs} graphs", where=str(folder / f"{ds}_graph_labels.txt")
        )
    if nlab is not None and len(nlab) != nnodes:
        raise InputError(
            f"{len(nlab)} node labels for {nnodes} nodes", where=str(folder / f"{ds}_node_labels.txt")
        )
    apath = folder / f"{ds}_A.txt"
    bad = np.nonzero((edges < 1) | (edges > nnodes))[0]
    if bad.size:
        raise InputError(f"node id outside 1..{nnodes}", where=f"{apath}:{bad[0] + 1}")
    e = edges - 1
    cross = np.nonzero(ind[e[:, 0]] != ind[e[:, 1]])[0]
    if cross.size:
        raise InputError("edge joins two different graphs", where=f"{apath}:{cross[0] + 1}")
    loops = np.nonzero(e[:, 0] == e[:, 1])[0]
    if loops.size:
        raise InputError("self-loop", where=f"{apath}:{loops[0] + 1}")
    starts = np.searchsorted(ind, np.arange(1, ngraphs + 2))
    adjs, tags = [], []
    for g in range(ngraphs):
        lo, hi = starts[g], starts[g + 1]
        if hi == lo:
            raise InputError(f"graph {g + 1} has no nodes", where=str(folder / f"{ds}_graph_indicator.txt"))
        mask = ind[e[:, 0]] == g + 1
        r, c = e[mask, 0] - lo, e[mask, 1] - lo
        n = hi - lo
        a = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n)).tocsr()
        adjs.append(((a + a.T) > 0).astype(np.float64).tocsr())
        tags.append(nlab[lo:hi, 0] if nlab is not None else None)
    use_degree = degree_as_tag or nlab is None
    return _finish(adjs, tags if not use_degree else [None] * ngraphs, list(glab), use_degree)


def load_dataset(name_or_path: str | os.PathLike, degree_as_tag: bool = False) -> list[Graph]:
    """A data set by packaged name (``"mutag"``) or by path (GIN text file or TU folder)."""
    key = str(name_or_path)
    if key.lower() in DATASETS:
        ref = resources.files("verify").joinpath("data", DATASETS[key.lower()])
        with resources.as_file(ref) as p:
            return load_gin_text(p, degree_as_tag, display=f"verify/data/{DATASETS[key.lower()]}")
    p = Path(key)
    if p.is_dir():
        return load_tu_folder(p, degree_as_tag)
    if p.is_file():
        return load_gin_text(p, degree_as_tag)
    raise InputError(
        f"unknown data set {key!r}: not a packaged name ({', '.join(sorted(DATASETS))}) nor an existing "
        "file or folder"
    )
