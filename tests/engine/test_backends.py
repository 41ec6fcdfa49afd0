"""One battery for every registered backend of every concept (as scikit-learn's
``parametrize_with_checks``): registering a backend puts it here.

Each (concept, backend) pair is turned into a (DMs, N) stability table on a conflict and checked
against the reference oracle (random small conflicts and the bundled examples), the inclusion
laws between concepts, renaming/reordering invariance and threads-vs-serial identity. A last test
keeps concept-name tests out of src/ (outside the registry).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import detente
import reference
import reference_unknown
from detente.engine.registry import CONCEPTS, Backend, backends, get_concept
from detente.engine.single import MoveIndex
from detente.model.conflict import Conflict, DecisionMaker, Option
from strategies import conflicts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [ROOT / "examples" / f for f in
            ("prisoners_dilemma.yaml", "chicken.yaml", "elmira.yaml", "cuban_missile_crisis.yaml")]
ALL = backends()
IDS = [f"{b.concept}-{b.kind}-{b.name}" for b in ALL]
_SETTINGS = settings(max_examples=12, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: The quick subset's examples per backend for the random-conflict checks; each has a slow twin
#: (``..._fully``) with the full count of _SETTINGS.
_QUICK = settings(_SETTINGS, max_examples=3)


def table(b: Backend, c: Conflict, ranks: np.ndarray | None = None) -> np.ndarray:
    """(DMs, N) bool: the backend's stability of every state for every DM (under ``ranks``,
    several profiles (P, DMs, N) for the profile backends: then (P, DMs, N))."""
    n = c.n_states
    if b.kind == "states":
        return np.asarray(b.run(c, b.concept))
    if b.kind == "profiles":
        out = np.asarray(b.run(c, c.ranks[None] if ranks is None else ranks, b.concept))
        return out[0] if ranks is None else out
    if b.kind == "local":
        return np.asarray(b.run(c, list(range(n)), b.concept)).T
    assert b.kind == "witness"
    index = MoveIndex(c)
    out = np.ones((len(c.dms), n), dtype=bool)
    for i in range(len(c.dms)):
        for s in range(n):
            out[i, s] = all(b.run(c, b.concept, i, s, int(t)) is not None
                            for t in index.improve(i, s))
    return out


def oracle(c: Conflict, key: str) -> np.ndarray:
    if get_concept(key).unknown is not None:  # unknown preferences: their own reference
        return reference_unknown.table(c, key)
    if get_concept(key).is_probabilistic:  # no declared uncertainty: the classic concept
        key = key.partition("@")[0]  # (uncertain models: tests/engine/test_probabilistic.py)
    return np.array([[reference.stable(c, key, i, int(code)) for code in c.feasible]
                     for i in range(len(c.dms))])


def test_every_concept_has_every_kind_of_backend() -> None:
    for key in CONCEPTS:
        kinds = {b.kind for b in get_concept(key).backends()}
        assert kinds == {"states", "profiles", "local", "witness"}, key


def _matches_the_reference(b: Backend, c: Conflict) -> None:
    np.testing.assert_array_equal(table(b, c), oracle(c, b.concept))


@pytest.mark.parametrize("b", ALL, ids=IDS)
@_QUICK
@given(c=conflicts(max_dms=3, max_options=5))
def test_backend_matches_the_reference(b: Backend, c: Conflict) -> None:
    _matches_the_reference(b, c)


@pytest.mark.slow
@pytest.mark.parametrize("b", ALL, ids=IDS)
@_SETTINGS
@given(c=conflicts(max_dms=3, max_options=5))
def test_backend_matches_the_reference_fully(b: Backend, c: Conflict) -> None:
    _matches_the_reference(b, c)


@pytest.mark.parametrize("b", ALL, ids=IDS)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_backend_matches_the_reference_on_the_examples(b: Backend, path: Path) -> None:
    c = detente.load(path)
    np.testing.assert_array_equal(table(b, c), oracle(c, b.concept))


#: (smaller, larger, both): stable under ``smaller`` implies stable under ``larger``; with
#: ``both``, the conjunction is exactly ``both``.
LAWS = [("nash", "seq"), ("seq", "gmr"), ("nash", "smr"), ("smr", "gmr"), ("nash", "sim"),
        ("seq_sim", "seq"), ("seq_sim", "sim")]


KIND_NAMES = sorted({(b.kind, b.name) for b in ALL})


@pytest.mark.parametrize("kind_name", KIND_NAMES, ids=lambda k: "-".join(k))
@_QUICK
@given(c=conflicts(max_dms=3, max_options=5))
def test_inclusion_laws(kind_name: tuple[str, str], c: Conflict) -> None:
    _inclusion_laws(kind_name, c)


@pytest.mark.slow
@pytest.mark.parametrize("kind_name", KIND_NAMES, ids=lambda k: "-".join(k))
@_SETTINGS
@given(c=conflicts(max_dms=3, max_options=5))
def test_inclusion_laws_fully(kind_name: tuple[str, str], c: Conflict) -> None:
    _inclusion_laws(kind_name, c)


def _inclusion_laws(kind_name: tuple[str, str], c: Conflict) -> None:
    got = {b.concept: table(b, c) for b in ALL if (b.kind, b.name) == kind_name}
    for small, large in LAWS:
        if small in got and large in got:
            assert not (got[small] & ~got[large]).any(), (small, large)
    if {"seq", "sim", "seq_sim"} <= set(got):
        np.testing.assert_array_equal(got["seq_sim"], got["seq"] & got["sim"])


def _reordered(c: Conflict) -> tuple[Conflict, list[int]]:
    """The conflict with its DMs in reverse order and every name changed (options keep their
    order, so states keep their codes); and the old index of each new DM."""
    order = list(range(len(c.dms)))[::-1]
    new_dm = {dm.name: f"X{k}" for k, dm in enumerate(c.dms)}
    new_opt = {o.name: f"q{k}" for k, o in enumerate(c.options)}
    options = tuple(Option(new_opt[o.name], new_dm[o.dm], o.direction) for o in c.options)
    dms = tuple(
        DecisionMaker(new_dm[c.dms[k].name], tuple(new_opt[x] for x in c.dms[k].options),
                      c.dms[k].preference)
        for k in order
    )
    return Conflict("renamed", options, dms, c.constraints), order


def _permutes_the_rows(b: Backend, c: Conflict) -> None:
    other, order = _reordered(c)
    np.testing.assert_array_equal(table(b, other), table(b, c)[order])


@pytest.mark.parametrize("b", ALL, ids=IDS)
@_QUICK
@given(c=conflicts(max_dms=3, max_options=5, infeasible=False))
def test_renaming_and_reordering_dms_permutes_the_rows(b: Backend, c: Conflict) -> None:
    _permutes_the_rows(b, c)


@pytest.mark.slow
@pytest.mark.parametrize("b", ALL, ids=IDS)
@_SETTINGS
@given(c=conflicts(max_dms=3, max_options=5, infeasible=False))
def test_renaming_and_reordering_dms_permutes_the_rows_fully(b: Backend, c: Conflict) -> None:
    _permutes_the_rows(b, c)


@pytest.mark.parametrize("b", [b for b in ALL if b.kind in ("states", "profiles")],
                         ids=[i for b, i in zip(ALL, IDS, strict=True)
                              if b.kind in ("states", "profiles")])
def test_threads_and_serial_agree(b: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    c = detente.load(ROOT / "examples" / "elmira.yaml")
    rng = np.random.default_rng(5)
    ranks = np.stack([c.ranks] + [rng.permuted(c.ranks, axis=1) for _ in range(9)])

    def run() -> np.ndarray:
        return table(b, c, ranks) if b.kind == "profiles" else table(b, c)

    monkeypatch.setenv("DETENTE_WORKERS", "1")
    serial = run()
    monkeypatch.setenv("DETENTE_WORKERS", "4")
    np.testing.assert_array_equal(run(), serial)


def test_a_new_backend_joins_the_battery() -> None:
    from detente.engine import registry

    seen: list[str] = []

    @registry.register_backend("nash", "states", "probe")
    def probe(c: Conflict, key: str) -> np.ndarray:
        seen.append(key)
        return np.zeros((len(c.dms), c.n_states), dtype=bool)

    try:
        (found,) = [b for b in backends("nash", "states") if b.name == "probe"]
        c = detente.load(EXAMPLES[0])
        assert not np.array_equal(table(found, c), oracle(c, "nash"))  # the battery would fail
        assert seen == ["nash"]
    finally:
        del registry._REGISTERED[("nash", "states", "probe")]


# ---- no concept-name tests outside the registry ------------------------------------------
_KEY = r"""["'](?:nash|gmr|smr|seq|sim|seq_sim)["']"""
_PATTERNS = [
    re.compile(rf"(?:==|!=)\s*{_KEY}"),
    re.compile(rf"{_KEY}\s*(?:==|!=)"),
    re.compile(rf"{_KEY}\s+(?:not\s+)?in\b"),
    re.compile(rf"\bin\s*[(\[{{]\s*{_KEY}"),
    re.compile(rf"{{\s*{_KEY}[^}}]*}}\s*(?:&|\||>=|<=|-)"),
    re.compile(rf"(?:&|\||>=|<=)\s*{{\s*{_KEY}"),
]
#: Allowed concept-name tests outside the registry (file -> how many): none. A module reads
#: the concept's data instead (``Concept.deterrable``, ``.rule``, ``.parts``, ``.unless``,
#: ``BASELINE_KEY``); the test fails on any new one.
KNOWN: dict[str, int] = {}


def _concept_tests() -> dict[str, int]:
    src = ROOT / "src" / "detente"
    found: dict[str, int] = {}
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".py", ".html") or path.name == "registry.py":
            continue
        hits = sum(
            1 for line in path.read_text(encoding="utf-8").splitlines()
            if any(p.search(line) for p in _PATTERNS)
        )
        if hits:
            found[path.relative_to(src).as_posix()] = hits
    return found


