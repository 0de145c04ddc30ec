"""proofs/gntk_2309_07452.py: structure, notebook (one cell per step, no outputs, runs clean, every verdict as
expected), the exact counterexample re-checked by hand, and the rate bounds against direct computation."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from tests.proofs.notebook_support import notebook_test_suite
from verify import CheckConfig, Verdict

PROOF_ID = "gntk-2309-07452"
NEEDED = ['iterative-update', 'ridge-fixed-point', 'continuous-rate', 'discrete-rate', 'discrete-needs-step-bound', 'node-level-gntk', 'equivalence-graph', 'equivalence-node', 'width-requirement', 'iterations']
FAILS = ['discrete-needs-step-bound']

NB = "notebooks/gntk_2309_07452.ipynb"

globals().update(notebook_test_suite(PROOF_ID, NB, NEEDED, FAILS))


def test_step_bound_counterexample_by_hand():
    from proofs.gntk_2309_07452.checks import check_discrete_needs_step_bound

    r = check_discrete_needs_step_bound(CheckConfig())
    assert r.verdict is Verdict.REFUTED
    v = r.counterexample.values
    H = np.array([[float(Fraction(c)) for c in row] for row in v["H"]])
    eta, lam, kappa = float(Fraction(v["eta"])), float(Fraction(v["lambda"])), float(Fraction(v["kappa"]))
    r0 = np.array([float(Fraction(c[0])) for c in v["u0_minus_ustar"]])
    A = np.eye(2) - eta * (kappa ** 2 * H + lam * np.eye(2))
    norms = [float(np.linalg.norm(np.linalg.matrix_power(A, k) @ r0) ** 2) for k in (1, 2, 3)]
    assert np.allclose(norms, [8.0, 32.0, 128.0], rtol=1e-14)
    assert r.counterexample.details["squared_norms_k1_to_k3"] == ["8", "32", "128"]


def test_rates_against_direct_computation():
    """Continuous and discrete bounds on a random PSD matrix, by eigendecomposition (no flint)."""
    from scipy.linalg import expm

    rng = np.random.default_rng(1)
    B = rng.standard_normal((5, 5))
    H = B @ B.T / 5
    kappa, lam = 0.7, 0.05
    M = kappa ** 2 * H + lam * np.eye(5)
    w = np.linalg.eigvalsh(M)
    r0 = rng.standard_normal(5)
    for t in (0.1, 1.0, 5.0):
        assert np.linalg.norm(expm(-t * M) @ r0) <= np.exp(-t * w[0]) * np.linalg.norm(r0) * (1 + 1e-12)
    eta = 1 / w[-1]
    A = np.eye(5) - eta * M
    for k in (1, 5, 20):
        assert np.linalg.norm(np.linalg.matrix_power(A, k) @ r0) <= (1 - eta * w[0]) ** k * np.linalg.norm(r0) * (1 + 1e-12)
    # the bound is false with a rate above λ_min: some direction decays slower
    q = np.linalg.eigh(M)[1][:, 0]
    assert np.linalg.norm(expm(-M) @ q) > np.exp(-1.5 * w[0]) * np.linalg.norm(q)


def test_iterative_update_check_is_exact():
    from proofs.gntk_2309_07452.checks import check_iterative_update, check_ridge_fixed_point

    assert check_iterative_update(CheckConfig()).verdict is Verdict.PROVED
    assert check_ridge_fixed_point(CheckConfig()).verdict is Verdict.PROVED
