"""Preference statements: a small logic over option names, parsed with a grammar.

Syntax (most loosely binding first)::

    a iff b        both true or both false
    a if b         whenever b holds, a holds (b implies a; true when b is false)
    a or b         also ``|``
    a and b        also ``&``
    not a          also ``-a``, ``!a``, ``~a``
    x is L         an option with levels (model/levels.py) is at level L (``x is not L``)
    x >= L         at level L or a later one; also ``>``, ``<=``, ``<``
    (a)            grouping

A yes/no option has the levels N, Y: ``accept is Y`` is ``accept``.

>>> expr = parse_statement("hostages_released if accept")
>>> sorted(expr.options())
['accept', 'hostages_released']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from lark import (
    Lark,
    Token,
    Tree,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
)

from detente.model.errors import ModelError
from detente.model.levels import BINARY_LEVELS

KEYWORDS = frozenset({"not", "and", "or", "if", "iff", "is"})
#: What ``is``/``>=`` may test about one option: its name, levels and internal bits.
LevelEntry = tuple[str, tuple[str, ...], tuple[str, ...]]

_GRAMMAR = r"""
?start: iff_expr
?iff_expr: if_expr (_IFF if_expr)*
?if_expr: or_expr (_IF or_expr)?
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> neg
         | atom
?atom: NAME -> lit
     | NAME _IS level -> level_is
     | NAME _IS _NOT level -> level_is_not
     | NAME CMP level -> level_cmp
     | "(" iff_expr ")"
