"""Proof package: ``steps`` (the step table), ``checks`` (its check functions), ``notebook`` (text)."""
from .steps import build_proof

__all__ = ["build_proof"]
