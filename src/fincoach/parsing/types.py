"""What the parsing pipeline hands to the rest of the system."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Direction(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class Instrument(StrEnum):
    CARD = "card"
    UPI = "upi"
    BANK_TRANSFER = "bank_transfer"
    ACH = "ach"
    WIRE = "wire"
    WALLET = "wallet"
    CASH_WITHDRAWAL = "cash_withdrawal"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ParsedTransaction:
    """One transaction found in one email.

    `position` is its index inside the message: together with the mailbox's message id it is the
    transaction's identity, so re-parsing the same email always yields the same keys.
    """

    position: int
    amount: Decimal
    currency: str | None  # ISO 4217, only when the text says it; never assumed
    direction: Direction
    merchant: str | None  # as written in the message
    merchant_normalized: str | None  # cleaned: no VPA handle, reference or city suffix
    account: str | None  # last digits of the account or card
    instrument: Instrument
    occurred_at: datetime  # timezone-aware UTC
    reference: str | None
    balance: Decimal | None  # balance after the transaction
    category: str | None
    rule: str  # id of the institution rule that matched, or "generic"
    confidence: float  # 0..1, how sure the extractor is (not money: float is fine)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Everything `parse_detailed` learned about one message (shown by `fincoach parse`)."""

    message_id: str | None
    sender: str | None
    subject: str | None
    date: datetime | None  # the Date header, aware UTC
    is_transaction: bool
    transactions: tuple[ParsedTransaction, ...]
    rule: str | None  # the institution rule that matched, "generic", or None
    # It mentions an amount: a message worth judging again when the parser improves, even when
    # it gave no transaction (sync/reparse.py).
    had_amount: bool = False
