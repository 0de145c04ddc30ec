"""Every proof's chain, without running its checks: each derived step is accepted by the rule kernel
when its premises hold, and rejected once its conclusion is altered (no derivation is a tautology)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from verify import Verdict
from verify.discovery import discover_proofs
from verify.proof import StepResult, derive_step
from verify.result import Result

PROOFS = {k: p for k, p in discover_proofs().items() if any(s.by for s in p.steps)}


def test_the_linear_gnn_proofs_are_chains():
    assert {"linear-gnn-xu2021", "linear-gnn-2501-14440"} <= set(PROOFS)
    for pid in ("linear-gnn-xu2021", "linear-gnn-2501-14440"):
        assert PROOFS[pid].theorem and PROOFS[pid].step(PROOFS[pid].theorem).by == "gronwall"


@pytest.mark.parametrize("proof_id", sorted(PROOFS))
def test_derived_steps_accept_and_reject_a_perturbed_conclusion(proof_id):
    proof = PROOFS[proof_id]
    done: dict[str, StepResult] = {}
    for st in proof.steps:
        if st.by is None:
            done[st.id] = StepResult(st, Result(Verdict.PROVED, {"engine": "stand-in"}), 0.0)
            continue
        ok = derive_step(st, proof, done)
        expected = Verdict.ASSUMED if st.hypothesis else Verdict.PROVED
        assert ok.result.verdict is expected, (st.id, ok.result.message)
        done[st.id] = ok
        if st.hypothesis:
            continue
        op = next(o for o in (" == ", " <= ", " >= ") if o in st.statement)
        lhs, rhs = st.statement.split(op, 1)
        bad = replace(st, statement=f"{lhs}{op}2*({rhs}) + 1")
        res = derive_step(bad, proof, done).result
        assert res.verdict is Verdict.ERROR and "rejected" in res.message, st.id
