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

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from detente.model.errors import AnalysisError

#: The most statement lists enumerated for one decision maker.
MAX_LISTS = 400_000


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


def _neighbours(lst: tuple[int, ...], candidates: range
                ) -> Iterator[tuple[str, int, int | None, int | None, tuple[int, ...]]]:
    """Every list one edit from ``lst``, as (op, statement, from, to, new list): drops and
    moves of each statement in turn, then each absent candidate added at each place."""
    n = len(lst)
    for a in range(n):
        x = lst[a]
        rest = lst[:a] + lst[a + 1 :]
        yield "drop", x, a + 1, None, rest
        for b in range(n):
            if b != a:
                yield "move", x, a + 1, b + 1, (*rest[:b], x, *rest[b:])
    present = set(lst)
    for cand in candidates:
        if cand in present:
            continue
        for b in range(n + 1):
            yield "add", cand, None, b + 1, (*lst[:b], cand, *lst[b:])


#: Counts above this are not computed further (bounded arithmetic): "more than 10^15".
COUNT_CAP = 10**15


def existing_lists(m: int, c: int) -> int:
    """Every distinct list the edits can make at all, however many (capped at
    :data:`COUNT_CAP`): an arrangement of any subset of the m statements and c candidates,
    Σ_l n!/(n-l)! for n = m + c (6 statements and no candidate: 1,957).

    >>> existing_lists(6, 0), existing_lists(8, 2)
    (1957, 9864101)
    """
    n = m + c
    total, term = 1, 1
    for length in range(1, n + 1):
        term *= n - length + 1
        total += term
        if total > COUNT_CAP:
            return COUNT_CAP + 1
    return total


def diameter(m: int, c: int) -> int:
    """Edits that reach every list: each own statement is dropped or moved at most once, each
    candidate added at most once (more edits reach nothing new)."""
    return m + c


def estimate_lists(m: int, c: int, k: int) -> int:
    """An upper bound on the lists within ``k`` edits of ``m`` statements and ``c``
    candidates: the branching bound, capped by :func:`existing_lists` (exact from
    :func:`diameter` edits on). Bounded arithmetic whatever ``k``."""
    exist = existing_lists(m, c)
    if k >= diameter(m, c):
        return exist
    total, frontier = 1, 1
    size = m
    for _ in range(k):
        branching = size * size + c * (size + 2)
        frontier *= max(branching, 1)
        total += frontier
        size += 1
        if total >= exist:
            return exist
    return total


def count_words(n: int) -> str:
    """A count for a message: ``n`` with separators, or "more than 10^15" beyond the cap."""
    return f"{n:,}" if n <= COUNT_CAP else "more than 10^15"


#: Up to this many own statements the lists within k edits are counted exactly
#: (:func:`lists_within`); beyond, :func:`estimate_lists` bounds them.
EXACT_COUNT_STATEMENTS = 30


def _partitions(n: int, largest: int) -> Iterator[tuple[int, ...]]:
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first, *rest)


@cache
def _lis_counts(s: int) -> tuple[int, ...]:
    """Permutations of s items by the length of their longest increasing subsequence:
    by Robinson–Schensted, Σ f_λ² over the partitions λ of s with first part ℓ (f_λ by the
    hook-length formula)."""
    out = [0] * (s + 1)
    if s == 0:
        return (1,)
    for lam in _partitions(s, s):
        conj = [sum(1 for p in lam if p > j) for j in range(lam[0])]
        hooks = math.prod(row - j + conj[j] - i - 1
                          for i, row in enumerate(lam) for j in range(row))
        f = math.factorial(s) // hooks
        out[lam[0]] += f * f
    return tuple(out)


def lists_within(m: int, c: int, k: int) -> int:
    """The number of distinct lists within ``k`` edits, exactly (for at most
    :data:`EXACT_COUNT_STATEMENTS` statements; else :func:`estimate_lists`).

    A list keeping s own statements in order π and holding a candidates is
    m + a − LIS(π) edits away (drop the others, add the candidates where they go, move the
    statements outside a longest increasing subsequence), so the count is
    Σ_{s,a} C(m,s) · P(c,a) · C(s+a,a) · #{π of s : LIS(π) ≥ m + a − k}.

    >>> lists_within(8, 2, 3), lists_within(6, 0, 10)
    (37686, 1957)
    """
    if m > EXACT_COUNT_STATEMENTS:
        return estimate_lists(m, c, k)
    k = min(k, diameter(m, c))
    total = 0
    for s in range(m + 1):
        counts = _lis_counts(s)
        for a in range(c + 1):
            least = max(0, m + a - k)  # the shortest LIS within k edits
            good = sum(counts[least:]) if least <= s else 0
            total += math.comb(m, s) * math.perm(c, a) * math.comb(s + a, a) * good
    return total


