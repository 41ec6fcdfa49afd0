"""Read and write GMCR+ ``.gmcr`` files (JSON), with errors that name the file and JSON path.

What the format is, and where that comes from
---------------------------------------------
GMCR+ itself is closed source and publishes no file specification. The format below was
learnt from the public files of GMCR-py (github.com/onp/gmcr-py, by Oskar Petersons; its README
credits Rami Kinsara, Keith Hipel and Marc Kilgour). GMCR-py is *not* open source: its
repository carries a proprietary end-user licence agreement. It reads and writes the same
``.gmcr`` JSON: ``data_01_conflictModel.py`` (``export_rep``/``json_import``/``from_json``
of each class),
``data_03_gmcrUtilities.py`` (state numbering, payoffs), ``data_02_conflictSolvers.py``
(irreversible moves), ``savefile-schema.json`` and the example files shipped with it. No code
or example file was copied. Top-level keys:

``options``
    List of ``{"name": str, "permittedDirection": "both" | "fwd" | "back"}``. ``fwd``: the option
    may be taken (N→Y) but never undone; ``back``: it may only be dropped (Y→N). Names need not
    be unique or identifiers (GMCR-py examples hold two options called ``"Full"``).
``decisionMakers``
    List of ``{"name", "options", "preferences", ...}``. ``options`` are **0-based** indices into
    the top-level list. ``preferences`` are prioritised conditions, most important first; a
    state scores ``2**(n-1-k)`` for each condition k it satisfies (exactly detente's
    :class:`~detente.model.preferences.StatementPreference`).
``infeasibles``
    List of conditions; a state matching any of them is infeasible.
``useManualPreferenceRanking`` (``useManualPreferenceVectors`` in older files)
    One flag for the whole conflict. When true every DM carries ``preferenceRanking`` (older:
    ``preferenceVector``): feasible state numbers, most preferred first, a nested list being a
    tie; the ``preferences`` lists are then kept but not used.
``coalitions``
    Partition of the DMs: each item a DM index (0-based) or a list of DM indices.

A **condition** is a list of ``[option index, "Y" | "N"]`` pairs (a conjunction); a
**compound condition** is ``{"compound": true, "members": [condition, ...]}`` and holds when
any member holds (a disjunction). GMCR-py has no other operators: IF and IFF do not exist in the
file. **States**: option k of the list is bit k (``Y`` = 1), and feasible states are numbered
from 1 in increasing order of that code. GMCR-py regroups the options by decision maker on
loading (DM order, then each DM's ``options`` order) before it numbers states, so detente
does the same: the model's option order is that grouped order (for files GMCR-py saved, it is
the file's order).

Written by GMCR-py, derived, ignored here: ``payoffs`` (per DM), ``coalitionsFull``,
``program``, ``version`` and ``nodes`` (its visualiser export). ``name`` and ``description``
are detente's own additions (GMCR-py ignores unknown keys): the model's name and description.
Per-DM ``misperceptions`` (hypergames) are refused unless empty; any other key is refused,
so nothing with model meaning is dropped silently. GMCR-py requires ``permittedDirection``,
``preferences``, ``infeasibles`` and the flag; detente reads their absence as ``both``, no
conditions and false. An empty ``coalitions`` list means every DM acts alone.

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

Writing: options are written grouped by DM (as GMCR-py expects). Every statement is written
exactly as a condition or compound condition, via its disjunctive normal form (``a if b`` →
``a`` OR ``not b``); statements that always or never hold do not affect the ranking and are
left out. Ranking and payoff preferences (or a statement whose normal form would exceed 64
terms) have no condition form: the whole file then uses a manual ranking, computed from
``conflict.ranks`` for every DM (the other DMs' conditions are written too). Mutually-exclusive
and at-least-one groups are expanded to infeasible conditions. The file holds one partition
of the DMs, so a coalition that overlaps an earlier one is left out. The format has no place
for the status quo, sources, rationales, option and DM descriptions or statement wording;
they are not written. :func:`omissions` names everything left out (``detente convert`` warns
about each).

>>> c = loads_gmcr('{"options": [{"name": "a"}], "decisionMakers": '
...                '[{"name": "A", "options": [0], "preferences": [[[0, "Y"]]]}]}')
>>> c.dms[0].preference.statements[0].text, c.ranks.tolist()
('a', [[0, 1]])
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from importlib import metadata
from itertools import combinations
from pathlib import Path
from typing import Any, cast

import numpy as np

from detente.formats import read_text, write_atomic
from detente.model.conflict import Conflict, DecisionMaker, Direction, Option, enumerate_feasible
from detente.model.errors import ModelError
from detente.model.feasibility import AtLeastOne, Constraint, InfeasiblePattern, MutuallyExclusive
from detente.model.preferences import (
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
    dense_ranks,
)
from detente.model.statements import KEYWORDS, Binary, Expr, Lit, Not, parse_statement

__all__ = ["dump_gmcr", "dumps_gmcr", "load_gmcr", "loads_gmcr", "omissions"]

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
MAX_TERMS = 64
"""Largest disjunctive normal form written as a compound condition."""


# ----- reading --------------------------------------------------------------------------
def load_gmcr(path: str | Path) -> Conflict:
    """Load a GMCR+ ``.gmcr`` (JSON) file."""
    return loads_gmcr(read_text(path), source=str(path))


def loads_gmcr(text: str, source: str = "<string>") -> Conflict:
    """Build a model from GMCR+ JSON text."""
    try:
        raw = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ModelError(
            f"not valid JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise ModelError("not valid JSON: nested too deeply", source=source) from None
    return _Reader(raw, source).build()


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


class _Reader:
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
            "misperceptions (hypergame models, where a decision maker does not see some "
            "states) are not supported by detente; remove them from the file to analyse the "
            "conflict as perceived correctly by everyone",
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
            if dm.get("misperceptions"):
                raise self._misperceptions((*path, "misperceptions"))
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
            return sorted(conjs, key=lambda conj: [(self._bit(i), "YN"[not v]) for i, v in conj])
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
        return DecisionMaker(self.dm_names[k], self.dm_options[k], pref)

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
        n = int(feasible.size)
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
                if not 1 <= number <= n:
                    raise self.error(
                        f"state number {number} is out of range; the conflict has {n} feasible "
                        f"states (1..{n})",
                        q,
                    )
                if number in seen:
                    raise self.error(f"state {number} appears more than once in the ranking", q)
                seen.add(number)
                tier.append(int(feasible[number - 1]))
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


# ----- statements to conditions ----------------------------------------------------------
Term = frozenset[tuple[str, bool]]


class _TooComplex(Exception):
    """A statement's disjunctive normal form exceeds MAX_TERMS terms."""


