"""transactions keyed by (user, mailbox, message id, position)

Message ids are unique within one mailbox only, so the previous key (user, message id,
position) silently dropped one of two transactions whose mailboxes used the same id.

Every existing row is kept. A row already names the mailbox it came from (the sync writes the
job's mailbox); a row without one (its mailbox row was deleted while the key was SET NULL) is
given to its user's only mailbox when the user has exactly one. Rows that cannot be attributed
that way (the user has no mailbox, or several) go to one placeholder mailbox per user:
provider `local`, address `unattributed@fincoach.invalid`, status `disconnected`, so they stay
in the ledger and are never synced. Deleting that placeholder (DELETE /api/v1/mailboxes/{id})
deletes them.

The downgrade restores the previous key. It refuses (and changes nothing) when two mailboxes
of one user hold the same message id and position: the previous key cannot hold both, and
dropping one would lose a transaction. Placeholder mailboxes go away (their rows lose their
mailbox again) and `disconnected` mailboxes become `disabled`, a status the previous code knows.

Revision ID: bc212d9234bb
Revises: a7e3c91d4b20
Create Date: 2026-12-01 21:30:00.000000
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import fincoach.kit.types

revision: str = "bc212d9234bb"
down_revision: str | None = "a7e3c91d4b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNATTRIBUTED_ADDRESS = "unattributed@fincoach.invalid"
UNATTRIBUTED_REASON = "holds transactions stored before they recorded their mailbox"
OLD_UNIQUE = "uq_transactions_user_id_message_id_position"
NEW_UNIQUE = "uq_transactions_mailbox_id_user_id_message_id_position"
MAILBOX_FK = "fk_transactions_mailbox_id_mailboxes"

# The tables as this revision sees them, not as the models may look later.
_transactions = sa.table(
    "transactions",
    sa.column("user_id", sa.Uuid()),
    sa.column("mailbox_id", sa.Uuid()),
    sa.column("message_id", sa.String()),
    sa.column("position", sa.Integer()),
)
_mailboxes = sa.table(
    "mailboxes",
    sa.column("id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("provider", sa.String()),
    sa.column("address", sa.String()),
    sa.column("status", sa.String()),
    sa.column("status_reason", sa.String()),
    sa.column("created_at", fincoach.kit.types.UTCDateTime()),
    sa.column("updated_at", fincoach.kit.types.UTCDateTime()),
)


def upgrade() -> None:
    _attribute_rows_without_mailbox(op.get_bind())
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(OLD_UNIQUE), type_="unique")
        batch_op.drop_constraint(op.f(MAILBOX_FK), type_="foreignkey")
        batch_op.alter_column("mailbox_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            op.f(MAILBOX_FK), "mailboxes", ["mailbox_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_unique_constraint(
            op.f(NEW_UNIQUE), ["mailbox_id", "user_id", "message_id", "position"]
        )


def _attribute_rows_without_mailbox(bind: sa.Connection) -> None:
    orphaned_users = bind.scalars(
        sa.select(_transactions.c.user_id).where(_transactions.c.mailbox_id.is_(None)).distinct()
    ).all()
    for user_id in orphaned_users:
        mailbox_ids = bind.scalars(
            sa.select(_mailboxes.c.id).where(_mailboxes.c.user_id == user_id)
        ).all()
        target = mailbox_ids[0] if len(mailbox_ids) == 1 else _placeholder(bind, user_id)
        bind.execute(
            sa.update(_transactions)
            .where(_transactions.c.user_id == user_id, _transactions.c.mailbox_id.is_(None))
            .values(mailbox_id=target)
        )


def _placeholder(bind: sa.Connection, user_id: uuid.UUID) -> uuid.UUID:
    existing = bind.scalar(
        sa.select(_mailboxes.c.id).where(
            _mailboxes.c.user_id == user_id,
            _mailboxes.c.provider == "local",
            _mailboxes.c.address == UNATTRIBUTED_ADDRESS,
        )
    )
    if existing is not None:
        return uuid.UUID(str(existing))
    mailbox_id = uuid.uuid4()
    now = datetime.now(UTC)
    bind.execute(
        sa.insert(_mailboxes).values(
            id=mailbox_id,
            user_id=user_id,
            provider="local",
            address=UNATTRIBUTED_ADDRESS,
            status="disconnected",
            status_reason=UNATTRIBUTED_REASON,
            created_at=now,
            updated_at=now,
        )
    )
    return mailbox_id


def downgrade() -> None:
    bind = op.get_bind()
    key = (_transactions.c.user_id, _transactions.c.message_id, _transactions.c.position)
    colliding = bind.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(*key).group_by(*key).having(sa.func.count() > 1).subquery()
        )
    )
    if colliding:
        raise RuntimeError(
            f"cannot downgrade: {colliding} (user, message id, position) keys are held by "
            "transactions of two or more mailboxes, and the previous schema keeps only one of "
            "each; remove those mailboxes' transactions first, or stay at revision bc212d9234bb"
        )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(NEW_UNIQUE), type_="unique")
        batch_op.drop_constraint(op.f(MAILBOX_FK), type_="foreignkey")
        batch_op.alter_column("mailbox_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_foreign_key(
            op.f(MAILBOX_FK), "mailboxes", ["mailbox_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_unique_constraint(op.f(OLD_UNIQUE), ["user_id", "message_id", "position"])
    placeholders = sa.select(_mailboxes.c.id).where(
        _mailboxes.c.provider == "local", _mailboxes.c.address == UNATTRIBUTED_ADDRESS
    )
    bind.execute(
        sa.update(_transactions)
        .where(_transactions.c.mailbox_id.in_(placeholders))
        .values(mailbox_id=None)
    )
    bind.execute(
        sa.delete(_mailboxes).where(
            _mailboxes.c.provider == "local", _mailboxes.c.address == UNATTRIBUTED_ADDRESS
        )
    )
    bind.execute(
        sa.update(_mailboxes).where(_mailboxes.c.status == "disconnected").values(status="disabled")
    )
