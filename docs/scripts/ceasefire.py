"""The numbers and claims that docs/case-study-ceasefire.md quotes, from the tool.

Run ``python docs/scripts/ceasefire.py`` from the project folder: it prints every quoted fact
as ``key: value`` lines; ``tests/analyses/test_case_study.py`` calls :func:`facts` and checks
that each one appears on the page, and reruns the page's console blocks.
"""

from __future__ import annotations

from pathlib import Path

import detente
from detente.analyses.brief import brief
from detente.analyses.whatif import apply_scenario
from detente.engine.registry import CONCEPT_NAMES as NAMES
from detente.engine.registry import CONCEPTS
from detente.model.conflict import Conflict

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "ceasefire_2024.yaml"
STATUS_QUO = "N/stay/hold/YNNNNNNNN"
DEAL_END = "Y/withdraw/open/NYYYYNNNN"  # the framework carried out, no mediator option in force
BRIDGING = "Y/reduced/hold/NYYYNNYNN"  # the bridging proposal's closest state (US guarantee)
HAMAS_READINGS = ("main", "pragmatic", "hardline")
CEASEFIRE_STAY = "Y/stay/hold/NNYNNNNNN"  # both accept, Israel stays on both corridors
CEASEFIRE_WITHDRAW = "Y/withdraw/hold/NNYNNNNNN"  # both accept, Israel leaves Philadelphi


def load() -> Conflict:
    return detente.load(MODEL)


