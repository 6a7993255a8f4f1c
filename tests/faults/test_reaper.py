"""The reaper's choice, on the real schema: stalled and unlocked jobs only; and Beat reaps."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from fincoach.kit.models import utc_now
from fincoach.models import EmailSyncJob, JobStatus, User
from fincoach.sync import reaper
from tests.factories import create_mailbox, create_user
from tests.faults.servers import PrivatePostgres, PrivateRedis
from tests.faults.stack import running_stack, wait_until

pytestmark = pytest.mark.postgres

STALL = 60


@pytest.fixture
def jobs(pg_engine: Engine) -> Iterator[dict[str, EmailSyncJob]]:
    """Committed jobs (a second connection must see them): stalled, fresh and finished."""
    with Session(pg_engine, expire_on_commit=False) as session:
        made, users = {}, []
        for name, status in (
            ("stalled", JobStatus.PROCESSING),
            ("fresh", JobStatus.PENDING),
            ("done", JobStatus.COMPLETED),
        ):
            user = create_user(session)  # one mailbox each: a user's address is unique
            users.append(user.id)
            mailbox = create_mailbox(session, user=user, location=f"/{name}")
            job = EmailSyncJob(user_id=user.id, mailbox_id=mailbox.id, status=status, error_log=[])
            job.checkpoint = {"ids": ["a", "b"], "done": 1} if name == "stalled" else None
            session.add(job)
            made[name] = job
        session.flush()
        old = utc_now() - timedelta(seconds=STALL * 2)
        for name in ("stalled", "done"):
            session.execute(
                update(EmailSyncJob).where(EmailSyncJob.id == made[name].id).values(updated_at=old)
            )
        session.commit()
        try:
            yield made
        finally:
            for user_id in users:
                session.delete(session.get(User, user_id))
            session.commit()


def _stalled(engine: Engine, user_jobs: dict[str, EmailSyncJob]) -> set[str]:
    names = {job.id: name for name, job in user_jobs.items()}
    with Session(engine) as session:
        found = reaper.stalled_jobs(session, stall_seconds=STALL)
        return {names[job.id] for job in found if job.id in names}


def test_finds_a_stalled_active_job_and_resumes_it_from_its_checkpoint(
    pg_engine: Engine, jobs: dict[str, EmailSyncJob]
) -> None:
    assert _stalled(pg_engine, jobs) == {"stalled"}
    assert reaper.resume_offset(jobs["stalled"]) == 1
    assert reaper.resume_offset(jobs["fresh"]) is None  # not listed yet: the listing step


def test_leaves_alone_a_job_whose_worker_holds_its_row(
    pg_engine: Engine, jobs: dict[str, EmailSyncJob]
) -> None:
    # A worker running a slow batch holds the job's row lock for the whole step.
    with Session(pg_engine) as worker:
        worker.get(EmailSyncJob, jobs["stalled"].id, with_for_update=True)
        assert _stalled(pg_engine, jobs) == set()
    assert _stalled(pg_engine, jobs) == {"stalled"}  # the worker died: its lock went with it


def test_beat_alone_resends_a_stalled_job_with_no_worker_running(
    private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    # No worker at all: only Beat's own round (worker.BeatScheduler) can find the job.
    with running_stack(private_postgres, private_redis, tmp_path, workers=0) as stack:
        with Session(stack.engine) as session:
            user = create_user(session)
            mailbox = create_mailbox(session, user=user, location="/lost")
            job = EmailSyncJob(
                user_id=user.id,
                mailbox_id=mailbox.id,
                status=JobStatus.PROCESSING,
                error_log=[],
                checkpoint={"ids": ["a", "b", "c"], "done": 2},
            )
            session.add(job)
            session.flush()
            session.execute(
                update(EmailSyncJob)
                .where(EmailSyncJob.id == job.id)
                .values(updated_at=utc_now() - timedelta(seconds=STALL * 2))
            )
            session.commit()
            job_id = str(job.id)
        queue = redis.Redis.from_url(private_redis.url)
        try:
            wait_until(
                "Beat resending the stalled job",
                stack,
                lambda: f"('{job_id}', 2)" in "".join(_queued_args(queue)),
            )
        finally:
            queue.close()
        assert "sync.stalled_jobs_resumed" in stack.services.log("beat1")


def _queued_args(queue: redis.Redis) -> list[str]:
    return [json.loads(raw)["headers"]["argsrepr"] for raw in queue.lrange("celery", 0, -1)]
