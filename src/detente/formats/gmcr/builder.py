"""Building a model from GMCR+ data: each key checked as it is read, with errors that name the
file and JSON path (the format: :mod:`detente.formats.gmcr.reader`).

Mapping to detente
------------------
* Option names become identifiers (``"Legal Challenge"`` → ``Legal_Challenge``; a repeated
  name is prefixed with its DM's name); an original name that changed is kept as the option's
  description.
* Infeasible conditions become :class:`InfeasiblePattern` (one per member of a compound one).
* Preference conditions become statements: ``a and not b``; compound ones
  ``(a and not b) or c``.
* With manual rankings, a DM whose ``preferences`` rank the states exactly as its ranking keeps
  them as statements; otherwise the ranking becomes a :class:`RankingPreference`.
* Coalitions of two or more DMs become ``Conflict.coalitions``; the partition must be valid
  (GMCR-py silently resets an invalid one; detente refuses it).
* The conflict is named by ``name``, else by the file's stem. Literals, disjuncts and ties,
  which have no order, are put in model order, so that a written file reads back equal.

>>> c = loads_gmcr('{"options": [{"name": "a"}], "decisionMakers": '
...                '[{"name": "A", "options": [0], "preferences": [[[0, "Y"]]]}]}')
>>> c.dms[0].preference.statements[0].text, c.ranks.tolist()
('a', [[0, 1]])
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np

from detente.formats.files import read_text
from detente.formats.gmcr.reader import read_json
from detente.model.conflict import Conflict, DecisionMaker, Direction, Option, enumerate_feasible
from detente.model.errors import ModelError
from detente.model.feasibility import Constraint, InfeasiblePattern
from detente.model.preferences import (
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
    dense_ranks,
)
from detente.model.statements import KEYWORDS, parse_statement
from detente.model.states import StateRefError, StateSpace, letter

__all__ = ["identifier", "load_gmcr", "loads_gmcr"]

JsonPath = tuple[str | int, ...]
Literal_ = tuple[int, bool]  # (option index in the file, taken)

#: Keys read into the model.
_MODEL_KEYS = frozenset({
    "options", "decisionMakers", "infeasibles", "useManualPreferenceRanking",
    "useManualPreferenceVectors", "coalitions", "name", "description",
})
#: Keys GMCR-py writes that are derived from the model or only describe the writer.
_IGNORED_KEYS = frozenset({"coalitionsFull", "program", "version", "nodes"})
_DM_KEYS = frozenset({
    "name", "options", "preferences", "preferenceRanking", "preferenceVector", "payoffs",
    "misperceptions",
})
_OPTION_KEYS = frozenset({"name", "permittedDirection"})
_COMPOUND_KEYS = frozenset({"compound", "members"})
_DIRECTIONS: tuple[Direction, ...] = ("both", "fwd", "back")
_FLAGS = ("useManualPreferenceRanking", "useManualPreferenceVectors")
_RANKING_KEYS = ("preferenceRanking", "preferenceVector")
"""Largest disjunctive normal form written as a compound condition."""


# ----- reading --------------------------------------------------------------------------
def load_gmcr(path: str | Path) -> Conflict:
    """Load a GMCR+ ``.gmcr`` (JSON) file."""
    return loads_gmcr(read_text(path), source=str(path))


def loads_gmcr(text: str, source: str = "<string>") -> Conflict:
    """Build a model from GMCR+ JSON text."""
    return _Builder(read_json(text, source), source).build()


def _field_name(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _describe(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, str) or len(value) < 40 else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def identifier(name: str, fallback: str) -> str:
    """An option-name identifier for a GMCR+ name (``"Legal Challenge"`` → ``Legal_Challenge``).

    >>> identifier("Release Water!", "o"), identifier("2nd", "o"), identifier("or", "o")
    ('Release_Water', 'o_2nd', 'or_')
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_).strip("_")
    if not out:
        return fallback
    if out[0].isdigit():
        out = f"{fallback}_{out}"
    if out in KEYWORDS:
        out += "_"
    return out


