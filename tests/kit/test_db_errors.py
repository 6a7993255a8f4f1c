"""Database errors: told apart by kind (a refused value or a bug) and described without values."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from fincoach.kit import db_errors

SECRET = "merchant-4242"


def _error_of(session: Session, sql: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised, session.begin_nested():
        session.execute(text(sql), {"value": SECRET})
    return raised.value


@pytest.mark.parametrize(
    ("sql", "refusal", "described"),
    [
        ("SELECT CAST(:value AS numeric)", True, "InvalidTextRepresentation (SQLSTATE 22P02)"),
        (
            "SELECT CAST(1e20 AS numeric(18, 4)), :value",
            True,
            "NumericValueOutOfRange (SQLSTATE 22003)",
        ),
        ("SELECT no_such_column, :value", False, "UndefinedColumn (SQLSTATE 42703)"),
    ],
)
def test_refusals_are_data_errors_and_bugs_are_not(
    pg_session: Session, sql: str, refusal: bool, described: str
) -> None:
    error = _error_of(pg_session, sql)
    assert SECRET in str(error)  # what the driver and SQLAlchemy would have printed
    assert db_errors.is_database_error(error)
    assert db_errors.is_data_refusal(error) is refusal
    assert db_errors.describe(error) == described
    assert SECRET not in str(db_errors.scrubbed(error))


def test_a_value_the_driver_cannot_convert_is_a_refusal() -> None:
    assert db_errors.is_data_refusal(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogate"))
    assert not db_errors.is_data_refusal(RuntimeError("a bug"))
