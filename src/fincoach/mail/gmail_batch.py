"""Fetching raw messages with Gmail batch requests, retrying only the parts that failed.

One batch of `batch_size` `messages.get(format=raw)` calls goes out as one HTTP request. Parts
that answer 429/5xx/403-rate-limit (or a batch whose connection broke) are sent again, alone,
after a back-off that honours the largest Retry-After among them; a part that keeps failing
becomes FetchedMessage(raw=None, error=...) and never raises for the others.
"""

import base64
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from fincoach.mail.base import FetchedMessage, SourceUnavailable
from fincoach.mail.gmail_client import revoked_from
from fincoach.mail.gmail_limiter import UNITS_GET, UserRateLimiter
from fincoach.mail.gmail_retry import (
    TRANSPORT_ERRORS,
    Backoff,
    is_retryable,
    retry_after,
    short_reason,
)


class PartsUnavailable(SourceUnavailable):
    """Parts that kept failing through every retry, with what the fetch did get.

    `isolated` failed while Gmail answered other parts of the same request: Gmail is up and
    these messages are the trouble. `unresolved` failed with their whole request (an outage, or
    one message failing its batch): the caller must find out which (gmail.py).
    """

    def __init__(
        self, *, isolated: list[str], unresolved: list[str], found: dict[str, FetchedMessage]
    ) -> None:
        super().__init__("gmail kept failing this batch; retrying later")
        self.isolated = isolated
        self.unresolved = unresolved
        self.found = found


@dataclass(slots=True)
class _Failure:
    reason: str
    retryable: bool
    retry_after: float | None = None


def decode_raw(value: str) -> bytes:
    """Gmail's `raw` is base64url, sometimes without padding."""
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def internal_date(value: object) -> datetime | None:
    """Gmail's `internalDate` (milliseconds since the epoch, as a string) as aware UTC.

    None when it is missing, unreadable or not after the epoch (a message imported without a
    date can carry 0): the receive time is a help, never a reason to lose the message, and the
    sync then dates by its fetch time.
    """
    try:
        milliseconds = int(str(value))
        return datetime.fromtimestamp(milliseconds / 1000, UTC) if milliseconds > 0 else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@dataclass(slots=True)
class BatchFetcher:
    """Sends `messages.get(format=raw)` in batches; `new_batch` gives an empty BatchHttpRequest."""

    service: Any
    new_batch: Callable[[], BatchHttpRequest]
    limiter: UserRateLimiter
    batch_size: int
    backoff: Backoff
    sleep: Callable[[float], None] = time.sleep
    # `users().messages()` builds its methods from the discovery document on every call: built
    # once per fetcher, not once per batch.
    _messages: Any = None

    def fetch(self, message_ids: Sequence[str]) -> dict[str, FetchedMessage]:
        """Results by id for the distinct ids given; the caller has checked the quota bound.

        Raises PartsUnavailable when parts still fail after every retry: recording them as
        failed here would lose their transactions, so the caller decides (gmail.py).
        """
        results: dict[str, FetchedMessage] = {}
        isolated: list[str] = []
        unresolved: list[str] = []
        unique = list(dict.fromkeys(message_ids))
        for start in range(0, len(unique), self.batch_size):
            failing, answered = self._fetch_chunk(unique[start : start + self.batch_size], results)
            (isolated if answered else unresolved).extend(failing)
            if unresolved and not results:
                break  # nothing answered at all: most likely an outage, not worth more chunks
        if isolated or unresolved:
            raise PartsUnavailable(isolated=isolated, unresolved=unresolved, found=results)
        return results

    def fetch_each(self, message_ids: Sequence[str]) -> tuple[dict[str, FetchedMessage], list[str]]:
        """Each message alone, once: what was fetched, and the ids that still fail by themselves.

        For a batch Gmail refuses as a whole although it is up: one message can fail a batch's
        every part (an envelope error), and sent alone the others come back.
        """
        results: dict[str, FetchedMessage] = {}
        failing: list[str] = []
        for mid in message_ids:
            self.limiter.acquire(UNITS_GET)
            failure = self._send([mid], results).get(mid)
            if failure is None:
                continue
            if failure.retryable:
                failing.append(mid)
            else:
                results[mid] = FetchedMessage(mid, None, failure.reason)
        return results, failing

    def _fetch_chunk(
        self, chunk: list[str], done: dict[str, FetchedMessage]
    ) -> tuple[list[str], bool]:
        """Fetch into `done`; returns the ids still failing (retryably) after every attempt,
        and whether Gmail answered another part of the last request they were in."""
        todo = chunk
        for retry in range(self.backoff.attempts):
            self.limiter.acquire(UNITS_GET * len(todo))
            failures = self._send(todo, done)
            again = [mid for mid in todo if mid in failures and failures[mid].retryable]
            if again and retry + 1 >= self.backoff.attempts:
                return again, len(again) < len(todo)
            for mid, failure in failures.items():
                if not failure.retryable or retry + 1 >= self.backoff.attempts:
                    done[mid] = FetchedMessage(mid, None, failure.reason)
            if not again or retry + 1 >= self.backoff.attempts:
                break
            waits = [f.retry_after for f in failures.values() if f.retry_after is not None]
            self.sleep(self.backoff.delay(retry, max(waits, default=None)))
            todo = again
        return [], True

    def _send(self, ids: list[str], done: dict[str, FetchedMessage]) -> dict[str, _Failure]:
        """One batch HTTP request; successes go into `done`, failures are returned by id."""
        failures: dict[str, _Failure] = {}

        def on_answer(request_id: str, response: Any, exception: Exception | None) -> None:
            if exception is None:
                raw = response.get("raw") if isinstance(response, dict) else None
                if raw is None:
                    failures[request_id] = _Failure("gmail answer without raw content", False)
                else:
                    done[request_id] = FetchedMessage(
                        request_id,
                        decode_raw(raw),
                        received_at=internal_date(response.get("internalDate")),
                    )
            elif isinstance(exception, HttpError):
                failures[request_id] = _Failure(
                    short_reason(exception), is_retryable(exception), retry_after(exception)
                )
            else:
                failures[request_id] = _Failure(short_reason(exception), True)

        batch = self.new_batch()
        if self._messages is None:
            self._messages = self.service.users().messages()
        messages = self._messages
        for mid in ids:
            batch.add(
                messages.get(userId="me", id=mid, format="raw"),
                callback=on_answer,
                request_id=mid,
            )
        try:
            batch.execute()
        except RefreshError as exc:
            revoked = revoked_from(exc)
            if revoked is not None:
                raise revoked from None
            raise SourceUnavailable("gmail token refresh failed") from None
        except HttpError as exc:
            # The batch request itself was refused (429/5xx on the envelope): every part failed,
            # and none of them was run, so their units are given back.
            self.limiter.refund(UNITS_GET * len(ids))
            failure = _Failure(short_reason(exc), is_retryable(exc), retry_after(exc))
            return {mid: failure for mid in ids if mid not in done}
        except TRANSPORT_ERRORS as exc:
            # Mostly a kept-alive connection the server had closed while we waited for quota:
            # the request never arrived. (A connection cut mid-answer did cost units; Gmail's
            # 429 is the safety net for that rare undercount.)
            self.limiter.refund(UNITS_GET * len(ids))
            failure = _Failure(short_reason(exc), True)
            return {mid: failure for mid in ids if mid not in done}
        # A part the answer never mentioned is retried like a broken one.
        for mid in ids:
            if mid not in done and mid not in failures:
                failures[mid] = _Failure("gmail batch answer lacked this part", True)
        return failures
