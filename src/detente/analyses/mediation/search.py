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
    pool = statement_pool(c, j)
    cols = local.columns[j]
    if not pool or not editable or k == 0:  # no statements to edit: only its own list
        bits = local.bits_from_scores(j, c.ranks[j].astype(np.int64))[None, :]
        pref = c.dms[j].preference
        m = len(pref.statements) if isinstance(pref, StatementPreference) else 0
        sp = Space(j, pool or (), [tuple(range(m))], [Reached(())], np.zeros(1, np.int64),
                   bits, np.zeros(1, np.int64))
        sp.members = [[0]]
        return sp
    m = len(c.dms[j].preference.statements)  # type: ignore[union-attr]
    reached = edit_lists(m, len(pool) - m, k, who=c.dms[j].name)
    lists = list(reached)
    positions = local.positions(j)
    where = {int(p): q for q, p in enumerate(positions.tolist())}
    a = np.array([where[x] for x in cols.a], dtype=np.int64)
    b = np.array([where[x] for x in cols.b], dtype=np.int64)
    full = np.stack([
        s.expr.evaluate(c.feasible[positions], c.bits).astype(np.int64) for s in pool
    ]) if positions.size else np.zeros((len(pool), 0), np.int64)
    # A comparison u(a) > u(b) depends only on which pool statements hold at a and at b:
    # columns with the same pair of truth vectors are computed once.
    pairs = np.concatenate([full[:, a], full[:, b]], axis=0).T  # (columns, 2 * pool)
    _, rep, spread = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
    spread = spread.ravel()
    u = rep.size
    truth = np.concatenate([full[:, a[rep]], full[:, b[rep]]], axis=1)  # (pool, 2u)
    a, b = np.arange(u), np.arange(u, 2 * u)
    positions = np.arange(2 * u)
    # Lists come breadth-first (cost never falls), so a class's first list is a cheapest one
    # and classes numbered by first appearance are ordered by cost (the original's is 0).
    index: dict[bytes, int] = {}
    class_rows: list[np.ndarray] = []
    klass = np.empty(len(lists), dtype=np.int64)
    for lo in range(0, len(lists), _BATCH):
        hi = min(len(lists), lo + _BATCH)
        bits = np.empty((hi - lo, u), dtype=bool)
        by_len: dict[int, list[int]] = {}
        for q in range(lo, hi):
            by_len.setdefault(len(lists[q]), []).append(q - lo)
        for n, rows in by_len.items():
            ids = np.array([lists[lo + r] for r in rows], dtype=np.int64).reshape(len(rows), n)
            score = np.zeros((len(rows), positions.size), dtype=np.int64)
            for r in range(n):
                score += truth[ids[:, r]] << np.int64(n - 1 - r)
            bits[rows] = score[:, a] > score[:, b]
        packed = np.packbits(bits, axis=1)
        if full_order:
            packed = np.concatenate([packed, _order_keys(c, pool, lists[lo:hi])], axis=1)
        for r in range(hi - lo):
            key = packed[r].tobytes()
            cl = index.get(key)
            if cl is None:
                cl = index[key] = len(class_rows)
                class_rows.append(bits[r][spread])
            klass[lo + r] = cl
    costs = np.array([reached[lst].cost for lst in lists], dtype=np.int64)
    n_cls = len(class_rows)
    cost = np.full(n_cls, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(cost, klass, costs)
    class_bits = np.stack(class_rows) if class_rows else np.zeros((0, len(cols)), bool)
    members: list[list[int]] = [[] for _ in range(n_cls)]
    for q in range(len(lists)):
        if costs[q] == cost[klass[q]]:
            members[int(klass[q])].append(q)
    sp = Space(j, pool, lists, [reached[lst] for lst in lists], klass, class_bits, cost)
    sp.members = members
    return sp


def _order_keys(c: Conflict, pool: tuple[Statement, ...], lists: list[tuple[int, ...]]
                ) -> np.ndarray:
    """Per list, the dense ranks of all feasible states as bytes (equal = same order)."""
    truth = np.stack([s.expr.evaluate(c.feasible, c.bits).astype(np.int64) for s in pool])
    out = np.empty((len(lists), c.n_states * 4), dtype=np.uint8)
    for q, lst in enumerate(lists):
        score = np.zeros(c.n_states, dtype=np.int64)
        for r, sid in enumerate(lst):
            score += truth[sid] << np.int64(len(lst) - 1 - r)
        _, dense = np.unique(score, return_inverse=True)
        out[q] = dense.astype(np.int32).view(np.uint8)
    return out


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
                _, inv = np.unique(np.packbits(bits, axis=1), axis=0, return_inverse=True)
                d[j] = inv.ravel().astype(np.int64)
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
                keys = np.column_stack(
                    [ids[rows, i]] + [self.proj[i][j][ids[rows, j]] for j in range(n) if j != i]
                )
                uniq, first, inv = np.unique(keys, axis=0, return_index=True,
                                             return_inverse=True)
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
