"""``detente coalitions FILE``: coalitional improvements and coalition stability."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from detente.model.errors import AnalysisError
from detente.surfaces.cli.output import (
    ANALYSIS_PANEL,
    CoalitionOption,
    FormatOption,
    OutputFormat,
    load_conflict,
    print_json,
    print_wide,
    split_coalitions,
    stdout_console,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from rich.table import Table

    from detente.analyses.coalitions import CoalitionResult

EXAMPLE = "Example: `detente coalitions examples/elmira.yaml --coalition MoE,UR`"


def coalitions_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    coalition: CoalitionOption = None,
    every: Annotated[
        bool, typer.Option("--all", help="Analyse every coalition of two or more DMs.")
    ] = False,
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", metavar="NAME",
                     help="Coalition concept: nash, gmr, smr or seq; repeat for several. "
                     "Default: all four."),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Coalition analysis (Inohara & Hipel 2008): joint moves every member prefers.

    For each coalition (the model's, --coalition A,B, or --all) lists its coalitional
    improvements, and for each state whether it is coalition-Nash, -GMR, -SMR and -SEQ stable
    for every DM: a DM is stable when no coalition it belongs to (nor the DM alone) has an
    improvement the other DMs cannot sanction.
    """
    from detente.analyses.coalitions import coalition_analysis

    c = load_conflict(file)
    given = split_coalitions(coalition)
    if every and given:
        raise AnalysisError("give --coalition or --all, not both")
    if not every and not given and not c.coalitions:
        raise AnalysisError(
            "the model names no coalitions; give them with --coalition A,B, or use --all"
        )
    result = coalition_analysis(c, given or None, concept, all_coalitions=every)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result)


def render(console: Console, result: CoalitionResult) -> None:
    """Coalitional improvements and the coalition stability table, for people."""
    import numpy as np

    from detente.engine.registry import COALITION_NAMES

    c = result.conflict
    console.print(Text(f"{c.name}: coalition analysis (Inohara & Hipel 2008)",
                       style="bold underline"))
    console.print(Text("Coalitions: ", style="bold")
                  + Text("; ".join("+".join(h) for h in result.coalitions)))
    console.print()
    console.print(Text("Coalitional improvements (every member strictly prefers the result)",
                       style="bold"))
    for h, key in enumerate(result.coalitions):
        console.print(Text(f"  {'+'.join(key)}", style="bold"))
        states = np.flatnonzero(result.n_improvements[h])
        if states.size == 0:
            console.print(Text("    none", style="dim"))
        for s in states:
            for m in result.improvement_moves(key, int(s) + 1):
                changes = ", ".join(str(ch) for ch in m.changes)
                steps = ", then ".join(f"{st.dm} {st.source.number}→{st.target.number}"
                                       for st in m.steps)
                console.print(
                    Text(f"    {m.source.number} {m.source.state} → "
                         f"{m.target.number} {m.target.state}  ")
                    + Text(f"({changes})", style="dim") + Text(f"  moves: {steps}",
                                                                style="italic")
                )
    console.print()
    console.print(Text("Coalition stability (✓ = equilibrium; otherwise the DMs for whom the "
                       "state is unstable)", style="bold"))
    print_wide(console, table(result))
    console.print()
    for concept in result.concepts:
        eq = result.equilibria_numbers(concept)
        console.print(Text(f"{COALITION_NAMES[concept]} equilibria: ")
                      + Text(", ".join(map(str, eq)) or "none", style="bold"))


def table(result: CoalitionResult) -> Table:
    """One row per state: Y/N, improvements per coalition, and per concept ✓ or unstable DMs."""
    from rich.table import Table

    from detente.engine.registry import COALITION_NAMES

    c = result.conflict
    t = Table(show_edge=False, pad_edge=False, header_style="bold", box=None, padding=(0, 1))
    t.add_column("#", justify="right")
    t.add_column("state")
    for key in result.coalitions:
        t.add_column("+".join(key) + "\nimprovements", justify="right")
    for concept in result.concepts:
        t.add_column(COALITION_NAMES[concept], justify="center")
    for s, code in enumerate(c.feasible.tolist()):
        cells: list[str | Text] = [str(s + 1), c.state_string(code)]
        cells += [str(int(result.n_improvements[h, s])) for h in range(len(result.coalitions))]
        for concept in result.concepts:
            mask = result.stable[concept][:, s]
            if mask.all():
                cells.append(Text("✓", style="bold green"))
            else:
                cells.append(Text(",".join(d for d, ok in zip(c.dm_names, mask, strict=True)
                                           if not ok), style="red"))
        t.add_row(*cells)
    return t


def register(app: typer.Typer) -> None:
    app.command("coalitions", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(
        coalitions_command
    )


__all__ = ["coalitions_command", "register", "render", "table"]
