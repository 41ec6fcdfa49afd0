"""Fuzz: mutated model files never crash, hang or blow up detente, in any command.

Two kinds of pass, both seeded so a failure is reproducible (the message gives the seed, the
case and the file the input was written to):

* the text-level loops: the bundled examples (YAML) and the .gmcr test files (JSON) mutated as
  text (cut, repeat, swap, odd characters, YAML tags, deep nesting, aliases) and, for JSON, as
  values; each input is loaded, written in both formats and, when small, analysed; a sample
  goes through the command line (exit 0 or 2, never 1);
* the structure-aware pass (``tests/fuzzing.py``): every section of the model file, read from
  ``ModelSpec``, mutated at the data level on synthetic seeds that hold every field and on the
  examples, then every command run on each case in a child process with a time and a memory
  budget per command. ``benchmarks/bench_fuzz.py`` runs the same pass for longer.

Anything but detente's own errors (DetenteError) fails.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

import fuzzing
from cli_runner import run
from detente import analyze
from detente.formats.gmcr import dumps_gmcr, loads_gmcr
from detente.formats.native import dumps, loads
from detente.formats.spec import ModelSpec
from detente.model.conflict import Conflict
from detente.model.errors import DetenteError, ModelError

SEED = 20241129
YAML_CASES = 1500
JSON_CASES = 1500
CLI_CASES = 60
CASE_SECONDS = 10.0
#: Text-mutated models analysed in the text-level loop: at most this many states (the
#: structure-aware pass runs every command, and the benchmark the flagship's mutations).
ANALYSED_STATES = 64
#: The structure-aware short pass: cases, budget per command, in-process CLI every n-th case.
PASS_SEED = 20261206
PASS_CASES = 40
PASS_BUDGET = fuzzing.Budget(seconds=10.0, megabytes=512.0)
REAL_CLI_CASES = 3


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


# ----- text-level loops -------------------------------------------------------------------------
def exercise(c: Conflict) -> None:
    """What every command does with a loaded model: name its states, write it, analyse it."""
    c.state_string(int(c.feasible[-1]))
    dumps(c)
    with suppress(DetenteError):
        dumps_gmcr(c)
    if c.n_states <= ANALYSED_STATES:
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
    files = fuzzing.EXAMPLES if kind == "yaml" else fuzzing.GMCR_FILES
    texts = [p.read_text(encoding="utf-8") for p in files]
    docs = [json.loads(t) for t in texts] if kind == "json" else []
    for k in range(count):
        f = rnd.randrange(len(files))
        if kind == "json" and rnd.random() < 0.6:
            text = json.dumps(fuzzing.mutate_json(docs[f], rnd))
        else:
            text = fuzzing.mutate_text(texts[f], rnd)
        yield f"{kind} case {k} (from {files[f].name}, seed {SEED})", text


@pytest.mark.slow
def test_fuzz_yaml_models() -> None:
    for case, text in _cases("yaml", YAML_CASES):
        check(lambda t: loads(t, source="fuzz.yaml"), text, case)


@pytest.mark.slow
def test_fuzz_gmcr_models() -> None:
    for case, text in _cases("json", JSON_CASES):
        check(lambda t: loads_gmcr(t, source="fuzz.gmcr"), text, case)


@pytest.mark.slow
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


# ----- the structure-aware fuzzer: its seeds and mutations --------------------------------------
def test_synthetic_seeds_fill_every_field_of_the_spec() -> None:
    """Every field of every part of ModelSpec is in a synthetic seed, so each is mutated from a
    valid value (a field added to the spec fails here until a seed holds it)."""
    filled: set[str] = set()
    for make in fuzzing.SYNTHETIC_SEEDS.values():
        filled |= fuzzing.doc_fields(make())
    assert fuzzing.spec_fields() - filled == set()
    assert "PhaseSpec.set" in filled and "StatementGroupSpec.unknown_order" in filled


@pytest.mark.slow
def test_every_section_of_the_spec_is_mutated() -> None:
    """The sections come from ModelSpec: the short pass mutates every top-level field, and a
    section missing from a seed is generated from its type."""
    pool = fuzzing.seeds(large=False)
    mutated: set[str] = set()
    for case in fuzzing.cases(PASS_SEED, PASS_CASES, pool):
        mutated |= case.sections
    assert mutated == set(ModelSpec.model_fields)
    plain = {"name": "m", "decision_makers": fuzzing.synthetic_small()["decision_makers"]}
    for section in ModelSpec.model_fields:
        doc, done = fuzzing.mutate_doc(plain, random.Random(section), [section])
        assert [m.section for m in done] == [section] * len(done)
        assert doc != plain, section


def test_mutations_cover_the_attacks() -> None:
    """The operations include the inputs that broke detente before: broad patterns, long lists
    (many phases, big unknown_order groups), NaN, odd names, aliases, deep nesting."""
    ops: set[str] = set()
    rnd = random.Random(1)
    doc = fuzzing.synthetic_full()
    for _ in range(400):
        _, done = fuzzing.mutate_doc(doc, rnd)
        ops |= {m.op.split(" (")[0] for m in done}
    assert {"state pattern", "long list", "odd number", "odd name", "alias", "alias bomb",
            "deep nesting", "drop", "duplicate", "swap", "empty", "generate"} <= ops
    text = fuzzing.dump_doc(fuzzing.mutate_doc(doc, random.Random(3), ["deal"])[0])
    assert fuzzing.load_doc(text) is not None


def test_generated_values_follow_exactly_one_of() -> None:
    """Values generated from the spec honour its "exactly one of" rules, so generated
    sections often load."""
    rnd = random.Random(0)
    voc = fuzzing.Vocabulary(["a", "b"], ["A", "B"])
    phases = [fuzzing.generate(ModelSpec.model_fields["deal"].annotation, voc, rnd)
              for _ in range(50)]
    ones = [sum(k in p for k in ("state", "set")) == 1 for d in phases if isinstance(d, dict)
            for p in d.get("phases", [])]
    assert ones and sum(ones) / len(ones) > 0.8


# ----- the runner: its budgets and checks -------------------------------------------------------
def _fake(name: str, fn: Callable[[], Any]) -> fuzzing.Command:
    return fuzzing.Command(name, lambda c, ctx: fn(), lambda ctx: [name])


def _sleep() -> None:
    time.sleep(30)


def _allocate() -> int:
    block = bytearray(300 * 2**20)
    block[:: 4096] = b"x" * len(block[:: 4096])
    return len(block)


def _raise(exc: BaseException) -> Callable[[], Any]:
    def fn() -> Any:
        raise exc

    return fn


@pytest.mark.slow
def test_runner_fails_crashes_hangs_memory_and_nan(tmp_path: Path) -> None:
    """What the runner counts as a failure: another exception, NaN in JSON, a command past its
    time or memory budget (killed when it does not return), a process that dies; the commands
    after a killed one still run."""
    seed = fuzzing.seeds(large=False)[1]
    case = fuzzing.Case(0, 0, seed.name, seed.suffix, seed.text)
    commands = [
        _fake("ok", lambda: {"x": 1}),
        _fake("refused", _raise(ModelError("too big"))),
        _fake("crash", _raise(KeyError("boom"))),
        _fake("nan", lambda: {"p": math.nan}),
        _fake("memory", _allocate),
        _fake("hang", _sleep),
        _fake("after", lambda: {"y": 2}),
    ]
    budget = fuzzing.Budget(seconds=2.0, megabytes=100.0)
    out = {o.command: o for o in fuzzing.run_case(case, budget, tmp_path, commands=commands)}
    assert [out[k].status for k in ("load", "ok", "refused")] == ["ok", "ok", "detente"]
    assert out["crash"].status == "fail" and "KeyError" in out["crash"].error
    assert out["nan"].status == "fail" and "NaN" in out["nan"].error
    assert out["memory"].status == "fail" and "MB" in out["memory"].error
    assert out["memory"].mb > 250
    assert out["hang"].status == "fail" and "killed" in out["hang"].error
    assert out["after"].status == "ok"  # a new child goes on after the killed one
    died = fuzzing.run_case(case, budget, tmp_path, commands=[
        _fake("exit", lambda: os._exit(9)), _fake("after", lambda: {"y": 2})])
    assert [(o.command, o.status) for o in died] == [
        ("load", "ok"), ("exit", "fail"), ("after", "ok")]
    assert "died" in died[1].error


def test_failure_names_its_reproduction(tmp_path: Path) -> None:
    """A failure gives the seed, the case number, the file and the command line."""
    case = fuzzing.make_case(PASS_SEED, 7, fuzzing.seeds(large=False))
    o = fuzzing.Outcome("analyze", "fail", error="ValueError: x", cli=["analyze", "F"])
    f = fuzzing.Failure(case, o, fuzzing.save_case(case, tmp_path))
    text = f.describe()
    assert f"seed {PASS_SEED} case 7" in text and "detente analyze F" in text
    assert f.file.read_text(encoding="utf-8", errors="surrogatepass") == case.text


@pytest.mark.slow
def test_synthetic_seeds_run_every_command(tmp_path: Path) -> None:
    """The unmutated synthetic seeds load and every command answers them (no refusals), so
    their mutations reach every analysis."""
    for name in fuzzing.SYNTHETIC_SEEDS:
        seed = next(s for s in fuzzing.seeds(large=False) if s.name == name)
        case = fuzzing.Case(0, 0, name, seed.suffix, seed.text)
        outcomes = fuzzing.run_case(case, PASS_BUDGET, tmp_path / name, cli="report html")
        assert [o.command for o in outcomes] == [*fuzzing.COMMAND_NAMES, "cli report html"]
        bad = [(o.command, o.status, o.error) for o in outcomes if o.status != "ok"]
        assert bad == [], name


# ----- the short pass ---------------------------------------------------------------------------
@pytest.mark.slow
def test_fuzz_every_command(tmp_path: Path) -> None:
    """A short seeded pass of the structure-aware fuzzer: every command on every case, each
    within its budget, through the command line for a sample (benchmarks/bench_fuzz.py runs
    it longer)."""
    report = fuzzing.fuzz(PASS_SEED, PASS_CASES, fuzzing.seeds(large=False), PASS_BUDGET,
                          tmp_path, cli_every=3, max_failures=5)
    assert report.cases == PASS_CASES
    failures = "\n\n".join(fs[0].describe() for fs in report.distinct().values())
    assert not report.failures, f"{len(report.failures)} failures:\n{failures}"
    loaded = report.stats["load"].ok
    assert loaded >= PASS_CASES // 5, "too few cases load: the mutations are too destructive"
    assert all(report.stats[name].runs == loaded for name in fuzzing.COMMAND_NAMES[1:])


@pytest.mark.slow
def test_fuzz_real_command_line(tmp_path: Path) -> None:
    """A few cases through the installed ``detente`` program: exit 0 or 2, within budget."""
    pool = fuzzing.seeds(large=False)
    for k in range(REAL_CLI_CASES):
        case = fuzzing.make_case(PASS_SEED, k, pool)
        out = fuzzing.real_cli_case(case, PASS_BUDGET, tmp_path / f"real-{k}", k)
        assert out.status != "fail", f"{case.label}: {out.error} (detente {' '.join(out.cli)})"
