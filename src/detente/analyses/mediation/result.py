"""The result of :func:`detente.mediate`: plain data, its JSON shape and its wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detente.analyses.contract import ResultHeader, with_header
from detente.analyses.mediation.levers import Lever
from detente.analyses.mediation.requirements import Requirement
from detente.engine.registry import concept_label
from detente.model.mediation import Commitment


@dataclass(frozen=True)
class SolutionEdit:
    """One edit of a solution; positions 1-based in the DM's list at the time of the edit."""

    dm: str
    op: str  # "move" | "drop" | "add"
    statement: str
    source: int | None
    dest: int | None
    rationale: str

    def to_dict(self) -> dict[str, Any]:
        return {"dm": self.dm, "op": self.op, "statement": self.statement,
                "from": self.source, "to": self.dest, "rationale": self.rationale}

    def text(self) -> str:
        """In words, e.g. ``Israel: move "isr_new_demands" from 4 to 6``."""
        if self.op == "move":
            return f'{self.dm}: move "{self.statement}" from {self.source} to {self.dest}'
        if self.op == "drop":
            return f'{self.dm}: drop "{self.statement}" (at {self.source})'
        return f'{self.dm}: add "{self.statement}" at {self.dest}'


@dataclass(frozen=True)
class Solution:
    """A distinct minimal set of statement lists, one edit sequence reaching it, and the
    equilibria of the edited model (forward engine) under each requested concept."""

    edits: tuple[SolutionEdit, ...]
    target: str  # the target state that becomes an equilibrium
    equilibria: dict[str, list[str]]
    statements: dict[str, list[str]]  # new statement lists of the DMs that changed

    def to_dict(self) -> dict[str, Any]:
        return {"edits": [e.to_dict() for e in self.edits], "target_state": self.target,
                "equilibria": self.equilibria, "statements": self.statements}


@dataclass(frozen=True)
class CommitmentSolution:
    """A minimal set of declared commitments, the target state it makes an equilibrium, and
    the committed model's number of equilibria per concept (forward engine)."""

    commitments: tuple[Commitment, ...]
    target: str
    equilibria: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"commitments": [x.to_dict() for x in self.commitments],
                "target_state": self.target, "equilibria": dict(self.equilibria)}

    def text(self) -> str:
        return ", ".join(x.text() for x in self.commitments) or "no commitment"


@dataclass(frozen=True)
class CommitmentEdits:
    """One declared commitment combined with priority edits: the fewest edits (within
    ``max_edits``) that make the target an equilibrium once the commitment is made."""

    commitment: Commitment
    max_edits: int
    min_edits: int | None  # None: none within max_edits (or refused, see error)
    edits: tuple[SolutionEdit, ...]  # the first solution's edits
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"commitments": [self.commitment.to_dict()],
                               "max_edits": self.max_edits, "min_edits": self.min_edits,
                               "edits": [e.to_dict() for e in self.edits]}
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class CommitmentsResult:
    """The minimal sets of the model's declared commitments that make the target an
    equilibrium (``min`` 0: it already is; ``None``: no set does, or the search was
    ``refused``), and each commitment combined with priority edits (``with_edits``)."""

    declared: tuple[Commitment, ...]
    min: int | None
    solutions: tuple[CommitmentSolution, ...]
    tried: int  # commitment sets checked
    refused: str = ""
    with_edits: tuple[CommitmentEdits, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"min": self.min, "solutions": [s.to_dict() for s in self.solutions],
                "declared": [x.to_dict() | {"rationale": x.rationale} for x in self.declared],
                "tried": self.tried, "refused": self.refused or None,
                "with_edits": [w.to_dict() for w in self.with_edits]}

    def lines(self, what: str, concepts: str, base: int | None) -> list[str]:
        """The answer in sentences: the minimal sets (or why none), then each commitment
        that needs fewer priority edits than ``base`` (the fewest without commitments)."""
        if not self.declared:
            return ["The model declares no commitment devices (mediation: commitments:)."]
        if self.min == 0:
            out = [f"{what} needs no commitment: it is already an equilibrium under "
                   f"{concepts}."]
        elif self.refused:
            out = [f"Commitment devices not searched: {self.refused}."]
        elif self.min is None:
            n = len(self.declared)
            which = "The declared commitment" if n == 1 else f"No set of the {n} declared " \
                "commitments"
            verb = " does not make" if n == 1 else " makes"
            out = [f"{which}{verb} {what} an equilibrium under {concepts} as priorities stand "
                   f"({self.tried} set{'s' if self.tried != 1 else ''} tried)."]
        else:
            n = len(self.solutions)
            out = [f"The fewest commitments that make {what} an equilibrium under {concepts}, "
                   f"priorities unchanged: {self.min} ({n} set{'s' if n != 1 else ''})."]
            for sol in self.solutions:
                eq = "; ".join(f"{concept_label(k)}: {v}" for k, v in sol.equilibria.items())
                out.append(f"  {sol.text()} — makes {sol.target} an equilibrium "
                           f"(equilibria then — {eq})")
        for w in self.helpful_edits(base):
            edits = "; ".join(e.text() for e in w.edits) or "no edit"
            fewer = "" if base is None else f" instead of {base}"
            out.append(f"With {w.commitment.text()}: {w.min_edits} edit"
                       f"{'s' if w.min_edits != 1 else ''}{fewer} ({edits}).")
        out.extend(f"With {w.commitment.text()}: not searched ({w.error})."
                   for w in self.with_edits if w.error)
        return out

    def helpful_edits(self, base: int | None) -> list[CommitmentEdits]:
        """The commitments that need fewer edits than ``base`` (None: none found without)."""
        return [w for w in self.with_edits if w.min_edits is not None
                and (base is None or w.min_edits < base)]


