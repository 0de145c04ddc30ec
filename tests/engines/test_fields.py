"""The four arithmetic fields agree, and balls enclose the high-precision values."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.engines.fields import BallField, ExactField, FloatField, MpField, NotCertifiable, NotExact
from verify.precision import flint_bits
from verify.errors import ClaimError, UndefinedValue

fracs = st.fractions(min_value=-5, max_value=5, max_denominator=6)


@st.composite
def square(draw, n=None, sym=False):
    n = n or draw(st.integers(1, 3))
    rows = [[draw(fracs) for _ in range(n)] for _ in range(n)]
    if sym:
        rows = [[(rows[i][j] + rows[j][i]) / 2 for j in range(n)] for i in range(n)]
    return rows


def _f(x):
    return float(mpmath.mpf(x)) if not hasattr(x, "mid") else float(x.mid())


OPS = ["det", "tr", "norm", "sigma_max", "sigma_min", "rank", "expm"]


@settings(max_examples=25)
@given(square(), st.sampled_from(OPS))
def test_mp_and_float_agree(rows, op):
    mp, fl = MpField(40), FloatField()
    a = getattr(mp, op)(mp.from_rationals(rows))
    b = getattr(fl, op)(fl.from_rationals(rows))
    assert np.allclose(
        np.array([[float(v) for v in r] for r in a.tolist()], dtype=float), b, rtol=1e-8, atol=1e-8
    )


@settings(max_examples=25)
@given(square(sym=True), st.sampled_from(["eigmin", "eigmax", "sigma_min", "sigma_max", "det", "norm"]))
def test_balls_enclose_high_precision_values(rows, op):
    mp = MpField(60)
    with flint_bits(200):
        bf = BallField(200)
        try:
            ball = getattr(bf, op)(bf.from_rationals(rows))[0, 0]
        except NotCertifiable:
            return
        val = getattr(mp, op)(mp.from_rationals(rows))[0, 0]
        lo, hi = ball.lower(), ball.upper()
        assert float(lo) - 1e-30 <= float(val) <= float(hi) + 1e-30
        assert float(ball.rad()) < 1e-40


@settings(max_examples=25)
@given(square())
def test_exact_inverse_and_projector(rows):
    ex = ExactField()
    a = ex.from_rationals(rows)
    p = ex.proj(a)
    assert (p.dot(p) == p).all() and (p.T == p).all()
    assert (p.dot(a) == a).all()
    try:
        inv = ex.inv(a)
    except UndefinedValue:
        assert ex.rank(a)[0, 0] < len(rows)
        return
    assert (inv.dot(a) == ex.eye(len(rows))).all()


def test_exact_field_refuses_what_it_cannot_do_exactly():
    ex = ExactField()
    with pytest.raises(NotExact):
        ex.eigmin(ex.from_rationals([[1, 1], [1, 2]]))        # (3 - sqrt 5) / 2
    with pytest.raises(NotExact):
        ex.sigma_max(ex.from_rationals([[2, 1], [1, 2]]))


@pytest.mark.parametrize("rows, eigs", [
    ([[2, 1], [1, 2]], [3, 1]),
    ([[1, 1], [1, 1]], [2, 0]),                                 # the exact 0 a ball cannot decide
    ([[2, 0, 0], [0, 1, 1], [0, 1, 1]], [2, 2, 0]),             # a repeated eigenvalue
    ([[0, 0, 0], [0, 2, 1], [0, 1, 3]], [None, None, 0]),       # irrational 5/2 +- sqrt(5)/2 around 0
    ([[Fraction(1, 3), 0], [0, Fraction(-1, 7)]], [Fraction(1, 3), Fraction(-1, 7)]),
])
def test_exact_field_rational_eigenvalues_are_exact(rows, eigs):
    """eig(a, k) is exact when the k-th eigenvalue is rational (else NotExact), in the right order."""
    ex = ExactField()
    a = ex.from_rationals(rows)
    for k, want in enumerate(eigs, start=1):
        if want is None:
            with pytest.raises(NotExact):
                ex.eig(a, k)
        else:
            assert ex.eig(a, k)[0, 0] == want
    assert ex.eigmax(a)[0, 0] == eigs[0] if eigs[0] is not None else True
    assert ex.eigmin(a)[0, 0] == eigs[-1]
    with pytest.raises(ClaimError, match="symmetric"):
        ex.eigmin(ex.from_rationals([[1, 2], [0, 1]]))


def test_sigma_small_and_rank_on_rank_deficient():
    rows = [[1, 2], [2, 4], [0, 0]]
    mp, fl = MpField(50), FloatField()
    with flint_bits(200):
        bf = BallField(200)
        assert float(bf.sigma_small(bf.from_rationals(rows))[0, 0].mid()) == pytest.approx(5.0)
        assert float(bf.rank(bf.from_rationals(rows))[0, 0].mid()) == 1
    assert float(mp.sigma_small(mp.from_rationals(rows))[0, 0]) == pytest.approx(5.0)
    assert fl.rank(fl.from_rationals(rows))[0, 0] == 1
    with pytest.raises(UndefinedValue):
        mp.sigma_small(mp.from_rationals([[0, 0], [0, 0]]))


def test_vec_stacks_columns_and_kron_blocks():
    fl = FloatField()
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert fl.vec(a).ravel().tolist() == [1.0, 3.0, 2.0, 4.0]
    ex = ExactField()
    k = ex.kron(
        ex.from_rationals([[1, 2]]),
        ex.from_rationals([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]]),
    )
    assert k.shape == (2, 4) and k[0, 2] == 2 and k[1, 3] == 2


def test_undefined_values():
    mp = MpField(30)
    with pytest.raises(UndefinedValue):
        mp.inv(mp.from_rationals([[1, 2], [2, 4]]))
    with pytest.raises(UndefinedValue):
        mp.log(mp.const(Fraction(0)))
    with pytest.raises(UndefinedValue):
        mp.sqrt(mp.const(Fraction(-1)))


def test_field_declares_the_whole_interface():
    """Every operation the evaluator calls by name is an abstract method of Field, implemented by
    each field class itself (no run-time ``__getattr__``)."""
    from verify.engines.evaluate import _UNARY
    from verify.engines.fields.base import Field

    declared = Field.__abstractmethods__
    shared = {"tr", "norm", "diag", "diagvec", "norm1", "norm2", "norminf"}   # built from the others
    assert (_UNARY - shared) <= declared
    assert all(callable(vars(Field).get(op)) for op in shared)
    assert {"eig", "sigma", "nuclear", "relu", "step"} <= declared
    # sqrtm / logm and their Fréchet derivatives (shared wrappers over two abstract hooks)
    assert {"_symmetric_function", "_symmetric_frechet"} <= declared
    assert all(callable(vars(Field).get(op)) for op in ("sqrtm", "logm", "frechet"))
    for cls in (ExactField, MpField, BallField, FloatField):
        assert "__getattr__" not in vars(cls)
        assert not cls.__abstractmethods__


def test_exact_field_refuses_inexact_operations():
    ex = ExactField()
    a = ex.from_rationals([[1, 1], [1, 2]])           # irrational eigenvalues (3 +- sqrt 5) / 2
    for op in ("eigmin", "eigmax", "sigma_min", "sigma_max", "sigma_small", "expm"):
        with pytest.raises(NotExact, match=op):
            getattr(ex, op)(a)


def test_ball_proj_and_pinv_are_exact():
    """proj and pinv of an exact matrix are computed in rationals: tight balls around the exact values."""
    b = BallField(128)
    a = b.from_rationals([[1, 2], [2, 4]])
    proj = [[Fraction(1, 5), Fraction(2, 5)], [Fraction(2, 5), Fraction(4, 5)]]   # u u^T, u = (1, 2)/sqrt 5
    pinv = [[Fraction(1, 25), Fraction(2, 25)], [Fraction(2, 25), Fraction(4, 25)]]   # A^T / ||A||_F^2
    for got, want in ((b.proj(a), proj), (b.pinv(a), pinv)):
        for v, w in zip(got.flat, [x for r in want for x in r]):
            assert v.overlaps(b.num(w))
            assert abs(float(v.mid()) - float(w)) < 1e-15 and float(v.rad()) < 1e-15


def test_float_search_overflow_is_undefined_not_an_ill_formed_claim():
    """expm of a large symmetric argument overflows in float64 (the search's field): eigmin of the
    inf matrix is undefined at that instance, never 'needs a symmetric argument' for the claim."""
    from verify import CheckConfig, Claim, check_claim

    with pytest.raises(UndefinedValue):
        FloatField().eigmin(np.array([[np.inf]]))
    with pytest.raises(ClaimError, match="symmetric"):
        FloatField().eigmin(np.array([[1.0, 2.0], [0.0, 1.0]]))
    claim = Claim("overflow", "eigmin(expm(Y)) > 0", dims={"n": 1},
                  vars={"Y": {"shape": ["n", "n"], "assume": ["symmetric"]}})
    r = check_claim(claim, CheckConfig(instances=4, time_limit=20))
    assert r.verdict.value in ("proved", "certified"), r.message
