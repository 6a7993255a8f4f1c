import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fincoach.kit.models import Base, CreatedAtMixin, IdMixin
from fincoach.kit.types import UTCDateTime


class ApiKey(IdMixin, CreatedAtMixin, Base):
    """A long-lived credential of one user. Only a hash of its secret part is stored."""

    __tablename__ = "api_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The public part of the key, used to find the row without scanning every hash.
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    # sha256 of the secret part, hex. The secret is 32 random bytes, so a fast hash is enough:
    # there is nothing to brute-force the way there is with a password.
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
