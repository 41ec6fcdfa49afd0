"""The numbers and claims that docs/case-study-black-sea-grain.md quotes, from the tool.

Run ``python docs/scripts/black_sea_grain.py`` from the project folder: it prints every
quoted fact as ``key: value`` lines; ``tests/analyses/test_black_sea_grain.py`` calls
:func:`facts` and checks that each one appears on the page, and runs the page's console
blocks against the command line.
"""

from __future__ import annotations

from pathlib import Path

import detente
from detente.analyses.robustness import robustness
from detente.analyses.whatif import apply_scenario
from detente.engine.registry import CONCEPT_NAMES as NAMES
from detente.engine.registry import CONCEPTS
from detente.model.conflict import Conflict

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "black_sea_grain_2022.yaml"
DEAL = "YNYNYYNN"  # the corridor operating: state 38
STATUS_QUO = "NNNNNNNN"
OUTSIDE = "NNYYYYNN"  # Russia out, the ships sail on, the corridor used militarily


def load() -> Conflict:
    return detente.load(MODEL)


def _pct(p: float) -> str:
    return f"{100 * p:.1f} %"


def _concepts(flags: dict[str, bool], value: bool) -> str:
    names = [NAMES[c] for c in CONCEPTS if flags[c] == value]
    return ", ".join(names) if names else "none"


def facts() -> dict[str, str]:
    """Every quoted fact, keyed by a short name; values are the text the page quotes."""
    m = load()
    out: dict[str, str] = {}
    result = detente.analyze(m)
    for c in CONCEPTS:
        out[f"equilibria {c}"] = f"{NAMES[c]}: {len(result.equilibria_numbers(c))} equilibria"
    out["nash states"] = ", ".join(str(n) for n in result.equilibria_numbers("nash"))
    out["deal number"] = f"state {m.state_number(m.parse_state(DEAL))}"

    deal = detente.deal_analysis(m, mediate=False).to_dict()
    out["deal holds"] = f"holds under {_concepts(deal['holds'], True)}"
    out["deal breaks"] = f"breaks under {_concepts(deal['holds'], False)}"
    out["deal completes"] = f"completes with foresight: {deal['foresight']['completes']}"

    r = robustness(m, list(CONCEPTS))
    frame = r.frame()
    out["profiles"] = f"{r.profiles} preference profiles"
    for state in (DEAL, STATUS_QUO, OUTSIDE):
        row = frame.loc[state]
        out[f"p {state}"] = " | ".join(_pct(row[NAMES[c]]) for c in CONCEPTS)
    for entry in r.sensitivity("nash"):
        out[f"swing {entry['dm']}"] = f"{entry['dm']}: swing {_pct(entry['swing'])}"

    cond = apply_scenario(m, {"alternatives": {"Russia": "conditional"}})
    cd = detente.deal_analysis(cond, mediate=False).to_dict()
    out["conditional holds"] = f"holds under {_concepts(cd['holds'], True)}"
    settings = sum(len(g["settings"]) for g in cd["guarantees"].values())
    out["conditional guarantee settings"] = f"{settings} guarantee settings"
    breakers = sorted(
        {
            t["dm"]
            for p in cd["phases"]
            for t in p["temptations"]
            if not t["to_next_phase"] and not any(t["deterred"].values())
        }
    )
    out["conditional breakers"] = "undeterred under every concept: " + ", ".join(breakers)
    for s in cd["commitments"]["sets"]:
        if all(s["holds"].values()):
            made = " + ".join(f"{x['option']} {x['make']}" for x in s["commitments"])
            out["conditional commitments"] = (
                f"{made} holds under every concept; completes with foresight: {s['completes']}"
            )
            break
    main_sets = detente.deal_analysis(m, mediate=False).to_dict()["commitments"]["sets"]
    for s in main_sets:
        names = [f"{x['option']} {x['make']}" for x in s["commitments"]]
        if names == ["ua_naval_ops back"]:
            out["main naval commitment"] = (
                f"ua_naval_ops back holds under {_concepts(s['holds'], True)}"
            )
    return out


def main() -> None:
    for key, value in facts().items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
