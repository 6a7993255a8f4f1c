"""Celery tasks of a sync: thin wrappers that open a session, call the service and commit.

A job is a chain of `sync.process_batch(job_id, offset)` messages, one step each: the step
itself is sync/step.py's, shared with the in-process runner; the task only maps its result to a
retry, the next batch's message, or the end. A batch's
rows and its checkpoint are committed together BEFORE the next message is sent, so a crash
anywhere resumes from the last checkpoint, and a re-run batch adds nothing (inserts are
idempotent). Calling a task function directly (`fetch_user_emails_initial(user_id)`) runs the
whole sync in this process, as in Celery's task guide.
"""

import time
import uuid
from typing import Any

import structlog
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.kit import db_errors
from fincoach.kit.errors import FincoachError
from fincoach.mail.base import AuthorizationRevoked, QuotaWait
from fincoach.mail.factory import open_source
from fincoach.models import ACTIVE_STATUSES, EmailSyncJob, JobKind, Mailbox, MailboxStatus
from fincoach.monitoring import metrics
from fincoach.sync import check, reaper, service, step
from fincoach.users.service import get_user, mailboxes_of, mark_reauth_required
from fincoach.worker import MAX_COUNTDOWN, after_commit, celery_app, runtime

log = structlog.get_logger(__name__)

# Re-exported: the user- and mailbox-level tasks below retry the same errors.
TRANSIENT = step.TRANSIENT
MAX_RETRIES = step.MAX_RETRIES


def send_job(job: EmailSyncJob, *, offset: int | None = None) -> None:
    """Send the job's next message once the current transaction commits (never before)."""
    task_id = str(uuid.uuid4())
    job.task_id = task_id
    job_id = str(job.id)
    session = Session.object_session(job)
    if session is None:
        raise RuntimeError("send_job needs a job attached to a session")
    after_commit(session, lambda: process_batch.apply_async((job_id, offset), task_id=task_id))


@celery_app.task(bind=True, name="sync.process_batch", max_retries=MAX_RETRIES)  # type: ignore[untyped-decorator]
def process_batch(self: Task, job_id: str, offset: int | None = None) -> dict[str, Any]:
    """Run the job's next step (sync/step.py) and map its result: retry, next batch or done."""
    direct = bool(self.request.called_directly)
    rt = runtime()
    steps = 0
    while True:
        try:
            result = step.run_step(
                rt.sessions, rt.settings, uuid.UUID(job_id), offset, open_mail=open_source
            )
        except SoftTimeLimitExceeded:
            # The batch was rolled back; its delivery stays counted so it comes back smaller.
            if direct:
                raise
            raise self.retry(args=(job_id, offset), countdown=1, max_retries=None) from None
        except TRANSIENT as exc:
            step.forget_delivery(rt.sessions, uuid.UUID(job_id))
            if direct:
                raise
            countdown = min(2 ** (self.request.retries + 1), MAX_COUNTDOWN)
            if self.request.retries >= MAX_RETRIES:
                step.give_up(rt.sessions, uuid.UUID(job_id), exc)
            # A database error's text may quote data: the retry records only its kind.
            recorded = db_errors.scrubbed(exc) if db_errors.is_database_error(exc) else exc
            raise self.retry(args=(job_id, offset), exc=recorded, countdown=countdown) from None
        steps += 1
        if result.wait is not None:
            if direct:
                # Not inside a worker: waiting here blocks nobody else.
                time.sleep(result.wait)
                continue
            # Inside a worker a quota wait must not hold the process: come back later.
            raise self.retry(
                args=(job_id, offset), countdown=min(result.wait, MAX_COUNTDOWN), max_retries=None
            )
        if result.next_offset is None:
            return {"job_id": job_id, "steps": steps}
        listed = offset is None
        offset = result.next_offset
        # The listing step is mostly waiting on the provider; its first batch follows in the same
        # delivery (the listing is committed first), so a burst of new jobs does not queue a
        # round of I/O-only tasks ahead of every batch.
        if not direct and not listed:
            _send_next(job_id, offset)
            return {"job_id": job_id, "steps": steps, "next_offset": offset}


