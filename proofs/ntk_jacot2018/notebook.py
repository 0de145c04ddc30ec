"""Notebook text of the proof (``verify.notebook`` generates the notebook from the steps)."""
from __future__ import annotations

INTRO = "*Source:* Jacot, Gabriel, Hongler, NeurIPS 2018 (seed 003: slides by L. Häuser)\n\nA guided tour of the NTK results in seed 003 (Jacot, Gabriel, Hongler 2018) and the Arora et al. recursion of seed 001. Conventions: `jacot` (1/√n_ℓ, bias β, depth = weight layers) and `arora` (c_σ = 2, no bias, depth = hidden layers); kernel gradient descent uses C = ½E||f − f*||² (1/N normalisation), so Π = K/N.\n\nRecursions and closed forms checked at 30 digits; the slides' 1/√n_L is an index slip (exact counterexample); kernel GD identities proved symbolically; finite nets measured against the kernel (rate m^{-1/2}); PD on the sphere for L ≥ 2 holds on the tested sets and fails for L = 1 (explicit singular example).\n\nEach step cell runs `verify.check_step(proof.step(id), verify.CheckConfig())` and prints the verdict, whether it matches the step's expectation, and the evidence."

SECTIONS: dict[str, tuple[str, str]] = {}
