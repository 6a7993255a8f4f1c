"""SQL for the ledger. Inserts are bulk and idempotent: re-parsing an email adds nothing.

On PostgreSQL a batch goes in with COPY into a session-local staging table and one
`INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`: the client sends rows as text, with
no per-row statement compilation or parameter binding (STACK.md: 0.003 ms of client CPU a row).
SQLite, the embedded demo's database, keeps the multi-row INSERT.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg
from sqlalchemy import Insert, Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from fincoach.kit import db_errors
from fincoach.kit.models import utc_now
from fincoach.models import MerchantCategory, Transaction
from fincoach.parsing.types import ParsedTransaction

TABLE = cast(Table, Transaction.__table__)
# A message id is unique within one mailbox only (models.transaction).
IDENTITY = ["mailbox_id", "user_id", "message_id", "position"]
COLUMNS = (
    "id",
    "user_id",
    "mailbox_id",
    "message_id",
    "position",
    "amount",
    "currency",
    "direction",
    "merchant",
    "merchant_normalized",
    "account_hint",
    "instrument",
    "occurred_at",
    "reference",
    "balance_after",
    "category",
    "rule",
    "confidence",
    "created_at",
    "parser_version",
)
_STAGE = "ledger_stage"
_COLUMN_LIST = ", ".join(f'"{name}"' for name in COLUMNS)
_EMPTY_STAGE = f"DELETE FROM {_STAGE}"  # noqa: S608 - a constant
_COPY_STAGE = f"COPY {_STAGE} ({_COLUMN_LIST}) FROM STDIN"
# A temporary table lives as long as the connection (one per pooled connection): created once,
# emptied after each use, so a retried or second batch in one transaction never sees old rows.
_CREATE_STAGE = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} "
    f"(LIKE {TABLE.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
# Built from this module's constants only, never from input.
_MOVE_STAGE = (
    f"INSERT INTO {TABLE.name} ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM {_STAGE} "  # noqa: S608
    f"ON CONFLICT ({', '.join(IDENTITY)}) DO NOTHING RETURNING id"
)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A parsed transaction and where it came from."""

    message_id: str
    parsed: ParsedTransaction


def _insert_ignoring_duplicates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(TABLE).on_conflict_do_nothing(index_elements=IDENTITY)
    if dialect == "sqlite":
        return sqlite.insert(TABLE).on_conflict_do_nothing(index_elements=IDENTITY)
    raise NotImplementedError(f"unsupported database: {dialect}")


def category_overrides(session: Session, user_id: uuid.UUID) -> dict[str, str]:
    rows = session.execute(
        select(MerchantCategory.merchant_normalized, MerchantCategory.category).where(
            MerchantCategory.user_id == user_id
        )
    )
    return {merchant: category for merchant, category in rows}


def merchant_category_overrides(session: Session, user_id: uuid.UUID) -> list[MerchantCategory]:
    """The user's merchant-category overrides, ordered by normalised merchant."""
    return list(
        session.scalars(
            select(MerchantCategory)
            .where(MerchantCategory.user_id == user_id)
            .order_by(MerchantCategory.merchant_normalized)
        )
    )


