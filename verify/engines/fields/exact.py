"""``ExactField``: SymPy rationals and symbols; exact.

Raises ``NotExact`` for what it cannot do exactly (irrational eigenvalues, singular values, expm,
deciding whether a symbolic divisor is zero); a rational eigenvalue of a rational symmetric matrix is
exact.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...errors import UndefinedValue
from .base import Field, NotExact, _obj


MAX_EXACT_EIG_N = 8  # exact rational eigenvalues (factoring the characteristic polynomial) up to this n


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
        """Is a divisor zero?  A number must be decided; an expression in symbols (a gradient or a
        symbolic identity) is zero only when it simplifies to 0 -- as with ``inv``, the result is
        then a rational function, and each instance it is evaluated at is checked on its own."""
        if getattr(v, "is_Rational", False):
            return v == 0
        z = self.sp.simplify(v).is_zero
        if z is None:
            if getattr(v, "free_symbols", None):
                return False
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

    @staticmethod
    def _no_exact(f: str):
        raise NotExact(f"{f} has no exact evaluation here")

    def _rational_eigenvalue(self, a, k: int, f: str):
        """The k-th largest eigenvalue (with multiplicity) of a symmetric rational ``a`` when that
        eigenvalue is rational -- e.g. the exact 0 of a singular psd matrix, which a ball can never
        decide; ``NotExact`` otherwise (irrational, symbolic entries, n > ``MAX_EXACT_EIG_N``).

        The characteristic polynomial is factored over Q: linear factors give the rational roots; the
        other roots are isolated in rational intervals refined until no rational root lies in them,
        so the order of all n real roots (a symmetric matrix has no others) is decided exactly."""
        n = a.shape[0]
        if not self._is_numeric(a) or n == 0 or n > MAX_EXACT_EIG_N:
            self._no_exact(f)
        self.symmetric_or_fail(a, f)
        try:
            ordered = self._ordered_roots(a)
        except (ArithmeticError, ValueError, NotImplementedError,
                self.sp.polys.polyerrors.BasePolynomialError):
            ordered = None                     # sympy could not isolate the roots: not exact here
        if ordered is None or len(ordered) != n:
            self._no_exact(f)
        value, is_rational = ordered[n - k]
        if not is_rational:
            self._no_exact(f)
        return self._s(self.sp.Rational(value))

    def _ordered_roots(self, a) -> list[tuple[object, bool]] | None:
        """The real roots of det(xI - a), ascending with multiplicity: (value, True) for a rational
        root, (an isolating interval's lower end, False) for an irrational one; None when the roots
        could not be separated (within a bounded number of refinements)."""
        sp = self.sp
        x = sp.Symbol("x")
        poly = sp.Poly(self._m(a).charpoly(x).as_expr(), x, domain="QQ")
        rational, irr = [], []               # irr: [factor, lo, hi, multiplicity]
        for fac, mult in poly.factor_list()[1]:
            if fac.degree() == 1:
                rational.append((-fac.nth(0) / fac.nth(1), mult))
            else:                            # irreducible over Q: square-free, roots irrational
                irr += [[fac, lo, hi, mult] for (lo, hi), _ in fac.intervals()]

        def clash(i: int) -> bool:
            _, lo, hi, _ = irr[i]
            return (lo >= hi or any(lo <= r <= hi for r, _ in rational)
                    or any(j != i and not (hi < irr[j][1] or irr[j][2] < lo) for j in range(len(irr))))

        for _ in range(200):
            bad = [i for i in range(len(irr)) if clash(i)]
            if not bad:
                break
            for i in bad:
                fac, lo, hi, _ = irr[i]
                irr[i][1], irr[i][2] = fac.refine_root(lo, hi, eps=(hi - lo) / 4 if hi > lo else None)
        else:
            return None
        items = [(r, r, m, True) for r, m in rational] + [(lo, hi, m, False) for _, lo, hi, m in irr]
        return [(lo, ok) for lo, _, m, ok in sorted(items, key=lambda t: (t[0], t[1])) for _ in range(m)]

    def eigmin(self, a):
        return self._rational_eigenvalue(a, a.shape[0], "eigmin")

    def eigmax(self, a):
        return self._rational_eigenvalue(a, 1, "eigmax")

    def sigma_min(self, a):
        self._no_exact("sigma_min")

    def sigma_max(self, a):
        self._no_exact("sigma_max")

    def sigma_small(self, a):
        self._no_exact("sigma_small")

    def expm(self, a):
        self._no_exact("expm")

    # sqrtm / logm: the domain is decided exactly; the value is exact only when it is rational (a
    # rational square root, found by rounding a 120-digit eigensolver result and verified exactly:
    # R symmetric, R @ R == a, R psd; the log of I), otherwise NotExact
    def _sym_domain(self, name: str, a) -> None:
        self._require_numeric(a, name)
        if a.shape[0] != a.shape[1] or not self.is_symmetric(a):
            raise UndefinedValue(f"{name} of a non-symmetric matrix (its domain is symmetric matrices)")
        m = self._m(a)
        if name == "sqrtm" and not m.is_positive_semidefinite:
            raise UndefinedValue("sqrtm of a matrix that is not psd")
        if name == "logm" and not m.is_positive_definite:
            raise UndefinedValue("logm of a matrix that is not pd")

    def _symmetric_function(self, name, a):
        self._sym_domain(name, a)
        n = a.shape[0]
        if name == "logm":
            if self._m(a) == self.sp.eye(n):
                return self.zeros(n, n)
            self._no_exact("logm (irrational unless the argument is I)")
        return self._rational_sqrtm(a)

    def _rational_sqrtm(self, a):
        import mpmath

        ctx = mpmath.MPContext()
        ctx.dps = 120
        n = a.shape[0]
        m = ctx.matrix([[ctx.mpf(int(v.p)) / int(v.q) for v in r] for r in a.tolist()])
        e, q = ctx.eigsy(m)
        root = [ctx.sqrt(e[k]) if e[k] > 0 else ctx.mpf(0) for k in range(n)]

        def rat(x) -> Fraction:
            man, exp = ctx.mpf(x).man_exp if x != 0 else (0, 0)
            return (Fraction(int(man)) * Fraction(2) ** int(exp)).limit_denominator(10**30)

        cand = [[rat(sum(q[i, k] * root[k] * q[j, k] for k in range(n))) for j in range(n)] for i in range(n)]
        r = self.from_rationals([[cand[min(i, j)][max(i, j)] for j in range(n)] for i in range(n)])
        rm = self._m(r)
        if rm * rm != self._m(a) or not rm.is_positive_semidefinite:
            self._no_exact("sqrtm (the square root is irrational)")
        return r

    def _symmetric_frechet(self, name, a, e):
        r = self._symmetric_function(name, a)          # the domain, and NotExact unless rational
        if name == "logm":
            return e.copy()                           # L_log(I, E) = E
        # differentiating R(t)^2 = a + t e: R L + L R = E, i.e. (I kron R + R^T kron I) vec L = vec E
        n = a.shape[0]
        rm = self._m(r)
        k = self.sp.kronecker_product(self.sp.eye(n), rm) + self.sp.kronecker_product(rm.T, self.sp.eye(n))
        if k.rank() < n * n:
            raise UndefinedValue("sqrtm is not differentiable at a singular psd matrix")
        v = k.LUsolve(self._m(self.vec(e)))
        return self._back(v.reshape(n, n).T)            # un-vec (vec stacks columns)

    def eig(self, a, k):
        return self._rational_eigenvalue(a, int(k), "eig")

    def sigma(self, a, k):
        self._no_exact("sigma")

    def nuclear(self, a):
        self._no_exact("nuclear")

    def _kink(self, x, f: str):
        if not getattr(x, "is_Rational", False):
            raise NotExact(f"{f} of a symbolic value (not differentiable at 0; no symbolic form here)")
        return x

    def relu(self, a):
        return self._entrywise(a, lambda x: max(self._kink(x, "relu"), self.sp.Integer(0)))

    def step(self, a):
        return self._entrywise(a, lambda x: self.sp.Integer(1 if self._kink(x, "step") > 0 else 0))