def most_edits_within(m: int, c: int, limit: int) -> int:
    """The most edits whose lists number at most ``limit`` (-1 when none)."""
    k = -1
    while k < diameter(m, c) and lists_within(m, c, k + 1) <= limit:
        k += 1
    return k


def check_lists(m: int, c: int, k: int, *, who: str = "") -> int:
    """The number of lists within ``k`` edits (:func:`lists_within`); refused, with it and
    the most edits that fit, above :data:`MAX_LISTS`. Quick whatever ``k``."""
    count = lists_within(m, c, k)
    if count > MAX_LISTS:
        raise _too_many(who, m, c, k, count)
    return count


def edit_lists(m: int, c: int, k: int, *, who: str = "") -> dict[tuple[int, ...], Reached]:
    """Every distinct list within ``k`` edits of ``(0, ..., m-1)`` with candidates
    ``m..m+c-1``, mapped to one shortest edit sequence (breadth-first, so costs are least).
    Refused up front, with the count (:func:`lists_within`), when more than
    :data:`MAX_LISTS` lists lie within ``k`` edits."""
    check_lists(m, c, k, who=who)
    return _edit_lists(m, c, min(k, diameter(m, c)), who)


def _edit_lists(m: int, c: int, k: int, who: str) -> dict[tuple[int, ...], Reached]:
    """:func:`edit_lists` once per arguments (a deal or a brief asks a model's parties again
    and again, with growing budgets); callers only read the mapping."""
    seen, _, over = _levels(m, c, k)
    if over is not None:  # only beyond the exact count (many statements)
        raise _too_many(who, m, c, k, over)
    return seen


@lru_cache(maxsize=256)
def _levels(m: int, c: int, k: int
            ) -> tuple[dict[tuple[int, ...], Reached], list[tuple[int, ...]], int | None]:
    """The breadth-first search to depth ``k``, extending depth ``k - 1``'s (so growing
    budgets cost only their new level): every list reached, the lists first reached at the
    last depth, and the count of lists when it passed :data:`MAX_LISTS` (then it stopped)."""
    if k == 0:
        start = tuple(range(m))
        return {start: Reached(())}, [start], None
    before, frontier, over = _levels(m, c, k - 1)
    if over is not None or not frontier:
        return before, [], over
    seen = dict(before)
    nxt: list[tuple[int, ...]] = []
    candidates = range(m, m + c)
    for lst in frontier:
        base = seen[lst].edits
        for op, statement, source, dest, new in _neighbours(lst, candidates):
            if new not in seen:
                seen[new] = Reached((*base, Edit(op, statement, source, dest)))
                nxt.append(new)
        if len(seen) > MAX_LISTS:
            return seen, nxt, len(seen)
    return seen, nxt, None


def _too_many(who: str, m: int, c: int, k: int, count: int) -> AnalysisError:
    """The refusal: how many lists (exact up to :data:`EXACT_COUNT_STATEMENTS` statements,
    else a bound), and the most edits that fit."""
    exact = m <= EXACT_COUNT_STATEMENTS
    span = f"{k:,} edits"
    if k > diameter(m, c):
        span += f" (every list is within {diameter(m, c)})"
    many = (f"{count_words(count)} statement lists lie within {span}" if exact
            else f"up to {count_words(count)} statement lists lie within {span}")
    hint = "lower max_edits"
    if exact:
        fit = most_edits_within(m, c, MAX_LISTS)
        hint = f"lower max_edits to {fit} ({lists_within(m, c, fit):,} lists)"
    return AnalysisError(
        f"{who or 'a decision maker'}: {many} ({m} statements, {c} candidates; "
        f"{count_words(existing_lists(m, c))} in all); the search enumerates at most "
        f"{MAX_LISTS:,} per decision maker: {hint}, or restrict which parties may change (dms)"
    )


__all__ = ["COUNT_CAP", "MAX_LISTS", "Edit", "Reached", "check_lists", "count_words", "diameter",
           "edit_lists", "estimate_lists", "existing_lists", "lists_within", "most_edits_within"]
