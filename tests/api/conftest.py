"""The API under FastAPI's TestClient, on the real PostgreSQL test database and Redis."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from fincoach import worker
from fincoach.app import create_app
from fincoach.config import Settings
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
    )


@pytest.fixture
def broker(api_settings: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(api_settings.celery_broker_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def client(api_settings: Settings, broker: redis.Redis) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


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
    import uuid

    response = client.post("/api/v1/users", json={"email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    if mail is not None:
        connected = client.post(
            f"/api/v1/users/{user_id}/mailboxes/local", json={"path": str(mail)}
        )
        assert connected.status_code == 201, connected.text
    return user_id
