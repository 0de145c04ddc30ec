"""The hypothesis search depends only on the claim and its budget, not on which modules are loaded."""
import importlib.util
import sys
import time

import pytest

from verify.claims.model import Claim
from verify.engines.search import SearchStats, hypothesis_search, without_local_constants

CLAIM = Claim("c", "norm(A @ x) <= norm(A) * norm(x)", dims={"n": 3},
              vars={"A": {"shape": ["n", "n"]}, "x": {"shape": ["n", 1]}})


def _search(claim=CLAIM):
    stats = SearchStats()
    found = hypothesis_search(claim, 200, stats, time.perf_counter() + 600)
    return stats.hypothesis_examples, stats.best_float_slack, None if found is None else found.values


def _load_module_with_constants(tmp_path, name):
    """A fresh local module (outside site-packages and tests/) full of integer literals in the ranges
    the search draws from: the kind hypothesis (>= 6.13x) collects from loaded local modules."""
    path = tmp_path / f"{name}.py"
    path.write_text("INTS = [" + ", ".join(str(k) for k in range(-997, 998, 31)) + "]\n"
                    "SMALL = [-19, -11, -7, -2, 5, 9, 17]\n")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return name


def test_search_is_independent_of_loaded_local_modules(tmp_path, monkeypatch):
    before = _search()
    name = _load_module_with_constants(tmp_path, "verify_probe_constants_a")
    try:
        assert _search() == before
    finally:
        sys.modules.pop(name, None)


def test_the_guard_is_what_makes_it_independent(tmp_path, monkeypatch):
    """With the guard switched off, loading such a module changes the search (so the test above
    can fail); skipped on hypothesis versions without a local-constant pool."""
    from contextlib import nullcontext

    from verify.engines import search

    try:
        from hypothesis.internal.conjecture import providers  # noqa: F401
        providers._get_local_constants
    except (ImportError, AttributeError):
        pytest.skip("this hypothesis has no local-constant pool")
    monkeypatch.setattr(search, "without_local_constants", nullcontext)
    before = _search()
    name = _load_module_with_constants(tmp_path, "verify_probe_constants_b")
    try:
        assert _search() != before
    finally:
        sys.modules.pop(name, None)


def test_guard_empties_the_pool_and_restores_it():
    from hypothesis.internal.conjecture import providers

    saved = providers._get_local_constants
    with without_local_constants():
        assert len(providers._get_local_constants()) == 0
    assert providers._get_local_constants is saved
