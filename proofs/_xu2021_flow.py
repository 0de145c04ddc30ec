"""High-precision reference gradient flow for the linear GNN: Taylor series in ball arithmetic.

The flow dθ/dt = -grad L(θ), θ = (W, B_(1), ..., B_(H)), has a polynomial right-hand side, so the
Taylor coefficients of θ(t) about t0 follow from Cauchy products of matrix series:

    θ_{k+1} = -(grad L)_k / (k + 1),

with (grad L)_k computed from the coefficients 0..k of the prefix products B_(l)...B_(1) and the
suffix products W B_(H)...B_(l+1).  Each step takes ``order`` terms and the step size
h = 0.5 (tol / max(|θ_K|, |θ_{K-1}|^{K/(K-1)}))^{1/K} (a Jorba-Zou style choice: truncation error
~ tol per step).  Arithmetic is python-flint ``arb_mat`` at ``prec`` bits (fast C matrix products);
the midpoint is kept after every step, so the balls say nothing about the truncation error.  The
accuracy of a run is measured by comparing it with a second run at another order and tolerance
(:func:`state_distance`): ~1e-40 on the 32-parameter instance of the proof in about a second.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import flint
import mpmath
import numpy as np

from ._xu2021_model import Instance


def _arb(a: np.ndarray) -> flint.arb_mat:
    from fractions import Fraction

    def one(x):
        if isinstance(x, Fraction):
            return flint.arb(x.numerator) / x.denominator
        return flint.arb(float(x))
    a = np.atleast_2d(a)
    return flint.arb_mat(a.shape[0], a.shape[1], [one(x) for x in a.ravel()])


def _zeros_like(a: flint.arb_mat) -> flint.arb_mat:
    return flint.arb_mat(a.nrows(), a.ncols())


def _cauchy(A: list, B: list, k: int) -> flint.arb_mat:
    """k-th coefficient of the product of the series A and B (coefficients 0..k known)."""
    out = A[0] * B[k]
    for j in range(1, k + 1):
        out = out + A[j] * B[k - j]
    return out


def _maxabs(m: flint.arb_mat) -> float:
    return max(abs(float(x.mid())) for x in m.entries())


@dataclass
class FlowPoint:
    t: float
    W: mpmath.matrix
    Bs: list


class TaylorFlow:
    """Gradient flow of L = ||W B_H...B_1 G - Y||_F^2 from the instance's initial weights."""

    def __init__(self, inst: Instance, *, prec: int = 200, order: int = 30, tol: float = 1e-40):
        self.inst, self.prec, self.order, self.tol = inst, prec, order, tol
        with _Prec(prec):
            self.G = _arb(inst.G())
            self.Y = _arb(inst.Y)
            self.GT = self.G.transpose()

    def _series(self, W0, B0s):
        """Taylor coefficients [θ_0..θ_K] of every parameter about the current point."""
        K, H = self.order, len(B0s)
        Wc, Bc = [W0], [[B] for B in B0s]
        P = [[] for _ in range(H + 1)]          # P[l] = B_l...B_1 (l >= 1)
        PT = [[] for _ in range(H + 1)]         # their transposes
        Q = [[] for _ in range(H + 1)]          # Q[l] = W B_H...B_(l+1) (Q[H] = W)
        QT = [[] for _ in range(H + 1)]
        TT = [[] for _ in range(H + 1)]         # TT[l] = grad_{W~}L (B_(l-1)...B_1)^T (l >= 2)
        gWt: list = []
        zeroY = _zeros_like(self.Y)
        for k in range(K):
            for l in range(1, H + 1):
                P[l].append(Bc[0][k] if l == 1 else _cauchy(Bc[l - 1], P[l - 1], k))
                PT[l].append(P[l][k].transpose())
            Q[H].append(Wc[k])
            for l in range(H - 1, -1, -1):
                Q[l].append(_cauchy(Q[l + 1], Bc[l], k))
            for l in range(1, H + 1):
                QT[l].append(Q[l][k].transpose())
            R_k = Q[0][k] * self.G - (self.Y if k == 0 else zeroY)
            gWt.append(2 * (R_k * self.GT))
            gW_k = _cauchy(gWt, PT[H], k)
            Wc.append(gW_k * flint.arb(-1) / (k + 1))
            for l in range(1, H + 1):
                if l == 1:
                    Tser = gWt
                else:
                    TT[l].append(_cauchy(gWt, PT[l - 1], k))
                    Tser = TT[l]
                gB_k = _cauchy(QT[l], Tser, k)
                Bc[l - 1].append(gB_k * flint.arb(-1) / (k + 1))
        return Wc, Bc

    def _eval(self, coeffs: list, h: flint.arb) -> flint.arb_mat:
        out = coeffs[-1]
        for c in reversed(coeffs[:-1]):
            out = out * h + c
        return out

    def run(self, T_end: float, *, max_step: float = 0.25, max_steps: int = 20000) -> list[FlowPoint]:
        """Integrate to T_end; return the state at every step end (t = 0 first).

        Raises ``ArithmeticError`` when more than ``max_steps`` steps would be needed (the step size
        collapsed, e.g. near a blow-up): a check calling it then ends as ``error``, never as a pass.
        """
        with _Prec(self.prec):
            W = _arb(self.inst.W)
            Bs = [_arb(B) for B in self.inst.Bs]
            t = flint.arb(0)
            pts = [self._point(0.0, W, Bs)]
            K = self.order
            last = False
            while not last:
                if len(pts) > max_steps:
                    raise ArithmeticError(f"Taylor flow: more than {max_steps} steps before t = {T_end}")
                Wc, Bc = self._series(W, Bs)
                top = max(_maxabs(Wc[K]), *(_maxabs(b[K]) for b in Bc))
                sub = max(_maxabs(Wc[K - 1]), *(_maxabs(b[K - 1]) for b in Bc))
                est = max(top, sub ** (K / (K - 1)), 1e-300)
                h = min(0.5 * (self.tol / est) ** (1.0 / K), max_step)
                last = h >= T_end - float(t.mid())
                ha = flint.arb(T_end) - t if last else flint.arb(h)
                W = self._eval(Wc, ha)
                Bs = [self._eval(b, ha) for b in Bc]
                t = flint.arb(T_end) if last else t + ha
                W, Bs = _mid(W), [_mid(B) for B in Bs]
                pts.append(self._point(float(t.mid()), W, Bs))
            return pts

    def _point(self, t: float, W, Bs) -> FlowPoint:
        return FlowPoint(t, _to_mp(W), [_to_mp(B) for B in Bs])


