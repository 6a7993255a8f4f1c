"""A user's own category for a merchant: stored once, applied to the past and the future.

Overrides are keyed by `normalize_merchant`, the same key the extractor stores in
merchant_normalized, so `Swiggy`, `SWIGGY BANGALORE IN` and `swiggy@hdfcbank` are one merchant.
Later syncs pick the override up on insert (transactions.repository). Removing an override
leaves the transactions it re-categorised as they are (the email text the default categoriser
read is not stored) and lets later syncs use the default categoriser again.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fincoach.kit.errors import BadRequest, NotFound
from fincoach.models import MerchantCategory, Transaction
from fincoach.parsing.categories import CATEGORIES
from fincoach.parsing.merchants import normalize_merchant
from fincoach.transactions import repository


@dataclass(frozen=True, slots=True)
class OverrideResult:
    merchant: str
    merchant_normalized: str
    category: str
    updated_transactions: int


def check_category(category: str) -> str:
    """`category` when it is one of the taxonomy's ids (parsing.categories), else BadRequest."""
    if category not in CATEGORIES:
        raise BadRequest(f"unknown category {category!r}: use one of {', '.join(CATEGORIES)}")
    return category


def _merchant_key(merchant: str) -> str:
    key = normalize_merchant(merchant)
    if not key:
        raise BadRequest("merchant must not be empty")
    return key


def set_merchant_category(
    session: Session, *, user_id: uuid.UUID, merchant: str, category: str
) -> OverrideResult:
    """Store the override and re-categorise the user's transactions of that merchant.

    BadRequest (400) for an unknown category or a merchant that normalises to nothing.
    """
    check_category(category)
    key = _merchant_key(merchant)
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
    """The user's overrides, by normalised merchant."""
    return repository.merchant_category_overrides(session, user_id)


def remove_merchant_category(session: Session, *, user_id: uuid.UUID, merchant: str) -> str:
    """Delete the user's override for `merchant` (any spelling that normalises to its key).

    Returns the normalised key. Stored transactions keep their category; later syncs use the
    default categoriser. NotFound (404) when the user has no override for that merchant.
    """
    key = _merchant_key(merchant)
    if not repository.delete_merchant_category(session, user_id=user_id, merchant_normalized=key):
        raise NotFound(f"no category of yours for merchant {key!r}")
    return key
