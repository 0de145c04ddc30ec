"""The rough edges a new user hit (issue 14), each pinned by a test: user mistakes exit 2 with one
line (never 3), paths are checked before the computation, one --dps range, precision as asked,
option names as typed, no .hypothesis/ in the working directory, --version, progress on stderr,
tables that fit the terminal."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli import main
from verify.config import DPS_MAX, DPS_MIN

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
title = "good"
[vars]
x = {}
[[claim]]
name = "refl"
statement = "x == x"
"""
MAYBE = GOOD.replace('statement = "x == x"', 'statement = "x == x"\nexpect = "maybe"')


def _err_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("verify: error: "), err
    return err


def test_bad_expect_is_an_input_error_before_any_output(tmp_path, capsys):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "maybe.toml").write_text(MAYBE)
    code = main(["check", str(tmp_path / "good.toml"), str(tmp_path / "maybe.toml"), "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "expect must be \"holds\" or \"fails\", got 'maybe'" in err


def test_non_real_activation_is_exit_2(tmp_path, capsys):
    (tmp_path / "p.json").write_text('{"x": [[1.0, 0.5], [0.2, -0.3]]}')
    code = main(["kernel", "ntk", "--convention", "arora", "--depth", "1", "--points",
                 str(tmp_path / "p.json"), "--activation", "log(z)"])
    assert code == 2 and "not real-valued" in _err_line(capsys)


def test_kernel_dps_digits_as_asked_and_nngp_in_table(tmp_path, capsys):
    (tmp_path / "p.json").write_text('{"x": [[1.0, 0.5], [0.25, -0.5]]}')
    base = ["kernel", "ntk", "--convention", "arora", "--depth", "1", "--points", str(tmp_path / "p.json")]
    assert main([*base, "--dps", "40", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    off = res["ntk_digits"][0][1]
    assert len(off.replace("-", "").replace(".", "").lstrip("0")) >= 38      # 40 significant digits, not 15
    assert main([*base, "--dps", "30"]) == 0
    table = capsys.readouterr().out
    assert "nngp = " in table and "ntk = " in table
    assert main(base) == 0
    assert "nngp = " in capsys.readouterr().out


@pytest.mark.parametrize("cmd", [
    ["check", "FILE"],
    ["kernel", "ntk", "--convention", "arora", "--depth", "1", "--points", "PTS"],
    ["experiment", "gd-gap"],
])
@pytest.mark.parametrize("dps", [DPS_MIN - 1, DPS_MAX + 1, 100000])
def test_one_dps_range_everywhere(tmp_path, capsys, cmd, dps):
    (tmp_path / "c.toml").write_text(GOOD)
    (tmp_path / "p.json").write_text('{"x": [[1.0]]}')
    subst = {"FILE": str(tmp_path / "c.toml"), "PTS": str(tmp_path / "p.json")}
    cmd = [subst.get(a, a) for a in cmd]
    assert main([*cmd, "--dps", str(dps)]) == 2
    assert f"--dps must be an integer between {DPS_MIN} and {DPS_MAX}" in _err_line(capsys)


def _never(*a, **k):
    raise AssertionError("the computation started before the paths were checked")


def test_paths_are_checked_before_the_computation(tmp_path, capsys, monkeypatch):
    from verify.cli.commands import gntk, run
    from verify.studies import gd_gap, shift_operators

    for mod, name in ((gd_gap, "compute"), (shift_operators, "compute"), (gntk, "_gram"), (run, "run_proof"),
                      (run, "check_files")):
        monkeypatch.setattr(mod, name, _never)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for args in (["experiment", "gd-gap", "--plot", str(blocker)],
                 ["experiment", "shift-operators", "--quick", "--plot", str(blocker / "sub")],
                 ["run", "catalogue", "--report", "--out", str(blocker)],
                 ["gntk", "gram", "--dataset", "mutag", "--blocks", "1", "--mlp-layers", "1", "--scale",
                  "uniform", "--readout", "sum", "--convention", "paper", "--out", str(tmp_path)]):
        assert main(args) == 2, args
        err = _err_line(capsys)
        assert str(blocker) in err or "is a folder" in err or ".npy" in err


def test_option_names_as_typed(tmp_path, capsys):
    (tmp_path / "g.json").write_text('{"graphs": [{"adjacency": [[0, 1], [1, 0]], "features": [[1], [1]]}]}')
    base = ["kernel", "gntk", "--graphs", str(tmp_path / "g.json"), "--scale", "uniform", "--readout", "sum",
            "--convention", "paper"]
    assert main([*base, "--blocks", "0", "--mlp-layers", "1"]) == 2
    assert "--blocks must be >= 1" in _err_line(capsys)
    assert main([*base, "--blocks", "1", "--mlp-layers", "1", "--chunk-size", "0"]) == 2
    assert "--chunk-size must be" in _err_line(capsys)


def test_flag_names_leave_quoted_names_alone():
    from verify.cli import build_parser, flag_names

    p = build_parser()
    assert flag_names("mlp_layers must be >= 0", p) == "--mlp-layers must be >= 0"
    assert flag_names("unknown name 'mlp_layers' in claim", p) == "unknown name 'mlp_layers' in claim"
    assert flag_names("my_var must be positive", p) == "my_var must be positive"
    claim_msg = "f.toml: claim #1 (time_limit): expect must be"
    assert flag_names(claim_msg, p) == claim_msg
    assert flag_names("graphs.json: chunk_size must be >= 1", p) == "graphs.json: --chunk-size must be >= 1"


def test_no_hypothesis_folder_in_the_working_directory(tmp_path):
    (tmp_path / "c.toml").write_text(GOOD.replace("x == x", "x + 1 >= x"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)
    r = subprocess.run([sys.executable, "-m", "verify", "check", "c.toml", "--quiet", "--instances", "2"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / ".hypothesis").exists()
    assert (tmp_path / "cache" / "verify" / "hypothesis").is_dir()


def test_version(capsys):
    from verify import __version__

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out == f"verify {__version__}\n"


def test_run_catalogue_json_has_no_empty_proofs(tmp_path, capsys, monkeypatch):
    (tmp_path / "c.toml").write_text(GOOD)
    monkeypatch.setattr("verify.cli.commands.run.catalogue_files", lambda: [tmp_path / "c.toml"])
    assert main(["run", "catalogue", "--json", "--quiet", "--instances", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["catalogue"] and data["catalogue"]["files"][0]["claims"][0]["verdict"] == "proved"


def test_progress_bar_and_json_silence(tmp_path):
    from verify.cli.options import add_check_options, config_from
    from verify.cli.progress import BarProgress, line_progress, progress_sink

    buf = io.StringIO()
    bar = BarProgress(buf, width=80)
    for msg in ("[p] step 1/3: a", "a note", "[p] step 2/3: b", "[p] step 3/3: c"):
        bar(msg)
    assert bar.bar.total == 3 and bar.bar.n == 2 and "a note" in buf.getvalue()
    bar.close()
    assert progress_sink(False) is None and line_progress is not None
    lines = io.StringIO()
    sink = progress_sink(True, lines)                                      # not a terminal: thinned lines
    for k in range(1, 51):
        sink(f"gd: step {k}/50 (4 configurations)")
    sink("gd-gap: long-time runs")
    printed = lines.getvalue().splitlines()
    assert printed[0] == "gd: step 1/50 (4 configurations)"
    assert printed[-2] == "gd: step 50/50 (4 configurations)"
    assert printed[-1] == "gd-gap: long-time runs" and 10 <= len(printed) <= 13
    import argparse

    p = argparse.ArgumentParser()
    add_check_options(p)
    assert config_from(p.parse_args(["--json"])).progress is None
    assert config_from(p.parse_args(["--json", "--progress"])).progress is not None
    assert config_from(p.parse_args([])).progress is not None
    from verify.cli import build_parser, wants_progress

    parser = build_parser()
    for name in ("gd-gap", "shift-operators", "ntk-width", "gntk-equivalence", "lazy-training"):
        base = ["experiment", name]
        assert wants_progress(parser.parse_args(base)) is True
        assert wants_progress(parser.parse_args([*base, "--json"])) is False            # off under --json
        assert wants_progress(parser.parse_args([*base, "--json", "--progress"])) is True
        assert wants_progress(parser.parse_args([*base, "--no-progress"])) is False


def test_terminal_table_fits_and_keeps_names(monkeypatch):
    from verify import Result, Verdict
    from verify.check.outcomes import ClaimOutcome, FileOutcome
    from verify.report.terminal import render_files

    monkeypatch.setenv("COLUMNS", "100")
    long_name = "a_very_long_claim_name_that_would_have_been_cut_by_a_tilde_before"
    ev = {"engine": "symbolic (sympy) " + "with a long explanation " * 8}
    f = FileOutcome("f.toml", "t", [ClaimOutcome(long_name, "x == x", [], None, Result(Verdict.PROVED, ev))])
    text = render_files([f])
    assert max(len(line) for line in text.splitlines()) <= 100
    assert long_name in text and "~" not in text


def test_kernel_ntk_cross_kernel_matches_the_joint_gram(tmp_path, capsys):
    import numpy as np

    a, b = [[1.0, 0.5], [0.25, -0.5]], [[0.3, 0.3], [-1.0, 2.0], [0.0, 1.0]]
    (tmp_path / "a.json").write_text(json.dumps({"x": a}))
    (tmp_path / "b.json").write_text(json.dumps({"x": b}))
    (tmp_path / "ab.json").write_text(json.dumps({"x": a + b}))
    base = ["kernel", "ntk", "--convention", "arora", "--depth", "2", "--json"]
    assert main([*base, "--points", str(tmp_path / "a.json"), "--points2", str(tmp_path / "b.json")]) == 0
    cross = json.loads(capsys.readouterr().out)
    assert main([*base, "--points", str(tmp_path / "ab.json")]) == 0
    joint = json.loads(capsys.readouterr().out)
    for k in ("nngp", "ntk"):
        assert np.asarray(cross[k]).shape == (2, 3)
        np.testing.assert_allclose(cross[k], np.asarray(joint[k])[:2, 2:], rtol=1e-13, atol=1e-15)
    (tmp_path / "c.json").write_text(json.dumps({"x": [[1.0, 2.0, 3.0]]}))
    assert main([*base, "--points", str(tmp_path / "a.json"), "--points2", str(tmp_path / "c.json")]) == 2
    assert "dimension 3" in _err_line(capsys)


def test_gntk_classify_reports_progress_on_stderr(capsys):
    args = ["gntk", "classify", "--dataset", "mutag", "--blocks", "1", "--mlp-layers", "1", "--scale",
            "uniform", "--readout", "sum", "--convention", "paper", "--c-num", "2", "--nested-c-num", "2"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("accuracy ") and "Gram matrix of mutag" in err
    assert "outer fold 10/10" in err and "nested CV, outer fold 10/10" in err
    assert main([*args, "--json"]) == 0
    assert capsys.readouterr().err == ""                                   # off under --json


def test_gntk_cross_kernel_equals_per_pair_values(tmp_path, capsys):
    import numpy as np

    from verify.graphs import load_dataset
    from verify.kernels.cross import gntk_cross_gram
    from verify.kernels.gntk import gntk_gram

    g = load_dataset("mutag")[:5]
    opts = (2, 1, "degree", "jk", "paper")
    cross = gntk_cross_gram(g[:2], g[2:5], *opts)
    assert cross.shape == (2, 3)
    for i in range(2):
        for j in range(3):                                                 # each pair on its own
            assert cross[i, j] == pytest.approx(gntk_gram([g[i], g[2 + j]], *opts)[0, 1], rel=1e-12)
    nodes = gntk_cross_gram(g[:1], g[1:2], *opts, level="node")
    n0, n1 = g[0].n, g[1].n
    assert nodes.shape == (n0, n1)
    as_json = lambda gs: {"graphs": [{"adjacency": x.adjacency_csr().toarray().tolist(),  # noqa: E731
                                      "features": np.asarray(x.features).tolist()} for x in gs]}
    (tmp_path / "a.json").write_text(json.dumps(as_json(g[:2])))
    (tmp_path / "b.json").write_text(json.dumps(as_json(g[2:5])))
    assert main(["kernel", "gntk", "--graphs", str(tmp_path / "a.json"), "--graphs2",
                 str(tmp_path / "b.json"), "--blocks", "2", "--mlp-layers", "1", "--scale", "degree",
                 "--readout", "jk", "--convention", "paper", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["shape"] == [2, 3] and res["cross"] is True
    np.testing.assert_allclose(res["gram"], cross, rtol=1e-13)