def _mid(m: flint.arb_mat) -> flint.arb_mat:
    return m.mid()


def _to_mp(m: flint.arb_mat) -> mpmath.matrix:
    out = mpmath.matrix(m.nrows(), m.ncols())
    for i in range(m.nrows()):
        for j in range(m.ncols()):
            out[i, j] = _arb_to_mpf(m[i, j])
    return out


def _arb_to_mpf(x: flint.arb) -> mpmath.mpf:
    man, exp = x.mid().man_exp()
    return mpmath.mpf(int(man)) * mpmath.mpf(2) ** int(exp)


class _Prec:
    """Set python-flint's global precision for a block (it is global state) and restore it."""

    def __init__(self, prec: int) -> None:
        self.prec = prec

    def __enter__(self):
        self.old = flint.ctx.prec
        flint.ctx.prec = self.prec
        return self

    def __exit__(self, *exc):
        flint.ctx.prec = self.old
        return False


def state_distance(a: Sequence[FlowPoint], b: Sequence[FlowPoint]) -> mpmath.mpf:
    """max-norm distance between the final states of two runs."""
    x, y = a[-1], b[-1]
    d = max(abs(u - v) for u, v in zip(_flat(x), _flat(y)))
    return d


def _flat(p: FlowPoint) -> list:
    out = [p.W[i, j] for i in range(p.W.rows) for j in range(p.W.cols)]
    for B in p.Bs:
        out += [B[i, j] for i in range(B.rows) for j in range(B.cols)]
    return out
