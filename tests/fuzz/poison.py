"""One email per hostile kind of issue 10, written as a bank or card alert would be.

Each is an alert anyone can send: an amount or balance the ledger column cannot hold, a merchant
carrying a NUL (quoted-printable `=00`) or a bidi override, and a Date header whose UTC instant
lies outside the datetime range. `POISON` maps a stable name to its raw bytes and `EXPECTED`
says what the sync must make of each: a failure with its error class, or a stored row.
"""

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

# Recent, so the alerts fall inside any sync window; the alert's text carries its own time.
ALERT_DATE = format_datetime(
    datetime.now(timezone(timedelta(hours=5, minutes=30))) - timedelta(days=3)
)


def card_alert(
    *,
    amount: str = "500.00",
    merchant: str = "AMAZON",
    balance: str | None = None,
    date: str = ALERT_DATE,
    when: str = "2026-06-01 10:00:00",
) -> bytes:
    """An Indian card alert in quoted-printable: `merchant` and `amount` go in as written."""
    tail = f" Avl bal: Rs.{balance}." if balance is not None else ""
    return (
        "From: HDFC Bank Alerts <alerts@hdfcbank.net>\r\n"
        "To: someone@fincoach.example\r\n"
        "Subject: Card transaction alert\r\n"
        f"Date: {date}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        f"Rs.{amount} spent on HDFC Bank Card XX1234 at {merchant} on {when}.{tail}\r\n"
    ).encode()


POISON: dict[str, bytes] = {
    "poison-amount-1e30": card_alert(amount="1000000000000000000000000000000.00"),
    "poison-balance-1e24": card_alert(balance="1000000000000000000000000.00"),
    "poison-amount-15-digits": card_alert(amount="123456789012345.00"),
    "poison-merchant-nul": card_alert(merchant="AMA=00ZON"),
    "poison-merchant-bidi": card_alert(merchant="=E2=80=AENOZAMA"),  # U+202E, then "NOZAMA"
    "poison-date-9999": card_alert(date="Fri, 31 Dec 9999 23:59:59 -1400"),
}
# Refused at the parser's edge (parsing/limits.py), each with its reason in the job's error log.
REFUSED = {
    "poison-amount-1e30": "AmountOutOfRange",
    "poison-balance-1e24": "AmountOutOfRange",
    "poison-amount-15-digits": "AmountOutOfRange",
}
# Stored, cleaned: the merchant the ledger keeps.
CLEANED = {"poison-merchant-nul": "AMAZON", "poison-merchant-bidi": "NOZAMA"}
# Listed (at the file's time) and stored: the alert's own text gives the transaction's time.
# (Year 1 at +14:00 is read by email.utils as 2001, a date outside any sync window; the local
# source's own test lists it.)
EXTREME_DATES = {
    "poison-date-9999": datetime(2026, 6, 1, 4, 30, tzinfo=UTC),
}
