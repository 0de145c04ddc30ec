"""verify check FILE...: check every claim of TOML claim files."""
from __future__ import annotations

import argparse
import json
import sys

from ...check.files import check_files
from ...claims.files import load_claim_file
from ...result import Verdict, jsonable
from ..options import add_check_options, config_from

NAME = "check"
HELP = "check the claims of TOML claim files (exit 0: all as expected, 1: not, 2: unusable file)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="claim files (TOML)")
    add_check_options(p)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    files = [load_claim_file(p) for p in args.files]      # every file must load before any work
    outcomes = check_files(files, config, jobs=args.jobs)
    if args.json:
        sys.stdout.write(json.dumps(jsonable({"files": [f.to_json() for f in outcomes]}), indent=1) + "\n")
    else:
        from ...report.terminal import render_files

        sys.stdout.write(render_files(outcomes))
    for f in outcomes:
        for c in f.claims:
            if c.result.verdict is Verdict.ERROR:
                sys.stderr.write(f"verify: error: {c.result.message}\n")
    if any("internal_error" in c.result.evidence for f in outcomes for c in f.claims):
        return 3            # a bug in the toolkit: every other claim's result was still written
    return 0 if all(f.all_match for f in outcomes) else 1