def _send_next(job_id: str, offset: int) -> None:
    with runtime().sessions() as session:
        job = session.get(EmailSyncJob, uuid.UUID(job_id))
        if job is None:
            return
        send_job(job, offset=offset)
        session.commit()


# -- the guide's tasks -------------------------------------------------------------------------


def _start_user_sync(task: Task, user_id: str, kind: JobKind, months: int | None) -> dict[str, Any]:
    direct = bool(task.request.called_directly)
    with runtime().sessions() as session:
        user = get_user(session, uuid.UUID(user_id))
        started = service.start_for_mailboxes(
            session, mailboxes=mailboxes_of(session, user.id), kind=kind, months=months
        )
        new = [s.job for s in started if s.created]
        if not direct:
            for job in new:
                send_job(job)
        session.commit()
        job_ids = [str(s.job.id) for s in started]
        new_ids = [str(job.id) for job in new]
    if direct:
        for job_id in new_ids:
            process_batch(job_id)
    return {"user_id": user_id, "job_ids": job_ids, "started": new_ids}


# The user- and mailbox-level tasks retry a database or broker outage the same way.
RETRY_TRANSIENT: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


@celery_app.task(
    bind=True,
    name="sync.fetch_user_emails_initial",
    **RETRY_TRANSIENT,
)  # type: ignore[untyped-decorator]
def fetch_user_emails_initial(self: Task, user_id: str, months: int = 6) -> dict[str, Any]:
    """Sync the last `months` of every active mailbox of the user."""
    return _start_user_sync(self, str(user_id), JobKind.INITIAL, months)


@celery_app.task(
    bind=True,
    name="sync.fetch_user_emails_incremental",
    **RETRY_TRANSIENT,
)  # type: ignore[untyped-decorator]
def fetch_user_emails_incremental(self: Task, user_id: str) -> dict[str, Any]:
    """Sync what arrived since the last sync, in every active mailbox of the user."""
    return _start_user_sync(self, str(user_id), JobKind.INCREMENTAL, None)


@celery_app.task(
    bind=True,
    name="sync.reparse_user",
    **RETRY_TRANSIENT,
)  # type: ignore[untyped-decorator]
def reparse_user(self: Task, user_id: str) -> dict[str, Any]:
    """Re-extract the messages an older parser judged, in every active mailbox of the user."""
    return _start_user_sync(self, str(user_id), JobKind.REPARSE, None)


@celery_app.task(
    bind=True,
    name="sync.fetch_mailbox_incremental",
    **RETRY_TRANSIENT,
)  # type: ignore[untyped-decorator]
def fetch_mailbox_incremental(self: Task, mailbox_id: str) -> dict[str, Any]:
    """Beat's unit of work: check one mailbox, and start a job only when it has new mail.

    Nothing new records `last_checked_at` on the mailbox (sync/check.py) and writes no job.
    A running job is left alone. Returns the job started (or found running), if any.
    """
    direct = bool(self.request.called_directly)
    settings = runtime().settings
    while True:
        with runtime().sessions() as session:
            mailbox = session.get(Mailbox, uuid.UUID(mailbox_id))
            # Removed (or disconnected) since Beat listed it: nothing to sync, nothing wrong.
            if mailbox is None or mailbox.status is not MailboxStatus.ACTIVE:
                return {"mailbox_id": mailbox_id, "job_id": None, "created": False}
            try:
                job = check.check_mailbox(
                    session,
                    mailbox=mailbox,
                    source=open_source(mailbox, settings),
                    fetch_days=settings.email_fetch_days,
                )
            except service.ActiveJobExists as exc:
                # The partial unique index, not a lock, keeps a second Beat from doubling.
                return {"mailbox_id": mailbox_id, "job_id": str(exc.job.id), "created": False}
            except QuotaWait as exc:
                session.rollback()
                if direct:
                    time.sleep(exc.retry_after)  # not in a worker: waiting blocks nobody
                    continue
                raise self.retry(
                    countdown=min(exc.retry_after, MAX_COUNTDOWN), max_retries=None
                ) from None
            except AuthorizationRevoked as exc:
                session.rollback()
                mailbox = session.get_one(Mailbox, uuid.UUID(mailbox_id))
                mark_reauth_required(session, mailbox=mailbox, reason=exc.message)
                session.commit()
                log.warning("sync.reauth_required", mailbox_id=mailbox_id)
                return {"mailbox_id": mailbox_id, "job_id": None, "created": False}
            except TRANSIENT:
                raise  # retried with back-off (RETRY_TRANSIENT)
            except Exception as exc:
                # The check itself failed: a failed job says why, where the user looks.
                job_id = _record_failed_check(session, mailbox_id, exc)
                if not isinstance(exc, FincoachError):
                    log.exception("sync.unexpected_error", mailbox_id=mailbox_id)
                    raise
                return {"mailbox_id": mailbox_id, "job_id": job_id, "created": True}
            if job is None:
                session.commit()
                return {"mailbox_id": mailbox_id, "job_id": None, "created": False}
            if not direct:
                send_job(job, offset=0)  # listed already: its first task is the first batch
            session.commit()
            job_id = str(job.id)
        if direct:
            process_batch(job_id, 0)
        return {"mailbox_id": mailbox_id, "job_id": job_id, "created": True}


