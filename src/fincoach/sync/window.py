"""Which mail a job looks at."""

from datetime import datetime, timedelta

from fincoach.mail.base import TimeWindow

DAYS_PER_MONTH = 30  # the guide's months are 30-day months: 6 months == EMAIL_FETCH_DAYS == 180
# A fallback sync looks this far before the last fetch: a message's received time can be earlier
# than the moment it became visible (delivery delays, clock skew). Re-reading the overlap costs a
# few fetches; the idempotent insert makes it harmless.
FALLBACK_OVERLAP = timedelta(days=1)


def initial_window(*, now: datetime, months: int, fetch_days: int) -> TimeWindow:
    days = min(months * DAYS_PER_MONTH, fetch_days)
    return TimeWindow(since=now - timedelta(days=days), until=None)


def fallback_window(*, now: datetime, last_fetch: datetime | None, fetch_days: int) -> TimeWindow:
    """Since the last fetch (less an overlap), never further back than EMAIL_FETCH_DAYS."""
    floor = now - timedelta(days=fetch_days)
    since = floor if last_fetch is None else max(last_fetch - FALLBACK_OVERLAP, floor)
    return TimeWindow(since=since, until=None)
