"""verify experiment shift-operators: --quick JSON (keys, settings, seeds, verdict), PNG plots, a
reproducible tiny grid, the graph generators and shift operators, one-line errors for bad options."""
import json

import numpy as np
import pytest

from verify.cli import main
from verify.studies import shift_operators as so
from verify.errors import InputError
from verify.graphs.random_graphs import OPERATORS, erdos_renyi, shift_operator, stochastic_block_model


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    import contextlib
    import io

    d = tmp_path_factory.mktemp("plots")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["experiment", "shift-operators", "--quick", "--json", "--no-progress", "--device", "cpu",
                   "--plot", str(d)])
    return rc, json.loads(out.getvalue()), d


def test_quick_json(quick):
    rc, res, d = quick
    assert rc == 0
    st = res["settings"]
    for k in ("n", "m_x", "hidden", "m_y", "n_train", "H", "kappa", "er_p", "sbm_p_in", "sbm_p_out",
              "graph_seeds", "init_seeds", "steps", "seed", "device", "grid"):
        assert k in st
    assert (
        st["grid"] == "quick" and st["device"] == "cpu" and min(st["er_p"]) < 0.01 and max(st["er_p"]) > 0.5
    )
    assert "--quick" in res["reproduce"] and "--seed 0" in res["reproduce"]
    assert "--json" not in res["reproduce"]          # the output form is the reader's choice, not a setting
    ops = {r["operator"] for r in res["runs"]}
    assert ops == set(OPERATORS)
    for r in res["runs"]:
        assert isinstance(r["graph_seed"], int) and r["eta"] > 0
        assert all(e < e0 for e, e0 in zip(r["excess_K"], r["excess_0"]))     # GD made progress
        assert all(x > 0 for x in r["rate_per_step"] + r["theory_rate_per_time"])
    assert {r["family"] for r in res["runs"]} == {"er", "sbm"}
    v = res["summary"]["verdict"]
    for k in ("reproduces", "log10_range_per_time", "log10_range_per_step", "unnormalised_sensitive",
              "normalized_laplacian_consistent", "criterion"):
        assert k in v
    rng = v["log10_range_per_time"]
    assert v["reproduces"] == (min(rng["adjacency"], rng["laplacian"]) >= 1
                               and rng["normalized_laplacian"] <= min(rng["adjacency"], rng["laplacian"]) - 1)
    for name in ("shift_rate_per_time.png", "shift_rate_per_step.png"):
        assert (d / name).stat().st_size > 1000
    assert sorted(res["figures"]) == sorted(
        str(d / n) for n in ("shift_rate_per_step.png", "shift_rate_per_time.png")
    )


def test_tiny_grid_reproducible():
    st = dict(so.QUICK, er_p=[0.05, 0.5], sbm_p_in=[], sbm_p_out=[], steps=40, init_seeds=1, seed=4,
              device="cpu", grid="quick", n=40, n_train=20)
    a, b = so.compute(st), so.compute(st)
    strip = lambda r: [{k: v for k, v in x.items() if k != "seconds"} for x in r["runs"]]  # noqa: E731
    assert strip(a) == strip(b)


def test_fit_rate_per_step():
    E = 2.0 * 0.9 ** np.arange(200)
    assert so.fit_rate_per_step(E) == pytest.approx(-np.log(0.9), rel=1e-9)
    E2 = np.concatenate([2.0 * 0.5 ** np.arange(80), np.full(20, 1e-40)])   # stops at the floor
    assert so.fit_rate_per_step(E2) == pytest.approx(np.log(2), rel=1e-9)


def test_operators_hand_values():
    A = np.array(
        [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]], float
    )  # path 0-1-2, node 3 isolated
    assert np.array_equal(shift_operator(A, "adjacency"), A)
    Lap = shift_operator(A, "laplacian")
    assert np.array_equal(Lap, np.diag([1, 2, 1, 0]) - A) and np.allclose(Lap.sum(1), 0)
    N = shift_operator(A, "normalized_adjacency")
    assert N[0, 1] == pytest.approx(1 / np.sqrt(2)) and np.all(N[3] == 0)
    NL = shift_operator(A, "normalized_laplacian")
    assert np.allclose(NL, np.eye(4) - N) and NL[3, 3] == 1.0
    ev = np.linalg.eigvalsh(NL[:3, :3])
    assert ev.min() > -1e-12 and ev.max() < 2 + 1e-12
    with pytest.raises(InputError):
        shift_operator(A, "random_walk")


def test_generators():
    rng = np.random.default_rng(0)
    A = erdos_renyi(200, 0.1, rng)
    assert np.array_equal(A, A.T) and np.all(np.diag(A) == 0)
    assert abs(A.sum() / 2 / (200 * 199 / 2) - 0.1) < 0.01
    B = stochastic_block_model([100, 100], 0.3, 0.01, np.random.default_rng(1))
    inside = B[:100, :100].sum() / (100 * 99)
    across = B[:100, 100:].mean()
    assert abs(inside - 0.3) < 0.03 and abs(across - 0.01) < 0.005
    assert erdos_renyi(50, 0.0, rng).sum() == 0 and erdos_renyi(5, 1.0, rng).sum() == 20
    with pytest.raises(InputError):
        erdos_renyi(10, 1.5, rng)
    with pytest.raises(InputError):
        stochastic_block_model([5, 0], 0.1, 0.1, rng)


@pytest.mark.parametrize("bad", [["--device", "tpu"], ["--seed", "-1"], ["--steps", "5"], ["--steps", "x"]])
def test_bad_options(capsys, bad):
    try:
        rc = main(["experiment", "shift-operators", "--quick", "--no-progress"] + bad)
    except SystemExit as exc:          # argparse type errors exit directly
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("verify: error:") and "\n" not in err
