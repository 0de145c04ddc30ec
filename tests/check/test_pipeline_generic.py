"""check_claim uses the generic prover first: a multilinear identity is proved for all dimensions
with its certificate in the evidence; different normal forms never refute by themselves (the
ordinary engines decide); claims outside the fragment go to the other engines."""

from __future__ import annotations

from verify import CheckConfig, Claim, Verdict, check_claim
from verify.engines.generic import recheck

CONFIG = CheckConfig(seed=3, instances=4, search_examples=20, time_limit=30)
KRON = {"m": [1, 3], "k": [1, 3], "p": [1, 2], "q": [1, 2]}
KVARS = {"A": {"shape": ["m", "k"]}, "X": {"shape": ["k", "p"]}, "B": {"shape": ["p", "q"]}}


def test_identity_proved_for_all_dimensions_with_certificate():
    claim = Claim("vec_triple", "vec(A @ X @ B) == kron(B.T, A) @ vec(X)", KRON, KVARS)
    r = check_claim(claim, CONFIG)
    assert r.verdict is Verdict.PROVED
    assert r.evidence["proved_scope"] == "all dimensions"  # evidence.scope is the declared scope
    assert r.evidence["engine"].startswith("generic prover")
    gen = r.evidence["generic"]
    assert gen["status"] == "proved" and gen["scope"] == "all dimensions"
    assert gen["certificate"]["lhs"]["text"] == "[r0→r1: Bᵀ Xᵀ Aᵀ]"
    assert recheck(claim, gen["certificate"], shapes=[{"m": 5, "k": 7, "p": 2, "q": 3}]).ok
    assert r.evidence["instances_valid"] >= 1  # instances still run: a disagreement would show


def test_false_identity_is_refuted_by_the_ordinary_engines():
    claim = Claim(
        "dropped",
        "vec(P @ Q @ P) == kron(P, P) @ vec(Q)",
        {"n": [2, 3]},
        {"P": {"shape": ["n", "n"]}, "Q": {"shape": ["n", "n"]}},
    )
    r = check_claim(claim, CONFIG)
    assert r.evidence["generic"]["status"] == "different-normal-forms"
    assert r.verdict is Verdict.REFUTED and r.counterexample is not None


def test_different_normal_forms_do_not_refute_a_true_small_dimension_identity():
    claim = Claim(
        "cayley_hamilton_2",
        "X @ X - tr(X) * X + (tr(X)**2 - tr(X @ X)) / 2 * eye(n) == zeros(n, n)",
        {"n": 2},
        {"X": {"shape": ["n", "n"]}},
    )
    r = check_claim(claim, CONFIG)
    assert r.evidence["generic"]["status"] == "different-normal-forms"
    assert r.verdict is Verdict.PROVED and r.evidence["proved_scope"] == "all"  # the one shape n = 2
    assert r.evidence["engine"] == "symbolic (sympy)"


def test_outside_the_fragment_falls_back():
    claim = Claim(
        "kron_det",
        "det(kron(E, F)) == det(E)**p * det(F)**m",
        {"m": [1, 2], "p": [1, 2]},
        {
            "E": {"shape": ["m", "m"], "assume": ["invertible"]},
            "F": {"shape": ["p", "p"], "assume": ["invertible"]},
        },
    )
    r = check_claim(claim, CONFIG)
    assert r.evidence["generic"]["status"] == "not-in-fragment" and "det" in r.evidence["generic"]["reason"]
    assert r.verdict is Verdict.PROVED and r.evidence["engine"] == "symbolic (sympy)"


def test_inequalities_do_not_consult_the_generic_prover():
    claim = Claim(
        "cs",
        "tr(A.T @ U)**2 <= tr(A.T @ A) * tr(U.T @ U)",
        {"m": [1, 2], "k": [1, 2]},
        {"A": {"shape": ["m", "k"]}, "U": {"shape": ["m", "k"]}},
    )
    r = check_claim(claim, CONFIG)
    assert "generic" not in r.evidence and r.verdict.holds
