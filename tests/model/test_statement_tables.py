"""The statement parser loads generated LALR tables (model/statement_tables.py, written by
scripts/statement_tables.py) instead of analysing the grammar at start-up (issue 17 item 5):
the tables are for the current grammar, and the loaded parser reads every text exactly as one
built from the grammar does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark, Tree, UnexpectedInput, UnexpectedToken

from detente.model import statement_tables, statements

ROOT = Path(__file__).resolve().parents[2]


def test_the_tables_are_for_the_current_grammar() -> None:
    """Fails after a grammar (or parser option, or lark version) change until
    ``python scripts/statement_tables.py`` is run."""
    assert statements.grammar_fingerprint() == statement_tables.FINGERPRINT
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "statement_tables.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_fingerprint_covers_grammar_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    current = statements.grammar_fingerprint()
    monkeypatch.setattr(statements, "_GRAMMAR", statements._GRAMMAR + "\n")
    changed_grammar = statements.grammar_fingerprint()
    monkeypatch.undo()
    monkeypatch.setattr(
        statements, "_PARSER_OPTIONS", {**statements._PARSER_OPTIONS, "maybe_placeholders": True}
    )
    assert len({current, changed_grammar, statements.grammar_fingerprint()}) == 3


def test_the_parser_is_loaded_and_stale_tables_are_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loading never runs Lark's constructor (the grammar analysis); stale tables make the
    parser build from the grammar instead."""
    built: list[int] = []
    original = Lark.__init__

    def recorded(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Lark, "__init__", recorded)
    statements._parser.cache_clear()
    try:
        assert statements._parser().parse("a and b") is not None and built == []
        statements._parser.cache_clear()
        monkeypatch.setattr(statement_tables, "FINGERPRINT", "stale")
        assert statements._parser().parse("a and b") is not None and built == [1]
    finally:
        statements._parser.cache_clear()


_BUILT = statements.build_parser()
_TOKENS = [
    "a",
    "b",
    "x_1",
    "corridor",
    "mid",
    "2",
    "3b",
    "not",
    "and",
    "or",
    "if",
    "iff",
    "is",
    "is not",
    "|",
    "&",
    "-",
    "!",
    "~",
    ">=",
    "<=",
    ">",
    "<",
    "(",
    ")",
    "ifx",
    "isle",
    "#",
    "=",
    "\n",
]


def _reading(parser: Lark, text: str) -> tuple[Any, ...]:
    """What a parser makes of a text: its tree with every token's type and place, or the
    error's kind, place, token and expected terminals."""
    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        token = exc.token if isinstance(exc, UnexpectedToken) else None
        return (
            type(exc).__name__,
            exc.line,
            exc.column,
            repr(token),
            sorted(getattr(exc, "expected", None) or []),
            sorted(getattr(exc, "allowed", None) or []),
        )
    tokens = [(t.type, str(t), t.line, t.column) for t in tree.scan_values(lambda _: True)]
    return (
        "tree",
        tree,
        [s.data for s in tree.iter_subtrees()] if isinstance(tree, Tree) else [],
        tokens,
    )


@pytest.mark.parametrize(
    "text",
    [
        "a",
        "not a",
        "a and b or not c",
        "a if b",
        "a iff b if c",
        "(a or b) and -c",
        "x is mid",
        "x is not 2",
        "x >= mid and a is Y",
        "x < 3b",
        "a and",
        ") a",
        "a b",
        "x is",
        "not not not a",
        "a | b & !c",
        "",
        "(",
        "a #",
        "x >= >=",
    ],
)
def test_hand_worked_texts_read_the_same(text: str) -> None:
    assert _reading(statements._parser(), text) == _reading(_BUILT, text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=12))
def test_any_token_sequence_reads_the_same(tokens: list[str]) -> None:
    _reads_the_same(tokens)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=12))
def test_any_token_sequence_reads_the_same_fully(tokens: list[str]) -> None:
    _reads_the_same(tokens)


def _reads_the_same(tokens: list[str]) -> None:
    text = " ".join(tokens)
    assert _reading(statements._parser(), text) == _reading(_BUILT, text)
