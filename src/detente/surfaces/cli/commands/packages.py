"""``detente packages FILE``: packages every party prefers to the reference, which of them
hold, the stable-and-undominated frontier and the fair packages on it."""

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
    print_wide,
    stdout_console,
)

if TYPE_CHECKING:
    from detente.analyses.packages import PackagesResult

EXAMPLE = (
    "Example: `detente packages examples/ceasefire_2024.yaml -c nash -c seq --limit 10` "
    "or `detente packages model.yaml --against YNNY --format json`"
)


def packages_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="STATE",
            help="The reference every party must like a package at least as much "
            "as: a state number or a Y/N string. Default: the status quo.",
        ),
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            metavar="CONCEPT",
            help="Concept (repeatable): nash, gmr, smr, seq, sim, seq_sim. Default: all six.",
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            help="Packages listed: frontier first, then Pareto-optimal, then by "
            "smallest gain (0 = all; the counts cover all).",
        ),
    ] = 20,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Packages every party likes at least as much as the reference, and which hold.

    For each acceptable package: whether it is Pareto-optimal (over all feasible states),
    an equilibrium under each concept, and on the frontier (an equilibrium no other
    acceptable equilibrium dominates); each party's gain as a share of its rank range. Per
    concept the maximin package (largest smallest gain) and, with numeric payoffs or
    `weights`, the Nash bargaining and Kalai–Smorodinsky packages (docs/packages.md).
    """
    from detente.analyses.requests import PackagesRequest

    request = PackagesRequest(against, concept or None, limit=limit)
    result = request.run(load_conflict(file))
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result)


def render(console: Console, r: PackagesResult) -> None:
    """Counts and the fair packages first, then the listed packages as a table."""
    from rich.table import Table

    from detente.engine.registry import concept_label

    data = r.to_dict()
    ref = data["reference"]
    what = "the status quo" if ref["status_quo"] else "the reference"
    console.print(
        Text(
            f"{r.conflict.name}: packages every party likes at least as much as "
            f"{what} {ref['state']} (state {ref['number']})",
            style="bold",
        )
    )
    console.print(
        Text(f"{data['acceptable']:,} acceptable, {data['pareto']:,} of them Pareto-optimal")
    )
    for c, info in data["concepts"].items():
        line = f"  {info['label']}: {info['stable']:,} hold, {info['frontier']:,} on the frontier"
        m = data["maximin"][c]
        if m is not None:
            line += f"; maximin {m['state']} (smallest gain {m['smallest_gain']:.2f})"
        for key, name in (
            ("nash_bargaining", "Nash bargaining"),
            ("kalai_smorodinsky", "Kalai–Smorodinsky"),
        ):
            pick = data[key][c] if data[key] is not None else None
            if pick is not None:
                line += f"; {name} {pick['state']}"
        console.print(Text(line))
    if data["nash_bargaining"] is None:
        console.print(
            Text(
                "No Nash bargaining or Kalai–Smorodinsky packages: they need "
                "numeric payoffs or weights for every party.",
                style="dim",
            )
        )
    if not data["packages"]:
        return
    table = Table(title=f"Packages ({data['listed']} of {data['acceptable']:,})")
    table.add_column("state", no_wrap=True)
    table.add_column("Pareto")
    for c in r.concepts:
        table.add_column(concept_label(c))
    for dm in r.conflict.dm_names:
        table.add_column(f"gain {dm}", justify="right")
    for p in data["packages"]:
        marks = [
            "frontier" if p["frontier"][c] else "holds" if p["stable"][c] else "–"
            for c in r.concepts
        ]
        if "probability" in p:
            marks = [
                f"{m} {p['probability'][c]:.2f}" for m, c in zip(marks, r.concepts, strict=True)
            ]
        table.add_row(
            p["state"],
            "yes" if p["pareto"] else "–",
            *marks,
            *(f"{g:.2f}" for g in p["gains"].values()),
        )
    print_wide(console, table)


def register(app: typer.Typer) -> None:
    app.command("packages", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(packages_command)


__all__ = ["packages_command", "register", "render"]
