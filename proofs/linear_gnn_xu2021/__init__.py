"""Linear convergence of linear GNNs (Xu, Zhang, Jegelka, Kawaguchi, ICML 2021, Theorem 1): the proof package.

``steps``: the step table and the chain to the theorem; ``checks``: check functions of the steps the
claim language cannot state; ``model``: the linear-GNN instances; ``notebook``: the notebook's text.
"""
from .steps import build_proof

__all__ = ["build_proof"]
