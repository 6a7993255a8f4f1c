"""Issue 10's acceptance: nothing personal or secret in any log line or Redis key.

The API runs under a real uvicorn with its access log on, Gmail is the emulator over real HTTP,
and a real `fincoach worker` process runs the sync on a Redis database of this test's own. A
user connects Gmail through the whole OAuth flow (start, consent, callback with `code` and
`state` in the query), the sync reads mail carrying canary strings in subject, body and merchant,
plus poisoned alerts (an amount beyond the bound, a merchant with a NUL) so a failure path runs
too, and the ledger is asked for the canary merchant (`merchant=` in the query); then Google
revokes the grant and a second sync meets the refusal (the auth failure path). Every line logged
(caplog at DEBUG, the captured stdout and stderr, the worker's output at DEBUG), every command
Redis ran on the test's database during the flow (MONITOR: what a worker deletes before the end
is seen too), every key and value left in it, and the decoded task payloads are searched for
the message contents, the addresses, the OAuth code and state, the tokens, the client secret,
the API key and the merchant filter, as written and URL-encoded.
"""

import base64
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import httpx
import pytest
import redis
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from fincoach.app import create_app
from fincoach.auth.tokens import issue_token
from fincoach.config import Settings
from fincoach.devstack.emulator import emulator_env
from fincoach.models import Role, User
from tests.api.serving import served
from tests.fuzz.poison import card_alert
from tests.integration.processes import DEADLINE, Services
from tests.oauth.emulator_server import RunningEmulator, running_emulator

pytestmark = pytest.mark.postgres

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
LEAKS_REDIS_DB = 14  # its own: flushed before and after (api 13, worker 12, integration 10/11)
SRC = Path(__file__).resolve().parents[2] / "src"
CALLBACK = "/api/v1/oauth/google/callback"
RUN = uuid.uuid4().hex[:8].upper()
SUBJECT_CANARY = f"SUBJCANARY{RUN}"
BODY_CANARY = f"BODYCANARY{RUN}"
MERCHANT_CANARY = f"SHOPCANARY{RUN}"
POISON_CANARY = f"POISONCANARY{RUN}"
# An amount beyond the ledger's bound: its digits are message content too.
HUGE_AMOUNT = "918273645546372819091827364.55"
# The loggers an httpx client writes to (a filter on a logger sees only its own records).
BASE64_BODY = re.compile(r'"body": "([A-Za-z0-9+/]+=*)"')
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
CLIENT_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.proxy")


def _canary_alert() -> bytes:
    """A card alert the parser extracts, with a canary in its subject, body and merchant."""
    return (
        "From: HDFC Bank Alerts <alerts@hdfcbank.net>\r\n"
        "To: someone@fincoach.example\r\n"
        f"Subject: {SUBJECT_CANARY} card transaction alert\r\n"
        "Date: Mon, 1 Jun 2026 10:00:00 +0530\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Dear customer ({BODY_CANARY}), Rs.731.00 spent on HDFC Bank Card XX1234 at "
        f"{MERCHANT_CANARY} on 2026-06-01 10:00:00.\r\n"
    ).encode()


def _mail(emu: RunningEmulator) -> None:
    """The canary alert and two poisoned ones, added to the emulator's mailbox as raw bytes."""
    messages = [
        _canary_alert(),
        card_alert(amount=HUGE_AMOUNT, merchant=POISON_CANARY),
        card_alert(merchant=f"{POISON_CANARY}=00NUL"),
    ]
    for raw in messages:
        emu.admin(
            "POST",
            f"/users/{emu.address}/messages",
            content=raw,
            headers={"content-type": "message/rfc822"},
        )


class _NotFrom(logging.Filter):
    """Drops the records logged by the given threads."""

    def __init__(self, threads: set[int]) -> None:
        super().__init__()
        self.threads = threads

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread not in self.threads


