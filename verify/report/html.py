"""A static, offline HTML site of a run: an index, one page per proof, the catalogue, notebooks.

Every page is self-contained (inline CSS, no script, no CDN): formulas are MathML produced on the
server side (:mod:`verify.report.mathml`), counterexamples are shown as matrices, evidence as
definition lists, plots as PNG files, and a proof that declares premises gets its dependency graph
as inline SVG (:mod:`verify.report.graph`).  All text coming from proofs, claims or results is
HTML-escaped.  Pages hold no timings or machine details, so the same seed gives the same bytes.

Example::

    >>> from verify import CheckConfig, load_proof, run_proof
    >>> from verify.report.html import render_site
    >>> pr = run_proof(load_proof("ntk-jacot2018"), CheckConfig(instances=3))    # doctest: +SKIP
    >>> sorted(render_site([pr], None, pr.config))[:2]                           # doctest: +SKIP
    ['index.html', 'ntk_jacot2018.html']
"""

from __future__ import annotations

import html
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import CheckConfig
from ..proof import ProofResult, StepResult
from ..result import Verdict, jsonable
from .chain import chain_summary
from .graph import VERDICT_COLOURS, dependency_svg
from .mathml import is_matrix, latex_to_mathml, value_to_mathml
from ..check.outcomes import FileOutcome
from .stable import display_path, is_timing_key
from .summary import evidence_line

CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#1f2328}
a{color:#0969da}h1{font-size:1.6em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0}
td,th{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f6f8fa}
.verdict{display:inline-block;padding:0 .5em;border-radius:1em;color:#fff;font-weight:600;
font-size:.9em;white-space:nowrap}
.mismatch{color:#cf222e;font-weight:700}
pre,code{font-family:ui-monospace,monospace;font-size:.92em}pre{background:#f6f8fa;padding:.6em;overflow-x:auto;
white-space:pre-wrap}
dl{margin:.3em 0 .3em 1em;display:grid;grid-template-columns:max-content 1fr;gap:0 1em}
dt{font-weight:600;font-family:ui-monospace,monospace}
dd{margin:0 0 .2em 0}.math{overflow-x:auto;padding:.3em 0}math{font-size:1.15em}
.cx{display:flex;flex-wrap:wrap;gap:1.5em;align-items:center}.note{background:#fff8c5;padding:.5em;border-radius:4px}
.message{border-left:4px solid #d0d7de;padding-left:.8em;color:#57606a}img.plot{max-width:100%;height:auto}
nav{margin-bottom:1em}.meta{color:#57606a}.graph{overflow-x:auto}
"""

_MAX_ITEMS = 24


def esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def verdict_badge(v: str) -> str:
    colour = VERDICT_COLOURS.get(v, "#6e7781")
    return f'<span class="verdict" style="background:{colour}" data-verdict="{esc(v)}">{esc(v)}</span>'


def page(title: str, body: str, *, nav: str = "") -> str:
    """A complete HTML5 document (UTF-8, inline CSS, no script)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n"
        f"{nav}{body}\n</body></html>\n"
    )


def _scalar(v: Any) -> str:
    if isinstance(v, float):
        return esc(f"{v:.6g}")
    return esc(v)


def evidence_html(v: Any, depth: int = 0) -> str:
    """Evidence as readable HTML: nested definition lists, short lists inline, matrices as MathML,
    lists of records as tables; timing entries left out (they are in the run log)."""
    v = jsonable(v)
    if isinstance(v, dict):
        items = [
            (k, x)
            for k, x in v.items()
            if not (is_timing_key(str(k)) and isinstance(x, (int, float))) and x not in (None, "", [], {})
        ]
        if not items:
            return ""
        return (
            "<dl>"
            + "".join(f"<dt>{esc(k)}</dt><dd>{evidence_html(x, depth + 1)}</dd>" for k, x in items)
            + "</dl>"
        )
    if isinstance(v, list):
        if is_matrix(v) and len(v) <= 12 and len(v[0]) <= 12:
            return value_to_mathml("", v).replace("<mi></mi><mo>=</mo>", "")
        if v and all(isinstance(x, dict) for x in v):
            keys = list(dict.fromkeys(k for x in v for k in x if not is_timing_key(str(k))))
            if len(keys) <= 10:
                rows = "".join(
                    "<tr>" + "".join(f"<td>{_cell(x.get(k))}</td>" for k in keys) + "</tr>"
                    for x in v[:_MAX_ITEMS]
                )
                more = f'<p class="meta">… {len(v) - _MAX_ITEMS} more rows</p>' if len(v) > _MAX_ITEMS else ""
                head = "".join(f"<th>{esc(k)}</th>" for k in keys)
                return f"<table><tr>{head}</tr>{rows}</table>{more}"
        shown = ", ".join(_cell(x) for x in v[:_MAX_ITEMS])
        more = f", … ({len(v)} values)" if len(v) > _MAX_ITEMS else ""
        return f"[{shown}{more}]"
    return _scalar(v)


def _cell(x: Any) -> str:
    if isinstance(x, list) and len(x) <= _MAX_ITEMS and all(not isinstance(v, (dict, list)) for v in x):
        return "[" + ", ".join(_scalar(v) for v in x) + "]"
    if isinstance(x, (dict, list)):
        text = esc(str(jsonable(x)))
        return f"<code>{text[:300]}{'…' if len(text) > 300 else ''}</code>"
    return "" if x is None else _scalar(x)


def counterexample_html(cx: dict[str, Any]) -> str:
    """Every variable of a counterexample: matrices and scalars as MathML, dimensions listed."""
    parts = []
    if cx.get("dims"):
        parts.append(
            "<p>Dimensions: "
            + ", ".join(f"<code>{esc(k)} = {esc(v)}</code>" for k, v in cx["dims"].items())
            + "</p>"
        )
    blocks = []
    for name, val in cx.get("values", {}).items():
        m = value_to_mathml(name, val)
        blocks.append(
            f'<div class="math">{m}</div>' if m else f"<div><code>{esc(name)} = {_cell(val)}</code></div>"
        )
    parts.append('<div class="cx">' + "".join(blocks) + "</div>")
    if cx.get("details"):
        parts.append(
            "<details><summary>Details (the two sides on this instance)</summary>"
            + evidence_html(cx["details"])
            + "</details>"
        )
    return "".join(parts)


def _counts(verdicts: list[str]) -> str:
    c = Counter(verdicts)
    return " ".join(f"{verdict_badge(v.value)}&nbsp;{c[v.value]}" for v in Verdict if c[v.value])


def proof_page(pr: ProofResult, figure_href: dict[str, str], command: str,
               supplements: dict | None = None) -> str:
    """One proof: summary, verdict table, dependency graph, then every step in full, then the
    proof's supplements (``supplements``: their data, see :mod:`verify.report.supplements`)."""
    p = pr.proof
    ok = sum(s.matches for s in pr.steps)
    rows = []
    for s in pr.steps:
        mark = "yes" if s.matches else '<span class="mismatch">no</span>'
        rows.append(
            f'<tr><td><a href="#step-{esc(s.step.id)}"><code>{esc(s.step.id)}</code></a></td>'
            f"<td>{esc(s.step.name)}</td><td>{esc(s.step.expect)}</td>"
            f"<td>{verdict_badge(s.result.verdict.value)}</td><td>{mark}</td></tr>"
        )
    body = [
        f"<h1>{esc(p.title)}</h1>",
        f'<p class="meta">Proof id <code>{esc(p.id)}</code> · source: {esc(p.source)}<br>'
        f"Seed {pr.config.seed} · {pr.config.dps} digits · {pr.config.instances} instances per claim · "
        f"generated by <code>{esc(command)}</code></p>",
    ]
    for line in chain_summary(pr):          # generated from the verdicts (theorem, weakest link, tallies)
        body.append(f'<p class="generated">{esc(line.replace("**", "").replace("`", ""))}</p>')
    if p.summary:
        body.append(f'<p class="summary"><em>Reading (authored prose; the verdicts are authoritative):</em> '
                    f'{esc(p.summary)}</p>')
    if theorem_line(pr):
        body.append(f'<p class="theorem">{theorem_line(pr, link=True)}</p>')
    body += [
        f'<p><strong id="tally">{ok} of {len(pr.steps)} steps have the verdict they should have.</strong> '
        f"{_counts([s.result.verdict.value for s in pr.steps])}</p>",
        '<table class="verdicts"><tr><th>step</th><th>name</th><th>toolkit expects</th><th>verdict</th>'
        "<th>as expected</th></tr>" + "".join(rows) + "</table>",
    ]
    svg = dependency_svg([s.step for s in pr.steps], {s.step.id: s.result.verdict.value for s in pr.steps})
    if svg:
        body.append(f'<h2>Dependency graph</h2><div class="graph">{svg}</div>')
    for s in pr.steps:
        body.append(_step_section(s, figure_href))
    if p.supplements:
        from .supplements import html_sections

        body.append(html_sections(p.supplements, supplements or {}))
    return page(p.title, "\n".join(body), nav='<nav><a href="index.html">← all proofs</a></nav>')


def _step_section(s: StepResult, figure_href: dict[str, str]) -> str:
    """One step of a proof page in full: statement, expectation and verdict, evidence, counterexample,
    note and figures."""
    st, r = s.step, s.result
    sec = [
        f'<section class="step" id="step-{esc(st.id)}">',
        f"<h2><code>{esc(st.id)}</code> {esc(st.name)}</h2>",
        f'<p class="meta">Source: {esc(st.source)}</p>',
    ]
    if st.latex:
        sec.append(f'<div class="math">{latex_to_mathml(st.latex)}</div>')
    sec.append(f'<pre class="statement">{esc(st.statement)}</pre>')
    if st.given:
        sec.append("<p>Given: " + "; ".join(f"<code>{esc(g)}</code>" for g in st.given) + "</p>")
    if st.assumptions:
        sec.append("<p>Assumptions: " + "; ".join(esc(a) for a in st.assumptions) + "</p>")
    expected = "as expected" if s.matches else '<span class="mismatch">NOT as expected</span>'
    sec.append(
        f"<p>Authors assert: <strong>{'assumed' if st.hypothesis else 'holds'}</strong> · toolkit "
        "expects: "
        f"<strong>{esc(st.expect)}</strong> · verdict: "
        f"{verdict_badge(r.verdict.value)} ({expected})</p>"
    )
    if r.message:
        sec.append(f'<p class="message">{esc(r.message)}</p>')
    sec.append(
        f"<details open><summary>Evidence: {esc(evidence_line(r, timings=False))}</summary>"
        f"{evidence_html({k: v for k, v in r.evidence.items() if k != 'engine'})}</details>"
    )
    if r.counterexample is not None:
        sec.append(
            '<div class="counterexample"><h3>Counterexample</h3>'
            "<p>Every variable; evaluate the statement on it to see it fail.</p>"
            + counterexample_html(jsonable(r.counterexample.to_json()))
            + "</div>"
        )
    if st.note:
        sec.append(f'<p class="note"><strong>Note:</strong> {esc(st.note)}</p>')
    for fig in r.figures:
        href = figure_href.get(f"{st.id}/{fig.name}")
        if href:
            sec.append(
                f'<figure><img class="plot" src="{esc(href)}" alt="{esc(fig.title)}" width="600" '
                f'height="400"><figcaption>{esc(fig.title)}</figcaption></figure>'
            )
    sec.append("</section>")
    return "".join(sec)


def catalogue_page(files: list[FileOutcome], config: CheckConfig) -> str:
    """The claim catalogue: a table per file, counterexamples as matrices."""
    body = [
        "<h1>The built-in claim catalogue</h1>",
        f'<p class="meta">Seed {config.seed} · {config.dps} digits · '
        f"{config.instances} instances per claim</p>",
    ]
    for f in files:
        ok = sum(c.matches for c in f.claims)
        rows = []
        for c in f.claims:
            mark = "" if c.matches else ' <span class="mismatch">(not as expected)</span>'
            cx = ""
            if c.result.counterexample is not None:
                cx = (
                    "<details><summary>counterexample</summary>"
                    + counterexample_html(jsonable(c.result.counterexample.to_json()))
                    + "</details>"
                )
            rows.append(
                f"<tr><td><code>{esc(c.name)}</code></td><td><code>{esc(c.statement)}</code></td>"
                f"<td>{esc(c.expect or '-')}</td><td>{verdict_badge(c.result.verdict.value)}{mark}</td>"
                f"<td>{esc(evidence_line(c.result, timings=False))}{cx}</td></tr>"
            )
        body.append(
            f"<h2>{esc(f.title)}</h2><p><code>{esc(display_path(f.file))}</code> · {ok} of "
            f"{len(f.claims)} claims as expected</p><table><tr><th>claim</th><th>statement</th>"
            "<th>expect</th><th>verdict</th><th>evidence</th></tr>" + "".join(rows) + "</table>"
        )
    return page("Claim catalogue", "\n".join(body), nav='<nav><a href="index.html">← index</a></nav>')


def theorem_line(pr: ProofResult, link: bool = False) -> str:
    """The derived theorem's verdict and weakest link, for proofs written as chains ("" otherwise).

    A theorem's verdict is derived from its premises by the rule kernel, never written by hand; the
    weakest link is the leaf premise it rests on."""
    th = getattr(pr, "theorem", None)
    if th is None or not hasattr(th, "result"):
        return ""
    return _theorem_html(th.step.id, th.result.verdict.value, getattr(th, "weakest_link", None), link)


def _theorem_html(sid: str, verdict: str, weak: str | None, link: bool = False) -> str:
    name = f'<a href="#step-{esc(sid)}"><code>{esc(sid)}</code></a>' if link else f"<code>{esc(sid)}</code>"
    weak_txt = f" · weakest link: <code>{esc(weak)}</code>" if weak and weak != sid else ""
    return f"Theorem {name}: {verdict_badge(verdict)} (derived){weak_txt}"


@dataclass(frozen=True)
class IndexRow:
    """What the site's index shows of one proof: from this run's result or from its stored JSON
    report (so that a run of some proofs keeps the others listed)."""

    pid: str
    stem: str
    title: str
    ok: int
    n: int
    all_match: bool
    verdicts: tuple[str, ...]
    theorem: str                     # HTML ("" when the proof has no derived theorem)


@dataclass(frozen=True)
class CatalogueLine:
    """What the index shows of the claim catalogue."""

    files: int
    ok: int
    n: int
    verdicts: tuple[str, ...]


def index_row(r: ProofResult, stem: str) -> IndexRow:
    return IndexRow(r.proof.id, stem, r.proof.title, sum(s.matches for s in r.steps), len(r.steps),
                    r.all_match, tuple(s.result.verdict.value for s in r.steps), theorem_line(r))


def index_row_from_json(d: dict, stem: str) -> IndexRow:
    """The row of a proof from its JSON report (``ProofResult.to_json``)."""
    steps = d["steps"]
    th = d.get("theorem")
    theorem = _theorem_html(th, d["theorem_verdict"], d.get("weakest_link")) if th and d.get(
        "theorem_verdict") else ""
    return IndexRow(d["id"], stem, d["title"], sum(bool(s["matches_expect"]) for s in steps), len(steps),
                    bool(d["all_steps_as_expected"]), tuple(s["verdict"] for s in steps), theorem)


def catalogue_line(files: list) -> CatalogueLine:
    claims = [c for f in files for c in f.claims]
    return CatalogueLine(len(files), sum(c.matches for c in claims), len(claims),
                         tuple(c.result.verdict.value for c in claims))


def catalogue_line_from_json(d: dict) -> CatalogueLine:
    """The catalogue's line from its JSON report ({"files": [{"claims": [...]}, ...]})."""
    claims = [c for f in d["files"] for c in f["claims"]]
    return CatalogueLine(len(d["files"]), sum(bool(c["matches_expect"]) for c in claims), len(claims),
                         tuple(c["verdict"] for c in claims))


def stored_index_entries(report_dir: Path, html_dir: Path, skip: set[str]) -> tuple[list[IndexRow],
                                                                                    CatalogueLine | None]:
    """Index rows of the proofs whose JSON report is in ``report_dir`` and whose page is in ``html_dir``
    (ids in ``skip`` excluded), and the catalogue's line when both of its files are there.  A report
    that cannot be read is left out (the index lists what it can vouch for)."""
    import json

    rows, cat = [], None
    for path in sorted(Path(report_dir).glob("*.json")):
        if not (Path(html_dir) / f"{path.stem}.html").is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if path.stem == "catalogue":
                cat = catalogue_line_from_json(data)
                continue
            for d in data.get("proofs", []) if isinstance(data, dict) else []:
                if d["id"] not in skip:
                    rows.append(index_row_from_json(d, path.stem))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return rows, cat


def index_page(rows: list[IndexRow], catalogue: CatalogueLine | None,
               notebooks: list[tuple[str, str]]) -> str:
    """Every proof (rows sorted by proof id) and the catalogue, with verdict counts and links."""
    html_rows = []
    for r in sorted(rows, key=lambda r: r.pid):
        mark = "" if r.all_match else ' <span class="mismatch">(not all as expected)</span>'
        html_rows.append(
            f'<tr><td><a href="{esc(r.stem)}.html">{esc(r.title)}</a><br>'
            f"<code>{esc(r.pid)}</code></td><td>{r.ok} of {r.n}{mark}</td>"
            f"<td>{_counts(list(r.verdicts))}</td>"
            f"<td>{r.theorem or '—'}</td></tr>"
        )
    body = [
        "<h1>verify: proofs checked step by step</h1>",
        "<p>Each proof is a list of steps; every step gets a verdict from the engines "
        "(proved, certified, holds_numerically, refuted, inconclusive, error; a hypothesis is assumed) "
        "and is compared with what the authors assert.</p>",
    ]
    if html_rows:
        body.append(
            '<h2>Proofs</h2><table class="proofs"><tr><th>proof</th><th>steps as expected</th>'
            "<th>verdicts</th><th>theorem</th></tr>" + "".join(html_rows) + "</table>"
        )
    if catalogue is not None:
        body.append(
            f'<h2>Claim catalogue</h2><p><a href="catalogue.html">The built-in claim catalogue</a>: '
            f"{catalogue.ok} of {catalogue.n} claims as expected in {catalogue.files} files. "
            f"{_counts(list(catalogue.verdicts))}</p>"
        )
    if notebooks:
        body.append(
            "<h2>Notebooks</h2><ul>"
            + "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for t, h in notebooks)
            + "</ul>"
        )
    return page("verify reports", "\n".join(body))


def render_site(
    results: list[ProofResult],
    catalogue: list[FileOutcome] | None,
    config: CheckConfig,
    *,
    pngs: dict[str, bytes] | None = None,
    png_dir: Path | None = None,
    html_dir: Path | None = None,
    notebooks: dict[str, tuple[str, str | None]] | None = None,
    supplements: dict | None = None,
    stored: tuple[list[IndexRow], CatalogueLine | None] | None = None,
) -> dict[str, str | bytes]:
    """The site's files by name (relative to its folder): ``index.html``, ``<stem>.html`` per proof,
    ``catalogue.html``, notebook pages, and the plots.

    Plots already written elsewhere (``pngs`` written to ``png_dir``) are linked relative to
    ``html_dir``; otherwise they are rendered and become files of the site.  ``notebooks`` maps a
    page name to the notebook's title and its HTML (None: the page exists already and is only
    linked); see :mod:`verify.report.notebooks`.  ``supplements``: the data of the proofs'
    supplements by name (:mod:`verify.report.supplements`).  ``stored``: index entries of proofs
    (and the catalogue) not in this run whose pages the site already has (``stored_index_entries``),
    so that the index keeps listing them.
    """
    from .figures import figure_png

    files: dict[str, str | bytes] = {}
    stems = {r.proof.id: r.proof.id.replace("-", "_") for r in results}
    for r in results:
        stem = stems[r.proof.id]
        hrefs: dict[str, str] = {}
        for s in r.steps:
            for fig in s.result.figures:
                name = f"{stem}_{s.step.id}_{fig.name}.png"
                if pngs is not None and name in pngs and png_dir is not None and html_dir is not None:
                    hrefs[f"{s.step.id}/{fig.name}"] = Path(
                        os.path.relpath(png_dir / name, html_dir)
                    ).as_posix()
                else:
                    files[name] = figure_png(fig)
                    hrefs[f"{s.step.id}/{fig.name}"] = name
        cmd = f"verify run {r.proof.id} --seed {config.seed} --dps {config.dps}"
        files[f"{stem}.html"] = proof_page(r, hrefs, cmd, supplements)
    if catalogue is not None:
        files["catalogue.html"] = catalogue_page(catalogue, config)
    nb_links = []
    for name, (title, text) in sorted((notebooks or {}).items()):
        if text is not None:            # None: a page already in the site, kept and linked
            files[name] = text
        nb_links.append((title, name))
    earlier_rows, earlier_cat = stored or ([], None)
    run_ids = {r.proof.id for r in results}
    rows = [index_row(r, stems[r.proof.id]) for r in results] + [
        row for row in earlier_rows if row.pid not in run_ids]
    cat = catalogue_line(catalogue) if catalogue is not None else earlier_cat
    files["index.html"] = index_page(rows, cat, nb_links)
    return files
