"""Notebook text of ``linear-gnn-xu2021``: the opening and the section headers (``verify.notebook``
generates the notebook from the steps; regenerate with ``python -m verify.notebook linear-gnn-xu2021``)."""
from __future__ import annotations

INTRO = (
    "A guided tour of the restated proof (seed 002) of Xu, Zhang, Jegelka, Kawaguchi (ICML 2021), Theorem 1:\n\n"
    r"$$L_T - L^*_H \le (L_0 - L^*_H)\,e^{-4\lambda_T^{(H)}\sigma^2_{\min}(X(S^H)_{*\mathcal I})\,T}.$$" "\n\n"
    "Conventions: vec stacks columns; gradients have their variable's shape; X is m_x × n, B_(ℓ) is m_ℓ × m_(ℓ−1), "
    "W is m_y × m_H, Y is m_y × n̄; in the statements `D` is ∇_{W̃}L (any m_y × m_x matrix), `Wt` = W̃, `G` = G̃. "
    "The chain (section 8) names quantities (`L`, `Ls` = L*, `pa`, `pb`, `lam`, `s2`, `u` = L − L*) that the rule "
    "kernel expands to their definitions."
)

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
    "dLdt-kron": ("5. The lemmas of the dynamics",
                  "The Kronecker form of dL/dt, part a* and part b* as squared gradient norms, the λ_min bound, "
                  "Eq. (*) for ‖∇_{W̃}L‖², and the SVD bound by σ_min² ‖P vec[Ŷ − Y]‖²: each checked for any "
                  "matrices of the stated shapes, so the chain below can use them as premises."),
    "a13-published": ("6. The faulty step of Appendix A.1.3 and its correction",
                      "The paper bounds ‖P vec[Ŷ − Y]‖² from below through (a − b)² ≥ a² − b² with a = √L, b = √L*. "
                      "That inequality is false whenever L > L* > 0: refuted on a linear-GNN instance and in its "
                      "scalar core, while the reversed inequality is proved. The correct step is an equality "
                      "(Pythagoras)."),
    "Ls-lower": ("7. L* identified",
                 "L* = ‖(I − P) vec Y‖² is a lower bound of L for every W̃ and is attained at W̃ = Y G̃⁺: it is the "
                 "minimum of the loss, and L − L* ≥ 0 is what the theorem bounds."),
    "flow-derivative": ("8. The chain: from the flow to the theorem",
                        "Each step below is derived by a rule of the kernel (`verify.rules`) from the steps it names: "
                        "the chain rule along the flow, substitution of the gradient lemmas, dropping part b*, the "
                        "λ_min and SVD bounds with Pythagoras, Eq. (L_grad), and Grönwall with the rate bounded "
                        "below by 4σ²λ_T. The theorem's verdict is derived: the weakest of the checked steps it "
                        "rests on."),
    "flow-bound": ("9. Evidence beside the chain: the bound along a real trajectory",
                   "A 32-parameter instance is integrated at high precision and the pointwise and integrated bounds "
                   "are checked along the trajectory, with the ratio of the observed to the proved rate."),
    "narrow-width-singular": ("10. Finding: narrow hidden layers make the bound vacuous",
                              "The theorem states no width condition, but λ_T > 0 needs B_(H)⋯B_(1) of full column "
                              "rank, so every hidden width must be ≥ m_x."),
}
