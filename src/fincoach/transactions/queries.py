"""Ledger reads: filters and keyset (cursor) pagination in a stable order.

Order is occurred_at desc, id desc. The cursor is the last row's (occurred_at, id), opaque to
clients (urlsafe base64 of JSON); a page never skips or repeats a row when new rows arrive.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from fincoach.kit.errors import BadRequest
from fincoach.models import Transaction
from fincoach.parsing.merchants import normalize_merchant


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    since: datetime | None = None
    until: datetime | None = None
    category: str | None = None
    merchant: str | None = None
    direction: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Transaction]
    next_cursor: str | None


def encode_cursor(row: Transaction) -> str:
    payload = json.dumps({"t": row.occurred_at.isoformat(), "id": str(row.id)})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (occurred_at in UTC, id) that `encode_cursor` wrote; BadRequest for anything else.

    A cursor is client input: the JSON may hold any type where a string belongs, and a time
    that is valid ISO 8601 may still not fit in UTC (year 1 at +14:00).
    """
    invalid = BadRequest("cursor is not valid: pass back next_cursor unchanged")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not (isinstance(data, dict) and isinstance(data.get("t"), str)):
            raise invalid
        if not isinstance(data.get("id"), str):
            raise invalid
        when = datetime.fromisoformat(data["t"])
        ident = uuid.UUID(data["id"])
        if when.tzinfo is None:
            raise invalid
        when = when.astimezone(UTC)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise invalid from None
    return when, ident


def list_transactions(
    session: Session,
    user_id: uuid.UUID,
    *,
    filters: LedgerFilter,
    limit: int,
    cursor: str | None = None,
) -> Page:
    query = select(Transaction).where(Transaction.user_id == user_id)
    if filters.since is not None:
        query = query.where(Transaction.occurred_at >= filters.since)
    if filters.until is not None:
        query = query.where(Transaction.occurred_at < filters.until)
    if filters.category is not None:
        query = query.where(Transaction.category == filters.category)
    if filters.merchant is not None:
        query = query.where(Transaction.merchant_normalized == normalize_merchant(filters.merchant))
    if filters.direction is not None:
        query = query.where(Transaction.direction == filters.direction)
    if filters.min_amount is not None:
        query = query.where(Transaction.amount >= filters.min_amount)
    if filters.max_amount is not None:
        query = query.where(Transaction.amount <= filters.max_amount)
    if cursor is not None:
        when, ident = decode_cursor(cursor)
        query = query.where(
            or_(
                Transaction.occurred_at < when,
                and_(Transaction.occurred_at == when, Transaction.id < ident),
            )
        )
    query = query.order_by(Transaction.occurred_at.desc(), Transaction.id.desc()).limit(limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)