def test_no_module_outside_the_registry_branches_on_a_concept_name() -> None:
    found = _concept_tests()
    new = {f: n for f, n in found.items() if n > KNOWN.get(f, 0)}
    assert not new, f"concept-name tests outside engine/registry.py (use the concept's data): {new}"
    gone = {f: n for f, n in KNOWN.items() if found.get(f, 0) < n}
    assert not gone, f"fewer concept-name tests than allowed, lower KNOWN: {gone}"


@pytest.mark.parametrize("line", [
    'if key == "sim":', 'if "seq" in need:', 'x in ("nash", "gmr")', 'keys & {"sim", "seq_sim"}',
    # the forms removed from analyses/ and surfaces/ (issue 17)
    '    if v.concept == "nash":', '{% if key != "nash" and c.improvements %}',
    'concepts = [x for x in ("nash", "gmr", "smr", "seq", "sim") if x in asked]',
    'if {"seq", "seq_sim"} & set(concepts) and "gmr" not in pre:',
    'improving=kind == "seq", smr=kind == "smr"', 'if "nash" in result:',
])
def test_the_concept_name_check_sees(line: str) -> None:
    check: Callable[[str], bool] = lambda s: any(p.search(s) for p in _PATTERNS)  # noqa: E731
    assert check(line)


@pytest.mark.parametrize("line", [
    "if not get_concept(k).deterrable:", "nash = result.equilibria(BASELINE_KEY)",
    'e.stable("A", "nash"), e.stable("A", "gmr")', 'analyze(model, ["nash"])',
])
def test_the_concept_name_check_lets_data_and_calls_pass(line: str) -> None:
    assert not any(p.search(line) for p in _PATTERNS)
