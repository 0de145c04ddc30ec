"""A representative slice of the Matrix-Cookbook corpus (benchmarks/cookbook/): no unsound verdict, no
crash, every item as expected.  The whole corpus runs with ``python benchmarks/cookbook_reach.py``."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from verify import CheckConfig
from verify.check.files import check_files
from verify.claims.files import ClaimFile, load_claim_file

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "benchmarks" / "cookbook"
HOLDING = {"proved", "certified", "holds_numerically"}

# (file, item): true items and realistic wrong variants from every group of the corpus
SLICE = [
    ("01_trace_det.toml", "eq13_wrong_trace_multiplicative"),
    ("01_trace_det.toml", "eq25_det_2x2_from_traces"),
    ("02_eigen.toml", "eq_rayleigh_upper"),
    ("02_eigen.toml", "wrong_congruence_preserves_eigenvalues"),
    ("03_derivatives.toml", "eq108_grad_trace_xt_b_x"),
    ("03_derivatives.toml", "eq101_wrong_grad_trace_axb_order"),
    ("04_inverses.toml", "eq163_wrong_searle_sum_factor"),
    ("05_pseudo_inverse_blocks.toml", "eq196_penrose_1"),
    ("06_special_matrices.toml", "wrong_idempotent_is_symmetric"),
    ("06_special_matrices.toml", "wrong_nilpotent_square_zero"),
    ("07_kron_vec_hadamard.toml", "eq518_vec_triple_product"),
    ("07_kron_vec_hadamard.toml", "eq509_wrong_kron_inverse_swapped"),
    ("09_norms_rank.toml", "wrong_vector_one_le_two"),
    ("10_inequalities.toml", "wrong_hadamard_determinant_inequality_symmetric"),
]


def _slice_files() -> list[ClaimFile]:
    out = []
    for name in sorted({f for f, _ in SLICE}):
        cf = load_claim_file(CORPUS / name)
        wanted = {i for f, i in SLICE if f == name}
        keep = [e for e in cf.entries if e.name.split("[")[0] in wanted]
        assert {e.name.split("[")[0] for e in keep} == wanted, f"{name}: slice names not found"
        out.append(ClaimFile(cf.path, cf.title, keep))
    return out


def test_corpus_slice_is_sound_and_as_expected():
    outcomes = check_files(_slice_files(), CheckConfig(seed=20260101, instances=8, time_limit=20.0))
    rows = [(fo.file, c) for fo in outcomes for c in fo.claims]
    assert len(rows) == len(SLICE)
    for path, c in rows:
        v = c.result.verdict.value
        assert "internal_error" not in c.result.evidence, (c.name, c.result.message)
        assert not (c.expect == "holds" and v == "refuted"), (c.name, c.result.message)
        assert not (c.expect == "fails" and v in HOLDING), (c.name, v, c.result.message)
        assert (v == "refuted") == (c.expect == "fails") and v != "error", (c.name, v, c.result.message)


def test_unsupported_items_name_their_source_and_missing_feature():
    items = tomllib.loads((CORPUS / "unsupported.toml").read_text())["item"]
    assert len(items) >= 50
    for it in items:
        assert set(it) == {"name", "source", "statement", "missing"} and all(it.values()), it


def _runner():
    spec = importlib.util.spec_from_file_location("cookbook_reach", ROOT / "benchmarks" / "cookbook_reach.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize(
    "expect, verdict, unsound",
    [("holds", "refuted", True), ("fails", "certified", True), ("fails", "holds_numerically", True),
     ("fails", "proved", True), ("holds", "inconclusive", False), ("fails", "refuted", False),
     ("fails", "inconclusive", False), ("holds", "proved", False)],
)
def test_runner_counts_unsound_verdicts(tmp_path, expect, verdict, unsound):
    """summarise() reads a file's CLI JSON: an unsound call, a parse error (not stated) and an internal
    error (a crash) are each counted where they belong."""
    f = tmp_path / "c.toml"
    f.write_text('title = "t"\n[[claim]]\nname = "a"\nstatement = "1 == 1"\n'
                 '[[claim]]\nname = "b"\nstatement = "1 == 1"\n[[claim]]\nname = "c"\nstatement = "1 == 1"\n')
    claim = {"name": "a[n=2]", "statement": "s", "expect": expect, "verdict": verdict,
             "matches_expect": False, "evidence": {"seconds": 1.0}, "message": "m", "counterexample": None}
    parse_error = {**claim, "name": "b", "verdict": "error", "evidence": {}}
    crash = {**claim, "name": "c", "verdict": "error", "evidence": {"internal_error": "TypeError: x"}}
    raw = [{"file": str(f), "limit": 1, "seconds": 1.0, "over_limit": False, "rc": 3, "stderr": "",
            "claims": [claim, parse_error, crash], "json_error": None}]
    s = _runner().summarise(raw, [{"missing": "integrals"}], seed=1, time_limit=30.0, slowest=3)
    assert s["attempted"] == 4 and s["stated"] == 2 and s["coverage_percent"] == 50.0
    assert len(s["unsound"]) == int(unsound)
    assert [c.get("name") for c in s["crashes"]] == [None, "c"]       # exit status 3, then the claim
    assert [n["name"] for n in s["not_stated"]] == ["b"]
    assert s["missing_features"] == [("integrals", 1)]
