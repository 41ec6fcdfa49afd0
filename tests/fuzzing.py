"""The mutation fuzzer of detente's model files and commands, shared by ``tests/test_fuzz.py``
(a short seeded pass) and ``benchmarks/bench_fuzz.py`` (a long one).

Seeds are the bundled examples, the .gmcr test files and synthetic models that hold every
section of the model file (:data:`SYNTHETIC_SEEDS`). A case is one seed mutated:

* at the data level, one section at a time. The sections and the types inside them are read
  from :class:`detente.formats.spec.ModelSpec` (:func:`spec_sections`), so a section added to
  the spec is mutated, and generated when a seed lacks it, without a change here. Operations:
  drop, duplicate or swap entries, wrong types, huge/negative/NaN numbers, odd names
  (whitespace, unicode, keywords), empty and long lists, deep nesting, aliases (shared nodes,
  written as YAML anchors) and alias bombs, broad state patterns (``-----``), values generated
  afresh from the spec with the model's own names;
* at the text level (:func:`mutate_text`), on the YAML written from the data or on the file;
* for .gmcr files, in their JSON (:func:`mutate_json`).

:func:`run_case` runs every command (:data:`COMMANDS`) on a case in a forked child process, one
after another, each under a time budget (the child is killed past it) and a memory budget (the
peak resident memory the command added, read from ``/proc/self/status`` after resetting the
peak; an address-space limit stops a runaway first). Anything other than a
:class:`~detente.model.errors.DetenteError` fails, and so does JSON output with NaN. A sample of
cases also goes through the command line (in the child, and a few as real ``detente``
processes), whose exit status must be 0 or 2. A failure names the seed, the case number, the
file it was written to and the command line that reproduces it.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import random
import re
import resource
import select
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from ruamel.yaml import YAML

from detente.formats.spec import ModelSpec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GMCR_FILES = sorted((ROOT / "tests" / "data" / "gmcr").glob("*.gmcr"))
#: Examples too slow for the short pass (each command runs on every case).
LARGE_EXAMPLES = ("ceasefire_2024",)

Doc = Any
Path_ = tuple[Any, ...]


# ----- text and JSON mutations ------------------------------------------------------------------
ODD = [
    "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "²", "①", "٣", "\U0001f600",
    "!!float abc", "!!bool maybe", "!!timestamp 2020-13-45", "!!int x", "!!binary ###",
    "!!python/object:os.system", "!foo", "&a", "*a", "*nope", "<<: *a", "? ", "{", "}", "[",
    "]", ":", "- ", "#", "'", '"', "\t", "\n", "  ", "~", "null", "yes", "1e999", "-0",
    "9" * 30, "not " * 200, " and a" * 300, "(" * 50, ")" * 50, " iff x" * 14,
]


def mutate_text(text: str, rnd: random.Random) -> str:
    """One to three random text edits: cut, repeat, insert odd text, swap or drop lines, nest."""
    for _ in range(rnd.randint(1, 3)):
        n = len(text)
        i = rnd.randrange(n + 1)
        j = min(n, i + rnd.randint(0, 40))
        kind = rnd.randrange(8)
        if kind == 0:  # cut a span
            text = text[:i] + text[j:]
        elif kind == 1:  # repeat a span
            text = text[:j] + text[i:j] + text[j:]
        elif kind == 2:  # insert something odd
            text = text[:i] + rnd.choice(ODD) + text[i:]
        elif kind == 3:  # swap two lines
            lines = text.split("\n")
            a, b = rnd.randrange(len(lines)), rnd.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif kind == 4:  # replace a value after a colon
            k = text.find(": ", i)
            if k >= 0:
                end = text.find("\n", k)
                end = len(text) if end < 0 else end
                text = text[: k + 2] + rnd.choice(ODD) + text[end:]
        elif kind == 5:  # deep nesting
            depth = rnd.choice([40, 400, 2000])
            text = text[:i] + "[" * depth + "]" * depth + text[i:]
        elif kind == 6:  # a random byte-ish character
            text = text[:i] + chr(rnd.choice([rnd.randrange(32), rnd.randrange(0x80, 0x3000)])) \
                + text[i:]
        else:  # drop a line
            lines = text.split("\n")
            del lines[rnd.randrange(len(lines))]
            text = "\n".join(lines)
    return text


_VALUES: list[Callable[[random.Random], Any]] = [
    lambda r: None, lambda r: True, lambda r: -1, lambda r: 0, lambda r: 10**30,
    lambda r: 1.5, lambda r: float("1e308"), lambda r: "", lambda r: " A ", lambda r: "\ud800",
    lambda r: "Y", lambda r: "N", lambda r: "x" * 5000, lambda r: [], lambda r: {},
    lambda r: [[0, "Y"]], lambda r: {"compound": True, "members": []}, lambda r: [0, 1, 2],
    lambda r: r.randint(-3, 40), lambda r: "²", lambda r: [[[[[[[]]]]]]],
]


def nodes(doc: Doc, path: Path_ = (), seen: set[int] | None = None) -> Iterator[Path_]:
    """Every path in a parsed document (keys and list indexes), the root first; a node shared
    by several paths (an alias) is entered once."""
    yield path
    seen = set() if seen is None else seen
    if isinstance(doc, (dict, list)):
        if id(doc) in seen:
            return
        seen.add(id(doc))
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from nodes(v, (*path, k), seen)
    elif isinstance(doc, list):
        for k, v in enumerate(doc):
            yield from nodes(v, (*path, k), seen)


def mutate_json(doc: Doc, rnd: random.Random) -> Doc:
    """Replace, drop or duplicate a random node of a parsed JSON document (a copy)."""
    doc = copy.deepcopy(doc)
    for _ in range(rnd.choice([1, 1, 2, 3])):
        paths = [p for p in nodes(doc) if p]
        if not paths:
            return doc
        path = rnd.choice(paths)
        parent = _get(doc, path[:-1])
        last = path[-1]
        kind = rnd.randrange(4)
        if kind == 0 and isinstance(parent, list):
            del parent[last]
        elif kind == 1 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif kind == 2 and isinstance(parent, dict) and rnd.random() < 0.5:
            del parent[last]
        else:
            parent[last] = rnd.choice(_VALUES)(rnd)
    return doc


# ----- the spec, walked --------------------------------------------------------------------------
def spec_sections() -> dict[str, Any]:
    """The model file's top-level fields and their annotations, read from ModelSpec."""
    return {name: f.annotation for name, f in ModelSpec.model_fields.items()}


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _members(ann: Any) -> tuple[Any, ...]:
    """The members of a union annotation (``X | Y``, Optional), or the annotation itself."""
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return typing.get_args(ann)
    return (ann,)


def spec_fields(ann: Any = ModelSpec) -> set[str]:
    """Every field of the spec, as ``Class.field`` (each class once, wherever it is used)."""
    out: set[str] = set()
    for member in _members(ann):
        origin = typing.get_origin(member)
        if _is_model(member):
            for name, f in member.model_fields.items():
                key = f"{member.__name__}.{name}"
                if key not in out:
                    out |= {key} | spec_fields(f.annotation)
        elif origin in (list, dict):
            out |= spec_fields(typing.get_args(member)[-1])
    return out


