import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fincoach.kit.models import Base, CreatedAtMixin, IdMixin


class MerchantCategory(IdMixin, CreatedAtMixin, Base):
    """A user's own category for a merchant; it wins over the extractor's guess."""

    __tablename__ = "merchant_categories"
    __table_args__ = (UniqueConstraint("user_id", "merchant_normalized"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    merchant_normalized: Mapped[str] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(40))
