"""verify run [ID ...]: run proof modules (and the claim catalogue), optionally writing reports.

With no ID, every proof and the catalogue run and their reports are written to ``--out``
(default ``reports/``): this is the toolkit's main job.  With IDs, reports are written only with
``--report``.  Reports are computed completely before the first file is written.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ...catalogue import catalogue_files
from ...claims.files import load_claim_file
from ...errors import InputError
from ...io import write_all
from ...proof import ProofResult, discover_proofs, run_proof
from ...result import jsonable
from ..options import add_check_options, config_from
from .check import check_files

NAME = "run"
HELP = "run proof modules by id (all of them and the catalogue when no id is given) and write reports"
CATALOGUE_ID = "catalogue"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", metavar="ID", help="proof ids (see 'verify list'), or 'catalogue'")
    p.add_argument("--report", action="store_true", help="write Markdown + JSON reports (always on with no ID)")
    p.add_argument("--out", default="reports", help="folder for reports (default: reports/)")
    add_check_options(p)


def stem_of(proof_id: str) -> str:
    return proof_id.replace("-", "_")


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    load_errors: list[str] = []
    proofs = discover_proofs(load_errors)
    for e in load_errors:
        sys.stderr.write(f"verify: error: {e}\n")
    ids = list(args.ids) or [*proofs, CATALOGUE_ID]
    for i in ids:
        if i != CATALOGUE_ID and i not in proofs:
            known = ", ".join([*sorted(proofs), CATALOGUE_ID])
            raise InputError(f"unknown proof id {i!r} (known: {known})")
    write = args.report or not args.ids
    out_dir = Path(args.out)
    if write and out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {args.out} exists and is not a folder")

    results: list[ProofResult] = []
    catalogue = None
    for i in ids:
        if i == CATALOGUE_ID:
            files = [load_claim_file(f) for f in catalogue_files()]
            catalogue = check_files(files, config, jobs=args.jobs)
        else:
            results.append(run_proof(proofs[i], config))

    ok = not load_errors and all(r.all_match for r in results) and (catalogue is None or all(f.all_match for f in catalogue))
    if args.json:
        data: dict = {"proofs": [r.to_json() for r in results]}
        if catalogue is not None:
            data["catalogue"] = {"files": [f.to_json() for f in catalogue]}
        sys.stdout.write(json.dumps(jsonable(data), indent=1) + "\n")
    else:
        from ...report.terminal import render_files, render_proof

        for r in results:
            sys.stdout.write(render_proof(r) + "\n")
        if catalogue is not None:
            sys.stdout.write(render_files(catalogue))
    if write:
        files = _render_reports(results, catalogue, config, ids if args.ids else [])
        paths = write_all({out_dir / name: data for name, data in files.items()})
        config.report(f"wrote {len(paths)} report files to {out_dir}/")
    return 0 if ok else 1


def _render_reports(results, catalogue, config, ids) -> dict[str, bytes | str]:
    from ...report.markdown import render_files_report, render_proof_report

    files: dict[str, bytes | str] = {}
    for r in results:
        stem = stem_of(r.proof.id)
        md, pngs = render_proof_report(r, stem, f"verify run {r.proof.id} --report --seed {config.seed} --dps {config.dps}")
        files[f"{stem}.md"] = md
        files[f"{stem}.json"] = json.dumps(jsonable({"proofs": [r.to_json()]}), indent=1) + "\n"
        files.update(pngs)
    if catalogue is not None:
        cmd = f"verify run catalogue --report --seed {config.seed} --dps {config.dps}"
        files["catalogue.md"] = render_files_report(catalogue, "The built-in claim catalogue", cmd, config.seed, config.dps)
        files["catalogue.json"] = json.dumps(jsonable({"files": [f.to_json() for f in catalogue]}), indent=1) + "\n"
    return files
