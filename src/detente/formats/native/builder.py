"""Building a model from the native YAML file's validated data (:mod:`.reader`), with errors
that point at file, line and field; :func:`loads` and :func:`load` read and build.

>>> text = '''
... name: Toy
... decision_makers:
...   - name: A
...     options: [{name: a}]
...     preferences: {statements: [a]}
... '''
>>> loads(text).feasible.tolist()
[0, 1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from detente.formats.files import read_text
from detente.formats.native.negotiation import read_drafts, read_weights
from detente.formats.native.reader import Path_, _field_name, _line_of, read_spec
from detente.formats.native.unknown import read_unknown, refuse_unknown, refuse_unknown_statement
from detente.formats.spec import (
    DealSpec,
    DecisionMakerSpec,
    ModelSpec,
    PreferencesSpec,
    StatementGroupSpec,
    StatementSpec,
    StateRef,
)
from detente.model.conflict import (
    NAME_RE,
    Conflict,
    DecisionMaker,
    Option,
    _check_listed,
    check_text,
    enumerate_feasible,
    level_options,
)
from detente.model.deal import (
    Deal,
    DealError,
    Phase,
    Tranche,
    tranche_phases,
    validate_tranches,
)
from detente.model.errors import ModelError
from detente.model.feasibility import AtLeastOne, Constraint, InfeasiblePattern, MutuallyExclusive
from detente.model.labels import YES_NO, label_problem
from detente.model.levels import LEVEL_RE, LevelledOption, ordering
from detente.model.mediation import (
    Candidate,
    Commitment,
    MediationSection,
    check_commitments,
)
from detente.model.perceptions import Perception, PerceptionError
from detente.model.preferences import (
    PayoffPreference,
    Preference,
    RankingPreference,
    Statement,
    StatementPreference,
)
from detente.model.statements import KEYWORDS, level_table, parse_statement
from detente.model.states import StateSpace
from detente.model.states import code_text as code_text
from detente.model.strength import STRONG_MARK, strong_prefix
from detente.model.uncertainty import Reading


def load(path: str | Path) -> Conflict:
    """Load a native YAML model file."""
    return loads(read_text(path), source=str(path))


def loads(text: str, source: str = "<string>") -> Conflict:
    """Build a model from native YAML text."""
    spec, raw = read_spec(text, source)
    return build(spec, raw=raw, source=source)


class _Builder:
    def __init__(self, spec: ModelSpec, raw: Any, source: str) -> None:
        self.spec = spec
        self.raw = raw
        self.source = source
        self._feasible: np.ndarray | None = None
        self._space: StateSpace | None = None

    def error(self, exc: ModelError, path: Path_) -> ModelError:
        return exc.located(
            source=self.source, line=_line_of(self.raw, path), field=_field_name(path) or None
        )

    def build(self) -> Conflict:
        spec = self.spec
        self._check_levels()
        self._check_labels()
        self.levelled = {
            o.name: LevelledOption(o.name, dm.name, tuple(o.levels), o.direction, o.description,
                                   tuple((o.labels or {}).items()))
            for dm in spec.decision_makers for o in dm.options if o.levels is not None
        }
        self.options = tuple(
            opt
            for dm in spec.decision_makers
            for o in dm.options
            for opt in (level_options(self.levelled[o.name]) if o.levels is not None
                        else (Option(o.name, dm.name, o.direction, o.description,
                                     tuple((o.labels or {}).items())),))
        )
        self.names = tuple(o.name for o in self.options)
        self.user_names = tuple(o.name for dm in spec.decision_makers for o in dm.options)
        self.bits = {n: k for k, n in enumerate(self.names)}
        self.levels = level_table(
            self.names, {n: (lv.levels, lv.bit_names) for n, lv in self.levelled.items()})
        self._check_names()
        self.constraints = tuple(
            self._constraint(k) for k in range(len(spec.infeasible))
        )
        dms = tuple(self._dm(k) for k in range(len(spec.decision_makers)))
        status_quo = None
        if spec.status_quo is not None:
            status_quo = self._state(spec.status_quo, ("status_quo",))
        deal = None if spec.deal is None else self._deal(spec.deal, status_quo)
        try:
            conflict = Conflict(
                name=spec.name,
                options=self.options,
                dms=dms,
                constraints=self.constraints,
                status_quo=status_quo,
                status_quo_rationale=spec.status_quo_rationale,
                coalitions=tuple(tuple(c) for c in spec.coalitions),
                description=spec.description,
                sources=tuple(spec.sources),
                levels=tuple(self.levelled.values()),
                source_file=self.source,
                deal=deal,
                mediation=self._mediation(),
                perceptions=self._perceptions(),
                drafts=read_drafts(self),
            )
        except DealError as exc:
            raise self.error(exc, ("deal", *exc.where)) from None
        except PerceptionError as exc:
            raise self.error(exc, ("perceptions", exc.index, *exc.where)) from None
        except ModelError as exc:
            raise self.error(exc, self._guess_path(exc)) from None
        self._check_alternatives(conflict)
        return conflict

    def _mediation(self) -> MediationSection:
        spec = self.spec.mediation
        if spec is None:
            return MediationSection()
        dms = [d.name for d in self.spec.decision_makers]
        for k, name in enumerate(spec.mediators):
            if name not in dms:
                raise self.error(
                    ModelError(f"unknown decision maker {name!r}; expected one of: "
                               f"{', '.join(dms)}"),
                    ("mediation", "mediators", k),
                )
        out: list[Candidate] = []
        for dm, items in spec.candidates.items():
            path: Path_ = ("mediation", "candidates", dm)
            if dm not in dms:
                raise self.error(
                    ModelError(f"unknown decision maker {dm!r}; expected one of: "
                               f"{', '.join(dms)}"),
                    path,
                )
            for j, item in enumerate(items):
                refuse_unknown_statement(self, item, (*path, j), "a mediation candidate")
                st = item if isinstance(item, StatementSpec) else StatementSpec(statement=item)
                try:
                    expr = parse_statement(st.statement, set(self.names), self.levels)
                except ModelError as exc:
                    raise self.error(exc, (*path, j)) from None
                out.append(Candidate(dm, Statement(st.statement, expr, st.rationale)))
        target = None
        if spec.target is not None:
            self._states(spec.target, ("mediation", "target"))  # feasible, or a pattern
            target = str(spec.target)
        commitments = tuple(Commitment(x.option, x.make, x.rationale, x.option in self.levelled)
                            for x in spec.commitments)
        bad = check_commitments(commitments, self._pattern_space.column_directions)
        if bad is not None:
            k, where, problem = bad
            raise self.error(ModelError(problem), ("mediation", "commitments", k, where))
        return MediationSection(tuple(spec.mediators), tuple(out), target,
                                tuple(spec.concepts), commitments)

    def _blind_spots(self, k: int) -> tuple[str, ...]:
        """A DM's blind spots: patterns as states are written (read by the state space), kept
        in their written form."""
        out = []
        for j, pattern in enumerate(self.spec.decision_makers[k].blind_spots):
            space = self._pattern_space
            try:
                care, want = space.pattern_bits(pattern)
            except ModelError as exc:
                raise self.error(exc, ("decision_makers", k, "blind_spots", j)) from None
            if care == 0:
                raise self.error(ModelError(f"pattern {pattern!r} matches every state; expected "
                                            "at least one Y or N"),
                                 ("decision_makers", k, "blind_spots", j))
            out.append(space.pattern_text(care, want))
        return tuple(out)

    def _perceptions(self) -> tuple[Perception, ...]:
        """The perceptions, their preferences read like a DM's (names checked by the model)."""
        out = []
        for k, p in enumerate(self.spec.perceptions):
            pref = None
            if p.preferences is not None:
                refuse_unknown(self, p.preferences, ("perceptions", k, "preferences"),
                               "a perception")
                pref = self._preference(p.preferences, ("perceptions", k, "preferences"))
            out.append(Perception(p.perceiver, p.about, pref, tuple(p.unaware_of or ()),
                                  p.rationale))
        return tuple(out)

    def _guess_path(self, exc: ModelError) -> Path_:
        msg = exc.message
        for k, dm in enumerate(self.spec.decision_makers):
            for what in ("ranking", "payoffs"):
                if msg.startswith(f"decision maker {dm.name!r}: {what}"):
                    return ("decision_makers", k, "preferences", what)
            if f"decision maker {dm.name!r}" in msg:
                return ("decision_makers", k, "preferences")
        if msg.startswith("coalition"):
            return ("coalitions",)
        if msg.startswith("the infeasibility"):
            return ("infeasible",)
        if msg.startswith("status quo"):
            return ("status_quo",)
        return ()

    def _tranche_deal(self, spec: DealSpec, status_quo: int | None) -> Deal:
        """A deal given as tranches: its phases are the tranches in the order written."""
        assert spec.tranches is not None
        if status_quo is None:
            raise self.error(
                ModelError("tranches are taken cumulatively from the status quo, but the model "
                           "has no status_quo; add one or give the deal's `phases`"),
                ("deal", "tranches"),
            )
        tranches = tuple(
            Tranche(t.name, self._tranche_values(t.set, ("deal", "tranches", k, "set")),
                    tuple(t.after), t.rationale)
            for k, t in enumerate(spec.tranches)
        )
        self._tranche_owners(spec)
        deal = Deal(spec.name, (), spec.description, tuple(spec.guarantors), tranches)
        try:
            validate_tranches(self.names, status_quo, deal)  # before the states
        except DealError as exc:
            raise self.error(exc, ("deal", *exc.where)) from None
        phases = tranche_phases(self.names, status_quo, tranches)
        for k, ph in enumerate(phases):  # an infeasible state says which condition
            self._feasible_code(ph.state, ("deal", "tranches", k, "set"))
        return replace(deal, phases=phases)

    def _tranche_values(self, values: Mapping[str, str], path: Path_
                        ) -> tuple[tuple[str, bool], ...]:
        """A tranche's ``set`` (option → Y/N or level, read by the state space) as the value
        of every internal bit it fixes (a level fixes all the bits of its option)."""
        out: list[tuple[str, bool]] = []
        for name, value in values.items():
            try:
                care, want = self._pattern_space.assignment({name: value})
            except ModelError as exc:
                raise self.error(exc, (*path, name)) from None
            out.extend((n, bool(want >> b & 1)) for n, b in self.bits.items() if care >> b & 1)
        return tuple(out)

    def _tranche_owners(self, spec: DealSpec) -> None:
        """Each option (as written) set by one tranche only."""
        assert spec.tranches is not None
        owner: dict[str, str] = {}
        for k, t in enumerate(spec.tranches):
            for name in t.set:
                if name in owner:
                    raise self.error(ModelError(
                        f"option {name!r} is set by tranche {owner[name]!r} and again by "
                        f"tranche {t.name!r}; expected each option in one tranche"),
                        ("deal", "tranches", k, "set", name))
                owner[name] = t.name

    def _deal(self, spec: DealSpec, status_quo: int | None) -> Deal:
        """The deal section: phase states resolved (``set`` from the previous phase)."""
        if spec.tranches is not None:
            return self._tranche_deal(spec, status_quo)
        assert spec.phases is not None
        phases: list[Phase] = []
        previous = status_quo
        for k, ph in enumerate(spec.phases):
            path: Path_ = ("deal", "phases", k)
            if ph.state is not None:
                code = self._state(ph.state, (*path, "state"))
            else:
                assert ph.set is not None
                if previous is None:
                    raise self.error(
                        ModelError(
                            "the first phase gives `set`, which changes options from the status "
                            "quo, but the model has no status_quo; give the phase's full `state`"
                        ),
                        (*path, "set"),
                    )
                self._known(list(ph.set), (*path, "set"), by_name=True)
                code = previous
                for name, value in self._set_values(ph.set, (*path, "set")):
                    bit = 1 << self.bits[name]
                    code = code | bit if value else code & ~bit
                self._feasible_code(code, (*path, "set"))
            phases.append(Phase(ph.name, code, ph.rationale))
            previous = code
        return Deal(spec.name, tuple(phases), spec.description, tuple(spec.guarantors))

    def _check_names(self) -> None:
        seen: dict[str, Path_] = {}
        for k, dm in enumerate(self.spec.decision_makers):
            for j, o in enumerate(dm.options):
                path: Path_ = ("decision_makers", k, "options", j, "name")
                if not NAME_RE.fullmatch(o.name) or o.name in KEYWORDS:
                    raise self.error(
                        ModelError(
                            f"option name {o.name!r} is not valid; expected an identifier "
                            "(letters, digits and _, not starting with a digit) other than the "
                            f"keywords {', '.join(sorted(KEYWORDS))}"
                        ),
                        path,
                    )
                if o.name in seen:
                    raise self.error(
                        ModelError(
                            f"option {o.name!r} is declared twice (also at "
                            f"{_field_name(seen[o.name])}); an option is controlled by exactly "
                            "one decision maker and names must be unique"
                        ),
                        path,
                    )
                seen[o.name] = path
        dm_seen: set[str] = set()
        for k, dm in enumerate(self.spec.decision_makers):
            if not dm.name.strip():
                raise self.error(
                    ModelError("empty decision maker name; expected a name"),
                    ("decision_makers", k, "name"),
                )
            try:  # also refuses spaces around the name, so names compare as written
                check_text(dm.name, "decision maker name", name=True)
            except ModelError as exc:
                raise self.error(exc, ("decision_makers", k, "name")) from None
            if dm.name in dm_seen:
                raise self.error(
                    ModelError(f"duplicate decision maker name {dm.name!r}; expected unique "
                               "names"),
                    ("decision_makers", k, "name"),
                )
            dm_seen.add(dm.name)
        for k, coalition in enumerate(self.spec.coalitions):
            for j, name in enumerate(coalition):
                if name not in dm_seen:
                    raise self.error(
                        ModelError(
                            f"unknown decision maker {name!r}; expected one of: "
                            f"{', '.join(d.name for d in self.spec.decision_makers)}"
                        ),
                        ("coalitions", k, j),
                    )
            if len(coalition) < 2 or len(set(coalition)) != len(coalition):
                raise self.error(
                    ModelError(
                        f"coalition {list(coalition)} needs two or more distinct members"
                    ),
                    ("coalitions", k),
                )

    def _known(
        self, names: Sequence[str], path: Path_, *, by_name: bool = False
    ) -> tuple[str, ...]:
        for j, n in enumerate(names):
            where: Path_ = (*path, n) if by_name else (*path, j)
            if n in self.levelled and not by_name:
                raise self.error(ModelError(
                    f"option {n!r} has levels ({self.levelled[n].expected()}); this list takes "
                    f"yes/no options only: rule out levels with a pattern such as "
                    f"{{{n}: {self.levelled[n].levels[-1]}}}"), where)
            if n not in self.bits and not (by_name and n in self.levelled):
                raise self.error(
                    ModelError(
                        f"unknown option {n!r}; expected one of: "
                        f"{', '.join(self._offered(by_name))}"
                    ),
                    where,
                )
            if n in names[:j]:
                raise self.error(
                    ModelError(f"option {n!r} is listed twice; expected distinct options"), where
                )
        return tuple(names)

    def _offered(self, levelled: bool) -> tuple[str, ...]:
        """The option names a field takes: as written (levelled ones only where a value is
        given per option)."""
        return tuple(n for n in self.user_names if levelled or n not in self.levelled)

    def _check_labels(self) -> None:
        """Each option's labels name its values (Y/N, or its levels) with short texts."""
        for k, dm in enumerate(self.spec.decision_makers):
            for j, o in enumerate(dm.options):
                if o.labels is None:
                    continue
                path: Path_ = ("decision_makers", k, "options", j, "labels")
                problem = label_problem(o.labels, o.levels or YES_NO)
                if problem is not None:
                    key, why = problem
                    raise self.error(ModelError(f"option {o.name!r}: {why}"),
                                     path if key is None else (*path, key))

    def _check_levels(self) -> None:
        """Each level a valid, distinct name (the option's own checks come later)."""
        for k, dm in enumerate(self.spec.decision_makers):
            for j, o in enumerate(dm.options):
                if o.levels is None:
                    continue
                path: Path_ = ("decision_makers", k, "options", j, "levels")
                for m, level in enumerate(o.levels):
                    if not LEVEL_RE.fullmatch(level) or level in o.levels[:m]:
                        why = ("is listed twice; expected distinct levels"
                               if LEVEL_RE.fullmatch(level) else
                               "is not a valid level name; expected letters, digits and _")
                        raise self.error(ModelError(f"option {o.name!r}: level {level!r} {why}"),
                                         (*path, m))

    def _values(self, values: Mapping[str, str], path: Path_) -> tuple[tuple[str, bool], ...]:
        """Option → value (Y/N, a level name for a levelled option) as bit conditions that
        pin each value; a located error names what was expected."""
        out: list[tuple[str, bool]] = []
        for name, value in values.items():
            lv = self.levelled.get(name)
            try:
                if lv is not None:
                    out.extend(lv.pin(value))
                elif value in ("Y", "N"):
                    out.append((name, value == "Y"))
                else:
                    raise ModelError(f"option {name!r} must be 'Y' or 'N', got {value!r}")
            except ModelError as exc:
                raise self.error(exc, (*path, name)) from None
        return tuple(out)

    def _set_values(self, values: Mapping[str, str], path: Path_
                    ) -> tuple[tuple[str, bool], ...]:
        """Option → value as the value of every bit it sets (a level sets all its bits)."""
        out: list[tuple[str, bool]] = []
        for name, value in values.items():
            lv = self.levelled.get(name)
            if lv is None:
                out.extend(self._values({name: value}, path))
                continue
            try:
                out.extend(zip(lv.bit_names, lv.bits_of(value), strict=True))
            except ModelError as exc:
                raise self.error(exc, (*path, name)) from None
        return tuple(out)

    def _feasible_code(self, code: int, path: Path_) -> int:
        """``code`` if feasible, else a located error naming the condition that rules it out."""
        if not self.space.is_feasible(code):
            raise self.error(ModelError(
                f"state {self.space.text(code)} is not feasible{self._ruled_out_by(code)}"), path)
        return code

    def _constraint(self, k: int) -> Constraint:
        item = self.spec.infeasible[k]
        path: Path_ = ("infeasible", k)
        if item.mutually_exclusive is not None:
            members = self._known(item.mutually_exclusive, (*path, "mutually_exclusive"))
            return MutuallyExclusive(members, item.reason)
        if item.at_least_one is not None:
            members = self._known(item.at_least_one, (*path, "at_least_one"))
            return AtLeastOne(members, item.reason)
        pattern = item.pattern
        if isinstance(pattern, dict):
            self._known(list(pattern), (*path, "pattern"), by_name=True)
            conds = self._values(pattern, (*path, "pattern"))
        else:
            assert pattern is not None
            try:
                care, want = self._pattern_space.pattern_bits(pattern)
            except ModelError as exc:
                raise self.error(exc, (*path, "pattern")) from None
            conds = tuple(
                (n, bool(want >> b & 1)) for n, b in self.bits.items() if care >> b & 1
            )
        return InfeasiblePattern(conds, item.reason)

    @property
    def feasible(self) -> np.ndarray:
        if self._feasible is None:
            try:
                self._feasible = enumerate_feasible(
                    len(self.names), (*self.constraints, *ordering(tuple(self.levelled.values()))),
                    self.bits,
                    len(self.spec.decision_makers), self.source,
                )
            except ModelError as exc:
                raise self.error(exc, ("infeasible",)) from None
        return self._feasible

    @property
    def space(self) -> StateSpace:
        """The states, once the options and conditions are read."""
        if self._space is None:
            dirs = tuple(o.direction for o in self.options)
            self._space = StateSpace(self.names, dirs, self.feasible,
                                     tuple(self.levelled.values()))
        return self._space

    @property
    def _pattern_space(self) -> StateSpace:
        """Reads patterns before the feasible states are known (no state is looked up)."""
        dirs = tuple(o.direction for o in self.options)
        return StateSpace(self.names, dirs, np.zeros(1, dtype=np.int64),
                          tuple(self.levelled.values()))

    def _state(self, ref: StateRef | Mapping[str, str], path: Path_) -> int:
        space = self.space
        try:
            code = space.parse_code(ref)
        except ModelError as exc:
            raise self.error(exc, path) from None
        if not space.is_feasible(code):
            raise self.error(ModelError(
                f"state {space.text(code)} is not feasible{self._ruled_out_by(code)}"), path)
        return code

    def _ruled_out_by(self, code: int) -> str:
        """Which infeasibility condition rules a state out, for error messages."""
        for k, con in enumerate(self.constraints):
            if bool(con.infeasible(np.array([code], dtype=np.int64), self.bits)[0]):
                why = f": {con.reason}" if con.reason else ""
                return f" (ruled out by infeasible[{k}], {self._pattern_space.describe(con)}{why})"
        return ""  # pragma: no cover - a state is infeasible only through a condition

    def _states(self, ref: StateRef, path: Path_) -> list[int]:
        """A state or, for a pattern with '-', every feasible state it matches."""
        if isinstance(ref, str) and "-" in ref:
            try:
                return [int(x) for x in self.space.parse_many(ref)]
            except ModelError as exc:
                raise self.error(exc, path) from None
        return [self._state(ref, path)]

    def _dm(self, k: int) -> DecisionMaker:
        dm = self.spec.decision_makers[k]
        path: Path_ = ("decision_makers", k)
        main = self._reading("main", 1.0, "", dm.preferences, (*path, "preferences"))
        readings: tuple[Reading, ...] = ()
        if dm.alternatives or main.maybe or main.groups:
            alts = [
                self._reading(a.name, a.probability, a.rationale, a.preferences,
                              (*path, "alternatives", j, "preferences"))
                for j, a in enumerate(dm.alternatives)
            ]
            self._check_names_and_sum(dm, path)
            rest = max(0.0, 1.0 - sum(a.probability for a in alts))
            readings = (Reading("main", rest, main.preference, "", main.maybe, main.groups),
                        *alts)
        owned = tuple(b for o in dm.options
                      for b in (self.levelled[o.name].bit_names if o.levels else (o.name,)))
        return DecisionMaker(dm.name, owned, main.preference,
                             dm.description, readings, self._blind_spots(k),
                             weights=read_weights(self, k), unknown=read_unknown(self, k))

    def _check_names_and_sum(self, dm: DecisionMakerSpec, path: Path_) -> None:
        seen: set[str] = set()
        for j, a in enumerate(dm.alternatives):
            if a.name == "main" or a.name in seen:
                raise self.error(ModelError(
                    f"alternative name {a.name!r} is used twice or is the reserved name 'main'; "
                    "expected a unique name"), (*path, "alternatives", j, "name"))
            seen.add(a.name)
        total = sum(a.probability for a in dm.alternatives)
        if total > 1 + 1e-9:
            raise self.error(ModelError(
                f"the probabilities of {dm.name!r}'s alternatives sum to {total:g}; expected at "
                "most 1 (the main preferences keep 1 minus the sum)"), (*path, "alternatives"))

    def _check_alternatives(self, c: Conflict) -> None:
        """Alternatives given as rankings or payoffs must cover every feasible state once."""
        for k, dm in enumerate(c.dms):
            for j, r in enumerate(dm.readings[1:]):
                pref = r.preference
                path: Path_ = ("decision_makers", k, "alternatives", j, "preferences")
                try:
                    if isinstance(pref, RankingPreference):
                        listed = [code for tier in pref.tiers for code in tier]
                        _check_listed(c, dm.name, "ranking", listed, c.feasible, None)
                    elif isinstance(pref, PayoffPreference):
                        listed = [code for code, _ in pref.payoffs]
                        _check_listed(c, dm.name, "payoffs", listed, c.feasible, None)
                except ModelError as exc:
                    raise self.error(exc, path) from None

    def _reading(self, name: str, probability: float, rationale: str, spec: PreferencesSpec,
                 path: Path_) -> Reading:
        """A preference with the uncertainty inside its statement list (maybe, groups)."""
        pref = self._preference(spec, path)
        maybe: list[tuple[int, float]] = []
        groups: list[tuple[int, int]] = []
        pos = 0
        for j, item in enumerate(spec.statements or []):
            if isinstance(item, StatementGroupSpec):
                for m, member in enumerate(item.unknown_order):
                    if isinstance(member, StatementSpec) and member.probability is not None:
                        raise self.error(ModelError(
                            "a statement inside unknown_order cannot have its own probability; "
                            "expected a plain statement"),
                            (*path, "statements", j, "unknown_order", m, "probability"))
                groups.append((pos, len(item.unknown_order)))
                pos += len(item.unknown_order)
                continue
            if isinstance(item, StatementSpec) and item.probability is not None:
                maybe.append((pos, item.probability))
            pos += 1
        return Reading(name, probability, pref, rationale, tuple(maybe), tuple(groups))

    def _statement(self, item: str | StatementSpec, path: Path_) -> Statement:
        st = item if isinstance(item, StatementSpec) else StatementSpec(statement=item)
        try:
            expr = parse_statement(st.statement, set(self.names), self.levels)
        except ModelError as exc:
            raise self.error(exc, path) from None
        return Statement(st.statement, expr, st.rationale, st.strong)

    def _preference(self, spec: PreferencesSpec, path: Path_) -> Preference:
        if spec.statements is not None:
            out: list[Statement] = []
            for j, item in enumerate(spec.statements):
                p = (*path, "statements", j)
                if isinstance(item, StatementGroupSpec):
                    out.extend(self._statement(m, (*p, "unknown_order", k))
                               for k, m in enumerate(item.unknown_order))
                else:
                    out.append(self._statement(item, p))
            self._strong_first(out, spec, path)
            return StatementPreference(tuple(out))
        if spec.ranking is not None:
            tiers: list[tuple[int, ...]] = []
            breaks: list[int] = []
            placed: dict[int, Path_] = {}
            for j, entry in enumerate(spec.ranking):
                p = (*path, "ranking", j)
                if entry == STRONG_MARK:
                    self._strong_mark(spec.ranking, j, p)
                    breaks.append(len(tiers))
                    continue
                refs = entry if isinstance(entry, list) else [entry]
                if STRONG_MARK in refs:
                    raise self.error(ModelError(
                        f"{STRONG_MARK!r} inside a tie; expected it between two ranking entries"
                    ), (*p, refs.index(STRONG_MARK)))
                tier: list[int] = []
                for r in refs:
                    codes = self._states(r, p)
                    self._once(codes, r, p, placed)
                    tier.extend(codes)
                tiers.append(tuple(tier))
            return RankingPreference(tuple(tiers), tuple(breaks))
        assert spec.payoffs is not None
        pairs: list[tuple[int, float]] = []
        placed = {}
        for j, pay in enumerate(spec.payoffs):
            p = (*path, "payoffs", j, "state")
            codes = self._states(pay.state, p)
            self._once(codes, pay.state, p, placed)
            pairs.extend((code, pay.value) for code in codes)
        return PayoffPreference(tuple(pairs))

    def _strong_mark(self, ranking: Sequence[object], j: int, path: Path_) -> None:
        """A ``>>`` mark stands between two states of the ranking (not first, last or doubled)."""
        if j == 0 or j == len(ranking) - 1 or ranking[j - 1] == STRONG_MARK:
            raise self.error(ModelError(
                f"{STRONG_MARK!r} must stand between two ranking entries (states strongly "
                "preferred above it, the rest below); found it first, last or twice in a row"),
                path)

    def _strong_first(self, statements: list[Statement], spec: PreferencesSpec,
                      path: Path_) -> None:
        """Statements marked strong lead the list (model/strength.py)."""
        try:
            strong_prefix(tuple(statements))
        except ModelError as exc:
            late = next(k for k, st in enumerate(statements) if st.strong and k > 0
                        and not statements[k - 1].strong)
            j = _item_of(spec, late)
            raise self.error(exc, (*path, "statements", *j, "strong")) from None

    def _once(self, codes: list[int], ref: StateRef, path: Path_, placed: dict[int, Path_]
              ) -> None:
        """Refuse a state given a second time (directly or through a '-' pattern)."""
        for code in codes:
            if code in placed:
                text = code_text(code, len(self.names))
                via = f"pattern {ref!r} includes state {text}, which" if text != str(ref) else (
                    f"state {text}")
                raise self.error(
                    ModelError(
                        f"{via} is already given at {_field_name(placed[code])}; expected each "
                        "feasible state exactly once"
                    ),
                    path,
                )
            placed[code] = path


def _item_of(spec: PreferencesSpec, k: int) -> tuple[int | str, ...]:
    """Where the k-th statement of the flattened list stands in ``spec.statements``."""
    for j, item in enumerate(spec.statements or []):
        size = len(item.unknown_order) if isinstance(item, StatementGroupSpec) else 1
        if k < size:
            return (j, "unknown_order", k) if isinstance(item, StatementGroupSpec) else (j,)
        k -= size
    return ()


def build(spec: ModelSpec, raw: Any = None, source: str = "<model>") -> Conflict:
    """Build a Conflict from a validated spec; ``raw`` (ruamel data) gives line numbers."""
    return _Builder(spec, raw if raw is not None else {}, source).build()


__all__ = ["build", "code_text", "load", "loads"]
