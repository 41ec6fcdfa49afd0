"""Every command's help ends with an example (``EXAMPLE``, its epilog): each example is a
command line that command takes, on a file in the repository (``model.yaml`` and the files a
command writes are placeholders), and each one that reads a repository file and writes none
runs without error."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest
import typer

from cli_runner import run
from detente.surfaces.cli.app import COMMANDS, app

ROOT = Path(__file__).resolve().parents[3]
#: Placeholder model files in the examples (not in the repository).
PLACEHOLDERS = {"model.yaml"}


def _examples() -> list[tuple[str, list[str]]]:
    out = []
    for name in COMMANDS:
        text = importlib.import_module(f"detente.surfaces.cli.commands.{name}").EXAMPLE
        found = re.findall(r"`detente ([^`]*)`", text)
        assert found, f"{name}: no `detente ...` example in {text!r}"
        out += [(name, shlex.split(line)) for line in found]
    return out


EXAMPLES = _examples()
#: The examples that read a repository file and write none.
RUNNABLE = [(name, args) for name, args in EXAMPLES
            if not {"-o", "--output"} & set(args) and name not in ("convert", "serve")
            and any((ROOT / a).is_file() for a in args)]


def _ids(examples: list[tuple[str, list[str]]]) -> list[str]:
    return [" ".join(args) for _, args in examples]


@pytest.mark.parametrize(("name", "args"), EXAMPLES, ids=_ids(EXAMPLES))
def test_each_help_example_is_a_command_line_its_command_takes(name: str,
                                                               args: list[str]) -> None:
    assert args[0] == name
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    with command.make_context(name, args[1:], resilient_parsing=False) as ctx:
        model = ctx.params.get("file", ctx.params.get("source"))  # the model file read
    if model is not None and str(model) not in PLACEHOLDERS:
        assert (ROOT / model).is_file(), model


def test_the_analysis_examples_read_repository_files() -> None:
    """The examples run below cover every analysis command."""
    assert {n for n, _ in RUNNABLE} >= {"analyze", "brief", "coalitions", "deal", "drafts",
                                        "evolve", "explain", "hypergame", "mediate",
                                        "packages", "robustness", "show", "validate"}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "args"), RUNNABLE, ids=_ids(RUNNABLE))
def test_each_help_example_runs(name: str, args: list[str]) -> None:
    result = run(*[ROOT / a if (ROOT / a).is_file() else a for a in args])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() and "Traceback" not in result.output
