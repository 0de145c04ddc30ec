"""A content-addressed cache of computed arrays (GNTK Grams, cross-validation scores) on disk.

Where: ``$VERIFY_CACHE`` if set, else ``$XDG_CACHE_HOME/verify`` or ``~/.cache/verify`` (never inside
the repository).  An entry is ``ROOT/KIND/KEY[:2]/KEY.npy`` with a ``KEY.json`` beside it that says
what it holds; KEY is the SHA-256 of a canonical JSON description of *everything* the array depends
on (for a Gram: the graphs' content, the architecture, the preprocessing and a hash of the kernel
source files, so that a change of the code invalidates old entries).  Writes are atomic (temporary
file + rename), so an interrupted run leaves whole entries only and a rerun resumes from them;
two processes writing the same key write the same bytes.

``gntk_grams_cached`` is the Gram entry point with the cache: the Grams of several depths from one
pass of the recursion, only for the depths not cached yet.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError

#: bump when the meaning of a stored entry changes (not needed for code changes: KERNEL_SOURCES)
FORMAT = 1
#: the files whose source text is part of every Gram key
KERNEL_SOURCES = ("gntk.py", "backends.py")


def default_root() -> Path:
    """``$VERIFY_CACHE``, else ``$XDG_CACHE_HOME/verify`` or ``~/.cache/verify``."""
    env = os.environ.get("VERIFY_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "verify"


def digest(obj: Any) -> str:
    """SHA-256 (hex) of a JSON-able description (keys sorted, no spaces)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def array_digest(*arrays: np.ndarray) -> str:
    """SHA-256 of arrays' dtypes, shapes and bytes (C order)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def graphs_digest(graphs) -> str:
    """SHA-256 of what a graph kernel sees of ``graphs``: every adjacency (CSR structure), feature
    matrix (float64) and self-loop weight, in order (labels and tags excluded)."""
    import scipy.sparse as sp

    h = hashlib.sha256()
    for g in graphs:
        a = sp.csr_matrix(g.adjacency, dtype=np.float64)
        a.sum_duplicates()
        a.sort_indices()
        w = g.loop_weight if g.loop_weight is not None else np.zeros(0, dtype=np.int64)
        h.update(array_digest(a.indptr.astype(np.int64), a.indices.astype(np.int64), a.data,
                              np.asarray(g.features, dtype=np.float64),
                              np.asarray(w, dtype=np.int64)).encode())
    return h.hexdigest()


def kernel_source_digest() -> str:
    """SHA-256 of the GNTK kernel's source files (``KERNEL_SOURCES``)."""
    h = hashlib.sha256()
    for name in KERNEL_SOURCES:
        h.update(resources.files("verify.kernels").joinpath(name).read_bytes())
    return h.hexdigest()


class Cache:
    """Arrays by (kind, key) under ``root``; ``Cache(None)`` is a cache that stores nothing."""

    def __init__(self, root: str | os.PathLike | None) -> None:
        self.root = Path(root) if root is not None else None
        self.hits = 0
        self.misses = 0
        if self.root is not None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create the cache folder {self.root}: {exc}") from None

    @classmethod
    def default(cls) -> Cache:
        return cls(default_root())

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.npy"

    def path(self, kind: str, key: str) -> Path | None:
        """The entry's file if it exists (None without a root or when missing)."""
        if self.root is None:
            return None
        p = self._path(kind, key)
        return p if p.is_file() else None

    def get(self, kind: str, key: str, mmap: bool = False) -> np.ndarray | None:
        """The stored array, or None (a missing or unreadable entry is a miss)."""
        p = self.path(kind, key)
        if p is None:
            self.misses += 1
            return None
        try:
            arr = np.load(p, mmap_mode="r" if mmap else None, allow_pickle=False)
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return arr

    def put(self, kind: str, key: str, arr: np.ndarray, meta: dict | None = None) -> Path | None:
        """Store ``arr`` (and ``meta`` as JSON beside it) atomically; returns the file (None: no root)."""
        if self.root is None:
            return None
        p = self._path(kind, key)
        p.parent.mkdir(parents=True, exist_ok=True)
        for target, write in ((p.with_suffix(".json"), lambda fh: fh.write(
                json.dumps(meta or {}, sort_keys=True, indent=1, default=str).encode())),
                              (p, lambda fh: np.save(fh, np.asarray(arr), allow_pickle=False))):
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    write(fh)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return p

    def describe(self) -> str:
        return f"cache {self.root}" if self.root is not None else "no cache"


def gram_description(graphs_key: str, blocks: int, mlp_layers: int, scale: str, readout: str,
                     convention: str, level: str = "graph", chunk_size: int | None = None,
                     backend: str = "numpy", pass_depth: int | None = None) -> dict:
    """Everything a GNTK Gram depends on (its cache key is the digest of this).  ``pass_depth``: the
    depth the recursion ran to (the chunks of graph pairs, hence the order of the float sums,
    depend on the colours up to it)."""
    from .gntk import DEFAULT_CHUNK

    return {"what": "gntk-gram", "format": FORMAT, "graphs": graphs_key, "blocks": int(blocks),
            "pass_depth": int(pass_depth if pass_depth is not None else blocks),
            "mlp_layers": int(mlp_layers), "scale": scale, "readout": readout, "convention": convention,
            "level": level, "chunk_size": int(chunk_size or DEFAULT_CHUNK), "backend": backend,
            "code": kernel_source_digest()}


def gntk_grams_cached(graphs, depths, mlp_layers: int, scale: str, readout: str, convention: str,
                      cache: Cache, *, engine=None, graphs_key: str | None = None,
                      chunk_size: int | None = None,
                      say=None) -> tuple[dict[int, np.ndarray], dict[int, str]]:
    """``verify.kernels.gntk.gntk_grams`` through ``cache``: ({L: Gram}, {L: cache key}).  Depths
    already stored are loaded; the others come from one pass of the recursion to max(depths) and
    are stored.  The values are those of ``gntk_grams(graphs, depths, ...)`` bit for bit (the same
    computation, stored as .npy)."""
    from .gntk import gntk_grams

    say = say or (lambda _m: None)
    depths = tuple(sorted({int(d) for d in depths}))
    gkey = graphs_key or graphs_digest(graphs)
    desc = {d: gram_description(gkey, d, mlp_layers, scale, readout, convention, "graph", chunk_size,
                                pass_depth=max(depths)) for d in depths}
    keys = {d: digest(desc[d]) for d in depths}
    out: dict[int, np.ndarray] = {}
    for d in depths:
        arr = cache.get("gram", keys[d])
        if arr is not None:
            out[d] = arr
    missing = [d for d in depths if d not in out]
    if missing:
        say(f"computing Grams for blocks {missing} ({len(out)} of {len(depths)} from the cache)")
        fresh = gntk_grams(graphs, sorted({*missing, max(depths)}), mlp_layers, scale, readout, convention,
                           chunk_size=chunk_size, engine=engine)
        for d in missing:
            cache.put("gram", keys[d], fresh[d], desc[d])
            out[d] = fresh[d]
    return out, keys
