"""``detente deal FILE``: does the model's phased deal enforce itself, phase by phase?"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from detente.surfaces.cli.output import (
    ANALYSIS_PANEL,
    FormatOption,
    OutputFormat,
    load_conflict,
    print_json,
    print_wide,
    stdout_console,
)

if TYPE_CHECKING:  # imported where used, so the command line starts fast
    from rich.console import Console

    from detente.analyses.deal import DealAnalysis, DesignResult, Foresight
    from detente.analyses.mediation.result import MediationResult

EXAMPLE = ("Example: `detente deal examples/ceasefire_2024.yaml -c seq -c sim`; tranche "
           "design: `detente deal tests/data/collateral_deal.yaml --design --limit 0`")


def deal_command(
    file: Annotated[Path, typer.Argument(help="Model file with a `deal:` section (.yaml).")],
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept", "-c", metavar="CONCEPT",
            help="Solution concept: nash, gmr, smr, seq, sim or seq_sim (repeatable). "
            "Default: all six.",
        ),
    ] = None,
    design: Annotated[
        bool,
        typer.Option("--design", help="Tranche design: rank every order of the deal's "
                     "`tranches:` that their `after:` lists allow."),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", metavar="N", help="With --design: list the N best orders "
                     "(0: all). Default: 10."),
    ] = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Check a phased deal: per phase who is stable and what tempts them, per step who moves
    and who would rather stall, who is exposed after irreversible steps, and which guarantees
    make every phase hold.

    Verdicts are defined in docs/deals.md (the commitment problem: Fearon 1995; third-party
    guarantees: Walter 2002).
    """
    from detente.analyses.deal import DealAnalysis
    from detente.analyses.requests import deal_request

    request = deal_request(concept or None, design=design, limit=limit)
    c = load_conflict(file)
    result = request.run(c)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
    elif isinstance(result, DealAnalysis):
        render(stdout_console(), result)
    else:
        render_design(stdout_console(), result)


# ----- text -----------------------------------------------------------------------------
def _mark(ok: bool) -> Text:
    return Text("✓", style="green") if ok else Text("✗", style="bold red")


def render(console: Console, r: DealAnalysis) -> None:
    """The deal for people: a phase table, the steps, exposures, guarantees."""
    from rich.table import Table

    from detente.engine.registry import concept_label

    console.print(Text(f"{r.model}: deal ", style="bold") + Text(r.deal, style="bold underline"))
    console.print(Text(f"Options, in order: {' '.join(r.options)}", style="dim"))
    table = Table(title="Phases: holds under each concept (✓) — unstable DMs in brackets")
    table.add_column("#")
    table.add_column("phase")
    table.add_column("state")
    for k in r.concepts:
        table.add_column(concept_label(k))
    for p in r.phases:
        cells: list[Text | str] = [str(p.index + 1), p.name, f"{p.state.state} ({p.state.number})"]
        for k in r.concepts:
            bad = [dm for dm, ok in p.stable[k].items() if not ok]
            cell = _mark(p.holds[k])
            if bad:
                cell += Text(f" [{', '.join(bad)}]", style="dim")
            cells.append(cell)
        table.add_row(*cells)
    print_wide(console, table)
    console.print(Text("Steps", style="bold"))
    for s in r.steps:
        console.print(Text(f"  {s.source} → {s.target}:"))
        for m in s.movers:
            how = {True: "improves its position", False: "does not improve its position",
                   None: "cannot be made alone"}[m.improves]
            line = f"    {m.dm} ({', '.join(str(ch) for ch in m.changes)}) {how}"
            if m.prefers_stalling and m.stall is not None:
                held = [concept_label(k) for k, eq in m.stall_equilibrium.items() if eq]
                line += f"; it would rather stall (state {m.stall.number}"
                line += f", an equilibrium under {', '.join(held)})" if held else ")"
            if m.blocked:
                line += "; it cannot make its part: it starts or ends in its blind spots"
            fixed = s.irreversible.get(m.dm)
            if fixed:
                line += f"; irreversible: {', '.join(fixed)}"
            console.print(Text(line, style="red" if m.prefers_stalling or m.blocked else ""))
    if r.foresight is not None:
        render_foresight(console, r.foresight)
    if r.exposures:
        console.print(Text("Exposure after irreversible steps", style="bold"))
        for e in r.exposures:
            hurt = "" if e.hurts else " (not against its interest)"
            console.print(
                f"  {concept_label(e.concept)}: after {e.phase!r}, {e.exposed} is exposed — "
                f"{e.by} gains undeterred by {e.move.change_text} (to state "
                f"{e.move.target.number}){hurt}"
            )
    console.print(Text("Guarantees", style="bold"))
    for k, g in r.guarantees.items():
        head = f"  {concept_label(k)}: " + (
            "holds as written" if g.holds_as_written else f"breaks at {g.breaks_at!r}"
        )
        if g.settings:
            shown = [("none" if not s.on else " + ".join(s.on)) + _completes_text(s.completes)
                     for s in g.settings[:3]]
            head += f"; holds with: {'; '.join(shown)}"
        console.print(head)
        if g.note:
            console.print(Text(f"    {g.note}", style="dim"))
        for pm in g.mediation or ():
            console.print(f"    {pm.phase!r}: {_mediation_text(pm.result, pm.error)}")
    lines = r.commitment_lines()
    if lines:
        console.print(Text("Commitment devices (declared options made one-way)", style="bold"))
        for line in lines:
            console.print(f"  {line}")


