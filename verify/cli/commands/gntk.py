"""verify gntk gram|classify: GNTK Gram matrices of graph data sets and SVM classification with them.

  verify gntk gram --dataset {mutag,PATH} --blocks L --mlp-layers R --scale S --readout RD
                   --convention C --out FILE.npy [--level graph|node] [--degree-as-tag] [--json]
  verify gntk classify --dataset ... [same options] [--seed N] [--folds K] --json
      prints {"accuracy_mean", "accuracy_std", "C", "nested_accuracy_mean", "nested_accuracy_std",
              "paper", ...} (percent; the C of accuracy_mean is chosen on the test folds as the
              official code does - optimistic; the nested figure is not).
PATH is a GIN/GNTK text file or a TU Dortmund folder.
"""
from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import numpy as np

from ...errors import InputError
from ...io import atomic_write_bytes
from ...result import jsonable
from .kernel import _nonneg_int, add_gntk_options

NAME = "gntk"
HELP = "graph NTK on data sets: Gram matrix to .npy (gram), SVM classification (classify)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="gntk", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    for name, helptext, fn in (("gram", "compute the Gram matrix and save it as .npy", run_gram),
                               ("classify", "10-fold SVM classification with the GNTK Gram", run_classify)):
        p = sub.add_parser(name, help=helptext, description=helptext)
        p.add_argument("--dataset", required=True, help="'mutag' (packaged) or a GIN text file / TU folder")
        p.add_argument("--degree-as-tag", action="store_true", help="node tags = degrees (social data sets)")
        add_gntk_options(p)
        if name == "gram":
            p.add_argument("--level", choices=["graph", "node"], default="graph")
            p.add_argument("--out", required=True, help="output .npy file")
        else:
            p.add_argument(
                "--seed", type=_nonneg_int, default=0, help="seed of the stratified folds (default 0)"
            )
            p.add_argument("--folds", type=_nonneg_int, default=10)
            p.add_argument(
                "--c-num", type=_nonneg_int, default=120, help="C grid size, logspace(-2, 4) (official: 120)"
            )
            p.add_argument("--nested-c-num", type=_nonneg_int, default=30, help="C grid size for nested CV")
            p.add_argument("--normalise", choices=["min", "cosine"], default="min",
                           help="gram / gram.min() (official, default) or cosine normalisation")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(_gntk_run=fn)
    t = sub.add_parser(
        "table",
        help="the GNTK table of Du et al. 2019 (seven data sets) into reports/",
        description="Regenerate the GNTK classification table (official selection, nested CV, "
        "paper figure, agreement test) into OUT/gntk_table.{md,json} (no timings: the same seed gives "
        "the same bytes; timings go to OUT/gntk_table.run-log.json); settings per data set in "
        "verify.studies.gntk_table (PLANS for --grid budget, OFFICIAL for --grid official).",
    )
    t.add_argument(
        "--data-dir",
        default=None,
        help="folder with MUTAG.txt, PTC.txt, NCI1.txt, PROTEINS.txt, IMDBBINARY.txt, IMDBMULTI.txt, "
        "COLLAB.txt.gz (GIN layout; MUTAG falls back to the packaged copy)",
    )
    t.add_argument("--datasets", default=None, help="comma list (default: all seven)")
    t.add_argument("--seed", type=_nonneg_int, default=0, help="seed of the folds and subsamples (default 0)")
    t.add_argument("--grid", choices=["budget", "official"], default="budget",
                   help="budget: reduced grids where the official one is too slow for 2 cores (default); "
                   "official: the official code's grid on all graphs of every data set")
    t.add_argument("--self-loops", choices=["official", "drop"], default="official",
                   help="COLLAB's self-loops: weight 3 on the diagonal of A + I as the official code "
                   "(default), or dropped (A + I)")
    t.add_argument("--engine", default=None,
                   help="where Gram tiles and SVC fits run: serial (default), joblib[:K], dask[:K]")
    t.add_argument("--scheduler", default=None, help="address of an existing dask scheduler (tcp://HOST:PORT)")
    t.add_argument("--cache", default=None,
                   help="cache folder for Grams and CV scores (default $VERIFY_CACHE or ~/.cache/verify)")
    t.add_argument("--no-cache", action="store_true", help="compute everything, store nothing")
    t.add_argument("--out", default="reports", help="output folder (default reports)")
    t.add_argument("--json", action="store_true", help="print the JSON result")
    t.add_argument("--render", action="store_true",
                   help="only rewrite OUT/gntk_table.md from OUT/gntk_table.json (no computation)")
    t.set_defaults(_gntk_run=run_table)


