"""Shared fixtures and the hypothesis profiles of the test suite.

Profiles (env var ``HYPOTHESIS_PROFILE``, default "ci"):
- "ci": deterministic (derandomize, no example database), each test's own ``max_examples``
  (100 where a test sets none), no deadline;
- "dev": random and with the local example database, ``DEV_SCALE`` times each test's
  ``max_examples``, for hunting bugs before a commit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

DEV_SCALE = 5
"""How many times more examples the "dev" profile runs than "ci"."""

settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                          max_examples=100)
settings.register_profile("dev", derandomize=False, deadline=None,
                          max_examples=100 * DEV_SCALE)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "dev"):
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE={PROFILE!r}: expected 'ci' or 'dev'")
settings.load_profile(PROFILE)


ROOT = Path(__file__).resolve().parents[1]
ALL_SLOW: frozenset[str] = frozenset({
    # every test drives a real browser (chromium through Playwright)
    "tests/surfaces/web/test_web_browser.py",
    "tests/surfaces/web/test_editor_browser.py",
    "tests/surfaces/web/test_web_security_browser.py",
    # property-based requests to every endpoint (schemathesis), one test per endpoint
    "tests/surfaces/web/test_web_schemathesis.py",
    # real `detente serve` processes, killed mid-write and signalled (a start costs seconds)
    "tests/surfaces/web/test_web_server.py",
})
"""Test files with no quick test, each with its reason (tests/test_markers.py checks the list)."""

COLLECT_ALL = "DETENTE_COLLECT_ALL"
"""Set (to anything) to collect the files of :data:`ALL_SLOW` in the quick subset too."""


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The quick subset (``-m "not slow"``) does not import the files of :data:`ALL_SLOW`
    (starting web apps, building schemathesis cases): none of their tests would run. The full
    suite collects them, and test_markers checks there that every test of theirs is slow."""
    if config.getoption("markexpr", "") != "not slow" or os.environ.get(COLLECT_ALL):
        return None
    if collection_path.is_relative_to(ROOT) and (
            collection_path.relative_to(ROOT).as_posix() in ALL_SLOW):
        return True
    return None


SLOW_DOCTESTS = frozenset({
    "detente.analyses.brief.analysis",  # the flagship's whole brief (about a second)
    "detente.surfaces.web.whatif_view",  # a what-if scenario analysed (0.4 s)
})
"""Doctests of src/ (module names) that count as slow: ``-m "not slow"`` leaves them out."""


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the doctests of SLOW_DOCTESTS slow; under "dev", scale every hypothesis test's
    own ``max_examples`` by ``DEV_SCALE``."""
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)
    if PROFILE != "dev":
        return
    done: set[int] = set()  # parametrised items share one function: scale it once
    for item in items:
        obj = getattr(item, "obj", None)
        test = getattr(obj, "__func__", obj)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(own, settings) and id(test) not in done and own is not settings.default:
            done.add(id(test))
            test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
                own, max_examples=own.max_examples * DEV_SCALE)

WriteModel = Callable[..., Path]
"""``write_model(text, name='model.yaml') -> Path``."""


@pytest.fixture
def write_model(tmp_path: Path) -> WriteModel:
    """Write YAML text to ``<tmp>/model.yaml`` and return the path."""

    def write(text: str, name: str = "model.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _no_memory_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without a DETENTE_MAX_MEMORY from the environment; set it where needed."""
    monkeypatch.delenv("DETENTE_MAX_MEMORY", raising=False)
