"""What the sync endpoints answer."""

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from fincoach.models import EmailSyncJob
from fincoach.sync.repository import JobStats

# The status answer carries the newest few error entries; the full log stays in the database.
LAST_ERRORS = 5


class SyncStarted(BaseModel):
    message: str
    task_id: str | None
    user_id: uuid.UUID
    months: int | None  # None for a re-extraction, which reads no window of mail
    job_id: uuid.UUID
    # A user with several mailboxes gets one job per mailbox; job_id is the first of them.
    job_ids: list[uuid.UUID]
    created: bool


class ErrorEntry(BaseModel):
    message_id: str | None = None
    error: str
    reason: str
    at: str | None = None


class ErrorSummary(BaseModel):
    total: int
    by_error: dict[str, int]
    last: list[ErrorEntry]


class JobOut(BaseModel):
    job_id: uuid.UUID
    mailbox_id: uuid.UUID
    kind: str
    status: str
    progress: float
    total_emails: int
    processed_emails: int
    parsed_transactions: int  # every transaction parsed, stored before or not
    new_transactions: int  # of those, the ones this job added to the ledger
    failed_emails: int
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    errors: ErrorSummary

    @classmethod
    def of(cls, job: EmailSyncJob) -> "JobOut":
        log: list[dict[str, Any]] = job.error_log or []
        return cls(
            job_id=job.id,
            mailbox_id=job.mailbox_id,
            kind=job.kind.value,
            status=job.status.value,
            progress=float(job.progress_percentage),
            total_emails=job.total_emails,
            processed_emails=job.processed_emails,
            parsed_transactions=job.parsed_transactions,
            new_transactions=job.new_transactions,
            failed_emails=job.failed_emails,
            error_message=job.error_message,
            created_at=job.created_at,
            started_at=job.started_at,
            completed_at=job.completed_at,
            errors=ErrorSummary(
                # failed_emails counts every failure; the log itself is capped.
                total=job.failed_emails,
                by_error=dict(Counter(str(entry.get("error", "unknown")) for entry in log)),
                last=[ErrorEntry.model_validate(entry) for entry in log[-LAST_ERRORS:]],
            ),
        )


class JobHistory(BaseModel):
    user_id: uuid.UUID
    jobs: list[JobOut]


class SyncStats(BaseModel):
    jobs: int
    jobs_by_status: dict[str, int]
    total_emails: int
    processed_emails: int
    parsed_transactions: int
    failed_emails: int
    transactions: int
    throughput_emails_per_second: float
    throughput_jobs: int

    @classmethod
    def of(cls, stats: JobStats) -> "SyncStats":
        return cls(
            jobs=stats.jobs,
            jobs_by_status=stats.by_status,
            total_emails=stats.total_emails,
            processed_emails=stats.processed_emails,
            parsed_transactions=stats.parsed_transactions,
            failed_emails=stats.failed_emails,
            transactions=stats.transactions,
            throughput_emails_per_second=stats.throughput_emails_per_second,
            throughput_jobs=stats.throughput_jobs,
        )
