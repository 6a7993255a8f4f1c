"""Users and mailbox connections."""

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fincoach.kit.errors import NotFound
from fincoach.models import Mailbox, MailboxStatus, MailProvider, User


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


def get_or_create_user(session: Session, *, email: str) -> User:
    """The user with this email, created when there is none; safe against concurrent callers.

    Two requests creating one email at once both read "none": the slower one's INSERT meets the
    unique index, its savepoint rolls back, and it returns the user the faster one committed.
    """
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    try:
        with session.begin_nested():
            user = User(email=email)
            session.add(user)
    except IntegrityError:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:  # not a lost race but some other constraint
            raise
    return user


def get_or_create_mailbox(
    session: Session,
    *,
    user: User,
    provider: MailProvider,
    address: str,
    location: str | None = None,
) -> Mailbox:
    """The user's mailbox for (provider, address), created when new; a `disconnected` one is
    connected again (its credentials are the caller's to store)."""
    mailbox = session.scalar(
        select(Mailbox).where(
            Mailbox.user_id == user.id, Mailbox.provider == provider, Mailbox.address == address
        )
    )
    if mailbox is None:
        mailbox = Mailbox(user_id=user.id, provider=provider, address=address, location=location)
        session.add(mailbox)
        session.flush()
        return mailbox
    if location is not None:
        mailbox.location = location
    if mailbox.status is MailboxStatus.DISCONNECTED:
        # Connected again after a removal that kept its transactions: the same row, so the
        # transactions keep their key and a new sync adds nothing twice.
        mailbox.status = MailboxStatus.ACTIVE
        mailbox.status_reason = None
    return mailbox


def get_mailbox(session: Session, mailbox_id: uuid.UUID) -> Mailbox:
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise NotFound("mailbox not found")
    return mailbox


def mailboxes_of(session: Session, user_id: uuid.UUID) -> list[Mailbox]:
    return list(session.scalars(select(Mailbox).where(Mailbox.user_id == user_id)))


def mark_reauth_required(session: Session, *, mailbox: Mailbox, reason: str) -> None:
    """Stop syncing this mailbox until its owner connects it again (after invalid_grant).

    The stored token is dropped: it can never work again, and keeping it would only keep a
    secret around for nothing.
    """
    mailbox.status = MailboxStatus.REAUTH_REQUIRED
    mailbox.status_reason = reason[:500]
    mailbox.credentials_encrypted = None
    session.flush()
