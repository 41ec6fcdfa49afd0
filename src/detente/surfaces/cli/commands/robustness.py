"""``detente robustness FILE``: how sure are the conclusions under uncertain preferences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from detente.surfaces.cli.output import (
    ANALYSIS_PANEL,
    FormatOption,
    OutputFormat,
    cli_words,
    load_conflict,
    print_json,
    print_wide,
    stderr_console,
    stdout_console,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from detente.analyses.contract import Progress as ProgressCallback
    from detente.analyses.robustness import RobustnessResult
    from detente.model.conflict import Conflict

#: Profiles drawn by default (the same number as ``detente.analyses.robustness.DEFAULT_SAMPLES``;
#: a test keeps them equal).
DEFAULT_SAMPLES = 10_000

EXAMPLE = (
    "Example: `detente robustness examples/ceasefire_2024.yaml -c nash -c seq` or "
    "`detente robustness model.yaml --samples 20000 --seed 3 --format json`"
)


def robustness_command(
    file: Annotated[Path, typer.Argument(help="Model file (.yaml or .yml) with uncertainty.")],
    samples: Annotated[
        int, typer.Option("--samples",
                          help="Profiles to sample when the profile space is larger than this "
                          "(it is enumerated exactly when it is not).")
    ] = DEFAULT_SAMPLES,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sampling (0 or "
                                      "more).")] = 0,
    exact: Annotated[
        bool, typer.Option("--exact", help="Enumerate every profile (refused when too many).")
    ] = False,
    concept: Annotated[
        list[str] | None,
        typer.Option("--concept", "-c",
                     help="Concept (repeatable): nash, gmr, smr, seq, sim, seq_sim, or a "
                     "probabilistic one (nash@A, gmr@A/B, smr@A/B, seq@A/B/C) judged on the "
                     "analysed profiles. Default: the six standard ones."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", metavar="ADDRESS",
                     help="Run on an existing Dask distributed cluster, e.g. "
                     "tcp://10.0.0.5:8786 (see docs/robustness.md)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0,
                          help="Text: list at most this many states per concept (0 = all).")
    ] = 8,
    at_least: Annotated[
        float | None,
        typer.Option("--at-least", metavar="ALPHA", min=0.0, max=1.0,
                     help="Also list, per concept and decision maker, the states stable for "
                     "it with probability at least ALPHA (JSON: at_least)."),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Probability that each state is an equilibrium when the preferences are uncertain.

    Uses the model's `alternatives`, statements with a `probability` and `unknown_order` groups
    (docs/model-format.md). The profile space is enumerated exactly when it is small (or with
    --exact), otherwise --samples profiles are drawn with --seed, the same for every concept.
    Also: the status quo's fate, and which uncertain element moves the leading states most.
    """
    from detente.analyses.requests import RobustnessRequest
    from detente.analyses.robustness import profile_space_size

    request = RobustnessRequest(concept or None, samples=samples, seed=seed, exact=exact or None,
                                at_least=at_least)
    c = load_conflict(file)
    with _bar(profile_space_size(c), samples, exact) as step:
        result = request.run(c, progress=step, scheduler=scheduler)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
        return
    render(result, limit)
    if result.at_least is not None:
        render_at_least(result, result.at_least, limit)
    if result.probabilistic:
        render_probabilistic(result, limit)


def render_probabilistic(result: RobustnessResult, limit: int) -> None:
    """Text: each probabilistic concept's equilibria, judged on the analysed profiles."""
    c = result.conflict
    console = stdout_console()
    how = "exact" if result.exact else "estimated from the sampled profiles"
    console.print(Text(f"Probabilistic stability (pairwise preference probabilities {how})",
                       style="bold"))
    for body in result.probabilistic_dict().values():
        shown = _numbers(c, body["equilibria"], limit)
        console.print(f"  {body['label']}: "
                      + (f"equilibria {shown}" if shown else "no equilibrium"))


def render_at_least(result: RobustnessResult, alpha: float, limit: int) -> None:
    """Text: per concept and DM, the states stable for it with probability at least α."""
    from detente.engine.registry import concept_label

    c = result.conflict
    console = stdout_console()
    console.print(Text(f"Stable with probability at least {alpha:g}", style="bold"))
    for k, per_dm in result.stable_at_least(alpha).items():
        console.print(Text(f"  {concept_label(k)}", style="bold"))
        for dm, states in per_dm.items():
            console.print(f"    {dm}: {_numbers(c, states, limit) or 'no state'}")


def _numbers(c: Conflict, states: list[str], limit: int) -> str:
    """The states' numbers, at most ``limit`` of them (0: all) and then how many in all."""
    numbers = [str(c.state_number(c.parse_state(s))) for s in states]
    return ", ".join(numbers[: limit or None]) + (
        f" … ({len(numbers)} in all)" if limit and len(numbers) > limit else "")


@contextmanager
def _bar(space: int, samples: int, exact: bool) -> Iterator[ProgressCallback]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from detente.analyses.contract import ProgressEvent

    total = space if exact or space <= samples else samples
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as bar:
        task = bar.add_task("Preference profiles", total=total)

        def step(event: ProgressEvent) -> None:
            bar.update(task, completed=event.step, total=event.total)

        yield step


def _pct(p: float | None) -> str:
    return "n/a" if p is None else f"{100 * p:.1f} %"


def render(result: RobustnessResult, limit: int) -> None:
    """Text output: probabilities per concept, the status quo's fate, the deciding elements."""
    from rich.table import Table

    from detente.analyses.robustness import count_text
    from detente.engine.registry import concept_label

    c = result.conflict
    console = stdout_console()
    how = ("exact, every profile" if result.exact
           else f"{result.samples:,} sampled profiles, {result.distinct:,} of them distinct, "
                f"seed {result.seed}")
    console.print(Text(f"{c.name}: {count_text(result.profiles)} preference profiles ({how})",
                       style="bold"))
    table = Table(title="Probability that a state is an equilibrium")
    table.add_column("state")
    for k in result.concepts:
        table.add_column(concept_label(k), justify="right")
    shown: list[int] = []
    for k in result.concepts:
        for s in result.leading(k, limit or c.n_states):
            if s not in shown:
                shown.append(s)
    for s in shown:
        table.add_row(c.state_string(int(c.feasible[s])),
                      *[_pct(float(result.equilibrium[k][s])) for k in result.concepts])
    print_wide(console, table)
    sq = result.status_quo()
    if sq is not None:
        console.print(Text(f"Status quo {sq['state']}", style="bold"))
        for k, p in sq["equilibrium_probability"].items():
            console.print(f"  is a {concept_label(k)} equilibrium with probability {_pct(p)}")
        for state, p in list(sq["reaches"].items())[: limit or None]:
            console.print(f"  evolution can reach Nash equilibrium {state}: {_pct(p)}")
    sens = result.sensitivity()
    if sens:
        console.print(Text(f"Which assumption matters ({concept_label(result.concepts[0])}, "
                           "leading states)", style="bold"))
        for e in sens[: limit or None]:
            console.print(f"  {e['dm']}: {e['element']} — swing {_pct(e['swing'])}")
            for s in e["settings"]:
                probs = ", ".join(f"{st} {_pct(p)}" for st, p in
                                  s["equilibrium_probability"].items())
                if s["probability"] == 0:  # conditional probabilities undefined
                    probs = ("no profile has this setting" if result.exact
                             else "not drawn in the sample")
                console.print(f"      {s['setting']} ({_pct(s['probability'])}): {probs}")


__all__ = ["cli_words", "register", "render", "robustness_command"]


def register(app: typer.Typer) -> None:
    app.command("robustness", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(robustness_command)
