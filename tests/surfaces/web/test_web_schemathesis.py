"""schemathesis against the workbench's OpenAPI document: no input makes a server error, with
or without a token, and no state-changing request from an ``Origin: null`` page gets through.

Kept fast for the suite: a few examples per operation, on in-process apps whose store holds
the Prisoner's Dilemma as model 1 (so generated ids of 1 reach the analyses).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from detente.surfaces.web import Settings, create_app
from web_helpers import PD

_TMP = Path(tempfile.mkdtemp(prefix="detente-schemathesis-"))
APP = create_app(Settings(db_path=_TMP / "web.db", job_workers=1))
APP.state.bench.create(PD)
TOKEN = "schemathesis-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TOKEN_APP = create_app(Settings(db_path=_TMP / "token.db", job_workers=1, token=TOKEN))
TOKEN_APP.state.bench.create(PD)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)
token_schema = schemathesis.openapi.from_asgi("/api/openapi.json", TOKEN_APP, headers=AUTH)
FEW = settings(max_examples=3, deadline=None, derandomize=True,
               suppress_health_check=list(HealthCheck))


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


@pytest.mark.slow
@token_schema.parametrize()
@FEW
def test_no_server_error_with_the_token(case: schemathesis.Case) -> None:
    response = case.call_and_validate(headers=AUTH, checks=[not_a_server_error])
    assert response.status_code != 401  # the token was taken: the operation itself answered


@pytest.mark.slow
@schema.parametrize()
@FEW
def test_origin_null_changes_nothing(case: schemathesis.Case) -> None:
    """A sandboxed frame of another site sends ``Origin: null``: every write is refused."""
    response = case.call_and_validate(headers={"Origin": "null"}, checks=[not_a_server_error])
    if case.method.upper() in UNSAFE:
        assert response.status_code == 403, (case.method, case.path, response.text)
        assert "Origin: null" in response.json()["detail"]
