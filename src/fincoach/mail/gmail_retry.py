"""Which Gmail failures are worth retrying, and how long to wait: exponential from 1 s.

googleapiclient's own `num_retries` ignores Retry-After and cannot retry only the failed parts of
a batch, so the policy lives here and both plain calls and batch parts use it.
"""

import http.client
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httplib2  # type: ignore[import-untyped]
from google.auth.exceptions import TransportError
from googleapiclient.errors import HttpError

T = TypeVar("T")

# 403 reasons that mean "slow down", as opposed to "you may not" (Gmail usage limits).
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
# A connection that dies on the way (reset, cut mid-response, timeout) is worth another try.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    http.client.HTTPException,
    httplib2.HttpLib2Error,
    TransportError,
)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off: `first` s, doubling, at most `cap` s, at most `attempts` tries."""

    attempts: int = 5
    first: float = 1.0
    cap: float = 32.0
    jitter: float = 0.1  # up to this share added at random, so retries of many users spread

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds before retry number `retry` (0-based); never less than the server asked."""
        base = min(self.cap, self.first * 2.0**retry)
        base *= 1.0 + random.random() * self.jitter
        return max(base, retry_after or 0.0)


def error_reasons(error: HttpError) -> list[str]:
    """The `reason` of each entry of a Google error document (empty when there is none)."""
    try:
        doc = json.loads(bytes(error.content).decode("utf-8"))
        entries = doc["error"].get("errors", [])
        return [str(e.get("reason", "")) for e in entries if isinstance(e, dict)]
    except (ValueError, KeyError, AttributeError, TypeError):
        return []


def status_of(error: HttpError) -> int | None:
    # A BatchError (a batch answer that was not multipart) is an HttpError without a response.
    status = getattr(error.resp, "status", None)
    return status if isinstance(status, int) else None


def is_retryable(error: HttpError) -> bool:
    status = status_of(error)
    if status is None or status == 429 or status >= 500:
        return True
    return status == 403 and bool(RATE_LIMIT_REASONS.intersection(error_reasons(error)))


def retry_after(error: HttpError) -> float | None:
    """Retry-After in seconds when the answer carries one (Gmail sends delta-seconds)."""
    if status_of(error) is None:
        return None
    value = error.resp.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def short_reason(error: BaseException) -> str:
    """A reason safe to store: a status and Google's reason code, never a response body."""
    if isinstance(error, HttpError):
        reasons = ",".join(r for r in error_reasons(error) if r)
        status = status_of(error)
        if status is None:
            return "gmail batch answer unreadable"
        return f"gmail http {status}" + (f" ({reasons})" if reasons else "")
    return f"connection error ({type(error).__name__})"


def call_with_retry(
    call: Callable[[], T],
    *,
    backoff: Backoff,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying rate limits, 5xx and broken connections; re-raises the last error."""
    for retry in range(backoff.attempts):
        try:
            return call()
        except HttpError as exc:
            if not is_retryable(exc) or retry + 1 >= backoff.attempts:
                raise
            sleep(backoff.delay(retry, retry_after(exc)))
        except TRANSPORT_ERRORS:
            if retry + 1 >= backoff.attempts:
                raise
            sleep(backoff.delay(retry))
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
