"""SQL for the ledger. Inserts are bulk and idempotent: re-parsing an email adds nothing."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Insert, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fincoach.kit.models import utc_now
from fincoach.models import MerchantCategory, Transaction
from fincoach.parsing.types import ParsedTransaction

TABLE = cast(Table, Transaction.__table__)
IDENTITY = ["user_id", "message_id", "position"]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A parsed transaction and where it came from."""

    message_id: str
    parsed: ParsedTransaction


def _insert_ignoring_duplicates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(TABLE).on_conflict_do_nothing(index_elements=IDENTITY)
    if dialect == "sqlite":
        return sqlite.insert(TABLE).on_conflict_do_nothing(index_elements=IDENTITY)
    raise NotImplementedError(f"unsupported database: {dialect}")


def category_overrides(session: Session, user_id: uuid.UUID) -> dict[str, str]:
    rows = session.execute(
        select(MerchantCategory.merchant_normalized, MerchantCategory.category).where(
            MerchantCategory.user_id == user_id
        )
    )
    return {merchant: category for merchant, category in rows}


def insert_transactions(
    session: Session,
    *,
    user_id: uuid.UUID,
    mailbox_id: uuid.UUID | None,
    rows: Sequence[LedgerRow],
    overrides: dict[str, str] | None = None,
) -> int:
    """Insert what is new, skip what is already stored; returns how many rows were new."""
    if not rows:
        return 0
    overrides = overrides or {}
    now = utc_now()
    values: list[dict[str, Any]] = []
    for row in rows:
        t = row.parsed
        category = overrides.get(t.merchant_normalized or "", t.category)
        values.append(
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "mailbox_id": mailbox_id,
                "message_id": row.message_id,
                "position": t.position,
                "amount": t.amount,
                "currency": t.currency,
                "direction": t.direction.value,
                "merchant": _clip(t.merchant, 255),
                "merchant_normalized": _clip(t.merchant_normalized, 255),
                "account_hint": _clip(t.account, 16),
                "instrument": t.instrument.value,
                "occurred_at": t.occurred_at,
                "reference": _clip(t.reference, 100),
                "balance_after": t.balance,
                "category": category,
                "rule": _clip(t.rule, 100),
                "confidence": t.confidence,
                "created_at": now,
            }
        )
    # RETURNING yields only the rows that were new: conflicts return nothing, on both databases.
    statement = _insert_ignoring_duplicates(session).returning(TABLE.c.id)
    result = session.connection().execute(statement, values)
    return len(result.all())


def count_for_user(session: Session, user_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Transaction).where(Transaction.user_id == user_id)
        )
        or 0
    )


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None
