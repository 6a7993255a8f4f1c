"""Re-extraction's SQL on PostgreSQL and SQLite: stale messages, candidates, replacing rows."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from fincoach.models import MerchantCategory, ParseCandidate, Transaction
from fincoach.transactions.reextraction import (
    record_judgements,
    replace_transactions,
    stale_message_ids,
)
from fincoach.transactions.repository import LedgerRow, category_overrides, insert_transactions
from tests.factories import create_mailbox, create_user, parsed_transaction


def _rows(session: Session, mailbox_id: object) -> dict[tuple[str, int], Transaction]:
    found = session.scalars(select(Transaction).where(Transaction.mailbox_id == mailbox_id))
    return {(t.message_id, t.position): t for t in found}


def test_stale_messages_are_old_transactions_and_old_candidates(session: Session) -> None:
    user = create_user(session)
    mailbox = create_mailbox(session, user=user)
    other = create_mailbox(session, user=create_user(session))
    insert_transactions(
        session,
        user_id=user.id,
        mailbox_id=mailbox.id,
        rows=[
            LedgerRow("old", parsed_transaction()),
            LedgerRow("old", parsed_transaction(position=1)),
        ],
        parser_version=1,
    )
    insert_transactions(
        session,
        user_id=user.id,
        mailbox_id=mailbox.id,
        rows=[LedgerRow("current", parsed_transaction())],
        parser_version=2,
    )
    for box, version, ids in (
        (mailbox, 1, ["cand-old"]),
        (mailbox, 2, ["cand-new"]),
        (other, 1, ["elsewhere"]),
    ):
        record_judgements(
            session, user_id=user.id, mailbox_id=box.id, judged=ids, candidates=ids, version=version
        )
    session.flush()
    assert stale_message_ids(session, mailbox_id=mailbox.id, version=2) == ["cand-old", "old"]
    assert stale_message_ids(session, mailbox_id=mailbox.id, version=1) == []


def test_judging_again_moves_a_message_between_candidate_and_not(session: Session) -> None:
    user = create_user(session)
    mailbox = create_mailbox(session, user=user)
    record_judgements(
        session,
        user_id=user.id,
        mailbox_id=mailbox.id,
        judged=["a", "b"],
        candidates=["a", "b"],
        version=1,
    )
    record_judgements(
        session,
        user_id=user.id,
        mailbox_id=mailbox.id,
        judged=["a", "b"],
        candidates=["b"],
        version=2,
    )
    session.flush()
    rows = session.execute(
        select(ParseCandidate.message_id, ParseCandidate.parser_version).where(
            ParseCandidate.mailbox_id == mailbox.id
        )
    ).all()
    assert [tuple(r) for r in rows] == [("b", 2)]


def test_replace_adds_updates_and_removes_keeping_ids_and_overrides(session: Session) -> None:
    user = create_user(session)
    mailbox = create_mailbox(session, user=user)
    session.add(
        MerchantCategory(user_id=user.id, merchant_normalized="swiggy", category="groceries")
    )
    session.flush()
    overrides = category_overrides(session, user.id)
    first = [
        LedgerRow("m1", parsed_transaction(position=0)),
        LedgerRow("m1", parsed_transaction(position=1, merchant="Zomato")),
        LedgerRow("m2", parsed_transaction(position=0, merchant="Uber")),
        LedgerRow("untouched", parsed_transaction(position=0)),
    ]
    insert_transactions(
        session,
        user_id=user.id,
        mailbox_id=mailbox.id,
        rows=first,
        overrides=overrides,
        parser_version=1,
    )
    before = _rows(session, mailbox.id)
    again = [
        LedgerRow("m1", parsed_transaction(position=0, amount="99.00")),  # changed
        LedgerRow("m2", parsed_transaction(position=0, merchant="Uber")),  # the same
        LedgerRow("m2", parsed_transaction(position=1, merchant="Ola")),  # new
    ]  # m1 position 1 is no longer produced
    outcome = replace_transactions(
        session,
        user_id=user.id,
        mailbox_id=mailbox.id,
        message_ids=["m1", "m2"],
        rows=again,
        overrides=overrides,
        version=2,
    )
    assert (outcome.added, outcome.updated, outcome.removed) == (1, 1, 1)
    after = _rows(session, mailbox.id)
    assert set(after) == {("m1", 0), ("m2", 0), ("m2", 1), ("untouched", 0)}
    assert after[("m1", 0)].id == before[("m1", 0)].id
    assert str(after[("m1", 0)].amount.normalize()) == "99"
    assert after[("m1", 0)].category == "groceries"  # the user's override, not "food_and_drink"
    assert {t.parser_version for k, t in after.items() if k[0] != "untouched"} == {2}
    assert after[("untouched", 0)].parser_version == 1
    # Idempotent: the same replacement again changes nothing.
    repeat = replace_transactions(
        session,
        user_id=user.id,
        mailbox_id=mailbox.id,
        message_ids=["m1", "m2"],
        rows=again,
        overrides=overrides,
        version=2,
    )
    assert (repeat.added, repeat.updated, repeat.removed) == (0, 0, 0)
