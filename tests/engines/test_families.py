"""Sums and products over an index, and indexed families of variables (verify.claims.families).

A claim with W = { family = "H", ... } and sum/prod is written out once per value of H in its scope;
each sub-claim's verdict is about that H only.  False claims are refuted and their counterexamples
re-checked by the independent evaluator on the *original* statement (which loops over the index
itself), so a bug in the expansion cannot confirm its own counterexample."""
from __future__ import annotations

import pytest

from tests.independent import relation_fails
from verify import CheckConfig, Verdict, check_claim
from verify.claims.files import parse_claim_document
from verify.errors import ClaimError
from verify.language.parser import parse_relation, unparse

CONFIG = CheckConfig(seed=5, instances=6, search_examples=80, time_limit=30)
FAM = {"W": {"family": "H", "shape": ["m", "m"]}, "x": {"shape": ["m", 1]}, "c": {}}


def _entries(statement, dims, vars=FAM, given=()):
    doc = {"dims": dims, "vars": vars,
           "claim": [{"name": "c", "statement": statement, "given": list(given)}]}
    return parse_claim_document(doc, "t.toml").entries


def test_a_claim_is_split_per_depth_and_written_out():
    es = _entries("prod(i, 1, H, W[i]).T == prod(i, 1, H, W[H + 1 - i].T)", {"H": [1, 3], "m": 2})
    assert [e.name for e in es] == ["c[H=1]", "c[H=2]", "c[H=3]"]
    assert es[2].statement == "(W_1 @ W_2 @ W_3).T == W_3.T @ W_2.T @ W_1.T"
    assert sorted(es[2].claim.vars) == ["W_1", "W_2", "W_3"]
    assert es[2].claim.scope["m"].lo == 2


def test_per_member_shapes_use_the_index():
    vars = {"B": {"family": "H", "index": "l", "shape": ["n+l", "n+l-1"]}}
    es = _entries("tr(B[1].T @ B[1]) + tr(B[2].T @ B[2]) >= 0", {"H": 2, "n": [1, 2]}, vars)
    (e,) = es
    assert e.claim.vars["B_1"].shape == ("n + 1", "n + 1 - 1")
    assert e.claim.vars["B_2"].shape == ("n + 2", "n + 2 - 1")


@pytest.mark.parametrize("statement,dims", [
    ("sum(i, 1, H, tr(W[i].T @ W[i])) >= 0", {"H": [1, 3], "m": [1, 2]}),
    ("det(prod(i, 1, H, W[i])) == prod(i, 1, H, det(W[i]))", {"H": [1, 3], "m": [1, 2]}),
    ("grad(sum(i, 1, H, tr(W[i].T @ W[i])), W[2]) == 2 * W[2]", {"H": [2, 3], "m": [1, 2]}),
    ("sum(i, 1, H, sum(j, 1, i, 1)) == H * (H + 1) / 2", {"H": {"min": 1, "sample": [1, 5]}}),
])
def test_true_sums_hold_at_every_depth_of_the_scope(statement, dims):
    es = _entries(statement, dims)
    assert len(es) >= 2
    for e in es:
        r = check_claim(e.claim, CONFIG)
        assert r.verdict.holds, (e.name, r.verdict, r.message)


@pytest.mark.parametrize("statement,dims", [
    ("prod(i, 1, H, W[i]).T == prod(i, 1, H, W[i].T)", {"H": [2, 3], "m": 2}),
    ("det(sum(i, 1, H, W[i])) == sum(i, 1, H, det(W[i]))", {"H": [2, 3], "m": 2}),
    ("grad(sum(i, 1, H, tr(W[i].T @ W[i])), W[1]) == W[1]", {"H": [1, 2], "m": [1, 2]}),
    ("sum(i, 1, H, i ** 2) == H * (H + 1) * (2 * H + 1) / 6 + c ** 2", {"H": [1, 3]}),
])
def test_false_sums_are_refuted_and_confirmed_on_the_original_statement(statement, dims):
    for e in _entries(statement, dims):
        r = check_claim(e.claim, CONFIG)
        assert r.verdict is Verdict.REFUTED, (e.name, r.verdict, r.message)
        h = int(e.name.split("H=")[1].rstrip("]"))
        assert relation_fails(statement, [], r.counterexample.to_json(), {"H": h})


