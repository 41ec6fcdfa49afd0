"""The one SIM definition (engine/simultaneous_core.py): its enumeration by hand, the plain
Python core against the compiled kernels and the reference, the witness's response checked by
brute force, and no second definition in the modules that run SIM."""

from __future__ import annotations

import re
from itertools import combinations, product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
import reference
from detente.engine import Engine
from detente.engine.simultaneous_core import next_response
from detente.engine.simultaneous_grid import SimSlices
from detente.engine.single import MoveIndex
from detente.engine.witness import SanctionSearch
from detente.model.conflict import Conflict
from strategies import conflicts

ENGINE = Path(__file__).resolve().parents[2] / "src" / "detente" / "engine"
_SETTINGS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _responses(counts: list[int]) -> list[list[tuple[int, int]]]:
    """Every response in the core's order, as (mover index, choice) lists."""
    k = len(counts)
    count = np.array(counts, dtype=np.int64)
    movers = np.arange(k, dtype=np.int64)
    pick = np.zeros(k, dtype=np.int64)
    digits = np.zeros(k, dtype=np.int64)
    out = []
    size = next_response(k, count, movers, pick, digits, 0)
    while size:
        out.append([(int(pick[m]), int(digits[m])) for m in range(size)])
        size = next_response(k, count, movers, pick, digits, size)
    return out


def test_responses_by_hand() -> None:
    """Movers A (two UIs), B and C (one each): the singles, then pairs, then all three."""
    assert _responses([2, 1, 1]) == [
        [(0, 0)],
        [(0, 1)],
        [(1, 0)],
        [(2, 0)],
        [(0, 0), (1, 0)],
        [(0, 1), (1, 0)],
        [(0, 0), (2, 0)],
        [(0, 1), (2, 0)],
        [(1, 0), (2, 0)],
        [(0, 0), (1, 0), (2, 0)],
        [(0, 1), (1, 0), (2, 0)],
    ]
    assert _responses([]) == []


@pytest.mark.slow
@given(counts=st.lists(st.integers(1, 3), max_size=4))
def test_responses_are_every_nonempty_response_once_fewest_movers_first(
    counts: list[int],
) -> None:
    got = _responses(counts)
    want = [
        list(zip(sub, choice, strict=True))
        for size in range(1, len(counts) + 1)
        for sub in combinations(range(len(counts)), size)
        for choice in product(*(range(counts[m]) for m in sub))
    ]
    assert got == want


def _python_sim(e: Engine, i: int) -> np.ndarray:
    """SIM of DM i through the compiled kernel's loop as Python: the core's plain functions."""
    from detente.engine.simultaneous_kernel import _sim_loop, sim_scratch

    grid = e.sim_grid
    utils = tuple(np.ascontiguousarray(u, dtype=np.float64) for u in e.utilities)
    slices = SimSlices.build(grid, utils[i], i)
    out = e.stable_for("nash", i).copy()
    lays = grid.layouts
    _sim_loop.py_func(
        i,
        np.flatnonzero(~out),
        grid.codes,
        grid.table,
        utils,
        tuple(x.group for x in lays),
        tuple(x.local for x in lays),
        grid.cells,
        grid.width,
        grid.fwd,
        grid.back,
        grid.masks,
        grid.unpack,
        grid.free,
        slices.start,
        slices.states,
        slices.u,
        out,
        0,
        *sim_scratch(i, grid.width),
    )
    return out


@pytest.mark.slow
@_SETTINGS
@given(c=conflicts(max_dms=3, max_options=5))
def test_the_plain_core_is_the_compiled_core_and_the_reference(c: Conflict) -> None:
    e = Engine(c)
    compiled = e.stable("sim")
    for i in range(len(c.dms)):
        want = [reference.stable(c, "sim", i, int(code)) for code in c.feasible]
        assert _python_sim(e, i).tolist() == want
        assert compiled[i].tolist() == want


