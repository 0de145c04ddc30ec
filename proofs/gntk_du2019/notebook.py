"""Notebook text of the proof (``verify.notebook`` generates the notebook from the steps)."""
from __future__ import annotations

INTRO = "*Source:* Du et al., NeurIPS 2019 (seed 001: NTK/GNTK slides; MUTAG/PROTEINS figures from the paper's Table 1)\n\nA guided tour of the GNTK of Du et al. (2019) as used in seed 001: the AGGREGATE matrix form, the batched kernel against the per-pair recursion, the diagonal invariance of ReLU layers, the finite GNN against its kernel, the official code's factor 2 and the MUTAG benchmark (PROTEINS: benchmarks/).\n\nThe AGGREGATE matrix form is proved on small graphs, the batched kernel matches the per-pair recursion, ReLU layers keep the diagonal (exact), the finite GNN converges to the paper's kernel (the official code's is 2×), and MUTAG's accuracy is reproduced within the paper's spread.\n\nEach step cell runs `verify.check_step(proof.step(id), verify.CheckConfig())` and prints the verdict, whether it matches the step's expectation, and the evidence."

SECTIONS: dict[str, tuple[str, str]] = {}
