"""What the demo prints at the end: spend by month, by category, top merchants.

Sums are done in Python over Decimals: SQLite would sum NUMERIC text as floats.
"""

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.models import Transaction


@dataclass
class LedgerSummary:
    transactions: int = 0
    debits: int = 0
    credits: int = 0
    # (month "YYYY-MM", currency) -> spent
    spend_by_month: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    # (category, currency) -> spent
    spend_by_category: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    # (merchant, currency) -> (count, spent)
    top_merchants: list[tuple[str, str, int, Decimal]] = field(default_factory=list)


def summarize(session: Session, user_id: uuid.UUID, *, top: int = 10) -> LedgerSummary:
    rows = session.execute(
        select(
            Transaction.amount,
            Transaction.currency,
            Transaction.direction,
            Transaction.occurred_at,
            Transaction.category,
            Transaction.merchant_normalized,
        ).where(Transaction.user_id == user_id)
    ).all()
    summary = LedgerSummary(transactions=len(rows))
    by_month: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    by_category: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    merchant_spend: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    merchant_count: Counter[tuple[str, str]] = Counter()
    for amount, currency, direction, occurred_at, category, merchant in rows:
        if direction != "debit":
            summary.credits += 1
            continue
        summary.debits += 1
        cur = currency or "???"
        by_month[(occurred_at.strftime("%Y-%m"), cur)] += amount
        by_category[(category or "other", cur)] += amount
        key = (merchant or "(unknown)", cur)
        merchant_spend[key] += amount
        merchant_count[key] += 1
    summary.spend_by_month = dict(sorted(by_month.items()))
    # Categories in order of how many payments they hold, whatever the currency.
    weight = Counter(category for category, _ in by_category)
    summary.spend_by_category = dict(
        sorted(by_category.items(), key=lambda item: (-weight[item[0][0]], item[0]))
    )
    ranked = sorted(merchant_count.items(), key=lambda item: (-item[1], item[0]))[:top]
    summary.top_merchants = [(m, c, n, merchant_spend[(m, c)]) for (m, c), n in ranked]
    return summary
