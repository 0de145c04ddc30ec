"""Test helper: building a proof only declares its steps; no claim is checked and no step's check runs."""
from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from types import CodeType

from verify import Proof
from verify.check import check_claim
from verify.proof import check_step


def _code_of(fn: Callable) -> CodeType | None:
    """The code object a call of ``fn`` runs (through partials and bound methods)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        code = getattr(getattr(type(fn), "__call__", None), "__code__", None)
    return code


def assert_build_runs_no_check(build_proof: Callable[[], Proof]) -> Proof:
    """Build the proof while recording every Python function entered; fail if that includes the claim
    checker, the step runner, or the code of any step's own ``check``. Returns the proof."""
    entered: set[CodeType] = set()

    def record(frame, event, arg):
        if event == "call":
            entered.add(frame.f_code)

    sys.setprofile(record)
    try:
        proof = build_proof()
    finally:
        sys.setprofile(None)
    checks = {step.id: _code_of(step.check) for step in proof.steps if step.check is not None}
    assert checks, "the proof has no step with its own check"
    assert all(code is not None for code in checks.values()), checks
    assert check_claim.__code__ not in entered and check_step.__code__ not in entered
    ran = sorted(step_id for step_id, code in checks.items() if code in entered)
    assert not ran, f"building ran the checks of {ran}"
    return proof
