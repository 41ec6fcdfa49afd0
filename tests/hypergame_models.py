"""Hypergame test models: the flagship with the three perceptions of
tests/data/ceasefire_hypergame.yaml (kept apart from the pre-rework flagship,
tests/data/ceasefire_2024_coarse.yaml), and random perceptions added to a drawn conflict
(hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import strategies as st

import detente
from detente.formats.native import loads
from detente.formats.native.writer import dumps
from detente.model.conflict import Conflict
from detente.model.perceptions import Perception
from detente.model.preferences import PayoffPreference

ROOT = Path(__file__).resolve().parents[1]
PERCEPTIONS = ROOT / "tests" / "data" / "ceasefire_hypergame.yaml"


def flagship_text() -> str:
    """The flagship's model text with the three perceptions appended."""
    flagship = detente.load(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    return dumps(flagship) + PERCEPTIONS.read_text(encoding="utf-8")


def flagship_with_perceptions() -> detente.Conflict:
    """The flagship with the three perceptions (its source file: the flagship's)."""
    model = loads(flagship_text(), source="flagship+perceptions")
    return replace(model, source_file=str(ROOT / "tests" / "data" / "ceasefire_2024_coarse.yaml"))


def with_perceptions(
    c: Conflict, data: st.DataObject, about: bool = True, unaware: bool = True
) -> Conflict:
    """``c`` with drawn perceptions: per DM maybe one ``about`` another DM (random payoffs with
    ties) and maybe one ``unaware_of`` (one or two options of others)."""
    out: list[Perception] = []
    names = c.dm_names
    for dm in c.dms:
        others = [n for n in names if n != dm.name]
        if about and others and data.draw(st.booleans()):
            j = data.draw(st.sampled_from(others))
            pays = tuple((int(code), float(data.draw(st.integers(0, 3)))) for code in c.feasible)
            out.append(Perception(dm.name, about=j, preference=PayoffPreference(pays)))
        theirs = [o.name for o in c.options if o.dm != dm.name]
        if unaware and theirs and data.draw(st.booleans()):
            hide = data.draw(st.lists(st.sampled_from(theirs), min_size=1, max_size=2, unique=True))
            out.append(Perception(dm.name, unaware_of=tuple(hide)))
    return replace(c, perceptions=tuple(out))
