"""Hypothesis strategies for deals given as tranches (tranche design, foresight).

- ``tranche_deals()``: a random small model with a status quo and a deal of 1..``max_tranches``
  tranches (each sets one or more options, no option in two tranches; random ``after`` lists
  over earlier-written tranches), written in an order that is a legal deal, and maybe
  guarantor options.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import permutations

from hypothesis import assume
from hypothesis import strategies as st

from detente.model.conflict import Conflict
from detente.model.deal import Deal, Tranche, tranche_phases
from strategies import conflicts, states


def _legal(c: Conflict, sq: int, order: tuple[Tranche, ...]) -> bool:
    done: set[str] = set()
    for t in order:
        if any(a not in done for a in t.after):
            return False
        done.add(t.name)
    previous = sq
    for ph in tranche_phases(c.option_names, sq, order):
        if not c.is_feasible(ph.state) or c.space.step_problem(previous, ph.state) is not None:
            return False
        previous = ph.state
    return True


@st.composite
def tranche_deals(
    draw: st.DrawFn,
    max_dms: int = 3,
    max_options: int = 5,
    max_tranches: int = 4,
    guarantors: bool = True,
) -> Conflict:
    """A random model with a status quo and a legal deal given as tranches."""
    c = draw(conflicts(max_dms=max_dms, max_options=max_options))
    sq = int(draw(states(c)))
    picked = draw(
        st.lists(st.integers(0, c.n_options - 1), min_size=1, max_size=c.n_options, unique=True)
    )
    n = draw(st.integers(1, min(max_tranches, len(picked))))
    groups: list[list[int]] = [[] for _ in range(n)]
    for j, bit in enumerate(picked):
        groups[j if j < n else draw(st.integers(0, n - 1))].append(bit)
    tranches = []
    for k, bits in enumerate(groups):
        values = tuple(
            (c.option_names[b], not bool(sq >> b & 1) or draw(st.booleans())) for b in bits
        )
        if all(bool(sq >> c.bits[o] & 1) == v for o, v in values):  # change something
            o0, v0 = values[0]
            values = ((o0, not v0), *values[1:])
        after = tuple(
            draw(st.lists(st.sampled_from([f"t{j}" for j in range(k)]), unique=True)) if k else ()
        )
        tranches.append(Tranche(f"t{k}", values, after))
    legal = [o for o in permutations(tranches) if _legal(c, sq, o)]
    assume(legal)
    order = draw(st.sampled_from(legal))
    names = (
        tuple(draw(st.lists(st.sampled_from(c.option_names), max_size=2, unique=True)))
        if guarantors
        else ()
    )
    deal = Deal("d", tranche_phases(c.option_names, sq, order), guarantors=names, tranches=order)
    return replace(c, status_quo=sq, deal=deal)


__all__ = ["tranche_deals"]
