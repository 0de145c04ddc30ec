"""``FloatField``: numpy float64, for the fast counterexample search only (never for verdicts)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...errors import UndefinedValue
from . import spectral
from .base import Field


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

    def symmetric_or_fail(self, a, f: str) -> None:
        """As ``Field.symmetric_or_fail``; an overflowed (inf/nan) argument is undefined at this
        instance (the search skips it), never an ill-formed claim."""
        if a.size and not np.all(np.isfinite(a)):
            raise UndefinedValue(f"{f} of a float64 matrix with an overflowed entry")
        super().symmetric_or_fail(a, f)

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

    def eig(self, a, k):
        self.symmetric_or_fail(a, "eig")
        return self._s(np.linalg.eigvalsh((a + a.T) / 2)[::-1][k - 1])

    def sigma(self, a, k):
        return self._s(self._sv(a)[k - 1])

    def nuclear(self, a):
        return self._s(np.sum(self._sv(a)))

    def relu(self, a):
        return np.maximum(a, 0.0)

    def step(self, a):
        return (a > 0).astype(float)

    def ones(self, r, c):
        return np.ones((r, c))

    def hstack(self, *ms):
        return np.hstack(ms)

    def vstack(self, *ms):
        return np.vstack(ms)

    def proj(self, a):
        u, s, _ = np.linalg.svd(a, full_matrices=False)
        r = self._rank(s)
        return u[:, :r] @ u[:, :r].T

    def pinv(self, a):
        return np.linalg.pinv(a, rcond=1e-10)

    def expm(self, a):
        import scipy.linalg

        return scipy.linalg.expm(a)

    def _sym_eigh(self, a, name: str):
        if a.shape[0] != a.shape[1] or not self.is_symmetric(a):
            raise UndefinedValue(f"{name} of a non-symmetric matrix (its domain is symmetric matrices)")
        lams, q = np.linalg.eigh((a + a.T) / 2)
        tol = 1e-12 * float(np.max(np.abs(lams), initial=0.0))
        return [float(v) for v in lams], q.tolist(), tol

    def _symmetric_function(self, name, a):
        import math

        lams, q, tol = self._sym_eigh(a, name)
        return np.array(spectral.function(name, lams, q, math, tol), dtype=float).reshape(a.shape)

    def _symmetric_frechet(self, name, a, e):
        import math

        lams, q, tol = self._sym_eigh(a, name)
        return np.array(spectral.frechet(name, lams, q, e.tolist(), math, tol), dtype=float).reshape(a.shape)

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
