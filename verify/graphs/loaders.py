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
self-loops in a file are an error unless ``self_loops="drop"`` (see ``load_gin_text``).
Files ending in ``.gz`` are read through gzip.

``TABLE`` lists the seven data sets of Du et al. 2019, Table 1, with their file names in the GIN
layout, whether the official code uses degree tags (social networks, no node labels) and the
self-loop handling they need; ``load_table_dataset(name, data_dir)`` reads one of them from a
user-supplied folder (MUTAG falls back to the packaged copy).
"""
from __future__ import annotations

import gzip
import os
import warnings
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
            degree_as_tag: bool, loops: list[np.ndarray] | None = None,
            keep_loops: bool = False) -> list[Graph]:
    if degree_as_tag:
        # degree as networkx counts it (the GIN/GNTK loaders use networkx): a self-loop adds 2
        tag_lists = [np.diff(sp.csr_matrix(a).indptr).astype(int) + (2 * lp if loops is not None else 0)
                     for a, lp in zip(adjs, loops if loops is not None else [None] * len(adjs))]
    feats, _ = _one_hot(tag_lists)
    weights = [2 * np.asarray(lp, dtype=np.int64) if keep_loops and lp.any() else None
               for lp in (loops if loops is not None else [np.zeros(0, dtype=int)] * len(adjs))]
    return [
        Graph(a, x, int(y), np.asarray(t, dtype=int), w)
        for a, x, y, t, w in zip(adjs, feats, labels, tag_lists, weights)
    ]


#: "error": a listed self-loop is an error; "drop": dropped from A (counted 2 in degree tags);
#: "official": as "drop", and kept as weight 2 on Ã's diagonal (Ã_uu = 3), as the official GNTK code
SELF_LOOPS = ("error", "drop", "official")


def _read_text(path: str | os.PathLike, shown: str) -> str:
    try:
        if str(path).endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                return fh.read()
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"cannot read data set file: {exc}", where=shown) from None


def _symmetric_csr(r: np.ndarray, c: np.ndarray, n: int) -> sp.csr_matrix:
    """0/1 CSR adjacency of the undirected edges {r_i, c_i} (listed from one or both ends)."""
    key = np.unique(np.concatenate([r * n + c, c * n + r]).astype(np.int64))
    rr, cc = np.divmod(key, n)
    indptr = np.searchsorted(rr, np.arange(n + 1))
    return sp.csr_matrix((np.ones(len(key)), cc, indptr), shape=(n, n))


def _graph_fast(node_lines: list[tuple[str, int]], n: int, self_loops: str):
    """One graph's node lines parsed at C speed; None when a line needs the careful reader
    (a non-integer or extra token, a bad neighbour, a self-loop to report)."""
    counts = [len(t.split()) for t, _ in node_lines]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            flat = np.fromstring(" ".join(t for t, _ in node_lines), dtype=np.int64, sep=" ")
    except (ValueError, DeprecationWarning):
        return None
    if len(flat) != sum(counts) or min(counts) < 2:
        return None
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    ks = flat[starts + 1]
    if np.any(ks != np.asarray(counts) - 2):
        return None
    tags = flat[starts]
    rows = np.repeat(np.arange(n), ks)
    mask = np.ones(len(flat), dtype=bool)
    mask[starts] = False
    mask[starts + 1] = False
    cols = flat[mask]
    if len(cols) and (cols.min() < 0 or cols.max() >= n):
        return None
    me = rows == cols
    loops = np.zeros(n, dtype=int)
    if me.any():
        if self_loops == "error":
            return None
        loops[rows[me]] = 1          # a loop listed more than once is one networkx edge
        rows, cols = rows[~me], cols[~me]
    return rows, cols, tags, loops


def _graph_slow(node_lines: list[tuple[str, int]], n: int, gi: int, self_loops: str, shown: str):
    """Line-by-line reader of one graph's node lines (extra tokens after the neighbours ignored)."""
    rows, cols, tags = [], [], []
    loops = np.zeros(n, dtype=int)
    for u, (text, ln) in enumerate(node_lines):
        toks = text.split()
        if len(toks) < 2:
            raise InputError(f"graph {gi} node {u}: expected 'tag k nb_1 ... nb_k'", where=f"{shown}:{ln}")
        tag, k = _ints(toks[:2], shown, ln)
        if k < 0 or len(toks) < 2 + k:
            raise InputError(f"graph {gi} node {u}: announces {k} neighbours, lists {len(toks) - 2}",
                             where=f"{shown}:{ln}")
        nbrs = np.asarray(_ints(toks[2:2 + k], shown, ln), dtype=np.int64)
        if k:
            bad = (nbrs < 0) | (nbrs >= n)
            if bad.any():
                raise InputError(f"graph {gi} node {u}: neighbour {nbrs[bad][0]} outside 0..{n - 1}",
                                 where=f"{shown}:{ln}")
            me = nbrs == u
            if me.any():
                if self_loops == "error":
                    raise InputError(
                        f"graph {gi} node {u}: self-loop (load with self_loops='drop' to drop it)",
                        where=f"{shown}:{ln}",
                    )
                loops[u] = 1
                nbrs = nbrs[~me]
        tags.append(tag)
        rows.append(np.full(len(nbrs), u))
        cols.append(nbrs)
    return np.concatenate(rows), np.concatenate(cols), np.asarray(tags), loops


