import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fincoach.kit.models import Base, CreatedAtMixin, IdMixin
from fincoach.kit.types import Money, UTCDateTime


class Transaction(IdMixin, CreatedAtMixin, Base):
    """One money movement found in one email.

    Identity is (user, mailbox, provider message id, position in the message): message ids are
    unique within one mailbox only (two Gmail accounts, or a Gmail id and an IMAP UID, can
    collide), and one email can carry several transactions.

    A transaction cannot outlive its mailbox row: removing a mailbox either deletes its
    transactions or keeps the row as `disconnected` (users.removal), so the key stays whole.
    """

    __tablename__ = "transactions"
    __table_args__ = (
        # Mailbox first: the one index serves the insert's ON CONFLICT check and finds a
        # mailbox's rows when it is removed (the foreign key's cascade), with no second index
        # to maintain on the insert path.
        UniqueConstraint("mailbox_id", "user_id", "message_id", "position"),
        Index("ix_transactions_user_occurred", "user_id", "occurred_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mailbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    direction: Mapped[str] = mapped_column(String(6))
    merchant: Mapped[str | None] = mapped_column(String(255), default=None)
    merchant_normalized: Mapped[str | None] = mapped_column(String(255), default=None)
    account_hint: Mapped[str | None] = mapped_column(String(16), default=None)
    instrument: Mapped[str] = mapped_column(String(20), default="other")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reference: Mapped[str | None] = mapped_column(String(100), default=None)
    balance_after: Mapped[Decimal | None] = mapped_column(Money, default=None)
    category: Mapped[str | None] = mapped_column(String(40), default=None)
    rule: Mapped[str | None] = mapped_column(String(100), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    # The parsing.version.PARSER_VERSION that extracted this row (0: before versions were kept).
    parser_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
