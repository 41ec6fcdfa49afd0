"""Reading the native YAML model file: text → validated raw data (a :class:`ModelSpec` and the
ruamel data it came from), with errors that point at file, line and field."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from detente.formats.spec import (
    AlternativeSpec,
    DealSpec,
    DecisionMakerSpec,
    DraftSpec,
    InfeasibleSpec,
    MediationSpec,
    ModelSpec,
    OptionSpec,
    PayoffSpec,
    PhaseSpec,
    PreferencesSpec,
    StatementGroupSpec,
    StatementSpec,
)
from detente.formats.yaml_text import load_yaml, to_plain
from detente.model.errors import ArgumentError, ModelError

Path_ = tuple[str | int, ...]


def read_spec(text: str, source: str = "<string>") -> tuple[ModelSpec, Any]:
    """Native YAML text → its validated spec, and the ruamel data it came from (whose
    line numbers locate the errors found while building)."""
    if not isinstance(text, str):
        raise ArgumentError(f"expected YAML text (str), got {type(text).__name__}")
    raw = load_yaml(text, source)
    if not isinstance(raw, dict):
        raise ModelError(
            "expected a mapping with the fields name, decision_makers, ... at the top of the file",
            source=source,
            line=1,
        )
    plain = to_plain(raw, source)
    try:
        spec = ModelSpec.model_validate(plain)
    except ValidationError as exc:
        data_loc, message = _explain(raw, exc.errors())
        raise ModelError(
            message,
            source=source,
            line=_line_of(raw, data_loc),
            field=_field_name(data_loc) or None,
        ) from None
    return spec, raw


_SPEC_OF_FIELD: dict[str, type[Any]] = {
    "decision_makers": DecisionMakerSpec, "options": OptionSpec, "preferences": PreferencesSpec,
    "statements": StatementSpec, "payoffs": PayoffSpec, "infeasible": InfeasibleSpec,
    "mediation": MediationSpec,
    "alternatives": AlternativeSpec, "unknown_order": StatementSpec,
    "deal": DealSpec, "phases": PhaseSpec, "drafts": DraftSpec,
}


_SPECS: list[type[Any]] = [*_SPEC_OF_FIELD.values(), ModelSpec, StatementGroupSpec]


_SPEC_BY_CLASS: dict[str, type[Any]] = {spec.__name__: spec for spec in _SPECS}


_BRANCH_WORDS = {
    "str": "text", "int": "a whole number", "float": "a number", "StatementSpec":
    "a mapping with statement and rationale", "StatementGroupSpec":
    "a mapping with unknown_order", "LevelPoints": "a mapping of levels to points",
    "list": "a list", "dict": "a mapping of options to "
    "Y or N",
}


def _is_branch_label(part: object) -> bool:
    return isinstance(part, str) and (
        part in {"str", "int", "float", "list[...]"} or part[:1].isupper() or "[" in part
    )


def _data_path_in(raw: Any, loc: tuple[Any, ...]) -> tuple[Path_, list[str]]:
    """The location in the user's data, and the union branches (e.g. 'str') along the way.

    A part that is a key of the data is kept even if it looks like a branch label.
    """
    out: list[str | int] = []
    branches: list[str] = []
    node = raw
    for part in loc:
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if present:
            out.append(part)
            node = node[part]
        elif _is_branch_label(part):
            branches.append(str(part))
        else:
            out.append(part)
            node = None
    return tuple(out), branches


def _explain(raw: Any, errors: list[Any]) -> tuple[Path_, str]:
    """Pick the most telling pydantic error and say what was expected, in the file's terms."""
    first = errors[0]
    loc0 = tuple(first["loc"])
    cut = next((i for i, part in enumerate(loc0) if _is_branch_label(part)), None)
    if cut is None:
        candidates = [first]
    else:  # a union: the branch that got furthest into the data says most
        candidates = [e for e in errors if tuple(e["loc"])[:cut] == loc0[:cut]]
    candidates = _statement_branch(raw, candidates)
    scored = [(e, *_data_path_in(raw, tuple(e["loc"]))) for e in candidates]
    depth = max(len(path) for _, path, _ in scored)
    deepest = [(e, path, br) for e, path, br in scored if len(path) == depth]
    deepest.sort(key=lambda t: t[0]["type"] != "extra_forbidden")
    err, path, _ = deepest[0]
    mismatch = {"int_from_float", "int_parsing", "float_parsing"}
    if len(deepest) > 1 and all(
        str(e["type"]).endswith("_type") or e["type"] in mismatch for e, _, _ in deepest
    ):
        words = []
        for _, _, br in deepest:
            label = br[-1] if br else ""
            word = _BRANCH_WORDS.get(label.split("[")[0], label)
            if word not in words:
                words.append(word)
        expected = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
        return path, f"expected {expected}, got {_shown(err.get('input'))}"
    return path, _pydantic_message(err, path)


