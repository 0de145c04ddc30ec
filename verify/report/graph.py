"""A proof's step-dependency graph as inline SVG: steps are nodes coloured by verdict, an edge
runs from each premise to the step that uses it (``Step.uses``, when a proof declares premises).
Steps that neither use nor are used by another step are checked on their own and not drawn.

Layout: a step's layer is the length of the longest premise chain below it (premises to the left);
inside a layer, steps are ordered by the mean row of the steps that use them (fewer crossings).
Pure Python, no Graphviz.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

VERDICT_COLOURS = {
    "proved": "#1a7f37",
    "certified": "#2f6feb",
    "holds_numerically": "#8250df",
    "refuted": "#cf222e",
    "inconclusive": "#9a6700",
    "assumed": "#0969da",
    "error": "#6e7781",
}
NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 190, 34, 70, 14, 10


def premises(step) -> list[str]:
    """The ids of the steps a step uses (empty for proofs without declared premises)."""
    return [str(u) for u in (getattr(step, "uses", None) or [])]


def layers(ids: Sequence[str], uses: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path layer of each step (premises unknown to the proof are ignored; a cycle is cut)."""
    layer: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(i: str) -> int:
        if i in layer:
            return layer[i]
        if i in visiting:  # a cycle: the kernel reports it; the drawing just stops here
            return 0
        visiting.add(i)
        d = 1 + max((depth(u) for u in uses.get(i, []) if u in uses), default=-1)
        visiting.discard(i)
        layer[i] = d
        return d

    for i in ids:
        depth(i)
    return layer


def _ordered_columns(ids: list[str], uses: dict[str, list[str]]) -> dict[int, list[str]]:
    """The steps by layer (column), each column ordered for fewer crossings: by the mean row of the
    steps that use it (columns placed right to left), ties in step order."""
    layer = layers(ids, {i: uses[i] for i in ids})
    columns: dict[int, list[str]] = {}
    for i in ids:
        columns.setdefault(layer[i], []).append(i)
    consumers: dict[str, list[str]] = {}
    for i in ids:
        for u in uses[i]:
            consumers.setdefault(u, []).append(i)
    row: dict[str, float] = {}
    for c in sorted(columns, reverse=True):
        members = columns[c]
        key = {i: (sum(row[k] for k in consumers.get(i, []) if k in row) / max(1, len(consumers.get(i, [])))
                   if consumers.get(i) else float(ids.index(i))) for i in members}
        members.sort(key=lambda i: (key[i], ids.index(i)))
        row.update({i: float(r) for r, i in enumerate(members)})
    return columns


def dependency_svg(steps: Sequence, verdicts: dict[str, str], href: str = "#step-{id}") -> str:
    """The graph as an ``<svg>`` element ("" when no step names a premise)."""
    all_ids = [s.id for s in steps]
    uses = {s.id: premises(s) for s in steps}
    if not any(uses.values()):
        return ""
    used = {u for v in uses.values() for u in v}
    ids = [i for i in all_ids if uses[i] or i in used]          # the chain; steps checked alone are left out
    columns = _ordered_columns(ids, uses)
    pos = {}
    for c, members in columns.items():
        for r, i in enumerate(members):
            pos[i] = (PAD + c * (NODE_W + GAP_X), PAD + r * (NODE_H + GAP_Y))
    width = PAD * 2 + (max(columns) + 1) * NODE_W + max(columns) * GAP_X
    height = PAD * 2 + max(len(m) for m in columns.values()) * (NODE_H + GAP_Y) - GAP_Y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="depgraph" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="step dependency graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a"/></marker></defs>',
    ]
    for i in ids:
        for u in uses[i]:
            if u not in pos:
                continue
            x1, y1 = pos[u][0] + NODE_W, pos[u][1] + NODE_H / 2
            x2, y2 = pos[i][0], pos[i][1] + NODE_H / 2
            mx = (x1 + x2) / 2
            parts.append(
                f'<path class="edge" d="M {x1} {y1} C {mx} {y1}, {mx} {y2}, {x2} {y2}" fill="none" '
                f'stroke="#57606a" stroke-width="1.2" marker-end="url(#arrow)"/>'
            )
    for i in ids:
        x, y = pos[i]
        v = verdicts.get(i, "")
        colour = VERDICT_COLOURS.get(v, "#6e7781")
        label = i if len(i) <= 24 else i[:23] + "…"
        parts.append(
            f'<a href="{html.escape(href.format(id=i))}"><g class="node" data-verdict="{html.escape(v)}">'
            f"<title>{html.escape(i)}: {html.escape(v)}</title>"
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{colour}"/>'
            f'<text x="{x + NODE_W / 2}" y="{y + NODE_H / 2 + 4}" text-anchor="middle" fill="#fff" '
            f'font-size="12" font-family="sans-serif">{html.escape(label)}</text></g></a>'
        )
    parts.append("</svg>")
    return "".join(parts)
