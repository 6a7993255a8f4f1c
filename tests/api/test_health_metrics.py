"""`/health` names what is down; `/metrics` exposes job-derived gauges and the queue depth."""

from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from fincoach.app import create_app
from fincoach.config import Settings
from fincoach.sync import tasks
from tests.api.conftest import new_user

pytestmark = pytest.mark.postgres


def test_health_is_ok_when_postgres_and_redis_answer(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok"}


@pytest.mark.parametrize("down", ["postgres", "redis", "both"])
def test_health_is_503_naming_what_is_down(api_settings: Settings, down: str) -> None:
    # Nothing listens on port 1 of the loopback: a real refused connection.
    update: dict[str, str] = {}
    if down in ("postgres", "both"):
        update["database_url"] = "postgresql://postgres@127.0.0.1:1/nothing"
    if down in ("redis", "both"):
        update["celery_broker_url"] = "redis://127.0.0.1:1/0"
    with TestClient(create_app(api_settings.model_copy(update=update))) as client:
        response = client.get("/health")
    assert response.status_code == 503
    expected = ["postgres", "redis"] if down == "both" else [down]
    assert response.json()["down"] == expected


def _samples(text: str) -> dict[str, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


def test_metrics_follow_the_database_and_the_queue(
    client: TestClient, mail_dir: Path, sessions: sessionmaker[Session], broker: redis.Redis
) -> None:
    before = _samples(client.get("/metrics").text)
    user_id = new_user(client, mail_dir)
    started = client.post(f"/api/v1/email-sync/start/{user_id}").json()
    queued = _samples(client.get("/metrics").text)
    assert queued["fincoach_celery_queue_length"] == 1  # the start message is waiting
    assert queued["fincoach_sync_jobs{status=pending}"] == (
        before["fincoach_sync_jobs{status=pending}"] + 1
    )

    tasks.process_batch(started["job_id"])
    after = _samples(client.get("/metrics").text)
    assert after["fincoach_emails_processed"] == before["fincoach_emails_processed"] + 60
    assert after["fincoach_sync_jobs{status=completed}"] == (
        before["fincoach_sync_jobs{status=completed}"] + 1
    )
    assert after["fincoach_transactions"] > before["fincoach_transactions"]
