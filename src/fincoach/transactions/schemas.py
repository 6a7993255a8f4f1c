"""What the ledger endpoints answer. Money is a Decimal, serialised as a string written at its
currency's precision (JPY "1280", KWD "12.500", USD "9.17"), never as a float."""

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from fincoach.parsing.money import format_amount


class TransactionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    mailbox_id: uuid.UUID | None
    message_id: str
    position: int
    occurred_at: datetime
    amount: Decimal
    currency: str | None
    direction: str
    merchant: str | None
    merchant_normalized: str | None
    category: str | None
    instrument: str
    account_hint: str | None
    reference: str | None
    balance_after: Decimal | None

    @field_serializer("amount", "balance_after")
    def _at_currency_precision(self, value: Decimal | None) -> str | None:
        # the ledger stores four decimals for every currency; people read their currency's own
        return None if value is None else format_amount(value, self.currency)


class TransactionPage(BaseModel):
    items: list[TransactionOut]
    next_cursor: str | None


class MerchantCategoryIn(BaseModel):
    merchant: str = Field(min_length=1, max_length=255)
    category: str = Field(min_length=1, max_length=40)


class MerchantCategoryOut(BaseModel):
    merchant: str
    merchant_normalized: str
    category: str
    updated_transactions: int


class MerchantCategoryItem(BaseModel):
    """One of the user's overrides, as stored (keyed by the normalised merchant)."""

    model_config = ConfigDict(from_attributes=True)

    merchant_normalized: str
    category: str
    created_at: datetime
