"""Per-user limit on starting syncs, counted from the jobs table itself.

Why the database and not a Redis counter: the jobs a user started are already rows with a
`created_at` (indexed on user_id, created_at), so the count is exact, survives restarts and
needs no second source of truth. Only jobs started on request (`initial`) count; Beat's
incremental jobs are the service's own work. Two requests racing past the check can start one
job more than the limit at most per mailbox, since a mailbox never has two active jobs.
"""

import math
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fincoach.auth.errors import RateLimited
from fincoach.models import EmailSyncJob, JobKind


def check_sync_start_rate(
    session: Session, *, user_id: uuid.UUID, limit: int, window_seconds: int
) -> None:
    """Raise RateLimited when the user started `limit` syncs within the last window."""
    now = datetime.now(UTC)
    since = now - timedelta(seconds=window_seconds)
    count, oldest = session.execute(
        select(func.count(), func.min(EmailSyncJob.created_at)).where(
            EmailSyncJob.user_id == user_id,
            EmailSyncJob.kind == JobKind.INITIAL,
            EmailSyncJob.created_at > since,
        )
    ).one()
    if count < limit:
        return
    oldest = oldest if oldest.tzinfo is not None else oldest.replace(tzinfo=UTC)
    retry_after = max(
        1, math.ceil((oldest + timedelta(seconds=window_seconds) - now).total_seconds())
    )
    raise RateLimited(
        f"too many syncs started: at most {limit} per {window_seconds} s; retry later",
        retry_after=retry_after,
    )
