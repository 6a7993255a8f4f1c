"""The life of a sync job: start, list, process batches, complete or fail.

Services flush and never commit: the caller (CLI runner, Celery task) commits after each step,
so a batch's results and the checkpoint that says it is done land together.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fincoach.kit.errors import BadRequest, Conflict, FincoachError, NotFound
from fincoach.kit.models import utc_now
from fincoach.mail.base import CursorExpired, MailSource, MessagesUnavailable
from fincoach.models import (
    ACTIVE_STATUSES,
    EmailSyncJob,
    JobKind,
    JobStatus,
    Mailbox,
    MailboxStatus,
)
from fincoach.parsing import parse_detailed
from fincoach.parsing import version as parser
from fincoach.sync.ledger import store_batch
from fincoach.sync.window import DAYS_PER_MONTH, fallback_window, initial_window
from fincoach.transactions import reextraction
from fincoach.transactions.repository import LedgerRow
from fincoach.users.service import mark_reauth_required

REASON_LIMIT = 200
# How often the batch at one offset may be delivered before its messages are taken one at a
# time, and a single message that still kills its worker is recorded as failed and skipped.
MAX_DELIVERIES = 3
# How many deliveries of its batch a message the provider keeps failing (each after the
# provider's own in-call retries) gets before it is recorded as failed and skipped.
MAX_FETCH_ATTEMPTS = 3


@runtime_checkable
class QuotaMetered(Protocol):
    """A source whose per-user quota meter can be saved with the job and restored from it.

    A job has at most one task in flight and that task holds the job's row lock, so a meter kept
    in the checkpoint is read and written by one process at a time: exact across processes and
    machines, with no lock service.
    """

    def quota_state(self) -> dict[str, float]: ...
    def restore_quota(self, state: Mapping[str, Any]) -> None: ...


def _restore_quota(source: MailSource, checkpoint: Mapping[str, Any]) -> None:
    state = checkpoint.get("quota")
    if isinstance(source, QuotaMetered) and isinstance(state, Mapping):
        source.restore_quota(state)


def _save_quota(source: MailSource, checkpoint: dict[str, Any]) -> None:
    if isinstance(source, QuotaMetered):
        checkpoint["quota"] = source.quota_state()


class ActiveJobExists(Conflict):
    """A mailbox has at most one pending or processing job; this is it."""

    def __init__(self, job: EmailSyncJob) -> None:
        super().__init__(f"a sync job is already {job.status.value} for this mailbox")
        self.job = job


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    processed: int
    transactions: int
    failed: int
    more: bool


def active_job(session: Session, mailbox_id: uuid.UUID) -> EmailSyncJob | None:
    return session.scalar(
        select(EmailSyncJob).where(
            EmailSyncJob.mailbox_id == mailbox_id, EmailSyncJob.status.in_(ACTIVE_STATUSES)
        )
    )


def get_job(session: Session, job_id: uuid.UUID) -> EmailSyncJob:
    job = session.get(EmailSyncJob, job_id)
    if job is None:
        raise NotFound("sync job not found")
    return job


@dataclass(frozen=True, slots=True)
class StartedJob:
    job: EmailSyncJob
    created: bool


def check_months(months: int, *, fetch_days: int) -> None:
    """An initial sync may not reach further back than EMAIL_FETCH_DAYS."""
    if months * DAYS_PER_MONTH > fetch_days:
        raise BadRequest(
            f"months={months} reaches {months * DAYS_PER_MONTH} days back, beyond "
            f"EMAIL_FETCH_DAYS={fetch_days}: use at most {fetch_days // DAYS_PER_MONTH} months"
        )


def lock_job(session: Session, job_id: uuid.UUID) -> EmailSyncJob | None:
    """The job, row-locked for this transaction; None when another worker holds it."""
    return session.scalar(
        select(EmailSyncJob)
        .where(EmailSyncJob.id == job_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


def start_for_mailboxes(
    session: Session, *, mailboxes: list[Mailbox], kind: JobKind, months: int | None = None
) -> list[StartedJob]:
    """One job per active mailbox: a new one, or the one already running (never a second)."""
    active = [m for m in mailboxes if m.status is MailboxStatus.ACTIVE]
    if not active:
        raise Conflict("the user has no active mailbox: connect one first")
    started: list[StartedJob] = []
    for mailbox in active:
        try:
            started.append(
                StartedJob(
                    start_job(session, mailbox=mailbox, kind=kind, months=months), created=True
                )
            )
        except ActiveJobExists as exc:
            started.append(StartedJob(exc.job, created=False))
    return started


def start_job(
    session: Session, *, mailbox: Mailbox, kind: JobKind, months: int | None = None
) -> EmailSyncJob:
    """Create a pending job, or raise ActiveJobExists with the one already running."""
    existing = active_job(session, mailbox.id)
    if existing is not None:
        raise ActiveJobExists(existing)
    job = EmailSyncJob(
        user_id=mailbox.user_id,
        mailbox_id=mailbox.id,
        kind=kind,
        months=months,
        status=JobStatus.PENDING,
        error_log=[],
    )
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        # Lost a race with another starter: the partial unique index kept us to one job.
        raced = active_job(session, mailbox.id)
        if raced is None:
            raise
        raise ActiveJobExists(raced) from None
    return job


@dataclass(frozen=True, slots=True)
class Listing:
    """What a job will read: message ids (no duplicates), the cursor to store, when listed."""

    ids: list[str]
    cursor: str | None
    listed_at: datetime


def list_mail(
    session: Session,
    *,
    kind: JobKind,
    months: int | None,
    mailbox: Mailbox,
    source: MailSource,
    fetch_days: int,
) -> Listing:
    """List what a job of `kind` over `mailbox` would read; writes nothing.

    Raises what the source raises (AuthorizationRevoked, QuotaWait, SourceUnavailable).
    """
    now = utc_now()
    if kind is JobKind.REPARSE:
        # Only what an older parser judged, from the ledger: never a listing of the mailbox.
        stale = reextraction.stale_message_ids(
            session, mailbox_id=mailbox.id, version=parser.PARSER_VERSION
        )
        return Listing(list(stale), None, now)
    cursor = source.current_cursor()
    ids = _list_ids(
        kind=kind, months=months, mailbox=mailbox, source=source, now=now, fetch_days=fetch_days
    )
    return Listing(list(dict.fromkeys(ids)), cursor, now)


def record_listing(
    session: Session, *, job: EmailSyncJob, listing: Listing, source: MailSource
) -> None:
    """Give `job` its checkpoint (the listed ids, offset 0) and mark it processing; flushes."""
    checkpoint: dict[str, Any] = {
        "ids": listing.ids,
        "done": 0,
        "cursor": listing.cursor,
        "listed_at": listing.listed_at.isoformat(),
    }
    _save_quota(source, checkpoint)
    job.checkpoint = checkpoint
    job.total_emails = len(listing.ids)
    job.status = JobStatus.PROCESSING
    job.started_at = job.started_at or listing.listed_at
    job.heartbeat_at = listing.listed_at
    session.flush()


def prepare(
    session: Session, *, job: EmailSyncJob, mailbox: Mailbox, source: MailSource, fetch_days: int
) -> None:
    """List the job's messages into its checkpoint; a job that already has one keeps it."""
    if job.checkpoint is not None:
        return
    listing = list_mail(
        session,
        kind=job.kind,
        months=job.months,
        mailbox=mailbox,
        source=source,
        fetch_days=fetch_days,
    )
    record_listing(session, job=job, listing=listing, source=source)


