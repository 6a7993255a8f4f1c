"""Celery tasks of a sync: thin wrappers that open a session, call the service and commit.

A job is a chain of `sync.process_batch(job_id, offset)` messages, one batch each. A batch's
rows and its checkpoint are committed together BEFORE the next message is sent, so a crash
anywhere resumes from the last checkpoint, and a re-run batch adds nothing (inserts are
idempotent). Calling a task function directly (`fetch_user_emails_initial(user_id)`) runs the
whole sync in this process, as in Celery's task guide.
"""

import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis.exceptions
import structlog
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from fincoach.config import Settings
from fincoach.kit import db_errors
from fincoach.kit.errors import FincoachError
from fincoach.mail.base import AuthorizationRevoked, QuotaWait, SourceUnavailable
from fincoach.mail.factory import open_source
from fincoach.models import ACTIVE_STATUSES, EmailSyncJob, JobKind, Mailbox, MailboxStatus
from fincoach.monitoring import metrics
from fincoach.sync import check, reaper, service
from fincoach.users.service import get_mailbox, get_user, mailboxes_of, mark_reauth_required
from fincoach.worker import MAX_COUNTDOWN, after_commit, celery_app, runtime

log = structlog.get_logger(__name__)

# Errors that say "try again later", not "this is wrong": the database or the broker is down.
TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError,
    ConnectionError,
    TimeoutError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    SourceUnavailable,  # the mail provider, past its own in-call retries
)
DATABASE_OR_BROKER_DOWN: tuple[type[BaseException], ...] = (*TRANSIENT, DBAPIError)
MAX_RETRIES = 8


@dataclass(frozen=True, slots=True)
class Step:
    """What one delivery did: the offset of the next batch, or None when the chain ends."""

    next_offset: int | None
    wait: float | None = None  # seconds to wait for quota before trying this batch again


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
    """Run the job's next step (list, one batch, or complete) and chain the next one."""
    direct = bool(self.request.called_directly)
    steps = 0
    while True:
        try:
            step = _run_step(uuid.UUID(job_id), offset)
        except SoftTimeLimitExceeded:
            # The batch was rolled back; its delivery stays counted so it comes back smaller.
            if direct:
                raise
            raise self.retry(args=(job_id, offset), countdown=1, max_retries=None) from None
        except TRANSIENT as exc:
            _forget_delivery(uuid.UUID(job_id))
            if direct:
                raise
            countdown = min(2 ** (self.request.retries + 1), MAX_COUNTDOWN)
            if self.request.retries >= MAX_RETRIES:
                _fail_quietly(
                    uuid.UUID(job_id), f"gave up after {MAX_RETRIES} retries: {type(exc).__name__}"
                )
            # A database error's text may quote data: the retry records only its kind.
            recorded = db_errors.scrubbed(exc) if db_errors.is_database_error(exc) else exc
            raise self.retry(args=(job_id, offset), exc=recorded, countdown=countdown) from None
        steps += 1
        if step.wait is not None:
            if direct:
                # Not inside a worker: waiting here blocks nobody else.
                time.sleep(step.wait)
                continue
            # Inside a worker a quota wait must not hold the process: come back later.
            raise self.retry(
                args=(job_id, offset), countdown=min(step.wait, MAX_COUNTDOWN), max_retries=None
            )
        if step.next_offset is None:
            return {"job_id": job_id, "steps": steps}
        listed = offset is None
        offset = step.next_offset
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


