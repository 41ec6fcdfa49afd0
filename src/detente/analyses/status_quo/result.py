"""The result of status-quo analysis: the evolution graph from a start state and where it leads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from detente.analyses.coalitions.result import Coalition, Step
from detente.analyses.contract import ResultHeader, header, with_header
from detente.analyses.moves import JointMove, joint_move
from detente.engine.registry import concept_label
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError


@dataclass(frozen=True)
class Edge:
    """One improvement: a DM's UI (``by`` has one name) or a coalition's joint move."""

    by: Coalition
    source: int  # state code
    target: int  # state code
    steps: tuple[Step, ...]  # (mover, from code, to code); one step for a UI

    @property
    def coalitional(self) -> bool:
        return len(self.by) > 1


@dataclass(frozen=True)
class EvolutionResult:
    """The evolution graph from ``start`` and where it leads (see the module docstring)."""

    conflict: Conflict
    start: int  # code
    coalitions: tuple[Coalition, ...]
    states: tuple[int, ...]  # reachable codes, breadth-first order (start first)
    edges: tuple[Edge, ...]
    parent: dict[int, int]  # code -> index into edges of its shortest-path edge
    equilibria: dict[str, tuple[int, ...]]  # concept -> all equilibrium codes of the model

    # ---- queries ----------------------------------------------------------------------------
    def _code(self, state: int | str) -> int:
        return self.conflict.parse_state(state)

    def is_reachable(self, state: int | str) -> bool:
        """Whether the state (Y/N string or 1-based number) is reachable from the start."""
        code = self._code(state)
        return code in self.parent or code == self.start

    def final_codes(self) -> list[int]:
        """Codes of the reachable states with no outgoing improvement, in state-number
        order."""
        has_out = {e.source for e in self.edges}
        return sorted(s for s in self.states if s not in has_out)

    def final_states(self) -> list[int]:
        """= :meth:`final_codes` (codes, despite the name; kept for callers)."""
        return self.final_codes()

    def final_numbers(self) -> list[int]:
        return [self.conflict.state_number(s) for s in self.final_codes()]

    def reachable_numbers(self) -> list[int]:
        return sorted(self.conflict.state_number(s) for s in self.states)

    def path_edges(self, state: int | str) -> list[Edge]:
        """A shortest sequence of improvements from the start to ``state`` (empty for the start;
        raises if it is not reachable)."""
        return self._edges_to(self._code(state))

    def _edges_to(self, code: int) -> list[Edge]:
        if code == self.start:
            return []
        if code not in self.parent:
            c = self.conflict
            raise AnalysisError(
                f"state {c.state_number(code)} ({c.state_string(code)}) is not reachable from "
                f"state {c.state_number(self.start)} ({c.state_string(self.start)})"
            )
        out: list[Edge] = []
        while code != self.start:
            edge = self.edges[self.parent[code]]
            out.append(edge)
            code = edge.source
        return out[::-1]

    def path(self, state: int | str) -> list[dict[str, Any]]:
        """:meth:`path_edges` as plain data: who moves, from/to (number, Y/N), option changes."""
        return [self._edge_data(e) for e in self.path_edges(state)]

    def moves_to(self, code: int) -> list[dict[str, Any]]:
        """Like :meth:`path`, for a state *code* (as in :attr:`states`)."""
        return [self._edge_data(e) for e in self._edges_to(code)]

    def path_numbers(self, state: int | str) -> list[int]:
        """State numbers along the shortest path, start included."""
        c = self.conflict
        return [c.state_number(self.start)] + [
            c.state_number(e.target) for e in self.path_edges(state)
        ]

    def reachable_equilibria(self, concept: str) -> list[int]:
        """State numbers of the ``concept`` equilibria reachable from the start."""
        reach = set(self.states)
        return [self.conflict.state_number(s) for s in self._eq(concept) if s in reach]

    def unreachable_equilibria(self, concept: str) -> list[int]:
        """State numbers of the ``concept`` equilibria not reachable from the start."""
        reach = set(self.states)
        return [self.conflict.state_number(s) for s in self._eq(concept) if s not in reach]

    def _eq(self, concept: str) -> tuple[int, ...]:
        if concept not in self.equilibria:
            raise AnalysisError(
                f"concept {concept!r} was not analysed; analysed: {', '.join(self.equilibria)}"
            )
        return self.equilibria[concept]

    def edge_move(self, e: Edge) -> JointMove:
        """An edge as a typed move (states, option changes, member steps)."""
        return joint_move(self.conflict, e.by, e.source, e.target, e.steps)

    def path_moves(self, state: int | str) -> list[JointMove]:
        """:meth:`path_edges` as typed moves."""
        return [self.edge_move(e) for e in self.path_edges(state)]

    def _edge_data(self, e: Edge) -> dict[str, Any]:
        return self.edge_move(e).to_dict()

    # ---- views ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data: start, reachable states, edges, final states with paths, equilibria."""
        c = self.conflict

        def st(code: int) -> dict[str, Any]:
            return {"number": c.state_number(code), "state": c.state_string(code)}

        return with_header(self.result_header(), {
            "dms": list(c.dm_names),
            "start": st(self.start),
            "coalitions": [list(h) for h in self.coalitions],
            "reachable": [st(s) for s in sorted(self.states)],
            "edges": [self._edge_data(e) for e in self.edges],
            "final": [
                {**st(s), "path": self.moves_to(s)} for s in self.final_codes()
            ],
            "concepts": {
                concept: {
                    "label": concept_label(concept),
                    "equilibria": [st(s) for s in eqs],
                    "reachable": self.reachable_equilibria(concept),
                    "unreachable": self.unreachable_equilibria(concept),
                }
                for concept, eqs in self.equilibria.items()
            },
            "table": [
                {k: _plain(v) for k, v in row.items()}
                for row in self.frame().reset_index().to_dict(orient="records")
            ],
        })

    def result_header(self) -> ResultHeader:
        """What was analysed and how: the start state and the coalitions."""
        c = self.conflict
        return header(c, tuple(self.equilibria), {
            "start": c.state_number(self.start),
            "coalitions": [list(h) for h in self.coalitions]})

    def frame(self) -> pd.DataFrame:
        """Status quo to equilibrium: one row per final state or equilibrium (any concept):
        final?, reachable?, steps, the path, and a column per concept."""
        c = self.conflict
        final = set(self.final_codes())
        rows = sorted(final.union(*(set(v) for v in self.equilibria.values())))
        data: dict[str, list[Any]] = {"state": [], "final": [], "reachable": [], "steps": [],
                                      "path": []}
        for concept in self.equilibria:
            data[concept_label(concept)] = []
        for s in rows:
            data["state"].append(c.state_string(s))
            data["final"].append(s in final)
            ok = s == self.start or s in self.parent
            data["reachable"].append(ok)
            edges = self._edges_to(s) if ok else []
            data["steps"].append(len(edges) if ok else None)
            data["path"].append(_path_text(c, self.start, edges) if ok else "")
            for concept, eqs in self.equilibria.items():
                data[concept_label(concept)].append(s in eqs)
        index = pd.Index([c.state_number(s) for s in rows], name="number")
        df = pd.DataFrame(data, index=index)
        df["steps"] = df["steps"].astype("Int64")
        return df

    def edges_frame(self) -> pd.DataFrame:
        """One row per edge of the evolution graph."""
        c = self.conflict
        rows = [
            {
                "by": "+".join(e.by),
                "from": c.state_number(e.source), "from state": c.state_string(e.source),
                "to": c.state_number(e.target), "to state": c.state_string(e.target),
                "changes": ", ".join(
                    f"{ch['option']} {ch['from']}→{ch['to']}"
                    for ch in self._edge_data(e)["changes"]
                ),
            }
            for e in self.edges
        ]
        return pd.DataFrame(rows, columns=["by", "from", "from state", "to", "to state",
                                           "changes"])


def _plain(value: Any) -> Any:
    """A JSON-ready Python value (numpy scalars unwrapped, missing values as None)."""
    if value is pd.NA or value is None:
        return None
    return value.item() if isinstance(value, np.generic) else value


def _path_text(c: Conflict, start: int, edges: Sequence[Edge]) -> str:
    text = str(c.state_number(start))
    for e in edges:
        text += f" →{'+'.join(e.by)}→ {c.state_number(e.target)}"
    return text


__all__ = ["Edge", "EvolutionResult"]
