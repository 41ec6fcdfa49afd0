"""Strength of preference from a marked ranking, against the rule of the NUAA GMCR system.

The NUAA GMCR system (the implementation of Xu, Hipel, Kilgour & Fang's matrix form that issue
24 names; github.com/callMeBigKing/nuaagmcrr, ``testGMCR/App_Code/manualperfence.cs`` at commit
b1838a0) reads an ordering such as ``1>2>>3=4`` and gives a pair the code of strong preference
when a ``>>`` stands anywhere between its two states, mild preference when only ``>`` do, and
equal preference when they are tied; its ``StrengthStability.cs`` then computes strong GMR, SMR
and SEQ with the strongly-less-preferred relation (P^{--}) as the sanction's end and the mild or
strong improvements (J^{+,++}) as the moves to deter, as docs/concepts-extended.md defines them.
So two mild steps stay mild and a strong step makes every pair across it strong: detente's tiers
(``">>"`` marks in a ranking, docs/model-format.md) must give the same three-way verdict.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from detente.formats.native.builder import loads
from detente.model.strength import strength_tiers

STATES = ("NN", "YN", "NY", "YY")  # the feasible order of two one-option DMs


@st.composite
def marked_rankings(draw: st.DrawFn) -> list[object]:
    """A ranking of the four states: ties (lists) and ``">>"`` marks between entries."""
    order = draw(st.permutations(STATES))
    cuts = sorted(draw(st.sets(st.integers(1, 3))))
    groups = [list(order[a:b]) for a, b in zip([0, *cuts], [*cuts, 4], strict=True)]
    ranking: list[object] = []
    for k, g in enumerate(groups):
        if k and draw(st.booleans()):
            ranking.append(">>")
        ranking.append(g[0] if len(g) == 1 else g)
    return ranking


def nuaa_verdicts(ranking: list[object]) -> dict[tuple[str, str], str]:
    """Per ordered pair (p above or tied with q): "strong" when a ``>>`` lies between them,
    "mild" when only ``>``, "equal" when tied, as the NUAA system codes a manual ordering."""
    place: dict[str, tuple[int, int]] = {}  # state -> (group, marks before it)
    group = marks = 0
    for entry in ranking:
        if entry == ">>":
            marks += 1
            continue
        for s in entry if isinstance(entry, list) else [entry]:
            place[str(s)] = (group, marks)
        group += 1
    out = {}
    for p in STATES:
        for q in STATES:
            (gp, mp), (gq, mq) = place[p], place[q]
            if gp < gq:
                out[(p, q)] = "strong" if mq > mp else "mild"
            elif gp == gq and p != q:
                out[(p, q)] = "equal"
    return out


@settings(max_examples=40, deadline=None, database=None)
@given(ranking=marked_rankings())
def test_marked_rankings_give_the_nuaa_verdicts(ranking: list[object]) -> None:
    model = (
        "name: strength\ndecision_makers:\n"
        "  - name: A\n    options: [{name: a}]\n"
        f"    preferences: {{ranking: {json.dumps(ranking)}}}\n"
        "  - name: B\n    options: [{name: b}]\n    preferences: {ranking: [NN, YN, NY, YY]}\n")
    c = loads(model)
    tiers, ranks = strength_tiers(c)[0], c.ranks[0]
    for (p, q), want in nuaa_verdicts(ranking).items():
        i, j = STATES.index(p), STATES.index(q)
        got = ("strong" if tiers[i] > tiers[j] else "mild" if ranks[i] > ranks[j]
               else "equal" if ranks[i] == ranks[j] else "reversed")
        assert got == want, (ranking, p, q)
