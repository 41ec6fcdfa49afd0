"""Fuzz: mutated model files never crash or hang detente.

A seeded mutation loop over the bundled examples (YAML) and the .gmcr test files (JSON): text
mutations (cut, repeat, swap, insert odd characters and YAML tags, deep nesting, aliases) and,
for JSON, value mutations of the parsed document (wrong types, huge or odd numbers, lone
surrogates, empty and repeated names). Each input is loaded; what loads is then written in both
formats and analysed. Anything but detente's own errors (DetenteError) fails the test, and so
does any case that takes longer than ``CASE_SECONDS``. A sample of the cases also goes through
the command line, which must exit with 0 or 2, never 1 with a traceback.

The seed and case counts are fixed, so a failure is reproducible: the message gives the case.
"""

from __future__ import annotations

import copy
import json
import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run
from detente import analyze
from detente.formats.gmcr import dumps_gmcr, loads_gmcr
from detente.formats.native import dumps, loads
from detente.model.conflict import Conflict
from detente.model.errors import DetenteError

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted((ROOT / "examples").glob("*.yaml"))
GMCR_FILES = sorted(p for p in (ROOT / "tests" / "data" / "gmcr").glob("*.gmcr"))
SEED = 20241129
YAML_CASES = 1500
JSON_CASES = 1500
CLI_CASES = 60
CASE_SECONDS = 10.0

_ODD = [
    "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "²", "①", "٣", "\U0001f600",
    "!!float abc", "!!bool maybe", "!!timestamp 2020-13-45", "!!int x", "!!binary ###",
    "!!python/object:os.system", "!foo", "&a", "*a", "*nope", "<<: *a", "? ", "{", "}", "[",
    "]", ":", "- ", "#", "'", '"', "\t", "\n", "  ", "~", "null", "yes", "1e999", "-0",
    "9" * 30, "not " * 200, " and a" * 300, "(" * 50, ")" * 50, " iff x" * 14,
]


class Hang(Exception):
    """A case ran past CASE_SECONDS."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ----- mutations ------------------------------------------------------------------------------
def mutate_text(text: str, rnd: random.Random) -> str:
    """One to three random text edits."""
    for _ in range(rnd.randint(1, 3)):
        n = len(text)
        i = rnd.randrange(n + 1)
        j = min(n, i + rnd.randint(0, 40))
        kind = rnd.randrange(8)
        if kind == 0:  # cut a span
            text = text[:i] + text[j:]
        elif kind == 1:  # repeat a span
            text = text[:j] + text[i:j] + text[j:]
        elif kind == 2:  # insert something odd
            text = text[:i] + rnd.choice(_ODD) + text[i:]
        elif kind == 3:  # swap two lines
            lines = text.split("\n")
            a, b = rnd.randrange(len(lines)), rnd.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif kind == 4:  # replace a value after a colon
            k = text.find(": ", i)
            if k >= 0:
                end = text.find("\n", k)
                end = len(text) if end < 0 else end
                text = text[: k + 2] + rnd.choice(_ODD) + text[end:]
        elif kind == 5:  # deep nesting
            depth = rnd.choice([40, 400, 2000])
            text = text[:i] + "[" * depth + "]" * depth + text[i:]
        elif kind == 6:  # a random byte-ish character
            text = text[:i] + chr(rnd.choice([rnd.randrange(32), rnd.randrange(0x80, 0x3000)])) \
                + text[i:]
        else:  # drop a line
            lines = text.split("\n")
            del lines[rnd.randrange(len(lines))]
            text = "\n".join(lines)
    return text


_VALUES: list[Callable[[random.Random], Any]] = [
    lambda r: None, lambda r: True, lambda r: -1, lambda r: 0, lambda r: 10**30,
    lambda r: 1.5, lambda r: float("1e308"), lambda r: "", lambda r: " A ", lambda r: "\ud800",
    lambda r: "Y", lambda r: "N", lambda r: "x" * 5000, lambda r: [], lambda r: {},
    lambda r: [[0, "Y"]], lambda r: {"compound": True, "members": []}, lambda r: [0, 1, 2],
    lambda r: r.randint(-3, 40), lambda r: "²", lambda r: [[[[[[[]]]]]]],
]


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(doc, list):
        for k, v in enumerate(doc):
            yield from _nodes(v, (*path, k))


def mutate_json(doc: Any, rnd: random.Random) -> Any:
    """Replace, drop or duplicate a random node of a parsed document."""
    doc = copy.deepcopy(doc)
    for _ in range(rnd.choice([1, 1, 2, 3])):
        paths = [p for p in _nodes(doc) if p]
        if not paths:
            return doc
        path = rnd.choice(paths)
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        kind = rnd.randrange(4)
        if kind == 0 and isinstance(parent, list):
            del parent[last]
        elif kind == 1 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif kind == 2 and isinstance(parent, dict) and rnd.random() < 0.5:
            del parent[last]
        else:
            parent[last] = rnd.choice(_VALUES)(rnd)
    return doc


# ----- what is done with an input ---------------------------------------------------------------
def exercise(c: Conflict) -> None:
    """What every command does with a loaded model: name its states, write it, analyse it."""
    c.state_string(int(c.feasible[-1]))
    dumps(c)
    with suppress(DetenteError):
        dumps_gmcr(c)
    if c.n_states <= 4096:
        analyze(c, ["nash", "gmr", "seq", "sim"]).to_dict()


def check(load: Callable[[str], Conflict], text: str, case: str) -> None:
    try:
        with deadline(CASE_SECONDS):
            try:
                exercise(load(text))
            except DetenteError as exc:
                str(exc)  # the message itself must not fail
    except Hang:
        pytest.fail(f"{case}: hang (> {CASE_SECONDS} s) on input {text[:300]!r}")
    except Exception as exc:
        pytest.fail(f"{case}: {type(exc).__name__}: {exc} on input {text[:300]!r}")


def _cases(kind: str, count: int) -> Iterator[tuple[str, str]]:
    rnd = random.Random(f"{SEED}-{kind}")
    files = YAML_FILES if kind == "yaml" else GMCR_FILES
    texts = [p.read_text(encoding="utf-8") for p in files]
    docs = [json.loads(t) for t in texts] if kind == "json" else []
    for k in range(count):
        f = rnd.randrange(len(files))
        if kind == "json" and rnd.random() < 0.6:
            text = json.dumps(mutate_json(docs[f], rnd))
        else:
            text = mutate_text(texts[f], rnd)
        yield f"{kind} case {k} (from {files[f].name}, seed {SEED})", text


def test_fuzz_yaml_models() -> None:
    for case, text in _cases("yaml", YAML_CASES):
        check(lambda t: loads(t, source="fuzz.yaml"), text, case)


def test_fuzz_gmcr_models() -> None:
    for case, text in _cases("json", JSON_CASES):
        check(lambda t: loads_gmcr(t, source="fuzz.gmcr"), text, case)


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_fuzz_command_line(kind: str, tmp_path: Path) -> None:
    """The command line exits 0 or 2 on every input: never a traceback (exit 1)."""
    suffix = ".yaml" if kind == "yaml" else ".gmcr"
    commands = [["validate"], ["show"], ["analyze", "--format", "json"]]
    for k, (case, text) in enumerate(_cases(kind, CLI_CASES)):
        path = tmp_path / f"m{k}{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        args = commands[k % len(commands)]
        with deadline(CASE_SECONDS):
            result = run(args[0], path, *args[1:])
        assert result.exit_code in (0, 2), (
            f"{case}: detente {' '.join(args)} exited {result.exit_code}: "
            f"{result.exception!r} on input {text[:300]!r}"
        )
