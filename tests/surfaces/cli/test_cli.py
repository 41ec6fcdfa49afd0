"""The ``detente`` command line: every command's happy path, JSON output and error handling."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from cli_runner import run
from detente.formats import load_model
from detente.surfaces.cli.commands.convert import differences

ROOT = Path(__file__).resolve().parents[3]

# Prisoner's Dilemma with statements: A prefers B silent above all, then defecting itself.
PD = """\
name: Prisoner's Dilemma
description: Two suspects, questioned apart.
decision_makers:
  - name: A
    options: [{name: a_defects, description: A testifies}]
    preferences: {statements: [not b_defects, a_defects]}
  - name: B
    options: [{name: b_defects}]
    preferences: {statements: [not a_defects, b_defects]}
status_quo: NN
"""

# A three-option model with an infeasible pattern, an irreversible option and a ranking tie.
TALKS = """\
name: Talks
decision_makers:
  - name: Gov
    description: the government
    options:
      - {name: accept}
      - {name: strike, direction: fwd}
    preferences:
      statements:
        - {statement: not rebels_attack, rationale: security first}
        - accept
  - name: Rebels
    options: [{name: rebels_attack}]
    preferences:
      ranking: [NNN, [YNN, NYN], [NNY, YNY], NYY]
infeasible:
  - pattern: {accept: Y, strike: Y}
    reason: cannot accept a deal while striking [on record]
status_quo: NNN
"""


@pytest.fixture
def pd(tmp_path: Path) -> Path:
    path = tmp_path / "pd.yaml"
    path.write_text(PD, encoding="utf-8")
    return path


@pytest.fixture
def talks(tmp_path: Path) -> Path:
    path = tmp_path / "talks.yaml"
    path.write_text(TALKS, encoding="utf-8")
    return path


def assert_clean_error(result: Any, *fragments: str) -> None:
    """Exit status 2, a message on stderr naming every fragment, no traceback, empty stdout."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


# ----- help and version -------------------------------------------------------------------
def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout


