"""The second case, examples/black_sea_grain_2022.yaml (the Black Sea Grain Initiative as of its
signing, 22 July 2022), against docs/case-study-black-sea-grain.md.

The model's structure (parties, options, status quo, deal, sources) as the page describes it;
every fact the page quotes, as printed by docs/scripts/black_sea_grain.py, found on the page
and rechecked here against the analyses run on their own (and Nash against the brute-force
reference); every console block on the page rerun through the command line.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

import detente
from cli_runner import run
from detente.analyses.robustness import robustness
from detente.analyses.whatif import apply_scenario
from detente.model.conflict import Conflict
from detente.model.preferences import StatementPreference
from doc_scripts import check_console_block, console_blocks, flat, load_script
from reference import equilibria

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "black_sea_grain_2022.yaml"
PAGE = (ROOT / "docs" / "case-study-black-sea-grain.md").read_text(encoding="utf-8")
CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
OPTIONS = (
    "ru_in_deal",
    "ru_strike_ports",
    "ua_ship",
    "ua_naval_ops",
    "jcc_inspect",
    "un_memorandum",
    "tr_escort",
    "west_ease",
)
DEAL = "YNYNYYNN"


def _script() -> ModuleType:
    return load_script("docs/scripts/black_sea_grain.py")


@pytest.fixture(scope="module")
def model() -> Conflict:
    return detente.load(MODEL)


# ----- the model ----------------------------------------------------------------------------
def test_parties_options_and_owners(model: Conflict) -> None:
    assert model.dm_names == ("Russia", "Ukraine", "Turkey_UN", "West")
    assert model.option_names == OPTIONS
    owners = {o.name: o.dm for o in model.options}
    assert owners["ru_in_deal"] == owners["ru_strike_ports"] == "Russia"
    assert owners["ua_ship"] == owners["ua_naval_ops"] == "Ukraine"
    assert owners["jcc_inspect"] == owners["un_memorandum"] == owners["tr_escort"] == "Turkey_UN"
    assert owners["west_ease"] == "West"
    assert all(o.direction == "both" for o in model.options)  # the page: none irreversible
    assert model.n_states == 128
    assert all(o.description for o in model.options) and all(d.description for d in model.dms)


def test_status_quo_is_before_the_signing(model: Conflict) -> None:
    assert model.status_quo is not None
    assert model.state_string(model.status_quo) == "NNNNNNNN"
    assert model.state_number(model.status_quo) == 1
    assert "Assumption" in model.status_quo_rationale


def test_infeasible_states_are_the_two_conditions(model: Conflict) -> None:
    feasible = {model.state_string(int(s)) for s in model.feasible}
    for code in range(256):
        s = "".join("Y" if code >> k & 1 else "N" for k in range(8))
        ship, jcc, escort = s[2] == "Y", s[4] == "Y", s[6] == "Y"
        assert (s in feasible) == (not (ship and not jcc) and not (escort and not ship)), s


def test_every_statement_has_a_rationale_and_sources_are_cited(model: Conflict) -> None:
    for d in model.dms:
        assert isinstance(d.preference, StatementPreference), d.name
        for st in d.preference.statements:
            assert st.rationale.strip(), f"{d.name}: {st.text!r}"
            cited = re.search(r"\((?:[^()]*20\d\d|UN page)[^()]*\)", st.rationale)
            assert cited or "Assumption" in st.rationale, f"{d.name}: {st.text!r}"
    assert len(model.sources) == 9
    # nothing after the signing: every dated source is from 2022, none after July
    for src in model.sources:
        assert "2023" not in src and "October" not in src and "November" not in src, src


def test_declared_uncertainty(model: Conflict) -> None:
    readings = {d.name: [(r.name, r.probability) for r in d.readings] for d in model.dms}
    assert readings["Russia"] == [("main", pytest.approx(0.6)), ("conditional", 0.4)]
    assert readings["West"] == [("main", pytest.approx(0.7)), ("accommodating", 0.3)]
    ukraine = model.dms[model.dm_index("Ukraine")].readings[0]
    assert ukraine.maybe == ((3, 0.5),)


def test_deal_tranches_and_guarantors(model: Conflict) -> None:
    deal = model.deal
    assert deal is not None
    assert [model.state_string(p.state) for p in deal.phases] == [
        "YNNNNYNN",
        "YNNNYYNN",
        DEAL,
    ]
    assert deal.guarantors == ("tr_escort", "west_ease")
    assert model.state_number(model.parse_state(DEAL)) == 38


@pytest.mark.parametrize("concept", CONCEPTS)
def test_analyses_under_every_concept(model: Conflict, concept: str) -> None:
    result = detente.analyze(model, [concept])
    assert len(result.equilibria_numbers(concept)) >= 1
    assert run("analyze", MODEL, "-c", concept).exit_code == 0


@pytest.mark.slow
def test_nash_against_the_reference(model: Conflict) -> None:
    want = sorted(model.state_number(s) for s in equilibria(model)["nash"])
    assert detente.analyze(model, ["nash"]).equilibria_numbers("nash") == want == [29, 45]


# ----- the page's numbers -------------------------------------------------------------------
@pytest.fixture(scope="module")
def facts() -> dict[str, str]:
    return dict(_script().facts())


@pytest.mark.slow
def test_every_fact_is_on_the_page(facts: dict[str, str]) -> None:
    page = flat(PAGE)
    for key, value in facts.items():
        assert flat(value) in page, f"{key}: {value!r} is not on the page"
    assert len(facts) == 23


def test_the_facts_against_the_analyses(model: Conflict, facts: dict[str, str]) -> None:
    deal = detente.deal_analysis(model, mediate=False)
    assert deal.to_dict()["holds"] == {
        "nash": False,
        "gmr": True,
        "smr": True,
        "seq": True,
        "sim": False,
        "seq_sim": False,
    }
    assert facts["deal holds"] == "holds under GMR, SMR, SEQ"
    r = robustness(model, list(CONCEPTS))
    assert r.profiles == 8 and r.exact
    frame = r.frame()
    assert frame.loc[DEAL, "Nash"] == pytest.approx(0.21)
    assert frame.loc[DEAL, "SEQ"] == pytest.approx(0.51)
    assert frame.loc["NNYYYYNN"].tolist() == pytest.approx([1.0] * 6)


def test_the_conditional_reading_breaks_everywhere(model: Conflict) -> None:
    cond = apply_scenario(model, {"alternatives": {"Russia": "conditional"}})
    pref = cond.dms[cond.dm_index("Russia")].preference
    assert isinstance(pref, StatementPreference)
    assert pref.statements[4].text == "ru_in_deal iff west_ease"
    d = detente.deal_analysis(cond, mediate=False).to_dict()
    assert not any(d["holds"].values())
    assert all(not g["settings"] for g in d["guarantees"].values())
    # Russia's exit is a temptation at every phase and nothing deters it
    for phase in d["phases"]:
        exits = [
            t
            for t in phase["temptations"]
            if t["dm"] == "Russia"
            and t["to"]["state"][0] == "N"
            and not any(t["deterred"].values())
        ]
        assert exits, phase["name"]


def test_the_perception_changes_no_verdict_on_the_deal(model: Conflict) -> None:
    h = detente.hypergame(model, list(CONCEPTS))
    a = detente.analyze(model)
    i = model.state_number(model.parse_state(DEAL)) - 1
    for c in CONCEPTS:
        assert bool(h.equilibrium_mask(c)[i]) == bool(a.equilibrium_mask(c)[i]), c


# ----- the page's console blocks ------------------------------------------------------------
def test_the_page_has_its_console_blocks() -> None:
    commands = [args[0] for args, _ in console_blocks(PAGE)]
    assert commands == ["validate", "brief", "explain"]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(3))
def test_console_block_is_the_commands_output(index: int) -> None:
    check_console_block(*console_blocks(PAGE)[index])