level: NAME | LEVEL_NUMBER
CMP: ">=" | "<=" | ">" | "<"
LEVEL_NUMBER: /[0-9][A-Za-z0-9_]*/
_IS.2: /is\b/
_IFF.2: /iff\b/
_IF.2: /if\b/
_OR.2: /or\b/ | "|"
_AND.2: /and\b/ | "&"
_NOT.2: /not\b/ | "-" | "!" | "~"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
%import common.WS
%ignore WS
"""


@dataclass(frozen=True)
class Expr:
    """Base class of statement expressions."""

    def options(self) -> frozenset[str]:
        raise NotImplementedError

    def evaluate(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        """Truth value at each state code (bit k of a code = option k taken)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Lit(Expr):
    name: str

    def options(self) -> frozenset[str]:
        return frozenset({self.name})

    def evaluate(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        return ((codes >> np.int64(bits[self.name])) & 1).astype(bool)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Not(Expr):
    arg: Expr

    def options(self) -> frozenset[str]:
        return self.arg.options()

    def evaluate(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        return ~self.arg.evaluate(codes, bits)

    def __str__(self) -> str:
        inner = str(self.arg)
        return f"not {inner}" if isinstance(self.arg, Lit | Not) else f"not ({inner})"


@dataclass(frozen=True)
class Binary(Expr):
    left: Expr
    right: Expr
    op: str = ""

    def options(self) -> frozenset[str]:
        return self.left.options() | self.right.options()

    def evaluate(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        a = self.left.evaluate(codes, bits)
        b = self.right.evaluate(codes, bits)
        out: np.ndarray
        if self.op == "and":
            out = a & b
        elif self.op == "or":
            out = a | b
        elif self.op == "if":  # left if right: right implies left
            out = a | ~b
        elif self.op == "iff":
            out = a == b
        else:
            raise ValueError(f"unknown operator {self.op!r}")
        return out

    def __str__(self) -> str:
        def wrap(e: Expr) -> str:
            return str(e) if isinstance(e, Lit | Not) else f"({e})"

        return f"{wrap(self.left)} {self.op} {wrap(self.right)}"


@dataclass(frozen=True)
class LevelTest(Expr):
    """``option op level`` over an option with ordered ``levels``; ``bits`` are the internal
    options holding "at ``levels[j]`` or later" for j >= 1 (model/levels.py). ``op`` is one of
    ``is``, ``is not``, ``>=``, ``>``, ``<=``, ``<``."""

    option: str
    op: str
    level: str
    levels: tuple[str, ...]
    bits: tuple[str, ...]

    def options(self) -> frozenset[str]:
        return frozenset(self.bits)

    def _at_least(self, j: int, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        if j <= 0:
            return np.ones(np.shape(codes), dtype=bool)
        if j >= len(self.levels):
            return np.zeros(np.shape(codes), dtype=bool)
        return ((codes >> np.int64(bits[self.bits[j - 1]])) & 1).astype(bool)

    def evaluate(self, codes: np.ndarray, bits: Mapping[str, int]) -> np.ndarray:
        j = self.levels.index(self.level)
        ge = self._at_least
        out: np.ndarray
        if self.op in ("is", "is not"):
            out = ge(j, codes, bits) & ~ge(j + 1, codes, bits)
            return ~out if self.op == "is not" else out
        out = {">=": lambda: ge(j, codes, bits), ">": lambda: ge(j + 1, codes, bits),
               "<=": lambda: ~ge(j + 1, codes, bits), "<": lambda: ~ge(j, codes, bits)}[self.op]()
        return out

    def as_binary(self) -> Expr:
        """The same test over the internal options only (``Lit``/``Not``/``Binary``)."""
        first = Lit(self.bits[0])

        def ge(k: int) -> Expr:
            if k <= 0:
                return Binary(first, Not(first), "or")  # always true
            if k >= len(self.levels):
                return Binary(first, Not(first), "and")  # never
            return Lit(self.bits[k - 1])

        j = self.levels.index(self.level)
        if self.op in ("is", "is not"):
            expr: Expr = Binary(ge(j), Not(ge(j + 1)), "and")
            return Not(expr) if self.op == "is not" else expr
        return {">=": ge(j), ">": ge(j + 1), "<=": Not(ge(j + 1)), "<": Not(ge(j))}[self.op]

    def __str__(self) -> str:
        return f"{self.option} {self.op} {self.level}"


#: Deepest nesting of a statement (operators inside operators); deeper ones are refused.
MAX_DEPTH = 100
#: Longest statement text, in characters.
MAX_LENGTH = 10_000


def _fold(items: list[Expr], op: str) -> Expr:
    out = items[0]
    for item in items[1:]:
        out = Binary(out, item, op)
    return out


def _build(tree: Tree[Token], levels: Mapping[str, LevelEntry] | None = None
           ) -> tuple[Expr, int]:
    """The expression of a parse tree and its depth, built bottom-up without recursion."""
    built: dict[int, tuple[Expr, int]] = {}

    def child(node: Tree[Token] | Token) -> tuple[Expr, int]:
        if isinstance(node, Token):  # a bare NAME (the whole statement is one option)
            return Lit(str(node)), 1
        return built[id(node)]

    for sub in tree.iter_subtrees():  # children before parents
        if sub.data == "lit":
            built[id(sub)] = (Lit(str(sub.children[0])), 1)
            continue
        if sub.data == "level":
            continue
        if sub.data in ("level_is", "level_is_not", "level_cmp"):
            built[id(sub)] = (_level_test(sub, levels), 1)
            continue
        parts = [child(c) for c in sub.children]
        depth = len(parts) - 1 + max(d for _, d in parts) if sub.data != "neg" else parts[0][1] + 1
        if depth > MAX_DEPTH:
            raise ModelError(
                f"the statement is nested too deeply (more than {MAX_DEPTH} operators inside "
                "one another); expected a shorter statement: split it into several, or drop "
                "repeated 'not'"
            )
        exprs = [e for e, _ in parts]
        if sub.data == "neg":
            expr: Expr = Not(exprs[0])
        elif sub.data == "if_expr":
            expr = Binary(exprs[0], exprs[1], "if")
        else:
            expr = _fold(exprs, str(sub.data).removesuffix("_expr"))
        built[id(sub)] = (expr, depth)
    return built[id(tree)]


#: How the statement parser is built from :data:`_GRAMMAR`.
_PARSER_OPTIONS = {"parser": "lalr", "lexer": "basic", "maybe_placeholders": False}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """The statement parser, loaded from the tables generated for this grammar
    (:mod:`detente.model.statement_tables`, written by scripts/statement_tables.py: no
    grammar analysis at start-up); built from the grammar when the tables are for another
    grammar, options or lark version."""
    from detente.model import statement_tables as tables

    if grammar_fingerprint() == tables.FINGERPRINT:
        # lark's own loader of serialized tables (what its standalone parsers call)
        loaded: Lark = Lark._load_from_dict(tables.DATA, tables.MEMO)  # type: ignore[no-untyped-call]
        return loaded
    return build_parser()


def statement_parser() -> Lark:
    """The model's statement parser (cached; what :func:`parse_statement` uses), for tools
    that rewrite statement text token by token."""
    return _parser()


def build_parser() -> Lark:
    """The statement parser built from :data:`_GRAMMAR` (what the tables hold)."""
    return Lark(_GRAMMAR, **_PARSER_OPTIONS)


def grammar_fingerprint() -> str:
    """SHA-256 of the grammar, the parser options and lark's version: the generated tables
    are used only where theirs is the same."""
    import hashlib

    import lark

    key = repr((_GRAMMAR, sorted(_PARSER_OPTIONS.items()), lark.__version__))
    return hashlib.sha256(key.encode()).hexdigest()


def caret_line(text: str, column: int) -> str:
    """The statement with a caret under 1-based ``column``."""
    return f"    {text}\n    {' ' * max(column - 1, 0)}^"


class _LevelProblem(Exception):
    """A level test that names an unknown option or level (turned into a located error)."""

    def __init__(self, message: str, word: str, expected: str) -> None:
        super().__init__(message)
        self.message, self.word, self.expected = message, word, expected


def _level_test(sub: Tree[Token], levels: Mapping[str, LevelEntry] | None) -> LevelTest:
    name = str(sub.children[0])
    op = {"level_is": "is", "level_is_not": "is not"}.get(str(sub.data))
    if op is None:
        op = str(sub.children[1])
    level_node = sub.children[-1]
    assert isinstance(level_node, Tree)
    level = str(level_node.children[0])
    entry: LevelEntry
    if levels is None:  # no model to check against: a yes/no option (levels N, Y)
        entry = (name, BINARY_LEVELS, (name,))
    elif name not in levels:
        raise _LevelProblem(f"unknown option {name!r}", name,
                            f"an option: {', '.join(sorted(levels))}")
    else:
        entry = levels[name]
    _, order, bits = entry
    if level not in order:
        folded = [lv for lv in order if lv.lower() == level.lower()]
        if len(folded) != 1:
            raise _LevelProblem(f"option {name!r} has no level {level!r}", level,
                                f"one of {', '.join(order)}")
        level = folded[0]
    return LevelTest(name, op, level, order, bits)


def level_table(
    option_names: frozenset[str] | set[str] | tuple[str, ...],
    levelled: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]],
) -> dict[str, LevelEntry]:
    """What ``is``/``>=`` may test: every yes/no option (levels N, Y) and every levelled
    option (name → its levels and internal bits)."""
    out: dict[str, LevelEntry] = {n: (n, BINARY_LEVELS, (n,)) for n in option_names}
    out.update({n: (n, lv, bits) for n, (lv, bits) in levelled.items()})
    return out


def parse_statement(
    text: str, known: frozenset[str] | set[str] | None = None,
    levels: Mapping[str, LevelEntry] | None = None,
) -> Expr:
    """Parse a preference statement; check option names against ``known`` if given.

    ``levels`` (from :func:`level_table`) says which options ``is``/``>=`` may test and
    their levels; a levelled option must be tested that way, never named alone.
    Raises ModelError with a caret under the offending token.

    >>> table = level_table({"a"}, {"x": (("lo", "mid", "hi"), ("x>=mid", "x>=hi"))})
    >>> e = parse_statement("x >= mid and a is Y", {"a"}, table)
    >>> sorted(e.options()), str(e)
    (['a', 'x>=hi', 'x>=mid'], '(x >= mid) and (a is Y)')
    """
    if not isinstance(text, str):
        raise ModelError(f"expected a statement (text), got {type(text).__name__}")
    if not text.strip():
        raise ModelError("empty preference statement: expected an option name")
    if len(text) > MAX_LENGTH:
        raise ModelError(
            f"the statement is {len(text):,} characters long; expected at most {MAX_LENGTH:,}"
        )
    flat = text.replace("\r", " ").replace("\n", " ")  # one line: columns and carets line up
    try:
        tree = _parser().parse(flat)
    except UnexpectedInput as exc:
        message, col = _syntax_error(flat, exc)
        raise ModelError(
            f"malformed statement {text!r}: {message}", detail=caret_line(flat, col)
        ) from None
    try:
        expr = _build(tree, levels)[0]
    except _LevelProblem as exc:
        raise ModelError(f"{exc.message} in statement {text!r}; expected {exc.expected}",
                         detail=caret_line(flat, _find_word(flat, exc.word))) from None
    if levels is not None:
        for sub in tree.iter_subtrees():
            if sub.data == "lit" and str(sub.children[0]) in levels and levels[
                    str(sub.children[0])][2] != (str(sub.children[0]),):
                name = str(sub.children[0])
                order = ", ".join(levels[name][1])
                raise ModelError(
                    f"option {name!r} has levels ({order}); in statement {text!r} test it "
                    f"with 'is' or a comparison, e.g. '{name} is {levels[name][1][-1]}' or "
                    f"'{name} >= {levels[name][1][1]}'",
                    detail=caret_line(flat, _find_word(flat, name)))
    for name in sorted(expr.options()):
        if name in KEYWORDS:  # pragma: no cover - grammar gives keywords priority
            raise ModelError(f"{name!r} is a keyword, not an option")
    if known is not None:
        known = set(known) | {b for _, _, bits in (levels or {}).values() for b in bits}
        for name in sorted(expr.options()):
            if name not in known:
                col = _find_word(flat, name)
                raise ModelError(
                    f"unknown option {name!r} in statement {text!r}; "
                    f"expected one of: {', '.join(sorted(known))}",
                    detail=caret_line(flat, col),
                )
    return expr


_TERMINALS = {
    "NAME": "an option name", "_NOT": "'not'", "LPAR": "'('", "_AND": "'and'", "_OR": "'or'",
    "_IF": "'if'", "_IFF": "'iff'", "RPAR": "')'", "_IS": "'is'",
    "CMP": "a comparison ('>=', '>', '<=', '<')", "LEVEL_NUMBER": "a level",
    "$END": "the end of the statement",
}


def _syntax_error(text: str, exc: UnexpectedInput) -> tuple[str, int]:
    """What was found, what was expected, and the 1-based column to put the caret under."""
    col = getattr(exc, "column", None)
    col = col if isinstance(col, int) and col > 0 else len(text.rstrip()) + 1
    bad_number = isinstance(exc, UnexpectedToken) and exc.token.type == "LEVEL_NUMBER"
    if isinstance(exc, UnexpectedCharacters) or bad_number:  # a digit starts no option name
        char = (exc.char if isinstance(exc, UnexpectedCharacters)
                else str(getattr(exc, "token", "?"))[0])
        return (
            f"unexpected character {char!r} at column {col}; expected option names "
            "(letters, digits and _, not starting with a digit), 'not', 'and', 'or', 'if', "
            "'iff' and parentheses",
            col,
        )
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    expected = set(exc.expected)
    if token.type == "$END":
        col = len(text.rstrip()) + 1
        found = "found the end of the statement"
    else:
        found = f"found {str(token)!r}"
    unopened = text[: col - 1].count("(") <= text[: col - 1].count(")")
    if unopened:
        expected.discard("RPAR")
    if expected & {"_AND", "_OR"}:  # after an option: 'is' and comparisons are noise here
        expected -= {"_IS", "CMP"}
    if "LEVEL_NUMBER" in expected:  # after 'is' or a comparison: a level, not an option
        expected.discard("NAME")
        expected.discard("LEVEL_NUMBER")
        expected.add("LEVEL")
    names = [desc for term, desc in {**_TERMINALS, "LEVEL": "a level name"}.items()
             if term in expected]
    want = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
    message = f"expected {want}; {found} at column {col}"
    if str(token) in KEYWORDS and "NAME" in expected:
        message += f" ({str(token)!r} is a keyword, not an option name)"
    elif token.type == "RPAR" and unopened:
        message += " (there is no '(' for it to close)"
    elif token.type == "_IF" and "_IF" not in expected:
        message += " ('if' cannot be chained: add parentheses, e.g. 'a if (b if c)')"
    return message, col


def _find_word(text: str, word: str) -> int:
    import re

    m = re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text)
    return m.start() + 1 if m else 1
