"""Tranche design: every order of a deal's tranches that ``after`` allows, ranked.

An order gives phases cumulatively from the status quo (s_k = s_{k-1} with tranche k's values).
Orders through an infeasible state or against irreversibility are skipped (and counted). The
others are ranked: completes with foresight, then holds under more concepts, then fewest
guarantees, then fewest exposures, then the order as written (definitions: docs/deals.md).

One analysis of the model serves every order (:class:`DealContext`: stability of every state
under every concept, computed once): an order only picks states. Orders are enumerated depth
first, so orders sharing a prefix share its work, and everything that depends on states alone
is memoised across orders: per pair of consecutive phases, one bit mask of "holds" over
(concept × guarantee setting); per (previous, phase, next) the number of exposures; per
(s_{k-1}, s_k, O_k) the foresight step (:class:`Induction`).

>>> import detente
>>> r = deal_design(detente.load("tests/data/collateral_deal.yaml"), ["nash"])
>>> r.tried, r.skipped, r.designs[0].order
(1, 0, ('first', 'release', 'second'))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from math import factorial

from detente.analyses import arguments
from detente.analyses.contract import Progress, header, own_engine, report
from detente.analyses.deal.context import DealContext
from detente.analyses.deal.foresight import deal_path
from detente.analyses.deal.result import Design, DesignResult
from detente.engine import Engine
from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from detente.model.deal import GuaranteeSetting, Tranche, guarantee_settings
from detente.model.errors import AnalysisError

#: Orders searched exactly: every order of 8 tranches (8! = 40,320).
MAX_ORDERS = factorial(8)
#: Seconds per order for the refusal's estimate: about what the flagship's 8-tranche search
#: takes per order (python benchmarks/bench_deal.py --design), rounded up.
SECONDS_PER_ORDER = 0.00025


_Setting = GuaranteeSetting


def _settings(c: Conflict, guarantors: tuple[str, ...]) -> list[_Setting]:
    """Every setting of the guarantor options, fewest in force first (then as listed)."""
    return guarantee_settings(c.space, guarantors)


def count_orders(tranches: tuple[Tranche, ...], cap: int | None = None) -> int | None:
    """Orders of ``tranches`` that ``after`` allows; ``None`` when counting them would visit
    more than ``cap`` sets of done tranches (then there are more than ``cap`` orders).

    >>> count_orders((Tranche("a", ()), Tranche("b", (), ("a",)), Tranche("c", ())))
    3
    """
    n = len(tranches)
    index = {t.name: k for k, t in enumerate(tranches)}
    need = [sum(1 << index[a] for a in t.after) for t in tranches]
    memo: dict[int, int] = {}
    full = (1 << n) - 1

    def ways(done: int) -> int:
        if done == full:
            return 1
        got = memo.get(done)
        if got is None:
            if cap is not None and len(memo) > cap:
                raise OverflowError
            got = sum(
                ways(done | 1 << k) for k in range(n) if not done >> k & 1 and need[k] & ~done == 0
            )
            memo[done] = got
        return got

    try:
        return ways(0)
    except OverflowError:
        return None


def deal_design(
    model: Conflict,
    concepts: Iterable[str] | None = None,
    *,
    limit: int = 10,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> DesignResult:
    """Rank every order of the deal's tranches that ``after`` allows, under each concept
    (default all six); ``limit``: designs listed (0: all). Refused, with the number of
    orders and a time estimate, when there are more than :data:`MAX_ORDERS` orders."""
    arguments.model(model)
    arguments.limit(limit)
    keys = parse_concepts(arguments.optional_names(concepts, "concepts"))
    deal = model.deal
    if deal is None or not deal.tranches:
        raise AnalysisError(
            f"model {model.name!r} has no deal with tranches; give the `deal:` section "
            "`tranches:` (named sets of option values, optional `after:`) to design an order "
            "(see docs/deals.md)"
        )
    tranches = deal.tranches
    orders = count_orders(tranches, cap=1 << 16)
    if orders is None or orders > MAX_ORDERS:
        many = (
            f"{orders:,}"
            if orders is not None
            else f"more than {MAX_ORDERS:,} (at most {factorial(len(tranches)):,})"
        )
        secs = (orders or factorial(len(tranches))) * SECONDS_PER_ORDER * len(keys) / 6
        raise AnalysisError(
            f"{len(tranches)} tranches allow {many} orders; the exact search takes at most "
            f"{MAX_ORDERS:,} (every order of 8 tranches), and this one would take about "
            f"{_duration(secs)}; fix part of the order with `after:` or merge tranches"
        )
    report(progress, 1, 2, "one analysis of the model")
    run = DealContext(model, keys, own_engine(model, engine, "deal_design"))
    report(progress, 2, 2, f"{orders:,} orders")
    search = _Search(run, tranches, deal.guarantors)
    found = list(search.orders())
    found.sort(key=lambda f: f[0])
    shown = found if limit == 0 else found[:limit]
    designs = tuple(search.design(order, mask) for _, order, mask in shown)
    return DesignResult(
        deal.name,
        tuple(t.name for t in tranches),
        keys,
        orders,
        search.skipped,
        len(found),
        designs,
        header(model, keys, {"limit": limit}),
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 86400:,.0f} days"


class _Search:
    """Depth-first enumeration of the orders with the memoised per-state work."""

    def __init__(
        self, run: DealContext, tranches: tuple[Tranche, ...], guarantors: tuple[str, ...]
    ) -> None:
        c = run.c
        self.run, self.c, self.tranches = run, c, tranches
        self.sq = c.status_quo
        assert self.sq is not None  # a deal with tranches has one
        self.guarantors = guarantors
        self.settings = _settings(c, guarantors) if guarantors else []
        self.width = len(self.settings) + 1  # bit 0 of each concept: the order as built
        self.masks = []
        for t in tranches:
            clear = sum(1 << c.bits[o] for o, _ in t.values)
            self.masks.append((clear, sum(1 << c.bits[o] for o, v in t.values if v)))
        index = {t.name: k for k, t in enumerate(tranches)}
        self.need = [sum(1 << index[a] for a in t.after) for t in tranches]
        self.skipped = 0
        self._first: dict[int, int] = {}
        self._pairs: dict[tuple[int, int | None], int] = {}
        self._exposures: dict[tuple[int, int, int | None], int] = {}
        self._feasible: dict[int, bool] = {}
        self._legal: dict[tuple[int, int], bool] = {}
        self._rest: dict[int, int] = {}

    # ----- memoised per-state pieces ---------------------------------------------------
    def feasible(self, code: int) -> bool:
        ok = self._feasible.get(code)
        if ok is None:
            ok = self._feasible[code] = bool(self.c.is_feasible(code))
        return ok

    def legal(self, a: int, b: int) -> bool:
        key = (a, b)
        ok = self._legal.get(key)
        if ok is None:
            ok = self._legal[key] = self.c.space.step_problem(a, b) is None
        return ok

    def first(self, s1: int) -> int:
        """Bits of the settings whose first phase is feasible and legal from the status quo
        (every concept; the order as built is always)."""
        got = self._first.get(s1)
        if got is None:
            one = 1
            assert self.sq is not None
            for j, st in enumerate(self.settings, 1):
                s = (s1 & ~st.clear) | st.value
                if self.feasible(s) and self.legal(self.sq, s):
                    one |= 1 << j
            got = sum(one << (ci * self.width) for ci in range(len(self.run.concepts)))
            self._first[s1] = got
        return got

    def pair(self, s: int, nxt: int | None) -> int:
        """Bits of (concept, setting) under which phase ``s`` holds with ``nxt`` next (and,
        for a setting, the next phase is feasible and the step legal)."""
        key = (s, nxt)
        got = self._pairs.get(key)
        if got is None:
            run = self.run
            got = 0
            for ci, concept in enumerate(run.concepts):
                base = ci * self.width
                if run.holds(s, nxt, concept):
                    got |= 1 << base
                for j, st in enumerate(self.settings, 1):
                    a = (s & ~st.clear) | st.value
                    if not self.feasible(a):
                        continue
                    b = None if nxt is None else (nxt & ~st.clear) | st.value
                    if b is not None and not (self.feasible(b) and self.legal(a, b)):
                        continue
                    if run.holds(a, b, concept):
                        got |= 1 << (base + j)
            self._pairs[key] = got
        return got

    def exposures(self, a: int, b: int, nxt: int | None) -> int:
        """Exposures after the step ``a → b`` with ``nxt`` next, over the chosen concepts
        (as :func:`detente.analyses.deal.deal_analysis` counts them)."""
        key = (a, b, nxt)
        got = self._exposures.get(key)
        if got is None:
            c = self.c
            fixed = []
            for i in range(len(c.dms)):
                mask = int(c.dm_masks[i])
                if (~a & b & mask & c.fwd_mask) | (a & ~b & mask & c.back_mask):
                    fixed.append(c.dm_names[i])
            got = 0
            if fixed:
                for concept in self.run.concepts:
                    for i, target in self.run.undeterred(b, concept):
                        if target != nxt:
                            got += sum(1 for dm in fixed if dm != c.dm_names[i])
            self._exposures[key] = got
        return got

    def rest(self, done: int) -> int:
        """Orders of the tranches not in ``done`` that ``after`` allows."""
        got = self._rest.get(done)
        if got is None:
            n = len(self.tranches)
            if done == (1 << n) - 1:
                got = 1
            else:
                got = sum(
                    self.rest(done | 1 << k)
                    for k in range(n)
                    if not done >> k & 1 and self.need[k] & ~done == 0
                )
            self._rest[done] = got
        return got

    # ----- the search ------------------------------------------------------------------
    def orders(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...], int]]:
        """(rank key, order, holds mask) of every order through feasible, legal states,
        in lexicographic order of the tranches as written."""
        sq = self.sq
        assert sq is not None
        n = len(self.tranches)
        order: list[int] = []
        states: list[int] = []
        full = (1 << n) - 1
        seen = 0

        def walk(done: int, mask: int) -> Iterator[tuple[tuple[int, ...], tuple[int, ...], int]]:
            nonlocal seen
            if done == full:
                mask &= self.pair(states[-1], None)
                seen += 1
                yield self._key(states, mask, seen), tuple(order), mask
                return
            here = states[-1] if states else sq
            for k in range(n):
                if done >> k & 1 or self.need[k] & ~done:
                    continue
                clear, value = self.masks[k]
                s = (here & ~clear) | value
                if not (self.feasible(s) and self.legal(here, s)):
                    self.skipped += self.rest(done | 1 << k)
                    continue
                nxt_mask = self.first(s) if not states else mask & self.pair(here, s)
                order.append(k)
                states.append(s)
                yield from walk(done | 1 << k, nxt_mask)
                order.pop()
                states.pop()

        yield from walk(0, 0)

    def _concept_bits(self, mask: int, ci: int) -> int:
        return mask >> (ci * self.width) & ((1 << self.width) - 1)

    def _key(self, states: list[int], mask: int, seen: int) -> tuple[int, ...]:
        assert self.sq is not None
        path = deal_path(self.c, states)
        completes = self.run.induction.completes(path)
        holds = sum(1 for ci in range(len(self.run.concepts)) if mask >> (ci * self.width) & 1)
        cost = 0
        for ci in range(len(self.run.concepts)):
            cost += self._guarantee_cost(self._concept_bits(mask, ci))
        exposed = sum(
            self.exposures(path[k - 1], path[k], path[k + 1] if k + 1 < len(path) else None)
            for k in range(1, len(path))
        )
        return (0 if completes else 1, -holds, cost, exposed, seen)

    def _first_setting(self, bits: int) -> _Setting | None:
        for j, st in enumerate(self.settings, 1):
            if bits >> j & 1:
                return st
        return None

    def _guarantee_cost(self, bits: int) -> int:
        st = self._first_setting(bits)
        return len(self.guarantors) + 1 if st is None else len(st.on)

    def design(self, order: tuple[int, ...], mask: int) -> Design:
        """The listed result of one order."""
        c, run = self.c, self.run
        states: list[int] = []
        here = self.sq
        assert here is not None
        for k in order:
            clear, value = self.masks[k]
            here = (here & ~clear) | value
            states.append(here)
        path = deal_path(c, states)
        induced = run.induction.run(path)
        exposed = sum(
            self.exposures(path[k - 1], path[k], path[k + 1] if k + 1 < len(path) else None)
            for k in range(1, len(path))
        )
        holds = {}
        guarantees: dict[str, tuple[str, ...] | None] = {}
        for ci, concept in enumerate(run.concepts):
            bits = self._concept_bits(mask, ci)
            holds[concept] = bool(bits & 1)
            st = self._first_setting(bits)
            guarantees[concept] = None if st is None else st.on
        return Design(
            tuple(self.tranches[k].name for k in order),
            tuple(run.ref(s) for s in states),
            induced.completes,
            induced.unravels_at,
            holds,
            exposed,
            guarantees,
        )


__all__ = ["MAX_ORDERS", "SECONDS_PER_ORDER", "count_orders", "deal_design"]
