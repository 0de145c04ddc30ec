"""One test per soundness class of the hostile-review issues, with false and true claims.
Every counterexample is re-evaluated by tests/independent.py (not verify's engines)."""

from fractions import Fraction

import pytest

from tests.independent import relation_fails
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.claims.instances import Instance
from verify.engines.numeric import confirm_violation, decide_mp, given_grade
from verify.errors import ClaimError
from verify.language.parser import parse_relation

FAST = CheckConfig(seed=5, instances=6, search_examples=60, time_limit=20)


def _c(statement, vars, dims=None, given=None):
    return Claim("c", statement, dims=dims or {}, vars=vars, given=given or [])


def _inst(**values):
    return Instance(
        {},
        {
            k: [[Fraction(v)]] if not isinstance(v, list) else [[Fraction(x) for x in r] for r in v]
            for k, v in values.items()
        },
    )


def _refuted(statement, vars, dims=None, given=None, config=FAST):
    r = check_claim(_c(statement, vars, dims, given), config)
    assert r.verdict is Verdict.REFUTED, (statement, r.verdict, r.message)
    assert relation_fails(statement, given or [], r.counterexample.to_json())
    return r


# --- 2. tolerance is not truth ---------------------------------------------------------------------
def test_violation_behind_a_huge_cancellation_is_not_a_tie():
    rel = parse_relation("log(exp(x)) + (10**150 + 10**40) - 10**150 <= x")
    d = decide_mp(rel, _inst(x=1), 50)
    assert d.status == "violated" and d.details["dps"] > 150
    c = confirm_violation(rel, _inst(x=1), 50)
    assert c is not None and abs(c.raw_slack + 1e40) < 1e30


def test_true_claim_behind_a_huge_cancellation_is_tight_not_refuted():
    rel = parse_relation("log(exp(x)) + (10**150 + 10**40) - 10**150 - 10**40 <= x")
    d = decide_mp(rel, _inst(x=1), 50)
    assert d.status == "tight"
    assert confirm_violation(rel, _inst(x=1), 50) is None


def test_equality_residual_below_the_tolerance_is_rechecked():
    rel = parse_relation("exp(x) * 10**(-45) + x == x")
    d = decide_mp(rel, _inst(x=0), 50)
    assert d.status == "violated" and d.details["residual"] == pytest.approx(1e-45)
    r = check_claim(_c("exp(x) * 10**(-45) + x == x", {"x": {}}), FAST)
    assert r.verdict is Verdict.REFUTED
    # the independent evaluator compares equalities to 1e-40: check the residual with SymPy directly
    import sympy

    x = sympy.Rational(str(r.counterexample.to_json()["values"]["x"]))
    assert sympy.N(sympy.exp(x) * sympy.Rational(1, 10**45), 60) > sympy.Rational(1, 10**47)


def test_true_equality_records_residual_and_tolerance():
    d = decide_mp(parse_relation("exp(x) * exp(-x) == 1"), _inst(x=3), 50)
    assert d.status == "holds" and d.details["residual"] <= d.details["tol"] < 1e-90


def test_unresolvable_tie_is_undecided_never_holds():
    # the tolerance set by a 10**2000 intermediate needs more than MAX_DPS digits
    d = decide_mp(parse_relation("log(exp(x)) + 10**2000 - 10**2000 <= x"), _inst(x=1), 50)
    assert d.status == "undecided"


# --- 3. givens of a counterexample are rigorous -------------------------------------------------------
def test_given_grades():
    c = _c("x >= 1", {"x": {"assume": ["positive"]}}, given=["exp(log(x)) == x"])
    assert given_grade(c, _inst(x=2), 50) == "numeric"
    c2 = _c("x >= 1", {"x": {}}, given=["x >= 1/2"])
    assert given_grade(c2, _inst(x=1), 50) == "rigorous"
    assert given_grade(c2, _inst(x=0), 50) == "false"


def test_counterexample_needs_a_rigorously_established_given():
    # false, but every candidate's given holds only at mpmath precision: never refuted, never holding
    r = check_claim(_c("x >= 1", {"x": {"assume": ["positive"]}}, given=["exp(log(x)) == x"]), FAST)
    assert r.verdict is Verdict.INCONCLUSIVE, r.message
    r2 = check_claim(_c("x**2 >= 0", {"x": {"assume": ["positive"]}}, given=["exp(log(x)) == x"]), FAST)
    assert r2.verdict in (Verdict.PROVED, Verdict.HOLDS_NUMERICALLY, Verdict.CERTIFIED), r2.message


# --- 4. rank-type decisions are not refuted by mpmath alone ---------------------------------------------
def test_rank_of_expm_with_a_tiny_singular_value_is_not_refuted():
    # expm(diag(0, -460)) has singular values 1 and e^-460 ~ 1e-200: rank 2, though mpmath's threshold says 1
    rel = parse_relation("rank(expm(A)) == 2")
    inst = _inst(A=[[0, 0], [0, -460]])
    assert decide_mp(rel, inst, 50).status == "violated"  # the threshold's verdict
    assert confirm_violation(rel, inst, 50) is None  # ... is never a counterexample


def test_false_rank_claim_on_rational_inputs_is_refuted_exactly():
    r = _refuted("rank(A) == n", {"A": {"shape": ["n", "n"]}}, dims={"n": [2, 3]})
    assert r.evidence["recheck"] == "exact"


# --- 5. NaN and kinks are undefined, not violations -------------------------------------------------------
def test_derivative_at_a_kink_is_undefined():
    r = check_claim(_c("grad(max(x, 0), x) * grad(max(x, 0), x) == grad(max(x, 0), x)", {"x": {}}), FAST)
    assert r.verdict.holds, r.message
    r2 = check_claim(_c("grad(abs(x), x)**2 == 1", {"x": {}}), FAST)
    assert r2.verdict.holds, r2.message


