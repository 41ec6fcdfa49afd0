"""Render report data as self-contained HTML or as Markdown with a PNG beside it.

Usage: ``write_report(detente.load("examples/elmira.yaml"), "elmira.html")``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from detente.model.conflict import Conflict
from detente.model.errors import DetenteError
from detente.surfaces.report.build import ReportData, build_report
from detente.surfaces.report.graph import DEFAULT_MAX_NODES

#: Output formats by file suffix.
FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


class ReportFormatError(DetenteError):
    """The output file's suffix names no report format."""


def report_format(path: str | Path) -> str:
    """``'html'`` or ``'markdown'`` from the suffix of ``path``; :class:`ReportFormatError`
    for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise ReportFormatError(
            f"cannot tell the report format from {shown} in '{path}'; expected a file name "
            "ending in .html (self-contained page) or .md (Markdown, with the graph as a PNG "
            "beside it)"
        )
    return FORMATS[suffix]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("detente.surfaces.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_escape
    env.filters["mdblock"] = _md_paragraphs
    env.filters["code"] = _md_code
    env.filters["numbers"] = _numbers
    return env


#: Markdown punctuation that could start code, emphasis, a link or an image, or end a table
#: cell; escaped with a backslash in model text (``<``, ``>`` and ``&`` become entities).
_MD_PUNCTUATION = re.compile(r"([\\`*\[\]|])")


def _md_escape(text: object) -> str:
    """Model text made inert in Markdown, on one line: HTML-escaped (no raw tag, entity or
    autolink survives) and with the punctuation of code, emphasis, links, images and table
    cells backslash-escaped (no ``[x](javascript:...)`` survives).

    >>> _md_escape("<b>hi</b> [x](javascript:alert(1)) | *a*")
    '&lt;b&gt;hi&lt;/b&gt; \\\\[x\\\\](javascript:alert(1)) \\\\| \\\\*a\\\\*'
    """
    one_line = html.escape(" ".join(str(text).split()), quote=False)
    return _MD_PUNCTUATION.sub(r"\\\1", one_line)


def _md_paragraphs(text: object) -> str:
    """Model text of several paragraphs (blank-line separated), each as :func:`_md_escape`."""
    parts = re.split(r"\n\s*\n", str(text).strip())
    return "\n\n".join(_md_escape(p) for p in parts if p.strip())


def _md_code(text: object, cell: bool = False) -> str:
    """Model text as one Markdown code span (shown literally by every renderer): fenced with
    more backticks than it holds in a row; ``cell``: inside a table, where ``|`` is escaped.

    >>> _md_code("a and b"), _md_code("x`y"), _md_code("a | b", cell=True)
    ('`a and b`', '``x`y``', '`a \\\\| b`')
    """
    one_line = " ".join(str(text).split())
    if cell:
        one_line = one_line.replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall("`+", one_line)), default=0) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def _numbers(values: Iterable[int], limit: int | None = None) -> str:
    """``'1, 4, 5'``; past ``limit`` numbers, ``'1, 4, … (752 in all)'``."""
    items = [str(v) for v in values]
    if not items:
        return "none"
    if limit is not None and len(items) > limit:
        return ", ".join(items[:limit]) + f", … ({len(items)} in all)"
    return ", ".join(items)


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page (CSS inline, graph as a data URI)."""
    template = _environment().get_template("report.html")
    return template.render(**data.context, graph_base64=data.graph_base64, fmt="html")


def render_markdown(data: ReportData, image_name: str | None) -> str:
    """The report as Markdown; the graph is linked as ``image_name`` (written beside it)."""
    template = _environment().get_template("report.md")
    return template.render(**data.context, image_name=image_name, fmt="markdown")


def write_report(
    model: Conflict,
    path: str | Path,
    concepts: Iterable[str] | None = None,
    *,
    max_nodes: int | None = None,
) -> list[Path]:
    """Analyse ``model`` and write its report to ``path`` (format from the suffix).

    Returns the files written: the report, and for Markdown the graph PNG beside it
    (``<stem>-graph.png``). Each file is written whole through a temporary file in the same
    folder and a rename (:func:`detente.formats.write_atomic`): a failed write (a full disk)
    leaves the previous report as it was, and is a clear error naming the file.
    """
    from detente.formats import write_atomic

    out = Path(path)
    fmt = report_format(out)
    data = build_report(model, concepts, max_nodes=max_nodes or DEFAULT_MAX_NODES)
    if fmt == "html":
        write_atomic(out, render_html(data))
        return [out]
    image = out.with_name(f"{out.stem}-graph.png") if data.graph_png is not None else None
    text = render_markdown(data, None if image is None else image.name)
    written = [out]
    if image is not None and data.graph_png is not None:
        write_atomic(image, data.graph_png)
        written.append(image)
    write_atomic(out, text)
    return written


__all__ = ["FORMATS", "ReportFormatError", "render_html", "render_markdown",
           "report_format", "write_report"]