@_SETTINGS
@given(c=conflicts(max_dms=3, max_options=5))
def test_the_witness_response_sanctions_with_the_fewest_movers(c: Conflict) -> None:
    search = SanctionSearch(c)
    idx, ranks, feasible = search.index, c.ranks, c.feasible
    for i in range(len(c.dms)):
        for s in range(c.n_states):
            for s1 in idx.improve(i, s).tolist():
                found = search.simultaneous(i, s, s1)
                sizes = [n for n in range(1, len(c.dms)) if _sanction_of_size(c, idx, i, s, s1, n)]
                if not sizes:
                    assert found is None
                    continue
                assert found is not None and len(found) == min(sizes)
                code = int(feasible[s1])
                for j, t in found:
                    assert t in idx.improve(j, s).tolist()
                    mask = int(c.dm_masks[j])
                    code = (code & ~mask) | (int(feasible[t]) & mask)
                assert c.is_feasible(code)
                assert ranks[i, int(c.index_of(code)[0])] <= ranks[i, s]


def _sanction_of_size(c: Conflict, idx: MoveIndex, i: int, s: int, s1: int, n: int) -> bool:
    """Brute force: does some response of exactly ``n`` movers sanction i's UI s -> s1?"""
    others = [j for j in range(len(c.dms)) if j != i]
    for sub in combinations(others, n):
        for pick in product(*(idx.improve(j, s).tolist() for j in sub)):
            code = int(c.feasible[s1])
            for j, t in zip(sub, pick, strict=True):
                mask = int(c.dm_masks[j])
                code = (code & ~mask) | (int(c.feasible[t]) & mask)
            if c.is_feasible(code) and c.ranks[i, int(c.index_of(code)[0])] <= c.ranks[i, s]:
                return True
    return False


def test_the_examples_witness_agrees_with_the_engine() -> None:
    c = detente.load(Path(__file__).resolve().parents[2] / "examples" / "elmira.yaml")
    sim = Engine(c).stable("sim")
    search = SanctionSearch(c)
    for i in range(len(c.dms)):
        for s in range(c.n_states):
            deterred = all(
                search.simultaneous(i, s, int(t)) is not None for t in search.index.improve(i, s)
            )
            assert deterred == bool(sim[i, s])


#: The modules that run SIM, and the core functions each must call.
_VARIANTS = {
    "simultaneous_kernel.py": ("state_sanctioned",),
    "profile_kernels.py": ("state_sanctioned",),
    "simultaneous_numpy.py": ("outcome", "sanctions", "scan_candidates", "unsanctionable"),
    "witness.py": ("first_response",),
    "local_checks.py": ("next_response", "outcome"),
}
#: A joint outcome built by hand (``(code & ~mask) | bits``) or a product of responses.
_SECOND_DEFINITION = re.compile(r"&\s*~\s*\w*mask|\bproduct\(|\bcombinations\(")


def test_no_second_sim_definition() -> None:
    """Every SIM variant calls the core, and none builds joint outcomes or enumerates
    responses itself (the test fails when a second definition reappears)."""
    for name, calls in _VARIANTS.items():
        text = (ENGINE / name).read_text(encoding="utf-8")
        for fn in calls:
            assert re.search(rf"\b{fn}\(", text), (name, fn)
        assert "simultaneous_core import" in text, name
        code = "\n".join(line.split("#")[0] for line in text.splitlines())
        assert not _SECOND_DEFINITION.search(code), (name, _SECOND_DEFINITION.findall(code))


def test_the_second_definition_check_sees() -> None:
    for line in (
        "joint = (joint & ~masks[j]) | bits",
        "for combo in product(*choices):",
        "for sub in combinations(choices, k):",
        "x = (base & ~mask) | y",
    ):
        assert _SECOND_DEFINITION.search(line), line


@pytest.mark.slow
def test_compiled_loops_are_cached_under_the_core_they_compile_in() -> None:
    """numba's disk cache checks a loop's own file only: the loops that compile the core in
    are keyed by its source too, so an edit of the core is never run from an old cache."""
    import hashlib

    from detente.engine import compiled, profile_kernels, simultaneous_core, simultaneous_kernel

    sources = Path(simultaneous_core.__file__).read_bytes() + Path(compiled.__file__).read_bytes()
    for loop in (simultaneous_kernel._sim_loop, profile_kernels.profile_pass,
                 profile_kernels.improving_reach):
        key = loop._cache._index_key((), loop.targetctx.codegen())
        assert key[-1] == hashlib.sha256(sources).hexdigest()
