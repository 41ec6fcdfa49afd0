"""Code quality is part of the test suite: ruff and mypy (strict) must pass on the sources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False,
    )


def test_ruff() -> None:
    result = _run("ruff", "check", "--no-cache", "src", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy() -> None:
    # The files and the strict settings come from [tool.mypy] in pyproject.toml.
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def _setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- setup-commands", 1)[1].split("<!-- /setup-commands -->", 1)[0]
    return [
        line for line in block.splitlines()[1:]
        if line.strip() and not line.startswith(("```", "<!--"))
    ]


def test_readme_gives_exactly_two_setup_commands() -> None:
    install, tests = _setup_commands()  # exactly two
    assert 'pip install -e ".[test]"' in install
    assert tests == ".venv/bin/python -m pytest"


def test_readme_setup_uses_existing_files() -> None:
    for command in _setup_commands():
        for word in command.split():
            if word.startswith("examples/"):
                assert (ROOT / word).is_file(), f"README set-up uses missing {word}"


def test_ci_script_runs_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    text = script.read_text(encoding="utf-8")
    assert script.stat().st_mode & 0o111, ".ci/run must be executable"
    assert "set -euo pipefail" in text
    assert 'pip install --quiet -e ".[test]"' in text
    assert "setup-commands" in text  # it reads the test command from README.md
