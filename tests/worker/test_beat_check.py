"""Beat's incremental tick asks the provider first: no job row unless there is new mail."""

from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from fincoach.models import JobKind, JobStatus, Mailbox
from fincoach.sync import tasks
from tests.worker.ledger import recent_mailbox, write_mail
from tests.worker.test_tasks import jobs_of, new_user_with_mail, queued, run_as_worker

pytestmark = pytest.mark.postgres


def test_ticks_with_nothing_new_record_the_check_and_write_no_job(
    sessions: sessionmaker[Session], tmp_path: Path, broker: redis.Redis
) -> None:
    user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=401, count=12)
    tasks.fetch_user_emails_initial(str(user_id))
    [initial] = jobs_of(sessions, user_id)
    with sessions() as session:
        assert session.get_one(Mailbox, mailbox_id).last_checked_at is None
    broker.delete("celery")

    checks = []
    for _ in range(2):
        result = run_as_worker(tasks.fetch_mailbox_incremental, str(mailbox_id))
        assert result == {"mailbox_id": str(mailbox_id), "job_id": None, "created": False}
        with sessions() as session:
            checks.append(session.get_one(Mailbox, mailbox_id).last_checked_at)

    assert [job.id for job in jobs_of(sessions, user_id)] == [initial.id]
    assert queued(broker) == []
    assert checks[0] is not None and checks[1] is not None and checks[1] >= checks[0]
    assert initial.completed_at is not None and checks[0] >= initial.completed_at


def test_a_tick_with_new_mail_writes_exactly_one_listed_job_and_syncs_it(
    sessions: sessionmaker[Session], tmp_path: Path, broker: redis.Redis
) -> None:
    user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=403, count=12)
    tasks.fetch_user_emails_initial(str(user_id))
    tasks.fetch_mailbox_incremental(str(mailbox_id))  # nothing new yet: no job
    write_mail(recent_mailbox(seed=404, count=7), tmp_path / "box0")
    broker.delete("celery")

    first = run_as_worker(tasks.fetch_mailbox_incremental, str(mailbox_id))
    again = run_as_worker(tasks.fetch_mailbox_incremental, str(mailbox_id))  # a second Beat

    _initial, job = jobs_of(sessions, user_id)
    assert first == {"mailbox_id": str(mailbox_id), "job_id": str(job.id), "created": True}
    assert again["created"] is False and again["job_id"] == str(job.id)
    assert (job.kind, job.status, job.total_emails) == (
        JobKind.INCREMENTAL,
        JobStatus.PROCESSING,
        7,
    )
    # Listed by the check: the job's one message starts at the first batch.
    assert [m["argsrepr"] for m in queued(broker)] == [f"('{job.id}', 0)"]

    tasks.process_batch(str(job.id), 0)
    [_, done] = jobs_of(sessions, user_id)
    assert (done.status, done.processed_emails) == (JobStatus.COMPLETED, 7)
