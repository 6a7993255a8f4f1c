"""The API under FastAPI's TestClient, on the real PostgreSQL test database and Redis.

`client` acts as an admin (a real user with the admin role, a real signed token), so the
functional tests read like the guide's examples with the token header added. Tests about who
may do what build their own principals with `admin_headers` and `user_headers`.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from fincoach import worker
from fincoach.app import create_app
from fincoach.auth.tokens import issue_token
from fincoach.config import Settings
from fincoach.models import Role, User
from tests.worker.ledger import demo_mailbox, write_mail

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
API_REDIS_DB = 13


@pytest.fixture
def api_settings(pg_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=pg_url,
        celery_broker_url=f"{REDIS_URL}/{API_REDIS_DB}",
        celery_result_backend=f"{REDIS_URL}/{API_REDIS_DB}",
        email_batch_size=25,
        environment="test",
        # A configured OAuth client: without one, starting a Gmail connect answers 503.
        google_client_id="fincoach-test.apps.googleusercontent.com",
        google_client_secret="fincoach-test-secret",
    )


@pytest.fixture
def broker(api_settings: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(api_settings.celery_broker_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_admin(client: TestClient) -> uuid.UUID:
    """A fresh admin user, written through the app's own session factory."""
    sessions: sessionmaker[Session] = client.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        user = User(email=f"admin-{uuid.uuid4().hex[:10]}@example.com", role=Role.ADMIN)
        session.add(user)
        session.commit()
        return user.id


def admin_headers(client: TestClient) -> dict[str, str]:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    return bearer(issue_token(settings, user_id=make_admin(client), role=Role.ADMIN))


def user_headers(client: TestClient, user_id: str | uuid.UUID) -> dict[str, str]:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    return bearer(issue_token(settings, user_id=uuid.UUID(str(user_id)), role=Role.USER))


@pytest.fixture
def running_app(api_settings: Settings, broker: redis.Redis) -> Iterator[FastAPI]:
    """The app with its lifespan started (engine, Redis, metrics registry)."""
    app = create_app(api_settings)
    with TestClient(app):
        yield app


@pytest.fixture
def anonymous(running_app: FastAPI) -> TestClient:
    """The app, called with no credentials."""
    return TestClient(running_app)


@pytest.fixture
def client(running_app: FastAPI) -> TestClient:
    """The app, called by an admin."""
    test_client = TestClient(running_app)
    test_client.headers.update(admin_headers(test_client))
    return test_client


@pytest.fixture
def sessions(api_settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Tasks run in this process (direct calls) on the same database as the API."""
    runtime = worker.use_settings(api_settings)
    yield runtime.sessions
    runtime.engine.dispose()


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    write_mail(demo_mailbox(seed=301, count=60), folder)
    return folder


def new_user(client: TestClient, mail: Path | None = None) -> str:
    """A user made by `client` (an admin), with a local mailbox when `mail` is given."""
    response = client.post("/api/v1/users", json={"email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    if mail is not None:
        connected = client.post(
            f"/api/v1/users/{user_id}/mailboxes/local", json={"path": str(mail)}
        )
        assert connected.status_code == 201, connected.text
    return user_id
