"""Who may call what, over EVERY route of the app.

`MATRIX` names each route's access rule; a route the app serves without an entry here fails
`test_every_route_has_a_matrix_entry`, so a new endpoint cannot ship without its rule.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import admin_headers, new_user, user_headers

pytestmark = pytest.mark.postgres


class Access(Enum):
    PUBLIC = "anyone"
    CALLBACK = "anyone; its sealed state is the proof"
    SELF = "any authenticated principal, on its own data"
    OWNER = "the user in the path, or an admin"
    MAILBOX_OWNER = "the owner of the mailbox in the path, or an admin; 404 for anyone else"
    ADMIN = "admins only"
    ADMIN_FOR_USER = "admins only, with a user in the path"


@dataclass(frozen=True)
class Entry:
    access: Access
    body: Any = None
    query: str = ""


MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/openapi.json"): Entry(Access.PUBLIC),
    ("GET", "/docs"): Entry(Access.PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Entry(Access.PUBLIC),
    ("GET", "/redoc"): Entry(Access.PUBLIC),
    ("GET", "/health"): Entry(Access.PUBLIC),
    ("GET", "/metrics"): Entry(Access.PUBLIC),  # unless METRICS_TOKEN is set: test_auth.py
    ("GET", "/api/v1/oauth/google/callback"): Entry(Access.CALLBACK),
    ("GET", "/api/v1/auth/me"): Entry(Access.SELF),
    ("POST", "/api/v1/auth/api-keys"): Entry(Access.SELF, {"name": "matrix"}),
    ("GET", "/api/v1/auth/api-keys"): Entry(Access.SELF),
    ("DELETE", "/api/v1/auth/api-keys/{key_id}"): Entry(Access.SELF),
    ("POST", "/api/v1/auth/tokens"): Entry(Access.ADMIN, {"user_id": "{user_id}"}),
    ("POST", "/api/v1/users"): Entry(Access.ADMIN, {"email": "new-{nonce}@example.com"}),
    ("GET", "/api/v1/users"): Entry(Access.ADMIN),
    ("GET", "/api/v1/email-sync/stats"): Entry(Access.ADMIN),
    ("POST", "/api/v1/users/{user_id}/mailboxes/local"): Entry(
        Access.ADMIN_FOR_USER, {"path": "{mail}"}
    ),
    ("GET", "/api/v1/users/{user_id}"): Entry(Access.OWNER),
    ("DELETE", "/api/v1/users/{user_id}"): Entry(Access.OWNER),
    ("DELETE", "/api/v1/mailboxes/{mailbox_id}"): Entry(
        Access.MAILBOX_OWNER, query="?keep_transactions=false"
    ),
    ("GET", "/api/v1/users/{user_id}/mailboxes"): Entry(Access.OWNER),
    ("POST", "/api/v1/email-sync/start/{user_id}"): Entry(Access.OWNER, query="?months=1"),
    ("POST", "/api/v1/email-sync/reparse/{user_id}"): Entry(Access.OWNER),
    ("GET", "/api/v1/email-sync/status/{user_id}"): Entry(Access.OWNER),
    ("GET", "/api/v1/email-sync/history/{user_id}"): Entry(Access.OWNER),
    ("GET", "/api/v1/transactions/{user_id}"): Entry(Access.OWNER),
    ("PUT", "/api/v1/users/{user_id}/merchant-categories"): Entry(
        Access.OWNER, {"merchant": "Swiggy", "category": "groceries"}
    ),
    ("GET", "/api/v1/users/{user_id}/merchant-categories"): Entry(Access.OWNER),
    ("DELETE", "/api/v1/users/{user_id}/merchant-categories/{merchant}"): Entry(Access.OWNER),
    ("GET", "/api/v1/oauth/google/start/{user_id}"): Entry(Access.OWNER),
}
PROTECTED = [k for k, e in MATRIX.items() if e.access not in (Access.PUBLIC, Access.CALLBACK)]
WITH_USER = [k for k, e in MATRIX.items() if e.access in (Access.OWNER, Access.ADMIN_FOR_USER)]
ADMIN_ONLY = [k for k, e in MATRIX.items() if e.access in (Access.ADMIN, Access.ADMIN_FOR_USER)]
USER_REACHABLE = [
    k for k, e in MATRIX.items() if e.access in (Access.OWNER, Access.SELF, Access.MAILBOX_OWNER)
]
WITH_MAILBOX = [k for k, e in MATRIX.items() if e.access is Access.MAILBOX_OWNER]


def served_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, including those of included routers."""
    try:  # FastAPI >= 0.16x keeps included routers as one entry; this flattens them.
        from fastapi.routing import iter_route_contexts

        routes: Any = iter_route_contexts(app.routes)
    except ImportError:  # pragma: no cover - older FastAPI lists every route flat
        routes = app.routes
    for route in routes:
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, route.path


def test_every_route_has_a_matrix_entry(running_app: FastAPI) -> None:
    served = set(served_routes(running_app))
    assert served - MATRIX.keys() == set(), "routes without an access rule in MATRIX"
    assert MATRIX.keys() - served == set(), "MATRIX entries for routes that do not exist"


@dataclass
class World:
    alice: str  # has a local mailbox
    bob: str
    alice_key: str  # id of one of Alice's API keys
    alice_mailbox: str  # id of Alice's local mailbox
    mail: str


