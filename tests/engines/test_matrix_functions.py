"""sqrtm and logm in every field, their Fréchet derivatives, and gradients through them.

Values are compared with references computed independently: SciPy's sqrtm/logm/expm_frechet, and
mpmath's general sqrtm/logm (Denman-Beavers, inverse scaling and squaring) applied to the
block-triangular matrix [[A, E], [0, A]] (whose upper-right block is L_f(A, E)); verify uses a
symmetric eigendecomposition (Daleckii-Krein) instead.  Central differences appear here only as a
test reference, never in verify.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.linalg

from verify.engines.evaluate import Evaluator
from verify.engines.fields import BallField, ExactField, FloatField, MpField, NotCertifiable, NotExact
from verify.errors import UndefinedValue
from verify.language.parser import parse_expression
from verify.precision import flint_bits

PD = [[Fraction(2), Fraction(1, 2), Fraction(0)], [Fraction(1, 2), Fraction(3), Fraction(1)],
      [Fraction(0), Fraction(1), Fraction(1)]]
E = [[Fraction(1), Fraction(-2), Fraction(1, 3)], [Fraction(0), Fraction(1, 2), Fraction(1)],
     [Fraction(3), Fraction(1), Fraction(-1)]]


def _f(rows):
    return np.array([[float(v) for v in r] for r in rows])


def _mp_block(name, a, e, dps=60):
    """L_f(a, e) as the upper-right block of mpmath's f([[a, e], [0, a]]) (independent algorithm)."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    n = len(a)
    big = ctx.matrix(2 * n, 2 * n)
    for i in range(n):
        for j in range(n):
            big[i, j] = big[n + i, n + j] = ctx.mpf(a[i][j].numerator) / a[i][j].denominator
            big[i, n + j] = ctx.mpf(e[i][j].numerator) / e[i][j].denominator
    out = getattr(ctx, name)(big)
    return np.array([[float(out[i, n + j]) for j in range(n)] for i in range(n)])


@pytest.mark.parametrize("name,ref", [("sqrtm", scipy.linalg.sqrtm), ("logm", scipy.linalg.logm)])
def test_values_agree_with_scipy_in_mp_and_float(name, ref):
    want = np.real(ref(_f(PD)))
    mp = MpField(40)
    got_mp = np.array(getattr(mp, name)(mp.from_rationals(PD)).tolist(), dtype=float)
    got_fl = getattr(FloatField(), name)(_f(PD))
    assert np.allclose(got_mp, want, rtol=1e-12, atol=1e-13)
    assert np.allclose(got_fl, want, rtol=1e-12, atol=1e-13)
    # and the defining identities at 40 digits
    v = getattr(mp, name)(mp.from_rationals(PD))
    back = mp.matmul(v, v) if name == "sqrtm" else mp.expm(v)
    assert max(abs(x - y) for x, y in zip(back.flat, mp.from_rationals(PD).flat)) < mpmath.mpf(10) ** -35


def test_exact_square_root_only_when_rational():
    ex = ExactField()
    r = ex.sqrtm(ex.from_rationals([[5, 4], [4, 5]]))
    assert [[int(v) for v in row] for row in r.tolist()] == [[2, 1], [1, 2]]
    r = ex.sqrtm(ex.from_rationals([[Fraction(1, 4), 0], [0, 9]]))
    assert r.tolist() == [[Fraction(1, 2), 0], [0, 3]]
    with pytest.raises(NotExact):
        ex.sqrtm(ex.from_rationals([[2, 0], [0, 1]]))
    assert ex.logm(ex.eye(2)).tolist() == [[0, 0], [0, 0]]
    with pytest.raises(NotExact):
        ex.logm(ex.from_rationals([[2, 0], [0, 1]]))
    # balls: exact (zero radius) where the exact field is; a certified diagonalisation when the
    # eigenvalues are isolated; NotCertifiable for a repeated eigenvalue or an inexact argument
    with flint_bits(200):
        bf = BallField(200)
        out = bf.sqrtm(bf.from_rationals([[5, 4], [4, 5]]))
        assert all(v.is_exact() for v in out.flat) and float(out[0, 1].mid()) == 1.0
        out = bf.sqrtm(bf.from_rationals([[2, 0], [0, 1]]))
        assert abs(float(out[0, 0].mid()) - 2 ** 0.5) < 1e-15
        assert out[0, 0].rad() < 1e-50 and 0 in out[0, 1]
        with pytest.raises(NotCertifiable, match="isolated"):
            bf.sqrtm(bf.from_rationals([[2, 0], [0, 2]]))
        with pytest.raises(NotCertifiable):
            bf.logm(bf.from_rationals([[Fraction(1, 10), 0], [0, 1]]))      # 1/10 is no binary ball


def test_ball_enclosures_contain_the_mp_values():
    mp = MpField(60)
    want_f = mp.sqrtm(mp.from_rationals(PD))
    want_l = mp.frechet("logm", mp.from_rationals(PD), mp.from_rationals(E))
    with flint_bits(220):
        bf = BallField(220)
        got_f = bf.matfun_exact_input("sqrtm", PD)
        got_l = bf.frechet_exact_input("logm", PD, bf.from_rationals(E))
    for got, want in ((got_f, want_f), (got_l, want_l)):
        for g, w in zip(got.flat, want.flat):
            assert abs(float(g.mid()) - float(w)) < 1e-14 and g.rad() < 1e-45


