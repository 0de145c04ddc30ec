"""Arithmetic back-ends ("fields") for evaluating claim expressions.

Every value is a 2-D numpy object (or float64) array; a scalar is 1 x 1.  The linear operations
(sums, products, transposes, vec, kron, trace) are shared; each field supplies its own scalars and
the non-linear operations (det, inv, eigenvalues, singular values, rank, projector, expm, ...).

* ``ExactField``    SymPy: rational numbers and symbols; exact.  Raises ``NotExact`` for what it
                    cannot do exactly (eigenvalues, singular values, transcendental values).
* ``MpField(dps)``  mpmath in a private context (no global precision state).
* ``BallField(prec)`` python-flint ``arb`` balls: every result is a rigorous enclosure.  Raises
                    ``NotCertifiable`` when an enclosure is too wide to decide or an operation has
                    no rigorous version here.
* ``FloatField``    numpy float64, for the fast counterexample search only (never for verdicts).

Conventions: ``vec`` stacks columns; ``norm`` is Frobenius (Euclidean on vectors); ``eigmin``/``eigmax``
need a symmetric argument; ``sigma_min`` is the min(r, c)-th singular value; ``sigma_small`` the
smallest non-zero one; ``proj(M)`` the orthogonal projector onto the column space of M.
Undefined values (inverse of a singular matrix, log of a non-positive number) raise
``verify.errors.UndefinedValue``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from fractions import Fraction

import numpy as np

from ..errors import ClaimError, UndefinedValue


class NotExact(Exception):
    """The exact field cannot compute this value exactly."""


class NotCertifiable(Exception):
    """The ball field cannot give a rigorous, decisive enclosure."""


MAX_EXP_ARG = 1e6          # exp and powers beyond exp(+-1e6) are outside the checked range


def _same_shape(a, b, op: str) -> None:
    """Entrywise + and - need equal shapes: numpy would broadcast silently."""
    if np.shape(a) != np.shape(b):
        from ..errors import ClaimError

        raise ClaimError(f"shape mismatch: {np.shape(a)} {op} {np.shape(b)}")


def _obj(rows) -> np.ndarray:
    a = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            a[i, j] = v
    return a


class Field(ABC):
    name = "field"
    dtype = object

    # --- scalars -----------------------------------------------------------------------------
    @abstractmethod
    def num(self, q: Fraction):
        """The field's scalar for an exact rational."""

    def zero(self):
        return self.num(Fraction(0))

    def one(self):
        return self.num(Fraction(1))

    def from_rationals(self, rows) -> np.ndarray:
        return _obj([[self.num(Fraction(v)) for v in r] for r in rows])

    def const(self, q: Fraction) -> np.ndarray:
        return _obj([[self.num(q)]])

    # --- shared linear algebra -------------------------------------------------------------------
    def eye(self, n: int) -> np.ndarray:
        a = self.zeros(n, n)
        for i in range(n):
            a[i, i] = self.one()
        return a

    def zeros(self, r: int, c: int) -> np.ndarray:
        a = np.empty((r, c), dtype=object)
        a.fill(self.zero())
        return a

    def add(self, a, b):
        _same_shape(a, b, "+")
        return a + b

    def sub(self, a, b):
        _same_shape(a, b, "-")
        return a - b

    def neg(self, a):
        return -a

    def matmul(self, a, b):
        if a.shape[1] == 0:
            return self.zeros(a.shape[0], b.shape[1])
        return a.dot(b)

    def scale(self, s, m):
        return m * s[0, 0]

    def div(self, m, s):
        d = s[0, 0]
        if self.is_zero(d):
            raise UndefinedValue("division by zero")
        return m * self.reciprocal(d)

    def reciprocal(self, d):
        return 1 / d

    def T(self, a):
        return a.T.copy()

    def vec(self, a):
        return a.reshape(-1, 1, order="F").copy()

    def kron(self, a, b):
        r1, c1 = a.shape
        r2, c2 = b.shape
        out = np.empty((r1 * r2, c1 * c2), dtype=self.dtype)
        for i in range(r1):
            for j in range(c1):
                out[i * r2:(i + 1) * r2, j * c2:(j + 1) * c2] = a[i, j] * b
        return out

    def tr(self, a):
        s = self.zero()
        for i in range(a.shape[0]):
            s = s + a[i, i]
        return self._s(s)

    def norm(self, a):
        s = self.zero()
        for v in a.flat:
            s = s + v * v
        return self.sqrt(self._s(s))

    def matpow(self, a, k: int):
        if k < 0:
            a, k = self.inv(a), -k
        out = self.eye(a.shape[0])
        base = a
        while k:
            if k & 1:
                out = self.matmul(out, base)
            base = self.matmul(base, base)
            k >>= 1
        return out

    def _s(self, v) -> np.ndarray:
        return _obj([[v]])

    def is_zero(self, v) -> bool:
        return v == 0

    def symmetric_or_fail(self, a, f: str) -> None:
        if a.shape[0] != a.shape[1]:
            raise ClaimError(f"{f} needs a square symmetric matrix")
        if not self.is_symmetric(a):
            raise ClaimError(f"{f} needs a symmetric argument (use it on A.T @ A, A + A.T, ...)")

    @abstractmethod
    def is_symmetric(self, a) -> bool:
        """Is ``a`` symmetric (exactly, or to the field's tolerance)?"""

    # scalar helpers for ordered real fields (mpmath, float64); exact and ball fields override them
    def min(self, *ss):
        return self._s(min(s[0, 0] for s in ss))

    def max(self, *ss):
        return self._s(max(s[0, 0] for s in ss))

    @staticmethod
    def _pow_domain(a, b):
        x, y = a[0, 0], b[0, 0]
        if x == 0 and y < 0:
            raise UndefinedValue("0 to a negative power")
        if x < 0 and y != int(y):
            raise UndefinedValue("a negative number to a fractional power")
        return x, y


