"""Arithmetic back-ends ("fields") for evaluating claim expressions.

* ``ExactField``      SymPy: rational numbers and symbols; exact (``exact.py``).
* ``MpField(dps)``    mpmath in a private context (``mp.py``).
* ``BallField(prec)`` python-flint ``arb`` balls: rigorous enclosures (``ball.py``).
* ``FloatField``      numpy float64, for the counterexample search only (``float64.py``).

``base.Field`` declares the whole interface; see its docstring for the conventions.
"""
from __future__ import annotations

from .ball import BallField
from .base import Field, NotCertifiable, NotExact
from .exact import ExactField
from .float64 import FloatField
from .mp import MpField

__all__ = ["BallField", "ExactField", "Field", "FloatField", "MpField", "NotCertifiable", "NotExact"]
