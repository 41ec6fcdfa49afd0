"""Options with ordered levels (model/levels.py): a hand-worked model, the equivalence with the
same conflict written with explicit binary options, statements, directions, errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.formats.native.builder import loads
from detente.model.conflict import Conflict, DecisionMaker, Option, level_options
from detente.model.errors import ModelError
from detente.model.levels import LevelledOption
from detente.model.preferences import Statement, StatementPreference
from detente.model.statements import level_table, parse_statement
from detente.model.states import StateRefError, level_text, split_level_text

DATA = Path(__file__).resolve().parents[1] / "data"
CORRIDOR = DATA / "corridor_levels.yaml"
CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")

# The same conflict as tests/data/corridor_levels.yaml, written by hand with two binary options
# (c_reduced = "corridor >= reduced", c_withdraw = "corridor >= withdraw") and the condition
# that keeps them ordered.
CORRIDOR_BINARY = """
name: Corridor (binary)
decision_makers:
  - name: Israel
    options: [{name: c_reduced}, {name: c_withdraw}]
    preferences:
      statements: [release, c_reduced and not c_withdraw, c_reduced if release]
  - name: Hamas
    options: [{name: release}]
    preferences:
      statements: [c_withdraw, not release]
infeasible:
  - pattern: {c_withdraw: Y, c_reduced: N}
