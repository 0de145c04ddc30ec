"""notebooks/linear_gnn_2501_14440.ipynb: one check cell per step, runs clean, every step as expected."""
from __future__ import annotations

import pytest

from verify import Proof, load_proof


@pytest.fixture(scope="module")
def proof() -> Proof:
    return load_proof("linear-gnn-2501-14440")


def test_notebook_one_cell_per_step_and_runs_clean(proof):
    """notebooks/linear_gnn_2501_14440.ipynb: stored without outputs, one check cell per step in order,
    executes without a cell error, and every step cell prints its verdict 'as expected'."""
    import re
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    root = Path(__file__).resolve().parents[2]
    nb = nbformat.read(root / "notebooks" / "linear_gnn_2501_14440.ipynb", as_version=4)
    pat = re.compile(r"proof\.step\('([^']+)'\)")
    cells = [c for c in nb.cells if c.cell_type == "code" and pat.search(c.source)]
    assert [pat.search(c.source).group(1) for c in cells] == [s.id for s in proof.steps]
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.get("outputs", []) == [] and c.get("execution_count") is None
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(root)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else ""
    for c in nb.cells:
        m = pat.search(c.source) if c.cell_type == "code" else None
        if not m:
            continue
        text = "".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
        assert text.startswith(f"[{m.group(1)}]") and "(as expected)" in text, text[:300]
