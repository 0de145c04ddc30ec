"""verify experiment gd-gap: reproducible JSON, one-line errors for bad options."""
import json

import pytest
import torch

from verify.cli import main


def _drop_times(d):
    if isinstance(d, dict):
        return {k: _drop_times(v) for k, v in d.items() if "seconds" not in k}
    if isinstance(d, list):
        return [_drop_times(v) for v in d]
    return d


def test_json_reproducible(capsys, tmp_path):
    args = ["experiment", "gd-gap", "--quick", "--json", "--bound-seeds", "1", "--no-progress", "--seed", "3"]
    assert main(args) == 0
    a = json.loads(capsys.readouterr().out)
    assert main(args + ["--plot", str(tmp_path)]) == 0
    b = json.loads(capsys.readouterr().out)
    assert (tmp_path / "gd_gap_orders.png").stat().st_size > 1000
    b.pop("figures")
    assert _drop_times(a) == _drop_times(b)
    s = a["settings"]
    assert s["seed"] == 3 and s["instance"] == "math_md" and s["device"] == "cpu"
    assert "--seed 3" in a["reproduce"] and a["main"]["fitted_orders"]["param_gap_T"] > 0.9
    assert all(i["exact_zero"] for i in a["exact_identity"])
    # the instance itself travels in the JSON: L(W0) recomputed from it with plain numpy equals L0
    import numpy as np

    p = a["problem"]
    X, S, Y = np.array(p["X"]), np.array(p["S"]), np.array(p["Y"])
    G = (X @ np.linalg.matrix_power(S, p["H"]))[:, p["train"]]
    out = G
    for W in p["W0"]:
        out = np.array(W) @ out
    assert [np.array(W).shape for W in p["W0"]] == list(zip(p["widths"][1:], p["widths"][:-1]))
    assert p["kappa"] * np.sum((out - Y) ** 2) == pytest.approx(a["main"]["L0"], rel=1e-12)
    assert p["T"] == s["T"] and p["etas"] == s["etas"]


@pytest.mark.parametrize(
    "bad",
    [
        ["--T", "-1"],
        ["--etas", "0,0.1"],
        ["--etas", "0.3,0.1"],
        ["--device", "tpu"],
        ["--etas", "x"],
        ["--reference", "euler"],
        ["--seed", "-1"],
        ["--T", "nan"],
        ["--etas", "0.1,0.1"],
        ["--instance", "other"],
    ],
)
def test_bad_options(capsys, bad):
    assert main(["experiment", "gd-gap", "--quick", "--no-progress"] + bad) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("verify: error:") and "\n" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA present")
def test_cuda_absent_is_input_error(capsys):
    assert main(["experiment", "gd-gap", "--quick", "--device", "cuda", "--no-progress"]) == 2
    assert "cuda" in capsys.readouterr().err
