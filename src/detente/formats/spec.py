"""The native model file, as pydantic models: validation and the published JSON Schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

StateRef = str | int
"""A state: a Y/N string with one letter per option in file order (``-`` = either, where a
pattern is allowed), or a 1-based state number (feasible states in increasing code order)."""


#: An option's value in a mapping: Y or N, or a level name for an option with ``levels``.
OptionValue = str


class _Strict(BaseModel):
    # defer_build: a class builds its validator when first used (ModelSpec's takes in the
    # nested classes' schemas once), not each one at import (benchmarks/bench_startup.py)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class OptionSpec(_Strict):
    name: str = Field(
        description="Identifier: letters, digits and _ (not starting with a digit), unique in the "
        "model; not one of the keywords not, and, or, if, iff.",
        json_schema_extra={"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    )
    description: str = ""
    direction: Literal["both", "fwd", "back"] = Field(
        "both",
        description="both: reversible; fwd: may be taken but never undone (N→Y only); "
        "back: may be dropped but never retaken (Y→N only). With levels: fwd, levels only "
        "rise; back, they only fall.",
    )
    levels: list[str] | None = Field(
        None, min_length=2,
        description="Ordered levels, lowest first (letters, digits and _): the option takes "
        "exactly one in every state; statements test it with 'is' or a comparison "
        "('x is reduced', 'x >= reduced'); states give it a level name.",
    )
    labels: dict[str, str] | None = Field(
        None,
        description="Short labels of its values, shown when a state is read in words: Y and/or "
        "N (with levels: level names) → a short phrase, e.g. {Y: Israel accepts, N: Israel "
        "refuses}. Unlabelled: a taken option reads as its name, an untaken one is left out.",
    )


class StatementSpec(_Strict):
    statement: str = Field(description="A statement over option names: not, and, or, if, iff.")
    rationale: str = ""
    probability: float | None = Field(
        None, gt=0, le=1,
        description="Robustness: the statement holds only with this probability (0 < p <= 1); "
        "otherwise it is left out of the list. Other analyses keep it.",
    )
    strong: bool = Field(
        False,
        description="Strength of preference: states that differ first on this statement are "
        "strongly (not mildly) preferred, for the strong_* and weak_* concepts; the strong "
        "statements come first in the list (docs/concepts-extended.md).",
    )
    unknown: bool = Field(
        False,
        description="Unknown preferences: whether the decision maker wants this statement to "
        "hold is unknown; two states that differ first on it are left unordered, for the "
        "nash_a ... seq_d concepts (docs/concepts-extended.md). Other analyses keep it.",
    )


class StatementGroupSpec(_Strict):
    """Robustness: statements whose relative order is unknown (every order equally likely)."""

    unknown_order: list[str | StatementSpec] = Field(
        min_length=2,
        description="Two or more statements, in the order other analyses use; robustness "
        "treats every order of them as equally likely.",
    )
    rationale: str = ""


class PayoffSpec(_Strict):
    state: StateRef
    value: float


def _exactly_one_of(*names: str) -> dict[str, Any]:
    """JSON Schema: exactly one of ``names`` is present (and not null)."""
    return {
        "oneOf": [
            {"required": [n], "properties": {n: {"not": {"type": "null"}}}} for n in names
        ]
    }


class PreferencesSpec(_Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True,
        json_schema_extra=_exactly_one_of("statements", "ranking", "payoffs"),
    )
    statements: list[str | StatementSpec | StatementGroupSpec] | None = Field(
        None, description="Prioritised option statements, most important first."
    )
    ranking: list[StateRef | list[StateRef]] | None = Field(
        None,
        description="States from most to least preferred; a list or a pattern with '-' is a tie. "
        "A '>>' between two entries marks strength of preference: every state above it is "
        "strongly preferred to every state below it (docs/concepts-extended.md).",
    )
    payoffs: list[PayoffSpec] | None = Field(None, description="A number per feasible state.")
    unknown: list[list[StateRef]] | None = Field(
        None,
        description="Unknown preferences: groups of states (a pattern with '-' stands for the "
        "states it matches) every two of which the decision maker cannot compare, for the "
        "nash_a ... seq_d concepts (docs/concepts-extended.md); other analyses use the "
        "preferences as given.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> PreferencesSpec:
        given = [k for k in ("statements", "ranking", "payoffs") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of statements, ranking or payoffs"
                + (f" (found {', '.join(given)})" if given else "")
            )
        return self


class AlternativeSpec(_Strict):
    """Robustness: another complete reading of a DM's preferences, with its probability."""

    name: str = Field(min_length=1)
    probability: float = Field(gt=0, le=1, description="0 < p <= 1; the alternatives of a DM "
                               "sum to at most 1, the main preferences keep the rest.")
    rationale: str = ""
    preferences: PreferencesSpec


