"""A message without a Date header is dated by the provider's receive time, through the sync.

Gmail: the official client against the project's emulator over real HTTP (`internalDate`);
local mail: an `.eml` folder (the file's time) and an mbox (the `From ` line's delivery time).
Each mailbox also holds a message whose text has a time that reads as a date in 2030.
"""

import mailbox
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.demo import DemoMailbox
from fincoach.kit.crypto import TokenCipher
from fincoach.mail.base import TimeWindow
from fincoach.mail.factory import open_source
from fincoach.mail.gmail_batch import internal_date
from fincoach.mail.gmail_emulator import Emulator, EmulatorConfig, create_app, serve_in_thread
from fincoach.mail.gmail_emulator.store import epoch_ms
from fincoach.mail.local import LocalMailSource
from fincoach.models import JobKind, JobStatus, Mailbox, MailProvider, Transaction
from fincoach.sync import service
from fincoach.sync.runner import run_job
from tests.factories import create_mailbox, create_user

# Written for this test: an Indian bank's debit alert without a date, and one with a time of day
# written with dots, which a date reader takes for 15 October 2030.
NO_DATE = (
    "From: alerts@bank.example\r\nSubject: Debit alert\r\nMessage-ID: <{n}@bank.example>\r\n\r\n"
    "INR 1,250.00 debited from your A/c XX4417 at CITY GROCERS. Avl Bal INR 8,210.50\r\n"
)
TIME_LIKE_DATE = (
    "From: alerts@bank.example\r\nSubject: Debit alert\r\nMessage-ID: <{n}@bank.example>\r\n\r\n"
    "INR 640.00 debited from your A/c XX4417 at CORNER STORE at 10.15.30. Ref 5099112233\r\n"
)


def _raw(template: str) -> bytes:
    return template.format(n=uuid.uuid4().hex).encode()


def _occurred(sessions: sessionmaker[Session], user_id: uuid.UUID) -> dict[str, datetime]:
    with sessions() as session:
        rows = session.execute(
            select(Transaction.message_id, Transaction.occurred_at).where(
                Transaction.user_id == user_id
            )
        ).all()
    return {m: when.astimezone(UTC) for m, when in rows}


@pytest.fixture
def sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def _run(
    sessions: sessionmaker[Session], mailbox_row: Mailbox, source: object, settings: Settings
) -> None:
    with sessions() as session:
        job = service.start_job(session, mailbox=mailbox_row, kind=JobKind.INITIAL, months=6)
        session.commit()
    done = run_job(sessions, job_id=job.id, source=source, settings=settings)  # type: ignore[arg-type]
    assert done.status is JobStatus.COMPLETED, done.error_message


@dataclass
class Gmail:
    base: str
    emulator: Emulator
    address: str

    def settings(self) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            gmail_api_endpoint=self.base,
            google_token_uri=f"{self.base}/token",
            google_client_id=self.emulator.oauth.client_id,
            google_client_secret=self.emulator.oauth.client_secret,
        )


@pytest.fixture
def gmail() -> Iterator[Gmail]:
    address = f"receive-time-{uuid.uuid4().hex[:6]}@fincoach.example"
    emulator = Emulator({address: DemoMailbox(seed=5, address=address, count=0)}, EmulatorConfig())
    with serve_in_thread(create_app(emulator)) as base:
        yield Gmail(base, emulator, address)


def test_gmail_internal_date_dates_a_message_without_a_date_header(
    gmail: Gmail, sessions: sessionmaker[Session]
) -> None:
    added: list[str] = []
    for template in (NO_DATE, TIME_LIKE_DATE):
        response = httpx.post(
            f"{gmail.base}/admin/users/{gmail.address}/messages",
            content=_raw(template),
            headers={"content-type": "message/rfc822"},
            timeout=30,
        )
        response.raise_for_status()
        added += response.json()["added"]
    settings = gmail.settings()
    with sessions() as session:
        user = create_user(session)
        token = gmail.emulator.oauth.refresh_token_for(gmail.address)
        row = Mailbox(
            user_id=user.id,
            provider=MailProvider.GMAIL,
            address=gmail.address,
            credentials_encrypted=TokenCipher(settings.token_encryption_keys).encrypt(token),
        )
        session.add(row)
        session.commit()
        source = open_source(row, settings)

    # The source hands on Gmail's internalDate (ms since the epoch, a string) as received_at.
    box = gmail.emulator.store.get(gmail.address)
    assert box is not None
    stored = {box.record(i).message_id: box.record(i).internal_date for i in range(len(box))}
    internal = {mid: datetime.fromtimestamp(epoch_ms(stored[mid]) / 1000, UTC) for mid in added}
    fetched = source.fetch(added)
    assert {f.message_id: f.received_at for f in fetched} == internal

    _run(sessions, row, open_source(row, settings), settings)
    assert _occurred(sessions, user.id) == internal


@pytest.mark.parametrize("layout", ["eml", "mbox"])
def test_local_receive_time_dates_a_message_without_a_date_header(
    layout: str, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    delivered = {
        "a": datetime.now(UTC).replace(microsecond=0) - timedelta(days=3),
        "b": datetime.now(UTC).replace(microsecond=0) - timedelta(days=2),
    }
    raws = {"a": _raw(NO_DATE), "b": _raw(TIME_LIKE_DATE)}
    if layout == "eml":
        location = tmp_path / "inbox"
        location.mkdir()
        for key, raw in raws.items():
            file = location / f"{key}.eml"
            file.write_bytes(raw)
            os.utime(file, (delivered[key].timestamp(), delivered[key].timestamp()))
    else:
        location = tmp_path / "mail.mbox"
        box = mailbox.mbox(location, create=True)
        for key, raw in raws.items():
            message = mailbox.mboxMessage(raw)
            message.set_from("alerts@bank.example", delivered[key].timetuple())
            box.add(message)
        box.flush()
        box.close()
    source = LocalMailSource(location)
    ids = list(source.list_message_ids(TimeWindow()))
    by_time = {f.received_at: f.message_id for f in source.fetch(ids)}
    assert set(by_time) == set(delivered.values())

    with sessions() as session:
        user = create_user(session)
        row = create_mailbox(session, user=user, location=str(location))
        session.commit()
    _run(sessions, row, LocalMailSource(location), Settings(_env_file=None))  # type: ignore[call-arg]
    assert _occurred(sessions, user.id) == {by_time[when]: when for when in delivered.values()}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1773480600000", datetime(2026, 3, 14, 9, 30, tzinfo=UTC)),
        ("1773480600123", datetime(2026, 3, 14, 9, 30, 0, 123000, tzinfo=UTC)),
        ("0", None),  # an imported message without a date: no receive time, not 1970
        (None, None),
        ("soon", None),
        ("9" * 40, None),
    ],
)
def test_gmail_internal_date_is_read_as_milliseconds(value: object, expected: object) -> None:
    assert internal_date(value) == expected
