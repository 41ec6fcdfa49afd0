"""``python -m detente.surfaces.cli``."""

from detente.surfaces.cli.app import main

main()
