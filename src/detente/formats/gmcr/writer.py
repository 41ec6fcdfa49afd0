"""Writing GMCR+ ``.gmcr`` files: a model → JSON text.

Options are written grouped by DM (as GMCR-py expects). Every statement is written
exactly as a condition or compound condition, via its disjunctive normal form (``a if b`` →
``a`` OR ``not b``); statements that always or never hold do not affect the ranking and are
left out. Ranking and payoff preferences (or a statement whose normal form would exceed 64
terms) have no condition form: the whole file then uses a manual ranking, computed from
``conflict.ranks`` for every DM (the other DMs' conditions are written too). Mutually-exclusive
and at-least-one groups are expanded to infeasible conditions. An option with levels is
written as its internal binary options (``x>=L`` for each level after the first) with the
infeasible conditions that keep them ordered, so the file has the same states, moves and
rankings; the level names are lost (:func:`omissions` says so). The file holds one partition
of the DMs, so a coalition that overlaps an earlier one is left out. The format has no place
for the status quo, sources, rationales, option and DM descriptions or statement wording;
they are not written. :func:`omissions` names everything left out (``detente convert`` warns
about each).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib import metadata
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from detente.formats.files import write_atomic
from detente.model.conflict import Conflict
from detente.model.errors import ModelError
from detente.model.feasibility import AtLeastOne, Constraint, InfeasiblePattern, MutuallyExclusive
from detente.model.levels import ordering
from detente.model.preferences import (
    StatementPreference,
)
from detente.model.statements import Binary, Expr, LevelTest, Lit, Not
from detente.model.states import letter
from detente.model.strength import has_strength

MAX_TERMS = 64


# ----- statements to conditions ----------------------------------------------------------
Term = frozenset[tuple[str, bool]]


class _TooComplex(Exception):
    """A statement's disjunctive normal form exceeds MAX_TERMS terms."""


def _or(a: set[Term], b: set[Term]) -> set[Term]:
    return _reduce(a | b)


def _and(a: set[Term], b: set[Term]) -> set[Term]:
    if len(a) * len(b) > MAX_TERMS * MAX_TERMS:
        raise _TooComplex  # bounded work: never multiply out more than 64 x 64 terms
    out: set[Term] = set()
    for s in a:
        for t in b:
            u = s | t
            if len({name for name, _ in u}) == len(u):  # no option both taken and not
                out.add(u)
    return _reduce(out)


def _reduce(terms: set[Term]) -> set[Term]:
    """Merge ``x∧A ∨ ¬x∧A`` into ``A`` and drop absorbed terms, to a fixed point."""
    terms = set(terms)
    changed = True
    while changed:
        changed = False
        for s in list(terms):
            for lit in s:
                twin = (s - {lit}) | {(lit[0], not lit[1])}
                if twin in terms:
                    terms -= {s, twin}
                    terms.add(s - {lit})
                    changed = True
                    break
            if changed:
                break
        terms = {t for t in terms if not any(s < t for s in terms)}
    if len(terms) > MAX_TERMS:
        raise _TooComplex
    return terms


def dnf(expr: Expr, positive: bool = True) -> set[Term]:
    """Disjunctive normal form of ``expr`` (or of its negation): a set of conjunctions.

    ``frozenset()`` in the result means "always true"; an empty result, "never". Each
    sub-expression is expanded once (for itself and its negation), and every step is bounded by
    :data:`MAX_TERMS`, so the work is linear in the statement's size.

    >>> from detente.model.statements import parse_statement
    >>> sorted(sorted(t) for t in dnf(parse_statement("a if b")))
    [[('a', True)], [('b', False)]]
    """
    done: dict[int, tuple[set[Term], set[Term]]] = {}  # id -> (dnf, dnf of the negation)
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    keep: list[Expr] = []  # holds every visited node, so ids stay unique
    while stack:
        node, ready = stack.pop()
        if id(node) in done:
            continue
        if isinstance(node, Lit):
            done[id(node)] = ({frozenset({(node.name, True)})}, {frozenset({(node.name, False)})})
            continue
        if isinstance(node, LevelTest):  # a level test over the option's internal bits
            binary = node.as_binary()
            keep.append(binary)
            done[id(node)] = (dnf(binary), dnf(binary, positive=False))
            continue
        kids = [node.arg] if isinstance(node, Not) else (
            [node.left, node.right] if isinstance(node, Binary) else [])
        if not kids:
            raise ValueError(f"cannot write statement {node} as GMCR+ conditions")
        if not ready:
            keep.append(node)
            stack.append((node, True))
            stack.extend((k, False) for k in kids)
            continue
        if isinstance(node, Not):
            pos, neg = done[id(node.arg)]
            done[id(node)] = (neg, pos)
            continue
        assert isinstance(node, Binary)
        (lp, ln), (rp, rn) = done[id(node.left)], done[id(node.right)]
        if node.op == "and":
            done[id(node)] = (_and(lp, rp), _or(ln, rn))
        elif node.op == "or":
            done[id(node)] = (_or(lp, rp), _and(ln, rn))
        elif node.op == "if":  # left if right == left or not right
            done[id(node)] = (_or(lp, rn), _and(ln, rp))
        elif node.op == "iff":
            done[id(node)] = (_or(_and(lp, rp), _and(ln, rn)), _or(_and(lp, rn), _and(ln, rp)))
        else:
            raise ValueError(f"cannot write statement {node} as GMCR+ conditions")
    pos, neg = done[id(expr)]
    return pos if positive else neg