def hostages_for_nothing(model: Conflict) -> int:
    """Hamas's unilateral improvements that free the phase-one hostages while the prisoners
    are still held, over every feasible state (brute force on Hamas's ranks)."""
    bits = model.bits
    h1, pr = 1 << bits["hostages_phase1"], 1 << bits["release_prisoners"]
    ranks = model.ranks[model.dm_index("Hamas")]
    count = 0
    for k, code in enumerate(int(s) for s in model.feasible):
        if code & h1 or code & pr:
            continue
        t = code | h1
        if model.is_feasible(t) and ranks[model.position(t)] > ranks[k]:
            count += 1
    return count


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %" if abs(100 * p - round(100 * p)) < 1e-9 else f"{100 * p:.1f} %"


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
    nash = result.equilibria_strings("nash")
    out["nash states"] = "Nash equilibria: " + ", ".join(f"`{s}`" for s in nash)
    out["status quo number"] = f"state {m.state_number(m.parse_state(STATUS_QUO))}"

    # the deal: verdicts, foresight, guarantees, commitments
    deal = detente.deal_analysis(m, mediate=False).to_dict()
    out["deal holds"] = f"holds under {_concepts(deal['holds'], True)}"
    out["deal breaks"] = f"breaks under {_concepts(deal['holds'], False)}"
    breaks = ", ".join(f"{NAMES[c]} at '{deal['breaks_at'][c]}'"
                       for c in CONCEPTS if deal["breaks_at"].get(c))
    out["deal breaks at"] = f"breaks {breaks}"
    phases = {ph["name"]: ph for ph in deal["phases"]}
    who = []
    for c in CONCEPTS:
        at = deal["breaks_at"].get(c)
        if at:
            dms = [dm for dm, ok in phases[at]["stable"][c].items() if not ok]
            who.append(f"{NAMES[c]} {', '.join(dms)}")
    out["deal breakers"] = "unstable where it breaks: " + "; ".join(who)
    fs = deal["foresight"]
    first = fs["steps"][0]
    held = [mv["dm"] for mv in first["movers"] if not mv["proceeds"]]
    out["foresight"] = (f"completes with foresight: {fs['completes']}; unravels at step "
                        f"{fs['unravels_at']}, held back by {', '.join(held)}")
    later = [f"step {s['step']} {', '.join(mv['dm'] for mv in s['movers'] if not mv['proceeds'])}"
             for s in fs["steps"][1:] if not all(mv["proceeds"] for mv in s["movers"])]
    out["held back"] = "held back later: " + "; ".join(later)
    end = fs["outcome"][0]
    out["foresight end"] = f"ends in state {end['number']} (`{end['state']}`)"
    seq = deal["guarantees"]["seq"]["settings"]
    out["seq guarantee"] = "SEQ: holds with " + "; ".join(
        " + ".join(s["on"]) or "none" for s in seq)
    none = [NAMES[c] for c in CONCEPTS
            if not deal["guarantees"][c]["settings"] and not deal["holds"][c]]
    out["no guarantee"] = "no guarantee setting under " + ", ".join(none)
    sets = deal["commitments"]["sets"]
    best = max(sum(s["holds"].values()) for s in sets)
    out["commitments"] = (f"{len(sets)} sets of the {deal['commitments']['declared']} declared "
                          f"commitments; none holds under more concepts than the deal as "
                          f"written: {best == sum(deal['holds'].values())}")

    # the mediation target (the framework carried out): levers and commitments, no edits
    assert m.mediation is not None and m.mediation.target is not None
    for c in ("nash", "seq", "sim"):
        med = detente.mediate(m, m.mediation.target, [c], max_edits=0).to_dict()
        levers = [" + ".join(k for k, v in lv["settings"].items() if v == "Y") or "none"
                  for lv in med["levers"] if lv["works"]]
        sols = med["commitments"]["solutions"]
        made = "; ".join(" + ".join(f"{x['option']} {x['make']}" for x in s["commitments"])
                         or "none needed" for s in sols)
        out[f"target {c}"] = (f"{NAMES[c]}: levers {', '.join(levers) or 'none'}; "
                              f"commitments {made or 'none'}")

    design = detente.deal_design(m).to_dict()
    done = sum(d["completes"] for d in design["designs"])
    out["design"] = f"{design['tried']} orders tried, {done} complete with foresight"
    out["design first"] = "ranked first: " + " → ".join(design["designs"][0]["order"])

    # the brief: the mediation target and the drafts (verdicts, enforcement, flips)
    b = brief(m, CONCEPTS, fixes=False)
    for p in b.proposals:
        key = "brief " + (p.name if p.kind == "draft" else p.kind)
        out[key] = f"holds under {_concepts({c: p.holds(c) for c in CONCEPTS}, True)}"
        if p.probability is not None:
            out[key + " sure"] = " | ".join(_pct(p.probability[c]) for c in CONCEPTS)
        for e in p.enforcement:
            if e.kind == "commitment":
                out[key + " commitment"] = e.words
    target = next(p for p in b.proposals if p.kind == "target")
    for f in target.flips:
        out[f"flip {f.dm} {f.setting}"] = (
            f"{f.dm}: {f.setting} ({_pct(f.probability)}): "
            + ", ".join(f"{v} under {NAMES[c]}" for c, v in f.verdict.items()))

    # drafts: vetoes and verdicts
    dr = detente.drafts(m, CONCEPTS).to_dict()
    for d in dr["drafts"]:
        s = d["states"][0]
        out[f"draft {d['name']}"] = (
            f"state {s['number']}: vetoes {', '.join(s['vetoes']) or 'none'}; "
            f"holds under {_concepts(s['holds'], True)}")

    # the two readings of "accept": the hypergame's surprises under Nash
    h = detente.hypergame(m, ["nash"])
    same = list(h.equilibrium_mask("nash")) == list(result.equilibrium_mask("nash"))
    out["hypergame same"] = f"hypergame's Nash equilibria are the game's: {same}"
    counts: dict[str, int] = {}
    expected: dict[str, tuple[str, ...]] = {}
    for pos, who in h.surprises("nash"):
        key = "Israel and the US" if set(who) == {"Israel", "United_States"} else ", ".join(who)
        counts[key] = counts.get(key, 0) + 1
        expected[m.state_string(int(m.feasible[pos]))] = tuple(who)
    out["surprises nash"] = "Nash surprises: " + "; ".join(
        f"{n} expected by {k}" for k, n in sorted(counts.items()))
    for state in (CEASEFIRE_STAY, CEASEFIRE_WITHDRAW):
        out[f"expects {state}"] = f"`{state}` expected by " + " and ".join(expected[state])

    # uncertainty: profiles, status quo, the deal's end state, what each element moves
    r = detente.robustness(m, CONCEPTS)
    out["profiles"] = f"{r.profiles} preference profiles"
    sq = r.to_dict()["status_quo"]
    out["status quo p"] = (f"the status quo is a Nash equilibrium in "
                           f"{_pct(sq['equilibrium_probability']['nash'])} of the profiles; it "
                           f"ends in an Iranian strike in {_pct(max(sq['reaches'].values()))}")
    frame = r.frame()
    for state in (DEAL_END, BRIDGING):
        row = frame.loc[state] if state in frame.index else None
        out[f"p {state}"] = " | ".join(
            _pct(0.0 if row is None else float(row[NAMES[c]])) for c in CONCEPTS)
    moved = {e["dm"] for c in CONCEPTS
             for e in r.sensitivity(c, [STATUS_QUO, DEAL_END, BRIDGING]) if e["swing"] > 0}
    moved |= {f.dm for p in b.proposals for f in p.flips}
    declared = {e["dm"] for e in r.sensitivity("nash")}
    out["elements"] = (f"{len(declared)} uncertain elements ("
                       + ", ".join(sorted(declared)) + f"), each moves a result: "
                       f"{moved == declared}")

    # Hamas's readings never hand over hostages for nothing
    for reading in HAMAS_READINGS:
        n = hostages_for_nothing(apply_scenario(m, {"alternatives": {"Hamas": reading}}))
        out[f"for nothing {reading}"] = f"{reading}: {n} moves"
    return out


def main() -> None:
    for key, value in facts().items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
