"""`fincoach mailbox remove` and `fincoach user delete`: the real CLI, the real database, and
Google's grant ended at the Gmail emulator over real HTTP."""

import uuid
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from fincoach import worker
from fincoach.cli import _register_commands, app
from fincoach.config import Settings
from fincoach.models import Mailbox, MailboxStatus, Transaction, User
from fincoach.transactions.repository import LedgerRow, insert_transactions
from tests.factories import create_gmail_mailbox, create_mailbox, create_user, parsed_transaction
from tests.oauth.emulator_server import RunningEmulator, running_emulator

pytestmark = pytest.mark.postgres


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(address="erin@fincoach.example", count=10) as running:
        yield running


@pytest.fixture
def sessions(pg_url: str, emu: RunningEmulator) -> Iterator[sessionmaker[Session]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=pg_url,
        environment="test",
        google_revoke_uri=f"{emu.base}/revoke",
        google_token_uri=f"{emu.base}/token",
        google_client_id=emu.emulator.oauth.client_id,
        google_client_secret=SecretStr(emu.emulator.oauth.client_secret),
    )
    runtime = worker.use_settings(settings)  # what the CLI commands run with
    _register_commands()
    yield runtime.sessions
    runtime.engine.dispose()


def _user_with_gmail(
    sessions: sessionmaker[Session], emu: RunningEmulator
) -> tuple[uuid.UUID, uuid.UUID]:
    with sessions() as session:
        user = create_user(session)
        settings = worker.runtime().settings
        gmail = create_gmail_mailbox(
            session,
            user=user,
            address=emu.address,
            refresh_token=emu.refresh_token,
            settings=settings,
        )
        rows = [LedgerRow(f"m-{n}", parsed_transaction()) for n in range(4)]
        insert_transactions(session, user_id=user.id, mailbox_id=gmail.id, rows=rows)
        session.commit()
        return user.id, gmail.id


def _count(sessions: sessionmaker[Session], user_id: uuid.UUID) -> int:
    with sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Transaction).where(Transaction.user_id == user_id)
            )
            or 0
        )


def test_mailbox_remove_needs_a_choice_and_a_confirmation(
    sessions: sessionmaker[Session], emu: RunningEmulator
) -> None:
    user_id, mailbox_id = _user_with_gmail(sessions, emu)
    unchosen = CliRunner().invoke(app, ["mailbox", "remove", str(mailbox_id), "--yes"])
    assert unchosen.exit_code == 2
    assert "--keep-transactions" in unchosen.output
    declined = CliRunner().invoke(
        app, ["mailbox", "remove", str(mailbox_id), "--delete-transactions"], input="n\n"
    )
    assert declined.exit_code == 1
    assert emu.token_works(emu.refresh_token)
    assert _count(sessions, user_id) == 4
    # Confirmed, it goes (and leaves no credential behind in the shared test database).
    confirmed = CliRunner().invoke(
        app, ["mailbox", "remove", str(mailbox_id), "--delete-transactions"], input="y\n"
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert _count(sessions, user_id) == 0


def test_mailbox_remove_keeping_transactions_revokes_and_disconnects(
    sessions: sessionmaker[Session], emu: RunningEmulator
) -> None:
    user_id, mailbox_id = _user_with_gmail(sessions, emu)
    token = emu.refresh_token
    result = CliRunner().invoke(
        app, ["mailbox", "remove", str(mailbox_id), "--keep-transactions", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert "disconnected: google grant revoked, 0 transactions deleted, 4 kept" in result.output
    assert emu.counters()["revocations"] == 1
    assert not emu.token_works(token)
    with sessions() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        assert mailbox.status is MailboxStatus.DISCONNECTED
        assert mailbox.credentials_encrypted is None
    assert _count(sessions, user_id) == 4

    gone = CliRunner().invoke(
        app, ["mailbox", "remove", str(mailbox_id), "--delete-transactions"], input="y\n"
    )
    assert gone.exit_code == 0, gone.output
    assert "deleted: google grant not_needed, 4 transactions deleted" in gone.output
    assert _count(sessions, user_id) == 0
    missing = CliRunner().invoke(
        app, ["mailbox", "remove", str(mailbox_id), "--delete-transactions", "--yes"]
    )
    assert missing.exit_code == 2
    assert "mailbox not found" in missing.output


def test_user_delete_removes_the_user_and_everything_of_theirs(
    sessions: sessionmaker[Session], emu: RunningEmulator
) -> None:
    user_id, _ = _user_with_gmail(sessions, emu)
    with sessions() as session:
        user = session.get_one(User, user_id)
        create_mailbox(session, user=user)
        session.commit()
    token = emu.refresh_token

    result = CliRunner().invoke(app, ["user", "delete", str(user_id), "--yes"])

    assert result.exit_code == 0, result.output
    assert f"user {user_id} deleted: 2 mailboxes, 4 transactions" in result.output
    assert not emu.token_works(token)
    with sessions() as session:
        assert session.get(User, user_id) is None
        assert not session.scalars(select(Mailbox).where(Mailbox.user_id == user_id)).all()
    assert _count(sessions, user_id) == 0
    again = CliRunner().invoke(app, ["user", "delete", str(user_id), "--yes"])
    assert again.exit_code == 2
    assert "user not found" in again.output
