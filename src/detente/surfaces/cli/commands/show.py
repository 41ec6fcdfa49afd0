"""``detente show FILE``: the model as people read it, and its table of feasible states."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from detente.model.conflict import Conflict, Option
from detente.model.feasibility import InfeasiblePattern
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    StatementPreference,
)
from detente.surfaces.cli.output import (
    MODEL_PANEL,
    FormatOption,
    OutputFormat,
    display_ranks,
    load_conflict,
    print_json,
    print_wide,
    stdout_console,
)

EXAMPLE = "Example: `detente show examples/elmira.yaml --limit 20`"
DEFAULT_TEXT_LIMIT = 100

DIRECTION_NOTE = {
    "both": "",
    "fwd": "fwd: once taken, cannot be undone",
    "back": "back: once dropped, cannot be taken again",
}
DIRECTION_MARK = {"both": "", "fwd": " →", "back": " ←"}
_GROUP_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")


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
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Show a model: its parties, options, preferences, infeasible states and state table.

    Lists who holds which options and what each decision maker wants, which states are
    infeasible and why, and every feasible state with each decision maker's rank of it.
    Ranks: 1 = most preferred; tied states share a rank. Options marked → can only be taken
    (never undone), ← only dropped.
    """
    c = load_conflict(file)
    if limit is None:
        limit = DEFAULT_TEXT_LIMIT if fmt is OutputFormat.text else 0
    shown = c.n_states if limit == 0 else min(limit, c.n_states)
    if fmt is OutputFormat.json:
        print_json(model_data(c, shown))
    else:
        render(stdout_console(), c, shown)


# ----- data -----------------------------------------------------------------------------
def preference_data(c: Conflict, pref: Preference) -> dict[str, Any]:
    """A decision maker's preferences as given in the model."""
    if isinstance(pref, StatementPreference):
        return {
            "kind": "statements",
            "statements": [{"statement": s.text, "rationale": s.rationale}
                           for s in pref.statements],
        }
    if isinstance(pref, RankingPreference):
        return {
            "kind": "ranking",
            "ranking": [[c.state_string(code) for code in tier] for tier in pref.tiers],
        }
    if isinstance(pref, PayoffPreference):
        return {
            "kind": "payoffs",
            "payoffs": [{"state": c.state_string(code), "value": value}
                        for code, value in pref.payoffs],
        }
    raise TypeError(f"unknown preference type {type(pref).__name__}")  # pragma: no cover


def model_data(c: Conflict, shown: int | None = None) -> dict[str, Any]:
    """The model and its first ``shown`` feasible states as plain JSON-able data."""
    shown = c.n_states if shown is None else shown
    ranks = display_ranks(c)
    sq = c.status_quo
    states = [
        {
            "number": k + 1,
            "state": c.state_string(int(code)),
            "ranks": {dm.name: int(ranks[i, k]) for i, dm in enumerate(c.dms)},
            "status_quo": sq is not None and int(code) == sq,
        }
        for k, code in enumerate(c.feasible[:shown])
    ]
    return {
        "name": c.name,
        "description": c.description,
        "sources": list(c.sources),
        "file": c.source_file,
        "options": [
            {"name": o.name, "decision_maker": o.dm, "direction": o.direction,
             "description": o.description}
            for o in c.options
        ],
        "decision_makers": [
            {"name": dm.name, "description": dm.description, "options": list(dm.options),
             "preferences": preference_data(c, dm.preference)}
            for dm in c.dms
        ],
        "infeasible": [
            {"condition": con.describe(), "reason": con.reason} for con in c.constraints
        ],
        "status_quo": None if sq is None else {
            "number": c.state_number(sq), "state": c.state_string(sq),
            "rationale": c.status_quo_rationale,
        },
        "coalitions": [list(x) for x in c.coalitions],
        "candidate_states": 2**c.n_options,
        "feasible_states": c.n_states,
        "states": states,
        "states_hidden": c.n_states - len(states),
    }


