"""Which mail a job looks at."""

from datetime import datetime, timedelta

from fincoach.mail.base import TimeWindow

DAYS_PER_MONTH = 30  # the guide's months are 30-day months: 6 months == EMAIL_FETCH_DAYS == 180


def initial_window(*, now: datetime, months: int, fetch_days: int) -> TimeWindow:
    days = min(months * DAYS_PER_MONTH, fetch_days)
    return TimeWindow(since=now - timedelta(days=days), until=None)


def fallback_window(*, now: datetime, last_fetch: datetime | None, fetch_days: int) -> TimeWindow:
    """Since the last fetch, never further back than EMAIL_FETCH_DAYS."""
    floor = now - timedelta(days=fetch_days)
    since = floor if last_fetch is None else max(last_fetch, floor)
    return TimeWindow(since=since, until=None)
