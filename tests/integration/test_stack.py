"""`fincoach stack`: one command brings up the service and a connected, synced user; SIGTERM
stops every process it started."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from fincoach.devstack.processes import free_port
from tests.conftest import ADMIN_URL, _with_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
STACK_REDIS_DB = 10
DEADLINE = 120.0


@pytest.fixture
def database() -> Iterator[str]:
    name = f"fincoach_stack_{uuid.uuid4().hex[:10]}"  # made by the command itself
    yield _with_database(ADMIN_URL, name)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_one_command_runs_the_service_with_a_synced_user(database: str, tmp_path: Path) -> None:
    port = free_port()
    broker = f"{REDIS_URL}/{STACK_REDIS_DB}"
    redis.Redis.from_url(broker).flushdb()
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "PYTHONUNBUFFERED": "1",
    }
    out = tmp_path / "stack.out"
    command = [
        *(sys.executable, "-c", "from fincoach.cli import main; main()", "stack"),
        *("--api-port", str(port), "--emulator-port", "0", "--emails", "150"),
        *("--database-url", database, "--state-dir", str(tmp_path / "state")),
    ]
    with out.open("wb") as sink:
        proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + DEADLINE
        while "Stop: Ctrl-C" not in out.read_text():
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.5)
        printed = out.read_text()
        user_id = re.search(r"user id: +(\S+)", printed)
        token = re.search(r"token: +(\S+)", printed)
        assert user_id and token, printed
        assert re.search(r"first sync: +completed: (\d+)/\1 emails, [1-9]\d* transactions", printed)
        assert f"API:            http://127.0.0.1:{port}" in printed
        # The printed token works, and the ledger is there.
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token.group(1)}"},
            timeout=30,
        ) as client:
            ledger = client.get(f"/api/v1/transactions/{user_id.group(1)}?limit=5")
            assert ledger.status_code == 200 and ledger.json()["items"], ledger.text
            [mailbox] = client.get(f"/api/v1/users/{user_id.group(1)}/mailboxes").json()
            assert (mailbox["provider"], mailbox["status"]) == ("gmail", "active")
        logs = tmp_path / "state" / "logs"
        assert {p.name for p in logs.iterdir()} == {
            "emulator.log",
            "api.log",
            "worker.log",
            "beat.log",
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, out.read_text()[-3000:]
        redis.Redis.from_url(broker).flushdb()
    # Everything it started stopped with it.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
