from enum import StrEnum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from fincoach.kit.models import Base, CreatedAtMixin, IdMixin


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


class User(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200), default=None)
    # What the user may do through the API; tokens cannot claim more than this.
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="user_role",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
        ),
        default=Role.USER,
        server_default=Role.USER.value,
    )
