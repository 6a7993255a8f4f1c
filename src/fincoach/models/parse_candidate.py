import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fincoach.kit.models import Base, IdMixin, utc_now
from fincoach.kit.types import UTCDateTime


class ParseCandidate(IdMixin, Base):
    """A fetched message that had an amount but gave no transaction, and who judged it.

    No content is kept: only which message, and the parser version that found nothing in it,
    so a later parser can fetch it again (`fincoach reparse`). A message that gives
    transactions is recorded by its transactions' own `parser_version` instead.
    """

    __tablename__ = "parse_candidates"
    __table_args__ = (UniqueConstraint("mailbox_id", "message_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mailbox_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(255))
    parser_version: Mapped[int] = mapped_column(Integer)
    judged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