# ----------------------------------------------------------------------------------------------
class ExactField(Field):
    """SymPy rationals and symbols.  Decides relations exactly when the value is rational."""

    name = "exact"

    def __init__(self) -> None:
        import sympy

        self.sp = sympy

    def num(self, q):
        q = Fraction(q)
        return self.sp.Rational(q.numerator, q.denominator)

    def _m(self, a):
        return self.sp.Matrix(a.tolist())

    def _back(self, m):
        return _obj(m.tolist()) if m.rows and m.cols else np.empty((m.rows, m.cols), dtype=object)

    def is_zero(self, v) -> bool:
        z = self.sp.simplify(v).is_zero if not getattr(v, "is_Rational", False) else v == 0
        if z is None:
            raise NotExact("cannot decide whether a divisor is zero")
        return bool(z)

    def reciprocal(self, d):
        return self.sp.Integer(1) / d

    def is_symmetric(self, a) -> bool:
        return all(self.sp.simplify(a[i, j] - a[j, i]) == 0 for i in range(a.shape[0]) for j in range(i))

    def _is_numeric(self, a) -> bool:
        return all(getattr(v, "is_Rational", False) for v in a.flat)

    def det(self, a):
        return self._s(self.sp.expand(self._m(a).det(method="berkowitz")))

    def inv(self, a):
        m = self._m(a)
        if self._is_numeric(a):
            if m.rank() < m.rows:
                raise UndefinedValue("inverse of a singular matrix")
            return self._back(m.inv(method="LU"))
        d = m.det(method="berkowitz")
        if self.sp.simplify(d) == 0:
            raise UndefinedValue("inverse of a singular matrix")
        adj = m.adjugate(method="berkowitz")
        return self._back(adj / d)

    def _require_numeric(self, a, f):
        if not self._is_numeric(a):
            raise NotExact(f"{f} of a symbolic matrix")

    def rank(self, a):
        self._require_numeric(a, "rank")
        return self._s(self.sp.Integer(self._m(a).rank()))

    def proj(self, a):
        self._require_numeric(a, "proj")
        m = self._m(a)
        _, piv = m.rref()
        if not piv:
            return self.zeros(m.rows, m.rows)
        c = m.extract(list(range(m.rows)), list(piv))
        return self._back(c * (c.T * c).inv() * c.T)

    def pinv(self, a):
        self._require_numeric(a, "pinv")
        return self._back(self._m(a).pinv())

    def sqrt(self, s):
        v = s[0, 0]
        if getattr(v, "is_Rational", False) and v < 0:
            raise UndefinedValue("square root of a negative number")
        return self._s(self.sp.sqrt(v))

    def exp(self, s):
        return self._s(self.sp.exp(s[0, 0]))

    def log(self, s):
        v = s[0, 0]
        if getattr(v, "is_Rational", False) and v <= 0:
            raise UndefinedValue("log of a non-positive number")
        return self._s(self.sp.log(v))

    def abs(self, s):
        return self._s(self.sp.Abs(s[0, 0]))

    def min(self, *ss):
        return self._s(self.sp.Min(*[s[0, 0] for s in ss]))

    def max(self, *ss):
        return self._s(self.sp.Max(*[s[0, 0] for s in ss]))

    def pow_scalar(self, a, b):
        x, y = a[0, 0], b[0, 0]
        if getattr(x, "is_Rational", False) and getattr(y, "is_Rational", False):
            if x == 0 and y < 0:
                raise UndefinedValue("0 to a negative power")
            if x < 0 and not y.is_Integer:
                raise UndefinedValue("a negative number to a fractional power")
            if y.is_Integer and abs(y) > 4096:
                raise NotExact("integer power too large for exact arithmetic")
            if y.is_Integer and (int(x.p).bit_length() + int(x.q).bit_length()) * abs(int(y)) > 4_000_000:
                raise NotExact("the exact power would have millions of digits")
        return self._s(x ** y)

    def _unsupported(self, f):
        def op(*_a):
            raise NotExact(f"{f} has no exact evaluation here")
        return op

    def __getattr__(self, f):
        if f in ("eigmin", "eigmax", "sigma_min", "sigma_max", "sigma_small", "expm"):
            return self._unsupported(f)
        raise AttributeError(f)


