"""The language's reach: diag, diagvec, ones, Hadamard products and powers, relu/step, block and
stacking, derived dimensions, k-th eigen/singular values and operator norms.

Each operation gets a true claim (never refuted, with the strongest verdict its evidence allows) and
a false one (refuted, the counterexample confirmed by the independent evaluator)."""
from __future__ import annotations

from fractions import Fraction

import pytest

from tests.independent import relation_fails
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.engines.fields import (
    BallField,
    ExactField,
    FloatField,
    MpField,
    NotCertifiable,
    NotExact,
)
from verify.errors import ClaimError, UndefinedValue
from verify.language.parser import parse_expression, unparse
from verify.precision import flint_bits

CONFIG = CheckConfig(seed=3, instances=6, search_examples=80, time_limit=30)

SQ = {"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}}
SYM = {"A": {"shape": ["n", "n"], "assume": ["symmetric"]}}
RECT = {"A": {"shape": ["n", "m"]}}
VEC = {"x": {"shape": ["n", 1]}, "y": {"shape": ["n", 1]}}
N = {"n": [1, 3]}
NM = {"n": [1, 3], "m": [1, 3]}

# (statement, vars, dims, strongest verdict expected for a true claim; eig/eigmin/eigmax are exact at
# instances whose eigenvalues are rational, so they may be certified, never proved)
TRUE = [
    ("diag(diagvec(A)) @ ones(n, 1) == diagvec(A)", SQ, N, Verdict.PROVED),
    ("diag(x) @ y == hadamard(x, y)", VEC, N, Verdict.PROVED),
    ("tr(diag(x) @ A) == diagvec(A).T @ x", {**VEC, **SQ}, N, Verdict.PROVED),
    ("hadamard(A, B) == hadamard(B, A)", SQ, N, Verdict.PROVED),
    ("ones(1, n) @ hadamard(A, B) @ ones(n, 1) == tr(A.T @ B)", SQ, N, Verdict.PROVED),
    ("hadamard_pow(x, 2) == hadamard(x, x)", VEC, N, Verdict.PROVED),
    ("block([[A, B], [B, A]]) @ vstack(x, x) == vstack((A + B) @ x, (A + B) @ x)", {**SQ, **VEC}, N,
     Verdict.PROVED),
    ("hstack(A, B).T == vstack(A.T, B.T)", SQ, N, Verdict.PROVED),
    ("relu(x) - relu(-x) == x", VEC, N, Verdict.CERTIFIED),
    ("hadamard(step(x), x) == relu(x)", VEC, N, Verdict.CERTIFIED),
    ("norm1(A) == norminf(A.T)", RECT, NM, Verdict.CERTIFIED),
    ("norm2(A) <= norm(A)", RECT, NM, Verdict.HOLDS_NUMERICALLY),
    ("norm2(A)**2 <= norm1(A) * norminf(A)", RECT, NM, Verdict.HOLDS_NUMERICALLY),
    ("nuclear(A) >= norm(A)", RECT, NM, Verdict.HOLDS_NUMERICALLY),
    ("eig(A, 1) == eigmax(A)", SYM, N, Verdict.CERTIFIED),
    ("eig(A, n) == eigmin(A)", SYM, N, Verdict.CERTIFIED),
    ("sigma(A, 1) == sigma_max(A)", RECT, NM, Verdict.HOLDS_NUMERICALLY),
]

FALSE = [
    ("diag(diagvec(A)) == A", SQ, {"n": [2, 3]}),
    ("hadamard(A, B) == A @ B", SQ, {"n": [2, 3]}),
    ("hadamard_pow(x, 2) == x", VEC, N),
    ("block([[A, B], [B, A]]) @ vstack(x, x) == vstack(A @ x, B @ x)", {**SQ, **VEC}, {"n": [1, 2]}),
    ("hadamard(step(x), x) == x", VEC, N),
    ("relu(x + y) == relu(x) + relu(y)", VEC, N),
    ("norm1(A) == norminf(A)", RECT, {"n": [2, 3], "m": [2, 3]}),
    ("norm(A) <= norm2(A)", RECT, {"n": [2, 3], "m": [2, 3]}),
    ("eig(A, 1) <= eigmin(A)", SYM, {"n": [2, 3]}),
    ("sigma(A, 2) >= sigma(A, 1)", RECT, {"n": [2, 3], "m": [2, 3]}),
    ("nuclear(A) <= norm2(A)", RECT, {"n": [2, 3], "m": [2, 3]}),
]

ORDER = [Verdict.PROVED, Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY]


@pytest.mark.parametrize("statement,vars,dims,strongest", TRUE, ids=[t[0] for t in TRUE])
def test_true_claims_hold_with_their_evidence(statement, vars, dims, strongest):
    r = check_claim(Claim("t", statement, dims=dims, vars=vars), CONFIG)
    assert r.verdict in ORDER, (r.verdict, r.message)
    assert r.counterexample is None
    # never stronger than the evidence allows: numeric-only operations are never proved or certified
    assert ORDER.index(r.verdict) >= ORDER.index(strongest), (r.verdict, strongest)
    if strongest is Verdict.PROVED:
        assert r.verdict is Verdict.PROVED, r.message


@pytest.mark.parametrize("statement,vars,dims", FALSE, ids=[t[0] for t in FALSE])
def test_false_claims_are_refuted_and_confirmed_independently(statement, vars, dims):
    r = check_claim(Claim("f", statement, dims=dims, vars=vars), CONFIG)
    assert r.verdict is Verdict.REFUTED, (r.verdict, r.message)
    assert relation_fails(statement, [], r.counterexample.to_json())


def test_derived_dimensions_name_vec_and_kron_sizes():
    c = Claim("vk", "vec(A @ X) + v == kron(eye(p), A) @ vec(X) + v",
              dims={"n": [1, 3], "p": [1, 2]},
              vars={"A": {"shape": ["n", "n"]}, "X": {"shape": ["n", "p"]}, "v": {"shape": ["n*p", 1]}})
    assert check_claim(c, CONFIG).verdict is Verdict.PROVED
    c2 = Claim("aug", "hstack(A, b) @ vstack(x, 1) == A @ x + b", dims={"n": [1, 3]},
               vars={"A": {"shape": ["n", "n"]}, "b": {"shape": ["n", 1]}, "x": {"shape": ["n", 1]},
                     "M": {"shape": ["n+1", "n"]}})
    assert check_claim(c2, CONFIG).verdict is Verdict.PROVED


@pytest.mark.parametrize("statement,vars,message", [
    ("diag(A) == A", {"A": {"shape": [2, 2]}}, "diag takes a vector"),
    ("diagvec(A) == A", {"A": {"shape": [2, 3]}}, "diagvec needs a square"),
    ("hadamard(A, B) == A", {"A": {"shape": [2, 2]}, "B": {"shape": [2, 3]}}, "same shape"),
    ("eig(A, 3) == 0", {"A": {"shape": [2, 2], "assume": ["symmetric"]}}, "outside 1..2"),
    ("sigma(A, 0) == 0", {"A": {"shape": [2, 3]}}, "outside 1..2"),
    ("hstack(A, B) == A", {"A": {"shape": [2, 2]}, "B": {"shape": [3, 2]}}, "equal row counts"),
    ("vstack(A, B) == A", {"A": {"shape": [2, 2]}, "B": {"shape": [2, 3]}}, "equal column counts"),
    ("hadamard_pow(A, A) == A", {"A": {"shape": [2, 2]}}, "p must be a scalar"),
])
def test_shape_errors_are_one_line_messages(statement, vars, message):
    r = check_claim(Claim("e", statement, vars=vars), CONFIG)
    assert r.verdict is Verdict.ERROR and message in r.message, r.message


def test_block_is_read_as_stacks_and_rejects_other_forms():
    node = parse_expression("block([[A, B], [C, D]])")
    assert unparse(node) == "vstack(hstack(A, B), hstack(C, D))"
    assert unparse(parse_expression("block([[A], [C]])")) == "vstack(A, C)"
    for bad in ("block(A)", "block([])", "block([A, B])", "block([[]])"):
        with pytest.raises(ClaimError, match="block takes"):
            parse_expression(bad)


def test_derived_dimension_errors():
    with pytest.raises(ClaimError, match="unknown dimension 'q'"):
        Claim("d", "x == x", dims={"n": 2}, vars={"x": {"shape": ["n*q", 1]}})
    with pytest.raises(ClaimError, match="only integers and dimension names"):
        Claim("d", "x == x", dims={"n": 2}, vars={"x": {"shape": ["n/2", 1]}})
    r = check_claim(Claim("d", "x == x", dims={"n": 2}, vars={"x": {"shape": ["n-2", 1]}}), CONFIG)
    assert r.verdict is Verdict.ERROR and "sizes must be positive" in r.message


def test_kth_values_in_every_field():
    rows = [[2, 1, 0], [1, 3, 1], [0, 1, 4]]          # eigenvalues 3 + sqrt 3, 3, 3 - sqrt 3
    want = [3 + 3 ** 0.5, 3.0, 3 - 3 ** 0.5]
    mp, fl = MpField(40), FloatField()
    with flint_bits(160):
        ball = BallField(160)
        for k in (1, 2, 3):
            for f in (mp, fl):
                assert abs(float(f.eig(f.from_rationals(rows), k)[0, 0]) - want[k - 1]) < 1e-12
                assert abs(float(f.sigma(f.from_rationals(rows), k)[0, 0]) - want[k - 1]) < 1e-12
            r3 = ball.num(Fraction(3)).sqrt()
            exact = [3 + r3, ball.num(Fraction(3)), 3 - r3][k - 1]
            e = ball.eig(ball.from_rationals(rows), k)[0, 0]
            assert e.overlaps(exact) and float(e.rad()) < 1e-30
        n = ball.nuclear(ball.from_rationals(rows))[0, 0]
        assert abs(float(n.mid()) - 9) < 1e-30 and n.overlaps(ball.num(Fraction(9)))
    with pytest.raises(NotExact, match="eig"):
        ExactField().eig(ExactField().from_rationals(rows), 1)


def test_kinks_are_never_guessed():
    """step is discontinuous at 0: balls that straddle 0 and mp values within rounding of 0 are undecided."""
    with flint_bits(100):
        ball = BallField(100)
        x = ball.from_rationals([[Fraction(1, 3)]]) - ball.from_rationals([[Fraction(1, 3)]])
        with pytest.raises(NotCertifiable, match="step"):
            ball.step(x)
        assert ball.step(ball.from_rationals([[0, -1, 2]])).tolist() == [[0, 0, 1]]
    mp = MpField(30)
    with pytest.raises(UndefinedValue, match="step"):
        mp.step(mp.from_rationals([[Fraction(1, 10 ** 20)]]))
    ex = ExactField()
    assert ex.step(ex.from_rationals([[0, Fraction(-1, 2), 3]])).tolist() == [[0, 0, 1]]
    assert ex.relu(ex.from_rationals([[Fraction(-1, 2), 3]])).tolist() == [[0, 3]]
    import sympy

    with pytest.raises(NotExact, match="relu"):
        ex.relu(ex.from_rationals([[0]]) + sympy.Symbol("t"))


def test_grad_through_new_linear_operations_and_a_quotient():
    # d/dx of x^T diag(d) x is 2 diag(d) x; the Rayleigh quotient's gradient vanishes at an eigenvector
    c = Claim("g", "grad(x.T @ diag(d) @ x, x) == 2 * hadamard(d, x)", dims={"n": [1, 3]},
              vars={"x": {"shape": ["n", 1]}, "d": {"shape": ["n", 1]}})
    assert check_claim(c, CONFIG).verdict is Verdict.PROVED
    rq = Claim(
        "rq",
        "grad((x.T @ A @ x) / (x.T @ x), x) == 2 * (A @ x - ((x.T @ A @ x) / (x.T @ x)) * x) / (x.T @ x)",
        dims={"n": [1, 3]},
        vars={"x": {"shape": ["n", 1]}, "A": {"shape": ["n", "n"], "assume": ["symmetric"]}},
    )
    r = check_claim(rq, CONFIG)
    assert r.verdict.holds and r.counterexample is None, r.message
    bad = Claim(
        "rq2",
        "grad((x.T @ A @ x) / (x.T @ x), x) == 2 * A @ x / (x.T @ x)",
        dims={"n": [2, 3]},
        vars={"x": {"shape": ["n", 1]}, "A": {"shape": ["n", "n"], "assume": ["symmetric"]}},
    )
    r2 = check_claim(bad, CONFIG)
    assert r2.verdict is Verdict.REFUTED


def test_nested_inverse_identities_get_a_verdict_quickly_and_are_not_proved_on_small_shapes_only():
    """Woodbury at n <= 3: the symbolic step would take minutes; the claim is certified on exact
    instances instead, and a wrong variant is refuted."""
    from verify.engines.symbolic import prove_identity

    vars = {
        "A": {"shape": ["n", "n"], "assume": ["invertible"]},
        "C": {"shape": ["k", "k"], "assume": ["invertible"]},
        "U": {"shape": ["n", "k"]},
        "V": {"shape": ["k", "n"]},
    }
    dims = {"n": [1, 3], "k": [1, 2]}
    st = "inv(A + U @ C @ V) == inv(A) - inv(A) @ U @ inv(inv(C) + V @ inv(A) @ U) @ V @ inv(A)"
    claim = Claim("woodbury", st, dims=dims, vars=vars)
    sym = prove_identity(claim)
    assert not sym.proved and "too large for a symbolic check" in sym.note
    r = check_claim(claim, CONFIG)
    assert r.verdict is Verdict.CERTIFIED, r.message
    bad = st.replace("inv(inv(C) +", "inv(C +")
    r2 = check_claim(Claim("woodbury_bad", bad, dims={"n": [1, 2], "k": [1, 2]}, vars=vars), CONFIG)
    assert r2.verdict is Verdict.REFUTED
    assert relation_fails(bad, [], r2.counterexample.to_json())


def test_mp_determinant_of_a_matrix_with_a_zero_pivot_column():
    """mpmath's LU raises TypeError when a pivot column is zero; the field eliminates on its own."""
    mp = MpField(30)
    assert mp.det(mp.from_rationals([[0, 1], [0, 2]]))[0, 0] == 0
    assert mp.det(mp.from_rationals([[2, 5, 1], [0, 0, 3], [0, 4, 1]]))[0, 0] == -24
