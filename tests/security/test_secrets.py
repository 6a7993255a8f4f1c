"""Secrets at rest and in logs: key rotation, default secrets refused, nothing leaked in logs,
the per-user limit on starting syncs."""

import contextlib
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from secrets import token_urlsafe
from urllib.parse import parse_qs, urlsplit

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from fincoach import worker
from fincoach.app import create_app
from fincoach.auth.tokens import issue_token
from fincoach.cli import _register_commands, app
from fincoach.config import DEVELOPMENT_TOKEN_KEY, Settings
from fincoach.kit.crypto import CredentialsUnreadable, TokenCipher
from fincoach.migrations import runner as migrations
from fincoach.models import EmailSyncJob, Mailbox, MailProvider, Role
from fincoach.sync import tasks
from tests.api.conftest import admin_headers, bearer, new_user, user_headers
from tests.conftest import ADMIN_URL, _with_database
from tests.factories import create_user
from tests.oauth.emulator_server import running_emulator

pytestmark = pytest.mark.postgres

CANARY = "CANARY-7f3a9-do-not-log"


@pytest.fixture
def own_database(api_settings: Settings) -> Iterator[Settings]:
    """The settings on a database of this test's own: rotation reads every credential there is,
    and other tests' mailboxes (under other keys) must not be part of it."""
    name = f"fincoach_rotate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(ADMIN_URL, name)
    migrations.upgrade(url)
    yield api_settings.model_copy(update={"database_url": url})
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cli(api_settings: Settings) -> Iterator[tuple[CliRunner, sessionmaker[Session]]]:
    """The real `fincoach` CLI on the test database."""
    _register_commands()
    runtime = worker.use_settings(api_settings)
    yield CliRunner(), runtime.sessions
    runtime.engine.dispose()


@pytest.fixture
def rotation_cli(own_database: Settings) -> Iterator[tuple[CliRunner, sessionmaker[Session]]]:
    """The real `fincoach` CLI on the test's own database."""
    _register_commands()
    runtime = worker.use_settings(own_database)
    yield CliRunner(), runtime.sessions
    runtime.engine.dispose()


