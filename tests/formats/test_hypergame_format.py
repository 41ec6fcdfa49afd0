"""Perceptions and blind spots in model files: located errors, native and GMCR+ round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import detente
from detente.engine import Engine
from detente.formats.gmcr import dumps_gmcr, load_gmcr, loads_gmcr
from detente.formats.native import loads
from detente.formats.native.writer import dumps
from detente.model.errors import ModelError

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = """name: t
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {statements: [a]}
  - name: B
    options: [{name: b}, {name: c}]
    preferences: {statements: [b, not c]}
"""


@pytest.mark.parametrize(
    ("tail", "field", "words"),
    [
        (
            "perceptions: [{perceiver: A, about: A, preferences: {statements: [a]}}]",
            "perceptions[0].about",
            "'A' perceives itself",
        ),
        (
            "perceptions: [{perceiver: Z, unaware_of: [b]}]",
            "perceptions[0].perceiver",
            "unknown decision maker 'Z'; expected one of: A, B",
        ),
        (
            "perceptions: [{perceiver: A, about: Q, preferences: {statements: [b]}}]",
            "perceptions[0].about",
            "unknown decision maker 'Q'",
        ),
        (
            "perceptions: [{perceiver: A, unaware_of: [a]}]",
            "perceptions[0].unaware_of[0]",
            "'a' is an option of 'A' itself",
        ),
        (
            "perceptions: [{perceiver: A, unaware_of: [b, zz]}]",
            "perceptions[0].unaware_of[1]",
            "unknown option 'zz'",
        ),
        (
            "perceptions: [{perceiver: A, about: B, preferences: {statements: [b]}},\n"
            "              {perceiver: A, about: B, preferences: {statements: [c]}}]",
            "perceptions[1].about",
            "already given at perceptions[0]",
        ),
        (
            "perceptions: [{perceiver: A, about: B, preferences: {ranking: [NNN, YNN]}}]",
            "perceptions[0].preferences.ranking",
            "must cover every feasible state",
        ),
        (
            "perceptions: [{perceiver: A, about: B, preferences: {statements: [nope]}}]",
            "perceptions[0].preferences.statements[0]",
            "nope",
        ),
        ("perceptions: [{perceiver: A, about: B}]", "perceptions[0]", "preferences go with about"),
        (
            "perceptions: [{perceiver: A, unaware_of: [b], about: B,"
            " preferences: {statements: [b]}}]",
            "perceptions[0]",
            "exactly one of about",
        ),
    ],
)
def test_bad_perceptions_are_located(tail: str, field: str, words: str) -> None:
    with pytest.raises(ModelError) as info:
        loads(HEAD + tail + "\n", source="m.yaml")
    text = str(info.value)
    assert text.startswith("m.yaml:"), text
    assert field in text and words in text, text


@pytest.mark.parametrize(
    ("spots", "field", "words"),
    [
        ("[YN]", "decision_makers[1].blind_spots[0]", "one of Y, N or - for each of the 3"),
        ("[YNQ]", "decision_makers[1].blind_spots[0]", "Y, N or -"),
        ("['---']", "decision_makers[1].blind_spots[0]", "matches every state"),
    ],
)
def test_bad_blind_spots_are_located(spots: str, field: str, words: str) -> None:
    text = HEAD.replace(
        "    preferences: {statements: [b, not c]}\n",
        f"    preferences: {{statements: [b, not c]}}\n    blind_spots: {spots}\n",
    )
    with pytest.raises(ModelError) as info:
        loads(text, source="m.yaml")
    assert field in str(info.value) and words in str(info.value), str(info.value)


def test_native_round_trip_keeps_perceptions_and_blind_spots() -> None:
    text = HEAD.replace(
        "    preferences: {statements: [b, not c]}\n",
        "    preferences: {statements: [b, not c]}\n    blind_spots: [Y-N]\n",
    )
    text += (
        "perceptions:\n"
        "  - {perceiver: A, about: B, preferences: {ranking: [YYY, NYY, '-N-', '-YN']},"
        " rationale: why}\n"
        "  - {perceiver: A, unaware_of: [c]}\n"
    )
    first = loads(text)
    second = loads(dumps(first))
    assert second.perceptions == first.perceptions
    assert [d.blind_spots for d in second.dms] == [(), ("Y-N",)]
    assert detente.hypergame(second).to_dict() == detente.hypergame(first).to_dict()


def test_gmcr_misperceptions_import_as_blind_spots_and_export_back() -> None:
    c = load_gmcr(DATA / "gmcr" / "blind_spots.gmcr")
    assert c.dms[0].blind_spots == ()
    # B: [a=Y, b=N]; compound: [c=Y, a=N] or [b=Y, c=Y] -> three patterns, option order a b c
    assert c.dms[1].blind_spots == ("YN-", "N-Y", "-YY")
    again = loads_gmcr(dumps_gmcr(c))
    assert again.dms[1].blind_spots == c.dms[1].blind_spots
    assert Engine(again).stable("gmr").tolist() == Engine(c).stable("gmr").tolist()
    native = loads(dumps(c))
    assert native.dms[1].blind_spots == c.dms[1].blind_spots


def _brute_moves(c: detente.Conflict, j: int) -> set[tuple[int, int]]:
    """DM j's one-move pairs (from, to) by the definition: j's own options change, the target
    is feasible, irreversibility is kept, neither end is in j's blind spots."""
    mask = int(c.dm_masks[j])
    spots = [c.space.pattern_bits(p) for p in c.dms[j].blind_spots]

    def blind(s: int) -> bool:
        return any(s & care == want for care, want in spots)

    out = set()
    for s in c.feasible.tolist():
        for t in c.feasible.tolist():
            if (
                s != t
                and s & ~mask == t & ~mask
                and c.space.is_legal_move(s, t)
                and not blind(s)
                and not blind(t)
            ):
                out.add((s, t))
    return out


def test_blind_spots_remove_exactly_those_moves() -> None:
    c = load_gmcr(DATA / "gmcr" / "blind_spots.gmcr")
    engine = Engine(c)
    index = engine.move_index()
    for j, lay in enumerate(engine.layouts):
        cells = np.full(lay.n_groups * lay.width, -1)
        cells[lay.flat] = np.arange(c.n_states)
        from_layout = set()
        for s in range(c.n_states):
            row = cells[lay.group[s] * lay.width : (lay.group[s] + 1) * lay.width]
            from_layout |= {
                (int(c.feasible[s]), int(c.feasible[t])) for t in row if t >= 0 and t != s
            }
        from_index = {
            (int(c.feasible[s]), int(c.feasible[t]))
            for s in range(c.n_states)
            for t in index.reach(j, s).tolist()
        }
        assert from_layout == from_index == _brute_moves(c, j)
