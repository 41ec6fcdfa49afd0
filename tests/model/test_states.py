"""The state vocabulary and StateSpace (model/states.py): text, references, patterns, moves."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.model.conflict import Conflict
from detente.model.errors import DetenteError, ModelError
from detente.model.states import (
    Direction,
    StateRefError,
    StateSpace,
    code_text,
    legal_mask,
    letter,
    texts,
)
from strategies import spaces

SRC = Path(__file__).resolve().parents[2] / "src" / "detente"
DIRECTIONS: tuple[Direction, ...] = ("both", "fwd", "back")


def space(n: int, feasible: list[int] | None = None,
          directions: tuple[Direction, ...] | None = None) -> StateSpace:
    names = tuple(f"o{k}" for k in range(n))
    dirs = directions if directions is not None else ("both",) * n
    codes = np.array(sorted(feasible if feasible is not None else range(1 << n)), dtype=np.int64)
    return StateSpace(names, dirs, codes)


# ----- hand examples ----------------------------------------------------------------------------
def test_hand_examples() -> None:
    s = space(3, [0, 1, 2, 3, 6], ("both", "fwd", "back"))
    assert s.text(6) == "NYY" and s.text(0) == "NNN" and letter(1) == "Y" and letter(0) == "N"
    assert s.texts(np.array([0, 1, 6])).tolist() == ["NNN", "YNN", "NYY"]
    assert s.parse("nyy") == 6 and s.parse(" NYY ") == 6
    assert s.parse(2) == 1 and s.parse("2") == 1 and s.parse("+2") == 1
    assert s.parse({"o0": "Y", "o1": "no", "o2": False}) == 1
    assert s.matching("-Y-").tolist() == [2, 3, 6]
    assert s.parse_many("Y--").tolist() == [1, 3] and s.parse_many("3").tolist() == [2]
    assert (s.position(6), s.number(6), s.code_at(4), s.code_of_number(5)) == (4, 5, 6, 6)
    assert (s.fwd_mask, s.back_mask) == (0b010, 0b100)
    assert s.is_legal_move(0, 2) and not s.is_legal_move(2, 0)  # fwd o1 never Y→N
    assert s.is_legal_move(4, 0) and not s.is_legal_move(0, 4)  # back o2 never N→Y
    assert not s.is_legal_move(3, 3)
    assert s.step_problem(2, 0) == "undoes o1, which may only go N→Y (direction fwd)"
    assert s.step_problem(0, 6) == "takes o2 again, which may only go Y→N (direction back)"


@pytest.mark.parametrize(("ref", "reason", "message"), [
    (7, "number", "state number 7 is out of range 1..5"),
    ("-2", "number", "state number -2 is out of range 1..5"),
    ("YN", "length", "state pattern 'YN' must have one of Y, N or - for each of the 3 options "
                     "(o0, o1, o2)"),
    ("YXN", "letters", "must have one of Y, N or -"),
    ("Y-N", "dash", "state 'Y-N' must give Y or N for every option, not '-'"),
    ("YYY", "infeasible", "state YYY is not feasible"),
    ({"o0": "Y"}, "missing", "state is missing options: o1, o2"),
    ({"zz": "Y"}, "option", "unknown option 'zz'; expected one of: o0, o1, o2"),
    ({"o0": "maybe", "o1": "N", "o2": "N"}, "value", "option 'o0' must be Y or N, got 'maybe'"),
    (True, "type", "expected a state, got True"),
    (1.5, "type", "expected a state (Y/N string, number or mapping), got 1.5"),
    ("①", "letters", "must have one of Y, N or -"),  # not a number: isdigit() would say so
])
def test_parse_errors_say_why(ref: object, reason: str, message: str) -> None:
    s = space(3, [0, 1, 2, 3, 6])
    with pytest.raises(StateRefError, match=re.escape(message)) as info:
        s.parse(ref)  # type: ignore[arg-type]
    assert info.value.reason == reason and isinstance(info.value, ModelError)


def test_pattern_matching_nothing_is_refused() -> None:
    with pytest.raises(StateRefError, match="pattern 'YY-' matches no feasible state"):
        space(3, [0, 1, 2]).parse_many("YY-")


def test_conflict_delegates_to_one_shared_space() -> None:
    c = detente.load("examples/prisoners_dilemma.yaml")
    assert c.space is c.space
    assert c.state_string(1) == c.space.text(1) and c.parse_state("YN") == c.space.parse("YN")
    assert (c.fwd_mask, c.back_mask) == (c.space.fwd_mask, c.space.back_mask)
    other = c.with_preferences({})
    assert isinstance(other, Conflict) and other.space is c.space


# ----- round trips (hypothesis) -----------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(s=spaces(), data=st.data())
def test_code_text_code_and_number_code_number(s: StateSpace, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, s.n_states - 1))
    code = s.code_at(pos)
    text = s.text(code)
    assert len(text) == s.n_options and s.parse(text) == code
    assert s.texts(np.array([code]))[0] == text == code_text(code, s.n_options)
    assert s.parse(s.values(code)) == code
    number = s.number(code)
    assert number == pos + 1 and s.code_of_number(number) == code
    assert s.number(s.parse(number)) == number and s.parse(str(number)) == code


@settings(max_examples=60, deadline=None)
@given(s=spaces(), data=st.data())
def test_pattern_matches_brute_force(s: StateSpace, data: st.DataObject) -> None:
    pattern = "".join(data.draw(st.lists(st.sampled_from("YN-"), min_size=s.n_options,
                                         max_size=s.n_options)))
    brute = [int(x) for x in s.feasible
             if all(p == "-" or p == t for p, t in zip(pattern, s.text(int(x)), strict=True))]
    assert s.matching(pattern).tolist() == brute
    assert s.matching(pattern.lower()).tolist() == brute


def brute_legal(x: int, y: int, directions: tuple[Direction, ...]) -> bool:
    """The rule as written for people: a move changes something; a fwd option is never
    undone, a back option never taken."""
    if x == y:
        return False
    for k, d in enumerate(directions):
        before, after = x >> k & 1, y >> k & 1
        if (d == "fwd" and before and not after) or (d == "back" and not before and after):
            return False
    return True


@settings(max_examples=60, deadline=None)
@given(s=spaces())
def test_irreversibility_matches_brute_force(s: StateSpace) -> None:
    codes = np.arange(1 << s.n_options, dtype=np.int64)
    grid = s.legal_mask(codes[:, None], codes[None, :])
    for x, y in itertools.product(range(1 << s.n_options), repeat=2):
        expected = brute_legal(x, y, s.directions)
        assert s.is_legal_move(x, y) == expected == bool(grid[x, y])
        assert (s.step_problem(x, y) is None) == (expected or x == y)


def test_compiled_legal_move_mirrors_the_rule() -> None:
    """engine.compiled.legal_move is the numba copy of legal_mask (numba needs a jit function)."""
    from detente.engine.compiled import legal_move

    n = 3
    for dirs in itertools.product(DIRECTIONS, repeat=n):
        s = space(n, directions=dirs)
        for x, y in itertools.product(range(1 << n), repeat=2):
            assert bool(legal_move(x, y, s.fwd_mask, s.back_mask)) == s.is_legal_move(x, y), (
                dirs, x, y)


def test_texts_of_no_codes_and_no_options() -> None:
    assert texts(np.zeros(0, dtype=np.int64), 3).tolist() == []
    assert bool(legal_mask(1, 1, 0, 0)) is False


# ----- one place --------------------------------------------------------------------------------
_INLINE = [
    re.compile(r"""["']Y["']\s+if\b.*\belse\s+["']N["']"""),  # "Y" if bit else "N"
    re.compile(r"""["']N["']\s+if\b.*\belse\s+["']Y["']"""),
    re.compile(r"""["']YN["']\s*\["""),  # "YN"[bit]
    re.compile(r"""["']NY["']\s*\["""),
]


