"""GD vs GF gaps: order 1 in eta; first-order predictions leave an O(eta^2) residual."""
import pytest

from verify.dynamics import gap
from verify.dynamics import models


@pytest.fixture(scope="module")
def study():
    inst = models.make_instance(0)
    Ws = models.init_weights(inst, 1)
    return gap.gap_study(inst, Ws, 1.0, [1 / 16, 1 / 32, 1 / 64, 1 / 128])


def test_orders(study):
    for k in ("param_gap_T", "train_gap_T", "test_gap_T", "excess_gap_T"):
        o = study["orders"][k]
        assert all(0.85 < v < 1.2 for v in o) and 0.95 < o[-1] < 1.05, (k, o)
    for k in ("modified_residual_T", "variational_residual_T"):
        o = study["orders"][k]
        assert all(1.8 < v < 2.25 for v in o) and 1.9 < o[-1] < 2.1, (k, o)
    # the residuals really are much smaller than the gap
    last = study["rows"][-1]
    assert last["modified_residual_T"] < 0.05 * last["param_gap_T"]


def test_reference_far_below_gaps(study):
    assert study["reference_margin"] > 1000
    assert study["reference"]["error_estimate"] < 1e-10


def test_underdetermined_test_gap_survives():
    inst = models.make_instance(0, n_train=2)  # |I| = 2 < m_x = 3
    Ws = models.init_weights(inst, 1)
    r = gap.gap_study(inst, Ws, 12.0, [0.04, 0.02], predictions=False)
    a, b = r["rows"]
    assert a["excess_flow_T"] < 1e-20  # converged
    assert 0.8 < (a["test_gap_T"] / a["eta"]) / (b["test_gap_T"] / b["eta"]) < 1.25
    assert b["test_gap_T"] > 1e-4
    det = models.make_instance(0)
    r2 = gap.gap_study(det, models.init_weights(det, 1), 12.0, [0.04, 0.02], predictions=False)
    assert r2["rows"][1]["test_gap_T"] < 1e-3 * b["test_gap_T"]


def test_math_md_reference_numbers():
    """docs/math.md's instance (make_problem(1)): sigma^2 = 0.0763, sharpness 11.6, gap 0.675 eta,
    residuals 4.9 eta^2 (modified flow) and 1.9 eta^2 (variational) at T = 5."""
    inst, Ws = models.make_problem(1)
    assert inst.n_params == 32
    assert abs(models.sigma_small(inst.G) ** 2 - 0.0763) < 5e-4
    assert abs(gap.sharpness(inst, Ws) - 11.6) < 0.05
    r = gap.gap_study(inst, Ws, 5.0, [0.01, 0.005])
    last = r["rows"][-1]
    assert 0.66 < last["param_gap_T"] / 0.005 < 0.69
    assert 4.6 < last["modified_residual_T"] / 0.005 ** 2 < 5.1
    assert 1.8 < last["variational_residual_T"] / 0.005 ** 2 < 1.95
    assert r["reference_margin"] > 1000
