"""A real `fincoach worker` and `fincoach beat`: every line they log is a JSON object (like the
API's), and Beat keeps its state file in the user's own state directory, not in /tmp."""

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from fincoach.config import Settings
from fincoach.worker import beat_schedule_file
from tests.worker.conftest import REDIS_URL

pytestmark = pytest.mark.postgres

PROCESS_REDIS_DB = 10  # its own: the broker is flushed before and after
DEADLINE = 60.0


@pytest.fixture
def broker_url() -> Iterator[str]:
    url = f"{REDIS_URL}/{PROCESS_REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def _env(pg_url: str, broker_url: str, home: Path) -> dict[str, str]:
    src = Path(__file__).resolve().parents[2] / "src"
    return {
        **os.environ,
        "PYTHONPATH": str(src),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": pg_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "INFO",
        "LOG_JSON": "true",
        "SYNC_INTERVAL_SECONDS": "1",
        "XDG_STATE_HOME": str(home / "state"),
        "HOME": str(home),
    }


def _run_until(args: list[str], env: dict[str, str], cwd: Path, done: Any) -> list[dict[str, Any]]:
    """Run `fincoach ARGS` until `done(lines)` holds; every output line must be JSON."""
    log = cwd / "out.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from fincoach.cli import main; main()", *args],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + DEADLINE
        while True:
            text = log.read_text(errors="replace")
            lines = [line for line in text.splitlines() if line.strip()]
            objects = []
            for line in lines:
                try:
                    objects.append(json.loads(line))
                except ValueError:
                    pytest.fail(f"not a JSON line: {line!r}\n{text[-3000:]}")
            if done(objects):
                return objects
            assert proc.poll() is None, f"exited with {proc.returncode}:\n{text[-3000:]}"
            assert time.monotonic() < deadline, text[-3000:]
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def _events(lines: list[dict[str, Any]]) -> str:
    return "\n".join(str(line.get("event")) for line in lines)


def test_the_worker_logs_json_lines(pg_url: str, broker_url: str, tmp_path: Path) -> None:
    lines = _run_until(
        ["worker", "--concurrency", "1", "--hostname", "jsonlog@%h"],
        _env(pg_url, broker_url, tmp_path),
        tmp_path,
        lambda lines: "ready." in _events(lines),
    )
    assert all({"event", "level", "timestamp"} <= line.keys() for line in lines), lines
    assert any(line["logger"].startswith("celery") for line in lines)


def test_beat_logs_json_lines_and_keeps_its_state_in_the_users_state_dir(
    pg_url: str, broker_url: str, tmp_path: Path
) -> None:
    schedule = tmp_path / "state" / "fincoach" / "celerybeat-schedule"
    lines = _run_until(
        ["beat"],
        _env(pg_url, broker_url, tmp_path),
        tmp_path,
        lambda lines: "Sending due task" in _events(lines),
    )
    assert all({"event", "level", "timestamp"} <= line.keys() for line in lines), lines
    # celery's shelve may add a suffix (.db) to the name it is given
    assert list(schedule.parent.glob(schedule.name + "*")), list(tmp_path.rglob("*"))
    assert stat.S_IMODE(schedule.parent.stat().st_mode) == 0o700


def test_beats_state_file_is_per_user_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "alice-state"))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert beat_schedule_file(settings) == tmp_path / "alice-state/fincoach/celerybeat-schedule"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "bob"))
    assert (
        beat_schedule_file(settings) == tmp_path / "bob/.local/state/fincoach/celerybeat-schedule"
    )
    chosen = tmp_path / "ops" / "beat.schedule"
    settings = Settings(_env_file=None, beat_schedule_file=chosen)  # type: ignore[call-arg]
    assert beat_schedule_file(settings) == chosen
    assert chosen.parent.is_dir()
