"""pytest plugin (entry point ``pytest11``): claim files as test items.

Collected: files named ``*.claims.toml`` always; with ``--verify-claims``, every ``*.toml`` file that
has ``[[claim]]`` tables (so ``pytest --verify-claims verify/catalogue_files`` checks the catalogue).
Each claim is one item; it passes when its verdict matches its ``expect`` (no ``expect``: it must
hold).  A failure shows the verdict, the counterexample as matrices and the evidence.  Options:
``--verify-seed``, ``--verify-instances``, ``--verify-dps``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    from ..config import DEFAULT_DPS, DEFAULT_INSTANCES, DEFAULT_SEED

    group = parser.getgroup("verify", "verify claim files")
    group.addoption(
        "--verify-claims",
        action="store_true",
        default=False,
        help="collect every *.toml file with [[claim]] tables as verify claim tests",
    )
    group.addoption("--verify-seed", type=int, default=DEFAULT_SEED, help="seed for claim checks")
    group.addoption("--verify-instances", type=int, default=DEFAULT_INSTANCES, help="instances per claim")
    group.addoption("--verify-dps", type=int, default=DEFAULT_DPS, help="working precision (digits)")


def _is_claim_file(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("claim"), list)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.name.endswith(".claims.toml") or (
        file_path.suffix == ".toml" and parent.config.getoption("verify_claims") and _is_claim_file(file_path)
    ):
        return ClaimFileCollector.from_parent(parent, path=file_path)
    return None


class ClaimFailure(Exception):
    """A claim whose verdict differs from its expectation (the text explains it)."""


class ClaimFileCollector(pytest.File):
    def collect(self):
        from ..claims.files import load_claim_file
        from ..errors import VerifyError

        try:
            cf = load_claim_file(self.path)
        except VerifyError as exc:
            raise self.CollectError(str(exc)) from None
        for entry in cf.entries:
            yield ClaimItem.from_parent(self, name=entry.name, entry=entry)


class ClaimItem(pytest.Item):
    def __init__(self, *, entry, **kw) -> None:
        super().__init__(**kw)
        self.entry = entry
        self.add_marker(pytest.mark.verify_claim)

    def runtest(self) -> None:
        from ..check import check_claim
        from ..config import CheckConfig
        from .asserts import explain

        e = self.entry
        if e.claim is None:
            raise ClaimFailure(f"ill-formed claim: {e.error}")
        opt = self.config.getoption
        config = CheckConfig(
            seed=opt("verify_seed"), instances=opt("verify_instances"), dps=opt("verify_dps")
        )
        result = check_claim(e.claim, config)
        self.user_properties.append(("verdict", result.verdict.value))
        if not result.matches(e.expect):
            raise ClaimFailure(explain(result, e.statement, e.expect or "holds"))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return f"{self.path.name}::{self.name}\n{excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"claim {self.name}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "verify_claim: a claim from a verify claim file")