# ----- writing ---------------------------------------------------------------------------
def _pairs(lits: Iterable[tuple[str, bool]], index: dict[str, int]) -> list[list[Any]]:
    return [[index[n], letter(v)] for n, v in sorted(lits, key=lambda x: index[x[0]])]


def _constraint_conditions(c: Conflict, con: Constraint) -> list[list[tuple[str, bool]]]:
    """The infeasible conditions (conjunctions) equivalent to a constraint."""
    if isinstance(con, InfeasiblePattern):
        # Read back through the model's own bit semantics, so the file says what it computes.
        care = want = 0
        for name, taken in con.conditions:
            care |= 1 << c.bits[name]
            want |= int(taken) << c.bits[name]
        return [[(o, bool(want >> c.bits[o] & 1)) for o in c.option_names
                 if care >> c.bits[o] & 1]]
    if isinstance(con, MutuallyExclusive):
        out: list[list[tuple[str, bool]]] = []
        for a, b in combinations(con.members, 2):
            cond = [(a, True)] if a == b else [(a, True), (b, True)]
            if cond not in out:
                out.append(cond)
        return out
    assert isinstance(con, AtLeastOne)
    return [[(m, False) for m in dict.fromkeys(con.members)]]


def _statement_conditions(
    pref: StatementPreference, index: dict[str, int]
) -> list[Any] | None:
    """GMCR+ preference conditions for statements, or None when one is too complex."""
    out: list[Any] = []
    for st in pref.statements:
        try:
            terms = dnf(st.expr)
        except _TooComplex:
            return None
        if not terms or frozenset() in terms:
            continue  # never / always true: no effect on the ranking
        conds = sorted(
            (_pairs(t, index) for t in terms), key=lambda p: [(i, v) for i, v in p]
        )
        out.append(conds[0] if len(conds) == 1 else {"compound": True, "members": conds})
    return out


def _pattern_pairs(c: Conflict, pattern: str, index: dict[str, int]) -> list[list[Any]]:
    """A Y/N/- pattern as a GMCR+ condition."""
    care, want = c.space.pattern_bits(pattern)
    return _pairs(((o, bool(want >> c.bits[o] & 1)) for o in c.option_names
                   if care >> c.bits[o] & 1), index)


def to_gmcr(c: Conflict) -> dict[str, Any]:
    """The GMCR+ JSON data of a model (plain dicts and lists)."""
    order = [name for dm in c.dms for name in dm.options]  # grouped by DM, as GMCR+ expects
    index = {name: k for k, name in enumerate(order)}
    by_name = {o.name: o for o in c.options}
    # State numbers in the file's option order.
    codes = np.zeros(c.n_states, dtype=np.int64)
    for name, k in index.items():
        codes |= ((c.feasible >> np.int64(c.bits[name])) & 1) << np.int64(k)
    number = np.empty(c.n_states, dtype=np.int64)
    number[np.argsort(codes, kind="stable")] = np.arange(1, c.n_states + 1)

    conditions = []
    for dm in c.dms:
        pref = dm.preference
        conditions.append(
            _statement_conditions(pref, index) if isinstance(pref, StatementPreference) else None
        )
    manual = any(x is None for x in conditions)

    dms: list[dict[str, Any]] = []
    for i, dm in enumerate(c.dms):
        d: dict[str, Any] = {
            "name": dm.name,
            "options": [index[o] for o in dm.options],
            "preferences": conditions[i] or [],
        }
        if manual:
            ranking = _ranking(c.ranks[i], number)
            d["preferenceRanking"] = ranking
            d["preferenceVector"] = ranking
        if dm.blind_spots:  # GMCR+ misperceptions: one condition per pattern
            d["misperceptions"] = [_pattern_pairs(c, p, index) for p in dm.blind_spots]
        dms.append(d)

    infeasibles = []
    for con in (*c.constraints, *ordering(c.levels)):  # levels: their bits kept in order
        for cond in _constraint_conditions(c, con):
            pairs = _pairs(cond, index)
            if pairs not in infeasibles:
                infeasibles.append(pairs)

    out: dict[str, Any] = {"name": c.name}
    if c.description:
        out["description"] = c.description
    out["options"] = [
        {"name": n, "permittedDirection": by_name[n].direction} for n in order
    ]
    out["decisionMakers"] = dms
    out["infeasibles"] = infeasibles
    out["useManualPreferenceRanking"] = manual
    out["useManualPreferenceVectors"] = manual
    out["coalitions"] = _coalition_partition(c)
    out["program"] = "detente"
    out["version"] = _version()
    return out