def render_design(console: Console, r: DesignResult) -> None:
    """The ranked orders of the tranches: a table."""
    from rich.table import Table

    from detente.engine.registry import concept_label

    console.print(Text(f"{r.result_header().model}: tranche design for ", style="bold")
                  + Text(r.deal, style="bold underline"))
    console.print(
        f"{r.tried:,} order{'s' if r.tried != 1 else ''} allowed by `after`, {r.skipped:,} "
        "skipped (through an infeasible "
        f"state or against irreversibility), {r.ranked:,} ranked; the best {len(r.designs)}:"
    )
    table = Table(title="Completes with foresight, then holds under more concepts, then "
                  "fewest guarantees, then fewest exposures")
    for head in ("#", "order", "completes"):
        table.add_column(head)
    for k in r.concepts:
        table.add_column(concept_label(k))
    table.add_column("exposures", justify="right")
    for n, d in enumerate(r.designs, 1):
        done = _mark(d.completes)
        if not d.completes and d.unravels_at:
            done += Text(f" (unravels at step {d.unravels_at})", style="dim")
        cells: list[Text | str] = [str(n), " → ".join(d.order), done]
        for k in r.concepts:
            cell = _mark(d.holds[k])
            g = d.guarantees[k]
            if not d.holds[k]:
                cell += Text(" no guarantee helps" if g is None else
                             f" with {' + '.join(g) or 'none'}", style="dim")
            cells.append(cell)
        cells.append(str(d.exposures))
        table.add_row(*cells)
    print_wide(console, table)


def _completes_text(completes: bool | None) -> str:
    return {True: " (completes with foresight)", False: " (unravels with foresight)",
            None: ""}[completes]


def render_foresight(console: Console, f: Foresight) -> None:
    """Backward induction in words: who takes its step because of what follows, where the
    deal unravels; the myopic verdict beside it."""
    console.print(Text("Looking ahead (backward induction)", style="bold"))
    for s in f.steps:
        for m in s.movers:
            into = f"its step into {s.target!r}"
            if m.blocked:
                line = f"  {m.dm} cannot take {into}: it starts or ends in its blind spots"
                style = "red"
            elif m.stall is None:
                line, style = f"  {m.dm} takes {into}: it cannot hold back alone", ""
            elif m.proceeds and m.myopic:
                line, style = f"  {m.dm} takes {into}", ""
            elif m.proceeds:
                line = (f"  {m.dm} takes {into} because of what follows: it would rather stall "
                        f"(state {m.stall.number}) than stop at {s.target!r}, but not than "
                        f"where the deal then leads (state {s.ahead.number})")
                style = "green"
            else:
                line = (f"  {m.dm} holds back {into}: it prefers stalling (state "
                        f"{m.stall.number}) to where the deal leads from there (state "
                        f"{s.ahead.number})")
                style = "red"
            console.print(Text(line, style=style))
    if f.completes:
        ahead = "With foresight the deal completes"
    else:
        at = f.steps[f.unravels_at - 1] if f.unravels_at else None
        where = f" at step {at.step} ({at.source} → {at.target})" if at else ""
        ahead = f"With foresight the deal unravels{where} and ends in state {f.outcome[0].number}"
    if f.myopic_completes:
        myopic = "myopically every mover takes its step"
    else:
        at = f.steps[(f.myopic_stalls_at or 1) - 1]
        myopic = f"myopically it stalls at step {at.step} ({at.source} → {at.target})"
    console.print(f"  {ahead}; {myopic}.")


def _mediation_text(result: MediationResult | None, error: str) -> str:
    """``'1 edit: Israel: drop "x" (at 4); or ... (5 solutions)'``."""
    if result is None:
        return f"no answer ({error})"
    if result.min_edits is None:
        return f"no change of at most {result.max_edits} edits makes it an equilibrium"
    shown = ["; ".join(e.text() for e in sol.edits) for sol in result.solutions[:3]]
    more = len(result.solutions) - len(shown)
    plural = "s" if result.min_edits != 1 else ""
    tail = f" (and {more} more)" if more > 0 or result.truncated else ""
    return f"{result.min_edits} edit{plural}: " + "; or ".join(shown) + tail


def register(app: typer.Typer) -> None:
    app.command("deal", rich_help_panel=ANALYSIS_PANEL, epilog=EXAMPLE)(deal_command)


__all__ = ["deal_command", "register", "render", "render_design", "render_foresight"]
