"""A row the database refuses costs its own message, never the batch (issue 10)."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.models import Transaction
from fincoach.transactions.repository import LedgerRow, insert_isolating_refusals
from tests.factories import create_mailbox, create_user, parsed_transaction


def _stored(session: Session, user_id: object) -> list[tuple[str, int]]:
    rows = session.execute(
        select(Transaction.message_id, Transaction.position)
        .where(Transaction.user_id == user_id)
        .order_by(Transaction.message_id, Transaction.position)
    ).all()
    return [(m, p) for m, p in rows]


def test_a_refused_message_is_left_out_and_the_rest_of_the_batch_stored(
    session: Session,
) -> None:
    user = create_user(session)
    mailbox = create_mailbox(session, user=user)
    postgres = session.get_bind().dialect.name == "postgresql"
    naive = replace(parsed_transaction(), occurred_at=datetime(2026, 5, 1, 10, 30))
    huge = replace(parsed_transaction(), amount=Decimal(10) ** 20)
    nul = parsed_transaction(merchant="AMA\x00ZON")
    rows = [
        LedgerRow("a-ok", parsed_transaction(position=0)),
        LedgerRow("a-ok", parsed_transaction(position=1)),
        LedgerRow("b-naive-time", naive),  # refused by the UTCDateTime type on SQLite's path
        LedgerRow("c-huge", huge),  # NUMERIC(18, 4) overflows on PostgreSQL
        LedgerRow("d-nul", nul),  # PostgreSQL text holds no NUL
        LedgerRow("e-ok", parsed_transaction()),
    ]
    outcome = insert_isolating_refusals(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows)
    refused = {"c-huge", "d-nul"} if postgres else {"b-naive-time"}
    assert set(outcome.refused) == refused
    ok = [("a-ok", 0), ("a-ok", 1), ("e-ok", 0)]
    # COPY sends the time as text (read in the session's zone); SQLite keeps money as exact
    # text and takes any character.
    extra = [("b-naive-time", 0)] if postgres else [("c-huge", 0), ("d-nul", 0)]
    expected = sorted([*ok, *extra])
    assert _stored(session, user.id) == expected
    assert outcome.inserted == len(expected)
    for reason in outcome.refused.values():
        # The error's kind and SQLSTATE only: never the value that was refused.
        assert "AMA" not in reason and "100000000000000000000" not in reason
        assert "2026" not in reason
    if postgres:
        assert outcome.refused["c-huge"].endswith("NumericValueOutOfRange (SQLSTATE 22003)")

    # The session is usable after the refusals, and a second run adds nothing twice.
    again = insert_isolating_refusals(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows)
    assert again.inserted == 0 and set(again.refused) == refused


def test_a_clean_batch_goes_in_whole(session: Session) -> None:
    user = create_user(session)
    mailbox = create_mailbox(session, user=user)
    rows = [LedgerRow(f"m-{i}", parsed_transaction()) for i in range(5)]
    outcome = insert_isolating_refusals(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows)
    assert outcome.inserted == 5 and outcome.refused == {}
