"""Ties and near-ties: a claim tight at a point (or everywhere) is never refuted by rounding, and a
claim false only by 10^-30 .. 10^-60 near its tie is refuted.  The special points of the scalar
sets (0, 1, -1, 10^-k) and the mixed dims corners are sampled; a near-tie escalates to 10^-100
relative (mpmath) or about four times the digits (balls) before it counts as a tie.  Every
counterexample is re-evaluated independently (tests/independent.py at 170 digits)."""

from fractions import Fraction

import pytest

from tests.mutation import independent_violation
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.claims.instances import Instance, special_instances
from verify.engines.numeric import TIE_DIGITS, decide_ball, decide_mp
from verify.language.parser import parse_relation

CFG = CheckConfig(seed=11, instances=8, search_examples=60, time_limit=20)
SCALARS = {"t": {"assume": ["nonnegative"]}, "c": {"assume": ["positive"]}}
GRAM = dict(dims={"m": [1, 3], "r": [1, 3], "k": [2, 4]}, vars={"B": {"shape": ["r", "k"]}})


def _check(statement, vars, dims=None, given=None):
    return check_claim(Claim("c", statement, dims=dims or {}, vars=vars, given=given or []), CFG)


def _scalar(**values):
    return Instance({}, {k: [[Fraction(v)]] for k, v in values.items()})


@pytest.mark.parametrize(
    "statement, given",
    [
        ("log(1 + t) <= t", []),
        ("(1 - c * t)**2 <= exp(-2 * c * t)", ["c * t <= 1"]),
        ("exp(-t) >= 1 - t", []),
    ],
)
def test_true_scalar_claims_tight_at_zero_hold(statement, given):
    r = _check(statement, SCALARS, given=given)
    assert r.verdict.holds, (statement, r.verdict, r.message)


@pytest.mark.parametrize(
    "statement, given",
    [
        ("log(1 + t) <= (1 - 1 / 10**30) * t", []),
        ("log(1 + t) <= (1 - 1 / 10**60) * t", []),
        ("(1 - c * t)**2 <= exp(-(2 + 1 / 10**10) * c * t)", ["c * t <= 1"]),
        ("(1 - c * t)**2 <= exp(-(2 + 1 / 10**60) * c * t)", ["c * t <= 1"]),
    ],
)
def test_scalar_claims_false_only_near_their_tie_are_refuted(statement, given):
    r = _check(statement, SCALARS, given=given)
    assert r.verdict is Verdict.REFUTED, (statement, r.verdict, r.message)
    cx = r.counterexample.to_json()
    assert independent_violation(statement, given, cx), cx
    t = Fraction(cx["values"]["t"]) * Fraction(cx["values"].get("c", 1))
    assert 0 < t < Fraction(1, 10**9)  # only points this close to the tie at 0 are counterexamples


def test_tie_everywhere_is_tight_with_its_depth_never_certified_nor_refuted():
    r = _check("eigmin(kron(B.T @ B, eye(m))) >= eigmin(B.T @ B)", **GRAM)
    assert r.verdict is Verdict.HOLDS_NUMERICALLY, (r.verdict, r.message)
    assert r.evidence["tight_instances"] >= 1
    assert f"residual below 10^-{TIE_DIGITS - 1} relative" in r.evidence["tight_evidence"]


@pytest.mark.parametrize("k", [30, 60])
def test_tie_everywhere_perturbed_by_1e_minus_k_is_refuted(k):
    statement = f"eigmin(kron(B.T @ B, eye(m))) >= (1 + 1 / 10**{k}) * eigmin(B.T @ B)"
    r = _check(statement, **GRAM)
    assert r.verdict is Verdict.REFUTED, (r.verdict, r.message)
    assert independent_violation(statement, [], r.counterexample.to_json())


def test_near_tie_escalates_to_tie_digits_then_decides():
    rel = parse_relation("log(1 + t) <= (1 - 1 / 10**40) * t")
    # at t = 10^-50 the gap is 10^-90 - 10^-100/2: invisible at 50 digits, seen once escalated
    d = decide_mp(rel, _scalar(t=Fraction(1, 10**50)), 50)
    assert d.status == "violated" and d.details["dps"] > 50
    true = parse_relation("log(1 + t) <= t")
    d = decide_mp(true, _scalar(t=0), 50)
    assert d.status == "tight" and d.details["tie"].startswith("tight: residual below 10^-99")
    # balls escalate too: a gap of about 10^-125 is decided at a working precision of 50 digits
    b = decide_ball(rel, _scalar(t=Fraction(1, 10**85)), 50)
    assert b is not None and b.status == "violated"


