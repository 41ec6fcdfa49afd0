"""The fewest fixes of a proposal, grouped: solutions that differ only in where an edit puts
its statement are one fix ("add X at any of positions 1–4").

>>> from detente.analyses.mediation.result import SolutionEdit
>>> sols = [(SolutionEdit("A", "add", "x", None, k, ""),) for k in (1, 2, 4)]
>>> [f.text() for f in group_edits(sols + [(SolutionEdit("A", "drop", "y", 3, None, ""),)])]
['A: add "x" at any of positions 1, 2, 4', 'A: drop "y" (at 3)']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from detente.analyses.mediation.result import SolutionEdit


@dataclass(frozen=True)
class FixEdit:
    """One edit of a fix; ``positions``: every position it may put its statement at (1-based,
    in the list as it stands when the edit is applied; empty for a drop)."""

    dm: str
    op: str  # "move" | "drop" | "add"
    statement: str
    source: int | None
    positions: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dm": self.dm,
            "op": self.op,
            "statement": self.statement,
            "from": self.source,
            "to": list(self.positions),
        }

    def text(self) -> str:
        """In words, e.g. ``A: add "x" at any of positions 1–4``."""
        if self.op == "drop":
            return f'{self.dm}: drop "{self.statement}" (at {self.source})'
        where = positions_text(self.positions)
        if self.op == "move":
            return f'{self.dm}: move "{self.statement}" from {self.source} to {where}'
        return f'{self.dm}: add "{self.statement}" at {where}'


@dataclass(frozen=True)
class Fix:
    """One fix: its edits, the concepts (and deal phases) it repairs, and how many of the
    mediation analysis's solutions it stands for."""

    edits: tuple[FixEdit, ...]
    concepts: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    solutions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "edits": [e.to_dict() for e in self.edits],
            "concepts": list(self.concepts),
            "phases": list(self.phases),
            "solutions": self.solutions,
        }

    def text(self) -> str:
        return "; ".join(e.text() for e in self.edits)


def positions_text(positions: Sequence[int]) -> str:
    """``'4'``, ``'any of positions 1–4'`` (a run) or ``'any of positions 1, 3'``."""
    ps = sorted(set(positions))
    if not ps:
        return "?"
    if len(ps) == 1:
        return str(ps[0])
    if ps == list(range(ps[0], ps[-1] + 1)):
        return f"any of positions {ps[0]}–{ps[-1]}"
    return "any of positions " + ", ".join(str(p) for p in ps)


def _key(edit: SolutionEdit) -> tuple[str, str, str, int | None]:
    return edit.dm, edit.op, edit.statement, edit.source


def group_edits(solutions: Iterable[Sequence[SolutionEdit]]) -> list[Fix]:
    """Solutions (edit sequences) grouped: those with the same edits up to the positions
    statements are put at are one fix; first-seen order."""
    groups: dict[tuple[tuple[str, str, str, int | None], ...], list[Sequence[SolutionEdit]]] = {}
    for sol in solutions:
        groups.setdefault(tuple(_key(e) for e in sol), []).append(sol)
    out: list[Fix] = []
    for key, members in groups.items():
        edits = tuple(
            FixEdit(
                dm,
                op,
                st,
                src,
                ()
                if op == "drop"
                else tuple(sorted({int(d) for m in members if (d := m[k].dest) is not None})),
            )
            for k, (dm, op, st, src) in enumerate(key)
        )
        out.append(Fix(edits, solutions=len(members)))
    return out


def merge_fixes(fixes: Iterable[Fix]) -> list[Fix]:
    """The same fix found for several concepts or phases, once (concepts and phases joined,
    the largest solution count kept)."""
    merged: dict[tuple[FixEdit, ...], Fix] = {}
    for f in fixes:
        old = merged.get(f.edits)
        if old is None:
            merged[f.edits] = f
        else:
            merged[f.edits] = Fix(
                f.edits,
                old.concepts + tuple(c for c in f.concepts if c not in old.concepts),
                old.phases + tuple(p for p in f.phases if p not in old.phases),
                max(old.solutions, f.solutions),
            )
    return list(merged.values())


__all__ = ["Fix", "FixEdit", "group_edits", "merge_fixes", "positions_text"]
