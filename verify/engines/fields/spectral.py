"""sqrtm and logm of a symmetric matrix and their Fréchet derivatives from an eigendecomposition.

For a symmetric a = Q diag(lam) Q^T (Q orthogonal) and f = sqrt or log:

* f(a) = Q diag(f(lam)) Q^T (the principal square root needs lam >= 0, the principal log lam > 0);
* L_f(a, e) = Q (F o (Q^T e Q)) Q^T with the first divided differences
  F_ij = (f(lam_i) - f(lam_j)) / (lam_i - lam_j), F_ii = f'(lam_i)  (Daleckii-Krein).  For sqrt,
  F_ij = 1 / (sqrt(lam_i) + sqrt(lam_j)) (no cancellation; undefined when both are 0: sqrtm is not
  differentiable at a singular matrix in every direction); for log, F_ij = log1p(u) / (u lam_j) with
  u = (lam_i - lam_j) / lam_j (no cancellation for close eigenvalues; 1/lam_j at u = 0).

The arithmetic is whatever ``ops`` supplies (mpmath's context, or ``math`` for float64): these helpers
work on plain Python lists of the field's scalars.  ``zero_tol`` is the size below which a computed
eigenvalue counts as 0 (rounding): a psd argument's tiny negative eigenvalue is clamped to 0 for sqrt, and
an eigenvalue within ``zero_tol`` of 0 makes log undefined.
"""
from __future__ import annotations

from typing import Any, Sequence

from ...errors import UndefinedValue


def _f(name: str, lam, ops, zero_tol):
    if name == "sqrtm":
        if lam < -zero_tol:
            raise UndefinedValue("sqrtm of a matrix with a negative eigenvalue (not psd)")
        return ops.sqrt(lam) if lam > 0 else lam * 0
    if lam <= zero_tol:
        raise UndefinedValue("logm of a matrix with an eigenvalue <= 0 (not pd)")
    return ops.log(lam)


def _dd(name: str, li, lj, ops, zero_tol):
    """The divided difference f[li, lj] (f'(li) when li == lj)."""
    if name == "sqrtm":
        si = ops.sqrt(li) if li > zero_tol else li * 0
        sj = ops.sqrt(lj) if lj > zero_tol else lj * 0
        if si + sj == 0:
            raise UndefinedValue("sqrtm is not differentiable at a singular psd matrix")
        return 1 / (si + sj)
    if li == lj:
        return 1 / li
    u = (li - lj) / lj
    return ops.log1p(u) / (u * lj)


def function(name: str, lams: Sequence[Any], q: Sequence[Sequence[Any]], ops, zero_tol) -> list[list[Any]]:
    """f(a) = Q diag(f(lam)) Q^T as rows (q[i][k] is entry i of eigenvector k)."""
    n = len(lams)
    vals = [_f(name, lam, ops, zero_tol) for lam in lams]
    return [[sum(q[i][k] * vals[k] * q[j][k] for k in range(n)) for j in range(n)] for i in range(n)]


def frechet(name: str, lams: Sequence[Any], q: Sequence[Sequence[Any]], e: Sequence[Sequence[Any]], ops,
            zero_tol) -> list[list[Any]]:
    """L_f(a, e) = Q (F o (Q^T e Q)) Q^T as rows, for a = Q diag(lam) Q^T (module docstring)."""
    for lam in lams:
        _f(name, lam, ops, zero_tol)            # the domain: psd for sqrt, pd for log
    n = len(lams)
    qt_e = [[sum(q[k][i] * e[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    m = [[sum(qt_e[i][k] * q[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    f = [[_dd(name, lams[i], lams[j], ops, zero_tol) for j in range(n)] for i in range(n)]
    h = [[f[i][j] * m[i][j] for j in range(n)] for i in range(n)]
    qh = [[sum(q[i][k] * h[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    return [[sum(qh[i][k] * q[j][k] for k in range(n)) for j in range(n)] for i in range(n)]
