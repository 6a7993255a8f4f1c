"""Tasks run against the real PostgreSQL test database and a dedicated Redis database."""

import os
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fincoach import worker
from fincoach.config import Settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
WORKER_REDIS_DB = 12


@pytest.fixture
def task_settings(pg_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=pg_url,
        celery_broker_url=f"{REDIS_URL}/{WORKER_REDIS_DB}",
        celery_result_backend=f"{REDIS_URL}/{WORKER_REDIS_DB}",
        email_batch_size=20,
        environment="test",
    )


@pytest.fixture
def broker(task_settings: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(task_settings.celery_broker_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def task_runtime(task_settings: Settings, broker: redis.Redis) -> Iterator[worker.Runtime]:
    """Tasks in this process use the test database; committed rows are visible to them."""
    runtime = worker.use_settings(task_settings)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def sessions(task_runtime: worker.Runtime) -> sessionmaker[Session]:
    return task_runtime.sessions


@pytest.fixture
def engine(task_runtime: worker.Runtime) -> Engine:
    return task_runtime.engine
