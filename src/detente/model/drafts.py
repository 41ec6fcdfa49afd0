"""A single negotiating text: the mediator's successive drafts, each a state or a pattern.

A draft names a feasible state (Y/N string, number or option → Y/N mapping) or a Y/N/-
pattern (then every feasible state it matches); ``codes`` holds the matching feasible state
codes, resolved against the model's state space when the file is read.

>>> d = Draft("first text", "Y-", (1, 3), "both sides' core demands")
>>> d.is_pattern, d.codes
(True, (1, 3))
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    """One draft: its name, the state or pattern as written, the matching feasible codes and
    the mediator's rationale."""

    name: str
    state: str
    codes: tuple[int, ...]
    rationale: str = ""

    @property
    def is_pattern(self) -> bool:
        """Whether the draft was written as a pattern (it may match several states)."""
        return "-" in self.state


__all__ = ["Draft"]
