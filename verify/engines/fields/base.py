"""The ``Field`` interface: one arithmetic back-end for evaluating claim expressions.

Every value is a 2-D numpy object (or float64) array; a scalar is 1 x 1.  The linear operations
(sums, products, transposes, vec, kron, trace, Frobenius norm, integer matrix powers) are shared
here; each field supplies its own scalars and every non-linear operation, declared below as an
abstract method (det, inv, pinv, proj, rank, eigenvalues, singular values, expm, sqrt, exp, log,
abs, scalar powers, the symmetry test).

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

from ...errors import ClaimError, UndefinedValue


class NotExact(Exception):
    """The exact field cannot compute this value exactly."""


class NotCertifiable(Exception):
    """The ball field cannot give a rigorous, decisive enclosure."""


MAX_EXP_ARG = 1e6          # exp and powers beyond exp(+-1e6) are outside the checked range


def _same_shape(a, b, op: str) -> None:
    """Entrywise + and - need equal shapes: numpy would broadcast silently."""
    if np.shape(a) != np.shape(b):
        raise ClaimError(f"shape mismatch: {np.shape(a)} {op} {np.shape(b)}")


def _obj(rows) -> np.ndarray:
    """A 2-D object array from a list of equal-length rows."""
    a = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            a[i, j] = v
    return a


class Field(ABC):
    """One arithmetic back-end; see the module docstring for the conventions."""

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

    # --- structural and entrywise operations (shared) ---------------------------------------------
    def ones(self, r: int, c: int) -> np.ndarray:
        """The r x c matrix of ones."""
        a = np.empty((r, c), dtype=self.dtype)
        a.fill(self.one())
        return a

    def diag(self, v):
        """The n x n diagonal matrix with the entries of an n x 1 (or 1 x n) ``v`` on its diagonal."""
        vals = list(v.flat)
        out = self.zeros(len(vals), len(vals))
        for i, x in enumerate(vals):
            out[i, i] = x
        return out

    def diagvec(self, a):
        """The diagonal of a square n x n ``a`` as an n x 1 column."""
        out = np.empty((a.shape[0], 1), dtype=self.dtype)
        for i in range(a.shape[0]):
            out[i, 0] = a[i, i]
        return out

    def hadamard(self, a, b):
        """The entrywise product of two r x c matrices."""
        return a * b

    def hadamard_pow(self, a, p):
        """Entrywise power a_ij ** p for a scalar ``p``, with the domain rules of ``pow_scalar``."""
        return self._entrywise(a, lambda x: self.pow_scalar(self._s(x), p)[0, 0])

    def hstack(self, *ms):
        """[M1 M2 ...]: matrices with equal row counts side by side."""
        return np.concatenate(ms, axis=1)

    def vstack(self, *ms):
        """[M1; M2; ...]: matrices with equal column counts stacked."""
        return np.concatenate(ms, axis=0)

    def norm1(self, a):
        """The induced 1-norm max_j sum_i |a_ij| (the vector 1-norm on an n x 1 column)."""
        cols = []
        for j in range(a.shape[1]):
            s = self.zero()
            for i in range(a.shape[0]):
                s = s + self.abs(self._s(a[i, j]))[0, 0]
            cols.append(self._s(s))
        return cols[0] if len(cols) == 1 else self.max(*cols)

    def norminf(self, a):
        """The induced infinity-norm max_i sum_j |a_ij| (max |x_i| on an n x 1 column)."""
        return self.norm1(self.T(a))

    def norm2(self, a):
        """The spectral norm: the largest singular value (Euclidean norm on a vector)."""
        return self.sigma_max(a)

    def _entrywise(self, a, fn):
        out = np.empty(a.shape, dtype=self.dtype)
        for idx in np.ndindex(*a.shape):
            out[idx] = fn(a[idx])
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

    # --- the non-linear operations every field supplies ------------------------------------------
    # Matrices are 2-D arrays; a scalar is a 1 x 1 array.  Undefined values raise UndefinedValue;
    # a field that cannot compute a value raises NotExact (exact) or NotCertifiable (ball).
    @abstractmethod
    def det(self, a):
        """det(a) for a square n x n ``a``; a 1 x 1 result."""

    @abstractmethod
    def inv(self, a):
        """a^-1 for a square invertible ``a`` (UndefinedValue when singular)."""

    @abstractmethod
    def pinv(self, a):
        """The Moore-Penrose pseudo-inverse of an r x c ``a``: a c x r matrix."""

    @abstractmethod
    def proj(self, a):
        """The orthogonal projector onto the column space of an r x c ``a``: r x r."""

    @abstractmethod
    def rank(self, a):
        """rank(a) as a 1 x 1 value."""

    @abstractmethod
    def eigmin(self, a):
        """Smallest eigenvalue of a symmetric ``a``."""

    @abstractmethod
    def eigmax(self, a):
        """Largest eigenvalue of a symmetric ``a``."""

    @abstractmethod
    def sigma_min(self, a):
        """The min(r, c)-th singular value of ``a`` (0 for a rank-deficient square matrix)."""

    @abstractmethod
    def sigma_max(self, a):
        """The largest singular value of ``a`` (the spectral norm)."""

    @abstractmethod
    def sigma_small(self, a):
        """The smallest non-zero singular value of ``a`` (UndefinedValue for a zero matrix)."""

    @abstractmethod
    def expm(self, a):
        """The matrix exponential of a square ``a``."""

    @abstractmethod
    def sqrt(self, s):
        """Square root of a 1 x 1 value (UndefinedValue when negative)."""

    @abstractmethod
    def exp(self, s):
        """exp of a 1 x 1 value."""

    @abstractmethod
    def log(self, s):
        """Natural log of a 1 x 1 value (UndefinedValue when not positive)."""

    @abstractmethod
    def abs(self, s):
        """|s| of a 1 x 1 value."""

    @abstractmethod
    def pow_scalar(self, a, b):
        """a ** b for 1 x 1 values (UndefinedValue for 0 ** negative, negative ** fractional)."""

    @abstractmethod
    def eig(self, a, k: int):
        """The k-th largest eigenvalue (k = 1 the largest) of a symmetric n x n ``a``, 1 <= k <= n."""

    @abstractmethod
    def sigma(self, a, k: int):
        """The k-th largest singular value (k = 1 the largest) of an r x c ``a``, 1 <= k <= min(r, c)."""

    @abstractmethod
    def nuclear(self, a):
        """The nuclear (trace) norm: the sum of the singular values."""

    @abstractmethod
    def relu(self, a):
        """Entrywise max(x, 0)."""

    @abstractmethod
    def step(self, a):
        """Entrywise step: 1 where x > 0, 0 where x <= 0 (so step(0) = 0)."""

    # --- primary matrix functions and their Fréchet derivatives ------------------------------------
    # expm of any square matrix; sqrtm (principal square root) of a symmetric psd and logm (principal
    # logarithm) of a symmetric pd matrix: Q f(Lambda) Q^T for a = Q Lambda Q^T.  Outside that domain the
    # value is undefined (UndefinedValue), never a violation.
    def sqrtm(self, a):
        """The principal square root of a symmetric psd n x n ``a``: the unique psd R with R @ R == a."""
        return self._symmetric_function("sqrtm", a)

    def logm(self, a):
        """The principal logarithm of a symmetric pd n x n ``a``: the unique symmetric L with expm(L) == a."""
        return self._symmetric_function("logm", a)

    def frechet(self, name: str, a, e):
        """The Fréchet derivative L_f(a, e) of f = expm | sqrtm | logm at ``a`` in the direction ``e``
        (both n x n): f(a + t e) = f(a) + t L_f(a, e) + O(t^2).

        It is the upper-right block of f([[a, e], [0, a]]) (the block-triangular identity).  For
        expm that block is computed as it stands; for sqrtm and logm, whose ``a`` is symmetric
        (a = Q diag(lam) Q^T), the same block is the Daleckii-Krein formula
        L_f(a, e) = Q (F o (Q^T e Q)) Q^T with F_ij = (f(lam_i) - f(lam_j)) / (lam_i - lam_j)
        (f'(lam_i) when lam_i == lam_j), which fields with a symmetric eigensolver use.
        The adjoint of L_f(a, .) in the Frobenius inner product is L_f(a^T, .)."""
        if name == "expm":
            n = a.shape[0]
            big = self.vstack(self.hstack(a, e), self.hstack(self.zeros(n, n), a))
            return self.expm(big)[:n, n:].copy()
        return self._symmetric_frechet(name, a, e)

    @abstractmethod
    def _symmetric_function(self, name: str, a):
        """sqrtm or logm of ``a`` (UndefinedValue outside the symmetric psd / pd domain)."""

    @abstractmethod
    def _symmetric_frechet(self, name: str, a, e):
        """L_sqrtm(a, e) or L_logm(a, e) at a symmetric ``a`` (UndefinedValue outside the domain or
        where f is not differentiable: sqrtm at a singular matrix)."""

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
