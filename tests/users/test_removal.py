"""Removal against sync jobs in flight: a queued next batch, a batch running right now; and
the service leaves the commit to its caller."""

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from fincoach.mail.local import LocalMailSource
from fincoach.models import EmailSyncJob, JobKind, JobStatus, Mailbox, MailboxStatus, User
from fincoach.models import Transaction as Row
from fincoach.sync import service, tasks
from fincoach.users import removal
from fincoach.users.removal import MailboxFate
from tests.worker.test_tasks import jobs_of, new_user_with_mail, queued, run_as_worker

pytestmark = pytest.mark.postgres


def _rows(sessions: sessionmaker[Session], mailbox_id: uuid.UUID) -> int:
    with sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Row).where(Row.mailbox_id == mailbox_id)
            )
            or 0
        )


def _started_in_a_worker(
    sessions: sessionmaker[Session], tmp_path: Path, broker: redis.Redis, seed: int
) -> tuple[uuid.UUID, uuid.UUID, EmailSyncJob]:
    """A job whose first batch is committed and whose next message waits in the broker."""
    user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=seed, count=45)
    run_as_worker(tasks.fetch_user_emails_initial, str(user_id), 6)
    [job] = jobs_of(sessions, user_id)
    broker.delete("celery")
    run_as_worker(tasks.process_batch, str(job.id), None)  # listing + first batch of 20
    [job] = jobs_of(sessions, user_id)
    assert (job.status, job.processed_emails) == (JobStatus.PROCESSING, 20)
    assert [m["argsrepr"] for m in queued(broker)] == [f"('{job.id}', 20)"]
    return user_id, mailbox_id, job


@pytest.mark.parametrize("keep", [True, False], ids=["keep", "delete"])
def test_the_next_batch_of_a_removed_mailbox_does_nothing(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    broker: redis.Redis,
    task_runtime: Any,
    keep: bool,
) -> None:
    user_id, mailbox_id, job = _started_in_a_worker(sessions, tmp_path, broker, seed=401)
    stored = _rows(sessions, mailbox_id)
    assert stored > 0
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        done = removal.remove_mailbox(
            session, task_runtime.settings, mailbox=mailbox, keep_transactions=keep
        )
        session.commit()
    assert done.sync_jobs_cancelled == 1
    broker.delete("celery")

    # The message that was already queued is delivered: it finds no active job, and ends.
    assert run_as_worker(tasks.process_batch, str(job.id), 20) == {
        "job_id": str(job.id),
        "steps": 1,
    }
    assert queued(broker) == []
    assert _rows(sessions, mailbox_id) == (stored if keep else 0)
    jobs = jobs_of(sessions, user_id)
    if keep:
        [after] = jobs
        assert (after.status, after.processed_emails) == (JobStatus.FAILED, 20)
    else:
        assert jobs == []
    # Beat does not schedule it again either.
    assert tasks.fetch_mailbox_incremental(str(mailbox_id))["created"] is False


def _wait_until_a_session_waits_on_a_lock(engine: Engine) -> None:
    # Polls for a condition (bounded), not a duration: nothing here depends on speed.
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            if waiting:
                return
            conn.rollback()
            time.sleep(0.05)
    raise AssertionError("the removal never waited for the running batch")


def test_removal_waits_for_a_running_batch_then_stops_its_job(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path, task_runtime: Any
) -> None:
    user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=411, count=45)
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        job_id = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6).id
        session.commit()

    # A worker in the middle of a batch: the job row locked, rows written, not yet committed.
    worker = sessions()
    job = service.lock_job(worker, job_id)
    assert job is not None
    box = worker.get_one(Mailbox, mailbox_id)
    source = LocalMailSource(box.location or "")
    service.prepare(worker, job=job, mailbox=box, source=source, fetch_days=180)
    outcome = service.process_next_batch(
        worker, job=job, source=source, batch_size=20, error_log_limit=50
    )
    assert outcome.transactions > 0

    result: dict[str, removal.MailboxRemoval] = {}

    def remove() -> None:
        with sessions() as session:
            target = session.get_one(Mailbox, mailbox_id)
            result["done"] = removal.remove_mailbox(
                session, task_runtime.settings, mailbox=target, keep_transactions=True
            )
            session.commit()

    remover = threading.Thread(target=remove)
    remover.start()
    try:
        _wait_until_a_session_waits_on_a_lock(engine)
        assert "done" not in result  # still waiting for the batch
        worker.commit()  # the batch lands
    finally:
        worker.close()
        remover.join(timeout=120)
    assert not remover.is_alive()

    done = result["done"]
    assert (done.mailbox, done.sync_jobs_cancelled) == (MailboxFate.DISCONNECTED, 1)
    # The batch that was running is kept whole, counted in the answer, and the job stops there.
    assert done.transactions_kept == outcome.transactions == _rows(sessions, mailbox_id)
    assert tasks.process_batch(str(job_id), 20) == {"job_id": str(job_id), "steps": 1}
    with sessions() as session:
        stopped = session.get_one(EmailSyncJob, job_id)
        assert (stopped.status, stopped.processed_emails) == (JobStatus.FAILED, 20)
        assert session.get_one(Mailbox, mailbox_id).status is MailboxStatus.DISCONNECTED
    assert jobs_of(sessions, user_id)[0].id == job_id


def test_deleting_a_user_commits_nothing_itself(
    sessions: sessionmaker[Session], tmp_path: Path, task_runtime: Any
) -> None:
    # Services flush; the boundary commits. Rolled back, the deletion leaves everything.
    user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=421, count=20)
    tasks.fetch_user_emails_initial(str(user_id))
    stored = _rows(sessions, mailbox_id)
    assert stored > 0
    with sessions() as session:
        user = session.get_one(User, user_id)
        done = removal.delete_user(session, task_runtime.settings, user=user)
        assert (done.mailboxes, done.transactions, done.sync_jobs) == (1, stored, 1)
        session.rollback()
    with sessions() as session:
        assert session.get(User, user_id) is not None
        assert session.get(Mailbox, mailbox_id) is not None
    assert _rows(sessions, mailbox_id) == stored
    assert len(jobs_of(sessions, user_id)) == 1
