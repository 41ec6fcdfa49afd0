"""The ``detente`` command line.

Commands live in :mod:`detente.surfaces.cli.commands`, one module each; every module there
with a ``register(app)`` function is imported and registered here, so adding a command means
adding a module and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated

import typer

import detente
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
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"detente {detente.__version__}")
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


def main() -> None:
    """Entry point of the ``detente`` script."""
    app(prog_name="detente")