@contextmanager
def _the_services_logs(emulator_threads: set[int]) -> Iterator[None]:
    """Logging as `fincoach api` has it, minus what is not the service's.

    The emulator's uvicorn (uvicorn's own logging config, level warning) turned uvicorn's
    loggers to WARNING and stopped them propagating; `fincoach api` (its own process) has them
    at INFO or below, propagating to the root handlers, which is what this test must read.
    Dropped: the records of the emulator's threads (it plays Google: its access log is
    Google's, and names addresses in its admin paths) and of this test's own HTTP client (it
    runs in the test's thread; the API answers in uvicorn's threads, so whatever the API logs
    through httpx is kept).
    """
    drop = _NotFrom({threading.get_ident(), *emulator_threads})
    saved = []
    for name in (*UVICORN_LOGGERS, *CLIENT_LOGGERS):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate, logger.disabled))
        if name in UVICORN_LOGGERS:
            logger.setLevel(logging.DEBUG)
            logger.propagate, logger.disabled = True, False
        logger.addFilter(drop)
    try:
        yield
    finally:
        for logger, level, propagate, disabled in saved:
            logger.level, logger.propagate, logger.disabled = level, propagate, disabled
            logger.removeFilter(drop)


@pytest.fixture
def leak_redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(f"{REDIS_URL}/{LEAKS_REDIS_DB}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


class RedisWrites:
    """Every command the Redis server runs on one database while this is open (MONITOR): the
    keys and values written during the flow, even those a worker deletes before the end (a
    queued task, an unacknowledged message, a published result)."""

    def __init__(self, client: redis.Redis, db: int) -> None:
        self.client, self.db = client, db
        self.commands: list[str] = []
        self._stop = f"no-leaks-monitor-stop-{uuid.uuid4().hex}"
        # MONITOR is on before anything is sent.
        self._monitor = client.monitor().__enter__()  # type: ignore[no-untyped-call]
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        for seen in self._monitor.listen():
            if seen["db"] != self.db:
                continue  # other tests' databases on the same server
            if self._stop in seen["command"]:
                return
            self.commands.append(seen["command"])

    def close(self) -> list[str]:
        """Stop (a marker command on the database ends the listening) and answer the commands."""
        if self._thread.is_alive():
            self.client.exists(self._stop)
            self._thread.join(timeout=10)
            assert not self._thread.is_alive(), "MONITOR did not see the stop marker"
            self._monitor.__exit__(None, None, None)
        return self.commands


@pytest.fixture
def redis_writes(leak_redis: redis.Redis) -> Iterator[RedisWrites]:
    writes = RedisWrites(leak_redis, LEAKS_REDIS_DB)
    yield writes
    writes.close()


def _bodies(lines: list[str]) -> list[str]:
    """Each base64 message body in the lines, decoded: kombu's Redis transport keeps a task's
    payload base64-encoded, where a grep for plain text would not find it."""
    return [
        base64.b64decode(body + "==").decode(errors="replace")
        for line in lines
        for body in BASE64_BODY.findall(line)
    ]


def _redis_dump(client: redis.Redis) -> list[str]:
    """Every key and every value in the database, whatever its type, decoded leniently."""
    lines: list[str] = []

    def text(value: bytes | str | float) -> str:
        return value.decode(errors="replace") if isinstance(value, bytes) else str(value)

    for key in client.scan_iter(count=500):
        kind = text(client.type(key))
        values: list[bytes | str | float]
        if kind == "string":
            values = [client.get(key) or b""]
        elif kind == "list":
            values = list(client.lrange(key, 0, -1))
        elif kind == "hash":
            values = [part for pair in client.hgetall(key).items() for part in pair]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = [part for pair in client.zrange(key, 0, -1, withscores=True) for part in pair]
        else:
            raise AssertionError(f"a Redis {kind} this test cannot read: {text(key)}")
        lines.append(" ".join([text(key), kind, *(text(v) for v in values)]))
    return lines


def _worker_env(settings: Settings, emu: RunningEmulator) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": settings.database_url,
        "CELERY_BROKER_URL": settings.celery_broker_url,
        "CELERY_RESULT_BACKEND": settings.celery_result_backend,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "DEBUG",
        "GMAIL_PREFILTER_QUERY": "",
        **emulator_env(
            emu.base,
            client_id=emu.emulator.oauth.client_id,
            client_secret=emu.emulator.oauth.client_secret,
        ),
        "GOOGLE_REDIRECT_URI": settings.google_redirect_uri,
    }


