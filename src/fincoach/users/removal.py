"""The way out: removing a mailbox, or a user with everything they have (SECURITY.md).

Both end the Google grant first (a network call, made before any row lock is taken), then stop
the sync jobs, then delete rows. The services flush; the caller's transaction commits all of
the database work or none of it. The grant, once ended at Google, stays ended either way: a
mailbox whose removal then rolled back is parked at its next sync (`invalid_grant`).

A removed mailbox whose transactions are kept stays as a row in status `disconnected`, with its
credentials deleted, rather than its transactions losing their mailbox: a transaction's key
includes its mailbox (models.transaction), and connecting the same address again finds that
row, so a new sync adds nothing twice.
"""

import uuid
from dataclasses import dataclass
from enum import StrEnum

import structlog
from sqlalchemy.orm import Session

from fincoach.auth.principal import Principal
from fincoach.config import Settings
from fincoach.kit.crypto import CredentialsUnreadable, TokenCipher
from fincoach.kit.errors import NotFound
from fincoach.models import Mailbox, MailboxStatus, MailProvider, User
from fincoach.oauth.revocation import Revocation, revoke_refresh_token
from fincoach.sync import service as sync_service
from fincoach.users import repository
from fincoach.users.service import mailboxes_of

log = structlog.get_logger(__name__)

CANCELLED_REASON = "cancelled: the mailbox was removed by its owner"
DISCONNECTED_REASON = "removed by its owner; its transactions were kept"


class MailboxFate(StrEnum):
    DELETED = "deleted"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class MailboxRemoval:
    mailbox_id: uuid.UUID
    user_id: uuid.UUID
    mailbox: MailboxFate
    token_revocation: Revocation
    transactions_deleted: int
    transactions_kept: int
    sync_jobs_cancelled: int


@dataclass(frozen=True, slots=True)
class UserDeletion:
    user_id: uuid.UUID
    mailboxes: int
    transactions: int
    sync_jobs: int
    merchant_categories: int
    api_keys: int
    token_revocations: dict[uuid.UUID, Revocation]


def owned_mailbox(session: Session, *, mailbox_id: uuid.UUID, principal: Principal) -> Mailbox:
    """The mailbox, when the caller owns it or is an admin.

    Raises NotFound (404) otherwise too, so a user cannot learn that another user's mailbox
    id exists (as with API keys).
    """
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None or not (principal.is_admin or principal.user_id == mailbox.user_id):
        raise NotFound("mailbox not found")
    return mailbox


def remove_mailbox(
    session: Session, settings: Settings, *, mailbox: Mailbox, keep_transactions: bool
) -> MailboxRemoval:
    """End the mailbox's Google grant, delete its credentials, stop its sync.

    `keep_transactions=False` deletes the mailbox, its transactions and its jobs;
    `keep_transactions=True` keeps the transactions and the mailbox row as `disconnected`
    (no credentials, never synced). Removing a `disconnected` mailbox again with
    `keep_transactions=False` deletes it for good.
    """
    revocation = _end_grant(settings, mailbox)
    jobs = repository.lock_active_jobs(session, user_id=mailbox.user_id, mailbox_id=mailbox.id)
    if keep_transactions:
        for job in jobs:
            sync_service.fail(session, job=job, reason=CANCELLED_REASON)
        mailbox.credentials_encrypted = None
        mailbox.status = MailboxStatus.DISCONNECTED
        mailbox.status_reason = DISCONNECTED_REASON
        deleted, kept = 0, repository.count_transactions(session, mailbox_id=mailbox.id)
        fate = MailboxFate.DISCONNECTED
    else:
        deleted = repository.delete_transactions(
            session, user_id=mailbox.user_id, mailbox_id=mailbox.id
        )
        repository.delete_jobs(session, user_id=mailbox.user_id, mailbox_id=mailbox.id)
        repository.delete_mailboxes(session, user_id=mailbox.user_id, mailbox_id=mailbox.id)
        for gone in (*jobs, mailbox):
            session.expunge(gone)
        kept, fate = 0, MailboxFate.DELETED
    session.flush()
    return MailboxRemoval(
        mailbox_id=mailbox.id,
        user_id=mailbox.user_id,
        mailbox=fate,
        token_revocation=revocation,
        transactions_deleted=deleted,
        transactions_kept=kept,
        sync_jobs_cancelled=len(jobs),
    )


def delete_user(session: Session, settings: Settings, *, user: User) -> UserDeletion:
    """Delete the user and everything of theirs: mailboxes (grants ended first), credentials,
    transactions, sync jobs (running ones stopped), merchant categories, API keys.

    Their tokens stop working at once (authentication finds no user).
    """
    mailboxes = mailboxes_of(session, user.id)
    revocations = {mailbox.id: _end_grant(settings, mailbox) for mailbox in mailboxes}
    jobs = repository.lock_active_jobs(session, user_id=user.id)
    deleted = UserDeletion(
        user_id=user.id,
        transactions=repository.delete_transactions(session, user_id=user.id),
        sync_jobs=repository.delete_jobs(session, user_id=user.id),
        mailboxes=repository.delete_mailboxes(session, user_id=user.id),
        merchant_categories=repository.delete_merchant_categories(session, user_id=user.id),
        api_keys=repository.delete_api_keys(session, user_id=user.id),
        token_revocations=revocations,
    )
    repository.delete_user_row(session, user_id=user.id)
    for gone in (*jobs, *mailboxes, user):
        session.expunge(gone)
    session.flush()
    return deleted


def _end_grant(settings: Settings, mailbox: Mailbox) -> Revocation:
    if mailbox.provider is not MailProvider.GMAIL or not mailbox.credentials_encrypted:
        return Revocation.NOT_NEEDED
    try:
        token = TokenCipher(settings.token_encryption_keys).decrypt(mailbox.credentials_encrypted)
    except CredentialsUnreadable:
        # No configured key opens it: nobody can use it either. It is deleted all the same.
        log.warning("mailbox.credentials_unreadable", mailbox_id=str(mailbox.id))
        return Revocation.FAILED
    outcome = revoke_refresh_token(settings, token)
    if outcome is Revocation.FAILED:
        log.warning("mailbox.revocation_failed", mailbox_id=str(mailbox.id))
    return outcome
