"""The proof's bound along GD iterates, and the exact one-step balancedness identity."""
from fractions import Fraction

import numpy as np

from verify.dynamics import bound
from verify.dynamics import gap
from verify.dynamics import models


def test_exact_identity_holds_and_false_variant_fails():
    for seed, widths in [(0, (3, 4, 4, 1)), (1, (2, 3, 2, 3, 2)), (2, (3, 2, 1))]:
        r = bound.exact_identity_check(seed, widths=widths, n_train=4, eta=Fraction(5, 11))
        assert r["exact_zero"] and r["false_variant_nonzero"]


def test_bound_holds_for_small_steps_and_fails_beyond_stability():
    inst = models.make_instance(1)
    Ws = models.init_weights(inst, 1001)
    lam = gap.sharpness(inst, Ws)
    small = bound.bound_ratios(inst, Ws, [0.2 / lam, 1.0 / lam], [40, 8])
    assert all(r["holds"] and r["max_ratio"] <= 1 for r in small["per_eta"])
    big = bound.bound_ratios(inst, Ws, [2 * 0.99 / lam], [24])["per_eta"][0]
    assert not big["holds"] and big["max_ratio"] > 1.5
    # the violation survives a 40-digit recomputation (not a rounding artefact)
    mp = bound.bound_ratios_mp(inst, Ws, 2 * 0.99 / lam, big["argmax_step"], dps=40)
    assert abs(float(mp[-1]) - big["max_ratio"]) < 1e-9 * big["max_ratio"]
    # and it happens after the sharpness has exceeded 2/eta along the path
    sa = bound.sharpness_along(inst, Ws, 2 * 0.99 / lam, big["argmax_step"])
    assert max(v for _, v in sa) * (0.99 / lam) > 1


def test_bound_search_reports_failures():
    r = bound.bound_search([1], c_grid=(0.3, 1.3), T=3.0, optimise=False)
    assert r["n_runs"] == 2 and r["n_fail"] >= 1 and r["smallest_failing_c"] == 1.3
    assert r["worst_stable"]["max_ratio"] <= 1


def test_bound_holds_along_the_flow_and_a_stronger_claim_fails():
    from verify.dynamics import flow

    inst = models.make_instance(0)
    Ws = models.init_weights(inst, 1)
    ts = np.linspace(0, 3, 61)
    th = flow.flow_dop853(inst, Ws, ts)
    r = bound.flow_bound_ratios(inst, th, ts)
    assert r["max_ratio"] <= 1 and r["min_pointwise_slack"] > 1 and r["rate"] > 0
    assert bound.flow_bound_ratios(inst, th, ts, rate_scale=1e4)["max_ratio"] > 1
    # the pointwise inequality is vacuous (infinite slack) when a width is below m_x
    narrow = models.make_instance(0, hidden=[2, 4])
    assert bound.pointwise_slack(narrow, models.init_weights(narrow, 1)) == float("inf")


def test_classify_failures_both_regimes():
    inst = models.make_instance(1)
    Ws = models.init_weights(inst, 1001)
    lam = gap.sharpness(inst, Ws)
    r = bound.bound_search([1], c_grid=(0.99,), T=3.0, optimise=False)
    cls = bound.classify_failures(r)
    assert cls["failures_explained"][0]["regime"] == "unstable" and cls["stable_failures"] == 0
    # a run that is stable all along is called stable (fake 'failure' row to reach that branch)
    fake = {"rows": [{"seed": 1, "c": 0.1, "eta": 0.2 / lam, "argmax_step": 5, "max_ratio": 1.5,
                      "diverged": False, "holds": False}], "instance_kwargs": {}}
    out = bound.classify_failures(fake)
    assert out["stable_failures"] == 1 and out["failures_explained"][0]["eta_sharpness_over_2_exact_max"] < 1
