"""Error types.  Every user mistake becomes one of these and reaches the user as one line.

Exit statuses used by the CLI:
  0  everything holds (or matches its ``expect``)
  1  a claim or step is refuted, inconclusive, an error, or differs from its ``expect``
  2  an input cannot be used at all (bad file, bad option, bad data)
  3  an internal error of the toolkit (a bug: please report it)
"""
from __future__ import annotations


class VerifyError(Exception):
    """Base class: a problem the user can fix.  ``str(err)`` is a complete one-line message."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        self.bare_message = " ".join(str(message).split())
        super().__init__(f"{where}: {self.bare_message}" if where else self.bare_message)

    def located(self, where: str) -> "VerifyError":
        """The same error with a location prefix (file, claim name, line)."""
        err = type(self)(self.bare_message, where=f"{where}: {self.where}" if self.where else where)
        return err


class InputError(VerifyError):
    """A file, option or data set that cannot be used at all (exit status 2)."""


class ClaimError(VerifyError):
    """An ill-formed claim: syntax, unknown name, shape mismatch, contradictory assumptions.

    It becomes the claim's ``error`` verdict; the other claims of the file still run.
    """

    exit_code = 1


class ResourceLimitError(ClaimError):
    """A claim whose sizes would need an unreasonable amount of memory or time."""


class UndefinedValue(ArithmeticError):
    """An expression is undefined on an instance (inverse of a singular matrix, log of 0, ...).

    Engines skip such instances and count them; they are never counterexamples.
    """