def _list_ids(
    *,
    kind: JobKind,
    months: int | None,
    mailbox: Mailbox,
    source: MailSource,
    now: datetime,
    fetch_days: int,
) -> list[str]:
    if kind is JobKind.INITIAL or mailbox.sync_cursor is None:
        if kind is JobKind.INITIAL:
            window = initial_window(now=now, months=months or 6, fetch_days=fetch_days)
        else:
            window = fallback_window(
                now=now, last_fetch=mailbox.last_email_fetch_time, fetch_days=fetch_days
            )
        return list(source.list_message_ids(window))
    try:
        return list(source.list_changes(mailbox.sync_cursor))
    except CursorExpired:
        window = fallback_window(
            now=now, last_fetch=mailbox.last_email_fetch_time, fetch_days=fetch_days
        )
        return list(source.list_message_ids(window))


def process_next_batch(
    session: Session,
    *,
    job: EmailSyncJob,
    source: MailSource,
    batch_size: int,
    error_log_limit: int,
) -> BatchOutcome:
    """Fetch, parse and store the next batch, and move the checkpoint past it."""
    checkpoint = dict(job.checkpoint or {})
    ids: list[str] = checkpoint.get("ids", [])
    done: int = checkpoint.get("done", 0)
    batch = ids[done : done + batch_size]
    rows: list[LedgerRow] = []
    failures: list[dict[str, Any]] = []
    judged: list[str] = []  # parsed by this parser version
    candidates: list[str] = []  # of those, the ones with an amount and no transaction
    version = parser.PARSER_VERSION
    strikes: dict[str, int] = dict(checkpoint.get("unavailable", {}))
    given_up = [mid for mid in batch if strikes.get(mid, 0) >= MAX_FETCH_ATTEMPTS]
    failures += [
        _failure(mid, "FetchError", f"the mail provider failed it on {MAX_FETCH_ATTEMPTS} tries")
        for mid in given_up
    ]
    _restore_quota(source, checkpoint)
    fetched_at = utc_now()
    try:
        fetched_batch = source.fetch([mid for mid in batch if mid not in given_up])
    except MessagesUnavailable as exc:
        # The provider serves the rest but not these: count a strike each and take the batch
        # again (the caller commits the strikes); past MAX_FETCH_ATTEMPTS a message is skipped.
        for mid in exc.message_ids:
            strikes[mid] = strikes.get(mid, 0) + 1
        return _retry_batch(session, job=job, checkpoint=checkpoint, source=source, strikes=strikes)
    _save_quota(source, checkpoint)
    for fetched in fetched_batch:
        if fetched.raw is None:
            failures.append(
                _failure(fetched.message_id, "FetchError", fetched.error or "fetch failed")
            )
            continue
        try:
            # Dates are bounded by the receive time; a provider that gives none is bounded by
            # now, and a message with no date anywhere is dated when it was fetched (not 1970).
            result = parse_detailed(fetched.raw, received_at=fetched.received_at or fetched_at)
        except Exception as exc:  # one bad email must never stop its batch
            failures.append(_failure(fetched.message_id, type(exc).__name__, _safe_reason(exc)))
            continue
        judged.append(fetched.message_id)
        if result.had_amount and not result.transactions:
            candidates.append(fetched.message_id)
        rows.extend(LedgerRow(fetched.message_id, t) for t in result.transactions)

    stored = store_batch(
        session, job=job, rows=rows, judged=judged, candidates=candidates, version=version
    )
    if stored.refused:
        # The batch went in without these messages; each is failed, never the job.
        rows = [row for row in rows if row.message_id not in stored.refused]
        failures += [
            _failure(message_id, "StorageRefused", reason)
            for message_id, reason in stored.refused.items()
        ]
    checkpoint["done"] = done + len(batch)
    job.checkpoint = checkpoint
    job.processed_emails += len(batch)
    job.parsed_transactions += len(rows)
    job.new_transactions += stored.inserted
    job.failed_emails += len(failures)
    room = max(error_log_limit - len(job.error_log), 0)
    if failures and room:
        job.error_log = [*job.error_log, *failures[:room]]
    job.progress_percentage = _progress(checkpoint["done"], len(ids))
    job.heartbeat_at = utc_now()
    session.flush()
    return BatchOutcome(len(batch), len(rows), len(failures), checkpoint["done"] < len(ids))


