"""Issue 4's acceptance: the whole service, for real, against the Gmail API emulator.

uvicorn, two Celery workers, Beat and `fincoach gmail-emulator` run as subprocesses, against a
fresh migrated PostgreSQL database and a dedicated, flushed Redis database. Each user connects
Gmail through the real OAuth flow over HTTP (the emulator's consent page approves at once), syncs
are started over HTTP, and the ledger must equal what the pure pipeline extracts from the
messages the emulator serves in the sync window (no loss, no duplicate). Then mail is added to
the emulator and Beat's incremental sync must bring exactly the new transactions in. One local
mailbox rides along, so the other provider keeps its end-to-end coverage at little cost.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
import redis

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.devstack.emulator import emulator_env
from fincoach.migrations import runner
from tests.conftest import ADMIN_URL, _with_database
from tests.integration.gmail import GmailEmulator, ServedMessage, expected_ledger
from tests.integration.processes import DEADLINE, Services, free_port
from tests.worker import ledger as local_ledger
from tests.worker.ledger import LedgerKey, stored_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
INTEGRATION_REDIS_DB = 11
SRC = Path(__file__).resolve().parents[2] / "src"
GMAIL_USERS = 3
EMAILS_PER_USER = 150
NEW_MAIL_PER_USER = 25
LOCAL_EMAILS = 60
EMULATOR_SEED = 31
MONTHS = 6
WINDOW = timedelta(days=30 * MONTHS)  # the guide's months are 30-day months
CALLBACK = "/api/v1/oauth/google/callback"
# The product's default Gmail prefilter, passed explicitly so a local .env cannot change it.
PREFILTER = str(Settings.model_fields["gmail_prefilter_query"].default)


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


@dataclass
class Running:
    api_url: str
    client: httpx.Client  # an admin's: its token came from `fincoach admin token`
    services: Services
    database_url: str
    gmail: GmailEmulator

    def as_user(self, user_id: str) -> httpx.Client:
        """A client acting as `user_id`, with the access token an admin issued over HTTP."""
        issued = self.client.post("/api/v1/auth/tokens", json={"user_id": user_id})
        assert issued.status_code == 201, issued.text
        token = issued.json()["access_token"]
        return httpx.Client(
            base_url=self.api_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.client.timeout,
        )


def _admin_token(env: dict[str, str]) -> str:
    """The first admin can only come from the CLI: create one and print its token."""

    def cli(*args: str) -> str:
        command = [sys.executable, "-c", "from fincoach.cli import main; main()", *args]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    admin_id = cli("admin", "create-user", "ops@fincoach.example", "--admin")
    return cli("admin", "token", admin_id, "--admin")


@pytest.fixture(scope="module")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    broker_url = f"{REDIS_URL}/{INTEGRATION_REDIS_DB}"
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    base_env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
    services = Services(base_env, tmp_path_factory.mktemp("logs"))
    client: httpx.Client | None = None
    try:
        # The emulator first: the others need its URL and client credentials in their env.
        services.start(
            "emulator",
            "gmail-emulator",
            "--port",
            "0",
            "--users",
            str(GMAIL_USERS),
            "--emails-per-user",
            str(EMAILS_PER_USER),
            "--seed",
            str(EMULATOR_SEED),
        )
        gmail = GmailEmulator.from_lines(services.json_lines("emulator", until_key="base_url"))
        assert len(gmail.addresses) == GMAIL_USERS
        services.wait_http(f"{gmail.base_url}/admin/counters", name="emulator")

        port = free_port()
        services.env = {
            **base_env,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "EMAIL_BATCH_SIZE": "25",
            "EMAIL_FETCH_DAYS": "180",
            "SYNC_INTERVAL_SECONDS": "2",
            "ENVIRONMENT": "test",
            "LOG_LEVEL": "WARNING",
            "GMAIL_BATCH_SIZE": "25",
            "GMAIL_PREFILTER_QUERY": PREFILTER,
            # Endpoints, client id and secret; OAUTHLIB_INSECURE_TRANSPORT for plain http.
            **emulator_env(
                gmail.base_url, client_id=gmail.client_id, client_secret=gmail.client_secret
            ),
            "GOOGLE_REDIRECT_URI": f"http://127.0.0.1:{port}{CALLBACK}",
        }
        services.start("api", "api", "--port", str(port))
        services.start("worker1", "worker", "--concurrency", "1", "--hostname", "w1@%h")
        services.start("worker2", "worker", "--concurrency", "1", "--hostname", "w2@%h")
        schedule = tmp_path_factory.mktemp("beat") / "schedule"
        services.start("beat", "beat", "--schedule", str(schedule))
        services.wait_http(f"http://127.0.0.1:{port}/health", name="api")
        api_url = f"http://127.0.0.1:{port}"
        client = httpx.Client(
            base_url=api_url,
            headers={"Authorization": f"Bearer {_admin_token(services.env)}"},
            timeout=30,
        )
        yield Running(api_url, client, services, database_url, gmail)
    finally:
        if client is not None:
            client.close()
        services.stop()
        broker.flushdb()
        broker.close()


def _connect_gmail(running: Running, client: httpx.Client, user_id: str, address: str) -> None:
    """What a person does in one browser: start (the web client's call, with the user's token),
    open the consent URL, come back to our callback with code and state."""
    with httpx.Client(timeout=30) as browser:  # keeps cookies, like a browser
        started = browser.get(
            f"{running.api_url}/api/v1/oauth/google/start/{user_id}",
            params={"login_hint": address},
            headers={"Authorization": client.headers["Authorization"]},
        )
        assert started.status_code == 200, started.text
        url = started.json()["authorization_url"]
        assert url.startswith(f"{running.gmail.base_url}/o/oauth2/v2/auth?")
        consent = browser.get(url, follow_redirects=False)
        assert consent.status_code == 302, consent.text
        location = urlsplit(consent.headers["location"])
        callback = f"{location.scheme}://{location.netloc}{location.path}"
        assert callback == running.api_url + CALLBACK
        # Another browser (no binding cookie) cannot complete it, and burns nothing.
        elsewhere = httpx.get(f"{callback}?{location.query}", timeout=30)
        assert elsewhere.status_code == 400, elsewhere.text
        # The way back carries no bearer token: the sealed state says who started, and the
        # binding cookie that this browser started it.
        back = browser.get(f"{callback}?{location.query}")
        assert back.status_code == 200, back.text
    body = back.json()
    assert (body["user_id"], body["address"], body["status"]) == (user_id, address, "active")

    mailboxes = client.get(f"/api/v1/users/{user_id}/mailboxes").json()
    assert [(m["provider"], m["address"], m["status"]) for m in mailboxes] == [
        ("gmail", address, "active")
    ]


def _new_user(client: httpx.Client, n: int) -> str:
    answer = client.post("/api/v1/users", json={"email": f"it{n}-{uuid.uuid4().hex[:6]}@x.io"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _in_window(
    messages: list[ServedMessage], *, started: datetime, finished: datetime
) -> list[ServedMessage]:
    """The messages the initial sync must have read: received after now - 6 months.

    "now" is when the job was prepared, somewhere between `started` and `finished`; a message
    received inside that band (give or take a second for `after:`'s rounding) could go either
    way, so the test refuses to guess and asserts there is none (the band is seconds wide in a
    mailbox whose messages are about a day apart).
    """
    low, high = started - WINDOW - timedelta(seconds=1), finished - WINDOW + timedelta(seconds=1)
    undecided = [m for m in messages if low <= m.internal_date <= high]
    assert not undecided, "a message sits on the window's edge; rerun"
    return [m for m in messages if m.internal_date > high]


def _wait_for_ledgers(running: Running, want: dict[str, list[LedgerKey]]) -> None:
    engine = make_engine(running.database_url)
    sessions = make_session_factory(engine)
    deadline = time.monotonic() + DEADLINE
    try:
        while True:
            running.services.check_alive()
            with sessions() as session:
                got = {user: stored_ledger(session, uuid.UUID(user)) for user in want}
            if got == want:
                return
            if time.monotonic() > deadline:
                report = {
                    user: (
                        len(set(want[user]) - set(got[user])),
                        len(set(got[user]) - set(want[user])),
                    )
                    for user in want
                }
                raise AssertionError(
                    f"ledgers did not converge (missing, extra) per user: {report}\n"
                    + running.services.tails()
                )
            time.sleep(0.5)
    finally:
        engine.dispose()


def _wait_for_job(
    running: Running, client: httpx.Client, user_id: str, job_id: str
) -> dict[str, Any]:
    """Poll the user's status until `job_id` ends.

    Status shows the user's latest job; once another user's initial sync is done, Beat may start
    an incremental one for this user as soon as this one completes, so a job no longer shown
    there is looked up in the user's history.
    """
    deadline = time.monotonic() + DEADLINE
    while True:
        running.services.check_alive()
        job: dict[str, Any] = client.get(f"/api/v1/email-sync/status/{user_id}").json()
        if job["job_id"] != job_id:
            history = client.get(f"/api/v1/email-sync/history/{user_id}?limit=100").json()
            job = next(j for j in history["jobs"] if j["job_id"] == job_id)
        if job["status"] in ("completed", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} did not finish:\n" + (
            running.services.tails()
        )
        time.sleep(0.3)


def test_gmail_users_connect_sync_over_http_then_beat_brings_the_new_mail(
    service: Running, tmp_path: Path
) -> None:
    admin, gmail = service.client, service.gmail
    address_of: dict[str, str] = {}
    as_user: dict[str, httpx.Client] = {}
    for n, address in enumerate(gmail.addresses):
        user_id = _new_user(admin, n)
        as_user[user_id] = service.as_user(user_id)
        _connect_gmail(service, as_user[user_id], user_id, address)
        address_of[user_id] = address

    local_user = _new_user(admin, len(address_of))
    as_user[local_user] = service.as_user(local_user)
    folder = tmp_path / "local"
    local_mail = local_ledger.write_mail(
        local_ledger.demo_mailbox(seed=700, count=LOCAL_EMAILS), folder
    )
    # A folder on the server: only an admin may connect one.
    local = admin.post(f"/api/v1/users/{local_user}/mailboxes/local", json={"path": str(folder)})
    assert local.status_code == 201, local.text

    started_at = datetime.now(UTC)
    jobs = {}
    for user_id, client in as_user.items():
        response = client.post(f"/api/v1/email-sync/start/{user_id}?months={MONTHS}")
        assert response.status_code == 202, response.text
        jobs[user_id] = response.json()["job_id"]
        # Asking again while it runs returns the same job, never a second one.
        again = client.post(f"/api/v1/email-sync/start/{user_id}?months={MONTHS}").json()
        assert again["job_id"] == jobs[user_id] or again["created"] is False
    statuses = {
        user_id: _wait_for_job(service, as_user[user_id], user_id, job)
        for user_id, job in jobs.items()
    }
    finished_at = datetime.now(UTC)

    want: dict[str, list[LedgerKey]] = {}
    for user_id, address in address_of.items():
        served = gmail.fetch_raw(address, gmail.message_ids(address))
        assert len(served) == EMAILS_PER_USER
        window = _in_window(served, started=started_at, finished=finished_at)
        # The sync reads only what the prefilter lets through (Gmail's promotions, social and
        # forums tabs stay out), yet the ledger must be the pipeline's output over the whole
        # window: the prefilter may save fetches, never lose a transaction.
        listed = set(gmail.message_ids(address, PREFILTER))
        status = statuses[user_id]
        assert status["status"] == "completed", status
        assert status["processed_emails"] == status["total_emails"]
        assert status["total_emails"] == len([m for m in window if m.message_id in listed])
        want[user_id] = expected_ledger(window)
    assert statuses[local_user]["status"] == "completed", statuses[local_user]
    assert statuses[local_user]["processed_emails"] == LOCAL_EMAILS
    want[local_user] = local_ledger.expected_ledger(local_mail)
    assert all(want.values())
    _wait_for_ledgers(service, want)

    # New mail arrives; nobody calls our API: Beat's incremental sync must bring exactly it in.
    for user_id, address in address_of.items():
        added = gmail.add_mail(address, NEW_MAIL_PER_USER)
        assert len(added) == NEW_MAIL_PER_USER
        new = expected_ledger(gmail.fetch_raw(address, added))
        assert new, "the new mail holds no transaction: the incremental check would be empty"
        want[user_id] = sorted([*want[user_id], *new], key=repr)
    late = local_ledger.write_mail(local_ledger.recent_mailbox(seed=800, count=15), folder)
    want[local_user] = local_ledger.expected_ledger([*local_mail, *late])
    _wait_for_ledgers(service, want)

    for user_id in address_of:
        history = as_user[user_id].get(f"/api/v1/email-sync/history/{user_id}?limit=100").json()
        assert {job["kind"] for job in history["jobs"]} == {"initial", "incremental"}
        assert all(job["status"] != "failed" for job in history["jobs"])
    stats = admin.get("/api/v1/email-sync/stats").json()
    assert stats["jobs_by_status"]["failed"] == 0
    assert stats["transactions"] == sum(len(rows) for rows in want.values())
    assert "fincoach_celery_queue_length" in admin.get("/metrics").text
    for client in as_user.values():
        client.close()

    counters = gmail.admin("GET", "/counters")
    print(
        f"\nemulator: {counters['rate_limited_total']} rate-limited answers (429), "
        f"{counters['api_calls']} API calls, {counters['batches']} batches, "
        f"{counters['messages_served']} messages served, units by user "
        f"{counters['units_by_user']}"
    )
    assert counters["rate_limited_total"] == 0
    assert counters["injected_429"] == counters["injected_5xx"] == 0
