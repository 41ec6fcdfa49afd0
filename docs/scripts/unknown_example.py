"""The table docs/concepts-extended.md shows for its hand-worked example of unknown
preferences (tests/data/unknown_hand.yaml): per concept and variant, the states stable for each
decision maker and the equilibria, as `detente analyze -c` computes them.

    python docs/scripts/unknown_example.py
"""

from __future__ import annotations

from pathlib import Path

from detente.analyses.stability import analyze
from detente.engine.registry import UNKNOWN_KEYS, concept_label
from detente.formats import load_model

MODEL = Path(__file__).resolve().parents[2] / "tests" / "data" / "unknown_hand.yaml"


def table() -> str:
    """The markdown table: one row per concept (the classic ones first, for comparison)."""
    c = load_model(MODEL)
    keys = ("nash", "gmr", "smr", "seq", *UNKNOWN_KEYS)
    result = analyze(c, keys)
    names = c.dm_names
    lines = ["| concept | " + " | ".join(f"stable for {n}" for n in names) + " | equilibria |",
             "|---|" + "---|" * (len(names) + 1)]
    for key in keys:
        cells = [", ".join(map(str, result.stable_numbers(key, name))) or "none"
                 for name in names]
        eq = ", ".join(str(n) for n in result.equilibria_numbers(key)) or "none"
        lines.append(f"| {concept_label(key)} | " + " | ".join(cells) + f" | {eq} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(), end="")
