"""The ``detente`` subcommands, one module each.

Every module here that defines ``register(app: typer.Typer) -> None`` is imported by
``detente.surfaces.cli.app`` (in name order) and registers its command(s) on the shared app.
"""