def doc_fields(doc: Doc, ann: Any = ModelSpec) -> set[str]:
    """The fields of the spec (as :func:`spec_fields` names them) that a document fills."""
    out: set[str] = set()
    ann = _fit(ann, doc)
    origin = typing.get_origin(ann)
    if _is_model(ann) and isinstance(doc, dict):
        for k, v in doc.items():
            if k in ann.model_fields:
                out |= {f"{ann.__name__}.{k}"} | doc_fields(v, ann.model_fields[k].annotation)
    elif origin is list and isinstance(doc, list):
        for v in doc:
            out |= doc_fields(v, typing.get_args(ann)[0])
    elif origin is dict and isinstance(doc, dict):
        for v in doc.values():
            out |= doc_fields(v, typing.get_args(ann)[1])
    return out


def annotation_at(doc: Doc, path: Path_) -> tuple[Any, str]:
    """The spec annotation expected at ``path`` of ``doc`` and the nearest field name
    (``(None, name)`` where the document has left the spec)."""
    ann: Any = ModelSpec
    name = ""
    node = doc
    for part in path:
        ann = _fit(ann, node)
        origin = typing.get_origin(ann)
        if _is_model(ann) and isinstance(part, str) and part in ann.model_fields:
            ann, name = ann.model_fields[part].annotation, part
        elif origin is list and isinstance(part, int):
            ann = typing.get_args(ann)[0]
        elif origin is dict:
            ann = typing.get_args(ann)[1]
        else:
            return None, name
        node = node[part]
    return _fit(ann, node), name


def _fit(ann: Any, value: Any) -> Any:
    """The member of a union that ``value`` has the shape of (the first member otherwise)."""
    members = [m for m in _members(ann) if m is not type(None)] or [type(None)]
    models = [m for m in members if _is_model(m)]
    if isinstance(value, dict) and models:  # the model whose fields the keys name most
        return max(models, key=lambda m: len(set(value) & set(m.model_fields)))
    for m in members:
        origin = typing.get_origin(m) or m
        if isinstance(value, dict) and (_is_model(m) or origin is dict):
            return m
        if isinstance(value, list) and origin is list:
            return m
        if isinstance(value, bool) and m is bool:
            return m
        if isinstance(value, (int, float)) and not isinstance(value, bool) and m in (int, float):
            return m
        if isinstance(value, str) and (m is str or origin is Literal):
            return m
    return members[0]


def _is_state(ann: Any) -> bool:
    """A StateRef: a Y/N string or a state number."""
    flat = {m for m in _members(ann)}
    return str in flat and int in flat


# ----- the model's own words ---------------------------------------------------------------------
@dataclass
class Vocabulary:
    """Names found in a document, for generated values that refer to the model."""

    options: list[str]
    dms: list[str]

    @classmethod
    def of(cls, doc: Doc) -> Vocabulary:
        options: list[str] = []
        dms: list[str] = []
        for dm in _list(doc.get("decision_makers") if isinstance(doc, dict) else None):
            if isinstance(dm, dict):
                if isinstance(dm.get("name"), str):
                    dms.append(dm["name"])
                for o in _list(dm.get("options")):
                    if isinstance(o, dict) and isinstance(o.get("name"), str):
                        options.append(o["name"])
        return cls(options or ["a", "b"], dms or ["A", "B"])

    def state(self, rnd: random.Random) -> str | int:
        n = len(self.options)
        choices: list[str | int] = [
            "".join(rnd.choice("YN") for _ in range(n)),
            "".join(rnd.choice("YN-") for _ in range(n)),
            rnd.randint(1, 2**min(n, 6)),
        ]
        return rnd.choice(choices)

    def statement(self, rnd: random.Random) -> str:
        a, b = rnd.choice(self.options), rnd.choice(self.options)
        return rnd.choice([a, f"not {a}", f"{a} and {b}", f"{a} or not {b}", f"{a} if {b}",
                           f"{a} iff {b}", f"not ({a} and {b})"])

    def string(self, rnd: random.Random, hint: str) -> Any:
        """A string for a field called ``hint``: a name, a statement, a state or prose."""
        pools: dict[str, Callable[[], Any]] = {
            "option": lambda: rnd.choice(self.options),
            "dm": lambda: rnd.choice(self.dms),
            "statement": lambda: self.statement(rnd),
            "state": lambda: self.state(rnd),
            "text": lambda: rnd.choice(["", "why", "a rationale with ünïcode ✓", "x" * 200,
                                        MARKUP, f"[a]({MARKUP})", f"`{MARKUP}`"]),
            "concept": lambda: rnd.choice(["nash", "gmr", "smr", "seq", "sim", "seq_sim"]),
            "fresh": lambda: f"n{rnd.randrange(10**6)}",
        }
        kinds = {
            "mediators": "dm", "coalitions": "dm", "guarantors": "option",
            "mutually_exclusive": "option", "at_least_one": "option", "statement": "statement",
            "statements": "statement", "unknown_order": "statement", "candidates": "statement",
            "concepts": "concept", "rationale": "text", "description": "text",
            "reason": "text", "sources": "text", "status_quo_rationale": "text",
            "name": "fresh", "pattern": "state", "target": "state", "ranking": "state",
        }
        kind = kinds.get(hint) or rnd.choice(sorted(pools))
        return pools[kind]()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# ----- values from the spec ----------------------------------------------------------------------
def generate(ann: Any, voc: Vocabulary, rnd: random.Random, hint: str = "", depth: int = 0
             ) -> Any:
    """A value of type ``ann``, built from the model's names (often valid, sometimes not)."""
    members = [m for m in _members(ann) if m is not type(None)] or [type(None)]
    if _is_state(ann) and rnd.random() < 0.8:
        return voc.state(rnd)
    m = rnd.choice(members)
    origin = typing.get_origin(m)
    if _is_model(m):
        return _generate_model(m, voc, rnd, depth)
    if origin is Literal:
        return rnd.choice(typing.get_args(m))
    if origin is list:
        if depth > 4:
            return []
        return [generate(typing.get_args(m)[0], voc, rnd, hint, depth + 1)
                for _ in range(rnd.randint(1, 4))]
    if origin is dict:
        key_pool = voc.dms if hint == "candidates" else voc.options
        keys = rnd.sample(key_pool, k=min(len(key_pool), rnd.randint(1, 3)))
        return {k: generate(typing.get_args(m)[1], voc, rnd, hint, depth + 1) for k in keys}
    if m is bool:
        return rnd.random() < 0.5
    if m is int:
        return rnd.randint(0, 5)
    if m is float:
        return rnd.choice([0.1, 0.25, 0.5, 1.0, 3.0])
    if m is str:
        return voc.string(rnd, hint)
    return None


