import json

from verify import CheckConfig, Claim, Counterexample, Figure, Proof, Result, Step, Verdict, run_proof
from verify.report.markdown import render_proof_report
from verify.report.terminal import render_proof, render_step


def _proof():
    def measured(config):
        return Result(
            Verdict.HOLDS_NUMERICALLY,
            {"engine": "custom", "instances_valid": 3, "digits": 40},
            figures=[Figure("curve", "a curve", "x", "y", [("y=x", [1, 2, 3], [1, 2, 3])], logy=True)],
        )

    def broken(config):
        raise RuntimeError("boom")

    return Proof(
        "demo-proof",
        "A demo",
        "nowhere",
        [
            Step(
                "s1",
                "identity",
                "sec 1",
                "(A @ B).T == B.T @ A.T",
                r"(AB)^\top = B^\top A^\top",
                claim=Claim(
                    "s1",
                    "(A @ B).T == B.T @ A.T",
                    dims={"n": 2},
                    vars={"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}},
                ),
            ),
            Step(
                "s2",
                "a slip",
                "sec 2",
                "(A @ B).T == A.T @ B.T",
                r"(AB)^\top = A^\top B^\top",
                expect="fails",
                claim=Claim(
                    "s2",
                    "(A @ B).T == A.T @ B.T",
                    dims={"n": 2},
                    vars={"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}},
                ),
            ),
            Step("s3", "measured", "sec 3", "a measurement", "x", check=measured),
            Step("s4", "a bug", "sec 4", "raises", "x", check=broken),
        ],
    )


def test_proof_run_json_markdown_and_terminal():
    pr = run_proof(_proof(), CheckConfig(instances=3))
    verdicts = [s.result.verdict for s in pr.steps]
    assert verdicts[:3] == [Verdict.PROVED, Verdict.REFUTED, Verdict.HOLDS_NUMERICALLY]
    assert verdicts[3] is Verdict.ERROR and "boom" in pr.steps[3].result.message   # never a pass
    assert not pr.all_match
    j = json.loads(json.dumps(pr.to_json()))
    assert [s["id"] for s in j["steps"]] == ["s1", "s2", "s3", "s4"]
    assert {"id", "name", "source", "statement", "given", "latex", "expect", "verdict", "evidence",
            "counterexample"} <= set(j["steps"][0])
    assert j["steps"][1]["counterexample"]["values"]
    md, pngs = render_proof_report(pr, "demo_proof", "verify run demo-proof --report")
    assert "$$(AB)^\\top = B^\\top A^\\top$$" in md
    assert "**refuted**" in md and "Counterexample" in md
    assert list(pngs) == ["demo_proof_s3_curve.png"] and pngs["demo_proof_s3_curve.png"][:4] == b"\x89PNG"
    assert "demo_proof_s3_curve.png" in md
    text = render_proof(pr)
    assert "3/4 steps as expected" in text
    assert "as expected" in render_step(pr.steps[1])


def test_result_invariants():
    import pytest

    with pytest.raises(ValueError):
        Result(Verdict.REFUTED, {"engine": "x"})           # refuted needs a counterexample
    with pytest.raises(ValueError):
        Result(Verdict.PROVED, {})                          # evidence names its engine
    with pytest.raises(ValueError):
        Result(Verdict.PROVED, {"engine": "x"}, Counterexample({}, {}))


def test_numpy_values_in_evidence_render():
    import numpy as np

    from verify.report.markdown import _evidence_items
    from verify.result import jsonable

    ev = {
        "engine": "x",
        "a": np.float64(1.5),
        "b": np.array([1.0, 2.0]),
        "c": np.int64(3),
        "d": np.float64("nan"),
    }
    assert jsonable(ev) == {"engine": "x", "a": 1.5, "b": [1.0, 2.0], "c": 3, "d": "nan"}
    assert type(jsonable(np.float64(2.0))) is float
    items = _evidence_items(ev)
    assert any("`a`: `1.5`" in i for i in items) and any("[1.0, 2.0]" in i for i in items)


def test_plot_labels_mathtext_and_error_bars():
    from verify.report.figures import figure_png, mathtext

    assert mathtext("m^{-1/2} reference") == "m$^{-1/2}$ reference"
    assert mathtext("||Θ_m − Θ||_F") == "‖Θ$_{m}$ − Θ‖$_{F}$"
    assert mathtext("W_ℓW_ℓᵀ and σ_min") == "W$_{ℓ}$W$_{ℓ}$ᵀ and σ$_{min}$"
    assert mathtext("$x^2$ already") == "$x^2$ already" and mathtext("η·M") == "η·M"
    f = Figure("e", "||x||_F vs m^{-1/2}", "width m", "error", [("a", [1, 2, 4], [1, 0.5, 0.25]),
               ("b", [1, 2, 4], [1, 0.5, 0.25]), ("m^{-1/2} reference", [1, 2, 4], [1, 0.7, 0.5])],
               logx=True, logy=True, errors={"a": [2.0, 0.1, 0.05]})
    png = figure_png(f)
    assert png[:4] == b"\x89PNG" and png == figure_png(f)          # deterministic bytes
