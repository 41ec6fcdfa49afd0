"""The command line starts without the heavy libraries: importing it (and running
``--help``) pulls in neither pandas, matplotlib, networkx nor numpy. Timings are in
benchmarks/bench_startup.py, not here."""

from __future__ import annotations

import subprocess
import sys

import detente
import detente.model
from detente.analyses.status_quo.transitions import DEFAULT_MAX_NODES
from detente.surfaces.cli.commands import report

HEAVY = ("pandas", "matplotlib", "networkx", "numpy", "jinja2")


def _loaded_after(code: str) -> list[str]:
    probe = (f"{code}\nimport sys\n"
             f"sys.stderr.write('LOADED ' + ' '.join(m for m in {HEAVY!r} if m in sys.modules))")
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
