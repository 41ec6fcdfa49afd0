"""``detente mediate FILE --target STATE|PATTERN``: what would make a deal hold, and for whom."""

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
    from detente.analyses.mediation import MediationResult

EXAMPLE = ("Example: `detente mediate examples/ceasefire_2024.yaml -c sim --max-edits 1 "
           "--limit 5` (the model's own mediation target)")
#: Unmet requirements shown per DM and concept in the text output.
SHOWN_REQUIREMENTS = 3


def mediate_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    target: Annotated[
        str | None,
        typer.Option(
            "--target", "-t", metavar="STATE|PATTERN",
            help="The deal: a state number, a Y/N string, or a Y/N/- pattern (then some "
            "matching feasible state must become an equilibrium). A pattern may start with "
            "'-': `--target ---N` and `--target=---N` both work. A pattern matching many "
            "states is refused, with the estimated work, when too broad. Default: the "
            "model's `mediation: target:`.",
        ),
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept", "-c", metavar="CONCEPT",
            help="Solution concept the target must satisfy (repeatable; all of them at once): "
            "nash, gmr, smr, seq, sim or seq_sim. Default: the model's `mediation: "
            "concepts:`, else seq.",
        ),
    ] = None,
    max_edits: Annotated[
        int, typer.Option("--max-edits", "-k", help="The most statement edits searched.")
    ] = 3,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="Solutions listed (0 = all).")
    ] = 10,
    reachable: Annotated[
        bool,
        typer.Option("--reachable",
                     help="Also require that the status quo evolves to the target by "
                     "unilateral improvements."),
    ] = False,
    dm: Annotated[
        list[str] | None,
        typer.Option("--dm", metavar="NAME",
                     help="Only these parties' statements may change (repeatable). Default: "
                     "all."),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Mediation design: what would make a deal state hold, and for whom.

    Lists, per party, the conditions on its preferences under which the target is stable
    (and which its current priorities meet); the fewest edits to the parties' prioritised
    statements (move, drop, or add a candidate from the model's `mediation: candidates:`)
    after which the target is an equilibrium, every distinct minimal solution re-checked by
    the engine; and the settings of the mediators' own options that make it stable.
    """
    from detente.analyses.requests import MediateRequest

    request = MediateRequest(target, concept or None, max_edits=max_edits, limit=limit,
                             reachable=reachable, dms=dm or None)
    result = request.run(load_conflict(file))
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result)


def render(console: Console, r: MediationResult) -> None:
    """The answer first, then requirements not met, solutions and mediator levers."""
    from detente.engine.registry import concept_label

    console.print(Text(f"{r.model}: what would make {r.target} hold", style="bold"))
    console.print(Text(r.headline()))
    unmet = r.unmet(r.focus)
    if unmet:
        console.print()
        at = f" at {r.focus}" if len(r.targets) > 1 else ""
        console.print(Text(f"Requirements not met now{at}", style="bold"))
        shown: dict[tuple[str, str, str], int] = {}
        for req in unmet:
            key = (req.target, req.dm, req.concept)
            shown[key] = shown.get(key, 0) + 1
            if shown[key] <= SHOWN_REQUIREMENTS:
                console.print(Text(f"  {req.text}"))
        hidden = sum(max(0, n - SHOWN_REQUIREMENTS) for n in shown.values())
        others = f" and those at the other {len(r.targets) - 1} matching states" if len(
            r.targets) > 1 else ""
        if hidden or others:
            more = f"… {hidden} more{others}" if hidden else f"…{others}"
            console.print(Text(f"  {more} (--format json lists all)", style="dim"))
    if r.solutions and r.min_edits:
        console.print()
        console.print(Text(f"Minimal changes ({r.min_edits} edit"
                           f"{'s' if r.min_edits != 1 else ''} each)", style="bold"))
        for n, sol in enumerate(r.solutions, 1):
            console.print(Text(f"  {n}. makes {sol.target} an equilibrium", style="cyan"))
            for e in sol.edits:
                console.print(Text(f"     {e.text()}"))
                if e.rationale:
                    console.print(Text(f"       why: {' '.join(e.rationale.split())}",
                                       style="dim"))
            eq = "; ".join(f"{concept_label(k)}: {len(v)}" for k, v in sol.equilibria.items())
            console.print(Text(f"     equilibria after the change — {eq}", style="dim"))
    if r.levers:
        console.print()
        working = r.working_levers()
        names = " and ".join(r.mediators)
        console.print(Text(f"Mediators' levers ({names}), preferences unchanged", style="bold"))
        if working:
            for lv in working:
                sets = ", ".join(f"{k}={v}" for k, v in lv.settings.items())
                console.print(Text(f"  state {lv.number} {lv.state}: {sets}"))
        else:
            console.print(Text(f"  No setting of their options makes {r.target} an "
                               f"equilibrium under {r.concept_text}."))
    if r.commitments is not None and r.commitments.declared:
        console.print()
        console.print(Text("Commitment devices (options made one-way), priorities unchanged",
                           style="bold"))
        for line in r.commitments.lines(r.target, r.concept_text, r.min_edits):
            console.print(Text(f"  {line}"))
    for note in r.notes:
        console.print(Text(f"Note: {note}", style="dim"))


def register(app: typer.Typer) -> None:
    app.command("mediate", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(mediate_command)


__all__ = ["mediate_command", "register", "render"]