def load_gin_text(path: str | os.PathLike, degree_as_tag: bool = False, *, display: str | None = None,
                  self_loops: str = "error", max_graphs: int | None = None) -> list[Graph]:
    """Read a GIN/GNTK text file (``.gz``: gzip-compressed); errors name the file and the 1-based line.

    ``self_loops``: ``"error"`` (default), ``"drop"`` or ``"official"``.  With ``"drop"`` a listed
    self-loop u-u is dropped from the adjacency (the GNTK uses Ã = A + I, which holds u once), but
    it still counts 2 in the degree used as a tag (``degree_as_tag``), as in the official code,
    whose networkx degree counts a loop twice.  ``"official"`` also reproduces the official code's
    Ã: networkx keeps the loop as an edge (u, u), the code builds A from the edge list and forms
    A + Aᵀ + I, so Ã_uu = 3 and the degree scale 1/Σ_v Ã_uv counts it 3 times; the graph carries
    ``loop_weight`` 2 at u.  COLLAB has 2837 such loops (in 1902 graphs).
    ``max_graphs``: read only the first graphs (one-hot tags are then over those graphs' tags).
    """
    if self_loops not in SELF_LOOPS:
        raise InputError(f"unknown self_loops {self_loops!r} (use one of {', '.join(SELF_LOOPS)})")
    shown = display or str(path)
    lines = _read_text(path, shown).splitlines()
    pos = 0

    def next_raw() -> tuple[str, int]:
        nonlocal pos
        while pos < len(lines) and not lines[pos].strip():
            pos += 1
        if pos >= len(lines):
            raise InputError(
                "file ends early (fewer graphs or nodes than announced)", where=f"{shown}:{len(lines) + 1}"
            )
        pos += 1
        return lines[pos - 1], pos

    def next_line() -> tuple[list[str], int]:
        text, ln = next_raw()
        return text.split(), ln

    toks, ln = next_line()
    head = _ints(toks, shown, ln)
    if len(head) != 1 or head[0] < 1:
        raise InputError(
            "first line must be the number of graphs (a positive integer)", where=f"{shown}:{ln}"
        )
    adjs, tag_lists, labels, loop_lists = [], [], [], []
    count = head[0] if max_graphs is None else min(head[0], int(max_graphs))
    for gi in range(count):
        toks, ln = next_line()
        hdr = _ints(toks, shown, ln)
        if len(hdr) != 2 or hdr[0] < 1:
            raise InputError(f"graph {gi}: expected 'node_count label'", where=f"{shown}:{ln}")
        n, label = hdr
        node_lines = [next_raw() for _ in range(n)]
        parsed = _graph_fast(node_lines, n, self_loops)
        if parsed is None:    # anything unusual: the line-by-line reader (exact error messages)
            parsed = _graph_slow(node_lines, n, gi, self_loops, shown)
        r, c, tags, loops = parsed
        adjs.append(_symmetric_csr(r, c, n))
        tag_lists.append(np.asarray(tags, dtype=int))
        labels.append(label)
        loop_lists.append(loops)
    while count == head[0] and pos < len(lines):
        if lines[pos].strip():
            raise InputError("unexpected text after the last graph", where=f"{shown}:{pos + 1}")
        pos += 1
    return _finish(adjs, tag_lists, labels, degree_as_tag, loop_lists, keep_loops=self_loops == "official")


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


