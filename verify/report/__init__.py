"""Renderers: one result model drawn to the terminal, JSON and Markdown (+ PNG plots).

Renderers never compute mathematics; they format results that engines produced.
"""
from ..check.outcomes import ClaimOutcome, FileOutcome

__all__ = ["ClaimOutcome", "FileOutcome"]
