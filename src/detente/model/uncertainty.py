"""Uncertain preferences: the readings of a decision maker's priorities and their variants.

A DM with uncertain preferences has *readings*: its main preferences (probability 1 minus the
alternatives') and each declared alternative. A reading given as statements may hold
uncertainty inside its list: a statement that holds only with some probability (``maybe``) and
blocks of statements whose order is unknown (``groups``, every order equally likely). A
*variant* is one concrete choice of reading and of every uncertain element in it; its
probability is the product of the choices'. DMs are independent, so a preference profile (one
variant per DM) has the product of their probabilities.

>>> from detente.model.statements import parse_statement
>>> sts = tuple(Statement(t, parse_statement(t)) for t in ("a", "b", "c"))
>>> r = Reading("main", 1.0, StatementPreference(sts), maybe=((0, 0.25),), groups=((1, 2),))
>>> r.variant_count
4
>>> [(round(v.probability, 3), [s.text for s in v.preference.statements]) for v in r.variants()]
[(0.375, ['b', 'c']), (0.375, ['c', 'b']), (0.125, ['a', 'b', 'c']), (0.125, ['a', 'c', 'b'])]
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import permutations, product

import numpy as np

from detente.model.preferences import Preference, Statement, StatementPreference

#: A variant's choice for each uncertain element of its reading: 1/0 for a maybe-statement
#: (holds / does not), the index of the order (in ``itertools.permutations`` order) for a group.
Choice = tuple[int, ...]


@dataclass(frozen=True)
class Variant:
    """One concrete preference of a DM: which reading, which choice per uncertain element."""

    reading: int
    choice: Choice
    probability: float
    preference: Preference


@dataclass(frozen=True)
class Reading:
    """A complete preference specification with its probability.

    ``maybe``: (position in the statement list, probability that it holds); ``groups``:
    (first position, size) of blocks of statements in unknown order. Positions index
    ``preference.statements`` as written (the nominal list every other analysis uses).
    """

    name: str
    probability: float
    preference: Preference
    rationale: str = ""
    maybe: tuple[tuple[int, float], ...] = ()
    groups: tuple[tuple[int, int], ...] = ()

    @property
    def statements(self) -> tuple[Statement, ...]:
        pref = self.preference
        return pref.statements if isinstance(pref, StatementPreference) else ()

    @property
    def element_sizes(self) -> tuple[int, ...]:
        """Number of settings of each uncertain element: maybe-statements, then groups."""
        return tuple([2] * len(self.maybe) + [math.factorial(n) for _, n in self.groups])

    @property
    def variant_count(self) -> int:
        return math.prod(self.element_sizes)

    def element_labels(self) -> list[tuple[str, list[str]]]:
        """(element description, setting labels) per uncertain element, in choice order."""
        sts = self.statements
        out: list[tuple[str, list[str]]] = []
        for pos, _ in self.maybe:
            out.append((f"statement {sts[pos].text!r}", ["does not hold", "holds"]))
        for start, size in self.groups:
            block = [s.text for s in sts[start : start + size]]
            orders = [" > ".join(block[k] for k in perm) for perm in permutations(range(size))]
            out.append(("order of " + ", ".join(repr(b) for b in block), orders))
        return out

    def choice_probability(self, choice: Choice) -> float:
        p = self.probability
        for (_, q), c in zip(self.maybe, choice, strict=False):
            p *= q if c else 1.0 - q
        for (_, size), _c in zip(self.groups, choice[len(self.maybe):], strict=True):
            p /= math.factorial(size)
        return p

    def realise(self, choice: Choice) -> Preference:
        """The preference of one choice: dropped statements removed, groups reordered."""
        if not self.maybe and not self.groups:
            return self.preference
        sts = list(self.statements)
        order = list(range(len(sts)))
        for (start, size), c in zip(self.groups, choice[len(self.maybe):], strict=True):
            perm = _nth_permutation(size, c)
            order[start : start + size] = [start + k for k in perm]
        dropped = {pos for (pos, _), c in zip(self.maybe, choice, strict=False) if not c}
        return StatementPreference(tuple(sts[k] for k in order if k not in dropped))

    def variants(self) -> Iterator[Variant]:
        """Every variant of this reading (``reading`` index 0; the caller renumbers)."""
        for choice in product(*(range(n) for n in self.element_sizes)):
            yield Variant(0, choice, self.choice_probability(choice), self.realise(choice))

    def sample_choices(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """(k, elements) random choices, each element drawn independently. A group with more
        orders than an int64 holds (over 20 statements) gets random permutations as their
        index (Python ints, in an object array)."""
        cols = [(rng.random(k) < q).astype(np.int64) for _, q in self.maybe]
        cols += [rng.integers(0, math.factorial(n), size=k) if n <= _INT64_GROUP
                 else _permutation_indices(rng.permuted(np.tile(np.arange(n), (k, 1)), axis=1))
                 for _, n in self.groups]
        return np.stack(cols, axis=1) if cols else np.zeros((k, 0), dtype=np.int64)


#: Largest group whose orders (n!) an int64 numbers.
_INT64_GROUP = 20


def _permutation_indices(perms: np.ndarray) -> np.ndarray:
    """Index of each row of ``perms`` (k, n) in ``itertools.permutations`` order, as Python
    ints (object array): the inverse of :func:`_nth_permutation`.

    >>> p = np.array([_nth_permutation(4, 17), _nth_permutation(4, 0)])
    >>> _permutation_indices(p).tolist()
    [17, 0]
    """
    n = perms.shape[1]
    later = np.triu(np.ones((n, n), dtype=bool), 1)
    weights = [math.factorial(n - 1 - r) for r in range(n)]
    out = np.empty(perms.shape[0], dtype=object)
    for lo in range(0, perms.shape[0], 4096):  # (rows, n, n) at a time: memory stays bounded
        block = perms[lo:lo + 4096]
        # Lehmer digits: how many later entries are smaller
        digits = ((block[:, :, None] > block[:, None, :]) & later).sum(axis=2)
        for q, row in enumerate(digits.tolist(), lo):
            out[q] = sum(d * w for d, w in zip(row, weights, strict=True))
    return out


def _nth_permutation(n: int, index: int) -> tuple[int, ...]:
    """The ``index``-th permutation of range(n) in ``itertools.permutations`` order.

    >>> [_nth_permutation(3, k) for k in range(6)] == list(permutations(range(3)))
    True
    """
    items = list(range(n))
    out: list[int] = []
    for k in range(n, 0, -1):
        f = math.factorial(k - 1)
        q, index = divmod(index, f)
        out.append(items.pop(q))
    return tuple(out)


def readings_of(main: Preference, readings: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """A DM's readings; a DM without declared uncertainty has one: its main preference."""
    return readings if readings else (Reading("main", 1.0, main),)


__all__ = ["Choice", "Reading", "Variant", "readings_of"]
