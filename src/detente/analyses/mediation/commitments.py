"""Commitment devices in mediation design: the fewest declared commitments that make a target
an equilibrium, preferences unchanged.

A commitment (``mediation: commitments:``) makes a reversible option one-way; a set of them
changes the move graph only (:meth:`Conflict.with_directions`). Sets are tried by increasing
size, never two commitments on one option, and every set of the first size that works is
listed. Each set is checked at the target for the one profile the model has: with the local
checks of the concepts' registered ``"local"`` backend
(:class:`~detente.engine.local_checks.LocalChecks`, built on the committed move graph) when
they are cheap beside the whole model, else with the forward engine of the committed model
(one per set, shared by every target and concept asked of the same engine: a deal asks per
broken phase and concept); each listed set is checked once more by the forward engine. The
work is bounded before each size is started: sets × the local checks' work
(:func:`local_work`, the same for every set, which only removes moves) against
:data:`MAX_COMMITMENT_WORK`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations

from detente.analyses.mediation.local import MAX_LOCAL_WORK, LocalChecks, local_work
from detente.analyses.mediation.result import CommitmentSolution, CommitmentsResult
from detente.engine import Engine
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError
from detente.model.mediation import Commitment

#: The most local-check work (sets × :func:`local_work`) one commitment search spends.
MAX_COMMITMENT_WORK = MAX_LOCAL_WORK
#: Accept a target (its index) on a committed model and its move index (``--reachable``).
Accept = Callable[[Conflict, MoveIndex, int], bool]


def committed(c: Conflict, chosen: tuple[Commitment, ...]) -> Conflict:
    """``c`` with the chosen commitments' options made one-way (the deal left out)."""
    return c.with_directions({x.option: x.make for x in chosen}, keep_deal=False)


def commitment_sets(declared: tuple[Commitment, ...], size: int) -> Iterator[tuple[int, ...]]:
    """Index sets of ``size`` declared commitments, in declared order, never two on one
    option (fwd and back together would freeze it, which no commitment declares)."""
    for combo in combinations(range(len(declared)), size):
        options = [declared[k].option for k in combo]
        if len(set(options)) == len(options):
            yield combo


def count_sets(declared: tuple[Commitment, ...], size: int) -> int:
    return sum(1 for _ in commitment_sets(declared, size))


#: Local-check work (:func:`local_work` units) per feasible state and DM above which one
#: profile is checked with the forward engine on the whole model rather than locally
#: (``benchmarks/bench_mediation.py --part commitments`` times both).
ENGINE_WORK_PER_STATE = 5


def committed_engine(engine: Engine, chosen: tuple[Commitment, ...]) -> Engine:
    """An engine of ``engine``'s model under the chosen commitments, built once per set and
    engine (the engine itself for none)."""
    if not chosen:
        return engine
    key = ("committed", tuple((x.option, x.make) for x in chosen))
    return engine.memo(key, lambda: Engine(committed(engine.conflict, chosen)))


def holds_at(
    c: Conflict, targets: list[int], concepts: tuple[str, ...], accept: Accept | None = None,
    engine: Engine | None = None,
) -> int | None:
    """The first target (index into ``targets``) that is an equilibrium of ``c`` under every
    concept (and accepted); ``None`` when none is. By local checks when their work is small
    beside the model (:data:`ENGINE_WORK_PER_STATE`), else by ``engine`` (an engine of ``c``,
    built when not given)."""
    if local_work(c, targets, concepts) > ENGINE_WORK_PER_STATE * c.n_states * len(c.dms):
        engine = engine or Engine(c)
        masks = [engine.equilibrium_mask(x) for x in concepts]
        moves = engine.move_index()
        for k, s in enumerate(targets):
            if all(bool(m[s]) for m in masks) and (accept is None or accept(c, moves, k)):
                return k
        return None
    index = MoveIndex(c)
    local = LocalChecks(c, targets, concepts, index)
    bits = {j: b[None, :] for j, b in local.bits_from_ranks(c.ranks).items()}
    for k in range(len(targets)):
        if all(bool(local.stable(bits, k)[x].all()) for x in concepts) and (
            accept is None or accept(c, index, k)
        ):
            return k
    return None


def search_commitments(
    c: Conflict,
    targets: list[int],
    concepts: tuple[str, ...],
    already: bool,
    accept: Accept | None = None,
    engine: Engine | None = None,
) -> CommitmentsResult:
    """The minimal sets of the model's declared commitments that make some target state (a
    position) an equilibrium under every concept; ``already``: the target is one now (then
    the empty set, checked with ``engine``, an engine of ``c``, when given)."""
    declared = c.mediation.commitments
    engine = engine or Engine(c)
    if already:
        return CommitmentsResult(
            declared, 0, (_solution(c, (), targets, concepts, accept, engine),), 0
        )
    per_set = local_work(c, targets, concepts)
    spent = tried = 0
    for size in range(1, len(declared) + 1):
        n_sets = count_sets(declared, size)
        if n_sets == 0:
            break
        if spent + n_sets * per_set > MAX_COMMITMENT_WORK:
            return CommitmentsResult(
                declared, None, (), tried, _refusal(size, n_sets, per_set, spent)
            )
        spent += n_sets * per_set
        hits = []
        for combo in commitment_sets(declared, size):
            tried += 1
            chosen = tuple(declared[k] for k in combo)
            d = committed_engine(engine, chosen)
            if holds_at(d.conflict, targets, concepts, accept, d) is not None:
                hits.append(chosen)
        if hits:
            return CommitmentsResult(
                declared,
                size,
                tuple(_solution(c, ch, targets, concepts, accept, engine) for ch in hits),
                tried,
            )
    return CommitmentsResult(declared, None, (), tried)


def _refusal(size: int, n_sets: int, per_set: int, spent: int) -> str:
    fewer = f"no set of fewer than {size} commitments works; " if size > 1 else ""
    return (
        f"{fewer}{size} commitment{'s' if size > 1 else ''} means checking {n_sets:,} "
        f"sets at about {per_set:,} units of work each ({spent + n_sets * per_set:,} in "
        f"all; limit {MAX_COMMITMENT_WORK:,}): declare fewer commitments, name fewer "
        "target states or fewer concepts"
    )


def _solution(
    c: Conflict,
    chosen: tuple[Commitment, ...],
    targets: list[int],
    concepts: tuple[str, ...],
    accept: Accept | None,
    engine: Engine | None = None,
) -> CommitmentSolution:
    """The forward check: the committed model's equilibria by the engine (``engine``, an
    engine of ``c``, or its memoised committed engine)."""
    engine = committed_engine(engine or Engine(c), chosen)
    d = engine.conflict
    masks = {x: engine.equilibrium_mask(x) for x in concepts}
    index = engine.move_index()
    ok = [
        k
        for k, s in enumerate(targets)
        if all(bool(m[s]) for m in masks.values()) and (accept is None or accept(d, index, k))
    ]
    if not ok:
        raise AnalysisError(  # pragma: no cover - the local checks and the engine disagree
            "internal error: a commitment set fails the forward check; please report it"
        )
    return CommitmentSolution(
        chosen,
        c.state_string(int(c.feasible[targets[ok[0]]])),
        {x: int(m.sum()) for x, m in masks.items()},
    )


__all__ = [
    "ENGINE_WORK_PER_STATE",
    "MAX_COMMITMENT_WORK",
    "commitment_sets",
    "committed",
    "committed_engine",
    "count_sets",
    "holds_at",
    "search_commitments",
]