def test_no_inline_yes_no_text_outside_states() -> None:
    """Y/N text is built in model/states.py only (`letter`, `code_text`, `StateSpace.text`):
    a new inline copy fails here."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "states.py" and path.parent.name == "model":
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in _INLINE):
                found.append(f"{path.relative_to(SRC)}:{no}: {line.strip()}")
    assert not found, "build Y/N text with detente.model.states:\n" + "\n".join(found)


def test_the_idiom_check_sees_the_old_forms() -> None:
    old = ['"".join("Y" if code >> b & 1 else "N" for b in range(n))',
           '[[index[n], "Y" if v else "N"]', 'key=lambda v: "YN"[not v]']
    assert all(any(p.search(line) for p in _INLINE) for line in old)


#: Y/N as values compared, offered or looked up: above the model (engine, analyses, surfaces)
#: they come from detente.model.states (YES, NO, Column.values, Column.is_lowest); the file
#: formats (formats/) read and write their own spelling of them.
_VALUES = [
    re.compile(r"""[=!]=\s*["'][YN]["']"""),  # value == "Y"
    re.compile(r"""["'][YN]["']\s*[=!]="""),
    re.compile(r"""\bin\s*[(\[]\s*["'][YN]["']\s*,\s*["'][YN]["']\s*[)\]]"""),  # in ("Y", "N")
    re.compile(r"""\bor\s*[(\[]?\s*["'](?:YN|NY|N|Y)["']"""),  # levels or ("N", "Y")
    re.compile(r"""\.get\(\s*["'][YN]["']"""),  # labels.get("Y", ...)
]