def _dataset_name(spec: str) -> str | None:
    if spec.lower() == "mutag":
        return "MUTAG"
    stem = Path(spec).name
    stem = stem[:-4] if stem.lower().endswith(".txt") else stem
    return stem.upper() if stem.upper() in ("MUTAG", "PROTEINS") else None


def _gram(args):
    from ...graphs import load_dataset
    from ...kernels.gntk import check_options, gntk_gram

    check_options(args.blocks, args.mlp_layers, args.scale, args.readout, args.convention,
                  getattr(args, "level", "graph"), args.chunk_size)
    graphs = load_dataset(args.dataset, degree_as_tag=args.degree_as_tag)
    t0 = time.perf_counter()
    gram = gntk_gram(graphs, args.blocks, args.mlp_layers, args.scale, args.readout, args.convention,
                     getattr(args, "level", "graph"), args.chunk_size)
    return graphs, gram, time.perf_counter() - t0


def _options(args) -> dict:
    return {
        "dataset": args.dataset,
        "blocks": args.blocks,
        "mlp_layers": args.mlp_layers,
        "scale": args.scale,
        "readout": args.readout,
        "convention": args.convention,
        "degree_as_tag": args.degree_as_tag,
    }


def run_gram(args: argparse.Namespace) -> int:
    if not str(args.out).endswith(".npy"):
        raise InputError(f"--out must name a .npy file, got {args.out!r}")
    from ..output import check_file

    check_file(args.out, "--out")                     # before the computation, not after it
    graphs, gram, secs = _gram(args)
    buf = io.BytesIO()
    np.save(buf, gram)
    atomic_write_bytes(args.out, buf.getvalue())
    payload = {**_options(args), "level": args.level, "out": str(args.out), "shape": list(gram.shape),
               "n_graphs": len(graphs), "seconds": round(secs, 4)}
    if args.json:
        print(json.dumps(jsonable(payload)))
    else:
        print(f"wrote {args.out}: GNTK Gram {gram.shape[0]}x{gram.shape[1]} in {secs:.3f} s")
    return 0


def run_classify(args: argparse.Namespace) -> int:
    from ...kernels.classify import PAPER, classify

    if args.folds < 2:
        raise InputError("--folds must be >= 2")
    if args.c_num < 1 or args.nested_c_num < 1:
        raise InputError("C grid sizes must be >= 1")
    from .. import progress_printer

    progress = progress_printer(not args.json)      # stderr; off under --json
    if progress:
        progress(f"gntk classify: Gram matrix of {args.dataset} ...")
    graphs, gram, secs = _gram(args)
    labels = np.array([g.label for g in graphs])
    if any(g.label is None for g in graphs):
        raise InputError("every graph needs a class label for classification")
    res = classify(gram, labels, seed=args.seed, folds=args.folds, c_grid=np.logspace(-2, 4, args.c_num),
                   nested_c_grid=np.logspace(-2, 4, args.nested_c_num), normalise=args.normalise,
                   progress=progress)
    name = _dataset_name(args.dataset)
    paper = (
        {
            "dataset": name,
            "accuracy_mean": PAPER[name][0],
            "accuracy_std": PAPER[name][1],
            "source": "Du et al. 2019, Table 1 (best over their hyperparameter grid)",
        }
        if name in PAPER
        else None
    )
    payload = {
        **res,
        "paper": paper,
        **_options(args),
        "gram_seconds": round(secs, 4),
        "n_graphs": len(graphs),
    }
    if args.json:
        print(json.dumps(jsonable(payload)))
    else:
        ptxt = f" (paper: {paper['accuracy_mean']} ± {paper['accuracy_std']})" if paper else ""
        print(f"accuracy {res['accuracy_mean']:.1f} ± {res['accuracy_std']:.1f} % at C = {res['C']:.4g} "
              f"(C chosen on test folds: optimistic){ptxt}; nested CV {res['nested_accuracy_mean']:.1f} ± "
              f"{res['nested_accuracy_std']:.1f} %; seed {res['seed']}")
    return 0


