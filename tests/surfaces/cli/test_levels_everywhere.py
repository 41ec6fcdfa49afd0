"""No internal option name shows: every command on a model with levelled options in every
section (tests/data/levels_deal.yaml), text and JSON, and the report in Markdown and HTML, never
print a thermometer bit such as ``corridor>=reduced`` (model/levels.py), only the options as
written and their level names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import detente
from cli_runner import run

DEAL = Path(__file__).resolve().parents[2] / "data" / "levels_deal.yaml"
#: An internal bit name, also HTML- or JSON-escaped (``corridor&gt;=reduced``).
INTERNAL = re.compile(r"\b(corridor|guarantee)(>=|&gt;=|\\u003e=)\w")

COMMANDS = [
    ("validate",),
    ("show",),
    ("analyze",),
    ("explain", "reduced/Y/partial"),
    ("evolve",),
    ("coalitions", "--all"),
    ("deal",),
    ("deal", "--design"),
    ("mediate",),
    ("robustness",),
    ("hypergame",),
    ("packages",),
    ("drafts",),
    ("brief",),
]


def test_the_model_has_internal_bits_to_hide() -> None:
    c = detente.load(DEAL)
    assert "corridor>=reduced" in c.option_names and "guarantee>=full" in c.option_names
    assert INTERNAL.search("x corridor>=reduced") and INTERNAL.search("guarantee&gt;=full")


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_command_shows_an_internal_option(args: tuple[str, ...], fmt: str) -> None:
    command, *rest = args
    extra = ["--format", "json"] if fmt == "json" else []
    out = run(command, DEAL, *rest, *extra)
    assert out.exit_code == 0, out.output
    said = out.stdout + out.stderr
    assert said.strip()
    assert not INTERNAL.search(said), INTERNAL.search(said)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["md", "html"])
def test_the_report_shows_options_as_written(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"deal.{suffix}"
    out = run("report", DEAL, "-o", target)
    assert out.exit_code == 0, out.output
    text = target.read_text(encoding="utf-8")
    assert not INTERNAL.search(text), INTERNAL.search(text)
    # one column per option as written, cells with level names
    assert "corridor" in text and "guarantee" in text and "reduced" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("explain", "withdraw/N/none"), "impossible: corridor is withdraw and guarantee is none"),
        (("explain", "withdraw/N/nothing"), "option 'guarantee' has no level 'nothing'"),
    ],
)
def test_errors_name_options_as_written(args: tuple[str, ...], says: str) -> None:
    command, *rest = args
    out = run(command, DEAL, *rest)
    assert out.exit_code != 0
    assert says in out.stderr and not INTERNAL.search(out.stderr), out.stderr


def test_validate_counts_options_as_written() -> None:
    out = run("validate", DEAL)
    assert "OK: Corridor deal: 3 options, 3 decision makers, 16 feasible states" in out.stdout
