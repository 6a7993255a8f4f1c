"""parser versions: on transactions, and the candidate messages that gave none

Revision ID: 9a03ab2b8cf1
Revises: bc212d9234bb
Create Date: 2026-12-01 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fincoach.kit.types

revision: str = "9a03ab2b8cf1"
down_revision: str | None = "bc212d9234bb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows stored before this migration were judged by an unrecorded parser: version 0, so the
    # first `fincoach reparse` looks at them again. (The job kind `reparse` needs no change:
    # the kind is a VARCHAR sized by its longest value, "incremental".)
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("parser_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "parse_candidates",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("mailbox_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("parser_version", sa.Integer(), nullable=False),
        sa.Column("judged_at", fincoach.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_parse_candidates_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_parse_candidates_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parse_candidates")),
        sa.UniqueConstraint(
            "mailbox_id", "message_id", name=op.f("uq_parse_candidates_mailbox_id_message_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("parse_candidates")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("parser_version")
