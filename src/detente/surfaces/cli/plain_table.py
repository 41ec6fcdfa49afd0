"""Borderless rich tables as plain text, laid out exactly as rich lays them out, in a few
milliseconds instead of rich's per-cell rendering (about 0.2 s for the 100 × 24 cells of
``detente analyze`` of the flagship).

Only for output without colour (a pipe or a file: rich writes no styles there) and only for
the tables this layout reproduces: no box, title, caption, footer, fixed or minimum widths,
vertical padding or expansion; left, center or right justified columns aligned at the top
whose overflow is not "ignore"; cells of :class:`~rich.text.Text` or markup-free strings whose
characters are printable and each take one or two cells. Anything else gets ``None`` and is
printed by rich.
tests/surfaces/cli/test_plain_table.py compares this layout with rich's on random tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.table import Column, Table

_JUSTIFY = frozenset({"left", "center", "right"})


class PlainLines:
    """Lines of text printed as they are (one unstyled segment per line)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        yield Segment("".join(line + "\n" for line in self.lines))


def _width(line: str) -> int | None:
    """Cells taken by ``line``, or None where rich might count or wrap it differently
    (control or zero-width characters, sequences whose width is not the sum of their
    characters')."""
    if line.isascii():
        return len(line) if line.isprintable() else None
    if not line.isprintable():
        return None
    widths = [cell_len(ch) for ch in line]
    if min(widths) < 1 or sum(widths) != cell_len(line):
        return None
    return sum(widths)


def _cell_lines(cell: object) -> list[tuple[str, int]] | None:
    """The lines of one cell with their widths, or None where rich would render more than
    the plain characters (markup, emoji codes, the text's own justify/overflow/wrap)."""
    if isinstance(cell, str):
        if "[" in cell or ":" in cell:
            return None
        plain = cell
    elif isinstance(cell, Text):
        if cell.justify or cell.overflow or cell.no_wrap is not None or cell.end != "\n":
            return None
        plain = cell.plain
    else:
        return None
    out = []
    for line in plain.split("\n"):
        width = _width(line)
        if width is None:
            return None
        out.append((line, width))
    return out


def _table_ok(table: Table) -> bool:
    top, _, bottom, _ = table.padding
    return (
        table.box is None
        and not table.title
        and not table.caption
        and not table.show_footer
        and table.width is None
        and table.min_width is None
        and not table.expand
        and not table.collapse_padding
        and top == 0
        and bottom == 0
        and bool(table.columns)
    )


def _column_ok(column: Column) -> bool:
    return (
        column.justify in _JUSTIFY
        and column.vertical == "top"
        and column.width is None
        and column.min_width is None
        and column.max_width is None
        and column.overflow != "ignore"  # rich would then skip justifying the cells
    )


def _justify(line: str, width: int, room: int, how: str) -> str:
    """One line in ``room`` cells, as rich's Lines.justify does it."""
    if how == "left":
        return line + " " * (room - width)
    stripped = line.rstrip()
    width -= len(line) - len(stripped)  # only spaces are stripped (printable text)
    if how == "right":
        return " " * (room - width) + stripped
    left = (room - width) // 2
    return " " * left + stripped + " " * (room - width - left)


def plain_lines(table: Table, max_width: int) -> list[str] | None:
    """The table's lines as rich prints them without colour on a console at least as wide
    as the table; None if the table is outside what this layout reproduces or wider than
    ``max_width`` cells (rich would then shrink columns)."""
    if not _table_ok(table):
        return None
    _, pad_right, _, pad_left = table.padding
    last = len(table.columns) - 1
    columns: list[list[list[tuple[str, int]]]] = []
    widths: list[int] = []
    pads: list[tuple[int, int]] = []
    for index, column in enumerate(table.columns):
        if not _column_ok(column):
            return None
        lines: list[list[tuple[str, int]]] = []
        for cell in [*([column.header] if table.show_header else []), *column.cells]:
            cell_lines = _cell_lines(cell)
            if cell_lines is None:
                return None
            lines.append(cell_lines)
        if not lines:
            return None
        left = 0 if index == 0 and not table.pad_edge else pad_left
        right = 0 if index == last and not table.pad_edge else pad_right
        columns.append(lines)
        widths.append(max(w for cell_lines in lines for _, w in cell_lines) + left + right or 1)
        pads.append((left, right))
    if sum(widths) > max_width:
        return None
    out: list[str] = []
    for row in range(len(columns[0])):
        header = table.show_header and row == 0
        rendered: list[list[str]] = []
        for column, width, (left, right), cells in zip(
            table.columns, widths, pads, columns, strict=True
        ):
            room = width - left - right  # none: rich renders the cell as no line at all
            rendered.append(
                [
                    " " * left + _justify(line, w, room, column.justify) + " " * right
                    for line, w in cells[row]
                ]
                if room > 0
                else []
            )
        height = max(1, *(len(text) for text in rendered))
        for text, width in zip(rendered, widths, strict=True):
            blank = [" " * width] * (height - len(text))
            if header:  # headers sit at the bottom of their row, cells at the top
                text[:0] = blank
            else:
                text.extend(blank)
        out.extend("".join(text[k] for text in rendered) for k in range(height))
    return out


__all__ = ["PlainLines", "plain_lines"]
