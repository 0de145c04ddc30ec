"""verify gntk table: one command writes the table (md + json) with settings, timings and seeds."""
import json

import numpy as np

from verify.cli import main
from verify.studies import gntk_table
from verify.studies.gntk_table import Plan, agreement, deviations

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


def test_deviations_name_every_reduction():
    assert deviations("MUTAG", Plan()) == []
    d = deviations("NCI1", Plan(blocks=(9,), mlp_layers=(1,), norms=("cosine",), c_num=25, subsample=100))
    assert any("blocks [9]" in t for t in d) and any("SUBSAMPLE of 100" in t for t in d)
    assert any("logspace(-2, 4, 25)" in t for t in d) and any("cosine only" in t for t in d)


def test_table_command_writes_md_and_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(gntk_table, "PLANS", {**gntk_table.PLANS, **TINY})
    assert main(["gntk", "table", "--data-dir", str(tmp_path), "--datasets", "mutag,ptc",
                 "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert "MUTAG:" in out and "PTC: not run" in out and "seed 0" in out
    data = json.loads((tmp_path / "rep" / "gntk_table.json").read_text())
    row = data["rows"][0]
    assert row["dataset"] == "MUTAG" and row["graphs_used"] == 188 and row["kernels"] == 2
    assert 60.0 <= row["accuracy_mean"] <= 100.0 and row["paper_mean"] == 90.0
    assert row["seconds"]["grams"] >= 0 and not row["official_protocol"]
    md = (tmp_path / "rep" / "gntk_table.md").read_text()
    assert "do not edit by hand" in md and "| MUTAG | 188/188 |" in md and "| PTC | - | not run" in md


def test_table_command_bad_input(tmp_path, capsys):
    assert main(["gntk", "table", "--data-dir", str(tmp_path / "nope")]) != 0
    assert main(["gntk", "table", "--data-dir", str(tmp_path), "--datasets", "REDDIT"]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "REDDIT" in err
