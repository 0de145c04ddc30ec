"""verify experiment ntk-width / gntk-equivalence end to end (small settings) and bad options (exit 2)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from verify.cli import main


def _run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ntk_width_json(capsys):
    code, out, err = _run(
        [
            "experiment",
            "ntk-width",
            "--json",
            "--quick",
            "--widths",
            "8,64,512",
            "--seeds",
            "2",
            "--no-progress",
        ],
        capsys,
    )
    assert code == 0, err
    data = json.loads(out)
    for key in ("widths", "rel_error", "slope", "seeds", "ci", "convention", "depth"):
        assert key in data
    assert data["widths"] == [8, 64, 512] and len(data["rel_error"]) == 3 and data["seeds"] == 2
    assert data["slope"] < 0


def test_ntk_width_gnn_and_lazy(capsys):
    code, out, _ = _run(
        [
            "experiment",
            "ntk-width",
            "--json",
            "--model",
            "gnn",
            "--widths",
            "8,64",
            "--seeds",
            "1",
            "--depth",
            "1",
            "--no-progress",
        ],
        capsys,
    )
    assert code == 0 and json.loads(out)["model"] == "gnn"
    code, out, _ = _run(["experiment", "ntk-width", "--json", "--lazy", "--depth", "1", "--widths", "16,128",
                         "--seeds", "1", "--steps", "10", "--no-progress"], capsys)
    data = json.loads(out)
    assert code == 0 and {"gap_analytic", "weight_change", "kernel_change", "normalisation"} <= set(data)


def test_ntk_width_table(capsys):
    code, out, _ = _run(["experiment", "ntk-width", "--widths", "8,32", "--seeds", "1", "--depth", "1",
                         "--no-progress"], capsys)
    assert code == 0 and "fitted slope" in out


def test_gntk_equivalence_json(capsys):
    code, out, err = _run(["experiment", "gntk-equivalence", "--json", "--widths", "8,64", "--sizes", "3,4",
                           "--seeds", "1", "--steps", "5", "--no-progress"], capsys)
    assert code == 0, err
    data = json.loads(out)
    for key in ("widths", "gap", "slope", "sizes", "gap_vs_size", "size_exponent", "implied_width_exponent",
                "stated_width_exponent", "iterations_to_eps", "initialisation", "level"):
        assert key in data
    assert data["level"] == "graph" and data["stated_width_exponent"] == 2 and data["f0_max_abs"] == 0.0
    code, out, err = _run(["experiment", "gntk-equivalence", "--json", "--level", "node", "--widths", "8,64",
                           "--sizes", "4,5", "--seeds", "1", "--steps", "5", "--no-progress"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (
        data["level"] == "node"
        and data["stated_width_exponent"] == 10
        and data["stated_iterations_exponent"] == 2
    )


@pytest.mark.parametrize("args", [
    ["experiment", "ntk-width", "--widths", "64,16"],
    ["experiment", "ntk-width", "--widths", "a,b"],
    ["experiment", "ntk-width", "--seeds", "0"],
    ["experiment", "ntk-width", "--convention", "nt"],
    ["experiment", "ntk-width", "--model", "cnn"],
    ["experiment", "ntk-width", "--depth", "-1"],
    ["experiment", "ntk-width", "--bias", "-1", "--convention", "jacot", "--widths", "4,8", "--seeds", "1"],
    ["experiment", "ntk-width", "--lazy", "--model", "gnn"],
    ["experiment", "ntk-width", "--device", "tpu"],
    ["experiment", "gntk-equivalence", "--level", "edge"],
    ["experiment", "gntk-equivalence", "--sizes", "1,2"],
    ["experiment", "gntk-equivalence", "--widths", "8"],
    ["experiment", "gntk-equivalence", "--lr-factor", "3"],
    ["experiment", "gntk-equivalence", "--kappa", "nan"],
])
def test_bad_options_exit_2(args, capsys):
    code, out, err = _run(args + ["--no-progress"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("verify: error:") and len(err.strip().splitlines()) == 1


def test_console_script_exit_status():
    proc = subprocess.run([sys.executable, "-m", "verify", "experiment", "ntk-width", "--widths", "5"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "widths" in proc.stderr


def test_lazy_training_experiment(capsys):
    code, out, err = _run(["experiment", "lazy-training", "--json", "--widths", "16,128", "--seeds", "1",
                           "--steps", "10", "--normalisation", "neural-tangents", "--no-progress"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["normalisation"] == "neural-tangents" and data["loss_scale"] == 1 / 8
    for key in ("gap_analytic", "gap_linearised", "weight_change", "kernel_change", "widths"):
        assert key in data
    code, out, err = _run(
        [
            "experiment",
            "lazy-training",
            "--normalisation",
            "mse",
            "--widths",
            "8,16",
            "--seeds",
            "1",
            "--no-progress",
        ],
        capsys,
    )
    assert code == 2 and out == "" and "normalisation" in err