def _or(a: set[Term], b: set[Term]) -> set[Term]:
    return _reduce(a | b)


def _and(a: set[Term], b: set[Term]) -> set[Term]:
    if len(a) * len(b) > MAX_TERMS * MAX_TERMS:
        raise _TooComplex  # bounded work: never multiply out more than 64 x 64 terms
    out: set[Term] = set()
    for s in a:
        for t in b:
            u = s | t
            if len({name for name, _ in u}) == len(u):  # no option both taken and not
                out.add(u)
    return _reduce(out)


def _reduce(terms: set[Term]) -> set[Term]:
    """Merge ``x∧A ∨ ¬x∧A`` into ``A`` and drop absorbed terms, to a fixed point."""
    terms = set(terms)
    changed = True
    while changed:
        changed = False
        for s in list(terms):
            for lit in s:
                twin = (s - {lit}) | {(lit[0], not lit[1])}
                if twin in terms:
                    terms -= {s, twin}
                    terms.add(s - {lit})
                    changed = True
                    break
            if changed:
                break
        terms = {t for t in terms if not any(s < t for s in terms)}
    if len(terms) > MAX_TERMS:
        raise _TooComplex
    return terms


def dnf(expr: Expr, positive: bool = True) -> set[Term]:
    """Disjunctive normal form of ``expr`` (or of its negation): a set of conjunctions.

    ``frozenset()`` in the result means "always true"; an empty result, "never". Each
    sub-expression is expanded once (for itself and its negation), and every step is bounded by
    :data:`MAX_TERMS`, so the work is linear in the statement's size.

    >>> sorted(sorted(t) for t in dnf(parse_statement("a if b")))
    [[('a', True)], [('b', False)]]
    """
    done: dict[int, tuple[set[Term], set[Term]]] = {}  # id -> (dnf, dnf of the negation)
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    keep: list[Expr] = []  # holds every visited node, so ids stay unique
    while stack:
        node, ready = stack.pop()
        if id(node) in done:
            continue
        if isinstance(node, Lit):
            done[id(node)] = ({frozenset({(node.name, True)})}, {frozenset({(node.name, False)})})
            continue
        kids = [node.arg] if isinstance(node, Not) else (
            [node.left, node.right] if isinstance(node, Binary) else [])
        if not kids:
            raise ValueError(f"cannot write statement {node} as GMCR+ conditions")
        if not ready:
            keep.append(node)
            stack.append((node, True))
            stack.extend((k, False) for k in kids)
            continue
        if isinstance(node, Not):
            pos, neg = done[id(node.arg)]
            done[id(node)] = (neg, pos)
            continue
        assert isinstance(node, Binary)
        (lp, ln), (rp, rn) = done[id(node.left)], done[id(node.right)]
        if node.op == "and":
            done[id(node)] = (_and(lp, rp), _or(ln, rn))
        elif node.op == "or":
            done[id(node)] = (_or(lp, rp), _and(ln, rn))
        elif node.op == "if":  # left if right == left or not right
            done[id(node)] = (_or(lp, rn), _and(ln, rp))
        elif node.op == "iff":
            done[id(node)] = (_or(_and(lp, rp), _and(ln, rn)), _or(_and(lp, rn), _and(ln, rp)))
        else:
            raise ValueError(f"cannot write statement {node} as GMCR+ conditions")
    pos, neg = done[id(expr)]
    return pos if positive else neg


