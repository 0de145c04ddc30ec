"""Executed copies of the proof notebooks as pages of the HTML site.

The stored notebooks (``notebooks/*.ipynb`` beside the package) stay without outputs; ``verify run
--notebooks`` executes each one in a fresh kernel (``nbclient``, from the test extras) and renders it
here: Markdown cells through ``markdown-it-py`` with raw HTML disabled, code cells as ``<pre>``,
outputs as text and their PNG figures inline (``data:`` URIs, so a page is one file).  HTML and
JavaScript outputs are shown by their plain-text form, never run.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from ..errors import InputError


def notebooks_dir() -> Path:
    """``notebooks/`` of the checkout the package lives in (absent in an installed wheel)."""
    return Path(__file__).resolve().parents[2] / "notebooks"


def page_name(stem: str) -> str:
    return f"notebook_{stem}.html"


def available() -> bool:
    try:
        import ipykernel  # noqa: F401
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError:
        return False
    return True


def execute(path: Path, timeout: int = 900) -> Any:
    """The notebook executed in a fresh ``python3`` kernel, working directory = the checkout."""
    if not available():
        raise InputError("--notebooks needs nbclient, nbformat and ipykernel (pip install -e '.[test]')")
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent.parent)}}
    ).execute()
    return nb


def title_of(nb: Any, default: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return default


def _text(x: Any) -> str:
    return "".join(x) if isinstance(x, list) else str(x)


def _output_html(out: Any) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        name, text = html.escape(out.get("name", "")), html.escape(_text(out.get("text", "")))
        return f'<pre class="out {name}">{text}</pre>'
    if kind == "error":
        return (
            f'<pre class="out error">{html.escape(out.get("ename", ""))}: '
            f"{html.escape(out.get('evalue', ''))}</pre>"
        )
    data = out.get("data", {})
    if "image/png" in data:
        b64 = _text(data["image/png"]).replace("\n", "")
        return f'<img class="plot" alt="figure" src="data:image/png;base64,{b64}">'
    if "text/plain" in data:
        return f'<pre class="out">{html.escape(_text(data["text/plain"]))}</pre>'
    return ""


_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$([^$\n]+?)\$(?![\w$])", re.S)


def markdown_with_math(text: str, md: Any) -> str:
    """Markdown to HTML (raw HTML disabled) with ``$...$`` / ``$$...$$`` as server-side MathML: the
    formulas are set aside before Markdown runs (so ``_`` in ``$x_i$`` is not emphasis), converted
    by latex2mathml, and put back; code spans and blocks keep their dollars."""
    from .mathml import latex_to_mathml

    formulas: list[str] = []

    def hold(m: re.Match) -> str:
        display = m.group(1) is not None
        formulas.append(latex_to_mathml(m.group(1) if display else m.group(2), display=display))
        return f"zzverifymath{len(formulas) - 1}zz"

    parts = re.split(r"(```.*?```|`[^`\n]*`)", text, flags=re.S)
    held = "".join(p if i % 2 else _MATH.sub(hold, p) for i, p in enumerate(parts))
    out = md.render(held)
    return re.sub(r"zzverifymath(\d+)zz", lambda m: formulas[int(m.group(1))], out)


def render_notebook(nb: Any, title: str) -> str:
    """One executed notebook as a page of the site (no script; Markdown without raw HTML)."""
    from markdown_it import MarkdownIt

    from .html import page

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(f'<div class="md">{markdown_with_math(cell.source, md)}</div>')
        elif cell.cell_type == "code":
            parts.append(f'<pre class="code">{html.escape(cell.source)}</pre>')
            parts += [_output_html(o) for o in cell.get("outputs", [])]
    css = (
        "<style>pre.code{border-left:4px solid #0969da}pre.out{background:#fff;border:1px solid #d0d7de}"
        "pre.error{color:#cf222e}</style>"
    )
    return page(title, css + "\n".join(parts), nav='<nav><a href="index.html">← index</a></nav>')


def executed_pages(timeout: int = 900, progress=None) -> dict[str, tuple[str, str]]:
    """``page name -> (title, HTML)`` for every stored notebook, executed now."""
    out: dict[str, tuple[str, str]] = {}
    paths = sorted(notebooks_dir().glob("*.ipynb"))
    for i, path in enumerate(paths, 1):
        if progress is not None:
            progress(f"notebook {i}/{len(paths)}: {path.name}")
        nb = execute(path, timeout)
        title = title_of(nb, path.stem)
        out[page_name(path.stem)] = (title, render_notebook(nb, title))
    return out


def existing_pages(html_dir: Path) -> dict[str, tuple[str, None]]:
    """Notebook pages already in the site (kept and linked when notebooks are not re-executed)."""
    out: dict[str, tuple[str, None]] = {}
    for p in sorted(Path(html_dir).glob("notebook_*.html")):
        text = p.read_text(encoding="utf-8", errors="replace")
        a, b = text.find("<title>"), text.find("</title>")
        title = html.unescape(text[a + 7 : b]) if a >= 0 and b > a else p.stem
        out[p.name] = (title, None)
    return out
