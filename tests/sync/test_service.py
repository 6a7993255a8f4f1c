"""The sync service over a local mailbox, on PostgreSQL and SQLite, committing per batch."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.demo import DemoMailbox, write_eml_dir
from fincoach.mail.local import LocalMailSource
from fincoach.models import EmailSyncJob, JobKind, JobStatus, Mailbox, Transaction
from fincoach.parsing import parse
from fincoach.sync import service
from fincoach.sync.runner import run_job
from tests.factories import create_mailbox, create_user

EMAILS = 240


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mail") / "inbox"
    write_eml_dir(DemoMailbox(seed=11, count=EMAILS), folder)
    (folder / "zz-empty.eml").write_bytes(b"")  # a malformed email
    return folder


@pytest.fixture(params=["postgres", "sqlite"])
def sessions(request: pytest.FixtureRequest) -> Iterator[sessionmaker[Session]]:
    url = request.getfixturevalue("pg_url" if request.param == "postgres" else "sqlite_url")
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _settings(batch_size: int = 50) -> Settings:
    return Settings(_env_file=None, email_batch_size=batch_size)


def _new_mailbox(sessions: sessionmaker[Session], mail_dir: Path) -> Mailbox:
    with sessions() as session:
        user = create_user(session)
        mailbox = create_mailbox(session, user=user, location=str(mail_dir))
        session.commit()
        return mailbox


def _sync(
    sessions: sessionmaker[Session],
    mailbox: Mailbox,
    mail_dir: Path,
    progress: list[tuple[int, int]] | None = None,
) -> EmailSyncJob:
    with sessions() as session:
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        session.commit()
    record = (
        None
        if progress is None
        else (lambda j: progress.append((j.processed_emails, j.total_emails)))
    )
    return run_job(
        sessions,
        job_id=job.id,
        source=LocalMailSource(mail_dir),
        settings=_settings(),
        on_progress=record,
    )


def _ledger(sessions: sessionmaker[Session], mailbox: Mailbox) -> list[tuple[str, int, str]]:
    with sessions() as session:
        rows = session.execute(
            select(Transaction.message_id, Transaction.position, Transaction.amount).where(
                Transaction.user_id == mailbox.user_id
            )
        ).all()
    return sorted((m, p, str(a)) for m, p, a in rows)


def test_sync_stores_what_the_pipeline_extracts_and_twice_adds_nothing(
    sessions: sessionmaker[Session], mail_dir: Path
) -> None:
    mailbox = _new_mailbox(sessions, mail_dir)
    progress: list[tuple[int, int]] = []
    job = _sync(sessions, mailbox, mail_dir, progress)
    assert job.status is JobStatus.COMPLETED
    assert job.total_emails == EMAILS + 1
    assert job.processed_emails == EMAILS + 1
    assert job.failed_emails == 1
    assert job.progress_percentage == 100.0

    expected = []
    for file in sorted(mail_dir.glob("*.eml")):
        if file.is_file() and file.stat().st_size:
            expected += [(file.stem, t.position, t.amount) for t in parse(file.read_bytes())]
    ledger = _ledger(sessions, mailbox)
    assert [(m, p) for m, p, _ in ledger] == sorted((m, p) for m, p, _ in expected)
    assert job.parsed_transactions == len(expected) > 0

    # Progress was reported after every batch of 50, monotonically.
    done = [p for p, _ in progress]
    assert done == sorted(done)
    assert len(progress) >= (EMAILS + 1) // 50

    second = _sync(sessions, mailbox, mail_dir)
    assert second.status is JobStatus.COMPLETED
    assert _ledger(sessions, mailbox) == ledger


def test_error_log_names_the_message_and_error_never_the_content(
    sessions: sessionmaker[Session], mail_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    shutil.copytree(mail_dir, folder)
    mailbox = _new_mailbox(sessions, folder)
    source = LocalMailSource(folder)
    with sessions() as session:
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        service.prepare(session, job=job, mailbox=mailbox, source=source, fetch_days=180)
        session.commit()
    vanished = job.checkpoint["ids"][0]
    (folder / f"{vanished}.eml").unlink()  # gone between listing and fetching
    job = run_job(sessions, job_id=job.id, source=source, settings=_settings())
    assert job.status is JobStatus.COMPLETED
    assert job.failed_emails == 2
    errors = {entry["message_id"]: entry["error"] for entry in job.error_log}
    assert errors == {"zz-empty": "MalformedEmail", vanished: "FetchError"}
    for entry in job.error_log:
        assert set(entry) == {"message_id", "error", "reason", "at"}
        assert len(entry["reason"]) <= service.REASON_LIMIT
    text = json.dumps(job.error_log)
    assert "debited" not in text and "Rs." not in text


def test_one_active_job_per_mailbox(sessions: sessionmaker[Session], mail_dir: Path) -> None:
    mailbox = _new_mailbox(sessions, mail_dir)
    with sessions() as session:
        first = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        session.commit()
        with pytest.raises(service.ActiveJobExists) as raised:
            service.start_job(session, mailbox=mailbox, kind=JobKind.INCREMENTAL)
        assert raised.value.job.id == first.id
        count = session.scalar(
            select(func.count())
            .select_from(EmailSyncJob)
            .where(EmailSyncJob.mailbox_id == mailbox.id)
        )
        assert count == 1


def test_an_interrupted_job_resumes_from_its_checkpoint(
    sessions: sessionmaker[Session], mail_dir: Path
) -> None:
    reference = _new_mailbox(sessions, mail_dir)
    _sync(sessions, reference, mail_dir)

    mailbox = _new_mailbox(sessions, mail_dir)
    source = LocalMailSource(mail_dir)
    with sessions() as session:
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        service.prepare(session, job=job, mailbox=mailbox, source=source, fetch_days=180)
        service.process_next_batch(
            session, job=job, source=source, batch_size=50, error_log_limit=10
        )
        session.commit()
        job_id = job.id
    # The worker "dies" here; a new run picks the same job up where its checkpoint says.
    job = run_job(sessions, job_id=job_id, source=source, settings=_settings())
    assert job.status is JobStatus.COMPLETED
    assert job.processed_emails == EMAILS + 1
    assert [(m, p) for m, p, _ in _ledger(sessions, mailbox)] == [
        (m, p) for m, p, _ in _ledger(sessions, reference)
    ]
