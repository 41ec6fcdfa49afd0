"""schemathesis against the workbench's OpenAPI document: no input makes a server error.

Kept fast for the suite: a few examples per operation, on an in-process app whose store
holds the Prisoner's Dilemma as model 1 (so generated ids of 1 reach the analyses).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from detente.surfaces.web import Settings, create_app
from web_helpers import PD

_TMP = Path(tempfile.mkdtemp(prefix="detente-schemathesis-"))
APP = create_app(Settings(db_path=_TMP / "web.db", job_workers=1))
APP.state.bench.create(PD)

schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
