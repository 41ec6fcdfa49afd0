"""Rich tables shared by several commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text

from detente.model.conflict import Conflict
from detente.model.states import Column
from detente.surfaces.cli.output import display_ranks

DIRECTION_MARK = {"both": "", "fwd": " →", "back": " ←"}
#: One colour per decision maker (cycled).
GROUP_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")


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
    columns: list[tuple[Column, str]] = []  # (option, style) in display order
    for i, dm in enumerate(c.dms):
        style = GROUP_STYLES[i % len(GROUP_STYLES)]
        own = [col for col in c.space.columns if c.options[col.bits[0]].dm == dm.name]
        for j, col in enumerate(own):  # an option with levels: one column of level names
            header = Text(dm.name if j == 0 else "", style=f"bold {style}") + Text("\n") + Text(
                col.name + DIRECTION_MARK[c.options[col.bits[0]].direction], style=style
            )
            table.add_column(header, justify="center", no_wrap=True)
            columns.append((col, style))
    for i, dm in enumerate(c.dms):
        style = GROUP_STYLES[i % len(GROUP_STYLES)]
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
        for col, style in columns:
            value = col.value(code)  # Y/N, or the level
            cells.append(Text(value, style="dim" if col.is_lowest(value) else f"bold {style}"))
        cells.extend(str(int(r)) for r in ranks[:, k])
        cells.extend(column[row] for column in (extra or {}).values())
        is_sq = sq is not None and code == sq
        if sq is not None:
            cells.append(Text("◀ status quo", style="bold") if is_sq else "")
        table.add_row(*cells, style="bold" if is_sq else None)
    return table


__all__ = ["DIRECTION_MARK", "GROUP_STYLES", "state_table"]
