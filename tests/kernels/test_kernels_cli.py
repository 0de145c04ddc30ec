"""End-to-end tests of `verify kernel ntk|gntk` and `verify gntk gram|classify`, good and bad input."""
import json
import math

import numpy as np

from verify.cli import main
from verify.graphs import graphs_from_json, load_dataset
from verify.kernels.gntk import gntk_gram
from verify.kernels.ntk import ntk_gram

GRAPHS = {"graphs": [
    {"adjacency": [[0, 1], [1, 0]], "features": [[1.0], [1.0]]},
    {"adjacency": [[0, 1, 1], [1, 0, 0], [1, 0, 0]], "features": [[1.0], [0.5], [2.0]]},
]}


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_kernel_ntk(tmp_path, capsys):
    pts = tmp_path / "p.json"
    x = [[1.0, 0.0], [0.6, 0.8], [-1.0, 0.0]]
    pts.write_text(json.dumps({"x": x}))
    code, out, _ = _run(
        capsys, ["kernel", "ntk", "--convention", "arora", "--depth", "1", "--points", str(pts), "--json"]
    )
    assert code == 0
    res = json.loads(out)
    t = math.acos(0.6)
    assert abs(res["ntk"][0][1] - (2 * 0.6 * (math.pi - t) + math.sin(t)) / math.pi) < 1e-14
    assert res["convention"] == "arora" and res["depth"] == 1 and len(res["nngp"]) == 3
    code, out, _ = _run(capsys, ["kernel", "ntk", "--convention", "jacot", "--depth", "3", "--bias", "0.5",
                                 "--points", str(pts), "--json"])
    ref = ntk_gram(np.array(x), 3, "jacot", 0.5)
    assert np.allclose(json.loads(out)["ntk"], ref[1], rtol=1e-15)
    code, out, _ = _run(capsys, ["kernel", "ntk", "--convention", "jacot", "--depth", "3", "--dps", "30",
                                 "--points", str(pts), "--json"])
    res = json.loads(out)
    assert code == 0 and "mpmath" in res["engine"]
    assert np.allclose(res["ntk"], ntk_gram(np.array(x), 3, "jacot")[1], rtol=1e-13)


def test_kernel_gntk(tmp_path, capsys):
    f = tmp_path / "g.json"
    f.write_text(json.dumps(GRAPHS))
    gs = graphs_from_json(GRAPHS)
    for level in ("graph", "node"):
        code, out, _ = _run(
            capsys,
            [
                "kernel",
                "gntk",
                "--graphs",
                str(f),
                "--blocks",
                "2",
                "--mlp-layers",
                "1",
                "--scale",
                "degree",
                "--readout",
                "jk",
                "--convention",
                "official",
                "--level",
                level,
                "--json",
            ],
        )
        assert code == 0
        got = np.array(json.loads(out)["gram"])
        assert np.allclose(got, gntk_gram(gs, 2, 1, "degree", "jk", "official", level), rtol=1e-15)
        assert got.shape == ((2, 2) if level == "graph" else (5, 5))


def test_gntk_gram_and_classify(tmp_path, capsys):
    out_file = tmp_path / "mutag.npy"
    code, out, _ = _run(capsys, ["gntk", "gram", "--dataset", "mutag", "--blocks", "2", "--mlp-layers", "1",
                                 "--scale", "uniform", "--readout", "jk", "--convention", "official",
                                 "--out", str(out_file), "--json"])
    assert code == 0 and json.loads(out)["shape"] == [188, 188]
    saved = np.load(out_file)
    assert np.allclose(saved, gntk_gram(load_dataset("mutag"), 2, 1, "uniform", "jk", "official"), rtol=1e-15)
    code, out, _ = _run(
        capsys,
        [
            "gntk",
            "classify",
            "--dataset",
            "mutag",
            "--blocks",
            "2",
            "--mlp-layers",
            "1",
            "--scale",
            "uniform",
            "--readout",
            "jk",
            "--convention",
            "official",
            "--seed",
            "3",
            "--c-num",
            "4",
            "--nested-c-num",
            "3",
            "--json",
        ],
    )
    assert code == 0
    res = json.loads(out)
    for key in ("accuracy_mean", "accuracy_std", "C", "nested_accuracy_mean", "nested_accuracy_std", "paper"):
        assert key in res
    assert res["paper"]["accuracy_mean"] == 90.0 and res["paper"]["accuracy_std"] == 8.5
    assert (
        res["seed"] == 3
        and 60.0 < res["accuracy_mean"] <= 100.0
        and 60.0 < res["nested_accuracy_mean"] <= 100.0
    )
    assert res["accuracy_mean"] >= max(res["fold_accuracies"]) - 100  # sanity of the list
    assert "optimistic" in res["selection_note"]


