"""The generic prover on inverses beyond a single variable: inv(kron(X, Y)) = kron(inv(X), inv(Y)),
inv(Xᵀ) = inv(X)ᵀ, inv(X Y) = inv(Y) inv(X) for square invertible factors, inv(inv(X)) = X, and the
inverse of a Gram matrix G Gᵀ (G full rank) cancelled next to G Gᵀ.  True identities are proved for
every size and re-checked exactly at sizes where they are defined; wrong variants are never proved;
inverses of matrices not known to be invertible are declined."""
from __future__ import annotations

import re

import pytest

from verify import CheckConfig, Claim, Verdict, check_claim
from verify.engines.generic import prove_generic, recheck

VARS = {
    "E": {"shape": ["m", "m"], "assume": ["invertible"]},
    "E2": {"shape": ["m", "m"], "assume": ["invertible"]},
    "F": {"shape": ["p", "p"], "assume": ["invertible"]}, "P": {"shape": ["m", "m"]},
    "Z": {"shape": ["m", "p"]},
    "G": {"shape": ["k", "n"], "assume": ["full_rank"]},
    "Wt": {"shape": ["q", "k"]}, "Y": {"shape": ["q", "n"]},
}
DIMS = {d: {"min": 1, "sample": [1, 2]} for d in ("m", "p", "k", "q")} | {"n": {"min": 1, "sample": [2, 3]}}


def _claim(statement: str) -> Claim:
    names = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", statement))
    return Claim("t", statement, DIMS, {k: v for k, v in VARS.items() if k in names})


P_XU = "kron(G.T, eye(q)) @ inv(kron(G @ G.T, eye(q))) @ kron(G, eye(q))"
TRUE = [
    "inv(kron(E, F)) == kron(inv(E), inv(F))",
    "inv(kron(E, F)).T == kron(inv(E).T, inv(F).T)",
    "inv(E.T) == inv(E).T",
    "inv(E @ E2) == inv(E2) @ inv(E)",
    "inv(inv(E)) == E",
    "kron(E, F) @ inv(kron(E, F)) == eye(m*p)",
    "inv(kron(E, eye(p))) @ kron(E, eye(p)) == eye(m*p)",
    "inv(kron(F.T, E)) @ vec(Z) == vec(inv(E) @ Z @ inv(F))",
    "G.T @ inv(G @ G.T) @ G @ G.T @ inv(G @ G.T) @ G == G.T @ inv(G @ G.T) @ G",
    "tr(G.T @ inv(G @ G.T) @ G) == k",
    "G @ G.T @ inv(G @ G.T) == eye(k)",
    "inv(G @ G.T) @ G @ G.T == eye(k)",
    "G.T @ G @ inv(G.T @ G) == eye(n)",
    # Xu et al. (2021), the corrected A.1.3 step (Pythagoras with the projector written out)
    f"norm({P_XU} @ vec(Wt @ G - Y))**2 == norm(vec(Wt @ G - Y))**2 - norm((eye(q*n) - {P_XU}) @ vec(Y))**2",
]
FALSE = [
    "inv(E @ E2) == inv(E) @ inv(E2)",
    "tr(G.T @ inv(G @ G.T) @ G) == n",
    "G @ inv(G.T @ G) @ G.T == eye(k)",
    "G.T @ inv(G @ G.T) @ G == eye(n)",
    "inv(kron(E, E2)) == kron(inv(E2), inv(E))",
    "inv(E.T) == inv(E)",
    f"norm({P_XU} @ vec(Wt @ G - Y))**2 == norm(vec(Wt @ G - Y))**2 - norm({P_XU} @ vec(Y))**2",
]


@pytest.mark.parametrize("statement", TRUE)
def test_inverse_identity_proved_and_rechecked_where_defined(statement):
    c = _claim(statement)
    g = prove_generic(c)
    assert g.status == "proved", g.reason
    rep = recheck(c, g.certificate)
    assert rep.ok and len(rep.shapes) == 2, rep.problems
    if "G @ G.T" in statement:                 # inv(G Gᵀ) exists only where k <= n
        assert all(d["k"] <= d["n"] for d in rep.shapes)


@pytest.mark.parametrize("statement", FALSE)
def test_wrong_inverse_variant_never_proved(statement):
    g = prove_generic(_claim(statement))
    assert not g.proved and g.certificate is None


@pytest.mark.parametrize("statement,why", [
    ("inv(kron(P, E)) == kron(inv(P), inv(E))", "not assumed invertible"),
    ("inv(P @ E) == inv(E) @ inv(P)", "not assumed invertible"),
    ("inv(Z @ Z.T) @ Z @ Z.T == eye(m)", "not assumed invertible"),     # Z not full rank: declined
])
def test_inverse_of_a_matrix_not_known_invertible_is_declined(statement, why):
    g = prove_generic(_claim(statement))
    assert g.status == "not-in-fragment" and why in g.reason


def test_gram_inverse_rule_is_in_the_certificate():
    g = prove_generic(_claim("G @ G.T @ inv(G @ G.T) == eye(k)"))
    assert g.certificate["labels"]["inv(G Gᵀ)"]["inv_of"] == [["G", False], ["G", True]]
    assert g.certificate["rewrites"] == {"inv(G Gᵀ): M inv(M) = inv(M) M = I": 1}


def test_pipeline_proves_the_kron_inverse_for_all_dimensions_and_refutes_the_swap():
    cfg = CheckConfig(seed=3, instances=4, search_examples=20, time_limit=30)
    r = check_claim(_claim("inv(kron(E, F)) == kron(inv(E), inv(F))"), cfg)
    assert r.verdict is Verdict.PROVED and r.evidence["proved_scope"] == "all dimensions"
    wrong = Claim("w", "inv(kron(E, E2)) == kron(inv(E2), inv(E))", {"m": [2, 2]},
                  {"E": VARS["E"], "E2": VARS["E2"]})
    r = check_claim(wrong, cfg)
    assert r.verdict is Verdict.REFUTED and r.counterexample is not None
