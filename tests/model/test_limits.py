"""Size limits: too-large models are refused, before memory is spent, with the size they need."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from detente.formats.native import load, loads
from detente.model import Conflict, DecisionMaker, ModelTooLargeError, Option
from detente.model.limits import (
    MAX_OPTIONS,
    check_states,
    engine_bytes,
    format_bytes,
    memory_budget,
    parse_bytes,
)
from detente.model.preferences import Statement, StatementPreference
from detente.model.statements import parse_statement

WriteModel = Callable[..., Path]  # the write_model fixture of conftest.py


def model_yaml(n_options: int, n_dms: int = 3, infeasible: str = "") -> str:
    """A model with options o0..o{n-1} dealt round-robin to n_dms DMs."""
    owned: list[list[str]] = [[] for _ in range(n_dms)]
    for k in range(n_options):
        owned[k % n_dms].append(f"o{k}")
    lines = ["name: big", "decision_makers:"]
    for i, opts in enumerate(owned):
        lines += [
            f"  - name: D{i}",
            f"    options: [{', '.join('{name: ' + o + '}' for o in opts)}]",
            f"    preferences: {{statements: [{opts[0]}]}}",
        ]
    return "\n".join(lines) + "\n" + infeasible


# ----- sizes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("4GiB", 4 * 2**30), ("512MiB", 512 * 2**20), ("1.5 G", int(1.5 * 2**30)), ("100", 100),
     ("2kb", 2000), ("3 mb", 3 * 10**6), ("1TiB", 2**40), (" 8 KiB ", 8192)],
)
def test_parse_bytes(text: str, value: int) -> None:
    assert parse_bytes(text) == value


@pytest.mark.parametrize("text", ["", "lots", "4 parsecs", "-1GiB"])
def test_parse_bytes_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected e\.g\. 4GiB"):
        parse_bytes(text)


def test_format_bytes() -> None:
    assert format_bytes(512) == "512 B"
    assert format_bytes(3 * 2**30) == "3.0 GiB"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(5 * 2**50) == "5120.0 TiB"


def test_engine_bytes_grows_with_states_and_dms() -> None:
    assert engine_bytes(0, 3) == 0
    assert engine_bytes(2000, 3) == 2 * engine_bytes(1000, 3)
    assert engine_bytes(1000, 4) > engine_bytes(1000, 3)


def test_memory_budget_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "3GiB")
    assert memory_budget() == 3 * 2**30
    monkeypatch.delenv("DETENTE_MAX_MEMORY")
    assert memory_budget() > 0


def test_check_states_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "1MiB")
    check_states(10, 2)  # small enough
    with pytest.raises(ModelTooLargeError) as err:
        check_states(100_000, 2, "m.yaml")
    need = format_bytes(engine_bytes(100_000, 2))
    assert str(err.value) == (
        f"m.yaml: the model has 100,000 feasible states; analysing them with 2 decision makers "
        f"needs about {need} of memory, more than the 1.0 MiB available (set DETENTE_MAX_MEMORY "
        "to change the limit)."
    )


# ----- too many options ------------------------------------------------------------------------
def test_more_than_30_options_is_refused_without_enumerating(write_model: WriteModel) -> None:
    path = write_model(model_yaml(MAX_OPTIONS + 1))
    start = time.perf_counter()
    with pytest.raises(ModelTooLargeError) as err:
        load(path)
    assert time.perf_counter() - start < 2
    message = str(err.value)
    assert message.startswith(f"{path}: 31 options give 2^31 = 2,147,483,648 candidate states")
    assert "at most 2^30 (= 30 options)" in message
    assert "Merge options or split the conflict" in message


def test_more_than_30_options_refused_for_models_built_in_python() -> None:
    options = tuple(Option(f"o{k}", "A") for k in range(31))
    pref = StatementPreference((Statement("o0", parse_statement("o0")),))
    with pytest.raises(ModelTooLargeError, match="31 options give 2\\^31"):
        Conflict("big", options, (DecisionMaker("A", tuple(o.name for o in options), pref),))


# ----- too many feasible states for the memory budget ---------------------------------------------
def test_feasible_states_beyond_the_budget_are_refused(
    monkeypatch: pytest.MonkeyPatch, write_model: WriteModel
) -> None:
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "64KiB")
    path = write_model(model_yaml(10))  # 1,024 states, 3 DMs
    with pytest.raises(ModelTooLargeError) as err:
        load(path)
    message = str(err.value)
    need = format_bytes(engine_bytes(1024, 3))
    assert message.startswith(f"{path}: the model has 1,024 feasible states")
    assert f"with 3 decision makers needs about {need} of memory" in message
    assert "more than the 64.0 KiB available" in message
    assert "DETENTE_MAX_MEMORY" in message


def test_infeasibility_that_shrinks_the_model_below_the_budget_is_accepted(
    monkeypatch: pytest.MonkeyPatch, write_model: WriteModel
) -> None:
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "64KiB")
    # at most one of o0..o9: 11 feasible states
    text = model_yaml(10, infeasible="infeasible:\n  - mutually_exclusive: ["
                      + ", ".join(f"o{k}" for k in range(10)) + "]\n")
    assert load(write_model(text)).n_states == 11


def test_budget_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    text = model_yaml(6, n_dms=2)
    need = engine_bytes(64, 2)
    monkeypatch.setenv("DETENTE_MAX_MEMORY", str(need))
    assert loads(text).n_states == 64
    monkeypatch.setenv("DETENTE_MAX_MEMORY", str(need - 1))
    with pytest.raises(ModelTooLargeError, match=f"needs about {format_bytes(need)}"):
        loads(text)


def test_huge_model_is_refused_before_memory_is_spent(
    monkeypatch: pytest.MonkeyPatch, write_model: WriteModel
) -> None:
    """2^28 candidate states (2 GiB just for their codes): refused after one enumeration chunk."""
    monkeypatch.setenv("DETENTE_MAX_MEMORY", "64MiB")
    path = write_model(model_yaml(28))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ModelTooLargeError) as err:
            load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5
    assert peak < 200 * 2**20, f"peak {format_bytes(peak)} before refusing"
    message = str(err.value)
    assert "the model has at least 4,194,304 feasible states" in message
    assert f"needs at least about {format_bytes(engine_bytes(4_194_304, 3))}" in message
    assert "more than the 64.0 MiB available" in message
