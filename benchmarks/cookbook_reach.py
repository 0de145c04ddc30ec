"""Benchmark: reach and soundness of the claim language on a Matrix-Cookbook corpus.

Run: python benchmarks/cookbook_reach.py [FILE ...] [--seed N] [--time-limit S] [--instances K]
                                          [--out DIR] [--slowest N]

The corpus (``benchmarks/cookbook/*.toml``) holds identities and inequalities from The Matrix
Cookbook (Petersen & Pedersen 2012), sections 1-3 and 9-10, and standard textbook inequalities, each
written in its natural form; most true items come with a realistic wrong variant (``expect =
"fails"``).  Items the language cannot state are listed in ``benchmarks/cookbook/unsupported.toml``
with the missing feature, so that

    coverage = stated / attempted,   attempted = claim entries + unsupported entries,

is measured honestly (an entry whose check ends in a parse or shape ``error`` counts as not stated).

Every file goes through the public CLI (``python -m verify check FILE --json``) in its own process,
with a wall-clock limit per file of ``claims x (time limit + 5 s) + 60 s``.  Printed and written to
``OUT/cookbook_reach.{json,md}`` (default ``benchmarks/output/``): attempted, stated (coverage),
per-verdict counts, unsound verdicts (a true item refuted, a wrong item proved / certified /
holds_numerically), crashes (exit status 3, an internal error, a traceback, unreadable JSON; exit
status 2 with a one-line error is an unusable file, its items not stated), files past their limit,
claims past their own limit, the slowest claims, and the missing features by count.  The seed is
fixed and printed.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "cookbook")
HOLDING = {"proved", "certified", "holds_numerically"}
SUFFIX = re.compile(r"\[[^\]]*\]$")


def corpus_files() -> list[str]:
    """The claim files of the corpus, sorted (``unsupported.toml`` is not a claim file)."""
    return sorted(f for f in glob.glob(os.path.join(CORPUS, "*.toml")) if not f.endswith("unsupported.toml"))


def unsupported_items(path: str | None = None) -> list[dict]:
    """The items the language cannot state: ``[[item]]`` tables with name, source, statement, missing."""
    path = path or os.path.join(CORPUS, "unsupported.toml")
    if not os.path.exists(path):
        return []
    with open(path, "rb") as fh:
        return tomllib.load(fh).get("item", [])


def _entries(path: str) -> list[dict]:
    with open(path, "rb") as fh:
        return tomllib.load(fh).get("claim", [])


def run_file(path: str, seed: int, time_limit: float, instances: int) -> dict:
    """Check one file through the CLI in a child process; returns the raw outcome."""
    n = len(_entries(path))
    limit = n * (time_limit + 5) + 60
    env = dict(os.environ, PYTHONPATH=ROOT, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "verify", "check", path, "--json", "--quiet", "--seed", str(seed),
           "--time-limit", str(time_limit), "--instances", str(instances)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"file": path, "limit": limit, "seconds": time.perf_counter() - t0, "over_limit": True,
                "rc": None, "claims": [], "stderr": "", "json_error": None}
    out = {"file": path, "limit": limit, "seconds": time.perf_counter() - t0, "over_limit": False,
           "rc": proc.returncode, "stderr": proc.stderr[-4000:], "claims": [], "json_error": None}
    try:
        out["claims"] = json.loads(proc.stdout)["files"][0]["claims"]
    except (ValueError, KeyError, IndexError) as exc:
        out["json_error"] = f"{type(exc).__name__}: {exc}; stdout starts {proc.stdout[:200]!r}"
    return out


def _is_unsound(expect: str | None, verdict: str) -> bool:
    return (expect == "holds" and verdict == "refuted") or (expect == "fails" and verdict in HOLDING)


def summarise(raw: list[dict], unsupported: list[dict], seed: int, time_limit: float, slowest: int) -> dict:
    """Counts over items (claim entries before per-dimension expansion) and sub-claims."""
    verdicts: Counter = Counter()
    unsound, crashes, not_stated, over_claims, timings = [], [], [], [], []
    attempted_claims = 0
    stated = 0
    as_expected = 0
    files_over, unusable = [], []
    for fo in raw:
        rel = os.path.relpath(fo["file"], ROOT)
        names = [e.get("name", "?") for e in _entries(fo["file"])]
        attempted_claims += len(names)
        if fo["over_limit"]:
            files_over.append({"file": rel, "limit_s": fo["limit"]})
        if fo["rc"] == 2 and "Traceback" not in fo["stderr"]:
            unusable.append({"file": rel, "why": fo["stderr"][-600:]})      # a one-line error: no item stated
        elif fo["json_error"] or fo["rc"] == 3 or "Traceback" in fo["stderr"]:
            crashes.append({"file": rel, "rc": fo["rc"], "why": fo["json_error"] or fo["stderr"][-600:]})
        by_item: dict[str, list[dict]] = {}
        for c in fo["claims"]:
            by_item.setdefault(SUFFIX.sub("", c["name"]), []).append(c)
        for name in names:
            subs = by_item.get(name, [])
            if not subs:
                not_stated.append({"file": rel, "name": name, "why": "no result (file crashed or timed out)"})
                continue
            parse_errors = [c for c in subs if c["verdict"] == "error"
                            and "internal_error" not in c["evidence"]]
            if parse_errors:
                not_stated.append({"file": rel, "name": name, "why": parse_errors[0]["message"][:300]})
            else:
                stated += 1
            ok = True
            for c in subs:
                ev = c["evidence"]
                verdicts[c["verdict"]] += 1
                if "internal_error" in ev:
                    crashes.append({"file": rel, "name": c["name"], "why": str(ev["internal_error"])[:300]})
                if _is_unsound(c.get("expect"), c["verdict"]):
                    unsound.append({"file": rel, "name": c["name"], "statement": c["statement"],
                                    "expect": c["expect"], "verdict": c["verdict"],
                                    "message": c["message"][:300], "counterexample": c.get("counterexample")})
                ok &= bool(c.get("matches_expect"))
                secs = float(ev.get("seconds", 0.0) or 0.0)
                timings.append((secs, rel, c["name"], c["verdict"]))
                if secs > time_limit + 5:
                    over_claims.append({"file": rel, "name": c["name"], "seconds": secs})
            as_expected += ok and not parse_errors
    missing = Counter(u.get("missing", "?") for u in unsupported)
    attempted = attempted_claims + len(unsupported)
    timings.sort(reverse=True)
    return {
        "seed": seed,
        "time_limit_per_claim_s": time_limit,
        "files": len(raw),
        "attempted": attempted,
        "claim_entries": attempted_claims,
        "unsupported_entries": len(unsupported),
        "stated": stated,
        "coverage_percent": round(100.0 * stated / attempted, 1) if attempted else 0.0,
        "items_as_expected": as_expected,
        "verdicts": dict(sorted(verdicts.items())),
        "unsound": unsound,
        "crashes": crashes,
        "files_over_limit": files_over,
        "unusable_files": unusable,
        "claims_over_limit": over_claims,
        "not_stated": not_stated,
        "missing_features": missing.most_common(),
        "slowest": [{"seconds": s, "file": f, "name": n, "verdict": v} for s, f, n, v in timings[:slowest]],
        "file_seconds": {os.path.relpath(fo["file"], ROOT): round(fo["seconds"], 1) for fo in raw},
    }


def markdown(s: dict) -> str:
    lines = [
        "# Cookbook reach and soundness",
        "",
        f"seed {s['seed']}, time limit {s['time_limit_per_claim_s']} s per claim, {s['files']} files",
        "",
        f"- attempted: {s['attempted']} ({s['claim_entries']} claim entries + {s['unsupported_entries']} "
        "not stateable)",
        f"- stated: {s['stated']} (coverage {s['coverage_percent']} %)",
        f"- items as expected: {s['items_as_expected']} of {s['stated']} stated",
        f"- verdicts (sub-claims): {', '.join(f'{k} {v}' for k, v in s['verdicts'].items())}",
        f"- unsound: {len(s['unsound'])}",
        f"- crashes: {len(s['crashes'])}",
        f"- files past their limit: {len(s['files_over_limit'])}; claims past their limit: "
        f"{len(s['claims_over_limit'])}",
        "",
    ]
    for title, key in (("Unsound", "unsound"), ("Crashes", "crashes"), ("Files past their limit",
                       "files_over_limit"), ("Claims past their limit", "claims_over_limit"),
                       ("Unusable files (exit 2)", "unusable_files"),
                       ("Not stated (parse/shape errors)", "not_stated")):
        if s[key]:
            lines += [f"## {title}", ""] + [f"- `{json.dumps(x)[:400]}`" for x in s[key]] + [""]
    lines += ["## Missing features (unsupported entries)", ""]
    lines += [f"- {n} x {feat}" for feat, n in s["missing_features"]] + [""]
    lines += ["## Slowest claims", ""]
    lines += [f"- {x['seconds']:.1f} s {x['file']} {x['name']} ({x['verdict']})" for x in s["slowest"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="claim files (default: the whole corpus)")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per claim (default 30)")
    ap.add_argument("--instances", type=int, default=12)
    ap.add_argument("--out", default=os.path.join(HERE, "output"))
    ap.add_argument("--slowest", type=int, default=10)
    args = ap.parse_args(argv)
    files = [os.path.abspath(f) for f in args.files] or corpus_files()
    unsupported = unsupported_items() if not args.files else []
    print(f"cookbook reach: {len(files)} files, seed {args.seed}, time limit {args.time_limit} s per claim",
          flush=True)
    raw = []
    for f in files:
        fo = run_file(f, args.seed, args.time_limit, args.instances)
        status = "OVER LIMIT" if fo["over_limit"] else f"rc {fo['rc']}"
        print(f"  {os.path.relpath(f, ROOT)}: {len(fo['claims'])} claims, {fo['seconds']:.1f} s, {status}",
              flush=True)
        raw.append(fo)
    s = summarise(raw, unsupported, args.seed, args.time_limit, args.slowest)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cookbook_reach.json"), "w") as fh:
        json.dump(s, fh, indent=1)
    md = markdown(s)
    with open(os.path.join(args.out, "cookbook_reach.md"), "w") as fh:
        fh.write(md)
    print(md)
    return 1 if s["unsound"] or s["crashes"] or s["files_over_limit"] else 0


if __name__ == "__main__":
    sys.exit(main())
