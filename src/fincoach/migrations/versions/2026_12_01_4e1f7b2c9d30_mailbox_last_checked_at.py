"""mailboxes.last_checked_at: Beat's check that found nothing new, instead of an empty job row

Revision ID: 4e1f7b2c9d30
Revises: 9a03ab2b8cf1
Create Date: 2026-12-01 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fincoach.kit.types

revision: str = "4e1f7b2c9d30"
down_revision: str | None = "9a03ab2b8cf1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch copy drops and recreates `mailboxes`,
# and with foreign keys on, dropping it cascades to every transaction. SQLite (3.35+) adds and
# drops a plain nullable column in place.


def upgrade() -> None:
    op.add_column(
        "mailboxes",
        sa.Column("last_checked_at", fincoach.kit.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("mailboxes", "last_checked_at")