def _statement_branch(raw: Any, errors: list[Any]) -> list[Any]:
    """A statement-list entry is a statement or an ``unknown_order`` group: keep the errors of
    the branch the entry's keys choose (a mapping with ``unknown_order`` is a group)."""
    kept = []
    for e in errors:
        loc = tuple(e["loc"])
        for label, wants_group in (("StatementSpec", False), ("StatementGroupSpec", True)):
            if label in loc:
                node, _ = _node_at(raw, loc[: loc.index(label)])
                if isinstance(node, dict) and ("unknown_order" in node) != wants_group:
                    break
        else:
            kept.append(e)
    return kept or errors


def _node_at(raw: Any, loc: tuple[Any, ...]) -> tuple[Any, bool]:
    node = raw
    for part in loc:
        path, _ = _data_path_in(node, (part,))
        if path:
            if path[0] != part or not isinstance(node, dict | list):
                return None, False
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None, False
    return node, True


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


def _pydantic_message(err: Any, path: Path_ = ()) -> str:
    msg = str(err["msg"])
    name = path[-1] if path else "?"
    if err["type"] == "extra_forbidden":
        parent = next((p for p in reversed(path[:-1]) if isinstance(p, str)), None)
        spec = _SPEC_OF_FIELD.get(parent, ModelSpec) if parent else ModelSpec
        return (
            f"unknown field {name!r}; expected one of: {', '.join(spec.model_fields)}"
        )
    if err["type"] == "missing":
        return f"required field {name!r} is missing"
    if err["type"] in {"model_type", "model_attributes_type"}:  # names a spec class: say fields
        named = _SPEC_BY_CLASS.get(str((err.get("ctx") or {}).get("class_name")))
        fields = f" with the fields {', '.join(named.model_fields)}" if named else ""
        return f"expected a mapping{fields}, got {_shown(err.get('input'))}"
    msg = msg.removeprefix("Value error, ")
    if err["type"] in {"string_type", "int_type", "float_type", "list_type", "dict_type",
                       "literal_error", "int_from_float", "float_parsing", "int_parsing"}:
        msg += f", got {_shown(err.get('input'))}"
    return msg


def _data_path(loc: tuple[Any, ...]) -> Path_:
    """Drop pydantic's union-branch labels (e.g. 'str', 'StatementSpec') from a location."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (
            part in {"str", "int", "list[...]", "float"} or part[:1].isupper() or "[" in part
        ):
            continue
        out.append(part)
    return tuple(out)


def _field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(raw: Any, path: Path_) -> int | None:
    """1-based line of the deepest node on ``path`` that ruamel knows the position of."""
    root_lc = getattr(raw, "lc", None)
    line: int | None = root_lc.line + 1 if root_lc is not None and path else None
    node = raw
    for part in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and part in node:
                if lc is not None:
                    line = lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                if lc is not None:
                    line = lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


__all__ = ["read_spec"]
