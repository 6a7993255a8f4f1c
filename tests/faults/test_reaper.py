"""The reaper's choice, on the real schema: stalled and unlocked jobs only."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from fincoach.kit.models import utc_now
from fincoach.models import EmailSyncJob, JobStatus, User
from fincoach.sync import reaper
from tests.factories import create_mailbox, create_user

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
