"""plain_table lays borderless tables out byte for byte as rich prints them without colour,
and declines (None) the tables and cells it does not reproduce."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text

from detente.surfaces.cli.output import print_wide
from detente.surfaces.cli.plain_table import plain_lines

#: Cell texts: ASCII, marks the commands print, wide (CJK, emoji) and, to be declined,
#: zero-width (combining accent, joiner), tab, markup and emoji codes.
CHARS = st.sampled_from(
    [
        "a",
        "B",
        "7",
        " ",
        " ",
        "\n",
        "-",
        "✓",
        "·",
        "◀",
        "中",
        "😀",
        "é",
        "e\u0301",
        "\u200d",
        "\t",
        "[b]",
        ":x:",
        "Y",
        "N",
    ]
)
TEXT = st.lists(CHARS, max_size=6).map("".join)
JUSTIFY = st.sampled_from(["left", "center", "right"])


def rich_text(table: Table) -> str:
    """What rich itself prints for ``table`` on a wide uncoloured console (print_wide's
    console when stdout is a file, widened)."""
    out = io.StringIO()
    console = Console(file=out, highlight=False, width=10_000, soft_wrap=True)
    console.print(table, crop=False)
    return out.getvalue()


def plain_text(table: Table) -> str | None:
    lines = plain_lines(table, 10_000)
    return None if lines is None else "".join(line + "\n" for line in lines)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    n_columns = draw(st.integers(1, 4))
    left, right = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    table = Table(
        box=None,
        show_edge=draw(st.booleans()),
        pad_edge=draw(st.booleans()),
        show_header=draw(st.booleans()),
        padding=(0, right, 0, left),
        header_style="bold",
    )
    for _ in range(n_columns):
        header = draw(TEXT)
        table.add_column(
            Text(header, style="bold") if draw(st.booleans()) else header,
            justify=draw(JUSTIFY),
            no_wrap=draw(st.booleans()),
            overflow=draw(st.sampled_from(["ellipsis", "fold", "crop", "ignore"])),
        )
    for _ in range(draw(st.integers(0 if table.show_header else 1, 4))):
        table.add_row(
            *[
                Text(t, style="green") if draw(st.booleans()) else t
                for t in draw(st.lists(TEXT, min_size=n_columns, max_size=n_columns))
            ],
            style=draw(st.sampled_from([None, "bold"])),
        )
    return table


@pytest.mark.slow
@given(tables())
def test_plain_layout_is_riches_own_where_it_answers(table: Table) -> None:
    text = plain_text(table)
    if text is not None:
        assert text == rich_text(table)


def _shown(table: Table) -> list[str | Text]:
    return [
        c
        for column in table.columns  # type: ignore[misc]
        for c in [*([column.header] if table.show_header else []), *column.cells]
    ]


@pytest.mark.slow
@given(
    tables().filter(
        lambda t: all(isinstance(c, Text) or ("[" not in c and ":" not in c) for c in _shown(t))
    )
)
def test_ascii_and_wide_text_is_always_answered(table: Table) -> None:
    """The plain layout is not vacuous: tables of printable one- and two-cell characters
    (ASCII, ✓, CJK, emoji) are laid out, not declined (unless a column's overflow is
    "ignore")."""
    cells = [c.plain if isinstance(c, Text) else c for c in _shown(table)]
    if any(bad in c for c in cells for bad in ("\u0301", "\u200d", "\t")) or any(
        column.overflow == "ignore" for column in table.columns
    ):
        assert plain_text(table) is None
    else:
        assert plain_text(table) == rich_text(table)


def test_a_hand_worked_table() -> None:
    """Header bottom-aligned, first column without left padding (pad_edge off), last column
    without right padding; right, center and left justification; trailing spaces kept."""
    table = Table(box=None, pad_edge=False, padding=(0, 1))
    table.add_column("#", justify="right")
    table.add_column(Text("A\nopt"), justify="center")
    table.add_column("note")
    table.add_row("1", "Y", "x")
    table.add_row("10", "N", "")
    expected = "".join(
        line + "\n" for line in ["     A       ", " #  opt  note", " 1   Y   x   ", "10   N       "]
    )
    assert plain_text(table) == expected == rich_text(table)


def test_a_column_with_no_room_is_blank() -> None:
    """A column only as wide as its padding renders no line of its cells (even a cell of
    two lines); the row keeps the height of its other cells."""
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    table.add_column()
    table.add_column()
    table.add_row("", "\n")
    table.add_row("ab", "")
    assert plain_text(table) == "    \nab  \n" == rich_text(table)


@pytest.mark.parametrize(
    "change",
    [
        "title",
        "box",
        "expand",
        "width",
        "footer",
        "vertical",
        "overflow",
        "justify",
        "renderable",
        "markup",
        "too wide",
    ],
)
def test_tables_outside_the_layout_are_declined(change: str) -> None:
    from rich import box
    from rich.padding import Padding

    table = Table(box=None)
    table.add_column("a")
    table.add_row("x")
    if change == "title":
        table.title = "T"
    elif change == "box":
        table.box = box.SIMPLE
    elif change == "expand":
        table.expand = True
    elif change == "width":
        table.columns[0].width = 5
    elif change == "footer":
        table.show_footer = True
    elif change == "vertical":
        table.columns[0].vertical = "middle"
    elif change == "overflow":
        table.columns[0].overflow = "ignore"
    elif change == "justify":
        table.add_row(Text("y", justify="right"))
    elif change == "renderable":
        table.add_row(Padding("y", 1))
    elif change == "markup":
        table.add_row("[bold]y[/bold]")
    assert plain_lines(table, 1 if change == "too wide" else 10_000) is None


def _printed(console_file: io.StringIO, table: Table, **console_args: object) -> str:
    console = Console(file=console_file, highlight=False, **console_args)  # type: ignore[arg-type]
    console.soft_wrap = not console.is_terminal
    print_wide(console, table)
    return console_file.getvalue()


def test_print_wide_uses_the_plain_layout_only_without_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = Table(box=None, pad_edge=False, padding=(0, 1))
    table.add_column(Text("DM\nopt", style="bold cyan"), justify="center")
    table.add_column("rank", justify="right")
    for k in range(40):
        table.add_row(Text("Y" if k % 3 else "N", style="bold cyan"), str(k))
    plain = _printed(io.StringIO(), table)
    colour = _printed(
        io.StringIO(), table, force_terminal=True, color_system="truecolor", width=120
    )
    import detente.surfaces.cli.plain_table as module

    monkeypatch.setattr(module, "plain_lines", lambda *_: None)
    assert _printed(io.StringIO(), table) == plain  # rich's own, widened
    assert (
        _printed(io.StringIO(), table, force_terminal=True, color_system="truecolor", width=120)
        == colour
    )
    assert "\x1b[" in colour and "\x1b[" not in plain


@pytest.mark.slow
def test_analyze_of_the_flagship_prints_riches_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """``detente analyze`` of the flagship (100 states × 24 columns, ✓ marks) prints the
    same bytes through the plain layout as through rich."""
    from pathlib import Path

    import detente.surfaces.cli.plain_table as module
    from detente.analyses.requests import AnalyzeRequest
    from detente.surfaces.cli.commands import analyze
    from detente.surfaces.cli.output import load_conflict

    flagship = Path(__file__).resolve().parents[3] / "tests" / "data" / "ceasefire_2024_coarse.yaml"
    c = load_conflict(flagship)
    result = AnalyzeRequest(None, None).run(c)

    def printed() -> str:
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        analyze.render(c, result, analyze.Which.equilibria, None, 100)
        return out.getvalue()

    laid_out: list[int] = []
    real = module.plain_lines

    def spy(table: Table, max_width: int) -> list[str] | None:
        lines = real(table, max_width)
        laid_out.append(-1 if lines is None else len(lines))
        return lines

    monkeypatch.setattr(module, "plain_lines", spy)
    fast = printed()
    assert laid_out == [102]  # two header lines and 100 states: the plain layout answered
    monkeypatch.setattr(module, "plain_lines", lambda *_: None)
    assert printed() == fast
    assert fast.count("✓") > 100
