import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest

from fincoach.demo import DemoMailbox, DemoMessage

from .conftest import END, START


def test_same_arguments_give_the_same_bytes() -> None:
    a = DemoMailbox(seed=3, count=300, start=START, end=END)
    b = DemoMailbox(seed=3, count=300, start=START, end=END)
    assert [m.raw for m in a] == [m.raw for m in b]
    assert a.truth() == b.truth()


def test_random_access_matches_iteration(mailbox: DemoMailbox, messages: list[DemoMessage]) -> None:
    for i in (0, 1, 1234, len(mailbox) - 1):
        assert mailbox.message(i) == messages[i]
    assert [m.index for m in messages] == list(range(len(mailbox)))


def test_different_seed_or_address_gives_different_bytes() -> None:
    base = DemoMailbox(seed=3, count=50, start=START, end=END)
    other_seed = DemoMailbox(seed=4, count=50, start=START, end=END)
    other_user = DemoMailbox(seed=3, address="x@example.org", count=50, start=START, end=END)
    for other in (other_seed, other_user):
        assert all(base.message(i).raw != other.message(i).raw for i in range(50))
        assert not {m.message_id for m in base} & {m.message_id for m in other}


def test_dates_increase_and_stay_in_the_window(messages: list[DemoMessage]) -> None:
    dates = [m.internal_date for m in messages]
    assert all(d.tzinfo is not None and d.utcoffset() == timedelta(0) for d in dates)
    assert all(a < b for a, b in itertools.pairwise(dates))
    assert dates[0] >= START and dates[-1] < END
    # Spread over the whole window, not bunched at one end.
    assert dates[len(dates) // 2] - START > timedelta(days=80)


def test_message_ids_are_gmail_style_and_unique(messages: list[DemoMessage]) -> None:
    ids = [m.message_id for m in messages]
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_default_window_is_180_days_to_the_minute() -> None:
    box = DemoMailbox(seed=1, count=10)
    assert box.end.second == 0 and box.end.microsecond == 0
    assert box.end - box.start == timedelta(days=180)
    assert abs(datetime.now(UTC) - box.end) < timedelta(minutes=2)


def test_bad_arguments_are_refused() -> None:
    box = DemoMailbox(seed=1, count=10, start=START, end=END)
    with pytest.raises(IndexError):
        box.message(10)
    with pytest.raises(IndexError):
        box.message(-1)
    with pytest.raises(ValueError, match="start"):
        DemoMailbox(seed=1, start=END, end=START)


def test_a_dense_mailbox_keeps_order() -> None:
    box = DemoMailbox(seed=9, count=500, start=START, end=START + timedelta(minutes=5))
    dates = [box.internal_date(i) for i in range(500)]
    assert dates == sorted(dates)
    assert len({box.message_id(i) for i in range(500)}) == 500
