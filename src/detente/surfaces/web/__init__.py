"""The analyst's workbench: ``detente serve``, a local web app over a SQLite store.

Layout (each module small, named for what it holds):

- :mod:`.config` — :class:`Settings` (database file, token, size limits) and the loopback rule;
- :mod:`.store` — the SQLite store (SQLAlchemy, WAL): models and every saved version;
- :mod:`.service` — the one place that calls the analyses and turns results into plain data;
- :mod:`.jobs` — long analyses as background jobs with progress and cancel;
- :mod:`.api` — the JSON API under ``/api`` (its OpenAPI document at ``/api/openapi.json``);
- :mod:`.pages` — the server-rendered pages (Jinja templates, a little htmx);
- :mod:`.app` — :func:`create_app`, which wires them together with the token and size checks.

The web layer holds no analysis logic: it calls :mod:`detente.analyses` and renders.
"""

from detente.surfaces.web.app import create_app
from detente.surfaces.web.config import Settings

__all__ = ["Settings", "create_app"]
