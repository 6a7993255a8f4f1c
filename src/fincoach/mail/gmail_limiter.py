"""Per-user Gmail quota, metered on our side so a sync stays under it instead of hitting 429s.

A token bucket per user over Gmail's quota units (capacity = one minute's allowance, refilled
continuously), like the meter Gmail applies per user.

The bucket can be saved and restored (`snapshot`/`restore`, stamped with the wall clock) so that
it travels with the work instead of living in one process: a sync job keeps it in its checkpoint,
which only the task holding the job's row lock reads and writes, so the meter is exact across
worker processes and machines without a lock service. Without a snapshot, the bucket is this
process's own (`limiter_for`), and Gmail's 429 + our back-off (gmail_retry) is the safety net.
"""

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from fincoach.mail.base import QuotaWait

# Quota units per method (Gmail API usage limits).
UNITS_LIST = 5
UNITS_GET = 5
UNITS_HISTORY = 2
UNITS_PROFILE = 1


class UserRateLimiter:
    """A token bucket over one user's quota units. Thread-safe; `clock` is injectable for tests."""

    def __init__(
        self,
        units_per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if units_per_minute < 1:
            raise ValueError("units_per_minute must be at least 1")
        self.capacity = float(units_per_minute)
        self.rate = self.capacity / 60.0  # units per second
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._lock = threading.Lock()
        self._tokens = self.capacity
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def _clamp(self, units: int) -> float:
        # A request bigger than the bucket could never be served whole; wait for a full bucket.
        return min(float(units), self.capacity)

    def available(self) -> float:
        """Units that can be spent right now (negative while earlier reservations are due)."""
        with self._lock:
            self._refill()
            return self._tokens

    def wait_time(self, units: int) -> float:
        """Seconds until `units` are available; 0.0 when they are available now."""
        with self._lock:
            self._refill()
            missing = self._clamp(units) - self._tokens
        return 0.0 if missing <= 0 else missing / self.rate

    def acquire(self, units: int, *, max_wait: float = math.inf) -> float:
        """Take `units`, sleeping until they are covered; returns the seconds slept.

        Raises QuotaWait (taking nothing) when that would mean sleeping longer than `max_wait`.
        The units are reserved before sleeping, so concurrent callers queue up fairly.
        """
        with self._lock:
            self._refill()
            need = self._clamp(units)
            wait = max(0.0, (need - self._tokens) / self.rate)
            if wait > max_wait:
                raise QuotaWait(wait)
            self._tokens -= need
        if wait > 0:
            self._sleep(wait)
        return wait

    def snapshot(self) -> dict[str, float]:
        """The bucket as plain data: tokens, and the wall-clock second they were counted at."""
        with self._lock:
            self._refill()
            return {"tokens": round(self._tokens, 3), "at": round(self._wall(), 3)}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Continue from a snapshot taken by any process: refilled for the wall time since."""
        try:
            tokens, at = float(state["tokens"]), float(state["at"])
        except (KeyError, TypeError, ValueError):
            return  # a snapshot we cannot read: keep what this process knows
        elapsed = max(0.0, self._wall() - at)  # a clock that went backwards refills nothing
        with self._lock:
            self._tokens = min(self.capacity, tokens + elapsed * self.rate)
            self._updated = self._clock()

    def refund(self, units: int) -> None:
        """Give back units of a request that never reached Gmail (a connection that failed)."""
        with self._lock:
            self._refill()
            self._tokens = min(self.capacity, self._tokens + self._clamp(units))


_registry: dict[tuple[str, int], UserRateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(user_key: str, units_per_minute: int) -> UserRateLimiter:
    """The process-wide limiter of one user (per quota setting), created on first use."""
    key = (user_key.lower(), units_per_minute)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = _registry[key] = UserRateLimiter(units_per_minute)
        return limiter