COMMANDS = ["validate", "show", "convert", "schema", "analyze", "explain", "evolve",
            "coalitions", "report"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"Example: detente {command}" in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("detente ")


def test_no_arguments_shows_help() -> None:
    result = run()
    assert "validate" in result.stdout + result.stderr


# ----- validate ---------------------------------------------------------------------------
def test_validate_ok(pd: Path, talks: Path) -> None:
    result = run("validate", pd)
    assert result.exit_code == 0
    assert result.stdout == (
        "OK: Prisoner's Dilemma: 2 options, 2 decision makers, 4 feasible states\n"
    )
    result = run("validate", talks)
    assert result.stdout == "OK: Talks: 3 options, 2 decision makers, 6 feasible states\n"


def test_validate_json(talks: Path) -> None:
    result = run("validate", talks, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {
        "ok": True, "file": str(talks), "name": "Talks", "options": 3, "decision_makers": 2,
        "feasible_states": 6, "candidate_states": 8,
    }


def test_validate_bad_yaml_gives_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndecision_makers:\n  - name: [\n", encoding="utf-8")
    result = run("validate", bad)
    assert_clean_error(result, f"{bad}:", "not valid YAML")
    assert result.stdout == ""


def test_validate_unknown_option_names_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PD.replace("[not b_defects, a_defects]", "[not c_defects, a_defects]"),
                   encoding="utf-8")
    result = run("validate", bad)
    assert_clean_error(result, f"{bad}:6:", "decision_makers[0].preferences.statements[0]",
                       "'c_defects'")
    assert "error:" in result.stderr


def test_validate_json_reports_the_error_as_data(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PD.replace("status_quo: NN", "status_quo: NNN"), encoding="utf-8")
    result = run("validate", bad, "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["error"]["type"] == "ModelError"
    assert data["error"]["line"] == 10
    assert data["error"]["field"] == "status_quo"
    assert "status_quo" in result.stderr


def test_model_too_large_is_a_clean_error(tmp_path: Path) -> None:
    options = ", ".join(f"{{name: o{k}}}" for k in range(31))
    big = tmp_path / "big.yaml"
    big.write_text(
        "name: Big\ndecision_makers:\n  - name: A\n"
        f"    options: [{options}]\n    preferences: {{statements: [o0]}}\n",
        encoding="utf-8",
    )
    assert_clean_error(run("validate", big), "31 options")
    assert_clean_error(run("show", big, "--format", "json"), "31 options")


# ----- missing files and bad arguments ----------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [["validate"], ["validate", "--format", "json"], ["show"], ["show", "--format", "json"],
     ["convert"]],
)
def test_missing_file(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere.yaml"
    extra = [str(tmp_path / "out.gmcr")] if args[0] == "convert" else []
    result = run(args[0], missing, *extra, *args[1:])
    assert_clean_error(result, "no such file", "nowhere.yaml")


def test_directory_is_not_a_model(tmp_path: Path) -> None:
    assert_clean_error(run("show", tmp_path), "is a directory")


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "model.txt"
    path.write_text(PD, encoding="utf-8")
    assert_clean_error(run("validate", path), "unknown model file type")


def test_unknown_command_line_option(pd: Path) -> None:
    result = run("show", pd, "--bogus")
    assert result.exit_code == 2
    assert "--bogus" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unknown_format_value(pd: Path) -> None:
    result = run("show", pd, "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.stderr


# ----- show -------------------------------------------------------------------------------
def test_show_text(talks: Path) -> None:
    result = run("show", talks)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for fragment in (
        "Talks", "Gov", "the government", "Rebels", "accept", "strike →",
        "once taken, cannot be undone", "1. not rebels_attack — security first",
        "explicit ranking", "impossible: accept and strike",
        "cannot accept a deal while striking [on record]", "Status quo: state 1 (NNN)",
        "Feasible states: 6 of 8", "◀ status quo",
    ):
        assert fragment in out, fragment
    rows = [line.split() for line in out.splitlines()
            if line.split() and line.split()[0].isdigit()]
    # number, accept, strike, rebels_attack, rank Gov, rank Rebels
    assert rows[0][:6] == ["1", "N", "N", "N", "2", "1"]
    assert len(rows) == 6
    assert result.stderr == ""


def test_show_json(talks: Path) -> None:
    result = run("show", talks, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["name"] == "Talks"
    assert [o["name"] for o in data["options"]] == ["accept", "strike", "rebels_attack"]
    assert data["options"][1]["direction"] == "fwd"
    assert data["decision_makers"][0]["options"] == ["accept", "strike"]
    assert data["decision_makers"][0]["preferences"]["statements"][0] == {
        "statement": "not rebels_attack", "rationale": "security first",
    }
    assert data["decision_makers"][1]["preferences"]["kind"] == "ranking"
    assert data["infeasible"] == [{
        "condition": "accept and strike",
        "reason": "cannot accept a deal while striking [on record]",
    }]
    assert data["status_quo"]["state"] == "NNN"
    assert data["feasible_states"] == 6 and data["states_hidden"] == 0
    states = {s["state"]: s for s in data["states"]}
    assert set(states) == {"NNN", "YNN", "NYN", "NNY", "YNY", "NYY"}
    assert [s["number"] for s in data["states"]] == [1, 2, 3, 4, 5, 6]
    assert states["NNN"]["status_quo"] is True
    assert sum(s["status_quo"] for s in data["states"]) == 1
    # Gov: no rebel attack first, then accept: YNN best, NNN/NYN tie, YNY, then NNY/NYY.
    gov = {k: s["ranks"]["Gov"] for k, s in states.items()}
    assert gov == {"YNN": 1, "NNN": 2, "NYN": 2, "YNY": 3, "NNY": 4, "NYY": 4}
    # Rebels: NNN, then the tie YNN = NYN, then the tie NNY = YNY, then NYY.
    rebels = {k: s["ranks"]["Rebels"] for k, s in states.items()}
    assert rebels == {"NNN": 1, "YNN": 2, "NYN": 2, "NNY": 3, "YNY": 3, "NYY": 4}


def test_show_limit_text_says_how_many_are_hidden(talks: Path) -> None:
    result = run("show", talks, "--limit", "2")
    assert result.exit_code == 0
    assert "4 more states hidden" in result.stdout
    assert "--limit 0" in result.stdout


def test_show_limit_json(talks: Path) -> None:
    data = json.loads(run("show", talks, "--limit", "4", "--format", "json").stdout)
    assert len(data["states"]) == 4
    assert data["states_hidden"] == 2
    assert data["feasible_states"] == 6


def test_show_limit_zero_shows_all(talks: Path) -> None:
    result = run("show", talks, "-n", "0")
    assert "hidden" not in result.stdout


def test_show_negative_limit_is_refused(talks: Path) -> None:
    assert run("show", talks, "--limit", "-1").exit_code == 2


def test_show_payoffs_and_no_constraints(tmp_path: Path) -> None:
    path = tmp_path / "payoffs.yaml"
    path.write_text(
        "name: Chicken\ndecision_makers:\n"
        "  - name: Row\n    options: [{name: row_straight}]\n"
        "    preferences: {payoffs: [{state: NN, value: 3}, {state: YN, value: 4},"
        " {state: NY, value: 2}, {state: YY, value: 1}]}\n"
        "  - name: Col\n    options: [{name: col_straight, direction: back}]\n"
        "    preferences: {payoffs: [{state: NN, value: 3}, {state: YN, value: 2},"
        " {state: NY, value: 4}, {state: YY, value: 1}]}\n",
        encoding="utf-8",
    )
    result = run("show", path)
    assert result.exit_code == 0, result.stderr
    assert "Infeasibility conditions: none" in result.stdout
    assert "col_straight ←" in result.stdout
    assert "status quo" not in result.stdout
    data = json.loads(run("show", path, "--format", "json").stdout)
    assert data["status_quo"] is None
    assert data["decision_makers"][0]["preferences"]["payoffs"][1] == {"state": "YN", "value": 4}
    assert [s["ranks"]["Row"] for s in data["states"]] == [2, 1, 3, 4]


# ----- convert ----------------------------------------------------------------------------
def test_convert_yaml_to_yaml(talks: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.yml"
    result = run("convert", talks, out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Wrote" in result.stderr
    assert differences(load_model(talks), load_model(out)) == []


def test_convert_round_trip_through_gmcr(talks: Path, tmp_path: Path) -> None:
    gmcr = tmp_path / "talks.gmcr"
    back = tmp_path / "back.yaml"
    result = run("convert", talks, gmcr)
    assert result.exit_code == 0, result.stderr
    # GMCR+ has no status quo: said on stderr, but the conversion succeeds.
    assert "not kept in talks.gmcr: the status quo" in result.stderr
    json.loads(gmcr.read_text(encoding="utf-8"))  # GMCR+ files are JSON
    result = run("convert", gmcr, back)
    assert result.exit_code == 0, result.stderr
    original, again = load_model(talks), load_model(back)
    assert again.status_quo is None
    assert differences(original, replace(again, status_quo=original.status_quo)) == []
    assert again.option_names == original.option_names
    assert [o.direction for o in again.options] == ["both", "fwd", "both"]
    assert again.feasible.tolist() == original.feasible.tolist()
    assert again.ranks.tolist() == original.ranks.tolist()
    shown = [json.loads(run("show", p, "--format", "json").stdout)["states"]
             for p in (talks, back)]
    for states in shown:
        for state in states:
            del state["status_quo"]
    assert shown[0] == shown[1]


def test_convert_fails_when_the_written_file_changes_the_model(
    talks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import detente.formats

    def lossy_load(path: Path) -> Any:  # the written file reads back with other directions
        model = load_model(path)
        if Path(path) == talks:
            return model
        return replace(model, options=tuple(replace(o, direction="both") for o in model.options))

    monkeypatch.setattr(detente.formats, "load_model", lossy_load)
    result = run("convert", talks, tmp_path / "out.yaml")
    assert result.exit_code == 1
    assert "does not reproduce" in result.stderr
    assert "option directions differ" in result.stderr
    assert "was not written" in result.stderr
    assert list(tmp_path.iterdir()) == [talks]  # nothing half-written, no temporary file


def test_convert_refuses_to_overwrite(pd: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    out.write_text("keep me", encoding="utf-8")
    assert_clean_error(run("convert", pd, out), "exists", "--force")
    assert out.read_text(encoding="utf-8") == "keep me"
    result = run("convert", pd, out, "--force")
    assert result.exit_code == 0, result.stderr
    assert load_model(out).name == "Prisoner's Dilemma"


def test_convert_same_file_and_unknown_suffix(pd: Path, tmp_path: Path) -> None:
    assert_clean_error(run("convert", pd, pd, "--force"), "same file")
    assert_clean_error(run("convert", pd, tmp_path / "out.txt"), "suffix")


def test_convert_invalid_input_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PD.replace("a_defects]", "z]"), encoding="utf-8")
    out = tmp_path / "out.yaml"
    assert_clean_error(run("convert", bad, out), "'z'")
    assert not out.exists()


def test_convert_unreadable_gmcr_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gmcr"
    bad.write_text("{not json", encoding="utf-8")
    assert_clean_error(run("convert", bad, tmp_path / "out.yaml"), "bad.gmcr")
    assert_clean_error(run("validate", bad), "bad.gmcr")


# ----- schema -----------------------------------------------------------------------------
def test_schema_stdout_validates_a_model() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "decision_makers" in schema["properties"]
    jsonschema.validate(YAML(typ="safe").load(TALKS), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "decision_makers": [], "oops": 1}, schema)


def test_schema_to_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run("schema", "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "detente model"


def test_schema_to_unwritable_place(tmp_path: Path) -> None:
    assert_clean_error(run("schema", "-o", tmp_path / "no" / "dir" / "s.json"), "s.json")


# ----- the bundled examples and the installed script ----------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name
)
def test_bundled_examples_validate_and_show(example: Path) -> None:
    assert run("validate", example).exit_code == 0
    data = json.loads(run("show", example, "--format", "json").stdout)
    assert data["feasible_states"] == len(data["states"]) > 0


@pytest.mark.slow
def test_installed_script(pd: Path) -> None:
    script = Path(sys.executable).parent / "detente"
    assert script.exists(), "the detente script is not installed; run pip install -e ."
    ok = subprocess.run([script, "show", pd, "--format", "json"], capture_output=True,
                        text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["feasible_states"] == 4
    bad = subprocess.run([script, "validate", pd.with_name("missing.yaml")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "no such file" in bad.stderr
    assert "Traceback" not in bad.stderr
    module = subprocess.run([sys.executable, "-m", "detente.surfaces.cli", "validate", pd],
                            capture_output=True, text=True, check=False)
    assert module.returncode == 0
    assert module.stdout.startswith("OK: Prisoner's Dilemma")
