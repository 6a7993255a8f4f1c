"""The reaper: active jobs that nobody is working on, to be sent again from their checkpoint.

Celery alone does not bring every job back. A killed pool child gives its message back at once
(acks_late + reject_on_worker_lost), but a worker killed whole (SIGKILL, the OOM killer, a lost
machine) leaves its message unacknowledged in Redis until the visibility timeout, hours later;
a Redis restart without persistence loses every queued message; and a crash between a commit and
the send that follows it loses the one message. In each case the job sits `pending` or
`processing` with no message anywhere.

A job is taken as stalled when its row has not changed for JOB_STALL_SECONDS (every step writes
it) and no transaction holds its row lock: a worker running a step holds that lock for the
whole step, and PostgreSQL releases it the moment the worker's connection dies, so a slow batch
is never mistaken for a vanished worker. Sending a stalled job again is safe even when its old
message does come back later: a delivery whose offset is no longer the job's is dropped.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.kit.models import utc_now
from fincoach.models import ACTIVE_STATUSES, EmailSyncJob


def stalled_jobs(
    session: Session, *, stall_seconds: float, now: datetime | None = None
) -> list[EmailSyncJob]:
    """Active jobs untouched for `stall_seconds` and not locked by a worker, locked for resending.

    The row locks last until the caller commits, so two reapers (two Beats) never resend the
    same job in one round.
    """
    cutoff = (now or utc_now()) - timedelta(seconds=stall_seconds)
    return list(
        session.scalars(
            select(EmailSyncJob)
            .where(EmailSyncJob.status.in_(ACTIVE_STATUSES), EmailSyncJob.updated_at < cutoff)
            .order_by(EmailSyncJob.updated_at)
            .with_for_update(skip_locked=True)
        )
    )


def resume_offset(job: EmailSyncJob) -> int | None:
    """Where the job resumes: its next batch, or None when it has not listed its messages yet."""
    done = (job.checkpoint or {}).get("done")
    return int(done) if done is not None else None