@dataclass(frozen=True)
class MediationResult:
    """Requirements, minimal statement edits and mediator levers for one target."""

    model: str
    target: str  # as given
    targets: tuple[str, ...]  # matching feasible states
    concepts: tuple[str, ...]
    already_stable: bool
    min_edits: int | None  # None: no solution within max_edits
    max_edits: int
    solutions: tuple[Solution, ...]
    truncated: bool  # more minimal solutions exist than listed (--limit)
    requirements: tuple[Requirement, ...]
    levers: tuple[Lever, ...]
    mediators: tuple[str, ...]
    editable: tuple[str, ...]
    reachable: bool
    notes: tuple[str, ...]
    #: The declared commitment devices' answer (None: not asked, e.g. a model built for it).
    commitments: CommitmentsResult | None = None
    #: What was analysed and how (the header of :meth:`to_dict`).
    computed: ResultHeader | None = field(default=None, compare=False)

    def result_header(self) -> ResultHeader:
        """The result header (model, options, DMs, concepts, parameters)."""
        return self.computed or ResultHeader(
            self.model, (), (), self.concepts,
            {"target": self.target, "max_edits": self.max_edits,
             "reachable": self.reachable, "dms": list(self.editable)})

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``detente mediate --format json``."""
        return with_header(self.result_header(), {
            "target": self.target,
            "targets": list(self.targets),
            "already_stable": self.already_stable,
            "min_edits": self.min_edits,
            "max_edits": self.max_edits,
            "reachable": self.reachable,
            "solutions": [s.to_dict() for s in self.solutions],
            "truncated": self.truncated,
            "editable": list(self.editable),
            "requirements": [r.to_dict() for r in self.requirements],
            "mediators": list(self.mediators),
            "levers": [lv.to_dict() for lv in self.levers],
            "notes": list(self.notes),
            "commitments": None if self.commitments is None else self.commitments.to_dict(),
        })

    # ---- wording ----------------------------------------------------------------------------
    @property
    def concept_text(self) -> str:
        return " and ".join(concept_label(c) for c in self.concepts)

    def headline(self) -> str:
        """One sentence: the answer."""
        what = f"{self.target}" + (f" ({len(self.targets)} matching states)"
                                   if len(self.targets) > 1 else "")
        reach = " and reachable from the status quo" if self.reachable else ""
        if self.already_stable:
            return (f"{what} is already an equilibrium under {self.concept_text}{reach}: "
                    "no change of priorities is needed.")
        if self.min_edits is None:
            return (f"No change of at most {self.max_edits} edits to the parties' statements "
                    f"makes {what} an equilibrium under {self.concept_text}{reach}.")
        n = len(self.solutions)
        more = " (more exist: raise the limit)" if self.truncated else ""
        return (f"The fewest edits that make {what} an equilibrium under "
                f"{self.concept_text}{reach}: {self.min_edits}; {n} distinct "
                f"solution{'s' if n != 1 else ''} listed{more}.")

    @property
    def focus(self) -> str:
        """The matching state to explain: the first solution's, else the one with the fewest
        unmet requirements."""
        if self.solutions:
            return self.solutions[0].target
        counts = {t: 0 for t in self.targets}
        for r in self.requirements:
            counts[r.target] += not r.met
        return min(self.targets, key=lambda t: counts[t])

    def unmet(self, target: str | None = None) -> list[Requirement]:
        """Requirements not met now (at ``target`` only, when given)."""
        return [r for r in self.requirements
                if not r.met and (target is None or r.target == target)]

    def working_levers(self) -> list[Lever]:
        return [lv for lv in self.levers if lv.works]


__all__ = ["CommitmentEdits", "CommitmentSolution", "CommitmentsResult", "MediationResult",
           "Solution", "SolutionEdit"]
