"""Beat's incremental check of one mailbox: ask the provider first, write a job only for news.

A tick that finds nothing new records the check on the mailbox (`last_checked_at`) and moves
its sync position as an empty job would have, so a mailbox costs no job row a tick and the
last job a user sees is the last one that read mail.
"""

from sqlalchemy.orm import Session

from fincoach.mail.base import MailSource
from fincoach.models import EmailSyncJob, JobKind, Mailbox
from fincoach.sync import service


def check_mailbox(
    session: Session, *, mailbox: Mailbox, source: MailSource, fetch_days: int
) -> EmailSyncJob | None:
    """List the mail new since the mailbox's cursor; a job for it, or None when there is none.

    The job comes back already listed (status processing, checkpoint at offset 0), so its
    first task takes offset 0. Flushes only. Raises service.ActiveJobExists when the mailbox has
    a running job (the partial unique index keeps it at one, even against a racing starter),
    and whatever the source raises (AuthorizationRevoked, QuotaWait, SourceUnavailable).
    """
    running = service.active_job(session, mailbox.id)
    if running is not None:
        raise service.ActiveJobExists(running)
    listed_from = mailbox.sync_cursor
    listing = service.list_mail(
        session,
        kind=JobKind.INCREMENTAL,
        months=None,
        mailbox=mailbox,
        source=source,
        fetch_days=fetch_days,
    )
    if listing.ids:
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INCREMENTAL)
        service.record_listing(session, job=job, listing=listing, source=source)
        return job
    _record_check(session, mailbox=mailbox, listing=listing, listed_from=listed_from)
    return None


def _record_check(
    session: Session, *, mailbox: Mailbox, listing: service.Listing, listed_from: str | None
) -> None:
    # Locked and re-read: a job started meanwhile (the API, the CLI) owns the sync position,
    # and only a position nobody moved since this listing began may be moved by it.
    session.refresh(mailbox, with_for_update=True)
    mailbox.last_checked_at = listing.listed_at
    if mailbox.sync_cursor == listed_from and service.active_job(session, mailbox.id) is None:
        if listing.cursor is not None:
            mailbox.sync_cursor = listing.cursor
        mailbox.last_email_fetch_time = listing.listed_at
    session.flush()
