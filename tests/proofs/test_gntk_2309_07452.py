"""proofs/gntk_2309_07452.py: structure, notebook (one cell per step, no outputs, runs clean, every verdict as
expected), the exact counterexample re-checked by hand, and the rate bounds against direct computation."""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from verify import CheckConfig, Verdict, load_proof

PROOF_ID = "gntk-2309-07452"
NEEDED = ['iterative-update', 'ridge-fixed-point', 'continuous-rate', 'discrete-rate', 'discrete-needs-step-bound', 'node-level-gntk', 'equivalence-graph', 'equivalence-node', 'width-requirement', 'iterations']
FAILS = ['discrete-needs-step-bound']

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "notebooks" / "gntk_2309_07452.ipynb"
STEP_CELL = re.compile(r"^_ = show\('([^']+)'\)$")


@pytest.fixture(scope="module")
def proof():
    return load_proof(PROOF_ID)


def test_structure(proof):
    ids = [s.id for s in proof.steps]
    assert len(ids) == len(set(ids))
    for needed in NEEDED:
        assert needed in ids
    for s in proof.steps:
        assert s.name and s.source and s.statement and s.latex and s.expect in ("holds", "fails")
        assert s.check is not None or s.claim is not None
    assert {s.id for s in proof.steps if s.expect == "fails"} == set(FAILS)


def test_notebook_one_cell_per_step_without_outputs(proof):
    nb = nbformat.read(NB, as_version=4)
    cells = [STEP_CELL.match(c.source.strip()) for c in nb.cells if c.cell_type == "code"]
    assert [m.group(1) for m in cells if m] == [s.id for s in proof.steps]
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.get("outputs", []) == [] and c.get("execution_count") is None


@pytest.fixture(scope="module")
def executed():
    """Execute the notebook once: it checks every step (this is the test's single full pass over the proof)."""
    nb = nbformat.read(NB, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def _step_outputs(nb):
    out = {}
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        m = STEP_CELL.match(c.source.strip())
        if m:
            out[m.group(1)] = "".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
    return out


def test_notebook_runs_clean(executed):
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else ""


def test_every_step_verdict_matches_its_expectation(executed, proof):
    outs = _step_outputs(executed)
    assert set(outs) == {s.id for s in proof.steps}
    for s in proof.steps:
        first = outs[s.id].splitlines()[0] if outs[s.id] else ""
        assert first.startswith(f"{s.id}: verdict "), (s.id, outs[s.id][:300])
        assert f"(expect {s.expect}) as expected" in first, first
        verdict = first.split("verdict ")[1].split(" ")[0]
        assert verdict not in ("inconclusive", "error")
        if s.expect == "fails":
            assert verdict == "refuted" and "counterexample:" in outs[s.id]
        else:
            assert verdict in ("proved", "certified", "holds_numerically")


def test_step_bound_counterexample_by_hand():
    from proofs.gntk_2309_07452 import check_discrete_needs_step_bound

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
    from proofs.gntk_2309_07452 import check_iterative_update, check_ridge_fixed_point

    assert check_iterative_update(CheckConfig()).verdict is Verdict.PROVED
    assert check_ridge_fixed_point(CheckConfig()).verdict is Verdict.PROVED