def load_dataset(
    name_or_path: str | os.PathLike, degree_as_tag: bool = False, self_loops: str = "error"
) -> list[Graph]:
    """A data set by packaged name (``"mutag"``) or by path (GIN text file, ``.gz`` or not, or TU folder)."""
    key = str(name_or_path)
    if key.lower() in DATASETS:
        ref = resources.files("verify").joinpath("data", DATASETS[key.lower()])
        with resources.as_file(ref) as p:
            return load_gin_text(p, degree_as_tag, display=f"verify/data/{DATASETS[key.lower()]}",
                                 self_loops=self_loops)
    p = Path(key)
    if p.is_dir():
        return load_tu_folder(p, degree_as_tag)
    if p.is_file():
        return load_gin_text(p, degree_as_tag, self_loops=self_loops)
    raise InputError(
        f"unknown data set {key!r}: not a packaged name ({', '.join(sorted(DATASETS))}) nor an existing "
        "file or folder"
    )


#: Du et al. 2019 Table 1 data sets: name -> (file in the GIN layout, degree_as_tag, self_loops)
TABLE = {
    "MUTAG": ("MUTAG.txt", False, "error"),
    "PTC": ("PTC.txt", False, "error"),
    "NCI1": ("NCI1.txt", False, "error"),
    "PROTEINS": ("PROTEINS.txt", False, "error"),
    "IMDBBINARY": ("IMDBBINARY.txt", True, "error"),
    "IMDBMULTI": ("IMDBMULTI.txt", True, "error"),
    "COLLAB": ("COLLAB.txt.gz", True, "drop"),
}


def table_dataset_path(name: str, data_dir: str | os.PathLike | None) -> Path | None:
    """The file of a ``TABLE`` data set in ``data_dir`` (also without/with ``.gz``), or None."""
    if name not in TABLE:
        raise InputError(f"unknown table data set {name!r} (use one of {', '.join(TABLE)})")
    if data_dir is None:
        return None
    fname = TABLE[name][0]
    stem = fname.removesuffix(".gz")
    for cand in (fname, stem, stem + ".gz"):
        p = Path(data_dir) / cand
        if p.is_file():
            return p
    return None


def load_table_dataset(name: str, data_dir: str | os.PathLike | None,
                       self_loops: str | None = None) -> list[Graph]:
    """One of the seven ``TABLE`` data sets with the official preprocessing (degree tags for the
    social networks; COLLAB's self-loops dropped from A, counted 2 in the degree tags; with
    ``self_loops="official"`` also kept with weight 3 on Ã's diagonal, as the official code)."""
    p = table_dataset_path(name, data_dir)
    _, degree_as_tag, loops = TABLE[name]
    if self_loops is not None and loops != "error":
        loops = self_loops
    if p is None:
        if name == "MUTAG":
            return load_dataset("mutag")
        raise InputError(f"data set {name}: {TABLE[name][0]} not found in {data_dir}")
    return load_gin_text(p, degree_as_tag, self_loops=loops)