@pytest.mark.parametrize("rows,name", [
    ([[1, 2], [0, 1]], "sqrtm"),        # not symmetric
    ([[1, 2], [2, 1]], "sqrtm"),        # indefinite (eigenvalues 3, -1)
    ([[1, 1], [1, 1]], "logm"),         # psd but singular: log 0
    ([[0, 0], [0, -1]], "logm"),
])
def test_outside_the_domain_is_undefined_in_every_field(rows, name):
    ex, mp = ExactField(), MpField(30)
    for fld, a in ((ex, ex.from_rationals(rows)), (mp, mp.from_rationals(rows)),
                   (FloatField(), np.array(rows, dtype=float))):
        with pytest.raises(UndefinedValue):
            getattr(fld, name)(a)


@pytest.mark.parametrize("name", ["sqrtm", "logm", "expm"])
def test_frechet_derivative_matches_the_block_triangular_identity(name):
    want = _mp_block(name, PD, E)
    mp = MpField(40)
    got = np.array(mp.frechet(name, mp.from_rationals(PD), mp.from_rationals(E)).tolist(), dtype=float)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-13)
    got = FloatField().frechet(name, _f(PD), _f(E))
    assert np.allclose(got, want, rtol=1e-9, atol=1e-10)


def test_exact_frechet_of_a_rational_square_root_solves_the_sylvester_equation():
    ex = ExactField()
    a, e = ex.from_rationals([[5, 4], [4, 5]]), ex.from_rationals([[1, 2], [0, -1]])
    lx = ex.frechet("sqrtm", a, e)
    r = ex.sqrtm(a)
    assert (ex.add(ex.matmul(r, lx), ex.matmul(lx, r)) == e).all()       # R L + L R = E exactly
    want = _mp_block("sqrtm", [[Fraction(5), Fraction(4)], [Fraction(4), Fraction(5)]],
                     [[Fraction(1), Fraction(2)], [Fraction(0), Fraction(-1)]])
    assert np.allclose(np.array(lx.tolist(), dtype=float), want, rtol=1e-12)
    with pytest.raises(UndefinedValue, match="not differentiable"):
        ex.frechet("sqrtm", ex.from_rationals([[1, 0], [0, 0]]), e)


def _grad(text, values, fieldobj=None):
    fieldobj = fieldobj or FloatField()
    ev = Evaluator(fieldobj, values, {"n": 3})
    return np.array(ev(parse_expression(text)).tolist(), dtype=float)


def _central(fun, x, e, h=1e-6):
    return (fun(x + h * e) - fun(x - h * e)) / (2 * h)


@pytest.mark.parametrize("text,fun", [
    ("grad(tr(M @ sqrtm(X)), X)", lambda x, m: np.trace(m @ scipy.linalg.sqrtm(x))),
    ("grad(tr(M @ logm(X)), X)", lambda x, m: np.trace(m @ scipy.linalg.logm(x))),
    ("grad(norm(sqrtm(X) @ M)**2 + tr(expm(M @ X)), X)",
     lambda x, m: np.linalg.norm(scipy.linalg.sqrtm(x) @ m) ** 2 + np.trace(scipy.linalg.expm(m @ x))),
    ("grad(entry(expm(X), 1, 2) + entry(M @ sqrtm(X), 3, 1), X)",
     lambda x, m: scipy.linalg.expm(x)[0, 1] + (m @ scipy.linalg.sqrtm(x))[2, 0]),
    ("grad(log(det(sqrtm(X))) + tr(inv(logm(X + eye(n)))), X)",
     lambda x, m: np.log(np.linalg.det(scipy.linalg.sqrtm(x))) + np.trace(
         np.linalg.inv(scipy.linalg.logm(x + np.eye(3))))),
])
def test_reverse_mode_gradients_match_directional_differences(text, fun):
    x, m = _f(PD), np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0], [2.0, 1.0, -1.0]])
    g = _grad(text, {"X": x, "M": m})
    mpg = _grad(text, {"X": MpField(30).from_rationals(PD), "M": MpField(30).from_rationals(m.tolist())},
                MpField(30))
    assert np.allclose(g, mpg, rtol=1e-9, atol=1e-10)
    rng = np.random.default_rng(3)
    for _ in range(2):
        e = rng.normal(size=(3, 3))
        fd = np.real(_central(lambda y: fun(y, m), x, e))
        assert abs(np.sum(g * e) - fd) < 1e-6 * max(1.0, abs(fd))


def test_relu_and_step_gradients_and_their_kinks():
    y = np.array([[1.0, -2.0], [3.0, -0.5]])
    m = np.array([[2.0, 1.0], [-1.0, 4.0]])
    ev = Evaluator(FloatField(), {"Y": y, "M": m}, {"n": 2})
    assert np.array_equal(ev(parse_expression("grad(tr(M @ relu(Y)), Y)")), (y > 0) * m.T)
    assert np.array_equal(ev(parse_expression("grad(tr(M @ step(Y)) + tr(Y), Y)")), np.eye(2))
    ex = ExactField()
    ev0 = Evaluator(ex, {"Y": ex.from_rationals([[1, 0], [2, -1]]), "M": ex.from_rationals(m.astype(int))},
                    {"n": 2})
    for text in ("grad(tr(M @ relu(Y)), Y)", "grad(tr(M @ step(Y)), Y)"):
        with pytest.raises(UndefinedValue, match="kink"):
            ev0(parse_expression(text))
