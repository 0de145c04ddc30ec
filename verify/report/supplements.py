"""Supplements: generated study tables shown with a proof's report, read from the reports folder.

A proof lists supplement names in ``Proof.supplements``; ``verify run`` reads each one's file from
the reports folder (it is written by its own command, never recomputed here) and the Markdown
report and the HTML page of the proof show it as a section, with the command and seed it came
from, or a line saying how to generate it when the file is not there.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import gntk_table

#: name -> (loader(folder) -> data | None, markdown section(data) -> lines, html section(data) -> str)
SUPPLEMENTS = {
    "gntk_table": (gntk_table.load, gntk_table.markdown_section, gntk_table.html_section),
}


def load_supplements(names, folder: str | Path) -> dict[str, Any]:
    """{name: data or None} for the supplements ``names`` (unknown names are a ValueError: a proof bug)."""
    out = {}
    for n in names:
        if n not in SUPPLEMENTS:
            raise ValueError(f"unknown supplement {n!r} (known: {', '.join(SUPPLEMENTS)})")
        out[n] = SUPPLEMENTS[n][0](folder)
    return out


def markdown_sections(names, data: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for n in names:
        lines += SUPPLEMENTS[n][1](data.get(n))
    return lines


def html_sections(names, data: dict[str, Any]) -> str:
    return "".join(SUPPLEMENTS[n][2](data.get(n)) for n in names)
