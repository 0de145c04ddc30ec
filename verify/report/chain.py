"""A proof's dependency graph as a PNG for the Markdown report: the steps of the chain (every step
that uses or is used by another) as nodes coloured by verdict, an arrow from each premise to the
step it supports; layers by longest premise chain (``verify.report.graph.layers``), premises left."""
from __future__ import annotations

import io

from ..proof import ProofResult
from .graph import VERDICT_COLOURS, layers


def chain_ids(pr: ProofResult) -> list[str]:
    """Ids of the steps that take part in a derivation, in proof order."""
    used = {u for s in pr.steps for u in s.step.uses}
    return [s.step.id for s in pr.steps if s.step.uses or s.step.id in used or s.step.by is not None]


def dependency_png(pr: ProofResult) -> bytes | None:
    """The graph as PNG bytes, or None when no step names a premise."""
    ids = chain_ids(pr)
    if not any(pr.result_of(i).step.uses for i in ids):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    uses = {i: [u for u in pr.result_of(i).step.uses if u in ids] for i in ids}
    layer = layers(ids, uses)
    cols: dict[int, list[str]] = {}
    for i in ids:
        cols.setdefault(layer[i], []).append(i)
    pos = {i: (c, -r) for c, members in cols.items() for r, i in enumerate(members)}
    n_cols, n_rows = max(cols) + 1, max(len(m) for m in cols.values())
    fig, ax = plt.subplots(figsize=(max(6.0, 2.3 * n_cols), max(3.0, 0.42 * n_rows + 1)), dpi=100)
    for i in ids:
        for u in uses[i]:
            (x1, y1), (x2, y2) = pos[u], pos[i]
            ax.annotate("", xy=(x2 - 0.42, y2), xytext=(x1 + 0.42, y1),
                        arrowprops={"arrowstyle": "->", "color": "#57606a", "lw": 0.8})
    for i in ids:
        x, y = pos[i]
        sr = pr.result_of(i)
        v = sr.result.verdict.value
        colour = "#0969da" if sr.step.hypothesis else VERDICT_COLOURS.get(v, "#6e7781")
        label = i if len(i) <= 22 else i[:21] + "…"
        ax.text(x, y, label, ha="center", va="center", fontsize=7, color="white",
                bbox={"boxstyle": "round,pad=0.3", "fc": colour, "ec": "none"})
    handles = [plt.Line2D([], [], marker="s", ls="", color=c, label=v) for v, c in VERDICT_COLOURS.items()]
    handles.append(plt.Line2D([], [], marker="s", ls="", color="#0969da", label="hypothesis"))
    ax.legend(handles=handles, fontsize=6, loc="lower right", ncol=2)
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(-n_rows + 0.4, 0.6)
    ax.axis("off")
    ax.set_title(f"{pr.proof.id}: premises (left) to conclusions (right)", fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def chain_summary(pr: ProofResult) -> list[str]:
    """The report's opening lines, generated from the verdicts (never authored prose)."""
    counts: dict[str, int] = {}
    for s in pr.steps:
        counts[s.result.verdict.value] = counts.get(s.result.verdict.value, 0) + 1
    tally = ", ".join(f"{n} {v}" for v, n in counts.items())
    out = []
    th = pr.theorem
    if th is not None:
        r = th.result
        link = (
            f"; its weakest link is `{th.weakest_link}` "
            f"({pr.result_of(th.weakest_link).result.verdict.value})"
            if th.weakest_link
            else ""
        )
        hyps = [s.step.id for s in pr.steps if s.step.hypothesis]
        out.append(
            f"**Theorem `{th.step.id}`: {r.verdict.value}** (derived by `{th.step.by}` from its premises, "
            f"never asserted{link}). "
            + (f"Hypotheses: {', '.join(f'`{h}`' for h in hyps)}. " if hyps else "")
            + f"Steps: {tally}."
        )
    else:
        out.append(f"This proof states no derived theorem step. Steps: {tally}.")
    refuted = [s.step.id for s in pr.steps if s.result.verdict.value == "refuted"]
    if refuted:
        out.append(
            "Refuted (each with a re-checked counterexample): " + ", ".join(f"`{i}`" for i in refuted) + "."
        )
    asserted = [s.step.id for s in pr.steps if s.step.asserted]
    if asserted:
        out.append("Asserted without proof: " + ", ".join(f"`{i}`" for i in asserted) + ".")
    unexpected = [s.step.id for s in pr.steps if not s.matches]
    if unexpected:
        out.append("Not as expected: " + ", ".join(f"`{i}`" for i in unexpected) + ".")
    return out
