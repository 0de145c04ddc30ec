"""``BallField(prec)``: python-flint ``arb`` balls; every result is a rigorous enclosure.

Raises ``NotCertifiable`` when an enclosure is too wide to decide or an operation has no rigorous
version here.  Rank decisions (rank, sigma_small, proj, pinv) need exact (zero-radius) input and are
done in exact rational arithmetic.
"""
from __future__ import annotations

from fractions import Fraction

from ...errors import UndefinedValue
from .base import MAX_EXP_ARG, Field, NotCertifiable, NotExact, _obj
from .exact import ExactField


class BallField(Field):
    """python-flint ``arb`` balls at ``prec`` bits: rigorous enclosures of every value."""

    name = "arb"

    def __init__(self, prec_bits: int) -> None:
        import flint

        self.flint = flint
        self.prec = prec_bits

    def num(self, q):
        q = Fraction(q)
        return self.flint.arb(self.flint.fmpq(q.numerator, q.denominator))

    def _m(self, a):
        return self.flint.arb_mat(a.tolist())

    def _back(self, m):
        return _obj([[m[i, j] for j in range(m.ncols())] for i in range(m.nrows())])

    def _check(self, v):
        if not v.is_finite():
            raise NotCertifiable("an enclosure is not finite")
        return v

    def is_zero(self, v) -> bool:
        if v.is_exact() and v == 0:
            return True
        if 0 in v:
            raise NotCertifiable("cannot decide whether a divisor is zero")
        return False

    def is_symmetric(self, a) -> bool:
        for i in range(a.shape[0]):
            for j in range(i):
                d = a[i, j] - a[j, i]
                if 0 not in d:
                    return False
        return True

    def rank_type_exact(self, name: str, rows):
        """rank, sigma_small, proj or pinv of a matrix known exactly (rows of Fractions), e.g. one
        whose decimal entries a binary ball cannot hold exactly."""
        self._rows_override = rows
        try:
            return getattr(self, name)(None)
        finally:
            self._rows_override = None

    def _exact_rows(self, a):
        """Exact rational entries, or NotCertifiable (rank decisions need exact input)."""
        if getattr(self, "_rows_override", None) is not None:
            return self._rows_override
        rows = []
        for r in a.tolist():
            out = []
            for v in r:
                if not v.is_exact():
                    raise NotCertifiable("a rank decision on a non-exact matrix")
                man, exp = v.mid().man_exp()
                out.append(Fraction(int(man)) * (Fraction(2) ** int(exp)))
            rows.append(out)
        return rows

    def det(self, a):
        return self._s(self._check(self._m(a).det()))

    def inv(self, a):
        try:
            return self._back(self._m(a).inv())
        except ZeroDivisionError:
            raise NotCertifiable("cannot certify that the matrix is invertible") from None

    def _eigs(self, a, f):
        if not self.is_symmetric(a):
            raise NotCertifiable(f"{f}: cannot certify a symmetric argument")
        try:
            ev = self.flint.acb_mat(self._m(a)).eig(multiple=True)
        except (ValueError, ZeroDivisionError):
            raise NotCertifiable(f"{f}: eigenvalue enclosure failed") from None
        return [self._check(e.real) for e in ev]

    def eigmin(self, a):
        e = self._eigs(a, "eigmin")
        out = e[0]
        for v in e[1:]:
            out = out.min(v)
        return self._s(out)

    def eigmax(self, a):
        e = self._eigs(a, "eigmax")
        out = e[0]
        for v in e[1:]:
            out = out.max(v)
        return self._s(out)

    def _kth_largest(self, balls, k: int):
        """A rigorous enclosure of the k-th largest of the values enclosed by ``balls``.

        The k-th largest is monotone in each value, so it lies between the k-th largest lower
        bound and the k-th largest upper bound.
        """
        lo = sorted((b.lower() for b in balls), reverse=True)[k - 1]
        hi = sorted((b.upper() for b in balls), reverse=True)[k - 1]
        return self.flint.arb(lo).union(self.flint.arb(hi))

    def eig(self, a, k):
        return self._s(self._check(self._kth_largest(self._eigs(a, "eig"), k)))

    def sigma(self, a, k):
        g = [e.nonnegative_part() for e in self._gram_eigs(a)]
        return self._s(self._check(self._kth_largest(g, k).nonnegative_part().sqrt()))

    def nuclear(self, a):
        s = self.flint.arb(0)
        for e in self._gram_eigs(a):
            s = s + e.nonnegative_part().sqrt()
        return self._s(self._check(s))

    def relu(self, a):
        return self._entrywise(a, lambda x: x.max(self.flint.arb(0)))

    def step(self, a):
        def one(x):
            if x > 0:
                return self.flint.arb(1)
            if x < 0 or (x.is_exact() and x == 0):
                return self.flint.arb(0)
            raise NotCertifiable("step of an enclosure that contains 0")
        return self._entrywise(a, one)

    def _gram_eigs(self, a):
        g = self.matmul(self.T(a), a) if a.shape[0] >= a.shape[1] else self.matmul(a, self.T(a))
        return self._eigs(g, "singular values")

    def sigma_max(self, a):
        e = self._gram_eigs(a)
        out = e[0]
        for v in e[1:]:
            out = out.max(v)
        return self._s(out.nonnegative_part().sqrt())

    def sigma_min(self, a):
        e = self._gram_eigs(a)
        out = e[0]
        for v in e[1:]:
            out = out.min(v)
        return self._s(out.nonnegative_part().sqrt())

    def _fmpq_mat(self, rows):
        return self.flint.fmpq_mat([[self.flint.fmpq(v.numerator, v.denominator) for v in r] for r in rows])

    def rank(self, a):
        return self._s(self.flint.arb(self._fmpq_mat(self._exact_rows(a)).rank()))

    def sigma_small(self, a):
        m = self._fmpq_mat(self._exact_rows(a))
        g = m.transpose() * m if m.nrows() >= m.ncols() else m * m.transpose()
        r = m.rank()
        if r == 0:
            raise UndefinedValue("sigma_small of a zero matrix")
        n = g.nrows()
        p = g.charpoly()
        coeffs = p.coeffs()[n - r:]                       # divide by x^(n - r): the zero eigenvalues
        roots = [z for z, _mult in self.flint.fmpq_poly(coeffs).numer().complex_roots()]
        lo = None
        for z in roots:
            re = self.flint.arb(z.real)
            lo = re if lo is None else lo.min(re)
        return self._s(self._check(lo.nonnegative_part().sqrt()))

    def _via_exact(self, a, op: str):
        """Apply ExactField's ``op`` (proj or pinv) to an exact ``a``; the result is exact balls."""
        ex = ExactField()
        out = getattr(ex, op)(ex.from_rationals(self._exact_rows(a)))
        return self.from_rationals([[Fraction(int(v.p), int(v.q)) for v in r] for r in out.tolist()])

    def proj(self, a):
        return self._via_exact(a, "proj")

    def pinv(self, a):
        return self._via_exact(a, "pinv")

    def expm(self, a):
        return self._back(self._m(a).exp())

    # sqrtm / logm: rigorous only from an exact argument (its domain decided exactly): a rational value
    # exactly; otherwise a certified diagonalisation a = R diag(lam) L (acb_mat.eig with left and right
    # eigenvectors, L = R^-1, every eigenvalue isolated in its own ball): f(a) = R diag(f(lam)) L and
    # L_f(a, e) = R (F o (L e R)) L (Daleckii-Krein, F the divided differences of f).  A repeated or
    # unisolated eigenvalue, an eigenvalue ball reaching 0, or an inexact argument: NotCertifiable.
    def _via_exact_matfun(self, name: str, rows, e=None):
        ex = ExactField()
        a = ex.from_rationals(rows)
        try:
            if e is None:
                out = getattr(ex, name)(a)
            else:
                out = ex.frechet(name, a, ex.from_rationals(self._exact_rows(e)))
        except NotExact:
            return self._certified_spectral(name, rows, e)
        except NotCertifiable:                          # e is not exact: the domain is still decided
            ex._sym_domain(name, a)
            return self._certified_spectral(name, rows, e)
        return self.from_rationals([[Fraction(int(v.p), int(v.q)) for v in r] for r in out.tolist()])

    def _certified_spectral(self, name: str, rows, e=None):
        fl = self.flint
        n = len(rows)
        a = fl.acb_mat(fl.arb_mat(self._fmpq_mat(rows)))
        try:
            lam, left, right = a.eig(left=True, right=True)
        except (ValueError, NotImplementedError, ZeroDivisionError):
            raise NotCertifiable(f"{name}: the eigenvalues could not be isolated") from None
        if not all(v.real > 0 for v in lam):
            raise NotCertifiable(f"{name}: an eigenvalue enclosure reaches 0")
        fv = [v.sqrt() if name == "sqrtm" else v.log() for v in lam]
        if e is None:
            mid = fl.acb_mat(n, n)
            for k in range(n):
                mid[k, k] = fv[k]
        else:
            m = left * fl.acb_mat(self._m(e)) * right
            mid = fl.acb_mat(n, n)
            for i in range(n):
                for j in range(n):
                    if i == j:
                        d = 1 / (2 * fv[i]) if name == "sqrtm" else 1 / lam[i]
                    elif name == "sqrtm":
                        d = 1 / (fv[i] + fv[j])
                    else:
                        d = (fv[i] - fv[j]) / (lam[i] - lam[j])
                    mid[i, j] = d * m[i, j]
        out = right * mid * left
        vals = [[out[i, j] for j in range(n)] for i in range(n)]
        if not all(0 in v.imag for r in vals for v in r):
            raise NotCertifiable(f"{name}: the enclosure is not real")
        return _obj([[self._check(v.real) for v in r] for r in vals])

    def matfun_exact_input(self, name: str, rows):
        return self._via_exact_matfun(name, rows)

    def frechet_exact_input(self, name: str, rows, e):
        return self._via_exact_matfun(name, rows, e)

    def _symmetric_function(self, name, a):
        return self._via_exact_matfun(name, self._exact_rows(a))

    def _symmetric_frechet(self, name, a, e):
        return self._via_exact_matfun(name, self._exact_rows(a), e)

    def sqrt(self, s):
        v = s[0, 0]
        if v < 0:
            raise UndefinedValue("square root of a negative number")
        if not v >= 0:
            raise NotCertifiable("sqrt of an enclosure that contains negative numbers")
        return self._s(self._check(v.sqrt()))

    def exp(self, s):
        if not abs(s[0, 0]) < MAX_EXP_ARG:
            raise NotCertifiable("exp of a huge argument")
        return self._s(self._check(s[0, 0].exp()))

    def log(self, s):
        v = s[0, 0]
        if not v > 0:
            raise NotCertifiable("log of an enclosure that reaches 0")
        return self._s(self._check(v.log()))

    def abs(self, s):
        return self._s(abs(s[0, 0]))

    def min(self, *ss):
        out = ss[0][0, 0]
        for s in ss[1:]:
            out = out.min(s[0, 0])
        return self._s(out)

    def max(self, *ss):
        out = ss[0][0, 0]
        for s in ss[1:]:
            out = out.max(s[0, 0])
        return self._s(out)

    def pow_scalar(self, a, b):
        x, y = a[0, 0], b[0, 0]
        if y.is_exact() and y.is_integer():
            k = int(y.unique_fmpz())
            if k >= 0:
                return self._s(self._check(x ** k))
            if 0 in x:
                raise NotCertifiable("negative power of an enclosure containing 0")
            return self._s(self._check(1 / x ** (-k)))
        if not x > 0:
            raise NotCertifiable("fractional power of an enclosure that reaches 0")
        return self._s(self._check((y * x.log()).exp()))
