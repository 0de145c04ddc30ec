"""Benchmark: a full GNTK Gram of a table data set (COLLAB: 5000 graphs, 12.5 million pairs) - time it.

    python benchmarks/gntk_collab.py --data-dir DIR [--dataset COLLAB|NCI1|...] [--depths 1,3]
                                     [--mlp-layers 3] [--scale degree] [--self-loops official|drop]
                                     [--backend numpy|torch] [--engine serial|joblib:K|dask:K|tcp://HOST:PORT]
                                     [--chunk-size 2048] [--subsample N] [--cache] [--out GRAM.npy]

``DIR`` holds the data sets in the GIN layout (COLLAB.txt.gz, NCI1.txt, ...), read with the table's
loader (``load_table_dataset``: degree tags for the social networks, COLLAB's self-loops as the
official code by default).  Default architecture: the official grid's largest for the data set
(COLLAB: num_layers 2, 4 = blocks 1, 3; NCI1: blocks 9, 11, 13; all depths from one pass of the
recursion), 3 MLP layers, jk readout, official convention.  Target (issue 15): COLLAB under 20
minutes on 2 cores.  Prints: load time, distinct colours per level (the work grows with their
square), chunk pairs, wall and CPU time of the Gram and the load average at its start and end
(the machine may be shared).  ``--subsample N``: only N graphs (seed 0), said so (NOT the full
Gram).  ``--cache``: the Grams go through ``verify.kernels.cache`` (the key of ``verify gntk
table``; stored in $VERIFY_CACHE or ~/.cache/verify, reused by the table; a cached Gram is loaded,
not timed).

Measured (2026-12-03, 2 cores, COLLAB all 5000 graphs, blocks 1 and 3 in one pass, MLP 3, degree,
jk, official self-loops; joblib:2): 1238 s wall (20.6 min; load 0.1 at the start, 3.0 at the end:
other work ran beside it) with the engine before it carried δ = 1 − ρ; with the δ-form engine
(about 20% more CPU per pair: the series for θ − sin θ and the exact level-1 δ) the same Gram took
1272 s (21.2 min) inside `verify gntk table` on a quieter machine: just above the 20-minute target.
Colours per level [367, 152472, 159277, 159314], 81 chunks, 3321 chunk pairs; the work grows with
the square of the colours.  Full NCI1 (4110 graphs, blocks 9/11/13 in one pass, MLP 3, degree):
1566 s (26 min) inside the table run with the δ-form engine.  Earlier, with the engine before:
500 COLLAB graphs 21.5 s CPU, 1000 graphs 111.6 s CPU (serial); full NCI1 2509 s wall at load
6.6 -> 2.9.  No GPU was available for a CUDA figure.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.graphs.loaders import load_table_dataset  # noqa: E402
from verify.kernels.cache import Cache, gntk_grams_cached  # noqa: E402
from verify.kernels.gntk import DEFAULT_CHUNK, _chunks, colours, gntk_grams  # noqa: E402
from verify.studies.gntk_table import OFFICIAL_BLOCKS  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True, help="folder with the data sets (GIN layout)")
    ap.add_argument("--dataset", default="COLLAB", choices=sorted(OFFICIAL_BLOCKS))
    ap.add_argument("--depths", default=None, help="comma-separated blocks (default: the official grid's)")
    ap.add_argument("--mlp-layers", type=int, default=3)
    ap.add_argument("--scale", default="degree", choices=["uniform", "degree"])
    ap.add_argument("--self-loops", default="official", choices=["official", "drop"])
    ap.add_argument("--backend", default="numpy", choices=["numpy", "torch"])
    ap.add_argument("--engine", default=None)
    ap.add_argument("--chunk-size", type=int, default=None)
    ap.add_argument("--subsample", type=int, default=None)
    ap.add_argument("--cache", action="store_true", help="through the Gram cache of `verify gntk table`")
    ap.add_argument("--out", default=None, help="save the deepest Gram (.npy)")
    args = ap.parse_args()
    depths = (tuple(int(d) for d in args.depths.split(",")) if args.depths
              else OFFICIAL_BLOCKS[args.dataset])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    dev = "cpu"
    if args.backend == "torch":
        from verify.kernels.backends import device

        dev = str(device())
    print(f"CPU cores {cores}, load average {os.getloadavg()[0]:.1f}; backend {args.backend} (device {dev}); "
          f"engine {args.engine or 'serial'}; float64")
    t0 = time.perf_counter()
    graphs = load_table_dataset(args.dataset, args.data_dir, self_loops=args.self_loops)
    print(f"{args.dataset}: loaded {len(graphs)} graphs, {sum(g.n for g in graphs)} nodes in "
          f"{time.perf_counter() - t0:.1f} s (self-loops: {args.self_loops})")
    if args.subsample:
        idx = np.sort(np.random.default_rng(0).choice(len(graphs), size=args.subsample, replace=False))
        graphs = [graphs[i] for i in idx]
        print(f"SUBSAMPLE: {len(graphs)} graphs (seed 0) - the time below is NOT the full Gram")
    t0 = time.perf_counter()
    col = colours(graphs, max(depths), args.scale)
    n_chunks = len(_chunks(col, args.chunk_size or DEFAULT_CHUNK))
    print(
        f"colour refinement {time.perf_counter() - t0:.1f} s; distinct colours per level "
        f"{[int(c.max()) + 1 for c in col.col]}; {n_chunks} chunks, {n_chunks * (n_chunks + 1) // 2} chunk "
        "pairs"
    )
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    if args.cache and args.backend == "numpy":
        cache = Cache.default()
        grams, keys = gntk_grams_cached(graphs, depths, args.mlp_layers, args.scale, "jk", "official", cache,
                                        engine=args.engine, chunk_size=args.chunk_size, say=print)
        print(f"{cache.describe()}: {cache.hits} of {len(depths)} Grams were cached; keys "
              + ", ".join(f"blocks {d}: {keys[d][:16]}" for d in depths))
    else:
        grams = gntk_grams(graphs, depths, args.mlp_layers, args.scale, "jk", "official",
                           chunk_size=args.chunk_size, engine=args.engine)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    npairs = len(graphs) * (len(graphs) + 1) // 2
    print(
        f"GNTK Grams {len(graphs)}x{len(graphs)} ({npairs} pairs), blocks {list(depths)} (one pass), MLP "
        f"layers {args.mlp_layers}, {args.scale}, jk: {secs:.1f} s ({secs / 60:.2f} min; target for COLLAB "
        f"< 20 min on 2 cores); CPU time of this process {cpu:.1f} s (workers not counted); 1-min load "
        f"average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end ({cores} cores, shared)"
    )
    for g in grams.values():
        assert np.array_equal(g, g.T) and np.all(np.isfinite(g))
    if args.out:
        np.save(args.out, grams[max(depths)])
        print(f"saved {args.out}")


if __name__ == "__main__":
    main()
