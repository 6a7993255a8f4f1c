import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from fincoach.kit.models import Base, CreatedAtMixin, IdMixin, utc_now
from fincoach.kit.types import UTCDateTime


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class JobKind(StrEnum):
    INITIAL = "initial"
    INCREMENTAL = "incremental"
    REPARSE = "reparse"  # re-extract the messages an older parser judged (sync/reparse.py)


ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.PROCESSING)
_ACTIVE_SQL = "status IN ('pending', 'processing')"


class EmailSyncJob(IdMixin, CreatedAtMixin, Base):
    """One run of a sync over one mailbox, with live progress and an error log."""

    __tablename__ = "email_sync_jobs"
    __table_args__ = (
        # The database, not a lock, guarantees one active job per mailbox: two Beat processes
        # or fifty concurrent start requests cannot create a second one.
        Index(
            "uq_email_sync_jobs_one_active_per_mailbox",
            "mailbox_id",
            unique=True,
            postgresql_where=text(_ACTIVE_SQL),
            sqlite_where=text(_ACTIVE_SQL),
        ),
        Index("ix_email_sync_jobs_user_created", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mailbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    task_id: Mapped[str | None] = mapped_column(String(255), default=None)
    kind: Mapped[JobKind] = mapped_column(
        Enum(
            JobKind,
            name="sync_job_kind",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
        ),
        default=JobKind.INITIAL,
    )
    months: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[JobStatus] = mapped_column(
        Enum(
            JobStatus,
            name="sync_job_status",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
        ),
        default=JobStatus.PENDING,
    )
    total_emails: Mapped[int] = mapped_column(Integer, default=0)
    processed_emails: Mapped[int] = mapped_column(Integer, default=0)
    # Every transaction parsed, including ones already stored by an earlier job (a re-sync).
    parsed_transactions: Mapped[int] = mapped_column(Integer, default=0)
    # Of those, the rows this job actually added to the ledger.
    new_transactions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_emails: Mapped[int] = mapped_column(Integer, default=0)
    progress_percentage: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=0.0)
    error_log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Where an interrupted job resumes: the ids it listed, how many are done, the cursor to
    # store when it completes.
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error_message: Mapped[str | None] = mapped_column(String(1000), default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
