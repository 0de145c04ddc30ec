"""Gradient-based training of linear GNNs (arXiv 2501.14440, seed 004): the proof package.

``steps``: the step table and Theorem 3.1 as a chain; ``claims``: claim-language statements;
``checks`` / ``gdchecks``: gradient-flow and gradient-descent checks; ``model``: instances;
``notebook``: the notebook's text.
"""
from .steps import build_proof

__all__ = ["build_proof"]
