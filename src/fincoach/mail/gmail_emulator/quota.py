"""Per-user quota as Gmail meters it: units per user per minute, each method its own price.

A token bucket per user (capacity = units a minute, refilled continuously) approximates Gmail's
moving window: a burst up to the minute's allowance passes, a steady rate above it does not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

# Units each method costs (Gmail API usage limits).
METHOD_UNITS = {
    "users.getProfile": 1,
    "users.messages.list": 5,
    "users.messages.get": 5,
    "users.messages.attachments.get": 5,
    "users.history.list": 2,
}


@dataclass(slots=True)
class QuotaSettings:
    units_per_minute: int = 6000
    status: int = 429  # or 403, Gmail answers either (reason userRateLimitExceeded with 403)
    enabled: bool = True


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class Quota:
    """Charges units; `charge` returns 0 when allowed, else the seconds to wait (Retry-After)."""

    def __init__(
        self, settings: QuotaSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def charge(self, user: str, units: int) -> int:
        if not self.settings.enabled:
            return 0
        capacity = float(self.settings.units_per_minute)
        rate = capacity / 60.0
        now = self._clock()
        bucket = self._buckets.get(user)
        if bucket is None:
            bucket = self._buckets[user] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= units:
            bucket.tokens -= units
            return 0
        return max(1, math.ceil((units - bucket.tokens) / rate))

    def reset(self) -> None:
        self._buckets.clear()
