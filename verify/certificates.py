"""Rigorous certificates on float64 data, in ball arithmetic (python-flint ``arb``)."""
from __future__ import annotations

import numpy as np


def min_eig_lower_bound(mat, prec: int = 120) -> float:
    """A rigorous lower bound μ for λ_min of the (exactly represented) symmetric float64 matrix ``mat``.

    μ = ½ λ_min(float64 estimate); M − μI is then shown positive definite by an LDLᵀ factorisation in
    ball arithmetic: every pivot's lower endpoint > 0 proves λ_min(M) > μ.  Returns μ, or −inf when
    the certificate fails (λ_min estimated <= 0, or a pivot's ball contains 0).
    """
    import flint

    a = np.asarray(mat, float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"min_eig_lower_bound needs a square matrix, got shape {a.shape}")
    mu = 0.5 * float(np.linalg.eigvalsh(a)[0])
    if mu <= 0:
        return float("-inf")
    n = a.shape[0]
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        m = [
            [flint.arb(float(a[i, j])) - (flint.arb(mu) if i == j else 0) for j in range(n)] for i in range(n)
        ]
        for k in range(n):
            piv = m[k][k]
            if not piv > 0:
                return float("-inf")
            for i in range(k + 1, n):
                f = m[i][k] / piv
                for j in range(k + 1, n):
                    m[i][j] = m[i][j] - f * m[k][j]
    finally:
        flint.ctx.prec = old
    return mu
