"""Exhaustive mutation soundness run, sharded and resumable.

Run: python benchmarks/mutation_soundness.py [--shard K/N] [--claims a,b] [--ops op1,op2] [--ks 1,10,60]
                                              [--limit S] [--out results.jsonl] [--summary]

Every true catalogue claim (tests/mutation.py: ``true_entries``) is mutated by every operator at every
place it applies (a transpose dropped, factors swapped, a sign flipped, an inequality turned round, a
factor 2 lost, inv(X) <-> inv(X.T), tr(AB) -> tr(A) tr(B), det(A+B) -> det A + det B, an assumption
dropped, a constant moved by 10^-k for each k in --ks).  Mutant i belongs to shard i mod N.  Each
mutant is checked in a forked child under a hard wall-clock limit (--limit, default 60 s: verify's
own 20 s per-claim limit plus the independent judgement); its line is appended to the JSONL file
as soon as it is decided, so a stopped run keeps its progress and ``--resume`` (the default) skips
mutants already in the file.  ``--summary`` only summarises the file: mutants, shown false by the
independent 170-digit / exact evaluator, refuted, unsound (a mutant shown false given proved /
certified / holds_numerically), bad counterexamples (a refutation the evaluator does not confirm),
undecided (inconclusive / error / over the limit) and time, by operator and by shard.

Run it niced on one core: ``OPENBLAS_NUM_THREADS=1 nice -n 15 python benchmarks/...``.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import sys
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import tests.mutation as M  # noqa: E402

HOLDING = {"proved", "certified", "holds_numerically"}


def select(claims: set[str], ops: list[str] | None, ks: list[int]) -> tuple[dict, list]:
    entries = M.true_entries()
    out = []
    for name, e in entries.items():
        if claims and name not in claims and name.split("@")[0] not in claims:
            continue
        out += M.mutants(name, e.statement, ks, first_only=False, claim=e.claim, ops=ops)
    return entries, out


def _child(conn, m: M.Mutant, base) -> None:
    try:
        j = M.judge(m, base)
        conn.send(("ok", j.__dict__))
    except BaseException as exc:  # noqa: BLE001 - reported as this mutant's error line
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:400]))
    finally:
        conn.close()


def run_one(m: M.Mutant, base, limit: float) -> dict:
    """Judge one mutant in a forked child; over ``limit`` seconds it is killed and recorded."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    t0 = time.perf_counter()
    p = ctx.Process(target=_child, args=(send, m, base))
    p.start()
    send.close()
    row = {"claim": m.claim, "op": m.op, "statement": m.statement, "drop": m.drop}
    if recv.poll(limit):
        try:
            kind, payload = recv.recv()
        except EOFError:
            kind, payload = "error", "child died without an answer"
    else:
        kind, payload = "timeout", f"over the {limit:g} s limit"
    if p.is_alive():
        p.kill()
    p.join()
    row["wall"] = round(time.perf_counter() - t0, 2)
    if kind == "ok":
        row.update(payload)
        row["seconds"] = round(row["seconds"], 2)
    else:
        row.update({"verdict": kind, "shown_false": False, "unsound": False, "bad_counterexample": False,
                    "message": payload})
    return row


def summarise(rows: list[dict]) -> str:
    c = Counter()
    by_op: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        if r["verdict"] == "error" and re.match(r"\w+: ", r["message"]):
            r = {**r, "verdict": "judge_error"}     # the independent judgement itself raised
        elif r["verdict"] == "error" and not r["message"].startswith("internal error"):
            r = {**r, "verdict": "ill_formed"}      # rows written before ill-formed mutants were named
        op = r["op"].split("_1e")[0]
        for cnt in (c, by_op[op]):
            cnt["ill_formed"] += r["verdict"] == "ill_formed"
            if r["verdict"] == "ill_formed":
                continue
            cnt["mutants"] += 1
            cnt["shown_false"] += bool(r["shown_false"])
            cnt["refuted"] += r["verdict"] == "refuted"
            cnt["unsound"] += bool(r["unsound"])
            cnt["bad_cx"] += bool(r["bad_counterexample"])
            cnt["holding"] += r["verdict"] in HOLDING
            cnt["undecided"] += r["verdict"] not in HOLDING | {"refuted"}
            cnt["undecided_false"] += r["verdict"] not in HOLDING | {"refuted"} and bool(r["shown_false"])
            cnt["timeout"] += r["verdict"] == "timeout"
            cnt["judge_error"] += r["verdict"] == "judge_error"
            cnt["wall"] += r.get("wall", 0.0)
    lines = [
        f"mutants {c['mutants']}: shown false {c['shown_false']}, refuted {c['refuted']}, unsound "
        f"{c['unsound']}, bad counterexamples {c['bad_cx']}, holding {c['holding']}, undecided "
        f"{c['undecided']} (over the limit {c['timeout']}, judge errors {c['judge_error']}); "
        f"{c['wall']:.0f} s of wall time; "
        f"{c['ill_formed']} ill-formed mutants not counted",
        f"{'operator':<18}{'mutants':>8}{'false':>7}{'refuted':>8}{'unsound':>8}{'bad cx':>7}{'undec':>6}"
        f"{'s':>7}",
    ]
    for op, k in sorted(by_op.items()):
        lines.append(f"{op:<18}{k['mutants']:>8}{k['shown_false']:>7}{k['refuted']:>8}{k['unsound']:>8}"
                     f"{k['bad_cx']:>7}{k['undecided']:>6}{k['wall']:>7.0f}")
    for r in rows:
        if r["unsound"] or r["bad_counterexample"]:
            what = "UNSOUND" if r["unsound"] else "BAD CX"
            lines.append(f"{what}: {r['claim']} {r['op']} {r['drop']} {r['statement']!r} -> {r['verdict']}"
                         f" ({r['message'][:120]})")
    return "\n".join(lines)


