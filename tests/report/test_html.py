"""The HTML site: escaping, MathML, matrices, the dependency graph, and a real browser rendering it."""

import json
import os
import re
from types import SimpleNamespace

import pytest

from tests.report.chromium import Browser, find_chromium
from verify import CheckConfig, Claim, Figure, Proof, Result, Step, Verdict, run_proof
from verify.check.outcomes import ClaimOutcome, FileOutcome
from verify.report.graph import dependency_svg, layers
from verify.report.html import counterexample_html, evidence_html, render_site
from verify.report.mathml import latex_to_mathml, value_to_mathml

HOSTILE = '<script>alert("x")</script> ||x|| & `tick`'


def _demo_proof() -> Proof:
    def measured(config):
        return Result(
            Verdict.HOLDS_NUMERICALLY,
            {
                "engine": "custom",
                "instances_valid": 3,
                "digits": 40,
                "seconds": 1.25,
                "per_width": [{"width": 8, "error": 0.5}, {"width": 16, "error": 0.25}],
            },
            figures=[
                Figure(
                    "curve",
                    "a curve",
                    "width $m$",
                    "error",
                    [("y=1/x", [1, 2, 4], [1, 0.5, 0.25])],
                    logy=True,
                )
            ],
        )

    nn = {"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}}
    return Proof(
        "demo-proof",
        "A demo " + HOSTILE,
        "nowhere",
        [
            Step(
                "s1",
                "transpose of a product",
                "sec 1",
                "(A @ B).T == B.T @ A.T",
                r"(AB)^\top = B^\top A^\top",
                claim=Claim("s1", "(A @ B).T == B.T @ A.T", dims={"n": 2}, vars=nn),
            ),
            Step(
                "s2",
                "a slip " + HOSTILE,
                "sec 2",
                "(A @ B).T == A.T @ B.T",
                r"(AB)^\top = A^\top B^\top",
                expect="fails",
                claim=Claim("s2", "(A @ B).T == A.T @ B.T", dims={"n": 2}, vars=nn),
            ),
            Step("s3", "measured", "sec 3", "a measurement", r"\|K_m - K\|_F \le C m^{-1/2}", check=measured),
        ],
        summary="Summary " + HOSTILE,
    )


def _notebook_page() -> str:
    import base64

    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from verify.report.notebooks import render_notebook

    png = base64.b64encode(_tiny_png()).decode()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Demo notebook\n\nText with $x$."),
            new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": png})]),
        ]
    )
    return render_notebook(nb, "Demo notebook")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pr = run_proof(_demo_proof(), CheckConfig(instances=3))
    cx_result = Result(
        Verdict.REFUTED,
        {"engine": "numeric"},
        counterexample=pr.steps[1].result.counterexample,
        message="re-checked",
    )
    cat = [
        FileOutcome(
            "/somewhere/x.toml",
            "Hostile " + HOSTILE,
            [ClaimOutcome("c1" + HOSTILE, "(A @ B).T == A.T @ B.T", [], "fails", cx_result)],
        )
    ]
    out = tmp_path_factory.mktemp("site")
    files = render_site(
        [pr], cat, pr.config, notebooks={"notebook_demo.html": ("Demo notebook", _notebook_page())}
    )
    for name, data in files.items():
        (out / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return out, files, pr


def test_site_files_and_escaping(site):
    out, files, pr = site
    assert sorted(files) == [
        "catalogue.html",
        "demo_proof.html",
        "demo_proof_s3_curve.png",
        "index.html",
        "notebook_demo.html",
    ]
    for name in ("index.html", "demo_proof.html", "catalogue.html", "notebook_demo.html"):
        text = files[name]
        assert "<script" not in text, name  # hostile text is shown, never run
        assert "http://" not in text.replace('xmlns="http://www.w3.org/', "") and "https://" not in text
    page = files["demo_proof.html"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ||x||" in page
    assert (
        page.count('data-verdict="proved"') == 3 and page.count('data-verdict="refuted"') == 3
    )  # tally, table, step
    assert "3 of 3 steps have the verdict they should have." in page
    assert "1.25" not in page  # timings live in the run log only
    assert '<img class="plot" src="demo_proof_s3_curve.png"' in page
    assert files["demo_proof_s3_curve.png"][:4] == b"\x89PNG"
    assert 'href="demo_proof.html"' in files["index.html"] and 'href="catalogue.html"' in files["index.html"]


def test_same_input_same_bytes(site):
    _, files, pr = site
    again = render_site([pr], None, pr.config)
    assert again["demo_proof.html"] == files["demo_proof.html"]


def test_mathml_and_matrices():
    m = latex_to_mathml(r"\frac{a}{b} \le \|X\|_F^2")
    assert m.startswith("<math") and "<mfrac>" in m and "math-fallback" not in m
    bad = latex_to_mathml(r"\frac{a}{")
    assert "<math" in bad or ('class="math-fallback"' in bad and r"\frac{a}{" in bad)
    for hostile in (r"\text{<script>alert(1)</script>}", r"\href{javascript:alert(1)}{x}",
                    r"\text{a<b}", r"\operatorname{<img src=x onerror=alert(1)>}"):
        out = latex_to_mathml(hostile)
        assert "<script" not in out and "<img" not in out and "href=" not in out, out
    assert "math-fallback" not in latex_to_mathml(r"\text{if } a < b")
    mat = value_to_mathml("A", [[1, "-1/2"], [0.25, -3]])
    assert mat.count("<mtr>") == 2 and mat.count("<mtd>") == 4
    assert "<mfrac><mn>1</mn><mn>2</mn></mfrac>" in mat and "<mo>−</mo><mn>3</mn>" in mat
    cx = counterexample_html({"dims": {"n": 2}, "values": {"A": [[1, 2], [3, 4]], "t": "1/3"}})
    assert "<code>n = 2</code>" in cx and cx.count("<math") == 2


def test_evidence_is_readable_not_json():
    ev = evidence_html(
        {
            "digits": 40,
            "seconds": 3.5,
            "fit": {"slope": -0.5123456789, "r2": 0.99},
            "rows": [{"w": 1, "e": 0.5}, {"w": 2, "e": 0.25}],
            "xs": list(range(30)),
        }
    )
    assert "<dt>digits</dt><dd>40</dd>" in ev and "seconds" not in ev
    assert "<dt>slope</dt><dd>-0.512346</dd>" in ev
    assert "<table><tr><th>w</th><th>e</th></tr><tr><td>1</td><td>0.5</td></tr>" in ev
    assert "… (30 values)" in ev


def test_dependency_graph_layers_and_colours():
    steps = [
        SimpleNamespace(id="a", uses=[]),
        SimpleNamespace(id="b", uses=["a"]),
        SimpleNamespace(id="c", uses=["a", "b"]),
        SimpleNamespace(id="d", uses=[]),
    ]
    assert layers([s.id for s in steps], {s.id: s.uses for s in steps}) == {"a": 0, "b": 1, "c": 2, "d": 0}
    svg = dependency_svg(steps, {"a": "proved", "b": "refuted", "c": "holds_numerically"})
    assert svg.startswith("<svg") and svg.count('class="edge"') == 3 and svg.count('class="node"') == 3
    assert "#step-d" not in svg                                              # checked on its own: not drawn
    assert 'data-verdict="refuted"' in svg and "#cf222e" in svg
    assert dependency_svg([SimpleNamespace(id="a", uses=[])], {}) == ""  # no premises: no graph


CHECK_PAGE = """(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  return {
    math: [...document.querySelectorAll('math')].map(box),
    imgs: [...document.querySelectorAll('img')].map(i => [i.complete, i.naturalWidth, ...box(i)]),
    verdicts: [...document.querySelectorAll('table.verdicts .verdict')].map(e => e.textContent),
    cx: document.querySelectorAll('.counterexample math mtable').length,
    title: document.title,
    scripts: document.scripts.length,
  };
})()"""


def test_site_renders_in_chromium(site, tmp_path):
    """Index, proof and catalogue pages in headless Chromium: no console errors, math and plots with
    non-empty boxes, verdicts and counterexample matrices shown; screenshots under tmp_path."""
    if find_chromium() is None:
        if os.environ.get("VERIFY_REQUIRE_BROWSER"):  # set by .ci/run, which installs chromium
            pytest.fail("VERIFY_REQUIRE_BROWSER is set but no Chromium was found")
        pytest.skip("no Chromium found: install Debian's 'chromium' to run the browser test (CI does)")
    out, _, _ = site
    browser = Browser()
    try:
        page = browser.open((out / "index.html").as_uri())
        assert page.evaluate("document.querySelectorAll('table.proofs tr').length") == 2
        page.screenshot(tmp_path / "index.png")
        page.goto((out / "demo_proof.html").as_uri())
        got = page.evaluate(CHECK_PAGE)
        shot = page.screenshot(tmp_path / "demo_proof.png")
        page.goto((out / "catalogue.html").as_uri())
        cat_scripts = page.evaluate("document.scripts.length")
        page.goto((out / "notebook_demo.html").as_uri())
        nb_imgs = page.evaluate(CHECK_PAGE)["imgs"]
        errors = page.errors
        page.close()
    finally:
        browser.quit()
    assert errors == []
    assert got["verdicts"] == ["proved", "refuted", "holds_numerically"]
    assert len(got["math"]) >= 3 + 2 and all(w > 0 and h > 0 for w, h in got["math"]), got["math"]
    assert got["imgs"] and all(c and nw > 0 and w > 0 and h > 0 for c, nw, w, h in got["imgs"]), got["imgs"]
    assert len(nb_imgs) == 1 and all(c and nw > 0 and w > 0 and h > 0 for c, nw, w, h in nb_imgs)
    assert got["cx"] >= 2 and got["scripts"] == 0 and cat_scripts == 0  # A and B as matrices
    assert "<script>" in got["title"]  # shown as text
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 10_000


def test_markdown_report_parses_with_a_real_parser():
    from markdown_it import MarkdownIt

    from verify.report.markdown import render_files_report, render_proof_report

    pr = run_proof(_demo_proof(), CheckConfig(instances=3))
    md, _ = render_proof_report(pr, "demo_proof", "verify run demo-proof --report")
    parser = MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(md)
    rows, row = [], None
    for t in tokens:
        if t.type == "tr_open":
            row = []
        elif t.type == "inline" and row is not None:
            row.append(t.content)
        elif t.type == "tr_close":
            rows.append(row)
            row = None
    assert len(rows) == 4 and all(len(r) == 8 for r in rows)    # step name uses by asserts expects verdict ok
    assert [r[6] for r in rows[1:]] == ["**proved**", "**refuted**", "**holds_numerically**"]
    assert [r[7] for r in rows[1:]] == ["yes", "yes", "yes"]
    assert [r[4] for r in rows[1:]] == ["holds", "holds", "holds"]             # what the authors asserted
    rendered = parser.render(md)
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered and "||x||" in rendered
    assert "1.25" not in md and " s · " not in md  # no timings
    cx = FileOutcome(
        "x.toml",
        "t",
        [
            ClaimOutcome(
                "bad|name",
                "norm(A) >= 0 | x",
                [],
                None,
                Result(Verdict.PROVED, {"engine": "e", "seconds": 9.5}),
            )
        ],
    )
    cat = render_files_report([cx], "T " + HOSTILE, "cmd", 1, 50)
    html = parser.render(cat)
    assert html.count("<td>") == 5 and "<strong>proved</strong>" in html and "9.5" not in cat
    assert "<script>" not in html


USER_PROOF = """
from verify import Claim, Proof, Step
PROOF = Proof("user-demo", "A user's proof", "my notes", [
    Step("t", "transpose", "eq 1", "(A @ B).T == B.T @ A.T", r"(AB)^\\top = B^\\top A^\\top",
         claim=Claim("t", "(A @ B).T == B.T @ A.T", dims={"n": 2},
                     vars={"A": {"shape": ["n", "n"]}, "B": {"shape": ["n", "n"]}})),
])
"""


def test_verify_run_path_writes_reports_site_and_run_log(tmp_path):
    from verify.cli import main
    from verify.report.stable import display_path

    (tmp_path / "my_proof.py").write_text(USER_PROOF)
    out = tmp_path / "r"
    args = [
        "run",
        str(tmp_path / "my_proof.py"),
        "--report",
        "--out",
        str(out),
        "--quiet",
        "--instances",
        "2",
    ]
    assert main(args) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["html", "run-log.json", "user_demo.json", "user_demo.md"]
    assert sorted(p.name for p in (out / "html").iterdir()) == ["index.html", "user_demo.html"]
    rep = (out / "user_demo.json").read_text()
    assert '"seconds"' not in rep and json.loads(rep)["proofs"][0]["steps"][0]["verdict"] == "proved"
    log = json.loads((out / "run-log.json").read_text())
    assert log["machine"]["python"] and log["proofs"]["user-demo"]["seconds"] >= 0
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "run-log.json"}
    assert main(args) == 0  # byte-identical on a rerun
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "run-log.json"} == first
    site = tmp_path / "site"                                               # --html alone: only the site
    assert main(["run", str(tmp_path / "my_proof.py"), "--html", str(site), "--out", str(tmp_path / "unused"),
                 "--quiet", "--instances", "2"]) == 0
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "run-log.json", "user_demo.html"]
    assert not (tmp_path / "unused").exists()
    from verify.catalogue import catalogue_files

    assert re.fullmatch(r"verify/catalogue_files/\w+\.toml", display_path(catalogue_files()[0]))


