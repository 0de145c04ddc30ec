"""Claims: the model (``Claim``, ``Var``), claim files (TOML) and the instances that satisfy a
claim's assumptions.  This layer sits below the engines; ``verify.check`` runs the engines on it."""
from .files import ClaimFile, load_claim_file
from .model import ASSUMPTIONS, Claim, Var

__all__ = ["ASSUMPTIONS", "Claim", "ClaimFile", "Var", "load_claim_file"]
