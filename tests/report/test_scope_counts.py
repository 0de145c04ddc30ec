"""Reports say how far each holding verdict reaches: all dimensions, listed shapes, scalar, instances."""
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.report.summary import evidence_line, exact_scope, scope_counts_line
from verify.result import Result


def test_scope_of_each_verdict_and_the_count_line():
    rs = [
        Result(Verdict.PROVED, {"engine": "generic prover", "proved_scope": "all dimensions"}),
        Result(Verdict.PROVED, {"engine": "symbolic (sympy)", "proved_scope": [{"n": 2}]}),
        Result(Verdict.PROVED, {"engine": "symbolic (sympy)", "proved_scope": "all"}),
        Result(Verdict.PROVED, {"engine": "decision procedure (z3)"}),
        Result(Verdict.CERTIFIED, {"engine": "exact rationals / arb balls on instances"}),
        Result(Verdict.HOLDS_NUMERICALLY, {"engine": "mpmath"}),
        Result(Verdict.INCONCLUSIVE, {"engine": "mpmath"}),
    ]
    assert [exact_scope(r) for r in rs] == [
        "all dimensions",
        "listed shapes",
        "declared scope",
        "scalar",
        "instances",
        "instances",
        None,
    ]
    line = scope_counts_line(rs)
    assert line.startswith("Scope of what holds: 1 proved for all dimensions, 1 proved on every shape of the "
                           "declared scope, 1 proved exactly on listed shapes")
    assert "1 scalar claim(s)" in line and "2 on instances only" in line
    assert scope_counts_line(rs[-1:]) == ""
    assert evidence_line(rs[0]).startswith("generic prover, all dimensions")
    assert "all dimensions" not in evidence_line(rs[1])


def test_a_generic_proof_reaches_all_dimensions_in_the_summary():
    c = Claim("k", "kron(A, B).T == kron(A.T, B.T)", {"m": [1, 2], "k": [1, 2]},
              {"A": {"shape": ["m", "k"]}, "B": {"shape": ["k", "m"]}})
    r = check_claim(c, CheckConfig(seed=1, instances=3, search_examples=10, time_limit=20))
    assert r.verdict is Verdict.PROVED and exact_scope(r) == "all dimensions"
    assert evidence_line(r).count("all dimensions") == 1
