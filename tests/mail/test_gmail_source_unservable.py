"""A message Gmail will not serve is told apart from Gmail being down (issue 10).

Only the first costs the message anything: the sync counts MessagesUnavailable per message and
gives up on it after a bound, while an outage (SourceUnavailable) is retried without limit on
any message."""

import httpx
import pytest

from fincoach.mail.base import MessagesUnavailable, SourceUnavailable, TimeWindow
from fincoach.mail.gmail import GmailMailSource
from fincoach.mail.gmail_limiter import UserRateLimiter
from fincoach.mail.gmail_retry import Backoff
from tests.oauth.emulator_server import RunningEmulator, running_emulator
from tests.sync.test_poisoned_gmail import deep_multipart

FAST = Backoff(attempts=3, first=0.01, cap=0.05, jitter=0.0)


def _source(emu: RunningEmulator) -> GmailMailSource:
    return GmailMailSource.connect(
        emu.settings(gmail_batch_size=10),
        refresh_token=emu.refresh_token,
        user_key=emu.address,
        limiter=UserRateLimiter(1_000_000),
        backoff=FAST,
    )


def test_a_message_gmail_keeps_failing_is_named_and_the_others_fetched() -> None:
    with running_emulator(address="one-bad@fincoach.example", count=30) as emu:
        source = _source(emu)
        ids = list(source.list_message_ids(TimeWindow()))
        refused = httpx.put(f"{emu.base}/admin/faults", json={"failing_messages": ids[3]})
        assert refused.status_code == 400  # a list of ids, not one id's characters
        emu.admin("PUT", "/faults", json={"failing_messages": [ids[3]]})
        with pytest.raises(MessagesUnavailable) as raised:
            source.fetch(ids)
        assert raised.value.message_ids == [ids[3]]
        others = [mid for mid in ids if mid != ids[3]]
        assert all(f.raw is not None for f in source.fetch(others))


def test_a_message_the_emulator_cannot_render_fails_alone() -> None:
    # 3,000 nested multiparts: the emulator answers that part 500, as Gmail does.
    with running_emulator(address="deep@fincoach.example", count=12) as emu:
        answer = emu.admin(
            "POST",
            f"/users/{emu.address}/messages",
            content=deep_multipart(3000),
            headers={"content-type": "message/rfc822"},
        )
        [deep] = answer["added"]
        source = _source(emu)
        ids = list(source.list_message_ids(TimeWindow()))
        assert deep in ids
        with pytest.raises(MessagesUnavailable) as raised:
            source.fetch(ids)
        assert raised.value.message_ids == [deep]


def test_gmail_down_is_an_outage_never_blamed_on_a_message() -> None:
    with running_emulator(address="down@fincoach.example", count=15) as emu:
        source = _source(emu)
        ids = list(source.list_message_ids(TimeWindow()))
        emu.admin("PUT", "/faults", json={"error_5xx_rate": 1.0})
        with pytest.raises(SourceUnavailable) as raised:
            source.fetch(ids)
        assert not isinstance(raised.value, MessagesUnavailable)


def test_a_message_that_fails_its_whole_batch_request_is_isolated() -> None:
    with running_emulator(address="envelope@fincoach.example", count=25) as emu:
        source = _source(emu)
        ids = list(source.list_message_ids(TimeWindow()))
        emu.admin("PUT", "/faults", json={"batch_failing_messages": [ids[7]]})
        with pytest.raises(MessagesUnavailable) as raised:
            source.fetch(ids)
        # Its batch of 10 failed whole on every try; sent alone, only it still fails.
        assert raised.value.message_ids == [ids[7]]
        assert emu.counters()["calls_by_method"]["users.getProfile"] >= 1
