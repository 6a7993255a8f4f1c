"""Inputs at the edges of what Python's datetime and our token and cursor formats can hold.

Each was once a 500 (issue 10, finding 6): the value passed validation and then overflowed or
had the wrong type deeper down. Each must be a 4xx that says what is wrong.
"""

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from fincoach.auth.tokens import ALGORITHM, ISSUER
from fincoach.config import Settings
from tests.api.conftest import bearer, make_admin, new_user

pytestmark = pytest.mark.postgres

# The last second of year 9999 west of UTC, and the first of year 1 east of it: both are
# valid ISO 8601 times whose UTC equivalent falls outside datetime's years 1..9999.
LATEST = "9999-12-31T23:59:59-14:00"
EARLIEST = "0001-01-01T00:00:00+14:00"


@pytest.fixture
def user(client: TestClient, tmp_path: Path) -> str:
    (tmp_path / "mail").mkdir()
    return new_user(client, tmp_path / "mail")


def cursor(payload: Any) -> str:
    """A cursor as the API writes them (urlsafe base64 of JSON, unpadded), around `payload`."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.parametrize("value", [LATEST, EARLIEST])
def test_a_date_outside_the_utc_range_is_a_4xx_naming_the_parameter(
    client: TestClient, user: str, name: str, value: str
) -> None:
    answer = client.get(f"/api/v1/transactions/{user}", params={name: value})
    assert answer.status_code in (400, 422), answer.text
    assert name in answer.json()["detail"]
    assert "range" in answer.json()["detail"]


def test_dates_at_the_edges_that_do_fit_are_answered(client: TestClient, user: str) -> None:
    answer = client.get(
        f"/api/v1/transactions/{user}",
        params={"start_date": "0001-01-01T00:00:00Z", "end_date": "9999-12-31T23:59:59Z"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"] == []


GOOD_TIME = "2026-05-01T10:00:00+00:00"
BAD_CURSORS = {
    "id is a number": {"t": GOOD_TIME, "id": 12345},
    "id is a list": {"t": GOOD_TIME, "id": [str(uuid.uuid4())]},
    "id is an object": {"t": GOOD_TIME, "id": {"hex": uuid.uuid4().hex}},
    "time is a number": {"t": 1746093600, "id": str(uuid.uuid4())},
    "time is year 1 at +14:00": {"t": EARLIEST, "id": str(uuid.uuid4())},
    "time is year 9999 at -14:00": {"t": LATEST, "id": str(uuid.uuid4())},
    "payload is a list": [GOOD_TIME, str(uuid.uuid4())],
    "payload is a string": "next",
}


@pytest.mark.parametrize("payload", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_a_forged_cursor_is_a_400(client: TestClient, user: str, payload: Any) -> None:
    answer = client.get(f"/api/v1/transactions/{user}", params={"cursor": cursor(payload)})
    assert answer.status_code == 400, answer.text
    assert "cursor" in answer.json()["detail"]


def test_a_signed_token_that_expires_beyond_the_calendar_is_a_401(
    client: TestClient, api_settings: Settings
) -> None:
    admin_id = make_admin(client)
    now = int(time.time())
    claims = {"sub": str(admin_id), "role": "admin", "iss": ISSUER, "iat": now, "exp": 1e20}
    token = jwt.encode(claims, api_settings.secret_key.get_secret_value(), algorithm=ALGORITHM)

    answer = client.get("/api/v1/users", headers=bearer(token))

    assert answer.status_code == 401, answer.text
    assert "claims" in answer.json()["detail"]
    assert "invalid_token" in answer.headers["WWW-Authenticate"]