def delete_merchant_category(
    session: Session, *, user_id: uuid.UUID, merchant_normalized: str
) -> bool:
    """Delete one override; False when the user had none for that merchant."""
    result = session.execute(
        delete(MerchantCategory).where(
            MerchantCategory.user_id == user_id,
            MerchantCategory.merchant_normalized == merchant_normalized,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def insert_transactions(
    session: Session,
    *,
    user_id: uuid.UUID,
    mailbox_id: uuid.UUID,
    rows: Sequence[LedgerRow],
    overrides: dict[str, str] | None = None,
    parser_version: int = 0,
) -> int:
    """Insert what is new, skip what is already stored; returns how many rows were new.

    `parser_version` is the parsing.version.PARSER_VERSION that extracted the rows.
    """
    if not rows:
        return 0
    records = _records(
        rows,
        user_id=user_id,
        mailbox_id=mailbox_id,
        overrides=overrides or {},
        parser_version=parser_version,
    )
    if session.get_bind().dialect.name == "postgresql":
        return _copy_insert(session, records)
    return _values_insert(session, records)


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """What `insert_isolating_refusals` did: rows new to the ledger, messages left out."""

    inserted: int
    refused: dict[str, str] = field(default_factory=dict)  # message id -> content-free reason


# What a refused value raises: the server's errors (COPY's and INSERT's), SQLAlchemy's wrapping
# of them or of a bind-time conversion, and a value the driver cannot encode.
_REFUSALS = (psycopg.Error, StatementError, ValueError, TypeError)


def insert_isolating_refusals(
    session: Session,
    *,
    user_id: uuid.UUID,
    mailbox_id: uuid.UUID,
    rows: Sequence[LedgerRow],
    overrides: dict[str, str] | None = None,
    parser_version: int = 0,
) -> StoreOutcome:
    """Like insert_transactions, but a message whose rows the database refuses is left out.

    The batch goes in whole inside a savepoint. When the database refuses it for its data (a
    value out of range, a NUL, a too-long text: SQLSTATE classes 22 and 23), the savepoint is
    rolled back and each message is inserted alone in its own savepoint, so one hostile message
    costs its batch one round of single-message inserts, never the batch. A refused message's
    reason names the error's class and SQLSTATE only (kit.db_errors). Any other error (the
    connection, a schema that does not match the code) is no message's fault and propagates.
    """
    if not rows:
        return StoreOutcome(0)

    def insert(some: Sequence[LedgerRow]) -> int:
        with session.begin_nested():
            return insert_transactions(
                session,
                user_id=user_id,
                mailbox_id=mailbox_id,
                rows=some,
                overrides=overrides,
                parser_version=parser_version,
            )

    try:
        return StoreOutcome(insert(rows))
    except _REFUSALS as exc:
        if not db_errors.is_data_refusal(exc):
            raise
    by_message: dict[str, list[LedgerRow]] = {}
    for row in rows:
        by_message.setdefault(row.message_id, []).append(row)
    inserted = 0
    refused: dict[str, str] = {}
    for message_id, message_rows in by_message.items():
        try:
            inserted += insert(message_rows)
        except _REFUSALS as exc:
            if not db_errors.is_data_refusal(exc):
                raise
            refused[message_id] = (
                f"the ledger refused this message's data: {db_errors.describe(exc)}"
            )
    return StoreOutcome(inserted, refused)


def _records(
    rows: Sequence[LedgerRow],
    *,
    user_id: uuid.UUID,
    mailbox_id: uuid.UUID,
    overrides: dict[str, str],
    parser_version: int = 0,
) -> list[tuple[Any, ...]]:
    """One tuple a row, in COLUMNS order."""
    now = utc_now()
    records: list[tuple[Any, ...]] = []
    for row in rows:
        t = row.parsed
        records.append(
            (
                uuid.uuid4(),
                user_id,
                mailbox_id,
                row.message_id,
                t.position,
                t.amount,
                t.currency,
                t.direction.value,
                _clip(t.merchant, 255),
                _clip(t.merchant_normalized, 255),
                _clip(t.account, 16),
                t.instrument.value,
                t.occurred_at,
                _clip(t.reference, 100),
                t.balance,
                overrides.get(t.merchant_normalized or "", t.category),
                _clip(t.rule, 100),
                t.confidence,
                now,
                parser_version,
            )
        )
    return records


def _values_insert(session: Session, records: list[tuple[Any, ...]]) -> int:
    # RETURNING yields only the rows that were new: conflicts return nothing.
    statement = _insert_ignoring_duplicates(session).returning(TABLE.c.id)
    values = [dict(zip(COLUMNS, record, strict=True)) for record in records]
    return len(session.connection().execute(statement, values).all())


def _copy_insert(session: Session, records: list[tuple[Any, ...]]) -> int:
    # The session's own connection and transaction: the rows commit with the job's checkpoint.
    driver = session.connection().connection.driver_connection
    if driver is None:  # pragma: no cover - a checked-out connection always has one
        raise RuntimeError("no database connection")
    with driver.cursor() as cursor:
        cursor.execute(_CREATE_STAGE)
        with cursor.copy(_COPY_STAGE) as copy:
            for record in records:
                copy.write_row(record)
        cursor.execute(_MOVE_STAGE)
        inserted = len(cursor.fetchall())
        cursor.execute(_EMPTY_STAGE)
    return inserted


def count_for_user(session: Session, user_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Transaction).where(Transaction.user_id == user_id)
        )
        or 0
    )


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None
