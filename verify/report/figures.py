"""Figures: the one way a plot is drawn (proof reports, HTML pages and the experiment commands).

Engines and studies only fill in :class:`verify.result.Figure` (name, title, axis labels, series,
log axes); :func:`figure_png` draws it with matplotlib (Agg) and returns the PNG bytes.
"""
from __future__ import annotations

import io

from ..result import Figure

__all__ = ["figure_png", "figure_files"]


def figure_png(fig: Figure) -> bytes:
    """The PNG of ``fig``: one line (or scatter) per series, log axes as the figure asks, legend when
    the series are named.  Deterministic bytes (no software or date metadata)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for label, xs, ys in fig.series:
        if fig.kind == "scatter":
            ax.scatter(list(xs), list(ys), label=label, s=14)
        else:
            ax.plot(list(xs), list(ys), label=label, marker="o" if len(list(xs)) <= 30 else None, ms=3)
    if fig.logx:
        ax.set_xscale("log")
    if fig.logy:
        ax.set_yscale("log")
    ax.set_title(fig.title)
    ax.set_xlabel(fig.xlabel)
    ax.set_ylabel(fig.ylabel)
    if len(fig.series) > 1 or (fig.series and fig.series[0][0]):
        ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    f.tight_layout()
    buf = io.BytesIO()
    f.savefig(buf, format="png", metadata={"Software": None})
    plt.close(f)
    return buf.getvalue()


def figure_files(figs: list[Figure]) -> dict[str, bytes]:
    """``{name}.png`` → PNG bytes for every figure (rendered before anything is written)."""
    return {f"{fig.name}.png": figure_png(fig) for fig in figs}
