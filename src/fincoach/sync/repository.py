"""Read-side SQL over sync jobs: latest, history, statistics."""

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fincoach.models import EmailSyncJob, JobStatus, Transaction

# Throughput is measured over this many most recently completed jobs.
THROUGHPUT_WINDOW = 20


@dataclass(frozen=True, slots=True)
class JobStats:
    by_status: dict[str, int] = field(default_factory=dict)
    jobs: int = 0
    total_emails: int = 0
    processed_emails: int = 0
    parsed_transactions: int = 0
    failed_emails: int = 0
    transactions: int = 0
    throughput_emails_per_second: float = 0.0
    throughput_jobs: int = 0


def latest_job(session: Session, user_id: uuid.UUID) -> EmailSyncJob | None:
    return session.scalar(
        select(EmailSyncJob)
        .where(EmailSyncJob.user_id == user_id)
        .order_by(EmailSyncJob.created_at.desc(), EmailSyncJob.id.desc())
        .limit(1)
    )


def history(session: Session, user_id: uuid.UUID, *, limit: int) -> list[EmailSyncJob]:
    return list(
        session.scalars(
            select(EmailSyncJob)
            .where(EmailSyncJob.user_id == user_id)
            .order_by(EmailSyncJob.created_at.desc(), EmailSyncJob.id.desc())
            .limit(limit)
        )
    )


def job_stats(session: Session) -> JobStats:
    by_status = {status.value: 0 for status in JobStatus} | {
        str(status): count
        for status, count in session.execute(
            select(EmailSyncJob.status, func.count()).group_by(EmailSyncJob.status)
        )
    }
    totals = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(EmailSyncJob.total_emails), 0),
            func.coalesce(func.sum(EmailSyncJob.processed_emails), 0),
            func.coalesce(func.sum(EmailSyncJob.parsed_transactions), 0),
            func.coalesce(func.sum(EmailSyncJob.failed_emails), 0),
        )
    ).one()
    transactions = session.scalar(select(func.count()).select_from(Transaction)) or 0
    recent = session.execute(
        select(EmailSyncJob.processed_emails, EmailSyncJob.started_at, EmailSyncJob.completed_at)
        .where(
            EmailSyncJob.status == JobStatus.COMPLETED,
            EmailSyncJob.started_at.is_not(None),
            EmailSyncJob.completed_at.is_not(None),
        )
        .order_by(EmailSyncJob.completed_at.desc())
        .limit(THROUGHPUT_WINDOW)
    ).all()
    emails = sum(row.processed_emails for row in recent)
    seconds = sum((row.completed_at - row.started_at).total_seconds() for row in recent)
    return JobStats(
        by_status=by_status,
        jobs=int(totals[0]),
        total_emails=int(totals[1]),
        processed_emails=int(totals[2]),
        parsed_transactions=int(totals[3]),
        failed_emails=int(totals[4]),
        transactions=int(transactions),
        throughput_emails_per_second=round(emails / seconds, 2) if seconds > 0 else 0.0,
        throughput_jobs=len(recent),
    )
