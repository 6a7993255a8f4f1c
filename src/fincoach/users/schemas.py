"""What the user and mailbox endpoints take and answer."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fincoach.models import Mailbox
from fincoach.users.removal import MailboxRemoval, UserDeletion


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    display_name: str | None = Field(default=None, max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str | None
    created_at: datetime


class LocalMailboxIn(BaseModel):
    path: str = Field(min_length=1, max_length=1024, description="Maildir, mbox or .eml folder.")
    address: str | None = Field(default=None, max_length=320)


class MailboxOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    provider: str
    address: str
    status: str
    status_reason: str | None
    last_email_fetch_time: datetime | None
    last_checked_at: datetime | None  # Beat's last check, including those that found nothing
    created_at: datetime

    @classmethod
    def of(cls, mailbox: Mailbox) -> "MailboxOut":
        return cls(
            id=mailbox.id,
            user_id=mailbox.user_id,
            provider=mailbox.provider.value,
            address=mailbox.address,
            status=mailbox.status.value,
            status_reason=mailbox.status_reason,
            last_email_fetch_time=mailbox.last_email_fetch_time,
            last_checked_at=mailbox.last_checked_at,
            created_at=mailbox.created_at,
        )


class MailboxRemovedOut(BaseModel):
    mailbox_id: uuid.UUID
    user_id: uuid.UUID
    mailbox: str = Field(description="`deleted`, or `disconnected` when its transactions stay.")
    token_revocation: str = Field(
        description=(
            "Google's grant: `revoked`, `already_invalid`, `not_needed` (no Gmail token), or "
            "`failed` (Google unreachable; the token is deleted anyway: remove FinCoach at "
            "https://myaccount.google.com/permissions)."
        )
    )
    transactions_deleted: int
    transactions_kept: int
    sync_jobs_cancelled: int

    @classmethod
    def of(cls, removal: MailboxRemoval) -> "MailboxRemovedOut":
        return cls(
            mailbox_id=removal.mailbox_id,
            user_id=removal.user_id,
            mailbox=removal.mailbox.value,
            token_revocation=removal.token_revocation.value,
            transactions_deleted=removal.transactions_deleted,
            transactions_kept=removal.transactions_kept,
            sync_jobs_cancelled=removal.sync_jobs_cancelled,
        )


class UserDeletedOut(BaseModel):
    user_id: uuid.UUID
    mailboxes: int
    transactions: int
    sync_jobs: int
    merchant_categories: int
    api_keys: int
    token_revocations: dict[str, str] = Field(
        description="Mailbox id -> what became of its Google grant (as for a mailbox removal)."
    )

    @classmethod
    def of(cls, deletion: UserDeletion) -> "UserDeletedOut":
        return cls(
            user_id=deletion.user_id,
            mailboxes=deletion.mailboxes,
            transactions=deletion.transactions,
            sync_jobs=deletion.sync_jobs,
            merchant_categories=deletion.merchant_categories,
            api_keys=deletion.api_keys,
            token_revocations={str(k): v.value for k, v in deletion.token_revocations.items()},
        )
