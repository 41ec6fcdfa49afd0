"""The command line starts without the heavy libraries: importing it (and running
``--help``) pulls in neither pandas, matplotlib, networkx nor numpy, and ``detente analyze``,
``validate`` and ``show`` of the flagship load numpy but none of :data:`ANALYZE_HEAVY`: not
numba (SIM runs the numpy backend), pandas, pyarrow, dask, scipy, matplotlib, networkx, the
web stack (fastapi, starlette, uvicorn, jinja2), jsonschema, hypothesis, markdown or pygments
(rich's Markdown help), nor rich's progress display (big models only). Timings are in
benchmarks/bench_startup.py, not here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import detente
import detente.model
from detente.analyses.status_quo.transitions import DEFAULT_MAX_NODES
from detente.surfaces.cli.commands import report

HEAVY = ("pandas", "matplotlib", "networkx", "numpy", "jinja2")
#: What ``detente analyze`` (and ``validate``, ``show``) of a small model does without
#: (numpy, pydantic, ruamel.yaml, lark, typer and rich it needs).
ANALYZE_HEAVY = ("numba", "llvmlite", "pandas", "pyarrow", "dask", "scipy", "matplotlib",
                 "networkx", "jinja2", "fastapi", "starlette", "uvicorn", "jsonschema",
                 "hypothesis", "markdown_it", "pygments", "rich.progress")
FLAGSHIP = Path(__file__).resolve().parent.parent / "tests" / "data" / "ceasefire_2024_coarse.yaml"


def _loaded_after(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    probe = (f"{code}\nimport sys\n"
             f"sys.stderr.write('LOADED ' + ' '.join(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return out.stderr.rsplit("LOADED", 1)[1].split()


def test_importing_the_command_line_pulls_in_no_heavy_library() -> None:
    assert _loaded_after("import detente.surfaces.cli.app") == []


def test_help_pulls_in_no_heavy_library() -> None:
    code = ("import sys\nsys.argv = ['detente', '--help']\n"
            "from detente.surfaces.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == []


def test_import_detente_is_lazy_but_complete() -> None:
    assert _loaded_after("import detente") == []
    for name in detente.__all__:
        assert getattr(detente, name) is not None
    for name in detente.model.__all__:
        assert getattr(detente.model, name) is not None
    assert sorted(detente.__all__) == sorted(detente._EXPORTS)
    assert sorted(detente.model.__all__) == sorted(detente.model._EXPORTS)


def test_report_default_matches_the_report() -> None:
    assert report.DEFAULT_MAX_NODES == DEFAULT_MAX_NODES


def _cli(*args: str) -> str:
    """Code that runs ``detente ARGS`` in this process, as the installed script does."""
    return (f"import sys\nsys.argv = ['detente', *{list(args)!r}]\n"
            "from detente.surfaces.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit as exit:\n"
            "    assert not exit.code, exit.code")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["analyze", "validate", "show"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_flagship_loads_no_heavy_library(command: str, fmt: str) -> None:
    """The flagship is below the SIM backends' threshold: analysing it with every concept
    (SIM included) never imports numba, and no output (text, JSON) of analyze, validate or
    show needs pandas, the web stack or rich's progress display."""
    assert _loaded_after(_cli(command, str(FLAGSHIP), "--format", fmt), ANALYZE_HEAVY) == []


@pytest.mark.slow
def test_the_probe_sees_numba_when_sim_runs_compiled() -> None:
    """The assertion above can fail: forced past the threshold, the same run loads numba."""
    code = ("import detente.engine.simultaneous as sim\nsim.COMPILED_FROM_CELLS = 1\n"
            + _cli("analyze", str(FLAGSHIP), "--format", "json"))
    assert "numba" in _loaded_after(code, ANALYZE_HEAVY)


@pytest.mark.slow
def test_the_probe_sees_the_progress_display_where_it_is_shown() -> None:
    """Models from PROGRESS_STATES states on show rich's progress display: lowered to one
    state, the flagship's analysis loads it."""
    code = ("import detente.surfaces.cli.commands.analyze as command\n"
            "command.PROGRESS_STATES = 1\n" + _cli("analyze", str(FLAGSHIP), "--format", "json"))
    assert _loaded_after(code, ANALYZE_HEAVY) == ["rich.progress"]