def _run_step(job_id: uuid.UUID, offset: int | None) -> Step:
    rt = runtime()
    with rt.sessions() as session:
        job = service.lock_job(session, job_id)
        if job is None or job.status not in ACTIVE_STATUSES:
            return Step(None)  # another delivery holds it, or it is finished: nothing to do
        done = (job.checkpoint or {}).get("done")
        if done != offset:
            # A stale duplicate: offset None is the listing step, already done; any other
            # offset is a batch that was already committed (its successor is on its way).
            return Step(None)
        mailbox = get_mailbox(session, job.mailbox_id)
        try:
            return _advance(session, rt.settings, job, mailbox)
        except AuthorizationRevoked as exc:
            session.rollback()
            job, mailbox = _reload(session, job_id)
            service.require_reauth(session, job=job, mailbox=mailbox, reason=exc.message)
            session.commit()
            log.warning("sync.reauth_required", job_id=str(job_id), mailbox_id=str(mailbox.id))
            return Step(None)
        except QuotaWait as exc:
            session.rollback()
            job, _ = _reload(session, job_id)
            service.forget_delivery(session, job=job)
            session.commit()
            return Step(offset, wait=exc.retry_after)
        except SourceUnavailable:
            raise  # a FincoachError, yet transient: retried by the caller with back-off
        except FincoachError as exc:
            session.rollback()
            job, mailbox = _reload(session, job_id)
            service.fail(session, job=job, reason=exc.message)
            session.commit()
            metrics.JOBS_FINISHED.labels(status=job.status.value).inc()
            return Step(None)
        except (*TRANSIENT, SoftTimeLimitExceeded):
            raise  # retried by the caller
        except Exception as exc:
            # A bug or an unexpected provider error: fail the job (so the mailbox is not held
            # by an active job forever), name only the error class, and let Celery record it.
            session.rollback()
            job, _ = _reload(session, job_id)
            database = db_errors.is_database_error(exc)
            kind = db_errors.describe(exc) if database else type(exc).__name__
            service.fail(session, job=job, reason=f"unexpected error: {kind}")
            session.commit()
            metrics.JOBS_FINISHED.labels(status=job.status.value).inc()
            if database:
                # Its text quotes the refused values (kit/db_errors.py): the log, Celery's log
                # and the result backend get the class and SQLSTATE, never the traceback's text.
                log.error("sync.database_error", job_id=str(job_id), error=kind)
                raise db_errors.scrubbed(exc) from None
            log.exception("sync.unexpected_error", job_id=str(job_id))
            raise


def _advance(session: Session, settings: Settings, job: EmailSyncJob, mailbox: Mailbox) -> Step:
    if mailbox.status is not MailboxStatus.ACTIVE:
        service.fail(session, job=job, reason=f"mailbox is {mailbox.status.value}")
        session.commit()
        return Step(None)
    source = open_source(mailbox, settings)
    if job.checkpoint is None:
        service.prepare(
            session, job=job, mailbox=mailbox, source=source, fetch_days=settings.email_fetch_days
        )
        if job.total_emails == 0:
            service.complete(session, job=job, mailbox=mailbox)
            metrics.JOBS_FINISHED.labels(status=job.status.value).inc()
        session.commit()
        return Step(None if job.total_emails == 0 else 0)

    size = service.count_delivery(session, job=job, batch_size=settings.email_batch_size)
    session.commit()  # the delivery count must outlive a worker that this batch kills
    locked = service.lock_job(session, job.id)
    if locked is None:
        return Step(None)
    if size == 0:
        more = service.skip_poison_message(
            session, job=job, error_log_limit=settings.error_log_limit
        )
        log.error("sync.poison_message_skipped", job_id=str(job.id))
    else:
        started = time.perf_counter()
        outcome = service.process_next_batch(
            session,
            job=job,
            source=source,
            batch_size=size,
            error_log_limit=settings.error_log_limit,
        )
        metrics.observe_batch(
            outcome.processed, outcome.transactions, outcome.failed, time.perf_counter() - started
        )
        more = outcome.more
    if not more:
        service.complete(session, job=job, mailbox=mailbox)
        metrics.JOBS_FINISHED.labels(status=job.status.value).inc()
    session.commit()
    return Step((job.checkpoint or {}).get("done", 0) if more else None)


def _reload(session: Session, job_id: uuid.UUID) -> tuple[EmailSyncJob, Mailbox]:
    job = service.get_job(session, job_id)
    return job, get_mailbox(session, job.mailbox_id)


def _forget_delivery(job_id: uuid.UUID) -> None:
    # Best effort: when the database itself is down this fails too, and the batch is merely
    # taken in smaller pieces later.
    try:
        with runtime().sessions() as session:
            job = session.get(EmailSyncJob, job_id)
            if job is not None and job.checkpoint is not None:
                service.forget_delivery(session, job=job)
                session.commit()
    except DATABASE_OR_BROKER_DOWN:
        log.warning("sync.forget_delivery_failed", job_id=str(job_id))


def _fail_quietly(job_id: uuid.UUID, reason: str) -> None:
    try:
        with runtime().sessions() as session:
            job = session.get(EmailSyncJob, job_id)
            if job is not None and job.status in ACTIVE_STATUSES:
                service.fail(session, job=job, reason=reason)
                session.commit()
    except DATABASE_OR_BROKER_DOWN:
        log.error("sync.fail_job_failed", job_id=str(job_id))


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
