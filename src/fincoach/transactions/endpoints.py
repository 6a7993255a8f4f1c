"""HTTP endpoints of the ledger and of the user's merchant-category overrides."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from fincoach.auth.openapi import PROTECTED
from fincoach.deps import OwnedUserId, SessionDep
from fincoach.kit.errors import BadRequest
from fincoach.transactions import categories, queries
from fincoach.transactions.schemas import (
    MerchantCategoryIn,
    MerchantCategoryItem,
    MerchantCategoryOut,
    TransactionOut,
    TransactionPage,
)
from fincoach.users.service import get_user

router = APIRouter(tags=["transactions"], responses=PROTECTED)

Amount = Annotated[Decimal, Query(ge=0, max_digits=18, decimal_places=4)]


def _utc(value: datetime | None, name: str) -> datetime | None:
    """`value` in UTC; a date or naive time in a query string is read as UTC, the ledger's zone.

    Raises BadRequest when the UTC time falls outside years 1..9999 (9999-12-31T23:59:59-14:00
    is a valid ISO 8601 time that Python's datetime cannot hold in UTC).
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise BadRequest(
            f"{name} is out of range: in UTC it falls outside the years 1 to 9999"
        ) from None


@router.get("/api/v1/transactions/{user_id}")
def list_transactions(
    user_id: OwnedUserId,
    session: SessionDep,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    merchant: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    direction: Literal["debit", "credit"] | None = None,
    min_amount: Amount | None = None,
    max_amount: Amount | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> TransactionPage:
    """The user's transactions, newest first, filtered, one page at a time (cursor)."""
    get_user(session, user_id)
    if category is not None:
        categories.check_category(category)  # as the PUT does: a typo is not an empty ledger
    if min_amount is not None and max_amount is not None and min_amount > max_amount:
        raise BadRequest("min_amount must not exceed max_amount")
    since, until = _utc(start_date, "start_date"), _utc(end_date, "end_date")
    if since is not None and until is not None and since > until:
        raise BadRequest("start_date must not be after end_date")
    filters = queries.LedgerFilter(
        since, until, category, merchant, direction, min_amount, max_amount
    )
    page = queries.list_transactions(session, user_id, filters=filters, limit=limit, cursor=cursor)
    return TransactionPage(
        items=[TransactionOut.model_validate(row) for row in page.items],
        next_cursor=page.next_cursor,
    )


@router.put("/api/v1/users/{user_id}/merchant-categories")
def set_merchant_category(
    user_id: OwnedUserId, body: MerchantCategoryIn, session: SessionDep
) -> MerchantCategoryOut:
    """Set the user's category for a merchant; re-categorises their existing transactions."""
    get_user(session, user_id)
    result = categories.set_merchant_category(
        session, user_id=user_id, merchant=body.merchant, category=body.category
    )
    return MerchantCategoryOut(
        merchant=result.merchant,
        merchant_normalized=result.merchant_normalized,
        category=result.category,
        updated_transactions=result.updated_transactions,
    )


@router.get("/api/v1/users/{user_id}/merchant-categories")
def list_merchant_categories(
    user_id: OwnedUserId, session: SessionDep
) -> list[MerchantCategoryItem]:
    """The user's own merchant categories, by normalised merchant."""
    get_user(session, user_id)
    overrides = categories.list_merchant_categories(session, user_id)
    return [MerchantCategoryItem.model_validate(row) for row in overrides]


@router.delete("/api/v1/users/{user_id}/merchant-categories/{merchant}", status_code=204)
def remove_merchant_category(
    user_id: OwnedUserId,
    merchant: Annotated[str, Path(min_length=1, max_length=255)],
    session: SessionDep,
) -> Response:
    """Remove the user's category for a merchant: later syncs categorise it by default again.

    Transactions already stored keep the category they have. 404 when there is no such override.
    """
    get_user(session, user_id)
    categories.remove_merchant_category(session, user_id=user_id, merchant=merchant)
    return Response(status_code=204)