@pytest.mark.slow
def test_a_frame_still_imports_pandas_where_it_is_asked_for() -> None:
    code = ("import detente\n"
            f"r = detente.analyze(detente.load({str(FLAGSHIP)!r}), ['nash'])\n"
            "assert 'pandas' not in sys.modules\n"
            "assert r.frame().shape[0] == r.conflict.n_states\n"
            "assert r.stability_frame('nash').shape == (r.conflict.n_states, 5)")
    assert _loaded_after("import sys\n" + code, ("pandas",)) == ["pandas"]


# ----- what a run of one command loads (issue 17 item 5) ---------------------------------
def _main(*args: str) -> str:
    """Code that runs ``detente ARGS`` through the script's entry point (main)."""
    return (f"import sys\nsys.argv = ['detente', *{list(args)!r}]\n"
            "from detente.surfaces.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit as exit:\n"
            "    assert not exit.code, exit.code")


def _command_modules_after(code: str) -> list[str]:
    probe = (f"{code}\nimport sys\nprefix = 'detente.surfaces.cli.commands.'\n"
             "sys.stderr.write('LOADED ' + ' '.join(sorted(m.removeprefix(prefix) for m in "
             "sys.modules if m.startswith(prefix))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return out.stderr.rsplit("LOADED", 1)[1].split()


def test_the_command_table_names_every_command_module() -> None:
    """COMMANDS lists exactly the modules of ``commands`` that register a command, and each
    registers the command of its name (a module missing from the table still works, through
    full registration, but starts slower)."""
    import importlib
    import pkgutil

    import typer

    from detente.surfaces.cli import app, commands

    found: dict[str, list[str]] = {}
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if callable(getattr(module, "register", None)):
            target = typer.Typer()
            module.register(target)
            found[info.name] = [str(c.name) for c in target.registered_commands]
    assert sorted(app.COMMANDS) == sorted(found), (
        "a command module's name is missing from COMMANDS in surfaces/cli/app.py (or the "
        "table names a module that is gone): list every command there")
    assert all(names == [module] for module, names in found.items())
    assert sorted(str(c.name) for c in app.app.registered_commands) == sorted(app.COMMANDS)


@pytest.mark.slow
def test_a_run_imports_only_the_command_it_runs() -> None:
    assert _command_modules_after(_main("validate", str(FLAGSHIP))) == ["validate"]
    assert _command_modules_after(_main("analyze", "--help")) == ["analyze"]


def test_help_and_the_full_app_see_every_command() -> None:
    """The probe above can fail: help registers every command module."""
    from detente.surfaces.cli.app import COMMANDS

    assert _command_modules_after(_main("--help")) == sorted(COMMANDS)


#: Records calls of importlib.metadata.entry_points (pydantic's plugin scan) and of Lark's
#: constructor (the grammar analysis), then prints them after the code ran.
_SPY = """
import importlib.metadata, sys
calls = []
scan = importlib.metadata.entry_points
def spied(*a, **k):
    calls.append('entry_points(' + repr(k.get('group', '')) + ')')
    return scan(*a, **k)
importlib.metadata.entry_points = spied
import lark
build = lark.Lark.__init__
def spied_build(self, *a, **k):
    calls.append('Lark()')
    build(self, *a, **k)
lark.Lark.__init__ = spied_build
"""


def _calls(code: str, env: dict[str, str]) -> list[str]:
    probe = f"{_SPY}\n{code}\nsys.stderr.write('CALLS ' + ' '.join(calls))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env=env)
    return out.stderr.rsplit("CALLS", 1)[1].split()


def _env(**extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    return {**env, **extra}


@pytest.mark.slow
def test_analyze_scans_no_plugins_and_builds_no_grammar() -> None:
    """``detente analyze`` of the flagship (text and JSON) neither scans the installed
    distributions for pydantic plugins nor analyses the statement grammar (it loads the
    generated tables)."""
    for fmt in ("text", "json"):
        assert _calls(_main("analyze", str(FLAGSHIP), "--format", fmt), _env()) == []


@pytest.mark.slow
def test_the_spies_see_a_scan_the_user_asks_for_and_a_stale_grammar() -> None:
    """The probe can fail: a PYDANTIC_DISABLE_PLUGINS of the user's own that names one
    plugin wins (the scan runs, skipping it), and stale tables make the parser build."""
    calls = _calls(_main("validate", str(FLAGSHIP)), _env(PYDANTIC_DISABLE_PLUGINS="other"))
    assert calls and set(calls) == {"entry_points('pydantic')"}
    stale = "import detente.model.statement_tables as t\nt.FINGERPRINT = 'stale'\n"
    assert _calls(stale + _main("validate", str(FLAGSHIP)), _env()) == ["Lark()"]
