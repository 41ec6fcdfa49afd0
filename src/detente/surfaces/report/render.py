"""Render report data as self-contained HTML or as Markdown with a PNG beside it.

Usage: ``write_report(detente.load("examples/elmira.yaml"), "elmira.html")``.
"""

from __future__ import annotations

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
    env.filters["numbers"] = _numbers
    return env


def _md_escape(text: object) -> str:
    """Text safe inside a Markdown table cell or list item (one line, no pipes)."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("*", "\\*")


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
    (``<stem>-graph.png``).
    """
    out = Path(path)
    fmt = report_format(out)
    data = build_report(model, concepts, max_nodes=max_nodes or DEFAULT_MAX_NODES)
    written = [out]
    if fmt == "html":
        out.write_text(render_html(data), encoding="utf-8")
        return written
    image_name = None
    if data.graph_png is not None:
        image = out.with_name(f"{out.stem}-graph.png")
        image.write_bytes(data.graph_png)
        image_name = image.name
        written.append(image)
    out.write_text(render_markdown(data, image_name), encoding="utf-8")
    return written


__all__ = ["FORMATS", "ReportFormatError", "render_html", "render_markdown", "report_format",
           "write_report"]