def _record_failed_check(session: Session, mailbox_id: str, exc: Exception) -> str | None:
    session.rollback()
    mailbox = session.get_one(Mailbox, uuid.UUID(mailbox_id))
    try:
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INCREMENTAL)
    except service.ActiveJobExists:
        return None  # a job started meanwhile: it will meet the same error and say so
    kind = db_errors.describe(exc) if db_errors.is_database_error(exc) else type(exc).__name__
    reason = exc.message if isinstance(exc, FincoachError) else f"unexpected error: {kind}"
    service.fail(session, job=job, reason=reason)
    session.commit()
    metrics.JOBS_FINISHED.labels(status=job.status.value).inc()
    return str(job.id)


@celery_app.task(
    name="sync.schedule_incremental_sync", autoretry_for=TRANSIENT, retry_backoff=2, max_retries=3
)  # type: ignore[untyped-decorator]
def schedule_incremental_sync() -> dict[str, Any]:
    """Fan out one incremental task per active, already-synced mailbox without a running job."""
    with runtime().sessions() as session:
        running = select(EmailSyncJob.mailbox_id).where(EmailSyncJob.status.in_(ACTIVE_STATUSES))
        mailbox_ids = list(
            session.scalars(
                select(Mailbox.id).where(
                    Mailbox.status == MailboxStatus.ACTIVE,
                    # A mailbox that never synced waits for its initial sync (its months).
                    Mailbox.last_email_fetch_time.is_not(None),
                    Mailbox.id.not_in(running),
                )
            )
        )
        resumed = _resume_stalled_jobs(session)
        session.commit()
    for mailbox_id in mailbox_ids:
        fetch_mailbox_incremental.delay(str(mailbox_id))
    return {"mailboxes": len(mailbox_ids), "resumed": resumed}


@celery_app.task(name="sync.resume_stalled_jobs")  # type: ignore[untyped-decorator]
def resume_stalled_jobs() -> dict[str, Any]:
    """The reaper on its own: Beat runs it in its process (worker.BeatScheduler) every round.

    No retries: a failed round (database or broker down) is simply the next round's work.
    """
    with runtime().sessions() as session:
        resumed = _resume_stalled_jobs(session)
        session.commit()
    return {"resumed": resumed}


def _resume_stalled_jobs(session: Session) -> int:
    """Send every stalled job again from its checkpoint once `session` commits; how many."""
    stale = reaper.stalled_jobs(session, stall_seconds=runtime().settings.job_stall_seconds)
    for job in stale:
        send_job(job, offset=reaper.resume_offset(job))
    if stale:
        log.warning("sync.stalled_jobs_resumed", job_ids=[str(job.id) for job in stale])
    return len(stale)
