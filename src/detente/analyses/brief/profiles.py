"""A proposal's verdict under uncertain preferences: over the preference profiles (how sure)
and under each single uncertain assumption changed alone (what flips it).

Every profile is a set of rank rows, so every verdict is read off one batch evaluation of the
engine (:func:`detente.engine.batch.stable_batch`, profiles × states). A target or draft holds
in a profile when some matching state is an equilibrium there. A deal phase holds when every
undeterred temptation leads to the next phase: a phase where every DM is stable holds; one
where some DM is unstable and cannot reach the next phase by an improvement of its own breaks;
otherwise (the step itself may be that DM's only temptation) the deal analysis's own test is
run on that profile's model (:class:`~detente.analyses.deal.context.DealContext`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.analyses.deal.context import DealContext
from detente.analyses.robustness.profiles import (
    Profiles,
    enumerate_profiles,
    profile_space_size,
    sample_profiles,
)
from detente.engine import Engine
from detente.engine.batch import stable_batch
from detente.model.conflict import Conflict
from detente.model.preferences import Preference, dense_ranks
from detente.model.uncertainty import Choice, Reading, readings_of

#: Orders of a group in unknown order tried one at a time as flips (the first ones).
MAX_ORDER_FLIPS = 24


@dataclass(frozen=True)
class Variant:
    """One preference profile: the DMs whose preferences differ from the model's, and every
    DM's ranks (DMs, states)."""

    preferences: tuple[tuple[str, Preference], ...]
    ranks: np.ndarray

    def model(self, model: Conflict) -> Conflict:
        return model.with_preferences(dict(self.preferences)) if self.preferences else model


@dataclass(frozen=True)
class Assumption:
    """One uncertain assumption changed alone: which DM, which element, which setting, its
    probability, and the profile it gives (the other DMs as in the model)."""

    dm: str
    element: str
    setting: str
    probability: float
    variant: Variant


@dataclass(frozen=True)
class ProfileSet:
    """The preference profiles analysed, with their weights."""

    variants: tuple[Variant, ...]
    weights: np.ndarray
    exact: bool
    size: int  # profiles in the whole space
    seed: int | None


def uncertain(model: Conflict) -> bool:
    """Whether the model declares uncertain preferences."""
    return any(dm.readings for dm in model.dms)


def _realise(model: Conflict, prof: Profiles, row: np.ndarray) -> Variant:
    prefs: list[tuple[str, Preference]] = []
    ranks = model.ranks.copy()
    for i, dm in enumerate(model.dms):
        v = prof.variants[i]
        r, choice = v.keys[int(row[i])]
        pref = v.readings[r].realise(choice)
        if pref is not dm.preference:
            prefs.append((dm.name, pref))
            ranks[i] = dense_ranks(pref.scores(model.feasible, model.bits))
    return Variant(tuple(prefs), ranks)


def profile_set(model: Conflict, samples: int, seed: int | None, exact: bool | None) -> ProfileSet:
    """The profiles robustness analysis would analyse with these arguments (every profile
    when ``exact``, or when ``exact`` is None and the space has at most ``samples``)."""
    size = profile_space_size(model)
    use_exact = exact is True or (exact is None and size <= samples)
    prof = enumerate_profiles(model) if use_exact else sample_profiles(model, samples, seed or 0)
    _, first, inverse = np.unique(prof.ids, axis=0, return_index=True, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=prof.weights, minlength=first.size)
    variants = tuple(_realise(model, prof, prof.ids[k]) for k in first.tolist())
    return ProfileSet(variants, weights, use_exact, size, None if use_exact else (seed or 0))


def _nominal_choice(r: Reading) -> Choice:
    return tuple([1] * len(r.maybe) + [0] * len(r.groups))


