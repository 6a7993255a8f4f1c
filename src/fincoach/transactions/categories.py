"""A user's own category for a merchant: stored once, applied to the past and the future.

Overrides are keyed by `normalize_merchant`, the same key the extractor stores in
merchant_normalized, so `Swiggy`, `SWIGGY BANGALORE IN` and `swiggy@hdfcbank` are one merchant.
Later syncs pick the override up on insert (transactions.repository).
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fincoach.kit.errors import BadRequest
from fincoach.models import MerchantCategory, Transaction
from fincoach.parsing.categories import CATEGORIES
from fincoach.parsing.merchants import normalize_merchant


@dataclass(frozen=True, slots=True)
class OverrideResult:
    merchant: str
    merchant_normalized: str
    category: str
    updated_transactions: int


def set_merchant_category(
    session: Session, *, user_id: uuid.UUID, merchant: str, category: str
) -> OverrideResult:
    if category not in CATEGORIES:
        raise BadRequest(f"unknown category {category!r}: use one of {', '.join(CATEGORIES)}")
    key = normalize_merchant(merchant)
    if not key:
        raise BadRequest("merchant must not be empty")
    _upsert_override(session, user_id=user_id, merchant_normalized=key, category=category)
    result = session.execute(
        update(Transaction)
        .where(Transaction.user_id == user_id, Transaction.merchant_normalized == key)
        .values(category=category)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return OverrideResult(merchant, key, category, int(result.rowcount))  # type: ignore[attr-defined]


def _upsert_override(
    session: Session, *, user_id: uuid.UUID, merchant_normalized: str, category: str
) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE: concurrent PUTs of one new merchant all succeed.

    A read-then-insert let 16 simultaneous PUTs race into the unique constraint (59 of 160
    answered 500). The upsert also takes the override's row lock first, so the transactions'
    re-categorisation below runs one request at a time per merchant.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert: Any = postgresql.insert(MerchantCategory)
    elif dialect == "sqlite":
        insert = sqlite.insert(MerchantCategory)
    else:
        raise NotImplementedError(f"unsupported database: {dialect}")
    insert = insert.values(
        user_id=user_id, merchant_normalized=merchant_normalized, category=category
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["user_id", "merchant_normalized"],
            set_={"category": insert.excluded.category},
        )
    )


def list_merchant_categories(session: Session, user_id: uuid.UUID) -> list[MerchantCategory]:
    return list(
        session.scalars(
            select(MerchantCategory)
            .where(MerchantCategory.user_id == user_id)
            .order_by(MerchantCategory.merchant_normalized)
        )
    )
