"""Every bad request is a 4xx with a reason, never a 500."""

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import new_user

pytestmark = pytest.mark.postgres

UNKNOWN = str(uuid.uuid4())

# (method, path template, json body, expected status, words the reason must contain)
# {user} is a real user with a mailbox, {empty} a real user without one.
BAD_REQUESTS = [
    ("POST", "/api/v1/email-sync/start/{user}?months=0", None, 422, "months"),
    ("POST", "/api/v1/email-sync/start/{user}?months=25", None, 422, "months"),
    ("POST", "/api/v1/email-sync/start/{user}?months=7", None, 400, "EMAIL_FETCH_DAYS"),
    ("POST", "/api/v1/email-sync/start/{user}?months=abc", None, 422, "months"),
    ("POST", "/api/v1/email-sync/start/not-a-uuid", None, 422, "user_id"),
    ("POST", "/api/v1/email-sync/start/" + UNKNOWN, None, 404, "user not found"),
    ("POST", "/api/v1/email-sync/reparse/not-a-uuid", None, 422, "user_id"),
    ("POST", "/api/v1/email-sync/reparse/" + UNKNOWN, None, 404, "user not found"),
    ("POST", "/api/v1/email-sync/start/{empty}", None, 409, "no active mailbox"),
    ("POST", "/api/v1/email-sync/reparse/{empty}", None, 409, "no active mailbox"),
    ("GET", "/api/v1/email-sync/status/not-a-uuid", None, 422, "user_id"),
    ("GET", "/api/v1/email-sync/status/" + UNKNOWN, None, 404, "user not found"),
    ("GET", "/api/v1/email-sync/status/{empty}", None, 404, "no sync job"),
    ("GET", "/api/v1/email-sync/history/{user}?limit=0", None, 422, "limit"),
    ("GET", "/api/v1/email-sync/history/{user}?limit=101", None, 422, "limit"),
    ("GET", "/api/v1/email-sync/history/" + UNKNOWN, None, 404, "user not found"),
    ("GET", "/api/v1/email-sync/history/123", None, 422, "user_id"),
    ("GET", "/api/v1/transactions/{user}?limit=0", None, 422, "limit"),
    ("GET", "/api/v1/transactions/{user}?limit=1000", None, 422, "limit"),
    ("GET", "/api/v1/transactions/{user}?cursor=garbage", None, 400, "cursor"),
    ("GET", "/api/v1/transactions/{user}?cursor=eyJ0IjogMX0", None, 400, "cursor"),
    ("GET", "/api/v1/transactions/{user}?direction=sideways", None, 422, "direction"),
    ("GET", "/api/v1/transactions/{user}?min_amount=-1", None, 422, "min_amount"),
    ("GET", "/api/v1/transactions/{user}?min_amount=ten", None, 422, "min_amount"),
    ("GET", "/api/v1/transactions/{user}?min_amount=10&max_amount=5", None, 400, "min_amount"),
    ("GET", "/api/v1/transactions/{user}?max_amount=1e30", None, 422, "max_amount"),
    ("GET", "/api/v1/transactions/{user}?start_date=yesterday", None, 422, "start_date"),
    (
        "GET",
        "/api/v1/transactions/{user}?start_date=2026-05-01&end_date=2026-04-01",
        None,
        400,
        "start_date",
    ),
    ("GET", "/api/v1/transactions/{user}?category=%00", None, 400, "unknown category"),
    ("GET", "/api/v1/transactions/{user}?merchant=%00", None, 400, "not acceptable"),
    ("GET", "/api/v1/transactions/{user}?category=nope", None, 400, "unknown category 'nope'"),
    ("GET", "/api/v1/transactions/" + UNKNOWN, None, 404, "user not found"),
    ("PUT", "/api/v1/users/{user}/merchant-categories", {"merchant": "Swiggy"}, 422, "category"),
    (
        "PUT",
        "/api/v1/users/{user}/merchant-categories",
        {"merchant": "Swiggy", "category": "yachts"},
        400,
        "unknown category",
    ),
    (
        "PUT",
        "/api/v1/users/{user}/merchant-categories",
        {"merchant": "", "category": "groceries"},
        422,
        "merchant",
    ),
    (
        "PUT",
        "/api/v1/users/" + UNKNOWN + "/merchant-categories",
        {"merchant": "Swiggy", "category": "groceries"},
        404,
        "user not found",
    ),
    ("PUT", "/api/v1/users/{user}/merchant-categories", "not json", 422, "body"),
    ("DELETE", "/api/v1/users/{user}/merchant-categories/swiggy", None, 404, "no category"),
    ("DELETE", "/api/v1/users/{user}/merchant-categories/%20", None, 400, "merchant"),
    (
        "DELETE",
        "/api/v1/users/" + UNKNOWN + "/merchant-categories/swiggy",
        None,
        404,
        "user not found",
    ),
    ("GET", "/api/v1/users/" + UNKNOWN + "/merchant-categories", None, 404, "user not found"),
    ("POST", "/api/v1/users", {"email": "no-at-sign"}, 422, "email"),
    ("POST", "/api/v1/users", {}, 422, "email"),
    ("GET", "/api/v1/users/" + UNKNOWN, None, 404, "user not found"),
    ("GET", "/api/v1/users/xyz/mailboxes", None, 422, "user_id"),
    (
        "POST",
        "/api/v1/users/{user}/mailboxes/local",
        {"path": "/no/such/folder"},
        400,
        "does not exist",
    ),
    ("POST", "/api/v1/users/{user}/mailboxes/local", {}, 422, "path"),
    ("POST", "/api/v1/users/{user}/mailboxes/local", {"path": "/tmp/\x00x"}, 400, "path"),
    ("POST", "/api/v1/users/{user}/mailboxes/local", {"path": "/" + "a" * 1000}, 400, "path"),
    ("DELETE", "/api/v1/email-sync/stats", None, 405, "Method Not Allowed"),
    ("GET", "/api/v1/nothing-here", None, 404, "Not Found"),
]


@pytest.fixture
def users(client: TestClient, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "mail").mkdir()
    return {"user": new_user(client, tmp_path / "mail"), "empty": new_user(client)}


@pytest.mark.parametrize(("method", "path", "body", "expected", "reason"), BAD_REQUESTS)
def test_bad_request_is_a_4xx_with_a_reason(
    client: TestClient,
    users: dict[str, str],
    method: str,
    path: str,
    body: object,
    expected: int,
    reason: str,
) -> None:
    url = path.format(**users)
    if isinstance(body, str):
        response = client.request(
            method, url, content=body, headers={"content-type": "application/json"}
        )
    else:
        response = client.request(method, url, json=body)
    assert response.status_code == expected, response.text
    detail = response.json()["detail"]
    assert reason.lower() in str(detail).lower()
