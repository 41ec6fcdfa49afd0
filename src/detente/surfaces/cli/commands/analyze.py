"""``detente analyze FILE``: which states are stable, for whom, under which concepts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from detente.surfaces.cli.output import (
    ANALYSIS_PANEL,
    CliError,
    TableFileOption,
    load_conflict,
    note,
    print_wide,
    stderr_console,
    stdout_console,
    write_json_chunks,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from detente.analyses.contract import Progress as ProgressCallback
    from detente.analyses.contract import ProgressEvent
    from detente.analyses.stability import StabilityResult
    from detente.model.conflict import Conflict

EXAMPLE = (
    "Example: `detente analyze examples/elmira.yaml --concept gmr --concept seq` or "
    "`detente analyze examples/chicken.yaml --format json`"
)
#: Models at least this big show a progress display on stderr.
PROGRESS_STATES = 50_000


class AnalyzeFormat(StrEnum):
    """How ``analyze`` writes its result."""

    text = "text"
    json = "json"
    parquet = "parquet"
    csv = "csv"


class Which(StrEnum):
    """Which states to list."""

    equilibria = "equilibria"
    all = "all"


def analyze_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml, .yml or .gmcr).")],
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", "-c",
                     help="Concept to analyse (repeatable): nash, gmr, smr, seq, sim, seq_sim; "
                     "probabilistic: nash@A, gmr@A/B, smr@A/B, seq@A/B/C (α, β, γ from the "
                     "declared uncertainty); strength of preference: strong_gmr, strong_smr, "
                     "strong_seq, weak_gmr, weak_smr, weak_seq; unknown preferences: nash_a ... "
                     "seq_d (variants a-d of nash, gmr, smr, seq); limited move: L<h> (as "
                     "--horizon h). Default: the six standard ones."),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon",
                     help="Also limited-move stability L_h with this horizon."),
    ] = None,
    states: Annotated[
        Which, typer.Option("--states", help="List equilibria only (default) or all states.")
    ] = Which.equilibria,
    match: Annotated[
        str | None,
        typer.Option("--match", help="Only states matching a Y/N/- pattern in option order."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="List at most this many states (0 = all).")
    ] = 100,
    fmt: Annotated[
        AnalyzeFormat,
        typer.Option("--format", case_sensitive=False,
                     help="text (for people), json (for programs: only JSON on stdout), or "
                     "parquet / csv: the full state table (every state, its ranks and "
                     "stability per concept and DM) written to --output."),
    ] = AnalyzeFormat.text,
    output: TableFileOption = None,
) -> None:
    """Find the stable states (equilibria) under the GMCR solution concepts.

    For every feasible state and decision maker, decides stability under Nash, general
    metarationality (GMR), symmetric metarationality (SMR), sequential stability (SEQ),
    simultaneous sanctioning (SIM) and SEQ&SIM; a state stable for every decision maker is an
    equilibrium. The table marks equilibria with ✓ per concept. JSON output gives, per concept,
    the equilibria and the states stable for each decision maker.
    """
    from detente.analyses.requests import AnalyzeRequest
    from detente.analyses.stability.analysis import CONCEPT_FAMILIES
    from detente.engine.registry import parse_concepts
    from detente.surfaces.outputs.state_table import iter_json, table_columns, write_table

    if fmt in (AnalyzeFormat.parquet, AnalyzeFormat.csv) and output is None:
        raise CliError(f"--format {fmt.value} writes a file: give it with --output FILE")
    if output is not None and fmt is AnalyzeFormat.text:
        raise CliError("--output is for --format json, parquet or csv")
    request = AnalyzeRequest(concept or None, horizon)
    c = load_conflict(file)
    keys = parse_concepts(request.concepts, request.horizon, families=CONCEPT_FAMILIES)
    with _progress(c, len(keys)) as step:
        result = request.run(c, progress=step)
    if fmt is AnalyzeFormat.json:
        write_json_chunks(iter_json(result), output)
        return
    if fmt in (AnalyzeFormat.parquet, AnalyzeFormat.csv):
        assert output is not None  # checked above
        rows = write_table(result, c, output, fmt.value)
        note(f"Wrote {output}: {rows:,} states, {len(table_columns(result, c))} columns")
        return
    render(c, result, states, match, limit)


@contextmanager
def _progress(c: Conflict, total: int) -> Iterator[ProgressCallback | None]:
    if c.n_states < PROGRESS_STATES:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as bar:
        task = bar.add_task(f"Analysing {c.n_states:,} states", total=total)

        def step(event: ProgressEvent) -> None:
            bar.update(task, description=f"Analysing {c.n_states:,} states: {event.message}",
                       completed=event.step, total=event.total)

        yield step


def render(
    c: Conflict, result: StabilityResult, which: Which, match: str | None, limit: int
) -> None:
    """Print the summary per concept and the state table with ✓ marks."""
    import numpy as np

    from detente.engine.registry import concept_label
    from detente.surfaces.cli.tables import state_table

    console = stdout_console()
    console.print(Text(f"{c.name}: {c.n_states} feasible states, {len(c.dms)} decision makers",
                       style="bold"))
    width = max([8, *(len(concept_label(k)) for k in result.concepts)])
    for key in result.concepts:
        numbers = result.equilibria_numbers(key)
        shown = ", ".join(map(str, numbers[:30])) + (" …" if len(numbers) > 30 else "")
        console.print(Text(f"  {concept_label(key):>{width}}: ", style="bold")
                      + Text(f"{len(numbers)} equilibri{'um' if len(numbers) == 1 else 'a'}"
                             + (f" — states {shown}" if numbers else "")))
    mask = np.ones(c.n_states, dtype=bool)
    if which is Which.equilibria:
        mask[:] = False
        for key in result.concepts:
            mask |= result.equilibrium_mask(key)
        if c.status_quo is not None:
            mask[c.state_number(c.status_quo) - 1] = True
    if match:
        mask &= np.isin(c.feasible, c.matching(match))
    positions = np.flatnonzero(mask)
    hidden = max(0, positions.size - limit) if limit else 0
    positions = positions[: limit or None]
    extra = {
        concept_label(key): [
            Text("✓", style="bold green") if result.equilibrium_mask(key)[k] else Text("·",
                                                                                    style="dim")
            for k in positions
        ]
        for key in result.concepts
    }
    console.print()
    if positions.size == 0:
        console.print(Text("No state to list.", style="yellow"))
        return
    print_wide(console, state_table(c, positions.tolist(), extra))
    if hidden:
        console.print(Text(f"… {hidden} more states hidden; use --limit 0 to show all.",
                           style="yellow"))


def register(app: typer.Typer) -> None:
    app.command("analyze", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(analyze_command)
