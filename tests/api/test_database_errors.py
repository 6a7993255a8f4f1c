"""How database errors that escape a service become answers: a reason, never the driver's text."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError, OperationalError

from fincoach.app import create_app
from fincoach.config import Settings

pytestmark = pytest.mark.postgres

# What a driver message may carry: a row value (here, an address) that must not be echoed.
DRIVER_TEXT = "duplicate key value violates unique constraint: (email)=(someone@example.com)"


@pytest.fixture
def failing_app(api_settings: Settings) -> FastAPI:
    app = create_app(api_settings)

    @app.get("/test/unique-race")
    def unique_race() -> None:
        raise IntegrityError("INSERT INTO users ...", {}, Exception(DRIVER_TEXT))

    @app.get("/test/database-gone")
    def database_gone() -> None:
        raise OperationalError("SELECT 1", {}, Exception(DRIVER_TEXT))

    return app


def test_a_uniqueness_race_is_a_409_with_a_reason(failing_app: FastAPI) -> None:
    answer = TestClient(failing_app).get("/test/unique-race")
    assert answer.status_code == 409
    assert "conflicts" in answer.json()["detail"]
    assert "someone@example.com" not in answer.text


def test_a_lost_database_is_a_503_with_retry_after(failing_app: FastAPI) -> None:
    answer = TestClient(failing_app).get("/test/database-gone")
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert "someone@example.com" not in answer.text
