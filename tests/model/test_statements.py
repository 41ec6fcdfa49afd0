"""The statement language: parsing, precedence, meaning, and syntax errors with a caret."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.model.errors import ModelError
from detente.model.statements import KEYWORDS, Binary, Expr, Lit, Not, parse_statement

NAMES = ("a", "b", "c", "accept", "not_x", "iffy", "android", "orders", "_h2")
BITS = {name: k for k, name in enumerate(NAMES)}


# ----- a reference AST, evaluated directly in Python -----------------------------------
@dataclass(frozen=True)
class Node:
    op: str  # "lit", "not", "and", "or", "if", "iff"
    args: tuple[Node | str, ...]

    def value(self, env: dict[str, bool]) -> bool:
        if self.op == "lit":
            return env[str(self.args[0])]
        kids = [a.value(env) for a in self.args if isinstance(a, Node)]
        if self.op == "not":
            return not kids[0]
        x, y = kids
        if self.op == "and":
            return x and y
        if self.op == "or":
            return x or y
        if self.op == "if":  # x if y: y implies x
            return x or not y
        assert self.op == "iff"
        return x == y


PREC = {"iff": 1, "if": 2, "or": 3, "and": 4, "not": 5, "lit": 6}
SYNONYMS = {"and": ["and", "&"], "or": ["or", "|"], "not": ["not", "-", "!", "~"]}


def nodes() -> st.SearchStrategy[Node]:
    leaf = st.sampled_from(NAMES).map(lambda n: Node("lit", (n,)))

    def extend(inner: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.one_of(
            inner.map(lambda x: Node("not", (x,))),
            st.tuples(st.sampled_from(["and", "or", "if", "iff"]), inner, inner).map(
                lambda t: Node(t[0], (t[1], t[2]))
            ),
        )

    return st.recursive(leaf, extend, max_leaves=8)


@st.composite
def rendered(draw: st.DrawFn, node: Node) -> str:
    """Text for ``node`` with minimal parentheses (plus random extra ones), random synonyms
    and random spacing. Word operators get at least one space on each side."""

    def space() -> str:
        return draw(st.sampled_from(["", " ", "  ", "\t"]))

    def word_space() -> str:
        return draw(st.sampled_from([" ", "  ", " \t "]))

    def paren(text: str, needed: bool) -> str:
        if needed or draw(st.integers(0, 5)) == 0:
            return f"({space()}{text}{space()})"
        return text

    def render(n: Node) -> str:
        if n.op == "lit":
            return str(n.args[0])
        if n.op == "not":
            kid = n.args[0]
            assert isinstance(kid, Node)
            sym = draw(st.sampled_from(SYNONYMS["not"]))
            inner = paren(render(kid), PREC[kid.op] < PREC["not"])
            if sym == "not":
                return f"not{word_space()}{inner}"
            return f"{sym}{space()}{inner}"
        left, right = n.args
        assert isinstance(left, Node) and isinstance(right, Node)
        p = PREC[n.op]
        # and/or/iff fold to the left; 'if' does not chain at all.
        left_needs = PREC[left.op] < p or (n.op == "if" and PREC[left.op] == p)
        right_needs = PREC[right.op] <= p
        op = draw(st.sampled_from(SYNONYMS.get(n.op, [n.op])))
        gap = word_space if op.isalpha() else space
        lhs = paren(render(left), left_needs)
        rhs = paren(render(right), right_needs)
        return f"{lhs}{gap()}{op}{gap()}{rhs}"

    return space() + render(node) + space()


def truth_table(expr: Expr) -> list[bool]:
    codes = np.arange(1 << len(NAMES), dtype=np.int64)
    return [bool(x) for x in expr.evaluate(codes, BITS)]


def reference_table(node: Node) -> list[bool]:
    out = []
    for code in range(1 << len(NAMES)):
        env = {name: bool(code >> k & 1) for k, name in enumerate(NAMES)}
        out.append(node.value(env))
    return out


@st.composite
def node_and_text(draw: st.DrawFn) -> tuple[Node, str]:
    node = draw(nodes())
    return node, draw(rendered(node))


def options_of(node: Node) -> set[str]:
    if node.op == "lit":
        return {str(node.args[0])}
    return set().union(*(options_of(a) for a in node.args if isinstance(a, Node)))


# ----- properties ------------------------------------------------------------------------
@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(node_and_text())
def test_parse_then_evaluate_matches_direct_evaluation(case: tuple[Node, str]) -> None:
    node, text = case
    expr = parse_statement(text, set(NAMES))
    assert truth_table(expr) == reference_table(node), text
    assert expr.options() == options_of(node)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(node_and_text())
def test_printed_form_parses_back_to_the_same_meaning(case: tuple[Node, str]) -> None:
    _, text = case
    expr = parse_statement(text)
    again = parse_statement(str(expr))
    assert truth_table(again) == truth_table(expr)
    assert str(again) == str(expr)


# ----- precedence and meaning --------------------------------------------------------------
def lit(name: str) -> Lit:
    return Lit(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not a and b", Binary(Not(lit("a")), lit("b"), "and")),
        ("a or b and c", Binary(lit("a"), Binary(lit("b"), lit("c"), "and"), "or")),
        ("a and b or c", Binary(Binary(lit("a"), lit("b"), "and"), lit("c"), "or")),
        ("a if b or c", Binary(lit("a"), Binary(lit("b"), lit("c"), "or"), "if")),
        ("a or b if c", Binary(Binary(lit("a"), lit("b"), "or"), lit("c"), "if")),
        ("a iff b if c", Binary(lit("a"), Binary(lit("b"), lit("c"), "if"), "iff")),
        ("a if b iff c", Binary(Binary(lit("a"), lit("b"), "if"), lit("c"), "iff")),
        ("a iff b iff c", Binary(Binary(lit("a"), lit("b"), "iff"), lit("c"), "iff")),
        ("a and b and c", Binary(Binary(lit("a"), lit("b"), "and"), lit("c"), "and")),
        ("not not a", Not(Not(lit("a")))),
        ("-a & !b | ~c", Binary(Binary(Not(lit("a")), Not(lit("b")), "and"), Not(lit("c")), "or")),
        ("not (a or b)", Not(Binary(lit("a"), lit("b"), "or"))),
        ("(a if b) if c", Binary(Binary(lit("a"), lit("b"), "if"), lit("c"), "if")),
        ("  ((a))  ", lit("a")),
    ],
)
def test_precedence_not_and_or_if_iff(text: str, expected: Expr) -> None:
    assert parse_statement(text) == expected


def test_a_if_b_means_b_implies_a() -> None:
    expr = parse_statement("a if b")
    # codes: bit 0 = a, bit 1 = b
    got = expr.evaluate(np.arange(4, dtype=np.int64), {"a": 0, "b": 1}).tolist()
    #        a=N,b=N  a=Y,b=N  a=N,b=Y  a=Y,b=Y
    assert got == [True, True, False, True]


def test_iff_is_equivalence() -> None:
    got = parse_statement("a iff b").evaluate(np.arange(4, dtype=np.int64), {"a": 0, "b": 1})
    assert got.tolist() == [True, False, False, True]


@pytest.mark.parametrize("name", ["android", "iffy", "nothing", "orders", "not_x", "if_", "AND",
                                  "Or", "_", "x1"])
def test_names_that_start_like_keywords_are_options(name: str) -> None:
    assert parse_statement(name) == Lit(name)
    assert parse_statement(f"not {name}") == Not(Lit(name))


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
def test_keywords_are_not_options(keyword: str) -> None:
    with pytest.raises(ModelError, match="malformed statement"):
        parse_statement(keyword)
    with pytest.raises(ModelError, match="malformed statement"):
        parse_statement(f"a and {keyword}")


def test_keyword_where_an_option_belongs_says_so() -> None:
    with pytest.raises(ModelError) as err:
        parse_statement("accept and or b")
    assert "'or' is a keyword, not an option name" in err.value.message


# ----- syntax errors: message and caret ------------------------------------------------------
def caret_column(detail: str | None) -> int:
    """1-based column of the caret in a two-line detail (both lines indented alike)."""
    assert detail is not None
    text_line, caret = detail.split("\n")
    assert caret.strip() == "^"
    indent = len(text_line) - len(text_line.lstrip(" "))
    return len(caret) - indent


@pytest.mark.parametrize(
    ("text", "column", "found", "expected"),
    [
        ("a and or b", 7, "found 'or'", "expected an option name, 'not' or '('"),
        ("a b", 3, "found 'b'", "expected 'and', 'or', 'if', 'iff' or the end of the statement"),
        ("a and", 6, "found the end of the statement", "expected an option name"),
        ("(a and b", 9, "found the end of the statement", "expected ')'"),
        ("a and (b or)", 12, "found ')'", "expected an option name, 'not' or '('"),
        (")", 1, "found ')'", "expected an option name"),
        ("not", 4, "found the end of the statement", "expected an option name"),
        ("a or  ", 5, "found the end of the statement", "expected an option name"),
        ("a if b if c", 8, "found 'if'", "'if' cannot be chained"),
        ("a $ b", 3, "unexpected character '$'", "expected option names"),
        ("1a", 1, "unexpected character '1'", "not starting with a digit"),
        ("a and b)", 8, "found ')'", "no '(' for it to close"),
    ],
)
def test_malformed_statement_points_at_the_bad_token(
    text: str, column: int, found: str, expected: str
) -> None:
    with pytest.raises(ModelError) as err:
        parse_statement(text)
    e = err.value
    assert e.message.startswith(f"malformed statement {text!r}: ")
    assert found in e.message
    assert expected in e.message
    assert f"column {column}" in e.message
    assert caret_column(e.detail) == column
    assert e.detail is not None and e.detail.split("\n")[0].strip() == text.strip()
    assert str(e).endswith("^")  # the caret line is part of the printed error


def test_unexpected_close_paren_at_top_level_does_not_offer_close_paren() -> None:
    with pytest.raises(ModelError) as err:
        parse_statement("a b")
    assert "')'" not in err.value.message


def test_empty_statement() -> None:
    with pytest.raises(ModelError, match="empty preference statement: expected an option name"):
        parse_statement("   ")


def test_unknown_option_with_known_names_has_caret_under_it() -> None:
    with pytest.raises(ModelError) as err:
        parse_statement("accept and not relase", {"accept", "release"})
    e = err.value
    assert "unknown option 'relase'" in e.message
    assert "expected one of: accept, release" in e.message
    assert caret_column(e.detail) == len("accept and not ") + 1


def test_unknown_option_caret_matches_whole_word_only() -> None:
    with pytest.raises(ModelError) as err:
        parse_statement("ab or a", {"ab"})
    assert caret_column(err.value.detail) == 7


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(node_and_text(), st.sampled_from(NAMES))
def test_unknown_option_is_reported_for_any_statement(case: tuple[Node, str], drop: str) -> None:
    node, text = case
    known = set(NAMES) - {drop}
    if drop in options_of(node):
        with pytest.raises(ModelError, match=re.escape(f"unknown option {drop!r}")):
            parse_statement(text, known)
    else:
        parse_statement(text, known)


def test_expression_objects_are_hashable_values() -> None:
    a = parse_statement("x and (y or not z)")
    b = parse_statement("x & (y | -z)")
    assert a == b and hash(a) == hash(b)
    assert {a, b} == {a}


def test_all_synonyms_of_each_operator_agree() -> None:
    tables = {}
    for sym_not, sym_and, sym_or in itertools.product(
        SYNONYMS["not"], SYNONYMS["and"], SYNONYMS["or"]
    ):
        text = f"{sym_not} a {sym_and} b {sym_or} c"
        tables[text] = truth_table(parse_statement(text))
    assert len({tuple(t) for t in tables.values()}) == 1


def test_statement_over_several_lines_gets_one_line_caret() -> None:
    assert parse_statement("a and\n  (b or c)") == parse_statement("a and (b or c)")
    with pytest.raises(ModelError) as err:
        parse_statement("a and\n  (b or)")
    assert "column 14" in err.value.message
    assert caret_column(err.value.detail) == 14
