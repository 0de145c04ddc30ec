"""``assert_holds`` / ``assert_fails`` and the failure text they (and the pytest plugin) show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..claims import Claim
from ..config import CheckConfig
from ..result import Result, Verdict, jsonable

# strongest first, as in verify.result
STRENGTH = [Verdict.PROVED, Verdict.CERTIFIED, Verdict.HOLDS_NUMERICALLY]


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def format_value(name: str, v: Any) -> list[str]:
    """``name = value``; a matrix (row-major nested list) as aligned rows in brackets."""
    if isinstance(v, list) and v and all(isinstance(r, list) for r in v):
        cells = [[_fmt(x) for x in r] for r in v]
        width = max((len(c) for r in cells for c in r), default=1)
        rows = ["[ " + "  ".join(c.rjust(width) for c in r) + " ]" for r in cells]
        pad = " " * (len(name) + 3)
        return [f"{name} = {rows[0]}", *(pad + r for r in rows[1:])]
    return [f"{name} = {_fmt(v)}"]


def explain(result: Result, statement: str = "", expect: str | None = None) -> str:
    """A multi-line account of a result: verdict, message, counterexample as matrices, evidence."""
    lines = []
    if statement:
        lines.append(f"statement: {statement}")
    lines.append(f"verdict: {result.verdict.value}" + (f" (expected: {expect})" if expect else ""))
    if result.message:
        lines.append(f"message: {result.message}")
    if result.counterexample is not None:
        cx = jsonable(result.counterexample.to_json())
        lines.append("counterexample:")
        if cx["dims"]:
            lines.append("  dims: " + ", ".join(f"{k} = {v}" for k, v in cx["dims"].items()))
        for name, v in cx["values"].items():
            lines += ["  " + s for s in format_value(name, v)]
    ev = {k: v for k, v in jsonable(result.evidence).items() if v not in (None, "", [], {})}
    lines.append("evidence:")
    for k, v in ev.items():
        text = str(v)
        lines.append(f"  {k}: {text if len(text) <= 300 else text[:297] + '...'}")
    return "\n".join(lines)


def _var_spec(spec: Any) -> Any:
    """Variable declarations: a dict ``{"shape": [...], "assume": [...]}``, a shape tuple/list, or
    None for a scalar."""
    if spec is None:
        return {}
    if isinstance(spec, (tuple, list)) and not isinstance(spec, str):
        return {"shape": list(spec)}
    return spec


def _claim(
    claim_or_statement: Claim | str,
    dims: Mapping[str, Any] | None,
    given: Sequence[str] | None,
    vars: dict[str, Any],
) -> Claim:
    if isinstance(claim_or_statement, Claim):
        if dims or given or vars:
            raise TypeError("give either a Claim or a statement with its dims/given/variables, not both")
        return claim_or_statement
    return Claim(
        "assertion",
        claim_or_statement,
        dims=dict(dims or {}),
        vars={k: _var_spec(v) for k, v in vars.items()},
        given=list(given or []),
    )


def assert_holds(
    claim_or_statement: Claim | str,
    *,
    dims: Mapping[str, Any] | None = None,
    given: Sequence[str] | None = None,
    config: CheckConfig | None = None,
    at_least: str = "holds_numerically",
    **vars: Any,
) -> Result:
    """Check a claim with the engines and raise ``AssertionError`` unless it holds.

    ``claim_or_statement``: a :class:`verify.Claim`, or a statement such as ``"(A @ B).T == B.T @ A.T"``
    with its ``dims`` and one keyword per variable (``A={"shape": ["n", "n"], "assume": ["psd"]}``,
    ``A=("n", "n")``, or ``t=None`` for a scalar).  ``at_least``: the weakest verdict accepted
    (``"proved"``, ``"certified"`` or ``"holds_numerically"``).  Returns the result when it holds.

    Example::

        >>> from verify.testing import assert_holds
        >>> assert_holds("tr(A @ B) == tr(B @ A)", dims={"n": 3},
        ...              A=("n", "n"), B=("n", "n")).verdict.value
        'proved'
    """
    from ..check import check_claim

    floor = Verdict(at_least)
    if floor not in STRENGTH:
        raise ValueError(f"at_least must be one of {[v.value for v in STRENGTH]}, got {at_least!r}")
    claim = _claim(claim_or_statement, dims, given, vars)
    result = check_claim(claim, config or CheckConfig())
    if not result.verdict.holds or STRENGTH.index(result.verdict) > STRENGTH.index(floor):
        raise AssertionError(
            f"claim does not hold (at least {floor.value}):\n" + explain(result, claim.statement, "holds")
        )
    return result


def assert_fails(
    claim_or_statement: Claim | str,
    *,
    dims: Mapping[str, Any] | None = None,
    given: Sequence[str] | None = None,
    config: CheckConfig | None = None,
    **vars: Any,
) -> Result:
    """Check a claim and raise ``AssertionError`` unless it is refuted (a re-checked counterexample).

    Returns the result, whose ``counterexample`` holds every variable's value.
    """
    from ..check import check_claim

    claim = _claim(claim_or_statement, dims, given, vars)
    result = check_claim(claim, config or CheckConfig())
    if result.verdict is not Verdict.REFUTED:
        raise AssertionError(
            "claim was expected to be refuted:\n" + explain(result, claim.statement, "fails")
        )
    return result
