"""``MpField(dps)``: mpmath at ``dps`` decimal digits in a private context (no global precision state).

Rank decisions (rank, proj, pinv, sigma_small, the singularity test of inv) count singular values
below 10^-(dps/2) times the largest as zero.
"""
from __future__ import annotations

from fractions import Fraction

from ...errors import UndefinedValue
from . import spectral
from .base import MAX_EXP_ARG, Field, NotExact, _obj


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

    def rank_type_exact(self, name: str, rows):
        """rank, sigma_small, proj or pinv of a matrix known exactly (rows of Fractions): the rank
        is exact (flint), never a threshold decision."""
        import flint

        from .exact import ExactField

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

    def inv(self, a):
        s = self._svals(a)
        if not len(s) or s[-1] <= self.rank_tol * max(s[0], 1):
            raise UndefinedValue("inverse of a (numerically) singular matrix")
        return self._back(self.ctx.inverse(self._m(a)))

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

    def eig(self, a, k):
        return self._s(sorted(self._eigs(a, "eig"), reverse=True)[k - 1])

    def sigma(self, a, k):
        return self._s(self._svals(a)[k - 1])

    def nuclear(self, a):
        return self._s(self.ctx.fsum(self._svals(a)))

    def relu(self, a):
        return self._entrywise(a, lambda x: x if x > 0 else self.ctx.mpf(0))

    def step(self, a):
        """1 where x > 0, else 0; a value within 10^-(dps/2) of 0 is undecidable here (rounding)."""
        def one(x):
            if abs(x) <= self.rank_tol:
                raise UndefinedValue("step at a value indistinguishable from 0 at this precision")
            return self.ctx.mpf(1 if x > 0 else 0)
        return self._entrywise(a, one)

    def expm(self, a):
        return self._back(self.ctx.expm(self._m(a)))

    # sqrtm, logm and their Fréchet derivatives: eigsy at 2 dps + 20 digits, so that the square root's
    # loss of half the digits near a zero eigenvalue still leaves the working precision
    def _work_dps(self) -> int:
        return 2 * self.dps + 20

    def _sym_eigh(self, a, name: str):
        """(eigenvalues, eigenvector rows, zero tolerance) of a symmetric ``a`` at the current precision;
        a matrix that is not symmetric to the field's tolerance is outside the domain (undefined)."""
        if a.shape[0] != a.shape[1] or not self.is_symmetric(a):
            raise UndefinedValue(f"{name} of a non-symmetric matrix (its domain is symmetric matrices)")
        n = a.shape[0]
        m = self._m(a)
        e, q = self.ctx.eigsy((m + m.T) / 2)
        lams = [e[i] for i in range(n)]
        top = max((abs(v) for v in lams), default=self.ctx.mpf(0))
        tol = self.ctx.mpf(10) ** (-(self.ctx.dps - 10)) * top
        return lams, [[q[i, k] for k in range(n)] for i in range(n)], tol

    def _symmetric_function(self, name, a):
        with self.ctx.workdps(self._work_dps()):
            lams, q, tol = self._sym_eigh(a, name)
            return _obj(spectral.function(name, lams, q, self.ctx, tol))

    def _symmetric_frechet(self, name, a, e):
        with self.ctx.workdps(self._work_dps()):
            lams, q, tol = self._sym_eigh(a, name)
            return _obj(spectral.frechet(name, lams, q, e.tolist(), self.ctx, tol))

    def matfun_exact_input(self, name: str, rows):
        """sqrtm or logm of a matrix known exactly (rows of Fractions): the domain (symmetric, psd / pd)
        is decided exactly; a rational square root is returned exactly; otherwise the eigensolver
        starts from the exact entries at 2 dps + 20 digits (no rounding of the input)."""
        from .exact import ExactField

        ex = ExactField()
        try:
            out = getattr(ex, name)(ex.from_rationals(rows))
            return self.from_rationals([[Fraction(int(v.p), int(v.q)) for v in r] for r in out.tolist()])
        except NotExact:
            pass
        with self.ctx.workdps(self._work_dps()):
            return self._symmetric_function(name, self.from_rationals(rows))

    def frechet_exact_input(self, name: str, rows, e):
        """L_f(a, e) (f = sqrtm | logm) for an ``a`` known exactly (rows of Fractions): the eigensolver
        starts from the exact entries at 2 dps + 20 digits, as in ``matfun_exact_input``."""
        with self.ctx.workdps(self._work_dps()):
            return self._symmetric_frechet(name, self.from_rationals(rows), e)

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
