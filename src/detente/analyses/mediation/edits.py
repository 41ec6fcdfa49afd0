"""Edits to one DM's prioritised statements, and every distinct list within K edits.

A list is a tuple of statement ids: ``0..m-1`` the DM's own statements in model order,
``m..m+c-1`` its mediation candidates. One edit is a *move* (take the statement at ``from``,
insert it at ``to``), a *drop* (remove the statement at ``from``) or an *add* (insert a
candidate not in the list at ``to``); positions are 1-based in the list as it stands.
Breadth-first enumeration gives every distinct list with its least number of edits and one
shortest edit sequence.

>>> lists = edit_lists(3, 0, 1)
>>> len(lists), lists[(1, 0, 2)].edits
(8, (Edit(op='move', statement=0, source=1, dest=2),))
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.model.errors import AnalysisError

#: The most statement lists enumerated for one decision maker.
MAX_LISTS = 400_000
#: Refuse without enumerating when the upper bound exceeds this many times MAX_LISTS (the bound
#: overestimates: 8 statements, 2 candidates, 3 edits: bound 1.1M, actual 37,686).
_REFUSE_UNSEEN = 50


@dataclass(frozen=True)
class Edit:
    """One edit; ``statement`` is a statement id, positions 1-based (None when not used)."""

    op: str  # "move" | "drop" | "add"
    statement: int
    source: int | None
    dest: int | None


@dataclass(frozen=True)
class Reached:
    """A list reached with ``len(edits)`` edits, the fewest possible."""

    edits: tuple[Edit, ...]

    @property
    def cost(self) -> int:
        return len(self.edits)


def _neighbours(lst: tuple[int, ...], candidates: range) -> list[tuple[Edit, tuple[int, ...]]]:
    out: list[tuple[Edit, tuple[int, ...]]] = []
    n = len(lst)
    for a in range(n):
        rest = lst[:a] + lst[a + 1 :]
        out.append((Edit("drop", lst[a], a + 1, None), rest))
        for b in range(n):
            if b != a:
                out.append((Edit("move", lst[a], a + 1, b + 1), (*rest[:b], lst[a], *rest[b:])))
    present = set(lst)
    for cand in candidates:
        if cand in present:
            continue
        for b in range(n + 1):
            out.append((Edit("add", cand, None, b + 1), (*lst[:b], cand, *lst[b:])))
    return out


def estimate_lists(m: int, c: int, k: int) -> int:
    """An upper bound on the lists within ``k`` edits of ``m`` statements and ``c`` candidates."""
    total, frontier = 1, 1
    size = m
    for _ in range(k):
        branching = size * size + c * (size + 2)
        frontier *= max(branching, 1)
        total += frontier
        size += 1
    return total


def edit_lists(m: int, c: int, k: int, *, who: str = "") -> dict[tuple[int, ...], Reached]:
    """Every distinct list within ``k`` edits of ``(0, ..., m-1)`` with candidates
    ``m..m+c-1``, mapped to one shortest edit sequence (breadth-first, so costs are least)."""
    if estimate_lists(m, c, k) > _REFUSE_UNSEEN * MAX_LISTS:
        raise _too_many(who, m, c, k)  # hopeless: refuse before enumerating anything
    start = tuple(range(m))
    seen: dict[tuple[int, ...], Reached] = {start: Reached(())}
    frontier = [start]
    candidates = range(m, m + c)
    for _ in range(k):
        nxt: list[tuple[int, ...]] = []
        for lst in frontier:
            base = seen[lst].edits
            for edit, new in _neighbours(lst, candidates):
                if new not in seen:
                    seen[new] = Reached((*base, edit))
                    nxt.append(new)
            if len(seen) > MAX_LISTS:
                raise _too_many(who, m, c, k)
        frontier = nxt
    return seen


def _too_many(who: str, m: int, c: int, k: int) -> AnalysisError:
    return AnalysisError(
        f"{who or 'a decision maker'}: more than {MAX_LISTS:,} statement lists within {k} "
        f"edits ({m} statements, {c} candidates; at most about {estimate_lists(m, c, k):,}); "
        "lower --max-edits or restrict --dm"
    )


__all__ = ["MAX_LISTS", "Edit", "Reached", "edit_lists", "estimate_lists"]