def test_a_partial_run_keeps_the_other_proofs_on_the_index(tmp_path):
    """Two proofs run one at a time into one report folder: the index lists both (the second run
    reads the first one's JSON report), a stale page without a report is not listed, and a run of
    both together writes the same index bytes."""
    from verify.cli import main

    (tmp_path / "a_proof.py").write_text(USER_PROOF)
    (tmp_path / "b_proof.py").write_text(USER_PROOF.replace('"user-demo", "A user\'s proof"',
                                                            '"other-demo", "Another proof"'))
    out = tmp_path / "r"
    opts = ["--report", "--out", str(out), "--quiet", "--instances", "2"]
    assert main(["run", str(tmp_path / "a_proof.py"), *opts]) == 0
    (out / "html" / "orphan.html").write_text("<html></html>")      # a page with no JSON report
    assert main(["run", str(tmp_path / "b_proof.py"), *opts]) == 0
    index = (out / "html" / "index.html").read_text()
    assert 'href="user_demo.html"' in index and 'href="other_demo.html"' in index
    assert "orphan" not in index and index.count("1 of 1") == 2
    assert index.index("other-demo") < index.index("user-demo")            # rows sorted by proof id
    together = tmp_path / "t"
    assert main(["run", str(tmp_path / "a_proof.py"), str(tmp_path / "b_proof.py"), "--report", "--out",
                 str(together), "--quiet", "--instances", "2"]) == 0
    assert (together / "html" / "index.html").read_text() == index