class _Builder:
    def __init__(self, raw: Any, source: str) -> None:
        self.raw = raw
        self.source = source

    def error(self, message: str, path: JsonPath = ()) -> ModelError:
        return ModelError(message, source=self.source, field=_field_name(path) or None)

    # -- generic checks --------------------------------------------------------------
    def _list(self, value: Any, path: JsonPath, what: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(f"expected a list of {what}, got {_describe(value)}", path)
        return value

    def _dict(self, value: Any, path: JsonPath, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(f"expected {what} (a JSON object), got {_describe(value)}", path)
        return value

    def _keys(self, obj: dict[str, Any], allowed: Iterable[str], path: JsonPath) -> None:
        allowed = sorted(allowed)
        for key in obj:
            if key not in allowed:
                raise self.error(
                    f"unsupported key {key!r}; expected only: {', '.join(allowed)}", path
                )

    def _str(self, value: Any, path: JsonPath, what: str) -> str:
        if not isinstance(value, str):
            raise self.error(f"expected {what} (a string), got {_describe(value)}", path)
        return value

    # -- top level --------------------------------------------------------------------
    def build(self) -> Conflict:
        top = self._dict(self.raw, (), "a GMCR+ conflict with options and decisionMakers")
        if "misperceptions" in top:
            raise self._misperceptions(("misperceptions",))
        for key in top:
            if key not in _MODEL_KEYS and key not in _IGNORED_KEYS:
                raise self.error(
                    f"unsupported top-level key {key!r}; detente reads "
                    f"{', '.join(sorted(_MODEL_KEYS))} and ignores "
                    f"{', '.join(sorted(_IGNORED_KEYS))}",
                )
        for key in ("options", "decisionMakers"):
            if key not in top:
                raise self.error(f"required key {key!r} is missing")
        self._read_options(top)
        self._read_dms(top)
        self.manual = self._flag(top)
        constraints = self._infeasibles(top.get("infeasibles", []))
        try:
            feasible = enumerate_feasible(
                len(self.names), constraints, self.bits, len(self.dm_names), self.source
            )
        except ModelError as exc:
            raise self.error(exc.message, ("infeasibles",)) from None
        dms = tuple(self._dm(k, feasible) for k in range(len(self.dm_raw)))
        coalitions = self._coalitions(top.get("coalitions", []))
        name = self._text(top, "name") or (
            Path(self.source).stem if not self.source.startswith("<") else "GMCR+ conflict"
        )
        try:
            return Conflict(
                name=name,
                options=self.options,
                dms=dms,
                constraints=constraints,
                coalitions=coalitions,
                description=self._text(top, "description"),
                source_file=self.source,
            )
        except ModelError as exc:
            raise exc.located(source=self.source, field=self._guess(exc)) from None

    def _text(self, top: dict[str, Any], key: str) -> str:
        if key not in top:
            return ""
        return self._str(top[key], (key,), f"the conflict's {key}").strip()

    def _guess(self, exc: ModelError) -> str | None:
        for k, name in enumerate(self.dm_names):
            if f"decision maker {name!r}" in exc.message:
                return f"decisionMakers[{k}].preferences"
        return None

    def _misperceptions(self, path: JsonPath) -> ModelError:
        return self.error(
            "misperceptions belong to a decision maker (decisionMakers[].misperceptions: the "
            "conditions of states it misperceives), not to the whole conflict; move them there",
            path,
        )

    # -- options and decision makers ----------------------------------------------------
    def _read_options(self, top: dict[str, Any]) -> None:
        raw = self._list(top["options"], ("options",), "options")
        self.file_names: list[str] = []
        self.file_dirs: list[Direction] = []
        for k, item in enumerate(raw):
            path: JsonPath = ("options", k)
            opt = self._dict(item, path, 'an option {"name": ..., "permittedDirection": ...}')
            self._keys(opt, _OPTION_KEYS, path)
            if "name" not in opt:
                raise self.error("required key 'name' is missing", path)
            self.file_names.append(self._str(opt["name"], (*path, "name"), "the option name"))
            direction = opt.get("permittedDirection", "both")
            if direction not in _DIRECTIONS:
                raise self.error(
                    f"permittedDirection must be one of both, fwd, back; got "
                    f"{_describe(direction)}",
                    (*path, "permittedDirection"),
                )
            self.file_dirs.append(cast(Direction, direction))

    def _index(self, value: Any, path: JsonPath) -> int:
        n = len(self.file_names)
        if not _is_int(value):
            raise self.error(
                f"expected a 0-based option index (an integer), got {_describe(value)}", path
            )
        if not 0 <= value < n:
            raise self.error(
                f"option index {value} is out of range; the file has {n} options "
                f"(indices 0..{n - 1})",
                path,
            )
        return int(value)

    def _read_dms(self, top: dict[str, Any]) -> None:
        self.dm_raw = self._list(top["decisionMakers"], ("decisionMakers",), "decision makers")
        self.dm_names: list[str] = []
        owner: dict[int, int] = {}
        dm_file_options: list[list[int]] = []
        for k, item in enumerate(self.dm_raw):
            path: JsonPath = ("decisionMakers", k)
            dm = self._dict(item, path, "a decision maker")
            self._keys(dm, _DM_KEYS, path)
            for key in ("name", "options"):
                if key not in dm:
                    raise self.error(f"required key {key!r} is missing", path)
            name = self._str(dm["name"], (*path, "name"), "the decision maker's name").strip()
            if not name:
                raise self.error("the decision maker's name is empty", (*path, "name"))
            if name in self.dm_names:
                raise self.error(f"duplicate decision maker name {name!r}", (*path, "name"))
            self.dm_names.append(name)
            mine: list[int] = []
            opts = self._list(dm["options"], (*path, "options"), "option indices")
            for j, value in enumerate(opts):
                idx = self._index(value, (*path, "options", j))
                if idx in owner:
                    other = owner[idx]
                    where = "this decision maker" if other == k else (
                        f"decisionMakers[{other}] ({self.dm_names[other]!r})"
                    )
                    raise self.error(
                        f"option {idx} ({self.file_names[idx]!r}) is already controlled by "
                        f"{where}; each option belongs to exactly one decision maker",
                        (*path, "options", j),
                    )
                owner[idx] = k
                mine.append(idx)
            dm_file_options.append(mine)
        for idx, name in enumerate(self.file_names):
            if idx not in owner:
                raise self.error(
                    f"option {idx} ({name!r}) is controlled by no decision maker; expected its "
                    "index in one decisionMakers[].options list",
                    ("options", idx),
                )
        # Model order: grouped by decision maker, as GMCR-py numbers states.
        order = [idx for mine in dm_file_options for idx in mine]
        taken: set[str] = set()
        self.name_of: dict[int, str] = {}
        options: list[Option] = []
        for idx in order:
            dm_name = self.dm_names[owner[idx]]
            original = self.file_names[idx]
            name = identifier(original, f"option_{idx + 1}")
            if name in taken:
                name = f"{identifier(dm_name, 'dm')}_{name}"
            base, n = name, 2
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            taken.add(name)
            self.name_of[idx] = name
            options.append(
                Option(name, dm_name, self.file_dirs[idx], original if original != name else "")
            )
        self.options = tuple(options)
        self.names = tuple(o.name for o in options)
        self.bits = {n: b for b, n in enumerate(self.names)}
        self.dm_options = [tuple(self.name_of[i] for i in mine) for mine in dm_file_options]

    def _flag(self, top: dict[str, Any]) -> bool:
        values = {}
        for key in _FLAGS:
            if key in top:
                if not isinstance(top[key], bool):
                    raise self.error(f"expected true or false, got {_describe(top[key])}", (key,))
                values[key] = top[key]
        if len(set(values.values())) > 1:
            raise self.error(f"{_FLAGS[0]} and {_FLAGS[1]} disagree; expected one value")
        return any(values.values())

    # -- conditions -----------------------------------------------------------------------
    def _condition(self, raw: Any, path: JsonPath) -> list[Literal_]:
        """A plain condition: a non-empty list of [option index, "Y"/"N"] pairs.

        Returned in model bit order (a conjunction is unordered).
        """
        pairs = self._list(raw, path, '[option index, "Y" or "N"] pairs')
        if not pairs:
            raise self.error('empty condition; expected at least one [option index, "Y"/"N"]',
                             path)
        out: list[Literal_] = []
        seen: set[int] = set()
        for j, pair in enumerate(pairs):
            p = (*path, j)
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.error(
                    f'expected a pair [option index, "Y" or "N"], got {_describe(pair)}', p
                )
            idx = self._index(pair[0], (*p, 0))
            if pair[1] not in ("Y", "N"):
                raise self.error(f'expected "Y" or "N", got {_describe(pair[1])}', (*p, 1))
            if idx in seen:
                raise self.error(
                    f"option {idx} ({self.file_names[idx]!r}) appears twice in one condition", p
                )
            seen.add(idx)
            out.append((idx, pair[1] == "Y"))
        return sorted(out, key=lambda lit: self._bit(lit[0]))

    def _bit(self, idx: int) -> int:
        """Model bit of the option at file index ``idx``."""
        return self.bits[self.name_of[idx]]

    def _conditions(self, raw: Any, path: JsonPath) -> list[list[Literal_]]:
        """A condition or compound condition, as a disjunction of conjunctions."""
        if isinstance(raw, dict):
            self._keys(raw, _COMPOUND_KEYS, path)
            if "members" not in raw:
                raise self.error("compound condition without 'members'", path)
            members = self._list(raw["members"], (*path, "members"), "conditions")
            if not members:
                raise self.error("compound condition with no members; expected at least one",
                                 (*path, "members"))
            conjs = [self._condition(m, (*path, "members", j)) for j, m in enumerate(members)]
            # Canonical order (model bit order), as the writer uses: a disjunction is unordered.
            return sorted(conjs, key=lambda conj: [(self._bit(i), letter(v)) for i, v in conj])
        if not isinstance(raw, list):
            raise self.error(
                'expected a condition (a list of [option index, "Y"/"N"] pairs) or a '
                f'compound condition {{"compound": true, "members": [...]}}, got {_describe(raw)}',
                path,
            )
        return [self._condition(raw, path)]

    def _infeasibles(self, raw: Any) -> tuple[Constraint, ...]:
        out: list[Constraint] = []
        for k, item in enumerate(self._list(raw, ("infeasibles",), "conditions")):
            for conj in self._conditions(item, ("infeasibles", k)):
                out.append(InfeasiblePattern(tuple((self.name_of[i], v) for i, v in conj)))
        return tuple(out)

    def _statement(self, disjuncts: list[list[Literal_]]) -> Statement:
        parts = [
            " and ".join(self.name_of[i] if v else f"not {self.name_of[i]}" for i, v in conj)
            for conj in disjuncts
        ]
        text = parts[0] if len(parts) == 1 else " or ".join(
            f"({p})" if " and " in p else p for p in parts
        )
        return Statement(text, parse_statement(text, set(self.names)))

    # -- preferences ----------------------------------------------------------------------
    def _dm(self, k: int, feasible: np.ndarray) -> DecisionMaker:
        dm = self.dm_raw[k]
        path: JsonPath = ("decisionMakers", k)
        raw_prefs = self._list(dm.get("preferences", []), (*path, "preferences"), "conditions")
        statements = StatementPreference(tuple(
            self._statement(self._conditions(item, (*path, "preferences", j)))
            for j, item in enumerate(raw_prefs)
        ))
        pref: Preference = statements
        ranking = self._ranking(dm, path, feasible)
        if ranking is not None and not self._agrees(statements, ranking, feasible):
            pref = ranking
        return DecisionMaker(self.dm_names[k], self.dm_options[k], pref,
                             blind_spots=self._blind_spots(dm, path))

    def _blind_spots(self, dm: dict[str, Any], path: JsonPath) -> tuple[str, ...]:
        """GMCR+ misperceptions (conditions: states this DM misperceives) as Y/N/- patterns
        in model option order; a compound condition gives one pattern per member."""
        raw = self._list(dm.get("misperceptions", []), (*path, "misperceptions"), "conditions")
        out: list[str] = []
        for j, item in enumerate(raw):
            for conj in self._conditions(item, (*path, "misperceptions", j)):
                letters = ["-"] * len(self.names)
                for idx, value in conj:
                    letters[self._bit(idx)] = letter(value)
                if "".join(letters) not in out:
                    out.append("".join(letters))
        return tuple(out)

    def _agrees(
        self, statements: StatementPreference, ranking: RankingPreference, feasible: np.ndarray
    ) -> bool:
        """Whether the prioritised conditions rank the feasible states as the ranking does."""
        if len(statements.statements) > 62:
            return False
        return np.array_equal(
            dense_ranks(statements.scores(feasible, self.bits)),
            dense_ranks(ranking.scores(feasible, self.bits)),
        )

    def _ranking(
        self, dm: dict[str, Any], path: JsonPath, feasible: np.ndarray
    ) -> RankingPreference | None:
        present = [key for key in _RANKING_KEYS if key in dm]
        if not self.manual:
            return None  # GMCR-py ignores a ranking unless the conflict-wide flag is set.
        if not present:
            raise self.error(
                "the conflict uses manual rankings (useManualPreferenceRanking is true) but this "
                "decision maker has no preferenceRanking (or older preferenceVector)",
                path,
            )
        if len(present) == 2 and dm[present[0]] != dm[present[1]]:
            raise self.error("preferenceRanking and preferenceVector disagree; expected one",
                             path)
        key = present[0]
        entries = self._list(
            dm[key], (*path, key),
            "feasible state numbers (most preferred first; a nested list is a tie)",
        )
        space = StateSpace(self.names, tuple(o.direction for o in self.options), feasible)
        n = space.n_states
        seen: set[int] = set()
        tiers: list[tuple[int, ...]] = []
        for j, entry in enumerate(entries):
            p = (*path, key, j)
            numbers = entry if isinstance(entry, list) else [entry]
            if not numbers:
                raise self.error("empty tie; expected one or more state numbers", p)
            tier: list[int] = []
            for m, number in enumerate(numbers):
                q = (*p, m) if isinstance(entry, list) else p
                if not _is_int(number):
                    raise self.error(
                        f"expected a state number (an integer) or a list of them (a tie), got "
                        f"{_describe(number)}",
                        q,
                    )
                try:  # the state space owns state numbers and their range
                    code = space.code_of_number(number)
                except StateRefError:
                    raise self.error(
                        f"state number {number} is out of range; the conflict has {n} feasible "
                        f"states (1..{n})",
                        q,
                    ) from None
                if number in seen:
                    raise self.error(f"state {number} appears more than once in the ranking", q)
                seen.add(number)
                tier.append(int(code))
            tiers.append(tuple(sorted(tier)))  # a tie has no order
        missing = [s for s in range(1, n + 1) if s not in seen]
        if missing:
            shown = ", ".join(map(str, missing[:8])) + (" ..." if len(missing) > 8 else "")
            raise self.error(
                f"the ranking must list every feasible state (1..{n}); missing {shown}",
                (*path, key),
            )
        return RankingPreference(tuple(tiers))

    def _coalitions(self, raw: Any) -> tuple[tuple[str, ...], ...]:
        items = self._list(raw, ("coalitions",), "decision maker indices or lists of them")
        if not items:
            return ()
        n = len(self.dm_names)
        seen: dict[int, int] = {}
        out: list[tuple[str, ...]] = []
        for j, item in enumerate(items):
            members = item if isinstance(item, list) else [item]
            names: list[str] = []
            for m, idx in enumerate(members):
                p: JsonPath = ("coalitions", j, m) if isinstance(item, list) else ("coalitions", j)
                if not _is_int(idx) or not 0 <= idx < n:
                    raise self.error(
                        f"expected a 0-based decision maker index (0..{n - 1}) or a list of "
                        f"them, got {_describe(idx)}",
                        p,
                    )
                if idx in seen:
                    raise self.error(
                        f"decision maker {idx} ({self.dm_names[idx]!r}) is in two coalitions; "
                        "expected each decision maker exactly once",
                        p,
                    )
                seen[idx] = j
                names.append(self.dm_names[idx])
            if len(names) > 1:
                out.append(tuple(names))
        missing = [f"{i} ({self.dm_names[i]!r})" for i in range(n) if i not in seen]
        if missing:
            raise self.error(
                "coalitions must list every decision maker exactly once (alone or in a "
                f"coalition); missing {', '.join(missing)}",
                ("coalitions",),
            )
        return tuple(out)


