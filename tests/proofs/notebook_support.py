"""Shared checks for proof modules whose notebooks print one ``_ = show('step-id')`` cell per step.

The notebook is executed once per test module; its printed verdicts are the module's full pass
over the proof.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
STEP_CELL = re.compile(r"^_ = show\('([^']+)'\)$")


def check_structure(proof, needed, fails) -> None:
    ids = [s.id for s in proof.steps]
    assert len(ids) == len(set(ids))
    for n in needed:
        assert n in ids
    for s in proof.steps:
        assert s.name and s.source and s.statement and s.latex and s.expect in ("holds", "fails", "inconclusive", "assumed")
        assert (s.expect == "assumed") == s.hypothesis, s.id
        assert s.check is not None or s.claim is not None or s.by is not None
    assert {s.id for s in proof.steps if s.expect == "fails"} == set(fails)


def check_cells(proof, notebook: str) -> None:
    """One check cell per step, in order, and no stored outputs."""
    nb = nbformat.read(ROOT / notebook, as_version=4)
    cells = [STEP_CELL.match(c.source.strip()) for c in nb.cells if c.cell_type == "code"]
    assert [m.group(1) for m in cells if m] == [s.id for s in proof.steps]
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.get("outputs", []) == [] and c.get("execution_count") is None


def execute_notebook(notebook: str, timeout: int = 600):
    nb = nbformat.read(ROOT / notebook, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def check_runs_clean(nb) -> None:
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else ""


def step_outputs(nb) -> dict[str, str]:
    out = {}
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        m = STEP_CELL.match(c.source.strip())
        if m:
            out[m.group(1)] = "".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
    return out


def check_step_verdicts(nb, proof) -> None:
    """Every step cell prints 'ID: verdict V (expect E) as expected'; refuted steps show a counterexample."""
    outs = step_outputs(nb)
    assert set(outs) == {s.id for s in proof.steps}
    for s in proof.steps:
        first = outs[s.id].splitlines()[0] if outs[s.id] else ""
        assert first.startswith(f"{s.id}: verdict "), (s.id, outs[s.id][:300])
        assert f"(expect {s.expect}) as expected" in first, first
        verdict = first.split("verdict ")[1].split(" ")[0]
        assert verdict != "error"
        if s.expect == "inconclusive":
            assert verdict == "inconclusive", (s.id, outs[s.id][:300])
        elif s.expect == "fails":
            assert verdict == "refuted" and "counterexample:" in outs[s.id]
        elif s.expect == "assumed":
            assert verdict == "assumed", (s.id, outs[s.id][:300])
        else:
            assert verdict in ("proved", "certified", "holds_numerically")


def notebook_test_suite(proof_id: str, notebook: str, needed, fails, timeout: int = 300) -> dict:
    """Fixtures and tests for a proof checked through its notebook; use
    ``globals().update(notebook_test_suite(...))`` in the test module."""
    import pytest

    from verify import load_proof

    @pytest.fixture(scope="module")
    def proof():
        return load_proof(proof_id)

    @pytest.fixture(scope="module")
    def executed():
        """Execute the notebook once: it checks every step (the module's single full pass over the proof)."""
        return execute_notebook(notebook, timeout=timeout)

    def test_structure(proof):
        check_structure(proof, needed, fails)

    def test_notebook_one_cell_per_step_without_outputs(proof):
        check_cells(proof, notebook)

    def test_notebook_runs_clean(executed):
        check_runs_clean(executed)

    def test_every_step_verdict_matches_its_expectation(executed, proof):
        check_step_verdicts(executed, proof)

    return {f.__name__: f for f in (proof, executed, test_structure, test_notebook_one_cell_per_step_without_outputs,
                                    test_notebook_runs_clean, test_every_step_verdict_matches_its_expectation)}