"""


# ----- the hand-worked model --------------------------------------------------------------------
def test_corridor_states_ranks_and_equilibria_by_hand() -> None:
    """Israel ranks (statements release > corridor is reduced > corridor >= reduced if release,
    lexicographic): stay/N 1, reduced/N 3, withdraw/N 1, stay/Y 4, reduced/Y 7, withdraw/Y 5;
    Hamas (corridor is withdraw > not release): 1, 1, 3, 0, 0, 2. Nash: only reduced/N (every
    other state has an improvement: Israel to 'reduced' while it is not, Hamas from reduced/Y
    to reduced/N). withdraw/Y is also GMR, SMR and SEQ: Israel's move to reduced/Y is
    sanctioned by Hamas dropping release (an improvement for Hamas), Hamas's move to
    withdraw/N by Israel moving to reduced/N (an improvement for Israel)."""
    c = detente.load(CORRIDOR)
    assert [c.state_string(int(x)) for x in c.feasible] == [
        "stay/N",
        "reduced/N",
        "withdraw/N",
        "stay/Y",
        "reduced/Y",
        "withdraw/Y",
    ]
    assert c.ranks.tolist() == [[0, 1, 0, 2, 4, 3], [1, 1, 3, 0, 0, 2]]
    assert c.state_string(c.status_quo or 0) == "stay/N" and c.status_quo == 0
    r = detente.analyze(c, list(CONCEPTS))
    assert r.equilibria_strings("nash") == ["reduced/N"]
    for concept in ("gmr", "smr", "seq"):
        assert r.equilibria_strings(concept) == ["reduced/N", "withdraw/Y"], concept


def test_corridor_equals_its_binary_compilation() -> None:
    levelled = detente.load(CORRIDOR)
    binary = loads(CORRIDOR_BINARY)
    assert levelled.feasible.tolist() == binary.feasible.tolist()
    assert levelled.ranks.tolist() == binary.ranks.tolist()
    a, b = detente.analyze(levelled, list(CONCEPTS)), detente.analyze(binary, list(CONCEPTS))
    for concept in CONCEPTS:
        assert a.equilibrium_codes(concept) == b.equilibrium_codes(concept)


def test_a_level_move_is_one_move_of_the_owner() -> None:
    """From stay/N Israel reaches reduced/N and withdraw/N in one move each (withdraw flips two
    internal bits); Hamas only toggles release."""
    c = detente.load(CORRIDOR)
    sp = c.space
    stay_n = sp.parse("stay/N")
    israel = c.dm_masks[0]
    targets = [
        int(t)
        for t in c.feasible
        if t != stay_n and (t ^ stay_n) & ~israel == 0 and sp.is_legal_move(stay_n, t)
    ]
    assert [sp.text(t) for t in targets] == ["reduced/N", "withdraw/N"]


@pytest.mark.parametrize(
    ("direction", "up", "down"),
    [
        ("fwd", ["withdraw/N"], []),
        ("back", [], ["stay/N"]),
        ("both", ["withdraw/N"], ["stay/N"]),
    ],
)
def test_fwd_levels_only_rise_back_only_fall(
    direction: str, up: list[str], down: list[str]
) -> None:
    text = CORRIDOR.read_text().replace(
        "levels: [stay, reduced, withdraw]",
        f"levels: [stay, reduced, withdraw]\n        direction: {direction}",
    )
    c = loads(text)
    sp = c.space
    here = sp.parse("reduced/N")
    reach = [
        sp.text(int(t))
        for t in c.feasible
        if (int(t) ^ here) & ~int(c.dm_masks[0]) == 0 and sp.is_legal_move(here, int(t))
    ]
    assert sorted(reach) == sorted(up + down)


# ----- text and references ------------------------------------------------------------------------
def test_level_text_round_trips_and_refuses_what_does_not_fit() -> None:
    kinds = [False, True, True, False]
    tokens = [("Y", False), ("stay", True), ("hi", True), ("N", False)]
    text = level_text(tokens)
    assert text == "Y/stay/hi/N"
    assert split_level_text(text, kinds) == ["Y", "stay", "hi", "N"]
    for bad in ("YN/stay/hi", "Y/stay/N", "Y//hi/N", "Y/stay/hi/NN", "Y/stay/hi/"):
        assert split_level_text(bad, kinds) is None, bad


def test_references_take_level_names() -> None:
    c = detente.load(CORRIDOR)
    sp = c.space
    assert sp.parse({"corridor": "withdraw", "release": "Y"}) == sp.parse("withdraw/Y") == 7
    assert [sp.text(int(x)) for x in sp.parse_many("-/Y")] == ["stay/Y", "reduced/Y", "withdraw/Y"]
    assert [sp.text(int(x)) for x in sp.parse_many("reduced/-")] == ["reduced/N", "reduced/Y"]
    assert sp.values(7) == {"corridor": "withdraw", "release": "Y"}
    with pytest.raises(
        StateRefError,
        match="option 'corridor' has no level 'gone'; expected one of stay, reduced, withdraw",
    ):
        sp.parse({"corridor": "gone", "release": "Y"})
    with pytest.raises(
        StateRefError, match="must give Y, N or - for each yes/no option and a level name"
    ):
        sp.parse("YNY")
    with pytest.raises(StateRefError, match="not '-'"):
        sp.parse("-/Y")


# ----- statements ---------------------------------------------------------------------------------
LEVELS = ("lo", "mid", "hi")
TABLE = level_table({"a"}, {"x": (LEVELS, ("x>=mid", "x>=hi"))})
BITS = {"x>=mid": 0, "x>=hi": 1, "a": 2}
# codes of x = lo, mid, hi (a not taken)
AT = {"lo": 0b00, "mid": 0b01, "hi": 0b11}


@pytest.mark.parametrize(
    ("text", "true_at"),
    [
        ("x is lo", {"lo"}),
        ("x is mid", {"mid"}),
        ("x is hi", {"hi"}),
        ("x is not mid", {"lo", "hi"}),
        ("x >= lo", {"lo", "mid", "hi"}),
        ("x >= mid", {"mid", "hi"}),
        ("x > mid", {"hi"}),
        ("x > hi", set()),
        ("x <= mid", {"lo", "mid"}),
        ("x < mid", {"lo"}),
        ("x < lo", set()),
        ("not x is hi", {"lo", "mid"}),
        ("x >= mid and a is N", {"mid", "hi"}),
    ],
)
def test_level_statements_evaluate(text: str, true_at: set[str]) -> None:
    expr = parse_statement(text, {"a"}, TABLE)
    codes = np.array([AT[lv] for lv in LEVELS], dtype=np.int64)
    got = {lv for lv, v in zip(LEVELS, expr.evaluate(codes, BITS).tolist(), strict=True) if v}
    assert got == true_at
    binary = expr.as_binary() if hasattr(expr, "as_binary") else expr
    assert binary.evaluate(codes, BITS).tolist() == expr.evaluate(codes, BITS).tolist()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x", ["option 'x' has levels (lo, mid, hi)", "x is hi", "x >= mid"]),
        ("x is top", ["option 'x' has no level 'top'", "expected one of lo, mid, hi"]),
        ("y >= mid", ["unknown option 'y'"]),
        ("x >=", ["expected a level name"]),
        ("a is maybe", ["option 'a' has no level 'maybe'", "expected one of N, Y"]),
    ],
)
def test_level_statement_errors_say_what_was_expected(text: str, words: list[str]) -> None:
    with pytest.raises(ModelError) as err:
        parse_statement(text, {"a"}, TABLE)
    for w in words:
        assert w in str(err.value), str(err.value)


# ----- located errors in model files ------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "status_quo: {corridor: stay, release: N}",
            "status_quo: {corridor: gone, release: N}",
            "status_quo",
            ["no level 'gone'", "expected one of stay, reduced, withdraw"],
        ),
        (
            "status_quo: {corridor: stay, release: N}",
            "status_quo: stay/N\ninfeasible:\n  - pattern: {corridor: far}",
            "infeasible[0].pattern.corridor",
            ["no level 'far'", "expected one of stay, reduced, withdraw"],
        ),
        (
            "levels: [stay, reduced, withdraw]",
            "levels: [stay, reduced, stay]",
            "decision_makers[0].options[0].levels[2]",
            ["level 'stay' is listed twice"],
        ),
        (
            "levels: [stay, reduced, withdraw]",
            "levels: [stay, re-duced]",
            "decision_makers[0].options[0].levels[1]",
            ["not a valid level name"],
        ),
        (
            "- corridor is reduced",
            "- corridor is halfway",
            "decision_makers[0].preferences.statements[1]",
            ["no level 'halfway'"],
        ),
        (
            "- corridor is reduced",
            "- corridor",
            "decision_makers[0].preferences.statements[1]",
            ["has levels (stay, reduced, withdraw)"],
        ),
        (
            "status_quo: {corridor: stay, release: N}",
            "status_quo: stay/N\ninfeasible:\n  - mutually_exclusive: [corridor, release]",
            "infeasible[0].mutually_exclusive[0]",
            ["option 'corridor' has levels", "pattern such as {corridor: withdraw}"],
        ),
        (
            "status_quo: {corridor: stay, release: N}",
            "status_quo: withdraw/N\ndeal:\n  name: d\n"
            "  phases:\n    - {name: one, set: {corridor: all}}",
            "deal.phases[0].set.corridor",
            ["no level 'all'"],
        ),
    ],
)
def test_located_errors(old: str, new: str, field: str, words: list[str]) -> None:
    text = CORRIDOR.read_text()
    assert old in text
    with pytest.raises(ModelError) as err:
        loads(text.replace(old, new), source="corridor.yaml")
    e = err.value
    assert e.source == "corridor.yaml" and e.field == field and e.line is not None, str(e)
    for w in words:
        assert w in str(e), str(e)


def test_status_quo_patterns_and_phase_sets_take_levels() -> None:
    text = CORRIDOR.read_text().replace(
        "status_quo: {corridor: stay, release: N}",
        "status_quo: stay/N\ninfeasible:\n  - pattern: {corridor: withdraw, release: N}\n"
        "deal:\n  name: d\n  phases:\n    - {name: one, set: {corridor: withdraw, release: Y}}\n"
        "    - {name: two, set: {corridor: reduced}}\n",
    )
    c = loads(text)
    assert [c.state_string(int(x)) for x in c.feasible] == [
        "stay/N",
        "reduced/N",
        "stay/Y",
        "reduced/Y",
        "withdraw/Y",
    ]
    assert c.deal is not None
    assert [c.state_string(p.state) for p in c.deal.phases] == ["withdraw/Y", "reduced/Y"]


def test_python_api_levelled_option() -> None:
    lv = LevelledOption("x", "A", ("lo", "mid", "hi"))
    stmt = Statement(
        "x is mid",
        parse_statement("x is mid", None, level_table(set(), {"x": (lv.levels, lv.bit_names)})),
    )
    c = Conflict(
        "api",
        (*level_options(lv), Option("b", "B")),
        (
            DecisionMaker("A", lv.bit_names, StatementPreference((stmt,))),
            DecisionMaker(
                "B", ("b",), StatementPreference((Statement("b", parse_statement("b")),))
            ),
        ),
        levels=(lv,),
    )
    assert c.n_states == 6 and c.space.text(int(c.feasible[-1])) == "hi/Y"
    with pytest.raises(ModelError, match="needs the internal option 'x>=hi'"):
        Conflict(
            "api",
            (level_options(lv)[0], Option("b", "B")),
            (
                DecisionMaker("A", lv.bit_names[:1], StatementPreference((stmt,))),
                DecisionMaker("B", ("b",), StatementPreference(())),
            ),
            levels=(lv,),
        )


# ----- equivalence property: random level models vs their hand-compiled binary version ----------
@st.composite
def level_models(
    draw: st.DrawFn,
) -> tuple[str, str, list[tuple[str, tuple[str, ...] | None, str, str]]]:
    """A random small model with levelled options, written twice: with ``levels`` and by hand
    with binary options ``<x>_ge<j>`` and the ordering conditions. Returns both texts and the
    options (name, levels or None, owner, direction)."""
    n_dms = draw(st.integers(2, 3))
    opts: list[tuple[str, tuple[str, ...] | None, str, str]] = []
    for d in range(n_dms):
        for k in range(draw(st.integers(1, 2))):
            levelled = draw(st.booleans()) if (d, k) != (0, 0) else True
            n_levels = draw(st.integers(2, 4)) if levelled else 0
            levels = tuple(f"l{j}" for j in range(n_levels)) if levelled else None
            opts.append(
                (f"o{d}{k}", levels, f"D{d}", draw(st.sampled_from(["both", "fwd", "back"])))
            )

    def atom() -> tuple[str, str]:
        name, levels, _, _ = draw(st.sampled_from(opts))
        if levels is None:
            neg = draw(st.booleans())
            return (f"not {name}" if neg else name,) * 2
        op = draw(st.sampled_from(["is", ">=", "<", "is not"]))
        j = draw(st.integers(0, len(levels) - 1))

        def ge(m: int) -> str:
            if m <= 0:
                return f"({name}_ge1 or not {name}_ge1)"
            if m >= len(levels):
                return f"({name}_ge1 and not {name}_ge1)"
            return f"{name}_ge{m}"

        binary = {
            "is": f"({ge(j)} and not {ge(j + 1)})",
            ">=": ge(j),
            "<": f"not {ge(j)}",
            "is not": f"not ({ge(j)} and not {ge(j + 1)})",
        }[op]
        return f"{name} {op} {levels[j]}", binary

    prefs: list[list[tuple[str, str]]] = []
    for _ in range(n_dms):
        sts = []
        for _ in range(draw(st.integers(1, 3))):
            a, b = atom()
            if draw(st.booleans()):
                c, d = atom()
                op = draw(st.sampled_from(["and", "or", "if"]))
                a, b = f"({a}) {op} ({c})", f"({b}) {op} ({d})"
            sts.append((a, b))
        prefs.append(sts)

    def text(binary: bool) -> str:
        out = ["name: random levels", "decision_makers:"]
        infeasible: list[str] = []
        for d in range(n_dms):
            out += [f"  - name: D{d}", "    options:"]
            for name, levels, owner, direction in opts:
                if owner != f"D{d}":
                    continue
                if levels is None or not binary:
                    extra = f", levels: [{', '.join(levels)}]" if levels and not binary else ""
                    out.append(f"      - {{name: {name}, direction: {direction}{extra}}}")
                    continue
                for m in range(1, len(levels)):
                    out.append(f"      - {{name: {name}_ge{m}, direction: {direction}}}")
                    if m > 1:
                        infeasible.append(f"  - pattern: {{{name}_ge{m}: Y, {name}_ge{m - 1}: N}}")
            out.append("    preferences:\n      statements:")
            out += [f"        - {b if binary else a!r}".replace("'", '"') for a, b in prefs[d]]
        if infeasible:
            out += ["infeasible:", *infeasible]
        return "\n".join(out) + "\n"

    return text(False), text(True), opts


def _nash_on_levels(
    c: Conflict, opts: list[tuple[str, tuple[str, ...] | None, str, str]]
) -> list[str]:
    """Nash equilibria straight from the definition on levels: a DM moves by changing any of its
    own options to other values (a level only up for fwd, only down for back)."""
    values = [lv if lv is not None else ("N", "Y") for _, lv, _, _ in opts]
    cols = [col.name for col in c.space.columns]
    order = [cols.index(name) for name, _, _, _ in opts]

    def code(state: tuple[str, ...]) -> int | None:
        ref = {opts[k][0]: state[k] for k in range(len(opts))}
        try:
            return c.space.parse(ref)
        except StateRefError:
            return None

    states = [s for s in itertools.product(*values) if code(s) is not None]
    rank = {
        s: [int(c.ranks[i, c.space.position(code(s) or 0)]) for i in range(len(c.dms))]
        for s in states
    }
    out = []
    for s in states:
        stable = True
        for i, dm in enumerate(c.dm_names):
            own = [k for k, o in enumerate(opts) if o[2] == dm]
            for t in states:
                if t == s or any(t[k] != s[k] for k in range(len(opts)) if k not in own):
                    continue
                ok = True
                for k in own:
                    a, b = values[k].index(s[k]), values[k].index(t[k])
                    if (opts[k][3] == "fwd" and b < a) or (opts[k][3] == "back" and b > a):
                        ok = False
                if ok and rank[t][i] > rank[s][i]:
                    stable = False
        if stable:
            out.append(c.space.text(code(s) or 0))
    assert order  # columns follow the options as written
    return sorted(out)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(level_models())
def test_levels_equal_their_hand_compiled_binary_model(
    model: tuple[str, str, list[tuple[str, tuple[str, ...] | None, str, str]]],
) -> None:
    levelled_text, binary_text, opts = model
    levelled, binary = loads(levelled_text), loads(binary_text)
    assert levelled.feasible.tolist() == binary.feasible.tolist()
    assert levelled.ranks.tolist() == binary.ranks.tolist()
    assert levelled.space.fwd_mask == binary.space.fwd_mask
    assert levelled.space.back_mask == binary.space.back_mask
    a, b = detente.analyze(levelled, list(CONCEPTS)), detente.analyze(binary, list(CONCEPTS))
    for concept in CONCEPTS:
        assert a.equilibrium_codes(concept) == b.equilibrium_codes(concept)
    assert sorted(a.equilibria_strings("nash")) == _nash_on_levels(levelled, opts)
