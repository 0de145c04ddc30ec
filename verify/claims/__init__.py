"""Claims: the model (``Claim``), claim files (TOML), and ``check_claim``."""
from importlib import import_module

_EXPORTS = {"ASSUMPTIONS": "model", "Claim": "model", "Var": "model", "check_claim": "check",
            "ClaimFile": "files", "load_claim_file": "files"}
__all__ = sorted(_EXPORTS)


def __getattr__(name):  # lazy, so that engines can import claims.model without cycles
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
