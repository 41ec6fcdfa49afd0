"""One conflict, its options and decision makers listed in another order (and, if asked,
renamed): for the invariance tests. Payoff preferences only (the strategies' conflicts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from detente.model.conflict import Conflict, DecisionMaker
from detente.model.feasibility import InfeasiblePattern
from detente.model.preferences import PayoffPreference


def permuted(c: Conflict, option_perm: list[int], dm_perm: list[int], *, rename: bool = False
             ) -> tuple[Conflict, Callable[[int], int]]:
    """``c`` with option k of the result being option ``option_perm[k]`` of ``c`` and DM i
    being DM ``dm_perm[i]``; with ``rename`` every option and DM gets a new name too. Also
    returns ``recode``: a state code of ``c`` → the same state's code in the result."""
    oname = {o.name: f"opt_{o.name}_x" if rename else o.name for o in c.options}
    dname = {dm.name: f"dm_{dm.name}_y" if rename else dm.name for dm in c.dms}
    options = tuple(replace(c.options[k], name=oname[c.options[k].name],
                            dm=dname[c.options[k].dm]) for k in option_perm)
    new_bit = {c.options[k].name: pos for pos, k in enumerate(option_perm)}

    def recode(code: int) -> int:
        return sum(1 << new_bit[o.name] for k, o in enumerate(c.options) if code >> k & 1)

    dms = []
    for i in dm_perm:
        dm = c.dms[i]
        pref = dm.preference
        assert isinstance(pref, PayoffPreference)
        dms.append(DecisionMaker(dname[dm.name], tuple(oname[o] for o in dm.options),
                                 PayoffPreference(tuple((recode(s), v) for s, v in pref.payoffs))))
    cons = tuple(InfeasiblePattern(tuple((oname[n], v) for n, v in x.conditions))
                 for x in c.constraints)
    return Conflict(c.name, options, tuple(dms), cons), recode
