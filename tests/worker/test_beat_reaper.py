"""Beat reaps on its own: its scheduler runs the reaper in Beat's process, not on a worker.

A broker restart loses the messages of running jobs; the workers' reaper runs only when a
worker receives Beat's incremental-sync message. Beat's own round needs no worker and no queued
message: it finds the stalled job in PostgreSQL and sends it again from its checkpoint.
"""

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from fincoach import worker
from fincoach.config import Settings
from fincoach.kit.models import utc_now
from fincoach.models import EmailSyncJob, JobStatus
from fincoach.sync import tasks
from tests.factories import create_mailbox, create_user

pytestmark = pytest.mark.postgres


@pytest.fixture
def scheduler(task_runtime: worker.Runtime, tmp_path: Path) -> Iterator[worker.BeatScheduler]:
    """The scheduler `fincoach beat` runs, with this test's broker and database."""
    assert worker.celery_app.conf.beat_scheduler == "fincoach.worker:BeatScheduler"
    beat = worker.BeatScheduler(
        app=worker.celery_app, schedule_filename=str(tmp_path / "beat-schedule")
    )
    try:
        yield beat
    finally:
        beat.close()


def _stalled_job(sessions: sessionmaker[Session], tmp_path: Path) -> uuid.UUID:
    """A job half way (checkpoint at 20 of 60) whose worker and message are gone an hour."""
    with sessions() as session:
        user = create_user(session)
        mailbox = create_mailbox(session, user=user, location=str(tmp_path))
        job = EmailSyncJob(
            user_id=user.id,
            mailbox_id=mailbox.id,
            status=JobStatus.PROCESSING,
            error_log=[],
            checkpoint={"ids": [f"m{n}" for n in range(60)], "done": 20},
            task_id=str(uuid.uuid4()),
        )
        session.add(job)
        session.flush()
        session.execute(
            update(EmailSyncJob)
            .where(EmailSyncJob.id == job.id)
            .values(updated_at=utc_now() - timedelta(hours=1))
        )
        session.commit()
        return job.id


def _sent(broker: redis.Redis) -> list[tuple[str, str, str]]:
    """(task name, task id, args) of every message waiting in the default queue."""
    out = []
    for raw in broker.lrange("celery", 0, -1):
        headers = json.loads(raw)["headers"]
        out.append((headers["task"], headers["id"], headers["argsrepr"]))
    return out


def test_beat_runs_the_reaper_itself_and_resends_a_stalled_job_from_its_checkpoint(
    sessions: sessionmaker[Session],
    broker: redis.Redis,
    scheduler: worker.BeatScheduler,
    tmp_path: Path,
) -> None:
    job_id = _stalled_job(sessions, tmp_path)
    entry = scheduler.schedule["resume-stalled-jobs"]
    assert entry.task == worker.REAPER_TASK == tasks.resume_stalled_jobs.name

    result = scheduler.apply_async(entry)

    assert result["resumed"] >= 1
    sent = _sent(broker)
    # Ran here: nothing was queued for a worker but the job's own next batch.
    assert worker.REAPER_TASK not in {name for name, _, _ in sent}
    with sessions() as session:
        job = session.get_one(EmailSyncJob, job_id)
        assert job.status is JobStatus.PROCESSING
        assert ("sync.process_batch", job.task_id, f"('{job_id}', 20)") in sent


def test_beat_leaves_alone_a_job_a_worker_holds_and_a_job_just_resent(
    sessions: sessionmaker[Session],
    broker: redis.Redis,
    scheduler: worker.BeatScheduler,
    tmp_path: Path,
) -> None:
    job_id = _stalled_job(sessions, tmp_path)
    entry = scheduler.schedule["resume-stalled-jobs"]
    with sessions() as running_worker:
        # A worker in the middle of a slow batch holds the job's row: not stalled.
        running_worker.get_one(EmailSyncJob, job_id, with_for_update=True)
        scheduler.apply_async(entry)
        assert str(job_id) not in "".join(args for _, _, args in _sent(broker))

    scheduler.apply_async(entry)
    scheduler.apply_async(entry)  # the resend touched the row: not stalled again yet
    resent = [args for _, _, args in _sent(broker) if str(job_id) in args]
    assert resent == [f"('{job_id}', 20)"]


def test_the_reaper_rounds_come_often_enough_for_the_stall_setting(
    task_runtime: worker.Runtime,
) -> None:
    settings = task_runtime.settings
    every = worker.reaper_seconds(settings)
    assert 1.0 <= every <= settings.job_stall_seconds / 3
    assert every <= worker.schedule_seconds(settings)


def test_a_failed_round_logs_only_the_error_class_and_beat_keeps_going(
    task_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing listens on port 9: every connection is refused, as when PostgreSQL is down.
    down = task_settings.model_copy(
        update={"database_url": "postgresql://postgres@127.0.0.1:9/nowhere"}
    )
    worker.use_settings(down)
    beat = worker.BeatScheduler(app=worker.celery_app, schedule_filename=str(tmp_path / "b"))
    try:
        assert beat.apply_async(beat.schedule["resume-stalled-jobs"]) is None
    finally:
        beat.close()
        worker.use_settings(task_settings)
    out = capsys.readouterr().out
    assert "sync.reaper_failed" in out and "OperationalError" in out
    assert "127.0.0.1" not in out and "refused" not in out  # no driver text
