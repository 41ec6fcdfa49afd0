"""Preference statements: a small logic over option names, parsed with a grammar.

Syntax (most loosely binding first)::

    a iff b        both true or both false
    a if b         whenever b holds, a holds (b implies a; true when b is false)
    a or b         also ``|``
    a and b        also ``&``
    not a          also ``-a``, ``!a``, ``~a``
    (a)            grouping

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

KEYWORDS = frozenset({"not", "and", "or", "if", "iff"})

_GRAMMAR = r"""
?start: iff_expr
?iff_expr: if_expr (_IFF if_expr)*
?if_expr: or_expr (_IF or_expr)?
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> neg
         | atom
?atom: NAME -> lit
     | "(" iff_expr ")"
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


#: Deepest nesting of a statement (operators inside operators); deeper ones are refused.
MAX_DEPTH = 100
#: Longest statement text, in characters.
MAX_LENGTH = 10_000


def _fold(items: list[Expr], op: str) -> Expr:
    out = items[0]
    for item in items[1:]:
        out = Binary(out, item, op)
    return out


def _build(tree: Tree[Token]) -> tuple[Expr, int]:
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


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=False)


def caret_line(text: str, column: int) -> str:
    """The statement with a caret under 1-based ``column``."""
    return f"    {text}\n    {' ' * max(column - 1, 0)}^"


def parse_statement(text: str, known: frozenset[str] | set[str] | None = None) -> Expr:
    """Parse a preference statement; check option names against ``known`` if given.

    Raises ModelError with a caret under the offending token.
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
    expr = _build(tree)[0]
    for name in sorted(expr.options()):
        if name in KEYWORDS:  # pragma: no cover - grammar gives keywords priority
            raise ModelError(f"{name!r} is a keyword, not an option")
    if known is not None:
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
    "_IF": "'if'", "_IFF": "'iff'", "RPAR": "')'", "$END": "the end of the statement",
}


def _syntax_error(text: str, exc: UnexpectedInput) -> tuple[str, int]:
    """What was found, what was expected, and the 1-based column to put the caret under."""
    col = getattr(exc, "column", None)
    col = col if isinstance(col, int) and col > 0 else len(text.rstrip()) + 1
    if isinstance(exc, UnexpectedCharacters):
        return (
            f"unexpected character {exc.char!r} at column {col}; expected option names "
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
    names = [desc for term, desc in _TERMINALS.items() if term in expected]
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
