"""The largest amount or balance the ledger accepts, per currency, and why.

The ledger stores money as NUMERIC(18, 4) (`kit.types.Money`, migration 5c5a65ad632a): four
decimals and 14 integer digits, so nothing from 10^14 up can be stored at all, and PostgreSQL
refuses the whole insert that carries it. An email is untrusted input: anyone can send
"Rs.1000000000000000000000000000000.00 has been debited", so a figure is checked here, where
the parser hands it over, and a message carrying one beyond its currency's maximum yields no
transaction; the sync records it as failed with the reason below.

The maxima keep one or two orders of magnitude below the column's capacity and sit far above
any payment a personal ledger sees (a house bought outright is 10^6-10^7 US dollars):
- 10^12 units for most currencies: a trillion dollars, euros or yen.
- 10^13 units for currencies worth about a thousandth of a dollar or less (more than ~1,000
  units to the dollar at 2025 rates: rial, dong, rupiah, leone ...), where ten million dollars
  is already 10^10-10^13 units.
- 10^13 when the message names no currency: it could be any of them.
"""

from decimal import Decimal

from fincoach.kit.errors import MalformedEmail
from fincoach.parsing.types import ParsedTransaction

LEDGER_CAPACITY = Decimal(10) ** 14  # exclusive: NUMERIC(18, 4) holds 99,999,999,999,999.9999
DEFAULT_MAXIMUM = Decimal(10) ** 12
HIGH_DENOMINATION_MAXIMUM = Decimal(10) ** 13
# ISO 4217 codes of currencies with more than ~1,000 units to the US dollar (2025 rates, rounded;
# a currency that drifts across the line still fits the column, only its margin changes).
HIGH_DENOMINATION = frozenset(
    {
        "BIF", "CDF", "COP", "GNF", "IDR", "IQD", "IRR", "KHR", "KPW", "KRW", "LAK", "LBP",
        "MGA", "MMK", "MNT", "PYG", "RWF", "SLL", "SOS", "STD", "SYP", "TZS", "UGX", "UZS",
        "VND", "ZWL",
    }
)  # fmt: skip


class AmountOutOfRange(MalformedEmail):
    """An amount or balance beyond its currency's maximum; the reason names the bound, not the
    figure (the figure is the email's content)."""


def maximum_for(currency: str | None) -> Decimal:
    """The largest absolute amount or balance accepted in `currency` (ISO 4217, or None)."""
    if currency is None or currency in HIGH_DENOMINATION:
        return HIGH_DENOMINATION_MAXIMUM
    return DEFAULT_MAXIMUM


def _fits(value: Decimal, maximum: Decimal) -> bool:
    # NaN and infinities are not money; comparing a NaN would raise, so they are checked first.
    return value.is_finite() and abs(value) <= maximum


def check_bounds(transaction: ParsedTransaction) -> ParsedTransaction:
    """The transaction unchanged; raises AmountOutOfRange when its amount or balance is too big."""
    maximum = maximum_for(transaction.currency)
    where = transaction.currency or "an unnamed currency"
    if not _fits(transaction.amount, maximum):
        raise AmountOutOfRange(f"amount beyond the ledger's maximum of {maximum:,.0f} in {where}")
    if transaction.balance is not None and not _fits(transaction.balance, maximum):
        raise AmountOutOfRange(f"balance beyond the ledger's maximum of {maximum:,.0f} in {where}")
    return transaction
