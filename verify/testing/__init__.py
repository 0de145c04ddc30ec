"""Using verify inside your own tests.

* :func:`assert_holds` checks a claim (or a statement with its variables) and raises
  ``AssertionError`` showing the verdict, the counterexample as matrices and the evidence::

      from verify.testing import assert_holds

      def test_transpose_of_product():
          assert_holds("(A @ B).T == B.T @ A.T", dims={"n": [1, 4]},
                       A={"shape": ["n", "n"]}, B={"shape": ["n", "n"]})

* the pytest plugin (installed with verify; entry point ``pytest11``) collects claim files as
  test items: files named ``*.claims.toml`` always, and every TOML file with ``[[claim]]`` tables
  under ``pytest --verify-claims`` (e.g. ``pytest --verify-claims verify/catalogue_files``).
"""

from __future__ import annotations

from .asserts import assert_fails, assert_holds, explain

__all__ = ["assert_fails", "assert_holds", "explain"]
