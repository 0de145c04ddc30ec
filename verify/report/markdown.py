"""Markdown reports (LaTeX in ``$...$``), with plots rendered to PNG beside the report.

``render_proof_report`` returns the Markdown text and a mapping of PNG file names to bytes; the
caller writes them (atomically) so that a failure leaves nothing half-written.
"""
from __future__ import annotations

import io
import json
import re
from typing import Any

from ..proof import ProofResult
from ..result import Figure, jsonable
from .chain import chain_summary, dependency_png
from .model import FileOutcome
from .stable import display_path, is_timing_key, split_timings
from .summary import counterexample_line, evidence_line, scope_counts_line

_SKIP_EVIDENCE = {"engine"}


_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_SCRIPT = re.compile(r"([_^])(\{[^{}]*\}|[−-]?[0-9]+(?:/[0-9]+)?|[a-z0-9]+|[A-Z]|[^\W\d_a-zA-Z])")


def mathtext(label: str) -> str:
    """Sub- and superscripts written LaTeX-style in a label (``m^{-1/2}``, ``σ_min``, ``W_{ℓ+1}``)
    set as matplotlib mathtext (``m$^{-1/2}$``), ``||`` as ``‖``; the rest stays plain text.  Labels
    that already use ``$``, and scripts mathtext cannot parse, stay as they are."""
    if not label or "$" in label:
        return label
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")

    def wrap(m: re.Match) -> str:
        body = m.group(2)
        body = body[1:-1] if body.startswith("{") else body
        cand = f"${m.group(1)}{{{body.replace('−', '-')}}}$"
        try:
            parser.parse(cand)
        except Exception:  # matplotlib raises ValueError and pyparsing errors alike
            return m.group(0)
        return cand

    return _SCRIPT.sub(wrap, label.replace("||", "‖"))


def _is_reference(label: str) -> bool:
    low = label.lower()
    return any(w in low for w in ("reference", "bound", "slope", "theory", "predicted"))


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (deterministic: no timestamp or software metadata).

    Every series gets its own marker (a curve never hides another: later series are drawn thinner on
    top, with open markers); reference curves (labels with "reference", "bound", "slope", "theory")
    are dashed without markers; ``fig.errors`` become error bars (clipped at 1% of the value on a log
    axis); labels are set in mathtext.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for i, (label, xs, ys) in enumerate(fig.series):
        xs, ys = list(xs), list(ys)
        if not xs:
            continue
        marker = _MARKERS[i % len(_MARKERS)]
        shown = mathtext(label) if label else None
        if fig.kind == "scatter":
            ax.scatter(xs, ys, label=shown, s=18, marker=marker, facecolors="none" if i else None,
                       edgecolors=f"C{i}", color=f"C{i}", zorder=2 + i)
            continue
        if _is_reference(label):
            ax.plot(xs, ys, "--", color="0.35", lw=1.2, label=shown, zorder=1)
            continue
        style = {"marker": marker if len(xs) <= 30 else None, "ms": 5 - min(i, 2),
                 "lw": 1.8 - 0.3 * min(i, 3),
                 "mfc": "none" if i else None, "color": f"C{i}", "zorder": 2 + i}
        err = fig.errors.get(label)
        if err is not None and len(err) == len(ys):
            lower = [min(e, 0.99 * y) if fig.logy else e for e, y in zip(err, ys)]
            ax.errorbar(xs, ys, yerr=[lower, list(err)], capsize=3, label=shown, **style)
        else:
            ax.plot(xs, ys, label=shown, **style)
    if fig.logx:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    if fig.logy:
        ax.set_yscale("log")
    ax.set_title(mathtext(fig.title), fontsize=10)
    ax.set_xlabel(mathtext(fig.xlabel))
    ax.set_ylabel(mathtext(fig.ylabel))
    if len(fig.series) > 1 or (fig.series and fig.series[0][0]):
        ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    f.tight_layout()
    buf = io.BytesIO()
    f.savefig(buf, format="png", metadata={"Software": None})
    plt.close(f)
    return buf.getvalue()


def _versions() -> str:
    from .. import __version__

    return f"verify {__version__}"


_MD_PUNCT = set("\\`*_[]<>|#!~$&")


def md_text(text: str) -> str:
    """Plain text safe in Markdown prose and table cells: every Markdown-active character is
    backslash-escaped (so ``||x||`` cannot end a table cell and ``<script>`` is shown, not run)."""
    out = "".join("\\" + c if c in _MD_PUNCT else c for c in str(text))
    return " ".join(out.split("\n"))


def _longest_tick_run(text: str) -> int:
    return max((len(r) for r in re.findall("`+", text)), default=0)


