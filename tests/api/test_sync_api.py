"""Email sync over HTTP: start (once per running job), status, history, stats."""

import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from fincoach.mail.base import FetchedMessage
from fincoach.mail.local import LocalMailSource
from fincoach.models import EmailSyncJob, Mailbox
from fincoach.parsing import version as parser_version
from fincoach.sync import service, tasks
from tests.api.conftest import new_user

pytestmark = pytest.mark.postgres


def test_start_returns_the_running_job_instead_of_a_second_one(
    client: TestClient, mail_dir: Path, broker: redis.Redis
) -> None:
    user_id = new_user(client, mail_dir)

    first = client.post(f"/api/v1/email-sync/start/{user_id}?months=3")
    assert first.status_code == 202, first.text
    body = first.json()
    assert body["user_id"] == user_id and body["months"] == 3
    assert body["task_id"] and body["job_id"] and body["created"] is True
    assert broker.llen("celery") == 1  # sent once the request's transaction committed

    again = client.post(f"/api/v1/email-sync/start/{user_id}?months=6")
    assert again.status_code == 200
    assert again.json()["job_id"] == body["job_id"]
    assert again.json()["task_id"] == body["task_id"]
    assert broker.llen("celery") == 1

    status = client.get(f"/api/v1/email-sync/status/{user_id}").json()
    assert status["job_id"] == body["job_id"] and status["status"] == "pending"


def test_status_history_and_stats_follow_a_job_to_completion(
    client: TestClient, mail_dir: Path, sessions: sessionmaker[Session]
) -> None:
    user_id = new_user(client, mail_dir)
    before = client.get("/api/v1/email-sync/stats").json()
    started = client.post(f"/api/v1/email-sync/start/{user_id}").json()

    tasks.process_batch(started["job_id"])  # what the worker does, run here to the end

    status = client.get(f"/api/v1/email-sync/status/{user_id}").json()
    assert status["status"] == "completed" and status["progress"] == 100.0
    assert status["total_emails"] == status["processed_emails"] == 60
    assert status["parsed_transactions"] > 0
    assert status["started_at"] and status["completed_at"]
    assert set(status["errors"]) == {"total", "by_error", "last"}
    assert status["errors"]["total"] == status["failed_emails"]

    history = client.get(f"/api/v1/email-sync/history/{user_id}?limit=5").json()
    assert [job["job_id"] for job in history["jobs"]] == [started["job_id"]]

    after = client.get("/api/v1/email-sync/stats").json()
    assert after["jobs"] == before["jobs"] + 1
    assert after["processed_emails"] == before["processed_emails"] + 60
    assert after["jobs_by_status"]["completed"] == before["jobs_by_status"]["completed"] + 1
    assert after["throughput_emails_per_second"] > 0

    ledger = client.get(f"/api/v1/transactions/{user_id}?limit=100").json()
    assert len(ledger["items"]) == status["parsed_transactions"]


def test_the_error_log_is_summarised_by_class(
    client: TestClient, mail_dir: Path, sessions: sessionmaker[Session]
) -> None:
    user_id = new_user(client, mail_dir)
    started = client.post(f"/api/v1/email-sync/start/{user_id}").json()
    with sessions() as session:
        job = session.get_one(EmailSyncJob, uuid.UUID(started["job_id"]))
        mailbox = session.get_one(Mailbox, job.mailbox_id)
        service.prepare(
            session, job=job, mailbox=mailbox, source=LocalMailSource(mail_dir), fetch_days=180
        )
        session.commit()
        listed = (job.checkpoint or {})["ids"]
    for message_id in listed[:2]:
        (mail_dir / f"{message_id}.eml").unlink()  # listed, then gone: two FetchErrors

    tasks.process_batch(started["job_id"], 0)

    status = client.get(f"/api/v1/email-sync/status/{user_id}").json()
    assert status["status"] == "completed"
    assert status["failed_emails"] == status["errors"]["total"] == 2
    assert status["errors"]["by_error"] == {"FetchError": 2}
    assert [e["message_id"] for e in status["errors"]["last"]] == listed[:2]


class _Broken(LocalMailSource):
    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        raise RuntimeError("a provider bug")


def test_an_unexpected_error_fails_the_job_instead_of_holding_the_mailbox(
    client: TestClient,
    mail_dir: Path,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks, "open_source", lambda mailbox, _s: _Broken(mailbox.location))
    user_id = new_user(client, mail_dir)
    started = client.post(f"/api/v1/email-sync/start/{user_id}").json()
    with pytest.raises(RuntimeError):
        tasks.process_batch(started["job_id"])
    status = client.get(f"/api/v1/email-sync/status/{user_id}").json()
    assert status["status"] == "failed"
    assert status["error_message"] == "unexpected error: RuntimeError"
    assert client.post(f"/api/v1/email-sync/start/{user_id}").status_code == 202


def test_history_is_newest_first_and_limited(
    client: TestClient, mail_dir: Path, sessions: sessionmaker[Session]
) -> None:
    user_id = new_user(client, mail_dir)
    ids = []
    for _ in range(3):
        started = client.post(f"/api/v1/email-sync/start/{user_id}?months=1").json()
        tasks.process_batch(started["job_id"])
        ids.append(started["job_id"])
    history = client.get(f"/api/v1/email-sync/history/{user_id}?limit=2").json()
    assert [job["job_id"] for job in history["jobs"]] == ids[::-1][:2]


def test_reparse_starts_a_reparse_job_that_reads_only_judged_messages(
    client: TestClient, mail_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = new_user(client, mail_dir)
    started = client.post(f"/api/v1/email-sync/start/{user_id}").json()
    tasks.process_batch(started["job_id"])
    synced = client.get(f"/api/v1/email-sync/status/{user_id}").json()

    # Nothing was judged by an older parser yet: the job has nothing to read.
    fresh = client.post(f"/api/v1/email-sync/reparse/{user_id}")
    assert fresh.status_code == 202, fresh.text
    assert fresh.json()["months"] is None and fresh.json()["created"] is True
    tasks.process_batch(fresh.json()["job_id"])
    status = client.get(f"/api/v1/email-sync/status/{user_id}").json()
    assert (status["kind"], status["status"], status["total_emails"]) == ("reparse", "completed", 0)

    monkeypatch.setattr(parser_version, "PARSER_VERSION", parser_version.PARSER_VERSION + 1)
    again = client.post(f"/api/v1/email-sync/reparse/{user_id}").json()
    tasks.process_batch(again["job_id"])
    status = client.get(f"/api/v1/email-sync/status/{user_id}").json()
    assert status["kind"] == "reparse" and status["status"] == "completed"
    # The messages that gave transactions, and those with an amount that gave none: not all 60.
    assert 0 < status["total_emails"] < synced["total_emails"]
    assert status["parsed_transactions"] == synced["parsed_transactions"]
