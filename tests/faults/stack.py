"""The whole service as subprocesses on the private servers, and what every fault run checks.

Same shape as tests/integration/test_service.py (uvicorn, Celery workers, Beat, the Gmail
emulator; users connect through the OAuth flow over HTTP; the expected ledger comes from the
pure pipeline over the bytes the emulator serves), plus what a fault test needs: kill or restart
one named process, the job rows as the database holds them, and the closing checks.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.devstack.connect import connect_gmail
from fincoach.devstack.emulator import CALLBACK_PATH, emulator_env
from fincoach.migrations import runner
from fincoach.models import EmailSyncJob
from tests.faults.servers import PrivatePostgres, PrivateRedis
from tests.integration.gmail import GmailEmulator, ServedMessage, expected_ledger
from tests.integration.processes import Services, free_port
from tests.worker.ledger import LedgerKey, stored_ledger

SRC = Path(__file__).resolve().parents[2] / "src"
DEADLINE = 150.0  # seconds for one wait; faults make the runs slower than the plain test
USERS = 3
EMAILS_PER_USER = 120
MONTHS = 6
WINDOW = timedelta(days=30 * MONTHS)
PREFILTER = str(Settings.model_fields["gmail_prefilter_query"].default)
STALL_SECONDS = 4  # JOB_STALL_SECONDS: the reaper resends a job idle (and unlocked) this long
BEAT_SECONDS = 1  # SYNC_INTERVAL_SECONDS: how often Beat schedules (and the reaper looks)


class FaultServices(Services):
    """Services that can be killed or replaced one by one."""

    def proc(self, name: str) -> subprocess.Popen[bytes]:
        return next(p for n, p in reversed(self.procs) if n == name)

    def forget(self, name: str) -> None:
        """A process this test killed on purpose: check_alive must not complain about it."""
        self.procs = [(n, p) for n, p in self.procs if n != name]

    def kill_group(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        proc = self.proc(name)
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
        self.forget(name)

    def pool_children(self, name: str) -> list[int]:
        """The prefork pool children of worker `name` (its main process's children)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc(name).pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(pid) for pid in out.split()]


@dataclass
class Stack:
    services: FaultServices
    api_url: str
    admin: httpx.Client
    database_url: str
    engine: Engine
    gmail: GmailEmulator
    postgres: PrivatePostgres
    redis: PrivateRedis
    address_of: dict[str, str] = field(default_factory=dict)
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    # repr=False: a failed assertion prints the stack, and must never print email content.
    served: dict[str, list[ServedMessage]] = field(default_factory=dict, repr=False)

    def as_user(self, user_id: str) -> httpx.Client:
        issued = self.admin.post("/api/v1/auth/tokens", json={"user_id": user_id})
        assert issued.status_code == 201, issued.text
        return httpx.Client(
            base_url=self.api_url,
            headers={"Authorization": f"Bearer {issued.json()['access_token']}"},
            timeout=60,
        )

    def jobs(self) -> list[EmailSyncJob]:
        """Every job row, read fresh (retried while a restarted PostgreSQL comes back)."""
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                with make_session_factory(self.engine)() as session:
                    return list(session.scalars(select(EmailSyncJob)))
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def ledgers(self) -> dict[str, list[LedgerKey]]:
        with make_session_factory(self.engine)() as session:
            return {u: stored_ledger(session, uuid.UUID(u)) for u in self.address_of}

    def faults(self, **settings: Any) -> None:
        self.gmail.admin("PUT", "/faults", json=settings)

    def counters(self) -> dict[str, Any]:
        counters: dict[str, Any] = self.gmail.admin("GET", "/counters")
        return counters


def _cli(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-c", "from fincoach.cli import main; main()", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def running_stack(
    postgres: PrivatePostgres,
    redis_server: PrivateRedis,
    logs: Path,
    *,
    workers: int = 2,
    concurrency: int = 1,
    beats: int = 1,
    seed: int = 41,
    env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Emulator, API, `workers` workers and `beats` Beats on a fresh database and empty Redis."""
    redis_server.flush()
    database_url = postgres.create_database(f"faults_{uuid.uuid4().hex[:10]}")
    runner.upgrade(database_url)
    base_env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
    services = FaultServices(base_env, logs)
    engine = make_engine(database_url)
    admin: httpx.Client | None = None
    try:
        services.start(
            "emulator",
            "gmail-emulator",
            "--port",
            "0",
            "--users",
            str(USERS),
            "--emails-per-user",
            str(EMAILS_PER_USER),
            "--seed",
            str(seed),
        )
        gmail = GmailEmulator.from_lines(services.json_lines("emulator", until_key="base_url"))
        services.wait_http(f"{gmail.base_url}/admin/counters", name="emulator")
        port = free_port()
        services.env = {
            **base_env,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_server.url,
            "CELERY_RESULT_BACKEND": redis_server.url,
            "EMAIL_BATCH_SIZE": "20",
            "EMAIL_FETCH_DAYS": "180",
            "SYNC_INTERVAL_SECONDS": str(BEAT_SECONDS),
            "JOB_STALL_SECONDS": str(STALL_SECONDS),
            "ENVIRONMENT": "test",
            "LOG_LEVEL": "WARNING",
            "GMAIL_BATCH_SIZE": "20",
            "GMAIL_PREFILTER_QUERY": PREFILTER,
            **emulator_env(
                gmail.base_url, client_id=gmail.client_id, client_secret=gmail.client_secret
            ),
            "GOOGLE_REDIRECT_URI": f"http://127.0.0.1:{port}{CALLBACK_PATH}",
            **(env or {}),
        }
        services.start("api", "api", "--port", str(port))
        for n in range(1, workers + 1):
            start_worker(services, f"worker{n}", concurrency=concurrency)
        for n in range(1, beats + 1):
            start_beat(services, f"beat{n}")
        api_url = f"http://127.0.0.1:{port}"
        services.wait_http(f"{api_url}/health", name="api")
        token = _cli(services.env, "admin", "token", _admin_id(services.env), "--admin")
        admin = httpx.Client(
            base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        stack = Stack(services, api_url, admin, database_url, engine, gmail, postgres, redis_server)
        yield stack
        for client in stack.clients.values():
            client.close()
    finally:
        if admin is not None:
            admin.close()
        services.stop()
        engine.dispose()


def _admin_id(env: dict[str, str]) -> str:
    return _cli(env, "admin", "create-user", f"ops-{uuid.uuid4().hex[:6]}@x.io", "--admin")


def start_worker(services: FaultServices, name: str, *, concurrency: int = 1) -> None:
    # INFO whatever LOG_LEVEL says: the checks count the worker's "Task ... received" lines.
    services.start(
        name,
        "worker",
        *("--concurrency", str(concurrency), "--hostname", f"{name}@%h", "--loglevel", "INFO"),
    )


def start_beat(services: FaultServices, name: str) -> None:
    schedule = services.logs / f"{name}-{uuid.uuid4().hex[:6]}.schedule"
    services.start(name, "beat", "--schedule", str(schedule))


def connect_users(stack: Stack) -> None:
    """One user per emulator address, connected through the OAuth flow over HTTP."""
    for n, address in enumerate(stack.gmail.addresses):
        created = stack.admin.post(
            "/api/v1/users", json={"email": f"f{n}-{uuid.uuid4().hex[:6]}@x.io"}
        )
        assert created.status_code == 201, created.text
        user_id = str(created.json()["id"])
        client = stack.as_user(user_id)
        stack.clients[user_id] = client
        stack.address_of[user_id] = address
        token = client.headers["Authorization"].removeprefix("Bearer ")
        connect_gmail(stack.api_url, token=token, user_id=user_id, login_hint=address)
        # What the emulator serves, read before any fault is switched on.
        stack.served[user_id] = stack.gmail.fetch_raw(address, stack.gmail.message_ids(address))


def start_syncs(stack: Stack) -> dict[str, str]:
    jobs = {}
    for user_id, client in stack.clients.items():
        answer = client.post(f"/api/v1/email-sync/start/{user_id}?months={MONTHS}")
        assert answer.status_code == 202, answer.text
        jobs[user_id] = str(answer.json()["job_id"])
    return jobs


def wait_until(what: str, stack: Stack, check: Any, *, deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while not check():
        stack.services.check_alive()
        assert time.monotonic() < end, f"{what} did not happen in time\n{stack.services.tails()}"
        time.sleep(0.3)


def progressed(stack: Stack, *, at_least: int) -> bool:
    """Some initial job has processed `at_least` emails and is not finished."""
    return any(
        job.processed_emails >= at_least and job.status.value == "processing"
        for job in stack.jobs()
    )


def expected(stack: Stack, *, started: datetime, finished: datetime) -> dict[str, list[LedgerKey]]:
    """Per user: the pipeline's output over the messages inside the 6-month window."""
    low = started - WINDOW - timedelta(seconds=1)
    high = finished - WINDOW + timedelta(seconds=1)
    want = {}
    for user_id, served in stack.served.items():
        assert not [m for m in served if low <= m.internal_date <= high], "edge message; rerun"
        want[user_id] = expected_ledger([m for m in served if m.internal_date > high])
        assert want[user_id], "a user without transactions proves nothing"
    return want


def finish(
    stack: Stack, jobs: dict[str, str], *, started: datetime, extra: dict[str, list[LedgerKey]]
) -> dict[str, Any]:
    """The closing checks of every fault run; returns what happened, for the printed report.

    Waits until every initial job completed and the ledgers equal the expected ones, then stops
    Beat (nothing new is scheduled) and waits until no job is active: every job must end
    `completed`, none failed, none left pending or processing.
    """
    wait_until(
        "initial jobs completing",
        stack,
        lambda: _statuses(stack, jobs) == {"completed"},
    )
    finished = datetime.now(UTC)
    want = expected(stack, started=started, finished=finished)
    for user_id, rows in extra.items():
        want[user_id] = sorted([*want[user_id], *rows], key=repr)
    wait_until("the exact ledgers", stack, lambda: stack.ledgers() == want)
    for name, _ in list(stack.services.procs):
        if name.startswith("beat"):
            stack.services.kill_group(name, signal.SIGTERM)
    wait_until("no active job", stack, lambda: not _active(stack))
    rows = stack.jobs()
    assert {job.status.value for job in rows} == {"completed"}, [
        (job.kind.value, job.status.value, job.error_message)
        for job in rows
        if job.status.value != "completed"
    ]
    assert sum(job.failed_emails for job in rows) == 0, "a message was given up on"
    assert stack.ledgers() == want  # nothing arrived twice while the last jobs ran
    by_user = {job.user_id for job in rows}
    assert by_user == {uuid.UUID(u) for u in stack.address_of}
    per_mailbox_kind = Counter((str(job.mailbox_id), job.kind.value) for job in rows)
    assert all(n == 1 for (_, kind), n in per_mailbox_kind.items() if kind == "initial")
    _assert_never_two_active(rows)
    return {
        "transactions": sum(len(v) for v in want.values()),
        "jobs": Counter(job.kind.value for job in rows),
        "redelivered_batches": sum(1 for j in rows if "careful_until" in (j.checkpoint or {})),
        "failed_emails": sum(j.failed_emails for j in rows),
    }


def _statuses(stack: Stack, jobs: dict[str, str]) -> set[str]:
    wanted = set(jobs.values())
    return {job.status.value for job in stack.jobs() if str(job.id) in wanted}


def _active(stack: Stack) -> list[EmailSyncJob]:
    return [job for job in stack.jobs() if job.status.value in ("pending", "processing")]


def _assert_never_two_active(rows: list[EmailSyncJob]) -> None:
    """Per mailbox, job lifetimes [created, completed] never overlap: one active at a time."""
    spans: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {}
    for job in rows:
        assert job.completed_at is not None
        spans.setdefault(job.mailbox_id, []).append((job.created_at, job.completed_at))
    for intervals in spans.values():
        intervals.sort()
        for (_, end), (start, _) in pairwise(intervals):
            assert end <= start, "two jobs of one mailbox were active at once"