def test_false_claim_about_a_kinked_derivative_is_refuted():
    _refuted("grad(abs(x), x) == 1", {"x": {}})


def test_gradient_of_the_norm_at_zero_is_undefined_and_nested_grads_do_not_crash():
    r = check_claim(_c("norm(grad(norm(v), v)) == 1", {"v": {"shape": [2, 1]}}), FAST)
    assert r.verdict.holds, r.message
    r2 = check_claim(_c("grad(grad(abs(x), x), x) == 0", {"x": {}}), FAST)
    assert r2.verdict is not Verdict.ERROR and r2.verdict is not Verdict.REFUTED, r2.message


def test_nested_grad_of_a_norm_is_decided_and_its_wrong_variant_refuted():
    # issue 16: a nested grad of a norm raised NameError: DiracDelta and erased the file's output
    v = {"X": {"shape": ["n", "n"]}}
    r = check_claim(_c("grad(norm(grad(norm(X)**2, X)), X) == 2 * X / norm(X)", v, {"n": 2}), FAST)
    assert r.verdict.holds, r.message
    _refuted("grad(norm(grad(norm(X)**2, X)), X) == X / norm(X)", v, {"n": 2})


# --- 7. z3 decides the claim that was written ---------------------------------------------------------------
def test_z3_negative_rationals_keep_their_sign():
    r = check_claim(_c("x / (-1000000) <= 0", {"x": {"assume": ["positive"]}}), FAST)
    assert r.verdict is Verdict.PROVED
    _refuted("x / (-1000000) >= 0", {"x": {"assume": ["positive"]}})
    _refuted("x * (-3/7) >= 0", {"x": {"assume": ["positive"]}})


# --- parser strictness -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,msg",
    [
        ("\uff58 + 1 >= x", "non-ASCII"),
        ("x >= 0 # comment", "'#'"),
        ("x / 0 >= 1", "division by zero"),
        ("x >= 1 / (0)", "division by zero"),
    ],
)
def test_parser_rejects_confusables_comments_and_zero_divisors(text, msg):
    with pytest.raises(ClaimError, match=msg) as e:
        parse_relation(text)
    assert "\n" not in str(e.value)


# --- defects: overflow, shapes on every instance, matrix givens ------------------------------------
def test_values_beyond_float_range_do_not_crash():
    assert check_claim(_c("2**1024 > 1", {}), FAST).verdict.holds
    r = check_claim(_c("x**200 >= 0", {"x": {}}), FAST)
    assert r.verdict.holds, r.message
    _refuted("x**201 >= 0", {"x": {}})


def test_shapes_are_checked_on_every_assignment_of_the_scope():
    r = check_claim(
        _c(
            "A @ B == B @ A",
            {"A": {"shape": ["m", "m"]}, "B": {"shape": ["n", "n"]}},
            dims={"m": [1, 2], "n": [1, 2]},
        ),
        FAST,
    )
    assert r.verdict is Verdict.ERROR and "shape" in r.message


def test_matrix_givens_are_accepted():
    given = ["A @ B == B @ A"]
    st = "(A + B) @ (A + B) == A @ A + 2 * (A @ B) + B @ B"
    r = check_claim(_c(st, {"A": {"shape": [2, 2]}, "B": {"shape": [2, 2]}}, given=given), FAST)
    assert r.verdict is not Verdict.ERROR and r.verdict is not Verdict.REFUTED, r.message
    st2 = "A @ B == eye(2)"
    r2 = _refuted(st2, {"A": {"shape": [2, 2]}, "B": {"shape": [2, 2]}}, given=given)
    assert r2.counterexample is not None


def test_size_limits_apply_to_intermediate_values():
    r = check_claim(
        _c("tr(kron(kron(A, A), A)) == tr(A)**3", {"A": {"shape": ["n", "n"]}}, dims={"n": [20, 21]}), FAST
    )
    assert r.verdict is Verdict.ERROR and "kron(A, A)" in r.message and "entries" in r.message


def test_degenerate_coverage_by_an_equality_given_is_inconclusive():
    # every instance the equality given admits is a tie: the inequality is never tested off a tie
    r = check_claim(
        _c("exp(x) * y <= exp(x) * z", {"x": {}, "y": {}, "z": {}}, given=["y - z == 0 * x"]), FAST
    )
    assert r.verdict is Verdict.INCONCLUSIVE and "degenerate" in r.message, r.message
    # without an equality given the same kind of tie is an ordinary tight instance
    r2 = check_claim(_c("exp(x) * y <= exp(x) * y", {"x": {}, "y": {}}), FAST)
    assert r2.verdict.holds, r2.message


# --- issue 16: rounding inside det/expm is not a counterexample ------------------------------------------
def test_cancellation_inside_det_of_expm_is_counted_in_the_tolerance():
    # expm(A) has entries ~ e^599 that agree to 260 digits; det = e^600 cancels ~260 digits inside det
    inst = _inst(A=[[300, 299], [299, 300]])
    rel = parse_relation("det(expm(A)) == exp(tr(A))")
    d = decide_mp(rel, inst, 50)
    assert d.status == "holds" and d.details["dps"] > 300
    assert confirm_violation(rel, inst, 50) is None
    wrong = parse_relation("det(expm(A)) == exp(tr(A)) * (1 + 10**(-20))")
    c = confirm_violation(wrong, inst, 50)
    # balls escalate (about 2x and 4x the digits) and enclose the gap; else a gap of the same size
    assert c is not None and c.status == "violated" and (c.method == "arb" or "same size" in c.method)
