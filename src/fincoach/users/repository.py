"""SQL for removing a mailbox or a user and everything that hangs off them.

Deletes are explicit, child tables first, rather than left to the foreign keys' ON DELETE
CASCADE alone: each answer reports what it removed, and a SQLite file opened without
`PRAGMA foreign_keys=ON` would not cascade at all. The cascades remain as the backstop.
Bulk statements bypass the session's identity map (synchronize_session=False): the caller
drops the objects it holds for deleted rows.
"""

import uuid
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Delete, delete, func, select
from sqlalchemy.orm import Session

from fincoach.models import (
    ACTIVE_STATUSES,
    ApiKey,
    EmailSyncJob,
    Mailbox,
    MerchantCategory,
    Transaction,
    User,
)


def lock_active_jobs(
    session: Session, *, user_id: uuid.UUID, mailbox_id: uuid.UUID | None = None
) -> list[EmailSyncJob]:
    """The user's (or one mailbox's) pending and processing jobs, row-locked until commit.

    The lock waits (no SKIP LOCKED) for a worker in the middle of a batch: that batch commits
    first, and once this transaction holds the rows, the job's next step finds them locked and
    stops (sync.tasks locks with SKIP LOCKED). A no-op on SQLite, whose writers are serial.
    """
    query = select(EmailSyncJob).where(
        EmailSyncJob.user_id == user_id, EmailSyncJob.status.in_(ACTIVE_STATUSES)
    )
    if mailbox_id is not None:
        query = query.where(EmailSyncJob.mailbox_id == mailbox_id)
    return list(session.scalars(query.with_for_update().execution_options(populate_existing=True)))


def count_transactions(session: Session, *, mailbox_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Transaction)
            .where(Transaction.mailbox_id == mailbox_id)
        )
        or 0
    )


def delete_transactions(
    session: Session, *, user_id: uuid.UUID, mailbox_id: uuid.UUID | None = None
) -> int:
    """Delete the user's transactions (or one mailbox's); returns how many."""
    where = [Transaction.user_id == user_id]
    if mailbox_id is not None:
        where.append(Transaction.mailbox_id == mailbox_id)
    return _run(session, delete(Transaction).where(*where))


def delete_jobs(
    session: Session, *, user_id: uuid.UUID, mailbox_id: uuid.UUID | None = None
) -> int:
    where = [EmailSyncJob.user_id == user_id]
    if mailbox_id is not None:
        where.append(EmailSyncJob.mailbox_id == mailbox_id)
    return _run(session, delete(EmailSyncJob).where(*where))


def delete_mailboxes(
    session: Session, *, user_id: uuid.UUID, mailbox_id: uuid.UUID | None = None
) -> int:
    where: list[ColumnElement[bool]] = [Mailbox.user_id == user_id]
    if mailbox_id is not None:
        where.append(Mailbox.id == mailbox_id)
    return _run(session, delete(Mailbox).where(*where))


def delete_merchant_categories(session: Session, *, user_id: uuid.UUID) -> int:
    return _run(session, delete(MerchantCategory).where(MerchantCategory.user_id == user_id))


def delete_api_keys(session: Session, *, user_id: uuid.UUID) -> int:
    return _run(session, delete(ApiKey).where(ApiKey.user_id == user_id))


def delete_user_row(session: Session, *, user_id: uuid.UUID) -> int:
    return _run(session, delete(User).where(User.id == user_id))


def _run(session: Session, statement: Delete) -> int:
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)
