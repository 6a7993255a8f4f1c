from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.models import Mailbox, MailProvider, MerchantCategory, Transaction
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
            mailbox_id=create_mailbox(session, user=user).id,
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
        mailbox_id=create_mailbox(session, user=user).id,
        overrides=overrides,
        rows=[LedgerRow("m", parsed_transaction(merchant="Swiggy"))],
    )
    stored = session.scalars(select(Transaction).where(Transaction.user_id == user.id)).one()
    assert stored.category == "groceries"


def test_one_message_id_in_two_mailboxes_of_one_user_is_two_transactions(
    session: Session,
) -> None:
    # Message ids are unique within one mailbox only: a Gmail id and an IMAP UID, or two
    # Gmail accounts, can collide; the ledger keeps both.
    user = create_user(session)
    first = create_mailbox(session, user=user)
    second = Mailbox(user_id=user.id, provider=MailProvider.GMAIL, address="other@example.com")
    session.add(second)
    session.flush()
    for mailbox in (first, second):
        new = insert_transactions(
            session,
            user_id=user.id,
            mailbox_id=mailbox.id,
            rows=[
                LedgerRow("18c2f0a1b2c3d4e5", parsed_transaction(position=0)),
                LedgerRow("18c2f0a1b2c3d4e5", parsed_transaction(position=1, amount="5.00")),
            ],
        )
        assert new == 2
    stored = session.execute(
        select(Transaction.mailbox_id, Transaction.position).where(Transaction.user_id == user.id)
    ).all()
    assert sorted(stored, key=lambda row: (str(row[0]), row[1])) == sorted(
        [(first.id, 0), (first.id, 1), (second.id, 0), (second.id, 1)],
        key=lambda row: (str(row[0]), row[1]),
    )
