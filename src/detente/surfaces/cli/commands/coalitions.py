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
    print_wide,
    split_coalitions,
    stdout_console,
    write_json_chunks,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from rich.table import Table

    from detente.analyses.coalitions import CoalitionResult
    from detente.analyses.coalitions.output import Page

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
    offset: Annotated[
        int, typer.Option("--offset", min=0, metavar="K",
                          help="Skip the first K states (improvements from, and stability of, "
                          "states K+1 onward).")
    ] = 0,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, metavar="N",
                          help="Only N states from --offset on (0 = all): a page of the answer.")
    ] = 0,
) -> None:
    """Coalition analysis (Inohara & Hipel 2008): joint moves every member prefers.

    For each coalition (the model's, --coalition A,B, or --all) lists its coalitional
    improvements, and for each state whether it is coalition-Nash, -GMR, -SMR and -SEQ stable
    for every DM: a DM is stable when no coalition it belongs to (nor the DM alone) has an
    improvement the other DMs cannot sanction. --offset and --limit page the answer by state;
    the JSON is streamed (its shape: docs/coalitions.md).
    """
    from detente.analyses.coalitions.output import iter_json, page
    from detente.analyses.requests import CoalitionsRequest

    given = split_coalitions(coalition)
    request = CoalitionsRequest(given or None, concept or None, all_coalitions=every)
    c = load_conflict(file)
    if not every and not given and not c.coalitions:
        raise AnalysisError(
            "the model names no coalitions; give them with --coalition A,B, or use --all"
        )
    if offset > c.n_states:
        raise AnalysisError(f"--offset {offset} is past the last state: the model has "
                            f"{c.n_states:,} feasible states")
    result = request.run(c)
    if fmt is OutputFormat.json:
        write_json_chunks(iter_json(result, offset, limit or None))
    else:
        render(stdout_console(), result, page(result, offset, limit or None))


def render(console: Console, result: CoalitionResult, page: Page | None = None) -> None:
    """Coalitional improvements and the coalition stability table, for people (of the
    states of ``page``; all by default)."""
    import numpy as np

    from detente.analyses.coalitions.joint import needs_coalition
    from detente.analyses.coalitions.output import page as whole
    from detente.analyses.coalitions.output import records
    from detente.analyses.moves import option_changes
    from detente.engine.registry import COALITION_NAMES

    c = result.conflict
    p = page if page is not None else whole(result)
    console.print(Text(f"{c.name}: coalition analysis (Inohara & Hipel 2008)",
                       style="bold underline"))
    if (p.start, p.stop) != (0, c.n_states):
        console.print(Text(f"States {p.start + 1} to {p.stop} of {c.n_states:,} "
                           "(--offset, --limit)", style="dim"))
    console.print(Text("Coalitions: ", style="bold")
                  + Text("; ".join("+".join(h) for h in result.coalitions)))
    console.print()
    console.print(Text("Coalitional improvements (every member strictly prefers the result; "
                       "listed: those no member could make alone)", style="bold"))
    for h, key in enumerate(result.coalitions):
        console.print(Text(f"  {'+'.join(key)}", style="bold"))
        members = [c.dm_index(n) for n in key]
        empty, alone = True, 0
        for s, t, path, movers in records(result, h, p):
            if not bool(needs_coalition(c, members, s, np.array([t]))[0]):
                alone += 1
                continue
            empty = False
            a, b = int(c.feasible[s]), int(c.feasible[t])
            changes = ", ".join(str(ch) for ch in option_changes(c, a, b))
            steps = ", then ".join(f"{c.dm_names[j]} {x + 1}→{y + 1}"
                                   for j, x, y in zip(movers, path, path[1:], strict=False))
            console.print(
                Text(f"    {s + 1} {c.state_string(a)} → {t + 1} {c.state_string(b)}  ")
                + Text(f"({changes})", style="dim") + Text(f"  moves: {steps}",
                                                            style="italic")
            )
        if empty:
            console.print(Text("    none", style="dim"))
        if alone:
            console.print(Text(f"    ({alone} more change one member's options only: it could "
                               "make them alone)", style="dim"))
    console.print()
    console.print(Text("Coalition stability (✓ = equilibrium; otherwise the DMs for whom the "
                       "state is unstable)", style="bold"))
    print_wide(console, table(result, p))
    console.print()
    for concept in result.concepts:
        eq = [x for x in result.equilibria_numbers(concept) if p.start < x <= p.stop]
        console.print(Text(f"{COALITION_NAMES[concept]} equilibria: ")
                      + Text(", ".join(map(str, eq)) or "none", style="bold"))


def table(result: CoalitionResult, page: Page | None = None) -> Table:
    """One row per state (of ``page``; all by default): Y/N, improvements per coalition, and
    per concept ✓ or unstable DMs."""
    from rich.table import Table

    from detente.analyses.coalitions.output import page as whole
    from detente.engine.registry import COALITION_NAMES

    c = result.conflict
    t = Table(show_edge=False, pad_edge=False, header_style="bold", box=None, padding=(0, 1))
    t.add_column("#", justify="right")
    t.add_column("state")
    for key in result.coalitions:
        t.add_column("+".join(key) + "\nimprovements", justify="right")
    for concept in result.concepts:
        t.add_column(COALITION_NAMES[concept], justify="center")
    p = page if page is not None else whole(result)
    for s in range(p.start, p.stop):
        code = int(c.feasible[s])
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
