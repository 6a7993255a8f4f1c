"""Run a job to the end in this process, committing after every batch.

The embedded demo and `fincoach sync start` without workers use this; Celery tasks run the
same service steps, one batch per task.
"""

import time
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.kit.errors import FincoachError
from fincoach.mail.base import AuthorizationRevoked, MailSource, QuotaWait
from fincoach.models import EmailSyncJob
from fincoach.sync import service
from fincoach.users.service import get_mailbox

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
    with session_factory() as session:
        job = service.get_job(session, job_id)
        mailbox = get_mailbox(session, job.mailbox_id)
        try:
            service.prepare(
                session,
                job=job,
                mailbox=mailbox,
                source=source,
                fetch_days=settings.email_fetch_days,
            )
            session.commit()
            _report(on_progress, job)
            more = job.total_emails > job.processed_emails
            while more:
                try:
                    outcome = service.process_next_batch(
                        session,
                        job=job,
                        source=source,
                        batch_size=settings.email_batch_size,
                        error_log_limit=settings.error_log_limit,
                    )
                except QuotaWait as wait:
                    # Alone in this process, waiting for the user's quota blocks nobody else.
                    session.rollback()
                    sleep(wait.retry_after)
                    continue
                session.commit()
                _report(on_progress, job)
                more = outcome.more
            service.complete(session, job=job, mailbox=mailbox)
            session.commit()
        except AuthorizationRevoked as exc:
            session.rollback()
            service.require_reauth(session, job=job, mailbox=mailbox, reason=exc.message)
            session.commit()
        except FincoachError as exc:
            session.rollback()
            service.fail(session, job=job, reason=exc.message)
            session.commit()
        _report(on_progress, job)
        return job


def _report(callback: ProgressCallback | None, job: EmailSyncJob) -> None:
    if callback is not None:
        callback(job)