class DecisionMakerSpec(_Strict):
    name: str
    description: str = ""
    options: list[OptionSpec] = Field(min_length=1)
    preferences: PreferencesSpec
    alternatives: list[AlternativeSpec] = Field(
        default_factory=list,
        description="Robustness: other readings of the preferences, each with a probability; "
        "the main preferences keep 1 minus their sum. Other analyses use the main ones.",
    )
    blind_spots: list[str] = Field(
        default_factory=list,
        description="GMCR+ misperceptions: Y/N/- patterns of states this decision maker "
        "misperceives; it can neither move to nor from them (docs/hypergames.md).",
    )
    weights: dict[str, float | LevelPoints] | None = Field(
        None,
        description="Packages: points per option (option → points when it is taken; for an "
        "option with levels, level → points), as "
        "Inspire and Adjusted Winner score a package; the cardinal utility of Nash bargaining "
        "and Kalai–Smorodinsky (docs/packages.md). Other analyses ignore them.",
    )


class LevelPoints(RootModel[dict[str, float]]):
    """Weights of an option with levels: level → points (levels not listed count 0)."""

    model_config = ConfigDict(frozen=True, strict=True, defer_build=True)


class DraftSpec(_Strict):
    """Drafts: one text of a single negotiating text (``detente drafts``)."""

    name: str = Field(min_length=1)
    state: StateRef | dict[str, OptionValue] = Field(
        description="The draft: a state (Y/N string, number or option → Y/N map) or a Y/N/- "
        "pattern (every feasible state it matches)."
    )
    rationale: str = ""


