"""Notebook text of the proof (``verify.notebook`` generates the notebook from the steps)."""
from __future__ import annotations

INTRO = "*Source:* arXiv 2309.07452 (seed 000: summary of the paper)\n\nA guided tour of arXiv 2309.07452 (seed 000): iterative GNTK regression, its linear convergence (proved/certified), and the claimed equivalence with training a wide GNN, measured with the antisymmetric doubled initialisation (f₀ ≡ 0) and a regulariser centred at θ₀. Steps rebuilt from the summary are marked *reconstructed* in their source.\n\nThe regression's algebra and its linear convergence are proved/certified; the equivalence with a trained GNN is measured (gap vs width and vs graph size N), with the paper's width and iteration requirements set beside the measured exponents.\n\nEach step cell runs `verify.check_step(proof.step(id), verify.CheckConfig())` and prints the verdict, whether it matches the step's expectation, and the evidence."

SECTIONS: dict[str, tuple[str, str]] = {}
