"""``detente drafts FILE``: the mediator's drafts, one by one: who would veto each, whether
it holds and for whom not, and the nearest improvements."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from detente.surfaces.cli.output import (
    ANALYSIS_PANEL,
    FormatOption,
    OutputFormat,
    load_conflict,
    print_json,
    stdout_console,
)

if TYPE_CHECKING:
    from detente.analyses.drafts import DraftsResult

EXAMPLE = "Example: `detente drafts examples/ceasefire_2024.yaml -c nash -c seq`"


def drafts_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml or .yml) with drafts:.")],
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            metavar="CONCEPT",
            help="Concept (repeatable): nash, gmr, smr, seq, sim, seq_sim. Default: all six.",
        ),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="STATE",
            help="The reference of the vetoes: a state number or a Y/N string. "
            "Default: the status quo.",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """A single negotiating text: each draft of the model's `drafts:` section in turn.

    Per draft (a pattern: its matching states, best first): who would veto it (likes it
    less than the reference), whether it holds under each concept and for whom it does not,
    and the nearest improvements: equilibria every party likes at least as much as the
    draft, at the fewest option changes from it (docs/packages.md).
    """
    from detente.analyses.requests import DraftsRequest

    result = DraftsRequest(concept or None, against).run(load_conflict(file))
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result)


def render(console: Console, r: DraftsResult) -> None:
    """Draft by draft: vetoes, then per concept holds / breaks for whom / nearest."""
    from detente.engine.registry import concept_label

    data = r.to_dict()
    ref = data["reference"]
    console.print(
        Text(
            f"{r.conflict.name}: {len(r.drafts)} draft"
            f"{'s' if len(r.drafts) != 1 else ''}"
            + (f", vetoes against {ref['state']}" if ref else ""),
            style="bold",
        )
    )
    for n, d in enumerate(data["drafts"], 1):
        console.print()
        more = (
            f" ({len(d['states'])} of {d['matching']} matching states)"
            if d["draft"] != d["states"][0]["state"]
            else ""
        )
        console.print(Text(f"{n}. {d['name']}: {d['draft']}{more}", style="bold cyan"))
        if d["rationale"]:
            console.print(Text(f"   why: {' '.join(d['rationale'].split())}", style="dim"))
        for s in d["states"]:
            head = f"   {s['state']} (state {s['number']})"
            if s["vetoes"] is not None:
                head += (
                    f": vetoed by {', '.join(s['vetoes'])}"
                    if s["vetoes"]
                    else ": no party would veto it"
                )
            console.print(Text(head))
            for c in r.concepts:
                label = concept_label(c)
                if s["holds"][c]:
                    console.print(Text(f"     {label}: holds"))
                    continue
                near = s["nearest"][c]
                fix = (
                    f"; nearest improvement{'s' if near['count'] != 1 else ''} at "
                    f"{near['changes']} change{'s' if near['changes'] != 1 else ''}: "
                    f"{', '.join(near['states'])}"
                    + (
                        f" (+{near['count'] - len(near['states'])} more)"
                        if near["count"] > len(near["states"])
                        else ""
                    )
                    if near["states"]
                    else "; no equilibrium every party likes as much"
                )
                console.print(
                    Text(f"     {label}: breaks for {', '.join(s['breaks_for'][c])}" + fix)
                )


def register(app: typer.Typer) -> None:
    app.command("drafts", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(drafts_command)


__all__ = ["drafts_command", "register", "render"]
