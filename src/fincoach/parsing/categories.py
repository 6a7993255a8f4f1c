"""The spending taxonomy and the default categoriser.

Modelled on Plaid's personal finance categories (primary level), trimmed to what a person reads
in a ledger:

- income: salary, interest, dividends, payouts.         - transfer_in / transfer_out: money
  moved between people or own accounts (UPI/IMPS/Zelle/Pix/bank transfers) without a merchant.
- loan_payments: EMIs, loan and credit-card bill payments. - bank_fees: charges, penalties, AMC.
- cash: ATM and cashless withdrawals.                   - food_and_drink: restaurants, delivery.
- groceries, shopping, transport (rides, fuel, tolls), travel (flights, hotels, rail).
- bills_and_utilities: power, water, phone, internet.   - subscriptions: recurring digital services.
- entertainment, health, personal_care, home, services, government (taxes, fines, fees to the
  state), other.

`categorize` reads merchant rules first (a merchant name is the most specific signal), then
keywords in the text, then falls back on the direction. Both lists live in `categories.toml`.
Per-user overrides are stored in the database keyed by `normalize_merchant(name)`.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from fincoach.parsing.merchants import normalize_merchant
from fincoach.parsing.types import Direction

__all__ = ["CATEGORIES", "categorize", "normalize_merchant"]

CATEGORIES: tuple[str, ...] = (
    "income",
    "transfer_in",
    "transfer_out",
    "loan_payments",
    "bank_fees",
    "cash",
    "food_and_drink",
    "groceries",
    "shopping",
    "transport",
    "travel",
    "bills_and_utilities",
    "subscriptions",
    "entertainment",
    "health",
    "personal_care",
    "home",
    "services",
    "government",
    "other",
)


@cache
def _tables() -> tuple[
    tuple[tuple[re.Pattern[str], str], ...], tuple[tuple[re.Pattern[str], str], ...]
]:
    data = tomllib.loads(
        resources.files("fincoach.parsing").joinpath("categories.toml").read_text("utf-8")
    )

    def compile_section(section: dict[str, list[str]]) -> tuple[tuple[re.Pattern[str], str], ...]:
        out = []
        for category, words in section.items():
            if category not in CATEGORIES:
                raise ValueError(f"unknown category {category!r} in categories.toml")
            alternation = "|".join(words)
            out.append((re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE), category))
        return tuple(out)

    return compile_section(data["merchants"]), compile_section(data["keywords"])


def categorize(
    merchant_normalized: str | None,
    text: str,
    direction: Direction | str,
    sender_brand: str | None = None,
) -> str:
    """A category id from CATEGORIES for one transaction. The merchant decides first, then the
    brand that sent the email (a Swiggy receipt is food whoever cooked it), then keywords."""
    category = _lookup(merchant_normalized, text, sender_brand)
    if Direction(direction) is Direction.CREDIT and category == "transfer_out":
        return "transfer_in"  # "NEFT from ACME": money came in through the same rail
    if category is None:
        # Money in from someone without a category of its own is a transfer in; a refund keeps
        # "other" (it belongs with the spend it reverses, whose category we do not know here).
        credit = Direction(direction) is Direction.CREDIT
        return "transfer_in" if credit and not _REFUND.search(text) else "other"
    return category


_REFUND = re.compile(r"\b(?:refund|reversal|reversed|chargeback|reembolso|estorno)", re.IGNORECASE)


def _lookup(merchant_normalized: str | None, text: str, sender_brand: str | None) -> str | None:
    merchants, keywords = _tables()
    for name in (merchant_normalized, sender_brand):
        if name:
            for pattern, category in merchants:
                if pattern.search(name):
                    return category
    head = text[:2000]
    for pattern, category in keywords:
        if pattern.search(head):
            return category
    return None
