"""proofs/gntk_du2019.py: structure, notebook (one cell per step, no outputs, runs clean, every verdict as
expected), and the symbolic checks rejecting false variants."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from verify import CheckConfig, Verdict, load_proof

PROOF_ID = "gntk-du2019"
NEEDED = ['aggregate-matrix-form', 'batched-vs-reference', 'diagonal-invariance', 'empirical-gnn-kernel', 'official-factor', 'mutag-benchmark']
FAILS = []

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "notebooks" / "gntk_du2019.ipynb"
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


def test_aggregate_check_proves_the_identity():
    from proofs.gntk_du2019 import check_aggregate_matrix_form

    r = check_aggregate_matrix_form(CheckConfig())
    assert r.verdict is Verdict.PROVED and r.evidence["graph_pairs"] == 20


def test_matrix_form_against_a_hand_loop():
    """C Ã Σ Ã'ᵀ C' against the per-pair sum on random numbers, and a false variant (no self-loops) rejected."""
    rng = np.random.default_rng(0)
    a = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 1], [0, 0, 1, 0]], float)
    b = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float)
    sigma = rng.standard_normal((4, 3))
    ca, cb = 1 / (a.sum(1) + 1), 1 / (b.sum(1) + 1)
    at, bt = a + np.eye(4), b + np.eye(3)
    matrix = np.diag(ca) @ at @ sigma @ bt.T @ np.diag(cb)
    loop = np.zeros((4, 3))
    for u in range(4):
        for w in range(3):
            nu = [v for v in range(4) if v == u or a[u, v]]
            nw = [v for v in range(3) if v == w or b[w, v]]
            loop[u, w] = ca[u] * cb[w] * sum(sigma[v, x] for v in nu for x in nw)
    assert np.allclose(matrix, loop, rtol=1e-14, atol=1e-14)
    wrong = np.diag(ca) @ a @ sigma @ b.T @ np.diag(cb)
    assert not np.allclose(wrong, loop)


def test_official_factor_is_exactly_two():
    from verify.graphs import load_dataset
    from verify.kernels.gntk import gntk_gram

    gs = load_dataset("mutag")[:10]
    kp = gntk_gram(gs, 2, 1, "degree", "jk", "paper")
    ko = gntk_gram(gs, 2, 1, "degree", "jk", "official")
    assert np.array_equal(ko, 2 * kp)