def assumptions(model: Conflict) -> list[Assumption]:
    """Each uncertain assumption changed alone from the model as written: another reading;
    in the main reading, a maybe-statement that does not hold, another order of a group."""
    out: list[Assumption] = []
    for i, dm in enumerate(model.dms):
        if not dm.readings:
            continue
        readings = readings_of(dm.preference, dm.readings)

        def add(
            element: str, setting: str, p: float, pref: Preference, i: int = i, name: str = dm.name
        ) -> None:
            ranks = model.ranks.copy()
            ranks[i] = dense_ranks(pref.scores(model.feasible, model.bits))
            out.append(Assumption(name, element, setting, p, Variant(((name, pref),), ranks)))

        for r in readings[1:]:
            if r.probability > 0:
                add("reading", r.name, r.probability, r.realise(_nominal_choice(r)))
        main = readings[0]
        base = list(_nominal_choice(main))
        labels = main.element_labels()
        for k, (_pos, q) in enumerate(main.maybe):
            choice = base.copy()
            choice[k] = 0
            add(
                labels[k][0],
                "does not hold",
                main.probability * (1 - q),
                main.realise(tuple(choice)),
            )
        for g, (_, size) in enumerate(main.groups):
            k = len(main.maybe) + g
            orders = min(math.factorial(size), MAX_ORDER_FLIPS)
            names = labels[k][1]
            for o in range(1, orders):
                choice = base.copy()
                choice[k] = o
                add(
                    labels[k][0],
                    names[o] if o < len(names) else f"order {o + 1}",
                    main.probability / math.factorial(size),
                    main.realise(tuple(choice)),
                )
    return out


@dataclass(frozen=True)
class DealShape:
    """A deal's phases as positions: (position, next phase's code or None, next position)."""

    phases: tuple[tuple[int, int | None, int | None], ...]


class Verdicts:
    """Verdicts of proposals under many profiles, from one batch evaluation."""

    def __init__(
        self, model: Conflict, variants: Sequence[Variant], concepts: tuple[str, ...]
    ) -> None:
        self.model = model
        self.variants = tuple(variants)
        self.concepts = concepts
        ranks = np.stack([v.ranks for v in self.variants]) if self.variants else None
        self.ranks = ranks
        self.stable: dict[str, np.ndarray] = (
            stable_batch(model, ranks, concepts) if ranks is not None else {}
        )
        self._contexts: dict[int, DealContext] = {}

    def target(self, positions: np.ndarray, concept: str) -> np.ndarray:
        """(profiles,) bool: some of the states at ``positions`` is an equilibrium."""
        eq = np.asarray(np.asarray(self.stable[concept][:, :, positions]).all(axis=1))
        return np.asarray(eq.any(axis=1))

    def deal(self, shape: DealShape, concept: str) -> np.ndarray:
        """(profiles,) bool: every phase holds (as the deal analysis defines it)."""
        out = np.ones(len(self.variants), dtype=bool)
        for q in range(len(self.variants)):
            out[q] = all(self._phase(q, p, nxt, npos, concept) for p, nxt, npos in shape.phases)
        return out

    def _phase(self, q: int, p: int, nxt: int | None, npos: int | None, concept: str) -> bool:
        st = self.stable[concept][q, :, p]
        if st.all():
            return True
        c = self.model
        code = int(c.feasible[p])
        assert self.ranks is not None
        for i in np.flatnonzero(~st).tolist():
            own = (
                nxt is not None
                and npos is not None
                and (
                    (code ^ nxt) & ~int(c.dm_masks[i]) == 0
                    and self.ranks[q, i, npos] > self.ranks[q, i, p]
                )
            )
            if not own:
                return False  # an undeterred temptation that is not the deal's next step
        return self._context(q).holds(code, nxt, concept)

    def _context(self, q: int) -> DealContext:
        if q not in self._contexts:
            m = self.variants[q].model(self.model)
            self._contexts[q] = DealContext(m, self.concepts, Engine(m))
        return self._contexts[q]


def deal_shape(model: Conflict) -> DealShape:
    """The model's deal as positions (it must have one)."""
    assert model.deal is not None
    codes = [ph.state for ph in model.deal.phases]
    out = []
    for k, code in enumerate(codes):
        nxt = codes[k + 1] if k + 1 < len(codes) else None
        out.append((model.position(code), nxt, None if nxt is None else model.position(nxt)))
    return DealShape(tuple(out))


__all__ = [
    "MAX_ORDER_FLIPS",
    "Assumption",
    "DealShape",
    "ProfileSet",
    "Variant",
    "Verdicts",
    "assumptions",
    "deal_shape",
    "profile_set",
    "uncertain",
]