def test_no_yes_no_values_above_the_model() -> None:
    """The values an option takes, its lowest one and the Y/N letters are the state space's
    (``Column.values``, ``Column.is_lowest``, ``YES``/``NO``); a local copy fails here."""
    found = []
    for layer in ("engine", "analyses", "surfaces"):
        for path in sorted((SRC / layer).rglob("*.py")):
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if any(p.search(line) for p in _VALUES):
                    found.append(f"{path.relative_to(SRC)}:{no}: {line.strip()}")
    assert not found, "use detente.model.states (YES, NO, Column):\n" + "\n".join(found)


def test_the_values_check_sees_the_old_forms() -> None:
    old = ['allowed = col.levels or ("N", "Y")', "len(col.levels or 'YN')",
           'low = value == "N" if col.levels is None else value == col.levels[0]',
           'if self.after not in ("Y", "N"):', 'labels.get(o, {}).get("Y", o)',
           'opt["levels"] or ["N", "Y"]']
    assert all(any(p.search(line) for p in _VALUES) for line in old)
    assert not any(p.search('metavar="N", help="N"') for p in _VALUES)


def test_columns_say_their_values() -> None:
    c = detente.load("tests/data/corridor_levels.yaml")
    for col in c.space.columns:
        assert col.values == (col.levels or ("N", "Y"))
        assert [col.is_lowest(v) for v in col.values] == [True] + [False] * (len(col.values) - 1)
        assert {col.value(int(x)) for x in c.feasible} <= set(col.values)
    assert c.space.candidate_states == int(np.prod([len(col.values) for col in c.space.columns]))
    assert detente.load("examples/prisoners_dilemma.yaml").space.candidate_states == 4


def test_surfaces_do_not_parse_numbers_themselves() -> None:
    """A superscript digit is not a state number (str.isdigit() says it is; int() then
    raised ValueError in the web service): the state space refuses it with a clear error."""
    from detente.surfaces.web import service

    c = detente.load("examples/prisoners_dilemma.yaml")
    for call in (lambda: service.explain(c, "²"), lambda: service.evolve(c, "²"),
                 lambda: service.mediate(c, "²")):
        with pytest.raises(DetenteError, match=r"letters other than Y and N|Y, N or -"):
            call()
