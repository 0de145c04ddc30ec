"""verify: check proofs about training dynamics (linear GNNs, NTK, GNTK) step by step.

Public API (small on purpose):

* ``Claim``, ``check_claim``, ``load_claim_file``: the claim language and its engines;
* ``Verdict``, ``Result``, ``Counterexample``, ``Figure``: one result model for every engine;
* ``Step``, ``Proof``, ``run_proof``, ``check_step``, ``load_proof``: proof modules;
* ``CheckConfig``: seed, precision, number of instances.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Verdict": "result", "Result": "result", "Counterexample": "result", "Figure": "result",
    "CheckConfig": "config",
    "Step": "proof", "Proof": "proof", "StepResult": "proof", "ProofResult": "proof",
    "run_proof": "proof", "check_step": "proof", "load_proof": "discovery", "discover_proofs": "discovery",
    "Claim": "claims", "check_claim": "check", "load_claim_file": "claims",
    "VerifyError": "errors", "InputError": "errors", "ClaimError": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:  # lazy: importing verify stays cheap (no sympy/torch at import)
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'verify' has no attribute {name!r}")
