"""Counterexample search: hypothesis-driven instances, then local optimisation of the slack.

The search works in float64 for speed; what it returns are only *candidates*.  The caller re-checks
every candidate exactly (assumptions, given conditions, and the violation itself) before a claim
can be refuted, so rounding in the search can never become a counterexample.
"""
from __future__ import annotations

import math
import random
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..claims.model import Claim
from ..errors import ClaimError, UndefinedValue
from ..claims.instances import Instance, instance_valid, make_instance, n_params, shape_of
from .fields import NotCertifiable, NotExact
from .numeric import float_slack

NEAR_ZERO = 1e-9   # float slack below -NEAR_ZERO (or <= 0 for strict relations) makes a candidate


@dataclass
class SearchStats:
    hypothesis_examples: int = 0
    optimisation_runs: int = 0
    optimisation_evaluations: int = 0
    candidates: int = 0
    stopped: str = ""
    best_float_slack: float = math.inf

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v != "" and v != math.inf}


def _float_values(inst: Instance) -> dict:
    return {k: [[float(v) for v in r] for r in rows] for k, rows in inst.values.items()}


def slack_of(claim: Claim, inst: Instance) -> float | None:
    """Float slack of the statement (None if undefined or a given condition clearly fails)."""
    try:
        fv = _float_values(inst)
        for g in claim.given_relations:
            gs = float_slack(g, fv, inst.dims)
            if not gs >= (-1e-12 if g.op in ("<=", ">=", "==") else 1e-15):
                return None
        s = float_slack(claim.relation, fv, inst.dims)
    except (UndefinedValue, ZeroDivisionError, OverflowError, ValueError, FloatingPointError,
            NotExact, NotCertifiable, np.linalg.LinAlgError):
        return None
    return s if math.isfinite(s) else None


def is_candidate(claim: Claim, s: float | None) -> bool:
    if s is None:
        return False
    if claim.relation.op in ("<", ">"):
        return s <= 1e-12
    return s < -NEAR_ZERO


_VALUES = None


def _value_strategy():
    """Raw parameter values: small integers, simple fractions, extreme scales, two-digit decimals."""
    global _VALUES
    if _VALUES is None:
        from hypothesis import strategies as st

        _VALUES = st.one_of(
            st.integers(-3, 3).map(Fraction),
            st.tuples(st.integers(-20, 20), st.integers(1, 12)).map(lambda t: Fraction(t[0], t[1])),
            st.sampled_from([Fraction(1, 10**6), Fraction(-1, 10**6), Fraction(10**6), Fraction(-(10**6))]),
            st.integers(-999, 999).map(lambda k: Fraction(k, 100)),
        )
    return _VALUES


def _instance_strategy(claim: Claim):
    """A hypothesis strategy of instances of ``claim``: dimensions in their ranges, then one value style
    for the whole instance (free values, all equal, from {0, 1, -1}, or free values times a scale)."""
    from hypothesis import strategies as st

    values = _value_strategy()
    small = st.sampled_from([Fraction(0), Fraction(1), Fraction(-1)])
    styles = st.sampled_from(["free", "equal", "zero", "scaled"])
    scales = st.sampled_from([Fraction(1), Fraction(1, 1000), Fraction(1000)])
    dim_st = {
        name: st.integers(spec[0], spec[1]) for name, spec in claim.dims.items() if not isinstance(spec, int)
    }
    lists: dict = {}

    def list_of(base, n, key):
        if (key, n) not in lists:
            lists[(key, n)] = st.lists(base, min_size=n, max_size=n)
        return lists[(key, n)]

    @st.composite
    def instances(draw):
        dims = {}
        for name, spec in claim.dims.items():
            dims[name] = spec if isinstance(spec, int) else draw(dim_st[name])
        style = draw(styles)
        raw = {}
        shared = draw(values)
        scale = draw(scales)
        for name, var in claim.vars.items():
            n = n_params(var, shape_of(var, dims))
            if style == "equal":
                raw[name] = [shared] * n
            elif style == "zero":
                raw[name] = draw(list_of(small, n, "small"))
            else:
                vals = draw(list_of(values, n, "values"))
                raw[name] = [v * scale for v in vals] if style == "scaled" else vals
        return make_instance(claim, dims, raw)

    return instances()


def _candidate_condition(claim: Claim, stats: SearchStats, deadline: float):
    """The predicate hypothesis searches for: a valid instance whose float slack makes it a candidate
    (counts the examples and keeps the best slack in ``stats``; false after the deadline)."""
    def condition(inst: Instance) -> bool:
        stats.hypothesis_examples += 1
        if time.perf_counter() > deadline:
            return False
        try:
            if not instance_valid(claim, inst):
                return False
        except Exception:
            return False
        s = slack_of(claim, inst)
        if s is not None:
            stats.best_float_slack = min(stats.best_float_slack, s)
        return is_candidate(claim, s)

    return condition


