"""``detente report FILE -o OUT``: a readable report (HTML or Markdown) of a model's analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.surfaces.cli.output import REPORT_PANEL, load_conflict, note

#: The report's default graph size (``detente.analyses.status_quo.transitions.DEFAULT_MAX_NODES``; a
#: test keeps the two equal). Written out so that the command line starts without
#: importing the report's plotting stack.
DEFAULT_MAX_NODES = 30

EXAMPLE = (
    "Example: `detente report examples/elmira.yaml -o elmira.html` or "
    "`detente report examples/elmira.yaml -o elmira.md`"
)


def report(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o",
                     help="Report file: .html (one self-contained page) or .md (Markdown; the "
                     "graph is written beside it as <name>-graph.png)."),
    ],
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", "-c",
                     help="Concept to report (repeatable): nash, gmr, smr, seq, sim, seq_sim; "
                     "L<h> (limited move, horizon h: the stability tables only); unknown "
                     "preferences nash_a ... seq_d, strength of preference strong_gmr ... "
                     "weak_seq, probabilistic nash@A ... seq@A/B/C (the stability tables and "
                     "the status quo's explanation; the other sections answer with the "
                     "classic concept). Default: all six, the sixteen unknown-preference ones "
                     "when the model declares unknown pairs, and strong_gmr, strong_smr, "
                     "strong_seq when it states strength."),
    ] = None,
    max_nodes: Annotated[
        int,
        typer.Option("--max-nodes", min=1,
                     help="Most states drawn in the transition graph (nearest the status quo "
                     "first)."),
    ] = DEFAULT_MAX_NODES,
) -> None:
    """Write a report a mediator can read: the model with its rationales, the equilibria,
    where the status quo leads, coalitions, and the state-transition graph.

    The format follows the output file's suffix. The HTML page is self-contained (inline
    styles, the graph embedded as an image) and makes no network requests.
    """
    from detente.formats.files import check_writable
    from detente.surfaces.report.render import report_format, write_report

    report_format(output)  # refuse a bad suffix or a missing folder before any work
    check_writable(output)
    model = load_conflict(file)
    written = write_report(model, output, concept, max_nodes=max_nodes)
    note("wrote " + ", ".join(str(p) for p in written))


def register(app: typer.Typer) -> None:
    app.command("report", rich_help_panel=REPORT_PANEL, epilog=EXAMPLE)(report)


__all__ = ["register", "report"]
