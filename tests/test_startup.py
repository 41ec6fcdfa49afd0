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
FLAGSHIP = Path(__file__).resolve().parent.parent / "examples" / "ceasefire_2024.yaml"


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


def test_a_frame_still_imports_pandas_where_it_is_asked_for() -> None:
    code = ("import detente\n"
            f"r = detente.analyze(detente.load({str(FLAGSHIP)!r}), ['nash'])\n"
            "assert 'pandas' not in sys.modules\n"
            "assert r.frame().shape[0] == r.conflict.n_states\n"
            "assert r.stability_frame('nash').shape == (r.conflict.n_states, 5)")
    assert _loaded_after("import sys\n" + code, ("pandas",)) == ["pandas"]