def _expect_input_error(capsys, argv, fragment=None):
    code, out, err = _run(capsys, argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("verify: error:")
    if fragment:
        assert fragment in err
    return err


def test_bad_inputs_exit_2_and_write_nothing(tmp_path, capsys):
    pts = tmp_path / "p.json"
    pts.write_text('{"x": [[1.0, NaN]]}')
    _expect_input_error(
        capsys,
        ["kernel", "ntk", "--convention", "jacot", "--depth", "1", "--points", str(pts), "--json"],
        "NaN",
    )
    pts.write_text('{"x": [[1.0, 2.0]]}')
    _expect_input_error(
        capsys,
        ["kernel", "ntk", "--convention", "arora", "--depth", "-2", "--points", str(pts), "--json"],
        "depth",
    )
    pts.write_text('{"x": [[1.0, 2.0], [1.0]]}')
    _expect_input_error(
        capsys, ["kernel", "ntk", "--convention", "arora", "--depth", "1", "--points", str(pts)]
    )
    pts.write_text('{"x": [[1.0, 2.0]')
    _expect_input_error(
        capsys, ["kernel", "ntk", "--convention", "arora", "--depth", "1", "--points", str(pts)], "p.json:1"
    )
    g = tmp_path / "g.json"
    base = ["kernel", "gntk", "--graphs", str(g), "--blocks", "1", "--mlp-layers", "1", "--scale", "uniform",
            "--readout", "sum", "--convention", "paper", "--json"]
    g.write_text(json.dumps({"graphs": [{"adjacency": [[0, 1], [0, 0]], "features": [[1.0], [1.0]]}]}))
    _expect_input_error(capsys, base, "symmetric")
    g.write_text(json.dumps({"graphs": [{"adjacency": [[0, 1], [1, 0]], "features": [[1.0]]}]}))
    _expect_input_error(capsys, base, "rows")
    g.write_text(json.dumps(GRAPHS))
    bad_blocks = list(base)
    bad_blocks[bad_blocks.index("--blocks") + 1] = "-1"
    _expect_input_error(capsys, bad_blocks, "blocks")
    out_file = tmp_path / "x.npy"
    gram_args = ["--blocks", "1", "--mlp-layers", "1", "--scale", "uniform", "--readout", "sum",
                 "--convention", "paper", "--out", str(out_file)]
    _expect_input_error(capsys, ["gntk", "gram", "--dataset", "no-such-set", *gram_args], "unknown data set")
    bad = tmp_path / "BAD.txt"
    bad.write_text("1\n2 0\n0 1 7\n1 1 0\n")
    _expect_input_error(capsys, ["gntk", "gram", "--dataset", str(bad), *gram_args], "BAD.txt:3")
    _expect_input_error(
        capsys,
        [
            "gntk",
            "classify",
            "--dataset",
            "no-such-set",
            "--blocks",
            "1",
            "--mlp-layers",
            "1",
            "--scale",
            "uniform",
            "--readout",
            "sum",
            "--convention",
            "paper",
            "--json",
        ],
    )
    assert not out_file.exists() and list(tmp_path.glob(".x.npy*")) == []
