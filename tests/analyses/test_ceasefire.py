"""The flagship example, examples/ceasefire_2024.yaml (the August 2024 Gaza cease-fire talks,
reworked in issue 23): its structure as docs/case-study-ceasefire.md describes it.

The page's numbers are checked in tests/analyses/test_case_study.py; the pre-rework model is
kept as tests/data/ceasefire_2024_coarse.yaml for the feature tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import detente
from detente.model.conflict import Conflict
from detente.model.preferences import StatementPreference

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "ceasefire_2024.yaml"
OPTIONS = (
    "isr_accept", "philadelphi", "netzarim", "offensive", "release_prisoners",
    "ham_accept", "hostages_phase1", "hostages_phase2",
    "us_press_israel", "us_guarantee",
    "qe_press_hamas",
    "iran_strike",
)
STATUS_QUO = "N/stay/hold/YNNNNNNNN"


@pytest.fixture(scope="module")
def model() -> Conflict:
    return detente.load(MODEL)


def _statements(model: Conflict) -> list[tuple[str, str, str]]:
    out = []
    for d in model.dms:
        assert isinstance(d.preference, StatementPreference), d.name
        out += [(d.name, s.text, s.rationale) for s in d.preference.statements]
    return out


def test_parties_options_levels_and_directions(model: Conflict) -> None:
    assert model.dm_names == ("Israel", "Hamas", "United_States", "Qatar_Egypt", "Iran")
    header = detente.analyze(model, ["nash"]).to_dict()
    assert tuple(header["options"]) == OPTIONS
    levels = {lv.name: lv.levels for lv in model.levels}
    assert levels == {"philadelphi": ("stay", "reduced", "withdraw"), "netzarim": ("hold", "open")}
    fwd = {o.name for o in model.options if o.direction == "fwd"}
    assert fwd == {"release_prisoners", "hostages_phase1", "hostages_phase2", "iran_strike"}
    assert model.n_states == 2880


def test_status_quo_is_mid_august_2024(model: Conflict) -> None:
    assert model.status_quo is not None
    assert model.state_string(model.status_quo) == STATUS_QUO
    assert model.state_number(model.status_quo) == 13
    assert "NOTUS, 2024" in model.status_quo_rationale


def test_the_guarantee_exists_only_with_a_cease_fire(model: Conflict) -> None:
    """Every feasible state with the US guarantee has no offensive; and the other two
    conditions: acceptance excludes the offensive, phase two's hostages come after phase one's."""
    b = model.bits
    g, off, acc = 1 << b["us_guarantee"], 1 << b["offensive"], 1 << b["isr_accept"]
    h1, h2 = 1 << b["hostages_phase1"], 1 << b["hostages_phase2"]
    codes = [int(s) for s in model.feasible]
    assert codes and not any(c & g and c & off for c in codes)
    assert not any(c & acc and c & off for c in codes)
    assert not any(c & h2 and not c & h1 for c in codes)
    assert any(c & g for c in codes)
    assert not model.is_feasible(int(model.status_quo or 0) | g)  # the offensive is on


def test_every_choice_has_a_rationale_with_a_source_or_says_assumption(model: Conflict) -> None:
    for dm, text, why in _statements(model):
        assert why.strip(), f"{dm}: {text!r}"
        cited = "(NOTUS, 2024)" in why or re.search(r"(May|July|August) 2024|2023", why)
        assert cited or "Assumption" in why, f"{dm}: {text!r}"
    for d in model.dms:
        for r in d.readings:
            assert r.name == "main" or "Assumption" in r.rationale or "NOTUS" in r.rationale
    assert model.deal is not None and model.mediation is not None
    for c in model.mediation.commitments:
        assert "Assumption" in c.rationale, c.option


def test_nothing_after_august_2024_is_in_the_model() -> None:
    text = MODEL.read_text(encoding="utf-8")
    for later in ("September", "October", "November", "December", "2025"):
        assert later not in text, later
    assert re.findall(r"\b(?:1[6-9]|2\d|3[01]) August 2024", text)  # the reports it cites


def test_the_two_readings_of_accept(model: Conflict) -> None:
    """Hamas accepts only with Israel off Philadelphi; Israel and the US read it as accepting
    what Israel accepted; Hamas reads Israel's acceptance as the withdrawal."""
    hamas = [t for dm, t, _ in _statements(model) if dm == "Hamas"]
    assert "ham_accept iff philadelphi is withdraw" in hamas
    about = {(p.perceiver, p.about) for p in model.perceptions}
    assert about == {("Israel", "Hamas"), ("United_States", "Hamas"), ("Hamas", "Israel")}


def test_the_tranches_and_the_collateral(model: Conflict) -> None:
    deal = model.deal
    assert deal is not None
    names = [t.name for t in deal.tranches]
    assert names == ["cease-fire", "phase-one hostages", "prisoners", "withdrawal", "collateral"]
    after = {t.name: set(t.after) for t in deal.tranches}
    assert after["withdrawal"] == {"phase-one hostages", "prisoners"}
    assert after["collateral"] == {"phase-one hostages"}
    assert deal.guarantors == ("us_guarantee", "us_press_israel", "qe_press_hamas")
    assert [d.name for d in model.drafts] == ["Framework (31 May)", "Bridging proposal (16 August)"]
