"""The quick subset (`pytest -m "not slow"`) stays meaningful and the plain command stays whole.

The quick run collects tests from every tests/<layer>/ folder and from every test file but the
few whose every test is slow (conftest's ALL_SLOW, which the quick run does not even import),
so it cannot silently become empty; `-m` is never in addopts, so README's
`.venv/bin/python -m pytest` still runs everything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conftest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
ALL_SLOW = conftest.ALL_SLOW


def _test_files() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in TESTS.rglob("test_*.py")}


def _subprocess_counts() -> dict[str, int]:
    """``{test file: number of tests}`` that `pytest -m "not slow" tests` collects (~10 s)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-qq", "-o", "addopts=",
         "-p", "no:cacheprovider", "-m", "not slow", "tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, conftest.COLLECT_ALL: "1"},  # the files of ALL_SLOW too
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    counts = {}
    for line in result.stdout.splitlines():
        match = re.fullmatch(r"(tests/\S+\.py): (\d+)", line.strip())
        if match:
            counts[match[1]] = int(match[2])
    return counts


def _session_counts(session: pytest.Session) -> dict[str, int] | None:
    """The same from this run's own items, when this run collected all of tests/ unfiltered
    (the plain command or the quick one); ``None`` otherwise."""
    config = session.config
    args = {Path(a.split("::")[0]).resolve() for a in config.args}
    if config.option.keyword or not args & {ROOT, TESTS}:
        return None
    counts: dict[str, int] = {}
    for item in session.items:
        if item.get_closest_marker("slow") is None and item.path.is_relative_to(TESTS):
            rel = item.path.relative_to(ROOT).as_posix()
            counts[rel] = counts.get(rel, 0) + 1
    return counts


@pytest.fixture(scope="module")
def quick(request: pytest.FixtureRequest) -> dict[str, int]:
    """Tests per file in the quick subset: from this run when it collected everything (free),
    else from a `--collect-only` subprocess."""
    found = _session_counts(request.session)
    return found if found is not None else _subprocess_counts()


def test_quick_subset_covers_every_layer_folder(quick: dict[str, int]) -> None:
    layers = {Path(f).parent.as_posix() for f in _test_files()} - {"tests"}
    assert layers, "no tests/<layer>/ folders found"
    covered = {Path(f).parent.as_posix() for f, n in quick.items() if n > 0}
    assert not layers - covered, f"the quick subset has no test from {sorted(layers - covered)}"


def test_quick_subset_covers_every_test_file_but_the_listed_ones(
    quick: dict[str, int],
) -> None:
    missing = _test_files() - set(quick) - ALL_SLOW
    assert not missing, f"every test of {sorted(missing)} is slow: keep a quick one or list it"
    assert not ALL_SLOW & set(quick), "a file in ALL_SLOW has quick tests now: unlist it"
    assert sum(quick.values()) > 500, quick


def test_the_quick_subset_skips_importing_only_the_all_slow_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``-m "not slow"`` ignores the files of ALL_SLOW (and no other); the full run, another
    marker expression or DETENTE_COLLECT_ALL collect them."""
    monkeypatch.delenv(conftest.COLLECT_ALL, raising=False)

    def ignored(path: str, markexpr: str) -> bool | None:
        config = SimpleNamespace(getoption=lambda name, default=None: markexpr)
        return conftest.pytest_ignore_collect(ROOT / path, config)  # type: ignore[arg-type]

    assert ALL_SLOW and all(ignored(f, "not slow") for f in ALL_SLOW)
    quick_files = sorted(_test_files() - ALL_SLOW)
    assert quick_files and not any(ignored(f, "not slow") for f in quick_files)
    assert not any(ignored(f, m) for f in ALL_SLOW for m in ("", "slow", "not web"))
    monkeypatch.setenv(conftest.COLLECT_ALL, "1")
    assert not any(ignored(f, "not slow") for f in ALL_SLOW)


def test_the_slow_doctests_are_modules_with_doctests() -> None:
    """conftest's SLOW_DOCTESTS names modules of src/ that hold a doctest (not stale names)."""
    import importlib
    import inspect

    assert conftest.SLOW_DOCTESTS
    for name in conftest.SLOW_DOCTESTS:
        assert ">>> " in inspect.getsource(importlib.import_module(name)), name


def test_slow_marker_is_registered_and_not_deselected_by_default(
    pytestconfig: pytest.Config,
) -> None:
    assert any(m.startswith("slow:") for m in pytestconfig.getini("markers"))
    with (ROOT / "pyproject.toml").open("rb") as f:
        addopts = tomllib.load(f)["tool"]["pytest"]["ini_options"]["addopts"]
    assert "-m" not in addopts.split(), "README's plain `pytest` must run the slow tests too"


# ----- hypothesis profiles (tests/conftest.py) --------------------------------------------------
def test_ci_profile_is_deterministic_and_the_default() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    dev = settings.get_profile("dev")
    assert not dev.derandomize and dev.max_examples == conftest.DEV_SCALE * ci.max_examples
    assert settings.get_current_profile_name() == os.environ.get("HYPOTHESIS_PROFILE", "ci")


def test_dev_profile_scales_each_tests_own_examples_once(monkeypatch: pytest.MonkeyPatch) -> None:
    @settings(max_examples=7)
    @given(st.integers())
    def own(x: int) -> None: ...

    @given(st.integers())
    def plain(x: int) -> None: ...

    monkeypatch.setattr(conftest, "PROFILE", "dev")
    items = [SimpleNamespace(obj=own), SimpleNamespace(obj=own), SimpleNamespace(obj=plain)]
    conftest.pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert own._hypothesis_internal_use_settings.max_examples == 7 * conftest.DEV_SCALE
    assert plain._hypothesis_internal_use_settings is settings.default  # the profile's own


@pytest.mark.slow
def test_an_unknown_profile_is_refused_by_name() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "tests/model/test_limits.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "HYPOTHESIS_PROFILE": "fast"},
    )
    assert result.returncode != 0
    assert "HYPOTHESIS_PROFILE='fast': expected 'ci' or 'dev'" in result.stdout + result.stderr
