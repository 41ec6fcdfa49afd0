"""The native YAML file: round trips, documentation, schema, and every error message."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import detente
from detente.formats.native import dump, dumps, load, loads, to_spec
from detente.formats.spec import json_schema
from detente.model import Conflict, ModelError

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "model-format.md"
WriteModel = Callable[..., Path]  # the write_model fixture of conftest.py
SCHEMA = ROOT / "docs" / "model.schema.json"


def yaml_text(data: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def doc_example() -> str:
    """The complete example: the first ```yaml block of docs/model-format.md."""
    m = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert m, "no yaml example in the docs"
    return m.group(1)


# ----- random models as file data -------------------------------------------------------------
WORDS = st.text(st.sampled_from("abc xyz,.:-'#é→"), max_size=12)


def state_str(code: int, n: int) -> str:
    return "".join("Y" if code >> k & 1 else "N" for k in range(n))


@st.composite
def model_data(draw: st.DrawFn) -> dict[str, Any]:
    """Valid native-file data for a small random model, using every feature of the format."""
    n_dms = draw(st.integers(1, 3))
    n = draw(st.integers(n_dms, 5))
    owners = sorted(list(range(n_dms)) + [draw(st.integers(0, n_dms - 1))
                                           for _ in range(n - n_dms)])
    names = [f"opt_{k}" for k in range(n)]
    # Infeasibility conditions, kept only while something stays feasible.
    feasible = list(range(1 << n))
    infeasible: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["str", "map", "mutex", "atleast"]))
        members = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        idx = [names.index(m) for m in members]
        if kind in ("str", "map"):
            vals = [draw(st.booleans()) for _ in members]
            item: dict[str, Any]
            if kind == "str":
                pat = ["-"] * n
                for k, v in zip(idx, vals, strict=True):
                    pat[k] = "Y" if v else "N"
                item = {"pattern": "".join(pat)}
            else:
                item = {"pattern": {m: "Y" if v else "N" for m, v in zip(members, vals,
                                                                         strict=True)}}
            keep = [c for c in feasible
                    if not all(bool(c >> k & 1) == v for k, v in zip(idx, vals, strict=True))]
        elif kind == "mutex":
            item = {"mutually_exclusive": members}
            keep = [c for c in feasible if sum(c >> k & 1 for k in idx) <= 1]
        else:
            item = {"at_least_one": members}
            keep = [c for c in feasible if any(c >> k & 1 for k in idx)]
        if not keep:
            continue
        if draw(st.booleans()):
            item["reason"] = draw(WORDS)
        infeasible.append(item)
        feasible = keep

    def preferences() -> dict[str, Any]:
        kind = draw(st.sampled_from(["statements", "ranking", "payoffs"]))
        if kind == "statements":
            out: list[Any] = []
            for _ in range(draw(st.integers(1, 4))):
                a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
                op = draw(st.sampled_from(["and", "or", "if", "iff", "and not"]))
                text = draw(st.sampled_from([a, f"not {a}", f"{a} {op} {b}"]))
                out.append({"statement": text, "rationale": draw(WORDS.filter(bool))}
                           if draw(st.booleans()) else text)
            return {"statements": out}
        order = draw(st.permutations(feasible))
        if kind == "payoffs":
            return {"payoffs": [
                {"state": state_str(c, n), "value": draw(st.integers(-3, 3))} for c in order
            ]}
        ranking: list[Any] = []
        i = 0
        while i < len(order):
            size = draw(st.integers(1, 3))
            tier = order[i:i + size]
            i += size
            refs: list[Any] = [
                draw(st.sampled_from([state_str(c, n), feasible.index(c) + 1])) for c in tier
            ]
            ranking.append(refs if len(refs) > 1 or draw(st.booleans()) else refs[0])
        return {"ranking": ranking}

    dms = []
    for i in range(n_dms):
        options: list[dict[str, Any]] = []
        for k in range(n):
            if owners[k] != i:
                continue
            o: dict[str, Any] = {"name": names[k]}
            direction = draw(st.sampled_from(["both", "fwd", "back", None]))
            if direction:
                o["direction"] = direction
            if draw(st.booleans()):
                o["description"] = draw(WORDS)
            options.append(o)
        dm: dict[str, Any] = {"name": f"DM {i}", "options": options,
                              "preferences": preferences()}
        if draw(st.booleans()):
            dm["description"] = draw(WORDS)
        dms.append(dm)
    data: dict[str, Any] = {"name": draw(WORDS), "decision_makers": dms}
    if draw(st.booleans()):
        data["detente"] = 1
    if infeasible:
        data["infeasible"] = infeasible
    if draw(st.booleans()):
        data["description"] = draw(WORDS)
        data["sources"] = draw(st.lists(WORDS, max_size=2))
    if draw(st.booleans()):
        sq = draw(st.sampled_from(feasible))
        data["status_quo"] = draw(st.sampled_from([
            state_str(sq, n), feasible.index(sq) + 1,
            {nm: "Y" if sq >> k & 1 else "N" for k, nm in enumerate(names)},
        ]))
        data["status_quo_rationale"] = draw(WORDS)
    if n_dms >= 2 and draw(st.booleans()):
        data["coalitions"] = [[f"DM {i}" for i in range(n_dms)]]
    return data


def assert_same_model(a: Conflict, b: Conflict) -> None:
    assert a == b  # names, options, directions, constraints, preferences, rationales, ...
    np.testing.assert_array_equal(a.feasible, b.feasible)
    np.testing.assert_array_equal(a.ranks, b.ranks)
    assert a.ranks.dtype == b.ranks.dtype == np.int32
    assert a.option_names == b.option_names and a.dm_names == b.dm_names
    assert [o.direction for o in a.options] == [o.direction for o in b.options]
    assert a.status_quo == b.status_quo and a.status_quo_rationale == b.status_quo_rationale


@pytest.mark.slow
@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_data())
def test_round_trip_yaml_model_yaml_model(data: dict[str, Any]) -> None:
    text = yaml_text(data)
    first = loads(text, source="random.yaml")
    written = dumps(first)
    second = loads(written, source="written.yaml")
    assert_same_model(first, second)
    assert dumps(second) == written  # writing is a fixed point
    jsonschema.validate(to_spec(first), json_schema())
    jsonschema.validate(json.loads(json.dumps(data)), json_schema())
    for k, dm in enumerate(data["decision_makers"]):
        statements = dm["preferences"].get("statements")
        if statements:
            rationales = [s["rationale"] if isinstance(s, dict) else "" for s in statements]
            pref = second.dms[k].preference
            assert [s.rationale for s in pref.statements] == rationales  # type: ignore[union-attr]


def test_ranks_and_states_of_the_documented_example(write_model: WriteModel) -> None:
    c = load(write_model(doc_example()))
    assert c.option_names == ("build_dam", "divert", "appeal", "sanctions", "quota")
    assert c.n_states == 15
    assert c.state_string(c.feasible[1]) == "YNNNN" and c.state_number(c.status_quo or 0) == 2
    assert [o.direction for o in c.options] == ["fwd", "both", "both", "both", "both"]
    # The Commission's ranking: '--NNY' best (rank 3), the tribunal tier tied, sanctions worst.
    commission = dict(zip((c.state_string(x) for x in c.feasible), c.ranks[2].tolist(),
                          strict=True))
    assert commission["YYNNY"] == 3 and commission["NNNNN"] == 2
    assert commission["NNYNY"] == commission["YYYNN"] == 1
    assert commission["NNNYN"] == 0
    assert c.coalitions == (("Lowland", "Commission"),)
    assert c.dms[0].preference.statements[0].rationale.startswith("The irrigation")  # type: ignore[union-attr]
    assert_same_model(c, loads(dumps(c)))


def test_dump_and_load_by_suffix(tmp_path: Path, write_model: WriteModel) -> None:
    c = load(write_model(doc_example()))
    out = tmp_path / "copy.yml"
    detente.save(c, out)
    again = detente.load(out)
    assert_same_model(c, again)
    assert again.source_file == str(out)
    dump(c, tmp_path / "plain.yaml")
    assert (tmp_path / "plain.yaml").read_text(encoding="utf-8") == dumps(c)
    with pytest.raises(ModelError, match=r"unknown model file type '.txt'; expected .yaml"):
        detente.load(tmp_path / "model.txt")


def test_to_spec_writes_patterns_as_mappings_and_tiers_as_lists(write_model: WriteModel) -> None:
    spec = to_spec(load(write_model(doc_example())))
    assert spec["infeasible"][2]["pattern"] == {"sanctions": "Y", "quota": "Y"}
    assert spec["infeasible"][1] == {
        "mutually_exclusive": ["appeal", "sanctions"],
        "reason": "Lowland's parliament allows one escalation route at a time.",
    }
    ranking = spec["decision_makers"][2]["preferences"]["ranking"]
    assert ranking[0] == ["NNNNY", "YNNNY", "YYNNY"]  # '--NNY' expanded to its feasible states
    assert spec["status_quo"] == "YNNNN"


# ----- the published schema and the documented example ----------------------------------------
def test_published_schema_is_the_generated_one() -> None:
    expected = json.dumps(json_schema(), indent=2) + "\n"
    assert SCHEMA.read_text(encoding="utf-8") == expected, (
        "docs/model.schema.json is stale: regenerate it from detente.formats.spec.json_schema()"
    )
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_schema_accepts_the_documented_example_and_rejects_a_bad_one() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = YAML(typ="safe").load(doc_example())
    jsonschema.validate(data, schema)

    validator = jsonschema.Draft202012Validator(schema)
    bad = json.loads(json.dumps(data))
    bad["status_quo_reason"] = bad.pop("status_quo_rationale")
    assert any("status_quo_reason" in e.message for e in validator.iter_errors(bad))
    changes: list[Callable[[dict[str, Any]], object]] = [
        lambda d: d.pop("name"),
        lambda d: d["decision_makers"][0]["preferences"].update(ranking=[1]),
        lambda d: d["decision_makers"][0]["options"][0].update(direction="up"),
        lambda d: d["decision_makers"][0]["options"][0].update(name="2dams"),
        lambda d: d["infeasible"][0].update(at_least_one=["appeal"]),
        lambda d: d.update(decision_makers=[]),
    ]
    for change in changes:
        bad = json.loads(json.dumps(data))
        change(bad)
        assert not validator.is_valid(bad)


def test_documented_errors_show_file_line_and_field() -> None:
    """The error examples in the docs (generated from real runs) keep the located form."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```text\n(rill\.yaml:.*?)```", text, re.S)
    assert len(blocks) >= 15
    for block in blocks:
        first = block.splitlines()[0]
        assert re.match(r"rill\.yaml:\d+(:\d+)?: ", first), first


# ----- every error: file, line, field, what was expected -------------------------------------
BASE = """\
name: Toy
decision_makers:
  - name: A
    options:
      - name: a
      - name: a2
        direction: fwd
    preferences:
      statements:
        - a
        - statement: not a2
          rationale: why not
  - name: B
    options: [{name: b}]
    preferences:
      statements: [b if a]
"""
#      line numbers of BASE:  1 name, 2 decision_makers, 3 - name: A, 4 options, 5 a, 6 a2,
#      7 direction, 8 preferences, 9 statements, 10 a, 11 statement, 12 rationale, 13 - name: B,
#      14 options, 15 preferences, 16 statements


def base(old: str = "", new: str = "", tail: str = "") -> str:
    if old:
        assert old in BASE, old
    return (BASE.replace(old, new, 1) if old else BASE) + tail


ERRORS: list[tuple[str, str, int | None, str | None, list[str]]] = [
    # id, text, line, field, fragments of the message
    ("not-yaml", base(tail="coalitions: [[A, B]\n"), 18, None,
     ["not valid YAML", "expected ',' or ']'"]),
    ("control-character", base(tail="description: bad \x1f char\n"), 17, None,
     ["not valid YAML", "is not allowed in a YAML file"]),
    ("not-a-mapping", "- just\n- a list\n", 1, None,
     ["expected a mapping with the fields name, decision_makers"]),
    ("unknown-top-field", base(tail="colour: red\n"), 17, "colour",
     ["unknown field 'colour'", "expected one of: detente, name,"]),
    ("unknown-option-field", base("direction: fwd", "direction: fwd\n        dirn: back"), 8,
     "decision_makers[0].options[1].dirn",
     ["unknown field 'dirn'", "expected one of: name, description, direction"]),
    ("unknown-statement-field", base("rationale: why not", "rationle: why not"), 12,
     "decision_makers[0].preferences.statements[1].rationle",
     ["unknown field 'rationle'", "expected one of: statement, rationale"]),
    ("missing-name", base("name: Toy\n", ""), 1, "name", ["required field 'name' is missing"]),
    ("missing-preferences", base("    preferences:\n      statements: [b if a]\n", ""), 13,
     "decision_makers[1].preferences", ["required field 'preferences' is missing"]),
    ("missing-decision-makers", "name: Toy\n", 1, "decision_makers",
     ["required field 'decision_makers' is missing"]),
    ("no-decision-makers", "name: Toy\ndecision_makers: []\n", 2, "decision_makers",
     ["at least 1 item"]),
    ("statements-and-ranking", base("statements: [b if a]", "statements: [b]\n      ranking: [1]"),
     15, "decision_makers[1].preferences",
     ["give exactly one of statements, ranking or payoffs (found statements, ranking)"]),
    ("no-preferences-given", base("statements: [b if a]", "{}"), 15,
     "decision_makers[1].preferences", ["give exactly one of statements, ranking or payoffs"]),
    ("bad-direction", base("direction: fwd", "direction: forward"), 7,
     "decision_makers[0].options[1].direction", ["'both', 'fwd' or 'back'", "got 'forward'"]),
    ("statement-not-text", base("statements: [b if a]", "statements: [3]"), 16,
     "decision_makers[1].preferences.statements[0]",
     ["expected text, a mapping with statement and rationale or a mapping with "
      "unknown_order, got 3"]),
    ("unknown-option-in-statement", base("not a2", "not a3"), 11,
     "decision_makers[0].preferences.statements[1]",
     ["unknown option 'a3' in statement 'not a3'", "expected one of: a, a2, b",
      "    not a3\n        ^"]),
    ("malformed-statement", base("[b if a]", "[b if or a]"), 16,
     "decision_makers[1].preferences.statements[0]",
     ["malformed statement 'b if or a'", "found 'or' at column 6",
      "expected an option name, 'not' or '('", "    b if or a\n         ^"]),
    ("unclosed-paren", base("[b if a]", "['(b if a']"), 16,
     "decision_makers[1].preferences.statements[0]",
     ["expected ')'; found the end of the statement at column 8", "    (b if a\n           ^"]),
    ("empty-statement", base("[b if a]", "['']"), 16,
     "decision_makers[1].preferences.statements[0]", ["empty preference statement"]),
    ("option-controlled-by-two-dms", base("[{name: b}]", "[{name: a}]"), 14,
     "decision_makers[1].options[0].name",
     ["option 'a' is declared twice (also at decision_makers[0].options[0].name)",
      "controlled by exactly one decision maker"]),
    ("duplicate-dm", base("- name: B", "- name: A"), 13, "decision_makers[1].name",
     ["duplicate decision maker name 'A'", "expected unique names"]),
    ("empty-dm-name", base("- name: B", "- name: ' '"), 13, "decision_makers[1].name",
     ["empty decision maker name"]),
    ("invalid-option-name", base("name: a2", "name: 2a"), 6, "decision_makers[0].options[1].name",
     ["option name '2a' is not valid", "expected an identifier"]),
    ("keyword-option-name", base("name: a2", "name: iff"), 6,
     "decision_makers[0].options[1].name", ["option name 'iff' is not valid", "keywords"]),
    ("unknown-option-in-constraint", base(tail="infeasible:\n  - mutually_exclusive: [a, zz]\n"),
     18, "infeasible[0].mutually_exclusive[1]",
     ["unknown option 'zz'", "expected one of: a, a2, b"]),
    ("unknown-option-in-pattern-map", base(tail="infeasible:\n  - pattern: {a: Y, q: N}\n"), 18,
     "infeasible[0].pattern.q", ["unknown option 'q'"]),
    ("bad-value-in-pattern-map", base(tail="infeasible:\n  - pattern: {a: yes}\n"), 18,
     "infeasible[0].pattern.a", ["'Y' or 'N'", "got 'yes'"]),
    ("repeated-member", base(tail="infeasible:\n  - at_least_one: [b, b]\n"), 18,
     "infeasible[0].at_least_one[1]", ["option 'b' is listed twice"]),
    ("two-constraint-kinds", base(tail="infeasible:\n  - at_least_one: [a]\n    pattern: Y--\n"),
     18, "infeasible[0]", ["give exactly one of pattern, mutually_exclusive or at_least_one"]),
    ("bad-pattern-length", base(tail="infeasible:\n  - pattern: YY\n"), 18,
     "infeasible[0].pattern",
     ["state pattern 'YY' must have one of Y, N or - for each of the 3 options (a, a2, b)"]),
    ("empty-feasible-set", base(tail="infeasible:\n  - pattern: {a: Y}\n  - pattern: {a: N}\n"),
     17, "infeasible",
     ["the infeasibility conditions rule out every state", "expected at least one feasible"]),
    ("ranking-misses-states", base("statements: [b if a]", "ranking: [NNN, YNN]"), 16,
     "decision_makers[1].preferences.ranking",
     ["ranking must cover every feasible state; missing NYN, YYN, NNY, YNY, NYY and 1 more"]),
    ("ranking-infeasible-state",
     base("statements: [b if a]", "ranking: [YYN, '---']", "infeasible:\n  - pattern: YY-\n"),
     16, "decision_makers[1].preferences.ranking[0]",
     ["state YYN is not feasible (ruled out by infeasible[0], a and a2)"]),
    ("ranking-duplicate-state", base("statements: [b if a]", "ranking: [YNN, [NNN, YNN], '---']"),
     16, "decision_makers[1].preferences.ranking[1]",
     ["state YNN is already given at decision_makers[1].preferences.ranking[0]",
      "expected each feasible state exactly once"]),
    ("ranking-pattern-overlap", base("statements: [b if a]", "ranking: [YNN, '---']"), 16,
     "decision_makers[1].preferences.ranking[1]",
     ["pattern '---' includes state YNN, which is already given at "
      "decision_makers[1].preferences.ranking[0]"]),
    ("ranking-pattern-matches-nothing",
     base("statements: [b if a]", "ranking: ['YY-', '---']", "infeasible:\n  - pattern: YY-\n"),
     16, "decision_makers[1].preferences.ranking[0]",
     ["pattern 'YY-' matches no feasible state"]),
    ("ranking-number-out-of-range", base("statements: [b if a]", "ranking: [9, '---']"), 16,
     "decision_makers[1].preferences.ranking[0]", ["state number 9 is out of range 1..8"]),
    ("ranking-bad-entry", base("statements: [b if a]", "ranking: [1.5]"), 16,
     "decision_makers[1].preferences.ranking[0]", ["expected text, a whole number or a list"]),
    ("payoffs-miss-states", base("statements: [b if a]", "payoffs: [{state: NNN, value: 1}]"), 16,
     "decision_makers[1].preferences.payoffs", ["payoffs must cover every feasible state"]),
    ("payoff-not-a-number",
     base("statements: [b if a]", "payoffs: [{state: '---', value: high}]"), 16,
     "decision_makers[1].preferences.payoffs[0].value", ["valid number", "got 'high'"]),
    ("status-quo-infeasible", base(tail="infeasible:\n  - pattern: YY-\nstatus_quo: YYN\n"), 19,
     "status_quo", ["state YYN is not feasible"]),
    ("status-quo-pattern", base(tail="status_quo: Y-N\n"), 17, "status_quo",
     ["must give Y or N for every option, not '-'"]),
    ("status-quo-short", base(tail="status_quo: YN\n"), 17, "status_quo",
     ["state pattern 'YN' must have one of Y, N or - for each of the 3 options"]),
    ("status-quo-mapping-incomplete", base(tail="status_quo: {a: Y}\n"), 17, "status_quo",
     ["state is missing options: a2, b"]),
    ("coalition-unknown-dm", base(tail="coalitions:\n  - [A, C]\n"), 18, "coalitions[0][1]",
     ["unknown decision maker 'C'; expected one of: A, B"]),
    ("coalition-too-small", base(tail="coalitions:\n  - [A, A]\n"), 18, "coalitions[0]",
     ["needs two or more distinct members"]),
    ("format-version", base(tail="detente: 2\n"), 17, "detente", ["Input should be 1"]),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in ERRORS],
)
def test_error_names_file_line_field_and_expectation(
    write_model: WriteModel, text: str, line: int | None, field: str | None,
    fragments: list[str],
) -> None:
    path = write_model(text, "bad_model.yaml")
    with pytest.raises(ModelError) as err:
        detente.load(path)
    e = err.value
    shown = str(e)
    assert e.source == str(path)
    assert shown.startswith(f"{path}:{line}:"), shown
    assert e.line == line, shown
    assert e.field == field, shown
    if field:
        assert f": {field}: " in shown.splitlines()[0]
    for fragment in fragments:
        assert fragment in shown, shown


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read the file") as err:
        load(tmp_path / "missing.yaml")
    assert err.value.source == str(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(ModelError, match="not UTF-8"):
        load(latin)


def test_loads_uses_the_given_source_name() -> None:
    with pytest.raises(ModelError) as err:
        loads("name: x\n", source="inline")
    assert str(err.value).startswith("inline:1: decision_makers: ")


def test_valid_variants_load(write_model: WriteModel) -> None:
    """Forms the format allows: state numbers, mappings, lower-case states, ties in payoffs."""
    text = base("statements: [b if a]",
                "payoffs:\n        - {state: '--N', value: 1}\n        - {state: '--Y', value: 2}",
                "infeasible:\n  - pattern: 'yy-'\n    reason: not both\n"
                "status_quo: {a: N, a2: Y, b: N}\n")
    c = load(write_model(text))
    assert c.n_states == 6 and c.status_quo == 2
    assert c.ranks[1].tolist() == [0, 0, 0, 1, 1, 1]
    assert c.constraints[0].reason == "not both"
