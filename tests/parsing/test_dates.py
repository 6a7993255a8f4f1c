"""Transaction dates against the message's arrival: the text wins only when it is plausible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fincoach.parsing import parse
from fincoach.parsing.dates import CLOCK_SKEW, find_datetime

ARRIVED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def _email(body: str, date_header: str | None = None) -> bytes:
    head = "From: alerts@bank.example\r\nSubject: Card alert\r\n"
    if date_header is not None:
        head += f"Date: {date_header}\r\n"
    return (head + "\r\n" + body).encode()


def _when(
    body: str, *, received_at: datetime | None = ARRIVED, header: str | None = None
) -> datetime:
    (t,) = parse(_email(body, header), received_at=received_at)
    return t.occurred_at


@pytest.mark.parametrize(
    ("body", "header", "expected"),
    [
        # no date anywhere but the provider's receive time
        ("INR 1,250.00 debited from your A/c XX4417 at CITY GROCERS.", None, ARRIVED),
        # a time of day read as a date (15 Oct 2030) is not a transaction date
        ("INR 1,250.00 debited from your A/c XX4417 at CITY GROCERS at 10.15.30.", None, ARRIVED),
        # a plausible date and time in the text wins (a US bank: month first, New York time)
        (
            "Your card 4417 was charged USD 42.10 at CORNER CAFE on 03/13/26 18:22.",
            None,
            datetime(2026, 3, 13, 22, 22, tzinfo=UTC),
        ),
        # month first would be 4 May and day first 5 April: both after arrival, neither kept
        ("Your card 4417 was charged USD 42.10 at CORNER CAFE on 05/04/26.", None, ARRIVED),
        # day first (euro) would be 3 December: after arrival, so the other order, 12 March
        (
            "Compra con tarjeta 4417 por 42.10 EUR en CAFE SOL el 12/03/2026 10:05.",
            None,
            datetime(2026, 3, 12, 9, 5, tzinfo=UTC),
        ),
        # a two-digit year is the latest century not after arrival: 1999, not 2099
        (
            "Compra con tarjeta 4417 por 42.10 EUR en CAFE SOL el 31/12/99 10:00.",
            None,
            datetime(1999, 12, 31, 9, 0, tzinfo=UTC),
        ),
        # the Date header dates a message whose text has no date
        (
            "INR 1,250.00 debited from your A/c XX4417 at CITY GROCERS.",
            "Sat, 14 Mar 2026 09:29:10 +0000",
            datetime(2026, 3, 14, 9, 29, 10, tzinfo=UTC),
        ),
        # a Date header after the arrival (a wrong clock) or at 1970 says nothing
        (
            "INR 1,250.00 debited from your A/c XX4417 at CITY GROCERS.",
            "Mon, 16 Mar 2026 09:29:10 +0000",
            ARRIVED,
        ),
        (
            "INR 1,250.00 debited from your A/c XX4417 at CITY GROCERS.",
            "Thu, 01 Jan 1970 00:00:00 +0000",
            ARRIVED,
        ),
        # a text time a few hours after arrival (an unnamed zone): kept as the arrival
        (
            "Your card 4417 was charged EUR 9.10 at KIOSK on 14/03/2026 13:45.",
            None,
            ARRIVED,
        ),
    ],
)
def test_dates_are_plausible_for_the_arrival(
    body: str, header: str | None, expected: datetime
) -> None:
    assert _when(body, header=header) == expected


def test_without_an_arrival_the_most_likely_reading_is_kept() -> None:
    # Pure parsing with nothing to judge against reads the text as before.
    assert find_datetime("paid on 05/04/26", "USD") == (datetime(2026, 5, 4, 16, tzinfo=UTC), False)


def test_a_later_plausible_date_is_found_after_an_implausible_one() -> None:
    found = find_datetime("at 10.15.30 on 13-03-2026 18:00", "EUR", not_after=ARRIVED)
    assert found is not None and found[0] == datetime(2026, 3, 13, 17, 0, tzinfo=UTC)


_WRITERS = (
    lambda d: d.strftime("%d/%m/%Y %H:%M"),
    lambda d: d.strftime("%m/%d/%y"),
    lambda d: d.strftime("%d.%m.%y"),
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
    lambda d: d.strftime("%d %b %Y"),
    lambda d: d.strftime("%b %d, %Y %I:%M %p"),
    lambda d: d.strftime("%H.%M.%S"),  # a time that looks like a date
)


@settings(max_examples=300, deadline=None)
@given(
    written=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)),
    arrived=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31)),
    writer=st.sampled_from(_WRITERS),
    currency=st.sampled_from(["USD", "EUR", "INR"]),
    header_offset=st.none() | st.integers(min_value=-400 * 86400, max_value=400 * 86400),
)
def test_no_transaction_is_dated_after_its_message_arrived(
    written: datetime,
    arrived: datetime,
    writer: object,
    currency: str,
    header_offset: int | None,
) -> None:
    arrival = arrived.replace(tzinfo=UTC)
    assert callable(writer)
    header = None
    if header_offset is not None:
        sent = arrival + timedelta(seconds=header_offset)
        header = sent.strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = f"{currency} 1,250.00 debited from A/c XX4417 at CITY GROCERS on {writer(written)}."
    when = _when(body, received_at=arrival, header=header)
    assert when <= arrival
    assert when.year >= 1990
    assert when.tzinfo is not None and when.utcoffset() == timedelta(0)


def test_clock_skew_is_small() -> None:
    assert timedelta(0) < CLOCK_SKEW <= timedelta(days=1)
