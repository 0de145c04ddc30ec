"""Claims: the model (``Claim``), claim files (TOML), and ``check_claim``."""
from .check import check_claim
from .files import ClaimFile, load_claim_file
from .model import ASSUMPTIONS, Claim, Var

__all__ = ["ASSUMPTIONS", "Claim", "ClaimFile", "Var", "check_claim", "load_claim_file"]
