"""Structured edits of a native model file: each takes the file's text and returns new text.

The text is edited in ruamel's round-trip mode, so comments, rationales, quoting and the order
of everything not edited are kept. An operation checks only what it needs to find its place
(a decision maker, an option, a statement index) and raises :class:`ModelError` naming the
field otherwise; whether the result is a valid model is the normal loader's business
(:func:`detente.formats.native.builder.loads`), which callers run on the new text.

Renaming an option renames it everywhere the file names it: every statement (parsed with the
model's grammar; only the identifier tokens are replaced, the rest of the text is kept), every
pattern, status-quo, phase, tranche and draft mapping, mutual exclusions, guarantors,
commitments, perceptions and weights.

>>> text = "name: X\\ndecision_makers:\\n  - name: A  # the first\\n    options: [{name: a}]\\n" \\
...        "    preferences: {statements: [a, not a]}\\n"
>>> print(rename_option(text, "a", "attack"), end="")
name: X
decision_makers:
  - name: A  # the first
    options: [{name: attack}]
    preferences: {statements: [attack, not attack]}
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from lark import Token, Tree, UnexpectedInput
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from detente.formats.yaml_text import check_structure, load_yaml
from detente.model.errors import ModelError
from detente.model.statements import statement_parser

#: Indentation styles tried, first the one the examples and the workbench use
#: (mapping, sequence, offset).
STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (2, 4, 4))
#: Keys of the statement kinds a preference list may hold.
DIRECTIONS = ("both", "fwd", "back")
INFEASIBLE_KINDS = ("pattern", "mutually_exclusive", "at_least_one")
#: Commitment devices: what a reversible option may be made.
COMMITMENTS = ("fwd", "back")
#: The top-level sections a model may hold, in the order a new one is placed.
SECTIONS = (
    "detente",
    "name",
    "description",
    "sources",
    "decision_makers",
    "infeasible",
    "status_quo",
    "status_quo_rationale",
    "coalitions",
    "deal",
    "mediation",
    "drafts",
    "perceptions",
)
#: "Either value" in a picker (the option is left out of a pattern or a tranche).
EITHER = "-"
_TESTS = ("lit", "level_is", "level_is_not", "level_cmp")

Doc = CommentedMap


# ----- reading and writing ------------------------------------------------------------
def _yaml(style: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    mapping, sequence, offset = style
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # keep [{name: a}]
    return yaml


def _dump(doc: Any, style: tuple[int, int, int]) -> str:
    out = io.StringIO()
    _yaml(style).dump(doc, out)
    return out.getvalue()


def load(text: str) -> tuple[Doc, tuple[int, int, int]]:
    """The round-trip document of ``text`` and the indentation style that writes it back
    unchanged (or, for a file indented unevenly, the style of the closest rewrite)."""
    load_yaml(text, "model.yaml")  # bounded, located errors for bad YAML
    check_structure(text)
    best: tuple[int, tuple[int, int, int]] | None = None
    for style in STYLES:
        doc = _yaml(style).load(text)
        if not isinstance(doc, CommentedMap):
            raise ModelError(
                "expected a mapping with the fields name, decision_makers, ... "
                "at the top of the file",
                line=1,
            )
        written = _dump(doc, style)
        if written == text:
            return doc, style
        score = sum(a != b for a, b in zip(written.splitlines(), text.splitlines(), strict=False))
        if best is None or score < best[0]:
            best = (score, style)
    assert best is not None
    return _yaml(best[1]).load(text), best[1]


def apply(text: str, change: Callable[[Doc], None]) -> str:
    """``change`` applied to the document of ``text``; the new text."""
    doc, style = load(text)
    change(doc)
    _tidy(doc)
    return _dump(doc, style)


def _tidy(node: Any) -> None:
    """Write emptied lists and mappings as ``[]`` / ``{}`` (ruamel writes an empty block
    list that carries a comment as text that does not parse)."""
    if isinstance(node, CommentedSeq | CommentedMap):
        if not node:
            node.fa.set_flow_style()
        values = node.values() if isinstance(node, CommentedMap) else node
        for value in values:
            _tidy(value)


# ----- finding places -------------------------------------------------------------------
def _dms(doc: Doc) -> CommentedSeq:
    dms = doc.get("decision_makers")
    if not isinstance(dms, CommentedSeq):
        raise ModelError("the model has no list of decision makers", field="decision_makers")
    return dms


def _dm_index(doc: Doc, name: str) -> int:
    dms = _dms(doc)
    for k, dm in enumerate(dms):
        if isinstance(dm, dict) and dm.get("name") == name:
            return k
    names = ", ".join(str(d.get("name")) for d in dms if isinstance(d, dict))
    raise ModelError(
        f"no decision maker {name!r}; expected one of: {names}", field="decision_makers"
    )


def _dm(doc: Doc, name: str) -> CommentedMap:
    dm: CommentedMap = _dms(doc)[_dm_index(doc, name)]
    return dm


def option_places(doc: Doc) -> Iterator[tuple[int, int, CommentedMap]]:
    """(DM index, option index, option mapping) in option order."""
    for k, dm in enumerate(_dms(doc)):
        for j, opt in enumerate(dm.get("options") or [] if isinstance(dm, dict) else []):
            if isinstance(opt, CommentedMap):
                yield k, j, opt


def option_names(doc: Doc) -> list[str]:
    """The options in file order (the order of the states' letters)."""
    return [str(opt.get("name")) for _k, _j, opt in option_places(doc)]


def _option(doc: Doc, name: str) -> tuple[int, int, CommentedMap]:
    for k, j, opt in option_places(doc):
        if opt.get("name") == name:
            return k, j, opt
    raise ModelError(
        f"no option {name!r}; expected one of: {', '.join(option_names(doc))}",
        field="decision_makers",
    )


def _statements(doc: Doc, dm: str) -> CommentedSeq:
    k = _dm_index(doc, dm)
    prefs = _dms(doc)[k].get("preferences")
    if not isinstance(prefs, dict) or "statements" not in prefs:
        raise ModelError(
            f"{dm} ranks states with {_kind(prefs)}, not statements",
            field=f"decision_makers[{k}].preferences",
        )
    items = prefs["statements"]
    if items is None:
        items = prefs["statements"] = _flow_seq([])
    if not isinstance(items, CommentedSeq):
        raise ModelError(
            "expected a list of statements", field=f"decision_makers[{k}].preferences.statements"
        )
    return items


def _kind(prefs: Any) -> str:
    if isinstance(prefs, dict):
        for key in ("statements", "ranking", "payoffs"):
            if key in prefs:
                return key
    return "nothing"


def _index(items: Sequence[Any], index: int, field: str, end: bool = False) -> int:
    top = len(items) + (1 if end else 0)
    if not 0 <= index < top:
        raise ModelError(f"there is no position {index} here; expected 0 to {top - 1}", field=field)
    return index


def _flow_seq(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _flow_map(pairs: Mapping[str, Any]) -> CommentedMap:
    m = CommentedMap(pairs)
    m.fa.set_flow_style()
    return m


def _same_style(old: Any, new: str) -> str:
    """``new`` written as ``old`` was (its quotes kept)."""
    if isinstance(old, ScalarString):
        kept: str = type(old)(new)
        return kept
    return new


def _rename_key(m: CommentedMap, old: str, new: str) -> None:
    """Rename a key in place: its position and comment kept."""
    if old not in m or old == new:
        return
    at = list(m.keys()).index(old)
    comment = m.ca.items.pop(old, None)
    value = m.pop(old)
    m.insert(at, new, value)
    if comment is not None:
        m.ca.items[new] = comment


# ----- the model ------------------------------------------------------------------------
def set_name(text: str, name: str) -> str:
    """The conflict's name."""

    def change(doc: Doc) -> None:
        doc["name"] = _same_style(doc.get("name"), name)

    return apply(text, change)


def blank_model(name: str, dm: str, option: str) -> str:
    """The smallest model: one decision maker with one option and no statements yet."""
    text = (
        "detente: 1\nname: placeholder\ndecision_makers:\n  - name: placeholder\n"
        "    options: [{name: placeholder}]\n    preferences: {statements: []}\n"
    )

    def change(doc: Doc) -> None:
        doc["name"] = name
        doc["decision_makers"][0]["name"] = dm
        doc["decision_makers"][0]["options"][0]["name"] = option

    return apply(text, change)


# ----- decision makers ------------------------------------------------------------------
def add_dm(text: str, name: str, option: str, position: int | None = None) -> str:
    """A new decision maker with its first option and no statements (at ``position``, or
    last); Y/N state strings get a letter for the option (as :func:`add_option`)."""

    def change(doc: Doc) -> None:
        dms = _dms(doc)
        at = len(dms) if position is None else _index(dms, position, "decision_makers", True)
        dm = CommentedMap()
        dm["name"] = name
        dm["options"] = _flow_seq([_flow_map({"name": option})])
        dm["preferences"] = _flow_map({"statements": _flow_seq([])})
        before = option_names(doc)
        dms.insert(at, dm)
        _widen_states(doc, option_names(doc).index(option), before)

    return apply(text, change)


def rename_dm(text: str, old: str, new: str) -> str:
    """Rename a decision maker everywhere the file names it: its entry, coalitions,
    mediators, mediation candidates and perceptions."""

    def change(doc: Doc) -> None:
        dm = _dm(doc, old)
        dm["name"] = _same_style(dm.get("name"), new)
        for group in doc.get("coalitions") or []:
            _rename_in_list(group, old, new)
        mediation = doc.get("mediation")
        if isinstance(mediation, dict):
            _rename_in_list(mediation.get("mediators"), old, new)
            if isinstance(mediation.get("candidates"), CommentedMap):
                _rename_key(mediation["candidates"], old, new)
        for p in doc.get("perceptions") or []:
            if isinstance(p, dict):
                for key in ("perceiver", "about"):
                    if p.get(key) == old:
                        p[key] = _same_style(p[key], new)

    return apply(text, change)


def set_dm_description(text: str, dm: str, description: str) -> str:
    """A decision maker's description (removed when empty)."""

    def change(doc: Doc) -> None:
        _set_or_drop(_dm(doc, dm), "description", description, after="name")

    return apply(text, change)


def move_dm(text: str, dm: str, position: int) -> str:
    """Move a decision maker to ``position``. Its options move with it, so every Y/N state
    string in the file is rewritten to the new option order; a model that names states by
    number is refused (the numbers would change meaning)."""

    def change(doc: Doc) -> None:
        dms = _dms(doc)
        k = _dm_index(doc, dm)
        _index(dms, position, "decision_makers")
        before = option_names(doc)
        _move(dms, k, position)
        after = option_names(doc)
        _reorder_states(doc, [before.index(name) for name in after])

    return apply(text, change)


def _set_or_drop(m: CommentedMap, key: str, value: Any, after: str | None = None) -> None:
    if value in ("", None) or value == []:
        m.pop(key, None)
        return
    if key in m:
        m[key] = _same_style(m[key], value) if isinstance(value, str) else value
        return
    at = list(m.keys()).index(after) + 1 if after in m else len(m)
    m.insert(at, key, value)


# ----- options --------------------------------------------------------------------------
def add_option(text: str, dm: str, name: str, levels: Sequence[str] = ()) -> str:
    """A new option, last among the decision maker's options: yes/no, or with ``levels``
    (lowest first). Y/N state strings in the file are lengthened with ``N`` (or ``-`` in
    patterns) at its place; state mappings get ``N`` or its lowest level."""

    def change(doc: Doc) -> None:
        options = _dm(doc, dm).get("options")
        if not isinstance(options, CommentedSeq):
            raise ModelError(f"{dm} has no list of options", field="decision_makers")
        before = option_names(doc)
        opt = _flow_map({"name": name}) if options.fa.flow_style() else CommentedMap({"name": name})
        if levels:
            opt["levels"] = _flow_seq(list(levels))
        options.append(opt)
        _widen_states(doc, option_names(doc).index(name), before, levels[0] if levels else "N")

    return apply(text, change)


def rename_option(text: str, old: str, new: str) -> str:
    """Rename an option in its declaration and everywhere the file names it."""

    def change(doc: Doc) -> None:
        _k, _j, opt = _option(doc, old)
        opt["name"] = _same_style(opt["name"], new)
        _rename_option_uses(doc, old, new)

    return apply(text, change)


def set_option(
    text: str,
    option: str,
    *,
    description: str | None = None,
    direction: str | None = None,
    labels: Mapping[str, str] | None = None,
    levels: Sequence[str] | None = None,
) -> str:
    """An option's description, direction, labels and levels (each given is set; an empty
    one is removed: ``direction="both"`` is the default and is not written)."""

    def change(doc: Doc) -> None:
        _k, _j, opt = _option(doc, option)
        if description is not None:
            _set_or_drop(opt, "description", description, after="name")
        if direction is not None:
            if direction not in DIRECTIONS:
                raise ModelError(
                    f"direction {direction!r}; expected one of both, fwd, back", field="direction"
                )
            _set_or_drop(opt, "direction", "" if direction == "both" else direction)
        if levels is not None:
            _set_or_drop(opt, "levels", _flow_seq(list(levels)) if levels else None)
        if labels is not None:
            kept = {k: v for k, v in labels.items() if v}
            _set_or_drop(opt, "labels", _flow_map(kept) if kept else None)
        if opt.fa.flow_style() and len(opt) > 1:
            opt.fa.set_block_style()

    return apply(text, change)


def remove_option(text: str, option: str) -> str:
    """Remove an option from its decision maker (its uses elsewhere are left for the
    validator to name)."""

    def change(doc: Doc) -> None:
        k, j, _opt = _option(doc, option)
        before = option_names(doc)
        del _dms(doc)[k]["options"][j]
        _reorder_states(doc, [before.index(n) for n in option_names(doc)])

    return apply(text, change)


# ----- statements -----------------------------------------------------------------------
def add_statement(
    text: str, dm: str, statement: str, position: int | None = None, rationale: str = ""
) -> str:
    """Add a statement to a decision maker's prioritised list (at ``position``, 0 = most
    important; last by default)."""

    def change(doc: Doc) -> None:
        items = _statements(doc, dm)
        at = len(items) if position is None else _index(items, position, "statements", True)
        item: Any = statement
        if rationale:
            item = CommentedMap({"statement": statement, "rationale": rationale})
        items.insert(at, item)

    return apply(text, change)


def set_statement(text: str, dm: str, index: int, statement: str, inner: int | None = None) -> str:
    """Replace the text of statement ``index`` (``inner``: a statement inside an
    ``unknown_order`` group), keeping its rationale and probability."""

    def change(doc: Doc) -> None:
        items = _statements(doc, dm)
        i = _index(items, index, "statements")
        where, key = items, i
        if inner is not None:
            group = items[i].get("unknown_order") if isinstance(items[i], dict) else None
            if not isinstance(group, CommentedSeq):
                raise ModelError("this statement is not an unknown-order group", field="statements")
            where, key = group, _index(group, inner, "unknown_order")
        old = where[key]
        if isinstance(old, dict) and "statement" in old:
            old["statement"] = _same_style(old["statement"], statement)
        else:
            where[key] = _same_style(old, statement)

    return apply(text, change)


def set_statement_details(
    text: str, dm: str, index: int, rationale: str | None = None, probability: float | None = None
) -> str:
    """A statement's rationale and probability (robustness; ``0`` removes it)."""

    def change(doc: Doc) -> None:
        items = _statements(doc, dm)
        i = _index(items, index, "statements")
        item = items[i]
        if not isinstance(item, dict):
            item = items[i] = CommentedMap({"statement": item})
        if rationale is not None:
            _set_or_drop(item, "rationale", rationale)
        if probability is not None:
            _set_or_drop(item, "probability", probability or None)
        if "unknown_order" not in item and set(item) == {"statement"}:
            items[i] = item["statement"]

    return apply(text, change)


def remove_statement(text: str, dm: str, index: int) -> str:
    """Remove statement ``index`` of a decision maker."""

    def change(doc: Doc) -> None:
        items = _statements(doc, dm)
        del items[_index(items, index, "statements")]

    return apply(text, change)


def move_statement(text: str, dm: str, index: int, position: int) -> str:
    """Move statement ``index`` to ``position`` (0 = most important), rationale and
    comments with it."""

    def change(doc: Doc) -> None:
        items = _statements(doc, dm)
        i = _index(items, index, "statements")
        to = _index(items, position, "statements")
        _move(items, i, to)

    return apply(text, change)


def _take(items: CommentedSeq, i: int) -> tuple[Any, Any]:
    """Remove item ``i`` with its comment; the later items' comments follow them."""
    item, comment = items[i], items.ca.items.get(i)
    del items[i]  # ruamel shifts the later comments
    return item, comment


def _move(items: CommentedSeq, i: int, to: int) -> None:
    """Move item ``i`` to ``to``, its comment with it."""
    item, comment = _take(items, i)
    items.insert(to, item)  # ruamel shifts the later comments
    if comment is not None:
        items.ca.items[to] = comment


def group_statements(text: str, dm: str, index: int, count: int) -> str:
    """Put statements ``index`` … ``index + count - 1`` in an ``unknown_order`` group (their
    relative order is then unknown; robustness tries every order)."""

    def change(doc: Doc) -> None:
        items = _statements(doc, dm)
        i = _index(items, index, "statements")
        _index(items, index + count - 1, "statements")
        if count < 2:
            raise ModelError(
                "an unknown-order group needs two or more statements", field="unknown_order"
            )
        members = [_take(items, i)[0] for _ in range(count)]
        for m in members:
            if isinstance(m, dict) and "unknown_order" in m:
                raise ModelError("unknown-order groups cannot be nested", field="unknown_order")
        items.insert(i, CommentedMap({"unknown_order": CommentedSeq(members)}))

    return apply(text, change)


# ----- rankings and payoffs -------------------------------------------------------------
def set_ranking(text: str, dm: str, ranking: Sequence[str | Sequence[str]]) -> str:
    """A decision maker's explicit ranking (most preferred first; a list is a tie)."""

    def change(doc: Doc) -> None:
        prefs = _dms(doc)[_dm_index(doc, dm)]["preferences"]
        entries = [e if isinstance(e, str) else _flow_seq(list(e)) for e in ranking]
        _replace_preferences(prefs, "ranking", CommentedSeq(entries))

    return apply(text, change)


def set_payoff(text: str, dm: str, index: int, value: float) -> str:
    """The value of payoff entry ``index`` of a decision maker."""

    def change(doc: Doc) -> None:
        k = _dm_index(doc, dm)
        payoffs = _dms(doc)[k]["preferences"].get("payoffs")
        field = f"decision_makers[{k}].preferences.payoffs"
        if not isinstance(payoffs, list):
            raise ModelError(f"{dm} has no payoffs", field=field)
        entry = payoffs[_index(payoffs, index, field)]
        entry["value"] = int(value) if float(value).is_integer() else value

    return apply(text, change)


def _replace_preferences(prefs: CommentedMap, kind: str, value: Any) -> None:
    for key in ("statements", "ranking", "payoffs"):
        if key != kind:
            prefs.pop(key, None)
    prefs[kind] = value
    prefs.fa.set_block_style()


# ----- infeasible states ----------------------------------------------------------------
def add_infeasible(
    text: str, kind: str, value: Mapping[str, str] | Sequence[str], reason: str = ""
) -> str:
    """A condition making states infeasible: ``pattern`` (option → Y/N/level), or a list of
    options for ``mutually_exclusive`` / ``at_least_one``."""
    if kind not in INFEASIBLE_KINDS:
        raise ModelError(
            f"unknown condition {kind!r}; expected one of {', '.join(INFEASIBLE_KINDS)}",
            field="infeasible",
        )

    def change(doc: Doc) -> None:
        items = doc.get("infeasible")
        if items is None:
            items = CommentedSeq()
            at = (
                list(doc.keys()).index("decision_makers") + 1
                if "decision_makers" in doc
                else len(doc)
            )
            doc.insert(at, "infeasible", items)
        body: Any = _flow_map(dict(value)) if isinstance(value, Mapping) else _flow_seq(list(value))
        item = CommentedMap({kind: body})
        if reason:
            item["reason"] = reason
        items.append(item)

    return apply(text, change)


def remove_infeasible(text: str, index: int) -> str:
    """Remove infeasibility condition ``index`` (the field goes when none is left)."""

    def change(doc: Doc) -> None:
        items = doc.get("infeasible") or []
        del items[_index(items, index, "infeasible")]
        if not items:
            doc.pop("infeasible")

    return apply(text, change)


# ----- status quo -----------------------------------------------------------------------
def set_status_quo(text: str, values: Mapping[str, str]) -> str:
    """The status quo, option by option (Y, N or a level). Written as a Y/N string when every
    option is yes/no and the file did not use a mapping, otherwise as a mapping."""

    def change(doc: Doc) -> None:
        names = option_names(doc)
        missing = [n for n in names if n not in values]
        if missing:
            raise ModelError(
                f"the status quo needs a value for every option; missing: {', '.join(missing)}",
                field="status_quo",
            )
        levelled = any("levels" in opt for _k, _j, opt in option_places(doc))
        letters = [str(values[n]) for n in names]
        if (
            levelled
            or isinstance(doc.get("status_quo"), dict)
            or any(v not in ("Y", "N") for v in letters)
        ):
            value: Any = _flow_map({n: values[n] for n in names})
        else:
            value = "".join(letters)
        if "status_quo" in doc:
            doc["status_quo"] = value
        else:
            keys = list(doc.keys())
            after = "infeasible" if "infeasible" in doc else "decision_makers"
            doc.insert(keys.index(after) + 1 if after in keys else len(keys), "status_quo", value)

    return apply(text, change)


# ----- values picked option by option --------------------------------------------------
def _levelled(doc: Doc) -> set[str]:
    return {str(opt.get("name")) for _k, _j, opt in option_places(doc) if opt.get("levels")}


def _picked_map(doc: Doc, values: Mapping[str, str], field: str) -> CommentedMap:
    """The options given a value (not ``-``), in option order, as a flow mapping."""
    names = option_names(doc)
    unknown = [n for n in values if n not in names]
    if unknown:
        raise ModelError(
            f"no option {unknown[0]!r}; expected one of: {', '.join(names)}", field=field
        )
    return _flow_map({n: values[n] for n in names if values.get(n, EITHER) != EITHER})


def _state_value(doc: Doc, values: Mapping[str, str], field: str, mapping: bool) -> Any:
    """A state or a Y/N/- pattern from values option by option: a mapping when every option
    has a value and ``mapping`` is allowed, else a Y/N/- string in option order (which
    cannot hold a level)."""
    picked = _picked_map(doc, values, field)
    names = option_names(doc)
    if mapping and len(picked) == len(names):
        return picked
    if not picked:
        raise ModelError("pick a value for at least one option", field=field)
    levelled = sorted(_levelled(doc) & set(picked)) or sorted(_levelled(doc))
    if levelled:
        raise ModelError(
            "a pattern over a model with levels cannot be written as a Y/N/- string "
            f"(options with levels: {', '.join(levelled)}); give every option a value, or "
            "edit the YAML",
            field=field,
        )
    return "".join(str(values.get(n, EITHER)) for n in names)


def _section(doc: Doc, key: str, empty: Callable[[], Any]) -> Any:
    """The top-level section ``key``, created (``empty()``) at its place when missing."""
    if key in doc and doc[key] is not None:
        return doc[key]
    value = empty()
    if key in doc:
        doc[key] = value
        return value
    order = list(SECTIONS)
    later = order[order.index(key) + 1 :] if key in order else []
    keys = list(doc.keys())
    at = next((keys.index(k) for k in keys if k in later), len(keys))
    doc.insert(at, key, value)
    return value


def _list_of(parent: CommentedMap, key: str, field: str) -> CommentedSeq:
    items = parent.get(key)
    if items is None:
        items = parent[key] = CommentedSeq()
    if not isinstance(items, CommentedSeq):
        raise ModelError(f"expected a list at {field}", field=field)
    return items


def _remove_at(parent: Any, key: str, index: int, field: str) -> None:
    """Remove entry ``index`` of the list ``parent[key]``; the key goes with its last entry."""
    items = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(items, CommentedSeq):
        raise ModelError(f"there is no {key} here", field=field)
    del items[_index(items, index, field)]
    if not items:
        del parent[key]


def _entry(pairs: Mapping[str, Any]) -> CommentedMap:
    """A new list entry: the given fields that are not empty, in order."""
    return CommentedMap({k: v for k, v in pairs.items() if v not in ("", None, [], ())})


def _append(items: CommentedSeq, entry: CommentedMap) -> None:
    """Append ``entry``, written in flow style when the entry before it is."""
    if items and isinstance(items[-1], CommentedMap) and items[-1].fa.flow_style():
        entry.fa.set_flow_style()
    items.append(entry)


# ----- deal: phases or tranches, guarantors ---------------------------------------------
def _deal(doc: Doc, kind: str, name: str) -> CommentedMap:
    deal = _section(doc, "deal", lambda: CommentedMap({"name": name or "deal"}))
    if not isinstance(deal, CommentedMap):
        raise ModelError("expected a mapping", field="deal")
    other = "phases" if kind == "tranches" else "tranches"
    if deal.get(other):
        raise ModelError(
            f"this deal is written as {other}; a deal holds phases or tranches, not both",
            field=f"deal.{other}",
        )
    if name:
        _set_or_drop(deal, "name", name)
    return deal


def add_tranche(
    text: str,
    name: str,
    values: Mapping[str, str],
    after: Sequence[str] = (),
    rationale: str = "",
    deal: str = "",
) -> str:
    """A tranche of the deal: the options it sets (option → Y/N or level; ``-`` leaves one
    out) and the tranches it must follow. Creates the deal (named ``deal``, or ``deal`` when
    empty) when the file has none."""

    def change(doc: Doc) -> None:
        items = _list_of(_deal(doc, "tranches", deal), "tranches", "deal.tranches")
        at = f"deal.tranches[{len(items)}]"
        items.append(
            _entry(
                {
                    "name": name,
                    "rationale": rationale,
                    "set": _picked_map(doc, values, f"{at}.set"),
                    "after": _flow_seq(list(after)),
                }
            )
        )

    return apply(text, change)


def add_phase(
    text: str, name: str, values: Mapping[str, str], rationale: str = "", deal: str = ""
) -> str:
    """A phase of the deal: the options that change from the previous phase (the first:
    from the status quo), option → Y/N or level."""

    def change(doc: Doc) -> None:
        items = _list_of(_deal(doc, "phases", deal), "phases", "deal.phases")
        at = f"deal.phases[{len(items)}]"
        items.append(
            _entry({"name": name, "rationale": rationale, "set": _picked_map(doc, values, at)})
        )

    return apply(text, change)


def remove_deal_step(text: str, index: int) -> str:
    """Remove phase or tranche ``index``; the deal goes with its last one."""

    def change(doc: Doc) -> None:
        deal = doc.get("deal")
        kind = "tranches" if isinstance(deal, dict) and deal.get("tranches") else "phases"
        _remove_at(deal, kind, index, f"deal.{kind}")
        if not deal.get("phases") and not deal.get("tranches"):
            del doc["deal"]

    return apply(text, change)


def set_guarantors(text: str, options: Sequence[str]) -> str:
    """The options of third parties that could back the deal (removed when empty)."""

    def change(doc: Doc) -> None:
        deal = doc.get("deal")
        if not isinstance(deal, CommentedMap):
            raise ModelError("add a phase or a tranche first: there is no deal", field="deal")
        _set_or_drop(deal, "guarantors", _flow_seq(list(options)) if options else None)

    return apply(text, change)


# ----- mediation: target, concepts, commitments -----------------------------------------
def _mediation(doc: Doc) -> CommentedMap:
    m = _section(doc, "mediation", CommentedMap)
    if not isinstance(m, CommentedMap):
        raise ModelError("expected a mapping", field="mediation")
    return m


def _drop_empty_mediation(doc: Doc) -> None:
    if isinstance(doc.get("mediation"), dict) and not doc["mediation"]:
        del doc["mediation"]


def set_mediation_target(text: str, values: Mapping[str, str]) -> str:
    """The deal the mediation report asks about: a state, or a Y/N/- pattern where some
    options are ``-`` (removed when every option is ``-``)."""

    def change(doc: Doc) -> None:
        if all(v == EITHER for v in values.values()):
            if isinstance(doc.get("mediation"), dict):
                doc["mediation"].pop("target", None)
                _drop_empty_mediation(doc)
            return
        value = _state_value(doc, values, "mediation.target", mapping=False)
        _set_or_drop(_mediation(doc), "target", value)

    return apply(text, change)


def set_concepts(text: str, concepts: Sequence[str]) -> str:
    """The solution concepts the mediation report asks about (empty: the default)."""

    def change(doc: Doc) -> None:
        m = _mediation(doc)
        _set_or_drop(m, "concepts", _flow_seq(list(concepts)) if concepts else None)
        _drop_empty_mediation(doc)

    return apply(text, change)


def add_commitment(text: str, option: str, make: str, rationale: str = "") -> str:
    """A commitment device: ``option`` made one-way (``fwd`` or ``back``)."""
    if make not in COMMITMENTS:
        raise ModelError(f"make {make!r}; expected fwd or back", field="mediation.commitments")

    def change(doc: Doc) -> None:
        _option(doc, option)
        items = _list_of(_mediation(doc), "commitments", "mediation.commitments")
        items.append(_entry({"option": option, "make": make, "rationale": rationale}))

    return apply(text, change)


def remove_commitment(text: str, index: int) -> str:
    """Remove commitment ``index``."""

    def change(doc: Doc) -> None:
        _remove_at(doc.get("mediation"), "commitments", index, "mediation.commitments")
        _drop_empty_mediation(doc)

    return apply(text, change)


# ----- perceptions ----------------------------------------------------------------------
def add_perception(
    text: str,
    perceiver: str,
    *,
    about: str = "",
    statements: Sequence[str] = (),
    unaware_of: Sequence[str] = (),
    rationale: str = "",
) -> str:
    """A perception: what ``perceiver`` believes of ``about``'s preferences (its prioritised
    ``statements``), or the options of others it is ``unaware_of`` (give one of the two)."""

    def change(doc: Doc) -> None:
        _dm(doc, perceiver)
        items = _list_of(doc, "perceptions", "perceptions") if "perceptions" in doc else None
        if items is None:
            items = _section(doc, "perceptions", CommentedSeq)
        if about:
            body: dict[str, Any] = {
                "perceiver": perceiver,
                "about": about,
                "rationale": rationale,
                "preferences": _flow_map({"statements": _flow_seq(list(statements))}),
            }
        else:
            body = {
                "perceiver": perceiver,
                "unaware_of": _flow_seq(list(unaware_of)),
                "rationale": rationale,
            }
            if not unaware_of:
                raise ModelError(
                    "name the decision maker it misreads (about), or the options it does "
                    "not know exist (unaware_of)",
                    field=f"perceptions[{len(items)}]",
                )
        items.append(_entry(body))

    return apply(text, change)


def remove_perception(text: str, index: int) -> str:
    """Remove perception ``index``."""

    def change(doc: Doc) -> None:
        _remove_at(doc, "perceptions", index, "perceptions")

    return apply(text, change)


# ----- drafts ---------------------------------------------------------------------------
def add_draft(text: str, name: str, values: Mapping[str, str], rationale: str = "") -> str:
    """A draft of the single negotiating text, last: a state (every option given) or a
    Y/N/- pattern (some options ``-``)."""

    def change(doc: Doc) -> None:
        items = _section(doc, "drafts", CommentedSeq)
        at = f"drafts[{len(items)}].state"
        state = _state_value(doc, values, at, mapping=True)
        _append(items, _entry({"name": name, "state": state, "rationale": rationale}))

    return apply(text, change)


def remove_draft(text: str, index: int) -> str:
    """Remove draft ``index``."""

    def change(doc: Doc) -> None:
        _remove_at(doc, "drafts", index, "drafts")

    return apply(text, change)


# ----- uncertainty: alternatives, groups ------------------------------------------------
def add_alternative(
    text: str,
    dm: str,
    name: str,
    probability: float,
    statements: Sequence[str],
    rationale: str = "",
) -> str:
    """Another reading of a decision maker's preferences (its prioritised statements) with
    its probability (robustness)."""

    def change(doc: Doc) -> None:
        k = _dm_index(doc, dm)
        items = _list_of(_dms(doc)[k], "alternatives", f"decision_makers[{k}].alternatives")
        items.append(
            _entry(
                {
                    "name": name,
                    "probability": _number(probability),
                    "rationale": rationale,
                    "preferences": _flow_map({"statements": _flow_seq(list(statements))}),
                }
            )
        )

    return apply(text, change)


def remove_alternative(text: str, dm: str, index: int) -> str:
    """Remove alternative reading ``index`` of a decision maker."""

    def change(doc: Doc) -> None:
        k = _dm_index(doc, dm)
        _remove_at(_dms(doc)[k], "alternatives", index, f"decision_makers[{k}].alternatives")

    return apply(text, change)


def ungroup_statements(text: str, dm: str, index: int) -> str:
    """Dissolve the ``unknown_order`` group at ``index``: its statements take its place, in
    the order written."""

    def change(doc: Doc) -> None:
        items = _statements(doc, dm)
        i = _index(items, index, "statements")
        group = items[i].get("unknown_order") if isinstance(items[i], dict) else None
        if not isinstance(group, list):
            raise ModelError("this statement is not an unknown-order group", field="statements")
        del items[i]
        for j, member in enumerate(group):
            items.insert(i + j, member)

    return apply(text, change)


# ----- weights --------------------------------------------------------------------------
def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def set_weights(text: str, dm: str, weights: Mapping[str, float | Mapping[str, float]]) -> str:
    """A decision maker's points per option (a yes/no option: points when taken; an option
    with levels: level → points). Zero points are left out; no points remove ``weights``."""

    def change(doc: Doc) -> None:
        k = _dm_index(doc, dm)
        names = option_names(doc)
        value = CommentedMap()
        for option in names:
            points = weights.get(option)
            if isinstance(points, Mapping):
                kept = {lv: _number(p) for lv, p in points.items() if p}
                if kept:
                    value[option] = _flow_map(kept)
            elif points:
                value[option] = _number(points)
        unknown = [n for n in weights if n not in names]
        if unknown:
            raise ModelError(
                f"no option {unknown[0]!r}; expected one of: {', '.join(names)}",
                field=f"decision_makers[{k}].weights",
            )
        _set_or_drop(_dms(doc)[k], "weights", value or None)

    return apply(text, change)


# ----- statement rewriting --------------------------------------------------------------
def rename_in_statement(statement: str, old: str, new: str) -> str:
    """``statement`` with the option ``old`` renamed ``new``: parsed with the model's grammar
    and only the tokens naming that option replaced (level names, other options, spacing
    and operators kept). A statement that does not parse is returned unchanged (the
    validator reports it).

    >>> rename_in_statement("a if (aa or -a)", "a", "b")
    'b if (aa or -b)'
    >>> rename_in_statement("x is a and a", "a", "z")
    'x is a and z'
    """
    flat = statement.replace("\r", " ").replace("\n", " ")
    try:
        tree = statement_parser().parse(flat)
    except UnexpectedInput:
        return statement
    starts = sorted(
        {
            tok.start_pos
            for tok in _option_tokens(tree)
            if str(tok) == old and tok.start_pos is not None
        },
        reverse=True,
    )
    out = statement
    for at in starts:
        out = out[:at] + new + out[at + len(old) :]
    return out


def _option_tokens(tree: Tree[Token] | Token) -> Iterator[Token]:
    """The tokens naming options (never level names)."""
    if isinstance(tree, Token):
        if tree.type == "NAME":
            yield tree
        return
    for sub in tree.iter_subtrees():
        if sub.data in _TESTS and sub.children and isinstance(sub.children[0], Token):
            yield sub.children[0]
        elif sub.data not in ("level",):
            for child in sub.children:
                if isinstance(child, Token) and child.type == "NAME":
                    yield child


def _statement_lists(doc: Doc) -> Iterator[CommentedSeq]:
    """Every list of statements in the file: preferences, alternatives, perceptions,
    mediation candidates."""

    def of(prefs: Any) -> Iterator[CommentedSeq]:
        if isinstance(prefs, dict) and isinstance(prefs.get("statements"), list):
            yield prefs["statements"]

    for dm in _dms(doc):
        if not isinstance(dm, dict):
            continue
        yield from of(dm.get("preferences"))
        for alt in dm.get("alternatives") or []:
            if isinstance(alt, dict):
                yield from of(alt.get("preferences"))
    for p in doc.get("perceptions") or []:
        if isinstance(p, dict):
            yield from of(p.get("preferences"))
    mediation = doc.get("mediation")
    if isinstance(mediation, dict) and isinstance(mediation.get("candidates"), dict):
        for items in mediation["candidates"].values():
            if isinstance(items, CommentedSeq):
                yield items


def _rewrite_statements(items: CommentedSeq, rewrite: Callable[[str], str]) -> None:
    for i, item in enumerate(items):
        if isinstance(item, str):
            items[i] = _same_style(item, rewrite(item))
        elif isinstance(item, dict):
            if isinstance(item.get("statement"), str):
                item["statement"] = _same_style(item["statement"], rewrite(item["statement"]))
            if isinstance(item.get("unknown_order"), list):
                _rewrite_statements(item["unknown_order"], rewrite)


def _rename_in_list(items: Any, old: str, new: str) -> None:
    if isinstance(items, list):
        for i, v in enumerate(items):
            if v == old:
                items[i] = _same_style(v, new)


def _value_maps(doc: Doc) -> Iterator[CommentedMap]:
    """Every option → value mapping: status quo, patterns, phases, tranches, drafts,
    weights, the mediation target."""

    def maybe(m: Any) -> Iterator[CommentedMap]:
        if isinstance(m, CommentedMap):
            yield m

    yield from maybe(doc.get("status_quo"))
    for item in doc.get("infeasible") or []:
        if isinstance(item, dict):
            yield from maybe(item.get("pattern"))
    deal = doc.get("deal")
    if isinstance(deal, dict):
        for phase in [*(deal.get("phases") or []), *(deal.get("tranches") or [])]:
            if isinstance(phase, dict):
                yield from maybe(phase.get("set"))
                yield from maybe(phase.get("state"))
    for draft in doc.get("drafts") or []:
        if isinstance(draft, dict):
            yield from maybe(draft.get("state"))
    for dm in _dms(doc):
        if isinstance(dm, dict):
            yield from maybe(dm.get("weights"))
    mediation = doc.get("mediation")
    if isinstance(mediation, dict):
        yield from maybe(mediation.get("target"))


def _rename_option_uses(doc: Doc, old: str, new: str) -> None:
    for items in _statement_lists(doc):
        _rewrite_statements(items, lambda s: rename_in_statement(s, old, new))
    for m in _value_maps(doc):
        _rename_key(m, old, new)
    for item in doc.get("infeasible") or []:
        if isinstance(item, dict):
            for key in ("mutually_exclusive", "at_least_one"):
                _rename_in_list(item.get(key), old, new)
    deal = doc.get("deal")
    if isinstance(deal, dict):
        _rename_in_list(deal.get("guarantors"), old, new)
    mediation = doc.get("mediation")
    if isinstance(mediation, dict):
        for c in mediation.get("commitments") or []:
            if isinstance(c, dict) and c.get("option") == old:
                c["option"] = _same_style(c["option"], new)
    for p in doc.get("perceptions") or []:
        if isinstance(p, dict):
            _rename_in_list(p.get("unaware_of"), old, new)


# ----- Y/N state strings when the option order changes ----------------------------------
def _state_refs(doc: Doc) -> Iterator[tuple[Any, Any, bool]]:
    """(container, key, a set of states) of every positional state reference: a set of
    states (a pattern, a ranking or payoff entry) takes ``-`` for a new option, a single
    state (status quo, phase, draft, target) ``N``."""

    def ref(container: Any, key: Any, pattern: bool) -> Iterator[tuple[Any, Any, bool]]:
        if isinstance(container, dict | list) and (
            key in container if isinstance(container, dict) else key < len(container)
        ):
            yield container, key, pattern

    yield from ref(doc, "status_quo", False)
    for item in doc.get("infeasible") or []:
        yield from ref(item, "pattern", True)
    for dm in _dms(doc):
        if not isinstance(dm, dict):
            continue
        prefs = [dm.get("preferences")] + [
            a.get("preferences") for a in dm.get("alternatives") or [] if isinstance(a, dict)
        ]
        for p in prefs:
            yield from _pref_refs(p)
        for i in range(len(dm.get("blind_spots") or [])):
            yield from ref(dm["blind_spots"], i, True)
    for p in doc.get("perceptions") or []:
        if isinstance(p, dict):
            yield from _pref_refs(p.get("preferences"))
    deal = doc.get("deal")
    if isinstance(deal, dict):
        for phase in deal.get("phases") or []:
            yield from ref(phase, "state", False)
    for draft in doc.get("drafts") or []:
        yield from ref(draft, "state", False)
    mediation = doc.get("mediation")
    if isinstance(mediation, dict):
        yield from ref(mediation, "target", False)


def _pref_refs(prefs: Any) -> Iterator[tuple[Any, Any, bool]]:
    if not isinstance(prefs, dict):
        return
    for entry_list in [prefs.get("ranking") or []]:
        for i, entry in enumerate(entry_list):
            if isinstance(entry, list):
                for j in range(len(entry)):
                    yield entry, j, True
            else:
                yield entry_list, i, True
    for entry in prefs.get("payoffs") or []:
        if isinstance(entry, dict):
            yield entry, "state", True


def _rewrite_refs(doc: Doc, rewrite: Callable[[str, bool, str], str]) -> None:
    for container, key, pattern in _state_refs(doc):
        value = container[key]
        if isinstance(value, (bool, int)):
            raise ModelError(
                "the model names a state by its number here; changing the "
                "options would change what the number means: write the state "
                "as a Y/N string first",
                field=str(key),
            )
        if isinstance(value, str):
            if "/" in value:
                raise ModelError(
                    "this edit cannot rewrite a state written with levels "
                    f"({value!r}); edit the YAML instead",
                    field=str(key),
                )
            container[key] = _same_style(value, rewrite(value, pattern, str(key)))


def _reorder_states(doc: Doc, order: list[int]) -> None:
    """Rewrite every Y/N string so that letter ``k`` is the old letter ``order[k]``."""
    if order == list(range(len(order))):
        return

    def rewrite(value: str, _many: bool, _key: str) -> str:
        if len(value) < max(order, default=-1) + 1:
            return value  # not a full state: the validator names it
        return "".join(value[i] for i in order)

    _rewrite_refs(doc, rewrite)


def _widen_states(doc: Doc, at: int, before: list[str], first: str = "N") -> None:
    """A new option at ``at``: a letter for it in every full-length Y/N string, and ``N``
    in every mapping that names each of the ``before`` options (a whole state)."""

    def rewrite(value: str, many: bool, _key: str) -> str:
        if len(value) != len(before):
            return value
        return value[:at] + ("-" if many else "N") + value[at:]

    _rewrite_refs(doc, rewrite)
    new = option_names(doc)[at]
    for m in _value_maps(doc):
        if set(before) <= set(m) and new not in m:
            keys = list(m)
            m.insert(keys.index(before[at - 1]) + 1 if at else 0, new, first)
