"""LaTeX to MathML on the server side, and values (scalars, matrices) as MathML.

Why MathML from ``latex2mathml``: the site must work offline with no CDN and no script, Chromium and
Firefox render MathML Core natively, and a pure-Python converter keeps the toolkit free of a vendored
JavaScript renderer (KaTeX/MathJax are hundreds of kilobytes per page).  A formula the converter
cannot read is shown as its LaTeX source in ``<code class="math-fallback">``, never dropped.
"""

from __future__ import annotations

import html
from fractions import Fraction
from typing import Any


def latex_to_mathml(tex: str, display: bool = True) -> str:
    """``<math>`` markup for a LaTeX formula (or the escaped source when it cannot be converted)."""
    from latex2mathml.converter import convert

    tex = " ".join(str(tex).split())
    fallback = f'<code class="math-fallback" title="LaTeX source">{html.escape(tex)}</code>'
    try:
        out = convert(tex, display="block" if display else "inline")
    except Exception:  # the converter raises many types on input it does not know
        return fallback
    return out if is_safe_mathml(out) else fallback


MATHML_ELEMENTS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
    "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "munder", "mover",
    "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "mmultiscripts", "mprescripts", "none",
}
MATHML_ATTRIBUTES = {
    "xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "columnalign",
    "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "width", "height", "depth",
    "accent", "accentunder", "movablelimits", "largeop", "symmetric", "minsize", "maxsize", "linethickness",
    "displaystyle", "scriptlevel", "notation", "open", "close", "separators", "form", "align", "columnspan",
    "rowspan", "equalrows", "equalcolumns", "mathsize", "voffset", "bevelled",
}


def is_safe_mathml(markup: str) -> bool:
    """True when ``markup`` is one ``<math>`` tree of MathML presentation elements with presentation
    attributes only: no script, no foreign element, no link (``href``), no event handler.  Converter
    output that fails this (``\\text{<script>}``, ``\\href{javascript:...}``) is shown as source."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return False
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag not in MATHML_ELEMENTS:
            return False
        if any(a.rsplit("}", 1)[-1] not in MATHML_ATTRIBUTES for a in el.attrib):
            return False
    return root.tag.rsplit("}", 1)[-1] == "math"


def _number(x: Any) -> str:
    if isinstance(x, bool):
        return f"<mi>{str(x).lower()}</mi>"
    if isinstance(x, int):
        return f"<mn>{x}</mn>" if x >= 0 else f"<mrow><mo>−</mo><mn>{-x}</mn></mrow>"
    if isinstance(x, float):
        text = f"{x:.6g}"
        if text.startswith("-"):
            return f"<mrow><mo>−</mo><mn>{html.escape(text[1:])}</mn></mrow>"
        return f"<mn>{html.escape(text)}</mn>"
    if isinstance(x, str):
        try:
            q = Fraction(x)
        except (ValueError, ZeroDivisionError):
            return f"<mtext>{html.escape(x)}</mtext>"
        if q.denominator == 1:
            return _number(int(q))
        sign = "<mo>−</mo>" if q < 0 else ""
        return f"<mrow>{sign}<mfrac><mn>{abs(q.numerator)}</mn><mn>{q.denominator}</mn></mfrac></mrow>"
    return f"<mtext>{html.escape(str(x))}</mtext>"


def is_matrix(v: Any) -> bool:
    """A non-empty rectangular list of lists of scalars (row-major, as counterexamples store them)."""
    return (
        isinstance(v, list)
        and bool(v)
        and all(isinstance(r, list) for r in v)
        and len({len(r) for r in v}) == 1
        and len(v[0]) > 0
        and all(not isinstance(x, (list, dict)) for r in v for x in r)
    )


def value_to_mathml(name: str, v: Any) -> str:
    """``name = value`` as a MathML block: matrices in brackets, scalars and exact ``p/q`` as numbers."""
    lhs = f"<mi>{html.escape(name)}</mi><mo>=</mo>"
    if is_matrix(v):
        rows = "".join("<mtr>" + "".join(f"<mtd>{_number(x)}</mtd>" for x in r) + "</mtr>" for r in v)
        body = f"<mrow><mo>[</mo><mtable>{rows}</mtable><mo>]</mo></mrow>"
    elif isinstance(v, list) and all(not isinstance(x, (list, dict)) for x in v):
        body = "<mrow><mo>(</mo>" + "<mo>,</mo>".join(_number(x) for x in v) + "<mo>)</mo></mrow>"
    elif isinstance(v, (list, dict)):
        return ""
    else:
        body = _number(v)
    return f'<math display="block"><mrow>{lhs}{body}</mrow></math>'
