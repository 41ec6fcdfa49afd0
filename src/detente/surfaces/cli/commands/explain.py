"""``detente explain FILE STATE``: why one state is or is not stable, per DM and concept."""

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

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from detente.analyses.explain import ConceptVerdict, DMExplanation, Explanation

EXAMPLE = "Example: `detente explain examples/elmira.yaml 1 --dm LG --concept gmr`"


def explain_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    state: Annotated[
        str,
        typer.Argument(
            help="The state: its number (as in `detente show`) or a Y/N string with one "
            "letter per option, in model order.",
        ),
    ],
    dm: Annotated[
        list[str] | None,
        typer.Option(
            "--dm", metavar="NAME",
            help="Explain only this decision maker (repeatable). Default: all.",
        ),
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept", "-c", metavar="CONCEPT",
            help="Solution concept: nash, gmr, smr, seq, sim or seq_sim; a strength key "
            "(strong_gmr, weak_seq, ...), an unknown-preference key (nash_a ... seq_d) or a "
            "probabilistic one (gmr@0.8/0.3) (repeatable; not L<h>). Default: the six.",
        ),
    ] = None,
    view: Annotated[
        str | None,
        typer.Option(
            "--view", metavar="DM",
            help="Explain in this decision maker's view of the conflict (its perceptions: the "
            "others' preferences as it sees them, no moves of options it is unaware of).",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Explain why a state is or is not stable, for each decision maker and concept.

    Lists each decision maker's unilateral improvements from the state and, per concept, the
    response of the others that deters each one (the shortest sanctioning sequence of moves
    for GMR, SMR and SEQ, under each concept's own rules for its strength, unknown-preference
    and probabilistic versions; a simultaneous response for SIM), or says that none exists,
    which is why the state is unstable.
    """
    from detente.analyses.requests import ExplainRequest

    c = load_conflict(file)
    if view is not None:  # a hypergame view: the model as that DM perceives it
        from detente.analyses.hypergame import view_for_state

        c, state = view_for_state(c, view, state)
    result = ExplainRequest(state, dm or None, concept or None).run(c)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result, words=c.space.words(result.state.code))


# ----- text -----------------------------------------------------------------------------
def render(console: Console, e: Explanation, *, words: str | None = None) -> None:
    """Print an explanation for people: grouped by DM, a ✓/✗ line per concept, reasons."""
    console.print(
        Text(f"{e.model}: ", style="bold")
        + Text(f"state {e.state.number} ({e.state.state})", style="bold underline")
    )
    if words:
        console.print(Text(words))
    console.print(Text(f"Options, in order: {' '.join(e.options)}", style="dim"))
    for d in e.dms:
        console.print()
        _render_dm(console, e, d)


def _render_dm(console: Console, e: Explanation, d: DMExplanation) -> None:
    rank = f"ranks state {e.state.number} {_ordinal(d.rank)} of {d.rank_levels}"
    console.print(Text(d.dm, style="bold cyan") + Text(f" — {rank} (1 = most preferred)",
                                                         style="dim"))
    if d.improvements:
        console.print(Text(f"  Unilateral improvements from state {e.state.number}:"))
        for m in d.improvements:
            console.print(
                Text(f"    → state {m.target.number} ({m.target.state}): ")
                + Text(f"{d.dm}: {m.change_text}")
            )
    else:
        console.print(Text(f"  No unilateral improvement from state {e.state.number}."))
    from detente.analyses.explain.wording import collapse_verdicts

    for group, label in collapse_verdicts(d.verdicts):
        _render_verdict(console, group[0], label)


def _render_verdict(console: Console, v: ConceptVerdict, label: str | None = None) -> None:
    from rich.padding import Padding

    mark = Text("  ✓ ", style="bold green") if v.stable else Text("  ✗ ", style="bold red")
    verdict = "stable" if v.stable else "unstable"
    console.print(mark + Text(f"{label or v.label}: {verdict}", style="bold")
                  + Text(f" — {v.summary}"))
    # Nash needs no reasons beyond the list of improvements above (its versions that count
    # other moves, α-UIs or uncertain ones, list theirs).
    if not v.deterrable and not v.own_moves:
        return
    for ch in sorted(v.checks, key=lambda ch: ch.sanctioned):
        style = "" if ch.sanctioned else "red"
        reason = Text(ch.reason, style=style)
        if console.is_terminal:
            console.print(Padding(reason, (0, 0, 0, 6)))
        else:  # keep each reason on one greppable line
            console.print(Text("      ") + reason)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def register(app: typer.Typer) -> None:
    app.command("explain", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(explain_command)


__all__ = ["explain_command", "register", "render"]