# ----- text -----------------------------------------------------------------------------
def render(console: Console, c: Conflict, shown: int) -> None:
    """Print the model and its state table for people."""
    by_name = {o.name: o for o in c.options}
    console.print(Text(c.name, style="bold underline"))
    if c.description:
        console.print(Text(c.description.strip()))
    for src in c.sources:
        console.print(Text("Source: ", style="dim") + Text(src))

    console.print()
    console.print(Text("Decision makers and their options", style="bold"))
    for i, dm in enumerate(c.dms):
        style = _GROUP_STYLES[i % len(_GROUP_STYLES)]
        line = Text("  ") + Text(dm.name, style=f"bold {style}")
        if dm.description:
            line += Text(f" — {dm.description.strip()}")
        console.print(line)
        for name in dm.options:
            console.print(_option_line(by_name[name]))
        for pline in _preference_lines(c, dm.preference):
            console.print(pline)

    console.print()
    if c.constraints:
        console.print(Text("Infeasibility conditions", style="bold"))
        for k, con in enumerate(c.constraints, 1):
            # A pattern says what is impossible; a group constraint says what must hold.
            kind = "impossible: " if isinstance(con, InfeasiblePattern) else "required: "
            line = Text(f"  {k}. ") + Text(kind, style="italic") + Text(con.describe())
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
        f"Feasible states: {c.n_states} of {2**c.n_options} "
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


def _option_line(o: Option) -> Text:
    line = Text("    ") + Text(o.name + DIRECTION_MARK[o.direction])
    if o.direction != "both":
        line += Text(f" ({DIRECTION_NOTE[o.direction]})", style="italic")
    if o.description:
        line += Text(f" — {o.description.strip()}", style="dim")
    return line


def _preference_lines(c: Conflict, pref: Preference) -> list[Text]:
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


def state_table(
    c: Conflict,
    shown: int | Sequence[int],
    extra: Mapping[str, Sequence[Text | str]] | None = None,
) -> Table:
    """State number, Y/N per option (grouped by decision maker), and each DM's rank.

    ``shown``: the first n states, or the positions (0-based) of the states to list.
    ``extra``: more columns (header → one cell per listed state), e.g. stability marks.
    """
    ranks = display_ranks(c)
    table = Table(show_edge=False, pad_edge=False, header_style="bold", box=None,
                  padding=(0, 1))
    table.add_column("#", justify="right")
    columns: list[tuple[int, str]] = []  # (bit, style) in display order
    for i, dm in enumerate(c.dms):
        style = _GROUP_STYLES[i % len(_GROUP_STYLES)]
        for j, name in enumerate(dm.options):
            header = Text(dm.name if j == 0 else "", style=f"bold {style}") + Text("\n") + Text(
                name + DIRECTION_MARK[c.options[c.bits[name]].direction], style=style
            )
            table.add_column(header, justify="center", no_wrap=True)
            columns.append((c.bits[name], style))
    for i, dm in enumerate(c.dms):
        style = _GROUP_STYLES[i % len(_GROUP_STYLES)]
        header = Text("rank\n", style="bold") + Text(dm.name, style=f"bold {style}")
        table.add_column(header, justify="right", no_wrap=True)
    for title in extra or {}:
        table.add_column(Text(title, style="bold"), justify="center", no_wrap=True)
    sq = c.status_quo
    if sq is not None:
        table.add_column("", no_wrap=True)
    positions = list(range(min(shown, c.n_states))) if isinstance(shown, int) else list(shown)
    for row, k in enumerate(positions):
        code = int(c.feasible[k])
        cells: list[Text | str] = [str(k + 1)]
        for bit, style in columns:
            taken = (code >> bit) & 1
            cells.append(Text("Y", style=f"bold {style}") if taken else Text("N", style="dim"))
        cells.extend(str(int(r)) for r in ranks[:, k])
        cells.extend(column[row] for column in (extra or {}).values())
        is_sq = sq is not None and code == sq
        if sq is not None:
            cells.append(Text("◀ status quo", style="bold") if is_sq else "")
        table.add_row(*cells, style="bold" if is_sq else None)
    return table


def register(app: typer.Typer) -> None:
    app.command("show", rich_help_panel=MODEL_PANEL, epilog=EXAMPLE)(show)


__all__ = ["model_data", "preference_data", "register", "show", "state_table"]
