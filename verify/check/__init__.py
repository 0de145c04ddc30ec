"""The claim pipeline: ``check_claim`` runs the staged engines on a claim and returns one verdict
(stages: shapes, exact, sample, search, certify, verdict; limits and context are shared)."""

from .pipeline import check_claim

__all__ = ["check_claim"]
