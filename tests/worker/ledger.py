"""Helpers shared by the worker, API and integration tests: demo mail and the expected ledger."""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.demo import DemoMailbox, DemoMessage, write_eml_dir
from fincoach.models import Transaction
from fincoach.parsing import parse

# (message id, position, amount, currency, direction, occurred_at)
LedgerKey = tuple[str, int, Decimal, str | None, str, datetime]


def demo_mailbox(*, seed: int, count: int, days_ago: tuple[int, int] = (150, 1)) -> DemoMailbox:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return DemoMailbox(
        seed=seed,
        address=f"user{seed}@example.com",
        count=count,
        start=now - timedelta(days=days_ago[0]),
        end=now - timedelta(days=days_ago[1]),
    )


def recent_mailbox(*, seed: int, count: int) -> DemoMailbox:
    """Mail newer than anything demo_mailbox() writes by default (which ends a day ago)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return DemoMailbox(
        seed=seed,
        address=f"late{seed}@example.com",
        count=count,
        start=now - timedelta(hours=20),
        end=now - timedelta(minutes=5),
    )


def write_mail(mailbox: DemoMailbox, path: Path) -> list[DemoMessage]:
    messages = list(mailbox)
    write_eml_dir(messages, path)
    return messages


def local_id(message: DemoMessage) -> str:
    """The id a local .eml source gives this message: write_eml_dir names the file after it."""
    return message.message_id


def expected_ledger(messages: Iterable[DemoMessage]) -> list[LedgerKey]:
    """What the pure pipeline extracts from the same bytes: the ledger must equal this."""
    keys: list[LedgerKey] = []
    for message in messages:
        for t in parse(message.raw):
            keys.append(
                (
                    local_id(message),
                    t.position,
                    _cents(t.amount),
                    t.currency,
                    t.direction.value,
                    t.occurred_at,
                )
            )
    return sorted(keys, key=repr)


def stored_ledger(session: Session, user_id: uuid.UUID) -> list[LedgerKey]:
    rows = session.execute(
        select(
            Transaction.message_id,
            Transaction.position,
            Transaction.amount,
            Transaction.currency,
            Transaction.direction,
            Transaction.occurred_at,
        ).where(Transaction.user_id == user_id)
    ).all()
    return sorted(((m, p, _cents(a), c, d, o) for m, p, a, c, d, o in rows), key=repr)


def _cents(amount: Decimal) -> Decimal:
    # The ledger keeps 4 decimal places; compare values, not their written precision.
    return amount.quantize(Decimal("0.0001"))
