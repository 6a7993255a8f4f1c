"""Run a job to the end in this process, committing after every step.

The embedded demo and `fincoach sync start` without workers use this. It runs the very step a
Celery task runs (sync/step.py), so a fault leaves the job in the same state either way; only
the waiting differs: here a retry or a quota wait sleeps, where a task is sent again later.
"""

import time
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.mail.base import MailSource
from fincoach.models import EmailSyncJob, Mailbox
from fincoach.sync import service, step
from fincoach.worker import MAX_COUNTDOWN

ProgressCallback = Callable[[EmailSyncJob], None]


def run_job(
    session_factory: sessionmaker[Session],
    *,
    job_id: uuid.UUID,
    source: MailSource,
    settings: Settings,
    on_progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> EmailSyncJob:
    """Run the job's steps over `source` until it completes or fails; the job as it ended.

    A transient error (step.TRANSIENT) is retried after 2, 4, 8... seconds, as a worker would,
    and fails the job after step.MAX_RETRIES; any other error is settled by the step (and an
    unexpected one raised again after the job is failed).
    """

    def same_source(_mailbox: Mailbox, _settings: Settings) -> MailSource:
        return source

    offset = _offset(session_factory, job_id)
    retries = 0
    while True:
        try:
            result = step.run_step(session_factory, settings, job_id, offset, open_mail=same_source)
        except step.TRANSIENT as exc:
            step.forget_delivery(session_factory, job_id)
            if retries >= step.MAX_RETRIES:
                step.give_up(session_factory, job_id, exc)
                break
            retries += 1
            sleep(min(2**retries, MAX_COUNTDOWN))
            continue
        retries = 0
        _report(on_progress, session_factory, job_id)
        if result.wait is not None:
            # Alone in this process, waiting for the user's quota blocks nobody else.
            sleep(result.wait)
            continue
        if result.next_offset is None:
            break
        offset = result.next_offset
    job = _load(session_factory, job_id)
    if on_progress is not None:
        on_progress(job)
    return job


def _offset(session_factory: sessionmaker[Session], job_id: uuid.UUID) -> int | None:
    with session_factory() as session:
        return step.resume_offset(service.get_job(session, job_id))


def _load(session_factory: sessionmaker[Session], job_id: uuid.UUID) -> EmailSyncJob:
    with session_factory() as session:
        return service.get_job(session, job_id)


def _report(
    callback: ProgressCallback | None, session_factory: sessionmaker[Session], job_id: uuid.UUID
) -> None:
    if callback is not None:
        callback(_load(session_factory, job_id))
