"""Model-file checks the fuzzing campaign of issue 16 found missing: unknown concepts in the
mediation section, true/false read as numbers, names with surrounding spaces, and errors that
named internal classes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import run
from detente.formats.native import loads
from detente.formats.spec import ModelSpec
from detente.model.conflict import Conflict, DecisionMaker, Option
from detente.model.errors import ModelError
from detente.model.preferences import Statement, StatementPreference
from detente.model.statements import parse_statement
from model_texts import TWO_DMS
from web_helpers import client

BASE = TWO_DMS  # two DMs, one option each


def test_unknown_mediation_concept_is_refused_by_validate(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BASE + "mediation: {target: YY, concepts: [seq, bogus]}\n", "utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "mediation.concepts[1]" in result.output
    assert "unknown solution concept 'bogus'" in result.output
    ok = tmp_path / "ok.yaml"
    ok.write_text(BASE + "mediation: {target: YY, concepts: [SEQ, nash]}\n", "utf-8")
    assert run("validate", str(ok)).exit_code == 0


def test_unknown_mediation_concept_is_refused_by_the_workbench(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        answer = c.post("/api/validate",
                        json={"yaml": BASE + "mediation: {concepts: [bogus]}\n"}).json()
    assert answer["ok"] is False
    assert answer["error"]["field"] == "mediation.concepts[0]"


@pytest.mark.parametrize(("extra", "field"), [
    ("status_quo: true", "status_quo"),
    ("decision_makers:\n  - name: A\n    options: [{name: a}]\n    preferences: {statements: "
     "[{statement: a, probability: true}]}", "probability"),
    ("decision_makers:\n  - name: A\n    options: [{name: a}]\n    preferences: {payoffs: "
     "[{state: 1, value: true}, {state: 2, value: 1}]}", "value"),
    ("decision_makers:\n  - name: A\n    options: [{name: a}]\n    preferences: {statements: "
     "[a]}\n    alternatives: [{name: x, probability: true, preferences: {statements: [a]}}]",
     "probability"),
])
def test_true_and_false_are_not_numbers(extra: str, field: str) -> None:
    text = BASE + extra + "\n" if extra.startswith("status") else "name: T\n" + extra + "\n"
    with pytest.raises(ModelError, match="got True") as info:
        loads(text)
    assert field in (info.value.field or "")


def test_numbers_written_as_integers_are_still_numbers() -> None:
    text = BASE.replace("statements: [a]}", "statements: [{statement: a, probability: 1}]}")
    assert loads(text).dms[0].readings[0].maybe == ((0, 1.0),)
    payoffs = BASE.replace("statements: [b]}", "payoffs: [{state: NN, value: 1}, "
                           "{state: YN, value: 2}, {state: NY, value: 3}, {state: YY, value: 0}]}")
    assert loads(payoffs).dms[1].preference.payoffs[0] == (0, 1.0)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", [" A ", "A ", "\u00a0A"])
def test_names_with_surrounding_spaces_are_refused(name: str) -> None:
    with pytest.raises(ModelError, match="starts or ends with spaces") as info:
        loads(BASE.replace("name: A", f"name: {name!r}".replace("'", '"'), 1))
    assert info.value.field == "decision_makers[0].name"
    opts = (Option("a", name), Option("b", "B"))
    pref = StatementPreference((Statement("a", parse_statement("a", {"a", "b"})),))
    with pytest.raises(ModelError, match="starts or ends with spaces"):
        Conflict(name="T", options=opts, dms=(DecisionMaker(name, ("a",), pref),
                                              DecisionMaker("B", ("b",), pref)))


def test_the_command_line_refuses_a_spaced_name_before_any_command(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BASE.replace("name: A", 'name: " A "', 1) + "coalitions: [[' A ', B]]\n",
                    "utf-8")
    for command in (["validate"], ["coalitions"], ["evolve", "--coalitions"]):
        result = run(*command, str(path))
        assert result.exit_code == 2, (command, result.output)
        assert "decision_makers[0].name" in result.output


@pytest.mark.parametrize("section", ["mediation", "deal", "infeasible", "decision_makers",
                                     "deal_phase", "unknown_order"])
def test_errors_never_name_internal_classes(section: str) -> None:
    text = {
        "mediation": BASE + "mediation: 5\n",
        "deal": BASE + "deal: 5\n",
        "infeasible": BASE + "infeasible: [5]\n",
        "decision_makers": "name: T\ndecision_makers: [5]\n",
        "deal_phase": BASE + "deal: {name: d, phases: [5]}\n",
        "unknown_order": BASE.replace("statements: [a]", "statements: [{unknown_order: 5}]"),
    }[section]
    with pytest.raises(ModelError) as info:
        loads(text)
    message = str(info.value)
    assert "Spec" not in message and "instance of" not in message, message
    spec_names = {cls.__name__ for cls in (ModelSpec,)}
    assert not any(n in message for n in spec_names)
