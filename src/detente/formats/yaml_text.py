"""Read YAML text into plain data with bounded work, whatever the text holds.

A few hundred bytes of YAML can describe an unbounded amount of data: anchors and aliases
("billion laughs") and merge keys repeat whole subtrees, and deep nesting drives the
recursive composer. Before anything is built, the event stream is checked as it is read:

- no character YAML forbids (located);
- nesting at most :data:`MAX_DEPTH` levels;
- aliases (``*name``, including ``<<: *name``) expand to at most :data:`MAX_ALIAS_NODES`
  values beyond those written out, so the data built is at most the text's own values plus
  that fixed budget (:func:`expanded_nodes` counts it without expanding anything).

The loader reads the text once: its parser hands each event to the check (:class:`_Guard`)
before the composer sees it, so a refusal comes at the offending alias or collection, after at
most the text's own nodes (one per event) have been composed, and the data is constructed
(aliases and merge keys expanded) only once every event has passed. The text is loaded with
plain tags only and copied into plain dicts and lists.

>>> read_yaml("a: &x [1, 2]\\nb: *x\\n", "<doc>")
{'a': [1, 2], 'b': [1, 2]}
>>> laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
...     f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\\n" for p, c in zip("abcdefg", "bcdefgh"))
>>> read_yaml(laughs, "<bomb>")
Traceback (most recent call last):
...
detente.model.errors.ModelError: <bomb>:5:36: the YAML aliases expand the data by more ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    ScalarEvent,
)
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.reader import ReaderError

from detente.model.errors import ModelError

#: Deepest nesting of mappings and lists a model file may have (a model needs about 6).
MAX_DEPTH = 32

#: Values that aliases may add beyond those written in the text (a model repeating its
#: statement lists through anchors needs a few thousand).
MAX_ALIAS_NODES = 100_000

#: Characters YAML does not allow in a stream (C0/C1 controls other than tab and line
#: breaks, DEL, lone surrogates and the non-characters U+FFFE, U+FFFF).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

#: Tags a model file may carry (implicit or written): plain data only.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "seq", "map", "merge", "timestamp")
)

_OPEN = np.array([ord("["), ord("{")], dtype=np.uint32)
_CLOSE = np.array([ord("]"), ord("}")], dtype=np.uint32)


class _SafeConstructor(RoundTripConstructor):
    """Round-trip constructor that builds plain data only, and turns a value its tag cannot
    hold (``!!float abc``, ``!!bool maybe``) into a located error instead of a crash."""

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        name = str(tag if tag is not None else node.tag)
        if name not in _PLAIN_TAGS:
            raise ConstructorError(
                None, None,
                f"the tag {name.replace('tag:yaml.org,2002:', '!!')} is not supported; "
                "expected plain text, numbers, true/false, lists and mappings",
                node.start_mark,
            )
        try:
            return super().construct_non_recursive_object(node, tag)
        except MarkedYAMLError:
            raise
        except (ValueError, KeyError, TypeError, OverflowError, IndexError):
            shown = node.value if isinstance(node.value, str) else "this value"
            raise ConstructorError(
                None, None,
                f"{shown!r} cannot be read as {name.replace('tag:yaml.org,2002:', '!!')}",
                node.start_mark,
            ) from None


class _GuardedParser(RoundTripParser):
    """Round-trip parser that shows every event to its loader's :class:`_Guard` (if any) as
    the event is parsed, before the composer sees it."""

    def _next(self) -> None:
        if self.current_event is None and self.state:
            self.current_event = self.state()
            guard = getattr(self.loader, "detente_guard", None)
            if guard is not None and self.current_event is not None:
                guard.see(self.current_event)

    def check_event(self, *choices: Any) -> bool:
        self._next()
        return bool(super().check_event(*choices))

    def peek_event(self) -> Any:
        self._next()
        return super().peek_event()

    def get_event(self) -> Any:
        self._next()
        return super().get_event()


def _yaml(guard: _Guard | None = None) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _SafeConstructor
    yaml.Parser = _GuardedParser
    yaml.detente_guard = guard  # type: ignore[attr-defined]
    return yaml


def _located(message: str, source: str, mark: Any) -> ModelError:
    return ModelError(message, source=source,
                      line=mark.line + 1 if mark is not None else None,
                      column=mark.column + 1 if mark is not None else None)


def check_characters(text: str, source: str) -> None:
    """Refuse a character that YAML does not allow, at its line and column."""
    m = _FORBIDDEN.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise ModelError(
            f"not valid YAML: the control character {m.group()!r} is not allowed in a YAML "
            "file (only tab and line breaks are)", source=source, line=line, column=column,
        )


def _may_be_deep(text: str) -> bool:
    """A cheap bound: brackets or indentation that could mean nesting past MAX_DEPTH."""
    data = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if data.size and int(np.cumsum(np.isin(data, _OPEN).astype(np.int32)
                                   - np.isin(data, _CLOSE).astype(np.int32)).max()) > MAX_DEPTH:
        return True
    indent = max((len(m) for m in re.findall(r"^[ \t-]*", text, re.M)), default=0)
    return indent > 2 * MAX_DEPTH


def _may_alias(text: str) -> bool:
    """Aliases start with ``*``: a text without one has none."""
    return "*" in text


@dataclass
class _Open:
    """A mapping or list being read: the values it holds, expanded, and its anchor."""

    nodes: int
    anchor: str | None


class _Guard:
    """Nesting and alias expansion of an event stream, counted event by event: refuses (a
    located :class:`ModelError`) the collection that passes MAX_DEPTH and the alias that
    passes ``budget`` values beyond those written."""

    def __init__(self, source: str, budget: int = MAX_ALIAS_NODES) -> None:
        self.source, self.budget = source, budget
        self.anchors: dict[str, int] = {}
        self.stack: list[_Open] = [_Open(0, None)]
        self.written = self.expanded = 0

    def see(self, event: Event) -> None:
        stack = self.stack
        if isinstance(event, CollectionStartEvent):
            if len(stack) > MAX_DEPTH:
                raise _located(
                    f"mappings and lists are nested more than {MAX_DEPTH} levels deep; a "
                    "model file needs far fewer", self.source, event.start_mark)
            stack.append(_Open(1, event.anchor))
            self.written += 1
        elif isinstance(event, CollectionEndEvent) and len(stack) > 1:
            done = stack.pop()
            stack[-1].nodes += done.nodes
            if done.anchor is not None:
                self.anchors[done.anchor] = done.nodes
        elif isinstance(event, ScalarEvent):
            stack[-1].nodes += 1
            self.written += 1
            if event.anchor is not None:
                self.anchors[event.anchor] = 1
        elif isinstance(event, AliasEvent):
            size = self.anchors.get(str(event.anchor), 1)
            stack[-1].nodes += size
            self.expanded += size
            if self.expanded > self.budget:
                raise _located(
                    f"the YAML aliases expand the data by more than {self.budget:,} values "
                    f"(the alias *{event.anchor} here repeats {size:,}); a model file "
                    "needs far fewer: write the repeated parts out, or repeat less",
                    self.source, event.start_mark)


def _events(text: str) -> Iterator[Event]:
    yield from _yaml().parse(text)


def expanded_nodes(text: str, source: str = "<string>", budget: int = MAX_ALIAS_NODES) -> int:
    """Values the text's data holds once its aliases are expanded (scalars, mappings and
    lists; mapping keys count as values), checked against the nesting limit and the alias
    ``budget`` as the events stream by: nothing is expanded or built.

    Raises :class:`ModelError` at the alias that passes the budget or the collection that
    passes MAX_DEPTH. Text that is not valid YAML is left to the loader to locate.

    >>> expanded_nodes("a: &x [1, 2, 3]\\nb: *x\\nc: *x\\n")
    16
    """
    guard = _Guard(source, budget)
    try:
        for event in _events(text):
            guard.see(event)
    except (YAMLError, RecursionError):
        pass  # not valid YAML: the loader says where
    return guard.written + guard.expanded


def check_structure(text: str, source: str = "<string>") -> None:
    """Refuse text whose nesting or alias expansion is too large, before it is loaded."""
    check_characters(text, source)
    if _may_be_deep(text) or _may_alias(text):
        expanded_nodes(text, source)


def read_yaml(text: str, source: str = "<string>") -> Any:
    """YAML text as plain data (dicts, lists, scalars), with bounded work and located errors.

    The ruamel data keeps line numbers: :func:`load_yaml` returns it, for error messages.
    """
    return to_plain(load_yaml(text, source), source)


def load_yaml(text: str, source: str = "<string>") -> Any:
    """The text's ruamel round-trip data (which knows line numbers), with the checks of
    :func:`check_structure` made on the events as the one parse reads them."""
    check_characters(text, source)
    try:
        return _yaml(_Guard(source, MAX_ALIAS_NODES)).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _located(f"not valid YAML: {exc.problem or exc.context}", source, mark) from None
    except ReaderError as exc:  # a character YAML does not allow (e.g. a control character)
        before = text[: exc.position]
        raise ModelError(
            f"not valid YAML: character U+{exc.character:04X} is not allowed in a YAML file "
            f"({exc.reason})",
            source=source,
            line=before.count("\n") + 1,
            column=exc.position - (before.rfind("\n") + 1) + 1,
        ) from None
    except YAMLError as exc:  # e.g. a reader error on odd input
        raise ModelError(f"not valid YAML: {exc}", source=source) from None
    except RecursionError:
        raise ModelError(
            f"not valid YAML: mappings and lists are nested too deeply (a model file nests "
            f"at most {MAX_DEPTH} levels)", source=source,
        ) from None


def to_plain(node: Any, source: str | None = None) -> Any:
    """Plain dicts and lists of loaded data; refuses self-referencing aliases and nesting
    past MAX_DEPTH (at the node's line)."""
    try:
        return _plain(node)
    except ModelError as exc:
        raise exc.located(source=source) from None


def _plain(node: Any, depth: int = 0, path: tuple[int, ...] = ()) -> Any:
    if not isinstance(node, dict | list):
        return node
    if depth >= MAX_DEPTH:
        raise ModelError(f"mappings and lists are nested more than {MAX_DEPTH} levels deep; a "
                         "model file needs far fewer", line=_node_line(node))
    if id(node) in path:
        raise ModelError("a YAML alias refers to a mapping or list that contains it (a "
                         "self-referencing alias); expected plain data", line=_node_line(node))
    inner = (*path, id(node))
    if isinstance(node, dict):
        return {str(k): _plain(v, depth + 1, inner) for k, v in node.items()}
    return [_plain(v, depth + 1, inner) for v in node]


def _node_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None
