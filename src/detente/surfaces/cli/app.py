"""The ``detente`` command line.

Commands live in :mod:`detente.surfaces.cli.commands`, one module each; every module there
with a ``register(app)`` function is imported and registered here, so adding a command means
adding a module and nothing else. Every module is imported at start-up, so a command module
imports its analysis code (numpy, pandas, the engine, the report) inside the command
function, not at the top: ``detente --help`` and ``detente validate`` then start quickly
(tests/test_startup.py checks that importing the command line pulls in neither pandas nor
matplotlib).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Annotated

import typer

from detente import __version__
from detente.surfaces.cli import commands
from detente.surfaces.cli.output import DetenteGroup

app = typer.Typer(
    name="detente",
    cls=DetenteGroup,
    help="Decision support for multi-party conflicts with the Graph Model for Conflict "
    "Resolution: describe who holds which options and what each party wants; detente tells "
    "you which outcomes are stable, and why.",
    epilog="Start with: `detente show examples/elmira.yaml`",
    no_args_is_help=True,
    # Rich, Markdown-formatted help for people at a terminal; plain help when piped (it
    # starts in about half the time: no rich/markdown/pygments import).
    rich_markup_mode="markdown" if sys.stdout.isatty() else None,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Decision support for multi-party conflicts (GMCR)."""


def _register_commands(target: typer.Typer) -> None:
    """Import every module in ``commands`` and let it register its command(s)."""
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(target)


_register_commands(app)
if app.rich_markup_mode is None:  # plain help: Markdown code marks would show as-is
    app.info.epilog = str(app.info.epilog).replace("`", "")
    for info in app.registered_commands:
        if isinstance(info.epilog, str):
            info.epilog = info.epilog.replace("`", "")


def main() -> None:
    """Entry point of the ``detente`` script."""
    app(prog_name="detente")
