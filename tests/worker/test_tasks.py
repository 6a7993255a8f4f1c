"""The Celery tasks, run in this process against the real PostgreSQL and Redis.

Direct calls run a whole sync synchronously (Celery's task guide); `as_worker` gives a task
the request context a worker would, so retries and chained messages go to the real broker.
"""

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Task
from celery.exceptions import Retry
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.mail.base import AuthorizationRevoked, FetchedMessage, QuotaWait
from fincoach.mail.local import LocalMailSource
from fincoach.models import EmailSyncJob, JobKind, JobStatus, Mailbox, MailboxStatus
from fincoach.parsing import version as parser_version
from fincoach.sync import service, tasks
from tests.factories import create_mailbox, create_user
from tests.worker.ledger import (
    demo_mailbox,
    expected_ledger,
    local_id,
    recent_mailbox,
    stored_ledger,
    write_mail,
)

pytestmark = pytest.mark.postgres


def run_as_worker(task: Task, *args: Any) -> Any:
    """Run `task` with the request context a worker gives it (so it sends, not loops)."""
    task.push_request(
        called_directly=False,
        retries=0,
        id=str(uuid.uuid4()),
        is_eager=False,
        args=list(args),
        kwargs={},
    )
    try:
        return task.run(*args)
    finally:
        task.pop_request()


def queued(broker: redis.Redis) -> list[dict[str, Any]]:
    """The messages waiting in the default queue: task name and arguments."""
    out = []
    for raw in broker.lrange("celery", 0, -1):
        message = json.loads(raw)
        out.append(
            {
                "task": message["headers"]["task"],
                "argsrepr": message["headers"]["argsrepr"],
                "eta": message["headers"].get("eta"),
            }
        )
    return out


def new_user_with_mail(
    sessions: sessionmaker[Session], folder: Path, *, seed: int, count: int, mailboxes: int = 1
) -> tuple[uuid.UUID, list[uuid.UUID], list[Any]]:
    messages = []
    with sessions() as session:
        user = create_user(session)
        ids = []
        for n in range(mailboxes):
            box_dir = folder / f"box{n}"
            messages += write_mail(demo_mailbox(seed=seed + n, count=count), box_dir)
            mailbox = create_mailbox(session, user=user, location=str(box_dir))
            mailbox.address = f"{n}-{user.email}"
            ids.append(mailbox.id)
        session.commit()
        return user.id, ids, messages


def jobs_of(sessions: sessionmaker[Session], user_id: uuid.UUID) -> list[EmailSyncJob]:
    with sessions() as session:
        return list(
            session.scalars(
                select(EmailSyncJob)
                .where(EmailSyncJob.user_id == user_id)
                .order_by(EmailSyncJob.created_at)
            )
        )


def test_direct_call_runs_the_whole_sync_and_a_rerun_adds_nothing(
    sessions: sessionmaker[Session], tmp_path: Path, broker: redis.Redis
) -> None:
    user_id, _, messages = new_user_with_mail(sessions, tmp_path, seed=101, count=70)

    result = tasks.fetch_user_emails_initial(str(user_id), months=6)

    [job] = jobs_of(sessions, user_id)
    assert result["started"] == [str(job.id)]
    assert job.status is JobStatus.COMPLETED
    assert (job.total_emails, job.processed_emails) == (70, 70)
    expected = expected_ledger(messages)
    assert expected, "the demo mailbox must contain transactions"
    with sessions() as session:
        assert stored_ledger(session, user_id) == expected
    assert job.parsed_transactions == len(expected)
    assert broker.llen("celery") == 0  # a direct call sends nothing to the broker

    tasks.fetch_user_emails_initial(str(user_id), months=6)
    assert [j.status for j in jobs_of(sessions, user_id)] == [JobStatus.COMPLETED] * 2
    with sessions() as session:
        assert stored_ledger(session, user_id) == expected