def test_rotate_keys_re_encrypts_every_credential_under_the_newest_key(
    own_database: Settings, rotation_cli: tuple[CliRunner, sessionmaker[Session]]
) -> None:
    api_settings = own_database
    runner, sessions = rotation_cli
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with sessions() as session:
        user = create_user(session)
        ids = []
        for n in range(3):
            mailbox = Mailbox(
                user_id=user.id, provider=MailProvider.GMAIL, address=f"m{n}@example.com"
            )
            mailbox.credentials_encrypted = TokenCipher([old]).encrypt(f"refresh-{n}")
            session.add(mailbox)
            session.flush()
            ids.append(mailbox.id)
        session.commit()

    rotated = api_settings.model_copy(
        update={"token_encryption_keys": [SecretStr(new), SecretStr(old)]}
    )
    worker.use_settings(rotated)
    result = runner.invoke(app, ["admin", "rotate-keys"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "re-encrypted" in result.output

    only_new = TokenCipher([new])
    with sessions() as session:
        for n, mailbox_id in enumerate(ids):
            blob = session.get_one(Mailbox, mailbox_id).credentials_encrypted
            assert blob is not None
            assert only_new.decrypt(blob) == f"refresh-{n}"
            with pytest.raises(CredentialsUnreadable):
                TokenCipher([old]).decrypt(blob)


def test_rotate_keys_names_credentials_no_key_opens(
    api_settings: Settings, cli: tuple[CliRunner, sessionmaker[Session]]
) -> None:
    runner, sessions = cli
    lost = Fernet.generate_key().decode()
    with sessions() as session:
        user = create_user(session)
        mailbox = Mailbox(user_id=user.id, provider=MailProvider.GMAIL, address=user.email)
        mailbox.credentials_encrypted = TokenCipher([lost]).encrypt("refresh")
        session.add(mailbox)
        session.commit()
        mailbox_id = mailbox.id
    result = runner.invoke(app, ["admin", "rotate-keys"], catch_exceptions=False)
    assert result.exit_code == 1
    assert str(mailbox_id) in result.output and "refresh" not in result.output


def test_cli_bootstraps_an_admin_and_prints_tokens_and_keys(
    api_settings: Settings, cli: tuple[CliRunner, sessionmaker[Session]], anonymous: TestClient
) -> None:
    runner, _ = cli
    email = f"root-{uuid.uuid4().hex[:8]}@example.com"
    made = runner.invoke(app, ["admin", "create-user", email, "--admin"], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    user_id = made.stdout.strip().splitlines()[-1]
    token = runner.invoke(app, ["admin", "token", user_id, "--admin", "--ttl", "5"])
    assert token.exit_code == 0, token.output
    me = anonymous.get("/api/v1/auth/me", headers=bearer(token.stdout.strip().splitlines()[-1]))
    assert me.json()["role"] == "admin"
    key = runner.invoke(app, ["admin", "api-key", user_id, "--name", "ci"])
    assert key.exit_code == 0, key.output
    me = anonymous.get("/api/v1/auth/me", headers=bearer(key.stdout.strip().splitlines()[-1]))
    assert (me.json()["user_id"], me.json()["via"]) == (user_id, "api_key")
    unknown = runner.invoke(app, ["admin", "token", str(uuid.uuid4())])
    assert unknown.exit_code == 2


def test_production_refuses_the_development_and_short_secret_keys() -> None:
    own_keys = [SecretStr(Fernet.generate_key().decode())]
    strong = token_urlsafe(48)
    with pytest.raises(ValidationError, match="SECRET_KEY is the published development"):
        Settings(_env_file=None, environment="production", token_encryption_keys=own_keys)
    with pytest.raises(ValidationError, match="shorter than 32"):
        Settings(
            _env_file=None,
            environment="production",
            token_encryption_keys=own_keys,
            secret_key="short",
        )
    with pytest.raises(ValidationError, match="TOKEN_ENCRYPTION_KEYS"):
        Settings(_env_file=None, environment="production", secret_key=strong)
    ok = Settings(
        _env_file=None,
        environment="production",
        token_encryption_keys=own_keys,
        secret_key=strong,
    )
    assert ok.token_encryption_keys[0].get_secret_value() != DEVELOPMENT_TOKEN_KEY


def test_starting_syncs_is_rate_limited_per_user(
    api_settings: Settings, broker: object, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    limited = api_settings.model_copy(
        update={"sync_start_limit": 2, "sync_start_window_seconds": 600}
    )
    with TestClient(create_app(limited)) as client:
        client.headers.update(admin_headers(client))
        (tmp_path / "mail").mkdir()
        alice, bob = new_user(client, tmp_path / "mail"), new_user(client, tmp_path / "mail")
        as_alice = user_headers(client, alice)
        for _ in range(2):
            started = client.post(f"/api/v1/email-sync/start/{alice}?months=1", headers=as_alice)
            assert started.status_code == 202
            tasks.process_batch(started.json()["job_id"])  # finish it, so the next one is new
        refused = client.post(f"/api/v1/email-sync/start/{alice}?months=1", headers=as_alice)
        assert refused.status_code == 429
        assert "too many syncs" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 600
        # The limit is per user: Bob starts.
        bob_start = client.post(
            f"/api/v1/email-sync/start/{bob}", headers=user_headers(client, bob)
        )
        assert bob_start.status_code == 202
        # Once the window has passed, Alice may start again.
        with sessions() as session:
            for job in session.query(EmailSyncJob).filter_by(user_id=uuid.UUID(alice)):
                job.created_at = datetime(2020, 1, 1, tzinfo=UTC)
            session.commit()
        again = client.post(f"/api/v1/email-sync/start/{alice}?months=1", headers=as_alice)
        assert again.status_code == 202


def test_no_token_and_no_email_content_reach_logs_or_the_error_log(
    api_settings: Settings,
    broker: object,
    tmp_path: Path,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # everything every library logs, at its most talkative
    mail = tmp_path / "mail"
    mail.mkdir()
    (mail / "canary.eml").write_text(
        f"From: bank@example.com\nTo: me@example.com\nSubject: {CANARY} statement\n"
        f"Message-ID: <canary@example.com>\nDate: {datetime.now(UTC):%a, %d %b %Y %H:%M:%S +0000}"
        f"\n\nDear customer, {CANARY}. Rs. 1,234.00 debited from a/c XX1234.\n"
    )
    (mail / "broken.eml").write_bytes(
        b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64"
        + f"\n\n{CANARY}!!!\n".encode()
    )
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    secrets: list[str] = []
    address = f"leak-{uuid.uuid4().hex[:8]}@fincoach.example"
    with running_emulator(address=address, count=5) as emu:
        settings = emu.settings(
            database_url=api_settings.database_url,
            celery_broker_url=api_settings.celery_broker_url,
            celery_result_backend=api_settings.celery_result_backend,
            environment="test",
        )
        with TestClient(create_app(settings)) as client:
            admin = admin_headers(client)
            secrets.append(admin["Authorization"][7:])
            as_admin = TestClient(client.app, headers=admin)
            user_id = as_admin.post("/api/v1/users", json={"email": address}).json()["id"]
            local = f"/api/v1/users/{user_id}/mailboxes/local"
            assert as_admin.post(local, json={"path": str(mail)}).status_code == 201
            token = issue_token(settings, user_id=uuid.UUID(user_id), role=Role.USER)
            secrets.append(token)
            headers = bearer(token)
            key = client.post("/api/v1/auth/api-keys", json={"name": "x"}, headers=headers)
            secrets.append(key.json()["key"])
            headers = bearer(secrets[-1])
            # The Gmail connect: the refresh token comes back from the (emulated) Google.
            url = client.get(f"/api/v1/oauth/google/start/{user_id}", headers=headers)
            consent = httpx.get(url.json()["authorization_url"], follow_redirects=False)
            back = parse_qs(urlsplit(consent.headers["location"]).query)
            connected = client.get(
                "/api/v1/oauth/google/callback", params={k: v[0] for k, v in back.items()}
            )
            assert connected.status_code == 200, connected.text
            secrets.append(emu.refresh_token)
            secrets.append(settings.google_client_secret.get_secret_value())
            # A sync of the local mailbox (the Gmail one is synced by the worker tests).
            started = client.post(f"/api/v1/email-sync/start/{user_id}", headers=headers)
            assert started.status_code == 202
            worker.use_settings(settings)
            for job_id in started.json()["job_ids"]:
                with contextlib.suppress(Exception):  # a failed job is fine; a leak is not
                    tasks.process_batch(job_id)
            status = client.get(f"/api/v1/email-sync/status/{user_id}", headers=headers)
            bad = client.get("/api/v1/auth/me", headers=bearer(token + "x"))
            assert bad.status_code == 401
    with sessions() as session:
        logs = [
            json.dumps(job.error_log) + str(job.error_message)
            for job in session.query(EmailSyncJob).filter_by(user_id=uuid.UUID(user_id))
        ]
    out, err = capfd.readouterr()
    captured = caplog.text + out + err
    records = " ".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert len(caplog.records) > 0  # the flow did log: an empty capture would prove nothing
    for secret in secrets:
        assert secret not in captured and secret not in records
        assert secret not in status.text
    for text in [captured, records, *logs, status.text, bad.text]:
        assert CANARY not in text
