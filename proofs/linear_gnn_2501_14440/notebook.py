"""Notebook text of ``linear-gnn-2501-14440``: the opening and the section headers (``verify.notebook``
generates the notebook from the steps; regenerate with ``python -m verify.notebook linear-gnn-2501-14440``)."""
from __future__ import annotations

INTRO = "Model: $\\hat Y = W_{H+1}\\cdots W_1 Z$, $Z = (XS^H)_{\\mathcal I}$, $L = \\kappa\\|\\hat Y - Y\\|_F^2$ with the prefactor $\\kappa$ kept as a parameter ($\\kappa = 1$ and $\\kappa = 1/2$ are checked). The paper's theorem texts were not available: steps whose source says *reconstructed* encode the derivations of `shared/docs/math.md` that reproduce the structure the seed reports.\n\nEach code cell checks one step with `verify.check_step(proof.step(id), verify.CheckConfig())` and prints `verify.report.terminal.render_step(result)`: the verdict, the evidence, and a counterexample for refuted steps. The shift-operator study is a separate command: `verify experiment shift-operators`."

SECTIONS = {
    'model-gradient': ('1. Model and loss prefactor κ',
        ''),
    'conservation-pair-1': ('2. The conservation law',
        ''),
    't31-gradient-w1': ('3. Theorem 3.1: W₁(0) = 0, rank-deficient features',
        ''),
    'balanced-construction': ('4. Balanced initialisation and minimum energy (Theorem 4.2)',
        ''),
    'gd-small-step': ('5. Gradient descent (Theorem 5.1 template)',
        ''),
    'normalised-dldt': ('6. Normalised gradient flow (Remark 6.1)',
        ''),
    'shift-operator-theory': ('7. Shift operators (the measured study is `verify experiment shift-operators`)',
        ''),
}