# ----- writing ---------------------------------------------------------------------------
def _pairs(lits: Iterable[tuple[str, bool]], index: dict[str, int]) -> list[list[Any]]:
    return [[index[n], "Y" if v else "N"] for n, v in sorted(lits, key=lambda x: index[x[0]])]


def _constraint_conditions(c: Conflict, con: Constraint) -> list[list[tuple[str, bool]]]:
    """The infeasible conditions (conjunctions) equivalent to a constraint."""
    if isinstance(con, InfeasiblePattern):
        # Read back through the model's own bit semantics, so the file says what it computes.
        care = want = 0
        for name, taken in con.conditions:
            care |= 1 << c.bits[name]
            want |= int(taken) << c.bits[name]
        return [[(o, bool(want >> c.bits[o] & 1)) for o in c.option_names
                 if care >> c.bits[o] & 1]]
    if isinstance(con, MutuallyExclusive):
        out: list[list[tuple[str, bool]]] = []
        for a, b in combinations(con.members, 2):
            cond = [(a, True)] if a == b else [(a, True), (b, True)]
            if cond not in out:
                out.append(cond)
        return out
    assert isinstance(con, AtLeastOne)
    return [[(m, False) for m in dict.fromkeys(con.members)]]


def _statement_conditions(
    pref: StatementPreference, index: dict[str, int]
) -> list[Any] | None:
    """GMCR+ preference conditions for statements, or None when one is too complex."""
    out: list[Any] = []
    for st in pref.statements:
        try:
            terms = dnf(st.expr)
        except _TooComplex:
            return None
        if not terms or frozenset() in terms:
            continue  # never / always true: no effect on the ranking
        conds = sorted(
            (_pairs(t, index) for t in terms), key=lambda p: [(i, v) for i, v in p]
        )
        out.append(conds[0] if len(conds) == 1 else {"compound": True, "members": conds})
    return out


def to_gmcr(c: Conflict) -> dict[str, Any]:
    """The GMCR+ JSON data of a model (plain dicts and lists)."""
    order = [name for dm in c.dms for name in dm.options]  # grouped by DM, as GMCR+ expects
    index = {name: k for k, name in enumerate(order)}
    by_name = {o.name: o for o in c.options}
    # State numbers in the file's option order.
    codes = np.zeros(c.n_states, dtype=np.int64)
    for name, k in index.items():
        codes |= ((c.feasible >> np.int64(c.bits[name])) & 1) << np.int64(k)
    number = np.empty(c.n_states, dtype=np.int64)
    number[np.argsort(codes, kind="stable")] = np.arange(1, c.n_states + 1)

    conditions = []
    for dm in c.dms:
        pref = dm.preference
        conditions.append(
            _statement_conditions(pref, index) if isinstance(pref, StatementPreference) else None
        )
    manual = any(x is None for x in conditions)

    dms: list[dict[str, Any]] = []
    for i, dm in enumerate(c.dms):
        d: dict[str, Any] = {
            "name": dm.name,
            "options": [index[o] for o in dm.options],
            "preferences": conditions[i] or [],
        }
        if manual:
            ranking = _ranking(c.ranks[i], number)
            d["preferenceRanking"] = ranking
            d["preferenceVector"] = ranking
        dms.append(d)

    infeasibles = []
    for con in c.constraints:
        for cond in _constraint_conditions(c, con):
            pairs = _pairs(cond, index)
            if pairs not in infeasibles:
                infeasibles.append(pairs)

    out: dict[str, Any] = {"name": c.name}
    if c.description:
        out["description"] = c.description
    out["options"] = [
        {"name": n, "permittedDirection": by_name[n].direction} for n in order
    ]
    out["decisionMakers"] = dms
    out["infeasibles"] = infeasibles
    out["useManualPreferenceRanking"] = manual
    out["useManualPreferenceVectors"] = manual
    out["coalitions"] = _coalition_partition(c)
    out["program"] = "detente"
    out["version"] = _version()
    return out


