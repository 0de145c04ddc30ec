"""The claim pipeline: ``check_claim`` runs the engines on a claim and returns one verdict."""
from .pipeline import check_claim

__all__ = ["check_claim"]
