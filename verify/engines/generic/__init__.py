"""A shape-generic prover for matrix identities (the multilinear fragment, every dimension).

``prove_generic(claim)`` turns both sides of an ``==`` claim into sums of tensor networks with
symbolic dimensions (:mod:`.network`), brings them to a canonical form under the assumption rules
(:mod:`.normal`) and compares.  Outcomes:

* ``proved``: the normal forms are equal term by term, so the identity holds for **every** value
  of every dimension symbol (scope ``"all dimensions"``); the certificate (:mod:`.certificate`)
  holds both normal forms and the rewriting trace and can be re-checked independently;
* ``not-in-fragment``: some part of the claim (inv of a matrix not known invertible, det, eig,
  sqrt, an odd norm power, relu, a fractional or negative hadamard_pow, ...) is outside the
  fragment; the reason names it;
* ``different-normal-forms``: the normal forms differ.  This is **not** a refutation (small sizes
  can satisfy extra identities, e.g. Cayley-Hamilton at n = 2, and the rules are not complete):
  the ordinary engines decide.

Fragment: matrix and scalar variables, ``eye``, ``zeros`` (also of a product size, ``eye(m*n)``),
rational constants and dimension symbols as coefficients, ``+ - *``, ``/`` by a constant, ``@``,
``.T``, ``kron``, ``vec``, ``tr``, non-negative integer powers (of scalars and square matrices),
``norm(X)**(2k)`` = tr(XᵀX)^k, ``grad(f, X)`` of a scalar f in the fragment (and ``grad_sym`` =
(G + Gᵀ)/2, ``grad_entries_sym`` = G + Gᵀ - diag(diag(G)) of its G), the copy tensors
``diag``, ``diagvec``, ``hadamard``, ``hadamard_pow(A, k)`` (integer 1 <= k <= 12) and ``ones``
(:mod:`.junction`), and ``inv`` of: a variable assumed invertible, pd or orthogonal; a kron,
transpose, product or inverse of such (inv(kron(X, Y)) = kron(inv(X), inv(Y)), inv(XY) =
inv(Y) inv(X) for square factors); a Gram matrix B Bᵀ / Bᵀ B of a full-rank B (an opaque symmetric
node cancelled next to B Bᵀ; where it is singular the claim is undefined, so the proof covers every
instance where the claim is defined).  Assumption rules: symmetric / psd / pd (Sᵀ = S), projector
(PP = P, Pᵀ = P), orthogonal (QᵀQ = QQᵀ = I), invertible (A inv(A) = inv(A) A = I).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ...claims.model import Claim
from .certificate import ENGINE, SCOPE, RecheckReport, nf_to_json, recheck
from .network import NotInFragment, build_sides
from .normal import NormalForm, Rules, normal_form

__all__ = ["ENGINE", "SCOPE", "GenericProof", "RecheckReport", "prove_generic", "recheck"]

METHOD = "generic normal form: both sides have equal tensor-network normal forms, for all dimensions"
PROVED = "proved"
NOT_IN_FRAGMENT = "not-in-fragment"
DIFFERENT = "different-normal-forms"


@dataclass
class GenericProof:
    status: str                      # proved | not-in-fragment | different-normal-forms
    reason: str = ""
    lhs: NormalForm | None = None
    rhs: NormalForm | None = None
    certificate: dict[str, Any] | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def proved(self) -> bool:
        return self.status == PROVED

    @property
    def method(self) -> str:
        """One line for a verdict's message (the check pipeline's exact stage uses it)."""
        if self.proved:
            return METHOD
        return ""

    @property
    def note(self) -> str:
        """Why it was not proved ("" when proved)."""
        return "" if self.proved else f"{self.status}: {self.reason}"

    @property
    def shapes(self) -> list[dict[str, int]]:
        """Explicit shapes decided: none; a generic proof covers every shape (``scope``)."""
        return []

    @property
    def scope(self) -> str | None:
        return SCOPE if self.proved else None

    def evidence(self) -> dict[str, Any]:
        """The evidence entry for a verdict: scope, engine, normal forms, trace, time."""
        out: dict[str, Any] = {"status": self.status, "seconds": round(self.seconds, 4)}
        if self.reason:
            out["reason"] = self.reason
        if self.proved and self.certificate is not None:
            out["scope"] = SCOPE
            out["engine"] = ENGINE
            out["normal_form"] = self.certificate["lhs"]["text"]
            if self.certificate["rewrites"]:
                out["rewrites"] = self.certificate["rewrites"]
            out["certificate"] = self.certificate
        return out


def prove_generic(claim: Claim, time_budget: float | None = None) -> GenericProof:
    """Decide whether the claim's two sides have the same generic normal form (see the module doc).

    ``time_budget`` (seconds, optional) bounds the expansion; running out declines the claim.
    """
    t0 = time.perf_counter()
    try:
        builder, lhs_e, rhs_e = build_sides(claim, None if time_budget is None else t0 + time_budget)
        rules = Rules(builder.labels, builder.proj_base, builder.inv_words)
        lhs, rhs = normal_form(lhs_e, builder, rules), normal_form(rhs_e, builder, rules)
    except NotInFragment as exc:
        return GenericProof(NOT_IN_FRAGMENT, str(exc), seconds=time.perf_counter() - t0)
    except AssertionError as exc:  # an inconsistent network: never a proof; the other engines decide
        return GenericProof(
            NOT_IN_FRAGMENT,
            f"internal error in the generic prover ({exc}); please report this claim",
            seconds=time.perf_counter() - t0,
        )
    cert = {
        "scope": SCOPE,
        "engine": ENGINE,
        "statement": claim.statement,
        "lhs": nf_to_json(lhs),
        "rhs": nf_to_json(rhs),
        "labels": {lab: {"rows": r, "cols": c, "assume": sorted(a),
                         **({"proj_of": list(builder.proj_base[lab])} if lab in builder.proj_base else {}),
                         **({"inv_of": [[x, t] for x, t in builder.inv_words[lab]]}
                            if lab in builder.inv_words else {})}
                   for lab, (r, c, a) in sorted(builder.labels.items())},
        "rewrites": dict(sorted(rules.trace.items())),
        "notes": list(builder.notes),
    }
    secs = time.perf_counter() - t0
    if lhs == rhs:
        return GenericProof(PROVED, "", lhs, rhs, cert, secs, list(builder.notes))
    n_l, n_r = len(lhs.terms), len(rhs.terms)
    diff = len(set(lhs.terms) ^ set(rhs.terms)) + sum(1 for k in set(lhs.terms) & set(rhs.terms)
                                                     if lhs.terms[k] != rhs.terms[k])
    return GenericProof(DIFFERENT, f"normal forms differ ({n_l} and {n_r} terms; {diff} term(s) differ); "
                        "this is not a refutation", lhs, rhs, None, secs, list(builder.notes))
