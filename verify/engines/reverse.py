"""Reverse-mode gradients in any field: grad(f, X) for a scalar f through matrix functions and kinks.

``grad`` is differentiated symbolically entry by entry (``verify.engines.evaluate``) unless f contains
a function with no symbolic form there: ``expm``, ``sqrtm``, ``logm``, ``relu`` or ``step``.  Then
the gradient is accumulated by the chain rule on the expression tree, in the field of the evaluation
(exact, balls, mpmath or float64), from the forward values of every node.  The adjoint of a node
is a matrix of the node's shape; the adjoint of f itself is the 1 x 1 matrix [1]; a variable's
adjoint is the sum over its occurrences.  With <A, B> = tr(A^T B) the rules are

    A + B, A - B, -A    G, +-G                A^T        G^T
    A @ B               G B^T, A^T G          s * M      <G, M>, s G
    M / s               G / s, -<G, M / s> / s
    s ** p (scalars)    G p s^(p-1), G s^p log s          A ** k     sum_i (A^T)^i G (A^T)^(k-1-i)
    tr(A)               g I                   det(A)     g det(A) A^-T
    inv(A) = B          -B^T G B^T            norm(A)    g A / norm(A)
    vec, diag, diagvec, hstack, vstack, kron, entry   the transposed linear maps
    hadamard(A, B)      G o B, G o A          hadamard_pow(A, p)   G o p A^(p-1)   (p free of X)
    sqrt, exp, log, abs the scalar derivatives (abs: undefined at 0)
    min, max            G to the argument attained (undefined at a tie)
    relu(A)             G o step(A)   (undefined where an entry is 0: the kink)
    step(A)             0             (undefined where an entry is 0)
    expm, sqrtm, logm   L_f(A^T, G)   the adjoint Fréchet derivative (``Field.frechet``)

The last line is exact: the Fréchet derivative L_f(A, E) is the upper-right block of
f([[A, E], [0, A]]), and for a primary matrix function the adjoint of L_f(A, .) in the Frobenius
inner product is L_f(A^T, .).  No finite differences are used.  Functions outside this list (eigen and
singular values, rank-type functions, a nested grad) are a ClaimError here.
"""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ClaimError, UndefinedValue
from ..language.parser import Node, unparse
from ..language.shapes import int_value

if TYPE_CHECKING:                      # pragma: no cover
    from .evaluate import Evaluator

# a gradient of an f containing one of these is taken in reverse mode
REVERSE_FUNCTIONS = frozenset({"expm", "sqrtm", "logm", "relu", "step"})
MATRIX_FUNCTIONS = ("expm", "sqrtm", "logm")


def _inner(f, a, b):
    """<a, b> = sum_ij a_ij b_ij as a 1 x 1 value."""
    s = f.zero()
    for x, y in zip(a.flat, b.flat):
        s = s + x * y
    return f._s(s)


def _kinks(f, a, what: str):
    """step(a) entrywise; an entry that is exactly 0 (neither > 0 nor < 0) is a kink: undefined."""
    pos = f.step(a)
    neg = f.step(f.neg(a))
    for p, n in zip(pos.flat, neg.flat):
        if p == 0 and n == 0:
            raise UndefinedValue(f"derivative of {what} at 0 (a kink)")
    return pos, neg