def _generate_model(model: type[BaseModel], voc: Vocabulary, rnd: random.Random, depth: int
                    ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    one_of = exactly_one_of(model)
    chosen = rnd.choice(one_of) if one_of and rnd.random() < 0.9 else None
    for name, f in model.model_fields.items():
        wanted = name == chosen if name in one_of and chosen else \
            f.is_required() or rnd.random() < 0.4
        if wanted:
            out[name] = generate(f.annotation, voc, rnd, name, depth + 1)
    return out


def exactly_one_of(model: type[BaseModel]) -> list[str]:
    """The fields of which a model needs exactly one, as its JSON Schema says (``oneOf``)."""
    extra: Any = model.model_config.get("json_schema_extra")
    alternatives: Any = extra.get("oneOf", []) if isinstance(extra, dict) else []
    return [str(n) for alt in alternatives for n in alt.get("required", [])]


# ----- data-level mutation -----------------------------------------------------------------------
NUMBERS: list[Any] = [
    float("nan"), float("inf"), float("-inf"), -1, 0, -0.0, 1e308, 10**30, 1e-300, 1.0000001,
    True, "0.5", 2**63, -(2**63), 0.999999999999,
]
#: Model text that must never reach a report as markup.
MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"
NAMES = [
    MARKUP, " A ", "A ", "", " ", "Ä", "naïve", "a b", "x\u200by", "\u00a0", "not", "and", "iff",
    "1abc", "x" * 300, "a\tb", "名前", "-", "main", "\U0001f600", "None", "null", "a.b",
]
STATEMENTS = [
    "not " * 60 + "{o}", " and ".join(["{o}"] * 40), "{o}" + " iff {o}" * 14, "(" * 50 + "{o}",
    "", "{o} or", "unknown_option", "{o} and not {o}", "not not {o}", "{o} if",
]


@dataclass
class Mutation:
    """A data-level mutation: the section it touched and what it did."""

    section: str
    op: str
    path: Path_


def mutate_doc(doc: Doc, rnd: random.Random, sections: Sequence[str] | None = None
               ) -> tuple[Doc, list[Mutation]]:
    """One to three data-level mutations of a copy of ``doc``, each in one section (drawn
    from ``sections``, default every field of ModelSpec)."""
    doc = copy.deepcopy(doc)
    if not isinstance(doc, dict):
        return doc, []
    names = list(sections or spec_sections())
    done = []
    for _ in range(rnd.choice([1, 1, 1, 1, 1, 1, 1, 2, 2, 3])):
        section = rnd.choices(names, _section_weights(doc, names))[0]
        done.append(_mutate_section(doc, section, rnd))
    return doc, done


def _mutate_section(doc: dict[str, Any], section: str, rnd: random.Random) -> Mutation:
    voc = Vocabulary.of(doc)
    if section not in doc or rnd.random() < 0.05:
        ann = spec_sections().get(section)
        doc[section] = generate(ann, voc, rnd, section) if ann is not None else \
            voc.string(rnd, section)
        return Mutation(section, "generate", (section,))
    paths = [(section, *p) for p in nodes(doc[section])]
    lists = [p for p in paths if isinstance(_get(doc, p), list)]
    path = rnd.choice(lists if lists and rnd.random() < 0.4 else paths)
    op = _op_long if lists and path in lists and rnd.random() < 0.3 else _pick_op(doc, path, rnd)
    name = op(doc, path, voc, rnd)
    return Mutation(section, name or "replace", path)


def _pick_op(doc: dict[str, Any], path: Path_, rnd: random.Random) -> Op:
    """An operation suited to the node at ``path`` (three times in four), else any."""
    if rnd.random() < 0.25:
        return rnd.choice(OPS)
    node = _get(doc, path)
    ann, hint = annotation_at(doc, path)
    if isinstance(node, list):
        suited = [_op_drop, _op_duplicate, _op_swap, _op_long, _op_long, _op_empty,
                  _op_generate]
    elif isinstance(node, dict):
        suited = [_op_drop, _op_duplicate, _op_swap, _op_generate, _op_alias]
    elif isinstance(node, bool) or not isinstance(node, (int, float, str)):
        suited = [_op_generate, _op_drop]
    elif _is_state(ann) or hint in ("pattern", "target", "ranking"):
        suited = [_op_pattern, _op_generate, _op_duplicate]
    elif isinstance(node, str) and hint in ("statement", "statements", "unknown_order",
                                            "candidates"):
        suited = [_op_statement, _op_vocabulary, _op_generate, _op_duplicate]
    elif isinstance(node, str):
        suited = [_op_name, _op_vocabulary, _op_duplicate, _op_drop]
    else:
        suited = [_op_number, _op_generate]
    return rnd.choice(suited)


def _section_weights(doc: dict[str, Any], names: Sequence[str]) -> list[float]:
    """Sections drawn by their size (a missing one as if it had one node)."""
    return [1 + math.sqrt(sum(1 for _ in nodes(doc[n]))) if n in doc else 0.5 for n in names]


def _get(doc: Doc, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Doc, path: Path_, value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


Op = Callable[[dict[str, Any], Path_, Vocabulary, random.Random], str | None]


def _op_drop(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random) -> str:
    parent = _get(doc, path[:-1])
    if isinstance(parent, (list, dict)):
        del parent[path[-1]]
    return "drop"


def _op_duplicate(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random
                  ) -> str | None:
    parent = _get(doc, path[:-1])
    if not isinstance(parent, list):
        return _op_generate(doc, path, voc, rnd)
    parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
    return "duplicate"


def _op_swap(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random
             ) -> str | None:
    node = _get(doc, path)
    if isinstance(node, list) and len(node) > 1:
        i, j = rnd.sample(range(len(node)), 2)
        node[i], node[j] = node[j], node[i]
        return "swap"
    if isinstance(node, dict) and len(node) > 1:
        keys = list(node)
        i, j = rnd.sample(range(len(keys)), 2)
        keys[i], keys[j] = keys[j], keys[i]
        values = dict(node)
        node.clear()
        node.update({k: values[k] for k in keys})
        return "swap"
    return _op_wrong_type(doc, path, voc, rnd)


def _op_wrong_type(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random
                   ) -> str:
    _set(doc, path, rnd.choice(_VALUES)(rnd))
    return "wrong type"


def _op_number(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random) -> str:
    _set(doc, path, rnd.choice(NUMBERS))
    return "odd number"


def _op_name(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random) -> str:
    node = _get(doc, path)
    if isinstance(node, str) and rnd.random() < 0.5:  # pad or decorate the name in place
        value = rnd.choice([f" {node} ", f"{node} ", f"{node}\u00a0", node.upper(),
                            f"{node}\u0301", f"{node}_" * 40])
    else:
        value = rnd.choice(NAMES + voc.dms + voc.options)
    _set(doc, path, value)
    return "odd name"


def _op_empty(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random) -> str:
    node = _get(doc, path)
    _set(doc, path, type(node)() if isinstance(node, (list, dict, str)) else rnd.choice(
        [[], {}, ""]))
    return "empty"


def _op_long(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random
             ) -> str | None:
    """A long list: copies of its entries and new ones (many phases, big unknown_order
    groups, many alternatives, long rankings)."""
    while len(path) > 1 and not isinstance(_get(doc, path), list):
        path = path[:-1]
    node = _get(doc, path)
    if not isinstance(node, list) or not node:
        return _op_generate(doc, path, voc, rnd)
    ann, hint = annotation_at(doc, path)
    item_ann = typing.get_args(ann)[0] if typing.get_origin(ann) is list else None
    size = rnd.choice([9, 11, 13, 20, 50, 200])
    while len(node) < size:
        if item_ann is not None and rnd.random() < 0.4:
            node.append(generate(item_ann, voc, rnd, hint))
        else:
            node.append(_renamed(copy.deepcopy(rnd.choice(node)), len(node), rnd))
    return f"long list ({size})"


def _renamed(item: Any, k: int, rnd: random.Random) -> Any:
    """A copied entry, mostly under a new name (so that many phases, options or alternatives
    are not refused only as duplicates)."""
    if isinstance(item, dict) and isinstance(item.get("name"), str) and rnd.random() < 0.8:
        item["name"] = f"{item['name']}_{k}"
        for o in _list(item.get("options")):  # a copied DM: its options renamed too
            if isinstance(o, dict) and isinstance(o.get("name"), str):
                o["name"] = f"{o['name']}_{k}"
    return item


def _op_nest(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random) -> str:
    value = _get(doc, path)
    for _ in range(rnd.choice([3, 30, 120])):
        value = rnd.choice([[value], {"x": value}])
    _set(doc, path, value)
    return "deep nesting"


def _op_alias(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random) -> str:
    """A shared node (written as an anchor and aliases) or an alias bomb."""
    if rnd.random() < 0.3:
        bomb: Any = ["lol"] * 9
        for _ in range(rnd.choice([3, 5, 7])):
            bomb = [bomb] * 9
        _set(doc, path, bomb)
        return "alias bomb"
    others = [p for p in nodes(doc) if p and p != path and p[: len(path)] != path
              and path[: len(p)] != p]
    if others:
        _set(doc, path, _get(doc, rnd.choice(others)))  # the same object: an alias
    return "alias"


def _op_pattern(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random) -> str:
    """A broad state pattern, or a state of the wrong length or form."""
    n = len(voc.options)
    _set(doc, path, rnd.choice([
        "-" * n, "-" * (n - 1) + "Y", "Y" * n, "N" * n, "y" * n, "Y" * (n + 1), "-" * (n + 3),
        "Y-N" * n, 0, -1, 2**n + 1, 10**20, "01", f" {'N' * n}", "—" * n,
    ]))
    return "state pattern"


def _op_statement(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random
                  ) -> str:
    o = rnd.choice(voc.options)
    _set(doc, path, rnd.choice(STATEMENTS).replace("{o}", o))
    return "odd statement"


def _op_generate(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random
                 ) -> str:
    """A fresh value of the type the spec expects there."""
    ann, hint = annotation_at(doc, path)
    _set(doc, path, generate(ann, voc, rnd, hint) if ann is not None else voc.string(rnd, hint))
    return "generate"


def _op_vocabulary(doc: dict[str, Any], path: Path_, voc: Vocabulary, rnd: random.Random
                   ) -> str:
    """A name from elsewhere in the model (a DM where an option is expected, ...)."""
    _set(doc, path, rnd.choice(voc.options + voc.dms + [voc.statement(rnd)]))
    return "other name"


OPS: list[Op] = [
    _op_drop, _op_duplicate, _op_swap, _op_wrong_type, _op_number, _op_name, _op_empty,
    _op_long, _op_nest, _op_alias, _op_pattern, _op_statement, _op_generate, _op_vocabulary,
]


# ----- writing documents -------------------------------------------------------------------------
def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.default_flow_style = None
    y.allow_unicode = True
    y.width = 100
    return y


def load_doc(text: str) -> Doc:
    """A YAML text as plain data (aliases resolved)."""
    return _yaml().load(text)


def dump_doc(doc: Doc) -> str:
    """A document as YAML text; shared nodes become anchors and aliases."""
    buf = io.StringIO()
    try:
        _yaml().dump(doc, buf)
    except RecursionError:
        return json.dumps(doc, default=str)[:200_000]
    return buf.getvalue()


# ----- seeds -------------------------------------------------------------------------------------
def _dm(name: str, options: list[dict[str, Any]], preferences: dict[str, Any],
        **more: Any) -> dict[str, Any]:
    return {"name": name, "options": options, "preferences": preferences, **more}


def synthetic_full() -> dict[str, Any]:
    """A 6-option model with every section and every field of the model file."""
    return {
        "detente": 1,
        "name": "Synthetic: every section",
        "description": "Generated by tests/fuzzing.py to hold every field of the spec.",
        "sources": ["tests/fuzzing.py"],
        "decision_makers": [
            _dm("A", [{"name": "a1", "description": "first", "direction": "both"},
                      {"name": "a2", "direction": "fwd"}],
                {"statements": [
                    {"statement": "not b1", "rationale": "why", "probability": 0.8,
                     "strong": True},
                    {"unknown_order": ["a1", {"statement": "a2 if m1", "rationale": "r"},
                                       "not c1"],
                     "rationale": "unsure"},
                    "a1 iff not b1",
                ]},
                description="party A",
                alternatives=[{"name": "hawk", "probability": 0.3, "rationale": "maybe",
                               "preferences": {"statements": ["a2", "not b1"]}}]),
            _dm("B", [{"name": "b1", "direction": "back"}, {"name": "b2"}],
                {"ranking": ["Y-----", ">>", ["NY----", "NNY---"], "NNN---"]},
                alternatives=[{"name": "dove", "probability": 0.2,
                               "preferences": {"payoffs": [{"state": "---Y--", "value": 1},
                                                           {"state": "---N--", "value": 0}]}}]),
            _dm("C", [{"name": "c1"}],
                {"payoffs": [{"state": "----Y-", "value": 3},
                             {"state": "----N-", "value": -1.5}],
                 "unknown": [["NNYNNN", "NNYNYN"]]}),
            _dm("M", [{"name": "m1"}],
                {"statements": ["m1 if a1", {"statement": "not a2", "unknown": True}]}),
        ],
        "infeasible": [
            {"mutually_exclusive": ["a1", "b2"], "reason": "exclusive"},
            {"at_least_one": ["a1", "a2", "b1", "c1"]},
            {"pattern": "-YN---"},
            {"pattern": {"c1": "Y", "m1": "Y", "b2": "Y"}},
        ],
        "status_quo": "NNYNNN",
        "status_quo_rationale": "where it stands",
        "coalitions": [["A", "B"], ["B", "C", "M"]],
        "deal": {
            "name": "three steps", "description": "a phased deal",
            "phases": [{"name": "start", "set": {"a1": "Y"}, "rationale": "first"},
                       {"name": "then", "state": {"a1": "Y", "a2": "Y", "b1": "Y",
                                                  "b2": "N", "c1": "N", "m1": "N"}},
                       {"name": "last", "state": "YYYNYN"}],
            "guarantors": ["m1"],
        },
        "mediation": {
            "mediators": ["M"],
            "candidates": {"A": ["not a2", {"statement": "a1 if m1", "rationale": "maybe"}],
                           "C": ["c1 if a1"]},
            "target": "Y-N---",
            "concepts": ["nash", "seq"],
        },
    }


def synthetic_small() -> dict[str, Any]:
    """A 3-option, 2-DM model with a deal, mediation, coalitions and uncertainty, written with
    the other forms (status quo as a mapping, a state number as target)."""
    return {
        "name": "Synthetic: small",
        "description": f"Model text is escaped in reports: {MARKUP}",
        "decision_makers": [
            _dm("P", [{"name": "p"}, {"name": "q", "direction": "fwd"}],
                {"statements": [{"unknown_order": ["not r", "p"]}, "q"]}),
            _dm("R", [{"name": "r"}], {"payoffs": [{"state": "--N", "value": 0},
                                                   {"state": "--Y", "value": 2}]},
                alternatives=[{"name": "other", "probability": 1.0,
                               "preferences": {"ranking": ["--Y", "--N"]}}]),
        ],
        "infeasible": [{"pattern": {"p": "N", "q": "Y", "r": "Y"}}],
        "status_quo": {"p": "N", "q": "N", "r": "N"},
        "coalitions": [["P", "R"]],
        "deal": {"name": "d", "phases": [{"name": "one", "set": {"p": "Y"}},
                                         {"name": "two", "set": {"q": "Y"}}],
                 "guarantors": []},
        "mediation": {"target": 2, "candidates": {"R": ["not r if p"]}},
    }


def synthetic_negotiation() -> dict[str, Any]:
    """A 3-DM model with levels, labels, weights, tranches, commitments, blind spots,
    perceptions (about and unaware_of) and drafts: the sections of the later issues."""
    return {
        "name": "Synthetic: negotiation",
        "decision_makers": [
            _dm("I", [{"name": "corridor", "levels": ["stay", "reduced", "withdraw"],
                       "labels": {"stay": "troops stay", "withdraw": "troops leave"}}],
                {"statements": ["release", "corridor is reduced",
                                "corridor >= reduced if release"]},
                weights={"corridor": {"reduced": 2, "withdraw": 5}, "release": 4}),
            _dm("H", [{"name": "release", "labels": {"Y": "hostages released"}}],
                {"statements": ["corridor is withdraw", "release iff guarantee >= partial",
                                "not release"]},
                blind_spots=["withdraw/-/full"]),
            _dm("U", [{"name": "guarantee", "levels": ["none", "partial", "full"]}],
                {"statements": ["release and corridor >= reduced", "guarantee is partial"]}),
        ],
        "infeasible": [{"pattern": {"corridor": "withdraw", "guarantee": "none"}}],
        "status_quo": "stay/N/none",
        "coalitions": [["I", "U"]],
        "deal": {
            "name": "corridor for hostages",
            "tranches": [
                {"name": "pullback", "set": {"corridor": "reduced"}, "rationale": "first"},
                {"name": "hostages", "set": {"release": "Y"}, "after": ["pullback"]},
            ],
            "guarantors": ["guarantee"],
        },
        "mediation": {
            "target": "reduced/Y/-",
            "commitments": [{"option": "corridor", "make": "fwd", "rationale": "no return"}],
        },
        "perceptions": [
            {"perceiver": "H", "about": "I", "preferences": {"statements": ["corridor is stay"]},
             "rationale": "distrust"},
            {"perceiver": "I", "unaware_of": ["guarantee"], "rationale": "not told"},
        ],
        "drafts": [{"name": "first", "state": "reduced/Y/partial", "rationale": "a start"}],
    }


SYNTHETIC_SEEDS: dict[str, Callable[[], dict[str, Any]]] = {
    "synthetic_full": synthetic_full, "synthetic_small": synthetic_small,
    "synthetic_negotiation": synthetic_negotiation,
}


@dataclass(frozen=True)
class Seed:
    """A starting model: its name, text, suffix and (YAML) parsed document."""

    name: str
    text: str
    suffix: str
    doc: Doc


def seeds(large: bool = True) -> list[Seed]:
    """The seeds: synthetic models, the examples (``large``: with the slow ones) and the .gmcr
    test files."""
    out = [Seed(n, dump_doc(f()), ".yaml", f()) for n, f in SYNTHETIC_SEEDS.items()]
    for p in EXAMPLES:
        if large or p.stem not in LARGE_EXAMPLES:
            text = p.read_text(encoding="utf-8")
            out.append(Seed(p.stem, text, ".yaml", load_doc(text)))
    for p in GMCR_FILES:
        text = p.read_text(encoding="utf-8")
        out.append(Seed(p.stem, text, ".gmcr", json.loads(text)))
    return out


# ----- cases -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One mutated model file."""

    seed: int
    number: int
    origin: str
    suffix: str
    text: str
    mutations: tuple[Mutation, ...] = ()

    @property
    def label(self) -> str:
        return f"seed {self.seed} case {self.number} (from {self.origin})"

    @property
    def sections(self) -> set[str]:
        return {m.section for m in self.mutations}


def make_case(seed: int, number: int, pool: Sequence[Seed]) -> Case:
    """Case ``number`` of the pass with ``seed`` (the same arguments give the same case)."""
    rnd = random.Random(f"{seed}-{number}")
    s = rnd.choices(pool, [0.3 if p.suffix == ".gmcr" else 1.0 for p in pool])[0]
    if s.suffix == ".gmcr":
        text = json.dumps(mutate_json(s.doc, rnd)) if rnd.random() < 0.6 else \
            mutate_text(s.text, rnd)
        return Case(seed, number, s.name, s.suffix, text)
    roll = rnd.random()
    if roll < 0.1:
        return Case(seed, number, s.name, s.suffix, mutate_text(s.text, rnd))
    doc, done = mutate_doc(s.doc, rnd)
    text = dump_doc(doc)
    if roll > 0.9:
        text = mutate_text(text, rnd)
    return Case(seed, number, s.name, s.suffix, text, tuple(done))


def cases(seed: int, count: int, pool: Sequence[Seed]) -> Iterator[Case]:
    """The first ``count`` cases of the pass with ``seed``."""
    for k in range(count):
        yield make_case(seed, k, pool)


# ----- commands ----------------------------------------------------------------------------------
@dataclass
class Context:
    """What a command needs besides the model: the case's random choices and a folder."""

    rnd: random.Random
    folder: Path
    file: Path
    state: str = "1"
    samples: int = 20
    sample_seed: int = 0


@dataclass(frozen=True)
class Command:
    """A detente command: its in-process call and its command line."""

    name: str
    api: Callable[[Any, Context], Any]
    cli: Callable[[Context], list[str]]


def _load(text: str, suffix: str, source: str) -> Any:
    from detente.formats.gmcr import loads_gmcr
    from detente.formats.native import loads

    return loads_gmcr(text, source=source) if suffix == ".gmcr" else loads(text, source=source)


def _state_arg(c: Any, ctx: Context) -> str:
    if c.status_quo is not None and ctx.rnd.random() < 0.5:
        return str(c.state_number(c.status_quo))
    return str(ctx.rnd.randint(1, max(1, int(c.n_states))))


def _show(c: Any, ctx: Context) -> Any:
    from detente.analyses.summary import model_summary

    return model_summary(c).to_dict()


def _analyze(c: Any, ctx: Context) -> Any:
    from detente import analyze

    return analyze(c).to_dict()


def _explain(c: Any, ctx: Context) -> Any:
    from detente import explain

    return explain(c, ctx.state).to_dict()


def _evolve(c: Any, ctx: Context, coalitions: bool = False) -> Any:
    from detente import evolve

    start = None if c.status_quo is not None else ctx.state
    return evolve(c, start, coalitions).to_dict()


def _coalitions(c: Any, ctx: Context, every: bool = False) -> Any:
    from detente import coalition_analysis
    from detente.model.errors import AnalysisError

    if not every and not c.coalitions:  # as the command line refuses it
        raise AnalysisError("the model names no coalitions")
    return coalition_analysis(c, None, all_coalitions=every).to_dict()


def _target(c: Any, ctx: Context) -> str:
    return str(c.mediation.target) if c.mediation.target else ctx.state


def _mediate(c: Any, ctx: Context) -> Any:
    from detente import mediate

    return mediate(c, _target(c, ctx), concepts=list(c.mediation.concepts) or None).to_dict()


def _robustness(c: Any, ctx: Context) -> Any:
    from detente import robustness

    return robustness(c, samples=ctx.samples, seed=ctx.sample_seed).to_dict()


def _deal(c: Any, ctx: Context) -> Any:
    from detente import deal_analysis

    return deal_analysis(c).to_dict()


def _report(c: Any, ctx: Context, suffix: str) -> Any:
    from detente.surfaces.report.render import write_report

    written = write_report(c, ctx.folder / f"report{suffix}")
    text = written[0].read_text(encoding="utf-8")
    if "<script>alert" in text or "<img src=x" in text:
        raise Defect(f"model text reaches the {suffix} report as markup (<script>/<img>)")
    return [str(p) for p in written]


def _convert(c: Any, ctx: Context, suffix: str) -> Any:
    """Write the model in a format and read it back, as ``detente convert`` does."""
    from detente.formats import dumps_model
    from detente.model.errors import DetenteError
    from detente.surfaces.cli.commands.convert import differences

    text = dumps_model(c, suffix)  # may refuse (DetenteError): what the format cannot hold
    try:
        back = _load(text, suffix, f"converted{suffix}")
    except DetenteError as exc:
        raise Defect(f"the converted {suffix} file does not read back: {exc}") from None
    if c.status_quo is not None and back.status_quo is None:
        back = replace(back, status_quo=c.status_quo)  # the format keeps none; said
    problems = differences(c, back)
    if problems:
        raise Defect(f"the converted {suffix} model differs: {'; '.join(problems)}")
    return {"chars": len(text)}


class Defect(Exception):
    """A check of the fuzzer failed (not an exception of detente)."""


def _json_args(*args: str) -> Callable[[Context], list[str]]:
    return lambda ctx: [args[0], str(ctx.file), *args[1:], "--format", "json"]


COMMANDS: tuple[Command, ...] = (
    Command("show", _show, _json_args("show")),
    Command("analyze", _analyze, _json_args("analyze")),
    Command("explain", _explain, lambda ctx: ["explain", str(ctx.file), ctx.state, "--format",
                                              "json"]),
    Command("evolve", _evolve, lambda ctx: ["evolve", str(ctx.file), "--format", "json"]),
    Command("evolve --coalitions", lambda c, ctx: _evolve(c, ctx, True),
            _json_args("evolve", "--coalitions")),
    Command("coalitions", _coalitions, _json_args("coalitions")),
    Command("coalitions --all", lambda c, ctx: _coalitions(c, ctx, True),
            _json_args("coalitions", "--all")),
    Command("mediate", _mediate, lambda ctx: ["mediate", str(ctx.file), "--format", "json"]),
    Command("robustness", _robustness, lambda ctx: [
        "robustness", str(ctx.file), "--samples", str(ctx.samples), "--seed",
        str(ctx.sample_seed), "--format", "json"]),
    Command("deal", _deal, _json_args("deal")),
    Command("report md", lambda c, ctx: _report(c, ctx, ".md"),
            lambda ctx: ["report", str(ctx.file), "-o", str(ctx.folder / "cli-report.md")]),
    Command("report html", lambda c, ctx: _report(c, ctx, ".html"),
            lambda ctx: ["report", str(ctx.file), "-o", str(ctx.folder / "cli-report.html")]),
    Command("convert gmcr", lambda c, ctx: _convert(c, ctx, ".gmcr"),
            lambda ctx: ["convert", str(ctx.file), str(ctx.folder / "cli-out.gmcr"), "-f"]),
    Command("convert yaml", lambda c, ctx: _convert(c, ctx, ".yaml"),
            lambda ctx: ["convert", str(ctx.file), str(ctx.folder / "cli-out.yaml"), "-f"]),
)
LOAD = "load"
#: Every command name, ``load`` (= validate) first.
COMMAND_NAMES = (LOAD, *(c.name for c in COMMANDS))


def cli_line(cmd: Command, ctx: Context, c: Any) -> list[str]:
    """The command line of ``cmd`` for this case (mediate's target given as ``--target=``)."""
    args = cmd.cli(ctx)
    if cmd.name == "mediate":
        args += [f"--target={_target(c, ctx) if c is not None else ctx.state}"]
        for k in c.mediation.concepts if c is not None else ():
            args += ["-c", k]
    if cmd.name == "evolve" and c is not None and c.status_quo is None:
        args += ["--from", ctx.state]
    return args


# ----- budgets and outcomes ----------------------------------------------------------------------
@dataclass(frozen=True)
class Budget:
    """Per command: wall-clock seconds and megabytes of peak resident memory it may add."""

    seconds: float = 10.0
    megabytes: float = 512.0


@dataclass
class Outcome:
    """One command on one case."""

    command: str
    status: str  # ok, detente (a DetenteError), fail
    ms: float = 0.0
    mb: float = 0.0
    error: str = ""
    cli: list[str] = field(default_factory=list)
    stopped: bool = False  # the child was killed or died here


@dataclass
class Failure:
    """A failed command, with what reproduces it."""

    case: Case
    outcome: Outcome
    file: Path

    @property
    def signature(self) -> str:
        """The failure without its particulars (numbers, quoted text), to group repeats."""
        first = self.outcome.error.strip().splitlines()[-1:] or [""]
        text = re.sub(r"'[^']*'|\"[^\"]*\"|\d+(\.\d+)?", "_", first[0])[:120]
        return f"{self.outcome.command}: {text}"

    def describe(self) -> str:
        o = self.outcome
        args = [str(self.file) if a.endswith(f"case{self.case.suffix}") else a for a in o.cli]
        line = " ".join(shlex.quote(a) for a in ["detente", *args]) if args else ""
        return (f"{self.case.label}, command {o.command!r}: {o.error.strip()[-1500:]}\n"
                f"  input: {self.file}\n  reproduce: {line}\n"
                f"  mutations: {[(m.section, m.op) for m in self.case.mutations]}")


# ----- memory ------------------------------------------------------------------------------------
def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset this process's peak resident memory (Linux ``clear_refs``); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_kb() -> int:
    return _status_kb("VmHWM:") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ----- the child process -------------------------------------------------------------------------
def _send(fd: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message, default=str) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def _measured(fd: int, name: str, fn: Callable[[], Any], cli: list[str], *,
              as_json: bool = True) -> Any:
    """Run ``fn`` as command ``name``: tell the parent, time it, measure its peak memory; the
    result (``as_json``: checked to be valid JSON, no NaN or Infinity), or None."""
    from detente.model.errors import DetenteError

    _send(fd, {"start": name, "cli": cli})
    _reset_peak()
    base = _status_kb("VmRSS:")
    t0 = time.perf_counter()
    result, status, error = None, "ok", ""
    try:
        result = fn()
        if as_json:
            _check_json(result)
    except DetenteError as exc:
        status, error = "detente", str(exc)[:300]
    except Defect as exc:
        status, error = "fail", str(exc)
    except BaseException as exc:  # any other exception is what the fuzzer looks for
        status, error = "fail", _tb(exc)
    ms = 1000 * (time.perf_counter() - t0)
    mb = max(0, _peak_kb() - base) / 1024
    _send(fd, {"end": name, "status": status, "ms": ms, "mb": mb, "error": error, "cli": cli})
    return result if status == "ok" else None


def _check_json(result: Any) -> None:
    """The result must be valid JSON, as ``--format json`` writes it: no NaN or Infinity."""
    try:
        json.dumps(result, allow_nan=False)
    except ValueError as exc:
        bad = re.findall(r".{0,60}\b(?:NaN|-?Infinity)\b.{0,20}", json.dumps(result))[:3]
        raise Defect(f"the JSON output is not valid JSON ({exc}): {bad}") from None


def _tb(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc, limit=-4))


def _cli_check(args: list[str]) -> None:
    """Run the command line in-process: exit 0 or 2, never 1 or a traceback."""
    import click
    from typer.testing import CliRunner

    from detente.surfaces.cli.app import app

    result = CliRunner().invoke(app, args)
    said = result.output + (_stderr(result) or "")
    if result.exit_code == 2 and "Usage:" in said and "Try " in said:
        raise Defect(f"the fuzzer's command line is refused as a usage error: {said[-500:]}")
    if result.exit_code not in (0, 2):
        exc = result.exception
        detail = "".join(traceback.format_exception(exc, limit=-4)) if exc and not isinstance(
            exc, (SystemExit, click.exceptions.Exit)) else (result.output or "")[-800:]
        raise Defect(f"exit status {result.exit_code}: {detail}")


def _stderr(result: Any) -> str:
    try:
        return str(result.stderr)
    except ValueError:  # click < 8.2 without a separate stderr
        return ""


def _child(case: Case, ctx: Context, budget: Budget, fd: int, cli: str | None,
           commands: Sequence[Command]) -> None:
    """Run every command on ``case`` (in the forked child) and report to the parent."""
    limit = int(budget.megabytes * 2**20)
    os.environ["DETENTE_MAX_MEMORY"] = str(limit)
    os.environ["DETENTE_WORKERS"] = "1"
    soft = _status_kb("VmSize:") * 1024 + 2 * limit + 2**30
    resource.setrlimit(resource.RLIMIT_AS, (soft, resource.getrlimit(resource.RLIMIT_AS)[1]))
    ctx.file.write_text(case.text, encoding="utf-8", errors="surrogatepass")
    c = _measured(fd, LOAD, lambda: _load(case.text, case.suffix, f"fuzz{case.suffix}"),
                  ["validate", str(ctx.file)], as_json=False)
    if c is not None:
        ctx.state = _state_arg(c, ctx)
        for cmd in commands:
            _measured(fd, cmd.name, _call(cmd, c, ctx), cli_line(cmd, ctx, c))
    if cli is not None:
        chosen = next((k for k in COMMANDS if k.name == cli), None)
        args = cli_line(chosen, ctx, c) if chosen is not None else ["validate", str(ctx.file)]
        _measured(fd, f"cli {cli}", lambda: _cli_check(args), args, as_json=False)


def _call(cmd: Command, c: Any, ctx: Context) -> Callable[[], Any]:
    return lambda: cmd.api(c, ctx)


# ----- the parent --------------------------------------------------------------------------------
def run_case(case: Case, budget: Budget, folder: Path, cli: str | None = None,
             commands: Sequence[Command] = COMMANDS) -> list[Outcome]:
    """Every command on ``case`` in a forked child, each under ``budget``. ``cli``: also run
    this command (or ``load``) through the command line. When the child is killed or dies in
    a command, a new child goes on with the commands after it."""
    warm_up()
    out: list[Outcome] = []
    todo = list(commands)
    while True:
        part = _run_child(case, budget, folder, cli, todo)
        out += [o for o in part if not (out and o.command == LOAD)]  # loaded again to go on
        last = part[-1] if part else None
        names = [c.name for c in todo]
        if last is None or not last.stopped or last.command not in names:
            return out
        todo = todo[names.index(last.command) + 1:]


def _run_child(case: Case, budget: Budget, folder: Path, cli: str | None,
               commands: Sequence[Command]) -> list[Outcome]:
    """One forked child over ``commands``."""
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(f"{case.seed}-{case.number}-args")
    ctx = Context(rnd, folder, folder / f"case{case.suffix}", samples=rnd.choice([1, 5, 20]),
                  sample_seed=rnd.choice([0, 1, 12345]))
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        code = 0
        try:
            _child(case, ctx, budget, write, cli, commands)
        except BaseException:
            code = 3
        finally:
            os._exit(code)
    os.close(write)
    try:
        return _collect(pid, read, budget)
    finally:
        os.close(read)


def _collect(pid: int, fd: int, budget: Budget) -> list[Outcome]:
    """Read the child's reports; kill it when a command runs past its budget."""
    out: list[Outcome] = []
    buf = b""
    current: dict[str, Any] | None = None
    started = time.perf_counter()
    while True:
        wait = budget.seconds - (time.perf_counter() - started) if current else budget.seconds
        ready, _, _ = select.select([fd], [], [], max(0.0, wait))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            name = current["start"] if current else "?"
            out.append(Outcome(name, "fail", 1000 * budget.seconds, 0.0,
                               f"no answer within {budget.seconds} s (killed)",
                               current.get("cli", []) if current else [], stopped=True))
            return out
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            msg = json.loads(line)
            if "start" in msg:
                current, started = msg, time.perf_counter()
            else:
                current = None
                out.append(_judged(Outcome(msg["end"], msg["status"], msg["ms"], msg["mb"],
                                           msg["error"], msg["cli"]), budget))
    _, status = os.waitpid(pid, 0)
    if current is not None or status != 0:
        how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        name = current["start"] if current else "?"
        out.append(Outcome(name, "fail", 0.0, 0.0, f"the process died ({how})",
                           current.get("cli", []) if current else [], stopped=True))
    return out


def _judged(o: Outcome, budget: Budget) -> Outcome:
    if o.status != "fail" and o.mb > budget.megabytes:
        o.status, o.error = "fail", f"used {o.mb:.0f} MB, over the {budget.megabytes:.0f} MB " \
            f"budget ({o.error or o.status})"
    if o.status != "fail" and o.ms > 1000 * budget.seconds:
        o.status, o.error = "fail", f"took {o.ms / 1000:.1f} s, over the {budget.seconds} s budget"
    return o


def real_cli(args: list[str], budget: Budget, baseline_mb: float = 400.0) -> Outcome:
    """``detente ARGS`` as a real process: exit 0 or 2 within the budget (memory: the budget
    above ``baseline_mb``, what starting the command line takes)."""
    # The peak is read by the process itself (VmHWM of its own memory, at exit): the
    # ru_maxrss that wait4 gives also counts the memory of the process that forked it (Linux
    # keeps the larger of the pre-exec copy and the new program), i.e. this test run's.
    peak = tempfile.NamedTemporaryFile(suffix=".kb", delete=False)  # noqa: SIM115
    peak.close()
    cmd = [sys.executable, "-c", _MEASURED_CLI, peak.name]
    env = {**os.environ, "DETENTE_MAX_MEMORY": str(int(budget.megabytes * 2**20))}
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    timer = _Killer(proc, budget.seconds + 5)
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    ms, mb = 1000 * (time.perf_counter() - t0), usage.ru_maxrss / 1024
    with contextlib.suppress(OSError, ValueError):  # killed: no reading, keep wait4's bound
        mb = int(Path(peak.name).read_text(encoding="ascii")) / 1024
    Path(peak.name).unlink(missing_ok=True)
    o = Outcome(f"real {args[0]}", "ok" if proc.returncode == 0 else "detente", ms, mb, "", args)
    if timer.fired:
        o.status, o.error = "fail", f"no answer within {budget.seconds + 5} s (killed)"
    elif proc.returncode not in (0, 2):
        o.status, o.error = "fail", f"exit status {proc.returncode}: {err[-1500:]}"
    elif mb > budget.megabytes + baseline_mb:
        o.status, o.error = "fail", f"used {mb:.0f} MB, over {budget.megabytes + baseline_mb}"
    return o


#: ``python -c`` program: run the ``detente`` command line with the arguments after the first,
#: and write this process's own peak resident memory (kB) to the file the first one names.
_MEASURED_CLI = """
import atexit, sys
out = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status") as fh:
        kb = next((line.split()[1] for line in fh if line.startswith("VmHWM:")), "")
    with open(out, "w") as fh:
        fh.write(kb)
atexit.register(_peak)
sys.argv[0] = "detente"
from detente.surfaces.cli.app import main
main()
"""


class _Killer:
    """Kill a process after ``seconds`` unless cancelled."""

    def __init__(self, proc: subprocess.Popen[bytes], seconds: float) -> None:
        import threading

        self.fired = False
        self._proc = proc
        self._timer = threading.Timer(seconds, self._kill)
        self._timer.start()

    def _kill(self) -> None:
        self.fired = True
        self._proc.kill()

    def cancel(self) -> None:
        self._timer.cancel()


# ----- a pass ------------------------------------------------------------------------------------
@dataclass
class Stats:
    """Per command: runs, outcomes, times and memory."""

    runs: int = 0
    ok: int = 0
    detente: int = 0
    failures: int = 0
    ms: list[float] = field(default_factory=list)
    max_mb: float = 0.0
    slowest: tuple[float, str] = (0.0, "")  # ms, the case
    largest: tuple[float, str] = (0.0, "")  # MB, the case

    def add(self, o: Outcome, case: str = "") -> None:
        self.runs += 1
        self.ok += o.status == "ok"
        self.detente += o.status == "detente"
        self.failures += o.status == "fail"
        self.ms.append(o.ms)
        self.max_mb = max(self.max_mb, o.mb)
        self.slowest = max(self.slowest, (o.ms, case))
        self.largest = max(self.largest, (o.mb, case))


@dataclass
class Report:
    """The result of a pass."""

    seed: int
    cases: int = 0
    stats: dict[str, Stats] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    sections: set[str] = field(default_factory=set)
    seconds: float = 0.0

    def add(self, case: Case, outcomes: list[Outcome], folder: Path) -> None:
        self.cases += 1
        self.sections |= case.sections
        for o in outcomes:
            self.stats.setdefault(o.command, Stats()).add(o, case.label)
            if o.status == "fail":
                self.failures.append(Failure(case, o, save_case(case, folder)))

    def distinct(self) -> dict[str, list[Failure]]:
        """Failures grouped by signature."""
        out: dict[str, list[Failure]] = {}
        for f in self.failures:
            out.setdefault(f.signature, []).append(f)
        return out

    def table(self) -> str:
        """command × (runs, ok, detente errors, failures, median ms, max ms, max MB)."""
        head = f"{'command':<24}{'runs':>7}{'ok':>7}{'detente':>9}{'failures':>10}" \
            f"{'median ms':>11}{'max ms':>9}{'max MB':>8}"
        rows = [head, "-" * len(head)]
        for name, s in sorted(self.stats.items(), key=lambda kv: _order(kv[0])):
            rows.append(f"{name:<24}{s.runs:>7}{s.ok:>7}{s.detente:>9}{s.failures:>10}"
                        f"{statistics.median(s.ms) if s.ms else 0:>11.1f}"
                        f"{max(s.ms, default=0):>9.0f}{s.max_mb:>8.1f}")
        return "\n".join(rows)


def _order(name: str) -> tuple[int, str]:
    base = name.removeprefix("cli ").removeprefix("real ")
    rank = COMMAND_NAMES.index(base) if base in COMMAND_NAMES else len(COMMAND_NAMES)
    return (name != base) * 100 + rank, name


def save_case(case: Case, folder: Path) -> Path:
    """Write a case's text to ``folder`` (its reproduction file)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fuzz-{case.seed}-{case.number}{case.suffix}"
    path.write_text(case.text, encoding="utf-8", errors="surrogatepass")
    return path


def fuzz(seed: int, count: int, pool: Sequence[Seed], budget: Budget, out: Path, *,
         cli_every: int = 5, real_every: int = 0, seconds: float | None = None,
         max_failures: int | None = None, start: int = 0,
         progress: Callable[[Report], None] | None = None) -> Report:
    """A pass: cases ``start`` .. ``start + count - 1`` of ``seed`` (or until ``seconds``),
    every command on each; every ``cli_every``-th case also through the in-process command
    line, every ``real_every``-th as a real process. Stops after ``max_failures``."""
    warm_up()
    report = Report(seed)
    t0 = time.perf_counter()
    for k in range(start, start + count):
        if seconds is not None and time.perf_counter() - t0 > seconds:
            break
        case = make_case(seed, k, pool)
        names = (LOAD, *(c.name for c in COMMANDS))
        cli = names[(k // max(cli_every, 1)) % len(names)] if cli_every and \
            k % cli_every == 0 else None
        work = out / f"work-{k}"
        outcomes = run_case(case, budget, work, cli)
        if real_every and k % real_every == 0:
            outcomes.append(real_cli_case(case, budget, work, k))
        report.add(case, outcomes, out)
        _clean(work)
        if progress is not None:
            progress(report)
        if max_failures is not None and len(report.failures) >= max_failures:
            break
    report.seconds = time.perf_counter() - t0
    return report


def real_cli_case(case: Case, budget: Budget, work: Path, k: int) -> Outcome:
    """Command ``k`` (in turn) of :data:`COMMANDS` on ``case`` as a real ``detente`` process."""
    work.mkdir(parents=True, exist_ok=True)
    file = work / f"real{case.suffix}"
    file.write_text(case.text, encoding="utf-8", errors="surrogatepass")
    ctx = Context(random.Random(k), work, file)
    cmd = COMMANDS[k % len(COMMANDS)]
    args = cmd.cli(ctx) if cmd.name not in ("mediate",) else [
        "mediate", str(file), "--target=1", "--format", "json"]
    return real_cli(args, budget)


def _clean(folder: Path) -> None:
    for p in sorted(folder.glob("**/*"), reverse=True):
        if p.is_file() or p.is_symlink():
            p.unlink()
        else:
            p.rmdir()
    if folder.exists():
        folder.rmdir()


_WARM = False


def warm_up() -> None:
    """Import and compile what the commands use here, once, so the forked children start
    warm (and their memory is what the command itself adds)."""
    global _WARM
    if _WARM:
        return
    with tempfile.TemporaryDirectory() as tmp:
        s = Seed("warm", dump_doc(synthetic_small()), ".yaml", synthetic_small())
        c = _load(s.text, ".yaml", "warm.yaml")
        ctx = Context(random.Random(0), Path(tmp), Path(tmp) / "warm.yaml")
        ctx.state = "1"
        from detente.model.errors import DetenteError

        for cmd in COMMANDS:
            with contextlib.suppress(DetenteError, Defect):
                cmd.api(c, ctx)
        import click  # noqa: F401 - the in-process command line
        from typer.testing import CliRunner  # noqa: F401

        from detente.surfaces.cli.app import app  # noqa: F401
    _WARM = True


__all__ = [
    "COMMANDS",
    "COMMAND_NAMES",
    "Budget",
    "Case",
    "Command",
    "Failure",
    "Outcome",
    "Report",
    "Seed",
    "annotation_at",
    "cases",
    "doc_fields",
    "dump_doc",
    "fuzz",
    "generate",
    "load_doc",
    "make_case",
    "mutate_doc",
    "mutate_json",
    "mutate_text",
    "real_cli_case",
    "run_case",
    "seeds",
    "spec_fields",
    "spec_sections",
    "synthetic_full",
    "warm_up",
]
