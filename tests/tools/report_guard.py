"""Compare two sets of JSON reports (proofs, catalogue, studies) in substance, ignoring timings.

    python tests/tools/report_guard.py OLD_DIR NEW_DIR      # e.g. a copy of reports/ before a change

Every ``*.json`` of OLD_DIR must exist in NEW_DIR with the same keys, verdicts, numbers and texts;
keys that hold timings (``seconds``, ``*_seconds``, ``*_s``, ``time*``, ``elapsed``, ``speedup``)
and run metadata (``versions``, ``generated``) are dropped first.  Integer-valued rationals count
as equal whether written 3 or "3" (the one rational-to-JSON rule writes 3).  Prints one line per
difference and exits 1 when there is any, 0 otherwise.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

TIMING = re.compile(r"^(seconds|elapsed|speedup|time.*|.*_seconds|.*_s|versions|generated)$")


def strip(obj: Any) -> Any:
    """The object without timing keys (recursively)."""
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items() if not TIMING.match(str(k))}
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    return obj


def _same_scalar(a: Any, b: Any) -> bool:
    if a == b and type(a) is type(b):
        return True
    for x, y in ((a, b), (b, a)):      # 3 vs "3": one rule for integer rationals
        if isinstance(x, int) and not isinstance(x, bool) and isinstance(y, str) and y == str(x):
            return True
    return False


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ (paths like ``/proofs[0]/steps[3]/verdict``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}/{k}: only in the old report" for k in a if k not in b]
        out += [f"{path}/{k}: only in the new report" for k in b if k not in a]
        for k in a:
            if k in b:
                out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items, now {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if _same_scalar(a, b):
        return []
    return [f"{path}: {str(a)[:80]!r} -> {str(b)[:80]!r}"]


def compare_dirs(old: Path, new: Path) -> list[str]:
    out = []
    for f in sorted(old.glob("*.json")):
        g = new / f.name
        if not g.exists():
            out.append(f"{f.name}: missing in {new}")
            continue
        before, after = strip(json.loads(f.read_text())), strip(json.loads(g.read_text()))
        out += [f"{f.name}{d}" for d in differences(before, after)]
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not all(Path(a).is_dir() for a in argv):
        print("usage: report_guard.py OLD_DIR NEW_DIR (two folders of JSON reports)", file=sys.stderr)
        return 2
    diffs = compare_dirs(Path(argv[0]), Path(argv[1]))
    for d in diffs:
        print(d)
    print(f"{len(diffs)} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