def test_special_instances_reach_zero_one_and_tiny_decades_and_mixed_corners():
    claim = Claim("c", "log(1 + t) <= t * x", vars={"t": {"assume": ["nonnegative"]}, "x": {}})
    import random

    insts = special_instances(claim, random.Random(1))
    ts = [i.values["t"][0][0] for i in insts]
    xs = [i.values["x"][0][0] for i in insts]
    assert 0 in ts and 1 in ts and -1 in xs and all(v >= 0 for v in ts)
    assert Fraction(1, 10**80) in ts + [abs(v) for v in xs]
    g = Claim("g", "eigmin(B.T @ B) >= 0", **GRAM)
    corners = [(i.dims["r"], i.dims["k"]) for i in special_instances(g, random.Random(1))]
    assert (3, 2) in corners and (1, 4) in corners


def test_given_boundary_is_constructed_exactly_where_the_given_is_affine():
    from verify.check.sample import given_boundary_instances

    claim = Claim("g", "(1 - c * t)**2 <= exp(-2 * c * t)", vars=SCALARS, given=["c * t <= 1"])
    base = _scalar(t=Fraction(3, 10), c=Fraction(7, 4))
    out = given_boundary_instances(claim, [base])
    products = {i.values["c"][0][0] * i.values["t"][0][0] for i in out}
    assert products == {1} and len(out) == 2  # t = 4/7 with c = 7/4, and c = 10/3 with t = 3/10
    # a given polynomial in one scalar: its rational roots exactly, else the two 70-decimal rationals
    # that bracket an irrational root, kept only where the given holds exactly
    curved = Claim("h", "t <= 2", vars=SCALARS, given=["t**2 <= 2"])
    (near,) = given_boundary_instances(curved, [base])          # t >= 0 is assumed: only +sqrt(2)
    t = near.values["t"][0][0]
    assert t**2 <= 2 and 2 - t**2 < Fraction(3, 10**70)
    square = Claim("q", "t <= 2", vars=SCALARS, given=["c * t**2 - t >= 1"])
    (on,) = given_boundary_instances(Claim("q", "t <= 2", vars=SCALARS, given=["t**2 <= 4"]), [base])
    assert on.values["t"] == [[2]]
    pts = [(i.values["t"][0][0], i.values["c"][0][0]) for i in given_boundary_instances(square, [base])]
    assert all(c * t**2 - t >= 1 for t, c in pts) and len(pts) == 2
    # t near the positive root of 7/4 t^2 - t - 1 (irrational), and c exactly on it with t = 3/10
    assert {c for _, c in pts} == {Fraction(7, 4), Fraction(130, 9)}
    # not a polynomial in any one scalar: no point
    assert given_boundary_instances(Claim("e", "t <= 2", vars=SCALARS, given=["exp(t) <= 2"]), [base]) == []
    # the boundary instances are sampled too (and the true claim holds there)
    r = _check("(1 - c * t)**2 <= exp(-2 * c * t)", SCALARS, given=["c * t <= 1"])
    assert r.verdict.holds and r.evidence["instances_valid"] >= 8 + 2


@pytest.mark.parametrize(
    "statement, given",
    [
        ("t**2 <= 2 - 1 / 10**60", ["t**2 <= 2"]),
        ("t**2 + c**2 <= 3 - 1 / 10**50", ["t**2 + c**2 <= 3", "t <= 5"]),
    ],
)
def test_claims_false_only_at_a_curved_given_boundary_are_refuted(statement, given):
    # false only within 10^-60 of the boundary of a quadratic given: random instances never get there
    r = _check(statement, SCALARS, given=given)
    assert r.verdict is Verdict.REFUTED, (r.verdict, r.message)
    assert independent_violation(statement, given, r.counterexample.to_json())


# found by the exhaustive mutation run (perturbation 1e-30 certified on 8 samples): tight only on an
# orthant / at a zero vector, or next to a singular pd matrix -- the sign corners of unconstrained
# matrices and the (on, near) pair at the assumption boundary are now sampled
@pytest.mark.parametrize(
    "statement, vars, n",
    [
        ("norm(relu(x) - relu(y)) <= (1 - 1 / 10**30) * norm(x - y)",
         {"x": {"shape": ["n", 2]}, "y": {"shape": ["n", 2]}}, [2, 3]),
        ("u.T @ inv(P + eye(n)) @ u <= (1 - 1 / 10**50) * (u.T @ u)",
         {"u": {"shape": ["n", 1]}, "P": {"shape": ["n", "n"], "assume": ["pd"]}}, [1, 3]),
    ],
)
def test_claims_tight_on_an_orthant_or_at_a_singular_boundary_are_refuted(statement, vars, n):
    r = _check(statement, vars, dims={"n": n})
    assert r.verdict is Verdict.REFUTED, (r.verdict, r.message)
    assert independent_violation(statement, [], r.counterexample.to_json())
