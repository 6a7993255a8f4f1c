"""The README's "Without Docker, by hand" steps, run as written, each terminal in its own bash.

The block is read from README.md and split at its `# terminal N` lines. Terminals 1-4 start
the emulator, the API, a worker and Beat in the background; terminal 5 (you) must run to the
end and see its sync complete. Only what belongs to this machine is changed: the API's port
and the database (the README's 8000 and `fincoach` could be taken), and the emulator gets any
free port (the env file it writes carries it). The broker, Beat's state directory and the
OAuth redirect URI for the changed port come from the environment the README leaves alone.
"""

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

from fincoach.devstack.emulator import CALLBACK_PATH
from fincoach.devstack.processes import free_port
from tests.conftest import ADMIN_URL, _with_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

README = Path(__file__).resolve().parents[2] / "README.md"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
BY_HAND_REDIS_DB = 10
README_DATABASE = "postgresql://postgres@localhost:5432/fincoach"
DEADLINE = 120.0


def terminals() -> list[str]:
    """The bash block of "Without Docker, by hand", one script per `# terminal N` line."""
    text = README.read_text()
    section = text.split("**Without Docker, by hand**", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    parts = re.split(r"^# terminal \d+:.*\n", block, flags=re.MULTILINE)
    assert parts[0].strip() == "", "the block starts with its first terminal"
    return parts[1:]


@pytest.fixture
def database() -> Iterator[str]:
    name = f"fincoach_readme_{uuid.uuid4().hex[:10]}"
    yield _with_database(ADMIN_URL, name).replace("+psycopg", "")
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_by_hand_steps_run_as_written(database: str, tmp_path: Path) -> None:
    scripts = terminals()
    assert len(scripts) == 5, scripts
    port = free_port()
    broker = f"{REDIS_URL}/{BY_HAND_REDIS_DB}"
    redis.Redis.from_url(broker).flushdb()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "GOOGLE_REDIRECT_URI": f"http://localhost:{port}{CALLBACK_PATH}",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "SECRET_KEY", "ENVIRONMENT", "LOG_LEVEL"):
        env.pop(name, None)  # what the README does not set is the product's default

    def local(script: str) -> str:
        return (
            script.replace("8000", str(port))
            .replace(README_DATABASE, database)
            .replace("fincoach gmail-emulator", "fincoach gmail-emulator --port 0")
        )

    background: list[subprocess.Popen[bytes]] = []

    def start(n: int) -> None:
        log = (tmp_path / f"terminal{n + 1}.log").open("wb")
        background.append(
            subprocess.Popen(
                ["bash", "-e", "-c", local(scripts[n])],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def logs() -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
            for p in sorted(tmp_path.glob("terminal*.log"))
        )

    def wait_for(what: str, check: object) -> None:
        deadline = time.monotonic() + DEADLINE
        while not check():  # type: ignore[operator]
            dead = [p.args for p in background if p.poll() is not None]
            assert not dead, f"{dead} ended\n{logs()}"
            assert time.monotonic() < deadline, f"{what} did not happen\n{logs()}"
            time.sleep(0.3)

    def api_up() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        start(0)
        wait_for("the emulator's env file", (tmp_path / "emulator.env").exists)
        for n in (1, 2, 3):
            start(n)
        wait_for("the API", api_up)
        you = subprocess.run(
            ["bash", "-e", "-c", local(scripts[4])],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        assert you.returncode == 0, f"{you.stdout}\n{you.stderr}\n{logs()}"
        # The connect answered the connected address; the sync ran to its end with results.
        assert '"address":"user0001@fincoach.example"' in you.stdout, you.stdout
        said = " ".join(you.stdout.split())  # rich wraps lines at the terminal width
        outcome = re.search(r"job \S+: (\w+), (\d+)/(\d+) emails, (\d+) transactions", said)
        assert outcome is not None, you.stdout
        status, processed, total, found = outcome.groups()
        assert status == "completed" and processed == total and int(found) > 0, you.stdout
    finally:
        for proc in background:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in background:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        redis.Redis.from_url(broker).flushdb()