def md_code(text: str, in_table: bool = False) -> str:
    """An inline code span holding ``text`` verbatim (fence longer than any backtick run inside)."""
    text = " ".join(str(text).split("\n"))
    fence = "`" * (_longest_tick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def md_block(text: str, info: str = "") -> list[str]:
    """A fenced code block holding ``text`` verbatim (fence longer than any backtick run inside)."""
    fence = "`" * max(3, _longest_tick_run(str(text)) + 1)
    return [fence + info, str(text), fence]


def md_prose(text: str) -> str:
    """Authored prose (notes, summaries): Markdown kept, raw HTML shown as text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _evidence_items(ev: dict[str, Any]) -> list[str]:
    out = []
    for k, v in ev.items():
        v = jsonable(v)
        if k in _SKIP_EVIDENCE or is_timing_key(k) or v is None or v == {} or v == [] or v == "":
            continue
        v, _ = split_timings(v)
        text = json.dumps(v, separators=(", ", ": ")) if isinstance(v, (dict, list)) else str(v)
        if len(text) > 600:
            text = text[:597] + "..."
        out.append(f"  - {md_code(k)}: {md_code(text)}")
    return out


def render_proof_report(pr: ProofResult, stem: str, command: str) -> tuple[str, dict[str, bytes]]:
    """The proof's Markdown report and its plots (PNG bytes by file name).

    The text holds no timings and no machine details, so the same seed gives the same bytes; every
    piece of step or claim text is escaped (:func:`md_text`, :func:`md_code`).
    """
    p = pr.proof
    pngs: dict[str, bytes] = {}
    lines = [f"# {md_text(p.title)}", "",
             f"*Generated by {md_code(command)}; do not edit by hand.*  ",
             f"Proof id {md_code(p.id)} · source: {md_text(p.source)}  ",
             f"Seed {pr.config.seed} · {pr.config.dps} digits · {pr.config.instances} instances per claim · "
             f"{_versions()}", ""]
    lines += [*(f"{x}  " for x in chain_summary(pr)), ""]
    graph = dependency_png(pr)
    if graph is not None:
        pngs[f"{stem}_dependencies.png"] = graph
        lines += [f"![dependency graph]({stem}_dependencies.png)", ""]
    if p.summary:
        lines += ["*Reading (authored prose; the verdicts are authoritative):* " + md_prose(p.summary), ""]
    ok = sum(s.matches for s in pr.steps)
    lines += [f"**{ok} of {len(pr.steps)} steps have the verdict they should have.**", ""]
    scope = scope_counts_line([s.result for s in pr.steps])
    if scope:
        lines += [scope, ""]
    lines += ["| step | name | uses | by | authors assert | toolkit expects | verdict | as expected |",
              "|---|---|---|---|---|---|---|---|"]
    for s in pr.steps:
        st = s.step
        cells = [md_code(st.id, in_table=True), md_text(st.name), ", ".join(md_code(u, in_table=True) for u in st.uses),
                 md_text(st.by or ""), "assumed" if st.hypothesis else "holds", md_text(st.expect),
                 f"**{s.result.verdict.value}**", "yes" if s.matches else "**no**"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for s in pr.steps:
        st, r = s.step, s.result
        lines += [f"## {md_code(st.id)} {md_text(st.name)}", "", f"*Source:* {md_text(st.source)}", ""]
        if st.latex:
            lines += [f"$${' '.join(st.latex.split())}$$", ""]
        lines += [*md_block(st.statement), ""]
        if st.given:
            lines.append("*Given:* " + "; ".join(md_code(g) for g in st.given) + "  ")
        if st.assumptions:
            lines.append("*Assumptions:* " + "; ".join(md_text(a) for a in st.assumptions) + "  ")
        if st.uses or st.by:
            lines.append(f"*Derived by* {md_code(st.by or '')}" + (" *from* " + ", ".join(md_code(u) for u in st.uses)
                                                                  if st.uses else "") + "  ")
        lines += [(f"*Authors assert:* {'assumed' if st.hypothesis else 'holds'} · *toolkit expects:* "
                   f"{md_text(st.expect)} · *verdict:* **{r.verdict.value}** "
                   f"({'as expected' if s.matches else 'NOT as expected'})"), ""]
        if r.message:
            lines += [f"> {md_text(r.message)}", ""]
        summary = md_text(evidence_line(r, timings=False))
        lines += [f"*Evidence* ({summary}):", *_evidence_items(r.evidence), ""]
        if r.counterexample is not None:
            lines += ["*Counterexample* (every variable; evaluate the statement on it to see it fail):", "",
                      *md_block(json.dumps(jsonable(r.counterexample.to_json()), indent=1), "json"), ""]
        if st.note:
            lines += [f"*Note:* {md_prose(st.note)}", ""]
        for fig in r.figures:
            name = f"{stem}_{st.id}_{fig.name}.png"
            pngs[name] = figure_png(fig)
            lines += [f"![{md_text(fig.title)}]({name})", ""]
    return "\n".join(lines).rstrip() + "\n", pngs


def render_files_report(files: list[FileOutcome], title: str, command: str, seed: int, dps: int) -> str:
    """A Markdown report of checked claim files (a table per file, then the counterexamples)."""
    lines = [f"# {md_text(title)}", "", f"*Generated by {md_code(command)}; do not edit by hand.*  ",
             f"Seed {seed} · {dps} digits · {_versions()}", ""]
    for f in files:
        ok = sum(c.matches for c in f.claims)
        scope = scope_counts_line([c.result for c in f.claims])
        lines += [f"## {md_text(f.title)}", "",
                  f"{md_code(display_path(f.file))} · {ok} of {len(f.claims)} claims as expected", "",
                  *([scope, ""] if scope else []),
                  "| claim | statement | expect | verdict | evidence |", "|---|---|---|---|---|"]
        for c in f.claims:
            exp = md_text(c.expect or "-")
            mark = "" if c.matches else " (**not as expected**)"
            cells = [md_code(c.name, in_table=True), md_code(c.statement, in_table=True), exp,
                     f"**{c.result.verdict.value}**{mark}", md_text(evidence_line(c.result, timings=False))]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        for c in f.claims:
            cx = counterexample_line(c.result, limit=1000)
            if cx:
                lines.append(f"- {md_code(c.name)} counterexample: {md_code(cx)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
