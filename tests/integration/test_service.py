"""The whole service, for real: uvicorn, two Celery workers and Beat as subprocesses, against a
fresh migrated PostgreSQL database and a dedicated, flushed Redis database.

Syncs for several users are started over HTTP; the ledger must equal what the pure pipeline
extracts from the same messages (no loss, no duplicate). Then mail arrives and Beat's
incremental sync must bring exactly the new transactions in.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from fincoach.db import make_engine, make_session_factory
from fincoach.demo import DemoMessage
from fincoach.migrations import runner
from tests.conftest import ADMIN_URL, _with_database
from tests.worker.ledger import (
    demo_mailbox,
    expected_ledger,
    recent_mailbox,
    stored_ledger,
    write_mail,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
INTEGRATION_REDIS_DB = 11
SRC = Path(__file__).resolve().parents[2] / "src"
USERS = 3
EMAILS_PER_USER = 120
DEADLINE = 90.0  # seconds for any one wait; the whole test takes far less


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    name = f"fincoach_it_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(ADMIN_URL, name)
    runner.upgrade(url)
    yield url
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Services:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, *args: str) -> None:
        out = (self.logs / f"{name}.log").open("wb")
        command = [sys.executable, "-c", "from fincoach.cli import main; main()", *args]
        # Own process group: the worker's prefork children are stopped with their parent.
        proc = subprocess.Popen(
            command, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append((name, proc))

    def check_alive(self) -> None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")

    def tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for _, proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@pytest.fixture(scope="module")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    broker_url = f"{REDIS_URL}/{INTEGRATION_REDIS_DB}"
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "EMAIL_BATCH_SIZE": "25",
        "EMAIL_FETCH_DAYS": "180",
        "SYNC_INTERVAL_SECONDS": "2",
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
    }
    services = Services(env, tmp_path_factory.mktemp("logs"))
    services.start("api", "api", "--port", str(port))
    services.start("worker1", "worker", "--concurrency", "1", "--hostname", "w1@%h")
    services.start("worker2", "worker", "--concurrency", "1", "--hostname", "w2@%h")
    services.start("beat", "beat", "--schedule", str(tmp_path_factory.mktemp("beat") / "schedule"))
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:
        deadline = time.monotonic() + DEADLINE
        while True:
            services.check_alive()
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, services.tail("api")
            time.sleep(0.3)
        yield client, services, database_url
    finally:
        client.close()
        services.stop()
        broker.flushdb()
        broker.close()


def _wait_for_ledgers(services: Services, database_url: str, want: dict[str, list[Any]]) -> None:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    deadline = time.monotonic() + DEADLINE
    try:
        while True:
            services.check_alive()
            with sessions() as session:
                got = {user: stored_ledger(session, uuid.UUID(user)) for user in want}
            if got == want:
                return
            if time.monotonic() > deadline:
                for user in want:
                    missing = set(want[user]) - set(got[user])
                    extra = set(got[user]) - set(want[user])
                    print(user, "missing", len(missing), "extra", len(extra))
                raise AssertionError("ledgers did not converge:\n" + services.tail("worker1"))
            time.sleep(0.5)
    finally:
        engine.dispose()


def test_syncs_over_http_then_beat_brings_the_new_mail(service: Any, tmp_path: Path) -> None:
    client, services, database_url = service
    mail: dict[str, list[DemoMessage]] = {}
    folders: dict[str, Path] = {}
    for n in range(USERS):
        user = client.post("/api/v1/users", json={"email": f"it{n}-{uuid.uuid4().hex[:6]}@x.io"})
        user_id = user.json()["id"]
        folders[user_id] = tmp_path / f"user{n}"
        mail[user_id] = write_mail(
            demo_mailbox(seed=700 + n, count=EMAILS_PER_USER), folders[user_id]
        )
        assert (
            client.post(
                f"/api/v1/users/{user_id}/mailboxes/local", json={"path": str(folders[user_id])}
            ).status_code
            == 201
        )

    started = {}
    for user_id in mail:
        response = client.post(f"/api/v1/email-sync/start/{user_id}?months=6")
        assert response.status_code == 202, response.text
        started[user_id] = response.json()["job_id"]
        # Asking again while it runs returns the same job, never a second one.
        again = client.post(f"/api/v1/email-sync/start/{user_id}?months=6").json()
        assert again["job_id"] == started[user_id] or again["created"] is False

    deadline = time.monotonic() + DEADLINE
    for user_id, job_id in started.items():
        while True:
            services.check_alive()
            status = client.get(f"/api/v1/email-sync/status/{user_id}").json()
            if status["job_id"] == job_id and status["status"] in ("completed", "failed"):
                break
            assert time.monotonic() < deadline, services.tail("worker1")
            time.sleep(0.3)
        assert status["status"] == "completed", status
        assert status["processed_emails"] == status["total_emails"] == EMAILS_PER_USER

    want = {user_id: expected_ledger(messages) for user_id, messages in mail.items()}
    assert all(want.values())
    _wait_for_ledgers(services, database_url, want)

    # New mail arrives; nobody calls the API: Beat's incremental sync must pick it up.
    for n, user_id in enumerate(mail):
        new = write_mail(recent_mailbox(seed=800 + n, count=30), folders[user_id])
        want[user_id] = expected_ledger([*mail[user_id], *new])
    _wait_for_ledgers(services, database_url, want)

    history = client.get(f"/api/v1/email-sync/history/{next(iter(mail))}?limit=100").json()
    kinds = {job["kind"] for job in history["jobs"]}
    assert kinds == {"initial", "incremental"}
    assert all(job["status"] in ("completed", "pending", "processing") for job in history["jobs"])
    stats = client.get("/api/v1/email-sync/stats").json()
    assert stats["jobs_by_status"]["failed"] == 0
    assert stats["transactions"] == sum(len(rows) for rows in want.values())
    metrics = client.get("/metrics").text
    assert "fincoach_celery_queue_length" in metrics
