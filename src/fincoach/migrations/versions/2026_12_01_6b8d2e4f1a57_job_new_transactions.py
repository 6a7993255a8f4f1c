"""email_sync_jobs.new_transactions: the rows a job added, beside every row it parsed

Jobs run before this migration get 0: what they added was never recorded.

Revision ID: 6b8d2e4f1a57
Revises: 4e1f7b2c9d30
Create Date: 2026-12-01 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6b8d2e4f1a57"
down_revision: str | None = "4e1f7b2c9d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ALTER TABLE on both dialects (SQLite 3.35+ drops a plain column in place), as in
# 4e1f7b2c9d30: no batch copy of the table.


def upgrade() -> None:
    op.add_column(
        "email_sync_jobs",
        sa.Column("new_transactions", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("email_sync_jobs", "new_transactions")
