"""Random amounts, balances, merchants and message ids through parse -> store, on PostgreSQL
and SQLite (issue 10): every message is either stored or counted failed, and the job always
completes."""

import quopri
from collections.abc import Iterator, Sequence
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fincoach.config import Settings
from fincoach.db import make_engine, make_session_factory
from fincoach.kit.errors import MalformedEmail
from fincoach.mail.base import FetchedMessage, TimeWindow
from fincoach.models import JobKind, JobStatus, Transaction
from fincoach.parsing import parse
from fincoach.sync import service
from fincoach.sync.runner import run_job
from tests.factories import create_mailbox, create_user
from tests.fuzz.poison import card_alert


class MemorySource:
    """A MailSource over a dict of raw messages, in insertion order."""

    def __init__(self, messages: dict[str, bytes]) -> None:
        self.messages = messages

    def list_message_ids(self, window: TimeWindow) -> Iterator[str]:
        return iter(list(self.messages))

    def list_changes(self, cursor: str) -> Iterator[str]:
        return iter(())

    def current_cursor(self) -> str | None:
        return None

    def fetch(self, message_ids: Sequence[str]) -> list[FetchedMessage]:
        return [FetchedMessage(mid, self.messages[mid]) for mid in message_ids]


def _figure(value: Decimal) -> str:
    return f"{value:f}"


figures = st.one_of(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2).map(_figure),
    st.integers(min_value=10**11, max_value=10**40).map(str),  # around and far past the bound
    st.decimals(min_value=Decimal(1), max_value=Decimal(10**14), places=6).map(_figure),
)
HOSTILE_CHARACTERS = "\x00\x01\x1b\x7f\x85\u061c\u200e\u202a\u202e\u2066\u2069\ufeff\u200d"
merchants = st.text(
    alphabet=st.one_of(
        st.sampled_from(HOSTILE_CHARACTERS), st.characters(codec="utf-8"), st.sampled_from("AZ ")
    ),
    min_size=1,
    max_size=40,
)
message_ids = st.one_of(
    st.text(alphabet="0123456789abcdef", min_size=8, max_size=16),
    st.text(alphabet="abc", min_size=256, max_size=300),  # longer than the ledger's column
)
messages = st.lists(
    st.tuples(message_ids, figures, st.none() | figures, merchants),
    min_size=1,
    max_size=6,
    unique_by=lambda m: m[0],
)


def _raw(amount: str, balance: str | None, merchant: str) -> bytes:
    encoded = quopri.encodestring(merchant.encode("utf-8"), quotetabs=True).decode("ascii")
    return card_alert(amount=amount, balance=balance, merchant=encoded.replace("=\n", ""))


@pytest.fixture(params=["postgres", "sqlite"])
def sessions(request: pytest.FixtureRequest) -> Iterator[sessionmaker[Session]]:
    url = request.getfixturevalue("pg_url" if request.param == "postgres" else "sqlite_url")
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=messages)
def test_every_message_is_stored_or_counted_failed_and_the_job_completes(
    sessions: sessionmaker[Session], batch: list[tuple[str, str, str | None, str]]
) -> None:
    raws = {mid: _raw(amount, balance, merchant) for mid, amount, balance, merchant in batch}
    with sessions() as session:
        user = create_user(session)
        mailbox = create_mailbox(session, user=user)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=1)
        session.commit()
    config = Settings(_env_file=None, email_batch_size=4)  # type: ignore[call-arg]
    done = run_job(sessions, job_id=job.id, source=MemorySource(raws), settings=config)

    assert done.status is JobStatus.COMPLETED, done.error_message
    assert done.processed_emails == done.total_emails == len(raws)
    failed = {entry["message_id"]: entry["error"] for entry in done.error_log}
    assert done.failed_emails == len(failed)
    with sessions() as session:
        stored = dict(
            session.execute(
                select(Transaction.message_id, func.count())
                .where(Transaction.mailbox_id == mailbox.id)
                .group_by(Transaction.message_id)
            ).all()
        )
    for mid, raw in raws.items():
        event(failed.get(mid, "stored" if mid in stored else "no transaction"))
        try:
            parsed = parse(raw)
        except MalformedEmail:
            assert failed.get(mid) == "AmountOutOfRange"
            continue
        if mid in failed:
            assert failed[mid] == "StorageRefused" and mid not in stored
        else:
            assert stored.get(mid, 0) == len(parsed)
        if len(mid) > 255 and parsed and sessions.kw["bind"].dialect.name == "postgresql":
            assert failed.get(mid) == "StorageRefused"
    assert done.parsed_transactions == sum(stored.values())


def test_a_message_the_ledger_refuses_fails_alone_and_its_batch_is_stored(
    pg_url: str,
) -> None:
    # A message id longer than the ledger's column: PostgreSQL refuses the batch's COPY; before
    # issue 10 the whole job failed with `unexpected error: StringDataRightTruncation`.
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    long_id = "x" * 300
    raws = {
        "first": card_alert(amount="12.00"),
        long_id: card_alert(amount="13.00"),
        "last": card_alert(amount="14.00"),
    }
    with sessions() as session:
        user = create_user(session)
        mailbox = create_mailbox(session, user=user)
        job = service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=1)
        session.commit()
    config = Settings(_env_file=None, email_batch_size=10)  # type: ignore[call-arg]
    done = run_job(sessions, job_id=job.id, source=MemorySource(raws), settings=config)

    assert done.status is JobStatus.COMPLETED, done.error_message
    assert [(e["message_id"], e["error"]) for e in done.error_log] == [(long_id, "StorageRefused")]
    assert done.error_log[0]["reason"] == (
        "the ledger refused this message's data: StringDataRightTruncation (SQLSTATE 22001)"
    )
    assert (done.failed_emails, done.parsed_transactions) == (1, 2)
    with sessions() as session:
        stored = session.scalars(
            select(Transaction.message_id).where(Transaction.mailbox_id == mailbox.id)
        ).all()
    assert sorted(stored) == ["first", "last"]
    engine.dispose()
