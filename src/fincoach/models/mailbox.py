import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fincoach.kit.models import Base, CreatedAtMixin, IdMixin, utc_now
from fincoach.kit.types import UTCDateTime


class MailProvider(StrEnum):
    GMAIL = "gmail"
    IMAP = "imap"
    LOCAL = "local"


class MailboxStatus(StrEnum):
    ACTIVE = "active"
    REAUTH_REQUIRED = "reauth_required"
    DISABLED = "disabled"
    # Removed by its owner with the transactions kept: no credentials, never synced again; the
    # row stays so the kept transactions still say where they came from (users.removal).
    DISCONNECTED = "disconnected"


class Mailbox(IdMixin, CreatedAtMixin, Base):
    """A user's connection to one mailbox, and where its sync stands."""

    __tablename__ = "mailboxes"
    __table_args__ = (UniqueConstraint("user_id", "provider", "address"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[MailProvider] = mapped_column(
        Enum(
            MailProvider,
            name="mail_provider",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
        )
    )
    address: Mapped[str] = mapped_column(String(320))
    # Where the mail lives when the provider needs it: a local path, an IMAP host.
    location: Mapped[str | None] = mapped_column(String(1024), default=None)
    # OAuth refresh token or IMAP password, Fernet-encrypted; never stored in clear.
    credentials_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Gmail historyId, or IMAP "UIDVALIDITY:UID", or a local source's newest date.
    sync_cursor: Mapped[str | None] = mapped_column(String(255), default=None)
    last_email_fetch_time: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When Beat last asked the provider for new mail, whether or not it found any: a check
    # that finds nothing writes this instead of an empty job (sync/check.py).
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    status: Mapped[MailboxStatus] = mapped_column(
        Enum(
            MailboxStatus,
            name="mailbox_status",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
        ),
        default=MailboxStatus.ACTIVE,
    )
    status_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