# ----------------------------------------------------------------------------------------------
class MpField(Field):
    """mpmath at ``dps`` decimal digits, in a private context."""

    name = "mpmath"

    def __init__(self, dps: int) -> None:
        import mpmath

        self.ctx = mpmath.MPContext()
        self.ctx.dps = dps
        self.dps = dps
        # singular values below this (relative to the largest) count as zero for rank decisions
        self.rank_tol = self.ctx.mpf(10) ** (-(dps // 2))

    def num(self, q):
        q = Fraction(q)
        return self.ctx.mpf(q.numerator) / q.denominator

    def _m(self, a):
        return self.ctx.matrix(a.tolist())

    def _back(self, m):
        return _obj([[m[i, j] for j in range(m.cols)] for i in range(m.rows)])

    def is_symmetric(self, a) -> bool:
        scale = 1 + max((abs(v) for v in a.flat), default=0)
        tol = self.ctx.mpf(10) ** (-(self.dps - 10)) * scale
        return all(abs(a[i, j] - a[j, i]) <= tol for i in range(a.shape[0]) for j in range(i))

    def det(self, a):
        try:
            return self._s(self.ctx.det(self._m(a)))
        except (TypeError, ZeroDivisionError):
            # mpmath's LU pivoting fails on a zero column (TypeError): eliminate with our own pivoting
            return self._s(self._det_gauss(a))

    def _det_gauss(self, a):
        """det by Gaussian elimination with partial pivoting; an all-zero pivot column gives 0."""
        n = a.shape[0]
        m = [[self.ctx.mpf(a[i, j]) for j in range(n)] for i in range(n)]
        det = self.ctx.mpf(1)
        for k in range(n):
            p = max(range(k, n), key=lambda i: abs(m[i][k]))
            if m[p][k] == 0:
                return self.ctx.mpf(0)
            if p != k:
                m[k], m[p] = m[p], m[k]
                det = -det
            det *= m[k][k]
            for i in range(k + 1, n):
                f = m[i][k] / m[k][k]
                for j in range(k, n):
                    m[i][j] -= f * m[k][j]
        return det

    def inv(self, a):
        s = self._svals(a)
        if not len(s) or s[-1] <= self.rank_tol * max(s[0], 1):
            raise UndefinedValue("inverse of a (numerically) singular matrix")
        return self._back(self.ctx.inverse(self._m(a)))

    def rank_type_exact(self, name: str, rows):
        """rank, sigma_small, proj or pinv of a matrix known exactly (rows of Fractions): the rank
        is exact (flint), never a threshold decision."""
        import flint

        if name in ("proj", "pinv"):
            ex = ExactField()
            m = getattr(ex, name)(ex.from_rationals(rows))
            return self.from_rationals([[Fraction(int(v.p), int(v.q)) for v in r] for r in m.tolist()])
        r = flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in row] for row in rows]).rank()
        if name == "rank":
            return self._s(self.ctx.mpf(r))
        if r == 0:
            raise UndefinedValue("sigma_small of a zero matrix")
        return self._s(self._svals(self.from_rationals(rows))[r - 1])

    def _svals(self, a):
        if a.size == 0:
            return []
        s = self.ctx.svd_r(self._m(a), compute_uv=False)
        return sorted((s[i] for i in range(len(s))), reverse=True)

    def _eigs(self, a, f):
        self.symmetric_or_fail(a, f)
        m = self._m(a)
        m = (m + m.T) / 2
        e = self.ctx.eigsy(m, eigvals_only=True)
        return [e[i] for i in range(len(e))]

    def eigmin(self, a):
        return self._s(min(self._eigs(a, "eigmin")))

    def eigmax(self, a):
        return self._s(max(self._eigs(a, "eigmax")))

    def sigma_max(self, a):
        return self._s(self._svals(a)[0])

    def sigma_min(self, a):
        return self._s(self._svals(a)[-1])

    def _rank(self, s) -> int:
        if not s or s[0] == 0:
            return 0
        return sum(1 for v in s if v > self.rank_tol * s[0])

    def sigma_small(self, a):
        s = self._svals(a)
        r = self._rank(s)
        if r == 0:
            raise UndefinedValue("sigma_small of a zero matrix")
        return self._s(s[r - 1])

    def rank(self, a):
        return self._s(self.ctx.mpf(self._rank(self._svals(a))))

    def proj(self, a):
        m = self._m(a)
        u, s, _ = self.ctx.svd_r(m, full_matrices=False)
        sv = [s[i] for i in range(len(s))]
        r = self._rank(sorted(sv, reverse=True))
        keep = [i for i in range(len(sv)) if sv[i] > self.rank_tol * max(sv)] if r else []
        n = a.shape[0]
        p = self.zeros(n, n)
        for k in keep:
            col = [u[i, k] for i in range(n)]
            for i in range(n):
                for j in range(n):
                    p[i, j] += col[i] * col[j]
        return p

    def pinv(self, a):
        m = self._m(a)
        u, s, v = self.ctx.svd_r(m, full_matrices=False)
        sv = [s[i] for i in range(len(s))]
        top = max(sv) if sv else 0
        out = self.zeros(a.shape[1], a.shape[0])
        for k, sk in enumerate(sv):
            if top and sk > self.rank_tol * top:
                for i in range(a.shape[1]):
                    for j in range(a.shape[0]):
                        out[i, j] += v[k, i] * u[j, k] / sk
        return out

    def expm(self, a):
        return self._back(self.ctx.expm(self._m(a)))

    def sqrt(self, s):
        v = s[0, 0]
        if v < 0:
            if v > -self.ctx.mpf(10) ** (-(self.dps - 10)):
                raise UndefinedValue("square root of a number indistinguishable from 0 but negative")
            raise UndefinedValue("square root of a negative number")
        return self._s(self.ctx.sqrt(v))

    def exp(self, s):
        if abs(s[0, 0]) > MAX_EXP_ARG:
            raise UndefinedValue(f"exp of an argument beyond +-{MAX_EXP_ARG:g} (outside the range checked)")
        return self._s(self.ctx.exp(s[0, 0]))

    def log(self, s):
        if s[0, 0] <= 0:
            raise UndefinedValue("log of a non-positive number")
        return self._s(self.ctx.log(s[0, 0]))

    def abs(self, s):
        return self._s(abs(s[0, 0]))

    def pow_scalar(self, a, b):
        x, y = self._pow_domain(a, b)
        if x != 0 and abs(y * self.ctx.log(abs(x))) > MAX_EXP_ARG:
            raise UndefinedValue("a power whose size is beyond exp(1e6) (outside the range checked)")
        return self._s(self.ctx.power(x, y))


