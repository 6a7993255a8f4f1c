"""`fincoach category set|list|remove`: the real CLI on the real database."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from fincoach import worker
from fincoach.cli import _register_commands, app
from fincoach.config import Settings
from fincoach.parsing.categories import CATEGORIES
from fincoach.transactions.repository import LedgerRow, insert_transactions
from tests.factories import create_mailbox, create_user, parsed_transaction

pytestmark = pytest.mark.postgres


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    settings = Settings(_env_file=None, database_url=pg_url, environment="test")  # type: ignore[call-arg]
    runtime = worker.use_settings(settings)  # what the CLI commands run with
    _register_commands()
    yield runtime.sessions
    runtime.engine.dispose()


def _user_with_uber_rides(sessions: sessionmaker[Session]) -> uuid.UUID:
    with sessions() as session:
        user = create_user(session)
        mailbox = create_mailbox(session, user=user)
        rows = [LedgerRow(f"m-{n}", parsed_transaction(merchant="Uber")) for n in range(3)]
        insert_transactions(session, user_id=user.id, mailbox_id=mailbox.id, rows=rows)
        session.commit()
        return user.id


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_set_list_and_remove(sessions: sessionmaker[Session]) -> None:
    user = str(_user_with_uber_rides(sessions))
    assert run("category", "set", user, "UBER BANGALORE IN", "travel") == (
        0,
        "uber -> travel: 3 transactions re-categorised\n",
    )
    assert run("category", "set", user, "Swiggy", "groceries")[0] == 0
    assert run("category", "list", user) == (0, "swiggy -> groceries\nuber -> travel\n")

    code, output = run("category", "remove", user, "Uber")
    assert code == 0, output
    assert output.startswith("uber: your category removed")
    assert run("category", "list", user) == (0, "swiggy -> groceries\n")

    code, output = run("category", "remove", user, "uber")
    assert code == 2 and "no category of yours for merchant 'uber'" in output
    code, output = run("category", "list", str(uuid.uuid4()))
    assert code == 2 and "user not found" in output


def test_set_help_lists_the_categories_and_a_wrong_one_is_refused(
    sessions: sessionmaker[Session],
) -> None:
    code, output = run("category", "set", "--help")
    assert code == 0
    assert all(category in output for category in CATEGORIES), output
    user = str(_user_with_uber_rides(sessions))
    code, output = run("category", "set", user, "Uber", "yachts")
    assert code == 2 and "unknown category 'yachts'" in output
