"""Exact polynomials with rational coefficients: the coefficients of the generic normal form.

A polynomial is a dict ``monomial -> Fraction`` where a monomial is a sorted tuple of
``(name, exponent)`` pairs; names are scalar variables and dimension symbols (``tr(eye(n)) = n``).
Zero coefficients are never stored, so ``{}`` is the zero polynomial and equality of dicts is
equality of polynomials.
"""
from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

Monomial = tuple[tuple[str, int], ...]
Poly = dict[Monomial, Fraction]

ONE: Monomial = ()


def const(q: Fraction | int) -> Poly:
    q = Fraction(q)
    return {ONE: q} if q else {}


def var(name: str) -> Poly:
    return {((name, 1),): Fraction(1)}


def add(a: Poly, b: Poly, sign: int = 1) -> Poly:
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, Fraction(0)) + sign * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def scale(a: Poly, q: Fraction | int) -> Poly:
    q = Fraction(q)
    return {m: c * q for m, c in a.items()} if q else {}


def _mono_mul(x: Monomial, y: Monomial) -> Monomial:
    d = dict(x)
    for n, e in y:
        d[n] = d.get(n, 0) + e
    return tuple(sorted(d.items()))


def mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = _mono_mul(ma, mb)
            v = out.get(m, Fraction(0)) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


def diff(a: Poly, name: str) -> Poly:
    """∂a/∂name."""
    out: Poly = {}
    for m, c in a.items():
        d = dict(m)
        e = d.get(name, 0)
        if not e:
            continue
        if e == 1:
            del d[name]
        else:
            d[name] = e - 1
        out = add(out, {tuple(sorted(d.items())): c * e})
    return out


def evaluate(a: Poly, values: Mapping[str, Fraction | int]) -> Fraction:
    total = Fraction(0)
    for m, c in a.items():
        t = Fraction(c)
        for n, e in m:
            t *= Fraction(values[n]) ** e
        total += t
    return total


def to_str(a: Poly) -> str:
    """Readable form, monomials sorted: ``2*lam*n - 1/2``."""
    if not a:
        return "0"
    parts = []
    for m in sorted(a, key=lambda m: (-sum(e for _, e in m), m)):
        c = a[m]
        mono = "*".join(n if e == 1 else f"{n}^{e}" for n, e in m)
        mag = abs(c)
        if not mono:
            s = str(mag)
        elif mag == 1:
            s = mono
        else:
            s = f"{mag}*{mono}"
        parts.append(("-" if c < 0 else "+", s))
    first_sign, first = parts[0]
    out = ("-" if first_sign == "-" else "") + first
    for sign, s in parts[1:]:
        out += f" {sign} {s}"
    return out


def to_json(a: Poly) -> list:
    """``[[[name, exp], ...], "p/q"], ...`` sorted, exact."""
    return [[[list(p) for p in m], f"{c.numerator}/{c.denominator}"] for m, c in sorted(a.items())]


def from_json(data: list) -> Poly:
    out: Poly = {}
    for mono, c in data:
        m = tuple(sorted((str(n), int(e)) for n, e in mono))
        out = add(out, {m: Fraction(c)})
    return out
