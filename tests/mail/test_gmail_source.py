"""The Gmail source on the official client, over real HTTP against the Gmail API emulator."""

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from fincoach.db import make_engine, make_session_factory
from fincoach.kit.crypto import TokenCipher
from fincoach.mail.base import CursorExpired, TimeWindow
from fincoach.mail.factory import open_source
from fincoach.mail.gmail import GmailMailSource
from fincoach.mail.gmail_limiter import UserRateLimiter
from fincoach.models import EmailSyncJob, JobKind, JobStatus, MailProvider
from fincoach.sync import service as sync_service
from fincoach.sync.runner import run_job
from fincoach.users.service import get_mailbox
from tests.factories import create_mailbox, create_user
from tests.oauth.emulator_server import RunningEmulator, running_emulator

COUNT = 300


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(count=COUNT) as running:
        yield running


def _source(emu: RunningEmulator, *, quota: int = 6000, **options: object) -> GmailMailSource:
    # A fresh limiter per source: the process-wide one would carry quota across tests.
    return GmailMailSource.connect(
        emu.settings(gmail_user_quota_per_minute=quota),
        refresh_token=emu.refresh_token,
        user_key=emu.address,
        limiter=UserRateLimiter(quota),
        **options,
    )


def _window(emu: RunningEmulator, days: int) -> TimeWindow:
    end = emu.mailbox.end
    return TimeWindow(since=end - timedelta(days=days), until=end - timedelta(days=1))


def _expected_ids(emu: RunningEmulator, window: TimeWindow) -> list[str]:
    assert window.since is not None and window.until is not None
    box = emu.mailbox
    return [
        box.message_id(i)
        for i in range(box.count)
        if window.since <= box.internal_date(i) < window.until
    ]


def test_full_sync_lists_exactly_the_window_newest_first(emu: RunningEmulator) -> None:
    window = _window(emu, 120)
    ids = list(_source(emu).list_message_ids(window))
    expected = _expected_ids(emu, window)
    assert 150 < len(expected) < COUNT  # the window is a real subset of the mailbox
    assert ids == expected[::-1]


def test_full_sync_pages_through_more_than_one_page() -> None:
    with running_emulator(address="paging@fincoach.example", count=1201) as big:
        source = _source(big)
        ids = list(source.list_message_ids(TimeWindow()))
        assert ids == [big.mailbox.message_id(i) for i in reversed(range(1201))]
        assert big.counters()["calls_by_method"]["users.messages.list"] == 3  # 500 + 500 + 201


def test_fetch_of_120_ids_returns_the_generators_bytes(emu: RunningEmulator) -> None:
    indexes = list(range(3, 243, 2))
    ids = [emu.mailbox.message_id(i) for i in indexes]
    before = emu.counters()["batches"]
    fetched = _source(emu).fetch(ids)
    assert [f.message_id for f in fetched] == ids
    assert all(f.error is None for f in fetched)
    assert [f.raw for f in fetched] == [emu.mailbox.message(i).raw for i in indexes]
    assert emu.counters()["batches"] - before == 3  # 120 ids in batches of 50


def test_fetch_keeps_order_duplicates_and_reports_unknown_ids(emu: RunningEmulator) -> None:
    known = emu.mailbox.message_id(5)
    fetched = _source(emu).fetch([known, "ffffffffffffffff", known])
    assert [f.message_id for f in fetched] == [known, "ffffffffffffffff", known]
    assert fetched[0].raw == fetched[2].raw == emu.mailbox.message(5).raw
    assert fetched[1].raw is None
    assert fetched[1].error == "gmail http 404 (notFound)"


def test_incremental_returns_exactly_the_new_mail(emu: RunningEmulator) -> None:
    source = _source(emu)
    cursor = source.current_cursor()
    assert cursor is not None
    added = emu.admin("POST", f"/users/{emu.address}/messages", json={"count": 7})["added"]
    assert list(source.list_changes(cursor)) == added
    assert source.current_cursor() != cursor
    new_raw = [f.raw for f in source.fetch(added)]
    assert all(raw for raw in new_raw)


def test_history_pages_are_followed(emu: RunningEmulator) -> None:
    source = _source(emu)
    cursor = source.current_cursor()
    assert cursor is not None
    added = emu.admin("POST", f"/users/{emu.address}/messages", json={"count": 620})["added"]
    assert list(source.list_changes(cursor)) == added  # 620 > one page of 500


def test_expired_history_raises_cursor_expired(emu: RunningEmulator) -> None:
    source = _source(emu)
    cursor = source.current_cursor()
    assert cursor is not None
    emu.admin("POST", f"/users/{emu.address}/messages", json={"count": 1})
    emu.admin("POST", f"/users/{emu.address}/history/expire")
    with pytest.raises(CursorExpired):
        list(source.list_changes(cursor))


def test_cursor_is_read_before_listing_so_nothing_is_missed(emu: RunningEmulator) -> None:
    # What sync.prepare() relies on: mail that arrives after current_cursor() shows up in the
    # next incremental sync even though the full listing may or may not have seen it.
    source = _source(emu)
    cursor = source.current_cursor()
    assert cursor is not None
    added = emu.admin("POST", f"/users/{emu.address}/messages", json={"count": 2})["added"]
    listed = set(source.list_message_ids(TimeWindow()))
    assert set(added) <= listed | set(source.list_changes(cursor))


def test_sync_jobs_run_on_gmail_initial_then_incremental(
    emu: RunningEmulator, sqlite_url: str
) -> None:
    """The sync service over the factory's Gmail source: the whole mailbox, then only new mail."""
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    settings = emu.settings()
    with factory() as session:
        user = create_user(session, email=emu.address)
        mailbox = create_mailbox(session, user=user, provider=MailProvider.GMAIL)
        mailbox.credentials_encrypted = TokenCipher(settings.token_encryption_keys).encrypt(
            emu.refresh_token
        )
        job = sync_service.start_job(session, mailbox=mailbox, kind=JobKind.INITIAL, months=12)
        session.commit()
        mailbox_id, job_id = mailbox.id, job.id

    def run(job_id: uuid.UUID) -> EmailSyncJob:
        with factory() as session:
            source = open_source(get_mailbox(session, mailbox_id), settings)
        return run_job(factory, job_id=job_id, source=source, settings=settings)

    first = run(job_id)
    assert first.status is JobStatus.COMPLETED, first.error_message
    # Every message of the mailbox (180 days) plus mail other tests added, within 12 months.
    assert first.total_emails >= COUNT - 1  # the oldest may fall a few seconds outside
    assert first.processed_emails == first.total_emails
    assert first.failed_emails == 0

    added = emu.admin("POST", f"/users/{emu.address}/messages", json={"count": 3})["added"]
    with factory() as session:
        mailbox = get_mailbox(session, mailbox_id)
        assert mailbox.sync_cursor is not None
        job = sync_service.start_job(session, mailbox=mailbox, kind=JobKind.INCREMENTAL)
        session.commit()
        second_id = job.id
    second = run(second_id)
    assert second.status is JobStatus.COMPLETED, second.error_message
    assert second.total_emails == len(added)
    engine.dispose()
