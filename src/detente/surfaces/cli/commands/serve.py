"""``detente serve``: the analyst's workbench, a local web app (FastAPI on uvicorn)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from detente.surfaces.cli.output import CliError, note

EXAMPLE = ("Example: `detente serve` (then open http://127.0.0.1:8000), or on a team network "
           "`detente serve --host 0.0.0.0 --token \"$(openssl rand -hex 16)\"`")
PANEL = "Workbench"


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but "
                                      "loopback (127.0.0.1, ::1, localhost) needs --token.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    db: Annotated[Path | None, typer.Option("--db", help="SQLite database file (created if "
                                            "missing). Default: detente.db in your data "
                                            "folder.")] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="DETENTE_TOKEN",
                                              help="Require this token on every request "
                                              "(also read from DETENTE_TOKEN).")] = None,
) -> None:
    """Start the workbench: model a conflict in the browser and see its equilibria,
    explanations and status-quo paths update as you edit. Every saved version is kept.

    With --token, API clients send `Authorization: Bearer TOKEN`; a browser opens the
    address once with `?token=TOKEN` (a cookie keeps it).
    """
    from detente.surfaces.web.config import (
        Settings,
        allowed_hosts_for,
        default_db_path,
        is_loopback,
    )

    if token is not None and not token.strip():
        raise CliError("--token is empty; give a token of at least 8 characters")
    if token is not None and len(token) < 8:
        raise CliError("--token is too short; give at least 8 characters")
    if not is_loopback(host) and token is None:
        raise CliError(
            f"refusing to listen on {host!r} without a token: anyone who can reach this "
            "machine could read and change your models. Give --token TOKEN (or set "
            "DETENTE_TOKEN), or listen on 127.0.0.1 only."
        )
    import uvicorn

    from detente.surfaces.web.app import create_app

    path = db or default_db_path()
    cache = os.environ.get("DETENTE_WEB_CACHE", "").strip()
    settings = Settings(db_path=path, token=token, allowed_hosts=allowed_hosts_for(host))
    if cache.isdigit():  # results cached per (model, version, query); 0 turns the cache off
        settings = replace(settings, cache_entries=int(cache))
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    note(f"detente workbench on http://{shown}:{port}  (database: {path})")
    # on SIGTERM or Ctrl-C: requests in flight get a few seconds, then the server stops
    # (uvicorn re-raises the signal once it has shut down, so no worker thread holds it up)
    uvicorn.run(app, host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=max(1, round(settings.shutdown_grace_s)))


def register(app: typer.Typer) -> None:
    app.command("serve", rich_help_panel=PANEL, epilog=EXAMPLE)(serve)
