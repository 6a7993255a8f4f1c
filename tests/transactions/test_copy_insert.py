"""The ledger insert on both paths: COPY then INSERT..SELECT (PostgreSQL), VALUES (SQLite)."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.models import Transaction
from fincoach.transactions.repository import LedgerRow, insert_transactions
from tests.factories import create_mailbox, create_user, parsed_transaction


def test_bulk_insert_stores_every_value_and_counts_only_new_rows(session: Session) -> None:
    user = create_user(session)
    mailbox = create_mailbox(session, user=user)
    rows = [
        LedgerRow("m-1", parsed_transaction(position=0, amount="1234.5678")),
        LedgerRow("m-1", parsed_transaction(position=1, amount="0.01", merchant="Zoë's Café")),
        LedgerRow("m-2", parsed_transaction(position=0, currency="USD")),
    ]
    assert insert_transactions(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows) == 3
    # Same transaction, overlapping batch: the staging table holds nothing from the first one.
    again = [*rows[1:], LedgerRow("m-3", parsed_transaction())]
    assert insert_transactions(session, user_id=user.id, mailbox_id=mailbox.id, rows=again) == 1

    stored = session.execute(
        select(
            Transaction.message_id,
            Transaction.position,
            Transaction.amount,
            Transaction.currency,
            Transaction.merchant,
            Transaction.occurred_at,
        )
        .where(Transaction.user_id == user.id)
        .order_by(Transaction.message_id, Transaction.position)
    ).all()
    assert [(m, p) for m, p, *_ in stored] == [("m-1", 0), ("m-1", 1), ("m-2", 0), ("m-3", 0)]
    assert stored[0].amount == Decimal("1234.5678")
    assert stored[1].merchant == "Zoë's Café"
    assert stored[2].currency == "USD"
    expected = rows[0].parsed.occurred_at
    assert stored[0].occurred_at == expected and stored[0].occurred_at.tzinfo is not None
