"""Figures: the one way a plot is drawn (proof reports, HTML pages and the experiment commands).

Engines and studies only fill in :class:`verify.result.Figure` (name, title, axis labels, series,
error bars, log axes); :func:`figure_png` draws it with matplotlib (Agg) and returns the PNG bytes.
"""
from __future__ import annotations

import io
import re

from ..result import Figure

__all__ = ["figure_png", "figure_files", "mathtext"]

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


def figure_files(figs: list[Figure]) -> dict[str, bytes]:
    """``{name}.png`` → PNG bytes for every figure (rendered before anything is written)."""
    return {f"{fig.name}.png": figure_png(fig) for fig in figs}