def _retry_batch(
    session: Session,
    *,
    job: EmailSyncJob,
    checkpoint: dict[str, Any],
    source: MailSource,
    strikes: dict[str, int],
) -> BatchOutcome:
    """Keep the offset, save the strikes; this delivery does not count toward WorkerLost."""
    checkpoint["unavailable"] = strikes
    if checkpoint.get("deliveries", 0) > 0:
        checkpoint["deliveries"] -= 1
    _save_quota(source, checkpoint)
    job.checkpoint = checkpoint
    job.heartbeat_at = utc_now()
    session.flush()
    return BatchOutcome(0, 0, 0, more=True)


def complete(session: Session, *, job: EmailSyncJob, mailbox: Mailbox) -> None:
    checkpoint = job.checkpoint or {}
    # A re-extraction read no new mail: the mailbox's sync position stays where it was.
    if job.kind is not JobKind.REPARSE:
        if checkpoint.get("cursor") is not None:
            mailbox.sync_cursor = checkpoint["cursor"]
        listed_at = checkpoint.get("listed_at")
        mailbox.last_email_fetch_time = (
            datetime.fromisoformat(listed_at) if listed_at else job.started_at or utc_now()
        )
    job.status = JobStatus.COMPLETED
    job.progress_percentage = 100.0
    job.completed_at = utc_now()
    # The id list is only needed to resume; a finished job keeps its counters, not its ids.
    job.checkpoint = {k: v for k, v in checkpoint.items() if k != "ids"}
    session.flush()


