"""Readable reports (HTML or Markdown) of a model and its analyses.

Usage (writes a file)::

    import detente
    from detente.surfaces.report import write_report
    write_report(detente.load("examples/elmira.yaml"), "elmira.html")
"""

from detente.surfaces.report.build import ReportData, build_report
from detente.surfaces.report.render import (
    ReportFormatError,
    render_html,
    render_markdown,
    report_format,
    write_report,
)

__all__ = ["ReportData", "ReportFormatError", "build_report", "render_html", "render_markdown",
           "report_format", "write_report"]