def test_a_depth_where_the_claim_holds_is_not_hidden_by_another():
    # the wrong transpose order is right at H = 1: the sub-claim at H = 1 holds, H = 2 is refuted
    es = _entries("prod(i, 1, H, W[i]).T == prod(i, 1, H, W[i].T)", {"H": [1, 2], "m": 2})
    verdicts = [check_claim(e.claim, CONFIG).verdict for e in es]
    assert verdicts[0].holds and verdicts[1] is Verdict.REFUTED


def test_proved_is_per_depth_only():
    es = _entries("sum(i, 1, H, W[i]) - sum(i, 1, H, W[i]) == 0 * W[1]", {"H": [1, 2], "m": [1, 2]})
    for e in es:
        r = check_claim(e.claim, CONFIG)
        assert r.verdict is Verdict.PROVED
        assert e.claim.scope["H"].kind == "fixed"       # the proof is about this H, not every H


@pytest.mark.parametrize("statement,dims,vars,message", [
    ("sum(i, 1, H, W[i]) == W", {"H": 2, "m": 1}, FAM, "used without an index"),
    ("W[3] == W[1]", {"H": 2, "m": 1}, FAM, "outside 1..2"),
    ("sum(i, 2, H, tr(W[i])) >= 0", {"H": [1, 2], "m": 1}, FAM, "empty range 2..1"),
    ("sum(m, 1, H, tr(W[m])) >= 0", {"H": 2, "m": 1}, FAM, "already a dimension"),
    ("x[1] == x[1]", {"H": 2, "m": 1}, FAM, "'x' is not a family"),
    ("sum(i, 1, H, tr(W[i])) >= 0", {"H": [1, 40], "m": 1}, FAM, "at most 12"),
    ("tr(W[1]) >= 0", {"H": 2, "m": 1}, {"W": {"family": "K", "shape": [1, 1]}}, "must name a dimension"),
    ("tr(W[1]) >= 0", {"H": 2}, {"W": {"family": "H", "shape": [1, 1], "colour": 1}}, "unknown field"),
])
def test_malformed_families_are_one_line_errors(statement, dims, vars, message):
    es = _entries(statement, dims, vars)
    errs = [e.error for e in es if e.error]
    assert errs and message in errs[-1], errs
    assert all("\n" not in x for x in errs)


@pytest.mark.parametrize("text,message", [
    ("sum(1, 1, H, x) == x", "takes (index, lo, hi, body)"),
    ("sum(i, 1, H) == x", "takes (index, lo, hi, body)"),
    ("sum(i, 1, H/2, x) == x", "integer expression"),
    ("sum(i, 1, tr(A), x) == x", "integer expression"),
    ("W[1:2] == x", "one index"),
    ("W[i, j] == x", "one index"),
    ("f(x)[1] == x", "only a family"),
    ("W[__import__] == x", "invalid name"),
])
def test_parser_is_strict_about_indexed_forms(text, message):
    with pytest.raises(ClaimError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_relation(text)


def test_unparse_round_trips_sums_and_indices():
    r = parse_relation("sum(i, 1, H + 1, W[i] @ W[H - i + 1]) == prod(j, 1, 2, W[j])")
    assert unparse(r.lhs) == "sum(i, 1, H + 1, W[i] @ W[H - i + 1])"
    assert unparse(r.rhs) == "prod(j, 1, 2, W[j])"


def test_a_claim_built_directly_refuses_unexpanded_sums():
    from verify import Claim

    with pytest.raises(ClaimError, match="written out per depth"):
        Claim("c", "sum(i, 1, 2, x) == 2 * x", vars={"x": {}})
    with pytest.raises(ClaimError, match="counted from 1"):
        parse_relation("W[0] == W[1]")
