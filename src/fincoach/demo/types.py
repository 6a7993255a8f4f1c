"""The generator's public records, and the draft a family hands to the MIME assembler."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from random import Random

from fincoach.parsing.categories import CATEGORIES
from fincoach.parsing.types import Instrument

# The generator labels its truth with the parser's own taxonomy and instruments: one list each.
TAXONOMY: tuple[str, ...] = CATEGORIES
INSTRUMENTS: tuple[str, ...] = tuple(instrument.value for instrument in Instrument)


@dataclass(frozen=True, slots=True)
class TruthTransaction:
    position: int
    amount: Decimal
    currency: str
    direction: str
    merchant: str
    account: str | None
    instrument: str
    occurred_at: datetime
    category: str


@dataclass(frozen=True, slots=True)
class DemoMessage:
    index: int
    message_id: str
    internal_date: datetime
    sender: str
    subject: str
    labels: tuple[str, ...]
    raw: bytes
    truth: tuple[TruthTransaction, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """Who owns the mailbox: stable per (seed, address) so a person's cards don't change."""

    name: str
    first_name: str
    address: str
    # Last digits per institution key, e.g. "hdfc_ac", "hdfc_cc"; drawn once per mailbox.
    digits: dict[str, str]
    employer_in: str
    employer_us: str
    phone_tail: str

    def last(self, key: str, width: int = 4) -> str:
        value = self.digits.get(key, "4821")
        return value[-width:]


@dataclass(slots=True)
class Ctx:
    """What a family builder gets: its own random stream, the mailbox owner and the time."""

    rng: Random
    when: datetime  # internal_date, aware UTC
    profile: Profile


@dataclass(slots=True)
class Txn:
    """A truth transaction before its position is known."""

    amount: Decimal
    currency: str
    direction: str
    merchant: str
    account: str | None
    instrument: str
    occurred_at: datetime
    category: str


@dataclass(slots=True)
class Draft:
    """A message before MIME assembly: families fill it, `mime.assemble` turns it into bytes."""

    from_name: str
    from_addr: str
    subject: str
    text: str | None = None
    html: str | None = None  # the inner <body> markup; the assembler adds the skeleton
    labels: tuple[str, ...] = ("INBOX", "CATEGORY_UPDATES")
    txns: list[Txn] = field(default_factory=list)
    # Charsets the sender is known to use; the assembler falls back to utf-8 if one can't encode.
    charsets: tuple[str, ...] = ()
    zone: timezone = UTC  # the sender's zone, for the Date header
    calendar: str | None = None  # a text/calendar part (invites)


IST = timezone(timedelta(hours=5, minutes=30))
US_EAST = timezone(timedelta(hours=-5))
US_PACIFIC = timezone(timedelta(hours=-8))
UK = UTC
CET = timezone(timedelta(hours=1))
GST = timezone(timedelta(hours=4))
MX = timezone(timedelta(hours=-6))
EAT = timezone(timedelta(hours=3))
