from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from fincoach.models import Transaction, User
from tests.factories import create_mailbox, create_user


def _transaction(user: User, amount: Decimal, when: datetime) -> Transaction:
    session = Session.object_session(user)
    assert session is not None
    return Transaction(
        user_id=user.id,
        mailbox_id=create_mailbox(session, user=user).id,
        message_id="m1",
        position=0,
        amount=amount,
        direction="debit",
        occurred_at=when,
    )


def test_money_is_exact_and_times_come_back_aware_utc(session: Session) -> None:
    user = create_user(session)
    ist = timezone(timedelta(hours=5, minutes=30))
    session.add(
        _transaction(user, Decimal("123456789.1234"), datetime(2026, 3, 1, 9, 0, tzinfo=ist))
    )
    session.flush()
    session.expire_all()
    row = session.scalars(select(Transaction).where(Transaction.user_id == user.id)).one()
    assert row.amount == Decimal("123456789.1234")
    assert isinstance(row.amount, Decimal)
    assert row.occurred_at == datetime(2026, 3, 1, 3, 30, tzinfo=UTC)
    assert row.occurred_at.tzinfo is not None


def test_naive_datetimes_are_refused(session: Session) -> None:
    user = create_user(session)
    session.add(_transaction(user, Decimal("1"), datetime(2026, 3, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
