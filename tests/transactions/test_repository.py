from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.models import MerchantCategory, Transaction
from fincoach.transactions.repository import (
    LedgerRow,
    category_overrides,
    count_for_user,
    insert_transactions,
)
from tests.factories import create_mailbox, create_user, parsed_transaction


def test_insert_is_idempotent_per_message_and_position(session: Session) -> None:
    user = create_user(session)
    mailbox = create_mailbox(session, user=user)
    rows = [
        LedgerRow("msg-1", parsed_transaction(position=0)),
        LedgerRow("msg-1", parsed_transaction(position=1, amount="5.00")),
        LedgerRow("msg-2", parsed_transaction(position=0)),
    ]
    assert insert_transactions(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows) == 3
    assert insert_transactions(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows) == 0
    assert count_for_user(session, user.id) == 3


def test_same_message_id_in_two_users_mailboxes_is_two_transactions(session: Session) -> None:
    alice, bob = create_user(session), create_user(session)
    for user in (alice, bob):
        insert_transactions(
            session,
            user_id=user.id,
            mailbox_id=None,
            rows=[LedgerRow("same-id", parsed_transaction())],
        )
    assert count_for_user(session, alice.id) == 1
    assert count_for_user(session, bob.id) == 1


def test_user_category_override_wins(session: Session) -> None:
    user = create_user(session)
    session.add(
        MerchantCategory(user_id=user.id, merchant_normalized="swiggy", category="groceries")
    )
    session.flush()
    overrides = category_overrides(session, user.id)
    insert_transactions(
        session,
        user_id=user.id,
        mailbox_id=None,
        overrides=overrides,
        rows=[LedgerRow("m", parsed_transaction(merchant="Swiggy"))],
    )
    stored = session.scalars(select(Transaction).where(Transaction.user_id == user.id)).one()
    assert stored.category == "groceries"
