"""Loading the repository's scripts (docs/scripts/, benchmarks/) in tests, comparing the text
they print with a page's, whitespace folded, and rerunning a page's console blocks."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """The script at ``relative`` (from the repository root) as a module, without running its
    ``__main__`` block."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem + "_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def flat(text: str) -> str:
    """``text`` with every run of whitespace as one space (a page's wrapped lines)."""
    return re.sub(r"\s+", " ", text)


def console_blocks(page: str) -> list[tuple[list[str], list[str]]]:
    """A page's ```console blocks (indented or not): each block's ``detente`` arguments and
    the output lines it shows."""
    blocks = []
    for match in re.finditer(r"^( *)```console\n(.*?)^\1```", page, re.S | re.M):
        indent = len(match.group(1))
        lines = [line[indent:] for line in match.group(2).splitlines()]
        assert lines[0].startswith("$ detente ")
        blocks.append((lines[0][len("$ detente ") :].split(), lines[1:]))
    return blocks


def check_console_block(args: list[str], want: list[str]) -> None:
    """Run ``detente ARGS`` (a repository path under examples/ made absolute) and assert it
    prints exactly the block's lines (trailing spaces aside)."""
    from cli_runner import run

    res = run(*[ROOT / a if a.startswith("examples/") else a for a in args])
    assert res.exit_code == 0, res.stderr
    got = [line.rstrip() for line in res.stdout.strip().splitlines()]
    assert got == [line.rstrip() for line in "\n".join(want).strip().splitlines()]
