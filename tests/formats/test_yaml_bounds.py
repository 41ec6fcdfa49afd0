"""Bounded work for every YAML text: aliases ("billion laughs"), merge keys and deep nesting
are refused before anything is built, in the Python API, the command line and the web API
(issue 16, items 1 and 3)."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_runner import run
from detente.formats.native import loads
from detente.formats.yaml_text import MAX_ALIAS_NODES, MAX_DEPTH, expanded_nodes, read_yaml
from detente.model.errors import ModelError
from model_texts import TWO_DMS
from web_helpers import client

BASE = TWO_DMS  # two DMs, one option each


def laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: each level repeats the one before ``width`` times
    (``width ** levels`` values from a few hundred bytes)."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return BASE + "\n".join(lines) + "\n"


def merge_bomb(levels: int = 12) -> str:
    """Merge keys that double at each level: ``<<: [*m0, *m0]`` nested."""
    lines = ["m0: &m0 {k0: v}"]
    lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}], k{i}: [*m{i - 1}, *m{i - 1}]}}"
              for i in range(1, levels)]
    return BASE + "\n".join(lines) + "\n"


def merge_chain(n: int) -> str:
    """Each mapping merges the one before: quadratic data from linear text."""
    lines = ["c0: &c0 {k0: 0}"]
    lines += [f"c{i}: &c{i} {{<<: *c{i - 1}, k{i}: {i}}}" for i in range(1, n)]
    return BASE + "\n".join(lines) + "\n"


def count(node: Any) -> int:
    """Values in plain data, as expanded_nodes counts them (keys count as values)."""
    if isinstance(node, dict):
        return 1 + sum(1 + count(v) for v in node.values())
    if isinstance(node, list):
        return 1 + sum(count(v) for v in node)
    return 1


@pytest.mark.parametrize("text", [laughs(), merge_bomb(), merge_chain(2_000)],
                         ids=["laughs", "merge-doubling", "merge-chain"])
def test_alias_bombs_are_refused_fast_and_small(text: str) -> None:
    assert len(text) < 150_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ModelError, match="aliases expand the data by more than") as info:
        loads(text, source="bomb.yaml")
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.value.source == "bomb.yaml" and info.value.line is not None
    assert seconds < 5, seconds
    assert peak < 64 * 2**20, peak


def test_the_issue_sized_bomb_is_a_few_hundred_bytes() -> None:
    text = laughs()
    assert len(text) - len(BASE) < 500
    with pytest.raises(ModelError):
        read_yaml(text)


def test_aliases_within_budget_still_load() -> None:
    text = BASE.replace("preferences: {statements: [a]}", "preferences: &p {statements: [a]}")
    text = text.replace("preferences: {statements: [b]}", "preferences: *p")
    model = loads(text)  # B shares A's statement list through the alias
    assert model.dms[1].preference == model.dms[0].preference
    shared = BASE + "sources: &s [one, two]\ndescription: x\n"
    assert loads(shared).sources == ("one", "two")


@pytest.mark.parametrize("extra", ["sources: &e [*e]", "description: &e {k: *e}",
                                   "deal: &e {name: d, phases: [*e]}"])
def test_self_referencing_alias_is_refused(extra: str) -> None:
    with pytest.raises(ModelError):
        loads(BASE + extra + "\n")


@pytest.mark.slow
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 600, 2_000])
def test_deep_nesting_is_located(depth: int) -> None:
    for nested in ("[" * depth + "]" * depth,
                   "".join(f"\n{'  ' * k}k{k}:" for k in range(depth)) + " 1"):
        with pytest.raises(ModelError, match="nested"):
            loads(BASE + "sources: " + nested + "\n")


def test_command_line_refuses_the_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(laughs(), encoding="utf-8")
    started = time.perf_counter()
    result = run("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "bomb.yaml" in result.output and "aliases expand" in result.output
    assert time.perf_counter() - started < 10


@pytest.mark.slow
@pytest.mark.parametrize("text", [laughs(), merge_bomb(), BASE + "sources: " + "[" * 600
                                  + "]" * 600 + "\n", "k:\n" + "".join(
                                      f"{'  ' * (k + 1)}- \n" for k in range(700))])
def test_web_validate_and_create_answer_4xx_quickly(tmp_path: Path, text: str) -> None:
    with client(tmp_path) as c:
        started = time.perf_counter()
        checked = c.post("/api/validate", json={"yaml": text})
        assert checked.status_code == 200 and checked.json()["ok"] is False, checked.text
        assert checked.json()["error"]["line"] is not None
        created = c.post("/api/models", json={"yaml": text})
        assert created.status_code == 422, created.text
        assert time.perf_counter() - started < 10


# ----- the budget, as a property ---------------------------------------------------------
_names = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def aliased_yaml(draw: st.DrawFn) -> str:
    """YAML documents built of anchored lists and mappings whose items are scalars or
    aliases of earlier anchors (sometimes merged), nested a few levels."""
    lines: list[str] = []
    anchors: list[str] = []
    for k in range(draw(st.integers(1, 12))):
        width = draw(st.integers(1, 12))
        items: list[str] = []
        for _ in range(width):
            if anchors and draw(st.booleans()):
                items.append(f"*{draw(st.sampled_from(anchors))}")
            else:
                items.append(draw(_names))
        if draw(st.booleans()):
            body = f"[{', '.join(items)}]"
        else:
            merge = [f"<<: *{a}" for a in anchors[-1:] if draw(st.booleans())
                     and not a.startswith("s")]
            pairs = [f"k{j}: {v}" for j, v in enumerate(items)]
            body = "{" + ", ".join(merge + pairs) + "}"
            anchors_kind = "m"
            body_anchor = f"{anchors_kind}{k}"
            lines.append(f"e{k}: &{body_anchor} {body}")
            anchors.append(body_anchor)
            continue
        lines.append(f"e{k}: &s{k} {body}")
        anchors.append(f"s{k}")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(aliased_yaml())
def test_no_text_builds_more_than_its_budget(text: str) -> None:
    """What a text builds is bounded by what it writes plus the fixed alias budget, and the
    event count never under-counts what is built."""
    try:
        data = read_yaml(text)
    except ModelError as exc:
        assert "aliases expand" in exc.message
        return
    built = count(data)
    assert built <= expanded_nodes(text)
    assert built <= 3 * len(text) + MAX_ALIAS_NODES