@pytest.fixture
def world(client: TestClient, anonymous: TestClient, tmp_path: Path) -> World:
    (tmp_path / "mail").mkdir()
    alice = new_user(client, tmp_path / "mail")
    key = anonymous.post(
        "/api/v1/auth/api-keys", json={"name": "k"}, headers=user_headers(anonymous, alice)
    )
    assert key.status_code == 201, key.text
    [mailbox] = client.get(f"/api/v1/users/{alice}/mailboxes").json()
    return World(alice, new_user(client), key.json()["id"], mailbox["id"], str(tmp_path / "mail"))


def _call(
    client: TestClient,
    key: tuple[str, str],
    world: World,
    *,
    user_id: str,
    headers: dict[str, str] | None = None,
) -> Any:
    method, path = key
    entry = MATRIX[key]
    values = {
        "user_id": user_id,
        "key_id": world.alice_key,
        "mailbox_id": world.alice_mailbox,
        "mail": world.mail,
        "nonce": uuid.uuid4().hex[:8],
        "merchant": "swiggy",
    }
    url = path.format(**values) + entry.query
    body = entry.body
    if isinstance(body, dict):
        body = {k: v.format(**values) if isinstance(v, str) else v for k, v in body.items()}
    return client.request(method, url, json=body, headers=headers or {})


@pytest.mark.parametrize("key", PROTECTED, ids=" ".join)
def test_anonymous_gets_401_with_a_bearer_challenge(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    answer = _call(anonymous, key, world, user_id=world.alice)
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert "Bearer" in answer.json()["detail"]


@pytest.mark.parametrize("key", PROTECTED, ids=" ".join)
def test_a_forged_token_gets_401(anonymous: TestClient, world: World, key: tuple[str, str]) -> None:
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}
    answer = _call(anonymous, key, world, user_id=world.alice, headers=forged)
    assert answer.status_code == 401, answer.text
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


@pytest.mark.parametrize("key", [k for k in WITH_USER if k not in ADMIN_ONLY], ids=" ".join)
def test_a_user_on_another_users_resources_gets_403(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    answer = _call(
        anonymous, key, world, user_id=world.alice, headers=user_headers(anonymous, world.bob)
    )
    assert answer.status_code == 403, answer.text
    assert "not yours" in answer.json()["detail"]


@pytest.mark.parametrize("key", ADMIN_ONLY, ids=" ".join)
def test_admin_routes_are_403_for_users_even_on_their_own_data(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    answer = _call(
        anonymous, key, world, user_id=world.alice, headers=user_headers(anonymous, world.alice)
    )
    assert answer.status_code == 403, answer.text
    assert "admin role" in answer.json()["detail"]


@pytest.mark.parametrize("key", USER_REACHABLE, ids=" ".join)
def test_a_user_on_their_own_resources_is_served(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    answer = _call(
        anonymous, key, world, user_id=world.alice, headers=user_headers(anonymous, world.alice)
    )
    # Served: a success, or a 4xx about the request itself (no sync job yet...), never a
    # refusal of the caller.
    assert answer.status_code < 500, answer.text
    assert answer.status_code not in (401, 403), answer.text


@pytest.mark.parametrize("key", [*ADMIN_ONLY, *USER_REACHABLE], ids=" ".join)
def test_an_admin_is_served_on_any_user(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    answer = _call(anonymous, key, world, user_id=world.bob, headers=admin_headers(anonymous))
    assert answer.status_code < 500, answer.text
    assert answer.status_code not in (401, 403), answer.text


@pytest.mark.parametrize("key", WITH_USER, ids=" ".join)
def test_an_unknown_user_is_404_for_an_admin_and_403_for_a_user(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    unknown = str(uuid.uuid4())
    as_admin = _call(anonymous, key, world, user_id=unknown, headers=admin_headers(anonymous))
    assert as_admin.status_code == 404, as_admin.text
    assert "user not found" in as_admin.json()["detail"]
    as_user = _call(
        anonymous, key, world, user_id=unknown, headers=user_headers(anonymous, world.alice)
    )
    assert as_user.status_code == 403, as_user.text


@pytest.mark.parametrize("key", WITH_MAILBOX, ids=" ".join)
def test_a_user_on_another_users_mailbox_gets_404_and_changes_nothing(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    answer = _call(
        anonymous, key, world, user_id=world.alice, headers=user_headers(anonymous, world.bob)
    )
    # Like another user's API key: not found, so mailbox ids cannot be probed.
    assert answer.status_code == 404, answer.text
    assert answer.json()["detail"] == "mailbox not found"
    mailboxes = anonymous.get(
        f"/api/v1/users/{world.alice}/mailboxes", headers=user_headers(anonymous, world.alice)
    )
    assert [m["id"] for m in mailboxes.json()] == [world.alice_mailbox]


def test_a_user_cannot_revoke_someone_elses_api_key(anonymous: TestClient, world: World) -> None:
    answer = anonymous.delete(
        f"/api/v1/auth/api-keys/{world.alice_key}", headers=user_headers(anonymous, world.bob)
    )
    assert answer.status_code == 404
    listed = anonymous.get("/api/v1/auth/api-keys", headers=user_headers(anonymous, world.alice))
    assert [k["revoked_at"] for k in listed.json()] == [None]


@pytest.mark.parametrize("key", [k for k, e in MATRIX.items() if e.access is Access.PUBLIC])
def test_public_routes_need_no_token(
    anonymous: TestClient, world: World, key: tuple[str, str]
) -> None:
    assert _call(anonymous, key, world, user_id=world.alice).status_code == 200


def test_the_callback_needs_no_token_but_its_state(anonymous: TestClient, world: World) -> None:
    answer = anonymous.get("/api/v1/oauth/google/callback", params={"code": "x", "state": "bad"})
    assert answer.status_code == 400
    assert "invalid or has expired" in answer.json()["detail"]
