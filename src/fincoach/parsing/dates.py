"""Dates and times as banks print them, read with explicit formats (no `dateparser`).

Local times are converted to UTC with the zone the text names ("IST", "GMT", "+05:30"), else the
zone implied by the currency. A date without a time is taken at local noon, so converting to UTC
never moves it to another calendar day in practice.

Plausibility against the message's arrival (`not_after`): a message cannot report a transaction
that has not happened yet, so a date later than its arrival plus CLOCK_SKEW is not a transaction
date (it is a time such as "10.15.30" read as 15 Oct 2030, a due date, a card's expiry...). The
skew allows for a sender's clock or an unnamed zone being off by up to a day; the caller clamps
what it keeps to the arrival. Ambiguous readings are resolved against the arrival too: a
numeric date is read in the currency's usual order (month first for USD, else day first) unless
that lands after the arrival and the other order does not, and a two-digit year is the latest
century (20yy, else 19yy) that does not. Nothing before EARLIEST is a date either.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

_MONTHS = {
    # English, Spanish, Portuguese, French, German abbreviations
    "jan": 1, "ene": 1, "janv": 1, "jän": 1,
    "feb": 2, "fev": 2, "fév": 2, "févr": 2,
    "mar": 3, "mär": 3, "mars": 3,
    "apr": 4, "abr": 4, "avr": 4,
    "may": 5, "mai": 5,
    "jun": 6, "juin": 6,
    "jul": 7, "juil": 7,
    "aug": 8, "ago": 8, "aoû": 8,
    "sep": 9, "sept": 9, "set": 9,
    "oct": 10, "out": 10, "okt": 10,
    "nov": 11,
    "dec": 12, "dic": 12, "dez": 12, "déc": 12,
}  # fmt: skip

_MON = r"(?P<mon>[A-Za-zéûä]{3,9})\.?"
_TIME = (
    r"(?:[ ,T:]{1,3}(?:at |a las )?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:\s?(?P<ampm>[AaPp]\.?[Mm]\.?))?(?:\s?(?P<tz>IST|GMT|UTC|BST|CET|CEST|EST|EDT|CST|CDT|"
    r"PST|PDT|MST|MDT|SGT|GST|EAT|WAT|SAST|[+-]\d{2}:?\d{2}))?)?"
)
_PATTERNS = (
    re.compile(rf"(?<!\d)(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}}){_TIME}"),
    re.compile(
        rf"(?<![\d/])(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}|\d{{2}})(?!\d){_TIME}"
    ),
    re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[- /]?{_MON}[-/ ,]{{0,2}}"
        rf"(?P<y>\d{{4}}|\d{{2}})(?![\d:]){_TIME}"
    ),
    re.compile(rf"\b{_MON} (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}}){_TIME}"),
)
_ZONE_ABBREVIATIONS = {
    "IST": "Asia/Kolkata", "GMT": "UTC", "UTC": "UTC", "BST": "Europe/London",
    "CET": "Europe/Paris", "CEST": "Europe/Paris", "EST": "America/New_York",
    "EDT": "America/New_York", "CST": "America/Chicago", "CDT": "America/Chicago",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "MST": "America/Denver",
    "MDT": "America/Denver", "SGT": "Asia/Singapore", "GST": "Asia/Dubai",
    "EAT": "Africa/Nairobi", "WAT": "Africa/Lagos", "SAST": "Africa/Johannesburg",
}  # fmt: skip
_CURRENCY_ZONES = {
    "INR": "Asia/Kolkata", "USD": "America/New_York", "GBP": "Europe/London",
    "EUR": "Europe/Berlin", "AED": "Asia/Dubai", "SAR": "Asia/Riyadh", "QAR": "Asia/Qatar",
    "KES": "Africa/Nairobi", "NGN": "Africa/Lagos", "ZAR": "Africa/Johannesburg",
    "MXN": "America/Mexico_City", "CRC": "America/Costa_Rica", "COP": "America/Bogota",
    "BRL": "America/Sao_Paulo", "ARS": "America/Argentina/Buenos_Aires",
    "CLP": "America/Santiago", "PEN": "America/Lima", "SGD": "Asia/Singapore",
    "MYR": "Asia/Kuala_Lumpur", "PHP": "Asia/Manila", "IDR": "Asia/Jakarta",
    "THB": "Asia/Bangkok", "VND": "Asia/Ho_Chi_Minh", "PKR": "Asia/Karachi",
    "BDT": "Asia/Dhaka", "LKR": "Asia/Colombo", "NPR": "Asia/Kathmandu",
    "JPY": "Asia/Tokyo", "AUD": "Australia/Sydney", "CAD": "America/Toronto",
}  # fmt: skip
MONTH_FIRST_CURRENCIES = frozenset({"USD"})
CLOCK_SKEW = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_LATEST_YEAR = 2100


@cache
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return UTC


def _tz(label: str | None, currency: str | None) -> tzinfo:
    if label:
        if label[0] in "+-":
            digits = label[1:].replace(":", "")
            sign = 1 if label[0] == "+" else -1
            return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return _zone(_ZONE_ABBREVIATIONS.get(label, "UTC"))
    return _zone(_CURRENCY_ZONES.get(currency or "", "UTC"))


def _years(text: str) -> tuple[int, ...]:
    """The years a written year may mean, most likely first: "26" is 2026, else 1926."""
    year = int(text)
    return (year + 2000, year + 1900) if year < 100 else (year,)


def _days(m: re.Match[str], currency: str | None) -> list[tuple[int, int, int]]:
    """(year, month, day) readings of a match, most likely first; [] when none can be."""
    groups = m.groupdict()
    if groups.get("mon"):
        month = _MONTHS.get(groups["mon"].lower()[:4]) or _MONTHS.get(groups["mon"].lower()[:3])
        if month is None:
            return []
        orders = [(month, int(groups["d"]))]
    elif groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        if a > 12:
            orders = [(b, a)]
        elif b > 12:
            orders = [(a, b)]
        elif currency in MONTH_FIRST_CURRENCIES:
            orders = [(a, b), (b, a)]
        else:
            orders = [(b, a), (a, b)]
    else:
        orders = [(int(groups["m"]), int(groups["d"]))]
    return [(year, month, day) for month, day in orders for year in _years(groups["y"])]


def _candidates(m: re.Match[str], currency: str | None) -> list[tuple[datetime, bool]]:
    """Every valid reading of a match as (aware UTC instant, has a time of day), likely first."""
    groups = m.groupdict()
    has_time = groups.get("h") is not None
    try:
        hour = int(groups["h"]) if has_time else 12
        minute = int(groups["mi"]) if has_time else 0
        second = int(groups["s"]) if groups.get("s") else 0
        zone = _tz(groups.get("tz"), currency)
    except (ValueError, TypeError, OverflowError):
        return []
    ampm = (groups.get("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    out = []
    for year, month, day in _days(m, currency):
        if not EARLIEST.year <= year <= _LATEST_YEAR:
            continue
        try:
            local = datetime(year, month, day, hour, minute, second, tzinfo=zone)
        except (ValueError, TypeError, OverflowError):
            continue
        out.append((local.astimezone(UTC), has_time))
    return out


def _pick(
    m: re.Match[str], currency: str | None, latest: datetime | None
) -> tuple[datetime, bool] | None:
    for when, has_time in _candidates(m, currency):
        if when < EARLIEST:
            continue
        if latest is not None and when > latest + CLOCK_SKEW:
            continue
        return when, has_time
    return None


def find_datetime(
    text: str, currency: str | None, *, not_after: datetime | None = None
) -> tuple[datetime, bool] | None:
    """The first plausible date in the text as aware UTC, and whether a time of day was given.

    `not_after` is when the message arrived: readings later than it (plus CLOCK_SKEW) are not
    kept (rules in the module docstring). Without it, the most likely reading is taken.
    """
    best: tuple[int, datetime, bool] | None = None
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if best is not None and m.start() >= best[0]:
                break
            picked = _pick(m, currency, not_after)
            if picked is not None:
                best = (m.start(), picked[0], picked[1])
                break
    return (best[1], best[2]) if best else None
