"""verify check FILE...: check every claim of TOML claim files."""
from __future__ import annotations

import argparse
import json
import sys

from ...claims.check import check_claim
from ...claims.files import ClaimFile, load_claim_file
from ...config import CheckConfig
from ...report.model import ClaimOutcome, FileOutcome
from ...result import Result, Verdict, jsonable
from ..options import add_check_options, config_from

NAME = "check"
HELP = "check the claims of TOML claim files (exit 0: all as expected, 1: not, 2: unusable file)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="claim files (TOML)")
    add_check_options(p)


def check_files(files: list[ClaimFile], config: CheckConfig) -> list[FileOutcome]:
    out = []
    for f in files:
        fo = FileOutcome(f.path, f.title)
        for i, e in enumerate(f.entries, 1):
            config.report(f"{f.path}: [{i}/{len(f.entries)}] {e.name}")
            if e.claim is None:
                result = Result(Verdict.ERROR, {"engine": "parser"}, message=f"{f.path}: {e.name}: {e.error}")
            else:
                result = check_claim(e.claim, config)
                if result.verdict is Verdict.ERROR:
                    result.message = f"{f.path}: {e.name}: {result.message}"
            fo.claims.append(ClaimOutcome(e.name, e.statement, e.given, e.expect, result))
        out.append(fo)
    return out


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    files = [load_claim_file(p) for p in args.files]      # every file must load before any work
    outcomes = check_files(files, config)
    if args.json:
        sys.stdout.write(json.dumps(jsonable({"files": [f.to_json() for f in outcomes]}), indent=1) + "\n")
    else:
        from ...report.terminal import render_files

        sys.stdout.write(render_files(outcomes))
    for f in outcomes:
        for c in f.claims:
            if c.result.verdict is Verdict.ERROR:
                sys.stderr.write(f"verify: error: {c.result.message}\n")
    return 0 if all(f.all_match for f in outcomes) else 1
