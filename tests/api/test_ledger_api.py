"""Ledger reads (filters, cursor pages), merchant-category overrides, users and mailboxes."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from fincoach.models import MailProvider
from fincoach.parsing.types import Direction
from fincoach.transactions.repository import LedgerRow, category_overrides, insert_transactions
from fincoach.users.service import get_or_create_mailbox, get_user
from tests.api.conftest import new_user
from tests.factories import parsed_transaction

pytestmark = pytest.mark.postgres

BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def seed_ledger(sessions: sessionmaker[Session], user_id: str, count: int) -> None:
    rows = []
    for n in range(count):
        t = parsed_transaction(
            amount=f"{10 + n}.50",
            merchant="Swiggy" if n % 3 == 0 else "Uber",
            category="food_and_drink" if n % 3 == 0 else "transport",
        )
        # Two rows share each timestamp, so the order must fall back on the id.
        t = replace(
            t,
            occurred_at=BASE + timedelta(days=n // 2),
            direction=Direction.CREDIT if n % 5 == 0 else Direction.DEBIT,
        )
        rows.append(LedgerRow(f"msg-{n}", t))
    with sessions() as session:
        insert_transactions(
            session,
            user_id=uuid.UUID(user_id),
            mailbox_id=ledger_mailbox(session, user_id),
            rows=rows,
        )
        session.commit()


def ledger_mailbox(session: Session, user_id: str) -> uuid.UUID:
    """The mailbox seeded transactions come from (every transaction has one)."""
    user = get_user(session, uuid.UUID(user_id))
    return get_or_create_mailbox(
        session, user=user, provider=MailProvider.LOCAL, address="seeded@example.com"
    ).id


def test_cursor_pages_cover_the_ledger_once_in_a_stable_order(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    user_id = new_user(client)
    seed_ledger(sessions, user_id, 23)
    seen: list[dict[str, str]] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"/api/v1/transactions/{user_id}", params=params).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 23 and len({row["id"] for row in seen}) == 23
    keys = [(row["occurred_at"], row["id"]) for row in seen]
    assert keys == sorted(keys, reverse=True)
    assert all(isinstance(row["amount"], str) for row in seen)  # Decimal, never a float


def test_filters_narrow_the_ledger(client: TestClient, sessions: sessionmaker[Session]) -> None:
    user_id = new_user(client)
    seed_ledger(sessions, user_id, 20)
    url = f"/api/v1/transactions/{user_id}"

    def amounts(**params: object) -> list[Decimal]:
        items = client.get(url, params={"limit": 100, **params}).json()["items"]
        return sorted(Decimal(item["amount"]) for item in items)

    assert len(amounts()) == 20
    assert amounts(category="food_and_drink") == [Decimal(f"{10 + n}.5") for n in range(0, 20, 3)]
    assert amounts(merchant="SWIGGY BANGALORE IN") == amounts(category="food_and_drink")
    assert amounts(direction="credit") == [Decimal(f"{10 + n}.5") for n in range(0, 20, 5)]
    assert amounts(min_amount="15", max_amount="17.5") == [
        Decimal("15.5"),
        Decimal("16.5"),
        Decimal("17.5"),
    ]
    # Rows 0..3 fall on the first two days; end_date is exclusive.
    assert len(amounts(start_date="2026-03-01", end_date="2026-03-03")) == 4


def test_a_merchant_category_applies_to_past_and_later_transactions(
    client: TestClient, mail_dir: Path, sessions: sessionmaker[Session]
) -> None:
    user_id = new_user(client)
    seed_ledger(sessions, user_id, 9)
    response = client.put(
        f"/api/v1/users/{user_id}/merchant-categories",
        json={"merchant": "UBER BANGALORE IN", "category": "travel"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["merchant_normalized"] == "uber"
    assert response.json()["updated_transactions"] == 6
    items = client.get(f"/api/v1/transactions/{user_id}?merchant=uber").json()["items"]
    assert {item["category"] for item in items} == {"travel"}

    # A later sync: the override is applied on insert.
    later = parsed_transaction(merchant="Uber", category="transport")
    with sessions() as session:
        insert_transactions(
            session,
            user_id=uuid.UUID(user_id),
            mailbox_id=ledger_mailbox(session, user_id),
            rows=[LedgerRow("msg-later", later)],
            overrides=category_overrides(session, uuid.UUID(user_id)),
        )
        session.commit()
    items = client.get(f"/api/v1/transactions/{user_id}?merchant=uber").json()["items"]
    assert len(items) == 7 and {item["category"] for item in items} == {"travel"}


def test_merchant_categories_are_listed_and_removed(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    user_id = new_user(client)
    seed_ledger(sessions, user_id, 6)
    url = f"/api/v1/users/{user_id}/merchant-categories"
    assert client.get(url).json() == []
    for merchant, category in (("Uber", "travel"), ("swiggy@hdfcbank", "groceries")):
        assert client.put(url, json={"merchant": merchant, "category": category}).status_code == 200
    listed = client.get(url)
    assert listed.status_code == 200, listed.text
    assert [(o["merchant_normalized"], o["category"]) for o in listed.json()] == [
        ("swiggy", "groceries"),
        ("uber", "travel"),
    ]

    # Any spelling of the merchant names the override, as in the PUT.
    assert client.delete(f"{url}/SWIGGY BANGALORE IN").status_code == 204
    assert [o["merchant_normalized"] for o in client.get(url).json()] == ["uber"]
    assert client.delete(f"{url}/swiggy").status_code == 404  # gone already
    # Stored transactions keep their category; a later sync is categorised by default again.
    items = client.get(f"/api/v1/transactions/{user_id}?merchant=swiggy").json()["items"]
    assert {item["category"] for item in items} == {"groceries"}
    with sessions() as session:
        assert category_overrides(session, uuid.UUID(user_id)) == {"uber": "travel"}


def test_users_and_local_mailboxes(client: TestClient, mail_dir: Path) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = client.post("/api/v1/users", json={"email": email, "display_name": "Maya"})
    assert created.status_code == 201
    again = client.post("/api/v1/users", json={"email": email})
    assert again.json()["id"] == created.json()["id"]  # idempotent
    user_id = created.json()["id"]
    assert client.get(f"/api/v1/users/{user_id}").json()["display_name"] == "Maya"
    assert client.get(f"/api/v1/users/{user_id}/mailboxes").json() == []

    connected = client.post(
        f"/api/v1/users/{user_id}/mailboxes/local",
        json={"path": str(mail_dir), "address": "me@example.com"},
    )
    assert connected.status_code == 201
    [mailbox] = client.get(f"/api/v1/users/{user_id}/mailboxes").json()
    assert mailbox["id"] == connected.json()["id"]
    assert (mailbox["provider"], mailbox["status"], mailbox["address"]) == (
        "local",
        "active",
        "me@example.com",
    )


def test_amounts_are_written_at_their_currencys_precision(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    """The ledger keeps four decimals for every currency; the API writes each currency's own
    (JPY none, KWD three, USD two), and an amount finer than its currency is not rounded."""
    user_id = new_user(client)
    written = {
        "msg-jpy": ("1280", "JPY", "1280"),
        "msg-kwd": ("12.5", "KWD", "12.500"),
        "msg-usd": ("9.17", "USD", "9.17"),
        "msg-fine": ("0.1234", "USD", "0.1234"),
    }
    rows = [
        LedgerRow(message, parsed_transaction(amount=amount, currency=currency))
        for message, (amount, currency, _) in written.items()
    ]
    with sessions() as session:
        insert_transactions(
            session,
            user_id=uuid.UUID(user_id),
            mailbox_id=ledger_mailbox(session, user_id),
            rows=rows,
        )
        session.commit()
    items = client.get(f"/api/v1/transactions/{user_id}", params={"limit": 10}).json()["items"]
    got = {item["message_id"]: (item["amount"], item["balance_after"]) for item in items}
    balances = {"JPY": "1000", "KWD": "1000.000", "USD": "1000.00"}
    assert got == {
        message: (shown, balances[currency]) for message, (_, currency, shown) in written.items()
    }