def _tiny_png() -> bytes:
    from verify.report.figures import figure_png

    return figure_png(Figure("f", "t", "x", "y", [("", [1, 2], [1, 2])]))


def test_notebook_page_renders_markdown_code_and_figures(tmp_path):
    import base64

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from verify.report.notebooks import existing_pages, render_notebook, title_of

    nb = new_notebook(
        cells=[
            new_markdown_cell("# Walk-through <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
            new_code_cell("print('hi')", outputs=[new_output("stream", name="stdout", text="hi <b>\n")]),
            new_code_cell(
                "fig",
                outputs=[
                    new_output(
                        "display_data",
                        data={"image/png": base64.b64encode(_tiny_png()).decode(), "text/plain": "<Figure>"},
                    )
                ],
            ),
            new_code_cell(
                "x",
                outputs=[
                    new_output(
                        "execute_result",
                        data={"text/html": "<script>x</script>", "text/plain": "'x'"},
                        execution_count=1,
                    )
                ],
            ),
        ]
    )
    nbformat.validate(nb)
    title = title_of(nb, "default")
    page = render_notebook(nb, title)
    assert title == "Walk-through <script>alert(1)</script>"
    from markdown_it import MarkdownIt

    from verify.report.notebooks import markdown_with_math

    md = MarkdownIt("commonmark", {"html": False})
    out = markdown_with_math("Let $x_i + y_j$ and $$\\frac{a}{b}$$; `$5` stays; $\\text{<script>}$", md)
    assert out.count("<math") == 2 and "<em>" not in out and "<code>$5</code>" in out
    assert "<script" not in out and 'class="math-fallback"' in out
    assert "<script" not in page and "<table>" in page and "hi &lt;b&gt;" in page
    assert page.count('src="data:image/png;base64,') == 1 and '<pre class="out">&#x27;x&#x27;</pre>' in page
    (tmp_path / "notebook_walk.html").write_text(page)
    pages = existing_pages(tmp_path)
    assert pages == {"notebook_walk.html": (title, None)}
    pr = run_proof(_demo_proof(), CheckConfig(instances=2))
    files = render_site([pr], None, pr.config, notebooks=pages)
    assert "notebook_walk.html" not in files and 'href="notebook_walk.html"' in files["index.html"]


def test_notebook_executes_in_a_kernel(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from verify.report.notebooks import execute, render_notebook

    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Tiny"), new_code_cell("print(6 * 7)")]), path)
    nb = execute(path, timeout=120)
    assert nb.cells[1].outputs[0]["text"] == "42\n"
    assert '<pre class="out stdout">42\n</pre>' in render_notebook(nb, "Tiny")
    assert nbformat.read(path, as_version=4).cells[1].outputs == []  # the stored copy stays clean


def test_derived_theorem_verdict_on_index_and_proof_page():
    from verify.proof import ProofResult

    class ChainResult(ProofResult):            # a proof written as a chain names its theorem step
        theorem = property(lambda self: self.steps[2])

    pr = run_proof(_demo_proof(), CheckConfig(instances=2))
    chained = ChainResult(pr.proof, pr.steps, pr.config, pr.seconds)
    chained.steps[2].weakest_link = "s1"
    files = render_site([chained], None, chained.config)
    line = ('Theorem <code>s3</code>: <span class="verdict" style="background:#8250df" '
            'data-verdict="holds_numerically">holds_numerically</span> (derived) · '
            'weakest link: <code>s1</code>')
    assert line in files["index.html"]
    assert '<p class="theorem">Theorem <a href="#step-s3"><code>s3</code></a>:' in files["demo_proof.html"]
    plain = render_site([pr], None, pr.config)                   # no theorem: a dash, no line
    assert "<td>—</td>" in plain["index.html"] and 'class="theorem"' not in plain["demo_proof.html"]


def test_proof_page_opens_with_the_generated_summary():
    from verify.report.html import proof_page

    pr = run_proof(_demo_proof(), CheckConfig(instances=3))
    page = proof_page(pr, {}, "verify run demo-proof")
    assert "This proof states no derived theorem step. Steps: " in page
    assert page.index('class="generated"') < page.index('class="summary"')
    assert "Refuted (each with a re-checked counterexample): s2" in page
