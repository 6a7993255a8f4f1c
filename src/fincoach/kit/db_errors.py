"""Database errors described without the data they carry.

A driver's error text quotes the values it refused: psycopg adds `DETAIL: Key (...)=(...)` and
`CONTEXT: COPY ledger_stage, line 3, column merchant: "..."`, and SQLAlchemy appends the
statement and its parameters. Those values are the user's mail, so logs, job records and the
Celery result backend get only what this module gives: the error's class and its SQLSTATE
(PostgreSQL's documented error codes, appendix A of its manual).
"""

import psycopg
from sqlalchemy.exc import DataError, IntegrityError, StatementError


class StorageFailed(Exception):
    """Stands in for a database error where it would be recorded: class and SQLSTATE only."""


def _driver_error(error: BaseException) -> BaseException:
    # SQLAlchemy wraps the driver's error; the driver's one names the real kind.
    if isinstance(error, StatementError) and error.orig is not None:
        return error.orig
    return error


def sqlstate(error: BaseException) -> str | None:
    """PostgreSQL's five-character error code, when the error came from the server."""
    code = getattr(_driver_error(error), "sqlstate", None)
    return code if isinstance(code, str) else None


def describe(error: BaseException) -> str:
    """`NumericValueOutOfRange (SQLSTATE 22003)`: the error's kind, never its values."""
    name = type(_driver_error(error)).__name__
    code = sqlstate(error)
    return f"{name} (SQLSTATE {code})" if code else name


def is_database_error(error: BaseException) -> bool:
    """True for an error whose text may quote data: the driver's, or SQLAlchemy's wrapping."""
    return isinstance(error, (psycopg.Error, StatementError))


def is_data_refusal(error: BaseException) -> bool:
    """True when the database (or the driver, before sending) refused a value: SQLSTATE class 22
    (data exception: out of range, too long, NUL) or 23 (integrity), or a value that could not
    be converted. A schema or programming error (class 42 ...) is a bug, not the data's fault."""
    driver = _driver_error(error)
    code = sqlstate(error)
    if code is not None:
        return code[:2] in {"22", "23"}
    if isinstance(error, (DataError, IntegrityError)):  # SQLite's, which carry no SQLSTATE
        return True
    if isinstance(driver, psycopg.Error):
        return isinstance(driver, (psycopg.DataError, psycopg.IntegrityError))
    return isinstance(driver, (ValueError, TypeError))


def scrubbed(error: BaseException) -> StorageFailed:
    """An exception safe to log, raise into Celery or store: `StorageFailed(describe(error))`."""
    return StorageFailed(describe(error))
