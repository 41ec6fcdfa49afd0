"""``detente hypergame FILE``: how the parties misread one another, and which disclosure would
change the outcome (first-level hypergame over the model's ``perceptions:``)."""

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
    from detente.analyses.hypergame import HypergameResult

EXAMPLE = "Example: `detente hypergame tests/data/hypergame_sanction.yaml -c seq --target NN`"


def hypergame_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            metavar="CONCEPT",
            help="Solution concept: nash, gmr, smr, seq, sim or seq_sim (repeatable). "
            "Default: all six.",
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            metavar="PATTERN",
            help="A state or Y/N/- pattern: say whether it is a hypergame equilibrium now and "
            "after each correction.",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Each party's view of the conflict, the hypergame equilibria, the surprises, and what
    each single correction of a misperception would change.

    A party's view has its own true preferences, the others' as it perceives them
    (`perceptions:` with `about:`), and no moves of options it is unaware of
    (`unaware_of:`). A hypergame equilibrium is stable for every party in its own view.
    """
    from detente.analyses.requests import HypergameRequest

    c = load_conflict(file)
    result = HypergameRequest(concept or None, target).run(c)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result)


# ----- text -----------------------------------------------------------------------------
def _states(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def render(console: Console, r: HypergameResult) -> None:
    """Print the hypergame for people: views, equilibria, surprises, corrections."""
    from detente.engine.registry import concept_label

    d = r.to_dict()
    console.print(Text(f"{d['model']}: hypergame", style="bold"))
    console.print(Text(f"Options, in order: {' '.join(d['options'])}", style="dim"))
    if not r.conflict.perceptions:
        console.print("No perceptions in the model: every view is the game itself.")
    for p in r.conflict.perceptions:
        what = (
            f"misreads {p.about}'s preferences"
            if p.about is not None
            else f"is unaware of {', '.join(p.unaware_of)}"
        )
        why = f" — {p.rationale}" if p.rationale else ""
        console.print(Text(f"  {p.perceiver} {what}{why}"))
    for k in r.concepts:
        console.print()
        console.print(Text(concept_label(k), style="bold cyan"))
        for dm, eq in d["views"].items():
            console.print(f"  {dm} expects: {_states(eq[k])}")
        console.print(Text(f"  Hypergame equilibria: {_states(d['equilibria'][k])}", style="bold"))
        for s in d["surprises"][k]:
            console.print(
                Text(
                    f"  Surprise: {s['state']} is expected by "
                    f"{', '.join(s['expected_by'])} but is not stable",
                    style="yellow",
                )
            )
    if d["target_reached"] is not None:
        console.print()
        mark = "holds" if d["target_reached"] else "does not hold"
        console.print(f"Target {d['parameters']['target']}: {mark} under every concept now.")
    if d["corrections"]:
        console.print()
        console.print(Text("What the mediator could tell whom:", style="bold"))
    for fix in d["corrections"]:
        eq = "; ".join(f"{k}: {_states(v)}" for k, v in fix["equilibria"].items())
        reached = (
            ""
            if fix["target_reached"] is None
            else (" — target reached" if fix["target_reached"] else " — target not reached")
        )
        console.print(f"  {fix['advice']}: {eq}{reached}")


def register(app: typer.Typer) -> None:
    app.command("hypergame", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(hypergame_command)


__all__ = ["hypergame_command", "register", "render"]
