"""Every notebook in notebooks/ is stored without outputs and executes without a cell error."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted(Path(__file__).resolve().parent.parent.joinpath("notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, path.name


def test_every_proof_has_its_generated_notebook():
    """One generator (verify.notebook) for every proof: the stored notebook is its output, byte for byte."""
    from verify.discovery import discover_proofs
    from verify.notebook import notebook_name, notebook_text

    proofs = discover_proofs()
    assert {notebook_name(p) for p in proofs.values()} == {p.name for p in NOTEBOOKS}
    for proof in proofs.values():
        stored = (NOTEBOOKS[0].parent / notebook_name(proof)).read_text()
        assert stored == notebook_text(proof), f"regenerate: python -m verify.notebook {proof.id}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path):
    # a proof's own test module that names the notebook executes it (and checks each step's printed verdict)
    dedicated = [f for f in Path(__file__).resolve().parent.joinpath("proofs").glob("test_*.py")
                 if path.name in f.read_text()]
    if dedicated:
        pytest.skip(f"executed (with per-step verdict checks) by {dedicated[0].name}")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.parent)}})
    client.execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors[0].get("evalue") if errors else ""
