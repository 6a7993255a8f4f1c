"""A database error's values never reach the worker's log or the result backend (issue 10).

psycopg's text quotes what it refused (`invalid input syntax for type numeric: "..."`, a COPY's
`CONTEXT` line) and SQLAlchemy appends the statement's parameters: the task records the error's
class and SQLSTATE instead.
"""

import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from fincoach.kit.db_errors import StorageFailed
from fincoach.models import EmailSyncJob, JobKind, JobStatus, Mailbox
from fincoach.sync import service, tasks
from tests.factories import create_mailbox, create_user
from tests.worker.ledger import demo_mailbox, write_mail

pytestmark = pytest.mark.postgres

SECRET = "AMAZON-PRIVATE-4242"  # stands for a merchant name, an address or an amount


def _refused_value(session: Session, **_: Any) -> service.BatchOutcome:
    # What a COPY of a hostile value does: the server refuses it and quotes it back.
    session.execute(text("SELECT CAST(:value AS numeric)"), {"value": SECRET})
    raise AssertionError("unreachable: the cast fails")


def test_a_database_error_is_recorded_without_its_values(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: redis.Redis,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "box"
    write_mail(demo_mailbox(seed=301, count=5), folder)
    with sessions() as session:
        user = create_user(session)
        mailbox: Mailbox = create_mailbox(session, user=user, location=str(folder))
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        session.commit()
        job_id = job.id
    monkeypatch.setattr(service, "process_next_batch", _refused_value)
    # Store the outcome in the real result backend, as a worker does.
    monkeypatch.setattr(tasks.process_batch, "store_eager_result", True)
    task_id = str(uuid.uuid4())
    caplog.set_level(logging.DEBUG)

    result = tasks.process_batch.apply(args=(str(job_id), None), task_id=task_id)

    assert isinstance(result.result, StorageFailed)
    assert str(result.result) == "InvalidTextRepresentation (SQLSTATE 22P02)"
    stored = broker.get(f"celery-task-meta-{task_id}")
    assert stored is not None and b"FAILURE" in stored and b"StorageFailed" in stored
    assert SECRET.encode() not in stored
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert "sync.database_error" in logged
    assert SECRET not in logged
    with sessions() as session:
        failed = session.get_one(EmailSyncJob, job_id)
        assert failed.status is JobStatus.FAILED
        assert failed.error_message == (
            "unexpected error: InvalidTextRepresentation (SQLSTATE 22P02)"
        )
