"""Strength of preference in the model file: ``">>"`` marks in a ranking and ``strong: true``
statements, their located errors, the YAML round trip and the .gmcr omission."""

from __future__ import annotations

import numpy as np
import pytest

from detente.formats.gmcr import omissions
from detente.formats.native.builder import loads
from detente.formats.native.writer import dumps
from detente.model.errors import ModelError
from detente.model.strength import strength_tiers

MODEL = """
name: toy
decision_makers:
  - name: A
    options: [{name: a}]
    preferences: {ranking: [YN, [YY, NN], ">>", NY]}
  - name: B
    options: [{name: b}]
    preferences:
      statements:
        - {statement: b, strong: true}
        - unknown_order: [{statement: not a, strong: true}, a]
"""


def test_marks_and_strong_statements_give_tiers_that_coarsen_the_ranks() -> None:
    """States NN, YN, NY, YY. A: NY below the mark. B: b first (strong), then 'not a' (strong,
    in the unknown_order group as written), then a (mild)."""
    c = loads(MODEL)
    tiers = strength_tiers(c)
    assert tiers.tolist() == [[1, 1, 0, 1], [1, 0, 3, 2]]
    for i in range(2):  # a higher tier always ranks higher
        hi, lo = np.nonzero(tiers[i][:, None] > tiers[i][None, :])
        assert (c.ranks[i][hi] > c.ranks[i][lo]).all()


def test_the_yaml_round_trip_keeps_strength() -> None:
    c = loads(MODEL)
    text = dumps(c)
    assert "'>>'" in text and "strong: true" in text
    assert loads(text) == c


def test_a_gmcr_file_names_the_strength_it_cannot_hold() -> None:
    assert "the strength of preference of 2 decision maker(s)" in omissions(loads(MODEL))


@pytest.mark.parametrize("ranking, where, says", [
    ('[">>", YN, YY, NN, NY]', "ranking[0]", "must stand between two ranking entries"),
    ('[YN, YY, NN, NY, ">>"]', "ranking[4]", "must stand between two ranking entries"),
    ('[YN, ">>", ">>", YY, NN, NY]', "ranking[2]", "twice in a row"),
    ('[YN, [YY, ">>"], NN, NY]', "ranking[1][1]", "inside a tie"),
])
def test_a_misplaced_mark_is_a_located_error(ranking: str, where: str, says: str) -> None:
    text = MODEL.replace('[YN, [YY, NN], ">>", NY]', ranking)
    with pytest.raises(ModelError) as err:
        loads(text)
    assert f"decision_makers[0].preferences.{where}" in str(err.value)
    assert says in str(err.value)


def test_a_strong_statement_after_a_mild_one_is_a_located_error() -> None:
    text = MODEL.replace("{statement: b, strong: true}", "b")
    with pytest.raises(ModelError) as err:
        loads(text)
    msg = str(err.value)
    assert "decision_makers[1].preferences.statements[1].unknown_order[0].strong" in msg
    assert "strong statement 'not a' follows the mild statement 'b'" in msg
    assert ":12:" in msg  # the line of the offending statement (MODEL starts with a newline)
