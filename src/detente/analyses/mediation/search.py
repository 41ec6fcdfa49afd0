"""Exact search for the fewest statement edits that make a target an equilibrium.

1. *Edit spaces*: per editable DM, every distinct statement list within K edits
   (:func:`~detente.analyses.mediation.edits.edit_lists`).
2. *Classes*: lists that agree on every comparison the local checks at the target(s) need
   (:class:`~detente.analyses.mediation.local.LocalChecks`) behave the same, so the search
   runs over classes. At the least total number of edits every DM uses a list of least cost
   within its class (otherwise a cheaper list of the same class would give a cheaper solution),
   so each class keeps only its cheapest lists. Statements that never separate the compared
   states fall out here: moving or dropping them does not change the class.
3. *Own-only concepts* (Nash, GMR, SMR): stability for DM i depends on i's preferences alone,
   so the minimum is a sum of per-DM minima and the solutions a product; a DM already stable
   needs no edit.
4. *Coupled concepts* (SEQ, SIM): others' preferences decide which sanctions are credible, so
   class combinations are enumerated level by level (k = 0, 1, …, K total edits) and checked in
   batches; for SEQ a DM's class must also be GMR-stable (SEQ ⊆ GMR: the sanction rule's
   ``prefilter``), checked per class first.

Which concepts are own-only, coupled or prefilters is read from the concept registry.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from detente.analyses.mediation.edits import Edit, Reached, edit_lists
from detente.analyses.mediation.local import OWN_ONLY, LocalChecks
from detente.engine.registry import get_concept, one_condition_parts
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.preferences import Statement, StatementPreference

#: The most class combinations checked at one level of the search.
MAX_COMBOS = 5_000_000
_BATCH = 4096


class SearchTooLarge(AnalysisError):
    """The search would not finish in reasonable time; the message gives its size."""


@dataclass
class Space:
    """One DM's statement lists within K edits, grouped into classes."""

    dm: int
    pool: tuple[Statement, ...]  # own statements, then candidates
    lists: list[tuple[int, ...]]
    reached: list[Reached]
    klass: np.ndarray  # class of each list
    bits: np.ndarray  # (classes, columns) comparison bits
    cost: np.ndarray  # (classes,) least edits in the class
    members: list[list[int]] = field(default_factory=list)  # cheapest lists of each class
    _where: dict[tuple[int, ...], int] = field(default_factory=dict, repr=False)

    def path(self, lst: tuple[int, ...]) -> tuple[Edit, ...]:
        """One shortest edit sequence to ``lst``."""
        if not self._where:
            self._where = {x: q for q, x in enumerate(self.lists)}
        return self.reached[self._where[lst]].edits

    @property
    def n_classes(self) -> int:
        return int(self.cost.size)


def statement_pool(c: Conflict, j: int) -> tuple[Statement, ...] | None:
    """DM j's own statements then its mediation candidates; None for rankings/payoffs."""
    pref = c.dms[j].preference
    if not isinstance(pref, StatementPreference):
        return None
    own = pref.statements
    texts = {s.text.strip() for s in own}
    cands = tuple(s for s in c.mediation.candidates_for(c.dms[j].name)
                  if s.text.strip() not in texts)
    return own + cands


def build_space(c: Conflict, local: LocalChecks, j: int, k: int, editable: bool, *,
                full_order: bool = False) -> Space:
    """The classes of DM j's lists within ``k`` edits (just its own list when not editable).

    ``full_order``: lists are in one class only when they also order *every* feasible state
    alike (needed when more than the local checks decides, e.g. reachability)."""
    if not statement_pool(c, j) or not editable or k == 0:
        return own_space(c, local, j)
    return SpaceBuilder(c, local, j, full_order=full_order).space(k)


def own_space(c: Conflict, local: LocalChecks, j: int) -> Space:
    """DM j's own list only (no statements to edit, or none may change)."""
    pool = statement_pool(c, j)
    bits = local.bits_from_scores(j, c.ranks[j].astype(np.int64))[None, :]
    pref = c.dms[j].preference
    m = len(pref.statements) if isinstance(pref, StatementPreference) else 0
    sp = Space(j, pool or (), [tuple(range(m))], [Reached(())], np.zeros(1, np.int64),
               bits, np.zeros(1, np.int64))
    sp.members = [[0]]
    return sp