def _table_command(args: argparse.Namespace) -> str:
    """The command line that regenerates the table (options that do not change it left out)."""
    return (
        "verify gntk table --data-dir DATA"
        + (f" --datasets {args.datasets}" if args.datasets else "")
        + (f" --seed {args.seed}" if args.seed else "")
        + (f" --grid {args.grid}" if args.grid != "budget" else "")
        + (f" --self-loops {args.self_loops}" if args.self_loops != "official" else "")
    )


def run_table(args: argparse.Namespace) -> int:
    from ...io import atomic_write_text
    from ...kernels.cache import Cache
    from ...kernels.parallel import engine as make_engine
    from ...report import gntk_table as render
    from ...report.stable import machine
    from ...studies import gntk_table
    from .. import progress_printer

    if args.render:
        table = render.load(args.out)
        if table is None:
            raise InputError(f"--render: no {render.FILE} in {args.out}")
        atomic_write_text(Path(args.out) / "gntk_table.md", render.markdown(table))
        print(f"wrote {Path(args.out) / 'gntk_table.md'} from {Path(args.out) / render.FILE}")
        return 0
    if args.data_dir is None:
        raise InputError("--data-dir is required (the folder with the seven data sets)")
    if not Path(args.data_dir).is_dir():
        raise InputError(f"--data-dir {args.data_dir!r} is not a folder")
    names = [n.strip().upper() for n in args.datasets.split(",") if n.strip()] if args.datasets else None
    plans = gntk_table.plans_for(args.grid, args.self_loops)
    cache = Cache(None) if args.no_cache else (Cache(args.cache) if args.cache else Cache.default())
    spec = args.scheduler or args.engine
    eng = make_engine(spec, progress_every=0)
    progress = progress_printer(not args.json)
    say = progress or (lambda _m: None)
    say(f"gntk table: engine {eng.describe()}, {cache.describe()}, seed {args.seed}, grid {args.grid}")
    command = _table_command(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def write(result):
        result["command"] = command
        atomic_write_text(out / render.FILE, json.dumps(jsonable(result), indent=1) + "\n")
        atomic_write_text(out / "gntk_table.md", render.markdown(result))

    try:
        result, timings = gntk_table.compute(
            args.data_dir, names, seed=args.seed, engine=None if spec is None else eng, say=say, on_row=write,
            plans=plans, cache=cache, grid=args.grid,
        )
    finally:
        eng.close()
    write(result)
    log = {"command": command, "engine": eng.describe(), "cache": cache.describe(),
           "cache_hits": cache.hits, "cache_misses": cache.misses, "seconds": timings, "machine": machine()}
    atomic_write_text(out / "gntk_table.run-log.json", json.dumps(jsonable(log), indent=1) + "\n")
    if args.json:
        print(json.dumps(jsonable(result)))
        return 0
    for r in result["rows"]:
        if "not_run" in r:
            print(f"{r['dataset']}: not run ({r['not_run']})")
            continue
        a = r["agreement_official_selection"]
        secs = timings["rows"][r["dataset"]]
        print(
            f"{r['dataset']}: {r['accuracy_mean']:.1f} ± {r['accuracy_std']:.1f} (official selection), "
            f"nested {r['nested_accuracy_mean']:.1f} ± {r['nested_accuracy_std']:.1f}, paper "
            f"{r['paper_mean']} ± {r['paper_std']}: {'agrees' if a['agree'] else 'differs'}; "
            f"{r['graphs_used']}/{r['graphs_total']} graphs, {r['kernels']} kernels, "
            f"Grams {secs['grams']} s, CV {secs['cv']} s, seed {r['seed']}"
        )
    print(f"wrote {out / 'gntk_table.md'} and {out / render.FILE} ({timings['total']} s; timings in "
          f"{out / 'gntk_table.run-log.json'})")
    return 0


def run(args: argparse.Namespace) -> int:
    return args._gntk_run(args)
