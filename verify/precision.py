"""Working precision of mpmath and python-flint as context managers (restored on exit, also on error).

* :func:`mp_digits` — mpmath decimal digits ``mp.dps``;
* :func:`flint_bits` — python-flint's global precision ``ctx.prec`` in bits;
* :func:`digits_to_bits` — the bits that carry ``dps`` decimal digits (⌈dps·log₂10⌉) plus guard bits.

Every change of global precision in the project goes through these, so no computation leaks its
precision into the next one.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

__all__ = ["mp_digits", "flint_bits", "digits_to_bits"]

LOG2_10 = math.log2(10)


def digits_to_bits(dps: int, guard: int = 0) -> int:
    """⌈dps·log₂10⌉ + guard: the binary precision that holds ``dps`` decimal digits."""
    return int(math.ceil(dps * LOG2_10)) + int(guard)


@contextmanager
def mp_digits(dps: int) -> Iterator[int]:
    """Set ``mpmath.mp.dps`` for a block; the old value comes back on exit."""
    import mpmath

    old = mpmath.mp.dps
    mpmath.mp.dps = int(dps)
    try:
        yield int(dps)
    finally:
        mpmath.mp.dps = old


@contextmanager
def flint_bits(bits: int) -> Iterator[int]:
    """Set python-flint's global precision ``flint.ctx.prec`` (bits) for a block; restored on exit."""
    import flint

    old = flint.ctx.prec
    flint.ctx.prec = int(bits)
    try:
        yield int(bits)
    finally:
        flint.ctx.prec = old
