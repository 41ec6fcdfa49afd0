"""``detente brief FILE``: the mediator's brief — for each proposal on the table (the deal,
the mediation target, the drafts), does it hold, how sure, who breaks it, the fewest fixes,
what enforces it and what flips it, in words."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from detente.surfaces.cli.output import (
    ANALYSIS_PANEL,
    CliError,
    FormatOption,
    OutputFormat,
    load_conflict,
    print_json,
    stdout_console,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from rich.console import Console

    from detente.analyses.brief import BriefResult
    from detente.model.conflict import Conflict

EXAMPLE = ("Example: `detente brief examples/ceasefire_2024.yaml --no-fixes` (with fixes, the "
           "default, it also searches the fewest priority edits: the slow part)")


def brief_command(
    file: Annotated[
        Path, typer.Argument(help="Model file (.yaml) with a deal, a mediation target or drafts.")
    ],
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            metavar="CONCEPT",
            help="Solution concept: nash, gmr, smr, seq, sim or seq_sim (repeatable). "
            "Default: the model's `mediation: concepts:`, else all six.",
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            metavar="N",
            help="Preference profiles sampled when "
            "the profile space is larger (otherwise every profile).",
        ),
    ] = 1_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed for sampling.")] = 0,
    fixes: Annotated[
        bool,
        typer.Option(
            "--fixes/--no-fixes",
            help="Search the fewest priority edits where a proposal breaks (the slow part).",
        ),
    ] = True,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            metavar="FILE.json",
            help="A what-if scenario (JSON: alternatives, statements, orders, settings, "
            "commitments; docs/web.md \"What-if\"): the brief of the model edited that way.",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """The mediator's brief: one verdict per proposal on the table, in words.

    Verdicts come from the deal analysis (`detente deal`) and the mediation analysis
    (`detente mediate`); probabilities from the model's uncertain preferences
    (`detente robustness`).
    """
    from detente.analyses.requests import BriefRequest

    c = load_conflict(file)
    if scenario is None:
        result = BriefRequest(concept or None, samples, seed, fixes).run(c)
    else:
        result = _whatif(c, scenario, concept or None, samples, seed, fixes)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    else:
        render(stdout_console(), result)


def _whatif(
    c: Conflict, path: Path, concepts: list[str] | None, samples: int, seed: int, fixes: bool
) -> BriefResult:
    """The brief of ``c`` edited by the scenario in ``path``; a bad file or field is a
    CliError naming the file and the field."""
    import json

    from detente.analyses.requests import WhatIfRequest
    from detente.model.errors import ArgumentError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"--scenario: cannot read '{path}': {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CliError(f"--scenario '{path}': not JSON: {exc}") from exc
    try:
        return WhatIfRequest(data, concepts, samples, seed, fixes).run(c)
    except ArgumentError as exc:
        if exc.parameter in (None, "concepts", "samples", "seed", "fixes"):
            raise
        raise CliError(f"--scenario '{path}': {exc.parameter}: {exc.message}") from exc


def render(console: Console, r: BriefResult) -> None:
    """The brief for people: one paragraph per proposal."""
    model = r.result_header().model
    console.print(Text(f"{model}: the brief", style="bold"))
    if not r.proposals:
        console.print(
            "The model puts no proposal on the table: add a `deal:`, a "
            "`mediation: target:` or `drafts:` (see docs/model-format.md)."
        )
    for p in r.proposals:
        console.print()
        first, *rest = p.summary
        console.print(Text(first, style="bold"))
        for line in rest:
            console.print(Text(f"  {line}"))
    for note in r.notes:
        console.print(Text(note, style="yellow"))


def register(app: typer.Typer) -> None:
    app.command("brief", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(brief_command)


__all__ = ["brief_command", "register", "render"]
