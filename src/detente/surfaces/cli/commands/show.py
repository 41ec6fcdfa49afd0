"""``detente show FILE``: the model as people read it, and its table of feasible states."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from detente.surfaces.cli.output import (
    MODEL_PANEL,
    CliError,
    TableFileOption,
    load_conflict,
    note,
    print_wide,
    stdout_console,
    write_json_chunks,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from detente.model.conflict import Conflict, Option
    from detente.model.preferences import Preference

EXAMPLE = "Example: `detente show examples/elmira.yaml --limit 20`"
DEFAULT_TEXT_LIMIT = 100

DIRECTION_NOTE = {
    "both": "",
    "fwd": "fwd: once taken, cannot be undone",
    "back": "back: once dropped, cannot be taken again",
}


class ShowFormat(StrEnum):
    """How ``show`` writes the model."""

    text = "text"
    json = "json"
    parquet = "parquet"
    csv = "csv"


def show(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", "-n", min=0,
            help=f"Show at most this many states (0 = all). Default: {DEFAULT_TEXT_LIMIT} for "
            "text, all for json.",
        ),
    ] = None,
    fmt: Annotated[
        ShowFormat,
        typer.Option("--format", case_sensitive=False,
                     help="text (for people), json (for programs: only JSON on stdout), or "
                     "parquet / csv: the state table (every state and each DM's rank) written "
                     "to --output."),
    ] = ShowFormat.text,
    output: TableFileOption = None,
) -> None:
    """Show a model: its parties, options, preferences, infeasible states and state table.

    Lists who holds which options and what each decision maker wants, which states are
    infeasible and why, and every feasible state with each decision maker's rank of it.
    Ranks: 1 = most preferred; tied states share a rank. Options marked → can only be taken
    (never undone), ← only dropped.
    """
    from detente.surfaces.outputs.state_table import iter_summary_json, write_table

    if fmt in (ShowFormat.parquet, ShowFormat.csv) and output is None:
        raise CliError(f"--format {fmt.value} writes a file: give it with --output FILE")
    if output is not None and fmt is ShowFormat.text:
        raise CliError("--output is for --format json, parquet or csv")
    c = load_conflict(file)
    if limit is None:
        limit = DEFAULT_TEXT_LIMIT if fmt is ShowFormat.text else 0
    shown = c.n_states if limit == 0 else min(limit, c.n_states)
    if fmt is ShowFormat.json:
        write_json_chunks(iter_summary_json(c, shown), output)
    elif fmt in (ShowFormat.parquet, ShowFormat.csv):
        assert output is not None  # checked above
        rows = write_table(None, c, output, fmt.value)
        note(f"Wrote {output}: {rows:,} states")
    else:
        render(stdout_console(), c, shown)


# ----- text -----------------------------------------------------------------------------
def render(console: Console, c: Conflict, shown: int) -> None:
    """Print the model and its state table for people."""
    from detente.model.feasibility import InfeasiblePattern
    from detente.surfaces.cli.tables import GROUP_STYLES, state_table

    by_name = {o.name: o for o in c.options}
    console.print(Text(c.name, style="bold underline"))
    if c.description:
        console.print(Text(c.description.strip()))
    for src in c.sources:
        console.print(Text("Source: ", style="dim") + Text(src))

    console.print()
    console.print(Text("Decision makers and their options", style="bold"))
    for i, dm in enumerate(c.dms):
        style = GROUP_STYLES[i % len(GROUP_STYLES)]
        line = Text("  ") + Text(dm.name, style=f"bold {style}")
        if dm.description:
            line += Text(f" — {dm.description.strip()}")
        console.print(line)
        for name in dm.options:
            lv = next((x for x in c.levels if name in x.bit_names), None)
            if lv is None:
                console.print(_option_line(by_name[name]))
            elif name == lv.bit_names[0]:  # an option with levels: once, with its levels
                console.print(_option_line(by_name[name], lv.name)
                              + Text(f"  levels: {' < '.join(lv.levels)}", style="italic"))
        for pline in _preference_lines(c, dm.preference):
            console.print(pline)

    console.print()
    if c.constraints:
        console.print(Text("Infeasibility conditions", style="bold"))
        for k, con in enumerate(c.constraints, 1):
            # A pattern says what is impossible; a group constraint says what must hold.
            kind = "impossible: " if isinstance(con, InfeasiblePattern) else "required: "
            line = Text(f"  {k}. ") + Text(kind, style="italic") + Text(c.space.describe(con))
            if con.reason:
                line += Text(f" — {con.reason}", style="dim")
            console.print(line)
    else:
        console.print(Text("Infeasibility conditions: none (every combination of options can "
                           "occur)"))

    if c.status_quo is not None:
        line = Text("Status quo: ", style="bold") + Text(
            f"state {c.state_number(c.status_quo)} ({c.state_string(c.status_quo)})"
        )
        if c.status_quo_rationale:
            line += Text(f" — {c.status_quo_rationale.strip()}", style="dim")
        console.print(line)
    if c.coalitions:
        console.print(
            Text("Coalitions: ", style="bold")
            + Text("; ".join(" + ".join(x) for x in c.coalitions))
        )

    console.print()
    console.print(Text(
        f"Feasible states: {c.n_states} of "
        f"{c.space.candidate_states} "
        "(Y = option taken; rank 1 = most preferred, ties share a rank)",
        style="bold",
    ))
    print_wide(console, state_table(c, shown))
    hidden = c.n_states - shown
    if hidden:
        console.print(Text(
            f"… {hidden} more state{'s' if hidden != 1 else ''} hidden; "
            "use --limit 0 to show all.",
            style="yellow",
        ))


def _option_line(o: Option, name: str | None = None) -> Text:
    from detente.surfaces.cli.tables import DIRECTION_MARK

    line = Text("    ") + Text((name or o.name) + DIRECTION_MARK[o.direction])
    if o.direction != "both":
        line += Text(f" ({DIRECTION_NOTE[o.direction]})", style="italic")
    if o.description:
        line += Text(f" — {o.description.strip()}", style="dim")
    return line


def _preference_lines(c: Conflict, pref: Preference) -> list[Text]:
    from detente.model.preferences import RankingPreference, StatementPreference

    if isinstance(pref, StatementPreference):
        out = [Text("    wants, most important first:", style="dim")]
        for k, st in enumerate(pref.statements, 1):
            line = Text(f"      {k}. ") + Text(st.text)
            if st.rationale:
                line += Text(f" — {st.rationale.strip()}", style="dim")
            out.append(line)
        return out
    if isinstance(pref, RankingPreference):
        return [Text(f"    preferences: an explicit ranking of states ({len(pref.tiers)} tiers)",
                     style="dim")]
    return [Text("    preferences: a payoff per state", style="dim")]


def register(app: typer.Typer) -> None:
    app.command("show", rich_help_panel=MODEL_PANEL, epilog=EXAMPLE)(show)


__all__ = ["register", "render", "show"]
