"""The profile space of robustness analysis: the uncertain elements of each DM, its variants, and
the profiles (one variant per DM) enumerated or sampled, with their weights.

>>> count_text(362880)
'362,880'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import permutations

import numpy as np

from detente.model.conflict import Conflict, DecisionMaker
from detente.model.preferences import dense_ranks
from detente.model.uncertainty import Choice, Reading, readings_of

#: Groups in unknown order with more statements than this are summarised by their first
#: statement in the sensitivity table (instead of one setting per order).
ORDER_SETTINGS_MAX = 4


# ---- the profile space -------------------------------------------------------------------------
@dataclass(frozen=True)
class Element:
    """An uncertain element of one DM: its reading, or an element inside one reading."""

    dm_index: int
    dm: str
    label: str
    settings: tuple[str, ...]
    reading: int | None  # None: the choice of reading itself
    index: int = -1  # position in the reading's choice tuple

    def setting(self, reading: int, choice: Choice, size: int) -> int:
        """Setting index of a variant (-1 when the element does not apply to it)."""
        if self.reading is None:
            return reading
        if reading != self.reading:
            return -1
        c = choice[self.index]
        if len(self.settings) < size:  # a long unknown order: which statement comes first
            return c // math.factorial(len(self.settings) - 1)
        return c


@dataclass
class DMVariants:
    """The variants of one DM that occur (all of them, or those sampled), with their ranks."""

    readings: tuple[Reading, ...]
    keys: list[tuple[int, Choice]] = field(default_factory=list)
    index: dict[tuple[int, Choice], int] = field(default_factory=dict)

    def add(self, reading: int, choice: Choice) -> int:
        key = (reading, choice)
        if key not in self.index:
            self.index[key] = len(self.keys)
            self.keys.append(key)
        return self.index[key]

    def probability(self, k: int) -> float:
        r, choice = self.keys[k]
        return self.readings[r].choice_probability(choice)

    def ranks(self, conflict: Conflict) -> np.ndarray:
        out = np.empty((len(self.keys), conflict.n_states), dtype=np.int32)
        for k, (r, choice) in enumerate(self.keys):
            pref = self.readings[r].realise(choice)
            out[k] = dense_ranks(pref.scores(conflict.feasible, conflict.bits))
        return out


def profile_space_size(conflict: Conflict) -> int:
    """Number of preference profiles (variants with positive probability, multiplied over DMs)."""
    return math.prod(_variant_count(dm) for dm in conflict.dms)


def _variant_count(dm: DecisionMaker) -> int:
    """Variants of a DM with positive probability (an exact int, however large)."""
    return sum(r.variant_count for r in readings_of(dm.preference, dm.readings)
               if r.probability > 0)


def elements_of(conflict: Conflict) -> list[Element]:
    """Every uncertain element of the model, DM by DM."""
    out: list[Element] = []
    for j, dm in enumerate(conflict.dms):
        readings = readings_of(dm.preference, dm.readings)
        live = [r for r in readings if r.probability > 0]
        if len(live) > 1:
            out.append(Element(j, dm.name, "preferences (main or alternative)",
                               tuple(r.name for r in readings), None))
        for ri, r in enumerate(readings):
            if r.probability <= 0:
                continue
            for e in range(len(r.element_sizes)):
                label, settings = _element_settings(r, e)
                out.append(Element(j, dm.name, f"{r.name}: {label}", settings, ri, e))
    return out


def _element_settings(r: Reading, e: int) -> tuple[str, tuple[str, ...]]:
    """Label and setting labels of element ``e`` of a reading. A group of more than
    :data:`ORDER_SETTINGS_MAX` statements is summarised by which statement comes first, and
    its orders are never listed (11 statements have 39,916,800 orders)."""
    sts = r.statements
    if e < len(r.maybe):
        return f"statement {sts[r.maybe[e][0]].text!r}", ("does not hold", "holds")
    start, size = r.groups[e - len(r.maybe)]
    block = [s.text for s in sts[start:start + size]]
    label = "order of " + ", ".join(repr(b) for b in block)
    if size > ORDER_SETTINGS_MAX:
        return label, tuple(f"{b} first" for b in block)
    return label, tuple(" > ".join(block[k] for k in perm) for perm in permutations(range(size)))


@dataclass(frozen=True)
class Profiles:
    """Profiles as variant ids per DM, with weights summing to 1."""

    ids: np.ndarray  # (P, DMs) int
    weights: np.ndarray  # (P,) float64
    variants: list[DMVariants]


def enumerate_profiles(conflict: Conflict) -> Profiles:
    """Every profile with its probability (exact mode)."""
    per_dm: list[DMVariants] = []
    for dm in conflict.dms:
        v = DMVariants(readings_of(dm.preference, dm.readings))
        for ri, r in enumerate(v.readings):
            if r.probability <= 0:
                continue
            for var in r.variants():
                v.add(ri, var.choice)
        per_dm.append(v)
    sizes = [len(v.keys) for v in per_dm]
    ids = np.stack(np.unravel_index(np.arange(math.prod(sizes)), sizes), axis=1)
    probs = [np.array([v.probability(k) for k in range(len(v.keys))]) for v in per_dm]
    weights = np.ones(ids.shape[0])
    for j, p in enumerate(probs):
        weights = weights * p[ids[:, j]]
    return Profiles(ids.astype(np.int64), weights, per_dm)


def sample_profiles(conflict: Conflict, samples: int, seed: int) -> Profiles:
    """``samples`` profiles drawn independently per DM (reproducible for a seed), weight 1/N."""
    rng = np.random.default_rng(seed)
    per_dm: list[DMVariants] = []
    cols: list[np.ndarray] = []
    for dm in conflict.dms:
        v = DMVariants(readings_of(dm.preference, dm.readings))
        probs = np.array([max(0.0, r.probability) for r in v.readings])
        picked = rng.choice(len(v.readings), size=samples, p=probs / probs.sum())
        col = np.empty(samples, dtype=np.int64)
        for ri, r in enumerate(v.readings):
            where = np.flatnonzero(picked == ri)
            if where.size == 0:
                continue
            choices = r.sample_choices(rng, where.size)
            for k, row in zip(where.tolist(), choices.tolist(), strict=True):
                col[k] = v.add(ri, tuple(row))
        per_dm.append(v)
        cols.append(col)
    ids = np.stack(cols, axis=1)
    return Profiles(ids, np.full(samples, 1.0 / samples), per_dm)


#: Largest count written out in full in messages; beyond it, its order of magnitude.
_COUNT_DIGITS = 18


def count_text(n: int) -> str:
    """``n`` with thousands separators, or ``about 10^k`` for a huge count (a group of 2,000
    statements in unknown order has 2000! orders: too many digits to print).

    >>> count_text(362880), count_text(math.factorial(30))
    ('362,880', 'about 10^32')
    """
    if n < 10**_COUNT_DIGITS:
        return f"{n:,}"
    return f"about 10^{round(_log10(n))}"


def _log10(n: int) -> float:
    """log10 of a positive int of any size (no conversion to float or str of the whole)."""
    shift = max(0, n.bit_length() - 60)
    return math.log10(n >> shift) + shift * math.log10(2)


def _merge_duplicates(prof: Profiles) -> Profiles:
    """The distinct profiles (in order of first appearance), each with the summed weight of
    its copies: sampling draws many profiles more than once, and each is evaluated once."""
    _, first, inverse = np.unique(prof.ids, axis=0, return_index=True, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=prof.weights, minlength=first.size)
    order = np.argsort(first, kind="stable")
    return Profiles(prof.ids[first[order]], weights[order], prof.variants)


def _settings_matrix(prof: Profiles, elements: Sequence[Element]) -> np.ndarray:
    """(P, settings) 0/1: which setting of each element each profile has."""
    cols: list[np.ndarray] = []
    for e in elements:
        j = e.dm_index
        v = prof.variants[j]
        per_variant = np.array([
            e.setting(r, choice, _element_size(v, e)) for r, choice in v.keys
        ], dtype=np.int64)
        s = per_variant[prof.ids[:, j]] if per_variant.size else np.zeros(0, dtype=np.int64)
        block = np.zeros((prof.ids.shape[0], len(e.settings)))
        ok = s >= 0
        block[np.flatnonzero(ok), s[ok]] = 1.0
        cols.append(block)
    if not cols:
        return np.zeros((prof.ids.shape[0], 0))
    return np.concatenate(cols, axis=1)


def _element_size(v: DMVariants, e: Element) -> int:
    """Number of raw settings of an element (orders of a group, before summarising)."""
    if e.reading is None:
        return len(v.readings)
    return v.readings[e.reading].element_sizes[e.index]


__all__ = [
    "ORDER_SETTINGS_MAX",
    "DMVariants",
    "Element",
    "Profiles",
    "count_text",
    "elements_of",
    "enumerate_profiles",
    "profile_space_size",
    "sample_profiles",
]
