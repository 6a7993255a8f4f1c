"""Faults, quota and revoked access: the Gmail source against a misbehaving emulator."""

from datetime import timedelta

import pytest

from fincoach.mail.base import AuthorizationRevoked, QuotaWait, TimeWindow
from fincoach.mail.gmail import GmailMailSource
from fincoach.mail.gmail_emulator.faults import FaultSettings
from fincoach.mail.gmail_emulator.quota import QuotaSettings
from fincoach.mail.gmail_limiter import UserRateLimiter
from tests.oauth.emulator_server import RunningEmulator, running_emulator


def _source(emu: RunningEmulator, limiter: UserRateLimiter) -> GmailMailSource:
    return GmailMailSource.connect(
        emu.settings(gmail_user_quota_per_minute=int(limiter.capacity)),
        refresh_token=emu.refresh_token,
        user_key=emu.address,
        limiter=limiter,
    )


def _sync(
    source: GmailMailSource, window: TimeWindow
) -> tuple[str | None, list[str], list[bytes | None]]:
    cursor = source.current_cursor()
    ids = list(source.list_message_ids(window))
    return cursor, ids, [f.raw for f in source.fetch(ids)]


def test_ten_percent_injected_429_and_5xx_give_identical_results() -> None:
    faults = FaultSettings(error_5xx_rate=0.05, rate_429_rate=0.05)
    with running_emulator(address="flaky@fincoach.example", count=400, faults=faults) as emu:
        since = emu.mailbox.end - timedelta(days=70)
        window = TimeWindow(since=since)
        cursor, ids, raws = _sync(_source(emu, UserRateLimiter(100_000)), window)
        counters = emu.counters()
        assert counters["injected_5xx"] > 0
        assert counters["injected_429"] > 0
        box = emu.mailbox
        expected = [i for i in reversed(range(box.count)) if box.internal_date(i) >= since]
        assert len(expected) > 100
        assert cursor == str(1000 + box.count)
        assert ids == [box.message_id(i) for i in expected]
        assert raws == [box.message(i).raw for i in expected]


def test_dropped_connections_are_retried() -> None:
    faults = FaultSettings(drop_rate=0.3)
    with running_emulator(address="cut@fincoach.example", count=250, faults=faults) as emu:
        _, ids, raws = _sync(_source(emu, UserRateLimiter(100_000)), TimeWindow())
        assert emu.counters()["dropped_connections"] > 0
        assert ids == [emu.mailbox.message_id(i) for i in reversed(range(250))]
        assert raws == [emu.mailbox.message(i).raw for i in reversed(range(250))]


def test_limiter_keeps_a_small_quota_free_of_429s() -> None:
    quota = QuotaSettings(units_per_minute=600)
    with running_emulator(address="metered@fincoach.example", count=130, quota=quota) as emu:
        # 1 + 5 + 130 * 5 = 656 units: more than the 600-unit burst, so the limiter must pace.
        limiter = UserRateLimiter(600)
        _, ids, raws = _sync(_source(emu, limiter), TimeWindow())
        counters = emu.counters()
        assert counters["units_by_user"][emu.address] == 656
        assert counters["rate_limited_total"] <= 1
        assert len(ids) == 130
        assert raws == [emu.mailbox.message(i).raw for i in reversed(range(130))]

        # The same work without pacing runs into the emulator's quota; back-off still recovers.
        emu.admin("PUT", "/quota", json={"units_per_minute": 600})  # refills its buckets
        emu.admin("DELETE", "/counters")
        _, ids_again, raws_again = _sync(_source(emu, UserRateLimiter(1_000_000)), TimeWindow())
        assert emu.counters()["rate_limited_total"] > 0
        assert (ids_again, raws_again) == (ids, raws)


def test_fetch_raises_quota_wait_instead_of_sleeping_long() -> None:
    with running_emulator(address="busy@fincoach.example", count=120) as emu:
        limiter = UserRateLimiter(600)
        limiter.acquire(600)  # someone spent this minute's allowance
        source = _source(emu, limiter)
        ids = [emu.mailbox.message_id(i) for i in range(100)]
        served = emu.counters()["messages_served"]
        with pytest.raises(QuotaWait) as caught:
            source.fetch(ids)
        assert caught.value.retry_after == pytest.approx(50.0, abs=1.0)  # 500 units at 10/s
        assert limiter.wait_time(500) == pytest.approx(caught.value.retry_after, abs=1.0)
        assert emu.counters()["messages_served"] == served  # nothing was sent


def test_revoked_access_raises_authorization_revoked() -> None:
    with running_emulator(address="gone@fincoach.example", count=20) as emu:
        early = _source(emu, UserRateLimiter(6000))
        assert early.current_cursor() is not None  # holds a valid access token now
        late = _source(emu, UserRateLimiter(6000))
        ids = [emu.mailbox.message_id(i) for i in range(5)]
        emu.admin("POST", f"/users/{emu.address}/revoke")
        with pytest.raises(AuthorizationRevoked):
            late.current_cursor()  # first refresh answers invalid_grant
        with pytest.raises(AuthorizationRevoked):
            early.fetch(ids)  # the access token stops working, the refresh then fails
        with pytest.raises(AuthorizationRevoked):
            list(early.list_message_ids(TimeWindow()))
