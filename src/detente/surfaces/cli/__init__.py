"""The ``detente`` command line (typer); the app is :data:`detente.surfaces.cli.app.app`."""
