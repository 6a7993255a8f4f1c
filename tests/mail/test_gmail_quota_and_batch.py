"""The quota meter that travels with a job, and the lean batch request, against the emulator."""

from collections.abc import Iterator

import pytest
from googleapiclient.http import BatchHttpRequest

from fincoach.mail.base import QuotaWait
from fincoach.mail.gmail import GmailMailSource
from fincoach.mail.gmail_batch import decode_raw
from fincoach.mail.gmail_client import (
    LeanBatchHttpRequest,
    batch_uri,
    build_gmail,
    make_credentials,
)
from fincoach.mail.gmail_emulator import QuotaSettings
from fincoach.mail.gmail_limiter import UserRateLimiter
from tests.oauth.emulator_server import RunningEmulator, running_emulator

QUOTA = 1200  # units a minute: 240 messages.get at once, then 4 a second


class Clocks:
    def __init__(self) -> None:
        self.mono = 50.0
        self.wall = 1_800_000_000.0

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds


def test_a_snapshot_continues_in_another_limiter_refilled_for_the_wall_time_between() -> None:
    clocks = Clocks()
    first = UserRateLimiter(600, clock=lambda: clocks.mono, wall=lambda: clocks.wall)
    first.acquire(500)
    state = first.snapshot()
    assert state == {"tokens": pytest.approx(100.0), "at": clocks.wall}

    clocks.advance(6.0)  # 10 units/s
    second = UserRateLimiter(600, clock=lambda: clocks.mono + 999, wall=lambda: clocks.wall)
    second.restore(state)
    assert second.available() == pytest.approx(160.0)
    assert second.wait_time(200) == pytest.approx(4.0)

    clocks.advance(3600)
    second.restore(state)  # an old snapshot refills to a full bucket, never beyond
    assert second.available() == pytest.approx(600.0)


def test_a_snapshot_from_the_future_or_unreadable_refills_nothing_or_is_ignored() -> None:
    clocks = Clocks()
    limiter = UserRateLimiter(600, clock=lambda: clocks.mono, wall=lambda: clocks.wall)
    limiter.restore({"tokens": 10.0, "at": clocks.wall + 30})  # another machine's clock ahead
    assert limiter.available() == pytest.approx(10.0)
    limiter.restore({"tokens": "many"})
    assert limiter.available() == pytest.approx(10.0)


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(count=400, quota=QuotaSettings(QUOTA)) as running:
        yield running


def _source(emu: RunningEmulator) -> GmailMailSource:
    # A limiter of its own, as a source in another worker process would have.
    return GmailMailSource.connect(
        emu.settings(gmail_user_quota_per_minute=QUOTA),
        refresh_token=emu.refresh_token,
        user_key=emu.address,
        limiter=UserRateLimiter(QUOTA),
    )


def test_the_meter_handed_from_process_to_process_stops_before_gmail_says_429(
    emu: RunningEmulator,
) -> None:
    ids = [emu.mailbox.message_id(i) for i in range(400)]
    first = _source(emu)
    assert all(m.raw for m in first.fetch(ids[:200]))  # 1,000 of the 1,200 units
    state = first.quota_state()

    second = _source(emu)  # a fresh process would believe the bucket is full...
    second.restore_quota(state)  # ...until it reads the job's checkpoint
    with pytest.raises(QuotaWait) as wait:
        second.fetch(ids[200:400])
    assert wait.value.retry_after == pytest.approx(40, abs=1)  # 800 units missing, 20 a second
    assert emu.counters()["rate_limited_total"] == 0


def test_the_lean_batch_reads_what_the_library_batch_reads(emu: RunningEmulator) -> None:
    settings = emu.settings()
    service = build_gmail(settings, make_credentials(settings, emu.refresh_token))
    messages = service.users().messages()
    ids = [emu.mailbox.message_id(i) for i in range(5)] + ["ffffffffffffffff"]

    def run(batch: BatchHttpRequest) -> dict[str, tuple[bytes | None, int | None]]:
        got: dict[str, tuple[bytes | None, int | None]] = {}

        def answer(
            request_id: str, response: dict[str, str] | None, error: Exception | None
        ) -> None:
            status = getattr(getattr(error, "resp", None), "status", None)
            got[request_id] = (decode_raw(response["raw"]) if response else None, status)

        for mid in ids:
            batch.add(
                messages.get(userId="me", id=mid, format="raw"), callback=answer, request_id=mid
            )
        batch.execute()
        return got

    lean = run(LeanBatchHttpRequest(batch_uri=batch_uri(settings)))
    library = run(BatchHttpRequest(batch_uri=batch_uri(settings)))
    assert lean == library
    assert lean["ffffffffffffffff"] == (None, 404)
    assert [lean[mid][0] for mid in ids[:5]] == [emu.mailbox.message(i).raw for i in range(5)]
