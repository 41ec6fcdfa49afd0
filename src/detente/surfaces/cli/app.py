"""The ``detente`` command line.

Commands live in :mod:`detente.surfaces.cli.commands`, one module each, with a
``register(app)`` function; :data:`COMMANDS` names them. ``detente NAME ...`` imports and
registers the module NAME and no other (typer then builds only its parameters),
so a run pays for the command it runs. Help, a mistyped name or a module missing from the
table registers every module found in ``commands`` (in name order): adding a command means
adding a module, and its name in :data:`COMMANDS` to start fast (tests/test_startup.py checks the
table against the modules). A command module imports its analysis code (numpy, pandas, the
engine, the report) inside the command function, not at the top: ``detente --help`` and
``detente validate`` then start quickly (tests/test_startup.py checks that importing the command
line pulls in neither pandas nor matplotlib).

:data:`app` is the full command line (every command), built when first asked for (tests,
``typer.testing``); :func:`main` builds the one it needs.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Iterable
from typing import Annotated

import typer

from detente import __version__
from detente.surfaces.cli import commands
from detente.surfaces.cli.output import DetenteGroup

#: The commands, each registered by the module of its name in
#: :mod:`detente.surfaces.cli.commands` (``analyze`` by ``commands/analyze.py``).
COMMANDS: tuple[str, ...] = (
    "analyze", "brief", "coalitions", "convert", "deal", "drafts", "evolve", "explain",
    "hypergame", "mediate", "packages", "report", "robustness", "schema", "serve", "show",
    "validate",
)  # fmt: skip


def _version(value: bool) -> None:
    if value:
        typer.echo(f"detente {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Decision support for multi-party conflicts (GMCR)."""


def _modules(names: Iterable[str] | None) -> list[str]:
    """The command modules to register: those of ``names``, or every one found."""
    if names is not None:
        return [name for name in names if name in COMMANDS]
    return sorted(info.name for info in pkgutil.iter_modules(commands.__path__))


def build_app(names: Iterable[str] | None = None) -> typer.Typer:
    """The command line with the commands ``names`` (of :data:`COMMANDS`), or with every
    command module's commands (None)."""
    target = typer.Typer(
        name="detente",
        cls=DetenteGroup,
        help="Decision support for multi-party conflicts with the Graph Model for Conflict "
        "Resolution: describe who holds which options and what each party wants; detente "
        "tells you which outcomes are stable, and why.",
        epilog="Start with: `detente show examples/elmira.yaml`",
        no_args_is_help=True,
        # Rich, Markdown-formatted help for people at a terminal; plain help when piped (it
        # starts in about half the time: no rich/markdown/pygments import).
        rich_markup_mode="markdown" if sys.stdout.isatty() else None,
        add_completion=False,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    target.callback()(_root)
    for name in _modules(names):
        module = importlib.import_module(f"{commands.__name__}.{name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(target)
    if target.rich_markup_mode is None:  # plain help: Markdown code marks would show as-is
        target.info.epilog = str(target.info.epilog).replace("`", "")
        for info in target.registered_commands:
            if isinstance(info.epilog, str):
                info.epilog = info.epilog.replace("`", "")
    return target


def invoked(args: list[str]) -> list[str] | None:
    """The commands a run with ``args`` needs: the one it names first, when :data:`COMMANDS`
    has it; none for ``--version``; None (every command) for help, options before the command
    or an unknown name.

    >>> invoked(["analyze", "model.yaml"]), invoked(["--version"]), invoked(["--help"])
    (['analyze'], [], None)
    >>> invoked(["analyse", "model.yaml"]), invoked([])
    (None, None)
    """
    if args[:1] == ["--version"]:
        return []
    return [args[0]] if args and args[0] in COMMANDS else None


_full: typer.Typer | None = None


def __getattr__(name: str) -> typer.Typer:
    """``app``: the full command line, built on first use."""
    global _full
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _full is None:
        _full = build_app()
    return _full


def main() -> None:
    """Entry point of the ``detente`` script."""
    # detente uses no pydantic plugins: without this, pydantic's first validator (typer's
    # parameters, the model file's schema) scans the entry points of every installed
    # distribution for plugins (importlib.metadata; more time the more packages are
    # installed). A PYDANTIC_DISABLE_PLUGINS the user set in the environment wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    build_app(invoked(sys.argv[1:]))(prog_name="detente")
