"""One step of a job, the same for a Celery task and the in-process runner.

A step is the listing (offset None) or one batch (the offset it starts at), run and committed
in its own transaction under the job's row lock. Its result says what comes next: the next
batch's offset, the end (None), or a wait for the provider's quota. A transient error (the
database, the broker or the mail provider is down: TRANSIENT) propagates, the step rolled back;
the caller retries it with back-off (a task through Celery, the runner by sleeping) and, after
MAX_RETRIES, fails the job with `give_up`. Every other error is settled here, identically for
both callers: revoked access parks the mailbox, a FincoachError fails the job with its reason,
anything else fails it naming only the error's class (and is raised again).
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import redis.exceptions
import structlog
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.kit import db_errors
from fincoach.kit.errors import FincoachError
from fincoach.mail.base import AuthorizationRevoked, MailSource, QuotaWait, SourceUnavailable
from fincoach.mail.factory import open_source
from fincoach.models import ACTIVE_STATUSES, EmailSyncJob, Mailbox, MailboxStatus
from fincoach.monitoring import metrics
from fincoach.sync import service
from fincoach.users.service import get_mailbox

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

# The mail source of a mailbox: the provider's (mail.factory) in a worker; a test or the demo
# hands the runner its own.
SourceOpener = Callable[[Mailbox, Settings], MailSource]


@dataclass(frozen=True, slots=True)
class Step:
    """What one step did: the offset of the next batch, or None when the job's chain ends."""

    next_offset: int | None
    wait: float | None = None  # seconds to wait for quota before trying this step again


def resume_offset(job: EmailSyncJob) -> int | None:
    """The offset of the job's next step: None while it is not listed yet."""
    if job.checkpoint is None:
        return None
    done: int = job.checkpoint.get("done", 0)
    return done


def run_step(
    sessions: sessionmaker[Session],
    settings: Settings,
    job_id: uuid.UUID,
    offset: int | None,
    *,
    open_mail: SourceOpener = open_source,
) -> Step:
    """Run the job's step at `offset` and commit it; see the module docstring for the errors.

    A finished job, one whose row another process holds, or a stale offset (a step already
    committed) does nothing and returns Step(None).
    """
    with sessions() as session:
        job = service.lock_job(session, job_id)
        if job is None or job.status not in ACTIVE_STATUSES:
            return Step(None)  # another delivery holds it, or it is finished: nothing to do
        if resume_offset(job) != offset:
            # A stale duplicate: offset None is the listing step, already done; any other
            # offset is a batch that was already committed (its successor is on its way).
            return Step(None)
        mailbox = get_mailbox(session, job.mailbox_id)
        try:
            return _advance(session, settings, job, mailbox, open_mail)
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
            # by an active job forever), name only the error class, and raise it again.
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


def _advance(
    session: Session,
    settings: Settings,
    job: EmailSyncJob,
    mailbox: Mailbox,
    open_mail: SourceOpener,
) -> Step:
    if mailbox.status is not MailboxStatus.ACTIVE:
        service.fail(session, job=job, reason=f"mailbox is {mailbox.status.value}")
        session.commit()
        return Step(None)
    source = open_mail(mailbox, settings)
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
    return Step(resume_offset(job) if more else None)


def _reload(session: Session, job_id: uuid.UUID) -> tuple[EmailSyncJob, Mailbox]:
    job = service.get_job(session, job_id)
    return job, get_mailbox(session, job.mailbox_id)


def forget_delivery(sessions: sessionmaker[Session], job_id: uuid.UUID) -> None:
    """Undo the delivery count of a step that ended in a transient error; best effort.

    When the database itself is down this fails too, and the batch is merely taken in smaller
    pieces later.
    """
    try:
        with sessions() as session:
            job = session.get(EmailSyncJob, job_id)
            if job is not None and job.checkpoint is not None:
                service.forget_delivery(session, job=job)
                session.commit()
    except DATABASE_OR_BROKER_DOWN:
        log.warning("sync.forget_delivery_failed", job_id=str(job_id))


def give_up(sessions: sessionmaker[Session], job_id: uuid.UUID, exc: BaseException) -> None:
    """Fail a still-active job whose step stayed transient through MAX_RETRIES; best effort."""
    reason = f"gave up after {MAX_RETRIES} retries: {type(exc).__name__}"
    try:
        with sessions() as session:
            job = session.get(EmailSyncJob, job_id)
            if job is not None and job.status in ACTIVE_STATUSES:
                service.fail(session, job=job, reason=reason)
                session.commit()
    except DATABASE_OR_BROKER_DOWN:
        log.error("sync.fail_job_failed", job_id=str(job_id))
