"""The data of a coalition analysis: coalitions, the result and its views.

See :mod:`detente.analyses.coalitions.analysis` for the definitions and the search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from detente.analyses.coalitions.output import DEFINITIONS, SizeEstimate, result_header
from detente.analyses.coalitions.output import estimate as _estimate
from detente.analyses.coalitions.output import to_dict as _to_dict
from detente.analyses.contract import ResultHeader
from detente.analyses.moves import JointMove, joint_move
from detente.analyses.moves import option_changes as _option_changes
from detente.analyses.stability.views import EquilibriumViews
from detente.engine.registry import COALITION_NAMES, parse_coalition_concepts
from detente.engine.single import MoveIndex, Parents, path_to
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ModelError

Coalition = tuple[str, ...]
Step = tuple[str, int, int]  # (mover, from code, to code)


def dm_position(model: Conflict, name: str) -> int:
    """The index of the DM called ``name``: the exact name, else the one DM whose name equals
    it once surrounding spaces are ignored on both sides (so ``' A '`` in the model and ``A``
    on the command line, or the reverse, name the same DM); anything else is refused.

    The one lookup of coalition members, wherever their names come from (model file, command
    line, web query), so that no path strips where another does not.
    """
    names = model.dm_names
    if name in names:
        return names.index(name)
    loose = [i for i, dm in enumerate(names) if dm.strip() == name.strip()]
    if len(loose) == 1:
        return loose[0]
    raise ModelError(
        f"unknown decision maker {name!r}; expected one of: "
        + ", ".join(repr(dm) if dm != dm.strip() or not dm else dm for dm in names)
    )


def parse_coalitions(model: Conflict, coalitions: Iterable[Iterable[str]]) -> tuple[Coalition, ...]:
    """Validate coalitions: known DMs (see :func:`dm_position`), two or more distinct members;
    members as the model spells them, in model order."""
    out: list[Coalition] = []
    for raw in coalitions:
        names = list(raw)
        idx = sorted({dm_position(model, n) for n in names})
        if len(idx) < 2 or len(idx) != len(names):
            raise AnalysisError(
                f"coalition {', '.join(names) or '(empty)'} needs two or more distinct decision "
                f"makers; expected names from: {', '.join(model.dm_names)}"
            )
        key = tuple(model.dm_names[i] for i in idx)
        if key not in out:
            out.append(key)
    return tuple(out)


@dataclass(frozen=True)
class CoalitionResult(EquilibriumViews):
    """Coalitional improvements and coalition stability (see the module docstring).

    ``against[concept][H]`` is (members of H, states) bool: stable for that member against H's
    coalitional improvements. ``stable[concept]`` is (DMs, states) bool: coalition stability for
    each DM (against every analysed coalition containing it, and against itself alone).
    """

    conflict: Conflict
    coalitions: tuple[Coalition, ...]
    concepts: tuple[str, ...]
    n_improvements: np.ndarray  # (coalitions, states) int64: |R_H⁺⁺(s)|
    against: dict[str, dict[Coalition, np.ndarray]]
    stable: dict[str, np.ndarray]
    moves: MoveIndex = field(repr=False, compare=False)

    # ---- queries ----------------------------------------------------------------------------
    def _coalition(self, coalition: Iterable[str]) -> Coalition:
        key = parse_coalitions(self.conflict, [list(coalition)])[0]
        if key not in self.coalitions:
            raise AnalysisError(
                f"coalition {' + '.join(key)} was not analysed; analysed: "
                + ("; ".join(" + ".join(h) for h in self.coalitions) or "none")
            )
        return key

    def _concept(self, concept: str) -> str:
        key = parse_coalition_concepts([concept])[0]
        if key not in self.stable:
            raise AnalysisError(
                f"coalition concept {concept!r} was not analysed; analysed: "
                + ", ".join(self.stable)
            )
        return key

    def stability(self, concept: str) -> np.ndarray:
        """(DMs, states) bool: coalition stability under ``concept`` ('gmr' or 'CGMR')."""
        return self.stable[self._concept(concept)]

    def improvement_moves(self, coalition: Iterable[str], state: int | str) -> list[JointMove]:
        """R_H⁺⁺ of a state (a Y/N string or 1-based state number), each with a shortest legal
        sequence of member moves."""
        key = self._coalition(coalition)
        c = self.conflict
        s = int(c.index_of(c.parse_state(state))[0])
        members = [c.dm_index(n) for n in key]
        reached = self.moves.coalition_reach(members, s)
        return [
            joint_move(c, key, int(c.feasible[s]), int(c.feasible[t]), _steps(c, reached, t))
            for t in self.moves.improving_among(members, s, reached)
        ]

    def improvements(self, coalition: Iterable[str], state: int | str) -> list[dict[str, Any]]:
        """:meth:`improvement_moves` as plain data (the JSON of ``detente coalitions``)."""
        return [m.to_dict() for m in self.improvement_moves(coalition, state)]

    def improvement_numbers(self, coalition: Iterable[str], state: int | str) -> list[int]:
        """State numbers of R_H⁺⁺(state)."""
        return [m.target.number for m in self.improvement_moves(coalition, state)]

    def stable_against(self, concept: str, coalition: Iterable[str]) -> np.ndarray:
        """(members, states) bool: stable for each member against the coalition's moves."""
        return self.against[self._concept(concept)][self._coalition(coalition)]

    # ---- views ------------------------------------------------------------------------------
    def to_dict(self, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
        """Plain data (the JSON of ``detente coalitions``): per coalition its improvements
        (state numbers, movers by index in ``dms``) and, per concept, the states stable for
        each member; per concept the equilibria and the states stable for each DM; the Y/N
        strings of the states the improvements pass through. ``offset``/``limit``: only the
        source states ``offset + 1`` .. ``offset + limit`` (a page). The shape, and streaming
        it: :mod:`detente.analyses.coalitions.output`."""
        return _to_dict(self, offset, limit)

    def result_header(self) -> ResultHeader:
        """What was analysed and how: the concepts and the coalitions."""
        return result_header(self)

    def estimate(self, offset: int = 0, limit: int | None = None) -> SizeEstimate:
        """The size of :meth:`to_dict`'s answer for a page, before any of it is built."""
        return _estimate(self, offset, limit)

    def frame(self) -> pd.DataFrame:
        """One row per state: Y/N string, number of coalitional improvements per coalition, and
        a column per concept that is True at coalition equilibria."""
        c = self.conflict
        data: dict[str, Any] = {"state": [c.state_string(int(x)) for x in c.feasible]}
        for h, key in enumerate(self.coalitions):
            data["improvements " + "+".join(key)] = self.n_improvements[h]
        for concept in self.concepts:
            data[COALITION_NAMES[concept]] = self.equilibrium_mask(concept)
        return pd.DataFrame(data, index=pd.RangeIndex(1, c.n_states + 1, name="number"))

    def improvements_frame(self) -> pd.DataFrame:
        """One row per coalitional improvement: coalition, from, to, the member moves."""
        rows = []
        for h, key in enumerate(self.coalitions):
            for s in np.flatnonzero(self.n_improvements[h]):
                for m in self.improvement_moves(key, int(s) + 1):
                    rows.append({
                        "coalition": "+".join(key),
                        "from": m.source.number, "from state": m.source.state,
                        "to": m.target.number, "to state": m.target.state,
                        "moves": " then ".join(
                            f"{st.dm} {st.source.number}→{st.target.number}" for st in m.steps
                        ),
                    })
        return pd.DataFrame(
            rows, columns=["coalition", "from", "from state", "to", "to state", "moves"]
        )


def _steps(c: Conflict, reached: Parents, t: int) -> list[Step]:
    """The member moves (mover name, from code, to code) of the search path to position t."""
    feasible = c.feasible
    return [(c.dm_names[j], int(feasible[a]), int(feasible[b])) for j, a, b in path_to(reached, t)]


def option_changes(c: Conflict, source: int, target: int) -> list[dict[str, str]]:
    """The options that differ between two state codes as plain data (option, dm, from, to);
    the typed form is :func:`detente.analyses.moves.option_changes`."""
    return [ch.to_dict() for ch in _option_changes(c, source, target)]


def move_data(
    c: Conflict, by: Coalition, source: int, target: int, steps: list[Step]
) -> dict[str, Any]:
    """A joint move between two codes as plain data (= ``joint_move(...).to_dict()``)."""
    return joint_move(c, by, source, target, steps).to_dict()


__all__ = ["DEFINITIONS", "Coalition", "CoalitionResult", "Step", "dm_position", "move_data",
           "option_changes", "parse_coalitions"]
