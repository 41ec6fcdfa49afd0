"""``robustness --at-least ALPHA``: per concept and DM, the states stable for that DM with
probability at least α, checked against a brute force over the enumerated profiles (every
profile analysed on its own by the engine, weighted by its probability); and the probabilistic
concepts (``gmr@0.5``) judged on the analysed profiles' pairwise preference probabilities."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import numpy as np
import pytest

from cli_runner import run
from detente.analyses.robustness import robustness
from detente.analyses.robustness.profiles import sample_profiles
from detente.engine import Engine
from detente.engine.probabilistic import dm_distribution, probabilistic_stable
from detente.engine.registry import CONCEPTS
from detente.formats.native import loads
from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError

MODEL = """
name: at least
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {ranking: [YNN, NNN, YYN, NYN, YNY, NNY, YYY, NYY]}
    alternatives:
      - name: dove
        probability: 0.3
        preferences: {ranking: [NNN, YNN, NYN, YYN, NNY, YNY, NYY, YYY]}
  - name: B
    options: [{name: b}]
    preferences:
      statements: [b, {statement: not c, probability: 0.4}]
  - name: C
    options: [{name: c}]
    preferences: {ranking: [--Y, --N]}
"""


def brute_stable(c: Conflict, key: str) -> np.ndarray:
    """(DMs, N) P(stable for the DM), summed profile by profile."""
    dists = [dm_distribution(c, j) for j in range(len(c.dms))]
    out = np.zeros((len(c.dms), c.n_states))
    for pick in product(*(range(d.weights.size) for d in dists)):
        w = float(np.prod([d.weights[v] for d, v in zip(dists, pick, strict=True)]))
        ranks = np.stack([d.ranks[v] for d, v in zip(dists, pick, strict=True)])
        out += w * Engine(c, ranks).stable(key)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.6, 1.0])
def test_the_states_at_least_alpha_match_the_brute_force(alpha: float) -> None:
    c = loads(MODEL)
    result = robustness(c, exact=True, at_least=alpha)
    listed = result.stable_at_least(alpha)
    names = [c.state_string(int(x)) for x in c.feasible]
    for k in CONCEPTS:
        p = brute_stable(c, k)
        for i, dm in enumerate(c.dm_names):
            want = {names[s] for s in range(c.n_states) if p[i, s] >= alpha - 1e-9}
            assert set(listed[k][dm]) == want, (k, dm)
            probs = [p[i, names.index(s)] for s in listed[k][dm]]
            assert probs == sorted(probs, reverse=True)  # most likely first
    assert result.to_dict()["at_least"]["alpha"] == alpha
    assert result.to_dict()["at_least"]["stable"] == listed
    assert 0 < sum(len(v) for v in listed["gmr"].values()) < 3 * c.n_states or alpha == 0.0


def test_without_at_least_the_json_is_unchanged_and_bad_alphas_are_refused() -> None:
    c = loads(MODEL)
    assert "at_least" not in robustness(c, ["nash"]).to_dict()
    for bad in (1.5, -0.1, True, "0.5"):
        with pytest.raises(ArgumentError, match="at_least must be a probability"):
            robustness(c, ["nash"], at_least=bad)  # type: ignore[arg-type]


@pytest.mark.slow
def test_cli_json_and_text(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MODEL, encoding="utf-8")
    res = run("robustness", path, "-c", "seq", "--at-least", "0.6", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["at_least"]["stable"] == robustness(loads(MODEL), ["seq"]).stable_at_least(0.6)
    text = run("robustness", path, "-c", "seq", "--at-least", "0.6")
    assert text.exit_code == 0 and "Stable with probability at least 0.6" in text.stdout
    assert "SEQ" in text.stdout and "  A: " in text.stdout
    bad = run("robustness", path, "--at-least", "2")
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr + bad.stdout


PROBABILISTIC = ["nash@0.5", "gmr@0.5/0.3", "smr@0.25", "seq@0.5/0.5/0.2"]


def test_probabilistic_concepts_on_the_enumerated_profiles_are_analyzes() -> None:
    c = loads(MODEL)
    r = robustness(c, ["gmr", *PROBABILISTIC], exact=True)
    assert r.concepts == ("gmr",) and list(r.probabilistic) == [
        "nash@0.5", "gmr@0.5/0.3", "smr@0.25/0.25", "seq@0.5/0.5/0.2"]
    for k, st in r.probabilistic.items():
        np.testing.assert_array_equal(st, Engine(c).stable(k))
    body = r.to_dict()["probabilistic"]["gmr@0.5/0.3"]
    assert body["probabilities"] == "exact" and body["label"] == "(0.5,0.3)-GMR"
    only = robustness(c, ["seq@0.5"], exact=True)
    assert only.concepts == ("nash",) and list(only.probabilistic) == ["seq@0.5/0.5/0.5"]


def test_sampled_profiles_give_the_probabilities_of_the_same_draws() -> None:
    """P_i summed over the drawn profiles themselves (seed 3), pair by pair."""
    c = loads(MODEL)
    r = robustness(c, PROBABILISTIC, samples=7, seed=3, exact=False)
    drawn = sample_profiles(c, 7, 3)
    probs = []
    for j, v in enumerate(drawn.variants):
        ranks = v.ranks(c)
        p = np.zeros((c.n_states, c.n_states))
        for row, w in zip(drawn.ids[:, j].tolist(), drawn.weights.tolist(), strict=True):
            for a, b in product(range(c.n_states), repeat=2):
                p[a, b] += w * (ranks[row, a] > ranks[row, b])
        probs.append(p)
    for k, st in r.probabilistic.items():
        np.testing.assert_array_equal(st, probabilistic_stable(c, k, probs))
    assert r.to_dict()["probabilistic"]["nash@0.5"]["probabilities"] == "estimated"
