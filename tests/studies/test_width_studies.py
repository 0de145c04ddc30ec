"""Width studies (quick configurations): slopes near −1/2, statistics helpers, lazy training."""
from __future__ import annotations

import math

import pytest

from verify.errors import InputError
from verify.nets import loglog_slope, mean_ci
from verify.studies.lazy_training import lazy_training_study
from verify.studies.width import fc_width_study, gnn_width_study


def test_stats_helpers():
    xs = [1, 10, 100]
    fit = loglog_slope(xs, [3 * x ** -0.5 for x in xs])
    assert fit["slope"] == pytest.approx(-0.5, abs=1e-12) and fit["r2"] == pytest.approx(1.0)
    assert math.exp(fit["intercept"]) == pytest.approx(3.0)
    m, h = mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and h == pytest.approx(2.4841377, rel=1e-6)   # t_{0.975,2} · 1/√3
    assert mean_ci([5.0]) == (5.0, 0.0)
    with pytest.raises(ValueError):
        loglog_slope([1, 2], [0.0, 1.0])


def test_fc_slope_band_quick():
    r = fc_width_study("arora", 1, 0.0, (16, 64, 256, 1024), seeds=3, n_points=6)
    assert -0.75 <= r["slope"] <= -0.3
    assert r["rel_error"][0] > r["rel_error"][-1]
    assert len(r["per_seed"]) == 4 and all(len(p) == 3 for p in r["per_seed"])


def test_gnn_slope_band_quick():
    r = gnn_width_study(None, 1, 1, "uniform", "sum", "graph", (16, 64, 256, 1024), seeds=2)
    assert -0.8 <= r["slope"] <= -0.3


def test_width_study_rejects_bad_widths():
    with pytest.raises(InputError):
        fc_width_study(widths=(64, 16))
    with pytest.raises(InputError):
        fc_width_study(widths=(16,))
    with pytest.raises(InputError):
        fc_width_study(seeds=0)


def test_lazy_training_quick():
    r = lazy_training_study("arora", 1, (64, 512, 4096), seeds=2, n_train=5, n_test=2, steps=40)
    assert r["gap_linearised"][-1] < r["gap_linearised"][0]
    assert r["kernel_change"][-1] < r["kernel_change"][0]
    assert r["weight_change"][-1] < r["weight_change"][0]
    assert r["gap_analytic"][-1] < 0.05