def _ranking(ranks: np.ndarray, number: np.ndarray) -> list[Any]:
    out: list[Any] = []
    for r in sorted(set(ranks.tolist()), reverse=True):
        tier = sorted(int(x) for x in number[ranks == r])
        out.append(tier[0] if len(tier) == 1 else tier)
    return out


def _kept_coalitions(c: Conflict) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The coalitions a partition can hold (in model order, each kept unless it shares a
    member with one kept before it), and those left out."""
    kept: list[tuple[str, ...]] = []
    dropped: list[tuple[str, ...]] = []
    taken: set[str] = set()
    for co in c.coalitions:
        if taken.isdisjoint(co):
            kept.append(co)
            taken.update(co)
        else:
            dropped.append(co)
    return kept, dropped


def _coalition_partition(c: Conflict) -> list[Any]:
    """The DM partition: the model's coalitions that do not overlap an earlier one, in order,
    then every other DM alone (:func:`omissions` names the coalitions left out)."""
    kept, _ = _kept_coalitions(c)
    member_of = {name for co in kept for name in co}
    out: list[Any] = [[c.dm_index(n) for n in co] for co in kept]
    out += [k for k, dm in enumerate(c.dms) if dm.name not in member_of]
    return out


def omissions(c: Conflict) -> list[str]:
    """What a .gmcr file of ``c`` cannot hold, one item each (empty when nothing is lost).

    >>> import detente
    >>> omissions(detente.load("examples/prisoners_dilemma.yaml"))[:3]
    ['the status quo (NN)', "the status quo's rationale", 'the sources (3)']
    """
    out: list[str] = []
    _, dropped = _kept_coalitions(c)
    for co in dropped:
        out.append(f"the coalition {' + '.join(co)} (it overlaps an earlier one; the file holds "
                   "one partition of the decision makers)")
    if c.status_quo is not None:
        out.append(f"the status quo ({c.state_string(c.status_quo)})")
    if c.status_quo_rationale:
        out.append("the status quo's rationale")
    if c.deal is not None:
        out.append(f"the deal ({c.deal.name})")
    if not c.mediation.empty:
        out.append("the mediation section (mediators, candidate statements, target)")
    uncertain = [dm.name for dm in c.dms if dm.readings]
    if uncertain:
        out.append(f"the uncertain preferences of {len(uncertain)} decision maker(s)")
    if c.sources:
        out.append(f"the sources ({len(c.sources)})")
    rationales = sum(
        1 for dm in c.dms if isinstance(dm.preference, StatementPreference)
        for st in dm.preference.statements if st.rationale
    )
    if rationales:
        out.append(f"the rationales of {rationales} preference statement(s)")
    described = [o.name for o in c.options if o.description]
    if described:
        out.append(f"the descriptions of {len(described)} option(s)")
    dm_described = [dm.name for dm in c.dms if dm.description]
    if dm_described:
        out.append(f"the descriptions of {len(dm_described)} decision maker(s)")
    if any(isinstance(dm.preference, StatementPreference) for dm in c.dms):
        out.append("the wording of the preference statements (written as conditions)")
    return out


def _version() -> str:
    try:
        return metadata.version("detente")
    except metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "unknown"


def _format(value: Any, indent: int = 0) -> str:
    """JSON with one line per option, DM field and condition: readable, not sprawling."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= 96 or not isinstance(value, dict | list):
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items: Sequence[str] = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_format(v, indent + 2)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _format(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def dumps_gmcr(conflict: Conflict) -> str:
    """GMCR+ JSON text of a model."""
    return _format(to_gmcr(conflict)) + "\n"


def dump_gmcr(conflict: Conflict, path: str | Path) -> None:
    """Write a model as a GMCR+ ``.gmcr`` file (atomically). What the format cannot hold is
    left out: :func:`omissions` lists it."""
    p = Path(path)
    try:
        text = dumps_gmcr(conflict)
    except ModelError as exc:
        raise exc.located(source=str(p)) from None
    write_atomic(p, text)
