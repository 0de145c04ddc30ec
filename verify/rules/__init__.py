"""Rule kernel for proofs as chains: a term language (``terms``) and checked inference rules
(``inference``)."""

from .inference import RULES, Premise, derive, read_premise
from .terms import Context, Rel, RuleError, Term

__all__ = ["RULES", "Context", "Premise", "Rel", "RuleError", "Term", "derive", "read_premise"]
