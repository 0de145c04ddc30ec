"""verify.testing: assert_holds / assert_fails, and the pytest plugin collecting claim files."""
from importlib.metadata import entry_points

import pytest

from verify import Claim
from verify.catalogue import catalogue_files
from verify.claims.files import load_claim_file
from verify.testing import assert_fails, assert_holds

pytest_plugins = ["pytester"]
NN = {"A": ("n", "n"), "B": ("n", "n")}


def test_assert_holds_returns_the_result():
    r = assert_holds("tr(A @ B) == tr(B @ A)", dims={"n": 3}, **NN)
    assert r.verdict.value == "proved"


def test_assert_holds_failure_shows_counterexample_matrices():
    with pytest.raises(AssertionError) as info:
        assert_holds("(A @ B).T == A.T @ B.T", dims={"n": 2}, **NN)
    text = str(info.value)
    assert "verdict: refuted (expected: holds)" in text and "counterexample:" in text
    assert "dims: n = 2" in text
    a_rows = [line for line in text.splitlines() if line.strip().startswith(("A = [", "B = ["))]
    assert len(a_rows) == 2 and "evidence:" in text


def test_assert_fails_and_strength_floor():
    r = assert_fails("(A @ B).T == A.T @ B.T", dims={"n": 2}, **NN)
    assert r.counterexample is not None and set(r.counterexample.values) == {"A", "B"}
    with pytest.raises(AssertionError, match="expected to be refuted"):
        assert_fails("(A @ B).T == B.T @ A.T", dims={"n": 2}, **NN)
    with pytest.raises(ValueError, match="at_least"):
        assert_holds("x == x", x=None, at_least="refuted")
    with pytest.raises(TypeError):
        assert_holds(Claim("c", "x == x", vars={"x": {}}), dims={"n": 1})


CLAIMS = """
title = "demo"
[dims]
n = 2
[vars]
A = { shape = ["n", "n"] }
B = { shape = ["n", "n"] }
[[claim]]
name = "true_one"
statement = "(A @ B).T == B.T @ A.T"
[[claim]]
name = "known_slip"
statement = "(A @ B).T == A.T @ B.T"
expect = "fails"
[[claim]]
name = "unexpected_slip"
statement = "(A @ B).T == A.T @ B.T"
"""


def _plugin_args() -> list[str]:
    installed = any(ep.value == "verify.testing.plugin" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "verify.testing.plugin"]


def test_plugin_collects_claims_toml(pytester):
    pytester.makefile(".claims.toml", demo=CLAIMS)
    res = pytester.runpytest(*_plugin_args(), "--verify-instances", "3")
    res.assert_outcomes(passed=2, failed=1)
    out = res.stdout.str()
    assert "demo.claims.toml::unexpected_slip" in out and "verdict: refuted (expected: holds)" in out
    assert "counterexample:" in out and "A = [" in out


def test_plugin_option_collects_plain_toml(pytester):
    pytester.makefile(".toml", plain=CLAIMS, other='title = "not claims"\n')
    none = pytester.runpytest(*_plugin_args(), "--collect-only", "-q")
    assert none.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    res = pytester.runpytest(*_plugin_args(), "--verify-claims", "--collect-only", "-q")
    assert res.ret == 0 and "3 tests collected" in res.stdout.str()


def test_plugin_on_the_catalogue_files(pytester):
    files = catalogue_files()
    n = sum(len(load_claim_file(f).entries) for f in files)
    res = pytester.runpytest(*_plugin_args(), "--verify-claims", "--collect-only", "-q", str(files[0].parent))
    assert res.ret == 0 and f"{n} tests collected" in res.stdout.str()