class SpaceBuilder:
    """DM j's classes of lists, for growing edit budgets: the lists within k - 1 edits are the
    first of those within k (breadth-first), so a larger budget classifies only its new
    lists, and a smaller one reads a prefix. Needs a statement pool."""

    def __init__(self, c: Conflict, local: LocalChecks, j: int, *,
                 full_order: bool = False) -> None:
        pool = statement_pool(c, j)
        assert pool, "a DM without statements has only its own list (own_space)"
        self.c, self.j, self.pool, self.full_order = c, j, pool, full_order
        self.m = len(c.dms[j].preference.statements)  # type: ignore[union-attr]
        self.n_columns = len(local.columns[j])
        cols = local.columns[j]
        positions = local.positions(j)
        where = {int(p): q for q, p in enumerate(positions.tolist())}
        a = np.array([where[x] for x in cols.a], dtype=np.int64)
        b = np.array([where[x] for x in cols.b], dtype=np.int64)
        # A list's scores depend only on which pool statements hold at a state: they are
        # computed once per distinct truth vector (pattern) of the states ranked (those the
        # columns compare; every feasible state with ``full_order``).
        ranked = np.arange(c.n_states) if full_order else positions
        truth = np.stack([
            s.expr.evaluate(c.feasible[ranked], c.bits).astype(np.int64) for s in pool
        ]) if ranked.size else np.zeros((len(pool), 0), np.int64)
        patterns, pattern_of = np.unique(truth.T, axis=0, return_inverse=True)
        at = pattern_of.ravel()[positions] if full_order else pattern_of.ravel()
        full = patterns.T[:, at]  # (pool, positions) truth at the compared states
        # A comparison u(a) > u(b) depends only on which pool statements hold at a and at b:
        # columns with the same pair of truth vectors are computed once.
        pairs = np.concatenate([full[:, a], full[:, b]], axis=0).T  # (columns, 2 * pool)
        _, rep, spread = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
        self.spread = spread.ravel()
        self.pa, self.pb = at[a[rep]], at[b[rep]]
        self.truth = patterns.T  # (pool, patterns)
        # Lists come breadth-first (cost never falls), so a class's first list is a cheapest
        # one and classes numbered by first appearance are ordered by cost (the original's
        # is 0). Lists that rank the patterns alike are in one class: each distinct ranking
        # (:func:`_rank_keys`) is compared once. With ``full_order`` the ranking is the class.
        self.index: dict[bytes, int] = {}
        self.seen: dict[bytes, int] = {}  # ranking -> class
        self.class_rows: list[np.ndarray] = []
        self.klass = np.zeros(0, dtype=np.int64)  # class of each list classified so far

    def space(self, k: int) -> Space:
        """The classes of the lists within ``k`` edits (``k`` >= 1)."""
        c, m = self.c, self.m
        reached = edit_lists(m, len(self.pool) - m, k, who=c.dms[self.j].name)
        ids, costs = _list_arrays(m, len(self.pool) - m, k, c.dms[self.j].name)
        n_lists = len(reached)
        for lo in range(self.klass.size, n_lists, _BATCH):
            self._classify(ids[lo:min(n_lists, lo + _BATCH)])
        klass = self.klass[:n_lists].copy()
        n_cls = int(klass.max()) + 1 if n_lists else 0  # classes first seen in the prefix
        cost = np.full(n_cls, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(cost, klass, costs)
        class_bits = (np.stack(self.class_rows[:n_cls]) if n_cls
                      else np.zeros((0, self.n_columns), bool))
        cheapest = np.flatnonzero(costs == cost[klass])
        by_class = cheapest[np.argsort(klass[cheapest], kind="stable")]
        bounds = np.searchsorted(klass[by_class], np.arange(n_cls + 1))
        members = [by_class[bounds[q]:bounds[q + 1]].tolist() for q in range(n_cls)]
        sp = Space(self.j, self.pool, list(reached), list(reached.values()), klass,
                   class_bits, cost)
        sp.members = members
        return sp

    def _classify(self, ids: np.ndarray) -> None:
        """Classes of the next lists (padded ids), appended to :attr:`klass`."""
        score = _scores(self.truth, ids, ids.shape[1])
        ranking = _rank_keys(score)
        keys = ranking.view(np.dtype((np.void, ranking.shape[1]))).ravel()
        _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        batch_class = np.empty(first.size, dtype=np.int64)
        fresh: list[tuple[int, bytes]] = []
        for q in np.argsort(first, kind="stable").tolist():  # first appearance order
            key = ranking[first[q]].tobytes()
            cl = self.seen.get(key)
            if cl is None:
                fresh.append((q, key))
            else:
                batch_class[q] = cl
        if fresh:
            rows = score[first[[q for q, _ in fresh]]]
            bits = rows[:, self.pa] > rows[:, self.pb]
            packed = np.packbits(bits, axis=1)
            for r, (q, key) in enumerate(fresh):
                ckey = key if self.full_order else packed[r].tobytes()
                cl = self.index.get(ckey)
                if cl is None:
                    cl = self.index[ckey] = len(self.class_rows)
                    self.class_rows.append(bits[r][self.spread])
                self.seen[key] = batch_class[q] = cl
        self.klass = np.concatenate([self.klass, batch_class[inv.ravel()]])


@lru_cache(maxsize=64)
def _list_arrays(m: int, c: int, k: int, who: str) -> tuple[np.ndarray, np.ndarray]:
    """The lists within ``k`` edits (:func:`edit_lists`, in its order) as arrays, built once
    per arguments: statement ids padded with ``m + c`` (a statement that never holds), and
    costs."""
    reached = edit_lists(m, c, k, who=who)
    width = max(len(x) for x in reached)
    ids = np.full((len(reached), width), m + c, dtype=np.int64)
    costs = np.empty(len(reached), dtype=np.int64)
    for q, (lst, how) in enumerate(reached.items()):
        ids[q, :len(lst)] = lst
        costs[q] = how.cost
    for arr in (ids, costs):
        arr.setflags(write=False)
    return ids, costs


def _scores(truth: np.ndarray, ids: np.ndarray, width: int) -> np.ndarray:
    """(lists, columns) scores of lists padded to ``width`` places, each row up to a positive
    factor (which keeps every comparison within the row): the statement at place r adds
    2^(width-1-r) where it holds (``truth``: (pool, columns) 0/1; padding never holds). Exact
    in 16-bit integers up to 16 places, in floats up to 52, else in Python integers."""
    n = truth.shape[0]
    rows = np.arange(ids.shape[0])
    if width <= 52:
        weights = np.zeros((ids.shape[0], n + 1), dtype=np.float64)
        for r in range(width):
            weights[rows, ids[:, r]] = float(1 << (width - 1 - r))
        score = weights[:, :n] @ truth.astype(np.float64)
        return score.astype(np.uint16) if width <= 16 else score
    table = np.concatenate([truth, np.zeros((1, truth.shape[1]), truth.dtype)])
    out = np.zeros((ids.shape[0], truth.shape[1]), dtype=object)
    for r in range(width):
        out += table[ids[:, r]].astype(object) * (1 << (width - 1 - r))
    return out


def _rank_keys(score: np.ndarray) -> np.ndarray:
    """Per row, a key of the row's weak order of its columns, as bytes (uint8): equal keys
    exactly when two rows order their columns alike. The stable argsort (ties in column order,
    so one per weak order) and which neighbours in it tie."""
    if score.shape[1] == 0:
        return np.zeros((score.shape[0], 1), dtype=np.uint8)
    order = np.argsort(score, axis=1, kind="stable")
    ranked = np.sort(score, axis=1)
    ties = np.packbits(ranked[:, 1:] == ranked[:, :-1], axis=1)
    small = np.uint16 if score.shape[1] <= 1 << 16 else np.uint32
    return np.concatenate([order.astype(small).view(np.uint8), ties], axis=1)


@dataclass(frozen=True)
class Hit:
    """A class combination (one class per DM) that makes target ``target`` an equilibrium."""

    target: int
    classes: tuple[int, ...]


def own_stable(local: LocalChecks, spaces: list[Space], concepts: tuple[str, ...]
               ) -> list[np.ndarray]:
    """Per DM, (classes, targets) bool: stable for the DM under every own-only concept."""
    out = []
    for sp in spaces:
        i = sp.dm
        ok = np.ones((sp.n_classes, len(local.targets)), dtype=bool)
        for k in range(len(local.targets)):
            for concept in concepts:
                ok[:, k] &= local.stable_dm(concept, {i: sp.bits}, k, i)
        out.append(ok)
    return out


def search_own(local: LocalChecks, spaces: list[Space], concepts: tuple[str, ...],
               max_edits: int) -> tuple[int | None, list[Hit]]:
    """Own-only concepts: per target, the cheapest stable class of each DM, summed."""
    ok = own_stable(local, spaces, concepts)
    best: int | None = None
    for k in range(len(local.targets)):
        costs = [sp.cost[o[:, k]] for sp, o in zip(spaces, ok, strict=True)]
        if all(x.size for x in costs):
            total = sum(int(x.min()) for x in costs)
            if total <= max_edits:
                best = total if best is None else min(best, total)
    return best, _own_hits(local, spaces, ok, best)


def _own_hits(local: LocalChecks, spaces: list[Space], ok: list[np.ndarray], best: int | None
              ) -> list[Hit]:
    if best is None:
        return []
    hits: list[Hit] = []
    for k in range(len(local.targets)):
        choice: list[list[int]] = []
        total = 0
        for sp, o in zip(spaces, ok, strict=True):
            good = np.flatnonzero(o[:, k])
            if good.size == 0:
                break
            low = int(sp.cost[good].min())
            total += low
            choice.append([int(x) for x in good if sp.cost[x] == low])
        else:
            if total == best:
                hits.extend(Hit(k, tuple(combo)) for combo in itertools.product(*choice))
    return hits


def search_coupled(
    local: LocalChecks, spaces: list[Space], concepts: tuple[str, ...], max_edits: int,
    limit: int, accept: Callable[[Hit], bool] | None = None,
) -> tuple[int | None, list[Hit]]:
    """Class combinations level by level, fewest total edits first; ``accept`` filters the
    combinations that pass the stability checks (e.g. reachability)."""
    pre = tuple(x for x in concepts if x in OWN_ONLY)
    for part in one_condition_parts(concepts):  # e.g. SEQ ⊆ GMR for every DM and state
        rule = get_concept(part).rule
        if rule is not None and rule.prefilter is not None and rule.prefilter not in pre:
            assert rule.prefilter in OWN_ONLY, rule.prefilter  # checked per class
            pre = (*pre, rule.prefilter)
    ok = own_stable(local, spaces, pre) if pre else [
        np.ones((sp.n_classes, len(local.targets)), dtype=bool) for sp in spaces
    ]
    check = _Checker(local, spaces, concepts)
    deepest = sum(int(sp.cost.max()) for sp in spaces)  # no combination costs more
    for level in range(min(max_edits, deepest) + 1):
        plans = [(k, comp, pools) for k in range(len(local.targets))
                 for comp, pools in _compositions(spaces, ok, k, level)]
        size = sum(int(np.prod([p.size for p in pools])) for _, _, pools in plans)
        if size > MAX_COMBOS:
            raise SearchTooLarge(
                f"no solution with fewer than {level} edits; {level} edits would mean "
                f"checking {size:,} combinations of preference classes (limit "
                f"{MAX_COMBOS:,}); lower max_edits to {level - 1}, or restrict which "
                "parties may change (dms)"
            )
        hits: list[Hit] = []
        found = 0
        for k, _, pools in plans:
            for ids in _product_batches(pools):
                good = check(k, ids)
                for row in ids[good]:
                    hit = Hit(k, tuple(int(x) for x in row))
                    if accept is not None and not accept(hit):
                        continue
                    hits.append(hit)
                    found += int(np.prod([len(sp.members[c]) for sp, c in
                                          zip(spaces, hit.classes, strict=True)]))
                if limit and found >= limit:
                    return level, hits
        if hits:
            return level, hits
    return None, []


class _Checker:
    """Coupled checks of class combinations, each distinct *relevant* combination once.

    DM i's SEQ/SIM stability at a target reads i's own comparisons and, of every other DM j,
    only the comparisons j's sanctions against i need (``LocalChecks.uses``). Combinations
    that agree on those are checked once (memo per target, DM and concept)."""

    def __init__(self, local: LocalChecks, spaces: list[Space], concepts: tuple[str, ...]
                 ) -> None:
        self.local = local
        self.spaces = spaces
        self.coupled = [x for x in one_condition_parts(concepts) if x not in OWN_ONLY]
        n = len(spaces)
        # proj[i][j][class of j] = id of j's class restricted to the columns i reads
        self.proj: list[dict[int, np.ndarray]] = []
        for i in range(n):
            d = {}
            for j in range(n):
                if j == i:
                    continue
                cols = np.array(sorted(local.uses[i].get(j, ())), dtype=np.int64)
                bits = spaces[j].bits[:, cols]
                d[j] = _row_ids(bits)
            self.proj.append(d)
        self.memo: dict[tuple[int, int, str], dict[bytes, bool]] = {}

    def __call__(self, k: int, ids: np.ndarray) -> np.ndarray:
        good = np.ones(ids.shape[0], dtype=bool)
        n = len(self.spaces)
        for concept in self.coupled:
            for i in range(n):
                rows = np.flatnonzero(good)
                if rows.size == 0:
                    return good
                keys = np.ascontiguousarray(np.column_stack(
                    [ids[rows, i]] + [self.proj[i][j][ids[rows, j]] for j in range(n) if j != i]
                ).astype(np.int64))
                uniq, first, inv = np.unique(
                    keys.view(np.dtype((np.void, keys.shape[1] * 8))).ravel(),
                    return_index=True, return_inverse=True)
                memo = self.memo.setdefault((k, i, concept), {})
                blobs = [u.tobytes() for u in uniq]
                missing = [q for q, b in enumerate(blobs) if b not in memo]
                if missing:
                    rep = ids[rows[first[missing]]]
                    bits = {sp.dm: sp.bits[rep[:, q]] for q, sp in enumerate(self.spaces)}
                    res = self.local.stable_dm(concept, bits, k, i)
                    for q, r in zip(missing, res.tolist(), strict=True):
                        memo[blobs[q]] = r
                ok = np.array([memo[b] for b in blobs], dtype=bool)
                good[rows] = ok[inv.ravel()]
        return good


def _row_ids(bits: np.ndarray) -> np.ndarray:
    """An id per row of a Boolean matrix, equal exactly for equal rows."""
    if bits.shape[1] == 0:
        return np.zeros(bits.shape[0], dtype=np.int64)
    packed = np.ascontiguousarray(np.packbits(bits, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    return np.unique(keys, return_inverse=True)[1].ravel().astype(np.int64)


def _compositions(spaces: list[Space], ok: list[np.ndarray], k: int, level: int
                  ) -> Iterator[tuple[tuple[int, ...], list[np.ndarray]]]:
    """Ways to spend ``level`` edits over the DMs at target ``k``: per DM, the classes of
    exactly that cost that pass the per-class filter."""
    by_cost = []
    for sp, o in zip(spaces, ok, strict=True):
        d = {}
        for cost in range(level + 1):
            sel = np.flatnonzero((sp.cost == cost) & o[:, k])
            if sel.size:
                d[cost] = sel
        by_cost.append(d)

    def rec(q: int, left: int, comp: tuple[int, ...], pools: list[np.ndarray]
            ) -> Iterator[tuple[tuple[int, ...], list[np.ndarray]]]:
        if q == len(spaces):
            if left == 0:
                yield comp, pools
            return
        for cost, sel in by_cost[q].items():
            if cost <= left:
                yield from rec(q + 1, left - cost, (*comp, cost), [*pools, sel])

    yield from rec(0, level, (), [])


def _product_batches(pools: list[np.ndarray]) -> Iterator[np.ndarray]:
    """The cartesian product of ``pools`` as (batch, len(pools)) arrays of ids."""
    sizes = [p.size for p in pools]
    total = int(np.prod(sizes))
    for lo in range(0, total, _BATCH):
        flat = np.arange(lo, min(total, lo + _BATCH), dtype=np.int64)
        idx = np.unravel_index(flat, sizes)
        yield np.stack([p[i] for p, i in zip(pools, idx, strict=True)], axis=1)
