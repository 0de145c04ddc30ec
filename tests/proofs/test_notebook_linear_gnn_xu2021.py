"""notebooks/linear_gnn_xu2021.ipynb: one cell per step, stored without outputs, runs clean, and
every step cell reports a verdict that matches the step's expectation."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from verify import load_proof

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "notebooks" / "linear_gnn_xu2021.ipynb"
STEP_CELL = re.compile(r"^_ = show\('([^']+)'\)$")


def _step_cells(nb) -> list[str]:
    out = []
    for c in nb.cells:
        if c.cell_type == "code":
            m = STEP_CELL.match(c.source.strip())
            if m:
                out.append(m.group(1))
    return out


def test_one_cell_per_step_and_no_outputs():
    nb = nbformat.read(NB, as_version=4)
    ids = [s.id for s in load_proof("linear-gnn-xu2021").steps]
    assert _step_cells(nb) == ids
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.get("outputs", []) == [] and c.get("execution_count") is None


def test_stored_notebook_matches_its_generator():
    """The notebook is generated from the steps (python -m verify.notebook linear-gnn-xu2021): it never drifts."""
    from verify.notebook import build_notebook

    stored = nbformat.read(NB, as_version=4)
    fresh = build_notebook(load_proof("linear-gnn-xu2021"))
    assert [(c.cell_type, c.source) for c in stored.cells] == [(c.cell_type, c.source) for c in fresh.cells]


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NB, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def test_notebook_runs_clean(executed):
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else ""


def test_every_step_cell_reports_its_verdict(executed):
    proof = load_proof("linear-gnn-xu2021")
    seen = 0
    for c in executed.cells:
        if c.cell_type != "code":
            continue
        m = STEP_CELL.match(c.source.strip())
        if not m:
            continue
        step = proof.step(m.group(1))
        text = "".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
        first = text.splitlines()[0] if text else ""
        assert first.startswith(f"{step.id}: verdict "), (step.id, text[:300])
        assert f"(expect {step.expect}) as expected" in first, first
        if step.expect == "fails":
            assert "verdict refuted" in first and "counterexample:" in text
        seen += 1
    assert seen == len(proof.steps)
    summary = "".join(o.get("text", "") for o in executed.cells[-1].get("outputs", []))
    assert summary.startswith("**Theorem `theorem`: holds_numerically**"), summary[:200]
    assert "weakest link is `svd-bound`" in summary
