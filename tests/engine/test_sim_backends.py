"""SIM's two backends — the numpy search (small models) and the compiled kernel (big ones) —
each forced, give the reference's answer and each other's, search by search; the engine
picks by size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import detente
import reference
from detente.engine import Engine
from detente.engine.simultaneous import (
    COMPILED_FROM_CELLS,
    Backend,
    Search,
    sim_backend,
    sim_stable,
)
from detente.model.conflict import Conflict
from strategies import conflicts

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
#: The pre-rework flagship (1,280 states), kept as a fixed test model.
COARSE = Path(__file__).resolve().parents[2] / "tests" / "data" / "ceasefire_2024_coarse.yaml"
BACKENDS: tuple[Backend, ...] = ("numpy", "compiled")
SEARCHES: tuple[Search, ...] = ("auto", "responses", "candidates")


def _sim(e: Engine, backend: Backend, search: Search = "auto") -> np.ndarray:
    """(DMs, states) SIM stability through one backend and one search."""
    return np.stack([
        sim_stable(e.sim_grid, e.utilities, i, e.stable_for("nash", i), search, backend)
        for i in range(e.n_dms)
    ])


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conflicts())
def test_each_backend_and_search_matches_reference(c: Conflict) -> None:
    e = Engine(c)
    want = {dm: frozenset(s for s in reference.feasible_states(c)
                          if reference.stable(c, "sim", i, s))
            for i, dm in enumerate(c.dm_names)}
    for backend in BACKENDS:
        for search in SEARCHES:
            got = _sim(e, backend, search)
            for i, dm in enumerate(c.dm_names):
                assert frozenset(int(x) for x in c.feasible[got[i]]) == want[dm], (
                    backend, search, dm)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_backends_agree_on_the_examples(path: Path) -> None:
    e = Engine(detente.load(path))
    compiled = _sim(e, "compiled")
    for search in SEARCHES:
        assert (_sim(e, "numpy", search) == compiled).all(), search
    if e.conflict.n_states > 64:
        assert compiled.any() and not compiled.all()  # a non-trivial comparison


@pytest.mark.slow
def test_numpy_batches_and_chunks_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny flat gathers and chunks (many batches, windows and thread tasks) change nothing."""
    import detente.engine.simultaneous_numpy as numpy_backend

    e = Engine(detente.load(COARSE))
    want = _sim(e, "compiled")
    monkeypatch.setattr(numpy_backend, "_FLAT", 40)
    monkeypatch.setattr(numpy_backend, "CHUNK_CELLS", 2000)
    monkeypatch.setenv("DETENTE_WORKERS", "2")
    for search in SEARCHES:
        assert (_sim(e, "numpy", search) == want).all(), search


def test_the_engine_picks_the_backend_by_size(monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.engine.simultaneous as sim_module

    c = detente.load(EXAMPLES[0].parent.parent / "tests" / "data" / "ceasefire_2024_coarse.yaml")
    width_sum = int(Engine(c).sim_grid.width.sum())
    assert sim_backend(c.n_states, width_sum) == "numpy"  # the flagship stays below
    assert sim_backend(COMPILED_FROM_CELLS, 1) == "compiled"
    assert sim_backend(COMPILED_FROM_CELLS - 1, 1) == "numpy"
    chosen: list[str] = []
    real = sim_module._compiled_settle

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        chosen.append("compiled")
        return real(*args, **kwargs)

    monkeypatch.setattr(sim_module, "_compiled_settle", spy)
    small = Engine(c).stable("sim")
    assert chosen == []
    monkeypatch.setattr(sim_module, "COMPILED_FROM_CELLS", 1)
    assert (Engine(c).stable("sim") == small).all()
    assert chosen == ["compiled"] * len(c.dms)


@pytest.mark.parametrize("backend", BACKENDS)
def test_threaded_tasks_agree_with_serial(backend: Backend,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.engine.simultaneous as sim_module

    e = Engine(detente.load(COARSE))
    monkeypatch.setenv("DETENTE_WORKERS", "1")
    serial = _sim(e, backend)
    monkeypatch.setenv("DETENTE_WORKERS", "3")
    monkeypatch.setattr(sim_module, "_STATES_PER_TASK", 64)
    assert (_sim(e, backend) == serial).all()