def read_rows(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def rerun(path: str, limit: float, which: str) -> int:
    """Judge the flagged (or holding) rows of ``path`` again (after a fix, or with more witnesses) and
    rewrite the file with the new rows."""
    entries = M.true_entries()
    rows = read_rows(path)
    out = []
    for r in rows:
        pick = {
            "flagged": r["unsound"] or r["bad_counterexample"],
            "holding": r["verdict"] in HOLDING,
            "undecided": r["verdict"] not in HOLDING | {"refuted", "ill_formed"} and not (
                r["verdict"] == "error" and not r["message"].startswith("internal error")),
        }[which]
        if pick and r["claim"] in entries:
            m = M.Mutant(r["claim"], r["op"], r["statement"], r["drop"])
            new = {**run_one(m, entries[m.claim].claim, limit), "shard": r.get("shard", "")}
            print(f"{m.claim} {m.op}: {r['verdict']} -> {new['verdict']}"
                  f"{' UNSOUND' if new['unsound'] else ''}{' BAD-CX' if new['bad_counterexample'] else ''}",
                  flush=True)
            r = new
        out.append(r)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in out)
    os.replace(tmp, path)
    print(summarise(out))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shard", default="0/1", help="K/N: mutant i is run when i mod N == K")
    ap.add_argument("--claims", default=os.environ.get("VERIFY_EXHAUSTIVE_CLAIMS", ""))
    ap.add_argument("--ops", default="", help="comma-separated operator names (perturb = every k)")
    ap.add_argument("--ks", default=",".join(map(str, M.KS_EXHAUSTIVE)))
    ap.add_argument("--limit", type=float, default=60.0, help="hard wall-clock seconds per mutant")
    ap.add_argument("--out", default="mutation_soundness.jsonl")
    ap.add_argument("--skip-from", default="", help="comma-separated JSONL files whose mutants count as done")
    ap.add_argument("--summary", action="store_true", help="only summarise --out (comma-separated files; "
                    "a mutant in several counts once, its last row)")
    ap.add_argument("--list", action="store_true", help="only count the selected mutants")
    ap.add_argument("--rerun", choices=["flagged", "holding", "undecided"],
                    help="judge the unsound / bad-counterexample rows (flagged), every row with a holding "
                         "verdict (holding) or every undecided one (undecided) of --out again")
    a = ap.parse_args(argv)
    if a.summary:
        rows = {}
        for path in a.out.split(","):
            for r in read_rows(path):
                rows[M.Mutant(r["claim"], r["op"], r["statement"], r["drop"]).key] = r
        print(summarise(list(rows.values())))
        return 0
    if a.rerun:
        return rerun(a.out, a.limit, a.rerun)
    k, _, n = a.shard.partition("/")
    k, n = int(k), int(n or 1)
    claims = {x for x in a.claims.split(",") if x}
    ops = [x for x in a.ops.split(",") if x] or None
    entries, ms = select(claims, ops, [int(x) for x in a.ks.split(",") if x])
    mine = [m for i, m in enumerate(ms) if i % n == k]
    if a.list:
        print(f"{len(ms)} mutants selected; shard {k}/{n} has {len(mine)}")
        return 0
    done = {
        M.Mutant(r["claim"], r["op"], r["statement"], r["drop"]).key
        for path in [a.out, *[x for x in a.skip_from.split(",") if x]]
        for r in read_rows(path)
    }
    todo = [m for m in mine if m.key not in done]
    print(f"shard {k}/{n}: {len(mine)} mutants, {len(mine) - len(todo)} already in {a.out}", flush=True)
    t0 = time.perf_counter()
    rows = []
    for i, m in enumerate(todo, 1):
        row = run_one(m, entries[m.claim].claim, a.limit)
        row["shard"] = a.shard
        rows.append(row)
        with open(a.out, "a") as f:
            f.write(json.dumps(row) + "\n")
        flag = " UNSOUND" if row["unsound"] else " BAD-CX" if row["bad_counterexample"] else ""
        print(f"[{i}/{len(todo)}] {m.claim} {m.op} {row['verdict']} {row['wall']}s{flag}", flush=True)
    print(f"shard {a.shard}: {len(rows)} mutants in {time.perf_counter() - t0:.0f} s", flush=True)
    print(summarise(read_rows(a.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
