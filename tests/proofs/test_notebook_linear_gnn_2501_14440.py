"""notebooks/linear_gnn_2501_14440.ipynb: generated from the steps, one check cell per step, runs clean,
every step as expected (executed once: the module's full pass over the proof through the notebook)."""
from __future__ import annotations

from tests.proofs.notebook_support import notebook_test_suite

globals().update(notebook_test_suite(
    "linear-gnn-2501-14440", "notebooks/linear_gnn_2501_14440.ipynb",
    needed=["conservation-pair-1", "t31-theorem", "min-energy-two-outputs"],
    fails=["t31-sigma-product-bottleneck", "t31-projector-needed", "t31-halving-any-init", "gd-large-step"],
    timeout=600))
