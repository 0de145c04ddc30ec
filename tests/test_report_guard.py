"""tests/tools/report_guard.py: timings are ignored, every other change is reported."""
import json
import runpy
from pathlib import Path

GUARD = runpy.run_path(str(Path(__file__).resolve().parent / "tools" / "report_guard.py"))


def _write(d: Path, name: str, obj) -> None:
    d.mkdir(exist_ok=True)
    (d / name).write_text(json.dumps(obj))


def test_timings_and_integer_rationals_are_not_differences(tmp_path):
    old = {"proofs": [{"id": "p", "seconds": 3.2, "steps": [{"verdict": "proved", "evidence": {
        "engine": "x", "time_s": 1.0, "slack": "3", "worst": 0.25}}]}]}
    new = {"proofs": [{"id": "p", "seconds": 9.9, "steps": [{"verdict": "proved", "evidence": {
        "engine": "x", "time_s": 7.0, "slack": 3, "worst": 0.25}}]}]}
    _write(tmp_path / "a", "r.json", old)
    _write(tmp_path / "b", "r.json", new)
    assert GUARD["compare_dirs"](tmp_path / "a", tmp_path / "b") == []


def test_a_changed_verdict_number_or_missing_file_is_reported(tmp_path):
    old = {"steps": [{"verdict": "proved", "worst": 0.25, "rate": "1/3"}], "extra": 1}
    new = {"steps": [{"verdict": "certified", "worst": 0.2500001, "rate": "1/4"}]}
    _write(tmp_path / "a", "r.json", old)
    _write(tmp_path / "a", "gone.json", {})
    _write(tmp_path / "b", "r.json", new)
    diffs = GUARD["compare_dirs"](tmp_path / "a", tmp_path / "b")
    assert diffs == ["gone.json: missing in " + str(tmp_path / "b"),
                     "r.json/extra: only in the old report",
                     "r.json/steps[0]/verdict: 'proved' -> 'certified'",
                     "r.json/steps[0]/worst: '0.25' -> '0.2500001'",
                     "r.json/steps[0]/rate: '1/3' -> '1/4'"]
    assert GUARD["main"]([str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    assert GUARD["main"]([str(tmp_path / "a")]) == 2
