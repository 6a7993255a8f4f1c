"""Database errors described without the data they carry.

A driver's error text quotes the values it refused: psycopg adds `DETAIL: Key (...)=(...)` and
`CONTEXT: COPY ledger_stage, line 3, column merchant: "..."`, and SQLAlchemy appends the
statement and its parameters. Those values are the user's mail, so logs, job records and the
Celery result backend get only what this module gives: the error's class and its SQLSTATE
(PostgreSQL's documented error codes, appendix A of its manual).
"""

import psycopg
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlalchemy.exc import OperationalError as SAOperationalError

# The connection or the server, not the data: worth retrying, never the message's fault.
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    SAOperationalError,
    SAInterfaceError,
)


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


def is_connection_error(error: BaseException) -> bool:
    """True when the database or the link to it failed, rather than the data being refused."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _CONNECTION_ERRORS) or isinstance(
        _driver_error(error), _CONNECTION_ERRORS
    )


def scrubbed(error: BaseException) -> StorageFailed:
    """An exception safe to log, raise into Celery or store: `StorageFailed(describe(error))`."""
    return StorageFailed(describe(error))
