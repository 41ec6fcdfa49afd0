"""The ``detente`` subcommands, one module each.

Every module here defines ``register(app: typer.Typer) -> None``. ``detente NAME ...`` imports
and registers only the module NAME when ``detente.surfaces.cli.app.COMMANDS`` lists it (add a
new command's name there: tests/test_startup.py checks the table against the modules); help or
an unknown name registers every module here, in name order.
"""