def _admin_token(app: FastAPI) -> str:
    """The first admin comes from the CLI in production; here, from the app's own sessions."""
    settings: Settings = app.state.settings
    sessions: sessionmaker[Session] = app.state.sessions
    with sessions() as session:
        admin = User(email=f"ops-{uuid.uuid4().hex[:8]}@example.com", role=Role.ADMIN)
        session.add(admin)
        session.commit()
        return issue_token(settings, user_id=admin.id, role=Role.ADMIN)


def _connect_gmail(api: str, key: str, user_id: str, address: str) -> dict[str, str]:
    """One browser: start with `login_hint`, consent at the emulator, come back to the callback
    with `code` and `state` in the query. Returns the code and state Google sent back."""
    with httpx.Client(timeout=30) as browser:
        started = browser.get(
            f"{api}/api/v1/oauth/google/start/{user_id}",
            params={"login_hint": address},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert started.status_code == 200, started.text
        consent = browser.get(started.json()["authorization_url"], follow_redirects=False)
        assert consent.status_code == 302, consent.text
        query = urlsplit(consent.headers["location"]).query
        # The redirect URI names the configured host; the same query goes to the served API.
        back = browser.get(f"{api}{CALLBACK}?{query}")
        assert back.status_code == 200, back.text
        assert back.json()["address"] == address
    decoded = httpx.QueryParams(query)
    return {"OAuth code": decoded["code"], "OAuth state": decoded["state"]}


def _sync(client: httpx.Client, user_id: str, services: Services) -> dict[str, Any]:
    """Start a sync over HTTP and wait for the worker to finish it; answers its status."""
    started = client.post(f"/api/v1/email-sync/start/{user_id}", params={"months": 1})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + DEADLINE
    while True:
        services.check_alive()
        job: dict[str, Any] = client.get(f"/api/v1/email-sync/status/{user_id}").json()
        if job["job_id"] == started.json()["job_id"] and job["status"] in ("completed", "failed"):
            return job
        assert time.monotonic() < deadline, f"{job}\n{services.tails()}"
        time.sleep(0.3)


def test_no_message_content_address_or_token_reaches_a_log_or_redis(
    api_settings: Settings,
    leak_redis: redis.Redis,
    redis_writes: RedisWrites,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # every library, at its most talkative
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the emulator speaks plain http
    address = f"leaky-{RUN.lower()}@fincoach.example"
    owner = f"owner-{RUN.lower()}@fincoach.example"
    broker_url = f"{REDIS_URL}/{LEAKS_REDIS_DB}"
    services = Services({}, tmp_path)
    before = {thread.ident for thread in threading.enumerate()}
    with (
        running_emulator(address=address, count=20) as emu,
        _the_services_logs({t.ident or 0 for t in threading.enumerate()} - before),
    ):
        _mail(emu)
        settings = emu.settings(
            database_url=api_settings.database_url,
            celery_broker_url=broker_url,
            celery_result_backend=broker_url,
            email_batch_size=10,
            log_level="DEBUG",
        )
        services.start(
            "worker",
            "worker",
            "--concurrency",
            "1",
            "--hostname",
            "leaks@%h",
            env=_worker_env(settings, emu),
        )
        try:
            app = create_app(settings)
            with served(app) as port:
                api = f"http://127.0.0.1:{port}"
                admin_token = _admin_token(app)
                admin = httpx.Client(
                    base_url=api, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
                )
                user_id = admin.post("/api/v1/users", json={"email": owner}).json()["id"]
                issued = admin.post("/api/v1/auth/tokens", json={"user_id": user_id})
                user_token = issued.json()["access_token"]
                made = httpx.post(
                    f"{api}/api/v1/auth/api-keys",
                    json={"name": "phone"},
                    headers={"Authorization": f"Bearer {user_token}"},
                )
                assert made.status_code == 201, made.text
                api_key = made.json()["key"]
                oauth = _connect_gmail(api, api_key, user_id, address)
                user = httpx.Client(
                    base_url=api, headers={"Authorization": f"Bearer {api_key}"}, timeout=30
                )
                job = _sync(user, user_id, services)
                found = user.get(
                    f"/api/v1/transactions/{user_id}", params={"merchant": MERCHANT_CANARY}
                )
                assert found.status_code == 200, found.text
                # The auth failure path: Google revokes the grant, the next sync meets it.
                # (Revoking forgets the tokens: note the grant's and every access token handed
                # out until now; the emulator keeps no other record of them.)
                refresh_token = emu.refresh_token
                access_tokens = list(emu.emulator.oauth._access)
                emu.admin("POST", f"/users/{address}/revoke")
                refused = _sync(user, user_id, services)
                admin.close()
                user.close()
        finally:
            services.stop()

    # The flow ran as meant: a completed sync, the canary stored, the poisoned alert failed.
    assert job["status"] == "completed", job
    assert job["failed_emails"] >= 1, job
    merchants = [str(t["merchant"]).upper() for t in found.json()["items"]]
    assert any(MERCHANT_CANARY in m for m in merchants), found.json()
    assert access_tokens, "the worker never fetched an access token: Gmail was not read"
    assert refused["status"] == "failed", refused

    out, err = capfd.readouterr()
    records = [f"{caplog.handler.format(r)} {r.args!r}" for r in caplog.records]
    worker_log = services.log("worker")
    redis_lines = _redis_dump(leak_redis)
    redis_commands = redis_writes.close()
    task_payloads = _bodies(redis_lines + redis_commands)
    # Proof that each place was captured: an empty one would prove nothing.
    assert any(CALLBACK in line for line in records), "no access log line of the callback"
    assert any("/api/v1/transactions/" in line for line in records)
    assert "celery-task-meta-" in " ".join(redis_lines), redis_lines[:20]
    assert any("process_batch" in line for line in redis_commands), "no task seen queued"
    assert any(job["job_id"] in body for body in task_payloads), "no task payload decoded"
    # The worker ran both jobs (it logs each task's result) and met the revoked grant.
    for ran in (job, refused):
        assert f"'job_id': '{ran['job_id']}'" in worker_log, worker_log[-3000:]
    assert "sync.reauth_required" in worker_log, worker_log[-3000:]

    forbidden = {
        "subject canary": SUBJECT_CANARY,
        "body canary": BODY_CANARY,
        "merchant canary (and the merchant= filter)": MERCHANT_CANARY,
        "poisoned merchant": POISON_CANARY,
        "poisoned amount": HUGE_AMOUNT.split(".")[0],
        "mailbox and login_hint address": address,
        "the user's address": owner,
        **oauth,
        "refresh token": refresh_token,
        "client secret": settings.google_client_secret.get_secret_value(),
        "admin access token": admin_token,
        "user access token": user_token,
        "API key": api_key,
        **{f"Gmail access token {n}": token for n, token in enumerate(access_tokens)},
    }
    places = {
        "caplog": records,
        "captured stdout/stderr": [*out.splitlines(), *err.splitlines()],
        "worker output": worker_log.splitlines(),
        "Redis at the end": redis_lines,
        "Redis commands during the flow": redis_commands,
        "task payloads in Redis": task_payloads,
    }
    # Each as written and as a URL carries it (an address's @ is %40 in a query string).
    forms = {
        (what, form.lower())
        for what, value in forbidden.items()
        for form in (value, quote(value, safe=""), quote_plus(value))
    }
    leaks = [
        f"{what} in {where}: {line[:300]!r}"
        for where, lines in places.items()
        for line in lines
        for what, form in sorted(forms)
        if form in line.lower()
    ]
    assert not leaks, "\n".join(leaks)