class InfeasibleSpec(_Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True,
        json_schema_extra=_exactly_one_of("pattern", "mutually_exclusive", "at_least_one"),
    )
    pattern: str | dict[str, OptionValue] | None = Field(
        None,
        description="States matching it are infeasible: a Y/N/- string in option order, or a "
        "mapping option → Y/N or level (other options either).",
    )
    mutually_exclusive: list[str] | None = Field(None, description="At most one may be taken.")
    at_least_one: list[str] | None = Field(None, description="At least one must be taken.")
    reason: str = ""

    @model_validator(mode="after")
    def _exactly_one(self) -> InfeasibleSpec:
        given = [
            k for k in ("pattern", "mutually_exclusive", "at_least_one")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one of pattern, mutually_exclusive or at_least_one")
        return self


class PhaseSpec(_Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra=_exactly_one_of("state", "set"),
    )
    name: str
    rationale: str = ""
    state: StateRef | dict[str, OptionValue] | None = Field(
        None,
        description="The phase's full state (Y/N string, number or option → Y/N or level map).",
    )
    set: dict[str, OptionValue] | None = Field(
        None,
        description="Options that change from the previous phase (the first phase: from the "
        "status quo), option → Y/N or level.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> PhaseSpec:
        if (self.state is None) == (self.set is None):
            raise ValueError("give exactly one of state or set")
        return self


class TrancheSpec(_Strict):
    """Tranche design: a named set of option values; the order of tranches is open."""

    name: str
    rationale: str = ""
    set: dict[str, OptionValue] = Field(
        min_length=1, description="Options this tranche sets, option → Y/N or level (each "
        "option in one tranche only).",
    )
    after: list[str] = Field(
        default_factory=list, description="Names of tranches that must come before this one."
    )


class DealSpec(_Strict):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True,
        json_schema_extra=_exactly_one_of("phases", "tranches"),
    )
    name: str
    description: str = ""
    phases: list[PhaseSpec] | None = Field(
        None, min_length=1, description="The phases, in order (or give tranches)."
    )
    tranches: list[TrancheSpec] | None = Field(
        None, min_length=1,
        description="Instead of phases: named sets of option values, taken cumulatively from "
        "the status quo in the order written (detente deal --design tries every order that "
        "`after` allows).",
    )
    guarantors: list[str] = Field(
        default_factory=list,
        description="Options held by third parties that could back the deal; every setting "
        "of them is tried, fewest guarantees first.",
    )

    @model_validator(mode="after")
    def _phases_or_tranches(self) -> DealSpec:
        if (self.phases is None) == (self.tranches is None):
            raise ValueError("give exactly one of phases or tranches")
        return self


class CommitmentSpec(_Strict):
    """A commitment device: a reversible option made one-way (``detente mediate``)."""

    option: str = Field(description="A reversible option (direction both).")
    make: Literal["fwd", "back"] = Field(
        description="fwd: it may afterwards only be taken (N→Y), e.g. a guarantee that cannot "
        "be withdrawn; back: only dropped (Y→N), e.g. an offensive that cannot be resumed.",
    )
    rationale: str = ""


class MediationSpec(_Strict):
    """Mediation design (``detente mediate``): who the mediators are, what they might obtain."""

    mediators: list[str] = Field(
        default_factory=list,
        description="Decision makers acting as mediators: their options are the mediators' "
        "own levers.",
    )
    candidates: dict[str, list[str | StatementSpec]] = Field(
        default_factory=dict,
        description="Per decision maker, statements a mediator could plausibly get it to "
        "adopt (concessions), each with a rationale; mediation may insert them into its "
        "prioritised statements.",
    )
    target: StateRef | None = Field(
        None,
        description="The deal the report asks about (section 'What would make the deal "
        "hold'): a state or a Y/N/- pattern.",
    )
    concepts: list[str] = Field(
        default_factory=list,
        description="Solution concepts the report asks about, each answered on its own "
        "(default: nash and seq).",
    )
    commitments: list[CommitmentSpec] = Field(
        default_factory=list,
        description="Commitment devices a mediator could arrange: each makes a reversible "
        "option one-way; mediation lists the fewest that make the target an equilibrium, "
        "and the deal analysis tries them as repairs.",
    )


class PerceptionSpec(_Strict):
    """Hypergames: what ``perceiver`` believes about another decision maker's preferences
    (``about`` with ``preferences``), or options of others it does not know exist."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra=_exactly_one_of("about", "unaware_of"),
    )
    perceiver: str = Field(description="The decision maker who holds this perception.")
    about: str | None = Field(
        None, description="Another decision maker, whose preferences the perceiver misreads.")
    preferences: PreferencesSpec | None = Field(
        None, description="With about: the preferences the perceiver attributes to it.")
    unaware_of: list[str] | None = Field(
        None, min_length=1,
        description="Options of other decision makers the perceiver does not know exist.")
    rationale: str = ""

    @model_validator(mode="after")
    def _exactly_one(self) -> PerceptionSpec:
        if (self.about is None) == (self.unaware_of is None):
            raise ValueError("give exactly one of about (with preferences) or unaware_of")
        if (self.about is None) != (self.preferences is None):
            raise ValueError("preferences go with about (the preferences the perceiver "
                             "attributes to that decision maker), and about needs them")
        return self


class ModelSpec(_Strict):
    """A detente model file."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, title="detente model",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )
    detente: Literal[1] = Field(1, description="Format version.")
    name: str
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    decision_makers: list[DecisionMakerSpec] = Field(min_length=1)
    infeasible: list[InfeasibleSpec] = Field(default_factory=list)
    status_quo: StateRef | dict[str, OptionValue] | None = None
    status_quo_rationale: str = ""
    coalitions: list[list[str]] = Field(
        default_factory=list, description="Coalitions to analyse (lists of DM names)."
    )
    deal: DealSpec | None = Field(None, description="A phased deal to analyse (detente deal).")
    mediation: MediationSpec | None = None
    drafts: list[DraftSpec] = Field(
        default_factory=list,
        description="The mediator's successive drafts of a single negotiating text, in order "
        "(detente drafts, docs/packages.md).",
    )
    perceptions: list[PerceptionSpec] = Field(
        default_factory=list,
        description="Hypergames: how decision makers misperceive one another "
        "(detente hypergame, docs/hypergames.md).",
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the native model file."""
    return ModelSpec.model_json_schema()
