"""The guided-tour notebook of ``linear-gnn-xu2021``, generated from the proof's steps.

One markdown cell (name, source, LaTeX, statement, assumptions, what the authors assert, note) and one
code cell per step; section headers explain the parts of the proof.  Outputs are never stored.
Regenerate after changing the steps with ``python -m proofs._xu2021_notebook`` (writes
notebooks/linear_gnn_xu2021.ipynb); the tests check the stored notebook matches this generator.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "linear_gnn_xu2021.ipynb"

SECTIONS = {
    "model": ("1. The model and the loss",
              "An H-layer linear GNN propagates the features X (m_x × n) through the graph shift S and the "
              "layer weights B_(ℓ), and maps to labels with W. Restricted to the training columns the prediction "
              "factorises as W̃_H G̃_H: all trainable weights in W̃_H, all graph information in G̃_H = X(S^H)_{*I}. "
              "The loss is L = ‖W̃_H G̃_H − Y‖_F², with no ½ (the 4 in the theorem is 2²)."),
    "grad-Wtilde": ("2. Gradients",
                    "Gradients have their variable's shape. The background section of the restatement has two slips "
                    "(a sign and a layout/transpose), and one figure drops a transpose: each is written as the authors "
                    "wrote it (`expect = \"fails\"`, refuted with a counterexample) next to its correction (proved). "
                    "Then the gradient formulas of Eq. (gradients) for depths H = 1, 2, 3, proved on explicit "
                    "symbolic-entry matrices."),
    "part-a-kron": ("3. Part a and part b as Kronecker forms",
                    "With vec(AXB) = (Bᵀ ⊗ A) vec(X) the two first-order terms become quadratic forms in "
                    "vec[∇_{W̃}L]. The definition of J_(ℓ,H) contains a `W_(H)` that the proof never defines: read "
                    "literally it is refuted, read as W it is proved."),
    "first-order": ("4. One gradient-descent step to first order",
                    "The change of W̃ after one step of size α is −α(part a + Σ part b) plus terms of order α². "
                    "The check proves the α⁰ and α¹ coefficients exactly and shows remainder/α² converging at 50 digits."),
    "dLdt-parts": ("5. The dynamics of the loss",
                   "dL/dt = −part a* − Σ part b*; part b* is a sum of squares and is dropped; part a* is bounded "
                   "with λ_min; Eq. (*) rewrites ‖∇_{W̃}L‖²; the SVD of G̃ᵀ ⊗ I bounds it by σ_min² ‖P vec[Ŷ − Y]‖²."),
    "a13-published": ("6. The faulty step of Appendix A.1.3 and its correction",
                      "The paper bounds ‖P vec[Ŷ − Y]‖² from below through (a − b)² ≥ a² − b² with a = √L, b = √L*. "
                      "That inequality is false whenever L > L* > 0: refuted on a linear-GNN instance and in its "
                      "scalar core, while the reversed inequality is proved. The correct step is an equality "
                      "(Pythagoras), and with it the theorem holds as stated."),
    "gronwall": ("7. Solving the ODE, and the bound along a real trajectory",
                 "Grönwall's comparison argument is verified symbolically; then a 32-parameter instance is integrated "
                 "at high precision and the pointwise and integrated bounds are checked along the trajectory, with "
                 "the ratio of the observed to the proved rate."),
    "narrow-width-singular": ("8. Finding: narrow hidden layers make the bound vacuous",
                              "The theorem states no width condition, but λ_T > 0 needs B_(H)⋯B_(1) of full column "
                              "rank, so every hidden width must be ≥ m_x."),
}


def build_notebook() -> nbformat.NotebookNode:
    """The notebook (no outputs)."""
    from proofs.linear_gnn_xu2021 import build_proof

    proof = build_proof()
    cells = [new_markdown_cell(
        "# " + proof.title + "\n\n"
        "A guided tour of the restated proof (seed 002) of Xu, Zhang, Jegelka, Kawaguchi (ICML 2021), Theorem 1:\n\n"
        r"$$L_T - L^*_H \le (L_0 - L^*_H)\,e^{-4\lambda_T^{(H)}\sigma^2_{\min}(X(S^H)_{*\mathcal I})\,T}.$$" "\n\n"
        "Each cell checks one step with `verify.check_step(proof.step(id), verify.CheckConfig())` and prints its verdict "
        "and key evidence. `expect` records what the authors assert: `holds` for a right step, `fails` for a step they "
        "got wrong, which the toolkit must refute with a re-checked counterexample. Every cell asserts that the verdict "
        "matches its expectation.\n\n"
        "Conventions: vec stacks columns; gradients have their variable's shape; X is m_x × n, B_(ℓ) is m_ℓ × m_(ℓ−1), "
        "W is m_y × m_H, Y is m_y × n̄; in the statements `D` is ∇_{W̃}L (any m_y × m_x matrix), `Wt` = W̃, `G` = G̃."),
        new_code_cell(
            "import json\n"
            "import verify\n"
            "from verify.result import jsonable\n\n"
            "proof = verify.load_proof('linear-gnn-xu2021')\n"
            "KEYS = ('symbolic', 'digits', 'instances_valid', 'certified_instances', 'worst_normalised_slack',\n"
            "        'exact_shapes', 'alpha2_coefficient_norm', 'pointwise_min_slack', 'integrated_min_slack',\n"
            "        'proved_rate_4_lambdaT_sigma2', 'observed_rate_at_T', 'observed_over_proved_at_T',\n"
            "        'trajectory_accuracy', 'rank_BH_B1', 'det_of_BtB', 'flow')\n\n\n"
            "def show(step_id):\n"
            "    sr = verify.check_step(proof.step(step_id), verify.CheckConfig())\n"
            "    r = sr.result\n"
            "    print(f'{step_id}: verdict {r.verdict.value} (expect {sr.step.expect}) '\n"
            "          f'{\"as expected\" if sr.matches else \"NOT AS EXPECTED\"} [{sr.seconds:.1f} s]')\n"
            "    print('  ', r.message)\n"
            "    ev = {k: v for k, v in jsonable(r.evidence).items() if k in KEYS}\n"
            "    if ev:\n"
            "        print('   evidence:', json.dumps(ev)[:1200])\n"
            "    if r.counterexample is not None:\n"
            "        print('   counterexample:', json.dumps(r.counterexample.to_json())[:1500])\n"
            "    for f in r.figures:\n"
            "        print('   figure:', f.name, '-', f.title)\n"
            "    assert sr.matches, f'{step_id}: verdict {r.verdict.value}, expected {sr.step.expect}'\n"
            "    return sr\n"),
    ]
    for st in proof.steps:
        if st.id in SECTIONS:
            title, text = SECTIONS[st.id]
            cells.append(new_markdown_cell(f"## {title}\n\n{text}"))
        md = [f"### `{st.id}`: {st.name}", "", f"*Source:* {st.source}", "", f"$${st.latex}$$", "",
              f"*Statement:* `{st.statement}`"]
        if st.given:
            md += ["", "*Given:* " + ", ".join(f"`{g}`" for g in st.given)]
        if st.assumptions:
            md += ["", "*Assumptions:* " + "; ".join(st.assumptions)]
        md += ["", f"*Authors assert:* `{st.expect}`" + (" (a step they got wrong: the toolkit must refute it)" if st.expect == "fails" else "")]
        if st.note:
            md += ["", f"*Note:* {st.note}"]
        cells.append(new_markdown_cell("\n".join(md)))
        cells.append(new_code_cell(f"_ = show({st.id!r})"))
    cells.append(new_markdown_cell(
        "## Summary\n\nAll steps of the restated proof hold once the slips are corrected; the Appendix A.1.3 inequality "
        "is false but its replacement is an exact identity, so the theorem survives. Two caveats remain: the proved rate "
        "is far below the observed one along real trajectories, and it is 0 when a hidden width is below m_x."))
    for i, cell in enumerate(cells):          # stable ids: regenerating gives a byte-identical file
        cell["id"] = f"cell-{i:03d}"
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                              "language_info": {"name": "python"}})
    return nb


def write(path: Path = NOTEBOOK) -> Path:
    """Write the notebook (atomically)."""
    from verify.io import atomic_write_text

    return atomic_write_text(path, nbformat.writes(build_notebook()) + "\n")


if __name__ == "__main__":
    print(write())
