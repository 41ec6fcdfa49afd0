"""The JSON of a coalition analysis: compact, streamed, sized up front, and pageable.

Shape (``detente coalitions --format json``; the web API's answer)::

    {"model", "options", "decision_makers",
     "concepts": {concept: {"label", "equilibria": [{"number", "state"}],
                            "stable_for": {dm: [state numbers]}}},
     "parameters": {"coalitions": [[names]]}, "detente_version",
     "dms", "n_states", "definitions",
     "page": {"offset", "limit", "first", "last", "n_improvements"},
     "coalitions": [{"members": [names], "n_improvements": k,
                     "improvements": [{"from": 7, "to": 10, "path": [7, 8, 10],
                                       "movers": [0, 1], "joint_only": true}, ...],
                     "n_joint_only": j, "n_member_alone": k - j,
                     "stable_against": {concept: {member: [state numbers]}}}],
     "states": {"7": "NYNNY", ...}}

(the result header of :mod:`detente.analyses.contract` first, as in every result)

An improvement names states by number (1-based) and its movers by their index in ``dms``:
``path`` is the shortest legal sequence of member moves, from ``from`` to ``to``, and
``movers[k]`` moves from ``path[k]`` to ``path[k + 1]``; ``joint_only`` says that no member
could make it alone (the options it changes belong to two or more members,
:func:`detente.analyses.coalitions.alone.needs_coalition`), and each coalition counts both
kinds on the page. ``states`` gives the Y/N string of
every state an improvement of the answer passes through (a shared table instead of the string
repeated at each use; the option changes follow from the strings and ``options``).

A *page* is a range of source states: ``offset`` states skipped, at most ``limit`` taken
(``None``: all). Improvements from those states, and every list of state numbers (stable
states, equilibria), are restricted to the page; the rest of the answer is the same on every
page. :func:`estimate` sizes an answer before any of it is built, from the analysis's counts;
:func:`check_size` refuses one above a budget with that estimate, and
:func:`limit_that_fits` says how many states from an offset fit a budget.

>>> import json, detente
>>> from detente.analyses.coalitions import coalition_analysis
>>> res = coalition_analysis(detente.load("examples/elmira.yaml"), concepts=["nash"])
>>> data = json.loads("".join(iter_json(res)))
>>> data["coalitions"][0]["improvements"][1], data["states"]["8"]
({'from': 7, 'to': 10, 'path': [7, 8, 10], 'movers': [0, 1], 'joint_only': True}, 'YYNNY')
>>> [data["coalitions"][0][k] for k in ("n_joint_only", "n_member_alone")]
[1, 2]
>>> data == to_dict(res)
True
>>> to_dict(res, offset=6, limit=2)["coalitions"][0]["improvements"][0]["from"]
7
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from detente.analyses.coalitions.alone import needs_coalition
from detente.analyses.contract import ResultHeader, header, with_header
from detente.engine.registry import COALITION_NAMES
from detente.engine.single import MoveIndex, path_to
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ArgumentError

#: Which definitions, in one line (JSON and report).
DEFINITIONS = (
    "Inohara & Hipel (2008), Systems Engineering 11(4); sanctions by the complement, judged "
    "by the focal DM; each DM is also checked alone"
)

#: Improvements per chunk of streamed text.
CHUNK = 4096
#: Member moves per improvement assumed by :func:`estimate` (the flagship's mean is 2.5).
MEAN_STEPS = 2.5

Record = tuple[int, int, list[int], list[int]]  # from pos, to pos, path positions, movers
Marked = tuple[int, int, list[int], list[int], bool]  # a Record, then: no member alone


class CoalitionData(Protocol):
    """What this module reads of a :class:`detente.analyses.coalitions.CoalitionResult`
    (named here so that the result's module can import this one, and not the reverse)."""

    @property
    def conflict(self) -> Conflict: ...
    @property
    def coalitions(self) -> tuple[tuple[str, ...], ...]: ...
    @property
    def concepts(self) -> tuple[str, ...]: ...
    @property
    def n_improvements(self) -> np.ndarray: ...
    @property
    def against(self) -> dict[str, dict[tuple[str, ...], np.ndarray]]: ...
    @property
    def stable(self) -> dict[str, np.ndarray]: ...
    @property
    def moves(self) -> MoveIndex: ...


@dataclass(frozen=True)
class Page:
    """The source states of one answer: positions ``start`` to ``stop - 1``."""

    offset: int
    limit: int | None
    start: int
    stop: int

    def to_dict(self, n_improvements: int) -> dict[str, Any]:
        return {"offset": self.offset, "limit": self.limit, "first": self.start + 1,
                "last": self.stop, "n_improvements": n_improvements}


@dataclass(frozen=True)
class SizeEstimate:
    """What an answer holds before it is built: improvements (exact), state numbers listed
    (exact) and JSON bytes (about: paths are assumed :data:`MEAN_STEPS` moves long)."""

    improvements: int
    numbers: int
    bytes: int

    def to_dict(self) -> dict[str, int]:
        return {"improvements": self.improvements, "numbers": self.numbers, "bytes": self.bytes}


def page(result: CoalitionData, offset: int = 0, limit: int | None = None) -> Page:
    """The page of source states ``offset`` .. ``offset + limit - 1`` (positions), checked."""
    n = result.conflict.n_states
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= n:
        raise ArgumentError(
            f"offset must be a whole number from 0 to {n:,} (the model's feasible states), "
            f"got {offset!r}",
            parameter="offset",
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or limit < 1):
        raise ArgumentError(f"limit must be a whole number of states, 1 or more, got {limit!r}",
                            parameter="limit")
    stop = n if limit is None else min(n, offset + limit)
    return Page(offset, limit, offset, stop)


def estimate(result: CoalitionData, offset: int = 0, limit: int | None = None) -> SizeEstimate:
    """The size of the answer for a page, from the analysis's counts (nothing is searched)."""
    p = page(result, offset, limit)
    n = result.conflict.n_states
    improvements, numbers = _per_state(result)
    count = int(improvements[p.start:p.stop].sum())
    listed = int(numbers[p.start:p.stop].sum())
    move, number, row = _unit_bytes(result)
    table = min(n, count * 3) * row  # the states passed through, at most every state
    return SizeEstimate(count, listed,
                        int(_head_bytes(result) + count * move + listed * number + table))


def limit_that_fits(result: CoalitionData, offset: int = 0, *, max_bytes: int) -> int:
    """The most states from ``offset`` whose page :func:`estimate` puts within ``max_bytes``
    (at least 1, so that one state at a time can always be asked for; 0 at the end). Pages
    are sized by their own states, however unevenly the improvements are spread."""
    p = page(result, offset)
    improvements, numbers = _per_state(result)
    move, number, row = _unit_bytes(result)
    count = np.cumsum(improvements[p.start:])
    cost = (_head_bytes(result) + count * move + np.cumsum(numbers[p.start:]) * number
            + np.minimum(result.conflict.n_states, count * 3) * row)  # = estimate, per limit
    fits = int(np.searchsorted(cost, max_bytes, side="right"))
    return min(max(fits, 1), p.stop - p.start)


def _per_state(result: CoalitionData) -> tuple[np.ndarray, np.ndarray]:
    """Per source state: its improvements (all coalitions) and the state numbers listed for
    it (stable against each coalition, stable for each DM, per concept)."""
    numbers = np.zeros(result.conflict.n_states, dtype=np.int64)
    for per in result.against.values():
        for mask in per.values():
            numbers += mask.sum(axis=0)
    for mask in result.stable.values():
        numbers += mask.sum(axis=0)
    return result.n_improvements.sum(axis=0), numbers


def _unit_bytes(result: CoalitionData) -> tuple[float, int, int]:
    """Bytes of one improvement, one listed state number and one row of the states table."""
    digits = len(str(max(result.conflict.n_states, 1)))
    move = 70 + (MEAN_STEPS + 2) * (digits + 2) + MEAN_STEPS * 4  # 20: "joint_only"
    return move, digits + 2, result.conflict.n_options + digits + 10


def _head_bytes(result: CoalitionData) -> int:
    """Bytes of what every page holds: names, labels, the frame of each coalition."""
    return (500 + 100 * len(result.coalitions) * (1 + len(result.concepts))
            + 50 * len(result.conflict.dms) * len(result.concepts))


def check_size(
    result: CoalitionData, offset: int = 0, limit: int | None = None, *,
    max_bytes: int,
) -> SizeEstimate:
    """:func:`estimate`, refused with an :class:`AnalysisError` above ``max_bytes`` (saying
    how many states from ``offset`` would fit: :func:`limit_that_fits`)."""
    size = estimate(result, offset, limit)
    if size.bytes > max_bytes:
        p = page(result, offset, limit)
        fits = limit_that_fits(result, offset, max_bytes=max_bytes)
        raise AnalysisError(
            f"the coalition analysis of states {p.start + 1} to {p.stop} would answer about "
            f"{size.bytes / 1e6:,.1f} MB ({size.improvements:,} coalitional improvements; "
            f"limit {max_bytes / 1e6:,.1f} MB): ask for fewer states at a time (limit "
            f"{fits:,} from offset {offset:,} fits), or fewer coalitions"
        )
    return size


def records(result: CoalitionData, h: int, p: Page) -> Iterator[Record]:
    """The improvements of coalition ``h`` from the page's states, in (from, to) order."""
    for s, t, path, movers, _ in marked_records(result, h, p):
        yield s, t, path, movers


def marked_records(result: CoalitionData, h: int, p: Page) -> Iterator[Marked]:
    """:func:`records`, each with whether no member could make it alone (one vectorised
    check per source state)."""
    c = result.conflict
    members = [c.dm_index(name) for name in result.coalitions[h]]
    counts = result.n_improvements[h, p.start:p.stop]
    for s in (np.flatnonzero(counts) + p.start).tolist():
        reached = result.moves.coalition_reach(members, s)
        targets = list(result.moves.improving_among(members, s, reached))
        joint = needs_coalition(c, members, s, np.asarray(targets, dtype=np.int64)).tolist()
        for t, j in zip(targets, joint, strict=True):
            steps = path_to(reached, t)
            yield s, t, [s] + [b for _, _, b in steps], [j for j, _, _ in steps], bool(j)


# ----- as data --------------------------------------------------------------------------------
def to_dict(result: CoalitionData, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
    """The answer for a page as plain data (the parsed text of :func:`iter_json`)."""
    p = page(result, offset, limit)
    c = result.conflict
    seen = np.zeros(c.n_states, dtype=bool)
    coalitions = []
    for h, key in enumerate(result.coalitions):
        moves = []
        n_joint = 0
        for s, t, path, movers, joint in marked_records(result, h, p):
            seen[path] = True
            n_joint += joint
            moves.append({"from": s + 1, "to": t + 1, "path": [x + 1 for x in path],
                          "movers": movers, "joint_only": joint})
        coalitions.append({
            "members": list(key),
            "n_improvements": _count(result, p, h),
            "improvements": moves,
            "n_joint_only": n_joint,
            "n_member_alone": len(moves) - n_joint,
            "stable_against": {
                k: {dm: _numbers(result.against[k][key][m], p) for m, dm in enumerate(key)}
                for k in result.concepts
            },
        })
    concepts = {
        k: {"label": COALITION_NAMES[k], "equilibria": _equilibria(result, k, p),
            "stable_for": {dm: _numbers(result.stable[k][i], p)
                           for i, dm in enumerate(c.dm_names)}}
        for k in result.concepts
    }
    positions = np.flatnonzero(seen)
    return {
        **_header(result, p), "concepts": concepts, "coalitions": coalitions,
        "states": dict(zip((str(x + 1) for x in positions.tolist()),
                           _strings(result, positions), strict=True)),
    }


def result_header(result: CoalitionData) -> ResultHeader:
    """The result header: the concepts and the coalitions analysed."""
    return header(result.conflict, result.concepts,
                  {"coalitions": [list(h) for h in result.coalitions]})


def _header(result: CoalitionData, p: Page) -> dict[str, Any]:
    """The result header (``concepts`` as a list, replaced by their data), then the rest of
    the keys before ``coalitions``."""
    c = result.conflict
    return with_header(result_header(result), {"dms": list(c.dm_names), "n_states": c.n_states,
                              "definitions": DEFINITIONS,
                              "page": p.to_dict(_count(result, p))})


def _count(result: CoalitionData, p: Page, h: int | None = None) -> int:
    """Improvements from the page's states (of coalition ``h``, or of all)."""
    counts = result.n_improvements[:, p.start:p.stop]
    return int((counts if h is None else counts[h]).sum())


def _equilibria(result: CoalitionData, k: str, p: Page) -> list[dict[str, Any]]:
    eq = np.flatnonzero(result.stable[k][:, p.start:p.stop].all(axis=0)) + p.start
    return [{"number": int(x) + 1, "state": s}
            for x, s in zip(eq.tolist(), _strings(result, eq), strict=True)]


def _numbers(mask: np.ndarray, p: Page) -> list[int]:
    out: list[int] = (np.flatnonzero(mask[p.start:p.stop]) + p.start + 1).tolist()
    return out


def _strings(result: CoalitionData, positions: np.ndarray) -> list[str]:
    c = result.conflict
    if positions.size == 0:
        return []
    out: list[str] = c.space.texts(c.feasible[positions]).tolist()
    return out


# ----- as streamed text -----------------------------------------------------------------------
def iter_json(result: CoalitionData, offset: int = 0, limit: int | None = None
              ) -> Iterator[str]:
    """The answer for a page as JSON text in chunks: the skeleton indented by 2, each
    improvement and each list of state numbers on one line. Memory stays at one chunk (the
    improvements of :data:`CHUNK` at a time) plus a flag per state."""
    p = page(result, offset, limit)
    c = result.conflict
    seen = np.zeros(c.n_states, dtype=bool)
    yield "{"
    for n, (name, value) in enumerate(_header(result, p).items()):
        yield "," if n else ""
        if name == "concepts":
            yield from _concept_lines(result, p)
        else:
            yield f"\n  {_j(name)}: {_j(value)}"
    yield ',\n  "coalitions": ['
    for h, key in enumerate(result.coalitions):
        yield ("," if h else "") + f'\n    {{\n      "members": {_j(list(key))},\n'
        yield f'      "n_improvements": {_count(result, p, h)},\n      "improvements": ['
        joint = yield from _improvement_lines(result, h, p, seen)
        yield (f',\n      "n_joint_only": {joint[0]},\n      "n_member_alone": {joint[1]}'
               ',\n      "stable_against": {')
        for n, k in enumerate(result.concepts):
            yield ("," if n else "") + f"\n        {_j(k)}: {{"
            for m, dm in enumerate(key):
                yield ("," if m else "") + f"\n          {_j(dm)}: "
                yield from _number_list(result.against[k][key][m], p)
            yield "\n        }"
        yield ("\n      }" if result.concepts else "}") + "\n    }"
    yield ("\n  ]" if result.coalitions else "]") + ',\n  "states": {'
    yield from _state_lines(result, np.flatnonzero(seen))
    yield "\n}"


def _concept_lines(result: CoalitionData, p: Page) -> Iterator[str]:
    """The ``concepts`` member: per concept its label, equilibria and stable states."""
    c = result.conflict
    yield '\n  "concepts": {'
    for n, k in enumerate(result.concepts):
        yield ("," if n else "") + f'\n    {_j(k)}: {{\n      "label": {_j(COALITION_NAMES[k])},'
        yield f'\n      "equilibria": {_j(_equilibria(result, k, p))},\n      "stable_for": {{'
        for i, dm in enumerate(c.dm_names):
            yield ("," if i else "") + f"\n        {_j(dm)}: "
            yield from _number_list(result.stable[k][i], p)
        yield "\n      }\n    }"
    yield "\n  }" if result.concepts else "}"


def _improvement_lines(
    result: CoalitionData, h: int, p: Page, seen: np.ndarray
) -> Generator[str, None, tuple[int, int]]:
    """The ``improvements`` list's items and its closing bracket, :data:`CHUNK` at a time;
    marks the states they pass through in ``seen``; returns how many need the coalition
    and how many a member could make alone."""
    lines: list[str] = []
    written = n_joint = 0
    for s, t, path, movers, joint in marked_records(result, h, p):
        seen[path] = True
        n_joint += joint
        lines.append(f'{{"from": {s + 1}, "to": {t + 1}, "path": '
                     f'[{", ".join(str(x + 1) for x in path)}], "movers": {movers}, '
                     f'"joint_only": {"true" if joint else "false"}}}')
        if len(lines) == CHUNK:
            yield ("," if written else "") + "\n        " + ",\n        ".join(lines)
            written += len(lines)
            lines = []
    if lines:
        yield ("," if written else "") + "\n        " + ",\n        ".join(lines)
        written += len(lines)
    yield "\n      ]" if written else "]"
    return n_joint, written - n_joint


def _state_lines(result: CoalitionData, positions: np.ndarray) -> Iterator[str]:
    """The ``states`` table's entries and its closing brace, :data:`CHUNK` at a time."""
    for lo in range(0, positions.size, CHUNK):
        part = positions[lo:lo + CHUNK]
        yield ("," if lo else "") + "\n    " + ",\n    ".join(
            f'"{x + 1}": {_j(s)}'
            for x, s in zip(part.tolist(), _strings(result, part), strict=True))
    yield "\n  }" if positions.size else "}"


def _number_list(mask: np.ndarray, p: Page) -> Iterator[str]:
    """The state numbers where ``mask`` holds within the page, as one JSON line, in chunks."""
    numbers = np.flatnonzero(mask[p.start:p.stop]) + p.start + 1
    yield "["
    for lo in range(0, numbers.size, 1 << 16):
        yield (", " if lo else "") + ", ".join(map(str, numbers[lo:lo + (1 << 16)].tolist()))
    yield "]"


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


__all__ = ["CHUNK", "DEFINITIONS", "MEAN_STEPS", "CoalitionData", "Page", "SizeEstimate",
           "check_size", "estimate", "iter_json", "limit_that_fits", "marked_records", "page",
           "records", "to_dict"]
