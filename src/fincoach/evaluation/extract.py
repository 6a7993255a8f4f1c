"""Running the parser over a corpus and writing predictions (one JSON object per record)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fincoach.evaluation.corpus import Record, to_raw_email
from fincoach.kit.errors import MalformedEmail
from fincoach.parsing import ParsedTransaction, parse
from fincoach.parsing.money import format_amount


def transaction_json(t: ParsedTransaction) -> dict[str, Any]:
    return {
        "amount": format_amount(t.amount, t.currency),
        "currency": t.currency,
        "direction": t.direction.value,
        "merchant": t.merchant,
        "account": t.account,
        "instrument": t.instrument.value,
        "occurred_at": t.occurred_at.isoformat(),
        "reference": t.reference,
        "balance": format_amount(t.balance, t.currency) if t.balance is not None else None,
        "category": t.category,
    }


@dataclass(slots=True)
class ExtractStats:
    records: int = 0
    failures: int = 0


def predict(
    records: Iterable[Record], stats: ExtractStats | None = None
) -> Iterator[dict[str, Any]]:
    """One prediction per record; a record that fails to parse predicts nothing."""
    stats = stats if stats is not None else ExtractStats()
    for record in records:
        stats.records += 1
        try:
            transactions = parse(to_raw_email(record))
        except MalformedEmail:
            stats.failures += 1
            transactions = []
        except Exception:  # a crash on one record must not stop a corpus run
            stats.failures += 1
            transactions = []
        yield {"id": record.id, "transactions": [transaction_json(t) for t in transactions]}