def _ranking(ranks: np.ndarray, number: np.ndarray) -> list[Any]:
    out: list[Any] = []
    for r in sorted(set(ranks.tolist()), reverse=True):
        tier = sorted(int(x) for x in number[ranks == r])
        out.append(tier[0] if len(tier) == 1 else tier)
    return out


def _kept_coalitions(c: Conflict) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The coalitions a partition can hold (in model order, each kept unless it shares a
    member with one kept before it), and those left out."""
    kept: list[tuple[str, ...]] = []
    dropped: list[tuple[str, ...]] = []
    taken: set[str] = set()
    for co in c.coalitions:
        if taken.isdisjoint(co):
            kept.append(co)
            taken.update(co)
        else:
            dropped.append(co)
    return kept, dropped


def _coalition_partition(c: Conflict) -> list[Any]:
    """The DM partition: the model's coalitions that do not overlap an earlier one, in order,
    then every other DM alone (:func:`omissions` names the coalitions left out)."""
    kept, _ = _kept_coalitions(c)
    member_of = {name for co in kept for name in co}
    out: list[Any] = [[c.dm_index(n) for n in co] for co in kept]
    out += [k for k, dm in enumerate(c.dms) if dm.name not in member_of]
    return out


def omissions(c: Conflict) -> list[str]:
    """What a .gmcr file of ``c`` cannot hold, one item each (empty when nothing is lost).

    >>> import detente
    >>> omissions(detente.load("examples/prisoners_dilemma.yaml"))[:3]
    ['the status quo (NN)', "the status quo's rationale", 'the sources (3)']
    """
    out: list[str] = []
    _, dropped = _kept_coalitions(c)
    for co in dropped:
        out.append(f"the coalition {' + '.join(co)} (it overlaps an earlier one; the file holds "
                   "one partition of the decision makers)")
    if c.status_quo is not None:
        out.append(f"the status quo ({c.state_string(c.status_quo)})")
    if c.status_quo_rationale:
        out.append("the status quo's rationale")
    if c.deal is not None:
        out.append(f"the deal ({c.deal.name})")
    if not c.mediation.empty:
        out.append("the mediation section (mediators, candidate statements, target)")
    if c.perceptions:
        out.append(f"the perceptions ({len(c.perceptions)}; GMCR+ holds blind spots only)")
    for lv in c.levels:
        kept = len(lv.ordering())
        out.append(f"the levels of {lv.name} ({', '.join(lv.levels)}): written exactly as the "
                   f"binary options {', '.join(lv.bit_names)}" + (
                       f" with {kept} infeasible condition(s) that keep exactly one level"
                       if kept else ""))
    uncertain = [dm.name for dm in c.dms if dm.readings]
    if uncertain:
        out.append(f"the uncertain preferences of {len(uncertain)} decision maker(s)")
    unknown = [dm.name for dm in c.dms if dm.unknown is not None]
    if unknown:
        out.append(f"the unknown preference pairs of {len(unknown)} decision maker(s)")
    strong = [dm.name for dm in c.dms if has_strength(dm.preference)]
    if strong:
        out.append(f"the strength of preference of {len(strong)} decision maker(s)")
    if c.sources:
        out.append(f"the sources ({len(c.sources)})")
    rationales = sum(
        1 for dm in c.dms if isinstance(dm.preference, StatementPreference)
        for st in dm.preference.statements if st.rationale
    )
    if rationales:
        out.append(f"the rationales of {rationales} preference statement(s)")
    described = [o.name for o in c.options if o.description]
    if described:
        out.append(f"the descriptions of {len(described)} option(s)")
    dm_described = [dm.name for dm in c.dms if dm.description]
    if dm_described:
        out.append(f"the descriptions of {len(dm_described)} decision maker(s)")
    if any(isinstance(dm.preference, StatementPreference) for dm in c.dms):
        out.append("the wording of the preference statements (written as conditions)")
    return out


def _version() -> str:
    try:
        return metadata.version("detente")
    except metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "unknown"


def _format(value: Any, indent: int = 0) -> str:
    """JSON with one line per option, DM field and condition: readable, not sprawling."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= 96 or not isinstance(value, dict | list):
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items: Sequence[str] = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_format(v, indent + 2)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _format(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def dumps_gmcr(conflict: Conflict) -> str:
    """GMCR+ JSON text of a model."""
    return _format(to_gmcr(conflict)) + "\n"


def dump_gmcr(conflict: Conflict, path: str | Path) -> None:
    """Write a model as a GMCR+ ``.gmcr`` file (atomically). What the format cannot hold is
    left out: :func:`omissions` lists it."""
    p = Path(path)
    try:
        text = dumps_gmcr(conflict)
    except ModelError as exc:
        raise exc.located(source=str(p)) from None
    write_atomic(p, text)


__all__ = ["dnf", "dump_gmcr", "dumps_gmcr", "omissions", "to_gmcr"]
