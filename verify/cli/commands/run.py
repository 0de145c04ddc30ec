"""verify run [ID|PATH ...]: run proofs (and the claim catalogue), optionally writing reports.

With no argument, every proof and the catalogue run and their reports are written to ``--out``
(default ``reports/``, with the HTML site in ``reports/html/``): this is the toolkit's main job.
With IDs or paths (a proof module ``my_proof.py`` or a folder of them), reports are written only
with ``--report`` or ``--html DIR``.  Reports are computed completely before the first file is
written, and hold no timings or machine details: those go to ``run-log.json`` beside them, so
running twice with the same seed gives byte-identical reports.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ...catalogue import catalogue_files
from ...claims.files import load_claim_file
from ...discovery import discover_proofs, looks_like_path, proofs_from_path
from ...errors import InputError
from ...io import write_all
from ...proof import Proof, ProofResult, run_proof
from ...result import jsonable
from ..options import add_check_options, config_from
from ..output import check_folder
from ...check.files import check_files

NAME = "run"
HELP = "run proofs by id or path (all of them and the catalogue when none is given) and write reports"
CATALOGUE_ID = "catalogue"
RUN_LOG = "run-log.json"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "ids",
        nargs="*",
        metavar="ID|PATH",
        help="proof ids (see 'verify list'), 'catalogue', or proof files/folders",
    )
    p.add_argument(
        "--report", action="store_true", help="write Markdown + JSON reports (always on with no ID)"
    )
    p.add_argument("--out", default="reports", help="folder for reports (default: reports/)")
    p.add_argument(
        "--html",
        metavar="DIR",
        default=None,
        help="folder for the HTML site (default: OUT/html when reports are written)",
    )
    p.add_argument("--no-html", action="store_true", help="do not write the HTML site")
    p.add_argument(
        "--notebooks",
        action="store_true",
        help="execute the proof notebooks and publish them in the HTML site (needs nbclient; "
        "without it, notebook pages already in the site are kept and linked)",
    )
    add_check_options(p)


def stem_of(proof_id: str) -> str:
    return proof_id.replace("-", "_")


def _select(args: argparse.Namespace, load_errors: list[str]) -> tuple[list[Proof], bool]:
    """The proofs to run (in order) and whether the catalogue runs."""
    proofs = discover_proofs(load_errors)
    if not args.ids:
        return list(proofs.values()), True
    chosen: list[Proof] = []
    catalogue = False
    for arg in args.ids:
        if arg == CATALOGUE_ID:
            catalogue = True
        elif arg in proofs:
            chosen.append(proofs[arg])
        elif looks_like_path(arg):
            chosen += proofs_from_path(arg)
        else:
            known = ", ".join([*sorted(proofs), CATALOGUE_ID])
            raise InputError(f"unknown proof id {arg!r} (known: {known}; or give a path to a proof file)")
    seen: dict[str, Proof] = {}
    for p in chosen:
        if p.id in seen and seen[p.id] is not p:
            raise InputError(f"two proofs given have the id {p.id!r}")
        seen[p.id] = p
    return list(seen.values()), catalogue


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    load_errors: list[str] = []
    selected, with_catalogue = _select(args, load_errors)
    for e in load_errors:
        sys.stderr.write(f"verify: error: {e}\n")
    write, out_dir, html_dir = _output_folders(args)
    # supplements (e.g. gntk_table.json of `verify gntk table`) are read, and checked, before anything runs
    supplements = _supplements(selected, out_dir) if (write or html_dir is not None) else {}

    results: list[ProofResult] = [run_proof(p, config) for p in selected]
    catalogue = None
    if with_catalogue:
        files = [load_claim_file(f) for f in catalogue_files()]
        catalogue = check_files(files, config, jobs=args.jobs)

    ok = (
        not load_errors
        and all(r.all_match for r in results)
        and (catalogue is None or all(f.all_match for f in catalogue))
    )
    _print_results(args, results, catalogue)
    if write or html_dir is not None:
        _write_outputs(args, config, results, catalogue, out_dir if write else None, html_dir, supplements)
    return 0 if ok else 1


def _output_folders(args: argparse.Namespace) -> tuple[bool, Path, Path | None]:
    """Whether Markdown + JSON reports go to --out, that folder, and the HTML folder (None: no site);
    checks the folders and the --notebooks prerequisites before anything runs."""
    write = args.report or not args.ids          # Markdown + JSON reports into --out
    out_dir = Path(args.out)
    html_dir = (
        None
        if args.no_html
        else (Path(args.html) if args.html is not None else (out_dir / "html" if write else None))
    )
    if write:
        check_folder(out_dir, "--out")
    if html_dir is not None:
        check_folder(html_dir, "--html")
    if args.notebooks:
        from ...report import notebooks as nbmod

        if html_dir is None:
            raise InputError("--notebooks publishes notebooks in the HTML site: give --html DIR or --report")
        if not nbmod.available():
            raise InputError("--notebooks needs nbclient, nbformat and ipykernel (pip install -e '.[test]')")
    return write, out_dir, html_dir


def _print_results(args: argparse.Namespace, results: list[ProofResult], catalogue) -> None:
    """The results on stdout: one JSON document with --json, else the terminal rendering."""
    if args.json:
        data: dict = {}
        if results or catalogue is None:
            data["proofs"] = [r.to_json() for r in results]
        if catalogue is not None:
            data["catalogue"] = {"files": [f.to_json() for f in catalogue]}
        sys.stdout.write(json.dumps(jsonable(data), indent=1) + "\n")
    else:
        from ...report.terminal import render_files, render_proof

        for r in results:
            sys.stdout.write(render_proof(r) + "\n")
        if catalogue is not None:
            sys.stdout.write(render_files(catalogue))


def _write_outputs(args: argparse.Namespace, config, results: list[ProofResult], catalogue,
                   report_dir: Path | None, html_dir: Path | None, supplements: dict | None = None) -> None:
    """Render every report (Markdown + JSON into ``report_dir``, the site into ``html_dir``) and the
    run log, then write them all; at least one of the two folders is given."""
    out_dir = Path(args.out)
    files: dict[Path, bytes | str] = {}
    pngs: dict[str, bytes] = {}
    if report_dir is not None:
        rendered, pngs = _render_reports(results, catalogue, config, supplements)
        files.update({report_dir / name: data for name, data in rendered.items()})
    if html_dir is not None:
        from ...report import notebooks as nbmod
        from ...report.html import render_site

        if args.notebooks:
            notebooks = nbmod.executed_pages(progress=config.progress)
        else:
            notebooks = nbmod.existing_pages(html_dir) if html_dir.is_dir() else {}
        site = render_site(
            results,
            catalogue,
            config,
            pngs=pngs or None,
            png_dir=out_dir if pngs else None,
            html_dir=html_dir,
            notebooks=notebooks,
            supplements=supplements,
            stored=_stored_index(report_dir, html_dir, results, catalogue),
        )
        files.update({html_dir / name: data for name, data in site.items()})
    log_dir = report_dir if report_dir is not None else html_dir
    files[log_dir / RUN_LOG] = json.dumps(_run_log(results, catalogue), indent=1) + "\n"
    paths = write_all(files)
    where = [f"{d}/" for d in (report_dir, html_dir) if d is not None]
    if report_dir is not None and html_dir is not None and html_dir.is_relative_to(report_dir):
        where = where[:1]
    config.report(f"wrote {len(paths)} report files to {' and '.join(where)}")


def _stored_index(report_dir: Path | None, html_dir: Path, results: list[ProofResult], catalogue):
    """Index entries kept from earlier runs: the proofs (and the catalogue) not checked now whose JSON
    report is in ``report_dir`` and whose page is in ``html_dir`` (none without a report folder)."""
    if report_dir is None or not html_dir.is_dir():
        return None
    from ...report.html import stored_index_entries

    rows, cat = stored_index_entries(report_dir, html_dir, {r.proof.id for r in results})
    return rows, (None if catalogue is not None else cat)


def _supplements(proofs: list[Proof], out_dir: Path) -> dict:
    """The data of the proofs' supplements, read from ``out_dir`` (e.g. gntk_table.json written by
    ``verify gntk table``; not recomputed here)."""
    from ...report.supplements import load_supplements

    names = sorted({n for p in proofs for n in p.supplements})
    return load_supplements(names, out_dir) if names else {}


def _run_log(results: list[ProofResult], catalogue) -> dict:
    """The run log: the machine and the timings split off the reports (which hold none)."""
    from ...report.stable import split_timings

    log = {"machine": _machine(), "proofs": {}, "catalogue": {}}
    for r in results:
        log["proofs"][r.proof.id] = {
            "seconds": round(r.seconds, 3),
            "timings": split_timings(jsonable(r.to_json()))[1],
        }
    if catalogue is not None:
        log["catalogue"] = split_timings(jsonable({"files": [f.to_json() for f in catalogue]}))[1]
    return log


def _machine() -> dict[str, str]:
    from ...report.stable import machine

    return machine()


def report_json(obj: dict) -> str:
    """A report's JSON text: no timing entries (they go to the run log)."""
    from ...report.stable import split_timings

    return json.dumps(split_timings(jsonable(obj))[0], indent=1) + "\n"


def _render_reports(results, catalogue, config,
                    supplements: dict | None = None) -> tuple[dict[str, bytes | str], dict[str, bytes]]:
    from ...report.markdown import render_files_report, render_proof_report
    from ...report.stable import display_path

    files: dict[str, bytes | str] = {}
    all_pngs: dict[str, bytes] = {}
    for r in results:
        stem = stem_of(r.proof.id)
        md, pngs = render_proof_report(
            r, stem, f"verify run {r.proof.id} --report --seed {config.seed} --dps {config.dps}", supplements
        )
        files[f"{stem}.md"] = md
        files[f"{stem}.json"] = report_json({"proofs": [r.to_json()]})
        files.update(pngs)
        all_pngs.update(pngs)
    if catalogue is not None:
        cmd = f"verify run catalogue --report --seed {config.seed} --dps {config.dps}"
        files["catalogue.md"] = render_files_report(
            catalogue, "The built-in claim catalogue", cmd, config.seed, config.dps
        )
        data = {"files": [{**f.to_json(), "file": display_path(f.file)} for f in catalogue]}
        files["catalogue.json"] = report_json(data)
    return files, all_pngs
