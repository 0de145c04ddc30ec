"""Hard time limits, per-claim crash isolation (CLI exit 3, every other result written) and a
stdout that carries only the report."""

import json
import os
import time

import pytest

from verify import CheckConfig, Claim, Verdict, check_claim
from verify.check import pipeline
from verify.check.limits import StageTimeout, hard_limit, quiet_stdout
from verify.cli import main


def test_hard_limit_interrupts_a_busy_loop_and_nests():
    t0 = time.monotonic()
    with pytest.raises(StageTimeout), hard_limit(0.3):
        while True:
            pass
    assert time.monotonic() - t0 < 1.0
    with hard_limit(5.0):
        with pytest.raises(StageTimeout), hard_limit(0.2):
            sum(1 for _ in iter(int, 1))
        t1 = time.monotonic()
        with (
            pytest.raises(StageTimeout),
            hard_limit(0.2),
        ):  # the outer timer was re-armed; the inner one works
            while True:
                pass
        assert time.monotonic() - t1 < 1.0


def test_woodbury_answers_within_its_limit():
    st = "inv(A + U @ C @ V) == inv(A) - inv(A) @ U @ inv(inv(C) + V @ inv(A) @ U) @ V @ inv(A)"
    c = Claim(
        "woodbury",
        st,
        dims={"n": [1, 3], "k": [1, 3]},
        vars={
            "A": {"shape": ["n", "n"], "assume": ["invertible"]},
            "U": {"shape": ["n", "k"]},
            "C": {"shape": ["k", "k"], "assume": ["invertible"]},
            "V": {"shape": ["k", "n"]},
        },
    )
    t0 = time.monotonic()
    r = check_claim(c, CheckConfig(seed=1, instances=6, search_examples=40, time_limit=4))
    assert time.monotonic() - t0 < 4 + 5
    assert r.verdict is not Verdict.REFUTED and r.verdict is not Verdict.ERROR
    assert "vacuous" not in (r.message or "")
    from verify.check import limits

    assert limits._deadlines == []


def test_exponential_tower_answers_within_its_limit():
    c = Claim("tower", "exp(exp(exp(x))) >= x", vars={"x": {}})
    t0 = time.monotonic()
    r = check_claim(c, CheckConfig(seed=1, instances=6, search_examples=40, time_limit=3))
    assert time.monotonic() - t0 < 3 + 5
    assert r.verdict is not Verdict.REFUTED


TWO = """
[vars]
x = {}
[[claim]]
name = "boom"
statement = "x**2 >= 0"
[[claim]]
name = "fine"
statement = "x**2 + 1 > 0"
expect = "holds"
"""


def test_internal_error_in_one_claim_is_isolated(tmp_path, capsys, monkeypatch):
    real = pipeline._check

    def flaky(ctx):
        if ctx.claim.name == "boom":
            raise TypeError("simulated engine bug")
        return real(ctx)

    monkeypatch.setattr(pipeline, "_check", flaky)
    r = check_claim(Claim("boom", "x >= 0", vars={"x": {}}), CheckConfig(time_limit=5))
    assert r.verdict is Verdict.ERROR and "internal error" in r.message
    assert r.evidence["internal_error"].startswith("TypeError")
    p = tmp_path / "two.toml"
    p.write_text(TWO)
    code = main(["check", str(p), "--json", "--quiet", "--instances", "4", "--time-limit", "10"])
    out = json.loads(capsys.readouterr().out)
    claims = {c["name"]: c for c in out["files"][0]["claims"]}
    assert code == 3
    assert claims["boom"]["verdict"] == "error" and claims["fine"]["verdict"] in ("proved", "certified")


def test_engines_never_write_to_stdout(capfd, monkeypatch):
    real = pipeline.validate_up_front

    def noisy(claim):
        os.write(1, b" ** On entry to DLASCL parameter number  4 had an illegal value\n")
        print("library chatter")
        return real(claim)

    monkeypatch.setattr(pipeline, "validate_up_front", noisy)
    r = check_claim(Claim("c", "x**2 >= 0", vars={"x": {}}), CheckConfig(instances=4, time_limit=10))
    assert r.verdict.holds
    out, err = capfd.readouterr()
    assert out == "" and "DLASCL" in err and "library chatter" in err
    with quiet_stdout():
        os.write(1, b"x\n")
    assert capfd.readouterr().out == ""


def test_json_stdout_carries_only_the_json_when_lapack_chatters(tmp_path, capfd, monkeypatch):
    real = pipeline.validate_up_front

    def noisy(claim):
        os.write(1, b" ** On entry to DLASCL parameter number  4 had an illegal value\n")
        return real(claim)

    monkeypatch.setattr(pipeline, "validate_up_front", noisy)
    p = tmp_path / "two.toml"
    p.write_text(TWO.replace('name = "boom"', 'name = "boom"\nexpect = "holds"'))
    code = main(["check", str(p), "--json", "--quiet", "--instances", "4", "--time-limit", "10"])
    out, err = capfd.readouterr()
    assert code == 0 and "DLASCL" in err and "DLASCL" not in out
    assert [c["verdict"] for c in json.loads(out)["files"][0]["claims"]] == ["proved", "proved"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_swallowed_by_a_destructor_fires_again():
    class Swallow:
        def __del__(self):
            time.sleep(0.4)  # the alarm fires here; Python ignores exceptions from __del__

    t0 = time.monotonic()
    with pytest.raises(StageTimeout), hard_limit(0.2):
        Swallow()
        while True:
            pass
    assert time.monotonic() - t0 < 1.5
    from verify.check import limits

    assert limits._deadlines == []
