"""verify list: the proof modules and the built-in claim catalogue."""
from __future__ import annotations

import argparse
import json
import sys

from ...catalogue import catalogue_files
from ...claims.files import load_claim_file
from ...discovery import discover_proofs

NAME = "list"
HELP = "list the proof modules and the built-in claim catalogue"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    errors: list[str] = []
    proofs = discover_proofs(errors)
    for e in errors:
        sys.stderr.write(f"verify: error: {e}\n")
    cat = [load_claim_file(f) for f in catalogue_files()]
    if args.json:
        data = {"proofs": [{"id": p.id, "title": p.title, "source": p.source, "steps": len(p.steps)}
                           for p in proofs.values()],
                "catalogue": [{"file": f.path, "title": f.title, "claims": len(f.entries)} for f in cat]}
        sys.stdout.write(json.dumps(data, indent=1) + "\n")
        return 1 if errors else 0
    sys.stdout.write("Proofs (verify run ID):\n")
    for p in proofs.values():
        sys.stdout.write(f"  {p.id:<26} {len(p.steps):>3} steps  {p.title}\n")
    n = sum(len(f.entries) for f in cat)
    sys.stdout.write(f"  {'catalogue':<26} {n:>3} claims the built-in claim catalogue ({len(cat)} files)\n")
    for f in cat:
        sys.stdout.write(f"      {f.title} ({len(f.entries)} claims)\n")
    return 1 if errors else 0
