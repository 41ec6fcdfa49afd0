"""``detente evolve FILE``: status-quo analysis — where improvements lead from a start state."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

    from detente.analyses.status_quo import EvolutionResult

EXAMPLE = "Example: `detente evolve examples/elmira.yaml --coalitions`"

def evolve_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="STATE",
                     help="Start state: a Y/N string or a state number. Default: the model's "
                     "status quo."),
    ] = None,
    model_coalitions: Annotated[
        bool,
        typer.Option("--coalitions",
                     help="Also let the model's coalitions make joint improvements."),
    ] = False,
    coalition: CoalitionOption = None,
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", metavar="NAME",
                     help="Concept whose equilibria to mark (nash, gmr, smr, seq, sim, seq_sim; "
                     "limited move L<h>; unknown preferences nash_a ... seq_d); repeat for "
                     "several. Default: nash, gmr, smr, seq."),
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", "-n", min=0,
                     help="Text: list at most this many equilibria in the table and in each "
                     "'not reachable' line, reachable ones first (0 = all)."),
    ] = 30,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Status-quo analysis: follow every improvement from the status quo (or --from STATE).

    Builds the graph of states reachable by unilateral improvements (and, with --coalitions or
    --coalition, by joint moves that every coalition member prefers), lists the final states
    where no one improves further with the moves that lead there (who moves, which options
    change), and says which equilibria can and cannot be reached from the start.
    """
    from detente.analyses.requests import EvolveRequest

    c = load_conflict(file)
    chosen: list[list[str]] = [list(h) for h in c.coalitions] if model_coalitions else []
    chosen += split_coalitions(coalition)
    if model_coalitions and not c.coalitions:
        raise AnalysisError("the model names no coalitions; give them with --coalition A,B")
    result = EvolveRequest(start, chosen, concept or None).run(c)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result, limit)


def _state(result: EvolutionResult, code: int) -> str:
    c = result.conflict
    return f"{c.state_number(code)} {c.state_string(code)}"


def move_lines(result: EvolutionResult, moves: list[dict[str, Any]]) -> list[Text]:
    """One line per move: who, from → to (number and Y/N), option changes, member moves."""
    out = []
    for k, m in enumerate(moves, 1):
        changes = ", ".join(f"{ch['option']} {ch['from']}→{ch['to']}" for ch in m["changes"])
        line = (
            Text(f"    {k}. ") + Text("+".join(m["by"]), style="bold")
            + Text(f": {m['from']['number']} {m['from']['state']} → "
                   f"{m['to']['number']} {m['to']['state']}  ")
            + Text(f"({changes})", style="dim")
        )
        if len(m["steps"]) > 1 or len(m["by"]) > 1:
            line += Text("  joint move: " + ", then ".join(
                f"{st['dm']} {st['from']['number']}→{st['to']['number']}" for st in m["steps"]
            ), style="italic")
        out.append(line)
    return out


def render(console: Console, result: EvolutionResult, limit: int = 0) -> None:
    """The evolution from the start, for people."""
    from detente.engine.registry import concept_label

    c = result.conflict
    console.print(Text(f"{c.name}: status-quo analysis", style="bold underline"))
    label = " (status quo)" if result.start == c.status_quo else ""
    console.print(Text("Start: ", style="bold") + Text(f"state {_state(result, result.start)}"
                                                        f"{label}"))
    moves = "unilateral improvements"
    if result.coalitions:
        moves += "; joint improvements of " + "; ".join("+".join(h) for h in result.coalitions)
    console.print(Text("Moves followed: ", style="bold") + Text(moves))
    console.print(Text("Reachable states: ", style="bold") + Text(
        ", ".join(str(n) for n in result.reachable_numbers())
    ))
    console.print()
    console.print(Text("Final states (no one improves further) and how to get there",
                       style="bold"))
    for s in result.final_states():
        path = result.moves_to(s)
        n = len(path)
        console.print(Text(f"  state {_state(result, s)}", style="bold green")
                      + Text(f" — {n} move{'s' if n != 1 else ''}"
                             + (" (the start itself)" if n == 0 else "")))
        for line in move_lines(result, path):
            console.print(line)
    console.print()
    console.print(Text("Status quo to equilibrium", style="bold"))
    shown, hidden = table(result, limit)
    print_wide(console, shown)
    if hidden:
        console.print(Text(f"… {hidden} more rows hidden (reachable ones are listed first); "
                           "use --limit 0 to list all.", style="yellow"))
    console.print()
    for concept in result.equilibria:
        missing = result.unreachable_equilibria(concept)
        text = ", ".join(str(n) for n in missing[: limit or None]) if missing else "none"
        if limit and len(missing) > limit:
            text += f" … and {len(missing) - limit} more"
        console.print(Text(f"{concept_label(concept)} equilibria not reachable from state "
                           f"{c.state_number(result.start)}: ") + Text(text, style="bold"))


def table(result: EvolutionResult, limit: int = 0) -> tuple[Table, int]:
    """The status-quo-to-equilibrium table (reachable rows first, at most ``limit`` rows, 0 = all)
    and the number of rows left out."""
    from rich.table import Table

    from detente.engine.registry import concept_label

    df = result.frame()
    df = df.sort_values("reachable", ascending=False, kind="stable")
    hidden = max(0, len(df) - limit) if limit else 0
    df = df.iloc[: limit or None]
    t = Table(show_edge=False, pad_edge=False, header_style="bold", box=None, padding=(0, 1))
    t.add_column("#", justify="right")
    t.add_column("state")
    concepts = [concept_label(k) for k in result.equilibria]
    for name in concepts:
        t.add_column(name, justify="center")
    t.add_column("final", justify="center")
    t.add_column("reachable", justify="center")
    t.add_column("path")
    for number, row in df.iterrows():
        reach = bool(row["reachable"])
        t.add_row(
            str(number), str(row["state"]),
            *("✓" if row[name] else "" for name in concepts),
            "✓" if row["final"] else "",
            "yes" if reach else Text("no", style="red"),
            str(row["path"]) if reach else "",
        )
    return t, hidden


def register(app: typer.Typer) -> None:
    app.command("evolve", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(evolve_command)


__all__ = ["evolve_command", "move_lines", "register", "render", "table"]