def test_a_user_with_two_mailboxes_syncs_each(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    user_id, mailbox_ids, messages = new_user_with_mail(
        sessions, tmp_path, seed=111, count=30, mailboxes=2
    )
    tasks.fetch_user_emails_initial(str(user_id))
    jobs = jobs_of(sessions, user_id)
    assert sorted(j.mailbox_id for j in jobs) == sorted(mailbox_ids)
    assert all(j.status is JobStatus.COMPLETED for j in jobs)
    with sessions() as session:
        assert stored_ledger(session, user_id) == expected_ledger(messages)


def test_incremental_sync_takes_only_the_new_mail(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    user_id, _, old = new_user_with_mail(sessions, tmp_path, seed=121, count=40)
    tasks.fetch_user_emails_initial(str(user_id))
    new = write_mail(recent_mailbox(seed=122, count=25), tmp_path / "box0")

    tasks.fetch_user_emails_incremental(str(user_id))

    _initial, incremental = jobs_of(sessions, user_id)
    assert incremental.kind is JobKind.INCREMENTAL
    assert incremental.status is JobStatus.COMPLETED
    assert incremental.total_emails == 25
    with sessions() as session:
        assert stored_ledger(session, user_id) == expected_ledger([*old, *new])


def test_the_reparse_task_re_extracts_the_judged_messages_and_keeps_the_ledger(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, _, messages = new_user_with_mail(sessions, tmp_path, seed=123, count=40)
    tasks.fetch_user_emails_initial(str(user_id))
    monkeypatch.setattr(parser_version, "PARSER_VERSION", parser_version.PARSER_VERSION + 1)

    result = tasks.reparse_user(str(user_id))

    _initial, reparse = jobs_of(sessions, user_id)
    assert result["started"] == [str(reparse.id)]
    assert reparse.kind is JobKind.REPARSE and reparse.status is JobStatus.COMPLETED
    assert 0 < reparse.total_emails < 40  # the judged messages only
    with sessions() as session:
        assert stored_ledger(session, user_id) == expected_ledger(messages)


def test_a_job_resumes_from_its_checkpoint_without_double_counting(
    sessions: sessionmaker[Session], tmp_path: Path, task_runtime: Any
) -> None:
    user_id, [mailbox_id], messages = new_user_with_mail(sessions, tmp_path, seed=131, count=65)
    settings = task_runtime.settings
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        source = LocalMailSource(mailbox.location or "")
        service.prepare(session, job=job, mailbox=mailbox, source=source, fetch_days=180)
        service.process_next_batch(
            session, job=job, source=source, batch_size=20, error_log_limit=settings.error_log_limit
        )
        session.commit()  # ... and then the worker died before sending the next message
        job_id = job.id

    # Beat's stale-job sweep (or a redelivery) sends the batch at the checkpoint again.
    tasks.process_batch(str(job_id), 20)

    with sessions() as session:
        done = session.get_one(EmailSyncJob, job_id)
        assert done.status is JobStatus.COMPLETED
        assert (done.total_emails, done.processed_emails) == (65, 65)
        assert stored_ledger(session, user_id) == expected_ledger(messages)
        assert done.parsed_transactions == len(expected_ledger(messages))


def test_a_stale_duplicate_message_does_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    user_id, _, _ = new_user_with_mail(sessions, tmp_path, seed=141, count=30)
    tasks.fetch_user_emails_initial(str(user_id))
    [job] = jobs_of(sessions, user_id)
    assert tasks.process_batch(str(job.id), 0) == {"job_id": str(job.id), "steps": 1}
    [again] = jobs_of(sessions, user_id)
    assert again.processed_emails == 30 and again.updated_at == job.updated_at


def test_re_running_a_committed_batch_adds_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    user_id, _, messages = new_user_with_mail(sessions, tmp_path, seed=151, count=30)
    tasks.fetch_user_emails_initial(str(user_id))
    [job] = jobs_of(sessions, user_id)
    # As if the batch ran, committed its rows, and the checkpoint move was lost.
    with sessions() as session:
        again = session.get_one(EmailSyncJob, job.id)
        ids = [local_id(m) for m in messages]
        again.status = JobStatus.PROCESSING
        again.checkpoint = {"ids": ids, "done": 0, "cursor": None}
        again.processed_emails = again.parsed_transactions = again.failed_emails = 0
        session.commit()
    tasks.process_batch(str(job.id), 0)
    with sessions() as session:
        assert stored_ledger(session, user_id) == expected_ledger(messages)


def test_delivery_count_shrinks_then_skips_a_poison_batch(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    user_id, [mailbox_id], messages = new_user_with_mail(sessions, tmp_path, seed=161, count=30)
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        service.prepare(
            session,
            job=job,
            mailbox=mailbox,
            source=LocalMailSource(mailbox.location or ""),
            fetch_days=180,
        )
        # Three deliveries of the batch at offset 0 each killed their worker.
        sizes = [service.count_delivery(session, job=job, batch_size=20) for _ in range(3)]
        assert sizes == [20, 1, 1]
        session.commit()
        job_id = job.id

    # The fourth delivery skips message 0 as poison and carries on with the rest.
    tasks.process_batch(str(job_id), 0)

    with sessions() as session:
        done = session.get_one(EmailSyncJob, job_id)
        assert done.status is JobStatus.COMPLETED
        assert done.processed_emails == 30
        poison = [e for e in done.error_log if e["error"] == "WorkerLost"]
        assert [e["message_id"] for e in poison] == [local_id(messages[0])]
        assert stored_ledger(session, user_id) == expected_ledger(messages[1:])


class _Revoked(LocalMailSource):
    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        raise AuthorizationRevoked("access was revoked by the user (invalid_grant)")


class _OutOfQuota(LocalMailSource):
    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        raise QuotaWait(42)


def test_revoked_access_parks_the_mailbox_and_fails_the_job_without_retry(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: redis.Redis,
) -> None:
    user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=171, count=10)
    monkeypatch.setattr(tasks, "open_source", lambda mailbox, _s: _Revoked(mailbox.location))

    tasks.fetch_user_emails_initial(str(user_id))

    [job] = jobs_of(sessions, user_id)
    assert job.status is JobStatus.FAILED
    assert job.error_message is not None and "revoked" in job.error_message
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        assert mailbox.status is MailboxStatus.REAUTH_REQUIRED
    assert broker.llen("celery") == 0  # nothing was retried


def test_a_quota_wait_in_a_worker_becomes_a_countdown_retry(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: redis.Redis,
) -> None:
    _user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=181, count=10)
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        service.prepare(
            session,
            job=job,
            mailbox=mailbox,
            source=LocalMailSource(mailbox.location or ""),
            fetch_days=180,
        )
        session.commit()
        job_id = job.id
    monkeypatch.setattr(tasks, "open_source", lambda mailbox, _s: _OutOfQuota(mailbox.location))

    with pytest.raises(Retry) as retry:
        run_as_worker(tasks.process_batch, str(job_id), 0)

    assert retry.value.when == 42
    [message] = queued(broker)
    assert message["task"] == "sync.process_batch" and message["eta"] is not None
    with sessions() as session:
        waiting = session.get_one(EmailSyncJob, job_id)
        assert waiting.status is JobStatus.PROCESSING
        assert waiting.checkpoint is not None and waiting.checkpoint["deliveries"] == 0


def test_in_a_worker_each_batch_is_its_own_message_sent_after_commit(
    sessions: sessionmaker[Session], tmp_path: Path, broker: redis.Redis
) -> None:
    user_id, _, _ = new_user_with_mail(sessions, tmp_path, seed=191, count=45)
    run_as_worker(tasks.fetch_user_emails_initial, str(user_id), 6)
    [job] = jobs_of(sessions, user_id)
    assert [m["task"] for m in queued(broker)] == ["sync.process_batch"]
    assert job.task_id is not None

    broker.delete("celery")
    # The listing delivery goes on with the first batch of 20 (the listing committed first).
    run_as_worker(tasks.process_batch, str(job.id), None)
    [after] = jobs_of(sessions, user_id)
    assert (after.total_emails, after.processed_emails) == (45, 20)
    run_as_worker(tasks.process_batch, str(job.id), 20)  # the second batch: its own message
    [after] = jobs_of(sessions, user_id)
    assert after.processed_emails == 40
    # LPUSH: newest first. Each delivery sent exactly one successor, with the next offset.
    assert [m["argsrepr"] for m in queued(broker)] == [f"('{job.id}', 40)", f"('{job.id}', 20)"]


def test_a_rolled_back_send_is_never_delivered(
    sessions: sessionmaker[Session], tmp_path: Path, broker: redis.Redis
) -> None:
    _user_id, [mailbox_id], _ = new_user_with_mail(sessions, tmp_path, seed=201, count=5)
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        tasks.send_job(job)
        assert broker.llen("celery") == 0  # not before the commit
        session.rollback()
    assert broker.llen("celery") == 0
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=6)
        tasks.send_job(job)
        session.commit()
    assert broker.llen("celery") == 1


def test_beat_fans_out_per_synced_mailbox_and_skips_running_jobs(
    sessions: sessionmaker[Session], tmp_path: Path, broker: redis.Redis
) -> None:
    user_id, mailbox_ids, _ = new_user_with_mail(sessions, tmp_path, seed=211, count=5, mailboxes=3)
    tasks.fetch_user_emails_initial(str(user_id))
    with sessions() as session:
        busy = session.get_one(Mailbox, mailbox_ids[0])
        service.start_job(session, mailbox=busy, kind=JobKind.INCREMENTAL)
        parked = session.get_one(Mailbox, mailbox_ids[1])
        parked.status = MailboxStatus.REAUTH_REQUIRED
        session.commit()
    broker.delete("celery")

    tasks.schedule_incremental_sync()

    sent = [m for m in queued(broker) if m["task"] == "sync.fetch_mailbox_incremental"]
    sent_for = {
        str(mailbox_id)
        for mailbox_id in mailbox_ids
        if str(mailbox_id) in "".join(m["argsrepr"] for m in sent)
    }
    assert sent_for == {str(mailbox_ids[2])}

    # Two Beats firing at once over new mail: the second finds the first's job, never makes a
    # second. (With nothing new neither writes a job: tests/worker/test_beat_check.py.)
    write_mail(recent_mailbox(seed=212, count=3), tmp_path / "box2")
    first = run_as_worker(tasks.fetch_mailbox_incremental, str(mailbox_ids[2]))
    second = run_as_worker(tasks.fetch_mailbox_incremental, str(mailbox_ids[2]))
    assert first["created"] and not second["created"]
    assert first["job_id"] == second["job_id"]
