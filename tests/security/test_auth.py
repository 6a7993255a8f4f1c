"""Bearer credentials: JWTs (expiry, forgery, algorithm, rotation, demotion), API keys, /metrics."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.app import create_app
from fincoach.auth.tokens import ISSUER, issue_token
from fincoach.config import Settings
from fincoach.models import ApiKey, Role, User
from tests.api.conftest import bearer, make_admin, new_user, user_headers

pytestmark = pytest.mark.postgres


def _claims(user_id: uuid.UUID, **extra: object) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "sub": str(user_id),
        "role": "user",
        "iss": ISSUER,
        "iat": now,
        "exp": now + timedelta(minutes=5),
    } | extra


def _me(client: TestClient, token: str) -> tuple[int, dict[str, str]]:
    answer = client.get("/api/v1/auth/me", headers=bearer(token))
    return answer.status_code, answer.json()


def test_a_token_names_its_user_and_role(client: TestClient, anonymous: TestClient) -> None:
    user_id = new_user(client)
    status, body = _me(anonymous, user_headers(anonymous, user_id)["Authorization"][7:])
    assert status == 200
    assert (body["user_id"], body["role"], body["via"]) == (user_id, "user", "token")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"exp": datetime(2020, 1, 1, tzinfo=UTC)}, "expired"),
        ({"iss": "someone-else"}, "claims are invalid"),
        ({"role": "superuser"}, "claims are invalid"),
        ({"sub": "not-a-uuid"}, "claims are invalid"),
    ],
)
def test_bad_claims_are_refused(
    client: TestClient, anonymous: TestClient, api_settings: Settings, change: dict, reason: str
) -> None:
    user_id = uuid.UUID(new_user(client))
    token = jwt.encode(
        _claims(user_id, **change), api_settings.secret_key.get_secret_value(), "HS256"
    )
    status, body = _me(anonymous, token)
    assert status == 401 and reason in body["detail"]


def test_forged_and_unsigned_tokens_are_refused(
    client: TestClient, anonymous: TestClient, api_settings: Settings
) -> None:
    admin_id = make_admin(anonymous)
    forged = jwt.encode(_claims(admin_id, role="admin"), "not-the-server-secret" * 2, "HS256")
    assert _me(anonymous, forged) == (401, {"detail": "the token's signature is invalid"})
    unsigned = jwt.encode(_claims(admin_id, role="admin"), None, algorithm="none")
    assert _me(anonymous, unsigned)[0] == 401
    # The header was not a bearer credential at all.
    answer = anonymous.get("/api/v1/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert answer.status_code == 401 and "Bearer" in answer.json()["detail"]


def test_a_token_cannot_claim_more_than_the_user_holds(
    client: TestClient, anonymous: TestClient, api_settings: Settings
) -> None:
    user_id = uuid.UUID(new_user(client))
    token = jwt.encode(
        _claims(user_id, role="admin"), api_settings.secret_key.get_secret_value(), "HS256"
    )
    assert _me(anonymous, token)[1]["role"] == "user"
    assert anonymous.get("/api/v1/email-sync/stats", headers=bearer(token)).status_code == 403
    # An admin demoted in the database loses the role their old tokens claim.
    admin_id = make_admin(anonymous)
    admin_token = issue_token(api_settings, user_id=admin_id, role=Role.ADMIN)
    assert anonymous.get("/api/v1/email-sync/stats", headers=bearer(admin_token)).status_code == 200
    sessions: sessionmaker[Session] = anonymous.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        session.get_one(User, admin_id).role = Role.USER
        session.commit()
    assert anonymous.get("/api/v1/email-sync/stats", headers=bearer(admin_token)).status_code == 403


def test_secret_key_rotation_keeps_tokens_of_the_previous_key_until_they_expire(
    api_settings: Settings, running_app: FastAPI
) -> None:
    old_settings = api_settings.model_copy(update={"secret_key": SecretStr("o" * 40)})
    client = TestClient(running_app)
    admin_id = make_admin(client)
    old_token = issue_token(old_settings, user_id=admin_id, role=Role.ADMIN)
    rotated = api_settings.model_copy(
        update={"secret_key": SecretStr("n" * 40), "previous_secret_keys": [SecretStr("o" * 40)]}
    )
    with TestClient(create_app(rotated)) as app_client:
        assert _me(app_client, old_token)[0] == 200
    dropped = rotated.model_copy(update={"previous_secret_keys": []})
    with TestClient(create_app(dropped)) as app_client:
        assert _me(app_client, old_token)[0] == 401


def test_a_deleted_users_token_stops_working(client: TestClient, anonymous: TestClient) -> None:
    user_id = new_user(client)
    token = user_headers(anonymous, user_id)["Authorization"][7:]
    sessions: sessionmaker[Session] = anonymous.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        session.delete(session.get_one(User, uuid.UUID(user_id)))
        session.commit()
    assert _me(anonymous, token) == (401, {"detail": "the token's user no longer exists"})


def test_api_keys_are_shown_once_stored_hashed_and_revocable(
    client: TestClient, anonymous: TestClient
) -> None:
    user_id = new_user(client)
    headers = user_headers(anonymous, user_id)
    created = anonymous.post("/api/v1/auth/api-keys", json={"name": "laptop"}, headers=headers)
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("fck_") and len(key) > 50

    status, me = _me(anonymous, key)
    assert status == 200 and (me["user_id"], me["via"]) == (user_id, "api_key")
    # The listing never carries the key; the database holds only sha256 of its secret.
    listed = anonymous.get("/api/v1/auth/api-keys", headers=headers).json()
    assert key not in str(listed) and listed[0]["prefix"] in key
    sessions: sessionmaker[Session] = anonymous.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.user_id == uuid.UUID(user_id))).one()
        assert row.secret_hash == hashlib.sha256(key.split("_", 2)[2].encode()).hexdigest()
        assert key.split("_", 2)[2] not in f"{row.prefix}{row.secret_hash}{row.name}"

    tampered = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    assert _me(anonymous, tampered)[0] == 401
    revoked = anonymous.delete(f"/api/v1/auth/api-keys/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert _me(anonymous, key) == (401, {"detail": "the API key is unknown, revoked or expired"})


def test_an_expired_api_key_is_refused(client: TestClient, anonymous: TestClient) -> None:
    user_id = new_user(client)
    headers = user_headers(anonymous, user_id)
    key = anonymous.post(
        "/api/v1/auth/api-keys", json={"name": "short", "ttl_days": 1}, headers=headers
    ).json()
    assert _me(anonymous, key["key"])[0] == 200
    sessions: sessionmaker[Session] = anonymous.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        session.get_one(ApiKey, uuid.UUID(key["id"])).expires_at = datetime.now(UTC)
        session.commit()
    assert _me(anonymous, key["key"])[0] == 401


def test_admins_issue_tokens_for_users_and_only_admin_tokens_for_admins(
    client: TestClient, anonymous: TestClient
) -> None:
    user_id = new_user(client)
    issued = client.post("/api/v1/auth/tokens", json={"user_id": user_id, "ttl_minutes": 5})
    assert issued.status_code == 201
    assert _me(anonymous, issued.json()["access_token"])[1]["user_id"] == user_id
    refused = client.post("/api/v1/auth/tokens", json={"user_id": user_id, "role": "admin"})
    assert refused.status_code == 400 and "not an admin" in refused.json()["detail"]


def test_metrics_token_guards_metrics_when_set(api_settings: Settings, broker: object) -> None:
    guarded = api_settings.model_copy(update={"metrics_token": SecretStr("scrape-me-" * 4)})
    with TestClient(create_app(guarded)) as app_client:
        assert app_client.get("/metrics").status_code == 401
        wrong = app_client.get("/metrics", headers=bearer("scrape-me"))
        assert wrong.status_code == 401
        ok = app_client.get("/metrics", headers=bearer("scrape-me-" * 4))
        assert ok.status_code == 200 and "fincoach_sync_jobs" in ok.text
        assert app_client.get("/health").status_code == 200