@contextmanager
def without_local_constants():
    """Hypothesis (>= 6.13x) mixes into ~5% of its draws literal constants collected from the *local*
    modules loaded in the process (our own source included): a search's instances then depend on
    which modules were imported before it and on every constant in the source, so the same claim
    and seed gave different searches in ``verify run`` and in ``verify run catalogue``, and after
    unrelated code edits.  Inside this context the local pool is empty (hypothesis' own global
    constants stay) and its constant cache is cleared on entry and exit, so a derandomized search
    depends only on the claim and the seed.  A no-op on versions without the pool."""
    try:
        from hypothesis.internal.conjecture import providers

        saved = providers._get_local_constants
        empty = providers.Constants()
        cache = providers.CONSTANTS_CACHE
    except (ImportError, AttributeError):
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = saved
        cache.cache.clear()


def hypothesis_search(
    claim: Claim, max_examples: int, stats: SearchStats, deadline: float
) -> Instance | None:
    """hypothesis.find over raw parameters: returns a shrunk candidate (small, readable values)."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    st_settings = settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                           suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    try:
        with warnings.catch_warnings(), without_local_constants():
            warnings.simplefilter("ignore")
            return find(_instance_strategy(claim), _candidate_condition(claim, stats, deadline),
                        settings=st_settings)
    except NoSuchExample:
        return None
    except ClaimError:
        raise
    except Exception as exc:  # hypothesis internals (e.g. Unsatisfiable): no candidate, say so
        stats.stopped = f"hypothesis stopped: {type(exc).__name__}"
        return None


def _unpack(names: list[str], sizes: list[int], x, digits: int | None = None) -> dict[str, list[Fraction]]:
    """The flat parameter vector x split back into each variable's raw values: exact floats, or
    rounded to ``digits`` decimals (as fractions with denominator ≤ 10^digits)."""
    d, k = {}, 0
    for n, sz in zip(names, sizes):
        if digits is None:
            d[n] = [Fraction(float(v)) for v in x[k:k + sz]]
        else:
            d[n] = [
                Fraction(round(float(v), digits)).limit_denominator(10**digits) for v in x[k : k + sz]
            ]
        k += sz
    return d


def _slack_objective(claim: Claim, dims: dict, names: list[str], sizes: list[int], stats: SearchStats,
                     deadline: float):
    """The float slack as a function of the flat parameter vector (1.0 where undefined or past the
    deadline); counts evaluations and keeps the best slack in ``stats``."""
    def objective(x):
        stats.optimisation_evaluations += 1
        if time.perf_counter() > deadline:
            return 1.0
        try:
            inst = make_instance(claim, dims, _unpack(names, sizes, x))
        except (ZeroDivisionError, ValueError, OverflowError):
            return 1.0
        s = slack_of(claim, inst)
        if s is None:
            return 1.0
        stats.best_float_slack = min(stats.best_float_slack, s)
        return s

    return objective


def _rounded_candidates(claim: Claim, dims: dict, names: list[str], sizes: list[int], x) -> list[Instance]:
    """Instances from the minimiser x rounded to 0..6 decimals, then exact; stops at the first
    candidate with at most 2 decimals. Every negative float slack is kept (a near-miss may be real)."""
    out: list[Instance] = []
    for digits in (0, 1, 2, 3, 4, 6, None):
        try:
            inst = make_instance(claim, dims, _unpack(names, sizes, x, digits))
        except (ZeroDivisionError, ValueError, OverflowError):
            continue
        sl = slack_of(claim, inst)
        # every negative float slack goes to the exact re-check (a near-miss may be real)
        if is_candidate(claim, sl) or (sl is not None and sl < 0):
            out.append(inst)
            if digits is not None and digits <= 2:
                break
    return out


def optimise(claim: Claim, starts: list[tuple[dict, dict]], stats: SearchStats, deadline: float,
             rng: random.Random, max_evals: int = 160) -> list[Instance]:
    """Minimise the float slack over the raw parameters from several starts (Nelder-Mead).

    Returns rounded versions (0 to 6 decimals, then the exact float) of each minimiser, readable
    values first; the caller confirms them exactly.
    """
    from scipy.optimize import minimize

    out: list[Instance] = []
    for dims, raw in starts:
        if time.perf_counter() > deadline:
            stats.stopped = stats.stopped or "time limit reached during optimisation"
            break
        names = list(raw)
        sizes = [len(raw[n]) for n in names]
        x0 = np.array([float(v) for n in names for v in raw[n]], dtype=float)
        if x0.size == 0:
            continue
        x0 = x0 + np.array([rng.gauss(0, 0.05) for _ in x0])
        objective = _slack_objective(claim, dims, names, sizes, stats, deadline)
        stats.optimisation_runs += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = minimize(objective, x0, method="Nelder-Mead",
                           options={"maxfev": max_evals, "xatol": 1e-10, "fatol": 1e-14})
        if res.fun >= 0.5:
            continue
        out += _rounded_candidates(claim, dims, names, sizes, res.x)
    return out
