"""verify gntk table: one command writes the table (md + json) with settings and seeds, byte-identical
on a rerun (timings in the run log), resumable from the cache."""
import json

import numpy as np

from verify.cli import main
from verify.studies import gntk_table
from verify.studies.gntk_table import OFFICIAL, Plan, agreement, deviations, plans_for

TINY = {
    "MUTAG": Plan(
        blocks=(1, 2), mlp_layers=(1,), scales=("uniform",), norms=("cosine",), c_num=4, nested_c_num=2
    )
}


def test_agreement_rule():
    assert agreement(90.4, 4.6, 90.0, 8.5) == {
        "difference": 0.4,
        "two_se": round(2 * np.sqrt((4.6**2 + 8.5**2) / 10), 2),
        "agree": True,
    }
    assert agreement(63.3, 1.0, 67.9, 1.0)["agree"] is False
    # the boundary: |diff| = 2 SE agrees (2 * sqrt(2 * 2.5^2 / 10) = 2.236...)
    assert agreement(80.0 + 2 * np.sqrt(1.25), 2.5, 80.0, 2.5)["agree"] is True


def test_deviations_name_every_reduction():
    assert deviations("MUTAG", Plan()) == [] and deviations("NCI1", OFFICIAL["NCI1"]) == []
    d = deviations("NCI1", Plan(blocks=(9,), mlp_layers=(1,), norms=("cosine",), c_num=25, subsample=100))
    assert any("blocks [9]" in t for t in d) and any("SUBSAMPLE of 100" in t for t in d)
    assert any("logspace(-2, 4, 25)" in t for t in d) and any("cosine only" in t for t in d)
    assert deviations("COLLAB", Plan(self_loops="drop")) == [
        "self-loops dropped (Ã = A + I; official: weight 3 on Ã's diagonal)"]
    assert plans_for("official")["PTC"].blocks == (9, 11, 13)
    assert plans_for("budget", "drop")["COLLAB"].self_loops == "drop"


def test_table_command_is_deterministic_and_resumes_from_the_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(gntk_table, "PLANS", {**gntk_table.PLANS, **TINY})
    rep, cache = tmp_path / "rep", tmp_path / "cache"
    args = ["gntk", "table", "--data-dir", str(tmp_path), "--datasets", "mutag,ptc", "--out", str(rep),
            "--cache", str(cache)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "MUTAG:" in out and "PTC: not run" in out and "seed 0" in out
    first = {p.name: p.read_bytes() for p in rep.iterdir()}
    assert sorted(first) == ["gntk_table.json", "gntk_table.md", "gntk_table.run-log.json"]
    data = json.loads(first["gntk_table.json"])
    row = data["rows"][0]
    assert row["dataset"] == "MUTAG" and row["graphs_used"] == 188 and row["kernels"] == 2
    assert row["data"] == {"file": "verify/data/MUTAG.txt (packaged)"} and data["grid"] == "budget"
    assert 60.0 <= row["accuracy_mean"] <= 100.0 and row["paper_mean"] == 90.0
    assert not row["official_protocol"]
    assert data["command"] == "verify gntk table --data-dir DATA --datasets mutag,ptc"
    assert "seconds" not in first["gntk_table.json"].decode() and "engine" not in data
    log = json.loads(first["gntk_table.run-log.json"])
    assert log["seconds"]["rows"]["MUTAG"]["cv"] >= 0 and log["cache_misses"] > 0 and log["cache_hits"] == 0
    md = first["gntk_table.md"].decode()
    assert "do not edit by hand" in md and "| MUTAG | 188 |" in md and "| PTC | - | not run" in md
    assert "(seed 0, grid budget)" in md and "Grams (s)" not in md
    # rerun: every Gram and CV task from the cache, the same bytes
    assert main(args) == 0
    again = {p.name: p.read_bytes() for p in rep.iterdir()}
    assert again["gntk_table.json"] == first["gntk_table.json"]
    assert again["gntk_table.md"] == first["gntk_table.md"]
    log2 = json.loads(again["gntk_table.run-log.json"])
    assert log2["cache_misses"] == 0 and log2["cache_hits"] == log["cache_misses"]
    # without the cache: the same table
    assert main([*args[:-2], "--no-cache"]) == 0
    assert (rep / "gntk_table.json").read_bytes() == first["gntk_table.json"]


def test_table_command_bad_input(tmp_path, capsys):
    assert main(["gntk", "table", "--data-dir", str(tmp_path / "nope")]) != 0
    assert main(["gntk", "table", "--data-dir", str(tmp_path), "--datasets", "REDDIT"]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "REDDIT" in err