def reverse_gradient(ev: "Evaluator", fnode: Node, xname: str):
    """The gradient of the scalar ``fnode`` with respect to the variable ``xname`` (X's shape)."""
    f = ev.field
    acc = [f.zeros(*np.shape(ev.values[xname]))]

    def val(node: Node):
        return ev(node)

    def push(node: Node, g) -> None:
        if xname not in node.names():
            return
        op = node.op
        args = node.args
        if op == "name":
            acc[0] = f.add(acc[0], g)
        elif op == "add":
            push(args[0], g)
            push(args[1], g)
        elif op == "sub":
            push(args[0], g)
            push(args[1], f.neg(g))
        elif op == "neg":
            push(args[0], f.neg(g))
        elif op == "T":
            push(args[0], f.T(g))
        elif op == "matmul":
            a, b = val(args[0]), val(args[1])
            push(args[0], f.matmul(g, f.T(b)))
            push(args[1], f.matmul(f.T(a), g))
        elif op == "mul":
            a, b = val(args[0]), val(args[1])
            s_node, m_node, s, m = (args[0], args[1], a, b) if a.shape == (1, 1) else (args[1], args[0], b, a)
            push(s_node, _inner(f, g, m))
            push(m_node, f.scale(s, g))
        elif op == "div":
            s = val(args[1])
            push(args[0], f.div(g, s))
            if xname in args[1].names():
                push(args[1], f.neg(f.div(_inner(f, g, val(node)), s)))
        elif op == "pow":
            _push_pow(node, g)
        elif op == "call":
            _push_call(node, g)
        else:
            raise ClaimError(f"grad through {unparse(node)!r} is not supported")

    def _push_pow(node: Node, g) -> None:
        a_node, b_node = node.args
        a = val(a_node)
        if a.shape == (1, 1):
            b = val(b_node)
            if xname in a_node.names():
                d = f.scale(b, f.pow_scalar(a, f.sub(b, f.const(Fraction(1)))))
                push(a_node, f.matmul(g, d))
            if xname in b_node.names():
                push(b_node, f.matmul(g, f.matmul(val(node), f.log(a))))
            return
        k = int(b_node.value)
        if k == 0:
            return
        m = a if k > 0 else f.inv(a)
        mt = f.T(m)
        powers = [f.eye(a.shape[0])]
        for _ in range(abs(k) - 1):
            powers.append(f.matmul(powers[-1], mt))
        gm = f.zeros(*a.shape)
        for i in range(abs(k)):
            gm = f.add(gm, f.matmul(f.matmul(powers[i], g), powers[abs(k) - 1 - i]))
        if k < 0:                                   # through m = inv(a): -m^T gm m^T
            gm = f.neg(f.matmul(f.matmul(mt, gm), mt))
        push(a_node, gm)

    def _push_call(node: Node, g) -> None:
        name = node.value
        args = node.args
        if name in ("grad", "grad_sym", "grad_entries_sym"):
            raise ClaimError(
                f"grad of an expression containing {name} is not supported through "
                f"{', '.join(sorted(REVERSE_FUNCTIONS))} (second derivatives need the symbolic path)"
            )
        if name in MATRIX_FUNCTIONS:
            if name != "expm" and ev.exact_values is not None and hasattr(f, "frechet_exact_input"):
                rows = ev._exact_argument(args[0])      # an exact argument: no input rounding
                if rows is not None:
                    push(args[0], f.frechet_exact_input(name, [list(r) for r in zip(*rows)], g))
                    return
            at = f.T(val(args[0]))
            if name == "expm":
                n = at.shape[0]
                ev._observe_inside("expm", f.vstack(f.hstack(at, g), f.hstack(f.zeros(n, n), at)))
            push(args[0], f.frechet(name, at, g))
            return
        if name in ("relu", "step"):
            pos, _ = _kinks(f, val(args[0]), name)
            if name == "relu":
                push(args[0], f.hadamard(g, pos))
            return
        if name in ("min", "max"):
            vals = [val(a) for a in args]
            won = None
            for i, vi in enumerate(vals):
                diffs = [f.sub(vi, vj) if name == "max" else f.sub(vj, vi)
                         for j, vj in enumerate(vals) if j != i]
                if all(f.step(d)[0, 0] != 0 for d in diffs):
                    won = i
                    break
            if won is None:
                raise UndefinedValue(f"derivative of {name} at a tie (a kink)")
            push(args[won], g)
            return
        if name in ("hstack", "vstack"):
            axis = 1 if name == "hstack" else 0
            start = 0
            for a in args:
                width = val(a).shape[axis]
                push(a, g[:, start:start + width].copy() if axis else g[start:start + width, :].copy())
                start += width
            return
        if name == "kron":
            _push_kron(args, g)
            return
        if name == "entry":                          # e_i^T A e_j: the adjoint is g e_i e_j^T
            a = val(args[0])
            ga = f.zeros(*a.shape)
            ga[int_value(args[1], ev.dims) - 1, int_value(args[2], ev.dims) - 1] = g[0, 0]
            push(args[0], ga)
            return
        if name == "hadamard":
            push(args[0], f.hadamard(g, val(args[1])))
            push(args[1], f.hadamard(g, val(args[0])))
            return
        if name == "hadamard_pow":
            if xname in args[1].names():
                raise ClaimError(
                    f"grad of hadamard_pow(A, p) with respect to a variable in p: {unparse(node)!r}"
                )
            p = val(args[1])
            d = f.scale(p, f.hadamard_pow(val(args[0]), f.sub(p, f.const(Fraction(1)))))
            push(args[0], f.hadamard(g, d))
            return
        a = val(args[0]) if args else None
        if name == "tr":
            push(args[0], f.scale(g, f.eye(a.shape[0])))
        elif name == "det":
            push(args[0], f.scale(f.matmul(g, val(node)), f.T(f.inv(a))))
        elif name == "inv":
            bt = f.T(val(node))
            push(args[0], f.neg(f.matmul(f.matmul(bt, g), bt)))
        elif name == "norm":
            push(args[0], f.scale(f.div(g, val(node)), a))
        elif name == "vec":
            push(args[0], g.reshape(a.shape, order="F").copy())
        elif name == "diag":
            push(args[0], f.diagvec(g).reshape(a.shape).copy())
        elif name == "diagvec":
            push(args[0], f.diag(g))
        elif name == "sqrt":
            push(args[0], f.div(g, f.scale(f.const(Fraction(2)), val(node))))
        elif name == "exp":
            push(args[0], f.matmul(g, val(node)))
        elif name == "log":
            push(args[0], f.div(g, a))
        elif name == "abs":
            pos, neg = _kinks(f, a, "abs")
            push(args[0], f.scale(g, f._s(pos[0, 0] - neg[0, 0])))
        else:
            raise ClaimError(
                f"grad through {name} is not supported (reverse mode covers arithmetic, tr, det, inv, "
                f"norm, vec, kron, entry, diag, diagvec, hadamard, hadamard_pow, hstack, vstack, sqrt, "
                f"exp, log, abs, min, max, relu, step, expm, sqrtm, logm)"
            )

    def _push_kron(args, g) -> None:
        a, b = val(args[0]), val(args[1])
        r1, c1 = a.shape
        r2, c2 = b.shape
        if xname in args[0].names():
            ga = f.zeros(r1, c1)
            for i in range(r1):
                for j in range(c1):
                    ga[i, j] = _inner(f, g[i * r2:(i + 1) * r2, j * c2:(j + 1) * c2], b)[0, 0]
            push(args[0], ga)
        if xname in args[1].names():
            gb = f.zeros(r2, c2)
            for i in range(r1):
                for j in range(c1):
                    gb = f.add(gb, g[i * r2:(i + 1) * r2, j * c2:(j + 1) * c2] * a[i, j])
            push(args[1], gb)

    push(fnode, f.const(Fraction(1)))
    return acc[0]
