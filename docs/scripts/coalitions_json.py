"""The numbers docs/coalitions.md quotes about the flagship's `--all` JSON answer: the size
refusal for a 5 MB budget, the answer's length, and the joint moves that need the coalition
against those a member could make alone.

    python docs/scripts/coalitions_json.py
"""

from __future__ import annotations

import json
from pathlib import Path

from detente.analyses.coalitions import coalition_analysis
from detente.analyses.coalitions.output import check_size, iter_json
from detente.formats import load_model
from detente.model.errors import AnalysisError

FLAGSHIP = Path(__file__).resolve().parents[2] / "tests" / "data" / "ceasefire_2024_coarse.yaml"


def main() -> None:
    res = coalition_analysis(load_model(FLAGSHIP), all_coalitions=True)
    try:
        check_size(res, max_bytes=5_000_000)
    except AnalysisError as exc:
        print(f"check_size(result, max_bytes=5_000_000): {exc}")
    text = "".join(iter_json(res))
    data = json.loads(text)
    joint = sum(h["n_joint_only"] for h in data["coalitions"])
    alone = sum(h["n_member_alone"] for h in data["coalitions"])
    print(f"JSON: {len(text.encode()) / 2**20:.1f} MiB; {len(res.coalitions)} coalitions, "
          f"{data['page']['n_improvements']:,} improvements: {joint:,} joint only, "
          f"{alone:,} a member could make alone")


if __name__ == "__main__":
    main()