def count_delivery(session: Session, *, job: EmailSyncJob, batch_size: int) -> int:
    """Record one more delivery of the batch at the job's offset; returns the size to process.

    The count is committed before the batch runs, so a worker killed by a message survives in
    the database: a redelivered batch is taken one message at a time, and 0 means the message
    at the offset has killed its worker MAX_DELIVERIES times and must be skipped.
    """
    checkpoint = dict(job.checkpoint or {})
    done = checkpoint.get("done", 0)
    if checkpoint.get("delivery_offset") != done:
        checkpoint["delivery_offset"] = done
        checkpoint["deliveries"] = 0
    checkpoint["deliveries"] += 1
    if checkpoint["deliveries"] > 1:
        checkpoint["careful_until"] = max(checkpoint.get("careful_until", 0), done + batch_size)
    job.checkpoint = checkpoint
    session.flush()
    if checkpoint["deliveries"] > MAX_DELIVERIES:
        return 0
    return 1 if done < checkpoint.get("careful_until", 0) else batch_size


def forget_delivery(session: Session, *, job: EmailSyncJob) -> None:
    """Undo count_delivery for a delivery that ended in a handled error (quota, retry)."""
    checkpoint = dict(job.checkpoint or {})
    if checkpoint.get("deliveries", 0) > 0:
        checkpoint["deliveries"] -= 1
        job.checkpoint = checkpoint
        session.flush()


def skip_poison_message(session: Session, *, job: EmailSyncJob, error_log_limit: int) -> bool:
    """Record the message at the offset as failed and move past it; returns whether more remain."""
    checkpoint = dict(job.checkpoint or {})
    ids: list[str] = checkpoint.get("ids", [])
    done: int = checkpoint.get("done", 0)
    if done < len(ids):
        failure = _failure(ids[done], "WorkerLost", "processing this message killed its worker")
        checkpoint["done"] = done + 1
        job.processed_emails += 1
        job.failed_emails += 1
        if len(job.error_log) < error_log_limit:
            job.error_log = [*job.error_log, failure]
    job.checkpoint = checkpoint
    job.progress_percentage = _progress(checkpoint["done"], len(ids))
    job.heartbeat_at = utc_now()
    session.flush()
    return bool(checkpoint["done"] < len(ids))


def require_reauth(session: Session, *, job: EmailSyncJob, mailbox: Mailbox, reason: str) -> None:
    """Access was revoked: park the mailbox until the user re-authorises, fail its job."""
    mark_reauth_required(session, mailbox=mailbox, reason=reason)
    fail(session, job=job, reason=reason)


def fail(session: Session, *, job: EmailSyncJob, reason: str) -> None:
    job.status = JobStatus.FAILED
    job.error_message = reason[:1000]
    job.completed_at = utc_now()
    session.flush()


def _progress(done: int, total: int) -> float:
    return 100.0 if total == 0 else round(100.0 * done / total, 2)


def _failure(message_id: str, error: str, reason: str) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "error": error,
        "reason": reason[:REASON_LIMIT],
        "at": utc_now().isoformat(),
    }


def _safe_reason(exc: Exception) -> str:
    # Our own errors carry reasons written never to quote the email; anything else could
    # echo content in its message, so only its class is kept.
    if isinstance(exc, FincoachError):
        return exc.message
    return "unexpected error while parsing"
