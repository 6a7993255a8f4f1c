import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import inspect

from fincoach.db import make_engine
from fincoach.kit.types import Money, UTCDateTime
from fincoach.migrations import runner
from tests.conftest import ADMIN_URL, _with_database

TABLES = {
    "users",
    "mailboxes",
    "transactions",
    "email_sync_jobs",
    "merchant_categories",
    "api_keys",
    "parse_candidates",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_postgres_upgrade_then_downgrade_to_base() -> None:
    name = f"fincoach_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(ADMIN_URL, name)
    try:
        runner.upgrade(url)
        assert _tables(url) == TABLES
        runner.downgrade(url, "base")
        assert _tables(url) == set()
        runner.upgrade(url)
        assert _tables(url) == TABLES
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sqlite_upgrade_then_downgrade_to_base(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    runner.upgrade(url)
    assert _tables(url) == TABLES
    runner.downgrade(url, "base")
    assert _tables(url) == set()


# --- transactions keyed by mailbox (revision bc212d9234bb) ------------------------------------

BEFORE_MAILBOX_KEY = "a7e3c91d4b20"
UNATTRIBUTED = "unattributed@fincoach.invalid"

_users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("email"), sa.column("created_at"))
_mailboxes = sa.table(
    "mailboxes",
    sa.column("id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("provider"),
    sa.column("address"),
    sa.column("status"),
    sa.column("created_at"),
    sa.column("updated_at"),
)
_transactions = sa.table(
    "transactions",
    sa.column("id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("mailbox_id", sa.Uuid()),
    sa.column("message_id"),
    sa.column("position"),
    sa.column("amount", Money()),
    sa.column("direction"),
    sa.column("instrument"),
    sa.column("occurred_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()),
)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@contextmanager
def _database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/m.db"
        return
    name = f"fincoach_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(ADMIN_URL, name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Seeded:
    # transaction id -> the mailbox it must have after the upgrade (None: the user's placeholder)
    expected: dict[uuid.UUID, uuid.UUID | None]
    owner: dict[uuid.UUID, uuid.UUID]  # transaction id -> user id
    users_with_placeholder: set[uuid.UUID]


def _seed_previous_revision(url: str) -> Seeded:
    """Rows as the previous schema allowed them, including some with no mailbox."""
    engine = make_engine(url)
    expected: dict[uuid.UUID, uuid.UUID | None] = {}
    owner: dict[uuid.UUID, uuid.UUID] = {}

    def user(conn: sa.Connection) -> uuid.UUID:
        user_id = uuid.uuid4()
        conn.execute(
            sa.insert(_users).values(id=user_id, email=f"{user_id.hex[:8]}@x.test", created_at=NOW)
        )
        return user_id

    def mailbox(conn: sa.Connection, user_id: uuid.UUID, address: str) -> uuid.UUID:
        mailbox_id = uuid.uuid4()
        conn.execute(
            sa.insert(_mailboxes).values(
                id=mailbox_id,
                user_id=user_id,
                provider="gmail",
                address=address,
                status="active",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        return mailbox_id

    def row(
        conn: sa.Connection,
        user_id: uuid.UUID,
        stored: uuid.UUID | None,
        message_id: str,
        expect: uuid.UUID | None,
    ) -> None:
        row_id = uuid.uuid4()
        conn.execute(
            sa.insert(_transactions).values(
                id=row_id,
                user_id=user_id,
                mailbox_id=stored,
                message_id=message_id,
                position=0,
                amount=Decimal("12.3400"),
                direction="debit",
                instrument="upi",
                occurred_at=NOW,
                created_at=NOW,
            )
        )
        expected[row_id], owner[row_id] = expect, user_id

    try:
        with engine.begin() as conn:
            # One mailbox: a row that names it keeps it; a row without one is given to it.
            solo = user(conn)
            solo_box = mailbox(conn, solo, "solo@x.test")
            row(conn, solo, solo_box, "m-1", solo_box)
            row(conn, solo, None, "m-2", solo_box)
            # Two mailboxes: rows naming theirs keep them; the row without one cannot be
            # attributed and goes to the user's placeholder.
            pair = user(conn)
            first, second = mailbox(conn, pair, "a@x.test"), mailbox(conn, pair, "b@x.test")
            row(conn, pair, first, "m-1", first)
            row(conn, pair, second, "m-2", second)
            row(conn, pair, None, "m-3", None)
            # No mailbox left at all: placeholder too.
            bare = user(conn)
            row(conn, bare, None, "m-1", None)
            row(conn, bare, None, "m-2", None)
    finally:
        engine.dispose()
    return Seeded(expected, owner, {pair, bare})


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_upgrade_keeps_every_transaction_with_its_mailbox(kind: str, tmp_path: Path) -> None:
    with _database(kind, tmp_path) as url:
        runner.upgrade(url, BEFORE_MAILBOX_KEY)
        seeded = _seed_previous_revision(url)
        runner.upgrade(url)

        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                stored = dict(
                    conn.execute(sa.select(_transactions.c.id, _transactions.c.mailbox_id)).all()
                )
                placeholders = dict(
                    conn.execute(
                        sa.select(_mailboxes.c.user_id, _mailboxes.c.id).where(
                            _mailboxes.c.address == UNATTRIBUTED,
                            _mailboxes.c.status == "disconnected",
                        )
                    ).all()
                )
            assert stored.keys() == seeded.expected.keys()  # every row survived
            assert set(placeholders) == seeded.users_with_placeholder
            for row_id, expect in seeded.expected.items():
                want = expect or placeholders[seeded.owner[row_id]]
                assert stored[row_id] == want, row_id
            columns = {c["name"]: c for c in inspect(engine).get_columns("transactions")}
            assert columns["mailbox_id"]["nullable"] is False
            keys = {
                tuple(u["column_names"])
                for u in inspect(engine).get_unique_constraints("transactions")
            }
            assert keys == {("mailbox_id", "user_id", "message_id", "position")}
        finally:
            engine.dispose()

        # And back: the rows stay, the placeholders go, the previous key returns.
        runner.downgrade(url, BEFORE_MAILBOX_KEY)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                after = dict(
                    conn.execute(sa.select(_transactions.c.id, _transactions.c.mailbox_id)).all()
                )
                left = conn.scalar(
                    sa.select(sa.func.count())
                    .select_from(_mailboxes)
                    .where(_mailboxes.c.address == UNATTRIBUTED)
                )
            assert after.keys() == seeded.expected.keys()
            assert left == 0
            assert {row_id for row_id, box in after.items() if box is None} == {
                row_id for row_id, expect in seeded.expected.items() if expect is None
            }
            keys = {
                tuple(u["column_names"])
                for u in inspect(engine).get_unique_constraints("transactions")
            }
            assert keys == {("user_id", "message_id", "position")}
        finally:
            engine.dispose()


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_downgrade_refuses_what_the_previous_key_cannot_hold(kind: str, tmp_path: Path) -> None:
    with _database(kind, tmp_path) as url:
        runner.upgrade(url)
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                user_id = uuid.uuid4()
                conn.execute(sa.insert(_users).values(id=user_id, email="c@x.test", created_at=NOW))
                for address in ("a@x.test", "b@x.test"):
                    mailbox_id = uuid.uuid4()
                    conn.execute(
                        sa.insert(_mailboxes).values(
                            id=mailbox_id,
                            user_id=user_id,
                            provider="gmail",
                            address=address,
                            status="active",
                            created_at=NOW,
                            updated_at=NOW,
                        )
                    )
                    conn.execute(
                        sa.insert(_transactions).values(
                            id=uuid.uuid4(),
                            user_id=user_id,
                            mailbox_id=mailbox_id,
                            message_id="same-id",
                            position=0,
                            amount=Decimal("1.0000"),
                            direction="debit",
                            instrument="upi",
                            occurred_at=NOW,
                            created_at=NOW,
                        )
                    )
            with pytest.raises(RuntimeError, match="cannot downgrade: 1 "):
                runner.downgrade(url, BEFORE_MAILBOX_KEY)
            with engine.connect() as conn:
                count = conn.scalar(sa.select(sa.func.count()).select_from(_transactions))
            assert count == 2  # nothing was lost
        finally:
            engine.dispose()
