"""Option labels and states in words (model/labels.py, StateSpace.words), and located errors
for bad labels."""

from __future__ import annotations

import pytest

from detente.formats.native import dumps, loads
from detente.model.errors import ModelError

BASE = """
name: labels
decision_makers:
  - name: A
    options:
      - {name: a, LABELS_A}
      - {name: corridor, levels: [closed, partial, open], LABELS_C}
    preferences: {statements: [a]}
  - name: B
    options: [{name: b}]
    preferences: {statements: [b]}
"""


def _model(
    a: str = "labels: {Y: A accepts, N: A refuses}", c: str = "labels: {open: corridor open}"
) -> str:
    return BASE.replace("LABELS_A", a).replace("LABELS_C", c)


def test_words_with_labels() -> None:
    m = loads(_model())
    s = m.space
    assert (
        s.words(s.parse({"a": "Y", "corridor": "open", "b": "Y"})) == "A accepts; corridor open; b"
    )
    assert (
        s.words(s.parse({"a": "N", "corridor": "partial", "b": "N"}))
        == "A refuses; corridor partial"
    )


def test_words_without_labels_fall_back_to_option_names() -> None:
    m = loads(_model("direction: both", "direction: both"))
    s = m.space
    assert s.words(s.parse({"a": "Y", "corridor": "closed", "b": "Y"})) == "a; corridor closed; b"
    plain = loads(
        BASE.replace("{name: a, LABELS_A}", "{name: a}").replace(
            "      - {name: corridor, levels: [closed, partial, open], LABELS_C}\n", ""
        )
    )
    assert plain.space.words(0) == "no option taken"


def test_labels_round_trip_through_the_writer() -> None:
    m = loads(_model())
    again = loads(dumps(m))
    assert (
        again.space.labels
        == m.space.labels
        == {"a": {"Y": "A accepts", "N": "A refuses"}, "corridor": {"open": "corridor open"}}
    )


@pytest.mark.parametrize(
    ("labels", "field", "words"),
    [
        (
            "labels: {X: A accepts}",
            "decision_makers[0].options[0].labels.X",
            "labels name 'X', which is not a value of this option; expected one of Y, N",
        ),
        (
            "labels: {Y: ''}",
            "decision_makers[0].options[0].labels.Y",
            "the label of Y must be a non-empty text",
        ),
        (
            "labels: {Y: " + "x" * 90 + "}",
            "decision_makers[0].options[0].labels.Y",
            "at most 80 characters",
        ),
    ],
)
def test_bad_labels_are_located(labels: str, field: str, words: str) -> None:
    with pytest.raises(ModelError) as exc:
        loads(_model(a=labels), "m.yaml")
    text = str(exc.value)
    assert text.startswith("m.yaml:6:") and field in text and words in text


def test_a_level_label_names_a_level() -> None:
    with pytest.raises(ModelError) as exc:
        loads(_model(c="labels: {Y: open}"), "m.yaml")
    assert "decision_makers[0].options[1].labels.Y" in str(exc.value)
    assert "expected one of closed, partial, open" in str(exc.value)
