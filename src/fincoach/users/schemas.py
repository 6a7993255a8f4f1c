"""What the user and mailbox endpoints take and answer."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fincoach.models import Mailbox


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
            created_at=mailbox.created_at,
        )