# ----------------------------------------------------------------------------------------------
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
                if not (0 in d):
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

    def proj(self, a):
        ex = ExactField()
        return self.from_rationals([[Fraction(int(v.p), int(v.q)) for v in r]
                                    for r in ex.proj(ex.from_rationals(self._exact_rows(a))).tolist()])

    def pinv(self, a):
        ex = ExactField()
        return self.from_rationals([[Fraction(int(v.p), int(v.q)) for v in r]
                                    for r in ex.pinv(ex.from_rationals(self._exact_rows(a))).tolist()])

    def expm(self, a):
        return self._back(self._m(a).exp())

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


# ----------------------------------------------------------------------------------------------
class FloatField(Field):
    """numpy float64 (search only: its results never decide a verdict)."""

    name = "float64"
    dtype = float

    def num(self, q):
        return float(Fraction(q))

    def from_rationals(self, rows):
        return np.array([[float(Fraction(v)) for v in r] for r in rows], dtype=float).reshape(len(rows), -1)

    def const(self, q):
        return np.array([[float(q)]])

    def _s(self, v):
        return np.array([[float(v)]])

    def eye(self, n):
        return np.eye(n)

    def zeros(self, r, c):
        return np.zeros((r, c))

    def matmul(self, a, b):
        return a @ b

    def kron(self, a, b):
        return np.kron(a, b)

    def tr(self, a):
        return self._s(np.trace(a))

    def norm(self, a):
        return self._s(np.linalg.norm(a))

    def is_symmetric(self, a) -> bool:
        return bool(np.max(np.abs(a - a.T), initial=0.0) <= 1e-9 * (1 + np.max(np.abs(a), initial=0.0)))

    def det(self, a):
        return self._s(np.linalg.det(a))

    def inv(self, a):
        if np.linalg.cond(a) > 1e14:
            raise UndefinedValue("inverse of a (numerically) singular matrix")
        return np.linalg.inv(a)

    def _sv(self, a):
        return np.linalg.svd(a, compute_uv=False) if a.size else np.zeros(0)

    def _rank(self, s):
        return int(np.sum(s > 1e-10 * s[0])) if s.size and s[0] > 0 else 0

    def eigmin(self, a):
        self.symmetric_or_fail(a, "eigmin")
        return self._s(np.linalg.eigvalsh((a + a.T) / 2)[0])

    def eigmax(self, a):
        self.symmetric_or_fail(a, "eigmax")
        return self._s(np.linalg.eigvalsh((a + a.T) / 2)[-1])

    def sigma_min(self, a):
        return self._s(self._sv(a)[-1])

    def sigma_max(self, a):
        return self._s(self._sv(a)[0])

    def sigma_small(self, a):
        s = self._sv(a)
        r = self._rank(s)
        if r == 0:
            raise UndefinedValue("sigma_small of a zero matrix")
        return self._s(s[r - 1])

    def rank(self, a):
        return self._s(self._rank(self._sv(a)))

    def proj(self, a):
        u, s, _ = np.linalg.svd(a, full_matrices=False)
        r = self._rank(s)
        return u[:, :r] @ u[:, :r].T

    def pinv(self, a):
        return np.linalg.pinv(a, rcond=1e-10)

    def expm(self, a):
        import scipy.linalg

        return scipy.linalg.expm(a)

    def sqrt(self, s):
        if s[0, 0] < 0:
            raise UndefinedValue("square root of a negative number")
        return np.sqrt(s)

    def exp(self, s):
        with np.errstate(over="ignore"):
            return np.exp(s)

    def log(self, s):
        if s[0, 0] <= 0:
            raise UndefinedValue("log of a non-positive number")
        return np.log(s)

    def abs(self, s):
        return np.abs(s)

    def pow_scalar(self, a, b):
        x, y = self._pow_domain(a, b)
        with np.errstate(over="ignore"):
            return self._s(x ** y)

    def is_zero(self, v) -> bool:
        return v == 0
