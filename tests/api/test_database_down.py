"""PostgreSQL down: data routes answer 503 with Retry-After, as /health does, never 500.

The app runs on a private PostgreSQL cluster (tests/faults/servers.py) that this test stops and
starts; the machine's shared server is never touched.
"""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fincoach.app import create_app
from fincoach.auth.tokens import issue_token
from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.migrations import runner
from fincoach.models import Role, User
from tests.api.conftest import API_REDIS_DB, REDIS_URL, bearer
from tests.faults.servers import PrivatePostgres, private_postgres

__all__ = ["private_postgres"]  # the module-scoped fixture, used below

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def app_on_private_postgres(private_postgres: PrivatePostgres) -> Iterator[tuple[TestClient, str]]:
    """The app on its own migrated database, and an admin's token."""
    url = private_postgres.create_database(f"down_{uuid.uuid4().hex[:10]}")
    runner.upgrade(url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        celery_broker_url=f"{REDIS_URL}/{API_REDIS_DB}",
        celery_result_backend=f"{REDIS_URL}/{API_REDIS_DB}",
        environment="test",
    )
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        admin = User(email=f"admin-{uuid.uuid4().hex[:8]}@example.com", role=Role.ADMIN)
        session.add(admin)
        session.commit()
        token = issue_token(settings, user_id=admin.id, role=Role.ADMIN)
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        client.headers.update(bearer(token))
        yield client, str(admin.id)


def test_data_routes_answer_503_with_retry_after_while_postgres_is_down(
    app_on_private_postgres: tuple[TestClient, str], private_postgres: PrivatePostgres
) -> None:
    client, admin_id = app_on_private_postgres
    routes = [
        ("GET", "/api/v1/users"),
        ("GET", f"/api/v1/users/{admin_id}"),
        ("GET", f"/api/v1/transactions/{admin_id}"),
        ("GET", f"/api/v1/email-sync/history/{admin_id}"),
        ("POST", "/api/v1/users"),
    ]
    assert client.get("/api/v1/users").status_code == 200  # the pool holds live connections
    private_postgres.halt()
    try:
        for method, path in routes:
            body = {"email": "new@example.com"} if method == "POST" else None
            answer = client.request(method, path, json=body)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert int(answer.headers["Retry-After"]) > 0
            assert "database" in answer.json()["detail"]
        assert client.get("/health").status_code == 503
    finally:
        private_postgres.start()
    # Back up: the same app answers again, without a restart.
    assert client.get("/api/v1/users").status_code == 200
