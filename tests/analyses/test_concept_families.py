"""Which command takes which family of solution concepts: each analysis takes the families
docs/concepts-extended.md says it takes, refuses the others by name (the message naming what
takes them and what it takes), and the registry's refusal text names the same commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import detente
from detente.analyses.casefile import CONCEPT_FAMILIES as REPORT
from detente.analyses.robustness.analysis import CONCEPT_FAMILIES as ROBUSTNESS
from detente.analyses.stability.analysis import CONCEPT_FAMILIES as ANALYZE
from detente.analyses.status_quo.analysis import CONCEPT_FAMILIES as EVOLVE
from detente.engine.registry import (
    CLASSIC,
    EVERY_FAMILY,
    STRENGTH_CONCEPTS,
    UNKNOWN_KEYS,
    Family,
    get_concept,
    parse_concepts,
)
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

DOC = Path("docs/concepts-extended.md")
L, P, U, S = Family.LIMITED, Family.PROBABILISTIC, Family.UNKNOWN, Family.STRENGTH
#: What docs/concepts-extended.md says each command takes beyond the classic six.
TAKES: dict[str, frozenset[Family]] = {
    "analyze": frozenset({L, P, U, S}), "report": frozenset({L, P, U, S}),
    "evolve": frozenset({L, U}), "robustness": frozenset({P}), "explain": frozenset({P, U, S}),
    **{c: frozenset() for c in ("mediate", "coalitions", "deal", "packages", "drafts", "brief",
                                "hypergame")},
}
#: The section of docs/concepts-extended.md on each family beyond the classic six.
SECTION = {L: "Limited-move stability", P: "Probabilistic preferences",
           U: "Unknown preferences", S: "Strength of preference"}
#: One key of each family.
KEY = {Family.CLASSIC: "gmr", L: "L2", P: "gmr@0.8/0.3", U: UNKNOWN_KEYS[0],
       S: STRENGTH_CONCEPTS[0]}
#: How the registry's refusal text names a command.
WORDS = {"analyze": "analyze", "robustness": "robustness", "report": "report",
         "status quo's evolution": "evolve", "explain": "explain"}
PD = "examples/prisoners_dilemma.yaml"
Run = Callable[[Conflict, list[str]], object]
#: Each command's Python analysis, called with the concepts given, and a model it takes.
CALLS: dict[str, tuple[Run, str]] = {
    "explain": (lambda m, c: detente.explain(m, "NN", concepts=c), PD),
    "evolve": (lambda m, c: detente.evolve(m, concepts=c), PD),
    "mediate": (lambda m, c: detente.mediate(m, "YY", c), PD),
    "robustness": (lambda m, c: detente.robustness(m, c), PD),
    "coalitions": (lambda m, c: detente.coalition_analysis(m, None, c), PD),
    "deal": (lambda m, c: detente.deal_analysis(m, c), "tests/data/exchange_deal.yaml"),
    "packages": (lambda m, c: detente.packages(m, c), "tests/data/trade_packages.yaml"),
    "drafts": (lambda m, c: detente.drafts(m, c), "tests/data/trade_packages.yaml"),
    "brief": (lambda m, c: detente.brief(m, c), "tests/data/brief_exchange.yaml"),
    "hypergame": (lambda m, c: detente.hypergame(m, c), "tests/data/hypergame_sanction.yaml"),
}


def _section(family: Family) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## " + SECTION[family])
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else len(text)]


@pytest.mark.parametrize("family", list(SECTION))
def test_the_docs_list_the_commands_that_refuse_each_family(family: Family) -> None:
    """Each family's section lists, in parentheses before "refuse", exactly the commands that
    do not take it."""
    found = re.findall(r"\(([a-z,\s-]+)\)\s+(?:take the classic concepts only and\s+)?refuse",
                       _section(family))
    assert len(found) == 1, found
    listed = {item.split()[0] for item in found[0].split(",")}  # "brief and so its what-if"
    assert listed == {c for c, takes in TAKES.items() if family not in takes}


@pytest.mark.parametrize("family", list(SECTION))
def test_the_docs_show_each_command_that_takes_a_family(family: Family) -> None:
    text = _section(family)
    for command, takes in TAKES.items():
        if family in takes:
            assert re.search(rf"\b{command}\b", text), command


def test_each_analysis_names_the_families_the_docs_say() -> None:
    named = {"analyze": ANALYZE, "report": REPORT, "evolve": EVOLVE, "robustness": ROBUSTNESS}
    assert named == {c: CLASSIC | TAKES[c] for c in named}
    for takes in named.values():
        keys = parse_concepts([KEY[f] for f in Family if f in takes], families=takes)
        assert {get_concept(k).family for k in keys} == takes


@pytest.mark.parametrize("family", [P, U, S])
def test_the_refusal_names_the_commands_that_take_the_family(family: Family) -> None:
    named = {cmd for words, cmd in WORDS.items() if words in family.takers}
    assert named == {c for c, takes in TAKES.items() if family in takes}


@pytest.mark.parametrize(("command", "family"), [
    (c, f) for c in CALLS for f in SECTION if f not in TAKES[c]])
def test_each_command_refuses_the_families_it_does_not_take(command: str,
                                                            family: Family) -> None:
    run, path = CALLS[command]
    with pytest.raises(AnalysisError) as info:
        run(detente.load(path), [KEY[family]])
    said = str(info.value)
    if command == "coalitions":  # coalition concepts: CGMR and the like
        assert "unknown coalition concept" in said
    elif family is L:  # L<h> where it is not taken is an unknown concept, as it always was
        assert said.startswith("unknown solution concept 'L2'; expected one of: nash")
        assert command != "explain" or "looks ahead rather than sanctions" in said
    else:
        taken = [f.taken for f in Family if f in CLASSIC | TAKES[command]]
        assert said.startswith(f"{KEY[family]!r} is {family.what} (")
        assert f"{family.takers} take it; this analysis" in said and taken[-1] in said


def test_a_refusal_lists_everything_the_caller_takes() -> None:
    with pytest.raises(AnalysisError) as info:
        parse_concepts(["seq@0.5"], families=EVOLVE)
    assert str(info.value) == (
        "'seq@0.5' is a probabilistic concept ((0.5,0.5,0.5)-SEQ): analyze, explain, "
        "robustness, the report's stability tables and the workbench's concept picker take "
        "it; this analysis judges one "
        "preference profile at a time and takes the standard concepts (nash, gmr, smr, seq, "
        "sim, seq_sim), L<h> and the unknown-preference concepts "
        f"({UNKNOWN_KEYS[0]} … {UNKNOWN_KEYS[-1]})")


#: How a command's ``--concept`` help names a family it takes.
HELP_WORDS = {L: "L<h>", P: "@", U: "nash_a", S: "strong_gmr"}


@pytest.mark.parametrize("command", ["analyze", "report", "evolve", "robustness", "explain"])
def test_each_commands_concept_help_names_the_families_it_takes(command: str) -> None:
    from click import unstyle

    from cli_runner import run

    text = " ".join(unstyle(run(command, "--help").stdout).split())
    start = text.index("--concept")
    said = text[start:text.index(" -", start + 12)]  # the option's help, to the next option
    said = said.replace("not L<h>", "")  # explain says what it does not take
    for family, word in HELP_WORDS.items():
        assert (word in said) == (family in TAKES[command]), (command, family, said)


def test_an_unknown_key_lists_the_families_the_caller_takes() -> None:
    with pytest.raises(AnalysisError) as every:
        parse_concepts(["gmr_e"], families=EVERY_FAMILY)
    assert all(f.taken in str(every.value) for f in Family if f is not Family.CLASSIC)
    with pytest.raises(AnalysisError) as classic:
        parse_concepts(["gmr_e"])
    assert str(classic.value) == ("unknown solution concept 'gmr_e'; expected one of: nash, "
                                  "gmr, smr, seq, sim, seq_sim")
