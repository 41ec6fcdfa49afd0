"""The model file's YAML is parsed once: the alias/nesting guard reads the same events as the
loader (issue 17 item 5), and refuses exactly what its own pass over the events refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.parser import Parser

from detente.formats import yaml_text
from detente.formats.yaml_text import expanded_nodes, load_yaml, read_yaml, to_plain
from detente.model.errors import ModelError

FLAGSHIP = "tests/data/ceasefire_2024_coarse.yaml"


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time ruamel starts parsing a stream."""
    starts: list[int] = []
    original = Parser.parse_stream_start

    def counted(self: Any) -> Any:
        starts.append(1)
        return original(self)

    monkeypatch.setattr(Parser, "parse_stream_start", counted)
    return starts


def test_the_flagship_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    text = Path(FLAGSHIP).read_text(encoding="utf-8")
    assert "*" in text  # the old guard ran a second parse for any "*"
    starts = _count_parses(monkeypatch)
    load_yaml(text, FLAGSHIP)
    assert len(starts) == 1
    expanded_nodes(text)  # the guard's own pass (check_structure) still parses on its own
    assert len(starts) == 2


def test_a_bomb_is_refused_before_anything_is_constructed(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    constructed: list[int] = []
    original = yaml_text._SafeConstructor.construct_document

    def recorded(self: Any, node: Any) -> Any:
        constructed.append(1)
        return original(self, node)

    monkeypatch.setattr(yaml_text._SafeConstructor, "construct_document", recorded)
    with pytest.raises(ModelError, match="aliases expand") as info:
        load_yaml(text, "bomb.yaml")
    assert (info.value.line, info.value.column) == (5, 36)
    assert constructed == []
    assert load_yaml("a: &a [1]\nb: *a\n") == {"a": [1], "b": [1]} and constructed == [1]


def test_deep_nesting_is_refused_at_the_collection() -> None:
    depth = yaml_text.MAX_DEPTH + 1
    with pytest.raises(ModelError, match="nested more than") as info:
        load_yaml("[" * depth + "]" * depth, "deep.yaml")
    assert (info.value.line, info.value.column) == (1, depth)


_words = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def anchored_yaml(draw: st.DrawFn) -> str:
    """Anchored lists and mappings (some merged) whose items are words or aliases of earlier
    anchors, some inside nested lists."""
    lines: list[str] = []
    anchors: list[str] = []
    for k in range(draw(st.integers(1, 8))):
        items = [
            f"*{draw(st.sampled_from(anchors))}"
            if anchors and draw(st.booleans())
            else draw(_words)
            for _ in range(draw(st.integers(1, 8)))
        ]
        if draw(st.booleans()):
            items = [f"[{i}, [{i}]]" if draw(st.booleans()) else i for i in items]
            lines.append(f"e{k}: &s{k} [{', '.join(items)}]")
            anchors.append(f"s{k}")
        else:
            merge = [f"<<: *{a}" for a in anchors[-1:] if a.startswith("m") and draw(st.booleans())]
            pairs = [f"k{j}: {v}" for j, v in enumerate(items)]
            lines.append(f"e{k}: &m{k} {{{', '.join(merge + pairs)}}}")
            anchors.append(f"m{k}")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(anchored_yaml(), st.integers(0, 400))
def test_the_one_pass_refuses_what_the_event_pass_refuses(text: str, budget: int) -> None:
    """With any alias budget: the load refuses a text (at the same place, with the same
    message) exactly when the guard's separate pass over the events does, and what it loads
    is ruamel's own reading of the text."""
    try:
        expanded_nodes(text, "t.yaml", budget)
        expected: ModelError | None = None
    except ModelError as exc:
        expected = exc
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml_text, "MAX_ALIAS_NODES", budget)
        try:
            got = read_yaml(text, "t.yaml")
        except ModelError as exc:
            assert expected is not None, exc
            assert (exc.message, exc.line, exc.column) == (
                expected.message,
                expected.line,
                expected.column,
            )
            return
    assert expected is None
    assert got == to_plain(YAML(typ="rt").load(text))
